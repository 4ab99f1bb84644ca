// trap.h -- traps, interrupts and the clock.
#ifndef PCV6_TRAP_H
#define PCV6_TRAP_H

#include "kernel/types.h"
#include "kernel/lib/spinlock.h"

extern struct spinlock tickslock;
extern uint ticks;   // [tickslock] timer ticks since boot (TICK_HZ per second)

#define TICK_HZ 10   // clock interrupts per second
#define TIMEBASE_HZ 10000000UL  // frequency of the `time` CSR (QEMU virt)

void trapinit(void);
// Sleeps until n clock ticks have passed (n = 1: until the next tick), or
// the caller is killed: then -EINTR (looked at each tick), else 0.
// => no locks held.
int sleep_ticks(uint n);
void trapinithart(void);
void usertrapret(void) __attribute__((noreturn));
// Makes this hart's timer also fire at `time` when (if that is earlier
// than a deadline already set) and then call proc_kick_overdue().
void timer_kick_at(uint64 when);

void plicinit(void);
void plicinithart(void);
int  plic_claim(void);
void plic_complete(int irq);

#endif
