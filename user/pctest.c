// pctest.c -- tests of the shared page cache behind mmap(), read() and
// write(): one physical copy of a file page for every process, coherence
// between mappings and read()/write(), write-back of exactly the dirty
// pages, fault-around, read-ahead, copy-on-write, msync, truncation and
// unlink of mapped files, the cache size limit, stores racing with
// write-back on several harts, copies racing with eviction, and the hit
// path that takes no sleep lock.
//
// Usage: pctest [NAME]   run every test, or only test NAME
//
// pctest is about the cache policy: it selects it (KNOB_POLICY) at start.
// The tests that compare with the naive policy switch to it for the
// mappings they measure and back.
//
// How it runs (as mmaptest does). Each test runs in a forked child; a
// failed CHECK or FAIL (testlib.h) prints "test NAME: FAILED: why" and
// ends that child with status 1. Around each test the parent empties the
// page cache (KNOB_DROP: cached pages are reclaimable memory, not a leak)
// and compares free pages, open files and referenced inodes before and
// after. It also checks that the test gave every knob back the value it
// found, and restores it if not, so that one failure cannot change the
// conditions of the tests after it.
//
// Counters. A test reads kstats() before and after the step it measures
// and checks the difference (DELTA). The counters are system-wide: the
// test's own children count too, and nothing else may run meanwhile (the
// harness runs pctest alone at the prompt). Measured numbers that are
// worth seeing in a log are printed on "note:" lines.
//
// Synchronisation between processes is by pipes (tell/await) or by flags
// in a shared mapping, never by sleeping. Every process closes the pipe
// ends it does not use, so a partner that dies makes await() see end of
// file and fail instead of waiting for ever.
//
// Test files are named "pc_<test>" in the root directory; each test
// removes its own. Their contents come from file_byte() (testlib.h):
// never zero, and different from offset to offset, page to page and seed
// to seed.
//
// The user stack is one page: buffers are static.

#include "kernel/param.h"
#include "kernel/types.h"
#include "kernel/stat.h"
#include "kernel/riscv.h"
#include "kernel/fcntl.h"
#include "kernel/errno.h"
#include "kernel/kstats.h"
#include "kernel/knobs.h"
#include "user/user.h"
#include "user/testlib.h"

#define PG PGSIZE
#define RW (PROT_READ | PROT_WRITE)

// ---------------------------------------------------------------------------
// File contents

#define BUFPAGES 16
static char buf[BUFPAGES * PG];  // file data read back with read()

// p[0..n) must hold pattern `seed` from file offset off on.
static void
expect_mem(const char *p, uint64 n, int seed, uint64 off, const char *what)
{
  long i = mismatch(p, n, seed, off);
  CHECK(i < 0, "%s: byte at file offset %d is 0x%x, want 0x%x", what, (int)(off + i),
        p[i] & 0xff, file_byte(seed, off + i) & 0xff);
}

// Reads and discards n bytes of fd: moves its offset and, as a read does,
// brings the pages into the cache (the fault-around test relies on that).
static void
skip(int fd, uint64 n)
{
  while (n > 0) {
    int m = n < sizeof(buf) ? (int)n : (int)sizeof(buf);
    CHECK(read(fd, buf, m) == m, "cannot read %d bytes to skip", m);
    n -= m;
  }
}

// The file must be exactly len bytes long, page i holding pattern
// seeds[i] (or `seed` throughout, when seeds is 0). Read with read().
static void
expect_file(const char *path, uint64 len, int seed, const int *seeds, const char *what)
{
  int fd = open_or_fail(path, O_RDONLY);
  struct stat st;
  CHECK(fstat(fd, &st) == 0, "fstat failed");
  CHECK(st.size == len, "%s: file size %d, want %d", what, (int)st.size, (int)len);
  for (uint64 off = 0; off < len; off += PG) {
    uint64 m = len - off < PG ? len - off : PG;
    int got = read(fd, buf, PG);
    CHECK(got == (int)m, "%s: read() at %d returned %d, want %d", what, (int)off, got, (int)m);
    expect_mem(buf, m, seeds ? seeds[off / PG] : seed, off, what);
  }
  CHECK(read(fd, buf, PG) == 0, "%s: read() past the end returned data", what);
  close(fd);
}

// ---------------------------------------------------------------------------
// Mappings, counters, processes

static char *
map_or_fail(uint64 len, int prot, int flags, int fd, uint64 off)
{
  char *p = mmap(0, len, prot, flags, fd, off);
  CHECK(p != MAP_FAILED, "mmap(len %d, prot %d, flags %d, off %d) failed, errno %d", (int)len,
        prot, flags, (int)off, errno);
  return p;
}

// Opens path, maps its first len bytes and closes the descriptor (the
// mapping keeps the file).
static char *
map_path(const char *path, int mode, uint64 len, int prot, int flags)
{
  int fd = open_or_fail(path, mode);
  char *p = map_or_fail(len, prot, flags, fd, 0);
  close(fd);
  return p;
}

static void
unmap_or_fail(void *addr, uint64 len)
{
  int r = munmap(addr, len);
  CHECK(r == 0, "munmap(%p, %d) returned %d, errno %d", addr, (int)len, r, errno);
}

static struct kstats ks_a, ks_b;  // before and after the measured step
#define DELTA(field) ((long)(ks_b.field - ks_a.field))

static void
make_pipe(int fd[2])
{
  CHECK(pipe(fd) == 0, "pipe failed, errno %d", errno);
}

// Sends one byte (c) down a pipe.
static void
say(int fd, char c)
{
  CHECK(write(fd, &c, 1) == 1, "cannot write to a pipe");
}

static void
tell(int fd)
{
  say(fd, '.');
}

// Waits for one byte from a pipe and returns it.
static char
hear(int fd, const char *what)
{
  char c = 0;
  CHECK(read(fd, &c, 1) == 1, "waiting for %s: the other side is gone", what);
  return c;
}

static void
await(int fd, const char *what)
{
  hear(fd, what);
}


static int
fork_or_fail(void)
{
  int pid = fork();
  CHECK(pid >= 0, "fork failed, errno %d", errno);
  return pid;
}

// Loads one byte of page pg of p and checks it against pattern `seed`.
static void
touch(const char *p, uint64 pg, int seed)
{
  uint64 off = pg * PG + 5;
  char c = *(volatile const char *)(p + off);
  CHECK(c == file_byte(seed, off), "page %d of the mapping holds 0x%x, want 0x%x", (int)pg,
        c & 0xff, file_byte(seed, off) & 0xff);
}

// ---------------------------------------------------------------------------
// 1. Live sharing: a store through one mapping is in every other mapping
// of the file at once -- no munmap or msync, no new fault.

#define LIVE_ROUNDS 8

// The file offset (in page 0, and the same in page 1) of round r's stores.
static uint64
live_off(int r)
{
  return (uint64)r * 509 % PG;
}

// The leader stores into page 0 and tells the follower, which must see it
// at once, stores into page 1 and tells the leader, which must see that.
// Stored values differ from the pattern, and from the values of any other
// `base`.
static void
live_rounds(char *p, int in, int out, int leader, int seed, int base)
{
  for (int r = 0; r < LIVE_ROUNDS; r++) {
    uint64 off = live_off(r);
    char a = (char)(file_byte(seed, off) ^ (base + r));
    char b = (char)(file_byte(seed, PG + off) ^ (base + 0x20 + r));
    if (leader) {
      p[off] = a;
      tell(out);
      await(in, "the partner's store");
      CHECK(p[PG + off] == b, "round %d: the partner's store is not visible (0x%x, want 0x%x)",
            r, p[PG + off] & 0xff, b & 0xff);
    } else {
      await(in, "the partner's store");
      CHECK(p[off] == a, "round %d: the partner's store is not visible (0x%x, want 0x%x)", r,
            p[off] & 0xff, a & 0xff);
      p[PG + off] = b;
      tell(out);
    }
  }
}

static void
test_share_live(void)
{
  make_file("pc_live", 2 * PG, 1);

  // Two processes that each mmap the file themselves; both pages are
  // present in both before the first store.
  int ab[2], ba[2];
  make_pipe(ab);
  make_pipe(ba);
  int pid = fork_or_fail();
  if (pid == 0) {
    close(ab[1]);
    close(ba[0]);
    char *q = map_path("pc_live", O_RDWR, 2 * PG, RW, MAP_SHARED);
    expect_mem(q, 2 * PG, 1, 0, "second process's mapping");
    tell(ba[1]);
    live_rounds(q, ab[0], ba[1], 0, 1, 0x40);
    exit(0);
  }
  close(ab[0]);
  close(ba[1]);
  char *p = map_path("pc_live", O_RDWR, 2 * PG, RW, MAP_SHARED);
  expect_mem(p, 2 * PG, 1, 0, "first process's mapping");
  await(ba[0], "the second process to map the file");
  read_kstats(&ks_a);
  live_rounds(p, ba[0], ab[1], 1, 1, 0x40);
  read_kstats(&ks_b);
  reap(pid, 0, "second process");
  close(ab[1]);
  close(ba[0]);
  // One page shared by both: no process needed a fault to see a store.
  CHECK(DELTA(faults) == 0, "%d page faults while the two processes exchanged stores",
        (int)DELTA(faults));

  // Parent and child after fork, through the mapping the child inherited;
  // the child leads this time.
  make_pipe(ab);
  make_pipe(ba);
  pid = fork_or_fail();
  if (pid == 0) {
    close(ab[1]);
    close(ba[0]);
    sink = p[0] + p[PG];
    live_rounds(p, ab[0], ba[1], 1, 1, 0x48);
    exit(0);
  }
  close(ab[0]);
  close(ba[1]);
  live_rounds(p, ba[0], ab[1], 0, 1, 0x48);
  reap(pid, 0, "child");
  close(ab[1]);
  close(ba[0]);
  unmap_or_fail(p, 2 * PG);

  // The file holds the last round of stores.
  int fd = open_or_fail("pc_live", O_RDONLY);
  CHECK(read(fd, buf, 2 * PG) == 2 * PG, "file reads back short");
  close(fd);
  for (int r = 0; r < LIVE_ROUNDS; r++) {
    uint64 off = live_off(r);
    CHECK(buf[off] == (char)(file_byte(1, off) ^ (0x48 + r)),
          "file: round %d store to page 0 lost", r);
    CHECK(buf[PG + off] == (char)(file_byte(1, PG + off) ^ (0x68 + r)),
          "file: round %d store to page 1 lost", r);
    buf[off] = file_byte(1, off);
    buf[PG + off] = file_byte(1, PG + off);
  }
  expect_mem(buf, 2 * PG, 1, 0, "file bytes nobody stored to");
  unlink("pc_live");
}

