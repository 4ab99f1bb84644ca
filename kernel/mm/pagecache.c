// pagecache.c -- the shared per-inode page cache.
//
// Contract. A file page (inode, page number) is read from the disk at
// most once while it stays cached; read(), the mappings of the
// cache policy (mmap_cache.c) and write-back all use that one physical
// page. write() goes through the log as before and then copies the new
// bytes into a cached page (pc_update), so read(), write() and every
// mapping see one another's data at once. A miss reads the file's blocks
// straight from the disk into the page (no copy through the buffer
// cache), batching the pages after it (read-ahead) into as few disk
// requests as the block layout allows.
//
// Page states (struct page in page.h):
//   free        on the allocator's list, or a private anonymous page
//   filling     in the cache, PG_IO, not PG_UPTODATE; its filler holds
//               the inode lock (and a reference to the page that missed;
//               PG_IO keeps the read-ahead pages from the clock)
//   clean       PG_UPTODATE; mapped by 0..n PTEs, any of which may have
//               its D bit set by a store (then the page is really dirty:
//               write-back and eviction collect D bits first)
//   dirty       PG_DIRTY: D bits were collected (or a store fault marked
//               it), the disk is older; pg->dirtied says since when
//   writeback   PG_IO while its bytes are copied into the log, under the
//               inode lock; D bits cleared just before, so a store during
//               write-back makes the page dirty again
//   filling -> clean -> (store) -> clean with D set -> dirty -> writeback
//   -> clean; clean, unmapped and unreferenced -> free (eviction, drop,
//   truncate, inode slot reuse).
//
// Memory inodes (shared anonymous memory, shmem.c) have pages of the same
// kind with three differences (PG_MEM): a miss makes a zeroed page,
// up to date at once (zero_fill: no disk, no read-ahead); there is nowhere
// to write them, so write-back skips their inode and they never leave
// clean -- D bits only mark them PG_DIRTY, which nothing reads; and they
// are never on the clock, so that reclaim, the drop knob and the cache
// limit, which work from the clock, cannot evict them or spin on them.
// They leave the cache with their inode's last reference (pc_forget).
// pc.npages counts the other pages only (less running programs', below:
// the pc_pages gauge and the cache limit); pc.nmem (shmem_pages) these.
//
// Running programs. While some process runs a file mapped from the cache
// (exec'd it, and has not exited or exec'd again: ip->running > 0,
// pc_exec_pin/pc_exec_end) the cached pages of its segments
// (ip->pin_lo..pin_hi) stay:
// the clock, the drop knob and the cache limit pass them by, and they are
// counted in pc.nprog (the exec_pages gauge) instead of pc_pages and the
// limit. So a program's text, once faulted in, is never read again while
// it runs, as when exec copied it into private memory -- a process that
// has grown its heap until memory ran out does not lose the page it is
// executing to reclaim and then die for want of a page to fault it back
// in -- and tests that count pages and faults see none come and go with
// the test program's own text. The rest of the file (its headers, the
// symbol table) is cached as any file's: a read() of a running program's
// whole file keeps nothing beyond its segments.
//
// The reverse map (from a page to the PTEs mapping it) and TLB shootdown
// are in rmap.c; page descriptors and private anonymous pages in page.c.
//
// Dirty since when. The background write-back process (writeback.c)
// writes a page once it has been dirty for the expiry time, so each
// PG_DIRTY page carries the tick it became dirty, or an earlier one
// (pg->dirtied; earlier only makes it written sooner). It is set where
// PG_DIRTY is (mark_dirty): by a store fault on a shared page (the cache
// policy marks the page at once, in both dirty-tracking modes: the store
// is about to happen), when an unmap or a kernel copy finds D set (now),
// and when the write-back process's harvest (pc_wb_scan) finds a D bit set
// on a page that was clean: a store through a writable PTE sets D without
// telling anyone (hardware D bits, svade 0; under svade 1 the D of a page
// first mapped by a read fault is only ever set by a store fault, which
// marks it), so the harvest stamps it with the start of the previous
// pass, which had seen the page clean (or it had not been mapped then):
// the store came after it. pc.ndirty counts PG_DIRTY pages of files (the
// pc_dirty_pages gauge; memory inodes' pages are never written, so they do
// not count) for the background threshold and the throttling of writers.
//
// Write-back order (pc_writeback_range), so that no store is lost on
// any number of harts: (1) clear the D bit of every PTE mapping the page
// (atomically: the hardware may be setting A or D at the same moment),
// (2) fence every hart that may cache the old PTE (rmap_shootdown() in
// rmap.c: a local sfence.vma, or the SBI's remote fence for a hart running
// that process), (3) record the page as dirty/under write-back, (4) copy it
// into the log. A store before (2) completes is in the copy; a store
// after it walks the page table again and sets D again.
//
// Lock legend: [pc] pc.lock, a spinlock; [s] the inode's sleep lock.
// Lock order: kernel/lib/lockrank.h; here pc.lock is taken under
// icache.lock and takes only kmem.lock and printf's.
// pc.lock guards the cache's lists, every page descriptor (page.c) and
// the reverse map (rmap.c), and is held while leaf PTEs of cache-policy
// areas change, by the owner (fault, release) and by reverse-map walkers
// alike; the other files take it through pc_lock/pc_unlock. It is never
// held across I/O, and nothing under it takes icache.lock or sleeps.
// Page contents change only under the inode's sleep lock (fill,
// write-back copy, pc_update, truncate) -- or by a store through a
// mapping, which nothing locks.
#include "kernel/types.h"
#include "kernel/param.h"
#include "kernel/memlayout.h"
#include "kernel/riscv.h"
#include "kernel/errno.h"
#include "kernel/fcntl.h"
#include "kernel/knobs.h"
#include "kernel/lib/spinlock.h"
#include "kernel/lib/sleeplock.h"
#include "kernel/lib/printf.h"
#include "kernel/lib/string.h"
#include "kernel/mm/kalloc.h"
#include "kernel/proc/proc.h"
#include "kernel/mm/vm.h"
#include "kernel/fs/buf.h"
#include "kernel/dev/disk.h"
#include "kernel/fs/log.h"
#include "kernel/fs/inode.h"
#include "kernel/fs/file.h"
#include "kernel/mm/vma.h"
#include "kernel/mm/page.h"
#include "kernel/mm/rmap.h"
#include "kernel/mm/pagecache.h"
#include "kernel/mm/megapage.h"
#include "kernel/mm/kstats_impl.h"
#include "kernel/mm/trace_impl.h"
#include "kernel/arch/trap.h"

