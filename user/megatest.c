// megatest.c -- tests of 2 MiB mappings of cached files: large folios in
// the page cache and megapage PTEs (kernel/mm/megapage.c), and every way
// a megapage is split back into 4 KiB PTEs.
//
// Usage: megatest [NAME]   run every test (or only test NAME) under the
//                          kernel's current dirty-tracking mode (svade,
//                          printed first; make test runs it with svade 0
//                          and 1). The cache policy and megapages (mode 1)
//                          are chosen here.
//
// What is promised (docs/DESIGN.md, "Large folios and megapages"): a file
// read sequentially is cached in large folios (one 2 MiB frame per 2
// MiB-aligned range wholly inside the file); a mapping of such a range at
// a 2 MiB-aligned address (mmap places large areas so) is mapped by one
// fault with one PTE; the bytes are the file's; a store, munmap of part,
// mprotect, truncation and eviction split it and keep every byte right;
// nothing is ever mapped past EOF (a touch there kills); shared stores are
// seen by another process and written back, page by page.
//
// Each test runs in a forked child with the leak check and the knob check
// around it (testlib.h); the page cache is emptied before each, so a test
// starts cold and whole frames are free. Counters are system-wide: nothing
// else may run meanwhile. Test files are "mg_<test>"; their bytes come
// from file_byte(). The user stack is one page: buffers are static.

#include "kernel/param.h"
#include "kernel/types.h"
#include "kernel/riscv.h"
#include "kernel/fcntl.h"
#include "kernel/errno.h"
#include "kernel/kstats.h"
#include "kernel/knobs.h"
#include "kernel/procinfo.h"
#include "kernel/fs.h"
#include "user/user.h"
#include "user/testlib.h"

#define PG PGSIZE
#define MEGA (512 * PG)   // one megapage (kernel/mm/vm.h, MEGA_SIZE)
#define MPAGES 512
#define RW (PROT_READ | PROT_WRITE)

static struct kstats ks_a, ks_b;
#define DELTA(field) ((long)(ks_b.field - ks_a.field))

static int svade;
static char buf[PG];

// Maps len bytes of path with prot and flags; the fd is closed.
static char *
map_file(const char *path, uint64 len, int prot, int flags)
{
  int fd = open_or_fail(path, (prot & PROT_WRITE) && (flags & MAP_SHARED) ? O_RDWR : O_RDONLY);
  char *p = mmap(0, len, prot, flags, fd, 0);
  CHECK(p != MAP_FAILED, "mmap of %s: errno %d", path, errno);
  close(fd);
  CHECK((uint64)p % MEGA == 0, "a %d KiB area at %p, not 2 MiB-aligned", (int)(len / 1024), p);
  return p;
}

static void
unmap(char *p, uint64 len)
{
  CHECK(munmap(p, len) == 0, "munmap: errno %d", errno);
}

// This process's resident file pages, as ps counts them.
static uint64
my_file_pages(void)
{
  static struct procinfo procs[NPROC];
  int n = procinfo(procs, NPROC);
  for (int i = 0; i < n; i++)
    if (procs[i].pid == getpid())
      return procs[i].file_pages;
  FAIL("procinfo does not list this process");
}

// Loads every page of p[0..len) once (one byte each).
static void
touch(const char *p, uint64 len)
{
  for (uint64 off = 0; off < len; off += PG)
    sink = p[off];
}

// The bytes of p[0..len) are pattern seed at file offset off.
static void
expect_bytes(const char *p, uint64 len, int seed, uint64 off, const char *what)
{
  long at = mismatch(p, len, seed, off);
  CHECK(at < 0, "%s: byte %d (page %d) is %d, want %d", what, (int)at, (int)(at / PG),
        p[at], file_byte(seed, off + at));
}