// ---------------------------------------------------------------------------
// 2. Coherence of mappings with read() and write()

static void
test_coherence(void)
{
  const uint64 size = 2 * PG + PG / 2;  // page 2 is half file, half zeros
  make_file("pc_coh", size, 2);
  int fd = open_or_fail("pc_coh", O_RDWR);
  char *p = map_or_fail(4 * PG, RW, MAP_SHARED, fd, 0);
  expect_mem(p, size, 2, 0, "mapping before write()");

  // write() across the boundary of two present pages shows in the mapping
  // at once, through the pages already mapped.
  uint64 off = PG - 100;
  skip(fd, off);
  read_kstats(&ks_a);
  write_pattern(fd, 200, 3, off);
  expect_mem(p + off - 50, 50, 2, off - 50, "mapping before the written bytes");
  expect_mem(p + off, 200, 3, off, "mapping right after write()");
  expect_mem(p + off + 200, 50, 2, off + 200, "mapping after the written bytes");
  read_kstats(&ks_b);
  CHECK(DELTA(faults) == 0, "the mapping needed %d faults to show write() data",
        (int)DELTA(faults));

  // A store through the mapping is in read() at once, with no write-back.
  fill_pattern(p + 2 * PG + 10, 300, 4, 2 * PG + 10);
  read_kstats(&ks_a);
  int fd2 = open_or_fail("pc_coh", O_RDONLY);
  CHECK(read(fd2, buf, PG * 3) == (int)size, "read() of the file came back short");
  close(fd2);
  read_kstats(&ks_b);
  CHECK(DELTA(writeback_pages) == 0, "read() after a store needed %d pages written back",
        (int)DELTA(writeback_pages));
  expect_mem(buf, off, 2, 0, "read(): bytes before the write()");
  expect_mem(buf + off, 200, 3, off, "read(): bytes from write()");
  expect_mem(buf + off + 200, 2 * PG + 10 - (off + 200), 2, off + 200, "read(): bytes between");
  expect_mem(buf + 2 * PG + 10, 300, 4, 2 * PG + 10, "read(): bytes stored through the mapping");
  expect_mem(buf + 2 * PG + 310, size - (2 * PG + 310), 2, 2 * PG + 310, "read(): last bytes");

  // write() past the end of the file: the rest of the present page 2 shows
  // the new bytes at once, and page 3, past the old end, becomes reachable.
  skip(fd, size - (off + 200));
  write_pattern(fd, 4 * PG - size, 5, size);
  expect_mem(p + size, 4 * PG - size, 5, size, "mapping after write() grew the file");
  p[3 * PG + 7] = 'x';
  fd2 = open_or_fail("pc_coh", O_RDONLY);
  CHECK(read(fd2, buf, 4 * PG) == 4 * PG, "read() of the grown file came back short");
  close(fd2);
  CHECK(buf[3 * PG + 7] == 'x', "a store into the grown part is not seen by read()");
  expect_mem(buf + size, 3 * PG + 7 - size, 5, size, "read(): bytes appended by write()");
  unmap_or_fail(p, 4 * PG);
  close(fd);
  unlink("pc_coh");
}

// ---------------------------------------------------------------------------
// 3. Four processes mapping one file use one copy of it

#define SHARE_PAGES 128
#define SHARERS 4

// A sharer: maps the file, says so (byte 'y' or 'n' on up), waits for go,
// reads all of it, says whether it held the right bytes, waits for bye.
// It never exits before bye (no CHECK): the parent's free-page count must
// see every sharer's mapping at once.
static void
sharer(int up, int go, int bye)
{
  int fd = open("pc_share", O_RDONLY);
  char *p = fd < 0 ? MAP_FAILED : mmap(0, SHARE_PAGES * PG, PROT_READ, MAP_SHARED, fd, 0);
  if (fd >= 0)
    close(fd);
  say(up, p != MAP_FAILED ? 'y' : 'n');
  await(go, "go");
  int ok = p != MAP_FAILED && mismatch(p, SHARE_PAGES * PG, 3, 0) < 0;
  say(up, ok ? 'y' : 'n');
  await(bye, "bye");
  exit(0);
}

// Runs the sharers with areas of the given policy; returns the drop in
// free pages between all of them having mapped the file and all of them
// having read it, and in *cached the growth of the page cache.
static long
share_run(int policy, long *cached)
{
  knob(KNOB_DROP, 0);
  long old = knob(KNOB_POLICY, policy);
  CHECK(old >= 0, "cannot set the policy, errno %d", errno);
  int up[2], go[2], bye[2];
  make_pipe(up);
  make_pipe(go);
  make_pipe(bye);
  for (int i = 0; i < SHARERS; i++) {
    if (fork_or_fail() == 0) {
      close(up[0]);
      close(go[1]);
      close(bye[1]);
      sharer(up[1], go[0], bye[0]);
    }
  }
  close(up[1]);
  close(go[0]);
  close(bye[0]);
  int bad = 0;
  for (int i = 0; i < SHARERS; i++)
    bad += hear(up[0], "a sharer to map the file") != 'y';
  knob(KNOB_POLICY, old);  // the areas keep the policy they were made with
  read_kstats(&ks_a);
  for (int i = 0; i < SHARERS; i++)
    tell(go[1]);
  for (int i = 0; i < SHARERS; i++)
    bad += hear(up[0], "a sharer to read the file") != 'y';
  read_kstats(&ks_b);
  for (int i = 0; i < SHARERS; i++)
    tell(bye[1]);
  for (int i = 0; i < SHARERS; i++) {
    int st = 12345;
    CHECK(wait(&st) > 0 && st == 0, "a sharer exited with status %d", st);
  }
  close(up[0]);
  close(go[1]);
  close(bye[1]);
  CHECK(bad == 0, "%d sharers could not map the file or read wrong bytes", bad);
  *cached = DELTA(pc_pages);
  return (long)ks_a.free_pages - (long)ks_b.free_pages;
}

// The bound for 4 sharers under the cache: the file once plus 10%, plus
// page-table pages. A 128-page range needs at most 2 last-level page-table
// pages (it may straddle a 2 MiB boundary) and, in the worst case, one
// middle-level page, in each process.
#define SHARE_TABLES (SHARERS * 3)

static void
test_one_copy(void)
{
  make_file("pc_share", SHARE_PAGES * PG, 3);
  long cached;
  long used = share_run(MMAP_POLICY_CACHE, &cached);
  long bound = SHARE_PAGES + SHARE_PAGES / 10 + SHARE_TABLES;
  printf("note: one_copy: %d sharers of %d pages: cache policy used %d pages (%d in the cache)\n",
         SHARERS, SHARE_PAGES, (int)used, (int)cached);
  CHECK(cached == SHARE_PAGES, "the cache grew by %d pages for a %d-page file", (int)cached,
        SHARE_PAGES);
  CHECK(used <= bound, "%d sharers of a %d-page file used %d pages, bound %d", SHARERS,
        SHARE_PAGES, (int)used, (int)bound);
  // The same measure under the naive policy: one copy per process, so the
  // bound above really tells the two designs apart.
  long naive = share_run(MMAP_POLICY_NAIVE, &cached);
  printf("note: one_copy: naive policy used %d pages\n", (int)naive);
  CHECK(naive >= SHARERS * SHARE_PAGES, "naive policy: %d sharers used only %d pages", SHARERS,
        (int)naive);
  unlink("pc_share");
}

// ---------------------------------------------------------------------------
// 4. Write-back writes exactly the dirty pages

#define DIRTY_PAGES 64
static const int dirty_set[] = { 0, 9, 31, 32, 63 };
#define DIRTY_K ((int)(sizeof(dirty_set) / sizeof(dirty_set[0])))
static int page_seed[DIRTY_PAGES];  // what each page of the file holds

// Maps the file, loads every page first if load_first, stores pattern
// `seed` into the pages of dirty_set and unmaps; exactly those pages must
// be written back. With svade, the first store to a clean mapped page must
// fault (that is how the dirty page is found).
static void
dirty_case(int svade, int load_first, int seed)
{
  long old = knob(KNOB_SVADE, svade);
  CHECK(old >= 0, "cannot set KNOB_SVADE, errno %d", errno);
  char *p = map_path("pc_dirty", O_RDWR, DIRTY_PAGES * PG, RW, MAP_SHARED);
  if (load_first)
    for (int i = 0; i < DIRTY_PAGES; i++)
      expect_mem(p + i * PG, PG, page_seed[i], i * PG, "mapping before the stores");
  read_kstats(&ks_a);
  for (int j = 0; j < DIRTY_K; j++)
    fill_pattern(p + dirty_set[j] * PG, PG, seed, dirty_set[j] * PG);
  read_kstats(&ks_b);
  long faults = DELTA(faults);
  read_kstats(&ks_a);
  unmap_or_fail(p, DIRTY_PAGES * PG);
  read_kstats(&ks_b);
  knob(KNOB_SVADE, old);
  long want_faults = load_first && !svade ? 0 : DIRTY_K;
  CHECK(faults == want_faults,
        "svade %d, load first %d: stores to %d pages took %d faults, want %d", svade,
        load_first, DIRTY_K, (int)faults, (int)want_faults);
  CHECK(DELTA(writeback_pages) == DIRTY_K,
        "svade %d, load first %d: %d of %d pages dirtied, %d written back", svade, load_first,
        DIRTY_K, DIRTY_PAGES, (int)DELTA(writeback_pages));
  for (int j = 0; j < DIRTY_K; j++)
    page_seed[dirty_set[j]] = seed;
  expect_file("pc_dirty", DIRTY_PAGES * PG, 0, page_seed, "file after write-back");
}

static void
test_dirty_pages(void)
{
  make_file("pc_dirty", DIRTY_PAGES * PG, 6);
  for (int i = 0; i < DIRTY_PAGES; i++)
    page_seed[i] = 6;
  dirty_case(0, 1, 7);
  dirty_case(0, 0, 8);
  dirty_case(1, 1, 9);
  dirty_case(1, 0, 10);
  unlink("pc_dirty");
}

