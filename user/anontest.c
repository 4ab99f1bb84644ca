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
    CHECK(p == MAP_FAILED && errno == EINVAL,
          "mmap with %s: returned %p, errno %d, want EINVAL", bad[i].what, p, errno);
  }
  // An open descriptor is not taken either (fd 0 above is the console).
  int fd = open("README", O_RDONLY);
  CHECK(fd >= 0, "cannot open README");
  errno = 0;
  char *p = mmap(0, PG, PROT_READ, PRIV, fd, 0);
  CHECK(p == MAP_FAILED && errno == EINVAL,
        "mmap of an open file with MAP_ANONYMOUS: %p, errno %d", p, errno);
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
  // Both halves are areas in their own right: a child sees them too, and
  // its stores reach the parent exactly when the area is shared.
  int pid = fork();
  CHECK(pid >= 0, "fork failed");
  if (pid == 0) {
    check_page(p, 2, 4, "child, below the hole");
    check_page(p, 5, 4, "child, above the hole");
    fill_page(p, 1, 5);
    fill_page(p, 6, 5);
    exit(0);
  }
  reap(pid, 0, "child");
  int seed = (flags & MAP_SHARED) ? 5 : 4;
  check_page(p, 1, seed, "parent, below the hole, after the child's store");
  check_page(p, 6, seed, "parent, above the hole, after the child's store");
  unmap(p, 3);
  unmap(p + 5 * PG, HPAGES - 5);
}

static void
hole_private(void)
{
  hole(PRIV, "private area around a hole");
}

static void
hole_shared(void)
{
  hole(SHARED, "shared area around a hole");
}

// msync of anonymous memory has nothing to write: 0, as on Linux.
static void
msync_anon(void)
{
  char *p = map_anon(4, RW, PRIV);
  char *q = map_anon(4, RW, SHARED);
  p[0] = q[0] = 1;
  CHECK(msync(p, 4 * PG, MS_SYNC) == 0, "msync(MS_SYNC) of a private area: errno %d", errno);
  CHECK(msync(q, 4 * PG, MS_SYNC) == 0, "msync(MS_SYNC) of a shared area: errno %d", errno);
  CHECK(msync(q, 4 * PG, MS_ASYNC) == 0, "msync(MS_ASYNC) of a shared area: errno %d", errno);
  CHECK(p[0] == 1 && q[0] == 1, "msync changed the memory");
  unmap(p, 4);
  unmap(q, 4);
}

#define CPAGES 4
static char readbuf[CPAGES * PG];

// System calls copy into and out of anonymous memory, touched or not (a
// kernel copy faults the pages in as the process's own access would):
// read() of a file into an area, write() from it into a pipe and back.
static void
copy_with(int flags)
{
  int fd = open_or_fail("README", O_RDONLY);
  int n = read(fd, readbuf, sizeof(readbuf));
  CHECK(n > PG, "README is too short: %d bytes", n);
  close(fd);
  char *p = map_anon(CPAGES + 1, RW, flags);
  fd = open_or_fail("README", O_RDONLY);
  CHECK(read(fd, p + 1, n) == n, "read() into an untouched area failed, errno %d", errno);
  close(fd);
  CHECK(memcmp(p + 1, readbuf, n) == 0, "read() into the area put other bytes there");
  CHECK(p[0] == 0 && p[n + 1] == 0, "read() into the area touched the bytes around it");
  int fds[2];
  CHECK(pipe(fds) == 0, "pipe failed");
  CHECK(write(fds[1], p + 1, 512) == 512, "write() from the area failed, errno %d", errno);
  for (int got = 0, r; got < 512; got += r) {  // a pipe may return less
    r = read(fds[0], p + 2 * PG + 7 + got, 512 - got);
    CHECK(r > 0, "read() from a pipe into the area failed, errno %d", errno);
  }
  CHECK(memcmp(p + 2 * PG + 7, readbuf, 512) == 0, "a pipe's bytes came out wrong");
  close(fds[0]), close(fds[1]);
  unmap(p, CPAGES + 1);
}

static void
syscall_copies(void)
{
  copy_with(PRIV);
  copy_with(SHARED);
}

#define HUGE_PRIVATE (64UL << 30)           // far more than the machine has
#define SHMEM_MAX (0x100000000UL - PG)       // the largest memory object

