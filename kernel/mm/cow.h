// cow.h -- copy-on-write: how fork shares a process's private pages with
// the child, and how a store to a shared one gets a page of its own.
// One path for every private page (PG_ANON, page.h): the stack and heap
// (vm.c's uvmshare, fault.c) and the private pages of mapped areas, the
// program's own areas among them (mmap_cache.c), alike.
#ifndef PCV6_COW_H
#define PCV6_COW_H

#include "kernel/types.h"
#include "kernel/riscv.h"

// A PTE software bit: "writable, but shared since a fork" -- W is clear so
// that a store faults, and this bit says the store is allowed. Outside
// mapped areas it is the only record that a page may be written (the
// stack and heap have no area whose rights could say so); inside
// one the area's prot decides and the bit is ignored. Set by cow_share,
// cleared by cow_write when the page becomes writable again.
#define PTE_COW PTE_RSW0

// fork: shares the private page that the parent's PTE *ppte holds with
// the child, whose PTE for the same address is *cpte (empty; the caller
// allocates its table before, since kalloc may reclaim under pc.lock):
// both PTEs read-only, PTE_COW where the page was writable, one owner
// more. The parent's TLB is left stale: the caller fences once at the end.
// Returns 1 if it shared a page, 0 if *ppte holds none (empty, or a cache
// page, which the child faults in itself). => no locks held (takes pc.lock).
int cow_share(pte_t *ppte, pte_t *cpte);

// A store to the present page that *pte maps without W, where the caller
// has decided the store is allowed (PTE_COW, or the area's prot). seen is
// the PTE as the caller read it once. A private page with no other owner
// left is made writable; a page with other owners, or a cache page (a
// MAP_PRIVATE file area's), is copied into a page of the store's own, and
// the old one loses an owner (or a mapping). Either way PTE_COW goes.
// Returns 0 (also when *pte no longer holds seen's page: the access is
// simply retried) or -ENOMEM (nothing changed). => no locks held.
int cow_write(pte_t *pte, pte_t seen);

// A private copy of the page at pa: PG_ANON with one owner, or 0.
// => no locks held.
void *cow_copy_page(uint64 pa);

#endif