#define NHASH 4096                      // hash buckets, a power of two
#define BLOCKS_PER_PAGE (PGSIZE / BSIZE)
// The most pages one write-back transaction carries: a page whose blocks
// exist dirties its BLOCKS_PER_PAGE data blocks and nothing else (no size
// change), and a write-back operation asks the log for all of it
// (begin_op_big), getting what is free of it (at least MAXOPBLOCKS, four
// pages). A page with holes costs more; see "Write-back and holes".
#define WB_BATCH_MAX (LOGBLOCKS / BLOCKS_PER_PAGE)
#define RA_FIRST 4                      // first read-ahead window (pages)
#define RECLAIM_SLACK 8   // pages freed beyond the limit, so not every fault reclaims

volatile long pc_readahead_max = READAHEAD_DEFAULT;
volatile long pc_svade;
volatile long pc_limit;

static struct {
  struct spinlock lock;
  struct page *hash[NHASH];  // [pc]
  struct page *hand;         // [pc] the clock hand (a page on the ring), or 0
  int npages;                // [pc] pages in the cache but memory inodes' (on the clock)
  int nmem;                  // [pc] pages of memory inodes (PG_MEM, off the clock)
  int nprog;                 // [pc] of npages, those of running programs' files
  int ndirty;                // [pc] PG_DIRTY pages of files (not PG_MEM)
} pc;

// Is pg a page of a running program's segments, which stays (see the
// top)? => pc.lock held.
static int
pinned(struct page *pg)
{
  struct inode *ip = pg->ip;
  return ip->running && pg->pgno >= ip->pin_lo && pg->pgno < ip->pin_hi;
}

static int
count_pinned(struct inode *ip)
{
  int n = 0;
  for (struct page *pg = ip->pages; pg; pg = pg->inext)
    n += pinned(pg);
  return n;
}

// Pages the cache limit and the pc_pages gauge count: not running
// programs'. => pc.lock held (or a racy hint).
static int
limited_pages(void)
{
  return pc.npages - pc.nprog;
}

// The gauges after npages or nprog changed. => pc.lock held.
static void
publish_counts(void)
{
  __atomic_store_n(&kstat_counters.pc_pages, limited_pages(), __ATOMIC_RELAXED);
  __atomic_store_n(&kstat_counters.exec_pages, pc.nprog, __ATOMIC_RELAXED);
}

void
pcinit(void)
{
  initlock(&pc.lock, "pagecache", LR_PAGECACHE);
}

static uint
hashof(struct inode *ip, uint pgno)
{
  uint64 h = ((uint64)ip >> 6) * 0x9E3779B1u + pgno;
  return (uint)(h ^ (h >> 16)) & (NHASH - 1);
}

// ---- dirty pages: the flag, its time and the count (=> pc.lock held) ----

static void
set_ndirty(int n)
{
  pc.ndirty = n;
  __atomic_store_n(&kstat_counters.pc_dirty_pages, n, __ATOMIC_RELAXED);
}

// pg is newer than the disk, and was since tick `since` at the latest.
static void
mark_dirty(struct page *pg, uint since)
{
  if (pg->flags & PG_DIRTY)
    return;  // dirty already: the older time stands
  pg->flags |= PG_DIRTY;
  pg->dirtied = since;
  if (!(pg->flags & PG_MEM))
    set_ndirty(pc.ndirty + 1);
}

// pg leaves PG_DIRTY (written back, or going under write-back).
static void
clear_dirty(struct page *pg)
{
  if (!(pg->flags & PG_DIRTY))
    return;
  pg->flags &= ~PG_DIRTY;
  if (!(pg->flags & PG_MEM))
    set_ndirty(pc.ndirty - 1);
}

void
pc_dirtied_locked(struct page *pg)
{
  KASSERT(holding(&pc.lock));
  if (pg->flags & PG_CACHE)
    mark_dirty(pg, ticks);
}

int
pc_dirty_pages(void)
{
  return __atomic_load_n(&pc.ndirty, __ATOMIC_RELAXED);
}

// ---- the cache's own lists (=> pc.lock held) ----

static struct page *
lookup(struct inode *ip, uint pgno)
{
  for (struct page *pg = pc.hash[hashof(ip, pgno)]; pg; pg = pg->hnext)
    if (pg->ip == ip && pg->pgno == pgno)
      return pg;
  return 0;
}

// Puts pg into the cache as page pgno of ip: filling, or for a memory
// inode up to date (its contents are the caller's zeros) and off the clock.
static void
insert(struct page *pg, struct inode *ip, uint pgno)
{
  pg->flags = PG_CACHE | PG_IO | PG_REFD;
  pg->ip = ip;
  pg->pgno = pgno;
  pg->mapcount = 0;
  uint h = hashof(ip, pgno);
  pg->hnext = pc.hash[h];
  pc.hash[h] = pg;
  pg->iprev = 0;
  pg->inext = ip->pages;
  if (ip->pages)
    ip->pages->iprev = pg;
  ip->pages = pg;
  if (inode_is_mem(ip)) {
    pg->flags = PG_CACHE | PG_UPTODATE | PG_MEM;
    pg->cnext = pg->cprev = 0;
    pc.nmem++;
    __atomic_store_n(&kstat_counters.shmem_pages, pc.nmem, __ATOMIC_RELAXED);
    return;
  }
  if (pc.hand == 0) {
    pg->cnext = pg->cprev = pg;
    pc.hand = pg;
  } else {  // just behind the hand: the last to be considered
    pg->cnext = pc.hand;
    pg->cprev = pc.hand->cprev;
    pg->cprev->cnext = pg;
    pc.hand->cprev = pg;
  }
  pc.npages++;
  if (pinned(pg))
    pc.nprog++;
  publish_counts();
}

