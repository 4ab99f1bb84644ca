// vmctl -- read the kernel's counters and set the page-cache knobs.
//
//   vmctl                    print every counter as "name value"
//   vmctl policy naive|cache mapping policy for areas mapped from now on
//   vmctl faultaround N      fault-around window in pages (1 = off)
//   vmctl famax N            largest window a sequential run grows it to
//                            (N <= the faultaround window: fixed windows)
//   vmctl lockless 0|1       map cached pages without the inode's sleep
//                            lock (1), or take it at every fault (0)
//   vmctl readahead N        largest read-ahead window in pages (0 = off)
//   vmctl svade 0|1          track dirty pages by store faults (1) or by
//                            the hardware's D bit (0)
//   vmctl mega 0|1|2         2 MiB large folios and megapage mappings: off,
//                            on (split at the first store; the default), or
//                            writable megapages written back whole (2)
//   vmctl limit N            most file pages the page cache may hold
//                            (0 = none)
//   vmctl drop               write back everything dirty, free every
//                            unmapped file page of the cache (a cold
//                            cache; shared anonymous memory stays)
//   vmctl trace on|off       start (emptying it) or stop the fault trace
//   vmctl trace dump         print it: "trace N", then one line per event,
//                            "SEQ KIND INUM PGNO", KIND one of minor, major,
//                            around (fault-around), ahead (read-ahead)
//   vmctl failnth N KIND [sticky]
//                            fail the Nth disk request of KIND (read, write
//                            or any; or flush, a cache flush, never sticky)
//                            from now, once; sticky: then keep failing
//                            every request of KIND touching its block
//   vmctl failblock B KIND   fail every request of KIND touching block B
//   vmctl failnth off, vmctl failblock off
//                            stop injecting; each prints what the knob held
//   vmctl wcache SEED        the disk's write-cache test mode: on with this
//                            seed for power cuts (SEED > 0), or off (0)
//   vmctl powercut N         with wcache on: cut the power after N more
//                            completed disk writes (0: now)
//   vmctl writeback          the background write-back: dirty pages, the
//                            expiry, interval and thresholds, its passes
//   vmctl expire N           write back pages dirty for N ticks (10 a second)
//   vmctl interval N         a write-back pass every N ticks (0: none by time)
//   vmctl background P       write back everything when dirty pages pass
//                            P percent of memory
//   vmctl throttle P         writers sleep at their store faults while dirty
//                            pages are over P percent of memory
//   vmctl wbrun due|all      one write-back pass now, waited for: what is due,
//                            or every dirty page
#include "kernel/types.h"
#include "kernel/kstats.h"
#include "kernel/knobs.h"
#include "kernel/trace.h"
#include "user/user.h"

// The text of a numeric macro, for messages: STR(WINDOW_MAX) is "64".
#define STR_(x) #x
#define STR(x) STR_(x)

static const char *names[] = {KSTATS_NAMES};
_Static_assert(sizeof(names) / sizeof(names[0]) == KSTATS_COUNT,
               "one name per counter");

static void
usage(void)
{
  fprintf(2, "usage: vmctl [policy naive|cache | faultaround N | famax N | lockless 0|1 |\n"
             "              readahead N | svade 0|1 | mega 0|1|2 | limit N | drop |\n"
             "              trace on|off|dump |\n"
             "              failnth N read|write|any|flush [sticky] |\n"
             "              failblock B read|write|any | failnth off | failblock off |\n"
             "              wcache SEED | powercut N | writeback | expire N |\n"
             "              interval N | background P | throttle P | wbrun due|all]\n");
  exit(1);
}

static int
print_counters(void)
{
  struct kstats ks;
  if (kstats(&ks) < 0) {
    fprintf(2, "vmctl: kstats: %s\n", strerror(errno));
    return 1;
  }
  uint64 *v = (uint64 *)&ks;
  for (int i = 0; i < KSTATS_COUNT; i++)
    printf("%s %lu\n", names[i], v[i]);
  return 0;
}

// A decimal argument, or -1 if s is not one.
static long
number(const char *s)
{
  if (*s == 0)
    return -1;
  long n = 0;
  for (; *s; s++) {
    if (*s < '0' || *s > '9' || n > 100000000)
      return -1;
    n = n * 10 + (*s - '0');
  }
  return n;
}

