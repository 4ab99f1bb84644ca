// ps.c -- ps: list the processes, one line each:
//   PID  PPID STATE     PAGES  FILE  ANON SHARED NAME
// PPID is the parent's pid (0 for init); STATE is one of new, sleeping,
// runnable, running, zombie; PAGES counts the resident user pages (4 KiB
// each) of the process's address space, and FILE, ANON and SHARED split
// them by kind (they add up to PAGES): file pages of the page cache only
// this process maps, private pages only it has (heap, stack, copies,
// private anonymous memory; every page of the naive policy), and pages
// someone else has too or shared anonymous memory. kernel/procinfo.h
// defines each exactly. The data comes from the procinfo() system call;
// ps itself is always "running", since it is on a hart while it asks.
#include "kernel/types.h"
#include "kernel/param.h"
#include "kernel/procinfo.h"
#include "user/user.h"

static struct procinfo table[NPROC];

static const char *
state_name(int state)
{
  switch (state) {
  case PROCINFO_NEW: return "new";
  case PROCINFO_SLEEPING: return "sleeping";
  case PROCINFO_RUNNABLE: return "runnable";
  case PROCINFO_RUNNING: return "running";
  case PROCINFO_ZOMBIE: return "zombie";
  default: return "?";
  }
}

int main(int argc, char **argv)
{
  static char opt[NFLAGS];
  int first = getflags(argc, argv, "", opt);
  if (first != argc) {
    fprintf(2, "usage: ps   (lists every process; takes no arguments)\n");
    return 1;
  }
  int n = procinfo(table, NPROC);
  if (n < 0) {
    perror("ps: procinfo");
    return 1;
  }
  printf("  PID  PPID STATE     PAGES  FILE  ANON SHARED NAME\n");
  for (int i = 0; i < n; i++) {
    struct procinfo *pi = &table[i];
    printf("%5d %5d %-9s %5lu %5lu %5lu %6lu %s\n", pi->pid, pi->ppid,
           state_name(pi->state), pi->pages, pi->file_pages, pi->anon_pages,
           pi->shared_pages, pi->name);
  }
  return 0;
}
