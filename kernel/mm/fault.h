// fault.h -- resolving a user page fault: the one place that decides
// whether a missing or protected user page can be supplied, and supplies
// it. Called from the trap handler and from copyin/copyout.
#ifndef PCV6_FAULT_H
#define PCV6_FAULT_H

#include "kernel/types.h"

#define FAULT_READ  0
#define FAULT_WRITE 1
#define FAULT_EXEC  2

struct proc;

// => called from process context for p == myproc(), no spinlocks held;
//    may sleep (disk I/O for file-backed pages).
// Returns 0 when the page at va is now mapped for this access, -EFAULT
// when the access is illegal (the caller kills or fails), -ENOMEM when no
// memory could be found even by the out-of-memory policy, which has then
// killed p (and said so on the console) -- unless p is init, which it
// never kills.
int fault_resolve(struct proc *p, uint64 va, int access);

#endif
