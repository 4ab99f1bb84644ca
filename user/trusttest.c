// trusttest.c -- the page cache's promises when other things happen at
// the same time: eviction between a system call's fault-in and its copy,
// a write() whose source runs into unmapped memory, inodes freed while
// the cache is scanned, huge untouched mappings released and forked, fork
// while the pages it is copying are freed and reused.
//
// Usage: trusttest [name]   (one test by name, or all of them)
//
// Each test runs in a child and is leak-checked (user/testlib.h). Tests
// that set a knob put it back before they end.
#include "kernel/types.h"
#include "kernel/param.h"
#include "kernel/riscv.h"
#include "kernel/fcntl.h"
#include "kernel/stat.h"
#include "kernel/errno.h"
#include "user/user.h"
#include "user/testlib.h"

#define PG PGSIZE
#define RW (PROT_READ | PROT_WRITE)
#define MIB (1024 * 1024)

static char iobuf[16 * PG];

static char *
map_file(const char *path, uint64 len, int prot, int flags, int *fdp)
{
  int fd = open(path, prot & PROT_WRITE ? O_RDWR : O_RDONLY);
  CHECK(fd >= 0, "cannot open %s (errno %d)", path, errno);
  char *p = mmap(0, len, prot, flags, fd, 0);
  CHECK(p != MAP_FAILED, "mmap %s (errno %d)", path, errno);
  if (fdp)
    *fdp = fd;
  else
    close(fd);
  return p;
}

// ---------------------------------------------------------------------------
// read() and write() with a buffer in a file mapping whose cache pages are
// evicted between the call's fault-in and its copy: a valid buffer must
// always work, whole, however small the cache is.

#define EVICT_LEN MIB
#define EVICT_LIMIT 64  // cache pages: far fewer than source plus buffer

static void
copy_under_eviction(void)
{
  make_file("tt_src", EVICT_LEN, 1);
  make_file("tt_buf", EVICT_LEN, 2);
  long old = knob(KNOB_PC_LIMIT, EVICT_LIMIT);
  CHECK(old >= 0, "cannot set the cache limit (errno %d)", errno);
  char *p = map_file("tt_buf", EVICT_LEN, RW, MAP_SHARED, 0);

  int fd = open("tt_src", O_RDONLY);
  CHECK(fd >= 0, "open tt_src");
  int n = read(fd, p, EVICT_LEN);
  int err = errno;
  close(fd);
  CHECK(n == EVICT_LEN, "read() into a valid mapped buffer returned %d (errno %d), want %d", n,
        err, EVICT_LEN);
  long bad = mismatch(p, EVICT_LEN, 1, 0);
  CHECK(bad < 0, "read() into a mapping: byte %d wrong", (int)bad);

  unlink("tt_dst");
  fd = open("tt_dst", O_CREATE | O_RDWR);
  CHECK(fd >= 0, "create tt_dst");
  n = write(fd, p, EVICT_LEN);
  err = errno;
  close(fd);
  CHECK(n == EVICT_LEN, "write() from a valid mapped buffer returned %d (errno %d), want %d", n,
        err, EVICT_LEN);
  CHECK(munmap(p, EVICT_LEN) == 0, "munmap");
  knob(KNOB_PC_LIMIT, old);

  fd = open("tt_dst", O_RDONLY);
  for (uint64 off = 0; off < EVICT_LEN; off += sizeof(iobuf)) {
    CHECK(read(fd, iobuf, sizeof(iobuf)) == sizeof(iobuf), "read back tt_dst");
    bad = mismatch(iobuf, sizeof(iobuf), 1, off);
    CHECK(bad < 0, "write() from a mapping: file byte %d wrong", (int)(off + bad));
  }
  close(fd);
  unlink("tt_src");
  unlink("tt_buf");
  unlink("tt_dst");
}

// ---------------------------------------------------------------------------
// A write() whose source runs into unmapped memory part-way through a
// block: either it reports the bytes it wrote (and every view of the file
// agrees on them) or it changed nothing; never a failure that changed the
// file anyway.

#define WF_SIZE 1024
#define WF_HEAD 100  // bytes of the source that are mapped

