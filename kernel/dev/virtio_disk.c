// virtio_disk.c -- driver for QEMU's virtio-mmio block device (modern,
// version-2 interface; QEMU needs -global virtio-mmio.force-legacy=false).
// Interface in disk.h: disk_submit, disk_wait, disk_rw and the limits,
// and batches of requests (disk_batch_*), which use nothing but those.
//
// Request life cycle.
//   disk_submit   checks the request, takes a ticket, sleeps until its
//                 ticket is served and enough descriptors are free, builds
//                 the chain, puts its head in the available ring, notifies
//                 the device and returns.
//   the device    works on any number of chains at once, finishes them in
//                 any order, puts each finished head in the used ring and
//                 interrupts.
//   virtio_disk_intr  for each new used entry: finds the request by its
//                 chain head (inflight[]), records the status, counts the
//                 request, frees the chain, marks the request DONE and
//                 wakes its waiter and the submitters waiting for room.
//   disk_wait     sleeps on the request until it is DONE; returns its error.
// Chains are freed by the interrupt handler, never by the waiter, so a
// caller may submit many requests before waiting for any: a full queue
// drains by itself and the sleep for room in disk_submit always ends.
// Tickets serve submitters in arrival order, so a large request waiting
// for room is not overtaken forever by small ones.
//
// Descriptor accounting. A request is one chain: the header (the device
// reads it), the data descriptors, the status byte (the device writes it).
// A segment of k blocks takes ceil(k / piece_blocks) data descriptors,
// where piece_blocks is the device's size_max in whole blocks, or one
// descriptor when the device sets no size_max. A request may use at most
// data_max data descriptors: the device's seg_max, and no more than half
// the queue less the header and status, so that two of the largest
// requests fit at once. compute_limits() derives disk_max_segs() and
// disk_max_blocks() so that every request within them fits in data_max;
// disk_submit checks it. No indirect descriptors.
//
// Before the scheduler runs (boot) there is no process to sleep: waits
// then poll the used ring instead. The boot self check relies on that.
//
// Fault injection (KNOB_DISK_FAIL_NTH, KNOB_DISK_FAIL_BLOCK; knobs.h):
// disk_submit fails a chosen request at once, with -EIO, as if the device
// had answered VIRTIO_BLK_S_IOERR -- but the request never reaches the
// device. Sending it and overriding its status was the alternative; not
// sending it makes the outcome certain: a failed write leaves the old
// contents on disk (one of the outcomes a real failure allows, and the
// one the log's recovery has to get right: a commit record whose write
// failed must not be found at the next boot), and a failed read leaves
// the caller's buffers filled with junk (INJECT_JUNK) rather than with
// plausible data, so that a caller using them despite the error shows.
//
// Device cache: we accept VIRTIO_BLK_F_FLUSH when offered (as before this
// driver batched anything), so QEMU keeps its write cache in write-back
// mode; a completed write then survives QEMU being killed, which is the
// crash the tests make, but not a host power failure. Surviving that too
// would take a VIRTIO_BLK_T_FLUSH at the log's commit points.
//
// Lock: disk.lock protects everything in `disk` marked [lock] and the
// driver-private fields of every queued request. It is a leaf except for
// the process locks that sleep() and wakeup() take.
#include "kernel/types.h"
#include "kernel/param.h"
#include "kernel/memlayout.h"
#include "kernel/riscv.h"
#include "kernel/errno.h"
#include "kernel/lib/spinlock.h"
#include "kernel/lib/printf.h"
#include "kernel/lib/string.h"
#include "kernel/mm/kalloc.h"
#include "kernel/proc/proc.h"
#include "kernel/fs.h"
#include "kernel/knobs.h"
#include "kernel/dev/virtio.h"
#include "kernel/dev/disk.h"
#include "kernel/mm/kstats_impl.h"

#define REG(r) ((volatile uint32 *)(VIRTIO0 + (r)))

// Our own bound on one request when the device sets none (no size_max):
// 1 MiB, so that one request does not hold the device for long.
#define DISK_REQ_BLOCKS_CAP 1024

// What an injected read failure leaves in the request's buffers.
#define INJECT_JUNK 0xEB

