// disktest.c -- what a failing disk does, with failures injected by the
// disk driver's knobs (KNOB_DISK_FAIL_NTH, KNOB_DISK_FAIL_BLOCK in
// kernel/knobs.h): a failed read fails the call with EIO or kills the
// faulting process, never the kernel; a truncation that cannot read a
// block stops with EIO, leaving a valid file; a failed write-back leaves
// the page dirty and is reported once to each open file (by msync or
// fsync); a failed log write stops the file system (read-only) until the
// next boot.
//
// Usage:
//   disktest [name]          the tests that keep the file system writable,
//                            each in a child, leak-checked, with the knobs
//                            checked afterwards (user/testlib.h)
//   disktest logfail KIND    makes the next commit fail (KIND: body, commit,
//                            install: the write of that step; body-flush,
//                            commit-flush: the cache flush after it; or
//                            inode: the inode block a write must read) and
//                            checks the file system is read-only
//                            afterwards; prints "disktest: read-only as
//                            expected". The machine must be rebooted after.
//                            Before that it leaves two orphans that only
//                            the next boot can finish: a file unlinked
//                            while open, which its last close on the
//                            read-only file system does not free, and a
//                            file whose truncation to 0 a disk error
//                            stopped, its blocks past the size.
//   disktest logcheck KIND   after that reboot: the failed transaction is
//                            gone (body, commit, inode, body-flush) or
//                            replayed (install, commit-flush: the commit
//                            record reached the disk), the truncated
//                            orphan is empty, and the file system is
//                            writable; prints "disktest: log check passed".
// scripts/runtest.py runs the first as a shell case, the other two as
// crash cases on an image of their own.
//
// A read fails only if it reaches the disk, so the tests first empty the
// caches that would answer it: the page cache (KNOB_DROP) and the buffer
// cache (evict_buffers). Nothing else uses the disk while a test runs, so
// "the first read from now" is the one the test means; each test also
// checks that the injection fired, so none can pass without a failure.
#include "kernel/types.h"
#include "kernel/param.h"
#include "kernel/riscv.h"
#include "kernel/fcntl.h"
#include "kernel/stat.h"
#include "kernel/fs.h"
#include "kernel/errno.h"
#include "user/user.h"
#include "user/testlib.h"

#define PG PGSIZE
#define RW (PROT_READ | PROT_WRITE)

static char buf[4 * PG];

// ---------------------------------------------------------------------------
// Fixtures

// More blocks than the buffer cache holds (NBUF), read through it.
#define SCRATCH "/dt_scratch"
#define SCRATCH_LEN (8 * NBUF * BSIZE)

// Recycles every buffer of the buffer cache (none is held or pinned
// while a test is idle): reads SCRATCH's blocks through a mapping of the
// naive policy, whose faults read with readi() and so through the buffer
// cache, one block per request.
static void
evict_buffers(void)
{
  long old = knob(KNOB_POLICY, MMAP_POLICY_NAIVE);
  CHECK(old >= 0, "cannot choose the naive policy (errno %d)", errno);
  int fd = open(SCRATCH, O_RDONLY);
  CHECK(fd >= 0, "open %s (errno %d)", SCRATCH, errno);
  char *p = mmap(0, SCRATCH_LEN, PROT_READ, MAP_PRIVATE, fd, 0);
  CHECK(p != MAP_FAILED, "mmap %s (errno %d)", SCRATCH, errno);
  close(fd);
  knob(KNOB_POLICY, old);
  for (uint64 off = 0; off < SCRATCH_LEN; off += PG)
    load_at((uint64)p + off);
  CHECK(munmap(p, SCRATCH_LEN) == 0, "munmap %s", SCRATCH);
}

static uint64
injected(void)
{
  struct kstats k;
  read_kstats(&k);
  return k.disk_injected_errors;
}

// Sets a fault-injection knob that must have been off.
static void
inject(int which, long value)
{
  long old = knob(which, value);
  CHECK(old == 0, "fault-injection knob %d was %d, not off (errno %d)", which, (int)old, errno);
}

// Turns a knob off; returns what it held.
static long
knob_off(int which)
{
  return knob(which, 0);
}

// Arms "the next read fails, and so does every later read of its block":
// the block is learnt by reading KNOB_DISK_FAIL_BLOCK back (fired()).
static void
fail_next_read(void)
{
  inject(KNOB_DISK_FAIL_NTH, DISK_FAIL(1, DISK_FAIL_READ | DISK_FAIL_STICKY));
}

// The sticky injection armed by fail_next_read has fired: the Nth knob
// is spent and the block knob is set. Returns the block.
static long
fired(void)
{
  long nth = knob(KNOB_DISK_FAIL_NTH, 0);
  long blk = knob(KNOB_DISK_FAIL_BLOCK, 0);
  CHECK(nth == 0, "the injected read failure never happened (knob still %d)", (int)nth);
  CHECK(blk != 0, "a sticky failure did not set KNOB_DISK_FAIL_BLOCK");
  knob(KNOB_DISK_FAIL_BLOCK, blk);  // still failing, until the test clears it
  return DISK_FAIL_NUMBER(blk);
}

// Child bodies for expect_killed / expect_survives.
static void
touch(uint64 addr)
{
  load_at(addr);
}

// ---------------------------------------------------------------------------
// The knobs themselves

#define KNOB_FILE "dt_knobs"

