// madvtest.c -- tests of mprotect, madvise, MAP_POPULATE and mincore.
//
// Usage: madvtest [NAME]   run every test (or only test NAME) under the
//                          kernel's current knobs -- the mapping policy
//                          and svade, printed first (make test runs it
//                          under each policy and with svade on)
//
// What the calls promise (kernel/mm/sysmmap.c, vma.c; docs/DESIGN.md,
// "Changing areas: mprotect, madvise, MAP_POPULATE, mincore"):
//   mprotect cuts areas as munmap does and joins them again when a change
//   is undone; R, X and PROT_NONE take effect at once on present pages,
//   a store to a page whose W was taken away kills, and stores made
//   before still reach the file; a private page made writable is copied
//   at its next store (never written to the file).
//   madvise: RANDOM and SEQUENTIAL steer the read-ahead of the area's
//   misses (kstats readahead_pages), WILLNEED reads the range into the
//   cache without the caller faulting, DONTNEED drops the range's pages
//   (shared file pages stay dirty in the cache, private copies and private
//   anonymous pages go, shared anonymous memory keeps its contents).
//   MAP_POPULATE maps the area at mmap, so touching it takes no fault,
//   and gives up quietly when memory runs low.
//   mincore says which pages are in memory: mapped, or in the page cache.
// Where a promise is about the page cache (read-ahead, WILLNEED, copies
// counted in cow_copies), the naive policy -- a baseline with no cache,
// no read-ahead and a private copy of every page -- is checked for what
// it does instead.
//
// Each test runs in a forked child with the leak check and the knob check
// around it (testlib.h's suite). Counters are system-wide: nothing else
// may run meanwhile. Test files are "mv_<test>" in the root directory;
// their bytes come from file_byte() (never zero). The user stack is one
// page: buffers are static.

#include "kernel/param.h"
#include "kernel/types.h"
#include "kernel/riscv.h"
#include "kernel/memlayout.h"
#include "kernel/fcntl.h"
#include "kernel/errno.h"
#include "kernel/kstats.h"
#include "kernel/knobs.h"
#include "kernel/procinfo.h"
#include "user/user.h"
#include "user/testlib.h"

#define PG PGSIZE
#define RW (PROT_READ | PROT_WRITE)
#define PRIV_ANON (MAP_ANONYMOUS | MAP_PRIVATE)
#define SHARED_ANON (MAP_ANONYMOUS | MAP_SHARED)

static int naive;  // the kernel's policy for new file areas is the naive one
static int svade;  // dirty pages are found by store faults

static struct kstats ks_a, ks_b;
#define DELTA(field) ((long)(ks_b.field - ks_a.field))

// ---------------------------------------------------------------------------
// Helpers

static char *
map_or_fail(uint64 len, int prot, int flags, int fd)
{
  char *p = mmap(0, len, prot, flags, fd, 0);
  CHECK(p != MAP_FAILED, "mmap of %d bytes (prot %d, flags 0x%x, fd %d) failed, errno %d",
        (int)len, prot, flags, fd, errno);
  return p;
}

// npages of path (opened with mode) mapped with prot and flags.
static char *
map_file(const char *path, int mode, uint64 npages, int prot, int flags)
{
  int fd = open_or_fail(path, mode);
  char *p = map_or_fail(npages * PG, prot, flags, fd);
  close(fd);
  return p;
}

static char *
map_anon(uint64 npages, int prot, int flags)
{
  return map_or_fail(npages * PG, prot, flags, -1);
}

static void
unmap(char *p, uint64 npages)
{
  CHECK(munmap(p, npages * PG) == 0, "munmap of %d pages at %p failed, errno %d",
        (int)npages, p, errno);
}

static void
protect(char *p, uint64 npages, int prot)
{
  CHECK(mprotect(p, npages * PG, prot) == 0, "mprotect(%p, %d pages, %d) failed, errno %d", p,
        (int)npages, prot, errno);
}

static void
advise(char *p, uint64 npages, int advice)
{
  CHECK(madvise(p, npages * PG, advice) == 0, "madvise(%p, %d pages, %d) failed, errno %d", p,
        (int)npages, advice, errno);
}

// A call that must fail with errno want.
#define CHECK_FAILS(call, want, what)                                                    \
  do {                                                                                   \
    errno = 0;                                                                           \
    long r_ = (long)(call);                                                              \
    CHECK(r_ == -1 && errno == (want), "%s: returned %d, errno %d; want -1, errno %d", \
          what, (int)r_, errno, want);                                                   \
  } while (0)

// Page i of p holds pattern seed (as at file offset i * PG).
static void
check_page(const char *p, uint64 i, int seed, const char *what)
{
  long at = mismatch(p + i * PG, PG, seed, i * PG);
  CHECK(at < 0, "%s: page %d byte %d is 0x%x, want 0x%x", what, (int)i, (int)at,
        p[i * PG + at] & 0xff, file_byte(seed, i * PG + at) & 0xff);
}

static void
fill_page(char *p, uint64 i, int seed)
{
  fill_pattern(p + i * PG, PG, seed, i * PG);
}

static void
check_zero(const char *p, uint64 n, const char *what)
{
  for (uint64 i = 0; i < n; i++)
    CHECK(p[i] == 0, "%s: byte %d is 0x%x, want 0", what, (int)i, p[i] & 0xff);
}

// Byte off of file path, read with read() (not through any mapping).
static char
file_at(const char *path, uint64 off)
{
  static char page[PG];
  int fd = open_or_fail(path, O_RDONLY);
  CHECK(lseek(fd, (long)(off - off % PG), SEEK_SET) >= 0, "lseek failed, errno %d", errno);
  CHECK(read(fd, page, PG) > (int)(off % PG), "read of %s at %d failed", path, (int)off);
  close(fd);
  return page[off % PG];
}

// The resident pages of this process (procinfo), mapped PROT_NONE ones too.
static uint64
my_pages(void)
{
  static struct procinfo pi[NPROC];
  int n = procinfo(pi, NPROC);
  CHECK(n > 0, "procinfo failed, errno %d", errno);
  int me = getpid();
  for (int i = 0; i < n; i++)
    if (pi[i].pid == me)
      return pi[i].pages;
  FAIL("procinfo does not list pid %d", me);
}

#define VECMAX 256
static unsigned char vec[VECMAX];

// mincore of npages pages at p into vec; the test fails if it does.
static void
core(const char *p, uint64 npages)
{
  CHECK(npages <= VECMAX, "core: %d pages", (int)npages);
  memset(vec, 0xee, sizeof(vec));
  CHECK(mincore((void *)p, npages * PG, vec) == 0, "mincore(%p, %d pages) failed, errno %d", p,
        (int)npages, errno);
  for (uint64 i = 0; i < npages; i++)
    CHECK(vec[i] == 0 || vec[i] == 1, "mincore: vec[%d] is 0x%x, want 0 or 1", (int)i, vec[i]);
}

// How many of npages pages at p are resident, per mincore.
static int
resident(const char *p, uint64 npages)
{
  core(p, npages);
  int n = 0;
  for (uint64 i = 0; i < npages; i++)
    n += vec[i];
  return n;
}

