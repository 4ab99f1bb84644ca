// kalloc.c -- physical page allocator: 4 KiB pages, and whole 2 MiB
// frames for the page cache's large folios (megapage.c).
//
// Free pages are kept per 2 MiB frame (FRAME_SIZE, 2 MiB-aligned physical
// memory: the unit an Sv39 megapage maps): each frame has a singly linked
// list threaded through the first word of its free pages, and a count.
// A frame whose 512 pages are all free is whole, and kalloc_frame() hands
// it out as one run. To keep frames whole, kalloc() takes a single page
// from the frame with the fewest free pages (it keeps using one frame
// until that is empty, then looks again), and breaks a whole frame only
// when no other frame has a free page. A freed page goes back to its own
// frame, so a frame fills up again as its pages are freed, whoever freed
// them. This is a two-order buddy allocator, or FreeBSD's superpage
// reservations without the reserving: see DESIGN.md, "Large folios".
//
// kfree() fills a page with junk (0x5a) and kalloc() with another (0xa5)
// so that a use after free or a read of uninitialised memory shows up as
// garbage rather than as plausible data. The free count is kept so that
// tests and counters can detect leaks.
//
// When no page is free, kalloc() asks the page cache to give back clean
// pages (pc_reclaim) before failing: cached file pages count as free
// memory that is merely being put to use. kalloc_frame() never reclaims:
// a large folio is an optimisation, and its caller falls back to pages.
//
// Every fill of a whole page (junk or zeros) is timed in the cycles of the
// hart doing it (kstats page_fill_cycles): anonymous memory's first touch
// must write its page, a cached file page's need not, and the benchmark
// tells that cost apart from the fault path's own.
//
// Lock: kmem.lock, a leaf (nothing is acquired while holding it).
#include "kernel/types.h"
#include "kernel/param.h"
#include "kernel/memlayout.h"
#include "kernel/riscv.h"
#include "kernel/lib/spinlock.h"
#include "kernel/lib/printf.h"
#include "kernel/lib/string.h"
#include "kernel/mm/kalloc.h"
#include "kernel/proc/proc.h"
#include "kernel/mm/pagecache.h"
#include "kernel/mm/kstats_impl.h"

#define JUNK_FREED 0x5a
#define JUNK_ALLOC 0xa5
#define RECLAIM_BATCH 32  // cache pages freed at once when memory runs out
#define NFRAMES ((PHYSTOP - KERNBASE) / FRAME_SIZE)
#define NO_FRAME (-1)

extern char end[];  // first address after the kernel image (kernel.ld)

// Fills n bytes at pa (whole pages) with byte c, counting the cycles it
// took.
static void
fill(void *pa, int c, uint n)
{
  uint64 t0 = r_cycle();
  memset(pa, c, n);
  kstat_add(page_fill_cycles, r_cycle() - t0);
}

struct run {
  struct run *next;
};

static struct {
  struct spinlock lock;
  struct run *free[NFRAMES];  // [lock] each frame's free pages
  int nfree_in[NFRAMES];      // [lock] how many
  int cur;                    // [lock] the frame kalloc takes from, or NO_FRAME
  uint64 nfree;               // [lock] all free pages
} kmem;

static int
frame_of(uint64 pa)
{
  return (int)((pa - KERNBASE) / FRAME_SIZE);
}

void
kinit(void)
{
  initlock(&kmem.lock, "kmem", LR_KMEM);
  kmem.cur = NO_FRAME;
  for (uint64 pa = PGROUNDUP((uint64)end); pa + PGSIZE <= PHYSTOP; pa += PGSIZE)
    kfree((void *)pa);
}

void
kfree(void *pa)
{
  uint64 a = (uint64)pa;
  if (a % PGSIZE != 0 || a < (uint64)end || a >= PHYSTOP)
    panic("kfree: bad page %p", pa);
  fill(pa, JUNK_FREED, PGSIZE);
  struct run *r = pa;
  int f = frame_of(a);
  acquire(&kmem.lock);
  r->next = kmem.free[f];
  kmem.free[f] = r;
  kmem.nfree_in[f]++;
  kmem.nfree++;
  release(&kmem.lock);
}

