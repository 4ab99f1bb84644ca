// fsstress.c -- keep the file system busy so a crash can land anywhere.
//
// Usage: fsstress [ROUNDS]   (default DEFAULT_ROUNDS; 0: run until killed)
//
// Works in the directory /stress (created if missing). It forks NWORKER
// workers that each run rounds of work on names of their own, without
// waiting for one another. Worker 0 prints "fsstress: round N" when it
// finishes its round N. The crash test (scripts/runtest.py) kills the
// machine the moment that line appears, and checks the image with
// scripts/fsck.py after the log is replayed. The workers are deliberately
// not in lock step: if every worker waited for the round to end, the kill
// would always land at the same quiet point between rounds; this way it
// finds the other workers somewhere inside their rounds, with transactions
// in flight.
//
// One worker's round, with names tagged by worker and round parity, so the
// files of the previous round stay on disk while this round runs:
//   1. remove what this worker made two rounds ago (errors ignored: after
//      a crash or on the first rounds there may be nothing);
//   2. create a file of a few KiB, append to it, check its size;
//   3. "rename" it into a fresh subdirectory with link + unlink, and add
//      a second name for it in /stress;
//   4. mkdir a nested subdirectory; every third round rmdir it at once
//      (otherwise step 1 removes it two rounds later);
//   5. every NWORKER-th round (a different one for each worker) write a
//      file of BIGKB KiB, more than the NDIRECT + NINDIRECT blocks, so the
//      double-indirect block is used.
// Workers close every file before they remove it. A crash while a removed
// file is still open, or while one is being freed, leaves an orphan that
// the orphan table lists and the next boot frees (kernel/fs/fs.c, "the
// orphan table"); user/orphan.c sets up those crashes on purpose.
//
// A failed operation that should have worked prints "fsstress: FAILED ..."
// and the run stops with status 1.
#include "kernel/param.h"
#include "kernel/fcntl.h"
#include "kernel/types.h"
#include "kernel/stat.h"
#include "kernel/riscv.h"
#include "kernel/fs.h"
#include "user/user.h"

#define NWORKER  4
#define DEFAULT_ROUNDS 10  // a few seconds' work, for someone trying it out
#define CHUNK    4096  // bytes per write() call
#define BIGKB    280   // > (NDIRECT + NINDIRECT) KiB
#define NAMELEN  32

_Static_assert(BIGKB * 1024 > (NDIRECT + NINDIRECT) * BSIZE,
               "the big file must reach the double-indirect block");

static char buf[CHUNK];

static void __attribute__((noreturn))
fail(const char *what, const char *path)
{
  printf("fsstress: FAILED %s %s: %s\n", what, path, strerror(errno));
  exit(1);
}

// dst = "/stress/<kind><worker>_<parity><suffix>"
static void
name(char *dst, const char *kind, int w, int parity, const char *suffix)
{
  char *p = dst;
  const char *s = "/stress/";
  while (*s)
    *p++ = *s++;
  while (*kind)
    *p++ = *kind++;
  *p++ = '0' + w;
  *p++ = '_';
  *p++ = '0' + parity;
  while (*suffix)
    *p++ = *suffix++;
  *p = 0;
}

// Writes n bytes of a pattern tagged by seed to fd, CHUNK at a time.
static void
fill(int fd, int n, int seed, const char *path)
{
  while (n > 0) {
    int m = n < CHUNK ? n : CHUNK;
    memset(buf, 'a' + seed % 26, m);
    if (write(fd, buf, m) != m)
      fail("write", path);
    n -= m;
  }
}

static void
make_file(const char *path, int mode, int n, int seed)
{
  int fd = open(path, mode);
  if (fd < 0)
    fail("open", path);
  fill(fd, n, seed, path);
  close(fd);
}

static int
size_of(const char *path)
{
  struct stat st;
  if (stat(path, &st) < 0)
    fail("stat", path);
  return (int)st.size;
}

