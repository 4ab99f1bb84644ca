// fs.c -- the inode layer: on-disk inodes and their blocks, directories,
// and path names. Layers below: log.c (transactions), bio.c (blocks).
//
// Block map of an inode: addrs[0..NDIRECT-1] are data blocks; addrs[
// IND_SLOT] is a block of NINDIRECT data block numbers; addrs[DIND_SLOT] is
// a block of NINDIRECT indirect-block numbers. Block number 0 means "not
// allocated" (block 0 is the boot block, never data).
//
// Log budget: writei() and itrunc() may change more blocks than one log
// operation may add (log.c), so they check log_room() as they go and stop
// short at a consistent point; their callers continue in new operations.
// iput() does that itself when it frees an unlinked inode, so it may
// commit its caller's operation: see inode.h.
//
// Orphans. Work that spans transactions -- freeing an unlinked inode,
// the blocks a truncation leaves past the size it published -- is listed
// in the orphan table on disk (kernel/fs.h) by the transaction that
// starts it and unlisted by the one that finishes it, so a crash between
// them leaves a list that fsinit() works through at the next boot.
//
// Disk errors (docs/DESIGN.md, "Disk errors"). A block that cannot be
// read makes the call fail with -EIO, at a point where nothing it changed
// is left half done: lookups, reads, a write that needs a bitmap or a
// block-map table or the old contents of a partial block, truncation
// (the new size is published or nothing changed; blocks past the size
// may stay allocated, as between two pieces of a truncation, and the
// inode stays in the orphan table). Block numbers are therefore ints
// here: > 0 a block, 0 none (a hole, or the disk is full), < 0 an error.
// The reads that come too late to back out of are those of the inode
// block that iupdate() rewrites and of the orphan table's block when an
// inode joins or leaves it: the inode in memory has already changed, so
// that failure stops the log (the file system becomes read-only and the
// open transaction never commits). Once the log has stopped, iput() no
// longer frees unlinked inodes: the disk keeps them listed, as a crash
// would, and the next boot frees them.
//
// Locks (their order: kernel/lib/lockrank.h): icache.lock is taken briefly;
// iget drops a recycled slot's cache pages under it (pc.lock), and so does
// iput a memory inode's at its last reference; iput
// locks an unlinked inode nobody else can reach under it. On a path walk a
// parent is unlocked before its child is locked, so no two inode locks are
// held except by the callers in sysfile.c, which lock parent then child.
#include "kernel/types.h"
#include "kernel/param.h"
#include "kernel/stat.h"
#include "kernel/errno.h"
#include "kernel/lib/spinlock.h"
#include "kernel/lib/sleeplock.h"
#include "kernel/lib/printf.h"
#include "kernel/lib/string.h"
#include "kernel/proc/proc.h"
#include "kernel/fs/buf.h"
#include "kernel/fs/log.h"
#include "kernel/fs/inode.h"
#include "kernel/mm/pagecache.h"
#include "kernel/mm/knobs_impl.h"

static struct superblock sb;

static struct {
  struct spinlock lock;
  struct inode inode[NINODE];
  uint mem_inum;  // [lock] the last memory inode's number (ialloc_mem)
} icache;

static void orphans_finish(uint dev);

static void
readsb(int dev, struct superblock *out)
{
  struct buf *b = bread(dev, SBLOCK);
  if (b == 0)
    panic("fsinit: cannot read the superblock");  // at boot: no file system to run
  memmove(out, b->data, sizeof(*out));
  brelse(b);
}

void
fsinit(int dev)
{
  readsb(dev, &sb);
  if (sb.magic != FSMAGIC)
    panic("fsinit: no file system (bad magic %x)", sb.magic);
  initlog(dev, &sb);
  orphans_finish(dev);  // after recovery: the log may have changed the table
}

// ---- blocks ----

static void
bzero(int dev, uint bno)
{
  struct buf *b = bread_overwrite(dev, bno, 0);
  memset(b->data, 0, BSIZE);
  log_write(b);
  brelse(b);
}

// A zeroed free block, now marked used; 0 if the disk is full, -EIO if a
// bitmap block cannot be read.
static int
balloc(uint dev)
{
  for (uint base = 0; base < sb.size; base += BPB) {
    struct buf *b = bread(dev, BBLOCK(base, sb));
    if (b == 0)
      return -EIO;
    for (uint bi = 0; bi < BPB && base + bi < sb.size; bi++) {
      if (bi % 8 == 0 && b->data[bi / 8] == 0xff) {
        bi += 7;  // eight used blocks: a full disk is mostly these
        continue;
      }
      uchar mask = 1 << (bi % 8);
      if ((b->data[bi / 8] & mask) == 0) {
        b->data[bi / 8] |= mask;
        log_write(b);
        brelse(b);
        bzero(dev, base + bi);
        return base + bi;
      }
    }
    brelse(b);
  }
  return 0;
}

// 0, or -EIO if the bitmap block cannot be read (nothing changed).
static int
bfree(int dev, uint bno)
{
  struct buf *b = bread(dev, BBLOCK(bno, sb));
  if (b == 0)
    return -EIO;
  uchar mask = 1 << (bno % BPB % 8);
  if ((b->data[(bno % BPB) / 8] & mask) == 0)
    panic("bfree: block %d already free", bno);
  b->data[(bno % BPB) / 8] &= ~mask;
  log_write(b);
  brelse(b);
  return 0;
}

// ---- the orphan table ----
//
// In block SBLOCK after the superblock (kernel/fs.h). The block's buffer
// lock serialises changes, and every change is logged, in the transaction
// of the change that makes the inode an orphan or stops it being one:
//   listed    by unlink (or create giving back a half-made inode) when
//             nlink drops to 0, and by each piece of a truncation that
//             leaves blocks past the size (itrunc);
//   unlisted  by the piece of a truncation that frees the last block past
//             the size, if the inode has links, and by ifree() in the
//             transaction that frees the inode.
// Whoever lists an inode holds a reference to it until the work is done
// (an open file, the unlinker's or freer's reference, a truncating call),
// and the boot finishes what a crash left before any new work starts, so
// at most NINODE inodes are listed at once -- apart from those a disk
// error strands: a free or a truncation that stopped with -EIO leaves its
// inode listed, with no reference, for the next boot (or, with links, the
// next truncation) to finish. Only some NORPHAN - NINODE of those fill
// the table.
//
// A change to the table comes after the change to the inode it records
// (nlink 0, a size published, the inode freed), which cannot be taken
// back: if the table's block cannot be read, or it is full, the log stops
// (as for the inode block in iupdate), so that no transaction commits an
// orphan the table does not list, nor one it lists after it is gone.
_Static_assert(NORPHAN >= NINODE, "the orphan table can list every cached inode");
_Static_assert(sizeof(struct sblock) <= BSIZE, "the superblock and the table fit a block");

