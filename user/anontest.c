// anontest.c -- tests of anonymous mappings: mmap(0, len, prot,
// MAP_ANONYMOUS | MAP_PRIVATE or MAP_SHARED, -1, 0).
//
// Usage: anontest [NAME]   run every test (or only test NAME) under the
//                          kernel's current knobs: the mapping policy,
//                          svade and the cache limit (make test runs it
//                          under each; anonymous areas must behave the same
//                          whatever they are), printed first
//        anontest -x PAGES (helper mode) exit 0 if at least PAGES pages
//                          are free: exec_releases execs this to see that
//                          exec gave back the caller's anonymous memory
//
// Each test runs in a forked child (testlib.h's suite), and after it the
// free page count, the open-file count and the count of referenced
// in-memory inodes must be back where they were (run_leak_checked): an
// anonymous page, or a shared area's memory object, that outlived its
// last mapping fails the test that made it.
//
// Writing tests here. The user stack is one page: keep buffers static.
// Bytes stored into anonymous memory come from file_byte() (testlib.h),
// never zero, so a page of zeros cannot pass for stored data, nor stored
// data for a fresh page.

#include "kernel/param.h"
#include "kernel/fcntl.h"
#include "kernel/types.h"
#include "kernel/riscv.h"
#include "kernel/errno.h"
#include "kernel/kstats.h"
#include "kernel/knobs.h"
#include "user/user.h"
#include "user/testlib.h"

#define PG PGSIZE
#define RW (PROT_READ | PROT_WRITE)
#define PRIV (MAP_ANONYMOUS | MAP_PRIVATE)
#define SHARED (MAP_ANONYMOUS | MAP_SHARED)

// An anonymous area of npages pages; the test fails if mmap does.
static char *
map_anon(uint64 npages, int prot, int flags)
{
  char *p = mmap(0, npages * PG, prot, flags, -1, 0);
  CHECK(p != MAP_FAILED, "mmap of %d anonymous pages (flags %x) failed, errno %d",
        (int)npages, flags, errno);
  return p;
}

static void
unmap(char *p, uint64 npages)
{
  CHECK(munmap(p, npages * PG) == 0, "munmap of %d pages at %p failed, errno %d",
        (int)npages, p, errno);
}

// Index of the first nonzero byte of p[0..n), or -1.
static long
nonzero_at(const char *p, uint64 n)
{
  for (uint64 i = 0; i < n; i++)
    if (p[i] != 0)
      return (long)i;
  return -1;
}

static void
check_zero(const char *p, uint64 n, const char *what)
{
  long at = nonzero_at(p, n);
  CHECK(at < 0, "%s: byte %d is %d, want 0", what, (int)at, p[at]);
}

// Pattern `seed` into page i of p (as at offset i * PG), and its check.
static void
fill_page(char *p, int i, int seed)
{
  fill_pattern(p + (uint64)i * PG, PG, seed, (uint64)i * PG);
}

static void
check_page(const char *p, int i, int seed, const char *what)
{
  long at = mismatch(p + (uint64)i * PG, PG, seed, (uint64)i * PG);
  CHECK(at < 0, "%s: page %d byte %d is %d, want %d", what, i, (int)at,
        p[(uint64)i * PG + at], file_byte(seed, (uint64)i * PG + at));
}

static uint64
zero_fills(void)
{
  struct kstats k;
  read_kstats(&k);
  return k.anon_zero_fills;
}

// Pipes as one-shot signals between a parent and a child.
static void
signal_fd(int fd)
{
  CHECK(write(fd, "x", 1) == 1, "cannot signal");
}

static void
await(int fd)
{
  char c;
  CHECK(read(fd, &c, 1) == 1, "no signal from the other side");
}

// Waits for child pid, which must exit with status want.
static void
reap(int pid, int want, const char *who)
{
  int st = -99;
  CHECK(wait(&st) == pid, "wait lost the %s", who);
  CHECK(st == want, "%s exited with status %d, want %d", who, st, want);
}

// ---------------------------------------------------------------------------
// Private anonymous memory

#define ZPAGES 16

