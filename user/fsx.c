// fsx -- a model-based random-operation tester for one file.
//
// Usage: fsx [-n OPS] [-s SEED] [-l MAXLEN] [-f PATH] [-p PROCS] [-v]
//
// With -p PROCS, that many instances run at once, instance i with seed
// SEED+i on file PATH.i; fsx then exits 0 only if all of them passed.
//
// fsx keeps an in-memory shadow of what the file must hold and applies a
// random sequence of operations both to the file, through every path the
// kernel offers (read/write, lseek, ftruncate, fsync, shared and private
// mappings, msync, close and reopen, cache drops, a child that stores
// through a mapping and exits without unmapping), and to the shadow. Every
// read, through a call or a mapping, is checked against the shadow, and
// the whole file is compared every FULL_CHECK_EVERY operations and at the
// end. The same seed gives the same operations, so a failure can be
// replayed. On a mismatch it prints the last LOG_OPS operations, the first
// byte that differs, and exits 1; at the end it prints
// "fsx: N ops, seed S: OK".
//
// The operations (weights in op_table):
//   read        lseek + read of a random range, checked
//   write       write at a random offset <= the size (pcv6 keeps xv6's
//               rule that a write past the end of a file fails)
//   append      write at the end
//   mapread     a fresh MAP_SHARED mapping of the file, a range checked
//   mapwrite    a fresh MAP_SHARED mapping, stores, then msync(MS_SYNC)
//               or not, then munmap (which writes back)
//   privwrite   a MAP_PRIVATE mapping: stores there are seen through it
//               and never reach the file
//   standing    checks and stores through one MAP_SHARED mapping of
//               MAXLEN bytes kept across operations (coherence with
//               write(), truncation and reopening; never touched past
//               the size, where a touch would kill the process)
//   truncate    ftruncate down or up (growing reads as zeros)
//   fsync       fsync(fd) must succeed
//   reopen      close the descriptor and open the file again
//   drop        the drop knob: every cache page written back and freed
//   child       a child maps the file, stores and exits without munmap
//
// Under the naive mapping policy a MAP_SHARED mapping is a copy, written
// back at munmap and blind to write() meanwhile (the design it is there
// to be compared with), so the standing mapping is left out: every other
// operation maps and unmaps within itself, which both policies must get
// right.
#include "kernel/types.h"
#include "kernel/param.h"
#include "kernel/riscv.h"
#include "kernel/fcntl.h"
#include "kernel/stat.h"
#include "kernel/errno.h"
#include "kernel/knobs.h"
#include "user/user.h"

#define DEFAULT_OPS 1000
#define DEFAULT_MAXLEN (64 * 1024)
#define MAX_MAXLEN (1024 * 1024)
#define MAX_IO (16 * 1024)        // longest range one operation touches
#define LOG_OPS 50                // operations printed on a failure
#define FULL_CHECK_EVERY 64
#define MAP_FAILED_ ((char *)-1)

// ---------------------------------------------------------------------------
// Random numbers (xorshift64*), reproducible from the seed

static uint64 rng_state;

static uint64
rnd(void)
{
  rng_state ^= rng_state >> 12;
  rng_state ^= rng_state << 25;
  rng_state ^= rng_state >> 27;
  return rng_state * 2685821657736338717UL;
}

// A number in [0, n).
static uint
below(uint n)
{
  return n ? (uint)(rnd() % n) : 0;
}

// ---------------------------------------------------------------------------
// The model and the log of operations

static const char *path = "fsx.data";
static uint maxlen = DEFAULT_MAXLEN;
static int verbose;

static char *shadow;   // what the file must hold, maxlen bytes
static uint size;      // what its size must be
static char *buf;      // data on its way to or from the file
static int fd = -1;
static char *standing; // the standing MAP_SHARED mapping of maxlen bytes
static long opno;
static uint64 seed;

struct logentry {
  long opno;
  const char *name;
  uint off, len;
  uint size_after;
};
static struct logentry oplog[LOG_OPS];

static void
log_op(const char *name, uint off, uint len)
{
  struct logentry *e = &oplog[opno % LOG_OPS];
  e->opno = opno;
  e->name = name;
  e->off = off;
  e->len = len;
  e->size_after = size;  // until the operation ends (one_op)
  if (verbose)
    printf("fsx: %d %s off %d len %d size %d\n", (int)opno, name, off, len, size);
}