// Lists inode inum (present) or unlists it; changes and logs block
// SBLOCK only if that changes the table. Failing, stops the log (see
// above). => in a transaction with room for one block
static void
orphan_set(uint dev, uint inum, int present)
{
  struct buf *b = bread(dev, SBLOCK);
  if (b == 0) {
    log_stop("reading the orphan table in block", SBLOCK);
    return;
  }
  uint *slot = ((struct sblock *)b->data)->orphan;
  int at = -1, empty = -1;
  for (uint i = 0; i < NORPHAN; i++) {
    if (slot[i] == inum)
      at = i;
    else if (slot[i] == 0 && empty < 0)
      empty = i;
  }
  if (present && at < 0 && empty < 0) {
    printf("fs: orphan table full (inodes left by disk errors): inode %d not listed\n", inum);
    log_stop("listing an orphan", -1);
  } else if (present && at < 0) {
    slot[empty] = inum;
    log_write(b);
  } else if (!present && at >= 0) {
    slot[at] = 0;
    log_write(b);
  }
  brelse(b);
}

void
orphan_add(struct inode *ip)
{
  KASSERT(holdingsleep(&ip->lock));
  orphan_set(ip->dev, ip->inum, 1);
}

// ---- inodes ----

void
iinit(void)
{
  initlock(&icache.lock, "icache", LR_ICACHE);
  for (int i = 0; i < NINODE; i++)
    initsleeplock(&icache.inode[i].lock, "inode", LR_INODE);
}

int
inodes_in_use(void)
{
  int n = 0;
  acquire(&icache.lock);
  for (struct inode *ip = icache.inode; ip < &icache.inode[NINODE]; ip++)
    if (ip->ref > 0)
      n++;
  release(&icache.lock);
  return n;
}

// A slot to give to a new inode: an unreferenced one, those with no
// cached pages first (the pages of the one chosen are dropped). 0 if
// every slot is referenced. => icache.lock held.
static struct inode *
free_slot(void)
{
  struct inode *empty = 0;
  for (struct inode *ip = icache.inode; ip < &icache.inode[NINODE]; ip++)
    if (ip->ref == 0 && (empty == 0 || (empty->pages != 0 && ip->pages == 0)))
      empty = ip;
  if (empty && empty->pages)
    pc_forget(empty);
  return empty;
}

// The cached inode for (dev, inum), referenced, not locked and maybe not
// read yet; 0 when every cache slot is in use. A slot nobody references
// keeps its identity (and its cached pages, and valid) until it is given
// to another inode, so reopening a file finds its pages still cached.
// Slots with no pages are given away first.
static struct inode *
iget(uint dev, uint inum)
{
  acquire(&icache.lock);
  for (struct inode *ip = icache.inode; ip < &icache.inode[NINODE]; ip++) {
    if ((ip->ref > 0 || ip->pages != 0) && ip->dev == dev && ip->inum == inum) {
      ip->ref++;
      release(&icache.lock);
      return ip;
    }
  }
  struct inode *empty = free_slot();
  if (empty) {
    // Every writer and program image holds a reference: none is left.
    KASSERT(empty->writecount == 0 && empty->running == 0);
    empty->dev = dev;
    empty->inum = inum;
    empty->ref = 1;
    empty->valid = 0;
    empty->ra_next = empty->ra_win = 0;  // a new file starts a new read-ahead run
  }
  release(&icache.lock);
  return empty;
}

struct inode *
ialloc_mem(uint size)
{
  acquire(&icache.lock);
  struct inode *ip = free_slot();
  if (ip) {
    // Nobody can hold the slot's sleep lock (that needs a reference), so
    // its [s] fields may be set here, as iget resets valid.
    ip->dev = IMEM_DEV;
    ip->inum = ++icache.mem_inum;  // tells objects apart in fault traces
    ip->ref = 1;
    ip->type = T_FILE;
    ip->major = ip->minor = 0;
    ip->nlink = 0;  // in no directory; iput never takes it for an unlinked file
    ip->size = size;
    memset(ip->addrs, 0, sizeof(ip->addrs));
    ip->log_seq = 0;
    ip->ra_next = ip->ra_win = 0;
    ip->valid = 1;  // nothing to read: ilock must never go to a disk for it
  }
  release(&icache.lock);
  return ip;
}

struct inode *
inode_next_cached(int *cursor)
{
  acquire(&icache.lock);
  for (; *cursor < NINODE; (*cursor)++) {
    struct inode *ip = &icache.inode[*cursor];
    // A freed file's pages go with it; a memory inode's are never written
    // back nor evicted.
    if (ip->pages != 0 && !ip->freeing && !inode_is_mem(ip)) {
      ip->ref++;
      (*cursor)++;
      release(&icache.lock);
      return ip;
    }
  }
  release(&icache.lock);
  return 0;
}

struct inode *
ialloc(uint dev, short type, int *errp)
{
  *errp = -ENOSPC;
  for (uint inum = 1; inum < sb.ninodes; inum++) {
    struct buf *b = bread(dev, IBLOCK(inum, sb));
    if (b == 0) {
      *errp = -EIO;
      return 0;
    }
    struct dinode *dip = (struct dinode *)b->data + inum % IPB;
    if (dip->type == 0) {
      struct inode *ip = iget(dev, inum);
      if (ip == 0) {
        brelse(b);
        *errp = -ENFILE;
        return 0;
      }
      memset(dip, 0, sizeof(*dip));
      dip->type = type;
      log_write(b);
      brelse(b);
      return ip;
    }
    brelse(b);
  }
  return 0;
}

