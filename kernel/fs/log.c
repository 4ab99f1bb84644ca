// log.c -- a redo log with group commit.
//
// On disk: one header block (the count n and the home block numbers),
// then LOGBLOCKS body blocks. Committing writes every dirty block to the
// body, then the header with n > 0 -- that single-block write (n lies in its first
// sector) is the commit point -- then copies the blocks to their homes, then writes the
// header with n = 0. Each step starts only when the previous one is
// complete on disk; within a step the blocks go out as a few multi-block
// requests at once (the body as one run, the homes as runs of consecutive
// blocks), in any order. Recovery at boot replays a committed header.
//
// Flushes. "Complete" is not "stable": a disk with a volatile write cache
// may lose completed writes at a power failure, and put the others on
// its medium in any order (disk.h). So each step also waits for a
// flush (disk_flush) before the next one starts:
//   body      flush  the header must never be stable before the blocks
//                    it vouches for, or recovery would replay garbage;
//   header    flush  the commit point is stable: the transaction is
//                    durable (the waiters of log_wait_durable may be
//                    told), and no home block is overwritten before it;
//   homes     flush  the header may be cleared only once what it
//                    covers is on the medium, or a cut would lose it;
//   cleared   flush  the body may be reused only once the old header is
//                    gone, or recovery would replay the old header over
//                    the new body.
// virtio-blk has no forced-unit-access write, which could replace the
// flush after a header write. Recovery at boot ends the same way as a
// commit (log_clear). A disk without a write cache makes the flushes
// free (disk_flush returns at once).
//
// Concurrent system calls share one transaction: begin_op() admits a new
// operation only if the worst case of every admitted operation still fits
// (n + the budgets of the admitted operations + MAXOPBLOCKS <= LOGBLOCKS);
// the last end_op() commits. Dirty blocks stay pinned in the buffer cache
// until installed (NBUF is twice LOGBLOCKS, param.h, so pinned blocks never
// fill it).
//
// Big operations. begin_op_big(want) is admitted like any operation and
// then takes as large a budget as the log has room for at that moment, up
// to want blocks (at least MAXOPBLOCKS). The page cache's write-back uses
// it: every transaction then carries as many pages as the log can take
// (on a quiet system the whole log, LOGBLOCKS / 4 pages), and a commit's
// four steps and four flushes are paid once for them instead of once per
// four pages. It does not wait for a bigger budget: waiting for the log to
// empty could starve behind a stream of small operations.
//
// The budget. Each admitted operation is charged for the blocks it adds
// to the transaction -- a block already in it, put there by this or any
// other operation, costs nothing -- and may add at most its budget
// (MAXOPBLOCKS, or what begin_op_big granted). That is what makes
// admission sound: n counts exactly the blocks charged, so n + (budget -
// charged) summed over the admitted operations never exceeds LOGBLOCKS. The log cannot know in advance what an operation
// will dirty, so callers that may dirty many blocks ask log_room() before
// each step and end the operation (and begin another) when the worst case
// of the next step would not fit: writei() and itrunc() in fs.c, and
// write-back of pages in holes (pagecache.c). Going
// over the budget is a kernel bug, caught by a panic in log_write().
//
// Operations are told apart by process: a process runs at most one at a
// time (begin_op() asserts it), and only the process that began it adds
// blocks to it.
//
// Durability. end_op() commits only when it ends the last operation in
// flight, so on a busy system an operation's blocks may wait in the open
// transaction for a while after it ended. Each transaction has a sequence
// number (log.seq, counting from 1); log_op_seq() tells an operation its
// transaction's number, and log_wait_durable(seq) returns once that
// transaction has committed (log.durable >= seq). A waiter whose
// transaction is still open sets log.hurry: no new operation is admitted,
// so the ones in flight end, the last of them commits, and the waiter
// wakes -- group commit, as journaling file systems do it: everyone who
// joined the transaction meanwhile is made durable by the same commit.
// msync(MS_SYNC) and fsync() wait this way; nothing else promises
// durability (a process that only calls write() may lose its last
// transaction to a power cut, as POSIX allows).
//
// Disk errors stop the log (log_stop): a failed write of the body, the
// header or a home block, a failed flush after any of them (the device
// may have lost any write since its last flush, so that is a failed
// write too), a failed read at recovery, or a read the inode
// layer needed in the middle of an operation whose changes it cannot take
// back (iupdate, fs.c). One console line says so; from then on nothing
// commits. The open transaction's blocks stay pinned in the buffer cache,
// so what the kernel reads is what its operations did, but nothing
// installs them. The disk keeps what its header says: a transaction whose
// commit record never reached it is discarded at the next boot, one whose
// record did is replayed then -- so log_wait_durable() reports the first
// kind as lost (-EIO) and the second as durable. When the flush after the
// commit record fails, the record may or may not be on the medium; the
// waiters are told -EIO (durability cannot be promised) and the next boot
// decides by the header it finds. begin_op() still admits
// operations (lookups, reads, close and exit need one) but returns
// -EROFS: an operation that would change something ends at once and
// fails with it. Stopping happens under log.lock, so an operation that
// began before it may still add blocks to the stopped transaction; they
// are kept pinned with it while there is room.
//
// Lock: log.lock protects every field; it is not held across disk I/O.
// An admitted operation counts as a lock of its process (LR_LOG_OP in
// kernel/lib/lockrank.h), ranked before every sleep lock: admission may
// wait for a commit, which waits for every admitted operation to end (one
// may be waiting for an inode lock) and takes buffer locks itself.
#include "kernel/types.h"
#include "kernel/param.h"
#include "kernel/errno.h"
#include "kernel/lib/spinlock.h"
#include "kernel/lib/sleeplock.h"
#include "kernel/lib/printf.h"
#include "kernel/lib/string.h"
#include "kernel/proc/proc.h"
#include "kernel/fs/buf.h"
#include "kernel/dev/disk.h"
#include "kernel/fs/log.h"
#include "kernel/arch/sbi.h"
#include "kernel/mm/knobs_impl.h"