static void
knob_values(void)
{
  CHECK(knob(KNOB_DISK_FAIL_NTH, DISK_FAIL(1, 0)) < 0 && errno == EINVAL,
        "a failure of no kind of request was accepted");
  CHECK(knob(KNOB_DISK_FAIL_NTH, DISK_FAIL(0, DISK_FAIL_READ)) < 0 && errno == EINVAL,
        "the 0th request was accepted");
  CHECK(knob(KNOB_DISK_FAIL_NTH, -8) < 0 && errno == EINVAL, "a negative value was accepted");
  CHECK(knob(KNOB_DISK_FAIL_BLOCK, DISK_FAIL(5, DISK_FAIL_READ | DISK_FAIL_STICKY)) < 0 &&
            errno == EINVAL,
        "a sticky block failure was accepted");
  CHECK(knob(KNOB_DISK_FAIL_BLOCK, DISK_FAIL(1L << 40, DISK_FAIL_READ)) < 0 && errno == EINVAL,
        "a block past the end of the disk was accepted");
  CHECK(knob(KNOB_DISK_FAIL_BLOCK, DISK_FAIL(5, DISK_FAIL_FLUSH)) < 0 && errno == EINVAL,
        "a flush failure by block was accepted");
  CHECK(knob(KNOB_DISK_FAIL_NTH, DISK_FAIL(1, DISK_FAIL_FLUSH | DISK_FAIL_STICKY)) < 0 &&
            errno == EINVAL,
        "a sticky flush failure was accepted");
  CHECK(knob(KNOB_DISK_FAIL_NTH, DISK_FAIL(1, DISK_FAIL_FLUSH | DISK_FAIL_WRITE)) < 0 &&
            errno == EINVAL,
        "a failure of flushes and writes at once was accepted");

  // The count goes down with each request of the selected kind, and only
  // with those: the eviction reads hundreds of blocks and writes none.
  uint64 before = injected();
  inject(KNOB_DISK_FAIL_NTH, DISK_FAIL(100000, DISK_FAIL_READ));
  evict_buffers();
  long left = knob_off(KNOB_DISK_FAIL_NTH);
  CHECK(DISK_FAIL_FLAGS(left) == DISK_FAIL_READ, "flags changed to %d", (int)DISK_FAIL_FLAGS(left));
  CHECK(DISK_FAIL_NUMBER(left) > 0 && DISK_FAIL_NUMBER(left) <= 100000 - NBUF,
        "after %d block reads the count is %d", 8 * NBUF, (int)DISK_FAIL_NUMBER(left));
  inject(KNOB_DISK_FAIL_NTH, DISK_FAIL(5, DISK_FAIL_WRITE));
  evict_buffers();
  left = knob_off(KNOB_DISK_FAIL_NTH);
  CHECK(left == DISK_FAIL(5, DISK_FAIL_WRITE), "reads counted against a write failure: %d",
        (int)DISK_FAIL_NUMBER(left));

  // Flushes are a kind of their own: a commit counts down a write failure
  // by exactly its write requests, a flush failure by exactly its flushes.
  static const long kinds[] = { DISK_FAIL_WRITE, DISK_FAIL_FLUSH };
  for (int i = 0; i < 2; i++) {
    struct kstats k0, k1;
    inject(KNOB_DISK_FAIL_NTH, DISK_FAIL(100000, kinds[i]));
    read_kstats(&k0);
    make_file(KNOB_FILE, BSIZE, 3);
    read_kstats(&k1);
    long used = 100000 - DISK_FAIL_NUMBER(knob_off(KNOB_DISK_FAIL_NTH));
    uint64 writes = k1.disk_write_reqs - k0.disk_write_reqs;
    uint64 flushes = k1.disk_flushes - k0.disk_flushes;
    CHECK(writes > 0 && flushes > 0, "a commit made %d writes and %d flushes", (int)writes,
          (int)flushes);
    CHECK(used == (long)(kinds[i] == DISK_FAIL_WRITE ? writes : flushes),
          "%s failure counted %d of %d writes and %d flushes",
          kinds[i] == DISK_FAIL_WRITE ? "a write" : "a flush", (int)used, (int)writes,
          (int)flushes);
  }

  // The write-cache test mode's reads of what a write overwrites are its
  // own: injection does not count them (nor fail them). It reads each
  // written block once, one request per block, so of the read requests
  // all but that many are the rewrite's own and count.
  CHECK(knob(KNOB_WCACHE, 99) == 0, "the write-cache mode was on (errno %d)", errno);
  struct kstats k0, k1;
  inject(KNOB_DISK_FAIL_NTH, DISK_FAIL(100000, DISK_FAIL_READ));
  read_kstats(&k0);
  make_file(KNOB_FILE, BSIZE, 4);
  read_kstats(&k1);
  long used = 100000 - DISK_FAIL_NUMBER(knob_off(KNOB_DISK_FAIL_NTH));
  CHECK(knob(KNOB_WCACHE, 0) == 99, "the write-cache mode's seed changed");
  uint64 reads = k1.disk_read_reqs - k0.disk_read_reqs;
  uint64 written = k1.disk_write_blocks - k0.disk_write_blocks;
  CHECK(written > 0 && reads >= written, "%d blocks written, %d read requests", (int)written,
        (int)reads);
  CHECK(used == (long)(reads - written),
        "a read failure counted %d of %d reads (%d blocks written)", (int)used, (int)reads,
        (int)written);
  CHECK(unlink(KNOB_FILE) == 0, "unlink %s", KNOB_FILE);
  CHECK(injected() == before, "a request failed although none was due");
}