void
iupdate(struct inode *ip)
{
  struct buf *b = bread(ip->dev, IBLOCK(ip->inum, sb));
  if (b == 0) {
    // The caller has changed ip already and cannot take it back: stop
    // here, before any of it reaches the disk (see the top).
    log_stop("reading inode block", IBLOCK(ip->inum, sb));
    ip->log_seq = log_op_seq();  // what iwait_durable waits for: never
    return;
  }
  struct dinode *dip = (struct dinode *)b->data + ip->inum % IPB;
  dip->type = ip->type;
  dip->major = ip->major;
  dip->minor = ip->minor;
  dip->nlink = ip->nlink;
  dip->size = ip->size;
  memmove(dip->addrs, ip->addrs, sizeof(ip->addrs));
  log_write(b);
  brelse(b);
  ip->log_seq = log_op_seq();
}

int
iwait_durable(struct inode *ip)
{
  ilock(ip);
  uint64 seq = ip->log_seq;
  iunlock(ip);
  return log_wait_durable(seq);
}

struct inode *
idup(struct inode *ip)
{
  acquire(&icache.lock);
  ip->ref++;
  release(&icache.lock);
  return ip;
}

int
ilock(struct inode *ip)
{
  KASSERT(ip != 0 && ip->ref > 0);
  acquiresleep(&ip->lock);
  if (!ip->valid) {
    KASSERT(!inode_is_mem(ip));  // valid from ialloc_mem to its last iput
    struct buf *b = bread(ip->dev, IBLOCK(ip->inum, sb));
    if (b == 0) {
      releasesleep(&ip->lock);
      return -EIO;
    }
    struct dinode *dip = (struct dinode *)b->data + ip->inum % IPB;
    ip->type = dip->type;
    ip->major = dip->major;
    ip->minor = dip->minor;
    ip->nlink = dip->nlink;
    ip->size = dip->size;
    memmove(ip->addrs, dip->addrs, sizeof(ip->addrs));
    brelse(b);
    ip->valid = 1;
    if (ip->type == 0)
      panic("ilock: inode %d has no type", ip->inum);
  }
  return 0;
}

void
iunlock(struct inode *ip)
{
  KASSERT(ip != 0 && holdingsleep(&ip->lock) && ip->ref > 0);
  releasesleep(&ip->lock);
}

// Frees the last reference's unlinked inode on disk: its blocks, over as
// many log operations as that takes, then the inode itself, which leaves
// the orphan table in that last operation (whoever dropped its link count
// to 0 listed it). Holding ip's lock across end_op/begin_op is safe: no
// one else can reach ip. The caller's changes are committed with the
// first part. The last piece leaves room for the orphan table's block
// (see itrunc); the inode's block is in the transaction already.
// 0 when freed. A disk error (-EIO), or the log stopping meanwhile
// (-EROFS), leaves the inode allocated and listed with what blocks it
// still has: no name refers to it, and the next boot frees it, as after
// a crash. => ip locked, in a transaction (returns in one, maybe later)
static int
ifree(struct inode *ip)
{
  for (int piece = 1;; piece++) {
    knob_free_pause(ip->inum, piece);  // a test's way to widen the window (knobs.h)
    int done = itrunc(ip, 0);
    if (done < 0) {
      printf("fs: I/O error freeing inode %d: left to the next boot\n", ip->inum);
      return done;
    }
    if (done)
      break;
    end_op();
    if (begin_op() < 0)
      return -EROFS;
  }
  ip->type = 0;
  iupdate(ip);
  orphan_set(ip->dev, ip->inum, 0);
  ip->valid = 0;
  return 0;
}

// The last reference to a memory inode frees its pages and its slot at
// once: no name, no disk block and no other reference can bring it back.
// => icache.lock held.
static void
iput_mem(struct inode *ip)
{
  KASSERT(ip->ref > 0);
  if (--ip->ref > 0)
    return;
  pc_forget(ip);
  ip->dev = 0;  // iget may give the slot to any file from now on
  ip->inum = 0;
  ip->valid = 0;
  ip->size = 0;
}

// iput, telling what became of an unlinked inode whose last reference
// this was: 0 freed (or nothing to free: not the last reference, or
// linked), -EIO or -EROFS as ifree says, -EROFS as well when the log had
// stopped already (nothing freed: the inode stays listed).
static int
iput_result(struct inode *ip)
{
  int freed = 0, err = 0;
  int stopped = log_stopped();  // no freeing on a read-only file system
  acquire(&icache.lock);
  if (ip->ref == 1 && ip->valid && ip->nlink == 0 && stopped) {
    err = -EROFS;
  } else if (ip->ref == 1 && ip->valid && ip->nlink == 0) {
    // Last reference to an unlinked inode: free it. No directory names
    // it and scans of cached files skip it while `freeing` is set (the
    // free spans several operations, with the inode locked: a scanner
    // waiting for that lock inside an operation of its own could hold up
    // the freer's next one), so locking cannot block.
    ip->freeing = 1;
    acquiresleep_free(&ip->lock);  // outside the lock ranks: cannot block
    release(&icache.lock);
    err = ifree(ip);
    releasesleep(&ip->lock);
    acquire(&icache.lock);
    ip->freeing = 0;
    freed = 1;
  }
  ip->ref--;
  release(&icache.lock);
  if (freed) {
    // Whatever the caller does next (a lookup frees a removed directory
    // before the call's changes begin) was budgeted from a whole
    // operation: give it one. Nothing is left to commit here in the
    // common case, where the free was the caller's last change.
    end_op();
    begin_op();
  }
  return err;
}

void
iput(struct inode *ip)
{
  if (inode_is_mem(ip)) {  // never on a disk: none of iput_result's paths
    acquire(&icache.lock);
    iput_mem(ip);
    release(&icache.lock);
    return;
  }
  iput_result(ip);
}

void
iunlockput(struct inode *ip)
{
  iunlock(ip);
  iput(ip);
}

// ---- write access and programs (ETXTBSY) ----

