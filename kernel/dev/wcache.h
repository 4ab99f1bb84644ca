// wcache.h -- the disk driver's write-cache test mode (wcache.c): while
// it is on, the disk behaves like one with a volatile write cache --
// a completed write counts as "held in the cache" until a flush covers
// it -- and a simulated power cut keeps a random subset of the held
// writes, drops the rest and stops the machine. Tests use it to show
// that the log flushes wherever its order needs it (docs/DESIGN.md,
// "Flushes and the write-cache test mode").
//
// Knob entry points (kernel/mm/knobs.c):
//   wc_knob_mode(seed)  KNOB_WCACHE: seed != 0 turns the mode on (and
//                       seeds the cut's choices), 0 turns it off
//   wc_knob_cut(n)      KNOB_POWER_CUT: cut after n more completed writes,
//                       or now (n = 0)
// Hooks for the driver (virtio_disk.c), in a request's life:
//   wc_write_begin(r)   before a write is queued: keeps what it overwrites
//   wc_write_done(r)    a write completed: it is now held in the cache
//   wc_flush_begin()    a flush is being submitted: tags what it covers
//   wc_flush_done(id)   that flush completed: what it covers is stable
//   wc_cut_plan(cut)    the power goes: which blocks to put back
// The driver provides disk_power_cut_now() for wc_knob_cut, and
// disk_capture_read() for wc_write_begin.
#ifndef PCV6_WCACHE_H
#define PCV6_WCACHE_H

#include "kernel/types.h"

struct disk_req;

// Most blocks the simulated cache holds; when it is full, the oldest held
// write counts as stable (a real cache writes back on its own too).
#define WC_SLOTS 256

// What a power cut does: blocks to write back with their contents from
// before the dropped writes, and counts for the console.
struct wc_cut {
  long seed;        // the mode's seed: the same seed, the same choices
  int held;         // blocks written and not yet stable at the cut
  int kept;         // of them, the writes that reach the medium
  int nroll;        // entries of roll[]
  struct {
    uint64 blockno;
    void *data;     // BSIZE bytes, direct-mapped
  } roll[WC_SLOTS];
};

void wc_init(void);

// => no spinlocks held; may sleep. Returns the previous seed, or -EINVAL
// for a negative one.
long wc_knob_mode(long seed);
// => no spinlocks held. Returns the writes the previous cut was still
// waiting for (0 if none was armed), -EINVAL if the mode is off or n < 0;
// with n = 0 it does not return.
long wc_knob_cut(long n);

// Records the blocks r will overwrite, reading their contents first (one
// read per block: the mode is for tests). Sets r->wc_id (0 = not held:
// the mode is off, or r is larger than the whole cache).
// => no spinlocks held; may sleep; r->nblocks set.
void wc_write_begin(struct disk_req *r);
// r (a write) has completed: its blocks are held until a flush. Returns 1
// if the armed power cut is due now.
// => disk.lock held
int wc_write_done(struct disk_req *r);
// A flush is about to be submitted: every write whose completion the
// driver has seen is covered by it. Returns its tag for wc_flush_done
// (0 when the mode is off). => disk.lock held
uint64 wc_flush_begin(void);
// The flush tagged id completed: the writes it covers are stable.
// => disk.lock held
void wc_flush_done(uint64 id);
// Decides the power cut: each held write is kept or dropped at random;
// fills *cut. => disk.lock held, the device idle
void wc_cut_plan(struct wc_cut *cut);

// Reads block blockno into data (BSIZE bytes, direct-mapped) for the
// capture of wc_write_begin: disk_rw, except that fault injection neither
// fails it nor counts it (virtio_disk.c). 0 or -EIO.
// => no spinlocks held; may sleep
int disk_capture_read(uint64 blockno, void *data);

// The driver's power cut (virtio_disk.c): waits for the requests in
// flight, puts back what wc_cut_plan chose, powers the machine off.
// => no spinlocks held
void disk_power_cut_now(void) __attribute__((noreturn));

#endif
