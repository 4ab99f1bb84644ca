// shmem.h -- the memory objects behind shared anonymous mappings
// (mmap with MAP_SHARED | MAP_ANONYMOUS); see shmem.c.
#ifndef PCV6_SHMEM_H
#define PCV6_SHMEM_H

#include "kernel/types.h"

struct file;

// The largest memory object in bytes: its size is a memory inode's, a
// 32-bit uint, rounded down to whole pages.
#define SHMEM_MAX_BYTES 0xFFFFF000UL

// A new memory object of len bytes (page aligned, 0 < len), zero-filled,
// wrapped in a file with one reference for the caller (*out): every area
// that maps it holds one more (vma_map, fork, munmap's split), and the
// last fileclose frees the object and its pages. 0, or -ENOMEM (len over
// SHMEM_MAX_BYTES), -ENFILE (the file table or the inode cache is full).
// => no locks held.
int shmem_file(uint64 len, struct file **out);

#endif