// Moves ip->writecount by step (+1 a writer, -1 a program image) unless
// it holds the other kind now. Lock-free: a writer and exec racing for a
// file with neither see each other's compare-and-swap, and one of them
// fails.
static int
writecount_step(struct inode *ip, int step)
{
  int n = __atomic_load_n(&ip->writecount, __ATOMIC_RELAXED);
  do {
    if ((step > 0 && n < 0) || (step < 0 && n > 0))
      return -ETXTBSY;
  } while (!__atomic_compare_exchange_n(&ip->writecount, &n, n + step, 0, __ATOMIC_SEQ_CST,
                                        __ATOMIC_RELAXED));
  return 0;
}

int
inode_get_write(struct inode *ip)
{
  return writecount_step(ip, 1);
}

void
inode_put_write(struct inode *ip)
{
  int was = __atomic_fetch_sub(&ip->writecount, 1, __ATOMIC_SEQ_CST);
  KASSERT(was > 0);
}

int
inode_deny_write(struct inode *ip)
{
  return writecount_step(ip, -1);
}

void
inode_allow_write(struct inode *ip)
{
  int was = __atomic_fetch_add(&ip->writecount, 1, __ATOMIC_SEQ_CST);
  KASSERT(was < 0);
}

// ---- the block map ----

// Entry i of the block-number table in block `table`, allocating the
// target block if missing and alloc. 0 when absent or the disk is full,
// -EIO when the table (or a bitmap block) cannot be read.
static int
table_entry(struct inode *ip, uint table, uint i, int alloc)
{
  struct buf *b = bread(ip->dev, table);
  if (b == 0)
    return -EIO;
  uint *a = (uint *)b->data;
  int addr = a[i];
  if (addr == 0 && alloc) {
    addr = balloc(ip->dev);
    if (addr > 0) {
      a[i] = addr;
      log_write(b);
    }
  }
  brelse(b);
  return addr;
}

// The slot's block in ip->addrs, allocating if missing and alloc (as
// table_entry).
static int
slot_block(struct inode *ip, int slot, int alloc)
{
  if (ip->addrs[slot] == 0 && alloc) {
    int addr = balloc(ip->dev);
    if (addr <= 0)
      return addr;
    ip->addrs[slot] = addr;
  }
  return ip->addrs[slot];
}

// Disk block holding file block bn; allocates missing blocks when alloc.
// Returns 0 if the block is absent (a hole, when !alloc) or the disk is
// full, -EIO if a table or bitmap block on the way cannot be read.
static int
bmap(struct inode *ip, uint bn, int alloc)
{
  if (bn < NDIRECT)
    return slot_block(ip, bn, alloc);
  bn -= NDIRECT;
  if (bn < NINDIRECT) {
    int ind = slot_block(ip, IND_SLOT, alloc);
    return ind > 0 ? table_entry(ip, ind, bn, alloc) : ind;
  }
  bn -= NINDIRECT;
  if (bn < NDINDIRECT) {
    int dind = slot_block(ip, DIND_SLOT, alloc);
    if (dind <= 0)
      return dind;
    int ind = table_entry(ip, dind, bn / NINDIRECT, alloc);
    return ind > 0 ? table_entry(ip, ind, bn % NINDIRECT, alloc) : ind;
  }
  panic("bmap: block %d beyond MAXFILE", bn);
}

int
bmap_lookup(struct inode *ip, uint bn)
{
  KASSERT(holdingsleep(&ip->lock));
  if (bn >= MAXFILE)
    return 0;
  return bmap(ip, bn, 0);
}

int
bmap_lookup_run(struct inode *ip, uint bn, uint n, uint *out)
{
  KASSERT(holdingsleep(&ip->lock));
  uint i = 0;
  while (i < n) {
    uint b = bn + i;
    if (b >= MAXFILE) {
      out[i++] = 0;
      continue;
    }
    if (b < NDIRECT) {
      out[i++] = ip->addrs[b];
      continue;
    }
    // The table holding b's entry, and the file block its entry 0 maps.
    uint rel = b - NDIRECT, first;
    int table;
    if (rel < NINDIRECT) {
      table = ip->addrs[IND_SLOT];
      first = NDIRECT;
    } else {
      rel -= NINDIRECT;
      uint dind = ip->addrs[DIND_SLOT];
      table = dind ? table_entry(ip, dind, rel / NINDIRECT, 0) : 0;
      first = NDIRECT + NINDIRECT + (rel / NINDIRECT) * NINDIRECT;
    }
    if (table < 0)
      return table;
    uint count = first + NINDIRECT - b;
    if (count > n - i)
      count = n - i;
    if (table == 0) {
      memset(&out[i], 0, count * sizeof(uint));
    } else {
      struct buf *bp = bread(ip->dev, table);
      if (bp == 0)
        return -EIO;
      memmove(&out[i], (uint *)bp->data + (b - first), count * sizeof(uint));
      brelse(bp);
    }
    i += count;
  }
  return 0;
}

int
bmap_alloc(struct inode *ip, uint bn)
{
  KASSERT(holdingsleep(&ip->lock) && bn < MAXFILE);
  return bmap(ip, bn, 1);
}

// Entry i of table (0 if the table is 0), for a worst-case count: an
// entry that cannot be read counts as missing.
static uint
entry_or_missing(struct inode *ip, uint table, uint i)
{
  int addr = table ? table_entry(ip, table, i, 0) : 0;
  return addr > 0 ? addr : 0;
}

// The block-number tables on the path to file block bn, outermost first:
// *ntab of them (0 to 2), each with a key that no other table of the
// inode has and its disk block (0: missing, or unreadable). Returns the
// data block (0: missing, or unreadable). Reads tables, changes nothing.
static uint
bmap_path(struct inode *ip, uint bn, int *ntab, uint key[2], uint tab[2])
{
  KASSERT(bn < MAXFILE);
  if (bn < NDIRECT) {
    *ntab = 0;
    return ip->addrs[bn];
  }
  bn -= NDIRECT;
  if (bn < NINDIRECT) {
    *ntab = 1;
    key[0] = 0;
    tab[0] = ip->addrs[IND_SLOT];
    return entry_or_missing(ip, tab[0], bn);
  }
  bn -= NINDIRECT;
  *ntab = 2;
  key[0] = 1;  // the double-indirect table
  tab[0] = ip->addrs[DIND_SLOT];
  key[1] = 2 + bn / NINDIRECT;  // the indirect table under its entry bn / NINDIRECT
  tab[1] = entry_or_missing(ip, tab[0], bn / NINDIRECT);
  return entry_or_missing(ip, tab[1], bn % NINDIRECT);
}

