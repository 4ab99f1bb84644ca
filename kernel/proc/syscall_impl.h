// syscall_impl.h -- the kernel side of system calls: dispatch and safe
// fetching of arguments from the trapframe and user memory.
// (kernel/syscall.h holds only the ABI's call numbers.)
//
// Each sys_*() returns a long: a result >= 0, or -E* from errno.h. The
// dispatcher gives user code -1 for errors and the code in a1 (errno).
#ifndef PCV6_SYSCALL_IMPL_H
#define PCV6_SYSCALL_IMPL_H

#include "kernel/types.h"

void syscall(void);

int  argint(int n, int *ip);          // always succeeds (no memory access)
void argaddr(int n, uint64 *ap);      // raw pointer; checked when used
int  argstr(int n, char *buf, int max);   // 0 or -E*
int  fetchaddr(uint64 addr, uint64 *ip);  // 0 or -EFAULT
int  fetchstr(uint64 addr, char *buf, int max);

#endif
