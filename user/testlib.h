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
// run_leak_checked; they use own_data_pages and own_program_pages, which
// user/ulib.c has for every program) and the mapping knobs a test must
// put back (mm_knobs_save, run_knob_checked).
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

// own_data_pages and own_program_pages (user/ulib.c): a test process
// owns its data pages before it counts anything (fork shared them
// copy-on-write: run_child), a suite's driver its whole program
// (suite_start), since exec maps a program lazily.

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

// ---- the mapping knobs a test may change and must put back ----
//
// mm_knobs_save() records the knobs a test of the memory system may set
// (policy, fault-around and its ceiling, read-ahead, svade, the lock-free
// hit path, cache limit, megapages) at the start of
// the suite; run_knob_checked runs a test leak-checked and then fails it
// if it left any of them changed, putting the value back. The table and
// the saved values live inside mm_knob, so a program that does not use
// them carries neither.
struct mm_knob {
  int which;         // KNOB_*
  const char *name;
  long probe;        // a value it accepts: reading a knob is setting one
  long saved;        // its value at mm_knobs_save()
};
#define NMM_KNOBS 8

// The table: entry i, 0 <= i < NMM_KNOBS.
static inline struct mm_knob *
mm_knob(int i)
{
  static struct mm_knob t[NMM_KNOBS] = {
    {KNOB_POLICY, "KNOB_POLICY", MMAP_POLICY_CACHE, 0},
    {KNOB_FAULTAROUND, "KNOB_FAULTAROUND", 1, 0},
    {KNOB_FAULTAROUND_MAX, "KNOB_FAULTAROUND_MAX", 1, 0},
    {KNOB_READAHEAD, "KNOB_READAHEAD", 0, 0},
    {KNOB_SVADE, "KNOB_SVADE", 0, 0},
    {KNOB_HIT_LOCKLESS, "KNOB_HIT_LOCKLESS", 1, 0},
    {KNOB_PC_LIMIT, "KNOB_PC_LIMIT", 0, 0},
    {KNOB_MEGAPAGES, "KNOB_MEGAPAGES", MEGA_ON, 0},
  };
  return &t[i];
}

// The knob's value now (set the probe, put the old value back).
static inline long
mm_knob_get(struct mm_knob *k)
{
  long v = knob(k->which, k->probe);
  knob(k->which, v);
  return v;
}

static inline void
mm_knobs_save(void)
{
  for (int i = 0; i < NMM_KNOBS; i++)
    mm_knob(i)->saved = mm_knob_get(mm_knob(i));
}

// What knob `which` (one of the table's) held at mm_knobs_save().
static inline long
mm_knob_saved(int which)
{
  for (int i = 0; i < NMM_KNOBS; i++)
    if (mm_knob(i)->which == which)
      return mm_knob(i)->saved;
  return -1;
}

// Puts back every knob the test changed; 0 if it had restored them all.
static inline int
mm_knobs_restored(const char *test)
{
  int ok = 1;
  for (int i = 0; i < NMM_KNOBS; i++) {
    struct mm_knob *k = mm_knob(i);
    long v = mm_knob_get(k);
    if (v != k->saved) {
      printf("test %s: FAILED: left %s at %d (was %d)\n", test, k->name, (int)v, (int)k->saved);
      knob(k->which, k->saved);
      ok = 0;
    }
  }
  return ok;
}

// One test, with the leak check and then the knob check.
static inline int
run_knob_checked(const struct test *t)
{
  return run_leak_checked(t, mm_knobs_restored);
}

// run_leak_checked with no settle step, in the form suite_run takes.
static inline int
run_leak_checked_alone(const struct test *t)
{
  return run_leak_checked(t, 0);
}

// The start of a suite's main(). only is a test name from the command
// line, or 0 for every test: if it names none of the n tests, lists them
// and exits with status 2. Then maps the whole program (own_program_pages)
// and changes to the root directory, where the tests name their files and
// find the programs they run; exits 1 if it cannot.
static inline void
suite_start(const char *prog, const struct test *tests, int n, const char *only)
{
  check_test_name(prog, tests, n, only);
  own_program_pages();
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
