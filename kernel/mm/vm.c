// vm.c -- page tables.
//
// The kernel page table maps RAM and the devices at their physical
// addresses (so kernel pointers are physical addresses), the trampoline at
// TRAMPOLINE, and one kernel stack per process slot below it, each with an
// unmapped guard page underneath.
//
// User page tables map the program from 0 up, then TRAPFRAME and
// TRAMPOLINE (without PTE_U) at the top. Pages may be missing anywhere in
// the user range: the stack guard page, lazily grown heap, and areas --
// mmap's and the program's own (exec.c) -- that have not been touched.
// Every page of the stack and heap (and of a program exec copied) is a
// private page (PG_ANON, page.h) owned by the PTEs mapping it: fork shares
// them copy-on-write (uvmshare, cow.c) and freeing one here drops an owner
// (uvmunmap), never a page another process still has. The program's areas
// are the area code's (vma.c), released before anything here walks below
// the break.
//
// The page cache's file mappings may hold megapages (leaves at level 1,
// megapage.c): walk and walk_sparse treat one as missing, walk_mega finds
// it, count_pages counts its 512 pages, and kernel copies read through it
// (a kernel store faults like a user one, which splits it).
//
// Copies to/from user memory go through user_page(), which allows a copy
// only where the process's own load or store would be allowed (PTE_R to
// read, PTE_W to write), and asks the fault handler (fault.c) to supply a
// missing page, or a store to a page fork shared (no W yet), exactly as a
// hardware page fault would -- except while the process has p->nofault
// set: a fault may need to lock an inode (a mapped file's), so code
// holding an inode lock prefaults first and sets nofault, and an untouched
// page then ends the copy with EFAULT instead.
#include "kernel/types.h"
#include "kernel/param.h"
#include "kernel/memlayout.h"
#include "kernel/riscv.h"
#include "kernel/errno.h"
#include "kernel/lib/printf.h"
#include "kernel/lib/string.h"
#include "kernel/mm/kalloc.h"
#include "kernel/proc/proc.h"
#include "kernel/mm/fault.h"
#include "kernel/mm/vm.h"
#include "kernel/mm/kstats_impl.h"
#include "kernel/mm/pagecache.h"
#include "kernel/mm/page.h"
#include "kernel/mm/cow.h"

pagetable_t kernel_pagetable;

extern char etext[];       // kernel.ld: end of kernel text
extern char _trampoline[]; // trampoline.S

#define PLIC_SIZE 0x400000

void
kvmmap(pagetable_t kpt, uint64 va, uint64 pa, uint64 sz, int perm)
{
  if (mappages(kpt, va, sz, pa, perm) != 0)
    panic("kvmmap: out of memory at boot");
}

static void
map_kernel_stacks(pagetable_t kpt)
{
  for (int i = 0; i < NPROC; i++) {
    void *pa = kalloc();
    if (pa == 0)
      panic("map_kernel_stacks: out of memory at boot");
    kvmmap(kpt, KSTACK(i) + PGSIZE, (uint64)pa, PGSIZE, PTE_R | PTE_W);
  }
}

void
kvminit(void)
{
  pagetable_t kpt = kzalloc();
  if (kpt == 0)
    panic("kvminit");
  kvmmap(kpt, FINISHER, FINISHER, PGSIZE, PTE_R | PTE_W);
  kvmmap(kpt, UART0, UART0, PGSIZE, PTE_R | PTE_W);
  kvmmap(kpt, VIRTIO0, VIRTIO0, PGSIZE, PTE_R | PTE_W);
  kvmmap(kpt, PLIC, PLIC, PLIC_SIZE, PTE_R | PTE_W);
  kvmmap(kpt, KERNLOAD, KERNLOAD, (uint64)etext - KERNLOAD, PTE_R | PTE_X);
  kvmmap(kpt, (uint64)etext, (uint64)etext, PHYSTOP - (uint64)etext, PTE_R | PTE_W);
  kvmmap(kpt, TRAMPOLINE, (uint64)_trampoline, PGSIZE, PTE_R | PTE_X);
  map_kernel_stacks(kpt);
  kernel_pagetable = kpt;
}

