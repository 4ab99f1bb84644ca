// prefetch.h -- MADV_WILLNEED: file pages read into the page cache by a
// kernel process, so that the caller does not wait for the disk
// (prefetch.c).
#ifndef PCV6_PREFETCH_H
#define PCV6_PREFETCH_H

#include "kernel/types.h"

struct file;

void prefetch_init(void);  // => boot, one hart

// Queues the reading of pages [lo, hi) of f's file (a file on a disk, not
// a memory object) and returns at once; the job holds its own reference
// to f. Advice only: when the queue is full, or the prefetch process
// cannot be started, nothing is read and nothing is said.
// => no locks held.
void prefetch_start(struct file *f, uint64 lo, uint64 hi);
// Returns once every job queued so far has ended (the drop knob waits,
// so that no job's file reference or pages outlive a test's check).
// => no locks held; may sleep.
void prefetch_drain(void);

#endif