static void
read_range(const char *path, char *dst, int off, int n)
{
  int fd = open(path, O_RDONLY);
  CHECK(fd >= 0, "open %s", path);
  if (off > 0)
    CHECK(read(fd, iobuf, off) == off, "skip to %d", off);
  CHECK(read(fd, dst, n) == n, "read %s", path);
  close(fd);
}

static void
failed_write_changes_nothing(void)
{
  make_file("tt_wf", WF_SIZE, 3);
  char *top = sbrk(PG);
  CHECK(top != MAP_FAILED, "sbrk");
  char *src = top + PG - WF_HEAD;  // the heap's last WF_HEAD bytes
  memset(src, 'H', WF_HEAD);

  int fd = open("tt_wf", O_RDWR);
  CHECK(fd >= 0, "open tt_wf");
  int r = write(fd, src, 2 * WF_HEAD);
  close(fd);
  CHECK(r == -1 || r == WF_HEAD, "write across the heap's end returned %d", r);

  char cached[2 * WF_HEAD], ondisk[2 * WF_HEAD];
  read_range("tt_wf", cached, 0, sizeof(cached));
  // Another write to the same block logs the block again; then read the
  // file back with the page cache emptied.
  fd = open("tt_wf", O_RDWR);
  CHECK(read(fd, iobuf, 500) == 500, "skip to 500");
  CHECK(write(fd, "x", 1) == 1, "write one byte at 500");
  close(fd);
  knob(KNOB_DROP, 0);
  read_range("tt_wf", ondisk, 0, sizeof(ondisk));

  for (int i = 0; i < 2 * WF_HEAD; i++) {
    char want = (r == WF_HEAD && i < WF_HEAD) ? 'H' : file_byte(3, i);
    CHECK(cached[i] == want, "write returned %d; byte %d read 0x%x before the drop, want 0x%x", r,
          i, cached[i] & 0xff, want & 0xff);
    CHECK(ondisk[i] == want, "write returned %d; byte %d read 0x%x after the drop, want 0x%x", r,
          i, ondisk[i] & 0xff, want & 0xff);
  }
  sbrk(-PG);
  unlink("tt_wf");
}

// ---------------------------------------------------------------------------
// Freeing a big unlinked file takes several log operations, with the
// inode locked throughout. Scans of every cached file (the drop knob,
// reclaim, the cache limit) must not reach it meanwhile: one that did
// waited for its lock inside an operation of its own (and the freer's
// next operation could wait for that one: the file system stopped), or
// found a freed inode and panicked. KNOB_FREE_PAUSE makes the freer wait
// a tick with the inode locked, so the drops land inside the free.

#define FREE_LEN (2 * MIB)

static void
free_while_dropping(void)
{
  make_file("tt_flag", PG, 4);
  make_file("tt_big", FREE_LEN, 5);
  volatile char *flag = (volatile char *)map_file("tt_flag", PG, RW, MAP_SHARED, 0);
  flag[0] = 0;
  int pid = fork();
  CHECK(pid >= 0, "fork");
  if (pid == 0) {
    while (flag[0] == 0)
      ;  // the parent is about to free the file
    long drops = 0;
    while (flag[0] == 1) {
      CHECK(knob(KNOB_DROP, 0) >= 0, "drop failed (errno %d)", errno);
      drops++;
    }
    exit(drops > 0 ? 0 : 2);
  }
  char *p = map_file("tt_big", FREE_LEN, PROT_READ, MAP_SHARED, 0);
  uint64 sum = 0;
  for (uint64 off = 0; off < FREE_LEN; off += PG)
    sum += p[off];  // every page cached
  CHECK(sum != 0, "empty file");
  CHECK(unlink("tt_big") == 0, "unlink");
  long old = knob(KNOB_FREE_PAUSE, getpid());
  flag[0] = 1;
  CHECK(munmap(p, FREE_LEN) == 0, "munmap");  // the last reference: frees it
  knob(KNOB_FREE_PAUSE, old);
  flag[0] = 2;
  int st = -99;
  CHECK(wait(&st) == pid && st == 0, "dropping child exited %d", st);
  munmap((char *)flag, PG);
  unlink("tt_flag");
}

// ---------------------------------------------------------------------------
// Releasing or forking a huge mapping that is almost all untouched costs
// what is mapped, not the area's length: munmap of an untouched 128 GiB
// private area used to walk 32 million PTE slots with pc.lock held and
// interrupts off (seconds with the tick clock stopped). Counted in
// walk_steps, under both policies, for fork, exit and munmap.

