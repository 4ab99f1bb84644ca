// testlib.h -- the harness and fixtures shared by the test programs
// (usertests, mmaptest, pctest, wbtest, trusttest, disktest, posixtest, oomtest,
// wakeuptest, fuzzregress; orphan takes the fixtures alone; bench.c takes
// MAP_FAILED from here too). Each test runs in its own child process; a
// failed check prints one line naming the test and ends that child with
// status 1.
//
// Interface: FAIL/CHECK and the child helpers (status_of, expect_killed,
// expect_survives, load_at, store_at); MAP_FAILED; test files (file_byte,
// fill_pattern, write_pattern, make_file) and read_kstats; running a
// suite (struct test, suite_start, suite_run, suite_end, run_child,
// run_leak_checked, own_data_pages).
//
// Include after kernel/types.h and user/user.h.
#ifndef PCV6_TESTLIB_H
#define PCV6_TESTLIB_H

#include "kernel/fcntl.h"
#include "kernel/riscv.h"
#include "kernel/kstats.h"
#include "kernel/knobs.h"

// What mmap returns on failure. user/user.h leaves the name to each
// program (MIT's mmaptest.c defines it itself), so it lives here, for a
// program that does not.
#ifndef MAP_FAILED
#define MAP_FAILED ((char *)-1)
#endif

// Name of the running test, set by the program's test driver.
static const char *current_test = "?";

// Print why the running test failed and end its process with status 1.
// The message is printf arguments: FAIL("bad size %d", n).
#define FAIL(...)                                  \
  do {                                             \
    printf("test %s: FAILED: ", current_test);     \
    printf(__VA_ARGS__);                           \
    printf("\n");                                  \
    exit(1);                                       \
  } while (0)

#define CHECK(cond, ...)  \
  do {                    \
    if (!(cond))          \
      FAIL(__VA_ARGS__);  \
  } while (0)

// Exit status of a helper child that got through a sequence of accesses
// that must be allowed: distinct from 0 (what an exec'd program returns),
// 1 (a failed CHECK) and -1 (killed by the kernel).
#define SURVIVED 42

// Hides a value from the optimiser so that an access through it is really
// made (gcc may turn a store through a constant address into a trap).
static inline uint64
opaque(uint64 v)
{
  asm volatile("" : "+r"(v));
  return v;
}

static volatile char sink;

static inline void
load_at(uint64 addr)
{
  sink = *(volatile char *)opaque(addr);
}

static inline void
store_at(uint64 addr)
{
  *(volatile char *)opaque(addr) = 0x5a;
}

// Fork; the child runs fn(arg) and exits SURVIVED if fn returns. Returns
// the child's exit status.
static inline int
status_of(void (*fn)(uint64), uint64 arg)
{
  int pid = fork();
  CHECK(pid >= 0, "fork failed");
  if (pid == 0) {
    fn(arg);
    exit(SURVIVED);
  }
  int st = 12345;
  int got = wait(&st);
  CHECK(got == pid, "wait returned %d, want %d", got, pid);
  return st;
}

// fn(arg) in a child must get the child killed (status -1).
static inline void
expect_killed(void (*fn)(uint64), uint64 arg, const char *what)
{
  int st = status_of(fn, arg);
  CHECK(st == -1, "%s %p: child exit status %d, want -1 (killed)", what, (void *)arg, st);
}

// fn(arg) in a child must return (or exit SURVIVED itself).
static inline void
expect_survives(void (*fn)(uint64), uint64 arg, const char *what)
{
  int st = status_of(fn, arg);
  CHECK(st == SURVIVED, "%s: child exit status %d, want %d", what, st, SURVIVED);
}

// ---------------------------------------------------------------------------
// Test files and counters

// The byte at offset off of a test file made with `seed`: never zero (so
// it differs from the zeros past a file's end), and different from offset
// to offset, page to page and seed to seed.
static inline char
file_byte(int seed, uint64 off)
{
  return (char)(1 + (off * 7 + (off / PGSIZE) * 29 + (uint64)seed * 101) % 251);
}

// Stores pattern `seed` (as at file offset off) into p[0..n).
static inline void
fill_pattern(char *p, uint64 n, int seed, uint64 off)
{
  for (uint64 i = 0; i < n; i++)
    p[i] = file_byte(seed, off + i);
}

