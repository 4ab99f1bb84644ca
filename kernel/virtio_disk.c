// virtio_disk.c -- driver for QEMU's virtio-mmio block device (modern,
// version-2 interface; QEMU needs -global virtio-mmio.force-legacy=false).
//
// One virtqueue of VIRTQ_SIZE descriptors. Each request is a chain of
// three: the request header (device reads), the BSIZE data buffer (device
// reads for a write, writes for a read), and the status byte (device
// writes). A caller sleeps on its buf until the interrupt handler sees the
// chain in the used ring and clears b->disk.
//
// Lock: disk.lock protects the queue, the free map and inflight[]; it is
// a leaf except for the process locks sleep()/wakeup() take.
#include "kernel/types.h"
#include "kernel/param.h"
#include "kernel/memlayout.h"
#include "kernel/riscv.h"
#include "kernel/spinlock.h"
#include "kernel/sleeplock.h"
#include "kernel/printf.h"
#include "kernel/string.h"
#include "kernel/kalloc.h"
#include "kernel/proc.h"
#include "kernel/buf.h"
#include "kernel/virtio.h"
#include "kernel/disk.h"
#include "kernel/kstats_impl.h"

#define REG(r) ((volatile uint32 *)(VIRTIO0 + (r)))

#define DESCS_PER_REQ 3

static struct {
  struct spinlock lock;
  struct virtq_desc *desc;    // [lock] VIRTQ_SIZE descriptors
  struct virtq_avail *avail;  // [lock] driver -> device
  struct virtq_used *used;    // [lock] device -> driver
  char free[VIRTQ_SIZE];      // [lock] descriptor i unused?
  uint16 used_seen;           // [lock] used->idx we have processed up to

  // Per chain head: the buffer being transferred and where the device
  // writes its status.
  struct {
    struct buf *b;
    uchar status;
  } inflight[VIRTQ_SIZE];
  struct virtio_blk_req req[VIRTQ_SIZE];  // headers, indexed by chain head
} disk;

static void
set_addr(uint32 low_reg, uint32 high_reg, void *p)
{
  *REG(low_reg) = (uint64)p;
  *REG(high_reg) = (uint64)p >> 32;
}

static void
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
}

static void
setup_queue(void)
{
  *REG(VIRTIO_MMIO_QUEUE_SEL) = 0;
  if (*REG(VIRTIO_MMIO_QUEUE_READY))
    panic("virtio disk: queue already in use");
  uint32 max = *REG(VIRTIO_MMIO_QUEUE_NUM_MAX);
  if (max < VIRTQ_SIZE)
    panic("virtio disk: queue too short (%d)", max);
  disk.desc = kzalloc();
  disk.avail = kzalloc();
  disk.used = kzalloc();
  if (!disk.desc || !disk.avail || !disk.used)
    panic("virtio disk: out of memory at boot");
  *REG(VIRTIO_MMIO_QUEUE_NUM) = VIRTQ_SIZE;
  set_addr(VIRTIO_MMIO_QUEUE_DESC_LOW, VIRTIO_MMIO_QUEUE_DESC_HIGH, disk.desc);
  set_addr(VIRTIO_MMIO_QUEUE_DRIVER_LOW, VIRTIO_MMIO_QUEUE_DRIVER_HIGH, disk.avail);
  set_addr(VIRTIO_MMIO_QUEUE_DEVICE_LOW, VIRTIO_MMIO_QUEUE_DEVICE_HIGH, disk.used);
  *REG(VIRTIO_MMIO_QUEUE_READY) = 1;
  for (int i = 0; i < VIRTQ_SIZE; i++)
    disk.free[i] = 1;
}

