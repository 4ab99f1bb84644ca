// writeback.c -- background write-back: a kernel process that writes
// dirty file pages back without anyone calling msync, and the throttling
// of processes that dirty pages faster than it can write them.
//
// What it writes (a pass):
//   - every file with a page dirty for KNOB_WB_EXPIRE ticks or more
//     (default 30 s), whole: the file's other dirty pages go in the same
//     transactions, which carry as many pages as the log can take
//     (pc_writeback_background, begin_op_big);
//   - every dirty page, when dirty pages are over KNOB_WB_BACKGROUND
//     percent of memory (default 10%), or a throttled writer asked;
//   - every dirty page, when KNOB_WB_RUN asks for WB_RUN_ALL.
// When it runs: every KNOB_WB_INTERVAL ticks (default 5 s; 0: never by
// time), at the first tick at which dirty pages are over the background
// threshold or a throttled writer asked, and at once for KNOB_WB_RUN
// (whose caller waits for the end of that pass: tests drive the process
// that way, without waiting for time to pass).
//
// Dirty since when. A store through a writable PTE sets its D bit and
// tells nobody. Each pass therefore first harvests the D bits of every
// mapped clean page (pc_wb_scan, through the reverse map: the D bit is
// cleared, the harts fenced, the page marked PG_DIRTY), stamping such a
// page with the start of the previous pass, which saw it clean; a page
// marked by its store fault carries the fault's tick (pagecache.c, "Dirty
// since when"). A store at tick t is therefore found by the first pass
// after t and written by the first pass at or after t + expiry: within
// expiry + one interval. Both dirty-tracking modes go the same way: under
// svade 1 (no hardware D bits) every store to a clean page faults and is
// marked there, so the harvest finds nothing new; under svade 0 a store
// to a page a read fault mapped writable is found by the harvest.
//
// Throttling. Only store faults make pages dirty faster than a pass can
// see them, so that is where writers are held back: a writer whose store
// fault finds dirty pages over KNOB_WB_THROTTLE percent of memory asks
// for a pass and sleeps a tick, again while they stay over, at most
// WB_THROTTLE_MAX_TICKS per fault (a disk that cannot keep up, or a
// failing one, slows writers down but never stops them). It never writes
// itself: the process does, in big transactions, while writers wait.
// Stores through PTEs that are already writable are not throttled (they
// do not fault); under svade 0 they are seen at the next harvest.
//
// The process starts at boot, right after init (so it is pid 2), and
// never exits: started later, its slot and kernel stack would be taken in
// the middle of whatever test first needed it. Between passes it sleeps,
// looking at its conditions once per clock tick.
//
// Locks: none of its own. Every wait (the process for work, KNOB_WB_RUN
// for its pass, a throttled writer) is a sleep on the clock tick under
// tickslock that looks at its condition again each tick, so the knob's
// requests live under tickslock too; a throttled writer's request is an
// atomic word. The pass itself takes what pc_writeback_range takes (begin_op, the
// inode's lock, pc.lock), with nothing held in between.
#include "kernel/types.h"
#include "kernel/param.h"
#include "kernel/memlayout.h"
#include "kernel/riscv.h"
#include "kernel/errno.h"
#include "kernel/knobs.h"
#include "kernel/lib/spinlock.h"
#include "kernel/lib/sleeplock.h"
#include "kernel/lib/printf.h"
#include "kernel/proc/proc.h"
#include "kernel/arch/trap.h"
#include "kernel/fs/inode.h"
#include "kernel/fs/log.h"
#include "kernel/mm/pagecache.h"
#include "kernel/mm/writeback.h"
#include "kernel/mm/knobs_impl.h"
#include "kernel/mm/kstats_impl.h"

// The memory the thresholds are shares of: every page of RAM.
#define WB_MEM_PAGES ((PHYSTOP - KERNBASE) / PGSIZE)

static volatile long wb_expire = WB_EXPIRE_DEFAULT;
static volatile long wb_interval = WB_INTERVAL_DEFAULT;
static volatile long wb_background = WB_BACKGROUND_DEFAULT;
static volatile long wb_throttle_pct = WB_THROTTLE_DEFAULT;

// [t] tickslock; [a] atomic; [w] the write-back process's own.
static struct {
  uint asked;     // [t] KNOB_WB_RUN passes asked for, counted
  uint served;    // [t] the value of asked the last pass began with
  uint asked_all; // [t] the value of asked at the last WB_RUN_ALL request
  int urgent;     // [a] a throttled writer asks for a pass
  uint last;      // [w] the tick the last pass began
  uint ended;     // [w] the tick the last pass ended
} wb;

static int
pages_of(long percent)
{
  return (int)(WB_MEM_PAGES * percent / 100);
}