// ---------------------------------------------------------------------------
// Reads of file pages through the page cache

#define PC_FILE "dt_pc"
#define PC_LEN (2 * PG)  // direct blocks only: no block-map table to read

// read() whose page cannot be read returns EIO, again while the block
// stays bad, and nothing is left in the cache: once the disk works, the
// same read misses, reads the disk and gets the file's bytes.
static void
pc_read_eio(void)
{
  make_file(PC_FILE, PC_LEN, 1);
  int fd = open_or_fail(PC_FILE, O_RDONLY);
  knob(KNOB_DROP, 0);
  evict_buffers();
  uint64 before = injected();
  fail_next_read();
  CHECK(read(fd, buf, PG) == -1 && errno == EIO, "read of an unreadable page: errno %d", errno);
  fired();
  CHECK(read(fd, buf, PG) == -1 && errno == EIO, "second read of a still unreadable page");
  CHECK(injected() >= before + 2, "injected %d failures, want 2", (int)(injected() - before));
  knob_off(KNOB_DISK_FAIL_BLOCK);

  struct kstats a, b;
  read_kstats(&a);
  CHECK(read(fd, buf, PG) == PG, "read after the disk recovered (errno %d)", errno);
  read_kstats(&b);
  CHECK(b.pc_misses == a.pc_misses + 1, "the failed page was cached: %d misses, want 1",
        (int)(b.pc_misses - a.pc_misses));
  CHECK(mismatch(buf, PG, 1, 0) < 0, "wrong bytes after the disk recovered");
  close(fd);
  unlink(PC_FILE);
}

#define IND_FILE "dt_ind"
#define IND_LEN (16 * PG)  // past the direct blocks: a block-map table

// The block-map table a page's fill must read is unreadable: EIO, not a
// panic (the table is read through the buffer cache).
static void
pc_read_table_eio(void)
{
  make_file(IND_FILE, IND_LEN, 2);
  int fd = open_or_fail(IND_FILE, O_RDONLY);
  knob(KNOB_DROP, 0);
  // The first four pages (and the table, which their fill looks up too).
  CHECK(read(fd, buf, 4 * PG) == 4 * PG, "read the first pages");
  evict_buffers();
  fail_next_read();
  CHECK(read(fd, buf, PG) == -1 && errno == EIO, "read needing an unreadable table: errno %d",
        errno);
  fired();
  knob_off(KNOB_DISK_FAIL_BLOCK);
  CHECK(read(fd, buf, PG) == PG, "read after the disk recovered (errno %d)", errno);
  CHECK(mismatch(buf, PG, 2, 4 * PG) < 0, "wrong bytes after the disk recovered");
  close(fd);
  unlink(IND_FILE);
}

// A fault that needs an unreadable page kills the faulting process only
// (status -1, and a console line saying why); the page works afterwards.
static void
fault_kills(int policy, int seed)
{
  make_file(PC_FILE, PC_LEN, seed);
  long old = knob(KNOB_POLICY, policy);
  int fd = open_or_fail(PC_FILE, O_RDONLY);
  char *p = mmap(0, PC_LEN, PROT_READ, MAP_SHARED, fd, 0);
  CHECK(p != MAP_FAILED, "mmap (errno %d)", errno);
  close(fd);
  knob(KNOB_POLICY, old);
  knob(KNOB_DROP, 0);
  evict_buffers();
  fail_next_read();
  expect_killed(touch, (uint64)p + PG, "load from an unreadable page");
  fired();
  expect_killed(touch, (uint64)p + PG, "load from a page still unreadable");
  knob_off(KNOB_DISK_FAIL_BLOCK);
  CHECK(p[PG + 7] == file_byte(seed, PG + 7), "wrong byte after the disk recovered");
  CHECK(munmap(p, PC_LEN) == 0, "munmap");
  unlink(PC_FILE);
}

static void
pc_fault_kills(void)
{
  fault_kills(MMAP_POLICY_CACHE, 3);
}

// The naive policy reads a page with readi(), through the buffer cache.
static void
naive_fault_kills(void)
{
  fault_kills(MMAP_POLICY_NAIVE, 4);
}

// ---------------------------------------------------------------------------
// The buffer cache: directories, inodes, bitmaps, partial blocks

#define DIR "dt_dir"
#define DIR_FILE "dt_dir/f"

static void
make_dir(void)
{
  unlink(DIR_FILE);
  unlink(DIR);
  CHECK(mkdir(DIR) == 0, "mkdir %s (errno %d)", DIR, errno);
  make_file(DIR_FILE, 100, 5);
}

static void
remove_dir(void)
{
  CHECK(unlink(DIR_FILE) == 0, "unlink %s (errno %d)", DIR_FILE, errno);
  CHECK(unlink(DIR) == 0, "unlink %s (errno %d)", DIR, errno);
}

// read() of a directory whose block cannot be read.
static void
dir_read_eio(void)
{
  make_dir();
  int fd = open_or_fail(DIR, O_RDONLY);
  evict_buffers();
  fail_next_read();
  CHECK(read(fd, buf, sizeof(struct dirent)) == -1 && errno == EIO,
        "read of an unreadable directory: errno %d", errno);
  fired();
  knob_off(KNOB_DISK_FAIL_BLOCK);
  struct dirent de;
  CHECK(read(fd, &de, sizeof(de)) == sizeof(de) && strcmp(de.name, ".") == 0,
        "first entry after the disk recovered");
  close(fd);
  remove_dir();
}