// Areas far larger than memory work, lazily, and only touched pages cost
// anything; a shared area larger than a memory object can be is ENOMEM.
static void
huge_areas(void)
{
  uint64 fills = zero_fills();
  char *p = mmap(0, HUGE_PRIVATE, RW, PRIV, -1, 0);
  CHECK(p != MAP_FAILED, "mmap of a 64 GiB private area failed, errno %d", errno);
  p[0] = 1;
  p[HUGE_PRIVATE - 1] = 2;
  char *q = mmap(0, SHMEM_MAX, RW, SHARED, -1, 0);
  CHECK(q != MAP_FAILED, "mmap of the largest shared area failed, errno %d", errno);
  q[0] = 3;
  q[SHMEM_MAX - 1] = 4;
  CHECK(p[0] == 1 && p[HUGE_PRIVATE - 1] == 2 && q[0] == 3 && q[SHMEM_MAX - 1] == 4,
        "stores at the ends of huge areas lost");
  uint64 n = zero_fills() - fills;
  CHECK(n == 4, "%d zero fills for 4 pages touched", (int)n);
  errno = 0;
  char *r = mmap(0, SHMEM_MAX + PG, RW, SHARED, -1, 0);
  CHECK(r == MAP_FAILED && errno == ENOMEM, "a shared area of 4 GiB: %p, errno %d, want ENOMEM",
        r, errno);
  CHECK(munmap(p, HUGE_PRIVATE) == 0 && munmap(q, SHMEM_MAX) == 0, "munmap failed");
}

// A sequential run of first touches is zero-filled a growing window at a
// time (1, 2, 4, ... pages up to famax, 512: one page-table page), so a
// 4 MiB run takes a dozen faults, not 1024 -- and still exactly its own
// pages: a random pattern, or a MADV_RANDOM area, fills only the pages
// it touches, one a fault.
#define ZA_PAGES 1024      // 4 MiB
#define ZA_MAX_FAULTS 16   // 11 for windows 1..512 and one 512, a few more
                           // where a window meets a page-table page's end
#define ZA_SPARSE 256
#define ZA_STRIDE 3

static void
zero_around(void)
{
  struct kstats a, b;
  char *p = map_anon(ZA_PAGES, RW, PRIV);
  read_kstats(&a);
  for (int i = 0; i < ZA_PAGES; i++) {
    CHECK(p[(uint64)i * PG + 7] == 0, "page %d of a fresh area is not zero", i);
    p[(uint64)i * PG + 7] = (char)(i % 200 + 1);
  }
  read_kstats(&b);
  long faults = (long)(b.faults - a.faults), fills = (long)(b.anon_zero_fills - a.anon_zero_fills);
  long around = (long)(b.anon_around_pages - a.anon_around_pages);
  printf("note: zero_around: %d pages touched in order: %d faults, %d zero fills (%d around)\n",
         ZA_PAGES, (int)faults, (int)fills, (int)around);
  CHECK(fills == ZA_PAGES, "%d zero fills for %d pages", (int)fills, ZA_PAGES);
  CHECK(faults >= 1 && faults <= ZA_MAX_FAULTS, "%d faults for a run of %d pages, want 1 to %d",
        (int)faults, ZA_PAGES, ZA_MAX_FAULTS);
  CHECK(around == fills - faults, "%d pages filled around, %d fills, %d faults", (int)around,
        (int)fills, (int)faults);
  for (int i = 0; i < ZA_PAGES; i++) {
    char *pg = p + (uint64)i * PG;
    CHECK(pg[7] == (char)(i % 200 + 1), "page %d lost its store", i);
    check_zero(pg, 7, "the start of a page filled around");
    check_zero(pg + 8, PG - 8, "the rest of a page filled around");
  }
  unmap(p, ZA_PAGES);

  // Downwards, every third page: no run, so each fill is a touched page.
  char *q = map_anon(ZA_SPARSE, RW, PRIV);
  int touched = 0;
  read_kstats(&a);
  for (int i = ZA_SPARSE - 1; i >= 0; i -= ZA_STRIDE, touched++)
    q[(uint64)i * PG] = 1;
  read_kstats(&b);
  fills = (long)(b.anon_zero_fills - a.anon_zero_fills);
  CHECK(fills == touched, "a sparse pattern: %d zero fills for %d pages touched", (int)fills,
        touched);
  unmap(q, ZA_SPARSE);

  // MADV_RANDOM: in order, but one page a fault all the same.
  char *r = map_anon(ZA_SPARSE, RW, PRIV);
  CHECK(madvise(r, ZA_SPARSE * PG, MADV_RANDOM) == 0, "madvise failed, errno %d", errno);
  read_kstats(&a);
  for (int i = 0; i < ZA_SPARSE; i++)
    r[(uint64)i * PG] = 1;
  read_kstats(&b);
  fills = (long)(b.anon_zero_fills - a.anon_zero_fills);
  faults = (long)(b.faults - a.faults);
  CHECK(fills == ZA_SPARSE && faults >= ZA_SPARSE, "MADV_RANDOM: %d zero fills and %d faults "
        "for %d pages, want one fill a fault", (int)fills, (int)faults, ZA_SPARSE);
  unmap(r, ZA_SPARSE);
}

