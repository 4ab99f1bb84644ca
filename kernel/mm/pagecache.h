// pagecache.h -- the shared per-inode page cache.
//
// One cache page holds one PGSIZE piece of one file: (inode, page number).
// read(), the cache mapping policy (mmap_cache.c) and write-back all use
// the same page, so every process that maps or reads a file page sees
// one physical page. The contract, page states, lock legend and lock
// order are at the top of pagecache.c; the page descriptor (struct page)
// is in page.h, the reverse map in rmap.h.
#ifndef PCV6_PAGECACHE_H
#define PCV6_PAGECACHE_H

#include "kernel/types.h"
#include "kernel/riscv.h"

struct inode;
struct page;

void pcinit(void);

// ---- cache lookups (=> ip locked by the caller for all of these) ----

// The up-to-date cache page for (ip, pgno), with a reference for the
// caller, reading it -- and up to the read-ahead window after it -- on a
// miss. *nread is set to the number of pages the call read (pgno and
// the ones after it), 0 on a hit. Errors:
// -EFAULT when pgno lies wholly past the end of the file, -ENOMEM, -EIO.
int pc_get(struct inode *ip, uint pgno, struct page **out, int *nread);
void pc_put(struct page *pg);  // => nothing locked needed
// read() of a regular file: copies n bytes at off to dst (user address
// if user). Bytes transferred or -E*. => ip locked; nofault set by caller.
int pc_read(struct inode *ip, int user, uint64 dst, uint off, uint n);
// writei() calls this after changing the file's bytes [off, off+n) in
// its buffers, so a cached page shows them at once. src is a kernel
// pointer to those bytes.
void pc_update(struct inode *ip, uint off, const void *src, uint n);
// The file shrinks to size bytes (O_TRUNC, or freeing the inode): pages
// past it leave every mapping and the cache; the rest of the last page
// is zeroed.
void pc_truncate(struct inode *ip, uint size);
// The inode slot is being reused for another file (iget): drop all of
// its pages. => icache.lock held; ip has no references.
void pc_forget(struct inode *ip);

// ---- write-back (=> no locks held; takes begin_op and ip's lock) ----

// Writes back every dirty page of ip in [lo, hi) page numbers (found from
// PG_DIRTY and the D bits of every mapping). 0, or -EIO (the pages that
// failed stay dirty).
int pc_writeback_range(struct inode *ip, uint lo, uint hi);
// Writes back everything dirty and frees every unmapped cache page;
// returns the number of pages freed.
int pc_drop_all(void);

// ---- memory pressure ----

// Frees up to want cache pages with the clock (clean first, mapped ones
// unmapped through the reverse map); dirty pages are written back only
// if may_write (=> then no locks held at all). Returns pages freed.
int pc_reclaim(int want, int may_write);
// If the cache holds more than pc_limit pages, brings it back under the
// limit, writing dirty pages back if it must. => no locks held at all.
void pc_enforce_limit(void);

// ---- for the cache mapping policy (mmap_cache.c) ----

// pc.lock, which also guards every page descriptor (page.c), the reverse
// map (rmap.c) and the leaf PTEs of cache-policy areas.
void pc_lock(void);
void pc_unlock(void);
int pc_lock_held(void);  // does this hart hold it? (for assertions)
// The cache page (ip, pgno) or 0. => pc.lock held.
struct page *pc_lookup_locked(struct inode *ip, uint pgno);
// pc_put for a caller that holds pc.lock anyway (the fault path).
void pc_put_locked(struct page *pg);
// A PTE now maps cache page pg. => pc.lock held.
void pc_mapped_locked(struct page *pg);
// A PTE that held `old` (a cache page pg, or an anonymous copy) was
// cleared by its owner: collects D, drops the mapping or the copy.
// => pc.lock held.
void pc_unmapped_locked(struct page *pg, uint64 old);

// ---- kernel copies to and from user memory (vm.c) ----

// Checks that *pte still maps pa (-1 if not: look the page up again)
// and, if pa is a cache page, takes a reference on it (*held, else 0) so
// that eviction or truncation cannot free it while the kernel copies.
int pc_hold_user(pte_t *pte, uint64 pa, struct page **held);
// Ends a pc_hold_user; if the kernel wrote to the page, marks the PTE
// dirty (as the process's own store would) or, if it is gone, the page.
void pc_release_user(struct page *pg, pte_t *pte, int wrote);

// ---- knobs (knobs.c) ----
extern volatile long pc_readahead_max;// pages, 0/1 = off
extern volatile long pc_svade;        // 1: track dirtiness by store faults
extern volatile long pc_limit;        // most cache pages, 0 = no limit

#endif