// Path lookups through a directory whose block cannot be read fail with
// EIO, whatever the call; nothing changes.
static void
lookup_eio(void)
{
  make_dir();
  CHECK(chdir(DIR) == 0, "chdir %s", DIR);
  evict_buffers();
  fail_next_read();
  CHECK(open("f", O_RDONLY) == -1 && errno == EIO, "open through an unreadable directory: "
        "errno %d", errno);
  fired();
  CHECK(unlink("f") == -1 && errno == EIO, "unlink: errno %d", errno);
  CHECK(mkdir("g") == -1 && errno == EIO, "mkdir: errno %d", errno);
  CHECK(open("h", O_CREATE | O_RDWR) == -1 && errno == EIO, "create: errno %d", errno);
  CHECK(link(SCRATCH, "s") == -1 && errno == EIO, "link: errno %d", errno);
  knob_off(KNOB_DISK_FAIL_BLOCK);
  int fd = open_or_fail("f", O_RDONLY);
  CHECK(read(fd, buf, 100) == 100 && mismatch(buf, 100, 5, 0) < 0, "f after the disk recovered");
  close(fd);
  CHECK(open("g", O_RDONLY) < 0 && open("h", O_RDONLY) < 0 && open("s", O_RDONLY) < 0,
        "a failed call created a name");
  CHECK(chdir("/") == 0, "chdir /");
  remove_dir();
}

#define INO_FILE "dt_ino"

// The first use of an inode since it was last cached reads its block: an
// open that cannot read it fails with EIO.
static void
inode_eio(void)
{
  make_file(INO_FILE, 100, 6);
  knob(KNOB_DROP, 0);  // the closed file keeps no page: its inode is read anew
  evict_buffers();
  // Read "/" so that the lookup finds its entries cached: the first read
  // from the disk is then the inode's block.
  int fd = open_or_fail("/", O_RDONLY);
  while (read(fd, buf, sizeof(buf)) > 0)
    ;
  close(fd);
  fail_next_read();
  CHECK(open(INO_FILE, O_RDONLY) == -1 && errno == EIO, "open of an unreadable inode: errno %d",
        errno);
  fired();
  knob_off(KNOB_DISK_FAIL_BLOCK);
  fd = open_or_fail(INO_FILE, O_RDONLY);
  CHECK(read(fd, buf, 100) == 100 && mismatch(buf, 100, 6, 0) < 0, "file after the disk recovered");
  close(fd);
  unlink(INO_FILE);
}

#define WR_FILE "dt_wr"
#define WR_LEN 3000  // its last block is partial

// A write of part of a block must read the block first: if it cannot,
// write() fails with EIO and the file is unchanged.
static void
write_partial_eio(void)
{
  make_file(WR_FILE, WR_LEN, 7);
  int fd = open_or_fail(WR_FILE, O_RDWR);
  evict_buffers();
  fail_next_read();
  CHECK(write(fd, "0123456789", 10) == -1 && errno == EIO,
        "write into an unreadable block: errno %d", errno);
  fired();
  knob_off(KNOB_DISK_FAIL_BLOCK);
  close(fd);
  knob(KNOB_DROP, 0);
  fd = open_or_fail(WR_FILE, O_RDONLY);
  CHECK(read(fd, buf, WR_LEN) == WR_LEN, "read back");
  long bad = mismatch(buf, WR_LEN, 7, 0);
  CHECK(bad < 0, "the failed write changed byte %d", (int)bad);
  close(fd);
  unlink(WR_FILE);
}

// Growing a file must read a free-block bitmap block: if it cannot,
// write() fails with EIO and the file keeps its size.
static void
write_alloc_eio(void)
{
  make_file(WR_FILE, BSIZE, 8);
  int fd = open_or_fail(WR_FILE, O_RDWR);
  CHECK(read(fd, buf, BSIZE) == BSIZE, "read to the end");
  evict_buffers();
  fail_next_read();
  fill_pattern(buf, BSIZE, 8, BSIZE);
  CHECK(write(fd, buf, BSIZE) == -1 && errno == EIO, "write that must allocate: errno %d", errno);
  fired();
  struct stat st;
  CHECK(fstat(fd, &st) == 0 && st.size == BSIZE, "size %d after a failed write", (int)st.size);
  knob_off(KNOB_DISK_FAIL_BLOCK);
  CHECK(write(fd, buf, BSIZE) == BSIZE, "write after the disk recovered (errno %d)", errno);
  close(fd);
  knob(KNOB_DROP, 0);
  fd = open_or_fail(WR_FILE, O_RDONLY);
  CHECK(read(fd, buf, 2 * BSIZE) == 2 * BSIZE && mismatch(buf, 2 * BSIZE, 8, 0) < 0,
        "file after the disk recovered");
  close(fd);
  unlink(WR_FILE);
}

