// sleeplock.h -- a lock held across disk I/O: waiters sleep instead of
// spinning. Used for buffers and inodes. May only be taken from process
// context, never from an interrupt handler or with a spinlock held.
#ifndef PCV6_SLEEPLOCK_H
#define PCV6_SLEEPLOCK_H

#include "kernel/lib/spinlock.h"

struct sleeplock {
  uint locked;          // [lk] held?
  struct spinlock lk;   // protects this struct
  const char *name;     // [I]
  int pid;              // [lk] holder, for holdingsleep()
  int waiters;          // [lk] processes asleep in acquiresleep
};

void initsleeplock(struct sleeplock *lk, const char *name);
void acquiresleep(struct sleeplock *lk);
void releasesleep(struct sleeplock *lk);
int  holdingsleep(struct sleeplock *lk);

#endif
