// wbtest.c -- tests of background write-back (kernel/mm/writeback.c).
//
// Usage: wbtest [NAME]   run every test (or only test NAME) under the
//                        kernel's current dirty-tracking mode (svade,
//                        printed first; make test runs it with svade 0
//                        and 1). The cache policy is chosen here.
//
// What is promised (docs/DESIGN.md, "Background write-back"):
//   a page stored to through a shared mapping is written back by the
//   write-back process once it has been dirty for the expiry time, with
//   nobody calling msync -- whether its store faulted (a page first
//   touched by the store) or went through a PTE a read had made writable
//   (found by the process's harvest of D bits), and not before;
//   msync(MS_ASYNC) returns without writing anything (the process does);
//   a writer whose stores push dirty pages past the throttle threshold
//   sleeps at its store faults while the process writes, and does no
//   write-back itself.
// The tests drive the process with KNOB_WB_RUN (one pass, waited for)
// and its interval set to 0 (no passes by time), except by_time, which
// only waits -- polling the counters once a tick up to a bound far above
// what the expiry and interval it sets need -- for the process to do it
// by itself.
//
// Each test runs in a forked child with the leak check and the knob check
// around it (testlib.h). Counters are system-wide: nothing else may run
// meanwhile. Test files are "wb_<test>" in the root directory; their
// bytes come from file_byte() (never zero). The user stack is one page.

#include "kernel/param.h"
#include "kernel/types.h"
#include "kernel/riscv.h"
#include "kernel/fcntl.h"
#include "kernel/errno.h"
#include "kernel/kstats.h"
#include "kernel/knobs.h"
#include "user/user.h"
#include "user/testlib.h"

#define PG PGSIZE
#define RW (PROT_READ | PROT_WRITE)
#define NEVER (1L << 30)             // an expiry no test reaches
#define TIME_BOUND 3000              // ticks (5 minutes) by_time waits at most
#define THROTTLE_PAGES 1024          // pages the throttled writer dirties (4 MiB)

static struct kstats ks_a, ks_b;
#define DELTA(field) ((long)(ks_b.field - ks_a.field))

static int svade;

// Maps n pages of path shared and writable.
static char *
map_file(const char *path, int n)
{
  int fd = open_or_fail(path, O_RDWR);
  char *p = mmap(0, (uint64)n * PG, RW, MAP_SHARED, fd, 0);
  CHECK(p != MAP_FAILED, "mmap of %s: errno %d", path, errno);
  close(fd);
  return p;
}

static void
unmap(char *p, int n)
{
  CHECK(munmap(p, (uint64)n * PG) == 0, "munmap: errno %d", errno);
}

// Pages [lo, hi) of p get pattern seed; with touch_first, each page is
// read before the store (a read fault maps it, and the store goes through
// that PTE: under svade 0 without a fault).
static void
store_pages(char *p, int lo, int hi, int seed, int touch_first)
{
  for (int i = lo; i < hi; i++) {
    if (touch_first)
      CHECK(*(volatile char *)(p + i * PG) != 0, "page %d read as zero", i);
    fill_pattern(p + i * PG, PG, seed, (uint64)i * PG);
  }
}

// The file holds pattern seed in its first n pages.
static void
expect_file(const char *path, int n, int seed)
{
  static char buf[PG];
  int fd = open_or_fail(path, O_RDONLY);
  for (int i = 0; i < n; i++) {
    CHECK(read(fd, buf, PG) == PG, "read of page %d of %s", i, path);
    long at = mismatch(buf, PG, seed, (uint64)i * PG);
    CHECK(at < 0, "%s: page %d byte %d is not pattern %d", path, i, (int)at, seed);
  }
  close(fd);
}

// The write-back process's knobs for a test: no passes by time, the given
// expiry, thresholds that never press unless a test lowers them.
static void
quiet_process(long expire)
{
  CHECK(knob(KNOB_WB_INTERVAL, 0) >= 0, "interval knob: errno %d", errno);
  CHECK(knob(KNOB_WB_EXPIRE, expire) >= 0, "expire knob: errno %d", errno);
  CHECK(knob(KNOB_WB_BACKGROUND, 100) >= 0, "background knob: errno %d", errno);
  CHECK(knob(KNOB_WB_THROTTLE, 100) >= 0, "throttle knob: errno %d", errno);
}

// Puts the process's knobs back to their defaults.
static void
default_process(void)
{
  knob(KNOB_WB_INTERVAL, WB_INTERVAL_DEFAULT);
  knob(KNOB_WB_EXPIRE, WB_EXPIRE_DEFAULT);
  knob(KNOB_WB_BACKGROUND, WB_BACKGROUND_DEFAULT);
  knob(KNOB_WB_THROTTLE, WB_THROTTLE_DEFAULT);
}

