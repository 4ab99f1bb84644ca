// rmap.c -- the page cache's reverse map and TLB shootdown.
//
// Interface (rmap.h): vma.c keeps every area on its inode's list of
// mappings (rmap_link_vma, rmap_unlink_vma) and changes an area's range only
// through rmap_set_range; the page cache (pagecache.c) walks the PTEs that
// map one of its pages to clear bits in them (rmap_clear, for write-back
// and reclaim) or to remove them (rmap_unmap, for eviction and
// truncation); rmap_shootdown fences the harts that may cache a changed PTE.
//
// Finding the PTEs: the PTE of page pgno in area v sits at
// v->start + pgno * PGSIZE - v->offset in v->proc's page table. A walker
// checks that the PTE really holds this page (a private area may hold its
// own copy there) and touches only PTEs of cache-policy areas. Where a
// megapage maps the page (megapage.c), a walker that would change the
// page's own PTE has it split first (mega_rmap_locked); the clock's look
// at A reads and clears the megapage's A as it is (mega_young_locked).
//
// Shootdown: a local sfence.vma when this hart runs the process, and the
// SBI's remote fence for the other harts running it (counted in
// tlb_shootdowns); a process running nowhere needs nothing, since every
// return to user mode fences.
//
// Locks: the inode's list `maps`, each area's `mnext` and its range
// (start, end, offset) are [pc], pc.lock (pagecache.c): written here
// under it, read by every walker under it. The leaf PTEs of cache-policy
// areas change only under pc.lock, by their owner and by these walkers
// alike. Lock order: see pagecache.c.
#include "kernel/types.h"
#include "kernel/param.h"
#include "kernel/riscv.h"
#include "kernel/lib/spinlock.h"
#include "kernel/lib/printf.h"
#include "kernel/proc/proc.h"
#include "kernel/mm/vm.h"
#include "kernel/arch/sbi.h"
#include "kernel/fs/inode.h"
#include "kernel/fs/file.h"
#include "kernel/mm/vma.h"
#include "kernel/mm/page.h"
#include "kernel/mm/rmap.h"
#include "kernel/mm/pagecache.h"
#include "kernel/mm/megapage.h"
#include "kernel/mm/kstats_impl.h"

// ---- the list of areas mapping an inode ----

void
rmap_link_vma(struct vma *v)
{
  if (v->file == 0)
    return;  // private anonymous memory: no cache page to find it from
  struct inode *ip = v->file->ip;
  pc_lock();
  v->mnext = ip->maps;
  ip->maps = v;
  pc_unlock();
}

void
rmap_unlink_vma(struct vma *v)
{
  if (v->file == 0)
    return;
  struct inode *ip = v->file->ip;
  pc_lock();
  struct vma **pp = &ip->maps;
  while (*pp != v) {
    KASSERT(*pp != 0);
    pp = &(*pp)->mnext;
  }
  *pp = v->mnext;
  v->mnext = 0;
  pc_unlock();
}

void
rmap_set_range(struct vma *v, uint64 start, uint64 end, uint64 offset)
{
  pc_lock();
  v->start = start;
  v->end = end;
  v->offset = offset;
  pc_unlock();
}

// ---- shootdown ----

void
rmap_shootdown(struct proc *p, uint64 va)
{
  __sync_synchronize();  // the PTE change before the check of who runs p
  uint64 mask = 0;
  push_off();
  int me = cpuid();
  for (int i = 0; i < NCPU; i++)
    if (cpus[i].proc == p && i != me)
      mask |= 1UL << i;
  if (cpus[me].proc == p)
    sfence_vma();
  pop_off();
  if (mask) {
    sbi_remote_sfence_vma(mask, va, PGSIZE);
    kstat_inc(tlb_shootdowns);
  }
}

// ---- walkers ----

// The address of page pg in area v, if v is a cache-policy area whose
// range holds it. => pc.lock held.
static int
rmap_va(struct vma *v, struct page *pg, uint64 *va)
{
  uint64 fileoff = (uint64)pg->pgno * PGSIZE;
  if (v->policy != &mmap_cache_policy || fileoff < v->offset ||
      fileoff - v->offset >= v->end - v->start)
    return 0;
  *va = v->start + (fileoff - v->offset);
  return 1;
}

// The PTE of page pg in area v, if v maps pg there; else 0. A megapage
// mapping pg that holds any of `bits` is split first (megapage.c), so
// that pg gets a PTE of its own; one that holds none of them is left
// alone and 0 returned: there is nothing in it for the caller.
// => pc.lock held.
static pte_t *
rmap_pte(struct vma *v, struct page *pg, uint64 *va, uint64 bits)
{
  if (!rmap_va(v, pg, va))
    return 0;
  pagetable_t pt = v->proc->pagetable;
  pte_t *l1 = walk_mega(pt, *va);
  if (l1 && !mega_rmap_locked(v->proc, *va, l1, page2pa(pg), bits))
    return 0;
  pte_t *pte = walk(pt, *va, 0);
  if (pte == 0 || (*pte & PTE_V) == 0 || PTE2PA(*pte) != page2pa(pg))
    return 0;
  return pte;
}

uint64
rmap_clear(struct page *pg, uint64 bits)
{
  uint64 seen = 0, va;
  for (struct vma *v = pg->ip->maps; v; v = v->mnext) {
    pte_t *pte = rmap_pte(v, pg, &va, bits);
    if (pte == 0)
      continue;
    uint64 old = __atomic_fetch_and(pte, ~bits, __ATOMIC_SEQ_CST);
    if (old & bits)
      rmap_shootdown(v->proc, va);
    seen |= old & bits;
  }
  return seen;
}

uint64
rmap_clear_nofence(struct page *pg, uint64 bits)
{
  uint64 seen = 0, va;
  for (struct vma *v = pg->ip->maps; v; v = v->mnext) {
    // A (the clock's second chance) is cleared in a megapage as it is:
    // splitting it for that would undo it under any memory pressure.
    pte_t *l1;
    if (bits == PTE_A && rmap_va(v, pg, &va) && (l1 = walk_mega(v->proc->pagetable, va))) {
      seen |= mega_young_locked(l1, va, page2pa(pg));
      continue;
    }
    pte_t *pte = rmap_pte(v, pg, &va, bits);
    if (pte)
      seen |= __atomic_fetch_and(pte, ~bits, __ATOMIC_SEQ_CST) & bits;
  }
  return seen;
}

void
rmap_unmap(struct page *pg)
{
  uint64 va;
  for (struct vma *v = pg->ip->maps; v && pg->mapcount > 0; v = v->mnext) {
    pte_t *pte = rmap_pte(v, pg, &va, ~0UL);
    if (pte == 0)
      continue;
    uint64 old = __atomic_exchange_n(pte, 0, __ATOMIC_SEQ_CST);
    rmap_shootdown(v->proc, va);
    if (old & PTE_D)
      pc_dirtied_locked(pg);
    pg->mapcount--;
  }
}