// Maps one-page private anonymous areas until mmap runs out of slots;
// returns how many it got, their addresses in got[].
static int
fill_slots(char **got)
{
  int n = 0;
  for (;;) {
    char *p = mmap(0, PG, PROT_READ, PRIV_ANON, -1, 0);
    if (p == MAP_FAILED)
      break;
    CHECK(n < NMMAP, "more than NMMAP (%d) areas", NMMAP);
    got[n++] = p;
  }
  CHECK(errno == ENOMEM, "mmap ran out with errno %d, want ENOMEM", errno);
  return n;
}

static void
free_slots(char **got, int n)
{
  for (int i = 0; i < n; i++)
    unmap(got[i], 1);
}

// How many more areas the process could map now.
static int
free_slot_count(void)
{
  static char *got[NMMAP];
  int n = fill_slots(got);
  free_slots(got, n);
  return n;
}

// ---------------------------------------------------------------------------
// mprotect

#define SPAGES 8

// Rights change for exactly the range; the area is cut in three and
// joined again when the change is undone (the slots come back); a cut
// that finds no free slot fails with ENOMEM and changes nothing.
static void
mprotect_split(void)
{
  char *p = map_anon(SPAGES, RW, PRIV_ANON);
  for (int i = 0; i < SPAGES; i++)
    fill_page(p, i, 1);
  int slots = free_slot_count();
  protect(p + 2 * PG, 3, PROT_READ);
  CHECK(free_slot_count() == slots - 2, "a cut in the middle took %d slots, want 2",
        slots - free_slot_count());
  expect_killed(store_at, (uint64)(p + 3 * PG), "store into a page made read-only");
  expect_killed(store_at, (uint64)(p + 2 * PG), "store into the first read-only page");
  expect_killed(store_at, (uint64)(p + 5 * PG - 1), "store into the last read-only page");
  expect_survives(store_at, (uint64)(p + 2 * PG - 1), "store just below the range");
  expect_survives(store_at, (uint64)(p + 5 * PG), "store just above the range");
  for (int i = 0; i < SPAGES; i++)
    check_page(p, i, 1, "after the cut");
  protect(p + 2 * PG, 3, RW);
  CHECK(free_slot_count() == slots, "undoing the change left %d slots, want %d",
        free_slot_count(), slots);
  p[3 * PG] = 7;  // writable again, in this process

  // No slot for a cut: ENOMEM, and the rights stay as they were.
  static char *got[NMMAP];
  int n = fill_slots(got);
  CHECK_FAILS(mprotect(p + 2 * PG, PG, PROT_READ), ENOMEM, "a cut with no free slot");
  CHECK_FAILS(mprotect(p, PG, PROT_READ), ENOMEM, "a cut at the start with no free slot");
  p[2 * PG] = 8, p[0] = 9;
  protect(p, SPAGES, PROT_READ);  // the whole area: no cut needed
  expect_killed(store_at, (uint64)p, "store after the whole area was made read-only");
  protect(p, SPAGES, RW);
  unmap(got[--n], 1);
  CHECK_FAILS(mprotect(p + 2 * PG, PG, PROT_READ), ENOMEM, "a cut in the middle, one slot free");
  protect(p, 1, PROT_READ);  // one cut, one slot
  expect_killed(store_at, (uint64)p, "store into the first page, made read-only");
  expect_survives(store_at, (uint64)(p + PG), "store into the second page");
  protect(p, 1, RW);
  free_slots(got, n);
  CHECK(p[3 * PG] == 7 && p[2 * PG] == 8 && p[0] == 9, "stores lost");

  // A range over two areas (the upper one a file's) cuts both.
  make_file("mv_split", 4 * PG, 2);
  char *f = map_file("mv_split", O_RDWR, 4, RW, MAP_SHARED);
  char *lo = f < p ? f : p, *hi = f < p ? p : f;
  uint64 lon = f < p ? 4 : SPAGES;
  if (lo + lon * PG == hi) {  // areas placed top-down, next to each other
    protect(hi - PG, 2, PROT_READ);
    expect_killed(store_at, (uint64)(hi - 1), "store into the lower area's last page");
    expect_killed(store_at, (uint64)hi, "store into the upper area's first page");
    expect_survives(store_at, (uint64)(hi - PG - 1), "store below the range");
    expect_survives(store_at, (uint64)(hi + PG), "store above the range");
    protect(hi - PG, 2, RW);
  } else {
    printf("note: mprotect_split: areas not adjacent (%p, %p): two-area cut not tried\n", p, f);
  }
  unmap(f, 4);
  unmap(p, SPAGES);
  unlink("mv_split");
}

// Accesses for the PROT_NONE test's children.
static void
exec_at(uint64 addr)
{
  ((void (*)(void))opaque(addr))();
}

// PROT_NONE: every access kills, system calls get EFAULT, the pages stay
// the process's (still counted by ps) and come back with their contents.
static void
mprotect_none(void)
{
  make_file("mv_none", 2 * PG, 3);
  char *shared = map_file("mv_none", O_RDWR, 2, RW, MAP_SHARED);
  char *priv = map_file("mv_none", O_RDONLY, 2, RW, MAP_PRIVATE);
  char *anon = map_anon(2, RW, PRIV_ANON);
  shared[10] = 'S';
  priv[10] = 'P';  // a private copy of page 0
  load_at((uint64)(priv + PG));
  anon[10] = 'A';
  load_at((uint64)(shared + PG));
  char *areas[] = {shared, priv, anon};
  uint64 pages = my_pages();
  for (int i = 0; i < 3; i++) {
    char *p = areas[i];
    protect(p, 2, PROT_NONE);
    expect_killed(load_at, (uint64)p, "load from a PROT_NONE page");
    expect_killed(store_at, (uint64)(p + PG), "store into a PROT_NONE page");
    expect_killed(exec_at, (uint64)p, "jump into a PROT_NONE page");
    int fd = open_or_fail("mv_none", O_RDWR);
    CHECK_FAILS(read(fd, p, 8), EFAULT, "read() into a PROT_NONE page");
    CHECK_FAILS(write(fd, p + PG, 8), EFAULT, "write() from a PROT_NONE page");
    close(fd);
  }
  CHECK(my_pages() == pages, "resident pages %d with PROT_NONE, %d before",
        (int)my_pages(), (int)pages);
  // A child inherits the rights, and the pages: the private copy too
  // (the naive policy's child starts from the file, as the lab's did).
  int pid = fork();
  CHECK(pid >= 0, "fork failed");
  if (pid == 0) {
    expect_killed(load_at, (uint64)priv, "child: load from a PROT_NONE page");
    protect(priv, 2, PROT_READ);
    char want = naive ? file_byte(3, 10) : 'P';
    CHECK(priv[10] == want, "child: private page holds 0x%x, want 0x%x", priv[10] & 0xff,
          want & 0xff);
    exit(0);
  }
  int st = -99;
  CHECK(wait(&st) == pid && st == 0, "child exited with %d", st);
  expect_killed(load_at, (uint64)priv, "load after the child's mprotect");
  protect(shared, 2, PROT_READ);
  protect(priv, 2, PROT_READ | PROT_WRITE);
  protect(anon, 2, PROT_READ | PROT_EXEC);
  CHECK(shared[10] == 'S' && priv[10] == 'P' && anon[10] == 'A',
        "contents after PROT_NONE: 0x%x 0x%x 0x%x", shared[10] & 0xff, priv[10] & 0xff,
        anon[10] & 0xff);
  check_page(priv, 1, 3, "private page 1");
  expect_killed(store_at, (uint64)shared, "store after PROT_NONE -> PROT_READ");
  priv[11] = 'Q';
  unmap(shared, 2);
  unmap(priv, 2);
  unmap(anon, 2);
  CHECK(file_at("mv_none", 10) == 'S', "the shared store did not reach the file");
  CHECK(file_at("mv_none", 11) == file_byte(3, 11), "a private store reached the file");
  unlink("mv_none");
}

