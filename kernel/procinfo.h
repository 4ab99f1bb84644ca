// procinfo.h -- what procinfo() (system call 27, a pcv6 extension, not
// part of the xv6 ABI) reports about each process; shared by the kernel
// and user programs (`ps`). Needs types.h.
//
//   int procinfo(struct procinfo *buf, int max);
//
// Fills up to max entries, one per process slot in use, in process-table
// order, and returns how many it filled (-1 with EFAULT if buf is not
// writable, EINVAL if max is negative). Each entry is a snapshot taken
// under that process's lock; the list as a whole is not one instant, so a
// process may exit or appear while the table is being read.
#ifndef PCV6_PROCINFO_H
#define PCV6_PROCINFO_H

// struct procinfo.state. Named values of our own, so the ABI does not
// change when the kernel's internal state list does.
#define PROCINFO_NEW      1  // being created by fork, not yet runnable
#define PROCINFO_SLEEPING 2  // waiting for an event (I/O, child, time, ...)
#define PROCINFO_RUNNABLE 3  // ready, waiting for a hart
#define PROCINFO_RUNNING  4  // on a hart right now
#define PROCINFO_ZOMBIE   5  // exited; its parent has not collected it yet

#define PROCINFO_NAMELEN 16  // bytes of name, NUL included

struct procinfo {
  int pid;      // process id
  int ppid;     // parent's process id; 0 for init, which has none
  int state;    // PROCINFO_*
                // (4 bytes of padding here, always zero)
  uint64 pages; // resident user pages: present, user-accessible pages of
                // its page table (program, stack, heap, mapped-file
                // pages, and mapped pages mprotect made PROT_NONE; not
                // page-table pages, not its kernel stack or trapframe).
                // A page shared by several processes counts in each;
                // lazily grown heap not touched yet does not. 0 for a
                // kernel process (it has no user memory).
  char name[PROCINFO_NAMELEN]; // program name (last element of the exec
                               // path), always NUL-terminated
};

#endif