struct logheader {
  int n;
  int block[LOGBLOCKS];
};
_Static_assert(sizeof(struct logheader) <= BSIZE, "log header fits a block");

// Admission never lets more operations in at once than this.
#define MAXOPS (LOGBLOCKS / MAXOPBLOCKS)

// One admitted operation.
struct logop {
  struct proc *owner;  // process running it; 0 = slot free
  int budget;          // blocks it may add: MAXOPBLOCKS, or more (begin_op_big)
  int charged;         // blocks it has added to the transaction
};

static struct {
  struct spinlock lock;
  int start;         // [I] first log block (the header)
  int dev;           // [I]
  int outstanding;   // [lock] operations admitted and not yet ended
  int reserved;      // [lock] the budgets of those operations, summed
  int committing;    // [lock] a commit is running: admit nothing
  int hurry;         // [lock] someone waits for the open transaction: admit nothing
  uint64 seq;        // [lock] number of the open transaction
  uint64 durable;    // [lock] every transaction up to this one has committed
  int stopped;       // [lock] a disk error stopped the log: read-only until reboot
  struct logop op[MAXOPS];  // [lock] the admitted operations
  struct logheader lh;  // [lock] blocks dirtied by the open transaction
} log;

static void recover_from_log(void);
static int commit(void);

void
initlog(int dev, struct superblock *sb)
{
  initlock(&log.lock, "log", LR_LOG);
  log.seq = 1;
  log.start = sb->logstart;
  log.dev = dev;
  if (sb->nlog < LOGBLOCKS + 1)
    panic("initlog: log too small on disk (%d blocks)", sb->nlog);
  recover_from_log();
}

// 0 or -EIO.
static int
read_head(void)
{
  struct buf *b = bread(log.dev, log.start);
  if (b == 0)
    return -EIO;
  memmove(&log.lh, b->data, sizeof(log.lh));
  brelse(b);
  return 0;
}

