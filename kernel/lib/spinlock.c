// spinlock.c -- test-and-set spinlocks built on the A extension's amoswap,
// with __sync_synchronize() fences so that the critical section's loads and
// stores stay inside it. Interrupts are kept off while any spinlock is held
// on a hart, so an interrupt handler can never spin on a lock its own hart
// already holds. push_off/pop_off nest and remember whether interrupts were
// on before the outermost push_off. acquire() and release() keep this
// hart's record of held locks for the lock-order checker (lockcheck.c).
#include "kernel/types.h"
#include "kernel/param.h"
#include "kernel/riscv.h"
#include "kernel/lib/spinlock.h"
#include "kernel/proc/proc.h"
#include "kernel/lib/printf.h"

void
initlock(struct spinlock *lk, const char *name, enum lockrank rank)
{
  lk->name = name;
  lk->locked = 0;
  lk->cpu = 0;
  lk->rank = rank;
}

void
acquire(struct spinlock *lk)
{
  push_off();
  if (holding(lk))
    panic("acquire: %s already held by this hart", lk->name);
  lockcheck_acquire(lk);
  while (__sync_lock_test_and_set(&lk->locked, 1) != 0)
    ;
  __sync_synchronize();
  lk->cpu = mycpu();
}

void
release(struct spinlock *lk)
{
  if (!holding(lk))
    panic("release: %s not held", lk->name);
  lockcheck_release(lk);
  lk->cpu = 0;
  __sync_synchronize();
  __sync_lock_release(&lk->locked);
  pop_off();
}

// => interrupts must be off (the answer is about this hart).
int
holding(struct spinlock *lk)
{
  return lk->locked && lk->cpu == mycpu();
}

void
push_off(void)
{
  int was_on = intr_get();
  intr_off();
  struct cpu *c = mycpu();
  if (c->noff == 0)
    c->intena = was_on;
  c->noff++;
}

void
pop_off(void)
{
  struct cpu *c = mycpu();
  if (intr_get())
    panic("pop_off: interrupts on");
  if (c->noff < 1)
    panic("pop_off: unbalanced");
  c->noff--;
  if (c->noff == 0 && c->intena)
    intr_on();
}