// Sets a knob and says what it was, so `vmctl faultaround 16` also shows
// the setting it replaced. allowed: the values the kernel takes, named in
// the error when it refuses one (kernel/mm/knobs.c checks them).
static int
set(const char *what, int which, long value, const char *allowed)
{
  if (value < 0)
    usage();
  long old = knob(which, value);
  if (old < 0) {
    fprintf(2, "vmctl: %s %ld: %s (%s)\n", what, value, strerror(errno), allowed);
    return 1;
  }
  if (which == KNOB_POLICY)
    printf("policy %s (was %s)\n", value == MMAP_POLICY_NAIVE ? "naive" : "cache",
           old == MMAP_POLICY_NAIVE ? "naive" : "cache");
  else
    printf("%s %ld (was %ld)\n", what, value, old);
  return 0;
}

static struct trace_event events[64];
static const char *kinds[] = {"?", "minor", "major", "around", "ahead"};

static int
trace(const char *what)
{
  if (strcmp(what, "on") == 0 || strcmp(what, "off") == 0) {
    long n = knob(KNOB_TRACE, strcmp(what, "on") == 0);
    if (n < 0) {
      fprintf(2, "vmctl: trace %s: %s\n", what, strerror(errno));
      return 1;
    }
    return 0;
  }
  if (strcmp(what, "dump") != 0)
    usage();
  long total = knob(KNOB_TRACE, 0);  // stops recording; says how many
  if (total < 0) {
    fprintf(2, "vmctl: trace dump: %s\n", strerror(errno));
    return 1;
  }
  printf("trace %ld\n", total);
  for (int start = 0; start < total;) {
    int n = tracedump(events, start, 64);
    if (n <= 0)
      break;
    for (int i = 0; i < n; i++) {
      uint k = events[i].kind < 5 ? events[i].kind : 0;
      printf("%d %s %d %d\n", events[i].seq, kinds[k], events[i].inum, events[i].pgno);
    }
    start += n;
  }
  return 0;
}

// Prints a disk fault-injection knob's value in vmctl's words.
static void
print_fail(long value)
{
  if (value == 0) {
    printf("off");
    return;
  }
  static const char *kind[] = {"?", "read", "write", "any"};  // by the READ and WRITE bits
  long flags = DISK_FAIL_FLAGS(value);
  const char *k =
      (flags & DISK_FAIL_KINDS) == DISK_FAIL_FLUSH ? "flush" : kind[flags & DISK_FAIL_ANY];
  printf("%ld %s%s", DISK_FAIL_NUMBER(value), k, flags & DISK_FAIL_STICKY ? " sticky" : "");
}

// vmctl failnth / failblock: argv[2..] is "off" or NUMBER KIND [sticky].
static int
fail(const char *what, int which, int argc, char *argv[])
{
  long value = 0;
  if (argc == 3 && strcmp(argv[2], "off") == 0) {
    value = 0;
  } else if (argc == 4 || (argc == 5 && which == KNOB_DISK_FAIL_NTH &&
                           strcmp(argv[4], "sticky") == 0)) {
    long n = number(argv[2]);
    long flags = strcmp(argv[3], "read") == 0    ? DISK_FAIL_READ
                 : strcmp(argv[3], "write") == 0 ? DISK_FAIL_WRITE
                 : strcmp(argv[3], "any") == 0   ? DISK_FAIL_ANY
                 : strcmp(argv[3], "flush") == 0 ? DISK_FAIL_FLUSH
                                                 : 0;
    if (n < 0 || flags == 0)
      usage();
    value = DISK_FAIL(n, flags | (argc == 5 ? DISK_FAIL_STICKY : 0));
  } else {
    usage();
  }
  long old = knob(which, value);
  if (old < 0) {
    fprintf(2, "vmctl: %s: %s (%s)\n", what, strerror(errno),
            which == KNOB_DISK_FAIL_NTH ? "N from 1; a flush is never sticky"
                                        : "a block on the disk; read, write or any");
    return 1;
  }
  printf("%s ", what);
  print_fail(value);
  printf(" (was ");
  print_fail(old);
  printf(")\n");
  return 0;
}

// vmctl writeback: the knobs (read without changing them) and the counters.
static int
writeback(void)
{
  struct kstats ks;
  if (kstats(&ks) < 0) {
    fprintf(2, "vmctl: kstats: %s\n", strerror(errno));
    return 1;
  }
  printf("dirty %lu pages; expire %ld ticks, interval %ld ticks, background %ld%%, "
         "throttle %ld%%; passes %lu, written %lu pages, throttled %lu ticks\n",
         ks.pc_dirty_pages, knob(KNOB_WB_EXPIRE, WB_KNOB_READ), knob(KNOB_WB_INTERVAL, WB_KNOB_READ),
         knob(KNOB_WB_BACKGROUND, WB_KNOB_READ), knob(KNOB_WB_THROTTLE, WB_KNOB_READ),
         ks.wb_passes, ks.wb_pages, ks.wb_throttled);
  return 0;
}

