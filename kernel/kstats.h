// kstats.h -- kernel counters a user program can read with kstats()
// (pcv6's own system call, not part of the xv6 ABI). Tests use them to
// detect leaks; benchmarks read them before and after a workload.
// Needs types.h.
#ifndef PCV6_KSTATS_H
#define PCV6_KSTATS_H

struct kstats {
  uint64 free_pages;    // physical pages on the allocator's free list now
  uint64 files_open;    // entries of the system-wide open-file table in use
  uint64 inodes_cached; // in-memory inodes with a reference
  uint64 mmap_faults;   // page faults on mapped file areas that were resolved
  uint64 mmap_pages_read;     // file pages read from disk by mapping faults
  uint64 mmap_pages_written;  // pages written back to files by mappings
};

#endif
