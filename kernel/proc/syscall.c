// syscall.c -- system call dispatch. The call number arrives in a7 and the
// arguments in a0..a5 of the trapframe; the result goes back in a0, and on
// failure a0 = -1 with the error code in a1 (the user stubs store it in
// errno).
#include "kernel/types.h"
#include "kernel/param.h"
#include "kernel/riscv.h"
#include "kernel/errno.h"
#include "kernel/syscall.h"
#include "kernel/lib/printf.h"
#include "kernel/lib/string.h"
#include "kernel/proc/proc.h"
#include "kernel/mm/vm.h"
#include "kernel/proc/syscall_impl.h"

#define MAX_ERRNO 4095   // results in [-MAX_ERRNO, -1] are error codes

static uint64
argraw(int n)
{
  KASSERT(n >= 0 && n <= 5);
  return myproc()->trapframe->x[REG_A0 + n];
}

int
argint(int n, int *ip)
{
  *ip = (int)argraw(n);
  return 0;
}

void
argaddr(int n, uint64 *ap)
{
  *ap = argraw(n);
}

int
fetchaddr(uint64 addr, uint64 *ip)
{
  return copyin(myproc()->pagetable, ip, addr, sizeof(*ip));
}

int
fetchstr(uint64 addr, char *buf, int max)
{
  return copyinstr(myproc()->pagetable, buf, addr, max);
}

int
argstr(int n, char *buf, int max)
{
  return fetchstr(argraw(n), buf, max);
}

long sys_fork(void);
long sys_exit(void);
long sys_wait(void);
long sys_pipe(void);
long sys_read(void);
long sys_kill(void);
long sys_exec(void);
long sys_fstat(void);
long sys_chdir(void);
long sys_dup(void);
long sys_getpid(void);
long sys_sbrk(void);
long sys_pause(void);
long sys_uptime(void);
long sys_open(void);
long sys_write(void);
long sys_mknod(void);
long sys_unlink(void);
long sys_link(void);
long sys_mkdir(void);
long sys_close(void);
long sys_mmap(void);
long sys_munmap(void);
long sys_kstats(void);
long sys_knob(void);
long sys_msync(void);
long sys_procinfo(void);
long sys_tracedump(void);

static long (*const syscalls[])(void) = {
  [SYS_fork] sys_fork,     [SYS_exit] sys_exit,     [SYS_wait] sys_wait,
  [SYS_pipe] sys_pipe,     [SYS_read] sys_read,     [SYS_kill] sys_kill,
  [SYS_exec] sys_exec,     [SYS_fstat] sys_fstat,   [SYS_chdir] sys_chdir,
  [SYS_dup] sys_dup,       [SYS_getpid] sys_getpid, [SYS_sbrk] sys_sbrk,
  [SYS_pause] sys_pause,   [SYS_uptime] sys_uptime, [SYS_open] sys_open,
  [SYS_write] sys_write,   [SYS_mknod] sys_mknod,   [SYS_unlink] sys_unlink,
  [SYS_link] sys_link,     [SYS_mkdir] sys_mkdir,   [SYS_close] sys_close,
  [SYS_mmap] sys_mmap,     [SYS_munmap] sys_munmap, [SYS_kstats] sys_kstats,
  [SYS_knob] sys_knob,     [SYS_msync] sys_msync,
  [SYS_procinfo] sys_procinfo, [SYS_tracedump] sys_tracedump,
};

#define NSYSCALL ((int)(sizeof(syscalls) / sizeof(syscalls[0])))

void
syscall(void)
{
  struct proc *p = myproc();
  struct trapframe *tf = p->trapframe;
  int num = (int)tf->x[REG_A7];
  long r;
  if (num > 0 && num < NSYSCALL && syscalls[num])
    r = syscalls[num]();
  else
    r = -EINVAL;
  if (r < 0 && r >= -MAX_ERRNO) {
    p->err = (int)-r;
    tf->x[REG_A0] = (uint64)-1;
    tf->x[REG_A1] = (uint64)-r;
  } else {
    tf->x[REG_A0] = (uint64)r;
  }
}
