// lockcheck.c -- the lock-order checker: the rules are in lockrank.h.
//
// Each hart keeps the spinlocks it holds (struct cpu's spins), each process
// the sleep locks and the log admission it holds (struct proc's sleeps),
// in the order taken. An acquisition compares the new rank with the top
// entry only: entries are only ever added in rising rank, and removing
// one from the middle (locks need not be released in reverse order)
// keeps the rest sorted. The cost is a compare and three stores per
// acquire and a short search per release (the lock is almost always the
// top entry).
//
// A violation panics before the lock is waited for, so a wrong order is
// reported the first time it happens, not only when it deadlocks. panic()
// prints without taking any lock, so it never comes back here.
#include "kernel/types.h"
#include "kernel/param.h"
#include "kernel/riscv.h"
#include "kernel/lib/spinlock.h"
#include "kernel/lib/lockrank.h"
#include "kernel/lib/printf.h"
#include "kernel/proc/proc.h"

static void __attribute__((noreturn))
violation(const char *what, const char *name, int rank, const struct lockheld *h)
{
  panic("lock order: %s %s (rank %d) while holding %s (rank %d)", what, name, rank,
        h->name, h->rank);
}

static void
push(struct lockstack *s, const void *lock, const char *name, int rank)
{
  if (s->n == LOCKSTACK_DEPTH)
    panic("lock order: %s taken with %d locks held already", name, LOCKSTACK_DEPTH);
  struct lockheld *h = &s->held[s->n++];
  h->lock = lock;
  h->name = name;
  h->rank = rank;
}

static void
pop(struct lockstack *s, const void *lock, const char *name)
{
  for (int i = s->n - 1; i >= 0; i--) {
    if (s->held[i].lock != lock)
      continue;
    for (s->n--; i < s->n; i++)
      s->held[i] = s->held[i + 1];
    return;
  }
  panic("lock order: %s released but not on record", name);
}

static struct lockheld *
top(struct lockstack *s)
{
  return s->n > 0 ? &s->held[s->n - 1] : 0;
}

void
lockcheck_acquire(struct spinlock *lk)
{
  if (lk->rank < LR_FIRST_SPIN || lk->rank >= LR_COUNT)
    panic("lock order: spinlock %s has no spinlock rank (%d)", lk->name, lk->rank);
  struct lockstack *s = &mycpu()->spins;
  struct lockheld *h = top(s);
  if (h && h->rank >= lk->rank)
    violation("acquiring", lk->name, lk->rank, h);
  push(s, lk, lk->name, lk->rank);
}

void
lockcheck_release(struct spinlock *lk)
{
  pop(&mycpu()->spins, lk, lk->name);
}

void
lockcheck_sleeplock(const void *lock, const char *name, int rank)
{
  if (rank <= LR_UNRANKED || rank >= LR_FIRST_SPIN)
    panic("lock order: sleep lock %s has no sleep lock rank (%d)", name, rank);
  push_off();
  struct cpu *c = mycpu();
  struct lockheld *h = top(&c->spins);
  if (h)
    violation("may sleep for", name, rank, h);
  KASSERT(c->proc != 0);
  struct lockstack *s = &c->proc->sleeps;
  h = top(s);
  if (h && (h->rank > rank || (h->rank == rank && !lockrank_nests(rank))))
    violation("acquiring", name, rank, h);
  push(s, lock, name, rank);
  pop_off();
}

void
lockcheck_sleepunlock(const void *lock, const char *name)
{
  push_off();
  pop(&mycpu()->proc->sleeps, lock, name);
  pop_off();
}

void
lockcheck_sleep(struct spinlock *cond)
{
  struct lockstack *s = &mycpu()->spins;
  for (int i = 0; i < s->n; i++)
    if (s->held[i].lock != cond)
      violation("sleeping on", cond->name, cond->rank, &s->held[i]);
}

void
lockcheck_sched(struct spinlock *plock)
{
  struct lockstack *s = &mycpu()->spins;
  for (int i = 0; i < s->n; i++)
    if (s->held[i].lock != plock)
      violation("switching away with", plock->name, plock->rank, &s->held[i]);
}

void
lockcheck_user_return(void)
{
  struct cpu *c = mycpu();
  struct lockheld *h = top(&c->spins);
  if (h == 0 && c->proc)
    h = top(&c->proc->sleeps);
  if (h)
    panic("lock order: returning to user space holding %s (rank %d)", h->name, h->rank);
}