// ---------------------------------------------------------------------------
// 5. Fault-around maps the cached neighbours in its window, and only them

#define FA_PAGES 64
#define FA_WINDOW 16
#define FA_WINDOWS (FA_PAGES / FA_WINDOW)

// Maps the first npages pages of the file path (opened with mode, mapped
// shared with prot) so that the area starts on an align-page boundary
// (a power of two): its windows of align pages are then file pages
// [0, align), [align, 2 align), ... Areas are placed top-down below a
// fixed ceiling (docs/DESIGN.md), so a first mapping shows how much
// longer the area must be to start aligned; the extra pages lie past the
// end of the file and are never touched. Returns the area; *len is its
// length.
static char *
map_aligned_to(const char *path, uint64 npages, uint64 align, int mode, int prot, uint64 *len)
{
  *len = npages * PG;
  char *p = map_path(path, mode, *len, prot, MAP_SHARED);
  uint64 extra = (uint64)p / PG % align;
  if (extra == 0)
    return p;
  unmap_or_fail(p, *len);
  *len += extra * PG;
  p = map_path(path, mode, *len, prot, MAP_SHARED);
  CHECK((uint64)p % (align * PG) == 0, "cannot place an area on a %d-page boundary (%p)",
        (int)align, p);
  return p;
}

// The FA_PAGES-page file path, read-only, on a FA_WINDOW-page boundary.
static char *
map_aligned(const char *path, uint64 *len)
{
  return map_aligned_to(path, FA_PAGES, FA_WINDOW, O_RDONLY, PROT_READ, len);
}

static void
test_faultaround(void)
{
  make_file("pc_fa", FA_PAGES * PG, 11);
  long old_fa = knob(KNOB_FAULTAROUND, FA_WINDOW);
  long old_ra = knob(KNOB_READAHEAD, 32);
  long old_max = knob(KNOB_FAULTAROUND_MAX, FA_WINDOW);  // fixed windows: no growth
  CHECK(old_fa >= 1 && old_ra >= 0 && old_max >= 1, "cannot set the knobs, errno %d", errno);
  uint64 len;

  // Cold file, read-ahead on: the first touch reads page 0 and some pages
  // after it; fault-around maps those of them inside the window at once.
  knob(KNOB_DROP, 0);
  char *p = map_aligned("pc_fa", &len);
  read_kstats(&ks_a);
  touch(p, 0, 11);
  read_kstats(&ks_b);
  long ahead = DELTA(readahead_pages), around = DELTA(faultaround_pages);
  CHECK(DELTA(faults) == 1 && DELTA(pc_misses) == 1,
        "first touch of a cold file: %d faults, %d cache misses; want 1 and 1",
        (int)DELTA(faults), (int)DELTA(pc_misses));
  CHECK(ahead >= 1, "first touch of a cold file read no page ahead");
  long want = ahead < FA_WINDOW - 1 ? ahead : FA_WINDOW - 1;
  CHECK(around == want, "cold: fault-around mapped %d pages, want %d (%d read ahead)",
        (int)around, (int)want, (int)ahead);
  read_kstats(&ks_a);
  for (uint64 i = 1; i <= (uint64)around; i++)
    touch(p, i, 11);
  read_kstats(&ks_b);
  CHECK(DELTA(faults) == 0, "cold: touching the %d pages mapped around page 0 took %d faults",
        (int)around, (int)DELTA(faults));
  // The rest of the window: a page is either mapped already or faults; a
  // fault there is a sequential miss, whose read-ahead pages it maps too
  // (up to its page-table page, past the window), so at most two faults
  // (pages 4 and 12 with windows of 4, 8, 16) cover it.
  read_kstats(&ks_a);
  for (uint64 i = around + 1; i < FA_WINDOW; i++)
    touch(p, i, 11);
  read_kstats(&ks_b);
  CHECK(DELTA(faults) >= 1 && DELTA(faults) <= 2 &&
            DELTA(faults) + DELTA(faultaround_pages) >= FA_WINDOW - 1 - around,
        "cold: rest of the window (%d pages): %d faults + %d mapped around",
        (int)(FA_WINDOW - 1 - around), (int)DELTA(faults), (int)DELTA(faultaround_pages));
  printf("note: faultaround: cold first touch read %d pages ahead, mapped %d around\n",
         (int)ahead, (int)around);
  unmap_or_fail(p, len);

  // Every page cached (read() of the whole file): the first touch maps its
  // whole window; touches inside it take no fault, the next page does.
  int fd = open_or_fail("pc_fa", O_RDONLY);
  skip(fd, FA_PAGES * PG);
  close(fd);
  p = map_aligned("pc_fa", &len);
  read_kstats(&ks_a);
  touch(p, 0, 11);
  read_kstats(&ks_b);
  CHECK(DELTA(faults) == 1 && DELTA(faults_major) == 0 && DELTA(pc_misses) == 0,
        "warm: first touch took %d faults (%d major), %d cache misses; want 1 (0), 0",
        (int)DELTA(faults), (int)DELTA(faults_major), (int)DELTA(pc_misses));
  CHECK(DELTA(faultaround_pages) == FA_WINDOW - 1, "warm: fault-around mapped %d pages, want %d",
        (int)DELTA(faultaround_pages), FA_WINDOW - 1);
  read_kstats(&ks_a);
  for (uint64 i = 1; i < FA_WINDOW; i++)
    touch(p, i, 11);
  read_kstats(&ks_b);
  CHECK(DELTA(faults) == 0, "warm: touches inside the window took %d faults",
        (int)DELTA(faults));
  read_kstats(&ks_a);
  touch(p, FA_WINDOW, 11);
  read_kstats(&ks_b);
  CHECK(DELTA(faults) == 1, "warm: the first page past the window took %d faults, want 1",
        (int)DELTA(faults));
  unmap_or_fail(p, len);

  // A whole warm scan: one fault per window.
  p = map_aligned("pc_fa", &len);
  read_kstats(&ks_a);
  for (uint64 i = 0; i < FA_PAGES; i++)
    touch(p, i, 11);
  read_kstats(&ks_b);
  CHECK(DELTA(faults) == FA_WINDOWS && DELTA(faultaround_pages) == FA_PAGES - FA_WINDOWS,
        "warm scan: %d faults and %d pages mapped around, want %d and %d", (int)DELTA(faults),
        (int)DELTA(faultaround_pages), FA_WINDOWS, FA_PAGES - FA_WINDOWS);
  unmap_or_fail(p, len);

  // Fault-around off: every page faults, however warm the cache.
  knob(KNOB_FAULTAROUND, 1);
  p = map_aligned("pc_fa", &len);
  read_kstats(&ks_a);
  for (uint64 i = 0; i < FA_PAGES; i++)
    touch(p, i, 11);
  read_kstats(&ks_b);
  knob(KNOB_FAULTAROUND, old_fa);
  knob(KNOB_READAHEAD, old_ra);
  knob(KNOB_FAULTAROUND_MAX, old_max);
  CHECK(DELTA(faults) == FA_PAGES && DELTA(faultaround_pages) == 0,
        "fault-around off: %d faults and %d pages mapped around, want %d and 0",
        (int)DELTA(faults), (int)DELTA(faultaround_pages), FA_PAGES);
  unmap_or_fail(p, len);
  unlink("pc_fa");
}

// Adaptive fault-around: a sequential run doubles its area's window up
// to the ceiling (one page-table page), anything else starts again at the
// base window, MADV_RANDOM never grows. Run on a warm file, so every page
// is mapped by exactly one fault or by fault-around -- with megapages off,
// which would map each aligned 2 MiB with one fault (megatest has those).
#define AD_PAGES 1024             // 4 MiB: two page-table pages
#define AD_MAX FAULTAROUND_MAX    // 512
#define AD_RAMP 6                 // windows 16, 32, ..., 512: faults to reach the top

// Touches pages [from, to) of p in order; ks_a/ks_b around it.
static void
scan(const char *p, uint64 from, uint64 to, int seed)
{
  read_kstats(&ks_a);
  for (uint64 i = from; i < to; i++)
    touch(p, i, seed);
  read_kstats(&ks_b);
}

