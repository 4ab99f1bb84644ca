// bio.c -- the buffer cache.
//
// A fixed array of NBUF buffers on a doubly linked LRU list (head.next is
// the most recently released). bget() looks a block up or recycles the
// least recently used unreferenced buffer. Buffers hold a sleep lock while
// in use, so I/O on one block does not block lookups of others.
//
// Locks: bcache.lock protects the list, dev, blockno and refcnt of every
// buffer; each buffer's sleep lock protects valid and data. bcache.lock is
// never held while sleeping for a buffer's lock.
//
// I/O: one block per disk request (disk.h), waited for at once. A device
// error is the caller's to handle: bread returns 0 and keeps nothing,
// bwrite returns -EIO (docs/DESIGN.md, "Disk errors", says what each
// caller does).
#include "kernel/types.h"
#include "kernel/param.h"
#include "kernel/errno.h"
#include "kernel/lib/spinlock.h"
#include "kernel/lib/sleeplock.h"
#include "kernel/lib/printf.h"
#include "kernel/lib/string.h"
#include "kernel/proc/proc.h"
#include "kernel/fs.h"
#include "kernel/dev/disk.h"
#include "kernel/fs/buf.h"

static struct {
  struct spinlock lock;
  struct buf buf[NBUF];
  struct buf head;  // sentinel of the LRU list
} bcache;

void
binit(void)
{
  initlock(&bcache.lock, "bcache", LR_BCACHE);
  bcache.head.prev = &bcache.head;
  bcache.head.next = &bcache.head;
  for (struct buf *b = bcache.buf; b < bcache.buf + NBUF; b++) {
    initsleeplock(&b->lock, "buffer", LR_BUF);
    b->next = bcache.head.next;
    b->prev = &bcache.head;
    bcache.head.next->prev = b;
    bcache.head.next = b;
  }
}

// Returns the buffer for (dev, blockno), locked, possibly not valid.
static struct buf *
bget(uint dev, uint blockno)
{
  struct buf *b;
  acquire(&bcache.lock);
again:
  for (b = bcache.head.next; b != &bcache.head; b = b->next) {
    if (b->dev == dev && b->blockno == blockno) {
      b->refcnt++;
      goto found;
    }
  }
  for (b = bcache.head.prev; b != &bcache.head; b = b->prev) {
    if (b->refcnt == 0) {
      b->dev = dev;
      b->blockno = blockno;
      b->valid = 0;
      b->refcnt = 1;
      goto found;
    }
  }
  // Every buffer is held or pinned: wait for a brelse() or bunpin().
  // NBUF is sized (param.h) so that this is rare.
  sleep(&bcache, &bcache.lock);
  goto again;

found:
  release(&bcache.lock);
  acquiresleep(&b->lock);
  return b;
}

// Moves b->data to or from its block with one disk request: 0 or -EIO.
// => b->lock held.
static int
buf_io(struct buf *b, int write)
{
  struct disk_seg seg = { .addr = b->data, .len = BSIZE };
  struct disk_req r = { .blockno = b->blockno, .write = write, .segs = &seg, .nseg = 1 };
  return disk_rw(&r);
}

struct buf *
bread(uint dev, uint blockno)
{
  struct buf *b = bget(dev, blockno);
  if (!b->valid) {
    if (buf_io(b, 0) != 0) {
      brelse(b);  // still not valid: the next bread tries the disk again
      return 0;
    }
    b->valid = 1;
  }
  return b;
}

struct buf *
bread_overwrite(uint dev, uint blockno, int *fresh)
{
  struct buf *b = bget(dev, blockno);
  if (fresh)
    *fresh = !b->valid;
  b->valid = 1;
  return b;
}

int
bcache_copy(uint dev, uint blockno, void *dst)
{
  struct buf *b;
  acquire(&bcache.lock);
  for (b = bcache.head.next; b != &bcache.head; b = b->next)
    if (b->dev == dev && b->blockno == blockno)
      break;
  if (b == &bcache.head) {
    release(&bcache.lock);
    return 0;
  }
  b->refcnt++;
  release(&bcache.lock);
  acquiresleep(&b->lock);
  int found = b->valid;
  if (found)
    memmove(dst, b->data, BSIZE);
  brelse(b);
  return found;
}

int
bwrite(struct buf *b)
{
  KASSERT(holdingsleep(&b->lock));
  return buf_io(b, 1);
}

void
brelse(struct buf *b)
{
  KASSERT(holdingsleep(&b->lock));
  releasesleep(&b->lock);
  acquire(&bcache.lock);
  b->refcnt--;
  if (b->refcnt == 0) {
    // Move to the front: most recently used.
    b->next->prev = b->prev;
    b->prev->next = b->next;
    b->next = bcache.head.next;
    b->prev = &bcache.head;
    bcache.head.next->prev = b;
    bcache.head.next = b;
    wakeup(&bcache);
  }
  release(&bcache.lock);
}

void
bpin(struct buf *b)
{
  acquire(&bcache.lock);
  b->refcnt++;
  release(&bcache.lock);
}

void
bunpin(struct buf *b)
{
  acquire(&bcache.lock);
  b->refcnt--;
  if (b->refcnt == 0)
    wakeup(&bcache);
  release(&bcache.lock);
}
