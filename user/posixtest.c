// posixtest.c -- the POSIX calls pcv6 adds beside xv6's ABI: lseek,
// ftruncate (shrinking, growing, holes and their write-back from shared
// mappings) and fsync, every error code of each, and truncation that
// others see as one change however big the file.
//
// Usage: posixtest [name]   (one test by name, or all of them)
//
// Each test runs in a child and is leak-checked (user/testlib.h). Tests
// that set a knob put it back before they end.
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
#define KIB 1024
#define MIB (1024 * 1024)
#define FILE_MAX ((long)MAXFILE * BSIZE)  // the largest file, in bytes

static char iobuf[16 * PG];

static long
size_of(int fd)
{
  struct stat st;
  CHECK(fstat(fd, &st) == 0, "fstat (errno %d)", errno);
  return (long)st.size;
}

// Reads n bytes at off through read() and checks each: the pattern seed
// below `pattern_end`, zero from there on.
static void
expect_bytes(int fd, uint64 off, uint64 n, int seed, uint64 pattern_end, const char *when)
{
  CHECK(lseek(fd, off, SEEK_SET) == (long)off, "%s: lseek to %d (errno %d)", when, (int)off,
        errno);
  while (n > 0) {
    uint64 k = n < sizeof(iobuf) ? n : sizeof(iobuf);
    CHECK(read(fd, iobuf, k) == (int)k, "%s: read %d bytes at %d", when, (int)k, (int)off);
    for (uint64 i = 0; i < k; i++) {
      char want = off + i < pattern_end ? file_byte(seed, off + i) : 0;
      CHECK(iobuf[i] == want, "%s: byte %d is 0x%x, want 0x%x", when, (int)(off + i),
            iobuf[i] & 0xff, want & 0xff);
    }
    off += k;
    n -= k;
  }
}

// The call's result must be -1 with errno `want`.
#define EXPECT_ERR(call, want, what)                                                        \
  do {                                                                                      \
    long r_ = (long)(call);                                                                 \
    int e_ = errno;                                                                         \
    CHECK(r_ == -1 && e_ == (want), "%s: returned %d, errno %d, want -1 errno %d", (what), \
          (int)r_, e_, (want));                                                             \
  } while (0)

static uint64
disk_writes(void)
{
  struct kstats k;
  CHECK(kstats(&k) == 0, "kstats (errno %d)", errno);
  return k.disk_write_blocks;
}

// ---------------------------------------------------------------------------
// lseek

#define LS_SIZE 3000

static void
lseek_whence(void)
{
  make_file("px_ls", LS_SIZE, 1);
  int fd = open("px_ls", O_RDWR);
  CHECK(fd >= 0, "open px_ls");
  CHECK(lseek(fd, 100, SEEK_SET) == 100, "SEEK_SET 100");
  char c;
  CHECK(read(fd, &c, 1) == 1 && c == file_byte(1, 100), "read at 100 after SEEK_SET");
  CHECK(lseek(fd, 49, SEEK_CUR) == 150, "SEEK_CUR +49 from 101");
  CHECK(lseek(fd, -60, SEEK_CUR) == 90, "SEEK_CUR -60 from 150");
  CHECK(read(fd, &c, 1) == 1 && c == file_byte(1, 90), "read at 90 after SEEK_CUR");
  CHECK(lseek(fd, 0, SEEK_CUR) == 91, "SEEK_CUR 0 reports the offset");
  CHECK(lseek(fd, 0, SEEK_END) == LS_SIZE, "SEEK_END 0");
  CHECK(lseek(fd, -10, SEEK_END) == LS_SIZE - 10, "SEEK_END -10");
  CHECK(read(fd, iobuf, 100) == 10, "read of the last 10 bytes");
  CHECK(iobuf[9] == file_byte(1, LS_SIZE - 1), "last byte");

  // Past the end: allowed; a read there finds nothing and a write there
  // fails (xv6's rule, kept), so the file does not change.
  CHECK(lseek(fd, 5000, SEEK_END) == LS_SIZE + 5000, "SEEK_END +5000");
  CHECK(read(fd, iobuf, 10) == 0, "read past the end returns 0");
  EXPECT_ERR(write(fd, "x", 1), EINVAL, "write past the end");
  CHECK(size_of(fd) == LS_SIZE, "size changed by a failed write past the end");
  CHECK(lseek(fd, FILE_MAX, SEEK_SET) == FILE_MAX, "SEEK_SET to the largest file size");
  // At the end exactly, a write extends the file.
  CHECK(lseek(fd, 0, SEEK_END) == LS_SIZE, "SEEK_END again");
  CHECK(write(fd, "y", 1) == 1, "write at the end (errno %d)", errno);
  CHECK(size_of(fd) == LS_SIZE + 1, "size after a write at the end");
  close(fd);

  // A shared offset: dup'd descriptors move together.
  fd = open("px_ls", O_RDONLY);
  int fd2 = dup(fd);
  CHECK(lseek(fd, 700, SEEK_SET) == 700, "SEEK_SET 700");
  CHECK(lseek(fd2, 0, SEEK_CUR) == 700, "a dup'd descriptor shares the offset");
  close(fd2);
  close(fd);

  // Directories seek too.
  fd = open(".", O_RDONLY);
  CHECK(fd >= 0, "open .");
  long dsize = size_of(fd);
  CHECK(dsize > 0 && lseek(fd, 0, SEEK_END) == dsize, "SEEK_END of a directory");
  struct dirent de;
  CHECK(lseek(fd, sizeof(de), SEEK_SET) == sizeof(de), "SEEK_SET in a directory");
  CHECK(read(fd, &de, sizeof(de)) == sizeof(de) && strcmp(de.name, "..") == 0,
        "second entry of a directory is ..");
  close(fd);
  unlink("px_ls");
}