void
virtio_disk_init(void)
{
  initlock(&disk.lock, "virtio_disk");
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
  negotiate_features();
  status |= VIRTIO_STATUS_FEATURES_OK;
  *REG(VIRTIO_MMIO_STATUS) = status;
  if ((*REG(VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_FEATURES_OK) == 0)
    panic("virtio disk: features not accepted");
  setup_queue();
  status |= VIRTIO_STATUS_DRIVER_OK;
  *REG(VIRTIO_MMIO_STATUS) = status;
}

// Takes DESCS_PER_REQ free descriptors into idx[]; 0 if not enough.
// => disk.lock held.
static int
alloc_chain(int idx[DESCS_PER_REQ])
{
  int got = 0;
  for (int i = 0; i < VIRTQ_SIZE && got < DESCS_PER_REQ; i++)
    if (disk.free[i])
      idx[got++] = i;
  if (got < DESCS_PER_REQ)
    return 0;
  for (int i = 0; i < DESCS_PER_REQ; i++)
    disk.free[idx[i]] = 0;
  return 1;
}

// => disk.lock held.
static void
free_chain(int head)
{
  for (int i = head;;) {
    int flags = disk.desc[i].flags, next = disk.desc[i].next;
    memset(&disk.desc[i], 0, sizeof(disk.desc[i]));
    disk.free[i] = 1;
    if ((flags & VIRTQ_DESC_F_NEXT) == 0)
      break;
    i = next;
  }
  wakeup(&disk.free[0]);
}

static void
fill_desc(int i, void *addr, uint32 len, uint16 flags, uint16 next)
{
  disk.desc[i].addr = (uint64)addr;
  disk.desc[i].len = len;
  disk.desc[i].flags = flags;
  disk.desc[i].next = next;
}

void
virtio_disk_rw(struct buf *b, int write)
{
  int idx[DESCS_PER_REQ];
  acquire(&disk.lock);
  while (!alloc_chain(idx))
    sleep(&disk.free[0], &disk.lock);

  int head = idx[0];
  struct virtio_blk_req *req = &disk.req[head];
  req->type = write ? VIRTIO_BLK_T_OUT : VIRTIO_BLK_T_IN;
  req->reserved = 0;
  req->sector = (uint64)b->blockno * (BSIZE / VIRTIO_SECTOR_SIZE);

  fill_desc(idx[0], req, sizeof(*req), VIRTQ_DESC_F_NEXT, idx[1]);
  fill_desc(idx[1], b->data, BSIZE,
            VIRTQ_DESC_F_NEXT | (write ? 0 : VIRTQ_DESC_F_WRITE), idx[2]);
  disk.inflight[head].status = 0xff;  // the device overwrites it
  fill_desc(idx[2], &disk.inflight[head].status, 1, VIRTQ_DESC_F_WRITE, 0);

  b->disk = 1;
  disk.inflight[head].b = b;
  disk.avail->ring[disk.avail->idx % VIRTQ_SIZE] = head;
  __sync_synchronize();  // the ring entry before the index
  disk.avail->idx++;
  __sync_synchronize();  // the index before the notification
  *REG(VIRTIO_MMIO_QUEUE_NOTIFY) = 0;

  while (b->disk == 1)
    sleep(b, &disk.lock);
  if (disk.inflight[head].status != VIRTIO_BLK_S_OK)
    panic("virtio disk: I/O error on block %d", b->blockno);
  disk.inflight[head].b = 0;
  free_chain(head);
  release(&disk.lock);
  if (write) {
    kstat_inc(disk_write_reqs);
    kstat_inc(disk_write_blocks);
  } else {
    kstat_inc(disk_read_reqs);
    kstat_inc(disk_read_blocks);
    struct proc *p = myproc();
    if (p)
      p->disk_reads++;
  }
}

void
virtio_disk_intr(void)
{
  acquire(&disk.lock);
  // Acknowledge first: a completion arriving after this raises a new
  // interrupt rather than being lost.
  *REG(VIRTIO_MMIO_INTERRUPT_ACK) = *REG(VIRTIO_MMIO_INTERRUPT_STATUS) & 0x3;
  __sync_synchronize();
  while (disk.used_seen != disk.used->idx) {
    __sync_synchronize();
    int id = disk.used->ring[disk.used_seen % VIRTQ_SIZE].id;
    struct buf *b = disk.inflight[id].b;
    KASSERT(b != 0);
    b->disk = 0;
    wakeup(b);
    disk.used_seen++;
  }
  release(&disk.lock);
}
