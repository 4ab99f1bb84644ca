// sleeplock.c -- sleeping locks: a spinlock guards the `locked` word, and a
// process that finds it set sleeps on the lock's address until release()
// wakes it. The holder's pid lets holdingsleep() answer KASSERTs.
// Release wakes only when someone sleeps (`waiters`): wakeup() scans the
// whole process table, and most releases (every buffer, every inode) have
// no waiter at all.
// The holder's record for the lock-order checker lives in its struct proc
// (lockcheck.c): a process holding a sleep lock may move between harts.
#include "kernel/types.h"
#include "kernel/param.h"
#include "kernel/riscv.h"
#include "kernel/lib/spinlock.h"
#include "kernel/lib/sleeplock.h"
#include "kernel/proc/proc.h"
#include "kernel/lib/printf.h"

void
initsleeplock(struct sleeplock *lk, const char *name, enum lockrank rank)
{
  initlock(&lk->lk, "sleeplock", LR_SLEEPLOCK);
  lk->name = name;
  lk->rank = rank;
  lk->unranked = 0;
  lk->locked = 0;
  lk->pid = 0;
  lk->waiters = 0;
}

void
acquiresleep(struct sleeplock *lk)
{
  lockcheck_sleeplock(lk, lk->name, lk->rank);
  acquire(&lk->lk);
  while (lk->locked) {
    lk->waiters++;
    sleep(lk, &lk->lk);
    lk->waiters--;
  }
  lk->locked = 1;
  lk->pid = myproc()->pid;
  release(&lk->lk);
}

void
acquiresleep_free(struct sleeplock *lk)
{
  acquire(&lk->lk);
  if (lk->locked)
    panic("acquiresleep_free: %s is held", lk->name);
  lk->locked = 1;
  lk->pid = myproc()->pid;
  lk->unranked = 1;
  release(&lk->lk);
}

void
releasesleep(struct sleeplock *lk)
{
  if (lk->unranked)
    lk->unranked = 0;
  else
    lockcheck_sleepunlock(lk, lk->name);
  acquire(&lk->lk);
  lk->locked = 0;
  lk->pid = 0;
  if (lk->waiters > 0)
    wakeup(lk);
  release(&lk->lk);
}

int
holdingsleep(struct sleeplock *lk)
{
  acquire(&lk->lk);
  int mine = lk->locked && lk->pid == myproc()->pid;
  release(&lk->lk);
  return mine;
}