void
kvminithart(void)
{
  sfence_vma();
  w_satp(MAKE_SATP(kernel_pagetable));
  sfence_vma();
}

pte_t *
walk(pagetable_t pagetable, uint64 va, int alloc)
{
  if (va >= MAXVA)
    return 0;
  for (int level = 2; level > 0; level--) {
    pte_t *pte = &pagetable[PX(level, va)];
    // One read: a megapage's level-1 leaf may be taken out by another
    // hart (eviction, truncation) between two.
    pte_t e = __atomic_load_n(pte, __ATOMIC_RELAXED);
    if (e & PTE_V) {
      if (PTE_LEAF(e))
        return 0;  // a megapage (megapage.c): no last-level PTE to give
      pagetable = (pagetable_t)PTE2PA(e);
    } else {
      if (!alloc || (pagetable = kzalloc()) == 0)
        return 0;
      // The zeroes before the pointer: the page cache's reverse-map
      // walkers may read this table from another hart at any moment.
      __sync_synchronize();
      *pte = PA2PTE(pagetable) | PTE_V;
    }
  }
  return &pagetable[PX(0, va)];
}

pte_t *
walk_sparse(pagetable_t pagetable, uint64 va, uint64 *next)
{
  kstat_inc(walk_steps);
  *next = va + PGSIZE;
  for (int level = 2; level > 0; level--) {
    pte_t *pte = &pagetable[PX(level, va)];
    if ((*pte & PTE_V) == 0 || PTE_LEAF(*pte)) {  // missing, or a megapage: step over
      uint64 span = 1UL << PXSHIFT(level);
      *next = (va & ~(span - 1)) + span;
      return 0;
    }
    pagetable = (pagetable_t)PTE2PA(*pte);
  }
  return &pagetable[PX(0, va)];
}

pte_t *
walk_l1(pagetable_t pagetable, uint64 va, int alloc)
{
  if (va >= MAXVA)
    return 0;
  pte_t *top = &pagetable[PX(2, va)];
  if ((*top & PTE_V) == 0) {
    pagetable_t t;
    if (!alloc || (t = kzalloc()) == 0)
      return 0;
    __sync_synchronize();  // the zeroes before the pointer, as in walk()
    *top = PA2PTE(t) | PTE_V;
  }
  return &((pagetable_t)PTE2PA(*top))[PX(1, va)];
}

pte_t *
walk_mega(pagetable_t pagetable, uint64 va)
{
  pte_t *l1 = walk_l1(pagetable, va, 0);
  if (l1 == 0)
    return 0;
  pte_t e = __atomic_load_n(l1, __ATOMIC_RELAXED);
  return (e & PTE_V) && PTE_LEAF(e) ? l1 : 0;
}

uint64
walkaddr(pagetable_t pagetable, uint64 va)
{
  pte_t *pte = walk(pagetable, va, 0);
  if (pte == 0 || (*pte & PTE_V) == 0 || (*pte & PTE_U) == 0)
    return 0;
  return PTE2PA(*pte);
}

int
mappages(pagetable_t pagetable, uint64 va, uint64 size, uint64 pa, int perm)
{
  KASSERT(va % PGSIZE == 0 && size % PGSIZE == 0 && size > 0);
  for (uint64 off = 0; off < size; off += PGSIZE) {
    pte_t *pte = walk(pagetable, va + off, 1);
    if (pte == 0) {
      uvmunmap(pagetable, va, off / PGSIZE, 0);
      return -ENOMEM;
    }
    if (*pte & PTE_V)
      panic("mappages: remap at %p", (void *)(va + off));
    *pte = PA2PTE(pa + off) | perm | PTE_V;
  }
  return 0;
}

void
uvmunmap(pagetable_t pagetable, uint64 va, uint64 npages, int do_free)
{
  KASSERT(va % PGSIZE == 0);
  uint64 next;
  for (uint64 a = va; a < va + npages * PGSIZE && a < MAXVA; a = next) {
    pte_t *pte = walk_sparse(pagetable, a, &next);
    if (pte == 0 || (*pte & PTE_V) == 0)
      continue;
    if (PTE_FLAGS(*pte) == PTE_V)
      panic("uvmunmap: not a leaf at %p", (void *)a);
    if (do_free) {
      pc_lock();  // owner counts are [pc]
      page_anon_put(PTE2PA(*pte));
      pc_unlock();
    }
    *pte = 0;
  }
}

