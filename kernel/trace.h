// trace.h -- a bounded in-kernel trace of mapping-fault events, for the
// benchmarks' fault maps (`vmctl trace on|off|dump`). Shared by the
// kernel and user programs; needs types.h.
//
// knob(KNOB_TRACE, 1) empties the buffer and starts recording; 0 stops.
// tracedump(buf, start, max) (system call SYS_tracedump) copies events
// start.. into buf, at most max of them, and returns how many it copied.
// Recording stops by itself when TRACE_MAX events are held.
#ifndef PCV6_TRACE_H
#define PCV6_TRACE_H

#define TRACE_MAX 32768

#define TRACE_MINOR      1  // a fault resolved without waiting for the disk
#define TRACE_MAJOR      2  // a fault that waited for a disk read
#define TRACE_FAULTAROUND 3 // a page mapped by fault-around next to a fault
#define TRACE_READAHEAD  4  // a page read ahead of a miss

struct trace_event {
  uint32 seq;   // order of recording, from 0
  uint32 kind;  // TRACE_*
  uint32 inum;  // the file's inode number (0: private anonymous memory;
                // shared anonymous memory: its memory object's, shmem.c)
  uint32 pgno;  // page index in the file (anonymous: in the area's object)
};

#endif