// Writes the in-memory header to disk: with n > 0, this commits. 0, or
// -EIO with the old header still on disk (as far as we know).
static int
write_head(void)
{
  struct buf *b = bread_overwrite(log.dev, log.start, 0);  // the whole block is ours
  memset(b->data, 0, BSIZE);
  memmove(b->data, &log.lh, sizeof(log.lh));
  int err = bwrite(b);
  if (err)
    b->valid = 0;  // not what the disk holds
  brelse(b);
  return err;
}

void
log_stop(const char *what, int blockno)
{
  acquire(&log.lock);
  int first = !log.stopped;
  log.stopped = 1;
  wakeup(&log);  // admission and durability waiters decide again
  release(&log.lock);
  if (!first)
    return;
  if (blockno >= 0)
    printf("log: I/O error %s %d: file system is now read-only\n", what, blockno);
  else
    printf("log: I/O error %s: file system is now read-only\n", what);
}

int
log_stopped(void)
{
  acquire(&log.lock);
  int stopped = log.stopped;
  release(&log.lock);
  return stopped;
}

// ---- Moving the log body ----
//
// The body is staged in log_body[], which is contiguous memory, so any run
// of body blocks is one segment: write_log copies the dirty blocks there
// and writes the body in as few disk requests as the driver's limits
// allow; install_trans writes each run of consecutive home blocks from
// there, all runs in flight at once. Both go through a disk batch
// (disk.h), which splits a run at the driver's limits and submits each
// request as soon as it is complete. Every request and every segment
// moves at least one block, so the batch's room of LOGBLOCKS of each is
// never used up. Body blocks never pass through the buffer cache, so no
// cached copy of one can go stale. Only the committer (one at a time,
// log.committing) and recovery at boot use these.
static char log_body[LOGBLOCKS][BSIZE];
static struct disk_seg log_segs[LOGBLOCKS];
static struct disk_req log_reqs[LOGBLOCKS];
static struct disk_batch log_io;

// Starts a batch of transfers to (write) or from the disk.
static void
log_io_begin(int write)
{
  disk_batch_init(&log_io, write, log_reqs, LOGBLOCKS, log_segs, LOGBLOCKS);
}

// Adds the transfer of n blocks, from blockno on, to or from
// log_body[first..].
static void
log_io_add(uint blockno, int first, int n)
{
  disk_batch_add(&log_io, blockno, log_body[first], n);
}

// Waits for every transfer of the batch: 0, or -EIO if any failed (the
// caller stops the log).
static int
log_io_wait(void)
{
  return disk_batch_wait(&log_io);
}

// The header's block count, checked: a count no log could hold means
// the header block is garbage, which no recovery can make sense of.
static int
header_blocks(void)
{
  int n = log.lh.n;
  if (n < 0 || n > LOGBLOCKS)
    panic("log: header claims %d blocks", n);
  return n;
}

// Recovery: reads the committed body from the disk into log_body[].
static int
read_body(void)
{
  log_io_begin(0);
  log_io_add(log.start + 1, 0, header_blocks());
  return log_io_wait();
}

// Makes every completed write stable (see "Flushes" at the top): 0, or
// -EIO after stopping the log -- a failed flush is a failed write, since
// the device may have lost any write it completed since the last flush.
static int
log_flush(const char *what)
{
  if (disk_flush() == 0)
    return 0;
  log_stop(what, -1);
  return -EIO;
}

// Writes each logged block from log_body[] to its home location: every
// run of consecutive home blocks is submitted, then all are waited for
// (they are independent of each other); the caller clears the header only
// after this returns 0. Recovering, any cached copy of a home block is
// given the installed contents. Otherwise log_body[] still holds what
// write_log put there, the cached home blocks already hold the same
// bytes, and they are unpinned -- unless the install failed: then they
// stay pinned (the log stops, and nothing may write them over).
static int
install_trans(int recovering)
{
  int n = header_blocks();
  log_io_begin(1);
  for (int i = 0, j; i < n; i = j) {
    for (j = i + 1; j < n && log.lh.block[j] == log.lh.block[j - 1] + 1; j++)
      ;
    log_io_add(log.lh.block[i], i, j - i);
  }
  if (log_io_wait() != 0)
    return -EIO;
  for (int i = 0; i < n; i++) {
    struct buf *b;
    if (recovering) {
      b = bread_overwrite(log.dev, log.lh.block[i], 0);
      memmove(b->data, log_body[i], BSIZE);
    } else {
      b = bread(log.dev, log.lh.block[i]);
      KASSERT(b != 0);  // pinned, so cached and valid: no disk read
      bunpin(b);
    }
    brelse(b);
  }
  return 0;
}

