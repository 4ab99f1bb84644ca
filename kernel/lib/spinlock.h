// spinlock.h -- mutual exclusion between harts, with interrupts off while held.
//
// acquire() disables interrupts on this hart (push_off) and spins; release()
// restores them when the last lock is dropped (pop_off). Holding a spinlock
// you may not sleep. holding() tells whether this hart holds the lock, for
// KASSERTs.
#ifndef PCV6_SPINLOCK_H
#define PCV6_SPINLOCK_H

#include "kernel/types.h"

struct cpu;

struct spinlock {
  uint locked;       // 0 free, 1 held
  const char *name;  // for panics
  struct cpu *cpu;   // holder, for holding()
};

void initlock(struct spinlock *lk, const char *name);
void acquire(struct spinlock *lk);
void release(struct spinlock *lk);
int  holding(struct spinlock *lk);
void push_off(void);
void pop_off(void);

#endif
