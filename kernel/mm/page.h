// page.h -- the descriptor every physical page of RAM has (struct page),
// and the owner counts of private pages (page.c).
//
// One descriptor per page from KERNBASE to PHYSTOP, in one array, so a
// PTE's physical address leads to its page in O(1) (pa2page) and back
// (page2pa). Its flags are 0 while the page is free or in kernel use;
// three kinds of page use the rest:
//   cache page  PG_CACHE: one PGSIZE piece of a file in the page cache
//               (pagecache.c): ip, pgno, the lists and the counts below.
//   shared anon PG_CACHE | PG_MEM: a cache page of a memory inode, the
//               object behind shared anonymous memory (shmem.c): found
//               and mapped as a file's page, but never on the clock (never
//               evicted) nor written back; it goes with its inode.
//   anon page   PG_ANON: private memory of one or more processes -- a
//               page of the stack or heap, the program's bss or a copy of
//               its data, a zero-filled page of a private anonymous area,
//               or a copy a store to a MAP_PRIVATE file area made: one
//               kind, treated alike. ref counts the PTEs owning it (fork
//               shares it, cow.c), and the last owner to go frees it.
// Nothing else in the kernel uses descriptors.
//
// Lock legend for struct page:
//   [pc] the page cache's lock, pc.lock (pagecache.c): every field of
//        every descriptor, whatever kind of page it describes
//   [s]  the owning inode's sleep lock (page contents during I/O)
#ifndef PCV6_PAGE_H
#define PCV6_PAGE_H

#include "kernel/types.h"

struct inode;

// struct page flags.
#define PG_CACHE    0x01  // in the page cache: ip and pgno name it
#define PG_UPTODATE 0x02  // contents match the file (or newer)
#define PG_DIRTY    0x04  // D bits collected, or a store fault seen: newer than the disk
#define PG_IO       0x08  // being filled or written back (under ip's lock)
#define PG_ANON     0x10  // private memory (a copy, or zero-filled), owned by ref holders
#define PG_REFD     0x20  // used since the clock hand last passed
#define PG_ORPHAN   0x40  // left the cache while referenced; freed by the last pc_put
#define PG_MEM      0x80  // a memory inode's page: off the clock, never written back

struct page {
  uint16 flags;          // [pc] PG_*
  int ref;               // [pc] transient holders (cache), owners (anon)
  int mapcount;          // [pc] PTEs of cache-policy areas mapping it (a
                         // megapage counts once in each of its 512 pages)
  uint dirtied;          // [pc] with PG_DIRTY: the tick it was first known
                         // dirty, or earlier (pagecache.c, "Dirty since when")
  struct inode *ip;      // [pc] owner (cache pages)
  uint pgno;             // [pc] page index in the file
  struct page *hnext;    // [pc] hash chain
  struct page *inext;    // [pc] the owner's list of cached pages
  struct page *iprev;
  struct page *cnext;    // [pc] the clock ring of all cache pages but PG_MEM ones
  struct page *cprev;
};

// The descriptor of the page at physical address pa (page aligned, in
// RAM), and back. => any locks (the mapping itself never changes).
struct page *pa2page(uint64 pa);
uint64 page2pa(struct page *pg);

// ---- private (anonymous) pages ----

// mem (a page from kalloc) becomes an anonymous page with one owner.
// => pc.lock not held (takes it).
void page_anon_init(void *mem);
// Adds an owner to the anonymous page at pa (fork). => pc.lock held.
void page_anon_get(uint64 pa);
// Drops an owner of the anonymous page at pa; the last one frees it.
// => pc.lock held.
void page_anon_put(uint64 pa);
// Is pa such a page / one with a single owner? => pc.lock not held
// (takes it).
int page_is_anon(uint64 pa);
int page_anon_sole(uint64 pa);

// How many share the user page at pa: the owners of an anonymous page,
// the PTEs mapping a cache page, 1 for any other page (or a count read as
// 0). Read without pc.lock, for the out-of-memory policy's estimate, by
// callers that cannot take it (they hold a p->lock): the page may change
// owners, or kinds, meanwhile. => any locks.
int page_sharers(uint64 pa);

// How the user page at pa counts in ps's split of a process's resident
// pages (struct procinfo, kernel/procinfo.h, defines the three): SHARED if
// someone else has it too (page_sharers > 1) or it is shared anonymous
// memory (PG_MEM, shared by design even while one process maps it); else
// FILE for a page-cache page; else ANON (a private page with one owner,
// or a page of the naive policy, which belongs to one mapping). The same
// reads as page_sharers, with the same caveats. => any locks.
#define PAGE_USE_ANON   0
#define PAGE_USE_FILE   1
#define PAGE_USE_SHARED 2
int page_use(uint64 pa);

#endif