// Child: maps mv_wb, stores into page 1, takes W away, stores again --
// which must kill it. Its exit unmaps the area, which must write back
// the first store.
static void
store_then_protect(uint64 how)
{
  int fd = open_or_fail("mv_wb", O_RDWR);
  char *p = map_or_fail(4 * PG, RW, MAP_SHARED, fd);
  close(fd);
  p[PG + 5] = 'X';
  p[2 * PG + 5] = 'Y';
  if (how == 1)
    protect(p + PG, 2, PROT_NONE);
  else
    protect(p, 4, PROT_READ);
  CHECK(p[0] == file_byte(4, 0) || how == 1, "page 0 unreadable");
  p[PG + 6] = 'Z';  // must fault and kill: W is gone
  FAIL("a store after mprotect took W away went through");
}

// A page stored to before mprotect took W away is still written back --
// at exit, at munmap, at msync -- and the store after it kills.
static void
mprotect_writeback(void)
{
  for (int how = 0; how < 2; how++) {
    make_file("mv_wb", 4 * PG, 4);
    knob(KNOB_DROP, 0);
    expect_killed(store_then_protect, how, "store after W was taken away");
    knob(KNOB_DROP, 0);  // whatever is only in the cache is written or lost now
    CHECK(file_at("mv_wb", PG + 5) == 'X' && file_at("mv_wb", 2 * PG + 5) == 'Y',
          "%s: stores made before are lost (0x%x 0x%x)", how ? "PROT_NONE" : "PROT_READ",
          file_at("mv_wb", PG + 5) & 0xff, file_at("mv_wb", 2 * PG + 5) & 0xff);
    CHECK(file_at("mv_wb", PG + 6) == file_byte(4, PG + 6), "the refused store reached the file");
  }
  // munmap and msync of an area no longer writable write its pages back.
  char *p = map_file("mv_wb", O_RDWR, 4, RW, MAP_SHARED);
  p[5] = 'M';
  protect(p, 4, PROT_READ);
  read_kstats(&ks_a);
  CHECK(msync(p, 4 * PG, MS_SYNC) == 0, "msync failed, errno %d", errno);
  read_kstats(&ks_b);
  CHECK(DELTA(writeback_pages) >= 1, "msync of a read-only area wrote back %d pages",
        (int)DELTA(writeback_pages));
  protect(p, 4, RW);
  p[3 * PG] = 'N';
  protect(p, 4, PROT_READ);
  read_kstats(&ks_a);
  unmap(p, 4);
  read_kstats(&ks_b);
  CHECK(DELTA(writeback_pages) >= 1, "munmap of a read-only area wrote back %d pages",
        (int)DELTA(writeback_pages));
  knob(KNOB_DROP, 0);
  CHECK(file_at("mv_wb", 5) == 'M' && file_at("mv_wb", 3 * PG) == 'N',
        "stores before mprotect: file holds 0x%x 0x%x", file_at("mv_wb", 5) & 0xff,
        file_at("mv_wb", 3 * PG) & 0xff);
  unlink("mv_wb");
}

// A private page made writable is copied at its next store (cow_copies
// under the cache policy), and the file never sees it. A read-only area
// never was writable: nothing of it is written back.
static void
mprotect_private_copy(void)
{
  make_file("mv_copy", 2 * PG, 5);
  char *p = map_file("mv_copy", O_RDONLY, 2, PROT_READ, MAP_PRIVATE);
  check_page(p, 0, 5, "before");
  expect_killed(store_at, (uint64)p, "store into a PROT_READ private page");
  protect(p, 2, RW);
  read_kstats(&ks_a);
  p[7] = 'C';
  p[PG + 7] = 'D';  // a page never touched before: a fault and a copy
  read_kstats(&ks_b);
  if (naive)
    CHECK(DELTA(cow_copies) == 0, "naive: %d copies, want 0", (int)DELTA(cow_copies));
  else
    CHECK(DELTA(cow_copies) == 2, "%d copies for two first stores, want 2",
          (int)DELTA(cow_copies));
  CHECK(file_at("mv_copy", 7) == file_byte(5, 7), "a private store reached the file");
  // Made read-only again, the copy stays this process's, with its store.
  protect(p, 2, PROT_READ);
  CHECK(p[7] == 'C' && p[PG + 7] == 'D', "the copies lost their stores");
  read_kstats(&ks_a);
  unmap(p, 2);
  read_kstats(&ks_b);
  CHECK(DELTA(writeback_pages) == 0, "a private area wrote back %d pages",
        (int)DELTA(writeback_pages));
  knob(KNOB_DROP, 0);
  CHECK(file_at("mv_copy", 7) == file_byte(5, 7) && file_at("mv_copy", PG + 7) == file_byte(5, PG + 7),
        "a private store reached the file");

  // Anonymous memory: read-only zeros, made writable.
  char *a = map_anon(2, PROT_READ, PRIV_ANON);
  check_zero(a, PG, "a read-only anonymous page");
  protect(a, 2, RW);
  a[0] = 1, a[PG] = 2;
  CHECK(a[0] == 1 && a[PG] == 2 && a[1] == 0, "anonymous stores");
  unmap(a, 2);
  unlink("mv_copy");
}

// PROT_WRITE for a shared mapping needs a file open for writing, as mmap
// does; a private mapping does not, nor does shared anonymous memory.
static void
mprotect_eacces(void)
{
  make_file("mv_acc", PG, 6);
  char *s = map_file("mv_acc", O_RDONLY, 1, PROT_READ, MAP_SHARED);
  CHECK_FAILS(mprotect(s, PG, RW), EACCES, "PROT_WRITE, shared, file read-only");
  CHECK_FAILS(mprotect(s, PG, PROT_WRITE), EACCES, "PROT_WRITE alone");
  protect(s, 1, PROT_READ | PROT_EXEC);
  expect_killed(store_at, (uint64)s, "store after the refused mprotect");
  char *p = map_file("mv_acc", O_RDONLY, 1, PROT_READ, MAP_PRIVATE);
  protect(p, 1, RW);
  p[0] = 1;
  // A range over both: refused whole, the private area's rights unchanged.
  if (p + PG == s || s + PG == p) {
    protect(p, 1, PROT_READ);
    CHECK_FAILS(mprotect(p < s ? p : s, 2 * PG, RW), EACCES, "PROT_WRITE over both areas");
    expect_killed(store_at, (uint64)p, "store into the private area after the refusal");
    protect(p, 1, RW);
  } else {
    printf("note: mprotect_eacces: areas not adjacent: the two-area case not tried\n");
  }
  char *a = map_anon(1, PROT_READ, SHARED_ANON);
  protect(a, 1, RW);
  a[0] = 1;
  unmap(a, 1);
  unmap(p, 1);
  unmap(s, 1);
  unlink("mv_acc");
}

