// cow.c -- copy-on-write fork, for every private page.
//
// A private page (PG_ANON, page.h) is owned by the PTEs that map it: ref
// counts them. fork does not copy such a page: cow_share maps it in the
// child too, read-only in both, and adds an owner. The first store by
// either side faults, and cow_write gives the storer a page of its own:
//
//   owners left  what the store gets                       counted in
//   one (us)     the same page, made writable again        cow_reuses
//   more         a copy; the shared page loses one owner   cow_copies
//
// so a page stored to by both sides is copied once, and one whose other
// owners have gone (exit, exec, munmap, sbrk shrinking) is not copied at
// all. A cache page mapped read-only in a MAP_PRIVATE file area takes the
// same store path and is always copied (the cache owns it, never us).
//
// Which stores are allowed is the callers' business: an area's prot for
// mapped areas (mmap_cache.c; the program's own areas too), the PTE_COW
// bit for the stack and heap and a copied program (fault.c). A page that
// was never writable -- a copied program's text and read-only data -- is
// shared without PTE_COW and a store to it still kills.
//
// Kernel copies into user memory (copyout: read(), pipes, wait's status)
// find such a page without W and ask fault_resolve for a store, exactly
// as the hardware would (vm.c), so they take this path too.
//
// Locks: every PTE change here and every owner count is under pc.lock
// (pagecache.c), which the reverse-map walkers also hold. A page is copied
// outside it (kalloc may reclaim, which takes pc.lock) and the decision is
// taken again under it: the PTE may have been cleared meanwhile (eviction
// of a cache page), and other owners may have gone.
#include "kernel/types.h"
#include "kernel/param.h"
#include "kernel/riscv.h"
#include "kernel/errno.h"
#include "kernel/lib/printf.h"
#include "kernel/lib/string.h"
#include "kernel/mm/kalloc.h"
#include "kernel/mm/page.h"
#include "kernel/mm/pagecache.h"
#include "kernel/mm/cow.h"
#include "kernel/mm/kstats_impl.h"

void *
cow_copy_page(uint64 pa)
{
  void *mem = kalloc();
  if (mem == 0)
    return 0;
  memmove(mem, (void *)pa, PGSIZE);
  page_anon_init(mem);
  return mem;
}

int
cow_share(pte_t *ppte, pte_t *cpte)
{
  int shared = 0;
  pc_lock();
  // Decide on what the PTE holds now that nothing can change it: eviction
  // on another hart may have cleared a cache page's PTE since the caller
  // looked, and the page may be some other process's private page by now.
  uint64 cur = *ppte;
  if ((cur & PTE_V) && (pa2page(PTE2PA(cur))->flags & PG_ANON)) {
    KASSERT((*cpte & PTE_V) == 0);
    uint64 old = __atomic_fetch_and(ppte, ~PTE_W, __ATOMIC_SEQ_CST);
    uint64 cow = (old & (PTE_W | PTE_COW)) ? PTE_COW : 0;
    if (cow)
      __atomic_fetch_or(ppte, PTE_COW, __ATOMIC_SEQ_CST);
    page_anon_get(PTE2PA(old));
    *cpte = (old & ~(PTE_W | PTE_A | PTE_D)) | cow | PTE_V;
    kstat_inc(fork_shared_pages);
    shared = 1;
  }
  pc_unlock();
  return shared;
}

int
cow_write(pte_t *pte, pte_t seen)
{
  // Read without pc.lock: while we copy, a reverse-map walker (eviction,
  // truncation) may take a cache page out of this PTE and free it. A
  // private page cannot go: our PTE owns it, and only this process clears
  // its own PTEs of private pages. So if *pte still holds pa under the
  // lock below, whatever we copied was the page's contents.
  uint64 pa = PTE2PA(seen);
  void *mem = 0;
  if (!page_anon_sole(pa) && (mem = cow_copy_page(pa)) == 0)
    return -ENOMEM;
  pc_lock();
  uint64 old = *pte;
  struct page *pg = pa2page(pa);
  if (!(old & PTE_V) || PTE2PA(old) != pa) {
    // The page went meanwhile, so the copy may hold anything: drop it
    // and let the access fault again.
    if (mem)
      page_anon_put((uint64)mem);
    pc_unlock();
    return 0;
  }
  if (mem && (pg->flags & PG_ANON) && pg->ref == 1) {
    // The other owners went while we copied (exit on another hart).
    page_anon_put((uint64)mem);
    mem = 0;
  }
  uint64 perm = (PTE_FLAGS(old) & ~PTE_COW) | PTE_W | PTE_A | PTE_D;
  if (mem) {
    *pte = PA2PTE((uint64)mem) | perm;
    pc_unmapped_locked(pg, old);
    kstat_inc(cow_copies);
  } else {
    KASSERT(pg->flags & PG_ANON);  // page_anon_sole said so; the PTE still owns it
    *pte = PA2PTE(pa) | perm;
    kstat_inc(cow_reuses);
  }
  pc_unlock();
  sfence_vma();
  return 0;
}