// The cost of a run, counted block by block: the block itself; if it is
// missing, its bitmap block, and going up its path, each missing table
// with its bitmap block, up to the first table that exists, which gets
// the new entry (a missing direct block's entry is in the inode). A table
// met again (a second block of the run under it) has been counted with
// everything above it, so the walk up stops there. Every bitmap block is
// counted as if it were new: on a fragmented disk each allocation may
// land in a different one. A table that cannot be read counts as missing
// (the worst case); the allocation then meets the error.
int
bmap_run_cost(struct inode *ip, uint bn, uint n)
{
  KASSERT(holdingsleep(&ip->lock) && n <= NINDIRECT);
  uint seen[BMAP_RUN_TABLES_MAX];
  int nseen = 0, cost = 0;
  for (uint b = bn; b < bn + n; b++) {
    int ntab;
    uint key[2], tab[2];
    cost++;  // the block
    if (bmap_path(ip, b, &ntab, key, tab) != 0)
      continue;
    cost++;  // its bitmap block
    for (int t = ntab - 1; t >= 0; t--) {
      int met = 0;
      for (int i = 0; i < nseen; i++)
        met |= seen[i] == key[t];
      if (met)
        break;
      KASSERT(nseen < BMAP_RUN_TABLES_MAX);
      seen[nseen++] = key[t];
      if (tab[t] != 0) {
        cost++;  // an existing table gets the new entry
        break;
      }
      cost += 2;  // a missing table and its bitmap block; its parent gets an entry
    }
  }
  return cost;
}

// Clears entry i of the block-number table in block `table` (see
// bmap_undo for why its read cannot fail that matters).
static void
table_clear(struct inode *ip, uint table, uint i)
{
  struct buf *b = bread(ip->dev, table);
  if (b == 0)
    return;
  ((uint *)b->data)[i] = 0;
  log_write(b);
  brelse(b);
}

// Gives back what bmap(ip, bn, 1) has just allocated for file block bn,
// whose write failed, leaving bn past the size: the data block, and the
// tables on its path that were missing before (tab0, as bmap_path gave
// them), innermost first, each with its entry. Left there, they would be
// owned past the size -- blocks nothing uses and, the inode not being an
// orphan, nothing frees. Everything this dirties (their bitmap blocks,
// the tables holding their entries) was dirtied by the allocation in the
// same operation, so it costs no log room; the caller writes the inode.
// The same goes for reads: those blocks are pinned in the buffer cache
// with the transaction, so reading them does not reach the disk -- unless
// the log has stopped (a stopped transaction keeps no more blocks pinned
// once full), and then nothing of this operation will ever commit: a
// block that cannot be read is skipped, and bfree's errors are ignored.
// => locked, in the operation that allocated them
static void
bmap_undo(struct inode *ip, uint bn, const uint tab0[2])
{
  int n;
  uint key[2], tab[2];
  uint data = bmap_path(ip, bn, &n, key, tab);
  if (data) {
    bfree(ip->dev, data);
    if (n == 0)
      ip->addrs[bn] = 0;
    else if (n == 1)
      table_clear(ip, tab[0], bn - NDIRECT);
    else
      table_clear(ip, tab[1], (bn - NDIRECT - NINDIRECT) % NINDIRECT);
  }
  for (int t = n - 1; t >= 0 && tab0[t] == 0; t--) {
    if (tab[t] == 0)
      continue;  // the allocation that failed: its parent may be new
    bfree(ip->dev, tab[t]);
    if (t == 1)
      table_clear(ip, tab[0], (bn - NDIRECT - NINDIRECT) / NINDIRECT);
    else
      ip->addrs[n == 1 ? IND_SLOT : DIND_SLOT] = 0;
  }
}

// ---- truncation ----
//
// itrunc(ip, len) makes the file len bytes long and frees every block at
// or past file block ceil(len / BSIZE). Freeing a block dirties its
// bitmap block, and on a fragmented disk every block of a file may sit in
// a different one, so a big file cannot be freed within one operation's
// budget: the work goes in pieces, one per operation, and the caller
// commits between them (holding the inode lock, or not: sysfile.c lets go).
//
// Order. The size changes first, all at once: a piece begins by zeroing
// the rest of the block that holds the new last byte (through the log, so
// that a later grow reads zeros there), setting the size to len and
// taking the pages past len out of every mapping and the cache (under the
// inode lock, which a fault bringing them back would need: no mapping may
// touch a block about to be reused). Then it frees blocks past the size
// from the end of the file down, for as long as the operation has room,
// clearing each freed block's entry in its table (or in addrs[]); a table
// goes when none of its blocks is left. Last it writes the inode. After
// the first piece commits, the disk holds a file of its final size; the
// blocks past the size still belong to it but show nothing (reads stop at
// the size, a write at the end may reuse one but shows only what it
// wrote, and a grow frees them first: resize() in sysfile.c); each later
// piece frees more of them, and while any are left the inode is in the
// orphan table, so that a crash leaves them to the next boot. A reader
// never sees a size between the old and the new one, so O_TRUNC is
// atomic however big the file.
//
// Later pieces are called with the size as it then is (another process
// may have written at the new end meanwhile), so their first step changes
// nothing -- or zeroes bytes past the end that such a write left in its
// last block -- and they free only what lies past that size.
//
// Disk errors: the one read before the size changes is that of the new
// last block; if it fails, the piece changes nothing and returns -EIO.
// A table or bitmap block that cannot be read later stops the piece with
// -EIO too, after writing the inode: the size is published and what was
// freed stays freed, so the file is valid, with blocks past its size as
// between two pieces.

// Blocks that freeing one block can add to the operation: the bitmap
// block, the table holding its entry, and the two blocks every piece
// writes at its end: the inode block and the orphan table's block
// (SBLOCK; written by the piece, or by ifree() after the last one).
#define TRUNC_BLOCK_COST 4
// Blocks that publishing the size can add: the block whose tail is
// zeroed, the inode block and the orphan table's block.
#define TRUNC_PUBLISH_COST 3

