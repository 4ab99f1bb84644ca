// fragtest.c -- writes and truncations whose blocks land in many bitmap
// blocks, where one system call's changes must be split across log
// transactions without ever overflowing the log.
//
// Usage: fragtest          run every step below, in order
//        fragtest STEP     run only that step
//
// Meant for an image prepared by scripts/fragment.py (the "fragment" case
// of scripts/runtest.py): every bitmap block but the last has exactly one
// free block, so each block a file gets -- data or block-number table --
// comes from a different bitmap block, and freeing the file touches all
// of them again. On such an image the kernel must still carry out every
// write in full and every truncation completely, and the image must pass
// scripts/fsck.py afterwards. On an ordinary image the program runs too,
// it just proves less.
//
// Steps, each on files of its own in the root directory:
//   unlink   a file spread over the holes, freed by unlink;
//   close    the same, unlinked while open, freed by the last close;
//   trunc    the same, emptied by open(O_TRUNC) and written again;
//   double   a file reaching the double-indirect blocks, then unlinked;
//   race     FT_WRITERS processes, released at once, write spread files
//            in unaligned pieces and read them back; released at once
//            again, they unlink them; FT_ROUNDS rounds. Their allocations
//            interleave and their operations share transactions.
//   holes    a file grown by ftruncate (no blocks) reaching the
//            double-indirect blocks, filled through a shared mapping:
//            write-back gives every page its blocks, each from a
//            different bitmap block, without overflowing the log;
//   enospc   a grown file's mapped pages when the disk is full: msync
//            fails with ENOSPC and keeps them dirty, and succeeds once
//            blocks are free again. It fills the disk first (at most
//            FT_FILL_MAX bytes; on a disk with more room it says so and
//            skips the rest);
//   table    a write that fails for want of a data block gives back the
//            block-number table it took on the way: with exactly one
//            block free, a file of NDIRECT blocks is extended by one, so
//            the indirect table gets that block and the data block none;
//            the write fails with ENOSPC, and then the block must be free
//            again (else the table stays past the file's size, owned and
//            unused, and fsck reports it leaked). The same for a file of
//            NDIRECT + NINDIRECT blocks and its double-indirect table.
//            Fills the disk as enospc does.
// Every file is read back and compared before it is removed. Prints
// "fragtest: OK" at the end, or "fragtest: FAILED ..." and exits 1.
#include "kernel/param.h"
#include "kernel/fcntl.h"
#include "kernel/types.h"
#include "kernel/stat.h"
#include "kernel/fs.h"
#include "kernel/riscv.h"
#include "kernel/errno.h"
#include "kernel/knobs.h"
#include "user/user.h"

#define FT_SPREAD_BLOCKS 64   // more than the holes of the runtest image
#define FT_DOUBLE_BLOCKS (NDIRECT + NINDIRECT + 40)
#define FT_WRITERS 3
#define FT_ROUNDS 3
#define FT_RACE_BYTES (24 * BSIZE + 300)  // not a whole number of blocks
#define FT_RACE_PIECE (9 * BSIZE + 100)   // each write() call's size
#define FT_FILL_MAX (32 * 1024 * 1024)    // the enospc step fills at most this
#define FT_FULL_PAGES 8                   // pages the enospc step stores into

static char buf[FT_DOUBLE_BLOCKS * BSIZE];
static char back[FT_DOUBLE_BLOCKS * BSIZE];

// A race writer's channel to the parent, which it tells about a failure
// (the parent would otherwise wait for the writer's next report forever).
static int report_fd = -1;

static void __attribute__((noreturn))
fail(const char *what, const char *path)
{
  printf("fragtest: FAILED %s %s (errno %d)\n", what, path, errno);
  if (report_fd >= 0)
    write(report_fd, "x", 1);
  exit(1);
}

// Contents of byte off of a file tagged seed.
static char
pattern(int seed, int off)
{
  return (char)(off / BSIZE * 31 + off % BSIZE * 7 + seed * 13 + 1);
}

static void
fill(int seed, int n)
{
  for (int i = 0; i < n; i++)
    buf[i] = pattern(seed, i);
}

// Creates path holding n bytes of pattern seed, written `piece` bytes per
// write() call; returns the descriptor, open for reading and writing.
static int
make(const char *path, int seed, int n, int piece)
{
  int fd = open(path, O_CREATE | O_TRUNC | O_RDWR);
  if (fd < 0)
    fail("create", path);
  fill(seed, n);
  for (int done = 0; done < n; done += piece) {
    int m = n - done < piece ? n - done : piece;
    if (write(fd, buf + done, m) != m)
      fail("short write to", path);
  }
  return fd;
}

// path must hold exactly n bytes of pattern seed.
static void
check(const char *path, int seed, int n)
{
  int fd = open(path, O_RDONLY);
  if (fd < 0)
    fail("reopen", path);
  int got = 0, r;
  while ((r = read(fd, back + got, sizeof(back) - got)) > 0)
    got += r;
  close(fd);
  if (got != n)
    fail("wrong size of", path);
  for (int i = 0; i < n; i++)
    if (back[i] != pattern(seed, i))
      fail("wrong contents in", path);
}