// vmctl wbrun due|all: one pass, waited for.
static int
wbrun(const char *what)
{
  long how = strcmp(what, "all") == 0 ? WB_RUN_ALL : WB_RUN_DUE;
  if (how == WB_RUN_DUE && strcmp(what, "due") != 0)
    usage();
  long passes = knob(KNOB_WB_RUN, how);
  if (passes < 0) {
    fprintf(2, "vmctl: wbrun: %s\n", strerror(errno));
    return 1;
  }
  printf("passes %ld\n", passes);
  return 0;
}

int
main(int argc, char *argv[])
{
  if (argc == 1)
    return print_counters();
  if (strcmp(argv[1], "writeback") == 0 && argc == 2)
    return writeback();
  const char *cmd = argv[1];
  if (strcmp(cmd, "drop") == 0 && argc == 2) {
    long n = knob(KNOB_DROP, 0);
    if (n < 0) {
      fprintf(2, "vmctl: drop: %s\n", strerror(errno));
      return 1;
    }
    printf("dropped %ld pages\n", n);
    return 0;
  }
  if (strcmp(cmd, "failnth") == 0)
    return fail(cmd, KNOB_DISK_FAIL_NTH, argc, argv);
  if (strcmp(cmd, "failblock") == 0)
    return fail(cmd, KNOB_DISK_FAIL_BLOCK, argc, argv);
  if (argc != 3)
    usage();
  if (strcmp(cmd, "policy") == 0) {
    if (strcmp(argv[2], "naive") == 0)
      return set(cmd, KNOB_POLICY, MMAP_POLICY_NAIVE, "naive or cache");
    if (strcmp(argv[2], "cache") == 0)
      return set(cmd, KNOB_POLICY, MMAP_POLICY_CACHE, "naive or cache");
    usage();
  }
  if (strcmp(cmd, "trace") == 0)
    return trace(argv[2]);
  if (strcmp(cmd, "faultaround") == 0)
    return set(cmd, KNOB_FAULTAROUND, number(argv[2]), "a power of two from 1 to " STR(WINDOW_MAX));
  if (strcmp(cmd, "famax") == 0)
    return set(cmd, KNOB_FAULTAROUND_MAX, number(argv[2]),
               "a power of two from 1 to " STR(FAULTAROUND_MAX));
  if (strcmp(cmd, "lockless") == 0)
    return set(cmd, KNOB_HIT_LOCKLESS, number(argv[2]), "0 or 1");
  if (strcmp(cmd, "readahead") == 0)
    return set(cmd, KNOB_READAHEAD, number(argv[2]), "0 to " STR(WINDOW_MAX) " pages");
  if (strcmp(cmd, "svade") == 0)
    return set(cmd, KNOB_SVADE, number(argv[2]), "0 or 1");
  if (strcmp(cmd, "mega") == 0)
    return set(cmd, KNOB_MEGAPAGES, number(argv[2]), "0 (off), 1 (on) or 2 (writable)");
  if (strcmp(cmd, "limit") == 0)
    return set(cmd, KNOB_PC_LIMIT, number(argv[2]), "pages, 0 for no limit");
  if (strcmp(cmd, "wcache") == 0)
    return set(cmd, KNOB_WCACHE, number(argv[2]), "a seed, 0 for off");
  if (strcmp(cmd, "powercut") == 0)
    return set(cmd, KNOB_POWER_CUT, number(argv[2]), "writes, 0 for now; needs wcache on");
  if (strcmp(cmd, "expire") == 0)
    return set(cmd, KNOB_WB_EXPIRE, number(argv[2]), "ticks");
  if (strcmp(cmd, "interval") == 0)
    return set(cmd, KNOB_WB_INTERVAL, number(argv[2]), "ticks, 0 for none by time");
  if (strcmp(cmd, "background") == 0)
    return set(cmd, KNOB_WB_BACKGROUND, number(argv[2]), "percent, 1 to 100");
  if (strcmp(cmd, "throttle") == 0)
    return set(cmd, KNOB_WB_THROTTLE, number(argv[2]), "percent, 1 to 100");
  if (strcmp(cmd, "wbrun") == 0)
    return wbrun(argv[2]);
  usage();
  return 1;
}
