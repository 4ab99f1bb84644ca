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
// (n + admitted * MAXOPBLOCKS <= LOGBLOCKS); the last end_op() commits.
// Dirty blocks stay pinned in the buffer cache until installed.
//
// The budget. Each admitted operation is charged for the blocks it adds
// to the transaction -- a block already in it, put there by this or any
// other operation, costs nothing -- and may add at most MAXOPBLOCKS. That
// is what makes admission sound: n counts exactly the blocks charged, so
// n + (MAXOPBLOCKS - charged) summed over the admitted operations never
// exceeds LOGBLOCKS. The log cannot know in advance what an operation
// will dirty, so callers that may dirty many blocks ask log_room() before
// each step and end the operation (and begin another) when the worst case
// of the next step would not fit: writei() and itrunc() in fs.c. Going
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
// Lock: log.lock protects every field; it is not held across disk I/O.
#include "kernel/types.h"
#include "kernel/param.h"
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
  int charged;         // blocks it has added to the transaction
};

static struct {
  struct spinlock lock;
  int start;         // [I] first log block (the header)
  int dev;           // [I]
  int outstanding;   // [lock] operations admitted and not yet ended
  int committing;    // [lock] a commit is running: admit nothing
  int hurry;         // [lock] someone waits for the open transaction: admit nothing
  uint64 seq;        // [lock] number of the open transaction
  uint64 durable;    // [lock] every transaction up to this one has committed
  struct logop op[MAXOPS];  // [lock] the admitted operations
  struct logheader lh;  // [lock] blocks dirtied by the open transaction
} log;

static void recover_from_log(void);
static void commit(void);

void
initlog(int dev, struct superblock *sb)
{
  initlock(&log.lock, "log");
  log.seq = 1;
  log.start = sb->logstart;
  log.dev = dev;
  if (sb->nlog < LOGBLOCKS + 1)
    panic("initlog: log too small on disk (%d blocks)", sb->nlog);
  recover_from_log();
}

static void
read_head(void)
{
  struct buf *b = bread(log.dev, log.start);
  memmove(&log.lh, b->data, sizeof(log.lh));
  brelse(b);
}