_Static_assert(sizeof(struct virtq_desc) * VIRTQ_SIZE <= PGSIZE, "descriptors fit a page");
_Static_assert(sizeof(struct virtq_avail) <= PGSIZE, "available ring fits a page");
_Static_assert(sizeof(struct virtq_used) <= PGSIZE, "used ring fits a page");

static struct {
  struct spinlock lock;
  struct virtq_desc *desc;    // [lock] qsize descriptors
  struct virtq_avail *avail;  // [lock] driver -> device
  struct virtq_used *used;    // [lock] device -> driver
  uint32 qsize;               // [I] descriptors in the queue, a power of two
  uint16 free_next[VIRTQ_SIZE]; // [lock] free descriptors, linked
  int free_head;              // [lock] first free descriptor, -1 if none
  uint32 nfree;               // [lock] length of the free list
  uint16 used_seen;           // [lock] used->idx we have processed up to
  uint64 next_ticket;         // [lock] handed to the next submitter
  uint64 serving;             // [lock] the ticket allowed to take descriptors
  int room_waiters;           // [lock] submitters asleep on &disk.serving

  // Per chain head: the request, its header and its status byte.
  struct disk_req *inflight[VIRTQ_SIZE];  // [lock]
  struct virtio_blk_req hdr[VIRTQ_SIZE];  // [lock] the device reads these
  uchar status[VIRTQ_SIZE];               // the device writes these

  // Fixed at boot.
  uint64 capacity;        // [I] blocks on the device
  uint32 seg_max;         // [I] device's seg_max, 0 if not offered
  uint32 size_max;        // [I] device's size_max in bytes, 0 if not offered
  uint32 piece_blocks;    // [I] most blocks per data descriptor, 0 = no limit
  uint32 data_max;        // [I] most data descriptors per request
  int max_segs;           // [I] disk_max_segs()
  int max_blocks;         // [I] disk_max_blocks()

  // Fault injection: the knobs' values (DISK_FAIL(number, flags), 0 = off).
  long fail_nth;          // [lock] KNOB_DISK_FAIL_NTH, counting down
  long fail_block;        // [lock] KNOB_DISK_FAIL_BLOCK
} disk;

static void selfcheck(void);

// ---------------------------------------------------------------------------
// Initialisation

static void
set_addr(uint32 low_reg, uint32 high_reg, void *p)
{
  *REG(low_reg) = (uint64)p;
  *REG(high_reg) = (uint64)p >> 32;
}

// Accepts what the device offers except the features we do not
// implement. SEG_MAX and SIZE_MAX are accepted when offered: their limits
// are read by read_config and honoured. Returns the accepted low 32 bits.
static uint32
negotiate_features(void)
{
  *REG(VIRTIO_MMIO_DEVICE_FEATURES_SEL) = 0;
  uint32 f = *REG(VIRTIO_MMIO_DEVICE_FEATURES);
  f &= ~((1U << VIRTIO_BLK_F_RO) | (1U << VIRTIO_BLK_F_SCSI) |
         (1U << VIRTIO_BLK_F_CONFIG_WCE) | (1U << VIRTIO_BLK_F_MQ) |
         (1U << VIRTIO_F_ANY_LAYOUT) | (1U << VIRTIO_RING_F_EVENT_IDX) |
         (1U << VIRTIO_RING_F_INDIRECT_DESC));
  *REG(VIRTIO_MMIO_DRIVER_FEATURES_SEL) = 0;
  *REG(VIRTIO_MMIO_DRIVER_FEATURES) = f;
  *REG(VIRTIO_MMIO_DEVICE_FEATURES_SEL) = 1;
  uint32 hi = *REG(VIRTIO_MMIO_DEVICE_FEATURES);
  if ((hi & (1U << (VIRTIO_F_VERSION_1 - 32))) == 0)
    panic("virtio disk: device does not offer VIRTIO_F_VERSION_1");
  *REG(VIRTIO_MMIO_DRIVER_FEATURES_SEL) = 1;
  *REG(VIRTIO_MMIO_DRIVER_FEATURES) = 1U << (VIRTIO_F_VERSION_1 - 32);
  return f;
}

