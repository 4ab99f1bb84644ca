// fuzzregress.c -- the kernel bugs sysfuzz found, each reduced to the
// calls that showed it, so that none comes back unnoticed.
//
// Usage: fuzzregress [name]   (one test by name, or all of them)
//
// Each test runs in a child and is leak-checked (user/testlib.h). A bug
// that made a call never return is tested in a grandchild that gets
// HANG_TICKS clock ticks to finish (run_bounded): the test then fails
// instead of hanging the suite.
#include "kernel/types.h"
#include "kernel/param.h"
#include "kernel/riscv.h"
#include "kernel/fcntl.h"
#include "kernel/stat.h"
#include "kernel/errno.h"
#include "kernel/procinfo.h"
#include "user/user.h"
#include "user/testlib.h"

#define PG PGSIZE
#define HANG_TICKS 50  // 5 s: a hundred times what any call here takes

static struct procinfo procs[NPROC];

// Has process pid exited (a zombie its parent has not waited for)?
static int
exited(int pid)
{
  int n = procinfo(procs, NPROC);
  CHECK(n > 0, "procinfo failed (errno %d)", errno);
  for (int i = 0; i < n; i++)
    if (procs[i].pid == pid)
      return procs[i].state == PROCINFO_ZOMBIE;
  return 1;
}

// Runs fn in a child, which must return (exit status SURVIVED) within
// HANG_TICKS ticks; a child still running then is killed and the test
// fails, naming what.
static void
run_bounded(void (*fn)(void), const char *what)
{
  int pid = fork();
  CHECK(pid >= 0, "fork");
  if (pid == 0) {
    fn();
    exit(SURVIVED);
  }
  for (int t = 0; t < HANG_TICKS && !exited(pid); t++)
    pause(1);
  if (!exited(pid)) {
    kill(pid);
    wait(0);
    FAIL("%s did not return within %d ticks", what, HANG_TICKS);
  }
  int st = -99;
  CHECK(wait(&st) == pid, "wait");
  CHECK(st == SURVIVED, "%s: child exit status %d, want %d", what, st, SURVIVED);
}

// ---------------------------------------------------------------------------
// read() into a buffer that ends (at the break, before unmapped memory)
// short of the bytes the file holds: the part that fits is read, and the
// call returns its length. It used to go round forever: a pass faulted in
// its whole range, failed at the unmapped page, and the retry checked
// only the buffer's first page, which was fine.

#define RB_FILE (3 * PG)

static void
read_short_buffer_child(void)
{
  char *buf = sbrk(PG);  // one page; nothing is mapped past it
  CHECK(buf != SBRK_ERROR, "sbrk");
  int fd = open("fr_read", O_RDONLY);
  CHECK(fd >= 0, "open fr_read");
  int r = read(fd, buf, RB_FILE);
  CHECK(r == PG, "read of %d bytes into a 1-page buffer returned %d (errno %d), want %d",
        RB_FILE, r, errno, PG);
  for (int i = 0; i < PG; i++)
    CHECK(buf[i] == file_byte(1, i), "byte %d wrong", i);
  r = read(fd, buf + PG, 1);
  CHECK(r == -1 && errno == EFAULT, "read past the break returned %d (errno %d)", r, errno);
  close(fd);
}

static void
read_short_buffer(void)
{
  make_file("fr_read", RB_FILE, 1);
  run_bounded(read_short_buffer_child, "read() into a buffer shorter than the file");
  unlink("fr_read");
}

// ---------------------------------------------------------------------------
// open(O_CREATE) that fails because the process has no free descriptor
// (EMFILE) creates nothing. It used to make the file first and only then
// find that there was no descriptor for it.

static void
failed_open_creates_nothing(void)
{
  int fds[NOFILE], n = 0, fd;
  unlink("fr_new");
  while (n < NOFILE && (fd = open("README", O_RDONLY)) >= 0)
    fds[n++] = fd;
  CHECK(n < NOFILE && errno == EMFILE, "filling the descriptor table: errno %d", errno);
  fd = open("fr_new", O_CREATE | O_RDWR);
  int err = errno;
  while (n > 0)
    close(fds[--n]);
  CHECK(fd == -1 && err == EMFILE, "open with no free descriptor returned %d (errno %d)", fd,
        err);
  struct stat st;
  CHECK(stat("fr_new", &st) < 0, "an open that failed with EMFILE created the file");
}

// ---------------------------------------------------------------------------

static const struct test tests[] = {
  { "read_short_buffer", read_short_buffer },
  { "failed_open_creates_nothing", failed_open_creates_nothing },
};
#define NTESTS ((int)(sizeof(tests) / sizeof(tests[0])))

int
main(int argc, char *argv[])
{
  const char *only = argc >= 2 ? argv[1] : 0;
  suite_start("fuzzregress", tests, NTESTS, only);
  suite_end("fuzzregress", suite_run(tests, NTESTS, only, run_leak_checked_alone));
}