// Takes pg out of the cache's lists (hash, inode, clock). => pc.lock held.
static void
unlink_page(struct page *pg)
{
  KASSERT(pg->flags & PG_CACHE);
  clear_dirty(pg);  // gone without write-back (truncated, or a failed one dropped)
  struct page **pp = &pc.hash[hashof(pg->ip, pg->pgno)];
  while (*pp != pg)
    pp = &(*pp)->hnext;
  *pp = pg->hnext;
  if (pg->iprev)
    pg->iprev->inext = pg->inext;
  else
    pg->ip->pages = pg->inext;
  if (pg->inext)
    pg->inext->iprev = pg->iprev;
  if (pg->flags & PG_MEM) {
    pc.nmem--;
    __atomic_store_n(&kstat_counters.shmem_pages, pc.nmem, __ATOMIC_RELAXED);
  } else {
    if (pg->cnext == pg) {
      pc.hand = 0;
    } else {
      pg->cprev->cnext = pg->cnext;
      pg->cnext->cprev = pg->cprev;
      if (pc.hand == pg)
        pc.hand = pg->cnext;
    }
    pc.npages--;
    if (pinned(pg))
      pc.nprog--;
    publish_counts();
  }
  pg->flags = 0;
  pg->ip = 0;
}

// Takes pg out of the cache and frees its memory. => pc.lock held;
// unmapped and unreferenced.
static void
remove_free(struct page *pg)
{
  KASSERT(pg->mapcount == 0 && pg->ref == 0);
  unlink_page(pg);
  kfree((void *)page2pa(pg));
}

// ---- dirtiness from the page tables ----

// Moves D bits of pg's mappings into PG_DIRTY, dirty since `since` (and,
// when dirtiness is tracked by store faults, takes W away again).
// => pc.lock held.
static void
collect_dirty(struct page *pg, uint since)
{
  if (pg->mapcount == 0)
    return;
  uint64 bits = pc_svade ? (PTE_D | PTE_W) : PTE_D;
  if (rmap_clear(pg, bits) & PTE_D)
    mark_dirty(pg, since);
}

// ---- allocating cache pages ----

// A page for the cache, respecting pc_limit. => nothing but maybe the
// inode lock held.
static void *
alloc_page(void)
{
  if (pc_limit > 0 && limited_pages() >= pc_limit)
    pc_reclaim(limited_pages() - pc_limit + 1, 0);
  return kalloc();
}

// ---- filling pages from the disk ----

// The requests of one fill: a disk batch (disk.h) and its room, kept in a
// scratch page (kernel stacks are one page). Each request is a run of
// consecutive disk blocks; its segments are the runs of those blocks that
// are also consecutive in memory (the blocks of one page).
#define FILL_MAP_PAGES 16  // pages whose block numbers are looked up at once
#define FILL_REQS 24
#define FILL_SEGS 128
struct fill {
  struct disk_batch batch;
  struct disk_req req[FILL_REQS];
  struct disk_seg seg[FILL_SEGS];
};
_Static_assert(sizeof(struct fill) <= PGSIZE, "fill state fits a page");

// Reads pages pg[0..n) of ip (file pages first..first+n-1) from the
// disk; blocks the buffer cache holds (a write() not yet installed, say)
// are copied from there, holes and bytes past the end of the file are
// zeros. => ip locked; the pages are filling. 0, -ENOMEM or -EIO (a data
// block or a block-map table could not be read; the caller drops the
// pages).
static int
fill_pages(struct inode *ip, uint first, struct page **pg, int n)
{
  struct fill *f = kalloc();
  if (f == 0)
    return -ENOMEM;
  disk_batch_init(&f->batch, 0, f->req, FILL_REQS, f->seg, FILL_SEGS);
  uint bnos[FILL_MAP_PAGES * BLOCKS_PER_PAGE];
  int err = 0;
  for (int i = 0; i < n; i++) {
    // The block numbers of the next pages at once.
    if (i % FILL_MAP_PAGES == 0 &&
        (err = bmap_lookup_run(ip, (first + i) * BLOCKS_PER_PAGE,
                               sizeof(bnos) / sizeof(bnos[0]), bnos)) < 0)
      break;  // still wait for what is in flight
    char *mem = (char *)page2pa(pg[i]);
    uint64 off = (uint64)(first + i) * PGSIZE;
    for (int b = 0; b < BLOCKS_PER_PAGE; b++, off += BSIZE) {
      char *dst = mem + b * BSIZE;
      uint bno = off < ip->size ? bnos[(i % FILL_MAP_PAGES) * BLOCKS_PER_PAGE + b] : 0;
      if (bno == 0)
        memset(dst, 0, BSIZE);
      else if (!bcache_copy(ip->dev, bno, dst))
        disk_batch_add(&f->batch, bno, dst, 1);
    }
  }
  int io_err = disk_batch_wait(&f->batch);
  if (err == 0)
    err = io_err;
  kfree(f);
  // The tail of the last page past the end of the file reads as zeros.
  for (int i = 0; i < n; i++) {
    uint64 base = (uint64)(first + i) * PGSIZE;
    if (base + PGSIZE > ip->size && base < ip->size)
      memset((char *)page2pa(pg[i]) + (ip->size - base), 0, base + PGSIZE - ip->size);
  }
  return err;
}

// ---- lookups ----

// How many pages to read on a miss at pgno. With advice MADV_NORMAL the
// window doubles while misses follow one another (up to pc_readahead_max)
// and falls back to one page on a miss anywhere else, so random access
// reads no more than it touches. An area's advice overrides the guess:
// MADV_RANDOM reads the page alone, MADV_SEQUENTIAL the largest window
// (WINDOW_MAX, whatever the knob: the knob bounds the guess, not what a
// program asks for); MADV_WILLNEED (the prefetcher, prefetch.c) reads
// WINDOW_MAX as well. RANDOM and WILLNEED leave the inode's run alone:
// they are not part of anyone's sequence, and another reader of the
// same file keeps its window. => ip locked (the window lives in the inode).
static uint
readahead_window(struct inode *ip, uint pgno, int advice)
{
  if (advice == MADV_RANDOM)
    return 1;
  if (advice == MADV_WILLNEED)
    return WINDOW_MAX;
  long max = advice == MADV_SEQUENTIAL ? WINDOW_MAX : pc_readahead_max;
  if (max > WINDOW_MAX)
    max = WINDOW_MAX;
  uint win = 1;
  if (advice == MADV_SEQUENTIAL) {
    win = max;
  } else if (max > 1 && (pgno == ip->ra_next || pgno == 0)) {
    win = (pgno == ip->ra_next && ip->ra_win >= RA_FIRST) ? ip->ra_win * 2 : RA_FIRST;
    if (win > max)
      win = max;
  }
  ip->ra_win = win;
  ip->ra_next = pgno + win;
  return win;
}

