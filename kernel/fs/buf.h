// buf.h -- the buffer cache: in-memory copies of disk blocks.
//
// bread() returns a block locked (its sleep lock held) with valid data;
// the holder may read and modify b->data, must bwrite() (or log_write())
// changes, and must brelse() when done. At most one process holds a given
// block at a time; the cache keeps at most NBUF blocks and recycles the
// least recently released one. A disk error is returned, never fatal:
// bread() then returns 0 (holding nothing), bwrite() -EIO.
#ifndef PCV6_BUF_H
#define PCV6_BUF_H

#include "kernel/types.h"
#include "kernel/fs.h"
#include "kernel/lib/sleeplock.h"

struct buf {
  int valid;              // [lock] data holds the block's contents
  uint dev;               // [bcache]
  uint blockno;           // [bcache]
  struct sleeplock lock;
  uint refcnt;            // [bcache] holders plus pins
  struct buf *prev;       // [bcache] LRU list, most recent first
  struct buf *next;
  uchar data[BSIZE];      // [lock]
};

void binit(void);
// The block, locked and valid; or 0 if it had to be read and the disk
// failed (nothing is held then, and the next bread tries again). A block
// the cache holds valid -- one pinned by the log, say -- never fails.
struct buf *bread(uint dev, uint blockno);
// Like bread, for a caller about to overwrite the whole block: skips the
// disk read when the block is not cached (the data is then garbage, and
// *fresh is set so that a caller who fails to fill it can set b->valid
// = 0 before brelse). fresh may be 0.
struct buf *bread_overwrite(uint dev, uint blockno, int *fresh);
// If the cache holds a valid copy of the block, copies it to dst and
// returns 1; else 0. Never reads the disk. The page cache uses it so that
// a block written by write() but not yet installed by the log is read
// from here, not from its stale home on the disk.
int bcache_copy(uint dev, uint blockno, void *dst);
int bwrite(struct buf *b);    // 0 or -EIO. => b->lock held
void brelse(struct buf *b);   // => b->lock held; releases it
void bpin(struct buf *b);     // keep b cached (the log holds it until commit)
void bunpin(struct buf *b);

#endif
