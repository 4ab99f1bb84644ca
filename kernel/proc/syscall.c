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

// Handlers by number, from the list in kernel/syscall.h; numbers it does
// not use stay 0. Two entries with one number would make GCC's
// override-init warning fire here, which this file makes an error.
#pragma GCC diagnostic push
#pragma GCC diagnostic error "-Woverride-init"
#define SYSCALL_SLOT_(number, name, ...) [SYS_##name] = sys_##name,
static long (*const syscalls[])(void) = {SYSCALL_LIST(SYSCALL_SLOT_)};
#undef SYSCALL_SLOT_
#pragma GCC diagnostic pop

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
