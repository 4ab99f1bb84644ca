// megapage.c -- 2 MiB mappings of cached files (Sv39 megapages).
//
// When to map one. A load or instruction fetch at va in a cache-policy
// file area (not a program's area, not a memory object) maps the 2 MiB
// range around va with one leaf PTE at level 1 when all of these hold:
//   - the area covers the whole range, and the file offset at its start
//     is 2 MiB-aligned too (mmap places large areas so: vma.c);
//   - the range lies wholly inside the file: a megapage never maps past
//     EOF (a touch there must kill the process, the SIGBUS rule);
//   - its 512 pages are cached, up to date and not under I/O, in one
//     2 MiB-aligned frame and in order: a large folio, which the cache
//     makes at the second step of a sequential run of misses
//     (pagecache.c, fill_folio);
//   - nothing of the range is mapped with 4 KiB PTEs: the level-1 entry
//     is empty, or points at a table page of empty entries, which goes.
// A store never maps one (see "Stores" below), nor does anything when
// mega_mode is MEGA_OFF.
//
// Bookkeeping. Every page of a megapage counts the mapping in its own
// mapcount (and is marked PG_REFD), as 512 PTEs would: eviction,
// truncation, drop, ps (count_pages, vm.c) and the out-of-memory policy
// see the same counts either way, and a split changes no count.
//
// Splitting (split_locked). A table page of 512 leaves with the
// megapage's bits replaces the leaf in one atomic swap; A and D bits the
// hardware set meanwhile are carried into every leaf; then the harts
// that may cache the megapage are fenced (rmap_shootdown). Where no page
// is free for the table -- reclaim itself may be what splits -- the
// megapage is taken out instead: its pages are cache pages, each keeps
// its dirtiness (PG_DIRTY from the D bit) and the next touch maps them
// again. A split happens at:
//   - munmap, MADV_DONTNEED or release of part of a megapage (a whole
//     one is just taken out), and mprotect of any of it: mega_clear_locked,
//     from the cache policy before it walks its 4 KiB PTEs;
//   - a store (a copy-on-write in a private area, the first store in a
//     shared one): mega_fault;
//   - eviction, truncation or write-back of any page in it, through the
//     reverse map: mega_rmap_locked (write-back only when the megapage
//     holds a D bit, which only MEGA_WRITABLE allows).
//
// Stores. A megapage has one D bit for 2 MiB. Under MEGA_ON it is
// mapped without W in every area, so the first store faults and splits
// it, and dirty tracking stays per 4 KiB page in both tracking modes
// (svade 0 and 1); the split gives the leaves the rights a 4 KiB fault
// would (W for a shared writable area under hardware D bits). Under
// MEGA_WRITABLE (measurement only) a shared writable area's megapage gets
// W under hardware D bits, and its D bit makes write-back split it with D
// in every leaf: all 2 MiB are written. DESIGN.md has the measurement.
//
// Locks: megapage leaves, like every leaf PTE of a cache-policy area,
// change only under pc.lock (pagecache.c). Freeing an empty table page
// also takes the owner's p->lock (after pc.lock, as ranked), because ps
// and the out-of-memory policy walk another process's table under that
// lock alone (count_pages, vm.c).
#include "kernel/types.h"
#include "kernel/param.h"
#include "kernel/memlayout.h"
#include "kernel/riscv.h"
#include "kernel/fcntl.h"
#include "kernel/lib/spinlock.h"
#include "kernel/lib/printf.h"
#include "kernel/mm/kalloc.h"
#include "kernel/proc/proc.h"
#include "kernel/mm/vm.h"
#include "kernel/fs/inode.h"
#include "kernel/fs/file.h"
#include "kernel/mm/vma.h"
#include "kernel/mm/fault.h"
#include "kernel/mm/page.h"
#include "kernel/mm/rmap.h"
#include "kernel/mm/pagecache.h"
#include "kernel/mm/megapage.h"
#include "kernel/mm/kstats_impl.h"

#define MEGA_MASK (MEGA_SIZE - 1)
#define GIGA_SIZE (MEGA_SIZE * 512)  // what one level-1 table page maps

volatile long mega_mode = MEGA_ON;

// May v ever hold megapages? File areas of the cache policy, but not the
// program's (exec maps those page by page, and fork shares them so) nor
// memory objects (their pages are zero-filled one at a time).
static int
mega_area(struct vma *v)
{
  return v->file && !v->prog && v->policy == &mmap_cache_policy && !inode_is_mem(v->file->ip);
}

