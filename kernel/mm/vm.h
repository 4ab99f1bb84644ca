// vm.h -- Sv39 page tables: the kernel's direct map, and user address
// spaces (allocation, copying, and safe copies between kernel and user).
//
// All functions that take a user pagetable expect the caller to own it
// (the current process's, or one being built by exec/fork), except
// uvmusage and uvmcountshare, which only read and may be given any
// process's table.
#ifndef PCV6_VM_H
#define PCV6_VM_H

#include "kernel/types.h"
#include "kernel/riscv.h"

extern pagetable_t kernel_pagetable;

// A megapage: a leaf PTE at level 1 maps MEGA_SIZE bytes (MEGA_PAGES
// pages), virtual and physical addresses both MEGA_SIZE-aligned. Only
// the page cache's mappings have them (megapage.c).
#define MEGA_PAGES 512
#define MEGA_SIZE  ((uint64)MEGA_PAGES * PGSIZE)
// Is a valid PTE a leaf (at any level) rather than a pointer to a table?
#define PTE_LEAF(pte) (((pte) & (PTE_R | PTE_W | PTE_X)) != 0)

void kvminit(void);
void kvminithart(void);
void kvmmap(pagetable_t kpt, uint64 va, uint64 pa, uint64 sz, int perm);

// Returns the PTE for va, creating page-table pages if alloc (0 if it
// cannot, or if va >= MAXVA).
// Like walk(pagetable, va, 0), for loops over sparse ranges: when a
// page-table page is missing, returns 0 with *next set past the whole
// range that page would have mapped (2 MiB or 1 GiB), else the PTE with
// *next = va + PGSIZE. A loop over a huge, mostly untouched range (a lazy
// heap, a big mapping) then costs one step per missing table rather than
// one per page.
// A megapage in the way counts as missing for both (walk returns 0,
// walk_sparse steps over its 2 MiB): callers that may meet one -- the
// cache policy's walks, reverse-map walkers, kernel copies -- look with
// walk_mega first.
pte_t *walk_sparse(pagetable_t pagetable, uint64 va, uint64 *next);
pte_t *walk(pagetable_t pagetable, uint64 va, int alloc);
// The level-1 entry for va (a table pointer, a megapage leaf, or empty),
// creating the level-2 table's entry if alloc; 0 if it cannot.
pte_t *walk_l1(pagetable_t pagetable, uint64 va, int alloc);
// The megapage leaf mapping va, or 0 if there is none.
pte_t *walk_mega(pagetable_t pagetable, uint64 va);
// Physical address of a user-accessible page at va, or 0.
uint64 walkaddr(pagetable_t pagetable, uint64 va);
// Maps [va, va+size) to [pa, ...); 0 or -ENOMEM (maps nothing on failure).
int mappages(pagetable_t pagetable, uint64 va, uint64 size, uint64 pa, int perm);

pagetable_t uvmcreate(void);
// Maps a zeroed private page (PG_ANON, one owner) at va with PTE flags
// perm: a page of the stack or heap, or of the program exec maps or
// copies. 0 or -ENOMEM (nothing mapped). => pc.lock not held (kalloc may
// reclaim; page_anon_init).
int uvmmapzero(pagetable_t pagetable, uint64 va, int perm);
// Grows the mapped user range [oldsz, newsz) with zeroed private pages;
// returns newsz, or 0 (and maps nothing new) when memory runs out.
uint64 uvmalloc(pagetable_t pagetable, uint64 oldsz, uint64 newsz, int perm);
// Unmaps [newsz, oldsz), dropping the pages; returns newsz.
uint64 uvmdealloc(pagetable_t pagetable, uint64 oldsz, uint64 newsz);
// Removes npages mappings from va; pages not mapped are skipped. With
// do_free the pages must be private (stack, heap, a copied program): each
// loses this mapping as an owner and is freed if it was the last
// (page_anon_put), so a page fork shared stays with the other side.
// => with do_free, pc.lock and any lock ranked after it not held (takes it).
void uvmunmap(pagetable_t pagetable, uint64 va, uint64 npages, int do_free);
// Frees the page-table pages themselves; every leaf must be gone.
void uvmfreetables(pagetable_t pagetable);
// The present user pages (valid leaves with PTE_U, or PTE_PROTNONE: pages
// mprotect made inaccessible, vma.h) the table maps, split by kind for ps
// (page_use, page.h; struct procinfo, kernel/procinfo.h, defines each
// field): pages = file + anon + shared. An estimate if its owner runs on
// another hart meanwhile: leaves and owners may change during the walk.
// => the table cannot be freed during the call: the caller holds the
//    owner's p->lock (a process's table is replaced or cleared only under
//    it, and freed after), or the table is the caller's own.
struct uvm_usage {
  uint64 pages;   // every present user page
  uint64 file;    // page-cache pages of files that only this table maps
  uint64 anon;    // private pages only this process has
  uint64 shared;  // pages someone else has too, and shared anonymous memory
};
void uvmusage(pagetable_t pagetable, struct uvm_usage *u);
// The same pages, each counted as its share: 1/n of a page for a page n
// processes own or map (page_sharers), so that pages a fork shared count
// once in all, split among their owners (the out-of-memory policy's
// measure; rounded up). Same contract as uvmusage.
uint64 uvmcountshare(pagetable_t pagetable);
// fork: shares every mapped page of [start, end) (private pages: the
// stack and heap, and a copied program) with new, copy-on-write
// (cow_share): read-only on both sides until one stores. Copies nothing;
// allocates only new's page-table pages. 0, or -ENOMEM after undoing what
// it mapped in new (the old side's pages stay read-only; its next store to
// each finds it the sole owner and just makes it writable). => no locks
// held.
int uvmshare(pagetable_t old, pagetable_t new, uint64 start, uint64 end);

// Kernel <-> user copies for the current process. They allow what a user
// load (copyin, copyinstr: PTE_R) or store (copyout: PTE_W) would, and
// refuse addresses at or above MAXVA, unmapped pages that no fault handler
// can supply, pages without PTE_U, and pages without the right (so an
// exec-only page cannot be read, nor a read-only one written). 0 or -EFAULT.
int copyout(pagetable_t pagetable, uint64 dstva, const void *src, uint64 len);
int copyin(pagetable_t pagetable, void *dst, uint64 srcva, uint64 len);
// Makes the pages of [va, va+len) present for this access, in order,
// stopping at the first that cannot be: 0 if all are there, -EFAULT if
// one is refused (the copy that follows then fails there). Callers use
// it before taking locks that a page fault's I/O would need or must not
// sleep under. A page brought in may be evicted again before the copy:
// see fileread() for what callers do about that.
int vm_prefault(pagetable_t pagetable, uint64 va, uint64 len, int write);
// The same, for a caller that can use the part before a refused page:
// returns how many bytes from va on are present, len if all are (0 if
// the first page is refused).
uint64 vm_prefault_part(pagetable_t pagetable, uint64 va, uint64 len, int write);
// Copies a NUL-terminated string of at most max bytes (NUL included).
// 0, -EFAULT, or -ENAMETOOLONG when no NUL is found within max.
int copyinstr(pagetable_t pagetable, char *dst, uint64 srcva, uint64 max);

#endif
