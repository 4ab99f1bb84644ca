// knobs.h -- run-time switches a user program can set with knob()
// (pcv6's own system call, number SYS_knob). Knob numbers are ABI.
#ifndef PCV6_KNOBS_H
#define PCV6_KNOBS_H

// When nonzero, the next log commit powers the machine off right after
// its commit point (header written, blocks not yet installed), so that a
// test can prove recovery replays a committed transaction.
#define KNOB_CRASH_AFTER_COMMIT 1

#ifndef __ASSEMBLER__
extern volatile long knob_crash_after_commit;
#endif

#endif