static void
print_log(void)
{
  printf("fsx: last operations (seed %d):\n", (int)seed);
  long first = opno >= LOG_OPS ? opno - LOG_OPS + 1 : 0;
  for (long n = first; n <= opno; n++) {
    struct logentry *e = &oplog[n % LOG_OPS];
    if (e->name && e->opno == n)
      printf("  %d %s off %d len %d -> size %d\n", (int)n, e->name, e->off, e->len,
             e->size_after);
  }
}

// Stops with the operation log: what went wrong is printed first.
#define FAILED(...)                                      \
  do {                                                   \
    printf("fsx: FAILED at op %d: ", (int)opno);         \
    printf(__VA_ARGS__);                                 \
    printf("\n");                                        \
    print_log();                                         \
    exit(1);                                             \
  } while (0)

// got[0..n) must equal the shadow from file offset off on.
static void
expect_shadow(const char *got, uint off, uint n, const char *how)
{
  for (uint i = 0; i < n; i++)
    if (got[i] != shadow[off + i])
      FAILED("%s: byte at offset %d is 0x%x, want 0x%x (size %d)", how, off + i,
             got[i] & 0xff, shadow[off + i] & 0xff, size);
}

// ---------------------------------------------------------------------------
// Helpers

static void
reopen(void)
{
  if (fd >= 0)
    close(fd);
  fd = open(path, O_RDWR);
  if (fd < 0)
    FAILED("open %s: %s", path, strerror(errno));
}

static void
seek_to(uint off)
{
  long r = lseek(fd, off, SEEK_SET);
  if (r != (long)off)
    FAILED("lseek to %d returned %d (%s)", off, (int)r, strerror(errno));
}

static void
random_bytes(char *p, uint n)
{
  for (uint i = 0; i < n; i++)
    p[i] = (char)rnd();
}

// A random range inside [0, limit): *off, and a length of 1..MAX_IO
// clipped to limit. 0 if limit is 0.
static int
pick_range(uint limit, uint *off, uint *len)
{
  if (limit == 0)
    return 0;
  *off = below(limit);
  uint most = limit - *off < MAX_IO ? limit - *off : MAX_IO;
  *len = 1 + below(most);
  return 1;
}

// Maps the file's whole pages: the size rounded up to a page.
static char *
map_file(int prot, int flags)
{
  uint len = PGROUNDUP(size);
  char *p = mmap(0, len, prot, flags, fd, 0);
  if (p == MAP_FAILED_)
    FAILED("mmap of %d bytes: %s", len, strerror(errno));
  return p;
}

static void
unmap(char *p, uint len)
{
  if (munmap(p, len) != 0)
    FAILED("munmap: %s", strerror(errno));
}

// ---------------------------------------------------------------------------
// The operations

static void
op_read(void)
{
  uint off, len;
  if (!pick_range(size + 1, &off, &len))
    return;
  log_op("read", off, len);
  seek_to(off);
  int n = read(fd, buf, len);
  uint want = off >= size ? 0 : (size - off < len ? size - off : len);
  if (n != (int)want)
    FAILED("read of %d at %d returned %d, want %d (%s)", len, off, n, want,
           n < 0 ? strerror(errno) : "short");
  expect_shadow(buf, off, want, "read");
}

static void
write_at(const char *name, uint off, uint len)
{
  log_op(name, off, len);
  random_bytes(buf, len);
  seek_to(off);
  int n = write(fd, buf, len);
  if (n != (int)len)
    FAILED("write of %d at %d returned %d (%s)", len, off, n, strerror(errno));
  memmove(shadow + off, buf, len);
  if (off + len > size)
    size = off + len;
}

static void
op_write(void)
{
  uint off, len;
  if (!pick_range(size + 1, &off, &len))
    return;
  if (off + len > maxlen)
    len = maxlen - off;
  if (len > 0)
    write_at("write", off, len);
}

static void
op_append(void)
{
  if (size >= maxlen)
    return;
  uint len = 1 + below(maxlen - size < MAX_IO ? maxlen - size : MAX_IO);
  write_at("append", size, len);
}

static void
op_mapread(void)
{
  uint off, len;
  if (!pick_range(size, &off, &len))
    return;
  log_op("mapread", off, len);
  char *p = map_file(PROT_READ, MAP_SHARED);
  expect_shadow(p + off, off, len, "mapread");
  unmap(p, PGROUNDUP(size));
}

static void
op_mapwrite(void)
{
  uint off, len;
  if (!pick_range(size, &off, &len))
    return;
  int sync = below(2);
  log_op(sync ? "mapwrite+msync" : "mapwrite", off, len);
  char *p = map_file(PROT_READ | PROT_WRITE, MAP_SHARED);
  random_bytes(p + off, len);
  memmove(shadow + off, p + off, len);
  if (sync && msync(p, PGROUNDUP(size), MS_SYNC) != 0)
    FAILED("msync: %s", strerror(errno));
  unmap(p, PGROUNDUP(size));
}