// ---------------------------------------------------------------------------
// Shared anonymous memory

static struct kstats ks;

static uint64
shmem_pages(void)
{
  read_kstats(&ks);
  return ks.shmem_pages;
}

// As zero_fill_private, and a page another process has touched is not
// filled again: both see one page.
static void
zero_fill_shared(void)
{
  uint64 fills = zero_fills();
  char *p = map_anon(ZPAGES, RW, SHARED);
  p[5 * PG] = 7;
  p[6 * PG - 1] = 9;
  check_zero(p + 4 * PG, PG, "page 4, next to a stored page");
  check_zero(p + 5 * PG + 1, PG - 2, "the rest of the stored page");
  check_zero(p + 6 * PG, PG, "page 6, next to a stored page");
  check_zero(p, 4 * PG, "pages 0-3");
  uint64 n = zero_fills() - fills;
  CHECK(n == 7, "%d zero fills for 7 pages touched", (int)n);
  int pid = fork();
  CHECK(pid >= 0, "fork failed");
  if (pid == 0) {
    // Pages the parent touched are there; new ones are zeros, once.
    CHECK(p[5 * PG] == 7 && p[6 * PG - 1] == 9, "child does not see the parent's stores");
    check_zero(p + 7 * PG, (ZPAGES - 7) * PG, "child, pages 7-15");
    exit(0);
  }
  reap(pid, 0, "child");
  check_zero(p + 7 * PG, (ZPAGES - 7) * PG, "parent, pages 7-15 after the child");
  n = zero_fills() - fills;
  CHECK(n == ZPAGES, "%d zero fills for %d pages touched by two processes", (int)n, ZPAGES);
  unmap(p, ZPAGES);
  char *r = map_anon(ZPAGES, PROT_READ, SHARED);
  check_zero(r, ZPAGES * PG, "a PROT_READ shared area");
  unmap(r, ZPAGES);
}

// Pages first touched after the fork, by either side and by a grandchild,
// are shared by all three (stores in both directions).
static void
shared_after_fork(void)
{
  char *p = map_anon(4, RW, SHARED);  // nobody touches it before the forks
  int up[2], down[2];
  CHECK(pipe(up) == 0 && pipe(down) == 0, "pipe failed");
  int pid = fork();
  CHECK(pid >= 0, "fork failed");
  if (pid == 0) {
    int gpid = fork();
    CHECK(gpid >= 0, "fork of the grandchild failed");
    if (gpid == 0) {
      fill_page(p, 0, 10);  // the grandchild's first touch
      signal_fd(up[1]);
      await(down[0]);
      check_page(p, 2, 12, "grandchild, the parent's page");
      check_page(p, 1, 11, "grandchild, the child's page");
      exit(0);
    }
    fill_page(p, 1, 11);  // the child's first touch
    signal_fd(up[1]);
    await(down[0]);
    check_page(p, 2, 12, "child, the parent's page");
    check_page(p, 0, 10, "child, the grandchild's page");
    reap(gpid, 0, "grandchild");
    exit(0);
  }
  fill_page(p, 2, 12);  // the parent's first touch
  await(up[0]);
  await(up[0]);  // both descendants have stored
  check_page(p, 0, 10, "parent, the grandchild's page");
  check_page(p, 1, 11, "parent, the child's page");
  signal_fd(down[1]);
  signal_fd(down[1]);
  reap(pid, 0, "child");
  check_zero(p + 3 * PG, PG, "page 3, touched by nobody before");
  unmap(p, 4);
  close(up[0]), close(up[1]), close(down[0]), close(down[1]);
}

