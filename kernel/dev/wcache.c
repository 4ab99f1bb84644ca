// wcache.c -- the disk driver's write-cache test mode (interface in
// wcache.h): a disk with a volatile write cache, simulated on QEMU's
// disk, which keeps every write it completes.
//
// What it models. A completed write is "in the device's cache" until a
// flush submitted after its completion completes; a power cut may lose
// any such write, and the ones it keeps may have reached the medium in
// any order. So after a cut each block holds its contents from the last
// flush or the data of one of its held writes, independently of every
// other block. Writes in flight at the cut count as held too.
//
// Design: write-through with undo. Every write goes to the device at
// once, as without the mode, so the device always has the newest data
// and reads see the cached writes with no help (read-your-writes is
// free). Before a write is queued, the blocks it will overwrite are read
// into a bounded table, one slot per block, kept in submission order:
// a held write can be undone by writing back what it replaced. A flush
// frees the slots of the writes it covers. A power cut keeps each held
// write with probability 1/2 (a generator seeded by the knob) and, for
// each block, puts back the contents from before the first dropped write
// after its last kept one -- the data of that kept write, or the block's
// stable contents when none was kept; the driver writes those back and
// powers the machine off.
//
// Rejected: holding the written data in the table and sending it to the
// device only at a flush. Every read would then have to be patched from
// the table, a full table written back from the submit path, and a
// flush turned into many writes -- code on the path every request takes.
// With undo only writes pay (one extra read per block, in this mode
// only), and a full table simply forgets its oldest slots: those writes
// count as stable, as when a real cache writes back on its own.
//
// Slot states: FREE -> CAPTURING (reserved; old contents being read,
// the write not yet queued) -> PENDING (write queued or about to be)
// -> DONE (completed) -> FREE (a flush covering it completed, or evicted
// as the oldest). A cut ignores CAPTURING slots (the write has not
// started, the medium still has what is being read) and treats PENDING
// and DONE alike: putting back a block whose write never started is
// harmless, and one in flight may or may not have landed.
//
// Locks: wc.gate (a sleep lock) admits one write at a time to reserve
// and capture, so slots are captured in submission order and the
// capture of one never races another's eviction. wc.lock (a spinlock)
// protects the table; it is taken alone or under the driver's disk.lock,
// never the other way round. Order: gate, then disk.lock (the capture's
// reads), then wc.lock; their ranks in kernel/lib/lockrank.h are
// LR_WCACHE_GATE (after the buffer locks: bwrite submits holding one)
// and LR_WCACHE (after LR_DISK).
#include "kernel/types.h"
#include "kernel/param.h"
#include "kernel/errno.h"
#include "kernel/fs.h"
#include "kernel/lib/spinlock.h"
#include "kernel/lib/sleeplock.h"
#include "kernel/lib/string.h"
#include "kernel/dev/disk.h"
#include "kernel/dev/wcache.h"

#define WC_FREE      0
#define WC_CAPTURING 1
#define WC_PENDING   2
#define WC_DONE      3

struct wc_slot {
  int state;       // WC_*
  uint64 blockno;
  uint64 write;    // id of the write request that overwrites the block
  uint64 flush;    // tag of the first flush submitted after it completed; 0 = none yet
  int keep;        // the cut's choice (wc_cut_plan only)
};

static struct {
  struct spinlock lock;
  struct sleeplock gate;
  volatile long seed;       // [lock] 0 = mode off; read without the lock as a hint
  uint64 rng;               // [lock] the cut's generator state
  long cut_after;           // [lock] write completions until the power cut; 0 = none armed
  uint64 last_write;        // [lock] id given to the last write held
  uint64 last_flush;        // [lock] tag given to the last flush
  int head;                 // [lock] oldest slot of the ring
  int count;                // [lock] slots head.. in use (some may be FREE holes)
  struct wc_slot slot[WC_SLOTS];  // [lock]
} wc;

// What each slot's block held before its write: written by the gate's
// holder while the slot is CAPTURING, read by wc_cut_plan.
static char wc_old[WC_SLOTS][BSIZE];

void
wc_init(void)
{
  initlock(&wc.lock, "wcache", LR_WCACHE);
  initsleeplock(&wc.gate, "wcache gate", LR_WCACHE_GATE);
}

static struct wc_slot *
ring(int i)
{
  return &wc.slot[(wc.head + i) % WC_SLOTS];
}

// Drops FREE slots from the old end of the ring. => wc.lock held
static void
trim(void)
{
  while (wc.count > 0 && wc.slot[wc.head].state == WC_FREE) {
    wc.head = (wc.head + 1) % WC_SLOTS;
    wc.count--;
  }
}

// Forgets every slot: what was held counts as stable. => wc.lock held
static void
forget_all(void)
{
  for (int i = 0; i < WC_SLOTS; i++)
    wc.slot[i].state = WC_FREE;
  wc.head = wc.count = 0;
}

// xorshift64*: one random bit.
static int
random_bit(void)
{
  wc.rng ^= wc.rng >> 12;
  wc.rng ^= wc.rng << 25;
  wc.rng ^= wc.rng >> 27;
  return (wc.rng * 0x2545F4914F6CDD1DULL) >> 63;
}

long
wc_knob_mode(long seed)
{
  if (seed < 0)
    return -EINVAL;  // the old value is returned, and must not read as an error
  acquiresleep(&wc.gate);  // no write is between reserve and capture
  acquire(&wc.lock);
  long old = wc.seed;
  if (seed == 0 || old == 0) {
    // Off: nothing is held any more. On: writes before now count as
    // stable, as if the device had just been flushed.
    forget_all();
    wc.cut_after = 0;
  }
  wc.seed = seed;
  wc.rng = (uint64)seed * 0x9E3779B97F4A7C15ULL | 1;  // never 0
  release(&wc.lock);
  releasesleep(&wc.gate);
  return old;
}