static void
test_faultaround_adaptive(void)
{
  long old_mega = knob(KNOB_MEGAPAGES, MEGA_OFF);
  make_file("pc_ad", AD_PAGES * PG, 12);
  long old_fa = knob(KNOB_FAULTAROUND, FA_WINDOW);
  long old_max = knob(KNOB_FAULTAROUND_MAX, AD_MAX);
  CHECK(old_fa >= 1 && old_max >= 1, "cannot set the knobs, errno %d", errno);
  int fd = open_or_fail("pc_ad", O_RDONLY);
  skip(fd, AD_PAGES * PG);  // every page cached
  close(fd);
  uint64 len;

  // Up: a whole scan takes the ramp, then one fault per page-table page.
  char *p = map_aligned_to("pc_ad", AD_PAGES, AD_MAX, O_RDONLY, PROT_READ, &len);
  scan(p, 0, AD_PAGES, 12);
  long up = DELTA(faults);
  CHECK(DELTA(faults_major) == 0 && up + DELTA(faultaround_pages) == AD_PAGES,
        "adaptive scan: %d faults (%d major) + %d mapped around, want %d pages", (int)up,
        (int)DELTA(faults_major), (int)DELTA(faultaround_pages), AD_PAGES);
  CHECK(up <= AD_RAMP + AD_PAGES / AD_MAX, "adaptive scan of %d pages took %d faults, want <= %d",
        AD_PAGES, (int)up, AD_RAMP + AD_PAGES / AD_MAX);
  unmap_or_fail(p, len);

  // The same scan with fixed windows: one fault per window.
  knob(KNOB_FAULTAROUND_MAX, FA_WINDOW);
  p = map_aligned_to("pc_ad", AD_PAGES, AD_MAX, O_RDONLY, PROT_READ, &len);
  scan(p, 0, AD_PAGES, 12);
  CHECK(DELTA(faults) == AD_PAGES / FA_WINDOW, "fixed windows: %d faults, want %d",
        (int)DELTA(faults), AD_PAGES / FA_WINDOW);
  printf("note: faultaround_adaptive: warm scan of %d pages: %d faults adaptive, %d fixed\n",
         AD_PAGES, (int)up, (int)DELTA(faults));
  unmap_or_fail(p, len);
  knob(KNOB_FAULTAROUND_MAX, AD_MAX);

  // Down: after a run has grown the window, touches elsewhere (none
  // where the run would go on) each map one base window, no more.
  p = map_aligned_to("pc_ad", AD_PAGES, AD_MAX, O_RDONLY, PROT_READ, &len);
  scan(p, 0, 256, 12);
  CHECK(DELTA(faults) < 256 / FA_WINDOW, "a run of 256 pages took %d faults: it never grew",
        (int)DELTA(faults));
  static const int scattered[] = {600, 900, 650, 980, 700, 520};
  read_kstats(&ks_a);
  for (int i = 0; i < (int)(sizeof(scattered) / sizeof(scattered[0])); i++)
    touch(p, scattered[i], 12);
  read_kstats(&ks_b);
  int nscat = sizeof(scattered) / sizeof(scattered[0]);
  CHECK(DELTA(faults) == nscat && DELTA(faultaround_pages) == nscat * (FA_WINDOW - 1),
        "scattered touches after a run: %d faults, %d mapped around; want %d and %d",
        (int)DELTA(faults), (int)DELTA(faultaround_pages), nscat, nscat * (FA_WINDOW - 1));
  unmap_or_fail(p, len);

  // MADV_RANDOM: the base window however sequential the faults.
  p = map_aligned_to("pc_ad", AD_PAGES, AD_MAX, O_RDONLY, PROT_READ, &len);
  CHECK(madvise(p, AD_PAGES * PG, MADV_RANDOM) == 0, "madvise(MADV_RANDOM) failed, errno %d",
        errno);
  scan(p, 0, 256, 12);
  CHECK(DELTA(faults) == 256 / FA_WINDOW, "MADV_RANDOM run of 256 pages: %d faults, want %d",
        (int)DELTA(faults), 256 / FA_WINDOW);
  unmap_or_fail(p, len);

  // Dirty tracking by store faults: grown windows map clean pages
  // without W, so each first store still faults and reaches the file.
  long old_svade = knob(KNOB_SVADE, 1);
  CHECK(old_svade >= 0, "cannot set svade, errno %d", errno);
  p = map_aligned_to("pc_ad", AD_PAGES, AD_MAX, O_RDWR, PROT_READ | PROT_WRITE, &len);
  scan(p, 0, AD_PAGES, 12);
  CHECK(DELTA(faults) <= AD_RAMP + AD_PAGES / AD_MAX, "svade scan: %d faults",
        (int)DELTA(faults));
  static const int stored[] = {3, 517, 1000};
  read_kstats(&ks_a);
  for (int i = 0; i < 3; i++)
    p[stored[i] * PG + 7] = (char)(file_byte(12, stored[i] * PG + 7) ^ 0x5a);
  read_kstats(&ks_b);
  CHECK(DELTA(faults) == 3, "svade: 3 stores to clean pages took %d faults, want 3",
        (int)DELTA(faults));
  CHECK(msync(p, AD_PAGES * PG, MS_SYNC) == 0, "msync failed, errno %d", errno);
  unmap_or_fail(p, len);
  knob(KNOB_SVADE, old_svade);
  fd = open_or_fail("pc_ad", O_RDONLY);
  for (int i = 0; i < 3; i++) {
    CHECK(lseek(fd, stored[i] * PG + 7, SEEK_SET) == stored[i] * PG + 7, "lseek failed");
    char c;
    CHECK(read(fd, &c, 1) == 1 && c == (char)(file_byte(12, stored[i] * PG + 7) ^ 0x5a),
          "the store to page %d did not reach the file", stored[i]);
  }
  close(fd);

  knob(KNOB_FAULTAROUND, old_fa);
  knob(KNOB_FAULTAROUND_MAX, old_max);
  knob(KNOB_MEGAPAGES, old_mega);
  unlink("pc_ad");
}

// ---------------------------------------------------------------------------
// 6. Read-ahead: every page read once; windows grow along a sequential
// scan, not on random touches, and start afresh for new contents.

// Touches the given pages of a cold mapping of pc_ra (fault-around off,
// read-ahead max `ra`), ks_a/ks_b around the touches.
static void
ra_run(long ra, const int *pages, int n)
{
  long old_fa = knob(KNOB_FAULTAROUND, 1);
  long old_ra = knob(KNOB_READAHEAD, ra);
  CHECK(old_fa >= 1 && old_ra >= 0, "cannot set the knobs, errno %d", errno);
  knob(KNOB_DROP, 0);
  char *p = map_path("pc_ra", O_RDONLY, FA_PAGES * PG, PROT_READ, MAP_SHARED);
  read_kstats(&ks_a);
  for (int i = 0; i < n; i++)
    touch(p, pages ? pages[i] : i, 13);
  read_kstats(&ks_b);
  knob(KNOB_FAULTAROUND, old_fa);
  knob(KNOB_READAHEAD, old_ra);
  unmap_or_fail(p, FA_PAGES * PG);
}

static void
test_readahead(void)
{
  make_file("pc_ra", FA_PAGES * PG, 13);

  // Read-ahead off: every page of a scan is a miss of its own.
  ra_run(0, 0, FA_PAGES);
  CHECK(DELTA(pc_misses) == FA_PAGES && DELTA(readahead_pages) == 0,
        "read-ahead off: %d cache misses, %d pages read ahead; want %d and 0",
        (int)DELTA(pc_misses), (int)DELTA(readahead_pages), FA_PAGES);

  // On: a scan misses a few times, and every page is read exactly once --
  // by its own miss or ahead of another's.
  ra_run(32, 0, FA_PAGES);
  long misses = DELTA(pc_misses), ahead = DELTA(readahead_pages);
  printf("note: readahead: cold scan of %d pages: %d misses, %d pages read ahead, %d requests\n",
         FA_PAGES, (int)misses, (int)ahead, (int)DELTA(disk_read_reqs));
  CHECK(DELTA(faults) == FA_PAGES, "%d faults with fault-around off, want %d",
        (int)DELTA(faults), FA_PAGES);
  CHECK(misses + ahead == FA_PAGES, "%d misses + %d pages read ahead for %d pages",
        (int)misses, (int)ahead, FA_PAGES);
  CHECK(misses <= FA_PAGES / 8, "a sequential scan missed %d times", (int)misses);

  // Touches far from each other read only what they touch.
  static const int scattered[] = { 50, 3, 37, 20, 61, 9 };
  ra_run(32, scattered, (int)(sizeof(scattered) / sizeof(scattered[0])));
  CHECK(DELTA(readahead_pages) == 0, "scattered touches read %d pages ahead",
        (int)DELTA(readahead_pages));

  // A file truncated and written again starts with the read-ahead of any
  // first touch of page 0, not with the window its old contents had grown.
  static const int first[] = { 0 };
  ra_run(32, first, 1);
  long fresh = DELTA(readahead_pages);
  ra_run(32, 0, FA_PAGES);  // grows the window to its largest
  int fd = open_or_fail("pc_ra", O_TRUNC | O_RDWR);
  write_pattern(fd, FA_PAGES * PG, 13, 0);
  close(fd);
  ra_run(32, first, 1);
  CHECK(DELTA(readahead_pages) == fresh,
        "first touch after truncation read %d pages ahead; a first touch reads %d",
        (int)DELTA(readahead_pages), (int)fresh);
  unlink("pc_ra");
}

// ---------------------------------------------------------------------------
// 7. A cold sequential scan: far fewer faults and disk requests than naive

#define SCAN_PAGES 256

// Scans all of pc_scan through a fresh read-only shared mapping of the
// given policy, cold (cache dropped just before); ks_a/ks_b bracket it.
static void
scan_run(int policy)
{
  knob(KNOB_DROP, 0);
  long old = knob(KNOB_POLICY, policy);
  CHECK(old >= 0, "cannot set the policy, errno %d", errno);
  char *p = map_path("pc_scan", O_RDONLY, SCAN_PAGES * PG, PROT_READ, MAP_SHARED);
  knob(KNOB_POLICY, old);
  read_kstats(&ks_a);
  for (int i = 0; i < SCAN_PAGES; i++)
    expect_mem(p + i * PG, PG, 12, i * PG, "scanned page");
  read_kstats(&ks_b);
  unmap_or_fail(p, SCAN_PAGES * PG);
}

static void
test_scan(void)
{
  make_file("pc_scan", SCAN_PAGES * PG, 12);
  scan_run(MMAP_POLICY_CACHE);
  long cache_faults = DELTA(faults), cache_reqs = DELTA(disk_read_reqs);
  long cache_blocks = DELTA(disk_read_blocks);
  scan_run(MMAP_POLICY_NAIVE);
  long naive_faults = DELTA(faults), naive_reqs = DELTA(disk_read_reqs);
  long naive_blocks = DELTA(disk_read_blocks);
  printf("note: scan of %d pages: faults cache %d naive %d; disk read requests cache %d naive "
         "%d; blocks cache %d naive %d\n",
         SCAN_PAGES, (int)cache_faults, (int)naive_faults, (int)cache_reqs, (int)naive_reqs,
         (int)cache_blocks, (int)naive_blocks);
  CHECK(naive_faults >= SCAN_PAGES, "naive scan took only %d faults", (int)naive_faults);
  CHECK(cache_faults * 8 <= naive_faults, "cache scan took %d faults, naive %d: more than 1/8",
        (int)cache_faults, (int)naive_faults);
  CHECK(cache_reqs * 4 <= naive_reqs,
        "cache scan made %d disk read requests, naive %d: more than 1/4", (int)cache_reqs,
        (int)naive_reqs);
  unlink("pc_scan");
}

// ---------------------------------------------------------------------------
// 8. Private mappings: copy-on-write keeps parent, child, file and shared
// mappings apart

