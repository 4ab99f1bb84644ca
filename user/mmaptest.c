// mmaptest.c -- tests of file-backed mmap() and munmap(), written against
// the system-call interface only (user/user.h, kernel/fcntl.h), so the same
// program checks whichever mapping policy the kernel is built with.
//
// Usage: mmaptest [-p naive|cache] [NAME]
//                          run every test (or only test NAME) with areas
//                          mapped under the given policy (default: the
//                          kernel's current one, the page cache at boot)
//        mmaptest -noop    (helper mode) exit 0 at once; a test execs this
//                          to see that exec gives up the caller's mappings
//
// How it runs. Every entry of `tests` runs in a forked child, so a test
// that the kernel kills, or that leaves a mapping in a mess, cannot hide
// the results of the others. A test reports a problem with FAIL(), which
// prints "test NAME: FAILED: why" and exits with status 1; a child that
// exits 0 earns "test NAME: OK". Accesses that must kill a process are
// made in a further child whose exit status must be -1.
//
// Where the policies differ. The page cache kills a process that touches
// a page wholly past the end of its file (the SIGBUS rule), where the
// naive policy hands it a page of zeros; fault-around and read-ahead
// change how many faults a test sees. Tests that depend on this look at
// `cache_policy`.
//
// Leak check. The parent empties the page cache (KNOB_DROP: cached pages
// are reclaimable memory, not a leak) and reads kstats() before forking a
// test, and does both again after wait() has reaped it. By then the test process and everything it
// started are gone, so the free page count, the open-file count and the
// count of referenced in-memory inodes must all be back where they were.
// This assumes nothing else runs meanwhile (the test harness runs us alone
// at the shell prompt).
//
// Test files. They are named "mm_<test>..." in the root directory. A test
// creates its files itself (make_file removes any old copy first) and
// removes them before it returns, so a failed run leaves nothing that
// could confuse the next one.
//
// Writing tests here. The user stack is one page: keep buffers static.
// File contents come from file_byte() (testlib.h), which differs from offset to
// offset, from page to page and from file to file, and is never zero, so
// data from the wrong place -- or a page of zeros -- cannot pass for the
// right data.

#include "kernel/param.h"
#include "kernel/fcntl.h"
#include "kernel/types.h"
#include "kernel/stat.h"
#include "kernel/riscv.h"
#include "kernel/fs.h"
#include "kernel/errno.h"
#include "kernel/kstats.h"
#include "kernel/knobs.h"
#include "user/user.h"
#include "user/testlib.h"

#define PG PGSIZE
#define HALF (PG / 2)

// ---------------------------------------------------------------------------
// File contents

static int cache_policy = 1;  // areas are mapped by the page cache policy

static char databuf[6 * PG];  // what a test writes to or reads from a file

// Read all of path into databuf; returns its length.
static int
slurp(const char *path)
{
  int fd = open_or_fail(path, O_RDONLY);
  int got = 0, r;
  while (got < (int)sizeof(databuf) &&
         (r = read(fd, databuf + got, sizeof(databuf) - got)) > 0)
    got += r;
  close(fd);
  return got;
}

static uint64
size_of(const char *path)
{
  struct stat st;
  CHECK(stat(path, &st) == 0, "cannot stat %s", path);
  return st.size;
}

// p[0..n) must hold pattern `seed` as found from file offset `off` on.
static void
expect_pattern(const char *p, uint64 n, int seed, uint64 off, const char *what)
{
  for (uint64 i = 0; i < n; i++) {
    char want = file_byte(seed, off + i);
    CHECK(p[i] == want, "%s: byte %d is 0x%x, want 0x%x", what, (int)i, p[i] & 0xff,
          want & 0xff);
  }
}

static void
expect_zeros(const char *p, uint64 n, const char *what)
{
  for (uint64 i = 0; i < n; i++)
    CHECK(p[i] == 0, "%s: byte %d is 0x%x, want 0", what, (int)i, p[i] & 0xff);
}

// ---------------------------------------------------------------------------
// Mapping helpers

static char *
map_or_fail(uint64 len, int prot, int flags, int fd, uint64 off)
{
  char *p = mmap(0, len, prot, flags, fd, off);
  CHECK(p != MAP_FAILED, "mmap(len %d, prot %d, flags %d, off %d) failed, errno %d", (int)len,
        prot, flags, (int)off, errno);
  CHECK((uint64)p % PG == 0, "mmap returned unaligned address %p", p);
  return p;
}

static void
unmap_or_fail(void *addr, uint64 len)
{
  int r = munmap(addr, len);
  CHECK(r == 0, "munmap(%p, %d) returned %d, errno %d", addr, (int)len, r, errno);
}

// Open path and map its first len bytes.
static char *
map_file(const char *path, int mode, uint64 len, int prot, int flags)
{
  int fd = open_or_fail(path, mode);
  char *p = map_or_fail(len, prot, flags, fd, 0);
  close(fd);
  return p;
}

// ---------------------------------------------------------------------------
// Children that must die


static struct kstats ks_a, ks_b;  // scratch snapshots for counter checks

// ---------------------------------------------------------------------------
// Contents: what a mapping shows and what reaches the file

// A file of 1.5 pages mapped as 2 pages: the file's bytes, then zeros.
static void
test_eof_zero(void)
{
  static const int flavours[2] = { MAP_SHARED, MAP_PRIVATE };
  make_file("mm_eof", PG + HALF, 1);
  for (int i = 0; i < 2; i++) {
    char *p = map_file("mm_eof", O_RDONLY, 2 * PG, PROT_READ, flavours[i]);
    expect_pattern(p, PG + HALF, 1, 0, "file bytes through the mapping");
    expect_zeros(p + PG + HALF, HALF, "bytes past end of file");
    unmap_or_fail(p, 2 * PG);
  }
  unlink("mm_eof");
}