static void
op_privwrite(void)
{
  uint off, len;
  if (!pick_range(size, &off, &len))
    return;
  log_op("privwrite", off, len);
  char *p = map_file(PROT_READ | PROT_WRITE, MAP_PRIVATE);
  random_bytes(buf, len);
  memmove(p + off, buf, len);
  for (uint i = 0; i < len; i++)
    if (p[off + i] != buf[i])
      FAILED("privwrite: private store at %d not seen through the mapping", off + i);
  // What the file holds is unchanged: read it back with read().
  seek_to(off);
  int n = read(fd, buf, len);
  if (n != (int)len)
    FAILED("read after privwrite returned %d", n);
  expect_shadow(buf, off, len, "read after a private store");
  unmap(p, PGROUNDUP(size));
}

static void
op_standing(void)
{
  uint off, len;
  if (!pick_range(size, &off, &len))
    return;
  if (below(2)) {
    log_op("standing-read", off, len);
    expect_shadow(standing + off, off, len, "standing mapping");
  } else {
    log_op("standing-store", off, len);
    random_bytes(standing + off, len);
    memmove(shadow + off, standing + off, len);
  }
}

static void
op_truncate(void)
{
  uint len = below(maxlen + 1);
  log_op(len < size ? "truncate-down" : "truncate-up", len, 0);
  if (ftruncate(fd, len) != 0)
    FAILED("ftruncate to %d: %s", len, strerror(errno));
  if (len > size)
    memset(shadow + size, 0, len - size);
  else
    memset(shadow + len, 0, size - len);  // what a later grow must show
  size = len;
}

static void
op_fsync(void)
{
  log_op("fsync", 0, 0);
  if (fsync(fd) != 0)
    FAILED("fsync: %s", strerror(errno));
}

static void
op_reopen(void)
{
  log_op("reopen", 0, 0);
  reopen();
}

static void
op_drop(void)
{
  log_op("drop", 0, 0);
  if (knob(KNOB_DROP, 0) < 0)
    FAILED("drop knob: %s", strerror(errno));
}

static void
op_child(void)
{
  uint off, len;
  if (!pick_range(size, &off, &len))
    return;
  log_op("child-store-exit", off, len);
  random_bytes(buf, len);
  int pid = fork();
  if (pid < 0)
    FAILED("fork: %s", strerror(errno));
  if (pid == 0) {
    char *p = mmap(0, PGROUNDUP(size), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (p == MAP_FAILED_)
      exit(2);
    memmove(p + off, buf, len);
    exit(0);  // no munmap, no msync: exit must write the stores back
  }
  int st = -99;
  if (wait(&st) != pid || st != 0)
    FAILED("child exited with status %d", st);
  memmove(shadow + off, buf, len);
}

// The whole file, through read(), and its size through fstat().
static void
full_check(const char *when)
{
  struct stat st;
  if (fstat(fd, &st) != 0)
    FAILED("fstat: %s", strerror(errno));
  if (st.size != size)
    FAILED("%s: fstat size %d, want %d", when, (int)st.size, size);
  seek_to(0);
  for (uint off = 0; off < size;) {
    uint len = size - off < MAX_IO ? size - off : MAX_IO;
    int n = read(fd, buf, len);
    if (n != (int)len)
      FAILED("%s: read of %d at %d returned %d", when, len, off, n);
    expect_shadow(buf, off, len, when);
    off += len;
  }
}

static struct {
  void (*fn)(void);
  int weight;
} op_table[] = {
  { op_read, 10 },    { op_write, 8 },     { op_append, 4 },   { op_mapread, 6 },
  { op_mapwrite, 6 }, { op_privwrite, 3 }, { op_standing, 8 }, { op_truncate, 4 },
  { op_fsync, 2 },    { op_reopen, 2 },    { op_drop, 1 },     { op_child, 2 },
};
#define NOPS ((int)(sizeof(op_table) / sizeof(op_table[0])))

static void
one_op(void)
{
  int total = 0;
  for (int i = 0; i < NOPS; i++)
    total += op_table[i].weight;
  int r = below(total);
  oplog[opno % LOG_OPS].name = 0;  // an operation with nothing to do logs nothing
  for (int i = 0; i < NOPS; i++) {
    if (r < op_table[i].weight) {
      op_table[i].fn();
      break;
    }
    r -= op_table[i].weight;
  }
  oplog[opno % LOG_OPS].size_after = size;
}

// ---------------------------------------------------------------------------

static void
usage(void)
{
  fprintf(2, "usage: fsx [-n OPS] [-s SEED] [-l MAXLEN] [-f PATH] [-p PROCS] [-v]\n");
  exit(2);
}

static void
parse_args(int argc, char *argv[], long *nops, int *procs)
{
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "-v") == 0) {
      verbose = 1;
      continue;
    }
    if (i + 1 >= argc || argv[i][0] != '-' || argv[i][2] != 0)
      usage();
    const char *v = argv[++i];
    switch (argv[i - 1][1]) {
    case 'n':
      *nops = atoi(v);
      break;
    case 's':
      seed = atoi(v);
      break;
    case 'l':
      maxlen = atoi(v);
      break;
    case 'f':
      path = v;
      break;
    case 'p':
      *procs = atoi(v);
      break;
    default:
      usage();
    }
  }
  if (maxlen < PGSIZE || maxlen > MAX_MAXLEN || maxlen % PGSIZE != 0) {
    fprintf(2, "fsx: MAXLEN must be a multiple of %d from %d to %d\n", PGSIZE, PGSIZE,
            MAX_MAXLEN);
    exit(2);
  }
}