// The frame a single page should come from: the one with the fewest free
// pages, a whole frame only when no other has any. => kmem.lock held.
static int
pick_frame(void)
{
  int best = NO_FRAME;
  for (int f = 0; f < NFRAMES; f++) {
    int n = kmem.nfree_in[f];
    if (n == 0)
      continue;
    if (best == NO_FRAME || n < kmem.nfree_in[best])
      best = f;
  }
  return best;
}

// One free page off its frame's list, or 0. => kmem.lock held.
static struct run *
take_locked(void)
{
  if (kmem.cur == NO_FRAME || kmem.nfree_in[kmem.cur] == 0)
    kmem.cur = pick_frame();
  struct run *r = 0;
  if (kmem.cur != NO_FRAME) {
    r = kmem.free[kmem.cur];
    kmem.free[kmem.cur] = r->next;
    kmem.nfree_in[kmem.cur]--;
    kmem.nfree--;
  }
  return r;
}

static struct run *
take(void)
{
  acquire(&kmem.lock);
  struct run *r = take_locked();
  release(&kmem.lock);
  return r;
}

// Does this hart hold no spinlock? (Then it may take the page cache's.)
static int
no_spinlocks_held(void)
{
  push_off();
  int none = mycpu()->noff == 1;
  pop_off();
  return none;
}

// A free page, whatever it holds, or 0.
static void *
alloc(void)
{
  struct run *r = take();
  // Out of free pages: reclaim clean page-cache pages, unless the caller
  // holds a spinlock (reclaim takes the cache's lock, which ranks before
  // every spinlock but icache.lock: kernel/lib/lockrank.h).
  if (r == 0 && no_spinlocks_held() && pc_reclaim(RECLAIM_BATCH, 0) > 0)
    r = take();
  return r;
}

void *
kalloc(void)
{
  void *pa = alloc();
  if (pa)
    fill(pa, JUNK_ALLOC, PGSIZE);
  return pa;
}

// Zeroed at once, not filled with junk first: every anonymous page's
// first touch comes here, and a second pass over the page was a seventh
// of a zero-fill fault's instructions.
void *
kzalloc(void)
{
  void *pa = alloc();
  if (pa)
    fill(pa, 0, PGSIZE);
  return pa;
}

int
kzalloc_many(void **pages, int n)
{
  int got = 0;
  acquire(&kmem.lock);
  for (struct run *r; got < n && (r = take_locked()) != 0; got++)
    pages[got] = r;
  release(&kmem.lock);
  if (got == 0 && n > 0 && (pages[0] = alloc()) != 0)
    got = 1;  // none free: reclaim, as kalloc would
  for (int i = 0; i < got; i++)
    fill(pages[i], 0, PGSIZE);
  return got;
}

void *
kalloc_frame(uint64 reserve)
{
  void *base = 0;
  acquire(&kmem.lock);
  if (kmem.nfree >= FRAME_PAGES + reserve) {
    // The highest whole frame: single pages come from low frames first
    // once the whole ones are broken (pick_frame), so high ones last.
    for (int f = NFRAMES - 1; f >= 0 && base == 0; f--) {
      if (kmem.nfree_in[f] != FRAME_PAGES)
        continue;
      base = (void *)(KERNBASE + (uint64)f * FRAME_SIZE);
      kmem.free[f] = 0;
      kmem.nfree_in[f] = 0;
      kmem.nfree -= FRAME_PAGES;
      if (kmem.cur == f)
        kmem.cur = NO_FRAME;
    }
  }
  release(&kmem.lock);
  if (base)
    fill(base, JUNK_ALLOC, FRAME_SIZE);
  return base;
}

uint64
kfree_pages(void)
{
  acquire(&kmem.lock);
  uint64 n = kmem.nfree;
  release(&kmem.lock);
  return n;
}
