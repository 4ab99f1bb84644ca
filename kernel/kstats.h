// kstats.h -- kernel counters a user program can read with kstats()
// (pcv6's own system call, not part of the xv6 ABI). Tests use them to
// detect leaks; benchmarks read them before and after a workload; the
// `vmctl` program prints them by the names in KSTATS_NAMES.
//
// Every field is a uint64. Gauges are read from their owners when
// kstats() runs; every other field is an event counter that only grows.
// Both mapping policies (naive and cache) bump the same counters wherever
// the event exists in their design, so the two can be compared.
// Needs types.h.
#ifndef PCV6_KSTATS_H
#define PCV6_KSTATS_H

struct kstats {
  // ---- gauges ----
  uint64 free_pages;    // physical pages on the allocator's free list now
  uint64 files_open;    // entries of the system-wide open-file table in use
  uint64 inodes_cached; // in-memory inodes with a reference
  uint64 pc_pages;      // pages held by the page cache now (mapped or not)

  // ---- mapping faults (fault.c / the policies) ----
  uint64 faults;        // page faults on mapped file areas that were resolved
                        // (hardware faults and faults taken by copyin/copyout)
  uint64 faults_major;  // of those, faults that waited for a disk read
  uint64 faults_minor;  // of those, faults resolved without waiting for disk
  uint64 faultaround_pages; // extra pages mapped by fault-around beside the
                            // faulting page (already cached, no I/O)
  uint64 readahead_pages;   // pages read from disk ahead of a miss, beyond
                            // the page that missed
  uint64 cow_copies;    // private pages copied on a first store
                        // (copy-on-write; the naive policy never copies)

  // ---- the page cache (pagecache.c; shootdowns in rmap.c) ----
  uint64 pc_hits;       // page-cache lookups that found the page up to date
                        // (or under I/O started by someone else)
  uint64 pc_misses;     // page-cache lookups that had to read the page
  uint64 pc_evictions;  // cache pages freed to satisfy memory pressure
  uint64 writeback_pages;   // file pages written back from mappings (naive:
                            // every present page of a writable shared area;
                            // cache: pages found dirty)
  uint64 tlb_shootdowns;    // remote sfence.vma requests sent to other harts

  // ---- the disk (virtio_disk.c) ----
  // A request moves a run of contiguous blocks; a 32-block request adds 1
  // to *_reqs and 32 to *_blocks. Requests the device failed count in
  // *_reqs but move no blocks.
  uint64 disk_read_reqs;    // read requests completed by the device
  uint64 disk_read_blocks;  // BSIZE blocks those requests read
  uint64 disk_write_reqs;   // write requests completed by the device
  uint64 disk_write_blocks; // BSIZE blocks those requests wrote

  // ---- scheduling and memory pressure (proc.c, oom.c) ----
  uint64 ipi_wakeups;   // inter-hart interrupts sent to an idle hart because
                        // a process had waited KICK_DELAY (1 ms) runnable
  uint64 oom_kills;     // processes killed by the out-of-memory policy
                        // (each announced "killed: out of memory")

  // ---- the scheduler (proc.c) ----
  uint64 idle_cycles;   // cycle-counter ticks harts spent in the
                        // scheduler's wfi with nothing to run, summed over
                        // harts. Under QEMU -icount shift=0,sleep=off the
                        // cycle counter is virtual nanoseconds and an idle
                        // hart's clock jumps ahead, so busy time is the
                        // cycle delta minus this (docs/DESIGN.md, Counters)
};

// The names vmctl prints, in field order (one per uint64 of struct kstats).
#define KSTATS_NAMES                                                      \
  "free_pages", "files_open", "inodes_cached", "pc_pages", "faults",      \
  "faults_major", "faults_minor", "faultaround_pages", "readahead_pages", \
  "cow_copies", "pc_hits", "pc_misses", "pc_evictions", "writeback_pages",\
  "tlb_shootdowns", "disk_read_reqs", "disk_read_blocks",                 \
  "disk_write_reqs", "disk_write_blocks", "ipi_wakeups", "oom_kills", "idle_cycles"
#define KSTATS_COUNT (sizeof(struct kstats) / sizeof(uint64))

#endif