// Step 1: what this worker left behind two rounds ago, children first.
static void
remove_old(int w, int parity)
{
  char p[NAMELEN];
  name(p, "d", w, parity, "/f");
  unlink(p);
  name(p, "d", w, parity, "/s");
  unlink(p);
  name(p, "d", w, parity, "");
  unlink(p);
  name(p, "g", w, parity, "");
  unlink(p);
  name(p, "big", w, parity, "");
  unlink(p);
}

static void
worker(int w, int round)
{
  int parity = round % 2;
  int small = 1024 + ((round * 7 + w * 3) % 8) * 1024;  // 1..8 KiB
  char f[NAMELEN], d[NAMELEN], df[NAMELEN], g[NAMELEN], sub[NAMELEN];
  name(f, "f", w, parity, "");
  name(d, "d", w, parity, "");
  name(df, "d", w, parity, "/f");
  name(g, "g", w, parity, "");
  name(sub, "d", w, parity, "/s");

  remove_old(w, parity);

  make_file(f, O_CREATE | O_TRUNC | O_WRONLY, small, round + w);
  // No O_APPEND or lseek: reach the end by reading through the file.
  int fd = open(f, O_RDWR);
  if (fd < 0)
    fail("reopen", f);
  for (int left = size_of(f); left > 0;) {
    int m = read(fd, buf, left < CHUNK ? left : CHUNK);
    if (m <= 0)
      fail("read", f);
    left -= m;
  }
  fill(fd, 1500, round + w + 1, f);
  close(fd);
  if (size_of(f) != small + 1500)
    fail("size after append", f);

  if (mkdir(d) < 0)
    fail("mkdir", d);
  if (link(f, df) < 0)
    fail("link", df);
  if (unlink(f) < 0)
    fail("unlink", f);
  if (link(df, g) < 0)
    fail("link", g);
  if (mkdir(sub) < 0)
    fail("mkdir", sub);
  if (round % 3 == 0 && unlink(sub) < 0)
    fail("rmdir", sub);

  if (round % NWORKER == w) {
    char big[NAMELEN];
    name(big, "big", w, parity, "");
    make_file(big, O_CREATE | O_TRUNC | O_WRONLY, BIGKB * 1024, round);
    if (size_of(big) != BIGKB * 1024)
      fail("size of", big);
  }
}

// A worker's life: `rounds` passes (0: forever). Worker 0 reports each
// pass it finishes; see the top of the file for why only it does.
static void __attribute__((noreturn))
worker_loop(int w, int rounds)
{
  for (int round = 1; rounds == 0 || round <= rounds; round++) {
    worker(w, round);
    if (w == 0)
      printf("fsstress: round %d\n", round);
  }
  exit(0);
}

static int
all_digits(const char *s)
{
  if (*s == 0 || strlen(s) > 9)
    return 0;
  for (; *s; s++) {
    if (*s < '0' || *s > '9')
      return 0;
  }
  return 1;
}

int
main(int argc, char *argv[])
{
  int rounds = DEFAULT_ROUNDS;
  if (argc > 2 || (argc == 2 && !all_digits(argv[1]))) {
    fprintf(2, "usage: fsstress [rounds]   (default %d; 0 runs until killed)\n",
            DEFAULT_ROUNDS);
    exit(1);
  }
  if (argc == 2)
    rounds = atoi(argv[1]);
  if (mkdir("/stress") < 0) {
    struct stat st;
    if (stat("/stress", &st) < 0 || st.type != T_DIR)
      fail("mkdir", "/stress");
  }
  for (int w = 0; w < NWORKER; w++) {
    int pid = fork();
    if (pid < 0)
      fail("fork", "");
    if (pid == 0)
      worker_loop(w, rounds);
  }
  int bad = 0;
  for (int w = 0; w < NWORKER; w++) {
    int status;
    if (wait(&status) < 0 || status != 0)
      bad = 1;
  }
  if (bad) {
    printf("fsstress: FAILED: a worker stopped early\n");
    exit(1);
  }
  printf("fsstress: done\n");
  exit(0);
}
