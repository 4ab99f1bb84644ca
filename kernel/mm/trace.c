// trace.c -- the bounded fault trace (trace.h): a fixed array of events
// filled in order while tracing is on.
//
// Recording is lock free: an event claims its slot with an atomic add on
// `next`; a slot past TRACE_MAX is simply not recorded (the count still
// says how many were lost). Turning tracing on resets the buffer; it is
// meant for one measured run at a time, with no recording running while
// it is reset or read.
#include "kernel/types.h"
#include "kernel/param.h"
#include "kernel/riscv.h"
#include "kernel/errno.h"
#include "kernel/proc/proc.h"
#include "kernel/mm/vm.h"
#include "kernel/mm/trace_impl.h"
#include "kernel/proc/syscall_impl.h"

static struct {
  volatile int on;
  uint32 next;  // [atomic] slots claimed (may exceed TRACE_MAX)
  struct trace_event ev[TRACE_MAX];
} trace;

void
trace_event(int kind, uint inum, uint64 pgno)
{
  if (!trace.on)
    return;
  uint32 i = __atomic_fetch_add(&trace.next, 1, __ATOMIC_RELAXED);
  if (i >= TRACE_MAX)
    return;
  trace.ev[i].seq = i;
  trace.ev[i].kind = kind;
  trace.ev[i].inum = inum;
  trace.ev[i].pgno = (uint32)pgno;
}

long
trace_knob(long on)
{
  if (on != 0 && on != 1)
    return -EINVAL;
  if (on) {
    trace.on = 0;
    __atomic_store_n(&trace.next, 0, __ATOMIC_SEQ_CST);
    trace.on = 1;
  } else {
    trace.on = 0;
  }
  uint32 n = __atomic_load_n(&trace.next, __ATOMIC_SEQ_CST);
  return n < TRACE_MAX ? n : TRACE_MAX;
}

// tracedump(buf, start, max): copies events [start, start+max) that exist.
long
sys_tracedump(void)
{
  uint64 buf;
  int start, max;
  argaddr(0, &buf);
  argint(1, &start);
  argint(2, &max);
  if (start < 0 || max < 0)
    return -EINVAL;
  uint32 n = __atomic_load_n(&trace.next, __ATOMIC_SEQ_CST);
  if (n > TRACE_MAX)
    n = TRACE_MAX;
  if ((uint32)start >= n)
    return 0;
  if ((uint32)max > n - start)
    max = n - start;
  if (copyout(myproc()->pagetable, buf, &trace.ev[start], (uint64)max * sizeof(trace.ev[0])) < 0)
    return -EFAULT;
  return max;
}