static void
test_cow(void)
{
  make_file("pc_cow", 3 * PG, 13);
  int fd = open_or_fail("pc_cow", O_RDWR);
  char *s = map_or_fail(3 * PG, RW, MAP_SHARED, fd, 0);
  char *q = map_or_fail(3 * PG, RW, MAP_PRIVATE, fd, 0);
  close(fd);
  expect_mem(q, 3 * PG, 13, 0, "private mapping before stores");
  expect_mem(s, 3 * PG, 13, 0, "shared mapping before stores");

  // Private stores before fork: one copy per page, invisible to the
  // shared mapping and to read().
  read_kstats(&ks_a);
  fill_pattern(q, 2 * PG, 14, 0);
  read_kstats(&ks_b);
  CHECK(DELTA(cow_copies) == 2, "private stores to 2 pages made %d copies",
        (int)DELTA(cow_copies));
  expect_mem(s, 3 * PG, 13, 0, "shared mapping after private stores");
  expect_file("pc_cow", 3 * PG, 13, 0, "file after private stores");

  int pc[2], cp[2];
  make_pipe(pc);
  make_pipe(cp);
  read_kstats(&ks_a);
  int pid = fork_or_fail();
  if (pid == 0) {
    close(pc[1]);
    close(cp[0]);
    expect_mem(q, 2 * PG, 14, 0, "child: parent's private stores before fork");
    expect_mem(q + 2 * PG, PG, 13, 2 * PG, "child: private page nobody stored to");
    fill_pattern(q, PG, 15, 0);  // the child stores first into page 0
    tell(cp[1]);
    await(pc[0], "the parent's store");
    expect_mem(q, PG, 15, 0, "child: its own store");
    expect_mem(q + PG, PG, 14, PG, "child: page 1 after the parent's store after fork");
    fill_pattern(q + PG, 2 * PG, 16, PG);  // page 1 after the parent's copy; page 2
    tell(cp[1]);
    await(pc[0], "the parent's checks");
    expect_mem(s, 3 * PG, 13, 0, "child: shared mapping");
    exit(0);
  }
  close(pc[0]);
  close(cp[1]);
  await(cp[0], "the child's store");
  expect_mem(q, PG, 14, 0, "parent: page 0 after the child's store");
  fill_pattern(q + PG, PG, 17, PG);  // the parent stores first into page 1
  tell(pc[1]);
  await(cp[0], "the child's stores");
  expect_mem(q, PG, 14, 0, "parent: page 0");
  expect_mem(q + PG, PG, 17, PG, "parent: page 1 after the child's store");
  expect_mem(q + 2 * PG, PG, 13, 2 * PG, "parent: page 2 after the child's store");
  tell(pc[1]);
  reap(pid, 0, "child");
  read_kstats(&ks_b);
  close(pc[1]);
  close(cp[0]);
  // Whoever stores first into a page both hold needs a copy (pages 0 and
  // 1), and the child's page 2 is copied from the file page.
  CHECK(DELTA(cow_copies) >= 3, "after fork: %d copies, want at least 3",
        (int)DELTA(cow_copies));

  // A store through the shared mapping reaches the file, not the private
  // copies.
  fill_pattern(s, PG, 18, 0);
  expect_mem(q, PG, 14, 0, "private page 0 after a shared store");
  read_kstats(&ks_a);
  unmap_or_fail(q, 3 * PG);
  read_kstats(&ks_b);
  CHECK(DELTA(writeback_pages) == 0, "unmapping a private mapping wrote %d pages",
        (int)DELTA(writeback_pages));
  unmap_or_fail(s, 3 * PG);
  static const int seeds[3] = { 18, 13, 13 };
  expect_file("pc_cow", 3 * PG, 0, seeds, "file at the end");
  unlink("pc_cow");
}

// ---------------------------------------------------------------------------
// 9. msync

static void
expect_msync_error(void *addr, uint64 len, int flags, int want, const char *what)
{
  errno = 0;
  int r = msync(addr, len, flags);
  CHECK(r == -1, "msync with %s returned %d, want -1", what, r);
  CHECK(errno == want, "msync with %s: errno %d, want %d", what, errno, want);
}

// msync(addr, len, flags) must succeed and write back `want` pages.
static void
expect_msync_writes(void *addr, uint64 len, int flags, long want, const char *what)
{
  read_kstats(&ks_a);
  int r = msync(addr, len, flags);
  read_kstats(&ks_b);
  CHECK(r == 0, "msync of %s failed, errno %d", what, errno);
  CHECK(DELTA(writeback_pages) == want, "msync of %s wrote back %d pages, want %d", what,
        (int)DELTA(writeback_pages), (int)want);
}

static void
test_msync(void)
{
  make_file("pc_msync", 8 * PG, 20);
  static int seeds[8] = { 20, 20, 20, 20, 20, 20, 20, 20 };
  char *p = map_path("pc_msync", O_RDWR, 8 * PG, RW, MAP_SHARED);
  expect_mem(p, 8 * PG, 20, 0, "mapping");
  for (int i = 1; i < 8; i += 2) {
    fill_pattern(p + i * PG, PG, 21, i * PG);
    seeds[i] = 21;
  }
  expect_msync_writes(p, 8 * PG, MS_SYNC, 4, "4 dirty pages");
  expect_msync_writes(p, 8 * PG, MS_SYNC, 0, "pages just written back");
  fill_pattern(p + 3 * PG, PG, 22, 3 * PG);
  fill_pattern(p + 6 * PG, PG, 22, 6 * PG);
  seeds[3] = seeds[6] = 22;
  // MS_ASYNC leaves the page to the write-back process and returns.
  expect_msync_writes(p + 3 * PG, PG, MS_ASYNC, 0, "page 3 (MS_ASYNC)");
  expect_msync_writes(p + 3 * PG, PG, MS_SYNC, 1, "page 3 after MS_ASYNC");
  expect_msync_writes(p + 6 * PG, 100, MS_SYNC, 1, "100 bytes of page 6");
  expect_msync_writes(p, 8 * PG, MS_INVALIDATE, 0, "all pages (MS_INVALIDATE)");
  read_kstats(&ks_a);
  unmap_or_fail(p, 8 * PG);
  read_kstats(&ks_b);
  CHECK(DELTA(writeback_pages) == 0, "munmap after msync wrote back %d pages",
        (int)DELTA(writeback_pages));
  // Nothing was left to write: dropping the cache writes nothing, and the
  // file, read back into the emptied cache, holds every store.
  read_kstats(&ks_a);
  knob(KNOB_DROP, 0);
  read_kstats(&ks_b);
  CHECK(DELTA(writeback_pages) == 0, "dropping the cache after msync wrote %d pages",
        (int)DELTA(writeback_pages));
  CHECK(ks_b.pc_pages == 0, "%d pages still cached after the drop", (int)ks_b.pc_pages);
  expect_file("pc_msync", 8 * PG, 0, seeds, "file after msync");

  // Errors.
  p = map_path("pc_msync", O_RDWR, 4 * PG, RW, MAP_SHARED);
  expect_msync_error(p + 1, PG, MS_SYNC, EINVAL, "an unaligned address");
  expect_msync_error(p, PG, 8, EINVAL, "flags 8");
  expect_msync_error(p, PG, MS_SYNC | 0x100, EINVAL, "flags MS_SYNC|0x100");
  expect_msync_error(p, PG, MS_SYNC | MS_ASYNC, EINVAL, "MS_SYNC|MS_ASYNC");
  uint64 gap = PGROUNDUP((uint64)sbrk(0)) + 16 * PG;  // between the heap and the areas
  expect_msync_error((void *)gap, PG, MS_SYNC, ENOMEM, "an unmapped range");
  unmap_or_fail(p + PG, PG);
  expect_msync_error(p, 4 * PG, MS_SYNC, ENOMEM, "a range with a hole");
  expect_msync_error(p + PG, PG, MS_SYNC, ENOMEM, "the hole");
  unmap_or_fail(p, 4 * PG);

  // A private mapping's stores never reach the file, msync or not.
  char *q = map_path("pc_msync", O_RDWR, 4 * PG, RW, MAP_PRIVATE);
  fill_pattern(q, 2 * PG, 23, 0);
  expect_msync_writes(q, 4 * PG, MS_SYNC, 0, "a private mapping");
  unmap_or_fail(q, 4 * PG);
  expect_file("pc_msync", 8 * PG, 0, seeds, "file after msync of a private mapping");
  unlink("pc_msync");
}

// ---------------------------------------------------------------------------
// 10. Truncation of a mapped file

// A child maps pc_trunc, makes every page present (and page 1 dirty),
// waits while the parent truncates the file, then touches page 0 (load)
// or page 2 (store): it must be killed.
static void
truncate_kill(int store)
{
  int pc[2], cp[2];
  make_pipe(pc);
  make_pipe(cp);
  int pid = fork_or_fail();
  if (pid == 0) {
    close(pc[1]);
    close(cp[0]);
    char *p = map_path("pc_trunc", O_RDWR, 4 * PG, RW, MAP_SHARED);
    expect_mem(p, 4 * PG, 30, 0, "child's mapping before truncation");
    p[PG + 1] = 1;
    tell(cp[1]);
    await(pc[0], "the truncation");
    if (store)
      store_at((uint64)p + 2 * PG + 9);
    else
      load_at((uint64)p + 9);
    exit(SURVIVED);
  }
  close(pc[0]);
  close(cp[1]);
  await(cp[0], "the child to map the file");
  int fd = open_or_fail("pc_trunc", O_TRUNC | O_RDWR);
  close(fd);
  tell(pc[1]);
  int st = 12345;
  CHECK(wait(&st) == pid, "wait lost the child");
  CHECK(st == -1, "a %s to a page truncated away: child exit status %d, want -1 (killed)",
        store ? "store" : "load", st);
  close(pc[1]);
  close(cp[0]);
  expect_file("pc_trunc", 0, 0, 0, "truncated file");
}

static void
test_truncate(void)
{
  make_file("pc_trunc", 4 * PG, 30);
  truncate_kill(0);
  make_file("pc_trunc", 4 * PG, 30);
  truncate_kill(1);

  // The truncating process's own mapping, every page dirty: after
  // truncation and new data, it shows the new data, the old dirty pages
  // never reach the file, and pages past the new end kill.
  make_file("pc_trunc", 4 * PG, 30);
  int fd = open_or_fail("pc_trunc", O_RDWR);
  char *p = map_or_fail(4 * PG, RW, MAP_SHARED, fd, 0);
  close(fd);
  fill_pattern(p, 4 * PG, 31, 0);
  fd = open_or_fail("pc_trunc", O_TRUNC | O_RDWR);
  expect_file("pc_trunc", 0, 0, 0, "file right after truncation");
  write_pattern(fd, 2 * PG, 32, 0);
  close(fd);
  expect_mem(p, 2 * PG, 32, 0, "mapping after truncation and new data");
  expect_killed(load_at, (uint64)p + 2 * PG, "load past the new end");
  expect_killed(store_at, (uint64)p + 3 * PG + 100, "store past the new end");
  read_kstats(&ks_a);
  unmap_or_fail(p, 4 * PG);
  read_kstats(&ks_b);
  CHECK(DELTA(writeback_pages) == 0, "munmap wrote back %d pages nobody stored to since",
        (int)DELTA(writeback_pages));
  expect_file("pc_trunc", 2 * PG, 32, 0, "file with new data");
  unlink("pc_trunc");
}