// MAP_PRIVATE stores stay in the process: the file never sees them.
static void
test_private_stays(void)
{
  make_file("mm_priv", PG + HALF, 2);
  char *p = map_file("mm_priv", O_RDWR, 2 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE);
  expect_pattern(p, PG + HALF, 2, 0, "private mapping before stores");
  fill_pattern(p, 2 * PG, 3, 0);
  expect_pattern(p, 2 * PG, 3, 0, "private mapping after stores");
  unmap_or_fail(p, 2 * PG);
  CHECK(size_of("mm_priv") == PG + HALF, "file size changed to %d", (int)size_of("mm_priv"));
  CHECK(slurp("mm_priv") == PG + HALF, "file reads back short");
  expect_pattern(databuf, PG + HALF, 2, 0, "file after private stores");
  unlink("mm_priv");
}

// A writable shared mapping needs a file open for writing; a private one
// does not, since its stores never go back to the file.
static void
test_readonly_fd(void)
{
  make_file("mm_rofd", 2 * PG, 4);
  int fd = open_or_fail("mm_rofd", O_RDONLY);

  errno = 0;
  char *p = mmap(0, 2 * PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  CHECK(p == MAP_FAILED, "shared writable mapping of an O_RDONLY fd succeeded");
  CHECK(errno == EACCES, "shared writable mapping of an O_RDONLY fd: errno %d, want %d", errno,
        EACCES);

  p = map_or_fail(2 * PG, PROT_READ, MAP_SHARED, fd, 0);
  expect_pattern(p, 2 * PG, 4, 0, "shared read-only mapping");
  unmap_or_fail(p, 2 * PG);

  p = map_or_fail(2 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
  close(fd);
  expect_pattern(p, 2 * PG, 4, 0, "private mapping of an O_RDONLY fd");
  fill_pattern(p, 2 * PG, 5, 0);
  expect_pattern(p, 2 * PG, 5, 0, "private mapping of an O_RDONLY fd after stores");
  unmap_or_fail(p, 2 * PG);
  CHECK(slurp("mm_rofd") == 2 * PG, "file reads back short");
  expect_pattern(databuf, 2 * PG, 4, 0, "file after private stores");
  unlink("mm_rofd");
}

// MAP_SHARED stores reach the file by munmap, but only the part inside the
// file: the file keeps its length, and a fresh mapping shows zeros again
// past the end.
static void
test_shared_writeback(void)
{
  make_file("mm_shwb", PG + HALF, 6);
  int fd = open_or_fail("mm_shwb", O_RDWR);
  char *p = map_or_fail(2 * PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  expect_pattern(p, PG + HALF, 6, 0, "shared mapping before stores");
  fill_pattern(p, 2 * PG, 7, 0);
  unmap_or_fail(p, 2 * PG);

  struct stat st;
  CHECK(fstat(fd, &st) == 0, "fstat failed");
  CHECK(st.size == PG + HALF, "write-back changed the file size to %d, want %d", (int)st.size,
        PG + HALF);
  CHECK(slurp("mm_shwb") == PG + HALF, "file reads back short");
  expect_pattern(databuf, PG + HALF, 7, 0, "file after shared stores");

  p = map_or_fail(2 * PG, PROT_READ, MAP_SHARED, fd, 0);
  expect_pattern(p, PG + HALF, 7, 0, "new mapping after write-back");
  expect_zeros(p + PG + HALF, HALF, "past end of file after write-back");
  unmap_or_fail(p, 2 * PG);
  close(fd);
  unlink("mm_shwb");
}

// munmap of pages that were never touched, or never mapped, succeeds.
static void
test_unmap_untouched(void)
{
  make_file("mm_untch", PG + HALF, 8);
  char *p = map_file("mm_untch", O_RDWR, 3 * PG, PROT_READ | PROT_WRITE, MAP_SHARED);
  unmap_or_fail(p + 2 * PG, PG);  // wholly past end of file, never touched
  unmap_or_fail(p + 2 * PG, PG);  // nothing is mapped there any more
  expect_pattern(p, PG + HALF, 8, 0, "rest of the mapping");
  expect_zeros(p + PG + HALF, HALF, "past end of file");
  unmap_or_fail(p, 2 * PG);
  unmap_or_fail(p, 3 * PG);  // all of it gone already

  p = map_file("mm_untch", O_RDONLY, 2 * PG, PROT_READ, MAP_PRIVATE);
  unmap_or_fail(p, 2 * PG);  // no page was ever touched
  CHECK(slurp("mm_untch") == PG + HALF, "file reads back short");
  expect_pattern(databuf, PG + HALF, 8, 0, "file afterwards");
  unlink("mm_untch");
}

// mmap reads nothing: data written to the file after mmap but before the
// first access shows through the mapping.
static void
test_lazy_read(void)
{
  static const int flavours[2] = { MAP_SHARED, MAP_PRIVATE };
  for (int i = 0; i < 2; i++) {
    make_file("mm_lazy", 2 * PG, 9);
    char *p = map_file("mm_lazy", O_RDONLY, 2 * PG, PROT_READ, flavours[i]);
    int fd = open_or_fail("mm_lazy", O_WRONLY);
    fill_pattern(databuf, 2 * PG, 10, 0);
    CHECK(write(fd, databuf, 2 * PG) == 2 * PG, "rewriting the file failed");
    close(fd);
    expect_pattern(p, 2 * PG, 10, 0, "mapping made before the file was rewritten");
    unmap_or_fail(p, 2 * PG);
  }
  unlink("mm_lazy");
}

// A mapping holds its own reference to the file: closing the fd and
// unlinking the file do not disturb it, and each mapping is separate.
static void
test_close_unlink(void)
{
  make_file("mm_cl_a", 2 * PG, 11);
  make_file("mm_cl_b", PG + HALF, 12);
  int fa = open_or_fail("mm_cl_a", O_RDONLY);
  int fb = open_or_fail("mm_cl_b", O_RDWR);
  char *a = map_or_fail(2 * PG, PROT_READ, MAP_PRIVATE, fa, 0);
  char *b = map_or_fail(2 * PG, PROT_READ | PROT_WRITE, MAP_SHARED, fb, 0);
  CHECK(a + 2 * PG <= b || b + 2 * PG <= a, "mappings overlap: %p and %p", a, b);
  close(fa);
  close(fb);
  CHECK(unlink("mm_cl_a") == 0 && unlink("mm_cl_b") == 0, "unlink failed");
  CHECK(open("mm_cl_a", O_RDONLY) < 0, "unlinked file still opens");

  expect_pattern(a, 2 * PG, 11, 0, "first mapping after close and unlink");
  expect_pattern(b, PG + HALF, 12, 0, "second mapping after close and unlink");
  expect_zeros(b + PG + HALF, HALF, "second mapping past end of file");
  b[0] = 'x';  // a store to the unlinked file; written back at munmap below

  unmap_or_fail(a, 2 * PG);
  CHECK(b[0] == 'x', "store into second mapping lost");
  expect_pattern(b + 1, PG + HALF - 1, 12, 1, "second mapping after first is gone");
  expect_killed(load_at, (uint64)a, "load from the unmapped first mapping");
  unmap_or_fail(b, 2 * PG);
}

// ---------------------------------------------------------------------------
// fork, exit and exec

static char *fork_map;  // the mapping a test_fork child inherits

static void
fork_child_reads(uint64 unused)
{
  (void)unused;
  expect_pattern(fork_map, 3 * PG + HALF, 13, 0, "child's view of the mapping");
  expect_zeros(fork_map + 3 * PG + HALF, HALF, "child's view past end of file");
  fill_pattern(fork_map, 4 * PG, 14, 0);  // private: must not reach the parent or the file
  expect_pattern(fork_map, 4 * PG, 14, 0, "child's stores");
}

// The child of fork sees the same mapping, touched pages or not; what it
// does to its private copy stays with it.
static void
test_fork(void)
{
  make_file("mm_fork", 3 * PG + HALF, 13);
  fork_map = map_file("mm_fork", O_RDWR, 4 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE);
  expect_pattern(fork_map, 16, 13, 0, "parent's page 0 before fork");
  expect_pattern(fork_map + 2 * PG, 16, 13, 2 * PG, "parent's page 2 before fork");
  expect_survives(fork_child_reads, 0, "child reading and writing the mapping");
  expect_pattern(fork_map, 3 * PG + HALF, 13, 0, "parent's view after the child exited");
  expect_zeros(fork_map + 3 * PG + HALF, HALF, "parent's view past end of file");
  unmap_or_fail(fork_map, 4 * PG);
  CHECK(slurp("mm_fork") == 3 * PG + HALF, "file reads back short");
  expect_pattern(databuf, 3 * PG + HALF, 13, 0, "file after the child's private stores");
  unlink("mm_fork");
}

// Helpers for test_exit_writeback: each maps mm_exit shared and writable,
// stores pattern 16 over it, and then leaves without munmap.
static char *
exit_child_prepare(void)
{
  char *p = map_file("mm_exit", O_RDWR, 2 * PG, PROT_READ | PROT_WRITE, MAP_SHARED);
  fill_pattern(p, 2 * PG, 16, 0);
  return p;
}

static void
exit_child_plain(uint64 unused)
{
  (void)unused;
  exit_child_prepare();
  exit(0);
}

static void
exit_child_killed(uint64 unused)
{
  (void)unused;
  char *p = map_file("mm_exit", O_RDONLY, PG, PROT_READ, MAP_PRIVATE);
  exit_child_prepare();
  store_at((uint64)p);  // read-only: the kernel kills us
}

static void
exit_child_exec(uint64 unused)
{
  (void)unused;
  exit_child_prepare();
  char *argv[] = { "mmaptest", "-noop", 0 };
  exec("/mmaptest", argv);
  FAIL("exec /mmaptest failed, errno %d", errno);
}

// exit, death by the kernel and exec all remove the mappings, writing the
// shared ones back.
static void
test_exit_writeback(void)
{
  static void (*const how[3])(uint64) = { exit_child_plain, exit_child_killed,
                                          exit_child_exec };
  static const int want_status[3] = { 0, -1, 0 };
  static const char *const what[3] = { "exit", "a kill", "exec" };
  for (int i = 0; i < 3; i++) {
    make_file("mm_exit", PG + HALF, 15);
    int st = status_of(how[i], 0);
    CHECK(st == want_status[i], "child ending by %s: status %d, want %d", what[i], st,
          want_status[i]);
    CHECK(size_of("mm_exit") == PG + HALF, "file size changed after %s", what[i]);
    CHECK(slurp("mm_exit") == PG + HALF, "file reads back short");
    expect_pattern(databuf, PG + HALF, 16, 0, what[i]);
  }
  unlink("mm_exit");
}

// ---------------------------------------------------------------------------
// Accesses the kernel must refuse

// test_touch_after_unmap's child. arg: the page to access (0 or 2), plus
// TOUCH_STORE for a store instead of a load, plus TOUCH_FIRST to touch
// every page before the munmap.
#define TOUCH_STORE 0x100
#define TOUCH_FIRST 0x200

static void
touch_after_unmap(uint64 arg)
{
  char *p = map_file("mm_gone", O_RDONLY, 3 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE);
  if (arg & TOUCH_FIRST)
    for (int i = 0; i < 3; i++)
      p[i * PG] = 1;
  unmap_or_fail(p, 3 * PG);
  uint64 addr = (uint64)p + (arg & 0xff) * PG + 17;
  if (arg & TOUCH_STORE)
    store_at(addr);
  else
    load_at(addr);
}

static void
test_touch_after_unmap(void)
{
  make_file("mm_gone", 3 * PG, 17);
  static const uint64 cases[] = {
    0,
    2,
    0 | TOUCH_STORE,
    2 | TOUCH_STORE,
    0 | TOUCH_FIRST,
    2 | TOUCH_FIRST | TOUCH_STORE,
  };
  for (int i = 0; i < (int)(sizeof(cases) / sizeof(cases[0])); i++)
    expect_killed(touch_after_unmap, cases[i], "access after munmap, case");
  unlink("mm_gone");
}

// test_store_readonly's child. arg: 0 = private mapping of an O_RDONLY fd,
// 1 = shared read-only mapping of an O_RDWR fd; plus TOUCH_FIRST to load
// the page before the store.
static void
store_readonly(uint64 arg)
{
  int shared = (arg & 0xff) == 1;
  char *p = map_file("mm_ro", shared ? O_RDWR : O_RDONLY, PG, PROT_READ,
                     shared ? MAP_SHARED : MAP_PRIVATE);
  if (arg & TOUCH_FIRST)
    expect_pattern(p, PG, 18, 0, "read-only mapping");
  store_at((uint64)p + 100);
}

// A store into a mapping without PROT_WRITE kills the process, and does
// not reach the file.
static void
test_store_readonly(void)
{
  make_file("mm_ro", PG, 18);
  expect_killed(store_readonly, 0, "store into private read-only mapping");
  expect_killed(store_readonly, 0 | TOUCH_FIRST, "store into private read-only mapping");
  expect_killed(store_readonly, 1, "store into shared read-only mapping");
  expect_killed(store_readonly, 1 | TOUCH_FIRST, "store into shared read-only mapping");
  CHECK(slurp("mm_ro") == PG, "file reads back short");
  expect_pattern(databuf, PG, 18, 0, "file after refused stores");
  unlink("mm_ro");
}

// ---------------------------------------------------------------------------
// munmap of parts of an area

// Map all 5 pages of mm_part (pattern 19) and load from the pages in
// `touch` (a bit mask of page numbers).
static char *
map_part_file(int mode, int prot, int flags, int touch)
{
  char *p = map_file("mm_part", mode, 5 * PG, prot, flags);
  for (int i = 0; i < 5; i++)
    if (touch & (1 << i))
      expect_pattern(p + i * PG, 8, 19, i * PG, "page loaded before munmap");
  return p;
}

static void
test_unmap_parts(void)
{
  make_file("mm_part", 5 * PG, 19);

  // Trim an area from the start, then from the end (with a length that is
  // not a page multiple: every page it reaches goes), then remove the rest.
  // Pages 1-3 are first touched after the trims, so they show whether the
  // area still knows which file offset each page has.
  char *p = map_part_file(O_RDONLY, PROT_READ, MAP_PRIVATE, 1 << 0 | 1 << 4);
  unmap_or_fail(p, PG);
  expect_killed(load_at, (uint64)p, "load from the unmapped first page");
  expect_pattern(p + PG, 4 * PG, 19, PG, "pages 1-4 after trimming the start");
  unmap_or_fail(p + 4 * PG, 10);
  expect_killed(load_at, (uint64)p + 4 * PG, "load from the unmapped last page");
  expect_pattern(p + PG, 3 * PG, 19, PG, "pages 1-3 after trimming the end");
  unmap_or_fail(p + PG, 3 * PG);
  for (int i = 1; i < 4; i++)
    expect_killed(load_at, (uint64)p + i * PG, "load after removing the whole area");

  // A hole in a shared writable area: both sides stay, with the right file
  // offsets, and every page's stores end up in the file.
  int fd = open_or_fail("mm_part", O_RDWR);
  p = map_or_fail(5 * PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  close(fd);
  fill_pattern(p, 5 * PG, 20, 0);
  unmap_or_fail(p + PG, 2 * PG);
  expect_killed(load_at, (uint64)p + PG, "load from the hole");
  expect_killed(store_at, (uint64)p + 2 * PG + PG - 1, "store into the hole");
  expect_pattern(p, PG, 20, 0, "page below the hole");
  expect_pattern(p + 3 * PG, 2 * PG, 20, 3 * PG, "pages above the hole");
  CHECK(slurp("mm_part") == 5 * PG, "file reads back short");
  expect_pattern(databuf + PG, 2 * PG, 20, PG, "file pages written back from the hole");
  p[3 * PG + 5] = 'y';
  unmap_or_fail(p + 3 * PG, 2 * PG);
  unmap_or_fail(p, PG);
  CHECK(slurp("mm_part") == 5 * PG, "file reads back short");
  CHECK(databuf[3 * PG + 5] == 'y', "store above the hole did not reach file page 3");
  databuf[3 * PG + 5] = file_byte(20, 3 * PG + 5);
  expect_pattern(databuf, 5 * PG, 20, 0, "file after all pieces were unmapped");

  // One munmap across two areas removes both.
  make_file("mm_part", 5 * PG, 19);
  char *a = map_part_file(O_RDONLY, PROT_READ, MAP_PRIVATE, 0x1f);
  char *b = map_part_file(O_RDONLY, PROT_READ, MAP_SHARED, 0x1f);
  char *lo = a < b ? a : b;
  char *hi = a < b ? b : a;
  unmap_or_fail(lo, hi + 5 * PG - lo);
  expect_killed(load_at, (uint64)a, "load from the first of two areas unmapped together");
  expect_killed(load_at, (uint64)b + 4 * PG, "load from the second of two areas");
  unlink("mm_part");
}

// ---------------------------------------------------------------------------
// Arguments

static void
expect_mmap_error(uint64 len, int prot, int flags, int fd, uint64 off, int want,
                  const char *what)
{
  errno = 0;
  char *p = mmap(0, len, prot, flags, fd, off);
  CHECK(p == MAP_FAILED, "mmap with %s succeeded (%p)", what, p);
  CHECK(errno == want, "mmap with %s: errno %d, want %d", what, errno, want);
}

static void
expect_munmap_error(void *addr, uint64 len, int want, const char *what)
{
  errno = 0;
  int r = munmap(addr, len);
  CHECK(r == -1, "munmap with %s returned %d, want -1", what, r);
  CHECK(errno == want, "munmap with %s: errno %d, want %d", what, errno, want);
}

static void
test_bad_args(void)
{
  const int RW = PROT_READ | PROT_WRITE;
  make_file("mm_args", PG, 21);
  int rw = open_or_fail("mm_args", O_RDWR);
  int ro = open_or_fail("mm_args", O_RDONLY);
  int wo = open_or_fail("mm_args", O_WRONLY);

  // Descriptors that name no open file.
  int closed = open_or_fail("mm_args", O_RDONLY);
  close(closed);
  expect_mmap_error(PG, PROT_READ, MAP_SHARED, -1, 0, EBADF, "fd -1");
  expect_mmap_error(PG, PROT_READ, MAP_SHARED, NOFILE, 0, EBADF, "fd NOFILE");
  expect_mmap_error(PG, PROT_READ, MAP_SHARED, closed, 0, EBADF, "a closed fd");

  // Files that cannot be mapped this way.
  int dir = open_or_fail("/", O_RDONLY);
  int con = open_or_fail("console", O_RDWR);
  int fds[2];
  CHECK(pipe(fds) == 0, "pipe failed");
  expect_mmap_error(PG, RW, MAP_SHARED, ro, 0, EACCES, "shared+write on O_RDONLY");
  expect_mmap_error(PG, PROT_READ, MAP_PRIVATE, wo, 0, EACCES, "an O_WRONLY fd");
  expect_mmap_error(PG, PROT_READ, MAP_PRIVATE, dir, 0, EACCES, "a directory");
  expect_mmap_error(PG, PROT_READ, MAP_SHARED, con, 0, EACCES, "the console");
  expect_mmap_error(PG, PROT_READ, MAP_PRIVATE, fds[0], 0, EACCES, "a pipe");
  close(dir);
  close(con);
  close(fds[0]);
  close(fds[1]);

  // Bad lengths, protections, flags and offsets, on a good descriptor.
  expect_mmap_error(0, PROT_READ, MAP_SHARED, rw, 0, EINVAL, "length 0");
  expect_mmap_error(PG, 0, MAP_SHARED, rw, 0, EINVAL, "prot 0");
  expect_mmap_error(PG, 0x10, MAP_SHARED, rw, 0, EINVAL, "prot 0x10");
  expect_mmap_error(PG, PROT_READ | 0x10, MAP_SHARED, rw, 0, EINVAL, "prot READ|0x10");
  expect_mmap_error(PG, PROT_READ, 0, rw, 0, EINVAL, "flags 0");
  expect_mmap_error(PG, PROT_READ, MAP_SHARED | MAP_PRIVATE, rw, 0, EINVAL,
                    "flags SHARED|PRIVATE");
  expect_mmap_error(PG, PROT_READ, 0x10 | MAP_PRIVATE, rw, 0, EINVAL, "flags PRIVATE|0x10");
  expect_mmap_error(PG, PROT_READ, MAP_SHARED, rw, 100, EINVAL, "offset 100");
  expect_mmap_error(PG, PROT_READ, MAP_SHARED, rw, PG + 1, EINVAL, "offset PG+1");
  expect_mmap_error(PG, PROT_READ, MAP_SHARED, rw, -PG, EINVAL, "offset -PG");

  // No address range is that long.
  expect_mmap_error(MAXVA - PG, PROT_READ, MAP_SHARED, rw, 0, ENOMEM, "length MAXVA-PG");

  // NMMAP areas fit; one more does not, until one is given back.
  static char *areas[NMMAP];
  for (int i = 0; i < NMMAP; i++)
    areas[i] = map_or_fail(PG, PROT_READ, MAP_SHARED, ro, 0);
  expect_mmap_error(PG, PROT_READ, MAP_SHARED, ro, 0, ENOMEM, "every area slot in use");
  unmap_or_fail(areas[3], PG);
  areas[3] = map_or_fail(PG, PROT_READ, MAP_SHARED, ro, 0);
  for (int i = 0; i < NMMAP; i++) {
    expect_pattern(areas[i], 64, 21, 0, "one of NMMAP areas");
    unmap_or_fail(areas[i], PG);
  }

  // munmap arguments.
  char *p = map_or_fail(2 * PG, PROT_READ, MAP_SHARED, rw, 0);
  expect_munmap_error(p + 1, PG, EINVAL, "an unaligned address");
  expect_munmap_error(p + HALF, PG, EINVAL, "an address in mid-page");
  expect_munmap_error(p, 0, EINVAL, "length 0");
  expect_munmap_error((void *)MAXVA, PG, EINVAL, "address MAXVA");
  expect_pattern(p, PG, 21, 0, "mapping after refused munmaps");
  unmap_or_fail(p, 2 * PG);

  close(rw);
  close(ro);
  close(wo);
  unlink("mm_args");
}

// Two areas of 2^37 bytes cannot both fit below MAXVA = 2^38: the second
// (at the latest) must fail with ENOMEM. Nothing is touched, so the areas
// cost no pages.
static void
test_huge_length(void)
{
  make_file("mm_huge", PG, 22);
  int fd = open_or_fail("mm_huge", O_RDONLY);
  uint64 len = 1L << 37;
  errno = 0;
  char *p = mmap(0, len, PROT_READ, MAP_PRIVATE, fd, 0);
  if (p != MAP_FAILED) {
    CHECK((uint64)p + len <= MAXVA, "area of 2^37 bytes at %p passes MAXVA", p);
    expect_pattern(p, PG, 22, 0, "start of a 2^37-byte area");
    expect_mmap_error(len, PROT_READ, MAP_PRIVATE, fd, 0, ENOMEM, "a second 2^37-byte area");
    unmap_or_fail(p, len);
  } else {
    CHECK(errno == ENOMEM, "mmap of 2^37 bytes: errno %d, want %d", errno, ENOMEM);
  }
  close(fd);
  unlink("mm_huge");
}

// A nonzero offset maps the file from there, and shared stores go back to
// the same place.
static void
test_offset(void)
{
  make_file("mm_off", 3 * PG, 23);
  int fd = open_or_fail("mm_off", O_RDWR);
  char *p = map_or_fail(2 * PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, PG);
  char *q = map_or_fail(PG, PROT_READ, MAP_PRIVATE, fd, 2 * PG);
  close(fd);
  expect_pattern(p, 2 * PG, 23, PG, "mapping from offset PG");
  expect_pattern(q, PG, 23, 2 * PG, "mapping from offset 2*PG");
  fill_pattern(p, PG, 24, PG);
  unmap_or_fail(p, 2 * PG);
  CHECK(slurp("mm_off") == 3 * PG, "file reads back short");
  expect_pattern(databuf, PG, 23, 0, "file page 0 (outside the mapping)");
  expect_pattern(databuf + PG, PG, 24, PG, "file page 1 (stored through the mapping)");
  expect_pattern(databuf + 2 * PG, PG, 23, 2 * PG, "file page 2 (loaded only)");
  unmap_or_fail(q, PG);
  unlink("mm_off");
}

// File offsets of 4 GiB and more are far past the end of any file here:
// such pages read as zero and stores to them never reach the file (a
// 32-bit offset would wrap around to the file's first page).
static void
test_far_offset(void)
{
  const uint64 far = 1L << 32;
  make_file("mm_far", PG, 25);
  int fd = open_or_fail("mm_far", O_RDWR);
  char *p = map_or_fail(far + PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  char *q = map_or_fail(PG, PROT_READ, MAP_PRIVATE, fd, far);
  close(fd);
  // Stores first, so that a wrapped write-back shows up as a changed file
  // before the loads below stop the test. Under the page cache such a
  // touch kills the process (the SIGBUS rule), in a child here.
  if (cache_policy) {
    int pid = fork();
    CHECK(pid >= 0, "fork failed");
    if (pid == 0) {
      p[far] = 1;
      exit(0);
    }
    int st = 0;
    wait(&st);
    CHECK(st == -1, "a store 4 GiB past end of file: child exited %d, not -1", st);
  } else {
    fill_pattern(p + far, PG, 26, 0);
  }
  expect_pattern(p, PG, 25, 0, "first page of the long mapping");
  unmap_or_fail(p, far + PG);
  CHECK(size_of("mm_far") == PG, "file size changed to %d", (int)size_of("mm_far"));
  CHECK(slurp("mm_far") == PG, "file reads back short");
  expect_pattern(databuf, PG, 25, 0, "file after a store 4 GiB into a mapping");
  if (cache_policy) {
    int pid = fork();
    CHECK(pid >= 0, "fork failed");
    if (pid == 0) {
      sink = q[0];
      exit(0);
    }
    int st = 0;
    wait(&st);
    CHECK(st == -1, "a load at file offset 4 GiB: child exited %d, not -1", st);
  } else {
    expect_zeros(q, PG, "mapping at file offset 4 GiB");
  }
  unmap_or_fail(q, PG);
  unlink("mm_far");
}

// ---------------------------------------------------------------------------
// The heap and the mappings share the address space without meeting

static void
test_sbrk_limit(void)
{
  make_file("mm_sbrk", PG, 27);
  int fd = open_or_fail("mm_sbrk", O_RDONLY);
  char *top = map_or_fail(PG, PROT_READ, MAP_PRIVATE, fd, 0);
  uint64 brk = (uint64)sbrk(0);
  CHECK((uint64)top >= PGROUNDUP(brk), "mapping at %p is below the break %p", top, brk);

  // An area filling nearly all the room below `top` leaves a gap of 8
  // pages above the heap (if the kernel packs areas top-down; if it puts
  // the area lower, the gap only shrinks).
  uint64 gap = 8 * PG;
  uint64 len = (uint64)top - PGROUNDUP(brk) - gap;
  char *big = map_or_fail(len, PROT_READ, MAP_PRIVATE, fd, 0);
  close(fd);
  CHECK((uint64)big >= PGROUNDUP(brk), "area at %p is below the break %p", big, brk);
  uint64 room = (uint64)big - brk;
  CHECK(room <= gap + PG, "room above the heap is %p bytes, expected at most %p", room, gap + PG);

  // The heap may grow up to the lowest area, never into it.
  CHECK(sbrk(room + PG) == SBRK_ERROR, "sbrk past the lowest area succeeded");
  CHECK(sbrklazy(room + PG) == SBRK_ERROR, "sbrklazy past the lowest area succeeded");
  CHECK(sbrk(0x7fffffff) == SBRK_ERROR, "sbrk(2^31-1) succeeded");
  CHECK((uint64)sbrk(0) == brk, "failed sbrk calls moved the break");
  CHECK(sbrk(PG) != SBRK_ERROR, "sbrk of one page below the area failed");
  CHECK(sbrklazy(PGROUNDDOWN((uint64)big - (uint64)sbrk(0))) != SBRK_ERROR,
        "sbrklazy up to the area failed");
  CHECK((uint64)sbrk(0) <= (uint64)big, "break %p is inside the area at %p", sbrk(0), big);
  CHECK(sbrklazy(PG) == SBRK_ERROR, "sbrklazy into the area succeeded");

  // The areas are intact, and a new one cannot be placed over the heap.
  expect_pattern(big, PG, 27, 0, "the big area");
  expect_pattern(top, PG, 27, 0, "the top area");
  uint64 heap_end = (uint64)sbrk(0);
  fd = open_or_fail("mm_sbrk", O_RDONLY);
  errno = 0;
  char *extra = mmap(0, 2 * PG, PROT_READ, MAP_PRIVATE, fd, 0);
  close(fd);
  if (extra == MAP_FAILED)
    CHECK(errno == ENOMEM, "mmap with no room left: errno %d, want %d", errno, ENOMEM);
  else
    CHECK((uint64)extra >= heap_end, "new area at %p is below the break %p", extra, heap_end);
  unmap_or_fail(big, len);
  unmap_or_fail(top, PG);
  unlink("mm_sbrk");
}

// ---------------------------------------------------------------------------
// System calls that read or write mapped memory

static void
test_syscall_buffers(void)
{
  make_file("mm_sys", 2 * PG, 28);
  int fd = open_or_fail("mm_sys", O_RDWR);
  char *p = map_or_fail(2 * PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);

  // write() from an untouched page of the very file being written.
  CHECK(write(fd, p, PG) == PG, "write() from an untouched mapped page failed");
  // read() into an untouched page of a private mapping of the same file.
  int fd2 = open_or_fail("mm_sys", O_RDONLY);
  char *q = map_or_fail(2 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd2, 0);
  CHECK(read(fd2, q + PG, PG) == PG, "read() into an untouched mapped page failed");
  expect_pattern(q, PG, 28, 0, "private page 0");
  expect_pattern(q + PG, PG, 28, 0, "private page 1 (read() of file page 0)");

  // read() into a read-only mapping fails without killing us.
  char *r = map_or_fail(PG, PROT_READ, MAP_PRIVATE, fd2, 0);
  CHECK(read(fd2, r, 16) == -1, "read() into a read-only mapping succeeded");
  CHECK(errno == EFAULT, "read() into a read-only mapping: errno %d, want %d", errno, EFAULT);
  expect_pattern(r, PG, 28, 0, "read-only mapping after the refused read()");

  unmap_or_fail(p, 2 * PG);
  unmap_or_fail(q, 2 * PG);
  unmap_or_fail(r, PG);
  close(fd);
  close(fd2);
  CHECK(slurp("mm_sys") == 2 * PG, "file reads back short");
  expect_pattern(databuf, 2 * PG, 28, 0, "file after write() from its own mapping");
  unlink("mm_sys");
}

// ---------------------------------------------------------------------------
// System calls get exactly the access the process itself has

// RISC-V `ret` (jalr x0, 0(ra)): a function that returns at once.
#define RISCV_RET 0x00008067u

// A system call may read a mapped page only if the process could load from
// it, and write one only if it could store to it -- also after the page
// is present. An exec-only page becomes present when the process jumps
// into it; write() from it must still fail, as a load would. A read-only
// page is present after a load; read() into it must still fail.
static void
test_exec_only(void)
{
  unlink("mm_xo");
  int fd = open_or_fail("mm_xo", O_CREATE | O_RDWR);
  uint32 code = RISCV_RET;
  CHECK(write(fd, &code, sizeof(code)) == sizeof(code), "cannot write mm_xo");
  close(fd);
  int fds[2];
  CHECK(pipe(fds) == 0, "pipe");

  char *x = map_file("mm_xo", O_RDONLY, PG, PROT_EXEC, MAP_PRIVATE);
  CHECK(write(fds[1], x, 16) == -1 && errno == EFAULT,
        "write() from an untouched exec-only page: not EFAULT (errno %d)", errno);
  void (*fn)(void) = (void (*)(void))opaque((uint64)x);
  fn();  // the instruction fetch maps the page, execute-only
  CHECK(write(fds[1], x, 16) == -1, "write() copied out of a present exec-only page");
  CHECK(errno == EFAULT, "write() from an exec-only page: errno %d, want %d", errno, EFAULT);
  CHECK(open(x, O_RDONLY) == -1 && errno == EFAULT,
        "open() took its path from an exec-only page (errno %d)", errno);

  make_file("mm_ro2", PG, 31);
  int rfd = open_or_fail("mm_ro2", O_RDONLY);
  char *r = map_or_fail(PG, PROT_READ, MAP_PRIVATE, rfd, 0);
  expect_pattern(r, 16, 31, 0, "read-only page");  // now present
  CHECK(read(rfd, r, 16) == -1 && errno == EFAULT,
        "read() into a present read-only page: not EFAULT (errno %d)", errno);
  expect_pattern(r, PG, 31, 0, "read-only page after the refused read()");

  unmap_or_fail(x, PG);
  unmap_or_fail(r, PG);
  close(rfd);
  close(fds[0]);
  close(fds[1]);
  unlink("mm_xo");
  unlink("mm_ro2");
}

// ---------------------------------------------------------------------------
// Counters

static void
test_counters(void)
{
  make_file("mm_cnt", 4 * PG, 29);
  int fd = open_or_fail("mm_cnt", O_RDWR);

  // One fault per distinct page touched, however often it is touched
  // (with fault-around off: it maps untouched neighbours of a read).
  long old_window = knob(KNOB_FAULTAROUND, 1);
  CHECK(old_window >= 1, "cannot turn fault-around off, errno %d", errno);
  char *p = map_or_fail(4 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
  read_kstats(&ks_a);
  sink = p[0];
  sink = p[10];
  sink = p[2 * PG + 5];
  sink = p[2 * PG + PG - 1];
  p[3 * PG + 1] = 'z';
  p[3 * PG + 2] = 'z';
  read_kstats(&ks_b);
  knob(KNOB_FAULTAROUND, old_window);
  uint64 faults = ks_b.faults - ks_a.faults;
  CHECK(faults == 3, "touching 3 pages counted %d mapping faults", (int)faults);
  read_kstats(&ks_a);
  unmap_or_fail(p, 4 * PG);
  read_kstats(&ks_b);
  CHECK(ks_b.writeback_pages == ks_a.writeback_pages,
        "unmapping a private mapping wrote %d pages",
        (int)(ks_b.writeback_pages - ks_a.writeback_pages));

  // Shared read-only pages are never written back.
  p = map_or_fail(2 * PG, PROT_READ, MAP_SHARED, fd, 0);
  sink = p[0] + p[PG];
  read_kstats(&ks_a);
  unmap_or_fail(p, 2 * PG);
  read_kstats(&ks_b);
  CHECK(ks_b.writeback_pages == ks_a.writeback_pages,
        "unmapping a read-only shared mapping wrote %d pages",
        (int)(ks_b.writeback_pages - ks_a.writeback_pages));

  // Stores into 2 shared pages: at most those 2 are written back.
  p = map_or_fail(4 * PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  p[PG] = 'a';
  p[3 * PG] = 'b';
  read_kstats(&ks_a);
  unmap_or_fail(p, 4 * PG);
  read_kstats(&ks_b);
  uint64 written = ks_b.writeback_pages - ks_a.writeback_pages;
  CHECK(written >= 1 && written <= 2, "2 stored pages: %d written back", (int)written);
  close(fd);

  // A page wholly past the end of the file is never written back (under
  // the page cache, touching it kills the process instead).
  make_file("mm_cnt", PG + HALF, 30);
  fd = open_or_fail("mm_cnt", O_RDWR);
  p = map_or_fail(3 * PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  close(fd);
  if (cache_policy) {
    int pid = fork();
    CHECK(pid >= 0, "fork failed");
    if (pid == 0) {
      p[2 * PG] = 1;
      exit(0);
    }
    int st = 0;
    wait(&st);
    CHECK(st == -1, "a store to a page past end of file: child exited %d, not -1", st);
  } else {
    fill_pattern(p + 2 * PG, PG, 31, 0);
  }
  read_kstats(&ks_a);
  unmap_or_fail(p, 3 * PG);
  read_kstats(&ks_b);
  CHECK(ks_b.writeback_pages == ks_a.writeback_pages,
        "a page past end of file: %d written back",
        (int)(ks_b.writeback_pages - ks_a.writeback_pages));
  CHECK(size_of("mm_cnt") == PG + HALF, "file grew to %d", (int)size_of("mm_cnt"));
  CHECK(slurp("mm_cnt") == PG + HALF, "file reads back short");
  expect_pattern(databuf, PG + HALF, 30, 0, "file after stores past its end");
  unlink("mm_cnt");
}

// ---------------------------------------------------------------------------
// The suite

static const struct test tests[] = {
  { "eof_zero", test_eof_zero },
  { "private_stays", test_private_stays },
  { "readonly_fd", test_readonly_fd },
  { "shared_writeback", test_shared_writeback },
  { "unmap_untouched", test_unmap_untouched },
  { "lazy_read", test_lazy_read },
  { "close_unlink", test_close_unlink },
  { "fork", test_fork },
  { "touch_after_unmap", test_touch_after_unmap },
  { "store_readonly", test_store_readonly },
  { "unmap_parts", test_unmap_parts },
  { "exit_writeback", test_exit_writeback },
  { "bad_args", test_bad_args },
  { "huge_length", test_huge_length },
  { "offset", test_offset },
  { "far_offset", test_far_offset },
  { "sbrk_limit", test_sbrk_limit },
  { "syscall_buffers", test_syscall_buffers },
  { "exec_only", test_exec_only },
  { "counters", test_counters },
};
#define NTESTS ((int)(sizeof(tests) / sizeof(tests[0])))

int main(int argc, char *argv[])
{
  if (argc == 2 && strcmp(argv[1], "-noop") == 0)
    exit(0);
  if (argc >= 3 && strcmp(argv[1], "-p") == 0) {
    int naive = strcmp(argv[2], "naive") == 0;
    if (!naive && strcmp(argv[2], "cache") != 0) {
      printf("usage: mmaptest [-p naive|cache] [NAME]\n");
      exit(2);
    }
    if (knob(KNOB_POLICY, naive ? MMAP_POLICY_NAIVE : MMAP_POLICY_CACHE) < 0) {
      printf("mmaptest: cannot choose the policy, errno %d\n", errno);
      exit(1);
    }
    argc -= 2;
    argv += 2;
  }
  // Which policy new areas get: set it to itself and look at the answer.
  long pol = knob(KNOB_POLICY, MMAP_POLICY_CACHE);
  knob(KNOB_POLICY, pol);
  cache_policy = pol == MMAP_POLICY_CACHE;
  printf("mmaptest: policy %s\n", cache_policy ? "cache" : "naive");
  const char *only = argc >= 2 ? argv[1] : 0;
  suite_start("mmaptest", tests, NTESTS, only);
  suite_end("mmaptest", suite_run(tests, NTESTS, only, run_leak_checked_alone));
}
