// fault.c -- the user page-fault path.
//
// A fault on a present page is a store to a read-only page of a mapped
// area (handed to the area's policy: copy-on-write or dirty tracking), a
// store to a page of the stack or heap (or a copied program) that a fork shared
// (PTE_COW: cow_write, the same copy-on-write path as a private area's),
// or a stale translation (the access is simply retried). A fault on a
// missing page at va is legal in exactly these cases, tried in order:
//   1. lazy heap: heap_base <= va < sz and no page is there yet (sbrklazy
//      grew the break without allocating); a zeroed page is mapped R|W.
//   2. mapped area: va lies in one of the process's vmas (a file, or
//      anonymous memory; the program's own areas, which exec makes, are
//      vmas too); the access is checked against the area's rights and the
//      area's policy (mmap_cache.c or mmap_naive.c) supplies the page.
// Everything else -- the stack guard page, addresses beyond the break,
// stores to read-only pages (program text: its area has no PROT_WRITE;
// a copied program's, under the naive policy, is shared by fork without
// PTE_COW), kernel addresses -- returns -EFAULT and the caller kills the
// process.
//
// When a case cannot get a page (-ENOMEM), the out-of-memory policy
// (oom.c) makes room, normally by killing the process that holds the most
// memory, and the fault is retried from the start: the process slept
// meanwhile, so nothing found before is trusted. A case returns -ENOMEM
// only when a page allocation failed, and allocates at most
// OOM_FAULT_PAGES pages (oom.h: the page, a copy-on-write copy, the
// fill's scratch page, two page-table pages; read-ahead may ask for more
// but settles for what it gets). A copy-on-write store to a page with
// other owners needs one: its copy.
#include "kernel/types.h"
#include "kernel/param.h"
#include "kernel/riscv.h"
#include "kernel/memlayout.h"
#include "kernel/errno.h"
#include "kernel/mm/kalloc.h"
#include "kernel/proc/proc.h"
#include "kernel/mm/vm.h"
#include "kernel/mm/vma.h"
#include "kernel/fcntl.h"
#include "kernel/mm/fault.h"
#include "kernel/mm/kstats_impl.h"
#include "kernel/mm/trace_impl.h"
#include "kernel/fs/file.h"
#include "kernel/fs/inode.h"
#include "kernel/mm/oom.h"
#include "kernel/mm/cow.h"
#include "kernel/mm/writeback.h"

// Would a user access of this kind go through this PTE?
static int
pte_allows(pte_t pte, int access)
{
  if ((pte & PTE_U) == 0)
    return 0;
  switch (access) {
  case FAULT_READ: return (pte & PTE_R) != 0;
  case FAULT_WRITE: return (pte & PTE_W) != 0;
  default: return (pte & PTE_X) != 0;
  }
}

static int
fault_lazy_heap(struct proc *p, uint64 va)
{
  return uvmmapzero(p->pagetable, va, PTE_R | PTE_W | PTE_U);
}

// A fault at va inside area v: 0 when the page is now mapped, -EFAULT
// when v->prot does not allow the access, else the policy's error.
static int
fault_area(struct proc *p, struct vma *v, uint64 va, int access)
{
  // RISC-V has no write-only pages, so PROT_WRITE implies reading.
  if ((access == FAULT_WRITE && !(v->prot & PROT_WRITE)) ||
      (access == FAULT_READ && !(v->prot & (PROT_READ | PROT_WRITE))) ||
      (access == FAULT_EXEC && !(v->prot & PROT_EXEC)))
    return -EFAULT;
  uint64 reads = p->disk_reads;
  int err = v->policy->fault(p, v, va, access);
  if (err == 0) {
    int major = p->disk_reads != reads;
    kstat_inc(faults);
    if (major)
      kstat_inc(faults_major);
    else
      kstat_inc(faults_minor);
    uint inum = v->file ? v->file->ip->inum : 0;  // 0: private anonymous memory
    trace_event(major ? TRACE_MAJOR : TRACE_MINOR, inum, vma_pgno(v, va));
    // A store into a file's shared page dirties it: writers are held
    // back while too many pages wait for write-back (writeback.c).
    if (access == FAULT_WRITE && (v->flags & MAP_SHARED) && !vma_is_anon(v))
      wb_throttle();
  }
  return err;
}

// One attempt at the fault: 0, -EFAULT, or -ENOMEM when no page was free.
static int
resolve_once(struct proc *p, uint64 va, int access)
{
  if (va >= MAXVA)
    return -EFAULT;
  va = PGROUNDDOWN(va);
  pte_t *pte = walk(p->pagetable, va, 0);
  // One read of the PTE: a reverse-map walker (eviction, truncation) on
  // another hart may clear it at any moment, and deciding on two reads
  // could see "present" and then "no PTE_U" and kill the process for a
  // page that was merely evicted. The policy re-checks under its lock.
  pte_t e = pte != 0 ? __atomic_load_n(pte, __ATOMIC_RELAXED) : 0;
  if ((e & PTE_V) != 0) {
    // Present: either another hart's change made a stale translation
    // fault (retry), or its rights refused the access -- final, except
    // for a store in a writable mapped area (copy-on-write, or the first
    // store to a clean page when the D bit is tracked by faults).
    if (pte_allows(e, access))
      return 0;
    if (access != FAULT_WRITE || (e & PTE_U) == 0)
      return -EFAULT;
    struct vma *v = vma_find_any(p, va);
    if (v != 0)
      return fault_area(p, v, va, access);
    if ((e & PTE_COW) && va < p->sz)
      return cow_write(pte, e);  // the stack or heap after a fork
    return -EFAULT;
  }

  if (va >= p->heap_base && va < p->sz)
    return access == FAULT_EXEC ? -EFAULT : fault_lazy_heap(p, va);
  struct vma *v = vma_find_any(p, va);
  if (v != 0)
    return fault_area(p, v, va, access);
  return -EFAULT;
}

int
fault_resolve(struct proc *p, uint64 va, int access)
{
  for (;;) {
    int err = resolve_once(p, va, access);
    if (err != -ENOMEM)
      return err;
    if ((err = oom_wait_for_memory(OOM_FAULT, OOM_FAULT_PAGES)) != 0)
      return err;
  }
}