#define HUGE_LEN (128UL << 30)
#define HUGE_MAX_STEPS 4096  // a few tables' worth of slots; the old walk took 2^25

static void
huge_untouched(void)
{
  make_file("tt_huge", PG, 6);
  int policies[] = { MMAP_POLICY_CACHE, MMAP_POLICY_NAIVE };
  for (int i = 0; i < 2; i++) {
    long old = knob(KNOB_POLICY, policies[i]);
    int fd = open("tt_huge", O_RDWR);
    CHECK(fd >= 0, "open tt_huge");
    char *p = mmap(0, HUGE_LEN, RW, MAP_PRIVATE, fd, 0);
    CHECK(p != MAP_FAILED, "mmap of 128 GiB (errno %d)", errno);
    close(fd);
    p[0] = 1;  // one page present (a private copy)
    struct kstats a, b;
    read_kstats(&a);
    int pid = fork();
    CHECK(pid >= 0, "fork");
    if (pid == 0)
      exit(0);  // releases its copy of the area at exit
    int st = -99;
    CHECK(wait(&st) == pid && st == 0, "child exited %d", st);
    CHECK(munmap(p, HUGE_LEN) == 0, "munmap");
    read_kstats(&b);
    uint64 steps = b.walk_steps - a.walk_steps;
    CHECK(steps < HUGE_MAX_STEPS, "policy %d: fork, exit and munmap of an untouched 128 GiB area "
          "took %d page-table steps, want < %d", policies[i], (int)steps, HUGE_MAX_STEPS);
    knob(KNOB_POLICY, old);
  }
  unlink("tt_huge");
}

// ---------------------------------------------------------------------------
// fork gives the child the parent's private copies of a private file area
// and leaves its cache pages for the child to fault in. It looks at each
// parent PTE first without pc.lock; meanwhile another hart may take the
// cache page out of that PTE and free it (eviction, truncation), and the
// page may at once become another process's private copy, which the look
// then takes for the parent's. Fork must decide on what the PTE holds
// under the lock. KNOB_DUP_PAUSE stops the fork inside that window until
// a second process has truncated the file (freeing its mapped pages: they
// are the last freed, so the next allocations get them) and made private
// copies holding a marker; then the child must see the file's bytes, and
// the leak check (free pages before and after) that no page was lost or
// freed twice. Truncation rather than the drop knob, which leaves mapped
// pages alone, or the cache limit, whose clock evicts the copies' source
// pages too, so that refilling them would take some of the freed pages in
// an order the test does not control. Private areas are never mapped
// writable, so the Svade setting does not matter here.

#define DUP_PAGES  8               // pages of the forking process's mapping
#define DUP_COPIES (4 * DUP_PAGES)  // copies made meanwhile: more than were freed
#define DUP_MARK   0x3c             // what the copies hold
#define DUP_SEED   7                // tt_dup's pattern
#define DUP_WAIT   DUP_PAUSE_MAX_TICKS  // most ticks either side waits for the other
#define DUP_LOOKED 1                // the flag once the fork's child has read its mapping

// The second process: once fork is stopped in its window, frees the pages
// fork is looking at and turns them into private copies of its own.
static void
evict_and_reuse(volatile char *flag, int forker)
{
  char *m = map_file("tt_mark", DUP_COPIES * PG, RW, MAP_PRIVATE, 0);
  uint64 sum = 0;
  for (uint64 off = 0; off < DUP_COPIES * PG; off += PG)
    sum += m[off];  // cache pages mapped, page tables made: a store costs one page
  CHECK(sum != 0, "empty file");
  int fd = open_or_fail("tt_dup", O_RDWR);
  int start = uptime();
  long k;
  while ((k = knob(KNOB_DUP_PAUSE, DUP_PAUSE_READ)) != forker + DUP_PAUSE_STOPPED)
    CHECK(uptime() - start <= DUP_WAIT, "fork did not stop in its window (knob %ld)", k);
  struct kstats a, b;
  read_kstats(&a);
  CHECK(ftruncate(fd, 0) == 0, "ftruncate (errno %d)", errno);  // unmaps and frees them
  read_kstats(&b);
  CHECK(b.free_pages >= a.free_pages + DUP_PAGES,
        "truncation freed %d pages, want the %d cached ones",
        (int)(b.free_pages - a.free_pages), DUP_PAGES);
  for (uint64 off = 0; off < DUP_COPIES * PG; off += PG)
    memset(m + off, DUP_MARK, PG);  // each store fault takes a page: a copy
  write_pattern(fd, DUP_PAGES * PG, DUP_SEED, 0);  // the file as it was
  close(fd);
  k = knob(KNOB_DUP_PAUSE, 0);
  CHECK(k == forker + DUP_PAUSE_STOPPED, "fork went on before it was let go (knob %ld)", k);
  start = uptime();
  while (*flag != DUP_LOOKED)
    CHECK(uptime() - start <= DUP_WAIT, "the forking process did not finish");
  munmap(m, DUP_COPIES * PG);  // the copies live until the fork's child has looked
}

