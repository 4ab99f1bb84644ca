// prefetch.c -- MADV_WILLNEED: reading a file's pages into the page cache
// while the process that asked goes on.
//
// madvise(MADV_WILLNEED) queues a job -- a file and a range of its page
// numbers -- and returns. One kernel process, "prefetch" (started by the
// first job, then for good), takes the jobs in order and reads each range
// through pc_get_advised, as a fault would, WINDOW_MAX pages per miss and
// one window per hold of the inode lock, so that the asker's own faults
// and read()s on the file get their turns in between. Pages it reads are
// ordinary cache pages: the asker's later faults find them (minor faults,
// no disk), mincore reports them, reclaim may take them back.
//
// Why a process. Every fill of a cache page happens under its file's
// inode lock, and pagecache.c leans on that: a fault that meets a page
// being read waits for the lock and then finds it up to date; write()
// and truncation never meet a page half read. A read that went on after
// madvise returned, finished by the disk interrupt, would hold no inode
// lock, and each of those paths would need a way to wait for a page in
// flight. A process that does what a faulting process does keeps the
// rule whole, for the price of a process slot and a kernel stack.
//
// It is advice: when the queue is full, or the process cannot be started
// (the process table is full), the job is dropped; a job that meets a
// shortage of memory or a disk error stops there. The pages it could not
// read are read by the faults that need them, which report their errors.
//
// Locks: pf.lock (LR_PREFETCH) guards the queue and is the condition lock
// of both waits (the process for jobs, prefetch_drain for the end of
// them). Nothing else is taken under it but the process table's locks,
// to start the process and to wake sleepers. A job holds a reference to
// its open file (filedup), taken and dropped with pf.lock not held.
#include "kernel/types.h"
#include "kernel/param.h"
#include "kernel/riscv.h"
#include "kernel/fcntl.h"
#include "kernel/knobs.h"
#include "kernel/lib/spinlock.h"
#include "kernel/lib/sleeplock.h"
#include "kernel/proc/proc.h"
#include "kernel/fs/inode.h"
#include "kernel/fs/file.h"
#include "kernel/mm/pagecache.h"
#include "kernel/mm/prefetch.h"

#define PREFETCH_JOBS 8  // jobs queued at once; more are dropped

struct job {
  struct file *f;  // counted reference
  uint lo, hi;     // page numbers [lo, hi)
};

static struct {
  struct spinlock lock;
  struct job q[PREFETCH_JOBS];  // [pf] a ring: q[head] is the oldest
  int head, n;                  // [pf]
  int busy;                     // [pf] the process is reading a job
  int started;                  // [pf] the process exists
} pf;

void
prefetch_init(void)
{
  initlock(&pf.lock, "prefetch", LR_PREFETCH);
}

// Reads pages [lo, hi) of ip into the cache, a window at a time, up to
// the end of the file; stops at the first failure, and, under a cache
// limit, once it has read as many pages as the limit (more would evict
// what it read first). => no locks held.
static void
read_range(struct inode *ip, uint lo, uint hi)
{
  long limit = pc_limit;
  if (limit > 0 && hi - lo > limit)
    hi = lo + (uint)limit;
  for (uint pgno = lo; pgno < hi;) {
    pc_enforce_limit();  // may write back: only with no lock held
    ilock(ip);
    uint last = (ip->size + PGSIZE - 1) / PGSIZE;  // first page past EOF
    uint end = hi < last ? hi : last;
    if (end > pgno && end - pgno > WINDOW_MAX)
      end = pgno + WINDOW_MAX;
    int err = 0;
    for (; pgno < end && err == 0; pgno++) {
      struct page *pg;
      int nread;
      err = pc_get_advised(ip, pgno, MADV_WILLNEED, &pg, &nread);
      if (err == 0)
        pc_put(pg);
    }
    iunlock(ip);
    if (err || pgno >= last)
      return;
  }
}

// The prefetch process: jobs in order, for ever.
static void
prefetch_main(void)
{
  for (;;) {
    acquire(&pf.lock);
    while (pf.n == 0)
      sleep(&pf.n, &pf.lock);
    struct job j = pf.q[pf.head];
    pf.head = (pf.head + 1) % PREFETCH_JOBS;
    pf.n--;
    pf.busy = 1;
    release(&pf.lock);
    read_range(j.f->ip, j.lo, j.hi);
    fileclose(j.f);  // a log operation of its own if it was the last
    acquire(&pf.lock);
    pf.busy = 0;
    wakeup(&pf.busy);
    release(&pf.lock);
  }
}

void
prefetch_start(struct file *f, uint64 lo, uint64 hi)
{
  if (lo >= hi || lo > 0xFFFFFFFFUL)
    return;  // nothing, or past what any file holds
  if (hi > 0xFFFFFFFFUL)
    hi = 0xFFFFFFFFUL;
  struct file *ref = filedup(f);
  acquire(&pf.lock);
  if (!pf.started && kproc_start("prefetch", prefetch_main) == 0)
    pf.started = 1;
  int queued = pf.started && pf.n < PREFETCH_JOBS;
  if (queued) {
    pf.q[(pf.head + pf.n) % PREFETCH_JOBS] = (struct job){ref, (uint)lo, (uint)hi};
    pf.n++;
    wakeup(&pf.n);
  }
  release(&pf.lock);
  if (!queued)
    fileclose(ref);
}

void
prefetch_drain(void)
{
  acquire(&pf.lock);
  while (pf.n > 0 || pf.busy)
    sleep(&pf.busy, &pf.lock);
  release(&pf.lock);
}