#define WRITE_CHUNK (16 * PGSIZE)  // write_pattern's write() size

// Writes n bytes of pattern `seed`, as at file offset off, to fd, in
// large write() calls (small ones are slow under emulation).
static inline void
write_pattern(int fd, uint64 n, int seed, uint64 off)
{
  static char chunk[WRITE_CHUNK];  // the user stack is one page
  for (uint64 done = 0; done < n;) {
    uint64 m = n - done < sizeof(chunk) ? n - done : sizeof(chunk);
    fill_pattern(chunk, m, seed, off + done);
    int w = write(fd, chunk, (int)m);
    CHECK(w == (int)m, "write of %d bytes returned %d (errno %d)", (int)m, w, errno);
    done += m;
  }
}

// Creates path afresh (removing any old file) with n bytes of pattern
// `seed`.
static inline void
make_file(const char *path, uint64 n, int seed)
{
  unlink(path);
  int fd = open(path, O_CREATE | O_RDWR);
  CHECK(fd >= 0, "cannot create %s (errno %d)", path, errno);
  write_pattern(fd, n, seed, 0);
  close(fd);
}

// Index of the first byte of p[0..n) that differs from pattern seed at
// file offset off, or -1.
static inline long
mismatch(const char *p, uint64 n, int seed, uint64 off)
{
  for (uint64 i = 0; i < n; i++)
    if (p[i] != file_byte(seed, off + i))
      return (long)i;
  return -1;
}

// open(path, mode); the test fails if it does.
static inline int
open_or_fail(const char *path, int mode)
{
  int fd = open(path, mode);
  CHECK(fd >= 0, "cannot open %s (errno %d)", path, errno);
  return fd;
}

// The kernel's counters into *k; the test fails if kstats() does.
// *k is stored to first: after a fork its page may still be shared
// copy-on-write, and the copy that kstats()'s copyout would make comes
// after the kernel has read free_pages, which would then be one too high.
// Waits for child pid, which must exit with status want; who names it in
// the failure.
static inline void
reap(int pid, int want, const char *who)
{
  int st = -99;
  CHECK(wait(&st) == pid, "wait lost the %s", who);
  CHECK(st == want, "the %s exited with status %d, want %d", who, st, want);
}

// Waits for the n children in pids, in whatever order they end; each
// must exit with status 0.
static inline void
reap_all(const int *pids, int n, const char *who)
{
  for (int k = 0; k < n; k++) {
    int st = -99, got = wait(&st);
    int ours = 0;
    for (int i = 0; i < n; i++)
      ours |= got == pids[i];
    CHECK(ours, "wait returned %d, not one of the %ss", got, who);
    CHECK(st == 0, "a %s (pid %d) exited with status %d", who, got, st);
  }
}

static inline void
read_kstats(struct kstats *k)
{
  memset(k, 0, sizeof(*k));
  CHECK(kstats(k) == 0, "kstats failed, errno %d", errno);
}

// ---------------------------------------------------------------------------
// Running a suite

struct test {
  const char *name;
  void (*fn)(void);
};

// If only (a name from the command line, or 0) names none of the n
// tests, lists them and exits with status 2.
static inline void
check_test_name(const char *prog, const struct test *tests, int n, const char *only)
{
  if (only == 0)
    return;
  for (int i = 0; i < n; i++)
    if (strcmp(tests[i].name, only) == 0)
      return;
  printf("%s: no test called %s; the tests are:\n", prog, only);
  for (int i = 0; i < n; i++)
    printf("  %s\n", tests[i].name);
  exit(2);
}

#define NO_STATUS (-99)  // run_child's answer when there is no exit status

// Bounds of the program's writable data and bss (user/user.ld).
extern char data_start[], end[];

// Makes every page of the program's data and bss this process's own: fork
// shares them copy-on-write, and the first store to each would otherwise
// take a page in the middle of a test that counts free pages. A test
// process calls it first, so that what it measures is what the test did.
// (Its stack page becomes its own at its first function call.)
static inline void
own_data_pages(void)
{
  for (char *a = data_start; a < end; a += PGSIZE)
    *(volatile char *)a = *(volatile char *)a;
}

