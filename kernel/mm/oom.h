// oom.h -- the out-of-memory policy: what the kernel does when a page for
// a process's user memory cannot be allocated (see oom.c for the policy
// and its reasoning).
//
// Callers: the fault path (fault_resolve, copy-on-write copies included,
// whether a store or a kernel copy made the fault) and eager heap growth
// (growproc). Kernel-internal allocations (fork's page tables and
// trapframe, exec, pipes) do not come here; they fail with -ENOMEM.
// exit() tells the policy when a process starts and finishes freeing its
// memory.
#ifndef PCV6_OOM_H
#define PCV6_OOM_H

#include "kernel/types.h"

struct proc;

// Who is asking, which decides what happens when the asker holds the most
// memory itself:
#define OOM_FAULT 0  // a page fault: the faulting process is killed
#define OOM_GROW  1  // a system call (sbrk): it fails with -ENOMEM instead

// Pages one fault may need at least: the page (a cache page), a copy of
// it (copy-on-write), the page cache's I/O scratch page, and two
// page-table pages. (Read-ahead asks for more but takes what it gets.)
#define OOM_FAULT_PAGES 5
// Pages reclaimed beyond the request, so the next faults find some free.
#define OOM_RECLAIM_SLACK 32

void oominit(void);

// An allocation for the current process's user memory failed; the retry
// allocates at most npages pages. That bound must hold: with npages pages
// free the policy says "retry" without killing anyone, and a retry that
// then fails again would come back here and loop. Reclaims what can be reclaimed, else
// kills the process holding the most user memory and sleeps until it has
// freed it (or waits for a victim already dying).
// => called from process context with no locks held; may sleep.
// Returns 0: retry the allocation (it may fail again: call again).
//         -ENOMEM: give up. For OOM_FAULT the caller has then been killed
//         (it was the victim, or was killed while waiting) and must not
//         report the fault as a bad access; for OOM_GROW the system call
//         fails (and if the caller was killed meanwhile, it exits on the
//         way out as usual).
int oom_wait_for_memory(int kind, uint64 npages);

// The reclaim step, on its own: frees memory the kernel holds but nobody
// needs right now, aiming at `want` pages. Returns the pages freed.
// => no locks held; may sleep.
uint64 oom_reclaim(uint64 want);

// exit(): p starts freeing its user memory / has freed all of it.
// => no locks held.
void oom_exit_begin(struct proc *p);
void oom_exit_end(struct proc *p);

#endif