// The transaction in the header is installed: makes the home blocks
// stable, then clears the header and makes that stable, so that the
// body may be written again. A failure stops the log; the header on disk
// then still commits the installed transaction (or may), and the next
// boot installs it again, which is harmless.
static void
log_clear(void)
{
  log.lh.n = 0;  // installed: no block of it is pinned any more
  if (log_flush("flushing the installed blocks") != 0)
    return;
  if (write_head() != 0) {
    log_stop("clearing the log header", -1);
    return;
  }
  log_flush("flushing the cleared log header");
}

// At boot, with nothing else running. A disk error stops the log (the
// system comes up read-only) and leaves the header as it is on disk, so
// the next boot tries again.
static void
recover_from_log(void)
{
  if (read_head() != 0) {
    log.lh.n = 0;
    log_stop("reading the log header", -1);
    return;
  }
  if (log.lh.n > 0)
    printf("log: replaying %d committed blocks\n", log.lh.n);
  if (read_body() != 0 || install_trans(1) != 0) {
    log_stop("replaying the log", -1);
    return;
  }
  log_clear();
}

// The slot of p's operation, or 0 if p has none. => log.lock held
static struct logop *
op_of(struct proc *p)
{
  for (struct logop *o = log.op; o < log.op + MAXOPS; o++)
    if (o->owner == p)
      return o;
  return 0;
}

// May one more operation begin now? A stopped log commits nothing, so
// only the slots count. => log.lock held
static int
admissible(void)
{
  if (log.stopped)
    return log.outstanding < MAXOPS;
  return !log.committing && !log.hurry &&
         log.lh.n + log.reserved + MAXOPBLOCKS <= LOGBLOCKS;
}

int
begin_op(void)
{
  return begin_op_big(MAXOPBLOCKS);
}

int
begin_op_big(int want)
{
  struct proc *p = myproc();
  lockcheck_sleeplock(&log, "log op", LR_LOG_OP);
  acquire(&log.lock);
  KASSERT(p != 0 && op_of(p) == 0);  // operations do not nest
  while (!admissible())
    sleep(&log, &log.lock);
  struct logop *o = op_of(0);
  KASSERT(o != 0);  // admission keeps outstanding <= MAXOPS
  // The room admission found, up to want: at least MAXOPBLOCKS (a stopped
  // log commits nothing, so there a budget is only a number).
  int room = LOGBLOCKS - log.lh.n - log.reserved;
  o->budget = want < room ? want : room;
  if (o->budget < MAXOPBLOCKS)
    o->budget = MAXOPBLOCKS;
  o->owner = p;
  o->charged = 0;
  log.outstanding++;
  log.reserved += o->budget;
  int err = log.stopped ? -EROFS : 0;
  release(&log.lock);
  knob_op_pause();  // a test's way to keep the log busy
  return err;
}

int
log_room(void)
{
  acquire(&log.lock);
  struct logop *o = op_of(myproc());
  KASSERT(o != 0);
  int room = o->budget - o->charged;
  release(&log.lock);
  return room;
}

void
end_op(void)
{
  int do_commit = 0;
  lockcheck_sleepunlock(&log, "log op");
  acquire(&log.lock);
  KASSERT(log.outstanding > 0);
  KASSERT(!log.committing);
  struct logop *o = op_of(myproc());
  KASSERT(o != 0);
  o->owner = 0;
  log.outstanding--;
  log.reserved -= o->budget;
  if (log.outstanding == 0 && !log.stopped) {
    do_commit = 1;
    log.committing = 1;
  } else {
    wakeup(&log);  // this op's reservation is free for someone else
  }
  release(&log.lock);

  if (do_commit) {
    int durable = commit();  // no lock held: it sleeps for disk I/O
    acquire(&log.lock);
    log.committing = 0;
    log.hurry = 0;
    if (durable)
      log.durable = log.seq;
    log.seq++;
    wakeup(&log);
    release(&log.lock);
  }
}