static void
lseek_errors(void)
{
  make_file("px_le", LS_SIZE, 2);
  EXPECT_ERR(lseek(-1, 0, SEEK_SET), EBADF, "lseek fd -1");
  EXPECT_ERR(lseek(NOFILE, 0, SEEK_SET), EBADF, "lseek fd NOFILE");
  int fd = open("px_le", O_RDONLY);
  CHECK(fd >= 0, "open px_le");
  int closed = dup(fd);
  close(closed);
  EXPECT_ERR(lseek(closed, 0, SEEK_SET), EBADF, "lseek of a closed fd");

  int pfd[2];
  CHECK(pipe(pfd) == 0, "pipe");
  EXPECT_ERR(lseek(pfd[0], 0, SEEK_SET), ESPIPE, "lseek of a pipe's read end");
  EXPECT_ERR(lseek(pfd[1], 0, SEEK_CUR), ESPIPE, "lseek of a pipe's write end");
  close(pfd[0]);
  close(pfd[1]);
  int con = open("console", O_RDWR);
  CHECK(con >= 0, "open console");
  EXPECT_ERR(lseek(con, 0, SEEK_SET), ESPIPE, "lseek of the console");
  close(con);

  CHECK(lseek(fd, 10, SEEK_SET) == 10, "SEEK_SET 10");
  EXPECT_ERR(lseek(fd, 0, 3), EINVAL, "whence 3");
  EXPECT_ERR(lseek(fd, 0, -1), EINVAL, "whence -1");
  EXPECT_ERR(lseek(fd, -1, SEEK_SET), EINVAL, "SEEK_SET -1");
  EXPECT_ERR(lseek(fd, -11, SEEK_CUR), EINVAL, "SEEK_CUR before the start");
  EXPECT_ERR(lseek(fd, -(LS_SIZE + 1), SEEK_END), EINVAL, "SEEK_END before the start");
  EXPECT_ERR(lseek(fd, FILE_MAX + 1, SEEK_SET), EINVAL, "SEEK_SET past the largest file");
  EXPECT_ERR(lseek(fd, FILE_MAX - LS_SIZE + 1, SEEK_END), EINVAL, "SEEK_END past the largest");
  EXPECT_ERR(lseek(fd, 1L << 40, SEEK_SET), EINVAL, "SEEK_SET 2^40 (offsets are 32-bit)");
  EXPECT_ERR(lseek(fd, -(1L << 62), SEEK_CUR), EINVAL, "SEEK_CUR -2^62");
  EXPECT_ERR(lseek(fd, (long)(~0UL >> 1), SEEK_CUR), EINVAL, "SEEK_CUR LONG_MAX");
  CHECK(lseek(fd, 0, SEEK_CUR) == 10, "a failed lseek moved the offset");
  close(fd);
  unlink("px_le");
}