// Truncation frees blocks from the end of the file down, reading each
// block-map table on the way: if one cannot be read, ftruncate (or an
// open with O_TRUNC) fails with EIO, the new size already published,
// and a later truncation frees the rest. An open that fails so leaves no
// descriptor behind (the leak check counts open files).
static void
truncate_table_eio(void)
{
  make_file(IND_FILE, IND_LEN, 15);
  int fd = open_or_fail(IND_FILE, O_RDWR);
  knob(KNOB_DROP, 0);
  evict_buffers();
  fail_next_read();
  CHECK(ftruncate(fd, 0) == -1 && errno == EIO, "ftruncate needing an unreadable table: "
        "errno %d", errno);
  fired();
  struct stat st;
  CHECK(fstat(fd, &st) == 0 && st.size == 0, "size %d after the failed ftruncate, want 0",
        (int)st.size);
  knob_off(KNOB_DISK_FAIL_BLOCK);
  CHECK(ftruncate(fd, 0) == 0, "ftruncate after the disk recovered (errno %d)", errno);
  write_pattern(fd, IND_LEN, 16, 0);  // blocks and a table again
  close(fd);

  // The same through O_TRUNC. The lookup must not be what fails: read the
  // directory back into the buffer cache first.
  knob(KNOB_DROP, 0);
  evict_buffers();
  fd = open_or_fail("/", O_RDONLY);
  while (read(fd, buf, sizeof(buf)) > 0)
    ;
  close(fd);
  fail_next_read();
  CHECK(open(IND_FILE, O_RDWR | O_TRUNC) == -1 && errno == EIO,
        "open with O_TRUNC needing an unreadable table: errno %d", errno);
  fired();
  knob_off(KNOB_DISK_FAIL_BLOCK);
  fd = open_or_fail(IND_FILE, O_RDWR | O_TRUNC);
  CHECK(fstat(fd, &st) == 0 && st.size == 0, "size %d after O_TRUNC", (int)st.size);
  write_pattern(fd, IND_LEN, 17, 0);
  close(fd);
  knob(KNOB_DROP, 0);
  fd = open_or_fail(IND_FILE, O_RDONLY);
  CHECK(read(fd, buf, sizeof(buf)) == sizeof(buf) && mismatch(buf, sizeof(buf), 17, 0) < 0,
        "the file rewritten after the failures");
  close(fd);
  unlink(IND_FILE);
}

// Shortening to a length inside a block must zero the rest of that block
// (a later grow reads zeros there): if the block cannot be read,
// ftruncate fails with EIO and nothing changes.
static void
truncate_tail_eio(void)
{
  make_file(WR_FILE, WR_LEN, 18);
  int fd = open_or_fail(WR_FILE, O_RDWR);
  knob(KNOB_DROP, 0);
  evict_buffers();
  fail_next_read();
  CHECK(ftruncate(fd, 1000) == -1 && errno == EIO, "ftruncate into an unreadable block: "
        "errno %d", errno);
  fired();
  knob_off(KNOB_DISK_FAIL_BLOCK);
  struct stat st;
  CHECK(fstat(fd, &st) == 0 && st.size == WR_LEN, "size %d after the failed ftruncate, want %d",
        (int)st.size, WR_LEN);
  CHECK(read(fd, buf, WR_LEN) == WR_LEN && mismatch(buf, WR_LEN, 18, 0) < 0,
        "the failed ftruncate changed the file");
  CHECK(ftruncate(fd, 1000) == 0 && ftruncate(fd, WR_LEN) == 0,
        "ftruncate down and up after the disk recovered (errno %d)", errno);
  CHECK(lseek(fd, 0, SEEK_SET) == 0, "lseek");
  CHECK(read(fd, buf, WR_LEN) == WR_LEN && mismatch(buf, 1000, 18, 0) < 0,
        "bytes before the cut");
  for (int i = 1000; i < WR_LEN; i++)
    CHECK(buf[i] == 0, "byte %d past the cut is %d after growing, want 0", i, buf[i]);
  close(fd);
  unlink(WR_FILE);
}

// ---------------------------------------------------------------------------
// Write-back errors: the page stays dirty, and each open file hears of a
// failure once, by msync of any of its mappings or by fsync.

#define WB_FILE "dt_wb"
#define WB_LEN (2 * PG - 100)  // the last page ends in a partial block
#define WB_AT (PG + 5)         // the byte stored, in that last page

static char *
map_shared(int fd)
{
  char *p = mmap(0, 2 * PG, RW, MAP_SHARED, fd, 0);
  CHECK(p != MAP_FAILED, "mmap (errno %d)", errno);
  return p;
}

static int
msync_errno(char *p)
{
  return msync(p, 2 * PG, MS_SYNC) == 0 ? 0 : errno;
}

static void
wb_error(int policy)
{
  make_file(WB_FILE, WB_LEN, 9);
  long old = knob(KNOB_POLICY, policy);
  int fd1 = open_or_fail(WB_FILE, O_RDWR);
  int fd2 = open_or_fail(WB_FILE, O_RDWR);  // open before the failure: hears of it
  char *p = map_shared(fd1);
  p[WB_AT] = 'X';
  evict_buffers();  // write-back must read the partial last block
  fail_next_read();
  int e = msync_errno(p);
  CHECK(e == EIO, "msync whose write-back failed: errno %d, want EIO", e);
  fired();
  e = msync_errno(p);
  CHECK(e == EIO, "msync failing again: errno %d, want EIO (a new failure)", e);
  knob_off(KNOB_DISK_FAIL_BLOCK);

  // The page is still dirty: this msync writes it, and reports nothing.
  struct kstats a, b;
  read_kstats(&a);
  e = msync_errno(p);
  read_kstats(&b);
  CHECK(e == 0, "msync after the disk recovered: errno %d, want 0 (already reported)", e);
  CHECK(b.writeback_pages > a.writeback_pages, "the failed page was not written back again");
  CHECK(msync_errno(p) == 0, "msync with nothing new to report");

  // Another open file hears of the failures once, through any mapping.
  char *q = map_shared(fd2);
  e = msync_errno(q);
  CHECK(e == EIO, "msync through the other open file: errno %d, want EIO", e);
  CHECK(msync_errno(q) == 0, "msync through the other open file, again");
  // A file opened after the failures has nothing to hear.
  int fd3 = open_or_fail(WB_FILE, O_RDWR);
  char *r = map_shared(fd3);
  CHECK(msync_errno(r) == 0, "msync through a file opened after the failures");
  knob(KNOB_POLICY, old);

  CHECK(munmap(p, 2 * PG) == 0 && munmap(q, 2 * PG) == 0 && munmap(r, 2 * PG) == 0, "munmap");
  close(fd1);
  close(fd2);
  close(fd3);
  knob(KNOB_DROP, 0);
  int fd = open_or_fail(WB_FILE, O_RDONLY);
  CHECK(read(fd, buf, WB_LEN) == WB_LEN, "read back");
  CHECK(buf[WB_AT] == 'X', "the stored byte never reached the file");
  buf[WB_AT] = file_byte(9, WB_AT);
  CHECK(mismatch(buf, WB_LEN, 9, 0) < 0, "file bytes wrong after write-back");
  close(fd);
  unlink(WB_FILE);
}

