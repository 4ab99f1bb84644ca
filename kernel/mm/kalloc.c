// kalloc.c -- physical page allocator.
//
// Free pages form a singly linked list threaded through their first word.
// kfree() fills a page with junk (0x5a) and kalloc() with another (0xa5)
// so that a use after free or a read of uninitialised memory shows up as
// garbage rather than as plausible data. The free count is kept so that
// tests and counters can detect leaks.
//
// When the free list is empty, kalloc() asks the page cache to give back
// clean pages (pc_reclaim) before failing: cached file pages count as
// free memory that is merely being put to use.
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

extern char end[];  // first address after the kernel image (kernel.ld)

// Fills the page at pa with byte c, counting the cycles it took.
static void
fill(void *pa, int c)
{
  uint64 t0 = r_cycle();
  memset(pa, c, PGSIZE);
  kstat_add(page_fill_cycles, r_cycle() - t0);
}

struct run {
  struct run *next;
};

static struct {
  struct spinlock lock;
  struct run *freelist;  // [lock]
  uint64 nfree;          // [lock]
} kmem;

void
kinit(void)
{
  initlock(&kmem.lock, "kmem", LR_KMEM);
  for (uint64 pa = PGROUNDUP((uint64)end); pa + PGSIZE <= PHYSTOP; pa += PGSIZE)
    kfree((void *)pa);
}

void
kfree(void *pa)
{
  uint64 a = (uint64)pa;
  if (a % PGSIZE != 0 || a < (uint64)end || a >= PHYSTOP)
    panic("kfree: bad page %p", pa);
  fill(pa, JUNK_FREED);
  struct run *r = pa;
  acquire(&kmem.lock);
  r->next = kmem.freelist;
  kmem.freelist = r;
  kmem.nfree++;
  release(&kmem.lock);
}

static struct run *
take(void)
{
  acquire(&kmem.lock);
  struct run *r = kmem.freelist;
  if (r) {
    kmem.freelist = r->next;
    kmem.nfree--;
  }
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
    fill(pa, JUNK_ALLOC);
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
    fill(pa, 0);
  return pa;
}

uint64
kfree_pages(void)
{
  acquire(&kmem.lock);
  uint64 n = kmem.nfree;
  release(&kmem.lock);
  return n;
}
