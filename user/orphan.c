// orphan -- leave work in the orphan table for a crash to interrupt, for
// the orphan crash tests (scripts/runtest.py, CRASH_CASES "crash-orphan-*").
//
// Usage: orphan free | open | trunc     set up a crash of that kind
//        orphan check free | open | trunc
//                                       after the next boot: did it recover?
//
// Each kind first writes a file of ORPHAN_BYTES, big enough that freeing
// or truncating it takes several log transactions (pieces), then:
//   free   unlinks it while it is open, sets KNOB_FREE_PAUSE to its own
//          pid and closes it: the last reference frees the file, and the
//          kernel prints "fs: inode N: piece K" before each piece and waits
//          a tick. The test cuts the power on the line of piece 2, when
//          piece 1 has committed: the inode has no links and some blocks.
//   open   unlinks it while it is open and says "orphan: unlinked, still
//          open", then sleeps until the power is cut: an inode with no
//          links and every block, which only its open file kept.
//   trunc  sets KNOB_FREE_PAUSE and ftruncate()s it to ORPHAN_TRUNC_LEN,
//          the piece lines as for free: the new size is published by
//          piece 1, the blocks past it are freed by the later pieces.
// The next boot must finish the work (freeing the inode, or the blocks past
// the size) and say so; "orphan check KIND" then requires the file to be
// gone (free, open) or to hold exactly its first ORPHAN_TRUNC_LEN bytes
// (trunc). Prints "orphan: ..." lines; exit status 1 on any failure.
#include "kernel/param.h"
#include "kernel/fcntl.h"
#include "kernel/types.h"
#include "kernel/stat.h"
#include "kernel/fs.h"
#include "kernel/errno.h"
#include "kernel/knobs.h"
#include "user/user.h"

#define ORPHAN_BYTES (16 * 1024 * 1024)  // a few dozen block tables: several pieces
#define ORPHAN_TRUNC_LEN (100 * 1024 + 77)  // not a whole number of blocks
#define CHUNK (64 * 1024)  // bytes per write() and read()

static char buf[CHUNK];

static void __attribute__((noreturn))
fail(const char *what, const char *path)
{
  printf("orphan: FAILED %s %s: %s\n", what, path, strerror(errno));
  exit(1);
}

// Byte off of the test files.
static char
pattern(uint off)
{
  return (char)(off * 7 + off / BSIZE * 13 + 1);
}

static void
fill(uint base, uint n)
{
  for (uint i = 0; i < n; i++)
    buf[i] = pattern(base + i);
}

// Creates path holding ORPHAN_BYTES of the pattern; returns it open
// read-write.
static int
make(const char *path)
{
  int fd = open(path, O_CREATE | O_TRUNC | O_RDWR);
  if (fd < 0)
    fail("create", path);
  for (uint off = 0; off < ORPHAN_BYTES; off += CHUNK) {
    fill(off, CHUNK);
    if (write(fd, buf, CHUNK) != CHUNK)
      fail("write", path);
  }
  return fd;
}

static const char *
path_of(const char *kind)
{
  if (strcmp(kind, "free") == 0)
    return "/orphan_free";
  if (strcmp(kind, "open") == 0)
    return "/orphan_open";
  if (strcmp(kind, "trunc") == 0)
    return "/orphan_trunc";
  return 0;
}

static void
set_pause(void)
{
  if (knob(KNOB_FREE_PAUSE, getpid()) < 0)
    fail("knob", "KNOB_FREE_PAUSE");
}

static void
crash_free(const char *path)
{
  int fd = make(path);
  if (unlink(path) != 0)
    fail("unlink", path);
  set_pause();
  close(fd);  // the last reference: freed here, piece by piece
  knob(KNOB_FREE_PAUSE, 0);
  printf("orphan: freed, no crash\n");
}

static void
crash_open(const char *path)
{
  make(path);
  if (unlink(path) != 0)
    fail("unlink", path);
  printf("orphan: unlinked, still open\n");
  for (;;)
    sleep(100);  // until the power is cut
}

static void
crash_trunc(const char *path)
{
  close(make(path));
  int fd = open(path, O_RDWR);
  if (fd < 0)
    fail("reopen", path);
  set_pause();
  if (ftruncate(fd, ORPHAN_TRUNC_LEN) != 0)
    fail("ftruncate", path);
  knob(KNOB_FREE_PAUSE, 0);
  printf("orphan: truncated, no crash\n");
}

// After the boot that finished the orphan's work.
static void
check(const char *kind, const char *path)
{
  int fd = open(path, O_RDONLY);
  if (strcmp(kind, "trunc") != 0) {
    if (fd >= 0 || errno != ENOENT)
      fail("still there (or another error):", path);
    printf("orphan: %s is gone\n", path);
    return;
  }
  struct stat st;
  if (fd < 0 || fstat(fd, &st) != 0)
    fail("open", path);
  if (st.size != ORPHAN_TRUNC_LEN) {
    printf("orphan: FAILED %s has %d bytes, want %d\n", path, (int)st.size, ORPHAN_TRUNC_LEN);
    exit(1);
  }
  for (uint off = 0; off < ORPHAN_TRUNC_LEN; off += CHUNK) {
    uint n = ORPHAN_TRUNC_LEN - off < CHUNK ? ORPHAN_TRUNC_LEN - off : CHUNK;
    if (read(fd, buf, n) != n)
      fail("read", path);
    for (uint i = 0; i < n; i++) {
      if (buf[i] != pattern(off + i)) {
        printf("orphan: FAILED %s: byte %d is 0x%x, want 0x%x\n", path, off + i, buf[i] & 0xff,
               pattern(off + i) & 0xff);
        exit(1);
      }
    }
  }
  close(fd);
  printf("orphan: %s holds its first %d bytes\n", path, ORPHAN_TRUNC_LEN);
}

int
main(int argc, char *argv[])
{
  int checking = argc == 3 && strcmp(argv[1], "check") == 0;
  const char *kind = argv[argc - 1];
  const char *path = argc == 2 || checking ? path_of(kind) : 0;
  if (path == 0) {
    fprintf(2, "usage: orphan free | open | trunc\n"
               "       orphan check free | open | trunc\n");
    exit(1);
  }
  if (checking)
    check(kind, path);
  else if (strcmp(kind, "free") == 0)
    crash_free(path);
  else if (strcmp(kind, "open") == 0)
    crash_open(path);
  else
    crash_trunc(path);
  exit(0);
}