// Creates path with npages pages of pattern seed and caches it in large
// folios, as a sequential read does (a scan through a mapping, which is
// then unmapped). The test fails if the cache made no folio: after the
// drop before every test, whole frames are free.
static void
cached_file(const char *path, int npages, int seed)
{
  make_file(path, (uint64)npages * PG, seed);
  knob(KNOB_DROP, 0);
  read_kstats(&ks_a);
  char *p = map_file(path, (uint64)npages * PG, PROT_READ, MAP_SHARED);
  touch(p, (uint64)npages * PG);
  unmap(p, (uint64)npages * PG);
  read_kstats(&ks_b);
  CHECK(DELTA(folio_allocs) == npages / MPAGES,
        "a sequential read of %d pages made %d large folios (%d fallbacks), want %d", npages,
        (int)DELTA(folio_allocs), (int)DELTA(folio_fallbacks), npages / MPAGES);
}

// Makes path a cached large folio of MPAGES pages of pattern seed, maps
// it with prot and flags and loads every page: the test starts with one
// megapage mapped.
static char *
mapped_megapage(const char *path, int seed, int prot, int flags)
{
  cached_file(path, MPAGES, seed);
  char *p = map_file(path, MEGA, prot, flags);
  touch(p, MEGA);
  return p;
}

// ---------------------------------------------------------------------------
// The tests

// A warm scan of a cached 4 MiB file takes one fault per megapage, and
// the bytes are the file's; munmap takes the megapages out whole.
static void
warm_scan(void)
{
  cached_file("mg_scan", 2 * MPAGES, 1);
  uint64 before = my_file_pages();
  read_kstats(&ks_a);
  char *p = map_file("mg_scan", 2 * MEGA, PROT_READ, MAP_SHARED);
  touch(p, 2 * MEGA);
  read_kstats(&ks_b);
  uint64 after = my_file_pages();
  CHECK(after - before == 2 * MPAGES, "ps counts %d file pages for 2 megapages, want %d",
        (int)(after - before), 2 * MPAGES);
  CHECK(DELTA(faults) == 2, "a warm scan of 1024 pages took %d faults, want 2",
        (int)DELTA(faults));
  CHECK(DELTA(mega_maps) == 2, "%d megapages mapped, want 2", (int)DELTA(mega_maps));
  CHECK(DELTA(disk_read_reqs) == 0, "a warm scan read the disk");
  expect_bytes(p, 2 * MEGA, 1, 0, "through the megapages");
  static unsigned char vec[2 * MPAGES];
  CHECK(mincore(p, 2 * MEGA, vec) == 0, "mincore: errno %d", errno);
  for (int i = 0; i < 2 * MPAGES; i++)
    CHECK(vec[i] == 1, "mincore: page %d not resident", i);
  read_kstats(&ks_a);
  unmap(p, 2 * MEGA);
  read_kstats(&ks_b);
  CHECK(DELTA(mega_unmaps) == 2 && DELTA(mega_splits) == 0,
        "munmap of the whole area: %d megapages taken out, %d split", (int)DELTA(mega_unmaps),
        (int)DELTA(mega_splits));
  unlink("mg_scan");
}

// The area does not cover a whole aligned range, or the file offset is not
// 2 MiB-aligned: 4 KiB PTEs, and the bytes still right.
static void
unaligned(void)
{
  cached_file("mg_unal", 2 * MPAGES, 2);
  int fd = open_or_fail("mg_unal", O_RDONLY);
  read_kstats(&ks_a);
  char *p = mmap(0, MEGA, PROT_READ, MAP_SHARED, fd, 16 * PG);  // offset 64 KiB
  CHECK(p != MAP_FAILED, "mmap at offset 64 KiB: errno %d", errno);
  char *q = mmap(0, MEGA - PG, PROT_READ, MAP_SHARED, fd, 0);  // one page short
  CHECK(q != MAP_FAILED, "mmap of 2 MiB less a page: errno %d", errno);
  close(fd);
  touch(p, MEGA);
  touch(q, MEGA - PG);
  read_kstats(&ks_b);
  CHECK(DELTA(mega_maps) == 0, "%d megapages for areas that cannot hold one",
        (int)DELTA(mega_maps));
  expect_bytes(p, MEGA, 2, 16 * PG, "offset 64 KiB");
  expect_bytes(q, MEGA - PG, 2, 0, "2 MiB less a page");
  unmap(p, MEGA);
  unmap(q, MEGA - PG);
  unlink("mg_unal");
}

