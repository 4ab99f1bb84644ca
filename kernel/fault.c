// fault.c -- the user page-fault path.
//
// A fault at va is legal in exactly these cases, tried in order:
//   1. lazy heap: heap_base <= va < sz and no page is there yet (sbrklazy
//      grew the break without allocating); a zeroed page is mapped R|W.
//   2. mapped file area: va lies in one of the process's vmas; vma.c
//      checks the access against the area's rights and its policy
//      supplies the page.
// Everything else -- the stack guard page, addresses beyond the break,
// stores to read-only pages, kernel addresses -- returns -EFAULT and the
// caller kills the process.
//
// When a case cannot get a page (-ENOMEM), the out-of-memory policy
// (oom.c) makes room, normally by killing the process that holds the most
// memory, and the fault is retried from the start: the process slept
// meanwhile, so nothing found before is trusted. A case returns -ENOMEM
// only when a page allocation failed, and allocates at most
// OOM_FAULT_PAGES pages (the page and two page-table pages).
#include "kernel/types.h"
#include "kernel/param.h"
#include "kernel/riscv.h"
#include "kernel/memlayout.h"
#include "kernel/errno.h"
#include "kernel/kalloc.h"
#include "kernel/proc.h"
#include "kernel/vm.h"
#include "kernel/vma.h"
#include "kernel/fault.h"
#include "kernel/oom.h"

static int
fault_lazy_heap(struct proc *p, uint64 va)
{
  void *mem = kzalloc();
  if (mem == 0)
    return -ENOMEM;
  if (mappages(p->pagetable, va, PGSIZE, (uint64)mem, PTE_R | PTE_W | PTE_U) != 0) {
    kfree(mem);
    return -ENOMEM;
  }
  return 0;
}

// One attempt at the fault: 0, -EFAULT, or -ENOMEM when no page was free.
static int
resolve_once(struct proc *p, uint64 va, int access)
{
  if (va >= MAXVA)
    return -EFAULT;
  va = PGROUNDDOWN(va);
  // A page that is present yet faults was refused by its rights (until
  // copy-on-write exists, that is always final).
  pte_t *pte = walk(p->pagetable, va, 0);
  if (pte != 0 && (*pte & PTE_V) != 0)
    return -EFAULT;

  if (va >= p->heap_base && va < p->sz)
    return access == FAULT_EXEC ? -EFAULT : fault_lazy_heap(p, va);
  struct vma *v = vma_find(p, va);
  if (v != 0)
    return vma_fault(p, v, va, access);
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
