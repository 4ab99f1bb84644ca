// knobs.c -- the knob() system call: knob(which, value) sets a run-time
// switch from knobs.h and returns its previous value (KNOB_DROP: pages
// freed; KNOB_TRACE: events held), or fails with EINVAL for an unknown
// knob or a value out of its range. Knobs are plain words read without locks by
// the code they steer; a change takes effect at that code's next check. The
// disk fault-injection knobs are the exception: they live in the disk driver,
// under its lock, since each request counts one down (disk_fail_knob).
#include "kernel/types.h"
#include "kernel/errno.h"
#include "kernel/lib/spinlock.h"
#include "kernel/lib/printf.h"
#include "kernel/proc/proc.h"
#include "kernel/arch/trap.h"
#include "kernel/mm/knobs_impl.h"
#include "kernel/mm/vma.h"
#include "kernel/mm/pagecache.h"
#include "kernel/mm/megapage.h"
#include "kernel/mm/prefetch.h"
#include "kernel/mm/writeback.h"
#include "kernel/mm/trace_impl.h"
#include "kernel/dev/wcache.h"
#include "kernel/dev/disk.h"
#include "kernel/proc/syscall_impl.h"

volatile long knob_crash_after_commit;
static volatile long knob_lookup_pause_pid;
static volatile long knob_op_pause_pid;
static volatile long knob_free_pause_pid;
// KNOB_DUP_PAUSE: 0, an armed pid, or pid + DUP_PAUSE_STOPPED while that
// process's fork is stopped. knob() stores it and the fork changes it,
// each with an atomic operation, so neither loses the other's store.
static volatile long knob_dup_pause_word;

// Sleeps until the next clock tick if the running process's pid is *pid.
static void
pause_if(volatile long *pid)
{
  struct proc *p = myproc();
  if (*pid == 0 || p == 0 || p->pid != *pid)
    return;
  sleep_ticks(1);  // a killed process goes on at once: it is on its way out
}

void
knob_lookup_pause(void)
{
  pause_if(&knob_lookup_pause_pid);
}

void
knob_op_pause(void)
{
  pause_if(&knob_op_pause_pid);
}

void
knob_free_pause(uint inum, int piece)
{
  struct proc *p = myproc();
  if (knob_free_pause_pid == 0 || p == 0 || p->pid != knob_free_pause_pid)
    return;
  printf("fs: inode %d: piece %d\n", inum, piece);
  pause_if(&knob_free_pause_pid);
}

// Stops the running process here if KNOB_DUP_PAUSE names it, until the
// knob is set to 0, DUP_PAUSE_MAX_TICKS pass, or the process is killed;
// once only (the knob is 0 when it goes on).
void
knob_dup_pause(void)
{
  struct proc *p = myproc();
  long armed = knob_dup_pause_word;
  if (armed == 0 || p == 0 || armed != p->pid)
    return;
  long stopped = armed + DUP_PAUSE_STOPPED;
  if (!__atomic_compare_exchange_n(&knob_dup_pause_word, &armed, stopped, 0, __ATOMIC_SEQ_CST,
                                   __ATOMIC_SEQ_CST))
    return;  // set to something else meanwhile
  acquire(&tickslock);
  uint start = ticks;
  while (knob_dup_pause_word == stopped && ticks - start < DUP_PAUSE_MAX_TICKS && !killed(p))
    sleep(&ticks, &tickslock);  // the knob is looked at again every tick
  release(&tickslock);
  // Gone on by itself: disarm, unless the knob was set meanwhile.
  __atomic_compare_exchange_n(&knob_dup_pause_word, &stopped, 0, 0, __ATOMIC_SEQ_CST,
                              __ATOMIC_SEQ_CST);
}

// KNOB_DUP_PAUSE: arm (a pid), let a stopped fork go on (0), or read.
static long
dup_pause_knob(long value)
{
  if (value == DUP_PAUSE_READ)
    return knob_dup_pause_word;
  if (value < 0 || value >= DUP_PAUSE_STOPPED)
    return -EINVAL;
  return __atomic_exchange_n(&knob_dup_pause_word, value, __ATOMIC_SEQ_CST);
}

long
knob_set_in_range(volatile long *word, long value, long lo, long hi)
{
  if (value < lo || value > hi)
    return -EINVAL;
  long old = *word;
  *word = value;
  return old;
}

static long
set_policy(long value)
{
  long old = vma_default_policy == &mmap_naive_policy ? MMAP_POLICY_NAIVE : MMAP_POLICY_CACHE;
  if (value == MMAP_POLICY_NAIVE)
    vma_default_policy = &mmap_naive_policy;
  else if (value == MMAP_POLICY_CACHE)
    vma_default_policy = &mmap_cache_policy;
  else
    return -EINVAL;
  return old;
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
  case KNOB_POLICY:
    return set_policy((long)value);
  case KNOB_FAULTAROUND:
    if ((long)value < 1 || (long)value > WINDOW_MAX || (value & (value - 1)) != 0)
      return -EINVAL;  // a power of two: the window is aligned
    return knob_set_in_range(&cache_faultaround, (long)value, 1, WINDOW_MAX);
  case KNOB_FAULTAROUND_MAX:
    if ((long)value < 1 || (long)value > FAULTAROUND_MAX || (value & (value - 1)) != 0)
      return -EINVAL;  // a power of two: windows stay aligned as they grow
    return knob_set_in_range(&cache_faultaround_max, (long)value, 1, FAULTAROUND_MAX);
  case KNOB_HIT_LOCKLESS:
    return knob_set_in_range(&cache_hit_lockless, (long)value, 0, 1);
  case KNOB_READAHEAD:
    return knob_set_in_range(&pc_readahead_max, (long)value, 0, WINDOW_MAX);
  case KNOB_DROP:
    prefetch_drain();  // no MADV_WILLNEED job may still hold pages or a file
    return pc_drop_all();
  case KNOB_TRACE:
    return trace_knob((long)value);
  case KNOB_SVADE:
    return knob_set_in_range(&pc_svade, (long)value, 0, 1);
  case KNOB_PC_LIMIT:
    return knob_set_in_range(&pc_limit, (long)value, 0, 1L << 30);
  case KNOB_LOOKUP_PAUSE:
    old = knob_lookup_pause_pid;
    knob_lookup_pause_pid = (long)value;
    return old;
  case KNOB_OP_PAUSE:
    old = knob_op_pause_pid;
    knob_op_pause_pid = (long)value;
    return old;
  case KNOB_FREE_PAUSE:
    old = knob_free_pause_pid;
    knob_free_pause_pid = (long)value;
    return old;
  case KNOB_DUP_PAUSE:
    return dup_pause_knob((long)value);
  case KNOB_LOCKCHECK_TEST:
    return lockcheck_selftest((long)value);
  case KNOB_DISK_FAIL_NTH:
  case KNOB_DISK_FAIL_BLOCK:
    return disk_fail_knob(which, (long)value);
  case KNOB_WCACHE:
    return wc_knob_mode((long)value);
  case KNOB_POWER_CUT:
    return wc_knob_cut((long)value);
  case KNOB_WB_EXPIRE:
  case KNOB_WB_INTERVAL:
  case KNOB_WB_BACKGROUND:
  case KNOB_WB_THROTTLE:
  case KNOB_WB_RUN:
    return wb_knob(which, (long)value);
  case KNOB_MEGAPAGES:
    return knob_set_in_range(&mega_mode, (long)value, MEGA_OFF, MEGA_WRITABLE);
  default:
    return -EINVAL;
  }
}