// The arguments mprotect refuses, each with Linux's error, and what it
// accepts at the edges.
static void
mprotect_bad_args(void)
{
  char *p = map_anon(2, RW, PRIV_ANON);
  CHECK_FAILS(mprotect(p + 1, PG, PROT_READ), EINVAL, "unaligned addr");
  CHECK_FAILS(mprotect(p, PG, 8), EINVAL, "prot 8");
  CHECK_FAILS(mprotect(p, PG, -1), EINVAL, "prot -1");
  CHECK_FAILS(mprotect(p, 3 * PG, PROT_READ), ENOMEM, "a range past the area");
  CHECK_FAILS(mprotect(p - PG, 2 * PG, PROT_READ), ENOMEM, "a range below the area");
  CHECK_FAILS(mprotect((void *)(MAXVA - PG), PG, PROT_READ), ENOMEM, "the page below MAXVA");
  CHECK_FAILS(mprotect((void *)MAXVA, PG, PROT_READ), ENOMEM, "MAXVA");
  CHECK_FAILS(mprotect(p, -1UL, PROT_READ), ENOMEM, "a length that wraps");
  CHECK_FAILS(mprotect(p, -PG, PROT_READ), ENOMEM, "a length that wraps, page aligned");
  // The program, the stack and the heap are not areas.
  char *heap = sbrk(PG);
  CHECK(heap != (char *)-1, "sbrk failed");
  CHECK_FAILS(mprotect(heap, PG, PROT_READ), ENOMEM, "the heap");
  CHECK_FAILS(mprotect((void *)PGROUNDDOWN((uint64)&p), PG, PROT_READ), ENOMEM, "the stack");
  CHECK_FAILS(mprotect((void *)PGROUNDDOWN((uint64)mprotect_bad_args), PG, PROT_READ), ENOMEM,
              "the program's text");
  heap[0] = 1;  // still writable: the failures changed nothing
  p[0] = 1, p[PG] = 1;
  // len 0 does nothing, whatever else is wrong but the address.
  CHECK(mprotect((void *)PG, 0, 99) == 0, "len 0 failed, errno %d", errno);
  CHECK_FAILS(mprotect((void *)1, 0, PROT_READ), EINVAL, "len 0, unaligned addr");
  // A length that is not a multiple of the page covers the last page.
  protect(p, 1, PROT_READ);
  CHECK(mprotect(p, PG + 1, PROT_READ) == 0, "len PG + 1 failed, errno %d", errno);
  expect_killed(store_at, (uint64)(p + PG), "store into the page len PG + 1 reached");
  unmap(p, 2);
}

// ---------------------------------------------------------------------------
// madvise

#define RPAGES 128

// Touches page i of p and checks its bytes (pattern seed).
static void
touch(const char *p, uint64 i, int seed)
{
  uint64 off = i * PG + 9;
  char c = *(volatile const char *)(p + off);
  CHECK(c == file_byte(seed, off), "page %d holds 0x%x, want 0x%x", (int)i, c & 0xff,
        file_byte(seed, off) & 0xff);
}

// A cold mapping of mv_ra with advice (-1: none) over [from, to) pages;
// ks_a and ks_b around touching the given pages.
static void
ra_run(int advice, int from, int to, const int *pages, int n)
{
  knob(KNOB_DROP, 0);
  char *p = map_file("mv_ra", O_RDONLY, RPAGES, PROT_READ, MAP_SHARED);
  if (advice >= 0)
    advise(p + from * PG, to - from, advice);
  read_kstats(&ks_a);
  for (int i = 0; i < n; i++)
    touch(p, pages ? pages[i] : i, 7);
  read_kstats(&ks_b);
  unmap(p, RPAGES);
}

// RANDOM turns read-ahead off for the area, SEQUENTIAL reads the largest
// window (WINDOW_MAX, above the knob's default) at a miss, NORMAL goes
// back to the cache's guess; advice for part of an area applies to that
// part. The naive policy reads no ahead, whatever the advice.
static void
madv_readahead(void)
{
  make_file("mv_ra", RPAGES * PG, 7);
  long old_ra = knob(KNOB_READAHEAD, READAHEAD_DEFAULT);
  CHECK(READAHEAD_DEFAULT < WINDOW_MAX, "the test needs the default window below the largest");
  static const int first[] = {0};
  ra_run(-1, 0, 0, first, 1);
  long normal = DELTA(readahead_pages);
  ra_run(MADV_RANDOM, 0, RPAGES, 0, RPAGES);
  CHECK(DELTA(readahead_pages) == 0 && DELTA(pc_misses) == (naive ? 0 : RPAGES),
        "RANDOM scan: %d pages read ahead, %d misses; want 0, %d",
        (int)DELTA(readahead_pages), (int)DELTA(pc_misses), naive ? 0 : RPAGES);
  ra_run(MADV_SEQUENTIAL, 0, RPAGES, first, 1);
  long seq = DELTA(readahead_pages);
  ra_run(MADV_SEQUENTIAL, 0, RPAGES, 0, RPAGES);
  long seq_misses = DELTA(pc_misses), seq_ahead = DELTA(readahead_pages);
  // RANDOM set, then NORMAL again: the guess is back.
  knob(KNOB_DROP, 0);
  char *p = map_file("mv_ra", O_RDONLY, RPAGES, PROT_READ, MAP_SHARED);
  advise(p, RPAGES, MADV_RANDOM);
  advise(p, RPAGES, MADV_NORMAL);
  read_kstats(&ks_a);
  touch(p, 0, 7);
  read_kstats(&ks_b);
  long back = DELTA(readahead_pages);
  // RANDOM for the upper half only: page 0 reads ahead, page 100 does not.
  advise(p + RPAGES / 2 * PG, RPAGES / 2, MADV_RANDOM);
  read_kstats(&ks_a);
  touch(p, 100, 7);
  read_kstats(&ks_b);
  long upper = DELTA(readahead_pages), upper_misses = DELTA(pc_misses);
  unmap(p, RPAGES);
  knob(KNOB_READAHEAD, old_ra);
  if (naive) {
    CHECK(normal == 0 && seq == 0 && seq_ahead == 0 && back == 0 && upper == 0,
          "naive read ahead: %d %d %d %d %d", (int)normal, (int)seq, (int)seq_ahead, (int)back,
          (int)upper);
  } else {
    CHECK(normal > 0 && normal < WINDOW_MAX - 1, "no advice: first touch read %d ahead",
          (int)normal);
    CHECK(seq == WINDOW_MAX - 1, "SEQUENTIAL: first touch read %d pages ahead, want %d",
          (int)seq, WINDOW_MAX - 1);
    CHECK(seq_misses == RPAGES / WINDOW_MAX && seq_ahead == RPAGES - RPAGES / WINDOW_MAX,
          "SEQUENTIAL scan of %d pages: %d misses, %d read ahead; want %d, %d", RPAGES,
          (int)seq_misses, (int)seq_ahead, RPAGES / WINDOW_MAX, RPAGES - RPAGES / WINDOW_MAX);
    CHECK(back == normal, "NORMAL after RANDOM: first touch read %d ahead, want %d", (int)back,
          (int)normal);
    CHECK(upper == 0 && upper_misses == 1, "RANDOM upper half: %d read ahead, %d misses",
          (int)upper, (int)upper_misses);
  }
  unlink("mv_ra");
}