static uint32
config32(int off)
{
  return *REG(VIRTIO_MMIO_CONFIG + off);
}

// Reads capacity and the limits the accepted features make valid. The
// generation counter tells whether the device changed the config space
// while we read it (the 64-bit capacity takes two reads).
static void
read_config(uint32 features)
{
  uint32 gen, lo, hi;
  do {
    gen = *REG(VIRTIO_MMIO_CONFIG_GENERATION);
    lo = config32(VIRTIO_BLK_CFG_CAPACITY);
    hi = config32(VIRTIO_BLK_CFG_CAPACITY + 4);
    disk.size_max = 0;
    disk.seg_max = 0;
    if (features & (1U << VIRTIO_BLK_F_SIZE_MAX))
      disk.size_max = config32(VIRTIO_BLK_CFG_SIZE_MAX);
    if (features & (1U << VIRTIO_BLK_F_SEG_MAX))
      disk.seg_max = config32(VIRTIO_BLK_CFG_SEG_MAX);
  } while (gen != *REG(VIRTIO_MMIO_CONFIG_GENERATION));
  disk.capacity = (((uint64)hi << 32) | lo) / (BSIZE / VIRTIO_SECTOR_SIZE);
}

// The largest power of two not above VIRTQ_SIZE and the device's maximum.
static void
setup_queue(void)
{
  *REG(VIRTIO_MMIO_QUEUE_SEL) = 0;
  if (*REG(VIRTIO_MMIO_QUEUE_READY))
    panic("virtio disk: queue already in use");
  uint32 max = *REG(VIRTIO_MMIO_QUEUE_NUM_MAX);
  disk.qsize = VIRTQ_SIZE;
  while (disk.qsize > max)
    disk.qsize /= 2;
  if (disk.qsize < 8)
    panic("virtio disk: queue too short (%d)", max);
  disk.desc = kzalloc();
  disk.avail = kzalloc();
  disk.used = kzalloc();
  if (!disk.desc || !disk.avail || !disk.used)
    panic("virtio disk: out of memory at boot");
  *REG(VIRTIO_MMIO_QUEUE_NUM) = disk.qsize;
  set_addr(VIRTIO_MMIO_QUEUE_DESC_LOW, VIRTIO_MMIO_QUEUE_DESC_HIGH, disk.desc);
  set_addr(VIRTIO_MMIO_QUEUE_DRIVER_LOW, VIRTIO_MMIO_QUEUE_DRIVER_HIGH, disk.avail);
  set_addr(VIRTIO_MMIO_QUEUE_DEVICE_LOW, VIRTIO_MMIO_QUEUE_DEVICE_HIGH, disk.used);
  *REG(VIRTIO_MMIO_QUEUE_READY) = 1;
  for (uint32 i = 0; i < disk.qsize; i++)
    disk.free_next[i] = i + 1 < disk.qsize ? i + 1 : 0;
  disk.free_head = 0;
  disk.nfree = disk.qsize;
}

// Limits per request; see "Descriptor accounting" above. When size_max
// splits segments, a request of s segments and b blocks needs at most
// s + (b - s) / piece_blocks data descriptors (each segment one more than
// its whole pieces beyond its first block); with s <= data_max / 2 and
// b <= s + (data_max - s) * piece_blocks that is at most data_max.
static void
compute_limits(void)
{
  uint32 data_max = disk.qsize / 2 - 2;
  // Without SEG_MAX the device has promised nothing: one segment.
  uint32 seg_max = disk.seg_max ? disk.seg_max : 1;
  if (seg_max < data_max)
    data_max = seg_max;
  disk.data_max = data_max;
  if (disk.size_max != 0 && disk.size_max < BSIZE)
    panic("virtio disk: size_max %d is smaller than a block", disk.size_max);
  disk.piece_blocks = disk.size_max / BSIZE;

  uint32 segs, blocks;
  if (disk.piece_blocks == 0) {
    segs = data_max;
    blocks = DISK_REQ_BLOCKS_CAP;
  } else if (data_max == 1) {
    segs = 1;
    blocks = disk.piece_blocks;
  } else {
    segs = data_max / 2;
    blocks = segs + (data_max - segs) * disk.piece_blocks;
  }
  if (blocks > DISK_REQ_BLOCKS_CAP)
    blocks = DISK_REQ_BLOCKS_CAP;
  disk.max_segs = segs;
  disk.max_blocks = blocks;
}

