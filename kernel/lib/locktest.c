// locktest.c -- the lock-order checker's own test: knob KNOB_LOCKCHECK_TEST
// takes locks in a wrong order on purpose, so that make test can see the
// checker panic and name both locks.
//
// A panic a user program can cause has no place in the kernel, so the
// normal build compiles only the refusal below. The Makefile links a
// second kernel, kernel/kernel-locktest, with this file compiled with
// LOCKCHECK_SELFTEST; that kernel is booted only by the lock-check cases
// of make test (scripts/runtest.py).
#include "kernel/types.h"
#include "kernel/param.h"
#include "kernel/errno.h"
#include "kernel/knobs.h"
#include "kernel/lib/spinlock.h"
#include "kernel/lib/sleeplock.h"
#include "kernel/proc/proc.h"
#include "kernel/arch/trap.h"
#include "kernel/fs/buf.h"
#include "kernel/fs/inode.h"

#ifndef LOCKCHECK_SELFTEST

long
lockcheck_selftest(long scenario)
{
  (void)scenario;
  return -EINVAL;  // not this kernel
}

#else

// Each scenario must panic before it returns; the wrong lock is the last
// one taken. => called from the knob system call, holding nothing.
long
lockcheck_selftest(long scenario)
{
  struct proc *p = myproc();
  switch (scenario) {
  case LOCKCHECK_TEST_SPIN:  // a spinlock of lower rank under a higher one
    acquire(&p->lock);
    inodes_in_use();  // icache.lock
    break;
  case LOCKCHECK_TEST_SLEEP:  // an inode lock under a buffer lock
    bread(ROOTDEV, 1);
    ilock(p->cwd);
    break;
  case LOCKCHECK_TEST_SLEEP_UNDER_SPIN:  // a sleep lock under a spinlock
    acquire(&tickslock);
    ilock(p->cwd);
    break;
  case LOCKCHECK_TEST_SLEEP_HOLDING:  // sleep() holding a second spinlock
    acquire(&tickslock);
    acquire(&p->lock);
    sleep(&ticks, &tickslock);
    break;
  default:
    return -EINVAL;
  }
  return 0;  // the checker missed it: the caller reports that
}

#endif
