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
//            a copy-on-write copy, so fork and stores treat both alike;
//            a sequential run's fault zero-fills the pages after it in a
//            growing window (anon_window), as fault-around maps cached
//            ones.
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
// Hits take no sleep lock. A fault whose page is cached, up to date and
// not under I/O is mapped under pc.lock alone (map_hit), with its
// fault-around, and so is a store's private copy of a cached page; only
// a miss (a disk read, or a memory object's zero fill) or a page being
// filled or written back takes the inode's sleep lock (the slow path),
// and each such
// acquisition counts in fault_sleeplocks. The knob KNOB_HIT_LOCKLESS = 0
// sends every fault down the slow path, as before this path existed, so
// that one boot can measure both. See DESIGN.md, "The hit path".
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
// Hits mapped without the inode lock (knob KNOB_HIT_LOCKLESS; vma.h).
volatile long cache_hit_lockless = 1;

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
// ip->size is read without the inode lock (the hit path does not hold
// it): a truncation sets the smaller size first and then discards the
// pages past it under pc.lock (pc_truncate), unmapping them wherever they
// are mapped, so a page mapped here past a size being cut goes with the
// rest. => pc.lock held.
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

// The zero-fill window for a first touch at va of a private anonymous
// area, in pages: 1 for a touch anywhere but where the area's last fault
// left off (v->fa_next), else twice the area's last window, up to
// cache_faultaround_max -- the adaptive fault-around of file pages with a
// base of 1, since here every page of a window costs a page of memory
// and its zeroing, not just a PTE: a random touch takes exactly its page,
// and a run earns its window by being a run. MADV_RANDOM keeps 1.
static long
anon_window(struct vma *v, uint64 va)
{
  long win = 1, max = cache_faultaround_max;
  if (v->advice != MADV_RANDOM && v->fa_window >= 1 && va == v->fa_next)
    win = v->fa_window * 2 > max ? max : v->fa_window * 2;
  v->fa_window = (int)win;
  return win;
}

#define ANON_BATCH 16  // zeroed pages allocated before each pass under pc.lock