// Puts pages pgno.. (up to win of them, stopping at the end of the file
// or at a page already cached) into the cache as filling, the first
// referenced. Returns how many, 0 if not even the first could be had.
// => ip locked.
static int
start_fill(struct inode *ip, uint pgno, uint win, struct page **pg)
{
  uint last = (ip->size + PGSIZE - 1) / PGSIZE;  // first page past EOF
  int n = 0;
  for (uint i = pgno; i < pgno + win && i < last; i++) {
    void *mem = alloc_page();
    if (mem == 0)
      break;
    acquire(&pc.lock);
    if (lookup(ip, i) != 0) {  // read-ahead stops at cached pages
      release(&pc.lock);
      kfree(mem);
      break;
    }
    struct page *p = pa2page((uint64)mem);
    insert(p, ip, i);
    p->ref = (i == pgno);
    release(&pc.lock);
    pg[n++] = p;
  }
  return n;
}

// The filled pages become up to date (or leave the cache after an
// error), and the fill's waiters may go on.
static void
end_fill(struct page **pg, int n, int err)
{
  acquire(&pc.lock);
  for (int i = 0; i < n; i++) {
    pg[i]->flags &= ~PG_IO;
    if (err == 0) {
      pg[i]->flags |= PG_UPTODATE;
    } else {
      pg[i]->ref = 0;
      remove_free(pg[i]);
    }
  }
  release(&pc.lock);
}

// A miss in a memory inode: a zeroed page, up to date at once and off
// the clock (insert). Outside the cache limit, which is about pages that
// can be evicted. => ip locked (so no one else fills this page).
static int
zero_fill(struct inode *ip, uint pgno, struct page **out)
{
  void *mem = kzalloc();
  if (mem == 0)
    return -ENOMEM;
  struct page *pg = pa2page((uint64)mem);
  acquire(&pc.lock);
  insert(pg, ip, pgno);
  pg->ref = 1;
  release(&pc.lock);
  kstat_inc(anon_zero_fills);
  *out = pg;
  return 0;
}

// ---- large folios ----

// The second and later steps of a sequential run of misses (or a miss in
// a MADV_SEQUENTIAL area) read the whole 2 MiB-aligned range (MEGA_PAGES
// pages) around the miss, if it lies inside the file, into one whole
// frame (kalloc_frame): a large folio, which a mapping may then map with
// one megapage PTE (megapage.c). Its pages are cache pages like any
// other -- each hashed, on the clock, evicted, dirtied and written back
// on its own -- that happen to sit in order in one frame; a page evicted
// and read again may land elsewhere, and the range is then mapped with
// 4 KiB PTEs. Why at a miss and not by copying pages cached one by one
// into a frame later (Linux's khugepaged): a scan that reads a file once
// makes the folio at no extra cost. Why not at a run's first miss: a
// first miss is also where a stride or a random pattern begins, and
// reading 2 MiB for it made a cold stride of 32 pages map 31 times the
// pages it did with single pages, and cost 5 times the modelled time;
// the run's second step (the miss where the first window ended) is the
// proof Linux's read-ahead waits for too before it grows its folios. By
// then the run's first window is cached in single pages at the range's
// start: that prefix is moved into the frame (unmapped everywhere,
// copied, its dirtiness carried), so a file read from its start is
// folios from its first byte. Any other page of the range already cached,
// or a prefix page in use (under I/O, held by a kernel copy), leaves the
// range to single pages.
// Returns MEGA_PASS when no folio was made (the caller reads pages as
// before), else 0 with *out referenced and *nread pages read from pgno
// on, or the fill's error. pg is the caller's room for WINDOW_MAX page
// pointers. => ip locked.
#define FOLIO_RESERVE 1024  // free pages a large folio must leave (4 MiB)

// Is the range [first, first + MEGA_PAGES) cached in exactly [first,
// pgno), every one of those pages up to date, idle and unreferenced?
// => pc.lock held.
static int
prefix_only(struct inode *ip, uint first, uint pgno)
{
  for (uint i = first; i < first + MEGA_PAGES; i++) {
    struct page *pg = lookup(ip, i);
    if (i >= pgno ? pg != 0
                  : (pg == 0 || (pg->flags & (PG_UPTODATE | PG_IO)) != PG_UPTODATE || pg->ref))
      return 0;
  }
  return 1;
}

// Moves the cached pages [first, pgno) of ip into the frame at base (its
// first pgno - first pages): each is unmapped everywhere, copied, and
// replaced in the cache by its copy, dirty as it was. => pc.lock held;
// prefix_only said yes.
static void
move_prefix(struct inode *ip, uint first, uint pgno, struct page *base)
{
  for (uint i = first; i < pgno; i++) {
    struct page *old = lookup(ip, i), *pg = base + (i - first);
    rmap_unmap(old);  // D bits into PG_DIRTY; no store reaches it after this
    int dirty = (old->flags & PG_DIRTY) != 0;
    uint since = old->dirtied;
    memmove((void *)page2pa(pg), (void *)page2pa(old), PGSIZE);
    remove_free(old);
    insert(pg, ip, i);
    pg->flags = (pg->flags & ~PG_IO) | PG_UPTODATE;
    pg->ref = 0;
    if (dirty)
      mark_dirty(pg, since);
  }
}

