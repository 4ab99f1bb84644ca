// knobs_impl.h -- the knobs (kernel/knobs.h) as other kernel code sees
// them: the switch words it reads and the hooks it calls. knob() in
// kernel/mm/knobs.c sets them. Kernel-only; user programs include knobs.h.
#ifndef PCV6_KNOBS_IMPL_H
#define PCV6_KNOBS_IMPL_H

#include "kernel/knobs.h"

// KNOB_CRASH_AFTER_COMMIT's value; the log reads it after each commit
// point. A plain word, read without a lock.
extern volatile long knob_crash_after_commit;
// The KNOB_LOOKUP_PAUSE, KNOB_OP_PAUSE, KNOB_FREE_PAUSE and
// KNOB_DUP_PAUSE hooks; the free pause is told which inode and which
// piece (1, 2, ...) of its free or truncation comes next.
// => no spinlock held
void knob_lookup_pause(void);
void knob_op_pause(void);
void knob_free_pause(uint inum, int piece);
void knob_dup_pause(void);
// Sets *word to value if lo <= value <= hi: the old value, or -EINVAL
// (nothing set). For the knobs whose home is elsewhere (writeback.c).
long knob_set_in_range(volatile long *word, long value, long lo, long hi);

#endif