// A store into a shared megapage splits it (only the stored page becomes
// writable and dirty), another process sees the store at once, and msync
// writes back that page alone.
static void
shared_store(void)
{
  char *p = mapped_megapage("mg_store", 3, RW, MAP_SHARED);
  read_kstats(&ks_a);
  p[5 * PG + 10] = 77;
  read_kstats(&ks_b);
  CHECK(DELTA(mega_splits) == 1, "a store split %d megapages, want 1", (int)DELTA(mega_splits));
  CHECK(ks_b.pc_dirty_pages >= 1, "the stored page is not known dirty");
  // The child inherits the writable area too, and its exit writes the
  // page back: count from here, across the child and the msync.
  read_kstats(&ks_a);
  int pid = fork();
  CHECK(pid >= 0, "fork failed");
  if (pid == 0) {
    char *c = map_file("mg_store", MEGA, PROT_READ, MAP_SHARED);
    CHECK(c[5 * PG + 10] == 77, "the other process reads %d, not the store", c[5 * PG + 10]);
    expect_bytes(c, 5 * PG + 10, 3, 0, "the other process");
    exit(0);
  }
  reap(pid, 0, "reader");
  CHECK(msync(p, MEGA, MS_SYNC) == 0, "msync: errno %d", errno);
  read_kstats(&ks_b);
  CHECK(DELTA(writeback_pages) == 1, "%d pages written back after one store, want 1",
        (int)DELTA(writeback_pages));
  unmap(p, MEGA);
  knob(KNOB_DROP, 0);
  int fd = open_or_fail("mg_store", O_RDONLY);
  CHECK(lseek(fd, 5 * PG, SEEK_SET) == 5 * PG, "lseek: errno %d", errno);
  CHECK(read(fd, buf, PG) == PG, "read of page 5");
  close(fd);
  CHECK(buf[10] == 77, "page 5 byte 10 on the disk is %d, want 77", buf[10]);
  expect_bytes(buf, 10, 3, 5 * PG, "page 5 before the store");
  unlink("mg_store");
}

// munmap of one page inside a megapage splits it; the rest keeps its
// bytes and the hole kills.
static void
partial_munmap(void)
{
  char *p = mapped_megapage("mg_hole", 4, PROT_READ, MAP_SHARED);
  read_kstats(&ks_a);
  unmap(p + 100 * PG, PG);
  read_kstats(&ks_b);
  CHECK(DELTA(mega_splits) == 1, "munmap of a page split %d megapages, want 1",
        (int)DELTA(mega_splits));
  expect_bytes(p, 100 * PG, 4, 0, "below the hole");
  expect_bytes(p + 101 * PG, MEGA - 101 * PG, 4, 101 * PG, "above the hole");
  expect_killed(load_at, (uint64)(p + 100 * PG), "a load in the hole");
  unmap(p, 100 * PG);
  unmap(p + 101 * PG, MEGA - 101 * PG);
  unlink("mg_hole");
}

// mprotect of part of a megapage splits it; the new rights hold exactly
// there, and the bytes stay.
static void
mprotect_split(void)
{
  char *p = mapped_megapage("mg_prot", 5, PROT_READ, MAP_SHARED);
  read_kstats(&ks_a);
  CHECK(mprotect(p + 3 * PG, PG, PROT_NONE) == 0, "mprotect NONE: errno %d", errno);
  read_kstats(&ks_b);
  CHECK(DELTA(mega_splits) == 1, "mprotect split %d megapages, want 1", (int)DELTA(mega_splits));
  expect_killed(load_at, (uint64)(p + 3 * PG), "a load from a PROT_NONE page");
  expect_bytes(p + 4 * PG, MEGA - 4 * PG, 5, 4 * PG, "after mprotect");
  CHECK(mprotect(p + 3 * PG, PG, PROT_READ) == 0, "mprotect READ: errno %d", errno);
  expect_bytes(p, MEGA, 5, 0, "read again");
  unmap(p, MEGA);
  unlink("mg_prot");
}