static void
one_pass(int how)
{
  CHECK(knob(KNOB_WB_RUN, how) > 0, "KNOB_WB_RUN %d: errno %d", how, errno);
}

// Dirty pages are written by a pass once they are due, and only then:
// pages whose store faulted and pages stored to through a PTE a read made
// writable alike. Nobody calls msync.
static void
expiry_no_msync(void)
{
  make_file("wb_expiry", 16 * PG, 1);
  quiet_process(NEVER);
  char *p = map_file("wb_expiry", 16);
  read_kstats(&ks_a);
  store_pages(p, 0, 8, 2, 0);   // first touch is the store: it faults
  store_pages(p, 8, 16, 2, 1);  // read first, then the store
  one_pass(WB_RUN_DUE);         // harvests, but nothing is due yet
  read_kstats(&ks_b);
  CHECK(DELTA(wb_pages) == 0 && DELTA(writeback_pages) == 0,
        "a pass wrote %d pages (%d by the process) before they were due",
        (int)DELTA(writeback_pages), (int)DELTA(wb_pages));
  CHECK(ks_b.pc_dirty_pages >= 16, "%d pages known dirty after 16 stores and a harvest",
        (int)ks_b.pc_dirty_pages);
  knob(KNOB_WB_EXPIRE, 0);
  one_pass(WB_RUN_DUE);
  read_kstats(&ks_b);
  CHECK(DELTA(wb_pages) == 16, "the process wrote %d pages, want 16", (int)DELTA(wb_pages));
  CHECK(DELTA(disk_write_reqs) > 0, "no disk write for 16 pages");
  CHECK(ks_b.pc_dirty_pages == 0, "%d pages still dirty", (int)ks_b.pc_dirty_pages);
  read_kstats(&ks_a);
  CHECK(msync(p, 16 * PG, MS_SYNC) == 0, "msync: errno %d", errno);
  unmap(p, 16);
  read_kstats(&ks_b);
  CHECK(DELTA(writeback_pages) == 0, "msync and munmap found %d pages left to write",
        (int)DELTA(writeback_pages));
  knob(KNOB_DROP, 0);
  expect_file("wb_expiry", 16, 2);
  default_process();
  unlink("wb_expiry");
}

// With a short expiry and interval and nothing driving it, the process
// writes the pages by itself.
static void
by_time(void)
{
  make_file("wb_time", 8 * PG, 3);
  quiet_process(5);
  char *p = map_file("wb_time", 8);
  read_kstats(&ks_a);
  knob(KNOB_WB_INTERVAL, 2);
  store_pages(p, 0, 4, 4, 0);
  store_pages(p, 4, 8, 4, 1);
  int waited = 0;
  // wb_passes counts a pass when it ends, after its pages: wait for both.
  for (read_kstats(&ks_b); (DELTA(wb_pages) < 8 || DELTA(wb_passes) == 0) && waited < TIME_BOUND;
       waited++) {
    pause(1);
    read_kstats(&ks_b);
  }
  knob(KNOB_WB_INTERVAL, 0);
  CHECK(DELTA(wb_pages) >= 8, "after %d ticks the process had written %d of 8 pages", waited,
        (int)DELTA(wb_pages));
  CHECK(DELTA(wb_passes) > 0, "pages written without a pass");
  read_kstats(&ks_a);
  unmap(p, 8);
  read_kstats(&ks_b);
  CHECK(DELTA(writeback_pages) == 0, "munmap found %d pages left to write",
        (int)DELTA(writeback_pages));
  knob(KNOB_DROP, 0);
  expect_file("wb_time", 8, 4);
  default_process();
  unlink("wb_time");
}

// msync(MS_ASYNC) writes nothing and returns; the process writes the
// pages; MS_SYNC then finds nothing left.
static void
ms_async(void)
{
  make_file("wb_async", 16 * PG, 5);
  quiet_process(NEVER);
  char *p = map_file("wb_async", 16);
  store_pages(p, 0, 16, 6, 0);
  read_kstats(&ks_a);
  CHECK(msync(p, 16 * PG, MS_ASYNC) == 0, "msync(MS_ASYNC): errno %d", errno);
  CHECK(msync(p, 16 * PG, MS_ASYNC | MS_INVALIDATE) == 0, "msync(MS_ASYNC|MS_INVALIDATE): errno %d",
        errno);
  read_kstats(&ks_b);
  CHECK(DELTA(writeback_pages) == 0 && DELTA(disk_write_reqs) == 0,
        "MS_ASYNC wrote %d pages in %d disk requests", (int)DELTA(writeback_pages),
        (int)DELTA(disk_write_reqs));
  CHECK(ks_b.pc_dirty_pages >= 16, "%d pages dirty after MS_ASYNC", (int)ks_b.pc_dirty_pages);
  one_pass(WB_RUN_ALL);
  read_kstats(&ks_b);
  CHECK(DELTA(wb_pages) == 16, "the process wrote %d pages, want 16", (int)DELTA(wb_pages));
  read_kstats(&ks_a);
  CHECK(msync(p, 16 * PG, MS_SYNC) == 0, "msync(MS_SYNC): errno %d", errno);
  read_kstats(&ks_b);
  CHECK(DELTA(writeback_pages) == 0, "MS_SYNC found %d pages left", (int)DELTA(writeback_pages));
  unmap(p, 16);
  knob(KNOB_DROP, 0);
  expect_file("wb_async", 16, 6);
  default_process();
  unlink("wb_async");
}

