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

// Arrow contracts: "=> X held" means held on entry and still on return;
// "takes X" means the function acquires and releases X itself, so the
// caller must not hold it, nor any lock after it in the lock order (top
// of pagecache.c).

void pcinit(void);  // => boot, one hart

// ---- lookups and file contents ----

// The up-to-date cache page for (ip, pgno), with a reference for the
// caller, reading it -- and up to the read-ahead window after it -- on a
// miss (a memory inode's miss is a zeroed page, with no read-ahead).
// *nread is set to the number of pages the call read (pgno and
// the ones after it), 0 on a hit or a memory inode's miss. Errors:
// -EFAULT when pgno lies wholly past the end of the file, -ENOMEM, -EIO.
// => ip's sleep lock held (asserted), no spinlock; takes pc.lock; may
//    sleep for the disk, with ip still locked.
int pc_get(struct inode *ip, uint pgno, struct page **out, int *nread);
// pc_get, reading ahead as advice (MADV_NORMAL, MADV_RANDOM,
// MADV_SEQUENTIAL: an area's; MADV_WILLNEED: the prefetcher's) says
// (pagecache.c, readahead_window).
int pc_get_advised(struct inode *ip, uint pgno, int advice, struct page **out, int *nread);
// Is page pgno of ip in the cache and up to date (mincore)? A snapshot.
// => takes pc.lock.
int pc_resident(struct inode *ip, uint pgno);
// Drops a reference from pc_get or pc_hold_user. => takes pc.lock (sleep
// locks may be held).
void pc_put(struct page *pg);
// read() of a regular file: copies n bytes at off to dst (user address
// if user). Bytes transferred or -E*. => ip's sleep lock held, and for a
// user dst the caller has set p->nofault (a page still missing ends the
// copy short instead of faulting under the lock); as pc_get otherwise.
int pc_read(struct inode *ip, int user, uint64 dst, uint off, uint n);
// writei() calls this after changing the file's bytes [off, off+n) in
// its buffers, so a cached page shows them at once. src is a kernel
// pointer to those bytes. => ip's sleep lock held (asserted), inside
// writei's transaction, with the buffer holding src sleep-locked; takes
// pc.lock.
void pc_update(struct inode *ip, uint off, const void *src, uint n);
// The file's size is now `size` (itrunc: O_TRUNC, ftruncate, freeing the
// inode): pages past it leave every mapping and the cache; the rest of
// the last page is zeroed (a grow then shows zeros there, not stores a
// mapping made past the old end). => ip's sleep lock held (asserted), inside itrunc's
// transaction; takes pc.lock.
void pc_truncate(struct inode *ip, uint size);
// The inode slot is being reused for another file (iget): drop all of
// its pages. => icache.lock held; ip has no references and no mappings
// (asserted); takes pc.lock (after icache.lock, as the order allows).
void pc_forget(struct inode *ip);

// ---- running programs ----

// A program image that maps ip from the cache was made (exec; its file
// pages [lo, hi) are the segments it maps) / has gone (its file's last
// close). While ip has any such image, the cached pages of the union of
// their ranges stay in memory (no eviction, drop or cache limit takes
// them) and count in exec_pages, not pc_pages (pagecache.c, "running
// programs"). => takes pc.lock; lo < hi.
void pc_exec_pin(struct inode *ip, uint lo, uint hi);
void pc_exec_end(struct inode *ip);

// ---- write-back ----

// Writes back every dirty page of ip in [lo, hi) page numbers (found from
// PG_DIRTY and the D bits of every mapping), in transactions of its own,
// giving blocks to pages in holes of the file (pagecache.c, "Write-back
// and holes"). 0; -ENOSPC when the disk has no block for one; -EIO when a
// block could not be read (each such failure is also recorded for the
// open files: file_wb_failed); -EROFS when the log has stopped. The pages
// that failed stay dirty. A memory inode has nothing to write: 0 at
// once. => no locks held at all (takes begin_op, ip's sleep lock and
// pc.lock); the caller holds a reference to ip.
int pc_writeback_range(struct inode *ip, uint lo, uint hi);
// pc_writeback_range of the whole file for the write-back process, which
// counts its pages in kstats wb_pages too.
int pc_writeback_background(struct inode *ip);
// Writes back everything dirty and frees every unmapped cache page but
// memory inodes' (shared anonymous memory's only copy) and running
// programs'; returns the number of pages freed. => no locks held at all.
int pc_drop_all(void);