#define WPAGES 96
#define WILLNEED_TICKS 500  // most ticks the prefetch may take (it takes a few)

// WILLNEED returns at once and the range becomes resident without a
// fault of the caller's; touching it afterwards reads nothing from the
// disk. Anonymous memory has nothing to read. The naive policy, which
// does not read through the cache, ignores it.
static void
madv_willneed(void)
{
  make_file("mv_will", WPAGES * PG, 8);
  knob(KNOB_DROP, 0);
  char *p = map_file("mv_will", O_RDONLY, WPAGES, PROT_READ, MAP_SHARED);
  CHECK(resident(p, WPAGES) == 0, "%d pages resident after a drop", resident(p, WPAGES));
  read_kstats(&ks_a);
  advise(p + PG, WPAGES - 1, MADV_WILLNEED);  // page 0 left out
  int at_return = resident(p, WPAGES);
  int ticks = 0;
  while (!naive && resident(p + PG, WPAGES - 1) < WPAGES - 1 && ticks++ < WILLNEED_TICKS)
    pause(1);
  read_kstats(&ks_b);
  CHECK(DELTA(faults) == 0, "WILLNEED and waiting took %d faults", (int)DELTA(faults));
  if (naive) {
    CHECK(resident(p, WPAGES) == 0 && DELTA(disk_read_reqs) == 0,
          "naive: WILLNEED read %d requests, %d pages resident", (int)DELTA(disk_read_reqs),
          resident(p, WPAGES));
  } else {
    CHECK(resident(p + PG, WPAGES - 1) == WPAGES - 1, "after %d ticks %d of %d pages resident",
          ticks, resident(p + PG, WPAGES - 1), WPAGES - 1);
    core(p, 1);
    CHECK(vec[0] == 0, "page 0, left out, is resident");
    printf("note: willneed: %d of %d pages resident when madvise returned, all after %d ticks\n",
           at_return, WPAGES - 1, ticks);
    read_kstats(&ks_a);
    for (int i = 1; i < WPAGES; i++)
      touch(p, i, 8);
    read_kstats(&ks_b);
    CHECK(DELTA(disk_read_reqs) == 0 && DELTA(faults_major) == 0,
          "touching the prefetched pages: %d disk reads, %d major faults",
          (int)DELTA(disk_read_reqs), (int)DELTA(faults_major));
  }
  unmap(p, WPAGES);
  // Past the end of the file, and anonymous memory: nothing to do.
  p = map_file("mv_will", O_RDONLY, 2 * WPAGES, PROT_READ, MAP_PRIVATE);
  advise(p, 2 * WPAGES, MADV_WILLNEED);
  unmap(p, 2 * WPAGES);
  char *a = map_anon(4, RW, PRIV_ANON);
  char *s = map_anon(4, RW, SHARED_ANON);
  read_kstats(&ks_a);
  advise(a, 4, MADV_WILLNEED);
  advise(s, 4, MADV_WILLNEED);
  read_kstats(&ks_b);
  CHECK(DELTA(anon_zero_fills) == 0 && resident(a, 4) == 0 && resident(s, 4) == 0,
        "WILLNEED on anonymous memory filled %d pages", (int)DELTA(anon_zero_fills));
  unmap(a, 4);
  unmap(s, 4);
  unlink("mv_will");
}

// DONTNEED for each kind of page: a dirty shared file page stays dirty in
// the cache (or, naive, is written back) and is never lost; a shared
// mapping then shows the file's current bytes; a private copy goes and
// the file's bytes show again; private anonymous memory reads zeros and
// gives its pages back; shared anonymous memory keeps its contents.
static void
madv_dontneed(void)
{
  make_file("mv_dn", 4 * PG, 9);
  // Shared file pages.
  char *s = map_file("mv_dn", O_RDWR, 4, RW, MAP_SHARED);
  s[5] = 'D';
  load_at((uint64)(s + PG));
  read_kstats(&ks_a);
  advise(s, 4, MADV_DONTNEED);
  read_kstats(&ks_b);
  core(s, 4);
  if (!naive)
    CHECK(vec[0] == 1 && vec[1] == 1, "DONTNEED: shared pages left the cache (%d %d)", vec[0],
          vec[1]);
  CHECK(file_at("mv_dn", 5) == 'D', "DONTNEED: read() no longer sees the store");
  CHECK(s[5] == 'D', "DONTNEED: the mapping no longer sees the store");
  int fd = open_or_fail("mv_dn", O_RDWR);
  CHECK(lseek(fd, PG + 3, SEEK_SET) == PG + 3 && write(fd, "w", 1) == 1, "write failed");
  close(fd);
  advise(s, 4, MADV_DONTNEED);
  CHECK(s[PG + 3] == 'w', "after DONTNEED the mapping shows 0x%x, not the file's new byte",
        s[PG + 3] & 0xff);
  advise(s, 4, MADV_DONTNEED);
  knob(KNOB_DROP, 0);  // writes back what is dirty, frees what is not mapped
  core(s, 4);
  CHECK(vec[0] == 0 && vec[2] == 0, "after DONTNEED and drop: pages resident (%d %d)", vec[0],
        vec[2]);
  CHECK(file_at("mv_dn", 5) == 'D', "DONTNEED then drop: the store is lost");
  unmap(s, 4);

  // A private copy: gone, and the file's bytes show again.
  char *p = map_file("mv_dn", O_RDONLY, 4, RW, MAP_PRIVATE);
  p[PG + 8] = 'C';
  advise(p, 4, MADV_DONTNEED);
  CHECK(p[PG + 8] == file_byte(9, PG + 8), "DONTNEED kept a private copy (0x%x)",
        p[PG + 8] & 0xff);
  check_page(p, 2, 9, "private page after DONTNEED");
  unmap(p, 4);
  CHECK(file_at("mv_dn", PG + 8) == file_byte(9, PG + 8), "a private store reached the file");

  // Private anonymous memory: zeros, and its pages free again.
  char *a = map_anon(16, RW, PRIV_ANON);
  for (int i = 0; i < 16; i++)
    fill_page(a, i, 10);
  read_kstats(&ks_a);
  advise(a + 4 * PG, 8, MADV_DONTNEED);
  read_kstats(&ks_b);
  CHECK(DELTA(free_pages) >= 8, "DONTNEED of 8 anonymous pages freed %d",
        (int)DELTA(free_pages));
  core(a, 16);
  for (int i = 0; i < 16; i++)
    CHECK(vec[i] == (i < 4 || i >= 12), "anonymous page %d: mincore %d", i, vec[i]);
  check_zero(a + 4 * PG, 8 * PG, "anonymous pages after DONTNEED");
  check_page(a, 3, 10, "anonymous page below the range");
  check_page(a, 12, 10, "anonymous page above the range");
  // Pages shared with a child after fork: each side keeps its own view.
  int pid = fork();
  CHECK(pid >= 0, "fork failed");
  if (pid == 0) {
    advise(a, 4, MADV_DONTNEED);
    check_zero(a, 4 * PG, "child, after its DONTNEED");
    exit(0);
  }
  int st = -99;
  CHECK(wait(&st) == pid && st == 0, "child exited with %d", st);
  check_page(a, 0, 10, "parent, after the child's DONTNEED");
  unmap(a, 16);

  // Shared anonymous memory keeps its contents, here and in a child.
  char *m = map_anon(2, RW, SHARED_ANON);
  fill_page(m, 0, 11);
  pid = fork();
  CHECK(pid >= 0, "fork failed");
  if (pid == 0) {
    advise(m, 2, MADV_DONTNEED);
    check_page(m, 0, 11, "child, shared anonymous after DONTNEED");
    m[PG] = 'K';
    exit(0);
  }
  CHECK(wait(&st) == pid && st == 0, "child exited with %d", st);
  advise(m, 2, MADV_DONTNEED);
  core(m, 2);
  CHECK(vec[0] == 1 && vec[1] == 1, "shared anonymous pages not resident after DONTNEED");
  check_page(m, 0, 11, "shared anonymous after DONTNEED");
  CHECK(m[PG] == 'K', "the child's store is lost");
  knob(KNOB_DROP, 0);
  CHECK(resident(m, 2) == 2 && m[PG] == 'K', "shared anonymous memory dropped");
  unmap(m, 2);

  // PROT_NONE pages go as well.
  a = map_anon(2, RW, PRIV_ANON);
  a[0] = 1;
  protect(a, 2, PROT_NONE);
  advise(a, 2, MADV_DONTNEED);
  protect(a, 2, RW);
  CHECK(a[0] == 0, "a PROT_NONE page survived DONTNEED");
  unmap(a, 2);
  unlink("mv_dn");
}