static int
fill_folio(struct inode *ip, uint pgno, struct page **pg, struct page **out, int *nread)
{
  uint first = pgno & ~(uint)(MEGA_PAGES - 1);
  if (mega_mode == MEGA_OFF || inode_is_mem(ip) ||
      (uint64)first * PGSIZE + MEGA_SIZE > ip->size)
    return MEGA_PASS;
  acquire(&pc.lock);
  int ok = prefix_only(ip, first, pgno);
  int room = pc_limit == 0 || limited_pages() + MEGA_PAGES <= pc_limit;
  release(&pc.lock);
  if (!ok)
    return MEGA_PASS;
  void *mem = room ? kalloc_frame(FOLIO_RESERVE) : 0;
  if (mem == 0) {
    kstat_inc(folio_fallbacks);
    return MEGA_PASS;
  }
  // No one else puts pages of ip into the cache: every fill holds ip's
  // lock, as this one does, so [pgno, ...) is still empty; but the prefix
  // may have been taken up meanwhile (a kernel copy's reference), so it
  // is looked at again with the move under the same hold of pc.lock.
  struct page *base = pa2page((uint64)mem);
  acquire(&pc.lock);
  if (!prefix_only(ip, first, pgno)) {
    release(&pc.lock);
    for (uint i = 0; i < MEGA_PAGES; i++)
      kfree((char *)mem + (uint64)i * PGSIZE);
    return MEGA_PASS;
  }
  move_prefix(ip, first, pgno, base);
  for (uint i = pgno - first; i < MEGA_PAGES; i++) {
    insert(base + i, ip, first + i);
    base[i].ref = (first + i == pgno);
  }
  release(&pc.lock);
  int err = 0;
  uint from = pgno - first;
  for (uint c = from; c < MEGA_PAGES && err == 0; c += WINDOW_MAX) {
    int n = MEGA_PAGES - c < WINDOW_MAX ? MEGA_PAGES - c : WINDOW_MAX;
    for (int i = 0; i < n; i++)
      pg[i] = base + c + i;
    err = fill_pages(ip, first + c, pg, n);
  }
  for (uint c = from; c < MEGA_PAGES; c += WINDOW_MAX) {
    int n = MEGA_PAGES - c < WINDOW_MAX ? MEGA_PAGES - c : WINDOW_MAX;
    for (int i = 0; i < n; i++)
      pg[i] = base + c + i;
    end_fill(pg, n, err);
  }
  if (err)
    return err;  // the read pages are gone again; the moved prefix stays
  kstat_inc(folio_allocs);
  ip->ra_next = first + MEGA_PAGES;  // the run goes on after the folio
  *nread = first + MEGA_PAGES - pgno;
  __atomic_fetch_add(&kstat_counters.readahead_pages, first + MEGA_PAGES - pgno - 1,
                     __ATOMIC_RELAXED);
  *out = base + (pgno - first);
  return 0;
}

int
pc_get(struct inode *ip, uint pgno, struct page **out, int *nread)
{
  return pc_get_advised(ip, pgno, MADV_NORMAL, out, nread);
}

int
pc_get_advised(struct inode *ip, uint pgno, int advice, struct page **out, int *nread)
{
  KASSERT(holdingsleep(&ip->lock));
  *nread = 0;
  if ((uint64)pgno * PGSIZE >= ip->size)
    return -EFAULT;
  acquire(&pc.lock);
  struct page *p = lookup(ip, pgno);
  if (p) {
    KASSERT(p->flags & PG_UPTODATE);  // fills finish under the inode lock
    p->ref++;
    p->flags |= PG_REFD;
    release(&pc.lock);
    kstat_inc(pc_hits);
    *out = p;
    return 0;
  }
  release(&pc.lock);
  if (inode_is_mem(ip))
    return zero_fill(ip, pgno, out);
  kstat_inc(pc_misses);

  struct page *pg[WINDOW_MAX];
  uint next = ip->ra_next, prev_win = ip->ra_win;
  uint win = readahead_window(ip, pgno, advice);
  // A run's second step or later, or an area that says it reads in
  // order: a large folio if it can be ("Large folios", above).
  int run = advice == MADV_SEQUENTIAL ||
            (advice == MADV_NORMAL && pgno == next && prev_win >= RA_FIRST);
  if (run) {
    int err = fill_folio(ip, pgno, pg, out, nread);
    if (err != MEGA_PASS)
      return err;
    // Single pages: the window stops where the next 2 MiB range begins,
    // so that the run's next miss is that range's first page and may
    // make it a folio (a window spilling into it would leave it partly
    // cached).
    uint edge = (pgno | (MEGA_PAGES - 1)) + 1;
    if (mega_mode != MEGA_OFF && pgno + win > edge) {
      win = edge - pgno;
      ip->ra_next = edge;
    }
  }
  int n = start_fill(ip, pgno, win, pg);
  if (n == 0)
    return -ENOMEM;
  *nread = n;
  int err = fill_pages(ip, pgno, pg, n);
  end_fill(pg, n, err);
  if (err)
    return err;
  __atomic_fetch_add(&kstat_counters.readahead_pages, n - 1, __ATOMIC_RELAXED);
  for (int i = 1; i < n; i++)
    trace_event(TRACE_READAHEAD, ip->inum, pgno + i);
  *out = pg[0];
  return 0;
}

int
pc_resident(struct inode *ip, uint pgno)
{
  acquire(&pc.lock);
  struct page *pg = lookup(ip, pgno);
  int in = pg != 0 && (pg->flags & PG_UPTODATE);
  release(&pc.lock);
  return in;
}

void
pc_put_locked(struct page *pg)
{
  KASSERT(holding(&pc.lock) && pg->ref > 0);
  if (--pg->ref == 0 && pg->flags == PG_ORPHAN) {
    pg->flags = 0;
    kfree((void *)page2pa(pg));
  }
}

void
pc_put(struct page *pg)
{
  acquire(&pc.lock);
  pc_put_locked(pg);
  release(&pc.lock);
}

int
pc_hold_user(pte_t *pte, uint64 mapped, uint64 pa, struct page **held)
{
  *held = 0;
  acquire(&pc.lock);
  pte_t e = *pte;
  if ((e & PTE_V) == 0 || PTE2PA(e) != mapped) {
    release(&pc.lock);
    return -1;  // unmapped since it was looked up: look again
  }
  struct page *pg = pa2page(pa);
  if (pg->flags & PG_CACHE) {
    pg->ref++;
    *held = pg;
  }
  release(&pc.lock);
  return 0;
}

void
pc_release_user(struct page *pg, pte_t *pte, int wrote)
{
  acquire(&pc.lock);
  // Set D after the bytes are in, as a store's translation would: a
  // write-back that cleared D before the copy sees it set again and
  // writes the page once more; none can clear it after and miss them.
  if (wrote && (*pte & PTE_V) && PTE2PA(*pte) == page2pa(pg))
    __atomic_fetch_or(pte, PTE_A | PTE_D, __ATOMIC_SEQ_CST);
  else if (wrote && (pg->flags & PG_CACHE))
    mark_dirty(pg, ticks);  // unmapped meanwhile: the bytes still count
  release(&pc.lock);
  pc_put(pg);
}

