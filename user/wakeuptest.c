// wakeuptest.c -- does a wakeup reach an idle hart, and only when needed?
//
// Usage: wakeuptest            run the checks with N = 200 round trips
//        wakeuptest N          the same with N round trips
//
// Busy waker. A parent (the waker) and a child (the sleeper) pass a token
// N times. The sleeper blocks in read() on a pipe; each time it gets the
// token it answers by changing a system-wide gauge that the waker can read
// without blocking: it creates a pipe or closes the one it created, so
// kstats() files_open moves by two, one file at a time. The waker writes
// the token and then keeps running, polling kstats() until files_open
// shows the whole answer -- the exact value it has after the sleeper's
// pipe() or second close(), never a value half-way, which would let the
// two sides fall out of step -- so it never blocks and its own hart never
// becomes free. After each answer it polls a
// few more times so that the sleeper is back asleep in read() and its hart
// idle when the next token comes. Each token therefore wakes a process that
// only an idle hart can run. The kernel must interrupt an idle hart for it
// (kstats ipi_wakeups); if it does not, the sleeper waits for an idle
// hart's own clock tick, half a tick (50 ms) per round trip on average.
//
// Blocking ping-pong. Both sides block in read() for the other's byte,
// 10 * N round trips. Each waker goes to sleep right after its wakeup, so
// its own hart can run the woken process: the kernel should interrupt
// another hart for almost none of these wakeups (doing so makes the
// ping-pong hop between harts, 10 to 15 times slower under QEMU).
//
// Checks: at least N/2 inter-hart interrupts during the busy-waker rounds
// (one per round is expected), at most N + N/2 (more would mean several
// harts per wakeup), and fewer than one per two round trips of the
// blocking ping-pong (interrupting a hart at every wakeup sends more than
// one per round trip; the delayed kick sends almost none on a quiet host,
// and a few hundred at most when the host leaves a waker's hart
// unscheduled for over a millisecond). The elapsed ticks are printed, not
// checked: timing on a shared host is no test. Measured on a 2-core host
// emulating 3 harts, N = 200, load average 2 to 9: busy waker 3-24 ticks
// with the kick (185-197 interrupts), 73-115 without; blocking ping-pong
// (2000 round trips) 4-29 ticks with 0-225 interrupts, 4-15 ticks without
// the kick, and 46-73 ticks with about 2400 interrupts when every wakeup
// interrupted an idle hart at once. Needs at least two harts (make test
// runs three).
#include "kernel/types.h"
#include "kernel/kstats.h"
#include "user/user.h"
#include "user/testlib.h"

#define DEFAULT_ROUNDS 200
#define SETTLE_POLLS   50   // waker's polls after an answer, before the next token

static struct kstats ks;

static uint64
files_open(void)
{
  if (kstats(&ks) < 0)
    FAIL("kstats failed");
  return ks.files_open;
}

static uint64
ipis(void)
{
  if (kstats(&ks) < 0)
    FAIL("kstats failed");
  return ks.ipi_wakeups;
}

// The sleeper: n times, wait for a byte on rfd and answer by creating or
// closing a pipe. Then it waits for end-of-file before exiting: exit
// closes rfd, which would change files_open before the waker has seen the
// last answer.
static void
sleeper(int rfd, int n)
{
  int p[2];
  char c;
  for (int i = 0; i < n; i++) {
    if (read(rfd, &c, 1) != 1)
      FAIL("sleeper: read %d failed", i);
    if (i % 2 == 0) {
      if (pipe(p) != 0)
        FAIL("sleeper: pipe failed");
    } else {
      close(p[0]);
      close(p[1]);
    }
  }
  if (read(rfd, &c, 1) != 0)
    FAIL("sleeper: a token too many");
  exit(0);
}