// fsync writes back the file's dirty cache pages as msync does, and
// reports a failure the same way: EIO once to each open file, then 0.
static void
wb_error_fsync(void)
{
  make_file(WB_FILE, WB_LEN, 10);
  int fd1 = open_or_fail(WB_FILE, O_RDWR);
  int fd2 = open_or_fail(WB_FILE, O_RDWR);
  char *p = map_shared(fd1);
  p[WB_AT] = 'Z';
  evict_buffers();  // write-back must read the partial last block
  fail_next_read();
  int e = fsync(fd1) == 0 ? 0 : errno;
  CHECK(e == EIO, "fsync whose write-back failed: errno %d, want EIO", e);
  fired();
  knob_off(KNOB_DISK_FAIL_BLOCK);

  struct kstats a, b;
  read_kstats(&a);
  e = fsync(fd1) == 0 ? 0 : errno;
  read_kstats(&b);
  CHECK(e == 0, "fsync after the disk recovered: errno %d, want 0 (already reported)", e);
  CHECK(b.writeback_pages > a.writeback_pages, "the failed page was not written back again");
  CHECK(msync_errno(p) == 0, "msync of the file fsync has told already");
  e = fsync(fd2) == 0 ? 0 : errno;
  CHECK(e == EIO, "fsync of the other open file: errno %d, want EIO", e);
  CHECK(fsync(fd2) == 0, "fsync of the other open file, again (errno %d)", errno);

  CHECK(munmap(p, 2 * PG) == 0, "munmap");
  close(fd1);
  close(fd2);
  knob(KNOB_DROP, 0);
  int fd = open_or_fail(WB_FILE, O_RDONLY);
  CHECK(read(fd, buf, WB_LEN) == WB_LEN, "read back");
  CHECK(buf[WB_AT] == 'Z', "the stored byte never reached the file");
  buf[WB_AT] = file_byte(10, WB_AT);
  CHECK(mismatch(buf, WB_LEN, 10, 0) < 0, "file bytes wrong after write-back");
  close(fd);
  unlink(WB_FILE);
}

static void
wb_error_cache(void)
{
  wb_error(MMAP_POLICY_CACHE);
}

// The naive policy has no dirty pages: it writes every present page of
// the area at each msync, so the failed one is written again anyway.
static void
wb_error_naive(void)
{
  wb_error(MMAP_POLICY_NAIVE);
}

// ---------------------------------------------------------------------------

static const struct test tests[] = {
  { "knob_values", knob_values },
  { "pc_read_eio", pc_read_eio },
  { "pc_read_table_eio", pc_read_table_eio },
  { "pc_fault_kills", pc_fault_kills },
  { "naive_fault_kills", naive_fault_kills },
  { "dir_read_eio", dir_read_eio },
  { "lookup_eio", lookup_eio },
  { "inode_eio", inode_eio },
  { "write_partial_eio", write_partial_eio },
  { "write_alloc_eio", write_alloc_eio },
  { "truncate_table_eio", truncate_table_eio },
  { "truncate_tail_eio", truncate_tail_eio },
  { "wb_error_cache", wb_error_cache },
  { "wb_error_naive", wb_error_naive },
  { "wb_error_fsync", wb_error_fsync },
};
#define NTESTS ((int)(sizeof(tests) / sizeof(tests[0])))

// A test must leave the injection off and the mapping policy as it found
// it; if not, says so and puts them back.
static int
knobs_restored(const char *test)
{
  int ok = 1;
  static const int fail_knobs[] = { KNOB_DISK_FAIL_NTH, KNOB_DISK_FAIL_BLOCK };
  for (int i = 0; i < 2; i++) {
    long v = knob(fail_knobs[i], 0);
    if (v != 0) {
      printf("test %s: FAILED: left fault-injection knob %d at %d\n", test, fail_knobs[i], (int)v);
      ok = 0;
    }
  }
  long seed = knob(KNOB_WCACHE, 0);
  if (seed != 0) {
    printf("test %s: FAILED: left the write-cache mode on (seed %d)\n", test, (int)seed);
    ok = 0;
  }
  long policy = knob(KNOB_POLICY, MMAP_POLICY_CACHE);
  if (policy != MMAP_POLICY_CACHE) {
    printf("test %s: FAILED: left the mapping policy at %d\n", test, (int)policy);
    ok = 0;
  }
  return ok;
}