// Would a user access of this kind go through this leaf?
static int
leaf_allows(pte_t e, int access)
{
  uint64 need = PTE_V | PTE_U |
                (access == FAULT_WRITE ? PTE_W : access == FAULT_EXEC ? PTE_X : PTE_R);
  return (e & need) == need;
}

// Replaces the megapage *l1 at va in p by 512 leaves with its bits plus
// `extra`, or takes it out when no page is free for the table.
// => pc.lock held.
static void
split_locked(struct proc *p, uint64 va, pte_t *l1, uint64 extra)
{
  pte_t old = __atomic_load_n(l1, __ATOMIC_RELAXED);
  uint64 base = PTE2PA(old);
  va &= ~MEGA_MASK;
  pagetable_t t = kalloc();  // under pc.lock: never reclaims
  if (t == 0) {
    pte_t last = __atomic_exchange_n(l1, 0, __ATOMIC_SEQ_CST);
    rmap_shootdown(p, va);
    for (int i = 0; i < MEGA_PAGES; i++)
      pc_unmapped_locked(pa2page(base + (uint64)i * PGSIZE), last);
    kstat_inc(mega_zaps);
    return;
  }
  for (int i = 0; i < MEGA_PAGES; i++)
    t[i] = PA2PTE(base + (uint64)i * PGSIZE) | PTE_FLAGS(old) | extra;
  __sync_synchronize();  // the leaves before the pointer to them
  pte_t last = __atomic_exchange_n(l1, PA2PTE(t) | PTE_V, __ATOMIC_SEQ_CST);
  uint64 late = last & ~old & (PTE_A | PTE_D);  // set by a hart since the load
  if (late)
    for (int i = 0; i < MEGA_PAGES; i++)
      __atomic_fetch_or(&t[i], late, __ATOMIC_SEQ_CST);
  rmap_shootdown(p, va);
  kstat_inc(mega_splits);
}

// Takes the megapage *l1 at va out of p at once: every page loses the
// mapping, its D bit going into PG_DIRTY. => pc.lock held.
static void
unmap_locked(struct proc *p, uint64 va, pte_t *l1)
{
  pte_t old = __atomic_exchange_n(l1, 0, __ATOMIC_SEQ_CST);
  rmap_shootdown(p, va & ~MEGA_MASK);
  for (int i = 0; i < MEGA_PAGES; i++)
    pc_unmapped_locked(pa2page(PTE2PA(old) + (uint64)i * PGSIZE), old);
}

void
mega_clear_locked(struct proc *p, struct vma *v, uint64 va, uint64 end, int unmap)
{
  KASSERT(pc_lock_held());
  if (!mega_area(v))
    return;
  // Steps over missing level-1 tables (1 GiB) at once, so a huge
  // untouched area costs little here (as walk_sparse does for its walk).
  for (uint64 a = va & ~MEGA_MASK; a < end && a < MAXVA;) {
    pte_t *l1 = walk_l1(p->pagetable, a, 0);
    if (l1 == 0) {
      a = (a & ~(GIGA_SIZE - 1)) + GIGA_SIZE;
      continue;
    }
    pte_t e = *l1;
    if ((e & PTE_V) && PTE_LEAF(e)) {
      if (unmap && a >= va && a + MEGA_SIZE <= end) {
        unmap_locked(p, a, l1);
        kstat_inc(mega_unmaps);
      } else {
        split_locked(p, a, l1, 0);
      }
    }
    a += MEGA_SIZE;
  }
}

int
mega_rmap_locked(struct proc *p, uint64 va, pte_t *l1, uint64 pa, uint64 bits)
{
  KASSERT(pc_lock_held());
  pte_t e = *l1;
  if (PTE2PA(e) + (va & MEGA_MASK & ~(uint64)(PGSIZE - 1)) != pa || (e & bits) == 0)
    return 0;
  split_locked(p, va, l1, 0);
  return 1;
}

uint64
mega_young_locked(pte_t *l1, uint64 va, uint64 pa)
{
  KASSERT(pc_lock_held());
  uint64 base = PTE2PA(*l1);
  if (base + (va & MEGA_MASK & ~(uint64)(PGSIZE - 1)) != pa)
    return 0;
  uint64 old = __atomic_fetch_and(l1, ~PTE_A, __ATOMIC_SEQ_CST);
  if (old & PTE_A)
    for (int i = 0; i < MEGA_PAGES; i++)
      pa2page(base + (uint64)i * PGSIZE)->flags |= PG_REFD;
  return old & PTE_A;
}

