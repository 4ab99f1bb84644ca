// writeback.h -- background write-back of dirty file pages by a kernel
// process, and the throttling of writers (writeback.c).
#ifndef PCV6_WRITEBACK_H
#define PCV6_WRITEBACK_H

// Starts the write-back process (at boot, after init). => no locks held.
void wb_start(void);
// A store fault on a page of a shared file area has just been resolved:
// while dirty pages are over the
// throttle threshold, asks it for a pass and sleeps a tick, at most
// WB_THROTTLE_MAX_TICKS (knobs.h) in all. The writer never writes itself.
// => no locks held, not inside a log operation; may sleep.
void wb_throttle(void);
// The KNOB_WB_* knobs (knobs.h): the previous value, or -EINVAL.
// KNOB_WB_RUN waits for its pass. => no locks held; may sleep.
long wb_knob(int which, long value);

#endif