// Zeroes the bytes at and past len in the block holding byte len - 1,
// through the log, unless they are zero already (or the block is a hole).
// 0, or -EIO with nothing changed.
static int
zero_tail(struct inode *ip, uint len)
{
  uint start = len % BSIZE;
  int bno = start ? bmap(ip, len / BSIZE, 0) : 0;
  if (bno <= 0)
    return bno;
  struct buf *b = bread(ip->dev, bno);
  if (b == 0)
    return -EIO;
  uint i = start;
  while (i < BSIZE && b->data[i] == 0)
    i++;
  if (i < BSIZE) {
    memset(b->data + start, 0, BSIZE - start);
    log_write(b);
  }
  brelse(b);
  return 0;
}

// Frees, from the last entry down, every block under the table that lies
// at or past file block `from` (for depth 2, the tables its entries name
// and what they name; such a table itself only when none of its blocks
// stays). first_bn is the file block of entry 0's first block. Returns 1
// when all of them are free, 0 when the budget ran out first, -EIO when a
// table or bitmap block cannot be read (what was freed before stays
// freed, consistently).
static int
trunc_table(struct inode *ip, uint table, int depth, uint first_bn, uint from)
{
  struct buf *b = bread(ip->dev, table);
  if (b == 0)
    return -EIO;
  uint *a = (uint *)b->data;
  uint span = depth > 1 ? NINDIRECT : 1;  // file blocks under one entry
  int cleared = 1;
  for (int i = NINDIRECT - 1; i >= 0; i--) {
    uint bn = first_bn + i * span;
    if (bn + span <= from)
      break;  // this entry and all before it stay
    if (a[i] == 0)
      continue;
    if (depth > 1 && (cleared = trunc_table(ip, a[i], depth - 1, bn, from)) <= 0)
      break;
    if (bn < from)
      continue;  // a table that keeps its first blocks
    if (log_room() < TRUNC_BLOCK_COST) {
      cleared = 0;
      break;
    }
    if (bfree(ip->dev, a[i]) < 0) {
      cleared = -EIO;
      break;
    }
    a[i] = 0;
    log_write(b);
  }
  brelse(b);
  return cleared;
}

// The same for the table in addrs[slot], which maps `span` file blocks
// from first_bn on; the table itself goes if all of them do. As
// trunc_table: 1 when done, 0 or -EIO.
static int
trunc_slot(struct inode *ip, int slot, int depth, uint first_bn, uint span, uint from)
{
  if (ip->addrs[slot] == 0 || first_bn + span <= from)
    return 1;
  int cleared = trunc_table(ip, ip->addrs[slot], depth, first_bn, from);
  if (cleared <= 0)
    return cleared;
  if (first_bn < from)
    return 1;
  if (log_room() < TRUNC_BLOCK_COST)
    return 0;
  if (bfree(ip->dev, ip->addrs[slot]) < 0)
    return -EIO;
  ip->addrs[slot] = 0;
  return 1;
}

static int
trunc_direct(struct inode *ip, uint from)
{
  for (int i = NDIRECT - 1; i >= 0 && (uint)i >= from; i--) {
    if (ip->addrs[i] == 0)
      continue;
    if (log_room() < TRUNC_BLOCK_COST)
      return 0;
    if (bfree(ip->dev, ip->addrs[i]) < 0)
      return -EIO;
    ip->addrs[i] = 0;
  }
  return 1;
}

int
itrunc(struct inode *ip, uint len)
{
  KASSERT(holdingsleep(&ip->lock) && len <= ip->size);
  if (log_room() < TRUNC_PUBLISH_COST)
    return 0;  // nothing changed: the caller commits and comes back
  int err = zero_tail(ip, len);
  if (err < 0)
    return err;  // nothing changed
  ip->size = len;
  pc_truncate(ip, len);
  uint from = (len + BSIZE - 1) / BSIZE;  // the first file block to free
  int done = trunc_slot(ip, DIND_SLOT, 2, NDIRECT + NINDIRECT, NDINDIRECT, from);
  if (done > 0)
    done = trunc_slot(ip, IND_SLOT, 1, NDIRECT, NINDIRECT, from);
  if (done > 0)
    done = trunc_direct(ip, from);
  iupdate(ip);
  // Blocks left past the size (the budget ran out, or a disk error
  // stopped the piece) are an orphan's: listed in this piece's transaction
  // (the first piece's publishes the size), so a crash before the next
  // piece -- or, after -EIO, a next truncation that never comes -- leaves
  // them to the next boot. The piece that frees the last of them unlists
  // the inode, unless it has no links: it stays listed until ifree() has
  // freed it.
  if (done <= 0)
    orphan_set(ip->dev, ip->inum, 1);
  else if (ip->nlink > 0)
    orphan_set(ip->dev, ip->inum, 0);
  return done;
}

// ---- orphans left by a crash ----

// The type of inode inum on disk (0: free), read without caching it;
// -EIO if its block cannot be read.
static int
dinode_type(uint dev, uint inum)
{
  struct buf *b = bread(dev, IBLOCK(inum, sb));
  if (b == 0)
    return -EIO;
  short type = ((struct dinode *)b->data + inum % IPB)->type;
  brelse(b);
  return type;
}

// What orphan_work did with a listed inode.
#define ORPHAN_DROPPED   1  // not in use: only its entry went
#define ORPHAN_FREED     2  // it had no links
#define ORPHAN_TRUNCATED 3  // it has links: its blocks past its size went