// Every byte of a fresh area reads 0, before and after stores to its
// neighbours, and each page touched is zero-filled exactly once.
static void
zero_fill_private(void)
{
  uint64 fills = zero_fills();
  char *p = map_anon(ZPAGES, RW, PRIV);
  p[5 * PG] = 7;  // a store first: the pages around it must still be zeros
  p[6 * PG - 1] = 9;
  check_zero(p + 4 * PG, PG, "page 4, next to a stored page");
  check_zero(p + 5 * PG + 1, PG - 2, "the rest of the stored page");
  check_zero(p + 6 * PG, PG, "page 6, next to a stored page");
  CHECK(p[5 * PG] == 7 && p[6 * PG - 1] == 9, "stores lost");
  check_zero(p, 4 * PG, "pages 0-3");
  check_zero(p + 7 * PG, (ZPAGES - 7) * PG, "pages 7-15");
  uint64 n = zero_fills() - fills;
  CHECK(n == ZPAGES, "%d zero fills for %d pages touched", (int)n, ZPAGES);
  unmap(p, ZPAGES);
  // A read-only area reads zeros too (and an exec-capable one).
  char *r = map_anon(ZPAGES, PROT_READ, PRIV);
  check_zero(r, ZPAGES * PG, "a PROT_READ area");
  unmap(r, ZPAGES);
  char *x = map_anon(1, PROT_READ | PROT_EXEC, PRIV);
  check_zero(x, PG, "a PROT_READ|PROT_EXEC area");
  unmap(x, 1);
}

#define IPAGES 4  // pages 0, 1 touched before the fork; 2, 3 after

// After fork, neither side sees the other's stores: pages touched before
// the fork (shared copy-on-write) and after it (each side's own zeros).
static void
private_isolation(void)
{
  char *p = map_anon(IPAGES, RW, PRIV);
  fill_page(p, 0, 1);
  fill_page(p, 1, 1);
  int to_child[2], to_parent[2];
  CHECK(pipe(to_child) == 0 && pipe(to_parent) == 0, "pipe failed");
  int pid = fork();
  CHECK(pid >= 0, "fork failed");
  if (pid == 0) {
    check_page(p, 0, 1, "child, before its stores");
    fill_page(p, 0, 2);  // copy-on-write
    fill_page(p, 2, 2);  // first touch, after the fork
    signal_fd(to_parent[1]);
    await(to_child[0]);  // the parent has stored into pages 1 and 3
    check_page(p, 0, 2, "child's own store");
    check_page(p, 1, 1, "child, page 1 after the parent stored into it");
    check_page(p, 2, 2, "child's own first touch");
    check_zero(p + 3 * PG, PG, "child, page 3 after the parent touched it");
    exit(0);
  }
  await(to_parent[0]);  // the child has stored into pages 0 and 2
  check_page(p, 0, 1, "parent, page 0 after the child stored into it");
  check_zero(p + 2 * PG, PG, "parent, page 2 after the child touched it");
  fill_page(p, 1, 3);
  fill_page(p, 3, 3);
  signal_fd(to_child[1]);
  reap(pid, 0, "child");
  check_page(p, 0, 1, "parent, page 0 at the end");
  check_page(p, 1, 3, "parent's own store");
  check_page(p, 3, 3, "parent's own first touch");
  check_zero(p + 2 * PG, PG, "parent, page 2 at the end");
  unmap(p, IPAGES);
  close(to_child[0]), close(to_child[1]), close(to_parent[0]), close(to_parent[1]);
}

// The flags and arguments mmap refuses with MAP_ANONYMOUS.
static void
bad_args(void)
{
  static const struct {
    uint64 len;
    int flags, fd;
    uint64 off;
    const char *what;
  } bad[] = {
    {PG, PRIV, 0, 0, "private, fd 0"},
    {PG, SHARED, 0, 0, "shared, fd 0"},
    {PG, PRIV, 3, 0, "private, fd 3"},
    {PG, SHARED, -2, 0, "shared, fd -2"},
    {PG, PRIV, -1, PG, "private, offset one page"},
    {PG, SHARED, -1, PG, "shared, offset one page"},
    {PG, PRIV, -1, 1, "private, offset 1"},
    {0, PRIV, -1, 0, "private, length 0"},
    {0, SHARED, -1, 0, "shared, length 0"},
    {PG, MAP_ANONYMOUS, -1, 0, "neither shared nor private"},
    {PG, MAP_ANONYMOUS | MAP_SHARED | MAP_PRIVATE, -1, 0, "both shared and private"},
  };
  for (int i = 0; i < (int)(sizeof(bad) / sizeof(bad[0])); i++) {
    errno = 0;
    char *p = mmap(0, bad[i].len, RW, bad[i].flags, bad[i].fd, bad[i].off);
    CHECK(p == MAP_FAILED && errno == EINVAL, "mmap with %s: returned %p, errno %d, want EINVAL",
          bad[i].what, p, errno);
  }
  // An open descriptor is not taken either (fd 0 above is the console).
  int fd = open("README", O_RDONLY);
  CHECK(fd >= 0, "cannot open README");
  errno = 0;
  char *p = mmap(0, PG, PROT_READ, PRIV, fd, 0);
  CHECK(p == MAP_FAILED && errno == EINVAL, "mmap of an open file with MAP_ANONYMOUS: %p, errno %d",
        p, errno);
  close(fd);
}

