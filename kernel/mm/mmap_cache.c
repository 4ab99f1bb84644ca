// mmap_cache.c -- the page-cache mapping policy (the default).
//
//   fault    MAP_SHARED: map the cache page itself, so every process and
//            every mapping of a file page shares one physical page and
//            sees every store at once. MAP_PRIVATE: map the cache page
//            read-only; the first store copies it (copy-on-write) into a
//            private page that is never written back. A read fault also
//            maps the already cached, up-to-date neighbours in an aligned
//            window (fault-around), clean: cache_faultaround pages, twice
//            the last window for a sequential run, up to
//            cache_faultaround_max (fa_window).
//            Anonymous memory (vma.h) takes the same paths: a shared area's
//            pages are its memory object's cache pages (shmem.c), zeroed
//            when first touched; a private area's first touch of a page
//            gets a zeroed private page (anon_fault), of the same kind as
//            a copy-on-write copy, so fork and stores treat both alike.
//   release  unmap, collecting D bits into the cache pages, then write
//            back the dirty pages of a writable shared range.
//   dup      fork: the child gets the parent's private pages (copies and
//            private anonymous pages), shared copy-on-write between the
//            two (cow.c, as for the heap); cache pages (a memory object's
//            too) it faults in -- but in the program's areas (exec.c) it
//            maps the cache pages the parent maps, as the parent has them.
//   sync     msync(MS_SYNC): write back the dirty pages of the range;
//            MS_ASYNC writes nothing (the write-back process will,
//            writeback.c).
//   protect  mprotect: present pages take the area's new rights, W only
//            ever taken away (a store then faults for it), D kept.
//   dontneed madvise(MADV_DONTNEED): release without the write-back, the
//            D bits kept in the cache pages instead.
// Misses read ahead as the area's advice says (v->advice).
//
// Dirty tracking. A hart that sets PTE A/D itself (QEMU) needs nothing
// from us: a clean shared writable page is mapped with W and the store
// sets D. A hart that faults instead (Svade) is emulated with the
// pc_svade knob: clean pages are then mapped without W, and the first
// store faults into cache_fault, which just marks the PTE writable and
// dirty. Write-back takes W away again in that mode (pagecache.c).
// In both modes a store fault on a shared page marks the cache page
// PG_DIRTY at once (pc_dirtied_locked): the background write-back's
// expiry starts there, and its throttling of writers (wb_throttle, called
// by fault.c) counts the page.
//
// Locks: PTEs of these areas change only under pc.lock (pagecache.c),
// which reverse-map walkers (rmap.c) also hold; page-table pages are allocated
// before taking it (walk with alloc), since kalloc may reclaim.
// Anonymous private pages (PG_ANON) are reference counted under pc.lock;
// sharing them at fork and copying them at a store is cow.c's.
#include "kernel/types.h"
#include "kernel/param.h"
#include "kernel/riscv.h"
#include "kernel/fcntl.h"
#include "kernel/errno.h"
#include "kernel/mm/knobs_impl.h"
#include "kernel/lib/spinlock.h"
#include "kernel/lib/sleeplock.h"
#include "kernel/lib/printf.h"
#include "kernel/lib/string.h"
#include "kernel/mm/kalloc.h"
#include "kernel/proc/proc.h"
#include "kernel/mm/vm.h"
#include "kernel/fs/inode.h"
#include "kernel/fs/file.h"
#include "kernel/mm/vma.h"
#include "kernel/mm/fault.h"
#include "kernel/mm/page.h"
#include "kernel/mm/pagecache.h"
#include "kernel/mm/cow.h"
#include "kernel/mm/megapage.h"
#include "kernel/mm/kstats_impl.h"
#include "kernel/mm/trace_impl.h"

#define TABLE_SPAN (512 * PGSIZE)  // what one last-level page-table page maps

// A page number clipped to what the cache's 32-bit page numbers hold
// (far beyond MAXFILE, so nothing past it is ever cached).
static uint
clip(uint64 pgno)
{
  return pgno > 0xFFFFFFFFUL ? 0xFFFFFFFFU : (uint)pgno;
}

// PTE rights for a cache page in v: R only if the area may be read (an
// exec-only area stays unreadable, even to system calls), never W for
// private areas (a store must fault to copy), nor for clean pages under
// Svade emulation.
static int
rights(struct vma *v, int dirty)
{
  int perm = vma_leaf_rights(v->prot);
  if ((v->flags & MAP_SHARED) && (v->prot & PROT_WRITE) && (dirty || !pc_svade))
    perm |= PTE_W;
  if (dirty)
    perm |= PTE_A | PTE_D;
  return perm;
}

int
cache_leaf_rights(struct vma *v, int dirty)
{
  return rights(v, dirty);
}