// orphan_finish's work, in its operation: an ORPHAN_* (with
// ORPHAN_TRUNCATED, *size and *nlink say what the inode is left with), or
// -EIO or -EROFS, the inode still listed. => in a transaction that may
// write (returns in one, maybe a later one)
static int
orphan_work(uint dev, uint inum, uint *size, int *nlink)
{
  int type = inum < sb.ninodes ? dinode_type(dev, inum) : 0;
  if (type < 0)
    return type;
  if (type == 0) {
    // This kernel never lists a free inode: a damaged table. Nothing to do.
    orphan_set(dev, inum, 0);
    return ORPHAN_DROPPED;
  }
  struct inode *ip = iget(dev, inum);
  if (ip == 0)
    panic("orphan_work: no inode cache slot at boot");  // one reference at a time
  if (ilock(ip) < 0) {
    iput(ip);  // never read, so never freed here
    return -EIO;
  }
  if (ip->nlink == 0) {
    iunlock(ip);
    int err = iput_result(ip);  // the last reference: frees it in pieces and unlists it
    return err < 0 ? err : ORPHAN_FREED;
  }
  int r;
  while ((r = itrunc(ip, ip->size)) == 0) {
    iunlock(ip);  // the lock order: no inode lock across begin_op
    end_op();
    int err = begin_op();
    ilock(ip);  // read already: cannot fail
    if (err < 0) {
      r = err;
      break;
    }
  }
  *size = ip->size;
  *nlink = ip->nlink;
  iunlockput(ip);
  return r < 0 ? r : ORPHAN_TRUNCATED;
}

// Finishes the work of inode inum, which the orphan table lists, in
// operations of its own: frees it if it has no links, else frees its
// blocks past its size. Each piece commits, and the last one unlists it,
// so a crash in the middle leaves it listed for the boot after; so does a
// disk error. Says what it did once that has committed. 0; -EIO (a block
// could not be read: said on the console) or -EROFS (the log has
// stopped), the inode still listed. => no transaction open
static int
orphan_finish(uint dev, uint inum)
{
  uint size = 0;
  int nlink = 0;
  int r = begin_op();
  if (r == 0)
    r = orphan_work(dev, inum, &size, &nlink);
  end_op();
  if (r > 0 && log_stopped())
    r = -EROFS;  // its last piece never committed
  if (r == ORPHAN_DROPPED)
    printf("fs: orphan table names inode %d, which is not in use: dropped\n", inum);
  else if (r == ORPHAN_FREED)
    printf("fs: orphan inode %d freed (nlink 0)\n", inum);
  else if (r == ORPHAN_TRUNCATED)
    printf("fs: orphan inode %d truncated to %d bytes (nlink %d)\n", inum, size, nlink);
  else if (r == -EIO)
    printf("fs: orphan inode %d: I/O error: left listed for the next boot\n", inum);
  return r < 0 ? r : 0;
}

// Finishes the work of every inode in the orphan table, one at a time,
// before anything else uses the file system. An inode a disk error stops
// stays listed, and the next one is tried; a stopped log (recovery failed,
// or one of these commits did) ends the work, and so does a table that
// cannot be read: what is left stays listed for the next boot, and a
// console line says so. => no transaction open
static void
orphans_finish(uint dev)
{
  for (uint i = 0; i < NORPHAN; i++) {
    struct buf *b = bread(dev, SBLOCK);
    if (b == 0) {
      printf("fs: I/O error reading the orphan table: its inodes are left to the next boot\n");
      return;
    }
    uint inum = ((struct sblock *)b->data)->orphan[i];
    brelse(b);
    if (inum != 0 && orphan_finish(dev, inum) == -EROFS) {
      printf("fs: read-only: the orphans still listed are left to the next boot\n");
      return;
    }
  }
}

void
stati(struct inode *ip, struct stat *st)
{
  // The whole struct goes to user space, padding included: clear it so
  // no byte of the caller's stack frame travels with it.
  memset(st, 0, sizeof(*st));
  st->dev = ip->dev;
  st->ino = ip->inum;
  st->type = ip->type;
  st->nlink = ip->nlink;
  st->size = ip->size;
}

// ---- contents ----

int
readi(struct inode *ip, int user, uint64 dst, uint off, uint n)
{
  if (off > ip->size || off + n < off)
    return 0;
  if (off + n > ip->size)
    n = ip->size - off;
  uint done = 0;
  while (done < n) {
    uint m = BSIZE - off % BSIZE;
    if (m > n - done)
      m = n - done;
    int bno = bmap(ip, off / BSIZE, 0);
    if (bno < 0)
      return done ? (int)done : bno;
    if (bno == 0) {
      // A block that was never written (the disk filled mid-write).
      static const char zeros[BSIZE];
      if (either_copyout(user, dst, (void *)zeros, m) < 0)
        return done ? (int)done : -EFAULT;
    } else {
      struct buf *b = bread(ip->dev, bno);
      if (b == 0)
        return done ? (int)done : -EIO;
      int err = either_copyout(user, dst, b->data + off % BSIZE, m);
      brelse(b);
      if (err < 0)
        return done ? (int)done : -EFAULT;
    }
    done += m;
    off += m;
    dst += m;
  }
  return done;
}

// Copies n bytes from src (a user address if user) to dst in pieces that
// never cross a user page, so each piece arrives whole or not at all.
// Returns the bytes copied: n, or the prefix before the first page that
// could not be read (copyin copies page by page and may stop part-way,
// leaving no count of what it moved).
static uint
copyin_whole_pages(uchar *dst, int user, uint64 src, uint n)
{
  uint got = 0;
  while (got < n) {
    uint piece = user ? PGSIZE - (src + got) % PGSIZE : n - got;
    if (piece > n - got)
      piece = n - got;
    if (either_copyin(dst + got, user, src + got, piece) < 0)
      break;
    got += piece;
  }
  return got;
}

