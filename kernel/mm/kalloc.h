// kalloc.h -- the physical page allocator: whole 4096-byte pages of RAM
// between the end of the kernel image and PHYSTOP.
#ifndef PCV6_KALLOC_H
#define PCV6_KALLOC_H

#include "kernel/types.h"

void   kinit(void);
void  *kalloc(void);        // a page filled with junk, or 0 when none is free
void  *kzalloc(void);       // a zeroed page, or 0
void   kfree(void *pa);     // pa must have come from kalloc
uint64 kfree_pages(void);   // pages free right now

#endif
