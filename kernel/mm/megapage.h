// megapage.h -- 2 MiB mappings of cached files (megapage.c): mapping a
// large folio with one Sv39 megapage PTE, and splitting such a mapping
// back into 4 KiB PTEs.
#ifndef PCV6_MEGAPAGE_H
#define PCV6_MEGAPAGE_H

#include "kernel/types.h"
#include "kernel/riscv.h"
#include "kernel/knobs.h"

struct proc;
struct vma;

// KNOB_MEGAPAGES (kernel/knobs.h): MEGA_OFF, MEGA_ON (the default:
// megapages mapped without W, split at the first store) or MEGA_WRITABLE
// (shared writable areas get W under hardware D bits; the one D bit then
// makes write-back write all 2 MiB: kept to measure that choice).
// Also steers whether the cache makes large folios (pagecache.c).
extern volatile long mega_mode;

// cache_fault's hook (mmap_cache.c), before anything else it does: a
// fault inside a megapage that the megapage cannot serve (a store) splits
// it, and a load or fetch where a whole large folio lies cached maps it
// with one PTE. Returns MEGA_PASS when the 4 KiB path must go on, else 0
// (mapped, or already allowed: retry the access).
// => no locks held; p is the current process.
#define MEGA_PASS 1
int mega_fault(struct proc *p, struct vma *v, uint64 va, int access);

// Before the cache policy changes the PTEs of [va, end) of v: every
// megapage in the range is split -- or, with unmap and wholly inside the
// range, taken out at once (its pages' D bits into PG_DIRTY, as
// pc_unmapped_locked does for a PTE). => pc.lock held.
void mega_clear_locked(struct proc *p, struct vma *v, uint64 va, uint64 end, int unmap);

// For the reverse map (rmap.c): the megapage leaf *l1 at va in p maps
// the page at pa? If so and it has any of `bits`, it is split (or taken
// out, when no page is free for the table) and 1 returned: the caller
// looks for pa's own PTE again. 0: nothing of *l1 concerns the caller.
// => pc.lock held.
int mega_rmap_locked(struct proc *p, uint64 va, pte_t *l1, uint64 pa, uint64 bits);
// The clock's look at A (rmap_clear_nofence): clears A in a megapage
// leaf mapping pa and returns it; the use is passed on to every page of
// the megapage (PG_REFD), since the one A bit stood for all of them.
// => pc.lock held.
uint64 mega_young_locked(pte_t *l1, uint64 va, uint64 pa);

#endif
