// log.h -- the write-ahead log that makes each file-system system call
// atomic with respect to crashes.
//
// Usage, for any code that modifies the file system:
//   begin_op();
//   b = bread(...); modify b->data; log_write(b); brelse(b); ...
//   end_op();
// An operation may add at most MAXOPBLOCKS blocks to the transaction (a
// block already in it costs nothing). Code that may dirty more asks
// log_room() before each step and, when the step's worst case does not
// fit, ends the operation and begins another (writei's callers in file.c,
// itrunc's in fs.c and sysfile.c, the page cache's write-back). A process
// runs one operation at a time.
#ifndef PCV6_LOG_H
#define PCV6_LOG_H

#include "kernel/fs.h"

struct buf;

void initlog(int dev, struct superblock *sb);
// Begins an operation: 0, or -EROFS once a disk error has stopped the log
// (log.c). The operation is open either way and must be ended; one that
// would change the file system ends it at once and fails with -EROFS,
// one that only reads (lookups, close, exit) goes on.
// => may sleep until the log has room
int  begin_op(void);
// begin_op for an operation that may add more than MAXOPBLOCKS blocks: its
// budget is what the log has room for once it is admitted, up to want
// blocks, at least MAXOPBLOCKS (log_room tells it). => as begin_op
int  begin_op_big(int want);
void end_op(void);     // commits if this was the last operation in flight
void log_write(struct buf *b);  // => inside begin_op/end_op, b locked
// Blocks the caller's operation may still add to the transaction.
// => inside begin_op/end_op
int log_room(void);
// The sequence number of the transaction the caller's operation belongs
// to. => inside begin_op/end_op
uint64 log_op_seq(void);
// Returns 0 when transaction seq (and every one before it) has committed,
// asking for an early commit if it is still open (group commit); -EIO if
// the log stopped before it did. 0 is always durable. => outside any
// operation; may sleep
int  log_wait_durable(uint64 seq);
// A disk error the file system cannot go on after: stops the log (no more
// commits; read-only until reboot) and says so in one console line, "log:
// I/O error WHAT[ BLOCKNO]: file system is now read-only" (blockno < 0:
// none), the first time. => no spinlock held
void log_stop(const char *what, int blockno);
// Has the log stopped? => no spinlock held
int  log_stopped(void);

#endif