pagetable_t
uvmcreate(void)
{
  return kzalloc();
}

int
uvmmapzero(pagetable_t pagetable, uint64 va, int perm)
{
  void *mem = kzalloc();
  if (mem == 0)
    return -ENOMEM;
  if (mappages(pagetable, va, PGSIZE, (uint64)mem, perm) != 0) {
    kfree(mem);  // not yet a private page: its descriptor is still blank
    return -ENOMEM;
  }
  page_anon_init(mem);
  return 0;
}

uint64
uvmalloc(pagetable_t pagetable, uint64 oldsz, uint64 newsz, int perm)
{
  if (newsz <= oldsz)
    return oldsz;
  for (uint64 a = PGROUNDUP(oldsz); a < newsz; a += PGSIZE) {
    if (uvmmapzero(pagetable, a, PTE_R | PTE_U | perm) != 0) {
      uvmdealloc(pagetable, a, oldsz);
      return 0;
    }
  }
  return newsz;
}

uint64
uvmdealloc(pagetable_t pagetable, uint64 oldsz, uint64 newsz)
{
  if (newsz >= oldsz)
    return oldsz;
  uint64 lo = PGROUNDUP(newsz), hi = PGROUNDUP(oldsz);
  if (lo < hi)
    uvmunmap(pagetable, lo, (hi - lo) / PGSIZE, 1);
  return newsz;
}

static void
freetables(pagetable_t pt, int level)
{
  for (int i = 0; i < 512; i++) {
    pte_t pte = pt[i];
    if ((pte & PTE_V) == 0)
      continue;
    if (PTE_FLAGS(pte) != PTE_V || level == 0)
      panic("uvmfreetables: leaf left at index %d", i);
    freetables((pagetable_t)PTE2PA(pte), level - 1);
    pt[i] = 0;
  }
  kfree(pt);
}

void
uvmfreetables(pagetable_t pagetable)
{
  freetables(pagetable, 2);
}

// What a walk adds up: pages, and with COUNT_SHARE each page's share in
// SHARE_UNITs (1/n of a page when n share it: page_sharers), or with
// COUNT_KINDS the pages of each kind (page_use).
#define SHARE_UNIT (1UL << 20)  // a whole page; n <= the owners a page can have
#define COUNT_SHARE 1
#define COUNT_KINDS 2
struct page_count {
  int how;           // COUNT_*, or 0: pages alone
  uint64 units;      // COUNT_SHARE
  struct uvm_usage u;
};

static void
count_leaf(uint64 pa, struct page_count *c)
{
  c->u.pages++;
  if (c->how == COUNT_SHARE)
    c->units += SHARE_UNIT / page_sharers(pa);
  if (c->how != COUNT_KINDS)
    return;
  int use = page_use(pa);
  if (use == PAGE_USE_SHARED)
    c->u.shared++;
  else if (use == PAGE_USE_FILE)
    c->u.file++;
  else
    c->u.anon++;
}

// Adds the present user pages in pt, a table page whose entries are at
// `level`, to c. The table's owner may be running on another hart
// meanwhile, adding leaves (faults), table pages (walk) or clearing
// entries (unmapping). So each entry is read exactly once, with an atomic
// load: a plain read would be a data race, which lets the compiler load
// the entry twice -- test PTE_V in one value and take the address from
// another -- or in pieces.
// Following a table entry is safe because table pages are freed only with
// the whole table (uvmfreetables), which the caller rules out, and walk()
// publishes a new table page only after zeroing it. As a last line, an
// address outside RAM is never followed, so whatever an entry holds, the
// walk reads only memory the kernel maps.
static void
count_pages(pagetable_t pt, int level, struct page_count *c)
{
  for (int i = 0; i < 512; i++) {
    pte_t pte = __atomic_load_n(&pt[i], __ATOMIC_RELAXED);
    if ((pte & PTE_V) == 0)
      continue;
    uint64 pa = PTE2PA(pte);
    if (pte & (PTE_R | PTE_W | PTE_X)) {  // a leaf
      // A megapage (a leaf at level 1, megapage.c) is 512 cache pages,
      // each counted as if its own PTE mapped it.
      int n = level == 1 ? MEGA_PAGES : 1;
      if ((pte & (PTE_U | PTE_PROTNONE)) && (level == 0 || (level == 1 && pa % MEGA_SIZE == 0)))
        for (int k = 0; k < n; k++)  // mprotect(PROT_NONE) pages are the process's too
          count_leaf(pa + (uint64)k * PGSIZE, c);
      continue;
    }
    if (level > 0 && pa >= KERNBASE && pa < PHYSTOP)
      count_pages((pagetable_t)pa, level - 1, c);
  }
}

