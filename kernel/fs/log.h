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
void begin_op(void);   // => may sleep until the log has room
void end_op(void);     // commits if this was the last operation in flight
void log_write(struct buf *b);  // => inside begin_op/end_op, b locked
// Blocks the caller's operation may still add to the transaction.
// => inside begin_op/end_op
int log_room(void);
// The sequence number of the transaction the caller's operation belongs
// to. => inside begin_op/end_op
uint64 log_op_seq(void);
// Returns when transaction seq (and every one before it) has committed,
// asking for an early commit if it is still open (group commit). 0 is
// always durable. => outside any operation; may sleep
void log_wait_durable(uint64 seq);

#endif