// A store into a private megapage splits it and copies the one page;
// the file and the other pages keep the file's bytes.
static void
cow_private(void)
{
  char *p = mapped_megapage("mg_cow", 6, RW, MAP_PRIVATE);
  read_kstats(&ks_a);
  p[7 * PG] = 99;
  read_kstats(&ks_b);
  CHECK(DELTA(mega_splits) == 1 && DELTA(cow_copies) == 1,
        "a private store: %d splits and %d copies, want 1 and 1", (int)DELTA(mega_splits),
        (int)DELTA(cow_copies));
  CHECK(p[7 * PG] == 99, "the store is not seen");
  expect_bytes(p + 7 * PG + 1, PG - 1, 6, 7 * PG + 1, "the copied page");
  expect_bytes(p, 7 * PG, 6, 0, "below the copy");
  expect_bytes(p + 8 * PG, MEGA - 8 * PG, 6, 8 * PG, "above the copy");
  unmap(p, MEGA);
  int fd = open_or_fail("mg_cow", O_RDONLY);
  CHECK(lseek(fd, 7 * PG, SEEK_SET) == 7 * PG, "lseek: errno %d", errno);
  CHECK(read(fd, buf, PG) == PG, "read of page 7");
  close(fd);
  expect_bytes(buf, PG, 6, 7 * PG, "the file after a private store");
  unlink("mg_cow");
}

// Truncation inside a mapped megapage splits it: the pages below the new
// end keep their bytes, the rest of the last page reads zeros, and a
// touch past EOF kills the process (SIGBUS), inside the old megapage.
static void
truncate_inside(void)
{
  char *p = mapped_megapage("mg_trunc", 7, PROT_READ, MAP_SHARED);
  uint64 size = 256 * PG + 100;
  read_kstats(&ks_a);
  int fd = open_or_fail("mg_trunc", O_RDWR);
  CHECK(ftruncate(fd, size) == 0, "ftruncate: errno %d", errno);
  close(fd);
  read_kstats(&ks_b);
  CHECK(DELTA(mega_splits) + DELTA(mega_zaps) == 1,
        "truncation inside: %d splits, %d taken out, want one of them",
        (int)DELTA(mega_splits), (int)DELTA(mega_zaps));
  expect_bytes(p, size, 7, 0, "below the new end");
  for (uint64 off = size; off < 257 * PG; off++)
    CHECK(p[off] == 0, "byte %d past the end reads %d", (int)off, p[off]);
  expect_killed(load_at, (uint64)(p + 257 * PG), "a load past EOF");
  expect_killed(load_at, (uint64)(p + MEGA - PG), "a load at the megapage's end, past EOF");
  unmap(p, MEGA);
  unlink("mg_trunc");
}

// A file whose end lies inside a 2 MiB range: the whole range before it
// is a megapage, the partial one never (no mapping past EOF), and a touch
// past EOF in it kills.
static void
eof_in_range(void)
{
  make_file("mg_eof", MEGA + 300 * PG + 5, 8);
  knob(KNOB_DROP, 0);
  char *p = map_file("mg_eof", 2 * MEGA, PROT_READ, MAP_SHARED);
  touch(p, MEGA + 301 * PG);  // cold: makes the first range's folio
  unmap(p, 2 * MEGA);
  read_kstats(&ks_a);
  p = map_file("mg_eof", 2 * MEGA, PROT_READ, MAP_SHARED);
  touch(p, MEGA + 301 * PG);
  read_kstats(&ks_b);
  CHECK(DELTA(mega_maps) == 1, "%d megapages for a file of 1.6 ranges, want 1",
        (int)DELTA(mega_maps));
  expect_bytes(p, MEGA + 300 * PG + 5, 8, 0, "up to EOF");
  CHECK(p[MEGA + 300 * PG + 5] == 0, "the byte after EOF is not 0");
  expect_killed(load_at, (uint64)(p + MEGA + 301 * PG), "a load past EOF");
  expect_killed(load_at, (uint64)(p + 2 * MEGA - PG), "a load at the range's end, past EOF");
  unmap(p, 2 * MEGA);
  unlink("mg_eof");
}