// Advice for part of an area cuts it; advice back to NORMAL joins it.
static void
madv_split(void)
{
  char *p = map_anon(SPAGES, RW, PRIV_ANON);
  int slots = free_slot_count();
  advise(p + PG, 2, MADV_SEQUENTIAL);
  CHECK(free_slot_count() == slots - 2, "SEQUENTIAL in the middle took %d slots, want 2",
        slots - free_slot_count());
  advise(p + PG, 1, MADV_RANDOM);
  CHECK(free_slot_count() == slots - 3, "RANDOM inside it took %d slots in all, want 3",
        slots - free_slot_count());
  advise(p, SPAGES, MADV_NORMAL);
  CHECK(free_slot_count() == slots, "NORMAL everywhere left %d slots, want %d",
        free_slot_count(), slots);
  advise(p, SPAGES, MADV_WILLNEED);
  advise(p, 1, MADV_DONTNEED);
  CHECK(free_slot_count() == slots, "WILLNEED and DONTNEED took slots");
  static char *got[NMMAP];
  int n = fill_slots(got);
  CHECK_FAILS(madvise(p + PG, PG, MADV_RANDOM), ENOMEM, "a cut with no slot");
  CHECK(madvise(p + PG, PG, MADV_DONTNEED) == 0, "DONTNEED with no slot: errno %d", errno);
  free_slots(got, n);
  unmap(p, SPAGES);
}

static void
madv_bad_args(void)
{
  char *p = map_anon(2, RW, PRIV_ANON);
  CHECK_FAILS(madvise(p, PG, 5), EINVAL, "advice 5");
  CHECK_FAILS(madvise(p, PG, -1), EINVAL, "advice -1");
  CHECK_FAILS(madvise(p, PG, 100), EINVAL, "advice 100 (MADV_DONTFORK)");
  CHECK_FAILS(madvise((void *)PG, 0, 5), EINVAL, "advice 5, len 0");
  CHECK_FAILS(madvise(p + 8, PG, MADV_NORMAL), EINVAL, "unaligned addr");
  CHECK_FAILS(madvise(p, -1UL, MADV_NORMAL), EINVAL, "a length that wraps when rounded");
  CHECK_FAILS(madvise(p, -(uint64)p, MADV_NORMAL), EINVAL, "addr + len wraps");
  CHECK_FAILS(madvise(p, 3 * PG, MADV_DONTNEED), ENOMEM, "a range past the area");
  CHECK_FAILS(madvise(p - PG, PG, MADV_WILLNEED), ENOMEM, "the page below the area");
  CHECK_FAILS(madvise((void *)MAXVA, PG, MADV_NORMAL), ENOMEM, "MAXVA");
  char *heap = sbrk(PG);
  CHECK(heap != (char *)-1, "sbrk failed");
  heap[0] = 1;
  CHECK_FAILS(madvise(heap, PG, MADV_DONTNEED), ENOMEM, "the heap");
  CHECK(heap[0] == 1, "DONTNEED of the heap changed it");
  CHECK(madvise((void *)PG, 0, MADV_DONTNEED) == 0, "len 0 failed, errno %d", errno);
  p[0] = 1;
  CHECK_FAILS(madvise(p, 3 * PG, MADV_DONTNEED), ENOMEM, "a range past the area, again");
  CHECK(p[0] == 1, "a refused DONTNEED dropped the page");
  unmap(p, 2);
}

// ---------------------------------------------------------------------------
// MAP_POPULATE

#define PPAGES 64