// ---------------------------------------------------------------------------
// ftruncate: shrinking

#define SH_PAGES 5
#define SH_LEN (2 * PG + 100)  // inside page 2

static void
touch_load(uint64 addr)
{
  load_at(addr);
}

static void
ftruncate_shrink(void)
{
  make_file("px_sh", SH_PAGES * PG, 3);
  int fd = open("px_sh", O_RDWR);
  CHECK(fd >= 0, "open px_sh");
  char *p = mmap(0, SH_PAGES * PG, RW, MAP_SHARED, fd, 0);
  CHECK(p != MAP_FAILED, "mmap (errno %d)", errno);
  for (int i = 0; i < SH_PAGES * PG; i += PG)
    CHECK(p[i] == file_byte(3, i), "mapped byte %d before the shrink", i);

  CHECK(ftruncate(fd, SH_LEN) == 0, "ftruncate to %d (errno %d)", SH_LEN, errno);
  CHECK(size_of(fd) == SH_LEN, "size after the shrink is %d", (int)size_of(fd));
  // Pages within stay mapped with their bytes; the rest of the last one
  // reads as zeros; a page wholly past the end kills whoever touches it.
  for (int i = 0; i < SH_LEN; i++)
    CHECK(p[i] == file_byte(3, i), "mapped byte %d after the shrink", i);
  for (int i = SH_LEN; i < 3 * PG; i++)
    CHECK(p[i] == 0, "mapped byte %d past the new end is 0x%x", i, p[i] & 0xff);
  expect_killed(touch_load, (uint64)(p + 3 * PG), "a load from a page past the new end");
  expect_killed(touch_load, (uint64)(p + (SH_PAGES - 1) * PG), "a load from the last old page");
  CHECK(read(fd, iobuf, 10) == 10, "read at 0 after the shrink");

  // Growing back: what was cut off reads as zeros, through the mapping,
  // through read(), and from the disk once the cache is gone.
  CHECK(ftruncate(fd, SH_PAGES * PG) == 0, "ftruncate back up (errno %d)", errno);
  CHECK(size_of(fd) == SH_PAGES * PG, "size after growing back");
  for (int i = SH_LEN; i < SH_PAGES * PG; i += 97)
    CHECK(p[i] == 0, "mapped byte %d after growing back is 0x%x", i, p[i] & 0xff);
  expect_bytes(fd, 0, SH_PAGES * PG, 3, SH_LEN, "after growing back");
  CHECK(munmap(p, SH_PAGES * PG) == 0, "munmap");
  knob(KNOB_DROP, 0);
  expect_bytes(fd, 0, SH_PAGES * PG, 3, SH_LEN, "after growing back and a drop");

  // Shrinking to a block boundary, and to nothing.
  CHECK(ftruncate(fd, 2 * BSIZE) == 0, "ftruncate to 2 blocks");
  CHECK(ftruncate(fd, 3 * BSIZE) == 0, "ftruncate to 3 blocks");
  expect_bytes(fd, 0, 3 * BSIZE, 3, 2 * BSIZE, "after 2 then 3 blocks");
  CHECK(ftruncate(fd, 0) == 0 && size_of(fd) == 0, "ftruncate to 0");
  CHECK(read(fd, iobuf, 1) == 0, "read of an empty file");
  close(fd);
  unlink("px_sh");
}

// ---------------------------------------------------------------------------
// ftruncate: growing. No blocks are allocated for what a file gains: a
// grow writes a handful of blocks (the inode, through the log), and more
// files can be grown to the largest size than the disk could hold.

#define GR_OLD 1000
#define GR_LEN MIB
#define GR_MAX_WRITES 32  // blocks the disk may write for a grow (log, inode)

