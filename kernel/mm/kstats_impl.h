// kstats_impl.h -- how kernel code bumps a counter of struct kstats.
#ifndef PCV6_KSTATS_IMPL_H
#define PCV6_KSTATS_IMPL_H

#include "kernel/kstats.h"

extern struct kstats kstat_counters;

#define kstat_inc(field) __atomic_fetch_add(&kstat_counters.field, 1, __ATOMIC_RELAXED)
#define kstat_add(field, n) \
  __atomic_fetch_add(&kstat_counters.field, (uint64)(n), __ATOMIC_RELAXED)

#endif