// ---- memory pressure ----

// Frees up to want cache pages with the clock (clean first, mapped ones
// unmapped through the reverse map). Returns pages freed. => with
// may_write 0: no spinlock held (kalloc calls it only then; the fill's
// page allocation calls it with ip's sleep lock held); takes pc.lock and
// does not sleep. With may_write 1 it also writes dirty pages back: no
// locks held at all.
int pc_reclaim(int want, int may_write);
// If the cache holds more than pc_limit pages, brings it back under the
// limit, writing dirty pages back if it must. => no locks held at all.
void pc_enforce_limit(void);

// ---- dirty pages and the background write-back (writeback.c) ----

// Dirty pages of files now (PG_DIRTY, not memory inodes'). => any locks
// (a racy read: a hint for thresholds).
int pc_dirty_pages(void);
// pg (a cache page, else nothing happens) is about to be or has been
// stored to: PG_DIRTY from now (the store faults of shared areas; rmap's
// unmap finding D). => pc.lock held (asserted).
void pc_dirtied_locked(struct page *pg);
// One harvest over every file page: a mapped clean page whose PTEs have
// D set becomes PG_DIRTY, dirty since tick `since` (the previous pass:
// pagecache.c, "Dirty since when"). Returns how many pages have been
// dirty for expire ticks or more at tick now. => no locks held; takes
// pc.lock, fences harts (TLB shootdown) for the D bits it clears.
int pc_wb_scan(uint since, uint now, uint expire);
// Has ip a page dirty for expire ticks or more at tick now? => no
// spinlock held; the caller holds a reference to ip.
int pc_wb_inode_due(struct inode *ip, uint now, uint expire);

// ---- for the cache mapping policy (mmap_cache.c) ----

// pc.lock, which also guards every page descriptor (page.c), the reverse
// map (rmap.c) and the leaf PTEs of cache-policy areas.
void pc_lock(void);
void pc_unlock(void);
int pc_lock_held(void);  // does this hart hold it? (for assertions)
// The cache page (ip, pgno) or 0. => pc.lock held (asserted).
struct page *pc_lookup_locked(struct inode *ip, uint pgno);
// A fault found pg (cached, up to date) by pc_lookup_locked and maps it
// without a reference: counts the hit, marks the page used.
// => pc.lock held (asserted).
void pc_hit_locked(struct page *pg);
// pc_put for a caller that holds pc.lock anyway (the fault path).
// => pc.lock held (asserted).
void pc_put_locked(struct page *pg);
// A PTE now maps cache page pg. => pc.lock held (asserted).
void pc_mapped_locked(struct page *pg);
// A PTE that held `old` (a cache page pg, or an anonymous copy) was
// cleared by its owner: collects D, drops the mapping or the copy.
// => pc.lock held (asserted).
void pc_unmapped_locked(struct page *pg, uint64 old);

// ---- kernel copies to and from user memory (vm.c) ----

// Checks that *pte still holds the address `mapped` (-1 if not: look the
// page up again) -- pa itself, or the first page of the megapage holding
// pa -- and, if pa is a cache page, takes a reference on it (*held, else
// 0) so that eviction or truncation cannot free it while the kernel
// copies. => takes pc.lock.
int pc_hold_user(pte_t *pte, uint64 mapped, uint64 pa, struct page **held);
// Ends a pc_hold_user; if the kernel wrote to the page, marks the PTE
// dirty (as the process's own store would) or, if it is gone, the page.
// => takes pc.lock.
void pc_release_user(struct page *pg, pte_t *pte, int wrote);

// ---- knobs (knobs.c) ----
extern volatile long pc_readahead_max;// pages, 0/1 = off
extern volatile long pc_svade;        // 1: track dirtiness by store faults
extern volatile long pc_limit;        // most cache pages but memory inodes', 0 = no limit

#endif