// The fault-around windows (knobs KNOB_FAULTAROUND, KNOB_FAULTAROUND_MAX;
// vma.h).
volatile long cache_faultaround = FAULTAROUND_DEFAULT;
volatile long cache_faultaround_max = FAULTAROUND_MAX;

// The window for a read fault at va in v, in pages (adaptive
// fault-around). A fault where the previous one's mapping ended
// (v->fa_next) is the next step of a sequential run: the area's window
// doubles, up to cache_faultaround_max, so a long scan of a warm file
// takes ever fewer faults (16, 32, ... 512 pages: one fault per page-table
// page). Any other fault -- a random touch, a scan starting afresh, a
// MADV_RANDOM area -- is served with the base window cache_faultaround,
// so random access maps no more than with fixed windows.
static long
fa_window(struct vma *v, uint64 va)
{
  long base = cache_faultaround, max = cache_faultaround_max;
  long win = base;
  if (v->advice != MADV_RANDOM && v->fa_window >= base && va == v->fa_next) {
    win = v->fa_window * 2;
    if (win > max)
      win = max > base ? max : base;
  }
  v->fa_window = (int)win;
  return win;
}

// Maps the up-to-date cache pages next to va (already mapped) that need
// no I/O, clean, in the aligned window of fa_window() pages clipped to
// the area and the file. A fault that has just read nread pages from va
// on (the page and its read-ahead) maps all of them too: read-ahead chose
// them because they are about to be used, and a run that starts inside a
// window would otherwise cost a fault at each window boundary it crosses.
// Everything stays inside va's 2 MiB page-table page; a base window of 1
// turns both off. Records in v->fa_next the first page after va left
// unmapped: where a sequential run faults next.
// base is va's PTE; the others are found from it (same table page).
// => pc.lock held; ip locked (its size is stable).
static void
fault_around(struct vma *v, uint64 va, pte_t *base, struct inode *ip, int nread)
{
  if (cache_faultaround <= 1)
    return;  // fault-around off: only the faulting page is mapped
  uint64 span = (uint64)fa_window(v, va) * PGSIZE;
  uint64 lo = va & ~(span - 1), hi = lo + span;
  if (va + (uint64)nread * PGSIZE > hi)
    hi = va + (uint64)nread * PGSIZE;
  uint64 table_end = (va | (TABLE_SPAN - 1)) + 1;
  if (hi > table_end)
    hi = table_end;
  if (lo < v->start)
    lo = v->start;
  if (hi > v->end)
    hi = v->end;
  uint64 npages = (ip->size + PGSIZE - 1) / PGSIZE;
  uint64 next = va + PGSIZE;  // the first page after va not mapped
  int n = 0;
  for (uint64 a = lo; a < hi; a += PGSIZE) {
    uint64 pgno = vma_pgno(v, a);
    if (a == va || pgno >= npages)
      continue;
    pte_t *pte = base + ((long)(a - va) / PGSIZE);
    if (!(*pte & PTE_V)) {
      struct page *pg = pc_lookup_locked(ip, (uint)pgno);
      if (pg == 0 || (pg->flags & (PG_UPTODATE | PG_IO)) != PG_UPTODATE)
        continue;
      *pte = PA2PTE(page2pa(pg)) | rights(v, 0) | PTE_V;
      pc_mapped_locked(pg);
      n++;
      trace_event(TRACE_FAULTAROUND, ip->inum, pgno);
    }
    if (a == next)
      next += PGSIZE;
  }
  v->fa_next = next;
  __atomic_fetch_add(&kstat_counters.faultaround_pages, n, __ATOMIC_RELAXED);
  if (v->prog)
    kstat_add(exec_mapped, n);
}

// The first touch of a page of a private anonymous area: a zeroed page
// of its own (PG_ANON, one owner, as a copy-on-write copy), mapped with
// the area's rights at once -- writable if the area is: nothing of it is
// ever written back, so there is no dirtiness to track, whatever pc_svade
// says. Every access kind gets its own page; a read fault could map one
// shared page of zeros read-only instead (Linux does), at the cost of a
// second fault and a copy for a page that is read before it is written.
// pte is va's PTE, found empty. => no locks held.
static int
anon_fault(struct vma *v, pte_t *pte)
{
  void *mem = kzalloc();
  if (mem == 0)
    return -ENOMEM;
  page_anon_init(mem);
  kstat_inc(anon_zero_fills);
  int perm = rights(v, 1);
  if (v->prot & PROT_WRITE)
    perm |= PTE_W;
  pc_lock();
  // Only this process fills its own PTEs, so the PTE is still empty; the
  // lock is for the walkers that read it (the convention of vma.h). Were
  // it not, the page found there wins and the access is retried.
  if (*pte & PTE_V)
    pc_unmapped_locked(pa2page((uint64)mem), 0);
  else
    *pte = PA2PTE((uint64)mem) | perm | PTE_V;
  pc_unlock();
  return 0;
}