// Counters in shared memory, incremented with atomic adds by a parent, two
// children and a grandchild of each, all at once on several harts. Page 0
// is touched before the forks, the other pages only after them, by
// whoever comes first. The totals must be exact, and every process's mark
// must be seen by the parent.
#define GEN_PAGES 4
#define GEN_ADDS 20000
#define GEN_PROCS 5
#define GEN_SPIN 100000000  // start without the others after this many looks

struct gen_page {
  uint64 count;              // incremented GEN_ADDS times by each process
  uint64 mark[GEN_PROCS];    // process id + 1, stored by that process
};

static void
gen_work(char *p, int id)
{
  uint64 *ready = (uint64 *)(p + GEN_PAGES * PG - sizeof(uint64));  // on the last page
  __atomic_fetch_add(ready, 1, __ATOMIC_SEQ_CST);
  for (long i = 0; i < GEN_SPIN && __atomic_load_n(ready, __ATOMIC_SEQ_CST) < GEN_PROCS; i++)
    ;
  for (int i = 0; i < GEN_ADDS; i++)
    for (int pg = 0; pg < GEN_PAGES; pg++)
      __atomic_fetch_add(&((struct gen_page *)(p + pg * PG))->count, 1, __ATOMIC_RELAXED);
  for (int pg = 0; pg < GEN_PAGES; pg++)
    ((struct gen_page *)(p + pg * PG))->mark[id] = id + 1;
}

// A child that forks a grandchild; both work; exits 0 if both did.
static int
gen_child(char *p, int id, int gid)
{
  int pid = fork();
  CHECK(pid >= 0, "fork failed");
  if (pid != 0)
    return pid;
  int gpid = fork();
  CHECK(gpid >= 0, "fork of a grandchild failed");
  if (gpid == 0) {
    gen_work(p, gid);
    exit(0);
  }
  gen_work(p, id);
  reap(gpid, 0, "grandchild");
  exit(0);
}

static void
shared_generations(void)
{
  char *p = map_anon(GEN_PAGES, RW, SHARED);
  ((struct gen_page *)p)->count = 0;  // page 0 touched before the forks
  int kids[2];
  kids[0] = gen_child(p, 1, 3);
  kids[1] = gen_child(p, 2, 4);
  gen_work(p, 0);
  reap_all(kids, 2, "child");
  for (int pg = 0; pg < GEN_PAGES; pg++) {
    struct gen_page *g = (struct gen_page *)(p + pg * PG);
    CHECK(g->count == (uint64)GEN_PROCS * GEN_ADDS, "page %d counted %d, want %d", pg,
          (int)g->count, GEN_PROCS * GEN_ADDS);
    for (int id = 0; id < GEN_PROCS; id++)
      CHECK(g->mark[id] == (uint64)id + 1, "page %d: process %d's mark is %d", pg, id,
            (int)g->mark[id]);
  }
  unmap(p, GEN_PAGES);
}

static void
readonly_store_shared(void)
{
  char *p = map_anon(2, PROT_READ, SHARED);
  expect_survives(load_at, (uint64)p, "load from a PROT_READ shared area");
  expect_killed(store_first, (uint64)p, "store into an untouched PROT_READ shared page");
  expect_killed(load_then_store, (uint64)p + PG, "store into a read PROT_READ shared page");
  unmap(p, 2);
}

#define FPAGES 64