// Runs t in a child process and returns its exit status; says why and
// returns NO_STATUS if it could not run or be waited for.
static inline int
run_child(const struct test *t)
{
  current_test = t->name;
  int pid = fork();
  if (pid < 0) {
    printf("test %s: FAILED: cannot fork to run it\n", t->name);
    return NO_STATUS;
  }
  if (pid == 0) {
    own_data_pages();
    t->fn();
    exit(0);
  }
  int st = NO_STATUS;
  if (wait(&st) != pid) {
    printf("test %s: FAILED: wait lost the test process\n", t->name);
    return NO_STATUS;
  }
  return st;
}

// 1 if a test process's exit status st is a pass; else says why it failed
// (status 1: the test has said why already).
static inline int
status_passed(const struct test *t, int st)
{
  if (st == 0)
    return 1;
  if (st != 1 && st != NO_STATUS)
    printf("test %s: FAILED: test process exited with status %d\n", t->name, st);
  return 0;
}

// Runs t in a child and checks that it leaked nothing: free pages, open
// files and cached inodes must be as before, with the page cache emptied
// (vmctl drop) before and after so that cached pages do not count.
// settle, if not 0, runs after the child has ended and before the gauges
// are read again, and returns 0 if it found a failure (pctest checks there
// that the test put the kernel's knobs back). Returns 1 if t passed.
static inline int
run_leak_checked(const struct test *t, int (*settle)(const char *name))
{
  struct kstats before, after;
  knob(KNOB_DROP, 0);
  if (kstats(&before) != 0) {
    printf("test %s: FAILED: kstats failed\n", t->name);
    return 0;
  }
  int st = run_child(t);
  int settled = settle == 0 || settle(t->name);
  knob(KNOB_DROP, 0);
  if (kstats(&after) != 0) {
    printf("test %s: FAILED: kstats failed\n", t->name);
    return 0;
  }
  if (!status_passed(t, st))
    return 0;
  if (after.free_pages != before.free_pages || after.files_open != before.files_open ||
      after.inodes_cached != before.inodes_cached) {
    printf("test %s: FAILED: leak: free pages %d -> %d, open files %d -> %d, "
           "cached inodes %d -> %d\n",
           t->name, (int)before.free_pages, (int)after.free_pages, (int)before.files_open,
           (int)after.files_open, (int)before.inodes_cached, (int)after.inodes_cached);
    return 0;
  }
  if (!settled)
    return 0;
  printf("test %s: OK\n", t->name);
  return 1;
}

// run_leak_checked with no settle step, in the form suite_run takes.
static inline int
run_leak_checked_alone(const struct test *t)
{
  return run_leak_checked(t, 0);
}

// The start of a suite's main(). only is a test name from the command
// line, or 0 for every test: if it names none of the n tests, lists them
// and exits with status 2. Then changes to the root directory, where the
// tests name their files and find the programs they run; exits 1 if it
// cannot.
static inline void
suite_start(const char *prog, const struct test *tests, int n, const char *only)
{
  check_test_name(prog, tests, n, only);
  if (chdir("/") != 0) {
    printf("%s: cannot chdir to /\n", prog);
    exit(1);
  }
}

// For suites of one mapping policy: areas mapped from now on use policy
// (MMAP_POLICY_*); exits 1 if the kernel refuses it.
static inline void
suite_use_policy(const char *prog, int policy)
{
  if (knob(KNOB_POLICY, policy) < 0) {
    printf("%s: cannot choose mapping policy %d, errno %d\n", prog, policy, errno);
    exit(1);
  }
}

// Runs every test in table order (or only the one called only) with
// run_one, which returns 1 if it passed. Returns how many failed.
static inline int
suite_run(const struct test *tests, int n, const char *only,
          int (*run_one)(const struct test *t))
{
  int failed = 0;
  for (int i = 0; i < n; i++)
    if (!only || strcmp(tests[i].name, only) == 0)
      failed += !run_one(&tests[i]);
  return failed;
}

// The end of a suite's main(): "PROG: SOME TESTS FAILED" and status 1 if
// any failed, else "PROG: all tests succeeded" and status 0.
static inline void __attribute__((noreturn))
suite_end(const char *prog, int failed)
{
  if (failed) {
    printf("%s: SOME TESTS FAILED\n", prog);
    exit(1);
  }
  printf("%s: all tests succeeded\n", prog);
  exit(0);
}

#endif