// Eviction of pages of a mapped megapage (the cache limit, under the
// clock) splits it or takes it out; the mapping still reads the file.
static void
evict(void)
{
  cached_file("mg_evict", MPAGES, 9);
  make_file("mg_other", 256 * PG, 10);
  char *p = map_file("mg_evict", MEGA, PROT_READ, MAP_SHARED);
  touch(p, MEGA);
  read_kstats(&ks_a);
  knob(KNOB_PC_LIMIT, 64);
  int fd = open_or_fail("mg_other", O_RDONLY);
  for (int i = 0; i < 256; i++)
    CHECK(read(fd, buf, PG) == PG, "read of page %d of mg_other", i);
  close(fd);
  knob(KNOB_PC_LIMIT, 0);
  read_kstats(&ks_b);
  CHECK(DELTA(mega_splits) + DELTA(mega_zaps) >= 1 && DELTA(pc_evictions) > 0,
        "under a 64-page limit: %d splits, %d taken out, %d evictions",
        (int)DELTA(mega_splits), (int)DELTA(mega_zaps), (int)DELTA(pc_evictions));
  expect_bytes(p, MEGA, 9, 0, "after eviction");
  unmap(p, MEGA);
  unlink("mg_evict");
  unlink("mg_other");
}

// fork with a megapage mapped: the child maps its own with one fault and
// reads the file's bytes; the parent's stays.
static void
fork_mega(void)
{
  char *p = mapped_megapage("mg_fork", 11, PROT_READ, MAP_PRIVATE);
  read_kstats(&ks_a);
  int pid = fork();
  CHECK(pid >= 0, "fork failed");
  if (pid == 0) {
    touch(p, MEGA);
    expect_bytes(p, MEGA, 11, 0, "the child");
    exit(0);
  }
  reap(pid, 0, "child");
  read_kstats(&ks_b);
  CHECK(DELTA(mega_maps) == 1, "the child mapped %d megapages, want 1", (int)DELTA(mega_maps));
  expect_bytes(p, MEGA, 11, 0, "the parent after the fork");
  unmap(p, MEGA);
  unlink("mg_fork");
}

// The store policy, measured: one store in every 16 pages of a 4 MiB
// shared mapping, then msync. Split at the first store (mode 1) writes
// back the 64 pages stored to; writable megapages (mode 2, hardware D
// bits only) take fewer faults but write back all 1024. Prints both.
static void
dirty_1_in_16(void)
{
  cached_file("mg_d16", 2 * MPAGES, 12);
  for (int mode = MEGA_ON; mode <= MEGA_WRITABLE; mode++) {
    knob(KNOB_MEGAPAGES, mode);
    char *p = map_file("mg_d16", 2 * MEGA, RW, MAP_SHARED);
    read_kstats(&ks_a);
    touch(p, 2 * MEGA);
    for (int i = 0; i < 2 * MPAGES; i += 16)
      p[i * PG] = (char)(i + 1);
    CHECK(msync(p, 2 * MEGA, MS_SYNC) == 0, "msync: errno %d", errno);
    read_kstats(&ks_b);
    printf("note: mega %d svade %d: dirty 1 in 16 of 1024 pages: %d faults, %d pages written, "
           "%d disk write requests, %d blocks\n", mode, svade, (int)DELTA(faults),
           (int)DELTA(writeback_pages), (int)DELTA(disk_write_reqs),
           (int)DELTA(disk_write_blocks));
    int whole = mode == MEGA_WRITABLE && !svade;
    CHECK(DELTA(writeback_pages) == (whole ? 2 * MPAGES : 64), "mode %d: %d pages written",
          mode, (int)DELTA(writeback_pages));
    unmap(p, 2 * MEGA);
  }
  knob(KNOB_MEGAPAGES, MEGA_ON);
  knob(KNOB_DROP, 0);
  int fd = open_or_fail("mg_d16", O_RDONLY);
  for (int i = 0; i < 2 * MPAGES; i++) {
    CHECK(read(fd, buf, PG) == PG, "read of page %d", i);
    if (i % 16 == 0)
      CHECK(buf[0] == (char)(i + 1), "page %d: the store is not on the disk", i);
    expect_bytes(buf + (i % 16 == 0), PG - (i % 16 == 0), 12, (uint64)i * PG + (i % 16 == 0),
                 "the file");
  }
  close(fd);
  unlink("mg_d16");
}