int
pc_read(struct inode *ip, int user, uint64 dst, uint off, uint n)
{
  if (off >= ip->size || off + n < off)
    return 0;
  if (off + n > ip->size)
    n = ip->size - off;
  uint done = 0;
  while (done < n) {
    struct page *pg;
    int nread;
    int err = pc_get(ip, off / PGSIZE, &pg, &nread);
    if (err)
      return done ? (int)done : err;
    uint m = PGSIZE - off % PGSIZE;
    if (m > n - done)
      m = n - done;
    err = either_copyout(user, dst, (char *)page2pa(pg) + off % PGSIZE, m);
    pc_put(pg);
    if (err < 0)
      return done ? (int)done : -EFAULT;
    done += m;
    off += m;
    dst += m;
  }
  return done;
}

void
pc_update(struct inode *ip, uint off, const void *src, uint n)
{
  KASSERT(holdingsleep(&ip->lock));
  while (n > 0) {
    uint m = PGSIZE - off % PGSIZE;
    if (m > n)
      m = n;
    acquire(&pc.lock);
    struct page *pg = lookup(ip, off / PGSIZE);
    if (pg && (pg->flags & PG_UPTODATE))
      memmove((char *)page2pa(pg) + off % PGSIZE, src, m);
    release(&pc.lock);
    off += m;
    src = (const char *)src + m;
    n -= m;
  }
}

// Takes pg out of every mapping and out of the cache. => pc.lock held.
// A page still referenced (a system call copying to or from it through
// a user mapping, pc_hold_user) leaves the cache now and is freed by its
// last pc_put: an orphan.
static void
discard(struct page *pg)
{
  rmap_unmap(pg);
  KASSERT(pg->mapcount == 0);
  if (pg->ref > 0) {
    unlink_page(pg);
    pg->flags = PG_ORPHAN;
    return;
  }
  remove_free(pg);
}

void
pc_truncate(struct inode *ip, uint size)
{
  KASSERT(holdingsleep(&ip->lock));
  uint keep = (size + PGSIZE - 1) / PGSIZE;  // pages [0, keep) survive
  acquire(&pc.lock);
  struct page *next;
  for (struct page *pg = ip->pages; pg; pg = next) {
    next = pg->inext;
    if (pg->pgno >= keep)
      discard(pg);
    else if (pg->pgno == keep - 1 && size % PGSIZE)
      memset((char *)page2pa(pg) + size % PGSIZE, 0, PGSIZE - size % PGSIZE);
  }
  // A sequential run past the new end is over. Keeping its window would
  // make the next miss at `keep` look like its continuation and read
  // twice that window -- for a truncated file's new contents, or for a
  // new file in this slot (freeing an inode truncates it to 0).
  if (ip->ra_next > keep) {
    ip->ra_next = keep;
    ip->ra_win = 0;
  }
  release(&pc.lock);
}

void
pc_forget(struct inode *ip)
{
  KASSERT(ip->ref == 0 && ip->maps == 0 && ip->running == 0);
  acquire(&pc.lock);
  while (ip->pages) {
    // (A memory inode's pages were never written anywhere: nothing is lost.)
    if ((ip->pages->flags & (PG_DIRTY | PG_MEM)) == PG_DIRTY)
      printf("pagecache: inode %d reused with unwritten page %d (an earlier write-back failed)\n",
             ip->inum, ip->pages->pgno);
    discard(ip->pages);
  }
  ip->ra_next = ip->ra_win = 0;
  release(&pc.lock);
}

// ---- write-back ----

// Write-back and holes. A file grown by ftruncate has no blocks in what
// it gained until they are written, so a page stored into through a
// shared mapping there has holes, which write-back fills: it allocates
// the missing blocks (and tables) in its own transaction, then writes the
// page. A page whose blocks all exist costs its BLOCKS_PER_PAGE blocks,
// so log_room() / BLOCKS_PER_PAGE of them fill one operation exactly; a page with
// holes costs up to bmap_run_cost + the inode block, checked against
// log_room() before it is touched. A page that does not fit waits, with
// the rest of its batch, for the next operation of the same call: a page
// is never split over two transactions (a power cut would then find it
// half old, half new).
//
// Errors. A page whose write-back fails stays dirty, to be tried again by
// the next write-back: -ENOSPC (no free block for a hole) goes back to the
// caller; -EIO (a block-map table, a bitmap block or the rest of the
// file's last block could not be read) goes back too, and is recorded
// for the file's open files (file_wb_failed; msync and fsync report it
// once to each). A page that fails with -EIO after some of its blocks
// went into the log leaves them there: they hold the page's bytes. Once
// the log has stopped nothing can be written: dirty pages stay dirty and
// the call fails with -EROFS (a range with nothing dirty still succeeds).

// The most a page can add to an operation; a fresh one always has room.
#define WB_PAGE_COST_MAX (2 * BLOCKS_PER_PAGE + 2 * BMAP_RUN_TABLES_MAX + 1)
_Static_assert(WB_PAGE_COST_MAX <= MAXOPBLOCKS, "any one page fits a write-back operation");
_Static_assert(BLOCKS_PER_PAGE <= NINDIRECT, "a page's blocks are a run bmap_run_cost takes");

// A page's blocks inside the file: how many, and their disk blocks in
// bno[] (0: a hole), or -EIO if a block-map table cannot be read; *cost
// is what writing them adds to the operation at most. => ip locked.
static int
page_blocks(struct inode *ip, struct page *pg, uint *bno, int *cost)
{
  uint64 off = (uint64)pg->pgno * PGSIZE;
  uint64 left = ip->size > off ? ip->size - off : 0;
  int n = left >= PGSIZE ? BLOCKS_PER_PAGE : (int)((left + BSIZE - 1) / BSIZE);
  uint first = pg->pgno * BLOCKS_PER_PAGE;
  int err = bmap_lookup_run(ip, first, n, bno);
  if (err < 0)
    return err;
  int holes = 0;
  for (int b = 0; b < n; b++)
    holes += bno[b] == 0;
  *cost = holes ? bmap_run_cost(ip, first, n) + 1 : n;  // + 1: the inode
  return n;
}