// ---------------------------------------------------------------------------
// 11. Unlink of a mapped file

static void
test_unlink(void)
{
  // A first mapping at the address the measured one will get, so that its
  // page-table pages (kept until exit) exist before the count is taken.
  make_file("pc_unl", 4 * PG, 40);
  char *p = map_path("pc_unl", O_RDWR, 4 * PG, RW, MAP_SHARED);
  expect_mem(p, 4 * PG, 40, 0, "first mapping");
  unmap_or_fail(p, 4 * PG);
  knob(KNOB_DROP, 0);
  read_kstats(&ks_a);

  // The mapping is the file's only reference once the descriptor is closed.
  char *q = map_path("pc_unl", O_RDWR, 4 * PG, RW, MAP_SHARED);
  CHECK(q == p, "second mapping at %p, not at %p", q, p);
  CHECK(unlink("pc_unl") == 0, "unlink failed, errno %d", errno);
  CHECK(open("pc_unl", O_RDONLY) < 0, "an unlinked file can still be opened");
  expect_mem(q, 4 * PG, 40, 0, "mapping of an unlinked file");
  fill_pattern(q + PG, PG, 41, PG);
  // A new file of the same name is another file.
  make_file("pc_unl", PG, 42);
  CHECK(msync(q, 4 * PG, MS_SYNC) == 0, "msync of an unlinked file failed, errno %d", errno);
  fill_pattern(q + 3 * PG, PG, 43, 3 * PG);
  expect_mem(q + PG, PG, 41, PG, "stored page of the unlinked file");
  expect_mem(q + 2 * PG, PG, 40, 2 * PG, "other page of the unlinked file");
  expect_file("pc_unl", PG, 42, 0, "new file of the same name");
  unlink("pc_unl");
  unmap_or_fail(q, 4 * PG);

  // The last reference is gone: the inode and its pages are free, without
  // any cache drop.
  read_kstats(&ks_b);
  CHECK(ks_b.pc_pages == ks_a.pc_pages && ks_b.free_pages == ks_a.free_pages &&
          ks_b.inodes_cached == ks_a.inodes_cached && ks_b.files_open == ks_a.files_open,
        "after munmap of an unlinked file: cached pages %d -> %d, free pages %d -> %d, "
        "inodes %d -> %d, open files %d -> %d",
        (int)ks_a.pc_pages, (int)ks_b.pc_pages, (int)ks_a.free_pages, (int)ks_b.free_pages,
        (int)ks_a.inodes_cached, (int)ks_b.inodes_cached, (int)ks_a.files_open,
        (int)ks_b.files_open);
}

// ---------------------------------------------------------------------------
// 12. A mapping larger than the cache limit

#define BIG_PAGES 256
#define LIMIT 64
#define LIMIT_SLACK 8

// Reads every byte of the mapping p: returns their sum, counts bytes that
// differ from the pattern into *bad, and the largest pc_pages seen (read
// every 8 pages) into *most.
static uint64
limit_pass(const char *p, long *bad, long *most)
{
  uint64 sum = 0;
  struct kstats k;
  for (int pg = 0; pg < BIG_PAGES; pg++) {
    const char *page = p + pg * PG;
    for (int i = 0; i < PG; i++) {
      sum += (uchar)page[i];
      *bad += page[i] != file_byte(50, (uint64)pg * PG + i);
    }
    if (pg % 8 == 7) {
      read_kstats(&k);
      if ((long)k.pc_pages > *most)
        *most = k.pc_pages;
    }
  }
  return sum;
}

static void
test_limit(void)
{
  make_file("pc_big", BIG_PAGES * PG, 50);
  uint64 want = 0;
  for (uint64 off = 0; off < BIG_PAGES * PG; off++)
    want += (uchar)file_byte(50, off);
  knob(KNOB_DROP, 0);
  long old = knob(KNOB_PC_LIMIT, LIMIT);
  CHECK(old >= 0, "cannot set KNOB_PC_LIMIT, errno %d", errno);
  char *p = map_path("pc_big", O_RDONLY, BIG_PAGES * PG, PROT_READ, MAP_SHARED);
  long bad = 0, most = 0;
  read_kstats(&ks_a);
  uint64 sum1 = limit_pass(p, &bad, &most);
  // Again: the pages evicted under the first pass (unmapped from us on the
  // way) come back with the right bytes.
  uint64 sum2 = limit_pass(p, &bad, &most);
  read_kstats(&ks_b);
  knob(KNOB_PC_LIMIT, old);
  unmap_or_fail(p, BIG_PAGES * PG);
  printf("note: limit: %d-page file under a %d-page limit: most cached %d, %d evictions\n",
         BIG_PAGES, LIMIT, (int)most, (int)DELTA(pc_evictions));
  CHECK(sum1 == want && sum2 == want && bad == 0,
        "byte sums %d and %d, want %d; %d bytes differ from the file", (int)sum1, (int)sum2,
        (int)want, (int)bad);
  CHECK(DELTA(pc_evictions) > 0, "no evictions under the limit");
  CHECK(most <= LIMIT + LIMIT_SLACK, "the cache held %d pages, limit %d", (int)most, LIMIT);

  // Stores to every page: dirty pages are written back to stay under the
  // limit, and every store reaches the file.
  knob(KNOB_PC_LIMIT, LIMIT);
  char *w = map_path("pc_big", O_RDWR, BIG_PAGES * PG, PROT_READ | PROT_WRITE, MAP_SHARED);
  most = 0;
  struct kstats k;
  for (int pg = 0; pg < BIG_PAGES; pg++) {
    w[pg * PG] = (char)(pg % 200 + 1);
    if (pg % 8 == 7) {
      read_kstats(&k);
      if ((long)k.pc_pages > most)
        most = k.pc_pages;
    }
  }
  knob(KNOB_PC_LIMIT, old);
  unmap_or_fail(w, BIG_PAGES * PG);
  CHECK(most <= LIMIT + LIMIT_SLACK, "storing: the cache held %d pages, limit %d", (int)most,
        LIMIT);
  int fd = open("pc_big", O_RDONLY);
  CHECK(fd >= 0, "cannot open pc_big");
  static char page[PG];
  for (int pg = 0; pg < BIG_PAGES; pg++) {
    CHECK(read(fd, page, PG) == PG, "short read of pc_big");
    CHECK(page[0] == (char)(pg % 200 + 1), "page %d lost its store under the limit", pg);
    CHECK(page[1] == file_byte(50, (uint64)pg * PG + 1), "page %d: byte 1 changed", pg);
  }
  close(fd);
  unlink("pc_big");
}

// ---------------------------------------------------------------------------
// 13. Stores on several harts racing with write-back

#define RACE_WRITERS 4
#define RACE_BASE 64                      // writer w owns RACE_BYTES from here + w*RACE_BYTES
#define RACE_BYTES ((PG - RACE_BASE) / RACE_WRITERS)
#define RACE_STOP 0                       // byte: set by the parent when the writers are gone
#define RACE_FAILED 1                     // byte: set when the syncer is gone
#define RACE_SYNCS 8                      // uint64: msync calls the syncer completed
#define RACE_MIN_ROUNDS 100
#define RACE_MIN_SYNCS 15

static char
race_val(int w, int r, int i)  // rounds: 1..200
{
  return (char)(1 + (w * 61 + r * 7 + i) % 200);
}

static char
race_final(int w, int i)  // the last round: 201..250
{
  return (char)(201 + (w * 13 + i) % 50);
}

// Stores round after round into its own bytes until the syncer has done
// RACE_MIN_SYNCS msyncs (at least RACE_MIN_ROUNDS rounds), then the final
// values; each round must still be intact when read back.
static void
race_writer(volatile char *p, int w)
{
  volatile char *mine = p + RACE_BASE + w * RACE_BYTES;
  volatile uint64 *syncs = (volatile uint64 *)(p + RACE_SYNCS);
  for (int r = 0; (r < RACE_MIN_ROUNDS || *syncs < RACE_MIN_SYNCS) && !p[RACE_FAILED]; r++) {
    for (int i = 0; i < RACE_BYTES; i++)
      mine[i] = race_val(w, r, i);
    for (int i = 0; i < RACE_BYTES; i++)
      CHECK(mine[i] == race_val(w, r, i), "writer %d round %d: byte %d changed under it", w, r,
            i);
  }
  for (int i = 0; i < RACE_BYTES; i++)
    mine[i] = race_final(w, i);
  for (int i = 0; i < RACE_BYTES; i++)
    CHECK(mine[i] == race_final(w, i), "writer %d: final byte %d changed under it", w, i);
}

static void
race_syncer(volatile char *p)
{
  volatile uint64 *syncs = (volatile uint64 *)(p + RACE_SYNCS);
  while (!p[RACE_STOP]) {
    if (msync((void *)p, PG, MS_SYNC) != 0) {
      p[RACE_FAILED] = 1;
      FAIL("msync failed, errno %d", errno);
    }
    (*syncs)++;
  }
}

