// kstats.c -- the kernel's event counters and the kstats() system call.
//
// Counters are 64-bit and updated with atomic adds (kstat_inc), so any
// hart may bump them without a lock; a reader sees each counter exactly
// but the set is not a consistent snapshot. The gauges (free pages, open
// files, cached inodes) are read from their owners when kstats() runs.
#include "kernel/types.h"
#include "kernel/param.h"
#include "kernel/riscv.h"
#include "kernel/errno.h"
#include "kernel/mm/kalloc.h"
#include "kernel/proc/proc.h"
#include "kernel/mm/vm.h"
#include "kernel/fs/inode.h"
#include "kernel/fs/file.h"
#include "kernel/kstats.h"
#include "kernel/mm/kstats_impl.h"
#include "kernel/proc/syscall_impl.h"

struct kstats kstat_counters;

long
sys_kstats(void)
{
  uint64 addr;
  argaddr(0, &addr);
  struct kstats s = kstat_counters;
  s.free_pages = kfree_pages();
  s.files_open = files_in_use();
  s.inodes_cached = inodes_in_use();
  return copyout(myproc()->pagetable, addr, &s, sizeof(s));
}
