// testlib.h -- reporting helpers shared by the test programs (usertests,
// mmaptest). Each test runs in its own child process; a failed check
// prints one line naming the test and ends that child with status 1.
// Include after kernel/types.h and user/user.h.
#ifndef PCV6_TESTLIB_H
#define PCV6_TESTLIB_H

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

#endif
