// syscall_impl.h -- the kernel side of system calls: the handlers'
// prototypes, dispatch, and safe fetching of arguments from the trapframe
// and user memory. (kernel/syscall.h holds the list of calls, shared with
// user space.)
//
// Each sys_*() returns a long: a result >= 0, or -E* from errno.h. The
// dispatcher gives user code -1 for errors and the code in a1 (errno).
#ifndef PCV6_SYSCALL_IMPL_H
#define PCV6_SYSCALL_IMPL_H

#include "kernel/types.h"
#include "kernel/syscall.h"

// long sys_<name>(void) for every entry of SYSCALL_LIST: declared here,
// where each file that defines a handler sees it, so a handler with
// another signature does not compile (and a listed call without a handler
// does not link: syscall.c's table names it).
#define SYSCALL_HANDLER_(number, name, ...) long sys_##name(void);
SYSCALL_LIST(SYSCALL_HANDLER_)
#undef SYSCALL_HANDLER_

void syscall(void);

int  argint(int n, int *ip);          // always succeeds (no memory access)
void argaddr(int n, uint64 *ap);      // raw pointer; checked when used
int  argstr(int n, char *buf, int max);   // 0 or -E*
int  fetchaddr(uint64 addr, uint64 *ip);  // 0 or -EFAULT
int  fetchstr(uint64 addr, char *buf, int max);

#endif