// Is a pass due at tick now? Pressure (the background threshold, a
// throttled writer) starts at most one pass per tick, so that a write-back
// that keeps failing cannot keep the process running. => tickslock held.
static int
pass_wanted(uint now)
{
  if (wb.asked != wb.served)
    return 1;
  if (wb_interval > 0 && (int)(now - wb.last) >= (int)wb_interval)
    return 1;
  int pressed = __atomic_load_n(&wb.urgent, __ATOMIC_SEQ_CST) ||
                pc_dirty_pages() > pages_of(wb_background);
  return pressed && now != wb.ended;
}

// One pass: harvest, then write every file that has a page due; it
// serves the KNOB_WB_RUN requests up to target, all says whether one of
// them wants every dirty page written. => no locks held.
static void
wb_pass(uint target, int all)
{
  int urgent = __atomic_exchange_n(&wb.urgent, 0, __ATOMIC_SEQ_CST);
  uint now = ticks;
  uint since = wb.last;
  wb.last = now;
  int pressed = urgent || pc_dirty_pages() > pages_of(wb_background);
  uint expire = (all || pressed) ? 0 : (uint)wb_expire;
  if (pc_wb_scan(since, now, expire) > 0) {
    int cursor = 0;
    struct inode *ip;
    while ((ip = inode_next_cached(&cursor)) != 0) {
      // Errors stay with the pages (still dirty) and the files' error
      // sequences: msync and fsync report them; the next pass tries again.
      if (pc_wb_inode_due(ip, now, expire))
        pc_writeback_background(ip);
      begin_op();
      iput(ip);
      end_op();
    }
  }
  kstat_inc(wb_passes);
  acquire(&tickslock);
  wb.ended = ticks;
  wb.served = target;
  release(&tickslock);
}

// The write-back process: a pass whenever one is due, for ever.
static void
wb_main(void)
{
  wb.last = wb.ended = ticks;
  for (;;) {
    acquire(&tickslock);
    while (!pass_wanted(ticks))
      sleep(&ticks, &tickslock);
    uint target = wb.asked;
    int all = (int)(wb.asked_all - wb.served) > 0;  // a WB_RUN_ALL not yet served
    release(&tickslock);
    wb_pass(target, all);
  }
}

void
wb_start(void)
{
  if (kproc_start("writeback", wb_main) != 0)
    panic("writeback: no process slot at boot");
}

void
wb_throttle(void)
{
  struct proc *p = myproc();
  for (int i = 0; i < WB_THROTTLE_MAX_TICKS; i++) {
    if (pc_dirty_pages() <= pages_of(wb_throttle_pct) || killed(p))
      return;
    __atomic_store_n(&wb.urgent, 1, __ATOMIC_SEQ_CST);
    kstat_inc(wb_throttled);
    sleep_ticks(1);  // killed meanwhile: seen at the loop's top
  }
}

// KNOB_WB_RUN: asks for one pass and waits for it (or for one begun
// after the request: it sees what the request wanted). The number of
// passes so far, or -EINTR if the caller was killed while waiting.
static long
run_pass(long value)
{
  if (value != WB_RUN_DUE && value != WB_RUN_ALL)
    return -EINVAL;
  struct proc *p = myproc();
  acquire(&tickslock);
  uint target = ++wb.asked;
  if (value == WB_RUN_ALL)
    wb.asked_all = target;
  while ((int)(wb.served - target) < 0) {
    if (killed(p)) {
      release(&tickslock);
      return -EINTR;
    }
    sleep(&ticks, &tickslock);
  }
  release(&tickslock);
  return (long)kstat_counters.wb_passes;
}

long
wb_knob(int which, long value)
{
  volatile long *word = which == KNOB_WB_EXPIRE       ? &wb_expire
                        : which == KNOB_WB_INTERVAL   ? &wb_interval
                        : which == KNOB_WB_BACKGROUND ? &wb_background
                        : which == KNOB_WB_THROTTLE   ? &wb_throttle_pct
                                                      : 0;
  if (word && value == WB_KNOB_READ)
    return *word;
  switch (which) {
  case KNOB_WB_EXPIRE:
    return knob_set_in_range(&wb_expire, value, 0, WB_TICKS_MAX);
  case KNOB_WB_INTERVAL:
    return knob_set_in_range(&wb_interval, value, 0, WB_TICKS_MAX);
  case KNOB_WB_BACKGROUND:
    return knob_set_in_range(&wb_background, value, 1, 100);
  case KNOB_WB_THROTTLE:
    return knob_set_in_range(&wb_throttle_pct, value, 1, 100);
  case KNOB_WB_RUN:
    return run_pass(value);
  default:
    return -EINVAL;
  }
}
