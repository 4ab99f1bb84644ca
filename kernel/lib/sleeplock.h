// sleeplock.h -- a lock held across disk I/O: waiters sleep instead of
// spinning. Used for buffers and inodes. May only be taken from process
// context, never from an interrupt handler or with a spinlock held, in the
// order of the ranks in kernel/lib/lockrank.h (checked).
#ifndef PCV6_SLEEPLOCK_H
#define PCV6_SLEEPLOCK_H

#include "kernel/lib/spinlock.h"

struct sleeplock {
  uint locked;          // [lk] held?
  struct spinlock lk;   // protects this struct
  const char *name;     // [I]
  int rank;             // [I] enum lockrank: its place in the lock order
  int pid;              // [lk] holder, for holdingsleep()
  int waiters;          // [lk] processes asleep in acquiresleep
  int unranked;         // taken with acquiresleep_free (only the holder
                        // reads or writes it)
};

void initsleeplock(struct sleeplock *lk, const char *name, enum lockrank rank);
void acquiresleep(struct sleeplock *lk);
// Takes a sleep lock that no other process can reach, so it never waits:
// for iput(), which frees an inode it holds the only reference to. Allowed
// under a spinlock and outside the rank order (a lock nobody else can
// wait for closes no cycle); panics if the lock is held after all.
void acquiresleep_free(struct sleeplock *lk);
void releasesleep(struct sleeplock *lk);
int  holdingsleep(struct sleeplock *lk);

#endif