// Gives each hole among the n blocks in bno[] a block, then copies the
// part of pg inside the file into the log. => ip locked, in a transaction
// with room for page_blocks' cost; pg under write-back. 0; -ENOSPC or
// -EIO (a table or bitmap block could not be read) with nothing of the
// page written (blocks given so far stay, zeroed); or -EIO when a block
// holding the file's last bytes could not be read (the blocks before it
// are written: see "Errors" above).
static int
write_page(struct inode *ip, struct page *pg, uint *bno, int n)
{
  uint first = pg->pgno * BLOCKS_PER_PAGE;
  int grew = 0, err = 0;
  for (int b = 0; b < n && err == 0; b++) {
    if (bno[b] != 0)
      continue;
    int got = bmap_alloc(ip, first + b);
    grew = 1;
    if (got > 0)
      bno[b] = got;
    else
      err = got < 0 ? got : -ENOSPC;
  }
  if (grew)
    iupdate(ip);  // addrs[] may have changed
  if (err)
    return err;
  uint64 off = (uint64)pg->pgno * PGSIZE;
  char *mem = (char *)page2pa(pg);
  for (int b = 0; b < n; b++, off += BSIZE) {
    uint m = ip->size - off < BSIZE ? ip->size - off : BSIZE;
    struct buf *bp = m == BSIZE ? bread_overwrite(ip->dev, bno[b], 0) : bread(ip->dev, bno[b]);
    if (bp == 0)
      return -EIO;
    memmove(bp->data, mem + b * BSIZE, m);
    log_write(bp);
    brelse(bp);
  }
  // Stores past the end of the file never reach it, and the next mapping
  // must see zeros there: clear the tail of a page that straddles EOF at
  // each write-back (a mapping that still holds the page sees its bytes
  // past EOF vanish, as POSIX leaves unspecified).
  uint64 base = (uint64)pg->pgno * PGSIZE;
  if (base < ip->size && base + PGSIZE > ip->size)
    memset(mem + (ip->size - base), 0, base + PGSIZE - ip->size);
  return 0;
}

// Writes the batch's pages into the operation while they fit. Returns
// how many it took (written, or failed with their error in res[]); the
// rest have not been touched. => ip locked, in a fresh operation.
static int
write_batch(struct inode *ip, struct page **batch, int n, int *res)
{
  for (int i = 0; i < n; i++) {
    uint bno[BLOCKS_PER_PAGE];
    int cost;
    int nb = page_blocks(ip, batch[i], bno, &cost);
    if (nb < 0) {
      res[i] = nb;  // nothing of it written
      continue;
    }
    if (log_room() < cost) {
      KASSERT(i > 0);  // WB_PAGE_COST_MAX: the first page always fits
      return i;
    }
    res[i] = write_page(ip, batch[i], bno, nb);  // step 4
  }
  return n;
}

// Picks up to max dirty pages of ip from page *cursor on (below end),
// moving each to write-back with a reference. => ip locked.
static int
pick_dirty(struct inode *ip, uint *cursor, uint end, struct page **batch, int max)
{
  int n = 0;
  acquire(&pc.lock);
  for (; *cursor < end && n < max; (*cursor)++) {
    struct page *pg = lookup(ip, *cursor);
    if (pg == 0 || !(pg->flags & PG_UPTODATE))
      continue;
    collect_dirty(pg, ticks);  // steps 1-3 of the write-back order
    if (pg->flags & PG_DIRTY) {
      clear_dirty(pg);
      pg->flags |= PG_IO;
      pg->ref++;
      batch[n++] = pg;
    }
  }
  release(&pc.lock);
  return n;
}

static int writeback_range(struct inode *ip, uint lo, uint hi, int background);

int
pc_writeback_range(struct inode *ip, uint lo, uint hi)
{
  return writeback_range(ip, lo, hi, 0);
}

int
pc_writeback_background(struct inode *ip)
{
  return writeback_range(ip, 0, ~0U, 1);
}

// Batches of dirty pages, one log operation each; errors: "Write-back and
// holes", above. background: the write-back process's (kstats wb_pages).
static int
writeback_range(struct inode *ip, uint lo, uint hi, int background)
{
  if (inode_is_mem(ip))
    return 0;  // no disk behind it: its pages stay as they are
  int err = 0;
  uint cursor = lo;
  for (;;) {
    struct page *batch[WB_BATCH_MAX];
    int readonly = begin_op_big(LOGBLOCKS) < 0;
    int max = log_room() / BLOCKS_PER_PAGE;  // pages whose blocks exist that fit
    if (max > WB_BATCH_MAX)
      max = WB_BATCH_MAX;
    ilock(ip);
    uint end = (ip->size + PGSIZE - 1) / PGSIZE;
    if (end > hi)
      end = hi;
    int n = pick_dirty(ip, &cursor, end, batch, max);
    int res[WB_BATCH_MAX];
    int took = n;
    if (readonly) {
      for (int i = 0; i < n; i++)
        res[i] = -EROFS;
    } else {
      took = write_batch(ip, batch, n, res);
    }
    if (took < n)
      cursor = batch[took]->pgno;  // the rest goes in the next operation
    if (took > 0 && !readonly)
      ip->log_seq = log_op_seq();  // what iwait_durable waits for
    acquire(&pc.lock);
    for (int i = 0; i < n; i++) {
      batch[i]->flags &= ~PG_IO;
      // A page put back keeps no time of its own: it was dirty before
      // the pick, so now is late, and the expiry starts again.
      if (i >= took) {
        mark_dirty(batch[i], ticks);  // still to write
      } else if (res[i] < 0) {
        mark_dirty(batch[i], ticks);  // it stays dirty; the caller hears why
        if (err == 0 || err == -EIO)
          err = res[i];  // an -EIO also reaches the file (below)
      } else {
        kstat_inc(writeback_pages);
        if (background)
          kstat_inc(wb_pages);
      }
      batch[i]->ref--;
    }
    release(&pc.lock);
    for (int i = 0; i < took; i++)
      if (res[i] == -EIO)
        file_wb_failed(ip);
    iunlock(ip);
    end_op();  // commits only if no other operation is open: see iwait_durable
    if (cursor >= end || readonly)
      return err;
  }
}