// One race with the given Svade setting.
static void
race_run(int svade)
{
  make_file("pc_race", PG, 60);
  long old = knob(KNOB_SVADE, svade);
  CHECK(old >= 0, "cannot set KNOB_SVADE, errno %d", errno);
  volatile char *p = map_path("pc_race", O_RDWR, PG, RW, MAP_SHARED);
  p[RACE_STOP] = 0;
  p[RACE_FAILED] = 0;
  *(volatile uint64 *)(p + RACE_SYNCS) = 0;
  int up[2], go[2];
  make_pipe(up);
  make_pipe(go);
  int syncer = 0;
  read_kstats(&ks_a);
  for (int w = 0; w <= RACE_WRITERS; w++) {  // RACE_WRITERS: the syncer
    int pid = fork_or_fail();
    if (pid == 0) {
      close(up[0]);
      close(go[1]);
      sink = p[0];
      tell(up[1]);
      await(go[0], "the start");
      if (w == RACE_WRITERS)
        race_syncer(p);
      else
        race_writer(p, w);
      exit(0);
    }
    syncer = pid;
  }
  close(up[1]);
  close(go[0]);
  for (int i = 0; i <= RACE_WRITERS; i++)
    await(up[0], "the writers and the syncer to start");
  for (int i = 0; i <= RACE_WRITERS; i++)
    tell(go[1]);
  close(up[0]);
  close(go[1]);

  int writers = RACE_WRITERS, syncing = 1, bad = 0;
  while (writers > 0 || syncing) {
    int st = 12345;
    int pid = wait(&st);
    CHECK(pid > 0, "wait failed");
    bad += st != 0;
    if (pid == syncer) {
      syncing = 0;
      p[RACE_FAILED] = 1;  // writers waiting for more msyncs give up
    } else if (--writers == 0) {
      p[RACE_STOP] = 1;
    }
  }
  read_kstats(&ks_b);
  knob(KNOB_SVADE, old);
  CHECK(bad == 0, "svade %d: %d of the racing processes failed", svade, bad);
  uint64 syncs = *(volatile uint64 *)(p + RACE_SYNCS);
  printf("note: race (svade %d): %d msyncs, %d pages written back, %d remote TLB shootdowns\n",
         svade, (int)syncs, (int)DELTA(writeback_pages), (int)DELTA(tlb_shootdowns));
  CHECK(syncs >= RACE_MIN_SYNCS, "only %d msyncs", (int)syncs);
  unmap_or_fail((void *)p, PG);

  // Every final value is on the disk.
  knob(KNOB_DROP, 0);
  read_kstats(&ks_b);
  CHECK(ks_b.pc_pages == 0, "%d pages still cached after the drop", (int)ks_b.pc_pages);
  int fd = open_or_fail("pc_race", O_RDONLY);
  CHECK(read(fd, buf, PG) == PG, "file reads back short");
  close(fd);
  CHECK(buf[RACE_STOP] == 1 && buf[RACE_FAILED] == 1, "file: control bytes %d %d, want 1 1",
        buf[RACE_STOP], buf[RACE_FAILED]);
  CHECK(*(uint64 *)(buf + RACE_SYNCS) == syncs, "file: msync count %d, want %d",
        (int)*(uint64 *)(buf + RACE_SYNCS), (int)syncs);
  for (int w = 0; w < RACE_WRITERS; w++)
    for (int i = 0; i < RACE_BYTES; i++)
      CHECK(buf[RACE_BASE + w * RACE_BYTES + i] == race_final(w, i),
            "svade %d: file: writer %d byte %d is %d, want %d", svade, w, i,
            buf[RACE_BASE + w * RACE_BYTES + i] & 0xff, race_final(w, i) & 0xff);
  unlink("pc_race");
}

static void
test_race(void)
{
  race_run(0);
  race_run(1);
}

// ---------------------------------------------------------------------------
// 14. Copy-on-write while the page is being evicted
//
// A store to a private mapping's read-only cache page copies the page. A
// reader on another hart makes the cache evict constantly (a limit of 2
// pages, misses served from the buffer cache, so they come fast), so the
// page may be unmapped and freed while it is being copied. Every copy
// must still hold the file's bytes, and the kernel must not trip over
// the page that went away.

#define CE_PAGES 8
#define CE_ROUNDS 300
#define CE_LIMIT 2
#define CE_MAX_READS 5000  // the reader stops here even if never told to

static char ce_buf[CE_PAGES * PG];

// Reads pc_ce2 whole, again and again, until *stop is set.
static void
ce_reader(volatile char *stop)
{
  for (int n = 0; n < CE_MAX_READS && !*stop; n++) {
    int fd = open_or_fail("pc_ce2", O_RDONLY);
    CHECK(read(fd, ce_buf, sizeof(ce_buf)) == sizeof(ce_buf), "reader: short read");
    close(fd);
    expect_mem(ce_buf, sizeof(ce_buf), 71, 0, "reader: read() under eviction");
  }
}

// A file of CE_PAGES pages, each starting with the path "pc_ce2".
static void
make_names(void)
{
  static char page[PG];
  memset(page, 0, PG);
  strcpy(page, "pc_ce2");
  int fd = open_or_fail("pc_cename", O_CREATE | O_TRUNC | O_RDWR);
  for (int i = 0; i < CE_PAGES; i++)
    CHECK(write(fd, page, PG) == PG, "cannot write pc_cename");
  close(fd);
}

static void
test_cow_evict(void)
{
  make_file("pc_ce", CE_PAGES * PG, 70);
  make_file("pc_ce2", CE_PAGES * PG, 71);
  make_file("pc_ceflag", PG, 72);
  make_names();
  // System calls read their path arguments from pages being evicted too:
  // each must come in again, never end the call with EFAULT.
  char *names = map_path("pc_cename", O_RDONLY, CE_PAGES * PG, PROT_READ, MAP_SHARED);
  volatile char *stop = map_path("pc_ceflag", O_RDWR, PG, RW, MAP_SHARED);
  *stop = 0;
  long old = knob(KNOB_PC_LIMIT, CE_LIMIT);
  CHECK(old >= 0, "cannot set KNOB_PC_LIMIT, errno %d", errno);
  int pid = fork_or_fail();
  if (pid == 0) {
    ce_reader(stop);
    exit(0);
  }
  read_kstats(&ks_a);
  for (int r = 0; r < CE_ROUNDS; r++) {
    char *q = map_path("pc_ce", O_RDONLY, CE_PAGES * PG, RW, MAP_PRIVATE);
    for (int i = 0; i < CE_PAGES; i++) {
      touch(q, i, 70);
      q[i * PG + 1] = file_byte(70, i * PG + 1);  // the same byte: the copy must be the file page
      expect_mem(q + i * PG, PG, 70, i * PG, "private copy made under eviction");
      int fd = open(names + i * PG, O_RDONLY);
      CHECK(fd >= 0, "open of a path in a page under eviction failed, errno %d", errno);
      close(fd);
    }
    unmap_or_fail(q, CE_PAGES * PG);
  }
  read_kstats(&ks_b);
  *stop = 1;
  reap(pid, 0, "reader");
  knob(KNOB_PC_LIMIT, old);
  printf("note: cow_evict: %d copies for %d stores, %d evictions\n", (int)DELTA(cow_copies),
         CE_ROUNDS * CE_PAGES, (int)DELTA(pc_evictions));
  CHECK(DELTA(pc_evictions) > 0, "nothing was evicted");
  CHECK(DELTA(cow_copies) >= CE_ROUNDS * CE_PAGES, "%d copies for %d stores",
        (int)DELTA(cow_copies), CE_ROUNDS * CE_PAGES);
  unmap_or_fail((void *)stop, PG);
  unmap_or_fail(names, CE_PAGES * PG);
  unlink("pc_ce");
  unlink("pc_ce2");
  unlink("pc_ceflag");
  unlink("pc_cename");
}

// ---------------------------------------------------------------------------
// The suite

// ---------------------------------------------------------------------------
// 15. Stores made by the kernel on the process's behalf (read() into a
// mapping) dirty the page like the process's own stores.

static void
test_syscall_store(void)
{
  make_file("pc_src", 4 * PG, 61);
  for (int svade = 0; svade <= 1; svade++) {
    make_file("pc_sys", 4 * PG, 60);
    long old = knob(KNOB_SVADE, svade);
    CHECK(old >= 0, "cannot set KNOB_SVADE, errno %d", errno);
    char *p = map_path("pc_sys", O_RDWR, 4 * PG, PROT_READ | PROT_WRITE, MAP_SHARED);
    expect_mem(p, 4 * PG, 60, 0, "mapping before read()");  // present and clean
    int fd = open_or_fail("pc_src", O_RDONLY);
    CHECK(read(fd, p, 4 * PG) == 4 * PG, "read() into the mapping failed, errno %d", errno);
    close(fd);
    unmap_or_fail(p, 4 * PG);
    knob(KNOB_SVADE, old);
    knob(KNOB_DROP, 0);  // read the file back from the disk, not the cache
    expect_file("pc_sys", 4 * PG, 61, 0,
                svade ? "file after read() into a mapping (svade)" : "file after read() into a mapping");
  }
  unlink("pc_sys");
  unlink("pc_src");
}

// ---------------------------------------------------------------------------
// 16. The hit path: a fault on a cached, up-to-date page takes no sleep lock
//
// hit_count: HIT_READERS processes (on as many harts as there are) fault
// every page of a warm file, one fault a page (fault-around off): loads
// through a shared mapping, and stores to a private one (each a copy of
// the cache page). With KNOB_HIT_LOCKLESS on, not one of those faults
// takes an inode lock (fault_sleeplocks); off, every one does.
//
// hit_race: readers on several harts load random pages of a file through
// a shared mapping while a mutator rewrites it generation by generation --
// the first half in place with write(), the second half cut off by
// ftruncate and written anew -- under a small cache limit (mapped pages
// are evicted under the readers) and, for some generations, with the
// truncation paused a tick per piece with the inode locked (KNOB_FREE_
// PAUSE: hits go on around it, misses wait). The model: page p of
// generation g holds g + 1 in every byte, and generation g is published
// only once all its bytes are in; so a load made after generation g was
// published must see g + 1 or more, and never more than the generation
// being written. A stale PTE -- a page truncated away but still mapped,
// or a copy that outlived its page -- shows an older generation. A reader
// may touch a page of the second half while it is cut off: it dies
// (SIGBUS, exit -1) and is started again; any other end is a failure.

#define HIT_PAGES 48
#define HIT_READERS 3

static void
hit_reader(int seed, int go)
{
  char *s = map_path("pc_hit", O_RDONLY, HIT_PAGES * PG, PROT_READ, MAP_SHARED);
  char *c = map_path("pc_hit", O_RDONLY, HIT_PAGES * PG, RW, MAP_PRIVATE);
  await(go, "the start");
  for (int i = 0; i < HIT_PAGES; i++)
    touch(s, i, seed);
  for (int i = 0; i < HIT_PAGES; i++) {
    c[i * PG + 1] = file_byte(seed, i * PG + 1);  // the same byte: a copy of the file page
    touch(c, i, seed);
  }
  unmap_or_fail(s, HIT_PAGES * PG);
  unmap_or_fail(c, HIT_PAGES * PG);
}