// Writes the in-memory header to disk: with n > 0, this commits.
static void
write_head(void)
{
  struct buf *b = bread(log.dev, log.start);
  memmove(b->data, &log.lh, sizeof(log.lh));
  bwrite(b);
  brelse(b);
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

// Waits for every transfer of the batch. A failure is fatal (the buffer
// cache's policy, bio.c): a transaction that cannot be logged or
// installed cannot be committed or replayed, and the log is metadata.
static void
log_io_wait(const char *what)
{
  if (disk_batch_wait(&log_io) != 0)
    panic("log: I/O error %s", what);
}

// Makes every completed log write stable (see "Flushes" at the top). A
// failure is fatal, as in log_io_wait.
static void
log_flush(const char *what)
{
  if (disk_flush() != 0)
    panic("log: I/O error flushing %s", what);
}

// Writes each logged block from log_body[] to its home location: every
// run of consecutive home blocks is submitted, then all are waited for
// (they are independent of each other); the caller clears the header only
// after this returns. Recovering, the body is first read from disk, and
// any cached copy of a home block is given the installed contents.
// Otherwise log_body[] still holds what write_log put there, the cached
// home blocks already hold the same bytes, and they are unpinned.
static void
install_trans(int recovering)
{
  int n = log.lh.n;
  if (n < 0 || n > LOGBLOCKS)
    panic("log: header claims %d blocks", n);
  if (recovering) {
    log_io_begin(0);
    log_io_add(log.start + 1, 0, n);
    log_io_wait("reading the log");
  }
  log_io_begin(1);
  for (int i = 0, j; i < n; i = j) {
    for (j = i + 1; j < n && log.lh.block[j] == log.lh.block[j - 1] + 1; j++)
      ;
    log_io_add(log.lh.block[i], i, j - i);
  }
  log_io_wait("installing the log");
  for (int i = 0; i < n; i++) {
    struct buf *b;
    if (recovering) {
      b = bread_overwrite(log.dev, log.lh.block[i], 0);
      memmove(b->data, log_body[i], BSIZE);
    } else {
      b = bread(log.dev, log.lh.block[i]);  // cached: it is pinned
      bunpin(b);
    }
    brelse(b);
  }
}

// The transaction in the header is installed: makes the home blocks
// stable, then clears the header and makes that stable, so that the
// body may be written again.
static void
log_clear(void)
{
  log_flush("the installed blocks");
  log.lh.n = 0;
  write_head();
  log_flush("the cleared header");
}

static void
recover_from_log(void)
{
  read_head();
  if (log.lh.n > 0)
    printf("log: replaying %d committed blocks\n", log.lh.n);
  install_trans(1);
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

void
begin_op(void)
{
  struct proc *p = myproc();
  acquire(&log.lock);
  KASSERT(p != 0 && op_of(p) == 0);  // operations do not nest
  for (;;) {
    if (log.committing || log.hurry ||
        log.lh.n + (log.outstanding + 1) * MAXOPBLOCKS > LOGBLOCKS) {
      sleep(&log, &log.lock);
    } else {
      struct logop *o = op_of(0);
      KASSERT(o != 0);  // admission keeps outstanding <= MAXOPS
      o->owner = p;
      o->charged = 0;
      log.outstanding++;
      release(&log.lock);
      knob_op_pause();  // a test's way to keep the log busy
      return;
    }
  }
}

int
log_room(void)
{
  acquire(&log.lock);
  struct logop *o = op_of(myproc());
  KASSERT(o != 0);
  int room = MAXOPBLOCKS - o->charged;
  release(&log.lock);
  return room;
}

void
end_op(void)
{
  int do_commit = 0;
  acquire(&log.lock);
  KASSERT(log.outstanding > 0);
  KASSERT(!log.committing);
  struct logop *o = op_of(myproc());
  KASSERT(o != 0);
  o->owner = 0;
  log.outstanding--;
  if (log.outstanding == 0) {
    do_commit = 1;
    log.committing = 1;
  } else {
    wakeup(&log);  // this op's reservation is free for someone else
  }
  release(&log.lock);

  if (do_commit) {
    commit();  // no lock held: it sleeps for disk I/O
    acquire(&log.lock);
    log.committing = 0;
    log.hurry = 0;
    log.durable = log.seq++;
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

void
log_wait_durable(uint64 seq)
{
  acquire(&log.lock);
  KASSERT(op_of(myproc()) == 0);  // our own open operation would never end
  while (log.durable < seq) {
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
}

// Copies the dirty cached blocks into log_body[] and writes it to the log
// on disk, returning when every block is there: the commit point, which
// follows, must not reach the disk before them. One buffer is locked at a
// time (holding all of them could exhaust the cache, which the pinned
// blocks already fill up to half).
static void
write_log(void)
{
  for (int i = 0; i < log.lh.n; i++) {
    struct buf *from = bread(log.dev, log.lh.block[i]);
    memmove(log_body[i], from->data, BSIZE);
    brelse(from);
  }
  log_io_begin(1);
  log_io_add(log.start + 1, 0, log.lh.n);
  log_io_wait("writing the log");
}

static void
commit(void)
{
  if (log.lh.n == 0)
    return;
  write_log();
  log_flush("the log body");      // stable before the header vouches for it
  write_head();                   // the commit point
  log_flush("the commit record");  // durable from here on
  if (knob_crash_after_commit) {
    printf("log: crash point: %d blocks committed, not installed; powering off\n", log.lh.n);
    sbi_shutdown(0);
  }
  install_trans(0);
  log_clear();  // the transaction is now fully installed
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
  if (i == log.lh.n) {
    // Within budget, admission guarantees the log has room (see top).
    if (o->charged >= MAXOPBLOCKS)
      panic("log_write: operation over its budget of %d blocks", MAXOPBLOCKS);
    KASSERT(log.lh.n < LOGBLOCKS);
    o->charged++;
    log.lh.block[i] = b->blockno;
    log.lh.n++;
    bpin(b);
  }
  release(&log.lock);
}