// Runs procs instances at once (see the top); returns the exit status.
static int
run_instances(int procs)
{
  static char names[8][MAXPATH];
  if (procs > 8) {
    fprintf(2, "fsx: at most 8 instances\n");
    return 2;
  }
  for (int i = 0; i < procs; i++) {
    int pid = fork();
    if (pid < 0) {
      fprintf(2, "fsx: fork: %s\n", strerror(errno));
      return 1;
    }
    if (pid == 0) {
      uint n = strlen(path);
      if (n + 3 > MAXPATH)
        exit(2);
      memmove(names[i], path, n);
      names[i][n] = '.';
      names[i][n + 1] = '0' + i;
      names[i][n + 2] = 0;
      path = names[i];
      seed += i;
      return -1;  // the child goes on as one instance
    }
  }
  int failed = 0;
  for (int i = 0; i < procs; i++) {
    int st = -99;
    if (wait(&st) < 0 || st != 0)
      failed++;
  }
  printf("fsx: %d instances, %d failed\n", procs, failed);
  return failed ? 1 : 0;
}

// 1 if areas are mapped with the naive policy now (the knob has no
// read-only form: set it and put it back).
static int
naive_policy(void)
{
  long pol = knob(KNOB_POLICY, MMAP_POLICY_CACHE);
  knob(KNOB_POLICY, pol);
  return pol == MMAP_POLICY_NAIVE;
}

int
main(int argc, char *argv[])
{
  long nops = DEFAULT_OPS;
  int procs = 1;
  seed = 1;
  parse_args(argc, argv, &nops, &procs);
  if (naive_policy()) {  // asked once, before any instance maps anything
    for (int i = 0; i < NOPS; i++)
      if (op_table[i].fn == op_standing)
        op_table[i].weight = 0;
  }
  if (procs > 1) {
    int st = run_instances(procs);
    if (st >= 0)
      exit(st);
  }
  rng_state = seed * 0x9E3779B97F4A7C15UL + 1;
  shadow = malloc(maxlen);
  buf = malloc(MAX_IO > maxlen ? MAX_IO : maxlen);
  if (shadow == 0 || buf == 0) {
    fprintf(2, "fsx: out of memory\n");
    exit(1);
  }
  memset(shadow, 0, maxlen);
  unlink(path);
  fd = open(path, O_CREATE | O_RDWR);
  if (fd < 0) {
    fprintf(2, "fsx: create %s: %s\n", path, strerror(errno));
    exit(1);
  }
  // The standing mapping covers maxlen bytes whatever the size: only the
  // pages inside the file may be touched (a touch wholly past the end of
  // the file kills the process).
  standing = mmap(0, maxlen, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (standing == MAP_FAILED_) {
    fprintf(2, "fsx: mmap: %s\n", strerror(errno));
    exit(1);
  }
  for (opno = 0; opno < nops; opno++) {
    one_op();
    if (opno % FULL_CHECK_EVERY == FULL_CHECK_EVERY - 1)
      full_check("full check");
  }
  full_check("final check");
  munmap(standing, maxlen);
  close(fd);
  unlink(path);
  printf("fsx: %d ops, seed %d: OK\n", (int)nops, (int)seed);
  exit(0);
}