// A populated file area is mapped at mmap, read with read-ahead (a few
// misses, not one per page), and touching it takes no fault. A private
// writable one is copied at mmap: its stores take none either.
static void
populate_file(void)
{
  make_file("mv_pop", PPAGES * PG, 12);
  knob(KNOB_DROP, 0);
  int fd = open_or_fail("mv_pop", O_RDWR);
  read_kstats(&ks_a);
  char *p = map_or_fail(PPAGES * PG, PROT_READ, MAP_SHARED | MAP_POPULATE, fd);
  read_kstats(&ks_b);
  CHECK(DELTA(faults) == 0, "MAP_POPULATE counted %d faults", (int)DELTA(faults));
  if (!naive)
    CHECK(DELTA(pc_misses) >= 1 && DELTA(pc_misses) <= PPAGES / 8,
          "populating %d cold pages missed %d times", PPAGES, (int)DELTA(pc_misses));
  CHECK(resident(p, PPAGES) == PPAGES, "%d of %d pages resident after MAP_POPULATE",
        resident(p, PPAGES), PPAGES);
  read_kstats(&ks_a);
  for (int i = 0; i < PPAGES; i++)
    touch(p, i, 12);
  read_kstats(&ks_b);
  CHECK(DELTA(faults) == 0, "touching a populated area took %d faults", (int)DELTA(faults));
  unmap(p, PPAGES);

  // Shared and writable: loads take no fault; stores none either unless
  // the first store of a clean page is a fault by design (svade).
  p = map_or_fail(PPAGES * PG, RW, MAP_SHARED | MAP_POPULATE, fd);
  read_kstats(&ks_a);
  for (int i = 0; i < PPAGES; i++)
    touch(p, i, 12);
  p[0] = 'S';
  read_kstats(&ks_b);
  CHECK(DELTA(faults) == (svade && !naive ? 1 : 0), "shared writable: %d faults",
        (int)DELTA(faults));
  unmap(p, PPAGES);

  // Private and writable: copied now, so stores take no fault.
  read_kstats(&ks_a);
  p = map_or_fail(PPAGES * PG, RW, MAP_PRIVATE | MAP_POPULATE, fd);
  for (int i = 0; i < PPAGES; i++)
    p[i * PG] = 'P';
  read_kstats(&ks_b);
  CHECK(DELTA(faults) == 0, "storing into a populated private area took %d faults",
        (int)DELTA(faults));
  CHECK(DELTA(cow_copies) == (naive ? 0 : PPAGES), "populating a private area copied %d pages",
        (int)DELTA(cow_copies));
  unmap(p, PPAGES);
  CHECK(file_at("mv_pop", PG) == file_byte(12, PG), "a private store reached the file");

  // Longer than the file: the part inside it is populated, the rest
  // still kills (the naive policy maps zeros there, as the lab's did).
  p = map_or_fail(2 * PPAGES * PG, PROT_READ, MAP_SHARED | MAP_POPULATE, fd);
  read_kstats(&ks_a);
  touch(p, PPAGES - 1, 12);
  read_kstats(&ks_b);
  CHECK(DELTA(faults) == 0, "the last page of the file took a fault");
  if (!naive) {
    core(p + PPAGES * PG, 1);
    CHECK(vec[0] == 0, "a page past the end of the file was populated");
    expect_killed(load_at, (uint64)(p + PPAGES * PG), "load past the end of the file");
  }
  unmap(p, 2 * PPAGES);
  close(fd);
  unlink("mv_pop");
}

// Anonymous memory populated at mmap: zero-filled now, no fault later.
static void
populate_anon(void)
{
  read_kstats(&ks_a);
  char *a = map_anon(PPAGES, RW, PRIV_ANON | MAP_POPULATE);
  char *s = map_anon(PPAGES, RW, SHARED_ANON | MAP_POPULATE);
  read_kstats(&ks_b);
  CHECK(DELTA(anon_zero_fills) == 2 * PPAGES && DELTA(faults) == 0,
        "populating 2 x %d anonymous pages: %d zero fills, %d faults", PPAGES,
        (int)DELTA(anon_zero_fills), (int)DELTA(faults));
  CHECK(resident(a, PPAGES) == PPAGES && resident(s, PPAGES) == PPAGES,
        "populated anonymous pages not resident");
  read_kstats(&ks_a);
  check_zero(a, PPAGES * PG, "populated private memory");
  check_zero(s, PPAGES * PG, "populated shared memory");
  for (int i = 0; i < PPAGES; i++)
    a[i * PG] = 1;
  if (!svade)
    for (int i = 0; i < PPAGES; i++)
      s[i * PG] = 1;
  read_kstats(&ks_b);
  CHECK(DELTA(faults) == 0 && DELTA(anon_zero_fills) == 0,
        "touching populated anonymous memory: %d faults, %d zero fills", (int)DELTA(faults),
        (int)DELTA(anon_zero_fills));
  unmap(a, PPAGES);
  unmap(s, PPAGES);
}

// Populating more than memory holds is no error: mmap succeeds with part
// of the area in place, nobody is killed, and the rest comes on demand.
static void
populate_low_memory(void)
{
  struct kstats k;
  read_kstats(&k);
  uint64 npages = k.free_pages + 4096;
  read_kstats(&ks_a);
  char *a = map_anon(npages, RW, PRIV_ANON | MAP_POPULATE);
  read_kstats(&ks_b);
  CHECK(DELTA(oom_kills) == 0, "populating killed %d processes", (int)DELTA(oom_kills));
  CHECK(DELTA(anon_zero_fills) > 0 && DELTA(anon_zero_fills) < (long)npages,
        "populated %d of %d pages", (int)DELTA(anon_zero_fills), (int)npages);
  printf("note: populate_low_memory: %d of %d pages populated, %d left free\n",
         (int)DELTA(anon_zero_fills), (int)npages, (int)ks_b.free_pages);
  a[0] = 1;
  a[(npages - 1) * PG] = 2;  // a lazy page
  CHECK(a[0] == 1 && a[(npages - 1) * PG] == 2, "stores lost");
  unmap(a, npages);
  // A file larger than the cache limit: populated up to what fits.
  make_file("mv_popl", 64 * PG, 13);
  long old = knob(KNOB_PC_LIMIT, 16);
  int fd = open_or_fail("mv_popl", O_RDONLY);
  char *p = map_or_fail(64 * PG, PROT_READ, MAP_SHARED | MAP_POPULATE, fd);
  close(fd);
  for (int i = 0; i < 64; i++)
    touch(p, i, 13);
  unmap(p, 64);
  knob(KNOB_PC_LIMIT, old);
  unlink("mv_popl");
}

static void
populate_bad_args(void)
{
  CHECK(mmap(0, PG, RW, MAP_POPULATE | MAP_ANONYMOUS, -1, 0) == MAP_FAILED && errno == EINVAL,
        "MAP_POPULATE without MAP_SHARED or MAP_PRIVATE: errno %d", errno);
  CHECK(mmap(0, PG, RW, MAP_POPULATE | MAP_PRIVATE | MAP_ANONYMOUS, 0, 0) == MAP_FAILED &&
            errno == EINVAL,
        "MAP_POPULATE, anonymous with fd 0: errno %d", errno);
  CHECK(mmap(0, PG, RW, MAP_POPULATE | MAP_SHARED, 99, 0) == MAP_FAILED && errno == EBADF,
        "MAP_POPULATE, fd 99: errno %d", errno);
  CHECK(mmap(0, PG, 0, MAP_POPULATE | MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) == MAP_FAILED &&
            errno == EINVAL,
        "MAP_POPULATE, PROT_NONE: errno %d", errno);
  // An area made with MAP_POPULATE joins its neighbour like any other.
  char *p = map_anon(2, RW, PRIV_ANON | MAP_POPULATE);
  int slots = free_slot_count();
  protect(p, 1, PROT_READ);
  protect(p, 1, RW);
  CHECK(free_slot_count() == slots, "a populated area did not join again");
  unmap(p, 2);
}

// ---------------------------------------------------------------------------
// mincore

