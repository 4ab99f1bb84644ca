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

// The resident pages of a process, `pages`, are split three ways, by
// what each page is now (page_use, kernel/mm/page.h), so that
// file_pages + anon_pages + shared_pages == pages:
//   shared  someone else has the page too -- a page a fork shared that
//           neither side has stored to since, a file page another process
//           maps as well (or this one in two areas) -- or it is shared
//           anonymous memory (MAP_SHARED | MAP_ANONYMOUS), shared by
//           design even while one process maps it (Linux's RssShmem;
//           Linux's smaps calls the rest Shared_*)
//   file    a page of the page cache that only this process maps: a
//           file's page mapped MAP_SHARED, or MAP_PRIVATE and not stored
//           to yet (and the program's text, where exec maps it from the
//           cache) -- memory the cache keeps when the process goes
//   anon    a private page only this process has: its heap and stack,
//           program pages exec copied, private copies made by stores,
//           private anonymous areas, and every page of a file area of
//           the naive policy (a copy of the file's data per mapping) --
//           memory freed when the process goes
// Each page is classified as it is when the walk reads it; like pages,
// the split may be a moment old.
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
  uint64 file_pages;   // of pages: file, as above (added after name, so
  uint64 anon_pages;   //   the fields before keep their offsets)
  uint64 shared_pages;
};

#endif