// The memory object lives while any area maps any part of it and goes,
// with every page, when the last one does: the shmem_pages gauge, the
// open files and cached inodes (the object is one of each), and the free
// pages say so.
static void
shared_freed(void)
{
  struct kstats k0, k1, k2;
  read_kstats(&k0);
  char *p = map_anon(FPAGES, RW, SHARED);
  for (int i = 0; i < FPAGES; i++)
    fill_page(p, i, 20);
  read_kstats(&k1);
  CHECK(k1.shmem_pages == k0.shmem_pages + FPAGES, "shmem_pages %d -> %d for %d pages",
        (int)k0.shmem_pages, (int)k1.shmem_pages, FPAGES);
  CHECK(k1.files_open == k0.files_open + 1 && k1.inodes_cached == k0.inodes_cached + 1,
        "the object is not one file and one inode: files %d -> %d, inodes %d -> %d",
        (int)k0.files_open, (int)k1.files_open, (int)k0.inodes_cached, (int)k1.inodes_cached);
  // A child unmaps its lower half; the parent its upper half: each half
  // is still mapped somewhere, and every page stays.
  int go[2];
  CHECK(pipe(go) == 0, "pipe failed");
  int pid = fork();
  CHECK(pid >= 0, "fork failed");
  if (pid == 0) {
    unmap(p, FPAGES / 2);
    await(go[0]);  // the parent has unmapped all it had
    for (int i = FPAGES / 2; i < FPAGES; i++)
      check_page(p, i, 20, "child, after the parent unmapped its part");
    CHECK(shmem_pages() == k1.shmem_pages, "pages went while the child maps some");
    exit(0);
  }
  unmap(p + FPAGES / 2 * PG, FPAGES / 2);
  for (int i = 0; i < FPAGES / 2; i++)
    check_page(p, i, 20, "parent, after unmapping the upper half");
  CHECK(shmem_pages() == k1.shmem_pages, "pages went while the parent maps some");
  unmap(p, FPAGES / 2);
  signal_fd(go[1]);
  reap(pid, 0, "child");
  close(go[0]), close(go[1]);
  read_kstats(&k2);
  CHECK(k2.shmem_pages == k0.shmem_pages, "shmem_pages %d after the last unmap, %d before",
        (int)k2.shmem_pages, (int)k0.shmem_pages);
  CHECK(k2.files_open == k0.files_open && k2.inodes_cached == k0.inodes_cached,
        "the object outlived its mappings: files %d -> %d, inodes %d -> %d",
        (int)k0.files_open, (int)k2.files_open, (int)k0.inodes_cached, (int)k2.inodes_cached);
  CHECK(k2.free_pages >= k1.free_pages + FPAGES, "%d pages free after the last unmap, %d "
        "while %d were in use", (int)k2.free_pages, (int)k1.free_pages, FPAGES);
}

#define LPAGES 64      // shared anonymous pages, more than the cache limit
#define LIMIT 8        // the cache limit while the test runs
#define LFILE "an_limit"
#define LFILE_PAGES 128

// The cache limit and the drop knob evict file pages, never shared
// anonymous ones, and do not spin on them: a file far larger than the
// limit is read through while the area holds data, and the data is whole
// afterwards, for the parent and a child.
static void
shared_under_pressure(void)
{
  char *p = map_anon(LPAGES, RW, SHARED);
  for (int i = 0; i < LPAGES; i++)
    fill_page(p, i, 30);
  long old = knob(KNOB_PC_LIMIT, LIMIT);
  CHECK(old >= 0, "cannot set the cache limit, errno %d", errno);
  make_file(LFILE, (uint64)LFILE_PAGES * PG, 31);
  int fd = open_or_fail(LFILE, O_RDONLY);
  char *f = mmap(0, (uint64)LFILE_PAGES * PG, PROT_READ, MAP_SHARED, fd, 0);
  CHECK(f != MAP_FAILED, "mmap of %s failed, errno %d", LFILE, errno);
  close(fd);
  long at = mismatch(f, (uint64)LFILE_PAGES * PG, 31, 0);
  CHECK(at < 0, "file byte %d wrong under the limit", (int)at);
  CHECK(shmem_pages() >= LPAGES, "shared pages went under the cache limit");
  CHECK(ks.pc_pages <= LIMIT + 16, "%d file pages cached with a limit of %d",
        (int)ks.pc_pages, LIMIT);
  CHECK(knob(KNOB_DROP, 0) >= 0, "drop failed, errno %d", errno);
  CHECK(shmem_pages() >= LPAGES, "shared pages went with the drop knob");
  int pid = fork();
  CHECK(pid >= 0, "fork failed");
  if (pid == 0) {
    for (int i = 0; i < LPAGES; i++)
      check_page(p, i, 30, "child, after the limit and a drop");
    for (int i = 0; i < LPAGES; i++)
      fill_page(p, i, 32);
    knob(KNOB_DROP, 0);
    exit(0);
  }
  reap(pid, 0, "child");
  for (int i = 0; i < LPAGES; i++)
    check_page(p, i, 32, "parent, the child's stores after a drop");
  CHECK(knob(KNOB_PC_LIMIT, old) == LIMIT, "the cache limit changed meanwhile");
  unmap(f, LFILE_PAGES);
  unmap(p, LPAGES);
  unlink(LFILE);
}