// Resident means in memory: a mapped page of any kind, or a file page in
// the page cache whoever read it. Before and after DONTNEED and a drop.
static void
mincore_states(void)
{
  make_file("mv_core", 16 * PG, 14);
  long old_fa = knob(KNOB_FAULTAROUND, 1), old_ra = knob(KNOB_READAHEAD, 0);
  knob(KNOB_DROP, 0);
  char *f = map_file("mv_core", O_RDONLY, 16, PROT_READ, MAP_SHARED);
  CHECK(resident(f, 16) == 0, "%d pages resident in a cold file", resident(f, 16));
  touch(f, 3, 14);
  core(f, 16);
  for (int i = 0; i < 16; i++)
    CHECK(vec[i] == (i == 3), "after touching page 3: vec[%d] = %d", i, vec[i]);
  // A page read with read(), not through this mapping, is resident too
  // (under the naive policy as well: the page cache is the file's).
  int fd = open_or_fail("mv_core", O_RDONLY);
  static char b[PG];
  CHECK(lseek(fd, 9 * PG, SEEK_SET) == 9 * PG && read(fd, b, PG) == PG, "read failed");
  close(fd);
  core(f, 16);
  CHECK(vec[9] == 1 && vec[8] == 0 && vec[10] == 0, "after read() of page 9: %d %d %d", vec[8],
        vec[9], vec[10]);
  // DONTNEED unmaps, but the cache keeps the page.
  advise(f, 16, MADV_DONTNEED);
  core(f, 16);
  CHECK(vec[3] == !naive && vec[9] == 1, "after DONTNEED: page 3 %d, page 9 %d", vec[3], vec[9]);
  // A drop frees what no one maps; a mapped page stays.
  touch(f, 5, 14);
  knob(KNOB_DROP, 0);
  core(f, 16);
  for (int i = 0; i < 16; i++)
    CHECK(vec[i] == (i == 5), "after drop: vec[%d] = %d", i, vec[i]);
  unmap(f, 16);
  knob(KNOB_FAULTAROUND, old_fa);
  knob(KNOB_READAHEAD, old_ra);

  // Anonymous memory: private pages where touched, shared ones while the
  // object holds them (touched by anyone).
  char *a = map_anon(8, RW, PRIV_ANON);
  char *s = map_anon(8, RW, SHARED_ANON);
  CHECK(resident(a, 8) == 0 && resident(s, 8) == 0, "fresh anonymous memory is resident");
  a[2 * PG] = 1;
  int pid = fork();
  CHECK(pid >= 0, "fork failed");
  if (pid == 0) {
    s[6 * PG] = 1;
    exit(0);
  }
  int st = -99;
  CHECK(wait(&st) == pid && st == 0, "child exited with %d", st);
  core(a, 8);
  CHECK(vec[2] == 1 && vec[1] == 0 && vec[3] == 0, "private: %d %d %d", vec[1], vec[2], vec[3]);
  core(s, 8);
  CHECK(vec[6] == 1 && vec[5] == 0 && vec[7] == 0, "shared, touched by a child: %d %d %d",
        vec[5], vec[6], vec[7]);
  advise(a, 8, MADV_DONTNEED);
  advise(s, 8, MADV_DONTNEED);
  knob(KNOB_DROP, 0);
  CHECK(resident(a, 8) == 0, "private anonymous pages resident after DONTNEED");
  core(s, 8);
  CHECK(vec[6] == 1, "shared anonymous page not resident after DONTNEED and drop");
  // A PROT_NONE page is still in memory.
  a[0] = 1;
  protect(a, 8, PROT_NONE);
  core(a, 8);
  CHECK(vec[0] == 1, "a PROT_NONE page is not resident");
  // Over two areas at once, when they are neighbours.
  if (s + 8 * PG == a || a + 8 * PG == s) {
    char *lo = a < s ? a : s;
    core(lo, 16);
    CHECK(vec[a < s ? 0 : 8] == 1 && vec[a < s ? 14 : 6] == 1, "mincore over two areas");
  }
  unmap(a, 8);
  unmap(s, 8);
  unlink("mv_core");
}

static void
mincore_bad_args(void)
{
  char *p = map_anon(4, RW, PRIV_ANON);
  char *ro = map_anon(1, PROT_READ, PRIV_ANON);
  char *gap = map_anon(1, PROT_READ, PRIV_ANON);
  unmap(gap, 1);
  CHECK_FAILS(mincore(p + 1, PG, vec), EINVAL, "unaligned addr");
  CHECK_FAILS(mincore(p, 5 * PG, vec), ENOMEM, "a range past the area");
  CHECK_FAILS(mincore(gap, PG, vec), ENOMEM, "an unmapped page");
  CHECK_FAILS(mincore(gap, 2 * PG, vec), ENOMEM, "an unmapped page, then a mapped one");
  CHECK_FAILS(mincore((void *)MAXVA, PG, vec), ENOMEM, "MAXVA");
  CHECK_FAILS(mincore(p, -1UL, vec), ENOMEM, "a length that wraps");
  char *heap = sbrk(PG);
  CHECK(heap != (char *)-1, "sbrk failed");
  CHECK_FAILS(mincore(heap, PG, vec), ENOMEM, "the heap");
  CHECK_FAILS(mincore(p, PG, 0), EFAULT, "vec 0");
  CHECK_FAILS(mincore(p, PG, (unsigned char *)MAXVA), EFAULT, "vec at MAXVA");
  CHECK_FAILS(mincore(p, 4 * PG, (unsigned char *)(MAXVA - 2)), EFAULT, "vec across MAXVA");
  CHECK_FAILS(mincore(p, PG, (unsigned char *)ro), EFAULT, "vec read-only");
  CHECK_FAILS(mincore(p, PG, (unsigned char *)TRAPFRAME), EFAULT, "vec in the trapframe");
  CHECK(mincore((void *)PG, 0, 0) == 0, "len 0 failed, errno %d", errno);
  // vec in the range itself: the copy faults its page in.
  CHECK(mincore(p, 4 * PG, (unsigned char *)p) == 0, "vec inside the range: errno %d", errno);
  CHECK(p[0] == 0 || p[0] == 1, "vec inside the range: 0x%x", p[0] & 0xff);
  CHECK(p[1] == 0 && p[2] == 0 && p[3] == 0, "vec inside the range: %d %d %d", p[1], p[2], p[3]);
  unmap(ro, 1);
  unmap(p, 4);
}

// ---------------------------------------------------------------------------

static const struct test tests[] = {
  {"mprotect_split", mprotect_split},
  {"mprotect_none", mprotect_none},
  {"mprotect_writeback", mprotect_writeback},
  {"mprotect_private_copy", mprotect_private_copy},
  {"mprotect_eacces", mprotect_eacces},
  {"mprotect_bad_args", mprotect_bad_args},
  {"madv_readahead", madv_readahead},
  {"madv_willneed", madv_willneed},
  {"madv_dontneed", madv_dontneed},
  {"madv_split", madv_split},
  {"madv_bad_args", madv_bad_args},
  {"populate_file", populate_file},
  {"populate_anon", populate_anon},
  {"populate_low_memory", populate_low_memory},
  {"populate_bad_args", populate_bad_args},
  {"mincore_states", mincore_states},
  {"mincore_bad_args", mincore_bad_args},
};
#define NTESTS ((int)(sizeof(tests) / sizeof(tests[0])))

int
main(int argc, char *argv[])
{
  const char *only = argc >= 2 ? argv[1] : 0;
  suite_start("madvtest", tests, NTESTS, only);
  mm_knobs_save();
  naive = mm_knob_saved(KNOB_POLICY) == MMAP_POLICY_NAIVE;
  svade = mm_knob_saved(KNOB_SVADE) != 0;
  printf("madvtest: policy %s, svade %d\n", naive ? "naive" : "cache", svade);
  suite_end("madvtest", suite_run(tests, NTESTS, only, run_knob_checked));
}