static void
store_first(uint64 addr)
{
  store_at(addr);
}

static void
load_then_store(uint64 addr)
{
  load_at(addr);
  store_at(addr);
}

// A store into a PROT_READ anonymous area kills the process, whether the
// page was touched or not; loads survive.
static void
readonly_store_private(void)
{
  char *p = map_anon(2, PROT_READ, PRIV);
  expect_survives(load_at, (uint64)p, "load from a PROT_READ private area");
  expect_killed(store_first, (uint64)p, "store into an untouched PROT_READ private page");
  expect_killed(load_then_store, (uint64)p + PG, "store into a read PROT_READ private page");
  unmap(p, 2);
}

#define HPAGES 8

// munmap of the middle of an area leaves a hole that kills a toucher, and
// the pages around it keep their data (the area is split in two).
static void
hole(int flags, const char *what)
{
  char *p = map_anon(HPAGES, RW, flags);
  for (int i = 0; i < HPAGES; i++)
    fill_page(p, i, 4);
  unmap(p + 3 * PG, 2);
  for (int i = 0; i < HPAGES; i++)
    if (i != 3 && i != 4)
      check_page(p, i, 4, what);
  expect_killed(load_at, (uint64)p + 3 * PG, "load from the hole");
  expect_killed(store_at, (uint64)p + 5 * PG - 1, "store into the hole");
  // Both halves are areas in their own right: a child sees them too.
  int pid = fork();
  CHECK(pid >= 0, "fork failed");
  if (pid == 0) {
    check_page(p, 2, 4, "child, below the hole");
    check_page(p, 5, 4, "child, above the hole");
    exit(0);
  }
  reap(pid, 0, "child");
  unmap(p, 3);
  unmap(p + 5 * PG, HPAGES - 5);
}

static void
hole_private(void)
{
  hole(PRIV, "private area around a hole");
}

#define XPAGES 256  // touched before exec: far more than exec's own slack

// exec gives back the caller's anonymous memory: the new program finds
// nearly all of it free again (helper mode -x).
static void
exec_releases(void)
{
  struct kstats k;
  read_kstats(&k);
  uint64 before = k.free_pages;
  char *p = map_anon(XPAGES, RW, PRIV);
  for (int i = 0; i < XPAGES; i++)
    p[(uint64)i * PG] = 1;
  read_kstats(&k);
  CHECK(k.free_pages + XPAGES <= before, "touching %d pages took only %d", XPAGES,
        (int)(before - k.free_pages));
  // What exec may keep for itself: the new image and page tables.
  static char arg[24];
  uint64 want = before - XPAGES / 4;
  char *s = arg + sizeof(arg) - 1;
  *s = 0;
  do {
    *--s = '0' + want % 10;
    want /= 10;
  } while (want);
  char *argv[] = {"anontest", "-x", s, 0};
  exec("anontest", argv);
  FAIL("exec of anontest failed, errno %d", errno);
}

// ---------------------------------------------------------------------------

static const struct test tests[] = {
  {"zero_fill_private", zero_fill_private},
  {"private_isolation", private_isolation},
  {"bad_args", bad_args},
  {"readonly_store_private", readonly_store_private},
  {"hole_private", hole_private},
  {"exec_releases", exec_releases},
};
#define NTESTS ((int)(sizeof(tests) / sizeof(tests[0])))

// A knob's value, left as it was.
static long
knob_read(int which, long probe)
{
  long v = knob(which, probe);
  knob(which, v);
  return v;
}

int
main(int argc, char *argv[])
{
  if (argc == 3 && strcmp(argv[1], "-x") == 0) {
    current_test = "exec_releases";
    struct kstats k;
    read_kstats(&k);
    CHECK(k.free_pages >= (uint64)atoi(argv[2]), "after exec %d pages free, want %s or more",
          (int)k.free_pages, argv[2]);
    exit(0);
  }
  const char *only = argc >= 2 ? argv[1] : 0;
  suite_start("anontest", tests, NTESTS, only);
  long policy = knob_read(KNOB_POLICY, MMAP_POLICY_CACHE);
  printf("anontest: policy %s, svade %d, limit %d\n",
         policy == MMAP_POLICY_NAIVE ? "naive" : "cache", (int)knob_read(KNOB_SVADE, 0),
         (int)knob_read(KNOB_PC_LIMIT, 0));
  suite_end("anontest", suite_run(tests, NTESTS, only, run_leak_checked_alone));
}