// Megapages off: no folio, no megapage, the same bytes.
static void
knob_off(void)
{
  knob(KNOB_MEGAPAGES, MEGA_OFF);
  make_file("mg_off", MEGA, 13);
  knob(KNOB_DROP, 0);
  read_kstats(&ks_a);
  char *p = map_file("mg_off", MEGA, PROT_READ, MAP_SHARED);
  touch(p, MEGA);
  unmap(p, MEGA);
  p = map_file("mg_off", MEGA, PROT_READ, MAP_SHARED);
  touch(p, MEGA);
  read_kstats(&ks_b);
  knob(KNOB_MEGAPAGES, MEGA_ON);
  CHECK(DELTA(folio_allocs) == 0 && DELTA(mega_maps) == 0,
        "megapages off: %d folios, %d megapages", (int)DELTA(folio_allocs),
        (int)DELTA(mega_maps));
  expect_bytes(p, MEGA, 13, 0, "megapages off");
  unmap(p, MEGA);
  unlink("mg_off");
}

// Splits racing with the megapages' users on other harts. A reader maps
// a read-only megapage and checks every byte, round after round, mapping
// it afresh each round; a writer maps a shared writable one each round
// and stores into every 8th page (the first store splits it). Once both
// have done a first round (so at least two megapages were mapped and one
// split), the parent evicts under a 64-page cache limit and asks for
// write-back passes meanwhile. Nobody is killed, the reader never sees a
// wrong byte, and the file holds the writer's last round.
#define RACE_ROUNDS 8
static void
race_reader(int ready)
{
  for (int round = 0; round < 2 * RACE_ROUNDS; round++) {
    char *p = map_file("mg_race", MEGA, PROT_READ, MAP_SHARED);
    expect_bytes(p, MEGA, 14, 0, "the reader");
    unmap(p, MEGA);
    if (round == 0)
      CHECK(write(ready, "r", 1) == 1, "the reader cannot say it is ready");
  }
}

static void
race_writer(int ready)
{
  for (int round = 1; round <= RACE_ROUNDS; round++) {
    char *p = map_file("mg_racew", MEGA, RW, MAP_SHARED);
    touch(p, MEGA);
    for (int i = 0; i < MPAGES; i += 8)
      p[i * PG] = (char)round;
    unmap(p, MEGA);
    if (round == 1)
      CHECK(write(ready, "w", 1) == 1, "the writer cannot say it is ready");
  }
}

static void
race_split(void)
{
  cached_file("mg_race", MPAGES, 14);
  cached_file("mg_racew", MPAGES, 15);
  make_file("mg_race2", 256 * PG, 16);
  int fds[2];
  CHECK(pipe(fds) == 0, "pipe: errno %d", errno);
  read_kstats(&ks_a);
  int pids[2];
  for (int k = 0; k < 2; k++) {
    pids[k] = fork();
    CHECK(pids[k] >= 0, "fork failed");
    if (pids[k] == 0) {
      close(fds[0]);
      if (k == 0)
        race_reader(fds[1]);
      else
        race_writer(fds[1]);
      exit(0);
    }
  }
  close(fds[1]);
  char c;
  for (int k = 0; k < 2; k++)
    CHECK(read(fds[0], &c, 1) == 1, "a racer died before its first round");
  close(fds[0]);
  for (int round = 0; round < RACE_ROUNDS; round++) {
    knob(KNOB_PC_LIMIT, 64);
    int fd = open_or_fail("mg_race2", O_RDONLY);
    for (int i = 0; i < 256; i++)
      CHECK(read(fd, buf, PG) == PG, "read of page %d of mg_race2", i);
    close(fd);
    knob(KNOB_PC_LIMIT, 0);
    knob(KNOB_WB_RUN, WB_RUN_ALL);
  }
  reap_all(pids, 2, "racer");
  read_kstats(&ks_b);
  printf("note: race_split: %d megapages mapped, %d split, %d taken out, %d evictions\n",
         (int)DELTA(mega_maps), (int)DELTA(mega_splits), (int)DELTA(mega_zaps),
         (int)DELTA(pc_evictions));
  CHECK(DELTA(mega_maps) >= 2 && DELTA(mega_splits) >= 1,
        "the racers mapped %d megapages and split %d", (int)DELTA(mega_maps),
        (int)DELTA(mega_splits));
  knob(KNOB_DROP, 0);
  int fd = open_or_fail("mg_racew", O_RDONLY);
  for (int i = 0; i < MPAGES; i++) {
    CHECK(read(fd, buf, PG) == PG, "read of page %d", i);
    int stored = i % 8 == 0;
    if (stored)
      CHECK(buf[0] == RACE_ROUNDS, "page %d holds round %d, want %d", i, buf[0], RACE_ROUNDS);
    expect_bytes(buf + stored, PG - stored, 15, (uint64)i * PG + stored, "the written file");
  }
  close(fd);
  unlink("mg_race");
  unlink("mg_racew");
  unlink("mg_race2");
}