// A writer storing to many pages with the throttle threshold at 1% of
// memory sleeps at its store faults; the process writes the pages
// meanwhile, in transactions of many pages.
static void
throttle(void)
{
  make_file("wb_throttle", THROTTLE_PAGES * PG, 7);
  quiet_process(NEVER);
  knob(KNOB_WB_THROTTLE, 1);
  char *p = map_file("wb_throttle", THROTTLE_PAGES);
  read_kstats(&ks_a);
  store_pages(p, 0, THROTTLE_PAGES, 8, 0);
  // The pass a throttled writer started may still be writing: one more,
  // asked for and waited for, comes after it (and writes what is due:
  // nothing, or what a writer's request still asks for).
  one_pass(WB_RUN_DUE);
  read_kstats(&ks_b);
  knob(KNOB_WB_THROTTLE, WB_THROTTLE_DEFAULT);
  CHECK(DELTA(wb_throttled) > 0, "no store fault was throttled (%d pages dirty)",
        (int)ks_b.pc_dirty_pages);
  CHECK(DELTA(wb_pages) > 0 && DELTA(wb_passes) > 0,
        "the process wrote %d pages in %d passes while the writer was throttled",
        (int)DELTA(wb_pages), (int)DELTA(wb_passes));
  CHECK(DELTA(writeback_pages) == DELTA(wb_pages),
        "%d pages written back, %d of them by the process: the writer wrote some itself",
        (int)DELTA(writeback_pages), (int)DELTA(wb_pages));
  // Big transactions: four pages per commit took four write requests
  // (body, header, homes, header); 32 take about five.
  CHECK(DELTA(disk_write_reqs) * 2 <= DELTA(wb_pages) + 16, "%d pages took %d disk write requests",
        (int)DELTA(wb_pages), (int)DELTA(disk_write_reqs));
  unmap(p, THROTTLE_PAGES);
  knob(KNOB_DROP, 0);
  expect_file("wb_throttle", THROTTLE_PAGES, 8);
  default_process();
  unlink("wb_throttle");
}

// ---------------------------------------------------------------------------

static const struct test tests[] = {
  {"expiry_no_msync", expiry_no_msync},
  {"by_time", by_time},
  {"ms_async", ms_async},
  {"throttle", throttle},
};
#define NTESTS ((int)(sizeof(tests) / sizeof(tests[0])))

// The knobs a test may change.
static const int knobs[] = {KNOB_WB_EXPIRE, KNOB_WB_INTERVAL, KNOB_WB_BACKGROUND,
                            KNOB_WB_THROTTLE};
#define NKNOBS ((int)(sizeof(knobs) / sizeof(knobs[0])))
static long knob_start[NKNOBS];

// Puts back every knob the test changed; 0 if it had restored them all.
static int
knobs_restored(const char *test)
{
  int ok = 1;
  for (int i = 0; i < NKNOBS; i++) {
    long v = knob(knobs[i], WB_KNOB_READ);
    if (v != knob_start[i]) {
      printf("test %s: FAILED: left knob %d at %d (was %d)\n", test, knobs[i], (int)v,
             (int)knob_start[i]);
      knob(knobs[i], knob_start[i]);
      ok = 0;
    }
  }
  return ok;
}

static int
run_checked(const struct test *t)
{
  return run_leak_checked(t, knobs_restored);
}

int
main(int argc, char *argv[])
{
  const char *only = argc >= 2 ? argv[1] : 0;
  suite_start("wbtest", tests, NTESTS, only);
  suite_use_policy("wbtest", MMAP_POLICY_CACHE);
  for (int i = 0; i < NKNOBS; i++)
    knob_start[i] = knob(knobs[i], WB_KNOB_READ);
  svade = knob(KNOB_SVADE, 0);
  knob(KNOB_SVADE, svade);
  printf("wbtest: svade %d\n", svade);
  suite_end("wbtest", suite_run(tests, NTESTS, only, run_checked));
}