// A store to a present page the PTE does not let us write: copy-on-write
// in a private area (cow_write, the heap's path too), "now dirty" in a
// shared one under Svade emulation. seen is the PTE as the caller read it
// once, valid; *pte may have been cleared since. => no locks held.
static int
write_present(struct proc *p, struct vma *v, uint64 va, pte_t *pte, pte_t seen)
{
  if (v->flags & MAP_SHARED) {
    pc_lock();
    if (*pte & PTE_V) {
      __atomic_fetch_or(pte, PTE_W | PTE_D | PTE_A, __ATOMIC_SEQ_CST);
      pc_dirtied_locked(pa2page(PTE2PA(*pte)));  // dirty from now: the expiry's start
    }
    pc_unlock();
    sfence_vma();
    return 0;
  }
  return cow_write(pte, seen);
}

static int
cache_fault(struct proc *p, struct vma *v, uint64 va, int access)
{
  int mega = mega_fault(p, v, va, access);  // 2 MiB mappings (megapage.c)
  if (mega != MEGA_PASS)
    return mega;
  pte_t *pte = walk(p->pagetable, va, 1);  // table pages now, not under pc.lock
  if (pte == 0)
    return -ENOMEM;
  pte_t seen = __atomic_load_n(pte, __ATOMIC_RELAXED);  // once: eviction may clear it
  if (seen & PTE_V) {
    if (access != FAULT_WRITE)
      return 0;  // mapped meanwhile (fault-around): retry the access
    return write_present(p, v, va, pte, seen);
  }
  if (v->file == 0)
    return anon_fault(v, pte);
  uint64 pgno = vma_pgno(v, va);
  if (pgno > 0xFFFFFFFFUL)
    return -EFAULT;  // past what the cache's page numbers name, and so
                     // past the end of any file or memory object: the
                     // SIGBUS rule (pc_get checks the object's own end)
  // Dirty pages can be written back to keep the cache under its limit
  // only here, before the inode lock (write-back takes begin_op first).
  pc_enforce_limit();
  struct inode *ip = v->file->ip;
  ilock(ip);
  struct page *pg;
  int nread;
  int err = pc_get_advised(ip, (uint)pgno, v->advice, &pg, &nread);
  if (err) {
    iunlock(ip);
    return err;  // -EFAULT past the end of the file: the process dies
  }
  uint64 pa = page2pa(pg);
  void *mem = 0;
  if (access == FAULT_WRITE && (v->flags & MAP_PRIVATE) && (mem = cow_copy_page(pa)) == 0) {
    pc_put(pg);
    iunlock(ip);
    return -ENOMEM;
  }
  pc_lock();
  if (mem) {
    *pte = PA2PTE((uint64)mem) | rights(v, 0) | PTE_W | PTE_A | PTE_D | PTE_V;
    kstat_inc(cow_copies);
  } else {
    *pte = PA2PTE(pa) | rights(v, access == FAULT_WRITE) | PTE_V;
    pc_mapped_locked(pg);
    if (v->prog)
      kstat_inc(exec_mapped);
    if (access == FAULT_WRITE)
      pc_dirtied_locked(pg);  // the store is about to happen: dirty from now
  }
  if (access != FAULT_WRITE)
    fault_around(v, va, pte, ip, nread);
  pc_put_locked(pg);  // pc_get's reference: a mapping counts in mapcount instead
  pc_unlock();
  iunlock(ip);
  return 0;
}

// Unmaps every present page of [va, va + npages pages) of v: D bits go
// into the cache pages (PG_DIRTY), private pages lose an owner. Nothing
// is written back here.
static void
cache_dontneed(struct proc *p, struct vma *v, uint64 va, uint64 npages)
{
  uint64 end = va + npages * PGSIZE;
  pc_lock();
  mega_clear_locked(p, v, va, end, 1);  // megapages: taken out, or split at the edges
  // Interrupts are off under pc.lock: the walk skips missing page-table
  // pages, so its length follows what is mapped, not the area's size.
  for (uint64 a = va, next; a < end; a = next) {
    pte_t *pte = walk_sparse(p->pagetable, a, &next);
    if (pte == 0 || (*pte & PTE_V) == 0)
      continue;
    uint64 old = __atomic_exchange_n(pte, 0, __ATOMIC_SEQ_CST);
    pc_unmapped_locked(pa2page(PTE2PA(old)), old);
  }
  pc_unlock();
  sfence_vma();
}

static void
cache_release(struct proc *p, struct vma *v, uint64 va, uint64 npages)
{
  cache_dontneed(p, v, va, npages);
  if ((v->flags & MAP_SHARED) && v->was_writable)
    pc_writeback_range(v->file->ip, clip(vma_pgno(v, va)), clip(vma_pgno(v, va) + npages));
}