static int
run_checked(const struct test *t)
{
  return run_leak_checked(t, knobs_restored);
}

// ---------------------------------------------------------------------------
// disktest logfail KIND / logcheck KIND (see the top)

#define KEEP "/dt_keep"     // committed before the failure
#define KEEP_LEN (3 * PG)
#define LOST "/dt_lost"     // its rewrite is in the failed transaction
#define KEEP_SEED 11
#define OLD_SEED 12         // LOST's bytes before the failed transaction
#define NEW_SEED 13         // and in it
#define UNLINKED "/dt_unlinked"  // unlinked while open: an orphan to free
#define CUT "/dt_cut"       // truncated to 0 but for an unreadable table
#define CUT_SEED 19

// The commit of a one-block rewrite moves (in write requests, in order)
// the log body, the header (the commit point), then the home blocks, and
// flushes the disk's cache after each step. The inode kind fails instead
// the read of the inode block that writing the inode needs (the buffer
// cache evicted first).
static const struct log_kind {
  const char *name;
  long fail;        // the KNOB_DISK_FAIL_NTH value that makes the commit fail
  int replayed;     // the commit record reached the disk: the next boot replays it
  int durable;      // msync(MS_SYNC) and fsync may say it is durable
} log_kinds[] = {
  { "body", DISK_FAIL(1, DISK_FAIL_WRITE), 0, 0 },
  { "commit", DISK_FAIL(2, DISK_FAIL_WRITE), 0, 0 },
  { "install", DISK_FAIL(3, DISK_FAIL_WRITE), 1, 1 },
  { "inode", DISK_FAIL(1, DISK_FAIL_READ), 0, 0 },
  { "body-flush", DISK_FAIL(1, DISK_FAIL_FLUSH), 0, 0 },
  // The record was written, but the flush that would make it stable
  // failed: durability cannot be promised, yet the disk has the record.
  { "commit-flush", DISK_FAIL(2, DISK_FAIL_FLUSH), 1, 0 },
};
#define NLOG_KINDS ((int)(sizeof(log_kinds) / sizeof(log_kinds[0])))
static const struct log_kind *log_kind;

static void
arm_log_failure(void)
{
  if (strcmp(log_kind->name, "inode") == 0)
    evict_buffers();
  inject(KNOB_DISK_FAIL_NTH, log_kind->fail);
}

static void
expect_erofs(int r, const char *what)
{
  CHECK(r == -1 && errno == EROFS, "%s on a read-only file system: returned %d, errno %d", what, r,
        errno);
}

// Leaves the two orphans (see the top), both in the orphan table on disk
// (kernel/fs/fs.c, "the orphan table"): CUT, truncated to 0 with the
// blocks of its indirect table and the table left past the size, as
// truncate_table_eio does, and UNLINKED, whose descriptor is returned.
static int
leave_orphans(void)
{
  make_file(CUT, IND_LEN, CUT_SEED);
  int fd = open_or_fail(CUT, O_RDWR);
  knob(KNOB_DROP, 0);
  evict_buffers();
  fail_next_read();
  CHECK(ftruncate(fd, 0) == -1 && errno == EIO, "ftruncate needing an unreadable table: "
        "errno %d", errno);
  fired();
  knob_off(KNOB_DISK_FAIL_BLOCK);
  close(fd);
  make_file(UNLINKED, 2 * BSIZE, CUT_SEED);
  fd = open_or_fail(UNLINKED, O_RDONLY);
  CHECK(unlink(UNLINKED) == 0, "unlink %s", UNLINKED);
  return fd;
}