#define NOBJ 12  // shared areas in one process: separate objects

// Several shared areas are several objects, each shared with a child.
static void
many_objects(void)
{
  static char *a[NOBJ];
  for (int i = 0; i < NOBJ; i++) {
    a[i] = map_anon(1, RW, SHARED);
    fill_page(a[i], 0, 40 + i);
  }
  int pid = fork();
  CHECK(pid >= 0, "fork failed");
  if (pid == 0) {
    for (int i = 0; i < NOBJ; i++) {
      check_page(a[i], 0, 40 + i, "child, one of many objects");
      fill_page(a[i], 0, 60 + i);
    }
    exit(0);
  }
  reap(pid, 0, "child");
  for (int i = 0; i < NOBJ; i++) {
    check_page(a[i], 0, 60 + i, "parent, the child's store into one of many objects");
    unmap(a[i], 1);
  }
}

#define HOLDERS 5  // processes mapping NMMAP objects each: more than NINODE

// Memory objects are in-memory inodes: when the inode cache is full, mmap
// fails with ENFILE (never a panic, nor a wrong errno), and the slots come
// back when the areas go.
static void
exhaust_objects(void)
{
  int done[2], release[2];
  CHECK(pipe(done) == 0 && pipe(release) == 0, "pipe failed");
  int pids[HOLDERS];
  for (int h = 0; h < HOLDERS; h++) {
    pids[h] = fork();
    CHECK(pids[h] >= 0, "fork failed");
    if (pids[h] == 0) {
      char mapped = 0, refused = 0;
      for (int i = 0; i < NMMAP; i++) {
        errno = 0;
        char *p = mmap(0, PG, RW, SHARED, -1, 0);
        if (p == MAP_FAILED) {
          CHECK(errno == ENFILE, "mmap failed with errno %d, want ENFILE", errno);
          refused++;
          continue;
        }
        p[0] = 1;
        mapped++;
      }
      char r[2] = {mapped, refused};
      CHECK(write(done[1], r, 2) == 2, "cannot report");
      await(release[0]);
      exit(0);
    }
  }
  int mapped = 0, refused = 0;
  for (int h = 0; h < HOLDERS; h++) {
    char r[2];
    CHECK(read(done[0], r, 2) == 2, "a holder did not report");
    mapped += r[0];
    refused += r[1];
  }
  for (int h = 0; h < HOLDERS; h++)
    signal_fd(release[1]);
  reap_all(pids, HOLDERS, "holder");
  CHECK(refused > 0 && mapped < NINODE, "%d objects mapped, none refused: inode cache of %d",
        mapped, NINODE);
  // The slots are back: a new object works.
  char *p = map_anon(1, RW, SHARED);
  p[0] = 1;
  unmap(p, 1);
  close(done[0]), close(done[1]), close(release[0]), close(release[1]);
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
  {"msync_anon", msync_anon},
  {"syscall_copies", syscall_copies},
  {"huge_areas", huge_areas},
  {"zero_around", zero_around},
  {"zero_fill_shared", zero_fill_shared},
  {"shared_after_fork", shared_after_fork},
  {"shared_generations", shared_generations},
  {"readonly_store_shared", readonly_store_shared},
  {"hole_shared", hole_shared},
  {"shared_freed", shared_freed},
  {"shared_under_pressure", shared_under_pressure},
  {"many_objects", many_objects},
  {"exhaust_objects", exhaust_objects},
};
#define NTESTS ((int)(sizeof(tests) / sizeof(tests[0])))

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
  mm_knobs_save();
  long policy = mm_knob_saved(KNOB_POLICY);
  printf("anontest: policy %s, svade %d, limit %d\n",
         policy == MMAP_POLICY_NAIVE ? "naive" : "cache", (int)mm_knob_saved(KNOB_SVADE),
         (int)mm_knob_saved(KNOB_PC_LIMIT));
  suite_end("anontest", suite_run(tests, NTESTS, only, run_knob_checked));
}