uint64
log_op_seq(void)
{
  acquire(&log.lock);
  KASSERT(op_of(myproc()) != 0);
  uint64 seq = log.seq;  // no commit can start while this operation is open
  release(&log.lock);
  return seq;
}

int
log_wait_durable(uint64 seq)
{
  int err = 0;
  acquire(&log.lock);
  KASSERT(op_of(myproc()) == 0);  // our own open operation would never end
  while (log.durable < seq) {
    if (log.stopped) {
      err = -EIO;  // it will never commit
      break;
    }
    // seq is the open transaction or the one being committed now (every
    // earlier one has committed: commits run one at a time, in order).
    if (log.seq == seq && !log.committing) {
      if (log.outstanding == 0)
        break;  // open and empty: its operations' blocks would have committed
      log.hurry = 1;  // the last operation in flight commits
    }
    sleep(&log, &log.lock);
  }
  release(&log.lock);
  return err;
}

// Copies the dirty cached blocks into log_body[] and writes it to the log
// on disk, returning when every block is there: the commit point, which
// follows, must not reach the disk before them. One buffer is locked at a
// time (holding all of them could exhaust the cache, which the pinned
// blocks already fill up to half). 0 or -EIO.
static int
write_log(void)
{
  for (int i = 0; i < log.lh.n; i++) {
    struct buf *from = bread(log.dev, log.lh.block[i]);
    KASSERT(from != 0);  // pinned: no disk read
    memmove(log_body[i], from->data, BSIZE);
    brelse(from);
  }
  log_io_begin(1);
  log_io_add(log.start + 1, 0, log.lh.n);
  return log_io_wait();
}

// Commits the open transaction. Returns 1 if its commit record is stable
// on the disk (installed now, or replayed at the next boot if the install
// failed), 0 if that cannot be promised: a write or flush before the
// commit point failed (the old header stands and the next boot discards
// the transaction), or the flush of the record itself did (the next boot
// decides by what the header holds). A failure stops the log.
static int
commit(void)
{
  if (log.lh.n == 0)
    return 1;
  if (write_log() != 0) {
    log_stop("writing the log", -1);
    return 0;
  }
  if (log_flush("flushing the log") != 0)  // stable before the header vouches for it
    return 0;
  if (write_head() != 0) {  // the commit point
    log_stop("writing the commit record", -1);
    return 0;
  }
  // Durable from here on. If this flush fails, the record may or may not
  // be on the medium: no one can be promised it is (the next boot decides).
  if (log_flush("flushing the commit record") != 0)
    return 0;
  if (knob_crash_after_commit) {
    printf("log: crash point: %d blocks committed, not installed; powering off\n", log.lh.n);
    sbi_shutdown(0);
  }
  if (install_trans(0) != 0) {
    log_stop("installing the log", -1);
    return 1;
  }
  log_clear();  // the transaction is now fully installed
  return 1;
}

void
log_write(struct buf *b)
{
  acquire(&log.lock);
  struct logop *o = op_of(myproc());
  KASSERT(o != 0);
  int i;
  for (i = 0; i < log.lh.n; i++)
    if (log.lh.block[i] == (int)b->blockno)
      break;  // already in this transaction: absorbed, free of charge
  if (i == log.lh.n && !log.stopped) {
    // Within budget, admission guarantees the log has room (see top).
    if (o->charged >= o->budget)
      panic("log_write: operation over its budget of %d blocks", o->budget);
    KASSERT(log.lh.n < LOGBLOCKS);
  }
  // Stopped: nothing commits any more; the change is kept pinned with the
  // stopped transaction while there is room, else it lives in the buffer
  // while that stays cached (see top).
  if (i == log.lh.n && log.lh.n < LOGBLOCKS) {
    o->charged++;
    log.lh.block[i] = b->blockno;
    log.lh.n++;
    bpin(b);
  }
  release(&log.lock);
}
