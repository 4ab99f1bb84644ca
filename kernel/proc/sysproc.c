// sysproc.c -- process system calls: argument checking only; the work is
// in proc.c.
#include "kernel/types.h"
#include "kernel/param.h"
#include "kernel/riscv.h"
#include "kernel/errno.h"
#include "kernel/lib/spinlock.h"
#include "kernel/proc/proc.h"
#include "kernel/arch/trap.h"
#include "kernel/proc/syscall_impl.h"

#define SBRK_EAGER 0
#define SBRK_LAZY  1

long
sys_exit(void)
{
  int status;
  argint(0, &status);
  exit(status);
}

long
sys_getpid(void)
{
  return myproc()->pid;
}

long
sys_fork(void)
{
  return fork();
}

long
sys_wait(void)
{
  uint64 status_addr;
  argaddr(0, &status_addr);
  return wait(status_addr);
}

// sbrk(n, lazy): moves the break by n bytes; returns the old break.
long
sys_sbrk(void)
{
  int n, kind;
  argint(0, &n);
  argint(1, &kind);
  if (kind != SBRK_EAGER && kind != SBRK_LAZY)
    return -EINVAL;
  uint64 old = myproc()->sz;
  int err = growproc(n, kind == SBRK_LAZY);
  if (err < 0)
    return err;
  return old;
}

// pause(n): sleeps n clock ticks; -EINTR if killed meanwhile.
long
sys_pause(void)
{
  int n;
  argint(0, &n);
  if (n < 0)
    n = 0;
  return sleep_ticks((uint)n);
}

long
sys_kill(void)
{
  int pid;
  argint(0, &pid);
  return kill(pid);
}

long
sys_uptime(void)
{
  acquire(&tickslock);
  uint t = ticks;
  release(&tickslock);
  return t;
}

// procinfo(buf, max): describes up to max processes in the user array buf
// (struct procinfo, kernel/procinfo.h); returns how many.
long
sys_procinfo(void)
{
  uint64 buf;
  int max;
  argaddr(0, &buf);
  argint(1, &max);
  if (max < 0)
    return -EINVAL;
  return proc_list(buf, max);
}
