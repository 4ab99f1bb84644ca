// spinlock.h -- mutual exclusion between harts, with interrupts off while held.
//
// acquire() disables interrupts on this hart (push_off) and spins; release()
// restores them when the last lock is dropped (pop_off). Holding a spinlock
// you may not sleep. holding() tells whether this hart holds the lock, for
// KASSERTs. Every lock has a rank (kernel/lib/lockrank.h: the lock order),
// and acquire() panics when a hart takes locks out of that order.
#ifndef PCV6_SPINLOCK_H
#define PCV6_SPINLOCK_H

#include "kernel/types.h"
#include "kernel/lib/lockrank.h"

struct cpu;

struct spinlock {
  uint locked;       // 0 free, 1 held
  const char *name;  // for panics
  struct cpu *cpu;   // holder, for holding()
  int rank;          // enum lockrank: its place in the lock order
};

void initlock(struct spinlock *lk, const char *name, enum lockrank rank);
void acquire(struct spinlock *lk);
void release(struct spinlock *lk);
int  holding(struct spinlock *lk);
void push_off(void);
void pop_off(void);

#endif