// Runs the busy-waker check; returns the ticks the n round trips took.
static int
busy_waker(int n)
{
  int fds[2];
  CHECK(pipe(fds) == 0, "pipe failed");
  int pid = fork();
  CHECK(pid >= 0, "fork failed");
  if (pid == 0) {
    close(fds[1]);
    sleeper(fds[0], n);
  }
  close(fds[0]);
  char c = 't';
  uint64 base = files_open();  // the sleeper has not answered yet
  int start = uptime();
  for (int i = 0; i < n; i++) {
    uint64 answered = i % 2 == 0 ? base + 2 : base;
    CHECK(write(fds[1], &c, 1) == 1, "write %d failed", i);
    while (files_open() != answered)
      ;
    for (int k = 0; k < SETTLE_POLLS; k++)
      files_open();
  }
  int ticks = uptime() - start;
  close(fds[1]);
  int st = -99;
  CHECK(wait(&st) == pid && st == 0, "sleeper exited with status %d", st);
  return ticks;
}

// Plain ping-pong: each side blocks in read() for the other's byte. The
// byte is incremented on every hop and checked. Returns the ticks taken.
static int
blocking_pingpong(int n)
{
  int there[2], back[2];
  CHECK(pipe(there) == 0 && pipe(back) == 0, "pipe failed");
  int pid = fork();
  CHECK(pid >= 0, "fork failed");
  if (pid == 0) {
    close(there[1]);
    close(back[0]);
    unsigned char c;
    for (int i = 0; i < n; i++) {
      if (read(there[0], &c, 1) != 1)
        FAIL("child: read %d failed", i);
      c++;
      if (write(back[1], &c, 1) != 1)
        FAIL("child: write %d failed", i);
    }
    exit(0);
  }
  close(there[0]);
  close(back[1]);
  unsigned char c = 0;
  int start = uptime();
  for (int i = 0; i < n; i++) {
    unsigned char want = c + 1;
    CHECK(write(there[1], &c, 1) == 1, "write %d failed", i);
    CHECK(read(back[0], &c, 1) == 1, "read %d failed", i);
    CHECK(c == want, "round trip %d: got %d, want %d", i, c, want);
  }
  int ticks = uptime() - start;
  close(there[1]);
  close(back[0]);
  int st = -99;
  CHECK(wait(&st) == pid && st == 0, "ping-pong child exited with status %d", st);
  return ticks;
}

int
main(int argc, char *argv[])
{
  int n = argc > 1 ? atoi(argv[1]) : DEFAULT_ROUNDS;
  if (n < 10) {
    printf("usage: wakeuptest [rounds >= 10]\n");
    exit(2);
  }
  current_test = "wakeup";
  own_program_pages();  // no page of this program read from the disk while it counts

  uint64 ipi0 = ipis();
  int busy = busy_waker(n);
  uint64 ipi1 = ipis();
  int block = blocking_pingpong(10 * n);
  uint64 ipi2 = ipis();
  int kicks = ipi1 - ipi0;
  printf("wakeuptest: busy waker: %d round trips in %d ticks, %d idle-hart interrupts\n",
         n, busy, kicks);
  printf("wakeuptest: blocking ping-pong: %d round trips in %d ticks, %d idle-hart interrupts\n",
         10 * n, block, (int)(ipi2 - ipi1));
  CHECK(kicks >= n / 2,
        "%d wakeups of a sleeper whose hart had gone idle sent only %d inter-hart "
        "interrupts: woken processes wait for an idle hart's clock tick", n, kicks);
  CHECK(kicks <= n + n / 2,
        "%d wakeups sent %d inter-hart interrupts: more than one hart per wakeup", n, kicks);
  CHECK(ipi2 - ipi1 < 10 * n / 2,
        "%d blocking round trips sent %d inter-hart interrupts, want fewer than %d: "
        "wakeups by a process about to sleep should stay on its hart",
        10 * n, (int)(ipi2 - ipi1), 10 * n / 2);
  printf("wakeuptest: all tests succeeded\n");
  exit(0);
}