static void
hit_count_run(int svade, int lockless)
{
  knob(KNOB_SVADE, svade);
  knob(KNOB_HIT_LOCKLESS, lockless);
  int go[2];
  make_pipe(go);
  int pids[HIT_READERS];
  for (int r = 0; r < HIT_READERS; r++) {
    if ((pids[r] = fork_or_fail()) == 0) {
      close(go[1]);
      hit_reader(80, go[0]);
      exit(0);
    }
  }
  close(go[0]);
  read_kstats(&ks_a);
  for (int r = 0; r < HIT_READERS; r++)
    tell(go[1]);
  close(go[1]);
  reap_all(pids, HIT_READERS, "hit reader");
  read_kstats(&ks_b);
  int faults = HIT_READERS * HIT_PAGES * 2;  // a load and a store a page, each reader
  printf("note: hit_count (svade %d, lockless %d): %d faults, %d sleep locks, %d misses, "
         "%d copies\n", svade, lockless, (int)DELTA(faults), (int)DELTA(fault_sleeplocks),
         (int)DELTA(pc_misses), (int)DELTA(cow_copies));
  CHECK(DELTA(pc_misses) == 0, "%d misses on a warm file", (int)DELTA(pc_misses));
  CHECK(DELTA(faults) >= faults, "%d faults, want at least %d", (int)DELTA(faults), faults);
  CHECK(DELTA(cow_copies) >= HIT_READERS * HIT_PAGES, "%d copies, want at least %d",
        (int)DELTA(cow_copies), HIT_READERS * HIT_PAGES);
  if (lockless)
    CHECK(DELTA(fault_sleeplocks) == 0, "svade %d: %d sleep locks taken by faults that hit",
          svade, (int)DELTA(fault_sleeplocks));
  else
    CHECK(DELTA(fault_sleeplocks) >= faults, "svade %d, lockless off: %d sleep locks for %d "
          "faults", svade, (int)DELTA(fault_sleeplocks), faults);
}

static void
test_hit_count(void)
{
  make_file("pc_hit", HIT_PAGES * PG, 80);
  expect_file("pc_hit", HIT_PAGES * PG, 80, 0, "pc_hit");  // read(): now it is cached
  long fa = knob(KNOB_FAULTAROUND, 1), famax = knob(KNOB_FAULTAROUND_MAX, 1);
  long svade = knob(KNOB_SVADE, 0), lockless = knob(KNOB_HIT_LOCKLESS, 1);
  CHECK(lockless >= 0, "cannot set KNOB_HIT_LOCKLESS, errno %d", errno);
  for (int sv = 0; sv <= 1; sv++)
    for (int ll = 1; ll >= 0; ll--)
      hit_count_run(sv, ll);
  knob(KNOB_FAULTAROUND, fa);
  knob(KNOB_FAULTAROUND_MAX, famax);
  knob(KNOB_SVADE, svade);
  knob(KNOB_HIT_LOCKLESS, lockless);
  unlink("pc_hit");
}

#define HR_PAGES 32
#define HR_HALF (HR_PAGES / 2)
#define HR_GENS 12               // generations per run (page bytes 1..HR_GENS + 1)
#define HR_PAUSE_EVERY 4         // one generation in this many truncates paused
#define HR_LIMIT 24              // cache pages: fewer than the file and the others' files
#define HR_READERS 3
#define HR_MIN_LOADS 2000        // loads the readers make at least, all together
#define HR_DEATHS_MAX 10000      // a reader restarted more often than this: give up

struct hr_ctl {
  volatile int gen;        // the last generation wholly written
  volatile int stop;       // the mutator is done
  volatile uint64 loads;   // loads checked, all readers (racy sum: a floor)
};

static uint64 hr_rng;

static uint64
hr_next(void)
{
  hr_rng ^= hr_rng << 13;
  hr_rng ^= hr_rng >> 7;
  hr_rng ^= hr_rng << 17;
  return hr_rng;
}

static void
hr_reader(struct hr_ctl *ctl, int seed)
{
  hr_rng = 0x9E3779B97F4A7C15ULL * (uint64)(seed + 1);
  volatile char *p = map_path("pc_hr", O_RDONLY, HR_PAGES * PG, PROT_READ, MAP_SHARED);
  while (!ctl->stop) {
    int g0 = ctl->gen;
    uint64 pg = hr_next() % HR_PAGES, off = hr_next() % PG;
    int v = p[pg * PG + off] & 0xff;  // may die here: page past a cut
    int g1 = ctl->gen;
    if (v < g0 + 1 || v > g1 + 2) {
      printf("test hit_race: FAILED: page %d byte %d holds generation %d; published %d "
             "before the load, %d after\n", (int)pg, (int)off, v - 1, g0, g1);
      exit(2);
    }
    ctl->loads++;
  }
  exit(0);
}

static void
hr_write_pages(int fd, int from, int to, int gen)
{
  static char page[PG];
  memset(page, gen + 1, PG);
  for (int i = from; i < to; i++)
    CHECK(write(fd, page, PG) == PG, "mutator: write of page %d failed", i);
}

static void
hr_mutator(struct hr_ctl *ctl)
{
  int me = getpid();
  for (int g = 1; g <= HR_GENS; g++) {
    int fd = open_or_fail("pc_hr", O_RDWR);
    hr_write_pages(fd, 0, HR_HALF, g);
    if (g % HR_PAUSE_EVERY == 0)
      knob(KNOB_FREE_PAUSE, me);
    CHECK(ftruncate(fd, HR_HALF * PG) == 0, "mutator: ftruncate failed");
    knob(KNOB_FREE_PAUSE, 0);
    CHECK(lseek(fd, HR_HALF * PG, SEEK_SET) == HR_HALF * PG, "mutator: lseek failed");
    hr_write_pages(fd, HR_HALF, HR_PAGES, g);
    close(fd);
    ctl->gen = g;
    if (g % 3 == 0)
      knob(KNOB_DROP, 0);  // unmapped pages go; misses among the hits
  }
  ctl->stop = 1;
  exit(0);
}

static int
hr_start_reader(struct hr_ctl *ctl, int seed)
{
  int pid = fork_or_fail();
  if (pid == 0)
    hr_reader(ctl, seed);
  return pid;
}

static void
hit_race_run(int svade, int seed)
{
  knob(KNOB_SVADE, svade);
  int fd = open_or_fail("pc_hr", O_CREATE | O_TRUNC | O_RDWR);
  hr_write_pages(fd, 0, HR_PAGES, 0);
  close(fd);
  struct hr_ctl *ctl = (struct hr_ctl *)map_or_fail(PG, RW, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  ctl->gen = 0;
  ctl->stop = 0;
  ctl->loads = 0;
  int readers[HR_READERS];
  for (int r = 0; r < HR_READERS; r++)
    readers[r] = hr_start_reader(ctl, seed * HR_READERS + r);
  int mutator = fork_or_fail();
  if (mutator == 0)
    hr_mutator(ctl);
  int running = HR_READERS + 1, deaths = 0, bad = 0, starts = HR_READERS;
  while (running > 0) {
    int st = 12345;
    int pid = wait(&st);
    CHECK(pid > 0, "wait failed");
    running--;
    if (pid == mutator) {
      CHECK(st == 0, "the mutator failed (status %d)", st);
      continue;
    }
    int r = 0;
    while (r < HR_READERS && readers[r] != pid)
      r++;
    CHECK(r < HR_READERS, "wait returned a stranger, pid %d", pid);
    if (st == -1 && !ctl->stop && deaths < HR_DEATHS_MAX) {
      deaths++;  // a load past the cut: started again
      readers[r] = hr_start_reader(ctl, seed * HR_READERS + r + starts++);
      running++;
    } else if (st != 0 && st != -1) {
      bad++;
    }
  }
  printf("note: hit_race (svade %d, seed %d): %d generations, %d loads, %d readers killed "
         "past a cut\n", svade, seed, ctl->gen, (int)ctl->loads, deaths);
  CHECK(bad == 0, "svade %d seed %d: %d readers saw a stale generation", svade, seed, bad);
  CHECK(ctl->gen == HR_GENS, "the mutator stopped at generation %d", ctl->gen);
  CHECK(ctl->loads >= HR_MIN_LOADS, "only %d loads checked", (int)ctl->loads);
  unmap_or_fail((void *)ctl, PG);
  knob(KNOB_DROP, 0);
  fd = open_or_fail("pc_hr", O_RDONLY);
  static char page[PG];
  for (int i = 0; i < HR_PAGES; i++) {
    CHECK(read(fd, page, PG) == PG, "pc_hr reads back short at page %d", i);
    for (int j = 0; j < PG; j++)
      CHECK(page[j] == HR_GENS + 1, "pc_hr page %d byte %d holds generation %d, want %d", i, j,
            page[j] - 1, HR_GENS);
  }
  close(fd);
  unlink("pc_hr");
}

static void
test_hit_race(void)
{
  long svade = knob(KNOB_SVADE, 0), limit = knob(KNOB_PC_LIMIT, HR_LIMIT);
  CHECK(limit >= 0, "cannot set KNOB_PC_LIMIT, errno %d", errno);
  hit_race_run(0, 1);  // a seed a run: each run's readers choose other pages
  hit_race_run(1, 2);
  knob(KNOB_PC_LIMIT, limit);
  knob(KNOB_SVADE, svade);
}

// ---------------------------------------------------------------------------

static const struct test tests[] = {
  { "share_live", test_share_live },
  { "coherence", test_coherence },
  { "one_copy", test_one_copy },
  { "dirty_pages", test_dirty_pages },
  { "faultaround", test_faultaround },
  { "faultaround_adaptive", test_faultaround_adaptive },
  { "readahead", test_readahead },
  { "scan", test_scan },
  { "cow", test_cow },
  { "msync", test_msync },
  { "truncate", test_truncate },
  { "unlink", test_unlink },
  { "limit", test_limit },
  { "race", test_race },
  { "cow_evict", test_cow_evict },
  { "syscall_store", test_syscall_store },
  { "hit_count", test_hit_count },
  { "hit_race", test_hit_race },
};
#define NTESTS ((int)(sizeof(tests) / sizeof(tests[0])))

int
main(int argc, char *argv[])
{
  const char *only = argc >= 2 ? argv[1] : 0;
  suite_start("pctest", tests, NTESTS, only);
  suite_use_policy("pctest", MMAP_POLICY_CACHE);
  mm_knobs_save();
  suite_end("pctest", suite_run(tests, NTESTS, only, run_knob_checked));
}
