// pcsync -- the power-cut test's two halves (run by scripts/runtest.py).
//
//   pcsync write   creates /msynced (NPAGES pages written with write()),
//                  maps it MAP_SHARED, stores a new pattern into every
//                  page, calls msync(MS_SYNC), prints "pcsync: synced" and
//                  then waits forever with the mapping still in place, so
//                  that nothing but msync can have put the stores on disk.
//                  The test runner cuts the power when it sees that line.
//   pcsync check   after the next boot: prints "pcsync: data intact" if
//                  /msynced holds every stored byte, else says where not.
#include "kernel/types.h"
#include "kernel/fcntl.h"
#include "kernel/riscv.h"
#include "user/user.h"

#define NPAGES 24
#define PATH "/msynced"

static char buf[PGSIZE];

// The byte the stores leave at offset off (the write()s leave its ~).
static char
stored(int off)
{
  return (char)('a' + (off * 13 + off / PGSIZE) % 26);
}

static int
write_half(void)
{
  unlink(PATH);
  int fd = open(PATH, O_CREATE | O_RDWR);
  if (fd < 0) {
    fprintf(2, "pcsync: create %s: %s\n", PATH, strerror(errno));
    return 1;
  }
  for (int pg = 0; pg < NPAGES; pg++) {
    for (int i = 0; i < PGSIZE; i++)
      buf[i] = ~stored(pg * PGSIZE + i);
    if (write(fd, buf, PGSIZE) != PGSIZE) {
      fprintf(2, "pcsync: write: %s\n", strerror(errno));
      return 1;
    }
  }
  char *p = mmap(0, NPAGES * PGSIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (p == (char *)-1) {
    fprintf(2, "pcsync: mmap: %s\n", strerror(errno));
    return 1;
  }
  for (int off = 0; off < NPAGES * PGSIZE; off++)
    p[off] = stored(off);
  if (msync(p, NPAGES * PGSIZE, MS_SYNC) != 0) {
    fprintf(2, "pcsync: msync: %s\n", strerror(errno));
    return 1;
  }
  printf("pcsync: synced\n");
  for (;;)
    pause(1000);
}

static int
check_half(void)
{
  int fd = open(PATH, O_RDONLY);
  if (fd < 0) {
    fprintf(2, "pcsync: open %s: %s\n", PATH, strerror(errno));
    return 1;
  }
  for (int pg = 0; pg < NPAGES; pg++) {
    if (read(fd, buf, PGSIZE) != PGSIZE) {
      printf("pcsync: page %d missing\n", pg);
      return 1;
    }
    for (int i = 0; i < PGSIZE; i++) {
      if (buf[i] != stored(pg * PGSIZE + i)) {
        printf("pcsync: page %d byte %d lost its store\n", pg, i);
        return 1;
      }
    }
  }
  printf("pcsync: data intact\n");
  return 0;
}

int
main(int argc, char *argv[])
{
  if (argc == 2 && strcmp(argv[1], "write") == 0)
    return write_half();
  if (argc == 2 && strcmp(argv[1], "check") == 0)
    return check_half();
  fprintf(2, "usage: pcsync write|check\n");
  return 1;
}
