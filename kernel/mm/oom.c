// oom.c -- the out-of-memory policy.
//
// When a page for a process's user memory cannot be allocated -- a page
// fault (lazy heap, mapped file, copy-on-write) or eager heap growth
// (sbrk) -- the caller calls oom_wait_for_memory() and retries the
// allocation if it returns 0. The policy, in order:
//
//   1. Reclaim memory nobody needs right now (oom_reclaim): page-cache
//      pages, by the cache's clock, writing dirty ones back first (the
//      allocator itself only takes clean ones, since its callers may hold
//      locks that write-back needs).
//   2. Wait for memory already on its way back: while a victim chosen
//      earlier has not finished freeing its memory, or any process is in
//      the middle of freeing its own in exit(), sleep; then retry if
//      enough is free. This is what keeps two processes that fault at the
//      same time from killing two victims for one shortage.
//   3. Choose a victim: the process holding the most resident user pages
//      (Linux's "badness", reduced to its core), counted from its page
//      table, each page as its share: 1/n of a page when n processes own
//      or map it (uvmcountshare; Linux's "PSS"). A page a fork shared
//      thus counts once in all, not once per sharer: a parent and its
//      forked workers sharing a large heap are not taken for hogs -- by
//      whole pages each would look as big as the heap, and killing one
//      would free nothing the others still hold -- while what a process
//      holds alone counts whole. init is never chosen. If the largest holder was already
//      killed (by kill(), say) it is waited for, not killed again. Killing
//      must be able to help: the victim's pages and the free ones together
//      must cover the request; else nobody else dies (an sbrk larger than
//      the machine kills nobody; a fault kills the asker, as below).
//   4. Kill the victim with one console line
//          pid 7 (hog): killed: out of memory, 24310 pages
//      and sleep until it has exited and freed its memory; then retry.
//      exit() frees a process's user memory itself, before the process
//      becomes a zombie, so this never waits for a parent's wait().
// If the asker itself holds the most memory, or there is no victim at
// all, a faulting process is killed (with the same line) and sbrk fails
// with -ENOMEM -- what xv6 programs expect when they grow the heap until
// it fails. init is never killed: a fault of init's that cannot be served
// fails as any unservable fault does.
//
// The victim may be running on another hart (it stops at its next trap:
// a fault, a system call or the clock tick), sleeping (kill() wakes it),
// or waiting in here itself (it sees it was killed and gives up).
//
// Counting another process's pages (uvmcountshare, kernel/mm/vm.c) means
// walking its page table while it may run on another hart. That is safe
// because a page-table page is freed only together with its whole table,
// and p->pagetable is replaced (exec) or cleared (exit) only under
// p->lock, which the walk holds. Entries may change during the walk (vm.c
// says how it reads them); the count is an estimate anyway.
//
// Locks (their order: kernel/lib/lockrank.h): under oom.lock the scan and
// kill() take p->lock, kfree_pages() kmem.lock, the announcement printf's.
#include "kernel/types.h"
#include "kernel/param.h"
#include "kernel/riscv.h"
#include "kernel/errno.h"
#include "kernel/lib/spinlock.h"
#include "kernel/lib/printf.h"
#include "kernel/lib/string.h"
#include "kernel/mm/kalloc.h"
#include "kernel/mm/vm.h"
#include "kernel/proc/proc.h"
#include "kernel/mm/oom.h"
#include "kernel/mm/pagecache.h"
#include "kernel/mm/kstats_impl.h"

static struct {
  struct spinlock lock;
  struct proc *victim;  // [lock] killed for memory and not done freeing it, or 0
  int exiting;          // [lock] processes between oom_exit_begin and oom_exit_end
  int waiters;          // [lock] processes asleep in oom_wait_for_memory
} oom;

void
oominit(void)
{
  initlock(&oom.lock, "oom", LR_OOM);
}

uint64
oom_reclaim(uint64 want)
{
  // Cache pages, dirty ones written back first: the caller holds no lock.
  return pc_reclaim((int)want + OOM_RECLAIM_SLACK, 1);
}

// A process as the policy sees it, copied under its lock.
struct candidate {
  struct proc *p;
  int pid;
  int killed;
  uint64 pages;    // resident user pages, shared ones as shares
  char name[16];
};

// => p->lock held.
static void
describe(struct proc *p, struct candidate *c)
{
  c->p = p;
  c->pid = p->pid;
  c->killed = p->killed;
  c->pages = p->pagetable ? uvmcountshare(p->pagetable) : 0;
  safestrcpy(c->name, p->name, sizeof(c->name));
}

// The live process (not init) holding the most resident user pages.
// Returns 0 if no process holds any. => oom.lock held.
static int
choose_victim(struct candidate *best)
{
  best->p = 0;
  best->pages = 0;
  for (int i = 0; i < NPROC; i++) {
    struct proc *p = proc_slot(i);
    struct candidate c;
    acquire(&p->lock);
    int live = p->state == SLEEPING || p->state == RUNNABLE || p->state == RUNNING;
    if (live && !proc_is_init(p)) {
      describe(p, &c);
      if (c.pages > best->pages)
        *best = c;
    }
    release(&p->lock);
  }
  return best->p != 0;
}

static void
announce(struct candidate *c)
{
  printf("pid %d (%s): killed: out of memory, %lu pages\n", c->pid, c->name, c->pages);
  kstat_inc(oom_kills);
}

// The asker gets no memory. A faulting process cannot go on, so it dies,
// announced like any victim; sbrk just fails. => oom.lock held.
static int
give_up(struct proc *self, int kind)
{
  if (kind == OOM_FAULT && !proc_is_init(self)) {
    struct candidate me;
    acquire(&self->lock);
    describe(self, &me);
    self->killed = 1;
    release(&self->lock);
    announce(&me);
    oom.victim = self;  // others wait for its memory instead of choosing
  }
  return -ENOMEM;
}

int
oom_wait_for_memory(int kind, uint64 npages)
{
  struct proc *self = myproc();
  oom_reclaim(npages);
  acquire(&oom.lock);
  int err = 0;
  for (;;) {
    if (killed(self)) {
      err = -ENOMEM;
      break;
    }
    if (oom.victim != 0 || oom.exiting > 0) {
      // Memory is on its way back: wait for it, then look again.
      oom.waiters++;
      sleep(&oom, &oom.lock);
      oom.waiters--;
      continue;
    }
    if (kfree_pages() >= npages)
      break;  // enough came back meanwhile: retry
    struct candidate v;
    if (!choose_victim(&v) || v.p == self || v.pages + kfree_pages() < npages) {
      err = give_up(self, kind);
      break;
    }
    oom.victim = v.p;
    if (!v.killed) {
      // Announce first: the line must name the victim before it can exit.
      announce(&v);
      kill(v.pid);  // cannot miss: v is blocked in oom_exit_begin at the latest
    }
  }
  release(&oom.lock);
  return err;
}

void
oom_exit_begin(struct proc *p)
{
  (void)p;
  acquire(&oom.lock);
  oom.exiting++;
  release(&oom.lock);
}

void
oom_exit_end(struct proc *p)
{
  acquire(&oom.lock);
  oom.exiting--;
  if (oom.victim == p)
    oom.victim = 0;
  if (oom.waiters > 0)
    wakeup(&oom);
  release(&oom.lock);
}