// When the cache makes a large folio: at the second step of a sequential
// run, never at a first miss alone. A cold stride (one page in 32, from
// page 0) makes none and reads no more than the pages it touches and
// their first window; a sequential run makes one per range, the first
// range's too -- its first window, cached in single pages before the run
// was proven, moves into the frame, a store made meanwhile with it.
#define FR_STRIDE 32
#define FR_FIRST_WINDOW 4   // pages the run's first miss reads (RA_FIRST)
#define FR_MAP_BLOCKS 16    // the file's block-number tables, read on the way

static void
folio_rule(void)
{
  make_file("mg_rule", 2 * MEGA, 14);
  knob(KNOB_DROP, 0);
  char *p = map_file("mg_rule", 2 * MEGA, PROT_READ, MAP_SHARED);
  read_kstats(&ks_a);
  for (uint64 pg = 0; pg < 2 * MPAGES; pg += FR_STRIDE)
    sink = p[pg * PG];
  read_kstats(&ks_b);
  int touched = 2 * MPAGES / FR_STRIDE;
  CHECK(DELTA(folio_allocs) == 0, "a stride of %d made %d large folios", FR_STRIDE,
        (int)DELTA(folio_allocs));
  CHECK(DELTA(disk_read_blocks) <= (long)(touched + FR_FIRST_WINDOW) * (PG / BSIZE) +
                                       FR_MAP_BLOCKS,
        "a stride touching %d pages read %d blocks", touched, (int)DELTA(disk_read_blocks));
  unmap(p, 2 * MEGA);

  // In order, with a store into the run's first window before the proof.
  knob(KNOB_DROP, 0);
  char *w = map_file("mg_rule", 2 * MEGA, RW, MAP_SHARED);
  read_kstats(&ks_a);
  sink = w[0];                  // the first miss: 4 single pages
  w[PG + 9] = (char)0x77;       // a store into one of them
  touch(w + FR_FIRST_WINDOW * PG, 2 * MEGA - FR_FIRST_WINDOW * PG);  // the run
  read_kstats(&ks_b);
  CHECK(DELTA(folio_allocs) == 2, "a sequential run over 2 ranges made %d large folios "
        "(%d fallbacks), want 2", (int)DELTA(folio_allocs), (int)DELTA(folio_fallbacks));
  CHECK(w[PG + 9] == (char)0x77, "the store before the folio is gone from the mapping");
  unmap(w, 2 * MEGA);  // writes the stored page back
  knob(KNOB_DROP, 0);
  int fd = open_or_fail("mg_rule", O_RDONLY);
  CHECK(read(fd, buf, PG) == PG && read(fd, buf, PG) == PG, "short read of mg_rule");
  close(fd);
  CHECK(buf[9] == (char)0x77, "the store into the moved page did not reach the file");
  buf[9] = file_byte(14, PG + 9);
  expect_bytes(buf, PG, 14, PG, "page 1 of mg_rule");

  // Cached so, the file maps with two megapages from its first byte.
  knob(KNOB_DROP, 0);
  p = map_file("mg_rule", 2 * MEGA, PROT_READ, MAP_SHARED);
  touch(p, 2 * MEGA);
  unmap(p, 2 * MEGA);
  read_kstats(&ks_a);
  p = map_file("mg_rule", 2 * MEGA, PROT_READ, MAP_SHARED);
  touch(p, 2 * MEGA);
  read_kstats(&ks_b);
  CHECK(DELTA(mega_maps) == 2 && DELTA(faults) == 2, "warm: %d megapages in %d faults, want 2 "
        "and 2", (int)DELTA(mega_maps), (int)DELTA(faults));
  unmap(p, 2 * MEGA);
  unlink("mg_rule");
}

