// knobs.c -- the knob() system call: knob(which, value) sets a run-time
// switch from knobs.h and returns its previous value, or fails with
// EINVAL for an unknown knob. Knobs are plain words read without locks by
// the code they steer; a change takes effect at that code's next check.
#include "kernel/types.h"
#include "kernel/errno.h"
#include "kernel/spinlock.h"
#include "kernel/proc.h"
#include "kernel/trap.h"
#include "kernel/knobs.h"
#include "kernel/syscall_impl.h"

volatile long knob_crash_after_commit;
static volatile long knob_lookup_pause_pid;

void
knob_lookup_pause(void)
{
  struct proc *p = myproc();
  if (knob_lookup_pause_pid == 0 || p == 0 || p->pid != knob_lookup_pause_pid)
    return;
  acquire(&tickslock);
  uint start = ticks;
  while (ticks == start)
    sleep(&ticks, &tickslock);
  release(&tickslock);
}

long
sys_knob(void)
{
  int which;
  uint64 value;
  argint(0, &which);
  argaddr(1, &value);
  long old;
  switch (which) {
  case KNOB_CRASH_AFTER_COMMIT:
    old = knob_crash_after_commit;
    knob_crash_after_commit = (long)value;
    return old;
  case KNOB_LOOKUP_PAUSE:
    old = knob_lookup_pause_pid;
    knob_lookup_pause_pid = (long)value;
    return old;
  default:
    return -EINVAL;
  }
}