static void
ftruncate_grow(void)
{
  make_file("px_gr", GR_OLD, 4);
  int fd = open("px_gr", O_RDWR);
  CHECK(fd >= 0, "open px_gr");
  uint64 before = disk_writes();
  CHECK(ftruncate(fd, GR_LEN) == 0, "ftruncate to 1 MiB (errno %d)", errno);
  uint64 wrote = disk_writes() - before;
  CHECK(wrote < GR_MAX_WRITES, "growing by 1 MiB wrote %d blocks, want < %d (blocks allocated?)",
        (int)wrote, GR_MAX_WRITES);
  CHECK(size_of(fd) == GR_LEN, "size after the grow is %d", (int)size_of(fd));
  expect_bytes(fd, 0, 2 * PG, 4, GR_OLD, "start of the grown file");
  expect_bytes(fd, GR_LEN - 3 * PG, 3 * PG, 4, 0, "end of the grown file");
  CHECK(read(fd, iobuf, 1) == 0, "read at the new end");
  // A write at the new end extends it as usual.
  CHECK(write(fd, "z", 1) == 1 && size_of(fd) == GR_LEN + 1, "write at the new end");
  close(fd);
  unlink("px_gr");

  // One file more than the disk could hold, each grown to the largest
  // size: only possible if nothing is allocated.
  int nfiles = FSSIZE / MAXFILE + 1;
  int fds[NOFILE];
  CHECK(nfiles < NOFILE - 3, "too many files for the descriptor table");
  char name[] = "px_bigN";
  for (int i = 0; i < nfiles; i++) {
    name[6] = '0' + i;
    unlink(name);
    fds[i] = open(name, O_CREATE | O_RDWR);
    CHECK(fds[i] >= 0, "create %s", name);
    CHECK(ftruncate(fds[i], FILE_MAX) == 0, "ftruncate %s to the largest size (errno %d)", name,
          errno);
    CHECK(size_of(fds[i]) == FILE_MAX, "size of %s", name);
  }
  for (int i = 0; i < nfiles; i++) {
    expect_bytes(fds[i], FILE_MAX / 2, PG, 0, 0, "middle of a huge hole");
    close(fds[i]);
    name[6] = '0' + i;
    unlink(name);
  }
}

// Stores that a mapping made past the end of the file, in its last page,
// never become contents: a grow shows zeros there.
static void
grow_hides_stores_past_end(void)
{
  make_file("px_ge", 100, 5);
  int fd = open("px_ge", O_RDWR);
  CHECK(fd >= 0, "open px_ge");
  char *p = mmap(0, PG, RW, MAP_SHARED, fd, 0);
  CHECK(p != MAP_FAILED, "mmap (errno %d)", errno);
  p[50] = 'm';
  p[200] = 'X';  // past the end, inside the last page: allowed, not file data
  p[PG - 1] = 'Y';
  CHECK(ftruncate(fd, 2 * PG) == 0, "ftruncate up (errno %d)", errno);
  CHECK(p[200] == 0 && p[PG - 1] == 0, "stores past the old end show through the mapping");
  CHECK(p[50] == 'm', "a store inside the file was lost");
  CHECK(lseek(fd, 200, SEEK_SET) == 200 && read(fd, iobuf, 1) == 1 && iobuf[0] == 0,
        "read() finds a store made past the old end");
  CHECK(munmap(p, PG) == 0, "munmap");
  knob(KNOB_DROP, 0);
  CHECK(lseek(fd, 0, SEEK_SET) == 0 && read(fd, iobuf, PG) == PG, "read back");
  CHECK(iobuf[50] == 'm' && iobuf[200] == 0 && iobuf[PG - 1] == 0,
        "on disk: byte 50 0x%x, byte 200 0x%x, byte %d 0x%x", iobuf[50] & 0xff,
        iobuf[200] & 0xff, PG - 1, iobuf[PG - 1] & 0xff);
  close(fd);
  unlink("px_ge");
}

// ---------------------------------------------------------------------------
// Holes: stores through a shared mapping into what ftruncate added. The
// pages chosen cross the block map's boundaries (direct to indirect,
// indirect to double-indirect, one indirect table to the next), and a
// run of pages fills several write-back transactions with allocations.

#define HO_LEN MIB
static const int hole_pages[] = { 0, 2, 3, 66, 67, 130, 131, 200, 255 };
#define HO_RUN_FIRST 10  // and pages HO_RUN_FIRST..HO_RUN_LAST, one store each
#define HO_RUN_LAST 40

static char
hole_byte(int page, int i)
{
  return (char)('a' + (page + i) % 26);
}

static int
is_stored_page(int page)
{
  if (page >= HO_RUN_FIRST && page <= HO_RUN_LAST)
    return 1;
  for (int i = 0; i < (int)(sizeof(hole_pages) / sizeof(hole_pages[0])); i++)
    if (hole_pages[i] == page)
      return 1;
  return 0;
}