long
wc_knob_cut(long n)
{
  acquire(&wc.lock);
  if (wc.seed == 0 || n < 0) {
    release(&wc.lock);
    return -EINVAL;
  }
  long old = wc.cut_after;
  wc.cut_after = n;
  release(&wc.lock);
  if (n == 0)
    disk_power_cut_now();
  return old;
}

// Reads the current contents of blocks blockno.. into the nblocks slots
// from physical index base on. Returns 0 or -EIO.
// => wc.gate held, no spinlocks; the slots are ours (CAPTURING)
static int
capture(int base, uint64 blockno, uint32 nblocks)
{
  for (uint32 i = 0; i < nblocks; i++)
    if (disk_capture_read(blockno + i, wc_old[(base + i) % WC_SLOTS]) != 0)
      return -EIO;
  return 0;
}

void
wc_write_begin(struct disk_req *r)
{
  r->wc_id = 0;
  if (wc.seed == 0 || r->nblocks > WC_SLOTS)
    return;  // off, or a write larger than the cache: straight to the medium
  acquiresleep(&wc.gate);
  acquire(&wc.lock);
  if (wc.seed == 0) {
    release(&wc.lock);
    releasesleep(&wc.gate);
    return;
  }
  uint64 id = ++wc.last_write;
  while (wc.count + r->nblocks > WC_SLOTS) {
    ring(0)->state = WC_FREE;  // the oldest write reached the medium by itself
    trim();
  }
  // Physical indices: a flush completing meanwhile may move wc.head (over
  // FREE slots, never past ours), so ring positions may shift.
  int base = (wc.head + wc.count) % WC_SLOTS;
  for (uint32 i = 0; i < r->nblocks; i++) {
    struct wc_slot *s = &wc.slot[(base + i) % WC_SLOTS];
    s->state = WC_CAPTURING;
    s->blockno = r->blockno + i;
    s->write = id;
    s->flush = 0;
  }
  wc.count += r->nblocks;
  release(&wc.lock);

  int err = capture(base, r->blockno, r->nblocks);

  acquire(&wc.lock);
  for (uint32 i = 0; i < r->nblocks; i++)
    wc.slot[(base + i) % WC_SLOTS].state = err ? WC_FREE : WC_PENDING;
  trim();
  if (!err)
    r->wc_id = id;  // else the write would fail as the read did: nothing to undo
  release(&wc.lock);
  releasesleep(&wc.gate);
}

int
wc_write_done(struct disk_req *r)
{
  if (wc.seed == 0)
    return 0;
  acquire(&wc.lock);
  for (int i = 0; r->wc_id != 0 && i < wc.count; i++) {
    struct wc_slot *s = ring(i);
    if (s->state == WC_PENDING && s->write == r->wc_id)
      s->state = WC_DONE;
  }
  int cut = wc.cut_after > 0 && --wc.cut_after == 0;
  release(&wc.lock);
  return cut;
}

uint64
wc_flush_begin(void)
{
  if (wc.seed == 0)
    return 0;
  acquire(&wc.lock);
  uint64 tag = ++wc.last_flush;
  for (int i = 0; i < wc.count; i++) {
    struct wc_slot *s = ring(i);
    if (s->state == WC_DONE && s->flush == 0)
      s->flush = tag;
  }
  release(&wc.lock);
  return tag;
}

void
wc_flush_done(uint64 tag)
{
  if (tag == 0)
    return;
  acquire(&wc.lock);
  for (int i = 0; i < wc.count; i++) {
    struct wc_slot *s = ring(i);
    if (s->state == WC_DONE && s->flush != 0 && s->flush <= tag)
      s->state = WC_FREE;  // a later flush covers everything an earlier one does
  }
  trim();
  release(&wc.lock);
}

static int
held(struct wc_slot *s)
{
  return s->state == WC_PENDING || s->state == WC_DONE;
}

// Whether ring slot i is the first dropped write after the last kept
// write of its block: then the block must be put back to what it held
// before that write. => wc.lock held; keep chosen for every held slot
static int
rolls_back(int i)
{
  struct wc_slot *s = ring(i);
  if (!held(s) || s->keep)
    return 0;
  for (int j = i + 1; j < wc.count; j++)
    if (held(ring(j)) && ring(j)->blockno == s->blockno && ring(j)->keep)
      return 0;  // a later write of the block reached the medium
  for (int j = i - 1; j >= 0; j--)
    if (held(ring(j)) && ring(j)->blockno == s->blockno)
      return ring(j)->keep;  // an earlier dropped one puts back older contents
  return 1;
}

void
wc_cut_plan(struct wc_cut *cut)
{
  acquire(&wc.lock);
  cut->seed = wc.seed;
  cut->held = cut->kept = cut->nroll = 0;
  for (int i = 0; i < wc.count; i++) {
    struct wc_slot *s = ring(i);
    if (held(s)) {
      s->keep = random_bit();
      cut->held++;
      cut->kept += s->keep;
    }
  }
  for (int i = 0; i < wc.count; i++) {
    if (rolls_back(i)) {
      int k = (wc.head + i) % WC_SLOTS;
      cut->roll[cut->nroll].blockno = wc.slot[k].blockno;
      cut->roll[cut->nroll].data = wc_old[k];
      cut->nroll++;
    }
  }
  release(&wc.lock);
}
