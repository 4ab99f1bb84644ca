// rmap.h -- the page cache's reverse map (from a cache page to the PTEs
// mapping it) and TLB shootdown (rmap.c).
//
// The reverse map is per inode: every area (struct vma) mapping an inode
// is on the inode's list `maps`, and a page's PTE in an area is found by
// arithmetic from the area's range. Only PTEs of cache-policy areas are
// ever touched. The lock legend of the fields used here is in vma.h and
// inode.h: `maps`, `mnext` and an area's range are [pc], pc.lock
// (pagecache.c), which every walker holds.
#ifndef PCV6_RMAP_H
#define PCV6_RMAP_H

#include "kernel/types.h"

struct page;
struct proc;
struct vma;

// ---- the list of areas mapping an inode (vma.c) ----

// Links / unlinks an area into its inode's list of mappings (an area
// with no file, private anonymous memory, is on no list: its pages are
// its own, and no walker looks for them). => pc.lock not held (takes it).
void rmap_link_vma(struct vma *v);
void rmap_unlink_vma(struct vma *v);
// Changes an area's range under the cache lock, so that reverse-map
// walkers see either the old or the new range, never half of each.
// => pc.lock not held (takes it).
void rmap_set_range(struct vma *v, uint64 start, uint64 end, uint64 offset);

// ---- walkers over the PTEs mapping a cache page (pagecache.c) ----

// Clears `bits` in every PTE mapping pg and fences the harts that may
// cache those that had them; returns the union of the bits that were set.
// => pc.lock held.
uint64 rmap_clear(struct page *pg, uint64 bits);
// The same without any fence: for bits whose stale copy in a TLB does no
// harm (A). => pc.lock held.
uint64 rmap_clear_nofence(struct page *pg, uint64 bits);
// Removes every PTE mapping pg (fencing each), lowering pg->mapcount; a
// D bit found marks pg PG_DIRTY. => pc.lock held.
void rmap_unmap(struct page *pg);

// Makes every hart forget p's translation of va. => any locks.
void rmap_shootdown(struct proc *p, uint64 va);

#endif