// The offsets in a page that the test stores to.
static const int hole_offsets[] = { 0, 1023, 1024, 2500, PG - 1 };
#define NOFFS ((int)(sizeof(hole_offsets) / sizeof(hole_offsets[0])))

static void
holes_written_back(void)
{
  int policies[] = { MMAP_POLICY_CACHE, MMAP_POLICY_NAIVE };
  for (int pi = 0; pi < 2; pi++) {
    long old = knob(KNOB_POLICY, policies[pi]);
    unlink("px_ho");
    int fd = open("px_ho", O_CREATE | O_RDWR);
    CHECK(fd >= 0, "create px_ho");
    CHECK(ftruncate(fd, HO_LEN) == 0, "ftruncate (errno %d)", errno);
    char *p = mmap(0, HO_LEN, RW, MAP_SHARED, fd, 0);
    CHECK(p != MAP_FAILED, "mmap (errno %d)", errno);
    CHECK(p[HO_LEN / 2] == 0, "a hole reads as zeros through the mapping");
    for (int page = 0; page < HO_LEN / PG; page++)
      if (is_stored_page(page))
        for (int k = 0; k < NOFFS; k++)
          p[page * PG + hole_offsets[k]] = hole_byte(page, k);
    CHECK(msync(p, HO_LEN, MS_SYNC) == 0, "policy %d: msync of stores into holes failed "
          "(errno %d)", policies[pi], errno);
    CHECK(munmap(p, HO_LEN) == 0, "munmap");
    knob(KNOB_DROP, 0);
    CHECK(size_of(fd) == HO_LEN, "write-back changed the size");
    CHECK(lseek(fd, 0, SEEK_SET) == 0, "lseek");
    for (int page = 0; page < HO_LEN / PG; page++) {
      CHECK(read(fd, iobuf, PG) == PG, "read page %d", page);
      for (int i = 0, k = 0; i < PG; i++) {
        char want = 0;
        if (is_stored_page(page) && k < NOFFS && hole_offsets[k] == i)
          want = hole_byte(page, k++);
        CHECK(iobuf[i] == want, "policy %d: page %d byte %d is 0x%x, want 0x%x", policies[pi],
              page, i, iobuf[i] & 0xff, want & 0xff);
      }
    }
    close(fd);
    unlink("px_ho");
    knob(KNOB_POLICY, old);
  }
}

// ---------------------------------------------------------------------------
// ftruncate's errors

static void
ftruncate_errors(void)
{
  make_file("px_te", 100, 6);
  EXPECT_ERR(ftruncate(-1, 0), EBADF, "ftruncate fd -1");
  EXPECT_ERR(ftruncate(NOFILE, 0), EBADF, "ftruncate fd NOFILE");
  int ro = open("px_te", O_RDONLY);
  CHECK(ro >= 0, "open px_te read-only");
  EXPECT_ERR(ftruncate(ro, 0), EBADF, "ftruncate of a read-only descriptor");
  close(ro);
  int fd = open("px_te", O_RDWR);
  CHECK(fd >= 0, "open px_te");
  EXPECT_ERR(ftruncate(fd, -1), EINVAL, "ftruncate to -1");
  EXPECT_ERR(ftruncate(fd, -(1L << 40)), EINVAL, "ftruncate to -2^40");
  EXPECT_ERR(ftruncate(fd, FILE_MAX + 1), EFBIG, "ftruncate past the largest file");
  EXPECT_ERR(ftruncate(fd, 1L << 40), EFBIG, "ftruncate to 2^40");
  CHECK(size_of(fd) == 100, "a failed ftruncate changed the size");
  int pfd[2];
  CHECK(pipe(pfd) == 0, "pipe");
  EXPECT_ERR(ftruncate(pfd[1], 0), EINVAL, "ftruncate of a pipe");
  close(pfd[0]);
  close(pfd[1]);
  int con = open("console", O_RDWR);
  CHECK(con >= 0, "open console");
  EXPECT_ERR(ftruncate(con, 0), EINVAL, "ftruncate of the console");
  close(con);
  int dir = open(".", O_RDONLY);
  CHECK(dir >= 0, "open .");
  EXPECT_ERR(ftruncate(dir, 0), EISDIR, "ftruncate of a directory");
  close(dir);
  close(fd);
  unlink("px_te");
}

// ---------------------------------------------------------------------------
// fsync: after write(), and after stores through a mapping (which it
// writes back itself: nothing is left dirty for a later drop to write).

