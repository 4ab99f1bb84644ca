// lockrank.h -- the kernel's lock order, as code: every lock is given a
// rank where it is initialised (initlock, initsleeplock), and the checker
// (lockcheck.c) panics when a lock is taken out of order. This list is the
// one statement of the order; docs/DESIGN.md says why it is so.
//
// The rules the checker enforces:
//  - Spinlocks, per hart: a spinlock may be taken only if its rank is
//    greater than that of every spinlock the hart holds. Equal ranks never
//    nest (no code holds two process locks, two pipe locks, ...).
//  - Sleep locks and the log admission (begin_op .. end_op), per process,
//    since a process holding them may move between harts: each is taken
//    in rising rank after the ones the process holds, except that
//    LR_INODE and LR_BUF may repeat (below). Every such rank is below
//    every spinlock rank, so a spinlock may be taken whatever sleep locks
//    the process holds.
//  - Nothing that may sleep happens while the hart holds a spinlock: no
//    acquiresleep() or begin_op() (checked even when it would not have to
//    wait), no sleep() holding any spinlock but the condition lock it is
//    given, no switch to the scheduler holding any spinlock but p->lock.
//    The one exception is acquiresleep_free(): iput() locks an inode that
//    nobody else can reach, under icache.lock; such a lock cannot block
//    and no one can wait for it, so it is not ranked at all.
//  - A process returns to user space holding no sleep lock and no place in
//    the log.
//
// Equal ranks that may nest, and why their order is still fixed:
//  - LR_INODE: a directory before an inode it names, other than "." and
//    ".." (sys_unlink, create in sysfile.c); path walks unlock the parent
//    before locking the child. Directories have one parent, so no two
//    processes lock such a pair in opposite orders.
//  - LR_BUF: an inode's block-number tables top down (double indirect,
//    then indirect: trunc_table, bmap), only under that inode's lock; then
//    at most one other block, released before any other is taken -- a
//    bitmap block (balloc, bfree), a block just allocated (bzero). Such a
//    last block takes no buffer after it, and a table is reached only
//    through its inode's lock, so no cycle can form. The log's commit
//    takes one buffer at a time.
//
// Interrupt handlers take locks (disk, uart, console, tickslock, process
// locks for wakeup) only on a hart that holds no spinlock: interrupts are
// off while one is held (push_off), so a handler's locks start a fresh
// chain and need no rank below what the interrupted code held.
// The scheduler's p->lock is acquired on one side of swtch() and released
// on the other, on the same hart, so the hart's record stays exact.
// printf's lock ranks last, so printf may be called holding anything;
// panic() takes no lock, so a violation's panic cannot recurse.
#ifndef PCV6_LOCKRANK_H
#define PCV6_LOCKRANK_H

enum lockrank {
  LR_UNRANKED = 0,  // no rank was given: taking such a lock panics
  // Held by a process; they may sleep.
  LR_LOG_OP,        // begin_op() .. end_op(): a place in the log's transaction
  LR_INODE,         // an inode's sleep lock (ilock)
  LR_BUF,           // a buffer's sleep lock (bread .. brelse)
  LR_WCACHE_GATE,   // wc.gate: write-cache mode capture (bwrite holds a buffer)
  // Spinlocks, held by a hart.
  LR_ICACHE,        // icache.lock: before pc.lock (iget drops a slot's pages)
  LR_PAGECACHE,     // pc.lock: the page cache, its reverse map, cache PTEs
  LR_FTABLE,        // ftable.lock: the open-file table
  LR_OOM,           // oom.lock: scans and kills processes under it
  LR_WAIT,          // wait_lock: every p->parent; before any p->lock
  LR_LOG,           // log.lock: before bcache.lock (log_write pins a buffer)
  LR_BCACHE,        // bcache.lock: the buffer list and reference counts
  LR_SLEEPLOCK,     // a sleep lock's guard (after icache.lock: iput)
  LR_PIPE,          // a pipe's lock
  LR_CONS,          // cons.lock: console input
  LR_UART,          // the UART's transmit ring
  LR_DISK,          // disk.lock: the virtio queue
  LR_WCACHE,        // wc.lock: the write-cache mode's table, taken under disk.lock
  LR_TICKS,         // tickslock
  LR_PREFETCH,      // pf.lock: the MADV_WILLNEED queue; starts its process under it
  LR_PROC,          // p->lock: taken by sleep/wakeup under all of the above
  LR_PID,           // pid_lock: a leaf (allocproc holds p->lock)
  LR_KMEM,          // kmem.lock: a leaf (kfree under p->lock, pc.lock, ...)
  LR_PRINTF,        // pr.lock: last, so that printf works holding anything
  LR_COUNT
};

// Ranks below this belong to sleep locks (and the log admission).
#define LR_FIRST_SPIN LR_ICACHE

// May a process take a second lock of this rank? (See the rules above.)
static inline int
lockrank_nests(int rank)
{
  return rank == LR_INODE || rank == LR_BUF;
}

// Most locks of each kind held at once: spinlocks by one hart, sleep
// locks and the log admission by one process. Going over panics.
#define LOCKSTACK_DEPTH 8

// What one hart or one process holds, in the order taken, which is also
// rising rank (an out-of-order acquisition panics before it is recorded),
// so the top entry has the highest rank.
struct lockheld {
  const void *lock;
  const char *name;
  int rank;
};
struct lockstack {
  int n;
  struct lockheld held[LOCKSTACK_DEPTH];
};

struct spinlock;

// The checks; each panics naming both locks and their ranks. => interrupts
// off for the spinlock ones (they use this hart's record).
void lockcheck_acquire(struct spinlock *lk);  // before spinning: checks, records
void lockcheck_release(struct spinlock *lk);
// A sleep lock or the log admission, identified by lock, is about to be
// taken (before any wait: recorded at once) / is given back.
// => process context.
void lockcheck_sleeplock(const void *lock, const char *name, int rank);
void lockcheck_sleepunlock(const void *lock, const char *name);
void lockcheck_sleep(struct spinlock *cond);  // sleep(chan, cond) is called
void lockcheck_sched(struct spinlock *plock); // about to switch away
void lockcheck_user_return(void);             // about to return to user space
// KNOB_LOCKCHECK_TEST (locktest.c): -EINVAL except in the test kernel.
long lockcheck_selftest(long scenario);

#endif
