// kstats.h -- kernel counters a user program can read with kstats()
// (pcv6's own system call, not part of the xv6 ABI). Tests use them to
// detect leaks; benchmarks read them before and after a workload; the
// `vmctl` program prints them by the names in KSTATS_NAMES.
//
// Every field is a uint64. Gauges (the first four, and those whose event
// says "gauge") are read from their owners when kstats() runs; every other
// field is an event counter that only grows.
// Both mapping policies (naive and cache) bump the same counters wherever
// the event exists in their design, so the two can be compared.
// Needs types.h.
#ifndef PCV6_KSTATS_H
#define PCV6_KSTATS_H

// The counters, listed once: KSTATS_LIST(X) applies X(name, event) to
// each uint64 of struct kstats, in field order, where event says exactly
// what the counter counts (or, for a gauge, holds). struct kstats and
// KSTATS_NAMES are expanded from it. The order is ABI -- programs find a
// counter by its place in the struct, vmctl prints them in this order and
// benchmarks read them by name -- so a new counter goes at the end.
#define KSTATS_LIST(X)                                                        \
  /* ---- gauges ---- */                                                      \
  X(free_pages,    "physical pages on the allocator's free list now")         \
  X(files_open,    "entries of the system-wide open-file table in use")       \
  X(inodes_cached, "in-memory inodes with a reference")                       \
  X(pc_pages,      "file pages held by the page cache now (mapped or not; "  \
                   "shared anonymous memory is in shmem_pages, the files of " \
                   "running programs in exec_pages)")                         \
                                                                              \
  /* ---- mapping faults (fault.c / the policies) ---- */                     \
  X(faults,        "page faults on mapped areas (a file or anonymous "        \
                   "memory) that were resolved (hardware faults and faults "  \
                   "taken by copyin/copyout)")                                \
  X(faults_major,  "of those, faults that waited for a disk read")            \
  X(faults_minor,  "of those, faults resolved without waiting for disk")      \
  X(faultaround_pages, "extra pages mapped by fault-around beside the "       \
                   "faulting page (already cached, no I/O)")                  \
  X(readahead_pages, "pages read from disk ahead of a miss, beyond the "      \
                   "page that missed")                                        \
  X(cow_copies,    "private pages copied by a store (copy-on-write): a "     \
                   "page fork shared that still has other owners (program, "  \
                   "stack, heap or a private area's), or a MAP_PRIVATE file " \
                   "page stored to for the first time (the naive policy "    \
                   "never copies a file page)")                               \
                                                                              \
  /* ---- the page cache (pagecache.c; shootdowns in rmap.c) ---- */          \
  X(pc_hits,       "page-cache lookups that found the page up to date (or "   \
                   "under I/O started by someone else)")                      \
  X(pc_misses,     "page-cache lookups that had to read the page")            \
  X(pc_evictions,  "cache pages freed to satisfy memory pressure")            \
  X(writeback_pages, "file pages written back from mappings (naive: every "   \
                   "present page of a writable shared area; cache: pages "    \
                   "found dirty)")                                            \
  X(tlb_shootdowns, "remote sfence.vma requests sent to other harts")         \
                                                                              \
  /* ---- the disk (virtio_disk.c) ---- */                                    \
  /* A request moves a run of contiguous blocks; a 32-block request adds 1 */ \
  /* to *_reqs and 32 to *_blocks. Requests the device failed count in */     \
  /* *_reqs but move no blocks. */                                            \
  X(disk_read_reqs,    "read requests completed by the device")               \
  X(disk_read_blocks,  "BSIZE blocks those requests read")                    \
  X(disk_write_reqs,   "write requests completed by the device")              \
  X(disk_write_blocks, "BSIZE blocks those requests wrote")                   \
                                                                              \
  /* ---- scheduling and memory pressure (proc.c, oom.c) ---- */              \
  X(ipi_wakeups,   "inter-hart interrupts sent to an idle hart because a "    \
                   "process had waited KICK_DELAY (1 ms) runnable")           \
  X(oom_kills,     "processes killed by the out-of-memory policy (each "      \
                   "announced \"killed: out of memory\")")                    \
                                                                              \
  /* ---- the scheduler (proc.c) ---- */                                      \
  X(idle_cycles,   "cycle-counter ticks harts spent in the scheduler's wfi "  \
                   "with nothing to run, summed over harts. Under QEMU "      \
                   "-icount shift=0,sleep=off the cycle counter is virtual "  \
                   "nanoseconds and an idle hart's clock jumps ahead, so "    \
                   "busy time is the cycle delta minus this "                 \
                   "(docs/DESIGN.md, Counters)")                              \
                                                                              \
  /* ---- page-table walks (vm.c) ---- */                                     \
  X(walk_steps,    "steps of loops over sparse ranges of a page table "       \
                   "(walk_sparse: releasing and forking areas and the "       \
                   "heap): one per page slot of a present table, one per "    \
                   "missing table")                                           \
                                                                              \
  /* ---- the disk's write cache (virtio_disk.c) ---- */                      \
  X(disk_flushes,  "cache flushes completed by the device (disk_flush; the "  \
                   "log sends four per commit; none when the device offers "  \
                   "no VIRTIO_BLK_F_FLUSH)")                                  \
                                                                              \
  /* ---- disk fault injection (virtio_disk.c) ---- */                       \
  X(disk_injected_errors, "disk requests failed on purpose by "               \
                   "KNOB_DISK_FAIL_NTH or KNOB_DISK_FAIL_BLOCK (never sent "  \
                   "to the device; not in disk_*_reqs)")                      \
                                                                              \
  /* ---- anonymous memory (mmap_cache.c, pagecache.c) ---- */                \
  X(anon_zero_fills, "anonymous pages filled with zeros at their first "      \
                   "touch: a private page of its own (MAP_PRIVATE) or a new " \
                   "page of a shared memory object (MAP_SHARED)")             \
  X(shmem_pages,   "gauge: pages held by shared anonymous memory objects "    \
                   "now (never evicted; freed with the object's last "        \
                   "mapping)")                                                \
                                                                              \
  /* ---- copy-on-write fork (cow.c) ---- */                                  \
  X(fork_shared_pages, "pages fork shared with the child instead of "       \
                   "copying them or leaving them to fault: private pages "    \
                   "(program data, stack, heap, private areas' pages) and "   \
                   "the program's page-cache pages (text, data not yet "      \
                   "stored to), one per page per fork: fork copies no page")  \
  X(cow_reuses,    "stores to a read-only private page with no other owner "  \
                   "left (a fork's other side stored, exited or exec'd): "    \
                   "the page was made writable, not copied")                  \
                                                                              \
  /* ---- programs (exec.c, mmap_cache.c, pagecache.c) ---- */                \
  X(exec_mapped,   "program pages mapped from the page cache into a "        \
                   "process (text, and data not yet stored to) by a fault, "  \
                   "fault-around or fork: exec under the cache policy maps "  \
                   "the program instead of copying it")                       \
  X(exec_copied,   "program pages exec filled from the file: every page "    \
                   "holding file bytes under the naive policy (exec copies "  \
                   "the program, the old design); under the cache policy "    \
                   "only a segment's partial last page, copied and its tail " \
                   "zeroed")                                                  \
  X(exec_pages,    "gauge: cache pages of the segments of files that some "   \
                   "process runs now (exec'd, not yet exited or replaced): "  \
                   "they stay while it runs -- never evicted, not counted in "\
                   "pc_pages nor against the cache limit")                   \
                                                                              \
  /* ---- background write-back (writeback.c, pagecache.c) ---- */           \
  X(pc_dirty_pages, "gauge: file pages the cache knows to be dirty now "      \
                   "(PG_DIRTY; a store through a writable PTE is known at "   \
                   "its store fault, or at the next harvest)")                \
  X(wb_passes,     "passes of the write-back process over the cache")        \
  X(wb_pages,      "pages the write-back process wrote back (also in "       \
                   "writeback_pages)")                                        \
  X(wb_throttled,  "clock ticks writers slept at a store fault because "     \
                   "dirty pages were over the throttle threshold")            \
                                                                              \
  /* ---- the hit path (mmap_cache.c) ---- */                                 \
  X(fault_sleeplocks, "inode sleep locks taken on the fault path of a file "  \
                   "mapping: the cache policy's misses and pages under I/O "  \
                   "(a hit, or a store's private copy of a cached page, "     \
                   "takes none unless KNOB_HIT_LOCKLESS is 0), every naive "  \
                   "fault")                                                   \
  X(anon_around_pages, "zeroed pages a private anonymous area's fault "       \
                   "mapped beyond the faulting page, in a sequential run's "  \
                   "window (also in anon_zero_fills)")                       \
  X(page_fill_cycles, "cycles spent filling whole pages with zeros (kzalloc) " \
                   "or junk (kalloc, kfree): what anonymous memory pays to "  \
                   "write its pages, apart from the fault path")            \
                                                                              \
  /* ---- large folios and megapages (pagecache.c, megapage.c) ---- */       \
  X(folio_allocs,  "large folios the cache made: a sequential miss read a "   \
                   "whole 2 MiB-aligned range of a file into one 2 MiB frame")\
  X(folio_fallbacks, "sequential misses that would have made a large folio " \
                   "but got single pages: no whole frame free (or the cache " \
                   "limit too close)")                                        \
  X(mega_maps,     "megapage PTEs mapped: one fault mapped a whole cached "   \
                   "large folio (2 MiB) with one level-1 leaf")               \
  X(mega_splits,   "megapages split into 512 4 KiB PTEs (partial munmap, "    \
                   "mprotect, a store, eviction, truncation, write-back of "  \
                   "a D bit)")                                                \
  X(mega_zaps,     "megapages taken out instead of split, for want of a "     \
                   "page for the table (the pages fault back in)")            \
  X(mega_unmaps,   "megapages taken out whole (munmap, MADV_DONTNEED, exit "  \
                   "of a range covering all 2 MiB)")

struct kstats {
#define KSTATS_FIELD_(name, event) uint64 name;
  KSTATS_LIST(KSTATS_FIELD_)
#undef KSTATS_FIELD_
};

// The names vmctl prints, in field order (one per uint64 of struct kstats),
// for an array initializer: {KSTATS_NAMES}.
#define KSTATS_NAME_(name, event) #name,
#define KSTATS_NAMES KSTATS_LIST(KSTATS_NAME_)
#define KSTATS_COUNT (sizeof(struct kstats) / sizeof(uint64))

#endif