#define FS_PAGES 16

static void
fsync_writes_back(void)
{
  make_file("px_fs", FS_PAGES * PG, 7);
  int fd = open("px_fs", O_RDWR);
  CHECK(fd >= 0, "open px_fs");
  CHECK(write(fd, "hello", 5) == 5, "write");
  CHECK(fsync(fd) == 0, "fsync after write (errno %d)", errno);

  char *p = mmap(0, FS_PAGES * PG, RW, MAP_SHARED, fd, 0);
  CHECK(p != MAP_FAILED, "mmap (errno %d)", errno);
  for (int i = 0; i < FS_PAGES; i++)
    p[i * PG + 10] = 'S';
  struct kstats a, b, c;
  CHECK(kstats(&a) == 0, "kstats");
  CHECK(fsync(fd) == 0, "fsync after stores (errno %d)", errno);
  CHECK(kstats(&b) == 0, "kstats");
  CHECK(b.writeback_pages - a.writeback_pages == FS_PAGES,
        "fsync wrote back %d pages, want %d", (int)(b.writeback_pages - a.writeback_pages),
        FS_PAGES);
  CHECK(fsync(fd) == 0, "a second fsync");
  knob(KNOB_DROP, 0);
  CHECK(kstats(&c) == 0, "kstats");
  CHECK(c.writeback_pages == b.writeback_pages, "%d pages were still dirty after fsync",
        (int)(c.writeback_pages - b.writeback_pages));
  CHECK(munmap(p, FS_PAGES * PG) == 0, "munmap");
  knob(KNOB_DROP, 0);
  CHECK(lseek(fd, 0, SEEK_SET) == 0 && read(fd, iobuf, 5) == 5 && memcmp(iobuf, "hello", 5) == 0,
        "the write() after a drop");
  for (int i = 0; i < FS_PAGES; i++) {
    CHECK(lseek(fd, i * PG + 10, SEEK_SET) == i * PG + 10 && read(fd, iobuf, 1) == 1,
          "read page %d", i);
    CHECK(iobuf[0] == 'S', "page %d: the store was not written back", i);
  }
  close(fd);

  // A read-only descriptor and a directory may be synced too.
  fd = open("px_fs", O_RDONLY);
  CHECK(fsync(fd) == 0, "fsync of a read-only descriptor (errno %d)", errno);
  close(fd);
  fd = open(".", O_RDONLY);
  CHECK(fsync(fd) == 0, "fsync of a directory (errno %d)", errno);
  close(fd);
  unlink("px_fs");
}

static void
fsync_errors(void)
{
  EXPECT_ERR(fsync(-1), EBADF, "fsync fd -1");
  EXPECT_ERR(fsync(NOFILE), EBADF, "fsync fd NOFILE");
  EXPECT_ERR(fsync(NOFILE - 1), EBADF, "fsync of a closed fd");
  int pfd[2];
  CHECK(pipe(pfd) == 0, "pipe");
  EXPECT_ERR(fsync(pfd[0]), EINVAL, "fsync of a pipe");
  close(pfd[0]);
  close(pfd[1]);
  int con = open("console", O_RDWR);
  CHECK(con >= 0, "open console");
  EXPECT_ERR(fsync(con), EINVAL, "fsync of the console");
  close(con);
}

// ---------------------------------------------------------------------------
// O_TRUNC of a big file is one change for everyone else. Freeing the
// blocks takes several log operations (enough tables and bitmap blocks to
// exceed one operation's budget); KNOB_OP_PAUSE makes each operation of
// the truncating process wait a tick first, with the inode unlocked,
// while a reader watches the size. Before the size was published first,
// it saw the file shrink piece by piece.

#define OT_LEN (6 * MIB)