// The first touch of a page of a private anonymous area: a zeroed page
// of its own (PG_ANON, one owner, as a copy-on-write copy), mapped with
// the area's rights at once -- writable if the area is: nothing of it is
// ever written back, so there is no dirtiness to track, whatever pc_svade
// says. Every access kind gets its own page; a read fault could map one
// shared page of zeros read-only instead (Linux does), at the cost of a
// second fault and a copy for a page that is read before it is written.
// A sequential run gets the empty pages after va in its window
// (anon_window) zeroed and mapped too, within va's page-table page and
// the area, as many as memory gives at once: only the faulting page may
// fail the fault with -ENOMEM. Records in v->fa_next the first page after
// those. Linux does not fill around anonymous faults; it gets the same
// effect for a large run from transparent huge pages, a zeroed 2 MiB page
// at the first touch of an aligned range, and FreeBSD from superpage
// reservations. pte is va's PTE, found empty. => no locks held.
static int
anon_fault(struct vma *v, uint64 va, pte_t *pte)
{
  uint64 end = va + (uint64)anon_window(v, va) * PGSIZE;
  uint64 table_end = (va | (TABLE_SPAN - 1)) + 1;
  if (end > table_end)
    end = table_end;
  if (end > v->end)
    end = v->end;
  int perm = rights(v, 1);
  if (v->prot & PROT_WRITE)
    perm |= PTE_W;
  int filled = 0;
  uint64 a = va;
  while (a < end) {
    void *mem[ANON_BATCH];
    int want = 0;
    for (uint64 b = a; b < end && want < ANON_BATCH; b += PGSIZE)
      if (b == va || !(__atomic_load_n(pte + (b - va) / PGSIZE, __ATOMIC_RELAXED) & PTE_V))
        want++;  // a page mapped before is never filled again
    int n = want ? kzalloc_many(mem, want) : 0;
    if (n == 0 && a == va)
      return -ENOMEM;  // the faulting page itself
    pc_lock();
    // Only this process fills its own PTEs, so those found empty above
    // are empty still; the lock is for the walkers that read them (the
    // convention of vma.h).
    int used = 0;
    for (; a < end && used < n; a += PGSIZE) {
      pte_t *e = pte + (a - va) / PGSIZE;
      if (*e & PTE_V)
        continue;
      struct page *pg = pa2page((uint64)mem[used]);
      pg->flags = PG_ANON;
      pg->ref = 1;
      *e = PA2PTE((uint64)mem[used++]) | perm | PTE_V;
    }
    while (a < end && (*(pte + (a - va) / PGSIZE) & PTE_V))
      a += PGSIZE;  // the mapped pages after the batch's last
    pc_unlock();
    for (int i = used; i < n; i++)
      kfree(mem[i]);  // not reached while only this process fills its PTEs
    filled += used;
    if (used < ANON_BATCH)
      break;  // memory ran short, or the window is done
  }
  v->fa_next = a;
  kstat_add(anon_zero_fills, filled);
  if (filled > 1)
    kstat_add(anon_around_pages, filled - 1);
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

// Maps cache page pg at va (pte, found empty) with v's rights: a store
// makes it dirty at once (pc_dirtied_locked), a read maps the neighbours
// too (fault_around). nread: pages the fault has just read from va on.
// => pc.lock held.
static void
map_cache_page(struct vma *v, uint64 va, pte_t *pte, struct inode *ip, struct page *pg,
               int access, int nread)
{
  *pte = PA2PTE(page2pa(pg)) | rights(v, access == FAULT_WRITE) | PTE_V;
  pc_mapped_locked(pg);
  if (v->prog)
    kstat_inc(exec_mapped);
  if (access == FAULT_WRITE)
    pc_dirtied_locked(pg);  // the store is about to happen: dirty from now
  else
    fault_around(v, va, pte, ip, nread);
}

// Maps at va, in place of the empty PTE pte, what a fault on cache page
// pg asks for: a private copy of it when copy (a store to a private area:
// copy is a PG_ANON page of one owner, allocated beforehand since no page
// can be allocated under pc.lock), else pg itself (map_cache_page).
// => pc.lock held; pg's contents stable enough (see map_hit).
static void
map_fault(struct vma *v, uint64 va, pte_t *pte, struct inode *ip, struct page *pg,
          int access, int nread, void *copy)
{
  if (copy) {
    memmove(copy, (void *)page2pa(pg), PGSIZE);
    *pte = PA2PTE((uint64)copy) | rights(v, 0) | PTE_W | PTE_A | PTE_D | PTE_V;
    kstat_inc(cow_copies);
  } else {
    map_cache_page(v, va, pte, ip, pg, access, nread);
  }
}

// The hit path: if page pgno of ip is cached, up to date, not under I/O
// and inside the file, maps it (or copies it into copy) under pc.lock
// alone and returns 1; else 0, and the caller takes the slow path.
// Everything that could change the page's fate takes pc.lock too:
// eviction and truncation unmap through the reverse map under it, and a
// fill or a write-back sets PG_IO under it before it starts -- so the
// page found here stays what it was found to be until its PTE is in, and
// whoever comes next finds that PTE in the reverse map. A page under I/O
// is left to the slow path, which waits for it on the inode lock, as
// Linux's filemap_map_pages leaves a locked folio to the full fault.
// A copy is taken under pc.lock too; write() puts its bytes into a page
// under the inode lock only, so a write() of the page racing with the
// first store to a private mapping of it may reach the copy in part (each
// byte old or new) -- a private mapping is not promised to see, or not
// see, a later change to its file (POSIX leaves it unspecified).
// => no locks held.
static int
map_hit(struct vma *v, uint64 va, pte_t *pte, struct inode *ip, uint pgno, int access,
        void *copy)
{
  pc_lock();
  struct page *pg = pc_lookup_locked(ip, pgno);
  if (pg == 0 || (pg->flags & (PG_UPTODATE | PG_IO)) != PG_UPTODATE ||
      (uint64)pgno * PGSIZE >= ip->size) {
    pc_unlock();
    return 0;  // a miss, I/O under way, or past the end (the slow path kills)
  }
  pc_hit_locked(pg);
  map_fault(v, va, pte, ip, pg, access, 0, copy);
  pc_unlock();
  return 1;
}

// Gives back a copy page that was not used. => no locks held.
static void
drop_copy(void *copy)
{
  if (copy == 0)
    return;
  pc_lock();
  page_anon_put((uint64)copy);
  pc_unlock();
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
    return anon_fault(v, va, pte);
  uint64 pgno = vma_pgno(v, va);
  if (pgno > 0xFFFFFFFFUL)
    return -EFAULT;  // past what the cache's page numbers name, and so
                     // past the end of any file or memory object: the
                     // SIGBUS rule (pc_get checks the object's own end)
  // A cache over its limit is brought back under it first, writing
  // dirty pages back if need be (only here, before the inode lock:
  // write-back takes begin_op first). It is reclaim's work, done for any
  // fault, hit or miss, while the limit knob is exceeded -- a store that
  // hits makes a page dirty, and only dirty pages' write-back can make
  // room then; under the limit it is one comparison.
  pc_enforce_limit();
  struct inode *ip = v->file->ip;
  void *copy = 0;  // a store to a private area gets a copy of the page
  if (access == FAULT_WRITE && (v->flags & MAP_PRIVATE)) {
    if ((copy = kalloc()) == 0)
      return -ENOMEM;
    page_anon_init(copy);
  }
  if (cache_hit_lockless && map_hit(v, va, pte, ip, (uint)pgno, access, copy))
    return 0;

  // The slow path.
  kstat_inc(fault_sleeplocks);
  ilock(ip);
  struct page *pg;
  int nread;
  int err = pc_get_advised(ip, (uint)pgno, v->advice, &pg, &nread);
  if (err) {
    iunlock(ip);
    drop_copy(copy);
    return err;  // -EFAULT past the end of the file: the process dies
  }
  pc_lock();
  map_fault(v, va, pte, ip, pg, access, nread, copy);
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
