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
// (trunc). Prints "orphan: ..." lines; a failed check prints
// "test KIND: FAILED: ..." (user/testlib.h) and exits with status 1.
#include "kernel/param.h"
#include "kernel/types.h"
#include "kernel/stat.h"
#include "kernel/fs.h"
#include "kernel/errno.h"
#include "user/user.h"
#include "user/testlib.h"

#define ORPHAN_BYTES (16 * 1024 * 1024)  // a few dozen block tables: several pieces
#define ORPHAN_TRUNC_LEN (100 * 1024 + 77)  // not a whole number of blocks
#define ORPHAN_SEED 5  // the test files' pattern (file_byte)
#define CHUNK (64 * 1024)  // bytes per read() in check

static char buf[CHUNK];

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
  CHECK(knob(KNOB_FREE_PAUSE, getpid()) >= 0, "knob KNOB_FREE_PAUSE (errno %d)", errno);
}

// Creates path holding ORPHAN_BYTES of the pattern; returns it open
// with mode.
static int
make(const char *path, int mode)
{
  make_file(path, ORPHAN_BYTES, ORPHAN_SEED);
  return open_or_fail(path, mode);
}

static void
crash_free(const char *path)
{
  int fd = make(path, O_RDONLY);
  CHECK(unlink(path) == 0, "unlink %s (errno %d)", path, errno);
  set_pause();
  close(fd);  // the last reference: freed here, piece by piece
  knob(KNOB_FREE_PAUSE, 0);
  printf("orphan: freed, no crash\n");
}

static void
crash_open(const char *path)
{
  make(path, O_RDONLY);
  CHECK(unlink(path) == 0, "unlink %s (errno %d)", path, errno);
  printf("orphan: unlinked, still open\n");
  for (;;)
    sleep(100);  // until the power is cut
}

static void
crash_trunc(const char *path)
{
  int fd = make(path, O_RDWR);
  set_pause();
  CHECK(ftruncate(fd, ORPHAN_TRUNC_LEN) == 0, "ftruncate %s (errno %d)", path, errno);
  knob(KNOB_FREE_PAUSE, 0);
  printf("orphan: truncated, no crash\n");
}

// After the boot that finished the orphan's work.
static void
check(const char *kind, const char *path)
{
  if (strcmp(kind, "trunc") != 0) {
    int fd = open(path, O_RDONLY);
    CHECK(fd < 0 && errno == ENOENT, "%s still there (or another error: errno %d)", path, errno);
    printf("orphan: %s is gone\n", path);
    return;
  }
  int fd = open_or_fail(path, O_RDONLY);
  struct stat st;
  CHECK(fstat(fd, &st) == 0, "fstat %s", path);
  CHECK(st.size == ORPHAN_TRUNC_LEN, "%s has %d bytes, want %d", path, (int)st.size,
        ORPHAN_TRUNC_LEN);
  for (uint off = 0; off < ORPHAN_TRUNC_LEN; off += CHUNK) {
    uint n = ORPHAN_TRUNC_LEN - off < CHUNK ? ORPHAN_TRUNC_LEN - off : CHUNK;
    CHECK(read(fd, buf, n) == n, "read %s at %d (errno %d)", path, off, errno);
    long bad = mismatch(buf, n, ORPHAN_SEED, off);
    CHECK(bad < 0, "%s: byte %d is 0x%x, want 0x%x", path, off + (int)bad, buf[bad] & 0xff,
          file_byte(ORPHAN_SEED, off + bad) & 0xff);
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
  current_test = checking ? "check" : kind;
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