int
writei(struct inode *ip, int user, uint64 src, uint off, uint n)
{
  if (off > ip->size || off + n < off)
    return -EINVAL;
  if ((uint64)off + n > FILE_MAX_BYTES)
    return -EFBIG;
  uint done = 0;
  int err = 0;
  while (done < n) {
    // Stop short, before touching the block, if the worst case of writing
    // it does not fit in what is left of the operation's log budget.
    int cost = bmap_run_cost(ip, off / BSIZE, 1);
    if (log_room() < cost + 1) {  // and the inode
      if (done == 0)
        return 0;  // nothing changed, not even the inode
      break;
    }
    // A missing block at the end of the file, whose write may yet fail:
    // note which tables on its path exist, so that what bmap allocates
    // can be given back then (bmap_undo): when the disk is full, a block
    // cannot be read or the source cannot be copied.
    int ntab;
    uint key[2], tab0[2];
    int undo = cost > 1 && off % BSIZE == 0 && off >= ip->size;
    if (undo)
      bmap_path(ip, off / BSIZE, &ntab, key, tab0);
    int bno = bmap(ip, off / BSIZE, 1);
    if (bno <= 0) {
      if (undo)
        bmap_undo(ip, off / BSIZE, tab0);
      err = bno < 0 ? bno : -ENOSPC;
      break;
    }
    uint m = BSIZE - off % BSIZE;
    if (m > n - done)
      m = n - done;
    // A whole-block write need not read the old contents first.
    int fresh = 0;
    struct buf *b = m == BSIZE ? bread_overwrite(ip->dev, bno, &fresh) : bread(ip->dev, bno);
    if (b == 0) {
      if (undo)
        bmap_undo(ip, off / BSIZE, tab0);
      err = -EIO;  // the old bytes around the new ones are unknown
      break;
    }
    uint got = copyin_whole_pages(b->data + off % BSIZE, user, src, m);
    if (got < m && (fresh || got == 0)) {
      // Nothing of this block counts: a block never read holds garbage
      // around what was copied, so it must not stay cached either.
      if (fresh)
        b->valid = 0;
      brelse(b);
      if (undo)
        bmap_undo(ip, off / BSIZE, tab0);
      err = -EFAULT;
      break;
    }
    // Keep exactly the bytes copied (all m, or a prefix up to a source
    // page that is not there): the log, the page cache and the returned
    // count all say the same.
    log_write(b);
    pc_update(ip, off, b->data + off % BSIZE, got);  // a cached page shows it at once
    brelse(b);
    done += got;
    off += got;
    src += got;
    if (got < m) {
      err = -EFAULT;
      break;
    }
  }
  if (off > ip->size)
    ip->size = off;
  // Always write the inode back: bmap may have added block numbers.
  iupdate(ip);
  return done > 0 ? (int)done : err;
}

// ---- directories ----

int
namecmp(const char *a, const char *b)
{
  return strncmp(a, b, DIRSIZ);
}

int
dirfind(struct inode *dp, const char *name, uint *poff)
{
  KASSERT(dp->type == T_DIR);
  struct dirent de;
  for (uint off = 0; off < dp->size; off += sizeof(de)) {
    int r = readi(dp, 0, (uint64)&de, off, sizeof(de));
    if (r != sizeof(de))
      return r < 0 ? r : -EIO;  // short: the size promised an entry the blocks lack
    if (de.inum == 0 || namecmp(name, de.name) != 0)
      continue;
    if (poff)
      *poff = off;
    return de.inum;
  }
  return 0;
}

struct inode *
dirlookup(struct inode *dp, const char *name, uint *poff, int *errp)
{
  int inum = dirfind(dp, name, poff);
  struct inode *ip = inum > 0 ? iget(dp->dev, inum) : 0;
  if (ip == 0 && errp)
    *errp = inum < 0 ? inum : inum == 0 ? -ENOENT : -ENFILE;
  return ip;
}

int
dirlink(struct inode *dp, const char *name, uint inum)
{
  int found = dirfind(dp, name, 0);
  if (found != 0)
    return found < 0 ? found : -EEXIST;
  struct dirent de;
  uint off;
  for (off = 0; off < dp->size; off += sizeof(de)) {
    int r = readi(dp, 0, (uint64)&de, off, sizeof(de));
    if (r != sizeof(de))
      return r < 0 ? r : -EIO;
    if (de.inum == 0)
      break;
  }
  memset(&de, 0, sizeof(de));
  strncpy(de.name, name, DIRSIZ);
  de.inum = inum;
  int r = writei(dp, 0, (uint64)&de, off, sizeof(de));
  if (r != sizeof(de))
    return r < 0 ? r : -ENOSPC;
  return 0;
}

// ---- path names ----

// Copies the first element of path into name (truncated to DIRSIZ) and
// returns the rest with leading slashes skipped; 0 if there is none.
//   "a/bb/c" -> name "a", returns "bb/c";  "///" -> 0
static const char *
skipelem(const char *path, char *name)
{
  while (*path == '/')
    path++;
  if (*path == 0)
    return 0;
  const char *s = path;
  while (*path != '/' && *path != 0)
    path++;
  int len = path - s;
  if (len >= DIRSIZ) {
    memmove(name, s, DIRSIZ);
  } else {
    memmove(name, s, len);
    name[len] = 0;
  }
  while (*path == '/')
    path++;
  return path;
}

// Walks path; returns the final inode, or with parent != 0 the directory
// containing the last element (whose name is copied to name). Either has
// been read from the disk (so that the caller's ilock cannot fail). 0 on
// failure, with *errp set: -EIO if a block on the way could not be read,
// else -ENOENT.
static struct inode *
namex(const char *path, int parent, char *name, int *errp)
{
  struct inode *ip, *next;
  *errp = -ENOENT;
  if (*path == '/')
    ip = iget(ROOTDEV, ROOTINO);
  else
    ip = idup(myproc()->cwd);
  if (ip == 0)
    return 0;

  while ((path = skipelem(path, name)) != 0) {
    if (ilock(ip) < 0) {
      *errp = -EIO;
      iput(ip);
      return 0;
    }
    // An unlinked directory (a process's cwd, say) has no entries any
    // more: its ".." may name a directory that has since been freed.
    if (ip->type != T_DIR || ip->nlink == 0) {
      iunlockput(ip);
      return 0;
    }
    if (parent && *path == 0) {
      iunlock(ip);  // stop one level early
      knob_lookup_pause();  // a test may widen the window before the caller relocks
      return ip;
    }
    int err;
    if ((next = dirlookup(ip, name, 0, &err)) == 0) {
      if (err == -EIO)
        *errp = err;
      iunlockput(ip);
      return 0;
    }
    iunlockput(ip);
    ip = next;
  }
  if (parent) {
    iput(ip);
    return 0;
  }
  // Read the inode now, while a failure can still be reported.
  if (ilock(ip) < 0) {
    *errp = -EIO;
    iput(ip);
    return 0;
  }
  iunlock(ip);
  return ip;
}

struct inode *
namei(const char *path, int *errp)
{
  char name[DIRSIZ];
  int err;
  return namex(path, 0, name, errp ? errp : &err);
}

struct inode *
nameiparent(const char *path, char *name, int *errp)
{
  int err;
  return namex(path, 1, name, errp ? errp : &err);
}
