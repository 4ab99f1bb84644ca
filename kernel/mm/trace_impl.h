// trace_impl.h -- how kernel code records a fault-trace event (trace.h).
#ifndef PCV6_TRACE_IMPL_H
#define PCV6_TRACE_IMPL_H

#include "kernel/trace.h"

// Records one event if tracing is on. => any context, no locks needed.
void trace_event(int kind, uint inum, uint64 pgno);
// KNOB_TRACE: 1 empties the buffer and starts, 0 stops; returns the
// number of events held, or -EINVAL.
long trace_knob(long on);

#endif