static void
dup_during_eviction(void)
{
  make_file("tt_dup", DUP_PAGES * PG, DUP_SEED);
  make_file("tt_mark", DUP_COPIES * PG, 8);
  make_file("tt_flag", PG, 4);
  volatile char *flag = (volatile char *)map_file("tt_flag", PG, RW, MAP_SHARED, 0);
  flag[0] = 0;
  char *p = map_file("tt_dup", DUP_PAGES * PG, RW, MAP_PRIVATE, 0);
  uint64 sum = 0;
  for (uint64 off = 0; off < DUP_PAGES * PG; off += PG)
    sum += p[off];  // read, not stored: the PTEs map clean cache pages
  CHECK(sum != 0, "empty file");

  int forker = getpid();
  int evictor = fork();
  CHECK(evictor >= 0, "fork");
  if (evictor == 0) {
    evict_and_reuse(flag, forker);
    exit(0);
  }
  long old = knob(KNOB_DUP_PAUSE, forker);
  CHECK(old == 0, "KNOB_DUP_PAUSE was %ld", old);
  int child = fork();  // stops in cache_dup until the evictor lets it go
  CHECK(child >= 0, "fork with the pause armed (errno %d)", errno);
  if (child == 0) {
    long bad = mismatch(p, DUP_PAGES * PG, DUP_SEED, 0);
    CHECK(bad < 0, "the child read 0x%x at byte %d of its private mapping, want 0x%x%s",
          p[bad] & 0xff, (int)bad, file_byte(DUP_SEED, bad) & 0xff,
          p[bad] == DUP_MARK ? " (another process's private copy)" : "");
    exit(0);
  }
  int st = -99;
  CHECK(wait(&st) == child, "wait for the child");
  flag[0] = DUP_LOOKED;
  knob(KNOB_DUP_PAUSE, 0);  // in case the fork never stopped
  int est = -99;
  CHECK(wait(&est) == evictor, "wait for the evictor");
  CHECK(st == 0, "the fork's child exited %d", st);
  CHECK(est == 0, "the evicting process exited %d", est);
  long bad = mismatch(p, DUP_PAGES * PG, DUP_SEED, 0);
  CHECK(bad < 0, "the parent read 0x%x at byte %d of its mapping after the fork", p[bad] & 0xff,
        (int)bad);
  munmap(p, DUP_PAGES * PG);
  munmap((char *)flag, PG);
  unlink("tt_dup");
  unlink("tt_mark");
  unlink("tt_flag");
}

// ---------------------------------------------------------------------------

static const struct test tests[] = {
  { "copy_under_eviction", copy_under_eviction },
  { "failed_write_changes_nothing", failed_write_changes_nothing },
  { "free_while_dropping", free_while_dropping },
  { "huge_untouched", huge_untouched },
  { "dup_during_eviction", dup_during_eviction },
};
#define NTESTS ((int)(sizeof(tests) / sizeof(tests[0])))

int
main(int argc, char *argv[])
{
  const char *only = argc >= 2 ? argv[1] : 0;
  suite_start("trusttest", tests, NTESTS, only);
  suite_use_policy("trusttest", MMAP_POLICY_CACHE);
  suite_end("trusttest", suite_run(tests, NTESTS, only, run_leak_checked_alone));
}
