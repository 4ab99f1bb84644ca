// kalloc.h -- the physical page allocator: whole 4096-byte pages of RAM
// between the end of the kernel image and PHYSTOP, and whole 2 MiB frames.
#ifndef PCV6_KALLOC_H
#define PCV6_KALLOC_H

#include "kernel/types.h"
#include "kernel/mm/vm.h"

// A frame: 2 MiB of physical memory at a 2 MiB-aligned address, what one
// Sv39 megapage (a leaf PTE at level 1, vm.h) maps.
#define FRAME_PAGES MEGA_PAGES
#define FRAME_SIZE  MEGA_SIZE

void   kinit(void);
void  *kalloc(void);        // a page filled with junk, or 0 when none is free
void  *kzalloc(void);       // a zeroed page, or 0
// Up to n zeroed pages into pages[], taken under one hold of the
// allocator's lock (what is free, at least one when reclaim can make
// one); how many.
int    kzalloc_many(void **pages, int n);
void   kfree(void *pa);     // pa must have come from kalloc (or kalloc_frame)
uint64 kfree_pages(void);   // pages free right now
// A whole free frame (FRAME_PAGES pages, filled with junk, each freed
// later with kfree on its own), or 0 when none is whole or taking one
// would leave fewer than reserve pages free. Never reclaims. => any locks.
void  *kalloc_frame(uint64 reserve);

#endif