static void
step_unlink(void)
{
  int n = FT_SPREAD_BLOCKS * BSIZE;
  close(make("ft_unlink", 1, n, n));
  check("ft_unlink", 1, n);
  if (unlink("ft_unlink") != 0)
    fail("unlink", "ft_unlink");
}

static void
step_close(void)
{
  int n = FT_SPREAD_BLOCKS * BSIZE;
  int fd = make("ft_close", 2, n, n);
  check("ft_close", 2, n);
  if (unlink("ft_close") != 0)
    fail("unlink", "ft_close");
  struct stat st;
  if (fstat(fd, &st) != 0 || st.nlink != 0 || st.size != n)
    fail("fstat after unlink of", "ft_close");
  close(fd);  // the last reference: the blocks are freed here
  if (open("ft_close", O_RDONLY) >= 0)
    fail("still there:", "ft_close");
}

static void
step_trunc(void)
{
  int n = FT_SPREAD_BLOCKS * BSIZE;
  close(make("ft_trunc", 3, n, n));
  int fd = open("ft_trunc", O_TRUNC | O_RDWR);
  struct stat st;
  if (fd < 0 || fstat(fd, &st) != 0 || st.size != 0)
    fail("O_TRUNC did not empty", "ft_trunc");
  close(fd);
  close(make("ft_trunc", 4, n, n));
  check("ft_trunc", 4, n);
  if (unlink("ft_trunc") != 0)
    fail("unlink", "ft_trunc");
}

static void
step_double(void)
{
  int n = FT_DOUBLE_BLOCKS * BSIZE;
  close(make("ft_double", 5, n, n));
  check("ft_double", 5, n);
  if (unlink("ft_double") != 0)
    fail("unlink", "ft_double");
}

// Waits for one byte from fd: the parent's signal to go on.
static void
await(int fd, const char *who)
{
  char c;
  if (read(fd, &c, 1) != 1)
    fail("no signal for", who);
}

// Signals n waiting writers through fd at once.
static void
release(int fd, int n)
{
  char go[FT_WRITERS];
  memset(go, 'g', n);
  if (write(fd, go, n) != n)
    fail("signal to the writers", "");
}

// One writer of the race: each round, on the parent's signal, writes and
// checks its file, reports back, and on the next signal unlinks it.
static void
race_writer(int w, int go_fd, int done_fd)
{
  char path[8] = "ft_rX";
  path[4] = '0' + w;
  report_fd = done_fd;
  for (int round = 0; round < FT_ROUNDS; round++) {
    int seed = 10 + w * FT_ROUNDS + round;
    await(go_fd, path);
    close(make(path, seed, FT_RACE_BYTES, FT_RACE_PIECE));
    check(path, seed, FT_RACE_BYTES);
    if (write(done_fd, "w", 1) != 1)
      fail("report from", path);
    await(go_fd, path);
    if (unlink(path) != 0)
      fail("unlink", path);
    if (write(done_fd, "u", 1) != 1)
      fail("report from", path);
  }
  exit(0);
}

// Releases the writers all at once for each half of each round -- the
// writes, then the unlinks -- so their transactions overlap.
static void
step_race(void)
{
  int go[2], done[2];
  if (pipe(go) < 0 || pipe(done) < 0)
    fail("pipe", "");
  for (int w = 0; w < FT_WRITERS; w++) {
    int pid = fork();
    if (pid < 0)
      fail("fork", "");
    if (pid == 0)
      race_writer(w, go[0], done[1]);
  }
  for (int half = 0; half < 2 * FT_ROUNDS; half++) {
    release(go[1], FT_WRITERS);
    for (int w = 0; w < FT_WRITERS; w++) {
      char c;
      if (read(done[0], &c, 1) != 1 || c == 'x')
        fail("a writer failed", "");
    }
  }
  for (int w = 0; w < FT_WRITERS; w++) {
    int st = -1;
    if (wait(&st) < 0 || st != 0)
      fail("a writer failed", "");
  }
  close(go[0]);
  close(go[1]);
  close(done[0]);
  close(done[1]);
}