static void
otrunc_atomic(void)
{
  make_file("px_ot", OT_LEN, 8);
  unlink("px_flag");
  int ffd = open("px_flag", O_CREATE | O_RDWR);
  CHECK(ffd >= 0 && ftruncate(ffd, PG) == 0, "make px_flag");
  volatile int *flag = mmap(0, PG, RW, MAP_SHARED, ffd, 0);
  CHECK(flag != (int *)-1, "mmap px_flag");
  close(ffd);
  int fd = open("px_ot", O_RDONLY);
  CHECK(fd >= 0, "open px_ot");

  int pid = fork();
  CHECK(pid >= 0, "fork");
  if (pid == 0) {
    // The reader: fstat in a loop until the parent is done; any size
    // but the old one and 0 is a failure.
    flag[1] = 1;  // ready
    while (flag[0] == 0) {
      long n = size_of(fd);
      if (n != OT_LEN && n != 0)
        FAIL("a reader saw the file %d bytes long during O_TRUNC (old %d, new 0)", (int)n,
             OT_LEN);
    }
    exit(0);
  }
  while (flag[1] == 0)
    ;  // until the reader runs
  long old = knob(KNOB_OP_PAUSE, getpid());
  int t0 = uptime();
  int tfd = open("px_ot", O_RDWR | O_TRUNC);
  int t1 = uptime();
  knob(KNOB_OP_PAUSE, old);
  flag[0] = 1;
  int st = -99;
  CHECK(wait(&st) == pid, "wait");
  CHECK(st == 0, "the reader exited %d", st);
  CHECK(tfd >= 0, "open with O_TRUNC (errno %d)", errno);
  CHECK(size_of(tfd) == 0, "size after O_TRUNC");
  // The test shows something only if the truncation took more than one
  // operation (each paused a tick): else there was nothing between.
  CHECK(t1 - t0 >= 2, "O_TRUNC of %d bytes took %d ticks: one operation?", OT_LEN, t1 - t0);
  close(tfd);
  close(fd);
  munmap((void *)flag, PG);
  unlink("px_flag");
  unlink("px_ot");
}

#define GT_WAIT 1000  // ticks

// A grow while another process's truncation is still freeing blocks past
// the size it published: the grow frees them first, so what it adds reads
// as zeros, never the old contents.
static void
grow_during_truncate(void)
{
  make_file("px_gt", OT_LEN, 9);
  int fd = open("px_gt", O_RDWR);
  CHECK(fd >= 0, "open px_gt");
  int pid = fork();
  CHECK(pid >= 0, "fork");
  if (pid == 0) {
    knob(KNOB_OP_PAUSE, getpid());
    int tfd = open("px_gt", O_RDWR | O_TRUNC);
    knob(KNOB_OP_PAUSE, 0);
    exit(tfd >= 0 ? 0 : 1);
  }
  int t0 = uptime();
  while (size_of(fd) != 0)  // until the truncation has published its size
    CHECK(uptime() - t0 < GT_WAIT, "the truncating child did not truncate");
  CHECK(ftruncate(fd, OT_LEN) == 0, "ftruncate up (errno %d)", errno);
  int st = -99;
  CHECK(wait(&st) == pid && st == 0, "the truncating child exited %d", st);
  CHECK(size_of(fd) == OT_LEN, "size after the grow is %d", (int)size_of(fd));
  for (uint64 off = 0; off < OT_LEN; off += 64 * KIB)
    expect_bytes(fd, off, BSIZE, 9, 0, "grown during a truncation");
  knob(KNOB_DROP, 0);
  for (uint64 off = 32 * KIB; off < OT_LEN; off += 64 * KIB)
    expect_bytes(fd, off, BSIZE, 9, 0, "grown during a truncation, after a drop");
  close(fd);
  unlink("px_gt");
}

// ---------------------------------------------------------------------------

static const struct test tests[] = {
  { "lseek_whence", lseek_whence },
  { "lseek_errors", lseek_errors },
  { "ftruncate_shrink", ftruncate_shrink },
  { "ftruncate_grow", ftruncate_grow },
  { "grow_hides_stores_past_end", grow_hides_stores_past_end },
  { "holes_written_back", holes_written_back },
  { "ftruncate_errors", ftruncate_errors },
  { "fsync_writes_back", fsync_writes_back },
  { "fsync_errors", fsync_errors },
  { "otrunc_atomic", otrunc_atomic },
  { "grow_during_truncate", grow_during_truncate },
};
#define NTESTS ((int)(sizeof(tests) / sizeof(tests[0])))

int
main(int argc, char *argv[])
{
  const char *only = argc >= 2 ? argv[1] : 0;
  suite_start("posixtest", tests, NTESTS, only);
  suite_use_policy("posixtest", MMAP_POLICY_CACHE);
  suite_end("posixtest", suite_run(tests, NTESTS, only, run_leak_checked_alone));
}