// A kernel copy stores through a megapage as the process would: read()
// into a writable one (vmctl mega 2, hardware D bits) goes through it,
// unsplit, and its bytes reach the file; a read-only one (mega 1, or
// mega 2 under svade 1) is split by the store fault first.
static void
kernel_store(void)
{
  make_file("mg_ksrc", PG, 16);
  for (int mode = MEGA_ON; mode <= MEGA_WRITABLE; mode++) {
    knob(KNOB_MEGAPAGES, MEGA_ON);
    cached_file("mg_kst", MPAGES, 15);
    knob(KNOB_MEGAPAGES, mode);
    read_kstats(&ks_a);
    char *p = map_file("mg_kst", MEGA, RW, MAP_SHARED);
    touch(p, MEGA);
    int fd = open_or_fail("mg_ksrc", O_RDONLY);
    CHECK(read(fd, p + 3 * PG, PG) == PG, "mode %d: read() into the mapping: errno %d", mode,
          errno);
    close(fd);
    read_kstats(&ks_b);
    int whole = mode == MEGA_WRITABLE && !svade;
    CHECK(DELTA(mega_maps) == 1 && DELTA(mega_splits) == (whole ? 0 : 1),
          "mode %d: %d megapages mapped, %d split by the kernel's store, want 1 and %d", mode,
          (int)DELTA(mega_maps), (int)DELTA(mega_splits), whole ? 0 : 1);
    expect_bytes(p + 3 * PG, PG, 16, 0, "read() into the megapage");
    expect_bytes(p + 4 * PG, PG, 15, 4 * PG, "the page after it");
    unmap(p, MEGA);  // writes the page (or, writable, the whole 2 MiB) back
    knob(KNOB_MEGAPAGES, MEGA_ON);
    knob(KNOB_DROP, 0);
    fd = open_or_fail("mg_kst", O_RDONLY);
    for (int i = 0; i < 5; i++) {
      CHECK(read(fd, buf, PG) == PG, "read of page %d", i);
      expect_bytes(buf, PG, i == 3 ? 16 : 15, i == 3 ? 0 : (uint64)i * PG, "the file");
    }
    close(fd);
    unlink("mg_kst");
  }
  unlink("mg_ksrc");
}

static const struct test tests[] = {
  {"warm_scan", warm_scan},         {"unaligned", unaligned},
  {"shared_store", shared_store},   {"partial_munmap", partial_munmap},
  {"mprotect_split", mprotect_split}, {"cow_private", cow_private},
  {"truncate_inside", truncate_inside}, {"eof_in_range", eof_in_range},
  {"evict", evict},                 {"fork_mega", fork_mega},
  {"race_split", race_split},       {"dirty_1_in_16", dirty_1_in_16},
  {"knob_off", knob_off},            {"folio_rule", folio_rule},
  {"kernel_store", kernel_store},
};
#define NTESTS ((int)(sizeof(tests) / sizeof(tests[0])))

int
main(int argc, char *argv[])
{
  const char *only = argc >= 2 ? argv[1] : 0;
  suite_start("megatest", tests, NTESTS, only);
  suite_use_policy("megatest", MMAP_POLICY_CACHE);
  mm_knobs_save();
  if (mm_knob_saved(KNOB_MEGAPAGES) != MEGA_ON) {
    printf("megatest: megapages are not on (vmctl mega 1)\n");
    exit(1);
  }
  svade = (int)mm_knob_saved(KNOB_SVADE);
  printf("megatest: svade %d\n", svade);
  suite_end("megatest", suite_run(tests, NTESTS, only, run_knob_checked));
}
