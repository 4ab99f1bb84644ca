// fcntl.h -- open() modes and mmap() protections/flags (xv6 user ABI),
// MAP_ANONYMOUS, MAP_POPULATE, msync() flags, madvise() advice and lseek()
// origins (pcv6 extensions).
// Needs no other header.
#ifndef PCV6_FCNTL_H
#define PCV6_FCNTL_H

#define O_RDONLY  0x000
#define O_WRONLY  0x001
#define O_RDWR    0x002
#define O_CREATE  0x200
#define O_TRUNC   0x400

#define PROT_NONE   0x0
#define PROT_READ   0x1
#define PROT_WRITE  0x2
#define PROT_EXEC   0x4

#define MAP_SHARED  0x01
#define MAP_PRIVATE 0x02
// Not a file: zero-filled memory (pcv6 extension; Linux's value). fd must
// be -1 and the offset 0.
#define MAP_ANONYMOUS 0x20
// Fault the whole area in at mmap time (pcv6 extension; Linux's value):
// file pages through read-ahead, anonymous pages zero-filled. A hint: when
// memory runs short the rest stays lazy and mmap still succeeds.
#define MAP_POPULATE  0x8000

// msync() flags (pcv6 extension; values as on Linux).
#define MS_ASYNC      1  // start writing the dirty pages back
#define MS_INVALIDATE 2  // (nothing to do: shared mappings are coherent)
#define MS_SYNC       4  // return once they are committed on disk

// madvise() advice (pcv6 extension; values as on Linux). The first three
// are kept by the area (madvise splits areas as mprotect does); the last
// two act on the range at once.
#define MADV_NORMAL     0  // read-ahead by the cache's own heuristic
#define MADV_RANDOM     1  // no read-ahead: a miss reads its page alone
#define MADV_SEQUENTIAL 2  // each miss reads the largest window (WINDOW_MAX)
#define MADV_WILLNEED   3  // start reading the range now; do not wait
#define MADV_DONTNEED   4  // drop the range's pages from this process

// lseek() whence (pcv6 extension; values as on Linux).
#define SEEK_SET 0  // from the start of the file
#define SEEK_CUR 1  // from the current offset
#define SEEK_END 2  // from the end of the file

#endif