// Maps path's first n bytes shared, read-write; fd open read-write.
static char *
map_shared(int fd, int n, const char *path)
{
  char *p = mmap(0, n, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (p == (char *)-1)
    fail("mmap", path);
  return p;
}

static void
step_holes(void)
{
  int n = FT_DOUBLE_BLOCKS * BSIZE;
  int len = (n + PGSIZE - 1) / PGSIZE * PGSIZE;
  int fd = open("ft_holes", O_CREATE | O_TRUNC | O_RDWR);
  if (fd < 0 || ftruncate(fd, n) != 0)
    fail("create and grow", "ft_holes");
  char *p = map_shared(fd, len, "ft_holes");
  fill(6, n);
  memmove(p, buf, n);
  if (msync(p, len, MS_SYNC) != 0)
    fail("msync of stores into holes of", "ft_holes");
  if (munmap(p, len) != 0 || knob(KNOB_DROP, 0) < 0)
    fail("munmap and drop", "ft_holes");
  close(fd);
  check("ft_holes", 6, n);
  if (unlink("ft_holes") != 0)
    fail("unlink", "ft_holes");
}

// Writes ft_full until the disk is full; 0 if FT_FILL_MAX bytes fit.
static int
fill_disk(void)
{
  int fd = open("ft_full", O_CREATE | O_TRUNC | O_RDWR);
  if (fd < 0)
    fail("create", "ft_full");
  memset(buf, 'f', 16 * BSIZE);
  int full = 0;
  for (int done = 0; done < FT_FILL_MAX && !full; done += 16 * BSIZE)
    full = write(fd, buf, 16 * BSIZE) != 16 * BSIZE;
  close(fd);
  return full;
}

static void
step_enospc(void)
{
  int n = FT_FULL_PAGES * PGSIZE;
  // Created before the disk fills: its directory entry may need a block.
  int fd = open("ft_nospc", O_CREATE | O_TRUNC | O_RDWR);
  if (fd < 0 || ftruncate(fd, n) != 0)
    fail("create and grow", "ft_nospc");
  if (!fill_disk()) {
    printf("fragtest: enospc: the disk holds more than %d bytes; not tested\n", FT_FILL_MAX);
  } else {
    char *p = map_shared(fd, n, "ft_nospc");
    fill(7, n);
    memmove(p, buf, n);
    if (msync(p, n, MS_SYNC) != -1 || (errno != ENOSPC && errno != EIO))
      fail("msync with the disk full did not fail with ENOSPC:", "ft_nospc");
    if (unlink("ft_full") != 0)
      fail("unlink", "ft_full");
    // The pages stayed dirty: now they go.
    if (msync(p, n, MS_SYNC) != 0)
      fail("msync after making room", "ft_nospc");
    if (munmap(p, n) != 0 || knob(KNOB_DROP, 0) < 0)
      fail("munmap and drop", "ft_nospc");
    check("ft_nospc", 7, n);
  }
  unlink("ft_full");
  close(fd);
  if (unlink("ft_nospc") != 0)
    fail("unlink", "ft_nospc");
}

// With the disk full, frees ft_one<i> (one block) and extends fd, a file
// whose next block needs a new table, by one block: the table takes the
// free block, the data block finds none, and the write must fail with
// ENOSPC and give the table back, so that the block is there for a
// one-block write to probe.
static void
table_case(int i, int fd, const char *path, int probe)
{
  char one[8] = "ft_oneX";
  one[6] = '0' + i;
  if (unlink(one) != 0)
    fail("unlink", one);  // now exactly one block is free
  fill(8, BSIZE);
  if (write(fd, buf, BSIZE) != -1 || errno != ENOSPC)
    fail("a write needing a table and a block, one block free, did not fail with ENOSPC:", path);
  if (write(probe, buf, BSIZE) != BSIZE)
    fail("the failed write kept the last free block for its table: see", path);
}

static void
step_table(void)
{
  // Their next blocks need the indirect table, and the double-indirect
  // table with its first indirect table, respectively.
  int ind = make("ft_ind", 8, NDIRECT * BSIZE, NDIRECT * BSIZE);
  int dind = make("ft_dind", 9, (NDIRECT + NINDIRECT) * BSIZE, (NDIRECT + NINDIRECT) * BSIZE);
  int probe = make("ft_probe", 10, BSIZE, BSIZE);
  close(make("ft_one0", 11, BSIZE, BSIZE));
  close(make("ft_one1", 12, BSIZE, BSIZE));
  if (!fill_disk()) {
    printf("fragtest: table: the disk holds more than %d bytes; not tested\n", FT_FILL_MAX);
  } else {
    table_case(0, ind, "ft_ind", probe);
    table_case(1, dind, "ft_dind", probe);
  }
  close(ind);
  close(dind);
  close(probe);
  unlink("ft_one0");
  unlink("ft_one1");
  unlink("ft_full");
  check("ft_ind", 8, NDIRECT * BSIZE);
  check("ft_dind", 9, (NDIRECT + NINDIRECT) * BSIZE);
  if (unlink("ft_ind") != 0 || unlink("ft_dind") != 0 || unlink("ft_probe") != 0)
    fail("unlink", "ft_ind, ft_dind or ft_probe");
}

static const struct {
  const char *name;
  void (*fn)(void);
} steps[] = {
  { "unlink", step_unlink },
  { "close", step_close },
  { "trunc", step_trunc },
  { "double", step_double },
  { "race", step_race },
  { "holes", step_holes },
  { "enospc", step_enospc },
  { "table", step_table },
};
#define NSTEPS (sizeof(steps) / sizeof(steps[0]))

int
main(int argc, char *argv[])
{
  if (chdir("/") != 0)
    fail("chdir", "/");
  int ran = 0;
  for (int i = 0; i < NSTEPS; i++) {
    if (argc >= 2 && strcmp(argv[1], steps[i].name) != 0)
      continue;
    steps[i].fn();
    printf("fragtest: %s done\n", steps[i].name);
    ran++;
  }
  if (ran == 0)
    fail("no step called", argv[1]);
  printf("fragtest: OK\n");
  exit(0);
}
