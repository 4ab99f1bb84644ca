// page.c -- page descriptors (struct page, page.h) and the owner counts
// of private pages (the stack and heap; zero-filled pages of private
// areas, the program's bss among them; copies made by stores).
//
// Interface: pa2page/page2pa convert between a physical page and its
// descriptor; page_anon_* make a kalloc'd page an anonymous page and count
// its owners (the last page_anon_put frees it); page_sharers estimates how
// many share a page, and page_use how ps counts it (file, anonymous or
// shared). The page cache (pagecache.c) fills in the descriptors
// of its own pages; freeing a page is kfree's business, and whoever frees
// a described page clears its flags first.
//
// Invariants: a descriptor's flags are 0 while its page is free or in
// kernel use; PG_ANON alone while it is anonymous, with ref > 0 owners;
// PG_CACHE and state bits while the cache holds it; PG_ORPHAN alone once
// it has left the cache still referenced (its last pc_put frees it).
//
// Locks: every descriptor field is [pc], pc.lock (pagecache.c): this file
// takes it through pc_lock()/pc_unlock(), and the caller holds it where a
// contract says so (page.h). pa2page and page2pa need no lock.
#include "kernel/types.h"
#include "kernel/param.h"
#include "kernel/memlayout.h"
#include "kernel/riscv.h"
#include "kernel/lib/printf.h"
#include "kernel/mm/kalloc.h"
#include "kernel/mm/page.h"
#include "kernel/mm/pagecache.h"

#define NPAGEDESC ((PHYSTOP - KERNBASE) / PGSIZE)

static struct page pages[NPAGEDESC];

struct page *
pa2page(uint64 pa)
{
  KASSERT(pa >= KERNBASE && pa < PHYSTOP && pa % PGSIZE == 0);
  return &pages[(pa - KERNBASE) / PGSIZE];
}

uint64
page2pa(struct page *pg)
{
  return KERNBASE + (uint64)(pg - pages) * PGSIZE;
}

// ---- private anonymous pages ----

void
page_anon_init(void *mem)
{
  struct page *pg = pa2page((uint64)mem);
  pc_lock();
  pg->flags = PG_ANON;
  pg->ref = 1;
  pc_unlock();
}

void
page_anon_get(uint64 pa)
{
  KASSERT(pc_lock_held());
  struct page *pg = pa2page(pa);
  KASSERT((pg->flags & PG_ANON) && pg->ref > 0);
  pg->ref++;
}

void
page_anon_put(uint64 pa)
{
  KASSERT(pc_lock_held());
  struct page *pg = pa2page(pa);
  KASSERT((pg->flags & PG_ANON) && pg->ref > 0);
  if (--pg->ref == 0) {
    pg->flags = 0;
    kfree((void *)pa);
  }
}

int
page_is_anon(uint64 pa)
{
  pc_lock();
  int anon = (pa2page(pa)->flags & PG_ANON) != 0;
  pc_unlock();
  return anon;
}

int
page_anon_sole(uint64 pa)
{
  pc_lock();
  struct page *pg = pa2page(pa);
  int sole = (pg->flags & PG_ANON) && pg->ref == 1;
  pc_unlock();
  return sole;
}

// Reads pa's flags and its sharer count (page_sharers' rule), each field
// once and atomically: the writers hold pc.lock, the callers do not.
static int
sharers_of(uint64 pa, int *flags)
{
  if (pa < KERNBASE || pa >= PHYSTOP) {
    *flags = 0;
    return 1;
  }
  struct page *pg = pa2page(pa);
  int f = __atomic_load_n(&pg->flags, __ATOMIC_RELAXED);
  int n = 1;
  if (f & PG_ANON)
    n = __atomic_load_n(&pg->ref, __ATOMIC_RELAXED);
  else if (f & PG_CACHE)
    n = __atomic_load_n(&pg->mapcount, __ATOMIC_RELAXED);
  *flags = f;
  return n > 0 ? n : 1;
}

int
page_sharers(uint64 pa)
{
  int flags;
  return sharers_of(pa, &flags);
}

int
page_use(uint64 pa)
{
  int flags;
  int n = sharers_of(pa, &flags);
  if (n > 1 || (flags & PG_MEM))
    return PAGE_USE_SHARED;
  if (flags & PG_CACHE)
    return PAGE_USE_FILE;
  return PAGE_USE_ANON;  // PG_ANON with one owner, or a naive policy page (no flags)
}