// fork, in a program area: the child maps the cache page that the
// parent's PTE *ppte maps (text, or data not yet stored to), with the same
// rights -- never W: the area is private -- so that it does not fault for
// its program again. Decided under pc.lock on what the PTE holds then, as
// cow_share does. Returns 1 if it mapped a page. => no locks held.
static int
share_program_page(pte_t *ppte, pte_t *cpte)
{
  int shared = 0;
  pc_lock();
  uint64 cur = *ppte;
  struct page *pg = (cur & PTE_V) ? pa2page(PTE2PA(cur)) : 0;
  if (pg && (pg->flags & PG_CACHE)) {
    KASSERT((*cpte & PTE_V) == 0 && (cur & PTE_W) == 0);
    *cpte = cur & ~(PTE_A | PTE_D);
    pc_mapped_locked(pg);
    kstat_inc(fork_shared_pages);
    kstat_inc(exec_mapped);
    shared = 1;
  }
  pc_unlock();
  return shared;
}

static int
cache_dup(struct proc *parent, struct vma *pv, struct proc *child, struct vma *cv)
{
  if (pv->flags & MAP_SHARED)
    return 0;  // the child faults the shared cache pages in itself
  for (uint64 a = pv->start, next; a < pv->end; a = next) {
    pte_t *ppte = walk_sparse(parent->pagetable, a, &next);
    // A first look without the lock, to skip cache pages cheaply; the
    // decision is taken again under it.
    uint64 seen = ppte ? __atomic_load_n(ppte, __ATOMIC_RELAXED) : 0;
    if ((seen & PTE_V) == 0)
      continue;
    if (!pv->prog)
      knob_dup_pause();  // a test's way to widen the window (knobs.h), in mmap's areas
    int anon = page_is_anon(PTE2PA(seen));
    if (!anon && !pv->prog)
      continue;
    pte_t *cpte = walk(child->pagetable, a, 1);  // may reclaim: not under pc.lock
    if (cpte == 0)
      return -ENOMEM;
    // Eviction on another hart may have cleared the PTE since the look
    // above (it was a cache page then, freed and perhaps reused as some
    // other process's private copy, so page_is_anon said yes): cow_share
    // decides again on what the PTE holds under pc.lock, and so does
    // share_program_page.
    if (!cow_share(ppte, cpte) && pv->prog)
      share_program_page(ppte, cpte);
  }
  sfence_vma();  // the parent's copies are read-only now
  return 0;
}

static int
cache_sync(struct proc *p, struct vma *v, uint64 va, uint64 npages, int flags)
{
  if (!(v->flags & MAP_SHARED) || !v->was_writable)
    return 0;  // nothing of a private or never writable area reaches the file
  if (!(flags & MS_SYNC))
    return 0;  // MS_ASYNC: the write-back process writes them (writeback.c)
  return pc_writeback_range(v->file->ip, clip(vma_pgno(v, va)), clip(vma_pgno(v, va) + npages));
}

// The present pages take v's new rights. R, X and U follow prot at once
// (a page that lacked one would otherwise kill at its next load); W is
// only ever taken away, never given: a store to a page that may now be
// written faults, and the fault gives W as to any first store -- a copy
// in a private area, the dirty mark in a shared one (write_present). D
// stays, so a page stored to before is still written back, whether the
// store's D came from the hardware or from a Svade store fault; the
// area's was_writable keeps release and msync writing it. PROT_NONE
// keeps each page mapped (a private copy has no other home) as an
// inaccessible PTE_PROTNONE leaf.
// No hart but this one runs p, and it is in the kernel: no hardware
// walk sets A or D meanwhile, and walkers are kept out by pc.lock.
static void
cache_protect(struct proc *p, struct vma *v, uint64 va, uint64 npages)
{
  uint64 end = va + npages * PGSIZE;
  uint64 keep = PTE_V | PTE_A | PTE_D | ((v->prot & PROT_WRITE) ? PTE_W : 0);
  pc_lock();
  mega_clear_locked(p, v, va, end, 0);  // megapages split: the rights are per page
  for (uint64 a = va, next; a < end; a = next) {
    pte_t *pte = walk_sparse(p->pagetable, a, &next);
    if (pte == 0 || (*pte & PTE_V) == 0)
      continue;
    pte_t old = *pte;
    __atomic_store_n(pte, PA2PTE(PTE2PA(old)) | (old & keep) | vma_leaf_rights(v->prot),
                     __ATOMIC_SEQ_CST);
  }
  pc_unlock();
  sfence_vma();
}

const struct mmap_policy mmap_cache_policy = {
  .name = "cache",
  .fault = cache_fault,
  .release = cache_release,
  .dup = cache_dup,
  .sync = cache_sync,
  .protect = cache_protect,
  .dontneed = cache_dontneed,
};