void
virtio_disk_init(void)
{
  initlock(&disk.lock, "virtio_disk", LR_DISK);
  if (*REG(VIRTIO_MMIO_MAGIC_VALUE) != VIRTIO_MAGIC ||
      *REG(VIRTIO_MMIO_VERSION) != VIRTIO_VERSION_MODERN ||
      *REG(VIRTIO_MMIO_DEVICE_ID) != VIRTIO_DEVICE_BLOCK)
    panic("virtio disk: no modern virtio block device at %p "
          "(is -global virtio-mmio.force-legacy=false set?)", (void *)VIRTIO0);

  uint32 status = 0;
  *REG(VIRTIO_MMIO_STATUS) = status;  // reset
  status |= VIRTIO_STATUS_ACKNOWLEDGE;
  *REG(VIRTIO_MMIO_STATUS) = status;
  status |= VIRTIO_STATUS_DRIVER;
  *REG(VIRTIO_MMIO_STATUS) = status;
  uint32 features = negotiate_features();
  status |= VIRTIO_STATUS_FEATURES_OK;
  *REG(VIRTIO_MMIO_STATUS) = status;
  if ((*REG(VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_FEATURES_OK) == 0)
    panic("virtio disk: features not accepted");
  read_config(features);
  setup_queue();
  compute_limits();
  status |= VIRTIO_STATUS_DRIVER_OK;
  *REG(VIRTIO_MMIO_STATUS) = status;

  printf("virtio disk: %lu blocks; queue %d (device max %d), seg_max %d, size_max %d; "
         "requests of up to %d blocks in %d segments\n",
         disk.capacity, disk.qsize, *REG(VIRTIO_MMIO_QUEUE_NUM_MAX), disk.seg_max,
         disk.size_max, disk.max_blocks, disk.max_segs);
  selfcheck();
}

int
disk_max_blocks(void)
{
  return disk.max_blocks;
}

int
disk_max_segs(void)
{
  return disk.max_segs;
}

// ---------------------------------------------------------------------------
// Descriptors and chains

// => disk.lock held; the free list is not empty.
static int
take_desc(void)
{
  KASSERT(disk.nfree > 0);
  int i = disk.free_head;
  disk.free_head = disk.free_next[i];
  disk.nfree--;
  return i;
}

static void
put_desc(int i)
{
  memset(&disk.desc[i], 0, sizeof(disk.desc[i]));
  disk.free_next[i] = disk.free_head;
  disk.free_head = i;
  disk.nfree++;
}

// => disk.lock held.
static void
free_chain(int head)
{
  for (int i = head;;) {
    int flags = disk.desc[i].flags, next = disk.desc[i].next;
    put_desc(i);
    if ((flags & VIRTQ_DESC_F_NEXT) == 0)
      break;
    i = next;
  }
}

// Descriptor i describes [addr, addr + len) and is linked after prev
// (prev < 0: i is a chain head).
static void
append_desc(int prev, int i, void *addr, uint32 len, uint16 flags)
{
  disk.desc[i].addr = (uint64)addr;
  disk.desc[i].len = len;
  disk.desc[i].flags = flags;
  disk.desc[i].next = 0;
  if (prev >= 0) {
    disk.desc[prev].flags |= VIRTQ_DESC_F_NEXT;
    disk.desc[prev].next = i;
  }
}

// Data descriptors one segment of `blocks` blocks needs.
static uint32
seg_pieces(uint32 blocks)
{
  if (disk.piece_blocks == 0)
    return 1;
  return (blocks + disk.piece_blocks - 1) / disk.piece_blocks;
}

// Checks r against the interface's rules (breaking them is a kernel bug),
// sets r->nblocks and returns the data descriptors r needs.
static uint32
check_req(struct disk_req *r)
{
  KASSERT(r->nseg >= 1 && r->nseg <= disk.max_segs);
  uint32 blocks = 0, pieces = 0;
  for (int i = 0; i < r->nseg; i++) {
    uint64 a = (uint64)r->segs[i].addr;
    uint32 len = r->segs[i].len;
    KASSERT(len > 0 && len % BSIZE == 0);
    KASSERT(a >= KERNBASE && a < PHYSTOP && len <= PHYSTOP - a);
    blocks += len / BSIZE;
    pieces += seg_pieces(len / BSIZE);
  }
  KASSERT(blocks <= disk.max_blocks);
  KASSERT(pieces <= disk.data_max);
  r->nblocks = blocks;
  return pieces;
}

// Builds r's chain: header, data pieces, status. => disk.lock held, and
// enough free descriptors.
static void
build_chain(struct disk_req *r)
{
  int head = take_desc();
  struct virtio_blk_req *h = &disk.hdr[head];
  h->type = r->write ? VIRTIO_BLK_T_OUT : VIRTIO_BLK_T_IN;
  h->reserved = 0;
  h->sector = r->blockno * (BSIZE / VIRTIO_SECTOR_SIZE);
  append_desc(-1, head, h, sizeof(*h), 0);

  uint16 data_flags = r->write ? 0 : VIRTQ_DESC_F_WRITE;
  uint32 piece = disk.piece_blocks ? disk.piece_blocks * BSIZE : 0;
  int prev = head;
  for (int s = 0; s < r->nseg; s++) {
    char *addr = r->segs[s].addr;
    uint32 left = r->segs[s].len;
    while (left > 0) {
      uint32 n = piece && left > piece ? piece : left;
      int d = take_desc();
      append_desc(prev, d, addr, n, data_flags);
      prev = d;
      addr += n;
      left -= n;
    }
  }
  disk.status[head] = 0xff;  // the device overwrites it
  append_desc(prev, take_desc(), &disk.status[head], 1, VIRTQ_DESC_F_WRITE);
  r->head = head;
  disk.inflight[head] = r;
}

// Offers the chain at head to the device. => disk.lock held.
static void
publish(int head)
{
  disk.avail->ring[disk.avail->idx % disk.qsize] = head;
  __sync_synchronize();  // the ring entry before the index
  disk.avail->idx++;
  __sync_synchronize();  // the index before the notification
  *REG(VIRTIO_MMIO_QUEUE_NOTIFY) = 0;
}

// ---------------------------------------------------------------------------
// Completion

static void
count_done(struct disk_req *r)
{
  if (r->write) {
    kstat_inc(disk_write_reqs);
    if (r->error == 0)
      kstat_add(disk_write_blocks, r->nblocks);
  } else {
    kstat_inc(disk_read_reqs);
    if (r->error == 0)
      kstat_add(disk_read_blocks, r->nblocks);
  }
}

// Retires every chain the device has put in the used ring since we last
// looked. => disk.lock held.
static void
complete_used(void)
{
  int freed = 0;
  while (disk.used_seen != *(volatile uint16 *)&disk.used->idx) {
    __sync_synchronize();  // the entry after the index that covers it
    uint32 head = disk.used->ring[disk.used_seen % disk.qsize].id;
    disk.used_seen++;
    KASSERT(head < disk.qsize);
    struct disk_req *r = disk.inflight[head];
    KASSERT(r != 0 && r->state == DISK_REQ_QUEUED && r->head == head);
    disk.inflight[head] = 0;
    r->error = disk.status[head] == VIRTIO_BLK_S_OK ? 0 : -EIO;
    count_done(r);
    free_chain(head);
    r->state = DISK_REQ_DONE;  // r may be gone once we release the lock
    wakeup(r);
    freed = 1;
  }
  if (freed && disk.room_waiters > 0)
    wakeup(&disk.serving);
}

void
virtio_disk_intr(void)
{
  acquire(&disk.lock);
  // Acknowledge first: a completion arriving after this raises a new
  // interrupt rather than being lost.
  *REG(VIRTIO_MMIO_INTERRUPT_ACK) = *REG(VIRTIO_MMIO_INTERRUPT_STATUS) & 0x3;
  __sync_synchronize();
  complete_used();
  release(&disk.lock);
}

// Waits for the device to finish something: sleeps on chan, or at boot,
// with no process to put to sleep, polls the used ring.
// => disk.lock held; held again on return.
static void
wait_device(void *chan)
{
  if (myproc())
    sleep(chan, &disk.lock);
  else
    complete_used();
}

// ---------------------------------------------------------------------------
// Fault injection (see the top of the file)

// Does the knob value select requests of r's direction?
static int
fail_selects(long value, struct disk_req *r)
{
  return (DISK_FAIL_FLAGS(value) & (r->write ? DISK_FAIL_WRITE : DISK_FAIL_READ)) != 0;
}

// Must r fail on purpose? Counts r against KNOB_DISK_FAIL_NTH (firing it,
// and making it sticky, when r is the one). => disk.lock held; r checked.
static int
inject_failure(struct disk_req *r)
{
  int fail = 0;
  long b = DISK_FAIL_NUMBER(disk.fail_block);
  if (disk.fail_block != 0 && fail_selects(disk.fail_block, r) && b >= r->blockno &&
      b < r->blockno + r->nblocks)
    fail = 1;
  if (disk.fail_nth != 0 && fail_selects(disk.fail_nth, r)) {
    long left = DISK_FAIL_NUMBER(disk.fail_nth), flags = DISK_FAIL_FLAGS(disk.fail_nth);
    if (left > 1) {
      disk.fail_nth = DISK_FAIL(left - 1, flags);
    } else {
      disk.fail_nth = 0;
      fail = 1;
      if (flags & DISK_FAIL_STICKY)
        disk.fail_block = DISK_FAIL(r->blockno, flags & DISK_FAIL_ANY);
    }
  }
  return fail;
}

// Completes r at once with -EIO, without the device. => disk.lock held.
static void
fail_now(struct disk_req *r)
{
  if (!r->write)
    for (int i = 0; i < r->nseg; i++)
      memset(r->segs[i].addr, INJECT_JUNK, r->segs[i].len);
  r->error = -EIO;
  r->state = DISK_REQ_DONE;
  kstat_inc(disk_injected_errors);
}

long
disk_fail_knob(int which, long value)
{
  long flags = DISK_FAIL_FLAGS(value), number = DISK_FAIL_NUMBER(value);
  if (value != 0) {
    if (value < 0 || (flags & DISK_FAIL_ANY) == 0)
      return -EINVAL;
    if (which == KNOB_DISK_FAIL_NTH && number < 1)
      return -EINVAL;
    if (which == KNOB_DISK_FAIL_BLOCK && ((flags & DISK_FAIL_STICKY) || number >= disk.capacity))
      return -EINVAL;
  }
  acquire(&disk.lock);
  long *word = which == KNOB_DISK_FAIL_NTH ? &disk.fail_nth : &disk.fail_block;
  long old = *word;
  *word = value;
  release(&disk.lock);
  return old;
}

// ---------------------------------------------------------------------------
// The interface

void
disk_submit(struct disk_req *r)
{
  uint32 need = 2 + check_req(r);
  r->error = 0;
  r->state = DISK_REQ_QUEUED;
  acquire(&disk.lock);
  if (r->blockno >= disk.capacity || r->nblocks > disk.capacity - r->blockno) {
    r->error = -EIO;  // past the end: the device would refuse it too
    r->state = DISK_REQ_DONE;
    release(&disk.lock);
    return;
  }
  if (inject_failure(r)) {
    fail_now(r);
    release(&disk.lock);
    return;
  }
  uint64 ticket = disk.next_ticket++;
  while (ticket != disk.serving || disk.nfree < need) {
    disk.room_waiters++;
    wait_device(&disk.serving);
    disk.room_waiters--;
  }
  disk.serving++;
  build_chain(r);
  publish(r->head);
  if (disk.room_waiters > 0)
    wakeup(&disk.serving);  // the next ticket may fit in what is left
  release(&disk.lock);
}

int
disk_wait(struct disk_req *r)
{
  acquire(&disk.lock);
  KASSERT(r->state == DISK_REQ_QUEUED || r->state == DISK_REQ_DONE);
  while (r->state != DISK_REQ_DONE)
    wait_device(r);
  int error = r->error;
  release(&disk.lock);
  struct proc *p = myproc();
  if (!r->write && p)
    p->disk_reads++;
  return error;
}

int
disk_rw(struct disk_req *r)
{
  disk_submit(r);
  return disk_wait(r);
}

// ---------------------------------------------------------------------------
// Batches (disk.h): built on disk_submit and disk_wait alone.

void
disk_batch_init(struct disk_batch *b, int write, struct disk_req *reqs, int maxreqs,
                struct disk_seg *segs, int maxsegs)
{
  memset(b, 0, sizeof(*b));
  b->write = write;
  b->reqs = reqs;
  b->maxreqs = maxreqs;
  b->segs = segs;
  b->maxsegs = maxsegs;
}

// Submits the open request, if any: it will not grow any more.
static void
batch_close(struct disk_batch *b)
{
  if (b->open) {
    disk_submit(&b->reqs[b->nreq - 1]);
    b->open = 0;
  }
}

// Waits for every request of b and frees its room; a failure is kept in
// b->error.
static void
batch_drain(struct disk_batch *b)
{
  batch_close(b);
  for (int i = 0; i < b->nreq; i++)
    if (disk_wait(&b->reqs[i]) != 0)
      b->error = -EIO;
  b->nreq = b->nseg = 0;
}

// Adds one block: to the open request if it may grow by it, else to a
// new one.
static void
batch_add_block(struct disk_batch *b, uint64 bno, char *addr)
{
  if (b->open) {
    struct disk_req *r = &b->reqs[b->nreq - 1];
    struct disk_seg *last = &r->segs[r->nseg - 1];
    if (r->blockno + b->nblocks == bno && (int)b->nblocks < disk_max_blocks()) {
      if ((char *)last->addr + last->len == addr) {
        last->len += BSIZE;
        b->nblocks++;
        return;
      }
      if (r->nseg < disk_max_segs() && b->nseg < b->maxsegs) {
        b->segs[b->nseg].addr = addr;
        b->segs[b->nseg].len = BSIZE;
        b->nseg++;
        r->nseg++;
        b->nblocks++;
        return;
      }
    }
    batch_close(b);
  }
  if (b->nreq == b->maxreqs || b->nseg == b->maxsegs)
    batch_drain(b);
  struct disk_req *r = &b->reqs[b->nreq++];
  memset(r, 0, sizeof(*r));
  r->blockno = bno;
  r->write = b->write;
  r->segs = &b->segs[b->nseg];
  r->nseg = 1;
  b->segs[b->nseg].addr = addr;
  b->segs[b->nseg].len = BSIZE;
  b->nseg++;
  b->nblocks = 1;
  b->open = 1;
}

void
disk_batch_add(struct disk_batch *b, uint64 blockno, void *addr, uint32 nblocks)
{
  for (uint32 i = 0; i < nblocks; i++)
    batch_add_block(b, blockno + i, (char *)addr + i * BSIZE);
}

int
disk_batch_wait(struct disk_batch *b)
{
  batch_drain(b);
  int error = b->error;
  b->error = 0;
  return error;
}

// ---------------------------------------------------------------------------
// Boot self check: the first SC_BLOCKS blocks (mkfs's metadata and the
// first files) are read twice -- in multi-segment requests scattered over
// the pages of one buffer in a shuffled layout, all in flight at once, and
// one block per request, also all in flight -- and compared. A mismatch
// means the driver would corrupt data: panic. Last, a read running past
// the end of the disk must come back as -EIO.

#define SC_RUN    16    // blocks compared per round: 4 pages
#define SC_BLOCKS 256
#define SC_PAGES  (SC_RUN * BSIZE / PGSIZE)

// Segment lengths in blocks, and the page each pair of them fills (the
// first segment of a page lands at its end, the second at its start).
static const uint32 sc_len[] = { 1, 3, 2, 2, 4, 0, 3, 1 };
static const int sc_page[] = { 3, 0, 2, 1 };

static struct disk_seg sc_segs[2 * SC_RUN];
static struct disk_req sc_reqs[2 * SC_RUN];

// Lays the run out over multi[] as sc_len/sc_page say, splitting segments
// to the driver's limits; where[j] is where block j of the run goes.
// Returns the number of segments.
static int
sc_layout(char *multi[SC_PAGES], char *where[SC_RUN])
{
  int nseg = 0, block = 0;
  for (int k = 0; k < 8; k++) {
    if (sc_len[k] == 0)
      continue;
    char *page = multi[sc_page[k / 2]];
    char *at = k % 2 == 0 ? page + PGSIZE - sc_len[k] * BSIZE : page;
    for (uint32 b = 0; b < sc_len[k]; b++)
      where[block++] = at + b * BSIZE;
    for (uint32 done = 0; done < sc_len[k];) {
      uint32 n = sc_len[k] - done;
      if (n > disk.max_blocks)
        n = disk.max_blocks;
      sc_segs[nseg].addr = at + done * BSIZE;
      sc_segs[nseg++].len = n * BSIZE;
      done += n;
    }
  }
  KASSERT(block == SC_RUN);
  return nseg;
}

// Reads blocks base.. into the segments sc_segs[0..nseg), packing them
// into as few requests as the limits allow, all submitted before any is
// waited for. Returns how many requests were used.
static int
sc_read_segs(uint64 base, int nseg, int first_req)
{
  int nreq = first_req;
  for (int s = 0; s < nseg;) {
    struct disk_req *r = &sc_reqs[nreq++];
    r->blockno = base;
    r->write = 0;
    r->segs = &sc_segs[s];
    r->nseg = 0;
    uint32 blocks = 0;
    while (s < nseg && r->nseg < disk.max_segs &&
           blocks + sc_segs[s].len / BSIZE <= disk.max_blocks) {
      blocks += sc_segs[s].len / BSIZE;
      r->nseg++;
      s++;
    }
    base += blocks;
    disk_submit(r);
  }
  return nreq;
}

static void
selfcheck(void)
{
  char *multi[SC_PAGES], *single[SC_PAGES], *where[SC_RUN];
  for (int i = 0; i < SC_PAGES; i++) {
    multi[i] = kalloc();
    single[i] = kalloc();
    if (!multi[i] || !single[i])
      panic("virtio disk: out of memory at boot");
  }
  uint64 total = disk.capacity < SC_BLOCKS ? disk.capacity : SC_BLOCKS;
  total -= total % SC_RUN;
  for (uint64 base = 0; base < total; base += SC_RUN) {
    for (int i = 0; i < SC_PAGES; i++) {
      memset(multi[i], 0xa5, PGSIZE);
      memset(single[i], 0x5a, PGSIZE);
    }
    int nseg = sc_layout(multi, where);
    int nreq = sc_read_segs(base, nseg, 0);
    for (int j = 0; j < SC_RUN; j++) {
      sc_segs[nseg + j].addr = single[j * BSIZE / PGSIZE] + j * BSIZE % PGSIZE;
      sc_segs[nseg + j].len = BSIZE;
      struct disk_req *r = &sc_reqs[nreq++];
      r->blockno = base + j;
      r->write = 0;
      r->segs = &sc_segs[nseg + j];
      r->nseg = 1;
      disk_submit(r);
    }
    for (int i = 0; i < nreq; i++)
      if (disk_wait(&sc_reqs[i]) != 0)
        panic("virtio disk: self check: read error near block %lu", base);
    for (int j = 0; j < SC_RUN; j++)
      if (memcmp(where[j], single[j * BSIZE / PGSIZE] + j * BSIZE % PGSIZE, BSIZE) != 0)
        panic("virtio disk: self check: block %lu differs between a %d-segment read "
              "and a single-block read", base + j, nseg);
  }
  // A request that runs past the end fails, without a panic.
  sc_segs[0].addr = multi[0];
  sc_segs[0].len = 2 * BSIZE;
  sc_reqs[0].blockno = disk.capacity - 1;
  sc_reqs[0].write = 0;
  sc_reqs[0].segs = sc_segs;
  sc_reqs[0].nseg = 1;
  if (disk.max_blocks >= 2 && disk_rw(&sc_reqs[0]) != -EIO)
    panic("virtio disk: self check: a read past the end did not fail");
  for (int i = 0; i < SC_PAGES; i++) {
    kfree(multi[i]);
    kfree(single[i]);
  }
  printf("virtio disk: self check: %lu blocks read both ways agree\n", total);
}