uint64
uvmcountshare(pagetable_t pagetable)
{
  struct page_count c = {.how = COUNT_SHARE};
  count_pages(pagetable, 2, &c);
  return (c.units + SHARE_UNIT - 1) / SHARE_UNIT;
}

void
uvmusage(pagetable_t pagetable, struct uvm_usage *u)
{
  struct page_count c = {.how = COUNT_KINDS};
  count_pages(pagetable, 2, &c);
  *u = c.u;
}

int
uvmshare(pagetable_t old, pagetable_t new, uint64 start, uint64 end)
{
  uint64 next;
  for (uint64 a = start; a < end; a = next) {
    pte_t *pte = walk_sparse(old, a, &next);
    if (pte == 0 || (*pte & PTE_V) == 0)
      continue;  // lazy or guard page: nothing to share
    pte_t *cpte = walk(new, a, 1);  // may reclaim: before cow_share's pc.lock
    if (cpte == 0)
      goto fail;
    int shared = cow_share(pte, cpte);
    KASSERT(shared);  // below the break every page is private (uvmmapzero)
  }
  sfence_vma();  // the parent's writable pages are read-only now
  return 0;
fail:
  sfence_vma();
  uvmunmap(new, start, (PGROUNDUP(end) - start) / PGSIZE, 1);
  return -ENOMEM;
}

// The page at va if a PTE gives this process the rights `need` there:
// its physical address, with *pte the PTE and *mapped the address that
// PTE holds (the page itself, or the first page of a megapage). A kernel
// copy goes through a megapage as the process would: a load through any,
// a store only through a writable one (vmctl mega 2) -- a read-only one
// is split by the store fault first, and a writable one, which that
// fault leaves as it is, must then be taken as it is, or the copy would
// ask the fault path again for ever. 0 if no PTE allows the access.
static uint64
present_page(pagetable_t pagetable, uint64 va, uint64 need, pte_t **pte, uint64 *mapped)
{
  // One read of the PTE: eviction on another hart may clear it.
  *pte = walk(pagetable, va, 0);
  if (*pte != 0) {
    pte_t e = __atomic_load_n(*pte, __ATOMIC_RELAXED);
    *mapped = PTE2PA(e);
    return (e & need) == need ? *mapped : 0;
  }
  *pte = walk_mega(pagetable, va);
  pte_t e = *pte ? __atomic_load_n(*pte, __ATOMIC_RELAXED) : 0;
  if ((e & need) != need)
    return 0;
  *mapped = PTE2PA(e);
  return *mapped + (va & (MEGA_SIZE - 1));
}

// The physical page behind user address va, supplying it through the
// fault handler if it is missing; 0 if the access is not allowed. A copy
// is allowed exactly when the process's own load (write == 0) or store
// would be: the page needs PTE_U and PTE_R or PTE_W. A page present
// without that right goes to fault_resolve() like a hardware fault, which
// refuses it (an exec-only mapping stays unreadable after an instruction
// fetch has brought its page in). *ptep and *mapped as present_page's.
static uint64
user_page(pagetable_t pagetable, uint64 va, int write, pte_t **ptep, uint64 *mapped)
{
  if (va >= MAXVA)
    return 0;
  uint64 need = PTE_V | PTE_U | (write ? PTE_W : PTE_R);
  pte_t *pte;
  uint64 at;
  uint64 pa = present_page(pagetable, va, need, &pte, &at);
  while (pa == 0) {
    struct proc *p = myproc();
    if (p == 0 || p->pagetable != pagetable || p->nofault || killed(p) ||
        fault_resolve(p, va, write ? FAULT_WRITE : FAULT_READ) != 0)
      return 0;
    // Supplied; but a cache page may be evicted again before this look
    // (a small cache limit, another hart reclaiming): then the fault is
    // resolved again, as the hardware's access would fault again.
    pa = present_page(pagetable, va, need, &pte, &at);
  }
  if (ptep)
    *ptep = pte;
  if (mapped)
    *mapped = at;
  return pa;
}

