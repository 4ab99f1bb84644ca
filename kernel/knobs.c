// knobs.c -- the knob() system call: knob(which, value) sets a run-time
// switch from knobs.h and returns its previous value, or fails with
// EINVAL for an unknown knob. Knobs are plain words read without locks by
// the code they steer; a change takes effect at that code's next check.
#include "kernel/types.h"
#include "kernel/errno.h"
#include "kernel/knobs.h"
#include "kernel/syscall_impl.h"

volatile long knob_crash_after_commit;

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
  default:
    return -EINVAL;
  }
}