// The first page of the large folio that holds file page `first`
// (MEGA_PAGES-aligned) of ip, if all of it is cached, up to date, not
// under I/O and in order in one frame; else 0. => pc.lock held.
static struct page *
whole_folio(struct inode *ip, uint first)
{
  struct page *pg = pc_lookup_locked(ip, first);
  if (pg == 0 || page2pa(pg) % MEGA_SIZE != 0)
    return 0;
  for (int i = 0; i < MEGA_PAGES; i++, pg++) {
    if ((pg->flags & (PG_CACHE | PG_UPTODATE | PG_IO | PG_MEM)) != (PG_CACHE | PG_UPTODATE) ||
        pg->ip != ip || pg->pgno != first + i)
      return 0;
  }
  return pg - MEGA_PAGES;
}

// Makes the level-1 entry *l1 free for a leaf: empty already, or a table
// page with no valid entry, which is freed. 0 if 4 KiB PTEs are in use
// there. => pc.lock held; p is the current process.
static int
free_l1_locked(struct proc *p, pte_t *l1)
{
  pte_t e = *l1;
  if ((e & PTE_V) == 0)
    return 1;
  pagetable_t t = (pagetable_t)PTE2PA(e);
  for (int i = 0; i < 512; i++)
    if (t[i] & PTE_V)
      return 0;
  acquire(&p->lock);  // count_pages may be walking this table under it
  *l1 = 0;
  release(&p->lock);
  sfence_vma();  // p runs only here; its other harts fence on return to user
  kfree(t);
  return 1;
}

// Maps [base, base + MEGA_SIZE), which v covers, with one megapage if
// the rules at the top allow. 0 if it did, MEGA_PASS if not.
// => pc.lock held.
static int
map_locked(struct proc *p, struct vma *v, uint64 base, pte_t *l1)
{
  uint64 off = vma_fileoff(v, base);
  struct inode *ip = v->file->ip;
  // ip->size without the inode lock: a truncation publishes the smaller
  // size before it takes the pages past it out of the cache and of every
  // mapping under pc.lock (pc_truncate), so a megapage mapped from the
  // old size is split or taken out by that, and whole_folio fails after.
  if (off % MEGA_SIZE != 0 || off + MEGA_SIZE > ip->size || off / PGSIZE > 0xFFFFFFFFUL)
    return MEGA_PASS;
  struct page *pg = whole_folio(ip, (uint)(off / PGSIZE));
  if (pg == 0 || !free_l1_locked(p, l1))
    return MEGA_PASS;
  int perm = cache_leaf_rights(v, 0);
  if (mega_mode != MEGA_WRITABLE)
    perm &= ~PTE_W;  // the first store faults and splits: see the top
  __atomic_store_n(l1, PA2PTE(page2pa(pg)) | perm | PTE_V, __ATOMIC_SEQ_CST);
  for (int i = 0; i < MEGA_PAGES; i++)
    pc_mapped_locked(pg + i);
  kstat_inc(mega_maps);
  return 0;
}

int
mega_fault(struct proc *p, struct vma *v, uint64 va, int access)
{
  if (!mega_area(v))
    return MEGA_PASS;
  uint64 base = va & ~MEGA_MASK;
  int want = mega_mode != MEGA_OFF && access != FAULT_WRITE && base >= v->start &&
             base + MEGA_SIZE <= v->end;
  // The level-2 entry now, not under pc.lock: kzalloc may reclaim.
  pte_t *l1 = walk_l1(p->pagetable, va, want);
  if (l1 == 0)
    return MEGA_PASS;
  // A first look without the lock: only p itself makes megapages, so one
  // that is not there now will not be there under the lock either.
  pte_t seen = __atomic_load_n(l1, __ATOMIC_RELAXED);
  if (!want && !((seen & PTE_V) && PTE_LEAF(seen)))
    return MEGA_PASS;
  int r = MEGA_PASS;
  pc_lock();
  pte_t e = *l1;
  if ((e & PTE_V) && PTE_LEAF(e)) {
    if (leaf_allows(e, access)) {
      r = 0;  // mapped meanwhile, or a stale translation: retry
    } else {
      // A store (or a right mprotect took, which splits anyway): the
      // leaves get what a 4 KiB fault would give a clean page.
      uint64 extra = access == FAULT_WRITE ? (cache_leaf_rights(v, 0) & PTE_W) : 0;
      split_locked(p, va, l1, extra);
    }
  } else if (want) {
    r = map_locked(p, v, base, l1);
  }
  pc_unlock();
  return r;
}
