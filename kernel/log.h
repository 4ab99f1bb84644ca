// log.h -- the write-ahead log that makes each file-system system call
// atomic with respect to crashes.
//
// Usage, for any code that modifies the file system:
//   begin_op();
//   b = bread(...); modify b->data; log_write(b); brelse(b); ...
//   end_op();
// An operation may dirty at most MAXOPBLOCKS blocks; larger writes are
// split into several operations by the caller (file.c).
#ifndef PCV6_LOG_H
#define PCV6_LOG_H

#include "kernel/fs.h"

struct buf;

void initlog(int dev, struct superblock *sb);
void begin_op(void);   // => may sleep until the log has room
void end_op(void);     // commits if this was the last operation in flight
void log_write(struct buf *b);  // => inside begin_op/end_op, b locked

#endif