static void
logfail(void)
{
  current_test = "logfail";
  int unlinked = leave_orphans();
  make_file(KEEP, KEEP_LEN, KEEP_SEED);
  make_file(LOST, BSIZE, OLD_SEED);
  int keep = open_or_fail(KEEP, O_RDWR);
  int lost = open_or_fail(LOST, O_RDWR);
  char *kp = map_shared(keep);
  char *lp = mmap(0, PG, RW, MAP_SHARED, lost, 0);
  CHECK(lp != MAP_FAILED, "mmap %s", LOST);
  CHECK(lp[0] == file_byte(OLD_SEED, 0), "%s", LOST);

  uint64 before = injected();
  arm_log_failure();
  fill_pattern(buf, BSIZE, NEW_SEED, 0);
  // The write's own operation ends it; its commit fails and stops the
  // file system. The call itself has done its part: write() promises
  // nothing about the disk (msync and fsync do).
  CHECK(write(lost, buf, BSIZE) == BSIZE, "write (errno %d)", errno);
  CHECK(injected() == before + 1, "the injected failure did not happen");
  CHECK(knob_off(KNOB_DISK_FAIL_NTH) == 0, "injection still armed");

  // Only a commit record known to be stable (written, then flushed)
  // makes the rewrite durable.
  int e = msync(lp, PG, MS_SYNC) == 0 ? 0 : errno;
  int f = fsync(lost) == 0 ? 0 : errno;
  if (log_kind->durable) {
    CHECK(e == 0, "msync of a committed rewrite: errno %d, want 0", e);
    CHECK(f == 0, "fsync of a committed rewrite: errno %d, want 0", f);
  } else {
    CHECK(e == EIO, "msync of a rewrite not known to be committed: errno %d, want EIO", e);
    CHECK(f == EIO, "fsync of a rewrite not known to be committed: errno %d, want EIO", f);
  }

  expect_erofs(open("/dt_new", O_CREATE | O_RDWR), "create");
  expect_erofs(write(lost, buf, BSIZE), "write");
  expect_erofs(mkdir("/dt_newdir"), "mkdir");
  expect_erofs(unlink(KEEP), "unlink");
  expect_erofs(link(KEEP, "/dt_link"), "link");
  expect_erofs(open(KEEP, O_RDWR), "open for writing");
  expect_erofs(ftruncate(keep, 0), "ftruncate");
  kp[7] = 'Y';
  expect_erofs(msync(kp, 2 * PG, MS_SYNC), "msync of a dirty page");
  expect_erofs(fsync(keep), "fsync of a file with a dirty page");

  // Reads keep working, from the caches and from the disk.
  knob(KNOB_DROP, 0);
  int fd = open_or_fail(KEEP, O_RDONLY);
  CHECK(read(fd, buf, KEEP_LEN) == KEEP_LEN, "read %s", KEEP);
  CHECK(buf[7] == 'Y', "the store to the mapping is gone from the cache");
  buf[7] = file_byte(KEEP_SEED, 7);
  CHECK(mismatch(buf, KEEP_LEN, KEEP_SEED, 0) < 0, "%s reads wrong", KEEP);
  close(fd);
  fd = open_or_fail("/README", O_RDONLY);
  struct stat st;
  CHECK(fstat(fd, &st) == 0, "fstat README");
  int total = 0, n;
  while ((n = read(fd, buf, sizeof(buf))) > 0)
    total += n;
  CHECK(n == 0 && total == st.size, "README: read %d of %d bytes (errno %d)", total, (int)st.size,
        errno);
  close(fd);
  // The last reference to an unlinked file frees it -- but not on a
  // read-only file system: it stays allocated, listed for the next boot.
  CHECK(read(unlinked, buf, BSIZE) == BSIZE && mismatch(buf, BSIZE, CUT_SEED, 0) < 0,
        "read %s, unlinked but open", UNLINKED);
  close(unlinked);
  printf("disktest: read-only as expected\n");
  exit(0);  // the mappings go without write-back: the file system refuses it
}

static void
logcheck(void)
{
  current_test = "logcheck";
  int fd = open_or_fail(KEEP, O_RDONLY);
  CHECK(read(fd, buf, KEEP_LEN) == KEEP_LEN && mismatch(buf, KEEP_LEN, KEEP_SEED, 0) < 0,
        "%s is not what was committed before the failure", KEEP);
  close(fd);
  int seed = log_kind->replayed ? NEW_SEED : OLD_SEED;
  fd = open_or_fail(LOST, O_RDONLY);
  CHECK(read(fd, buf, BSIZE) == BSIZE, "read %s", LOST);
  CHECK(mismatch(buf, BSIZE, seed, 0) < 0, "%s holds the %s bytes", LOST,
        seed == NEW_SEED ? "old (the committed rewrite was not replayed)"
                         : "new (a transaction that never committed was replayed)");
  close(fd);
  // CUT keeps the size its failed truncation published. (That the boot
  // freed UNLINKED and CUT's blocks past its size, no name shows: the
  // boot's console lines and fsck.py --no-orphans do, see runtest.py.)
  fd = open_or_fail(CUT, O_RDONLY);
  struct stat st;
  CHECK(fstat(fd, &st) == 0 && st.size == 0 && read(fd, buf, BSIZE) == 0,
        "%s is not empty: size %d", CUT, (int)st.size);
  close(fd);
  // Writable again.
  make_file("/dt_after", 2 * BSIZE, 14);
  fd = open_or_fail("/dt_after", O_RDONLY);
  CHECK(read(fd, buf, 2 * BSIZE) == 2 * BSIZE && mismatch(buf, 2 * BSIZE, 14, 0) < 0,
        "a file written after the reboot");
  close(fd);
  CHECK(unlink("/dt_after") == 0 && unlink(KEEP) == 0 && unlink(LOST) == 0 &&
            unlink(CUT) == 0 && unlink(SCRATCH) == 0,
        "unlink");
  printf("disktest: log check passed\n");
  exit(0);
}

static void
log_command(const char *cmd, const char *kind)
{
  log_kind = 0;
  for (int i = 0; i < NLOG_KINDS; i++)
    if (strcmp(kind, log_kinds[i].name) == 0)
      log_kind = &log_kinds[i];
  if (log_kind == 0) {
    printf("disktest: %s: KIND is body, commit, install, inode, body-flush or commit-flush\n",
           cmd);
    exit(2);
  }
  if (strcmp(cmd, "logfail") == 0)
    logfail();
  logcheck();
}

int
main(int argc, char *argv[])
{
  if (argc == 3 && (strcmp(argv[1], "logfail") == 0 || strcmp(argv[1], "logcheck") == 0)) {
    // Every page of this program now: a page of its text faulted in later
    // could meet the disk failure armed for the log instead.
    own_program_pages();
    if (chdir("/") != 0)
      exit(1);
    if (strcmp(argv[1], "logfail") == 0)
      make_file(SCRATCH, SCRATCH_LEN, 0);  // for evict_buffers
    log_command(argv[1], argv[2]);
  }
  const char *only = argc >= 2 ? argv[1] : 0;
  suite_start("disktest", tests, NTESTS, only);
  suite_use_policy("disktest", MMAP_POLICY_CACHE);
  make_file(SCRATCH, SCRATCH_LEN, 0);
  int failed = suite_run(tests, NTESTS, only, run_checked);
  unlink(SCRATCH);
  suite_end("disktest", failed);
}
