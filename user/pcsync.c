// pcsync -- the power-cut tests' two halves (run by scripts/runtest.py).
//
//   pcsync write [busy]
//                  creates /msynced (NPAGES pages, generation 0, written
//                  with write()), maps it MAP_SHARED and then, for each
//                  generation g = 1..GENS, stores g's pattern into every
//                  page, calls msync(MS_SYNC) and prints "pcsync:
//                  generation g synced". After the last it waits forever
//                  with the mapping still in place, so that nothing but
//                  msync can have put the stores on disk (it puts the
//                  background write-back's expiry out of reach first: the
//                  write-back process could otherwise write a page
//                  halfway through a generation's stores, which the check
//                  cannot tell from a torn write; its passes still harvest
//                  D bits while msync writes back). The test
//                  runner's power-cut campaigns cut the power at random
//                  points meanwhile (scripts/runtest.py, POWERCUT_CASES).
//                  With `busy`, two children keep the log busy
//                  meanwhile (each appends to a file of its own and
//                  unlinks it, over and over), and one of them holds each
//                  of its log operations open for a clock tick
//                  (KNOB_OP_PAUSE), so msync's write-back nearly always
//                  joins a transaction that another process keeps open.
//   pcsync check G after the next boot: prints "pcsync: data intact" if
//                  every page of /msynced holds one whole generation, G or
//                  later (a later one may have been on its way to the disk
//                  when the power went), else says which page does not.
#include "kernel/types.h"
#include "kernel/fcntl.h"
#include "kernel/riscv.h"
#include "kernel/knobs.h"
#include "user/user.h"

#define NPAGES 24
#define GENS 8
#define PATH "/msynced"
#define APPEND_KB 8  // each busy child's file grows to this, then is unlinked

static char buf[PGSIZE];

// The byte generation gen leaves at offset off: different generations
// differ at every offset, so a page tells which generation it holds.
static char
stored(int gen, int off)
{
  return (char)(1 + (off * 13 + off / PGSIZE * 5 + gen * 29) % 251);
}

static void
die(const char *what)
{
  fprintf(2, "pcsync: %s: %s\n", what, strerror(errno));
  exit(1);
}

// A busy child: appends to a file of its own and unlinks it, forever.
static void
keep_log_busy(int id, int hold_ops_open)
{
  char path[] = "/busyN";
  path[5] = '0' + id;
  if (hold_ops_open)
    knob(KNOB_OP_PAUSE, getpid());
  memset(buf, 'b', 1024);
  for (;;) {
    int fd = open(path, O_CREATE | O_RDWR);
    if (fd < 0)
      die("busy create");
    for (int k = 0; k < APPEND_KB; k++)
      if (write(fd, buf, 1024) != 1024)
        die("busy write");
    close(fd);
    unlink(path);
  }
}

static int
write_half(int busy)
{
  unlink(PATH);
  int fd = open(PATH, O_CREATE | O_RDWR);
  if (fd < 0)
    die("create " PATH);
  for (int pg = 0; pg < NPAGES; pg++) {
    for (int i = 0; i < PGSIZE; i++)
      buf[i] = stored(0, pg * PGSIZE + i);
    if (write(fd, buf, PGSIZE) != PGSIZE)
      die("write");
  }
  char *p = mmap(0, NPAGES * PGSIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (p == (char *)-1)
    die("mmap");
  if (knob(KNOB_WB_EXPIRE, WB_TICKS_MAX) < 0)
    die("knob KNOB_WB_EXPIRE");
  for (int id = 0; busy && id < 2; id++) {
    int pid = fork();
    if (pid < 0)
      die("fork");
    if (pid == 0)
      keep_log_busy(id, id == 0);
  }
  for (int gen = 1; gen <= GENS; gen++) {
    for (int off = 0; off < NPAGES * PGSIZE; off++)
      p[off] = stored(gen, off);
    if (msync(p, NPAGES * PGSIZE, MS_SYNC) != 0)
      die("msync");
    printf("pcsync: generation %d synced\n", gen);
  }
  for (;;)
    pause(1000);
  return 0;
}

// The generation page pg of the file holds whole, or -1.
static int
generation_of(int pg)
{
  for (int gen = 0; gen <= GENS; gen++) {
    int i = 0;
    while (i < PGSIZE && buf[i] == stored(gen, pg * PGSIZE + i))
      i++;
    if (i == PGSIZE)
      return gen;
  }
  return -1;
}

static int
check_half(int least)
{
  int fd = open(PATH, O_RDONLY);
  if (fd < 0)
    die("open " PATH);
  for (int pg = 0; pg < NPAGES; pg++) {
    if (read(fd, buf, PGSIZE) != PGSIZE) {
      printf("pcsync: page %d missing\n", pg);
      return 1;
    }
    int gen = generation_of(pg);
    if (gen < 0) {
      printf("pcsync: page %d holds no single generation\n", pg);
      return 1;
    }
    if (gen < least) {
      printf("pcsync: page %d holds generation %d, but %d was synced\n", pg, gen, least);
      return 1;
    }
  }
  printf("pcsync: data intact\n");
  return 0;
}

int
main(int argc, char *argv[])
{
  if (argc >= 2 && strcmp(argv[1], "write") == 0)
    return write_half(argc == 3 && strcmp(argv[2], "busy") == 0);
  if (argc == 3 && strcmp(argv[1], "check") == 0)
    return check_half(atoi(argv[2]));
  fprintf(2, "usage: pcsync write [busy] | pcsync check GENERATION\n");
  return 1;
}