// Writes back every dirty page of every cached file. => no locks held.
static void
writeback_all(void)
{
  int cursor = 0;
  struct inode *ip;
  while ((ip = inode_next_cached(&cursor)) != 0) {
    pc_writeback_range(ip, 0, ~0U);
    begin_op();
    iput(ip);
    end_op();
  }
}

int
pc_drop_all(void)
{
  writeback_all();
  int freed = 0;
  acquire(&pc.lock);
  for (int left = pc.npages; left > 0 && pc.hand; left--) {
    struct page *pg = pc.hand;
    pc.hand = pg->cnext;
    if (pg->ref == 0 && pg->mapcount == 0 && !(pg->flags & (PG_DIRTY | PG_IO)) &&
        !pinned(pg)) {
      remove_free(pg);
      freed++;
    }
  }
  release(&pc.lock);
  return freed;
}

// ---- memory pressure ----

// One sweep of the clock over at most `budget` pages, freeing up to want
// of them. => pc.lock held.
static int
clock_sweep(int want, int budget)
{
  int freed = 0;
  while (freed < want && pc.hand && budget-- > 0) {
    struct page *pg = pc.hand;
    pc.hand = pg->cnext;
    if (pg->ref > 0 || (pg->flags & PG_IO) || pinned(pg))
      continue;  // in use now, or a running program's (see the top)
    if (pg->flags & PG_REFD) {  // second chance: used since the last pass
      pg->flags &= ~PG_REFD;
      continue;
    }
    if (pg->mapcount > 0) {
      // Second chance on the A bits of its mappings (no fence needed to
      // clear A: a stale A only makes the page look used a while longer).
      if (rmap_clear_nofence(pg, PTE_A) & PTE_A)
        continue;
      rmap_unmap(pg);
      if (pg->mapcount > 0)
        continue;
    }
    if (pg->flags & PG_DIRTY)
      continue;  // needs write-back first
    remove_free(pg);
    kstat_inc(pc_evictions);
    freed++;
  }
  return freed;
}

int
pc_reclaim(int want, int may_write)
{
  acquire(&pc.lock);
  int freed = clock_sweep(want, 2 * pc.npages + 1);
  release(&pc.lock);
  if (freed >= want || !may_write)
    return freed;
  writeback_all();  // then sweep again
  acquire(&pc.lock);
  freed += clock_sweep(want - freed, 2 * pc.npages + 1);
  release(&pc.lock);
  return freed;
}

// ---- for the background write-back process (writeback.c) ----

// Has pg been dirty for expire ticks at tick now? Ticks are compared as a
// signed distance, so that the counter may wrap and a page marked after
// the caller read `now` is simply not due. => pc.lock held.
static int
page_due(struct page *pg, uint now, uint expire)
{
  return (pg->flags & PG_DIRTY) && (int)(now - pg->dirtied) >= (int)expire;
}

int
pc_wb_scan(uint since, uint now, uint expire)
{
  int due = 0;
  acquire(&pc.lock);
  struct page *pg = pc.hand;
  for (int left = pc.npages; left > 0 && pg; left--, pg = pg->cnext) {
    // Harvest: a mapped clean page may have had a store since `since`.
    if (pg->mapcount > 0 && (pg->flags & (PG_UPTODATE | PG_IO | PG_DIRTY)) == PG_UPTODATE)
      collect_dirty(pg, since);
    due += page_due(pg, now, expire);
  }
  release(&pc.lock);
  return due;
}

int
pc_wb_inode_due(struct inode *ip, uint now, uint expire)
{
  int due = 0;
  acquire(&pc.lock);
  for (struct page *pg = ip->pages; pg && !due; pg = pg->inext)
    due = page_due(pg, now, expire);
  release(&pc.lock);
  return due;
}

// ---- for the cache mapping policy ----

void
pc_lock(void)
{
  acquire(&pc.lock);
}

void
pc_unlock(void)
{
  release(&pc.lock);
}

int
pc_lock_held(void)
{
  return holding(&pc.lock);
}

struct page *
pc_lookup_locked(struct inode *ip, uint pgno)
{
  KASSERT(holding(&pc.lock));
  return lookup(ip, pgno);
}

void
pc_hit_locked(struct page *pg)
{
  KASSERT(holding(&pc.lock) && (pg->flags & PG_UPTODATE));
  pg->flags |= PG_REFD;
  kstat_inc(pc_hits);
}

void
pc_mapped_locked(struct page *pg)
{
  KASSERT(holding(&pc.lock) && (pg->flags & PG_CACHE));
  pg->mapcount++;
  pg->flags |= PG_REFD;
}

void
pc_unmapped_locked(struct page *pg, uint64 old)
{
  KASSERT(holding(&pc.lock));
  if (pg->flags & PG_ANON) {
    page_anon_put(page2pa(pg));
    return;
  }
  KASSERT((pg->flags & PG_CACHE) && pg->mapcount > 0);
  pg->mapcount--;
  if (old & PTE_D)
    mark_dirty(pg, ticks);
  if (old & PTE_A)
    pg->flags |= PG_REFD;
}

void
pc_exec_pin(struct inode *ip, uint lo, uint hi)
{
  acquire(&pc.lock);
  KASSERT(lo < hi && !inode_is_mem(ip));
  int before = count_pinned(ip);
  if (ip->running++ == 0) {
    ip->pin_lo = lo;
    ip->pin_hi = hi;
  } else {  // another image's: the file cannot have changed, but be exact
    ip->pin_lo = lo < ip->pin_lo ? lo : ip->pin_lo;
    ip->pin_hi = hi > ip->pin_hi ? hi : ip->pin_hi;
  }
  pc.nprog += count_pinned(ip) - before;
  publish_counts();
  release(&pc.lock);
}

void
pc_exec_end(struct inode *ip)
{
  acquire(&pc.lock);
  KASSERT(ip->running > 0);
  if (ip->running == 1) {
    pc.nprog -= count_pinned(ip);
    ip->pin_lo = ip->pin_hi = 0;
    publish_counts();
  }
  ip->running--;
  release(&pc.lock);
}

void
pc_enforce_limit(void)
{
  long limit = pc_limit;
  int over = limit > 0 ? limited_pages() - (int)limit : 0;  // racy read: a hint
  if (over > 0)
    pc_reclaim(over + RECLAIM_SLACK, 1);
}