// The user page at va (page aligned) for a kernel copy, held so that it
// stays allocated until user_page_put (a page-cache page may otherwise be
// evicted or truncated away by another hart mid-copy). 0 if refused.
static uint64
user_page_get(pagetable_t pagetable, uint64 va, int write, pte_t **pte, struct page **held)
{
  for (;;) {
    uint64 mapped;
    uint64 pa = user_page(pagetable, va, write, pte, &mapped);
    if (pa == 0 || pc_hold_user(*pte, mapped, pa, held) == 0)
      return pa;
  }
}

static void
user_page_put(pte_t *pte, struct page *held, int wrote)
{
  if (held)
    pc_release_user(held, pte, wrote);
}

uint64
vm_prefault_part(pagetable_t pagetable, uint64 va, uint64 len, int write)
{
  if (va + len < va)
    len = ~va;  // to the top of the address space; refused from MAXVA on
  for (uint64 a = PGROUNDDOWN(va); a < va + len; a += PGSIZE)
    if (user_page(pagetable, a, write, 0, 0) == 0)
      return a > va ? a - va : 0;
  return len;
}

int
vm_prefault(pagetable_t pagetable, uint64 va, uint64 len, int write)
{
  if (va + len < va)
    return -EFAULT;
  return vm_prefault_part(pagetable, va, len, write) == len ? 0 : -EFAULT;
}

// Moves len bytes between kernel buffer kbuf and user address uva, page
// by page; to_user picks the direction.
static int
copy_user(pagetable_t pagetable, uint64 uva, char *kbuf, uint64 len, int to_user)
{
  while (len > 0) {
    uint64 va0 = PGROUNDDOWN(uva);
    pte_t *pte;
    struct page *held;
    uint64 pa0 = user_page_get(pagetable, va0, to_user, &pte, &held);
    if (pa0 == 0)
      return -EFAULT;
    uint64 n = PGSIZE - (uva - va0);
    if (n > len)
      n = len;
    char *upart = (char *)(pa0 + (uva - va0));
    if (to_user)
      memmove(upart, kbuf, n);
    else
      memmove(kbuf, upart, n);
    user_page_put(pte, held, to_user);
    len -= n;
    kbuf += n;
    uva = va0 + PGSIZE;
  }
  return 0;
}

int
copyout(pagetable_t pagetable, uint64 dstva, const void *src, uint64 len)
{
  return copy_user(pagetable, dstva, (char *)src, len, 1);
}

int
copyin(pagetable_t pagetable, void *dst, uint64 srcva, uint64 len)
{
  return copy_user(pagetable, srcva, dst, len, 0);
}

int
copyinstr(pagetable_t pagetable, char *dst, uint64 srcva, uint64 max)
{
  while (max > 0) {
    uint64 va0 = PGROUNDDOWN(srcva);
    pte_t *pte;
    struct page *held;
    uint64 pa0 = user_page_get(pagetable, va0, 0, &pte, &held);
    if (pa0 == 0)
      return -EFAULT;
    const char *p = (const char *)(pa0 + (srcva - va0));
    uint64 n = PGSIZE - (srcva - va0);
    int found = 0;
    for (; n > 0 && max > 0 && !found; n--, max--, p++, dst++) {
      *dst = *p;
      found = *p == 0;
    }
    user_page_put(pte, held, 0);
    if (found)
      return 0;
    srcva = va0 + PGSIZE;
  }
  return -ENAMETOOLONG;
}
