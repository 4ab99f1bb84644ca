// disk.h -- the block device (virtio_disk.c): requests that move runs of
// contiguous BSIZE blocks to or from memory scattered over segments, many
// of them in flight at once.
//
// A request's life:
//   fill blockno, write, segs, nseg      (caller; private fields untouched)
//   disk_submit(r)                       queued, returns at once
//   ... submit more, or do other work ...
//   err = disk_wait(r)                   sleeps until the device is done
// after which r and its segments are the caller's again (r may be reused
// for a new submit). disk_rw() is the two in one. A batch (struct
// disk_batch, below) builds, submits and waits for many requests at once.
//
// Limits: a request carries at most disk_max_segs() segments and
// disk_max_blocks() blocks in all; callers split longer runs. Both are
// at least 1 and fixed at boot.
//
// Memory: a segment's addr must be a direct-mapped kernel address (kernel
// data or bss, or a page from kalloc) -- never the kernel stack, which the
// device cannot see at its virtual address. The struct disk_req and the
// disk_seg array themselves may live anywhere, the stack included.
//
// Errors: disk_wait returns -EIO when the device reports a failure or the
// blocks lie past the end of the disk, or when a fault-injection knob
// chose the request (knobs.h, KNOB_DISK_FAIL_*); the driver never panics
// for that.
//
// Lock tags: [c] set by the caller before disk_submit, read-only until
// disk_wait returns; [d] driver-private, under the driver's lock.
#ifndef PCV6_DISK_H
#define PCV6_DISK_H

#include "kernel/types.h"

// One piece of memory a request reads into or writes from.
struct disk_seg {
  void *addr;          // [c] direct-mapped kernel address
  uint32 len;          // [c] a nonzero multiple of BSIZE
};

struct disk_req {
  uint64 blockno;          // [c] first block (BSIZE units)
  int write;               // [c] 1 = write to disk, 0 = read
  struct disk_seg *segs;   // [c] the blocks blockno.. in order, scattered over segs
  int nseg;                // [c] 1..disk_max_segs()

  // Driver-private: set by disk_submit.
  int state;               // [d] DISK_REQ_QUEUED or DISK_REQ_DONE
  int error;               // [d] 0 or -EIO, valid once DONE
  int head;                // [d] descriptor chain head while QUEUED
  uint32 nblocks;          // [d] total blocks of segs
};

#define DISK_REQ_QUEUED 1  // handed to the device (or waiting for room)
#define DISK_REQ_DONE   2  // the device finished it; error says how

void virtio_disk_init(void);
void virtio_disk_intr(void);

// Queues r, sleeping while the queue has no room for it; returns at once
// after that. r's segments must respect disk_max_segs/disk_max_blocks.
// => no spinlocks held; r and its segs stay valid until disk_wait returns.
void disk_submit(struct disk_req *r);
// Sleeps until r is complete. Returns 0, or -EIO if the device reported
// an error (or the blocks are past the end of the disk). Counts a read
// in myproc()->disk_reads.
// => no spinlocks held; r was submitted and not yet waited for.
int disk_wait(struct disk_req *r);
// disk_submit + disk_wait.
int disk_rw(struct disk_req *r);
// Most blocks one request may carry, and most segments (from the device's
// limits and the queue size); callers split longer runs.
int disk_max_blocks(void);
int disk_max_segs(void);
// knob() for KNOB_DISK_FAIL_NTH and KNOB_DISK_FAIL_BLOCK: sets the knob to
// value (a DISK_FAIL() value, or 0 = off) and returns the old value, or
// -EINVAL for a value the knob does not take. => takes the driver's lock.
long disk_fail_knob(int which, long value);

// ---- batches: many requests in flight, waited for together ----
//
// A batch moves blocks in one direction, given to it a run at a time
// (disk_batch_add), and packs them into as few requests as the limits
// allow: a request grows while the next block follows its last one on
// the disk -- in its last segment when the block also follows it in
// memory, else in a new segment -- and is submitted as soon as a block
// cannot join it, so earlier requests are in flight while the caller goes
// on adding. disk_batch_wait waits for all of them. The caller gives the
// room for requests and segments (which must outlive the batch's I/O);
// when either is used up, the batch first waits for everything it has in
// flight and then starts over in the same room. Used by the page cache's
// fill (pagecache.c) and the log (log.c).
//
// A batch belongs to one caller at a time: no lock. => no spinlocks held
// for add and wait (both may sleep in disk_submit/disk_wait).
struct disk_batch {
  int write;               // 1 = write to disk, 0 = read, for every request
  struct disk_req *reqs;   // the caller's room for maxreqs requests
  int maxreqs;
  struct disk_seg *segs;   // the caller's room for maxsegs segments
  int maxsegs;
  int nreq;                // requests started (the last may still be open)
  int nseg;                // segments used
  int open;                // the last request is not submitted yet: it may grow
  uint32 nblocks;          // blocks in the open request
  int error;               // 0, or -EIO from a request already waited for
};

void disk_batch_init(struct disk_batch *b, int write, struct disk_req *reqs, int maxreqs,
                     struct disk_seg *segs, int maxsegs);
// Adds the transfer of nblocks blocks from blockno on, to or from addr on
// (direct-mapped, as a segment's). May submit and, when the room is used
// up, wait.
void disk_batch_add(struct disk_batch *b, uint64 blockno, void *addr, uint32 nblocks);
// Submits what is left and waits for every request of b. Returns 0, or
// -EIO if any request of the batch failed since disk_batch_init or the
// last disk_batch_wait; b may then be given more blocks.
int disk_batch_wait(struct disk_batch *b);

#endif
