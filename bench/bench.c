// bench.c -- the guest side of `make bench`: runs one workload, measures it
// from inside the machine and prints the measurement as one console line
// that scripts/bench.py picks out and turns into a row of results/bench.csv.
//
// Usage: bench [-p naive|cache] [-c cold|warm] [-f N] [-a N] [-r REP] [-n RUN]
//              WORKLOAD ARG...
//   -p  mapping policy for the areas this run maps (knob KNOB_POLICY, as
//       `vmctl policy`); default: leave the kernel's setting alone
//   -c  cold: write back and empty the page cache first (KNOB_DROP, as
//       `vmctl drop`); warm: run the workload once unmeasured first, so
//       whatever that leaves cached is there (default: neither)
//   -f  fault-around window in pages; -a  read-ahead limit in pages
//       (default: leave them alone; every run's line states both)
//   -r  repetition number, copied into the line
//   -n  run number, unique per run of a boot: part of every word stored
//       by dirty and private, so a store left by another run never
//       passes for this run's
//
// Workloads of mappings (FILE is a data file made by scripts/mkdata.c; its
// size, seed, byte-sum and page-sum are in the manifest /sums):
//   seqread FILE [sum]   map FILE shared read-only, load the first word of
//                        every page in order (or, with "sum", every byte),
//                        unmap
//   randread FILE        the same, pages in a fixed pseudo-random order
//   remap FILE           map, load every page, unmap, twice: one line per
//                        pass (phase=first, phase=second)
//   sharers N FILE       N children map FILE and load every page; the
//                        parent measures from "go" until all are done and
//                        counts the pages used while all of them hold it
//   dirty K FILE         map FILE shared read-write, load every page, store
//                        to every K-th page, unmap (write-back included)
//   private FILE         map FILE private read-write, load every page,
//                        store to every 16th page, unmap
//   readvsmap read|mmap FILE   byte-sum FILE through read() into a 64 KiB
//                        buffer, or through a shared mapping
//   memscan FILE         byte-sum FILE's bytes copied into anonymous memory
//                        (the copy is made before the clock starts)
//   anonscan FILE        map anonymous memory of FILE's size (MAP_PRIVATE),
//                        byte-sum it (every page zero-filled at its first
//                        touch), unmap: seqread's "sum" over memory no file
//                        is behind
//   stride K FILE        seqread's load per page, of every K-th page only
//
// Workloads of the cost per fault and per MiB, in the shapes of lmbench's
// lat_pagefault, bw_file_rd and bw_mmap_rd (the numbers kernels are
// compared by; the summary divides the instructions by pages or MiB):
//   pagefault FILE [anon]  map FILE shared read-only (or, with "anon",
//                        private anonymous memory of its size), load one
//                        byte of every page in a fixed pseudo-random order
//                        (randread's), unmap. The clocks cover the loads
//                        alone, as lat_pagefault subtracts its mmap and
//                        munmap; a warm run's unmeasured pass empties the
//                        cache and reads FILE in order through a mapping,
//                        so the cache holds it as a sequential reader
//                        leaves it, whatever ran before
//   bw read|mmap FILE    open, sum every 64-bit word of FILE through
//                        read() into a 64 KiB buffer (bw_file_rd) or
//                        through a shared mapping (bw_mmap_rd), close:
//                        lmbench's "open2close", so the clocks cover open
//                        and close too
//
// Workloads of processes (PROG is a program in /; the clocks cover every
// fork, exec and wait; what the programs print goes to a pipe nobody
// reads, never to the console):
//   forkexec N PROG      N times: fork, the child execs PROG, wait for it
//                        (lmbench's lat_proc exec shape)
//   forkheap MIB         touch MIB MiB of heap, then fork (phase=fork: from
//                        just before fork to the parent's return, the
//                        child asleep and storing nothing), then store to
//                        every heap page while the child still shares them
//                        (phase=store)
//   shells N             start N shells (sh) reading an empty pipe, and
//                        measure once all N sleep waiting for input: pages
//                        used, and their resident pages by kind (procinfo)
//   start PROG           fork, exec PROG, wait: one start (run with -c cold
//                        and -c warm)
//
// Output. A line "@B key=value ..." per measurement: the workload, its
// settings, the clocks (time in ns from the 10 MHz time CSR, cycle and
// instret counts) and the change in every kstats() counter under its vmctl
// name, plus workload fields (pages used, dirty pages, ...). ok=1 says the
// data was checked and right; a wrong byte-sum or page-sum prints
// "bench: FAILED: ..." and exits 1, so a fast wrong answer never counts.
//
// What the clocks cover: from just before mmap (or the first read(), or
// the first fork) to just after munmap (or the last byte summed, or the
// last wait); open() and close() and the data checks that need extra
// reads are outside.
//
// Pages copied. A workload of processes reports exec_copied_pages, the
// pages exec filled from the program's file, and pages_copied, those plus
// the copies stores made (cow_copies); fork itself copies no page. Where
// the kernel counts exec's copies (the counter EXEC_COPIED names) that
// count is taken; where it does not, its exec copies the program whole:
// every page of the LOAD segments that holds file bytes (from the ELF
// header), at each exec. Counters are found by name (counter_delta), so
// this program runs on either kernel.
#include "kernel/types.h"
#include "kernel/param.h"
#include "kernel/riscv.h"
#include "kernel/fcntl.h"
#include "kernel/stat.h"
#include "kernel/fs.h"
#include "kernel/kstats.h"
#include "kernel/knobs.h"
#include "kernel/procinfo.h"
#include "kernel/elf.h"
#include "user/user.h"
#include "user/testlib.h"  // MAP_FAILED, own_program_pages
#include "bench/data.h"

#define RAND_SEED 0x2545F4914F6CDD1DUL    // randread's order: the same every run
#define STORE_MAGIC 0xB5B5000000000000UL  // high 16 bits of a stored tag
#define TAG_PAGE_MASK 0xFFFFFFFFUL        // low 32 bits of a tag: its page
#define READ_CHUNK (64 * 1024)            // read()'s buffer
#define MAXSHARERS 8                      // fds: 3 + 8 pipes + go <= NOFILE
#define MAXSHELLS 8                       // shells at once
#define MAXEXTRA 10                       // extra fields on one line
#define EXEC_COPIED "exec_copied"         // the counter of pages exec copies, if any

static const char *counter_names[] = {KSTATS_NAMES};
_Static_assert(sizeof(counter_names) / sizeof(counter_names[0]) == KSTATS_COUNT,
               "one name per counter");

// ---------------------------------------------------------------- settings

static struct {
  int policy;         // MMAP_POLICY_*, or -1: not set by this run
  const char *state;  // "cold", "warm" or "asis"
  long faultaround, readahead;  // -1: not set by this run
  long famax;         // adaptive fault-around's ceiling, or -1: not set
  int rep;
  long run;
  const char *workload;
} opt = {-1, "asis", -1, -1, -1, 0, 0, ""};

static void __attribute__((noreturn))
usage(void)
{
  fprintf(2, "usage: bench [-p naive|cache] [-c cold|warm] [-f N] [-m N] [-a N] [-r REP]\n"
             "             [-n RUN]\n"
             "             seqread FILE [sum] | randread FILE | remap FILE |\n"
             "             sharers N FILE | dirty K FILE | private FILE |\n"
             "             readvsmap read|mmap FILE | memscan FILE | anonscan FILE |\n"
             "             stride K FILE | pagefault FILE [anon] | bw read|mmap FILE |\n"
             "             forkexec N PROG | forkheap MIB | shells N | start PROG\n");
  exit(2);
}

// Says why the run is worthless and ends it with status 1. The host stops
// the whole benchmark when it sees "bench: FAILED". (testlib.h's FAIL is
// the test programs' "test NAME: FAILED".)
#define BENCH_FAIL(...)                            \
  do {                                             \
    printf("bench: FAILED: %s: ", opt.workload);   \
    printf(__VA_ARGS__);                           \
    printf("\n");                                  \
    exit(1);                                       \
  } while (0)

// ---------------------------------------------------------------- clocks

struct sample {
  uint64 time, cycle, instret;
  struct kstats ks;
};

static inline uint64
csr_time(void)
{
  uint64 x;
  asm volatile("csrr %0, time" : "=r"(x));
  return x;
}

static inline uint64
csr_cycle(void)
{
  uint64 x;
  asm volatile("csrr %0, cycle" : "=r"(x));
  return x;
}

static inline uint64
csr_instret(void)
{
  uint64 x;
  asm volatile("csrr %0, instret" : "=r"(x));
  return x;
}

// The counters are read first at the start and last at the end, so the
// kstats() call itself stays outside the clocked interval.
static void
sample_start(struct sample *s)
{
  if (kstats(&s->ks) < 0)
    BENCH_FAIL("kstats: %s", strerror(errno));
  s->instret = csr_instret();
  s->cycle = csr_cycle();
  s->time = csr_time();
}

static void
sample_end(struct sample *s)
{
  s->time = csr_time();
  s->cycle = csr_cycle();
  s->instret = csr_instret();
  if (kstats(&s->ks) < 0)
    BENCH_FAIL("kstats: %s", strerror(errno));
}

// ---------------------------------------------------------------- output

// Extra fields a workload adds to its line.
struct extra {
  int n;
  const char *name[MAXEXTRA];
  long value[MAXEXTRA];
};

static void
extra_add(struct extra *x, const char *name, long value)
{
  if (x->n < MAXEXTRA) {
    x->name[x->n] = name;
    x->value[x->n] = value;
    x->n++;
  }
}

// One "@B" line. Gauges (free_pages, pc_pages, ...) print their change,
// which may be negative; event counters their increase.
static void
report(const char *phase, const char *param, const char *file,
       struct sample *a, struct sample *b, struct extra *x)
{
  long fa = knob(KNOB_FAULTAROUND, 1), ra = knob(KNOB_READAHEAD, 0);
  knob(KNOB_FAULTAROUND, fa);  // knob() returns the old value: put it back
  knob(KNOB_READAHEAD, ra);
  long famax = knob(KNOB_FAULTAROUND_MAX, FAULTAROUND_MAX);
  knob(KNOB_FAULTAROUND_MAX, famax);
  long pol = knob(KNOB_POLICY, MMAP_POLICY_CACHE);
  knob(KNOB_POLICY, pol);
  printf("@B workload=%s phase=%s param=%s file=%s policy=%s state=%s fa=%ld ra=%ld"
         " famax=%ld rep=%d ok=1 time_ns=%lu cycles=%lu instret=%lu free0=%lu",
         opt.workload, phase, param, file, pol == MMAP_POLICY_NAIVE ? "naive" : "cache",
         opt.state, fa, ra, famax, opt.rep, (b->time - a->time) * 100, b->cycle - a->cycle,
         b->instret - a->instret, a->ks.free_pages);
  uint64 *va = (uint64 *)&a->ks, *vb = (uint64 *)&b->ks;
  for (int i = 0; i < KSTATS_COUNT; i++)
    printf(" %s=%ld", counter_names[i], (long)(vb[i] - va[i]));
  for (int i = 0; x && i < x->n; i++)
    printf(" %s=%ld", x->name[i], x->value[i]);
  printf("\n");
}

// ---------------------------------------------------------------- data files

struct datafile {
  char name[DIRSIZ + 1];
  uint64 size;     // bytes, a whole number of pages
  uint64 seed;     // contents: data_word(seed, i) (bench/data.h)
  uint64 bytesum;  // sum of every byte
  uint64 pagesum;  // sum of the first word of each page
};

static uint64
parse_u64(const char **s)
{
  uint64 n = 0;
  while (**s == ' ')
    (*s)++;
  while (**s >= '0' && **s <= '9')
    n = n * 10 + (*(*s)++ - '0');
  return n;
}

// Fills d from the manifest line of file `name`.
static void
datafile_find(const char *name, struct datafile *d)
{
  static char text[4096];
  int fd = open("/" DATA_MANIFEST, O_RDONLY);
  if (fd < 0)
    BENCH_FAIL("/%s: %s", DATA_MANIFEST, strerror(errno));
  int n = read(fd, text, sizeof(text) - 1);
  close(fd);
  if (n <= 0)
    BENCH_FAIL("/%s: cannot read it", DATA_MANIFEST);
  text[n] = 0;
  int len = strlen(name);
  if (len > DIRSIZ)
    BENCH_FAIL("%s: name too long", name);
  for (const char *s = text; *s;) {
    if (memcmp(s, name, len) == 0 && s[len] == ' ') {
      const char *p = s + len;
      strcpy(d->name, name);
      d->size = parse_u64(&p);
      d->seed = parse_u64(&p);
      d->bytesum = parse_u64(&p);
      d->pagesum = parse_u64(&p);
      return;
    }
    while (*s && *s != '\n')
      s++;
    if (*s)
      s++;
  }
  BENCH_FAIL("%s is not in /%s", name, DATA_MANIFEST);
}

static int
open_data(struct datafile *d, int mode)
{
  int fd = open(d->name, mode);
  if (fd < 0)
    BENCH_FAIL("%s: %s", d->name, strerror(errno));
  struct stat st;
  if (fstat(fd, &st) < 0 || st.size != d->size)
    BENCH_FAIL("%s: size %lu, /%s says %lu", d->name, st.size, DATA_MANIFEST, d->size);
  return fd;
}

static char *
map_data(struct datafile *d, int fd, int prot, int flags)
{
  char *p = mmap(0, d->size, prot, flags, fd, 0);
  if (p == MAP_FAILED)
    BENCH_FAIL("mmap %s: %s", d->name, strerror(errno));
  return p;
}

static void
unmap_data(struct datafile *d, char *p)
{
  if (munmap(p, d->size) < 0)
    BENCH_FAIL("munmap %s: %s", d->name, strerror(errno));
}

static void
check(const char *what, uint64 got, uint64 want)
{
  if (got != want)
    BENCH_FAIL("%s is %lu, expected %lu", what, got, want);
}

// ---------------------------------------------------------------- inner loops

// Sum of every byte of p[0..n), n a multiple of 8: eight bytes per load,
// added in 16-bit lanes that are folded before one can overflow. memscan,
// readvsmap and seqread's byte-sum all use this loop, so they compare like
// with like.
static uint64
bytesum(const char *p, uint64 n)
{
  const uint64 *w = (const uint64 *)p;
  const uint64 m = 0x00FF00FF00FF00FFUL;
  uint64 words = n / 8, total = 0;
  while (words > 0) {
    uint64 chunk = words < 128 ? words : 128;  // 128 * 2 * 255 < 65536
    uint64 lanes = 0;
    for (uint64 i = 0; i < chunk; i++) {
      uint64 v = w[i];
      lanes += (v & m) + ((v >> 8) & m);
    }
    lanes = (lanes & 0x0000FFFF0000FFFFUL) + ((lanes >> 16) & 0x0000FFFF0000FFFFUL);
    total += (lanes & 0xFFFFFFFFUL) + (lanes >> 32);
    w += chunk;
    words -= chunk;
  }
  return total;
}

// Loads the first word of every page in order; returns their sum.
static uint64
touch_seq(const char *p, uint64 size)
{
  uint64 sum = 0;
  for (uint64 off = 0; off < size; off += PGSIZE)
    sum += *(volatile const uint64 *)(p + off);
  return sum;
}

static uint *order;  // randread's page order, made before any clock starts

static void
make_order(uint64 npages)
{
  order = malloc(npages * sizeof(uint));
  if (order == 0)
    BENCH_FAIL("malloc: out of memory");
  for (uint64 i = 0; i < npages; i++)
    order[i] = i;
  uint64 x = RAND_SEED;
  for (uint64 i = npages - 1; i > 0; i--) {  // Fisher-Yates over xorshift64
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    uint64 j = x % (i + 1);
    uint t = order[i];
    order[i] = order[j];
    order[j] = t;
  }
}

static uint64
touch_order(const char *p, uint64 npages)
{
  uint64 sum = 0;
  for (uint64 i = 0; i < npages; i++)
    sum += *(volatile const uint64 *)(p + (uint64)order[i] * PGSIZE);
  return sum;
}

// The word a dirty or private run stores at the start of page pg: it
// names the run and the page, so a store that lands on the wrong page or
// survives from another run is caught.
static uint64
tag(uint64 pg)
{
  return STORE_MAGIC | ((uint64)(opt.run & 0xFFFF) << 32) | pg;
}

static void
store_every(char *p, uint64 npages, int k)
{
  for (uint64 pg = 0; pg < npages; pg += k)
    *(volatile uint64 *)(p + pg * PGSIZE) = tag(pg);
}

static char *
utoa(char *buf, int size, uint64 n)
{
  char *s = buf + size - 1;
  *s = 0;
  do {
    *--s = '0' + n % 10;
    n /= 10;
  } while (n);
  return s;
}

// ---------------------------------------------------------------- workloads
//
// Each is run(d, arg, measure): with measure 0 it is the unmeasured pass
// that warms a warm run, and prints nothing.

// seqread (arg 0: a load per page; arg 1: byte-sum) and randread (arg 2).
static void
run_read(struct datafile *d, int arg, int measure)
{
  int fd = open_data(d, O_RDONLY);
  struct sample a, b;
  sample_start(&a);
  char *p = map_data(d, fd, PROT_READ, MAP_SHARED);
  uint64 sum;
  if (arg == 1)
    sum = bytesum(p, d->size);
  else if (arg == 2)
    sum = touch_order(p, d->size / PGSIZE);
  else
    sum = touch_seq(p, d->size);
  unmap_data(d, p);
  sample_end(&b);
  close(fd);
  check(arg == 1 ? "byte-sum" : "page-sum", sum, arg == 1 ? d->bytesum : d->pagesum);
  if (measure) {
    char mib[24];  // param: the file's size in MiB (the size sweep's x)
    report(arg == 1 ? "sum" : "touch", utoa(mib, sizeof(mib), d->size >> 20), d->name,
           &a, &b, 0);
  }
}

static void
run_remap(struct datafile *d, int arg, int measure)
{
  int fd = open_data(d, O_RDONLY);
  for (int pass = 0; pass < 2; pass++) {
    struct sample a, b;
    sample_start(&a);
    char *p = map_data(d, fd, PROT_READ, MAP_SHARED);
    uint64 sum = touch_seq(p, d->size);
    unmap_data(d, p);
    sample_end(&b);
    check("page-sum", sum, d->pagesum);
    if (measure)
      report(pass == 0 ? "first" : "second", "-", d->name, &a, &b, 0);
  }
  close(fd);
}

// sharers: child `i` of n. Says 'f' (forked) on its pipe, waits for go,
// maps and loads every page, says 'd' (or 'x' for wrong data), waits for
// go again, unmaps and exits.
static void __attribute__((noreturn))
sharer(struct datafile *d, int go, int up)
{
  char c = 'f';
  int fd = open_data(d, O_RDONLY);
  if (write(up, &c, 1) != 1 || read(go, &c, 1) != 1)
    exit(1);
  char *p = map_data(d, fd, PROT_READ, MAP_SHARED);
  c = touch_seq(p, d->size) == d->pagesum ? 'd' : 'x';
  if (write(up, &c, 1) != 1 || read(go, &c, 1) != 1)
    exit(1);
  unmap_data(d, p);
  exit(0);
}

// The clocks run from "go" until every child has said 'd' (or died: a
// child the kernel kills for want of memory closes its pipe); pages_used
// is the fall in free pages over that time, page-table pages included.
// The out-of-memory policy may also kill a child that has already said
// 'd' (the biggest process goes first), so a run counts as "all" only if
// every child said 'd' and then exited normally; otherwise it is "nomem",
// with sharers_killed children that exited with a non-zero status.
static void
run_sharers(struct datafile *d, int n, int measure)
{
  int go[2], up[MAXSHARERS];
  if (n < 1 || n > MAXSHARERS)
    BENCH_FAIL("1 to %d sharers, not %d", MAXSHARERS, n);
  if (pipe(go) < 0)
    BENCH_FAIL("pipe: %s", strerror(errno));
  for (int i = 0; i < n; i++) {
    int p[2];
    if (pipe(p) < 0)
      BENCH_FAIL("pipe: %s", strerror(errno));
    int pid = fork();
    if (pid < 0)
      BENCH_FAIL("fork: %s", strerror(errno));
    if (pid == 0) {
      for (int j = 0; j < i; j++)
        close(up[j]);
      close(go[1]);
      close(p[0]);
      sharer(d, go[0], p[1]);
    }
    close(p[1]);
    up[i] = p[0];
  }
  close(go[0]);
  static char gos[MAXSHARERS];
  char c;
  for (int i = 0; i < n; i++)
    if (read(up[i], &c, 1) != 1 || c != 'f')
      BENCH_FAIL("sharer %d did not start", i);
  struct sample a, b;
  sample_start(&a);
  if (write(go[1], gos, n) != n)
    BENCH_FAIL("write go: %s", strerror(errno));
  int done = 0, wrong = 0;
  for (int i = 0; i < n; i++) {
    if (read(up[i], &c, 1) == 1) {
      done += c == 'd';
      wrong += c == 'x';
    }
  }
  sample_end(&b);
  if (write(go[1], gos, n) < 0)  // release them; dead ones read nothing
    BENCH_FAIL("write go: %s", strerror(errno));
  close(go[1]);
  int killed = 0;
  for (int i = 0; i < n; i++) {
    int status = 0;
    if (wait(&status) < 0)
      BENCH_FAIL("wait: %s", strerror(errno));
    killed += status != 0;
    close(up[i]);
  }
  if (wrong)
    BENCH_FAIL("%d of %d sharers read wrong data", wrong, n);
  if (measure) {
    struct extra x = {0};
    extra_add(&x, "pages_used", (long)(a.ks.free_pages - b.ks.free_pages));
    extra_add(&x, "file_pages", d->size / PGSIZE);
    extra_add(&x, "sharers_done", done);
    extra_add(&x, "sharers_killed", killed);
    char param[4];
    report(done == n && killed == 0 ? "all" : "nomem", utoa(param, sizeof(param), n), d->name, &a, &b, &x);
  }
}

// Reads the file back with read() after a drop, so from the disk, and
// checks every word: page pg's first word holds its tag when pg is a
// multiple of k, else its original word or the tag of an earlier run;
// every other word is the original.
static void
verify_on_disk(struct datafile *d, int k)
{
  static char buf[READ_CHUNK];
  if (knob(KNOB_DROP, 0) < 0)
    BENCH_FAIL("drop: %s", strerror(errno));
  int fd = open_data(d, O_RDONLY);
  for (uint64 off = 0; off < d->size; off += READ_CHUNK) {
    if (read(fd, buf, READ_CHUNK) != READ_CHUNK)
      BENCH_FAIL("short read of %s at %lu", d->name, off);
    uint64 *w = (uint64 *)buf;
    for (uint64 i = 0; i < READ_CHUNK / 8; i++) {
      uint64 idx = off / 8 + i, pg = idx / (PGSIZE / 8);
      uint64 want = data_word(d->seed, idx);
      if (idx % (PGSIZE / 8) != 0) {
        if (w[i] != want)
          BENCH_FAIL("%s: word %lu changed where nothing stored", d->name, idx);
      } else if (pg % k == 0) {
        if (w[i] != tag(pg))
          BENCH_FAIL("%s: page %lu lost its store (%lx, not %lx)", d->name, pg, w[i], tag(pg));
      } else if (w[i] != want && ((w[i] & ~0xFFFFFFFFFFFFUL) != STORE_MAGIC ||
                                  (w[i] & TAG_PAGE_MASK) != pg)) {
        BENCH_FAIL("%s: page %lu holds %lx", d->name, pg, w[i]);
      }
    }
  }
  close(fd);
}

// dirty: every page loaded, every k-th stored to, then munmap writes back.
static void
run_dirty(struct datafile *d, int k, int measure)
{
  if (k < 1)
    BENCH_FAIL("store to 1 page in K, K >= 1, not %d", k);
  int fd = open_data(d, O_RDWR);
  uint64 npages = d->size / PGSIZE;
  struct sample a, b;
  sample_start(&a);
  char *p = map_data(d, fd, PROT_READ | PROT_WRITE, MAP_SHARED);
  touch_seq(p, d->size);  // first words differ after earlier runs: no sum
  store_every(p, npages, k);
  unmap_data(d, p);
  sample_end(&b);
  close(fd);
  if (!measure)
    return;
  verify_on_disk(d, k);
  struct extra x = {0};
  extra_add(&x, "dirty_pages", (npages + k - 1) / k);
  extra_add(&x, "file_pages", npages);
  char param[8];
  report("store", utoa(param, sizeof(param), k), d->name, &a, &b, &x);
}

// private: every page loaded, every 16th stored to; pages_used is the
// fall in free pages from before mmap to just before munmap.
static void
run_private(struct datafile *d, int arg, int measure)
{
  int fd = open_data(d, O_RDONLY);
  uint64 npages = d->size / PGSIZE;
  struct sample a, b;
  struct kstats held;
  sample_start(&a);
  char *p = map_data(d, fd, PROT_READ | PROT_WRITE, MAP_PRIVATE);
  uint64 sum = touch_seq(p, d->size);
  store_every(p, npages, 16);
  if (kstats(&held) < 0)
    BENCH_FAIL("kstats: %s", strerror(errno));
  uint64 stored = 0;
  for (uint64 pg = 0; pg < npages; pg += 16)
    stored += *(volatile uint64 *)(p + pg * PGSIZE) == tag(pg);
  unmap_data(d, p);
  sample_end(&b);
  check("page-sum", sum, d->pagesum);
  check("private pages holding their store", stored, (npages + 15) / 16);
  uint64 again = 0;  // the file itself must be untouched
  static char buf[READ_CHUNK];
  for (uint64 off = 0; off < d->size; off += READ_CHUNK) {
    if (read(fd, buf, READ_CHUNK) != READ_CHUNK)
      BENCH_FAIL("short read of %s", d->name);
    again += touch_seq(buf, READ_CHUNK);
  }
  close(fd);
  check("page-sum read back after private stores", again, d->pagesum);
  if (measure) {
    struct extra x = {0};
    extra_add(&x, "pages_used", (long)(a.ks.free_pages - held.free_pages));
    extra_add(&x, "stored_pages", (npages + 15) / 16);
    extra_add(&x, "file_pages", npages);
    report("store16", "-", d->name, &a, &b, &x);
  }
}

// readvsmap: arg 1 through read(), arg 0 through a mapping.
static void
run_readvsmap(struct datafile *d, int via_read, int measure)
{
  static char buf[READ_CHUNK];
  int fd = open_data(d, O_RDONLY);
  struct sample a, b;
  uint64 sum = 0;
  sample_start(&a);
  if (via_read) {
    for (uint64 off = 0; off < d->size; off += READ_CHUNK) {
      if (read(fd, buf, READ_CHUNK) != READ_CHUNK)
        BENCH_FAIL("short read of %s", d->name);
      sum += bytesum(buf, READ_CHUNK);
    }
  } else {
    char *p = map_data(d, fd, PROT_READ, MAP_SHARED);
    sum = bytesum(p, d->size);
    unmap_data(d, p);
  }
  sample_end(&b);
  close(fd);
  check("byte-sum", sum, d->bytesum);
  if (measure)
    report(via_read ? "read" : "mmap", "-", d->name, &a, &b, 0);
}

// memscan: the byte-sum over anonymous memory already filled and mapped.
static void
run_memscan(struct datafile *d, int arg, int measure)
{
  char *mem = sbrk(d->size);
  if (mem == SBRK_ERROR)
    BENCH_FAIL("sbrk %lu: out of memory", d->size);
  int fd = open_data(d, O_RDONLY);
  for (uint64 off = 0; off < d->size; off += READ_CHUNK)
    if (read(fd, mem + off, READ_CHUNK) != READ_CHUNK)
      BENCH_FAIL("short read of %s", d->name);
  close(fd);
  struct sample a, b;
  sample_start(&a);
  uint64 sum = bytesum(mem, d->size);
  sample_end(&b);
  check("byte-sum", sum, d->bytesum);
  if (measure)
    report("sum", "-", d->name, &a, &b, 0);
  sbrk(-(int)d->size);
}

// anonscan: seqread's byte-sum over anonymous memory of the file's size,
// mapped, zero-filled page by page at the first touch, and unmapped inside
// the clock, as a file mapping is. The sum of zeros is 0.
static void
run_anonscan(struct datafile *d, int arg, int measure)
{
  struct sample a, b;
  sample_start(&a);
  char *p = mmap(0, d->size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED)
    BENCH_FAIL("mmap of %lu bytes of anonymous memory: %s", d->size, strerror(errno));
  uint64 sum = bytesum(p, d->size);
  if (munmap(p, d->size) < 0)
    BENCH_FAIL("munmap: %s", strerror(errno));
  sample_end(&b);
  check("byte-sum of fresh anonymous memory", sum, 0);
  if (measure) {
    struct extra x = {0};
    extra_add(&x, "file_pages", d->size / PGSIZE);
    report("sum", "-", d->name, &a, &b, &x);
  }
}

// stride: seqread's load per page, of pages 0, k, 2k, ... only. A pattern
// that is sequential at a distance: fault-around must not take it for a
// run (and grow its window) when k reaches past the window, nor map
// more than before when it does not.
static void
run_stride(struct datafile *d, int k, int measure)
{
  if (k < 1)
    BENCH_FAIL("every K-th page, K >= 1, not %d", k);
  uint64 npages = d->size / PGSIZE, want = 0, sum = 0;
  for (uint64 pg = 0; pg < npages; pg += k)
    want += data_word(d->seed, pg * (PGSIZE / 8));
  int fd = open_data(d, O_RDONLY);
  struct sample a, b;
  sample_start(&a);
  char *p = map_data(d, fd, PROT_READ, MAP_SHARED);
  for (uint64 pg = 0; pg < npages; pg += k)
    sum += *(volatile const uint64 *)(p + pg * PGSIZE);
  unmap_data(d, p);
  sample_end(&b);
  close(fd);
  check("page-sum of the pages touched", sum, want);
  if (measure) {
    struct extra x = {0};
    extra_add(&x, "touched_pages", (npages + k - 1) / k);
    extra_add(&x, "file_pages", npages);
    char param[12];
    report("touch", utoa(param, sizeof(param), k), d->name, &a, &b, &x);
  }
}

// pagefault (lmbench's lat_pagefault): arg 0 the file, arg 1 anonymous
// memory of its size. One byte of each page, in randread's order, so that
// no fault finds its neighbour just mapped by the fault before (the
// windows a fault maps still serve the later touches inside them, as
// they would under lat_pagefault on any kernel with fault-around). The
// sum is of the first byte of every page (0 for anonymous memory).
static void
run_pagefault(struct datafile *d, int anon, int measure)
{
  uint64 npages = d->size / PGSIZE, want = 0, sum = 0;
  if (!measure) {
    if (anon)
      return;  // fresh anonymous memory: nothing to warm
    if (knob(KNOB_DROP, 0) < 0)
      BENCH_FAIL("drop: %s", strerror(errno));
    int fd = open_data(d, O_RDONLY);
    char *p = map_data(d, fd, PROT_READ, MAP_SHARED);
    check("page-sum of the warming pass", touch_seq(p, d->size), d->pagesum);
    unmap_data(d, p);
    close(fd);
    return;
  }
  if (!anon)
    for (uint64 pg = 0; pg < npages; pg++)
      want += data_word(d->seed, pg * (PGSIZE / 8)) & 0xFF;  // little-endian: byte 0
  int fd = -1;
  char *p;
  if (anon) {
    p = mmap(0, d->size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
      BENCH_FAIL("mmap of %lu bytes of anonymous memory: %s", d->size, strerror(errno));
  } else {
    fd = open_data(d, O_RDONLY);
    p = map_data(d, fd, PROT_READ, MAP_SHARED);
  }
  struct sample a, b;
  sample_start(&a);
  for (uint64 i = 0; i < npages; i++)
    sum += *(volatile const uchar *)(p + (uint64)order[i] * PGSIZE);
  sample_end(&b);
  unmap_data(d, p);
  if (fd >= 0)
    close(fd);
  check("sum of the first byte of every page", sum, want);
  struct extra x = {0};
  extra_add(&x, "touched_pages", npages);
  extra_add(&x, "file_pages", npages);
  report(anon ? "anon" : "file", "-", d->name, &a, &b, &x);
}

// Sum of the 64-bit words of p[0..n), n a multiple of 64 bytes: lmbench's
// bread() reads every word of its buffer the same way, unrolled.
static uint64
wordsum(const char *p, uint64 n)
{
  const uint64 *w = (const uint64 *)p, *end = (const uint64 *)(p + n);
  uint64 s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  for (; w < end; w += 8) {
    s0 += w[0] + w[4];
    s1 += w[1] + w[5];
    s2 += w[2] + w[6];
    s3 += w[3] + w[7];
  }
  return s0 + s1 + s2 + s3;
}

// bw (lmbench's bw_file_rd and bw_mmap_rd, "open2close"): arg 1 through
// read(), arg 0 through a mapping. The expected sum is computed once per
// process, before any clock starts.
static void
run_bw(struct datafile *d, int via_read, int measure)
{
  static char buf[READ_CHUNK];
  static uint64 want;
  static int known;
  if (!known) {
    for (uint64 i = 0; i < d->size / 8; i++)
      want += data_word(d->seed, i);
    known = 1;
  }
  uint64 sum = 0;
  struct sample a, b;
  sample_start(&a);
  int fd = open_data(d, O_RDONLY);
  if (via_read) {
    for (uint64 off = 0; off < d->size; off += READ_CHUNK) {
      if (read(fd, buf, READ_CHUNK) != READ_CHUNK)
        BENCH_FAIL("short read of %s", d->name);
      sum += wordsum(buf, READ_CHUNK);
    }
  } else {
    char *p = map_data(d, fd, PROT_READ, MAP_SHARED);
    sum = wordsum(p, d->size);
    unmap_data(d, p);
  }
  close(fd);
  sample_end(&b);
  check("word-sum", sum, want);
  if (measure) {
    struct extra x = {0};
    extra_add(&x, "file_pages", d->size / PGSIZE);
    char mib[24];
    report(via_read ? "read" : "mmap", utoa(mib, sizeof(mib), d->size >> 20), d->name, &a, &b,
           &x);
  }
}

// ---------------------------------------------------------------- processes

// What exec makes of program `path`, from its ELF header: file_pages,
// the pages of its LOAD segments that hold file bytes (what an exec that
// copies the program fills from the file); text_pages, those of them in
// executable segments; zero_pages, the rest of the segments (bss).
struct progsize {
  long file_pages, text_pages, zero_pages;
};

// The program's, read by main before a cold run's drop: reading the ELF
// header goes through the page cache, which must then be empty.
static struct progsize prog;

static void
prog_size(const char *path, struct progsize *ps)
{
  int fd = open(path, O_RDONLY);
  if (fd < 0)
    BENCH_FAIL("%s: %s", path, strerror(errno));
  struct elfhdr eh;
  if (read(fd, &eh, sizeof(eh)) != sizeof(eh) || eh.magic != ELF_MAGIC)
    BENCH_FAIL("%s: not an ELF program", path);
  *ps = (struct progsize){0};
  for (int i = 0; i < eh.phnum; i++) {
    struct proghdr ph;
    if (lseek(fd, eh.phoff + i * sizeof(ph), SEEK_SET) < 0 ||
        read(fd, &ph, sizeof(ph)) != sizeof(ph))
      BENCH_FAIL("%s: cannot read program header %d", path, i);
    if (ph.type != ELF_PROG_LOAD || ph.memsz == 0)
      continue;
    uint64 start = PGROUNDDOWN(ph.vaddr);
    long filled = ph.filesz ? (PGROUNDUP(ph.vaddr + ph.filesz) - start) / PGSIZE : 0;
    long all = (PGROUNDUP(ph.vaddr + ph.memsz) - start) / PGSIZE;
    ps->file_pages += filled;
    ps->zero_pages += all - filled;
    if (ph.flags & ELF_PROG_FLAG_X)
      ps->text_pages += filled;
  }
  close(fd);
}

// Points fds 1 and 2 at a pipe nobody reads, where a write fails at once
// (EPIPE): the programs these workloads start must print nothing on the
// console, whose "$ " the driver would take for its prompt. saved[] keeps
// the old ones for loud(). Nothing may print in between: BENCH_FAIL's line
// would be lost.
static void
quiet(int saved[2])
{
  int p[2];
  if (pipe(p) < 0)
    BENCH_FAIL("pipe: %s", strerror(errno));
  close(p[0]);
  saved[0] = dup(1);
  saved[1] = dup(2);
  close(1);
  close(2);
  if (saved[0] < 0 || saved[1] < 0 || dup(p[1]) != 1 || dup(p[1]) != 2)
    exit(1);  // no console to say why on; the driver sees no result line
  close(p[1]);
}

static void
loud(int saved[2])
{
  close(1);
  close(2);
  dup(saved[0]);
  dup(saved[1]);
  close(saved[0]);
  close(saved[1]);
}

// fork, exec path in the child, wait; the child's exit status, or -1 if
// it could not be forked.
static int
fork_exec_wait(const char *path)
{
  int pid = fork();
  if (pid < 0)
    return -1;
  if (pid == 0) {
    char *argv[] = {(char *)path, 0};
    exec(path, argv);
    exit(127);
  }
  int status = -1;
  if (wait(&status) != pid)
    return -1;
  return status;
}

// The change from a to b of the counter vmctl calls name, or -1 if this
// kernel has no counter of that name.
static long
counter_delta(struct sample *a, struct sample *b, const char *name)
{
  uint64 *va = (uint64 *)&a->ks, *vb = (uint64 *)&b->ks;
  for (int i = 0; i < KSTATS_COUNT; i++)
    if (strcmp(counter_names[i], name) == 0)
      return (long)(vb[i] - va[i]);
  return -1;
}

// The extras of a run that started programs: how many execs, the
// program's size, and the pages copied (see "Pages copied" at the top).
static void
add_exec_extras(struct extra *x, long execs, struct sample *a, struct sample *b)
{
  long by_exec = counter_delta(a, b, EXEC_COPIED);
  if (by_exec < 0)
    by_exec = execs * prog.file_pages;
  long cow = b->ks.cow_copies - a->ks.cow_copies;
  extra_add(x, "execs", execs);
  extra_add(x, "prog_file_pages", prog.file_pages);
  extra_add(x, "prog_text_pages", prog.text_pages);
  extra_add(x, "exec_copied_pages", by_exec);
  extra_add(x, "pages_copied", by_exec + cow);
}

// forkexec: n times fork, exec the program d names, wait.
static void
run_forkexec(struct datafile *d, int n, int measure)
{
  int saved[2], bad = 0, status = 0;
  struct sample a, b;
  quiet(saved);
  sample_start(&a);
  for (int i = 0; i < n && !bad; i++) {
    status = fork_exec_wait(d->name);
    bad = status != 0;
  }
  sample_end(&b);
  loud(saved);
  if (bad)
    BENCH_FAIL("%s exited with status %d", d->name, status);
  if (measure) {
    struct extra x = {0};
    add_exec_extras(&x, n, &a, &b);
    char param[12];
    report("exec", utoa(param, sizeof(param), n), d->name, &a, &b, &x);
  }
}

// start: one fork, exec, wait of the program d names.
static void
run_start(struct datafile *d, int arg, int measure)
{
  int saved[2];
  struct sample a, b;
  quiet(saved);
  sample_start(&a);
  int status = fork_exec_wait(d->name);
  sample_end(&b);
  loud(saved);
  if (status != 0)
    BENCH_FAIL("%s exited with status %d", d->name, status);
  if (measure) {
    struct extra x = {0};
    add_exec_extras(&x, 1, &a, &b);
    report("start", "-", d->name, &a, &b, &x);
  }
}

// fork() whose parent reads the clocks and the counters into *s before it
// stores to a page of its own, and whose child stores to none: from the
// fork on, both sides' stack and data pages are shared, and a store to
// one would copy it inside the interval measured. So the calls are made
// here in registers, the results go to *s and the child's byte to *buf,
// both in shared anonymous memory (never copied), and the child, woken by
// a byte on fd go, exits without returning. Returns the child's pid (or
// -1) in the parent.
static long
fork_sampled(struct sample *s, int go, char *buf)
{
  register long a0 asm("a0") = 0;
  register long a7 asm("a7") = SYS_fork;
  asm volatile("ecall\n"
               "bnez a0, 1f\n"
               "mv a0, %[go]\n"  // the child: read(go, buf, 1); exit(0)
               "mv a1, %[buf]\n"
               "li a2, 1\n"
               "li a7, %[sys_read]\n"
               "ecall\n"
               "li a0, 0\n"
               "li a7, %[sys_exit]\n"
               "ecall\n"
               "1:\n"
               "blt a0, zero, 2f\n"  // the parent: sample_end's reads, in its order
               "mv t0, a0\n"
               "csrr t1, time\n"
               "csrr t2, cycle\n"
               "csrr t3, instret\n"
               "sd t1, %[tm](%[s])\n"
               "sd t2, %[cy](%[s])\n"
               "sd t3, %[in](%[s])\n"
               "addi a0, %[s], %[ks]\n"
               "li a7, %[sys_kstats]\n"
               "ecall\n"
               "mv a0, t0\n"
               "2:\n"
               : "+r"(a0), "+r"(a7)
               : [go] "r"((long)go), [buf] "r"(buf), [s] "r"(s),
                 [tm] "i"(__builtin_offsetof(struct sample, time)),
                 [cy] "i"(__builtin_offsetof(struct sample, cycle)),
                 [in] "i"(__builtin_offsetof(struct sample, instret)),
                 [ks] "i"(__builtin_offsetof(struct sample, ks)), [sys_read] "i"(SYS_read),
                 [sys_exit] "i"(SYS_exit), [sys_kstats] "i"(SYS_kstats)
               : "a1", "a2", "t0", "t1", "t2", "t3", "memory");
  return a0;
}

// This process's resident pages (procinfo).
static struct procinfo procs[NPROC];

static long
my_pages(void)
{
  int n = procinfo(procs, NPROC), me = getpid();
  for (int i = 0; i < n; i++)
    if (procs[i].pid == me)
      return procs[i].pages;
  BENCH_FAIL("procinfo does not list pid %d", me);
}

// forkheap: fork of a process with mib MiB of touched heap. phase=fork
// copies nothing (cow_copies 0) where a copying fork would have copied
// every private page (fork_shared_pages: resident_pages but the two pages
// of shared memory the samples live in); phase=store copies each heap
// page the parent stores to.
static void
run_forkheap(struct datafile *d, int mib, int measure)
{
  uint64 npages = (uint64)mib * (1024 * 1024 / PGSIZE);
  struct sample *s = (struct sample *)mmap(0, PGSIZE * 2, PROT_READ | PROT_WRITE,
                                           MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  char *heap = sbrk(npages * PGSIZE);
  int go[2];
  if (s == (struct sample *)MAP_FAILED || heap == SBRK_ERROR || pipe(go) < 0)
    BENCH_FAIL("%d MiB of heap and a page of shared memory: %s", mib, strerror(errno));
  memset(s, 0, PGSIZE * 2);  // its pages present before the clock: kstats() copies into them
  char *childbuf = (char *)&s[4];
  store_every(heap, npages, 1);
  long resident = my_pages();
  sample_start(&s[0]);
  long pid = fork_sampled(&s[1], go[0], childbuf);
  if (pid < 0)
    BENCH_FAIL("fork: %s", strerror(errno));
  if (s[1].ks.free_pages == 0)
    BENCH_FAIL("kstats after fork failed");
  sample_start(&s[2]);
  for (uint64 pg = 0; pg < npages; pg++)
    *(volatile uint64 *)(heap + pg * PGSIZE) = ~tag(pg);
  sample_end(&s[3]);
  int status = -1;
  if (write(go[1], "x", 1) != 1 || wait(&status) != pid || status != 0)
    BENCH_FAIL("the child did not exit (status %d)", status);
  close(go[0]);
  close(go[1]);
  for (uint64 pg = 0; pg < npages; pg++)
    if (*(uint64 *)(heap + pg * PGSIZE) != ~tag(pg))
      BENCH_FAIL("heap page %lu lost its store", pg);
  if (measure) {
    char buf[12];
    const char *param = utoa(buf, sizeof(buf), mib);
    struct extra x = {0};
    extra_add(&x, "heap_pages", npages);
    extra_add(&x, "resident_pages", resident);
    extra_add(&x, "pages_used", (long)(s[0].ks.free_pages - s[1].ks.free_pages));
    report("fork", param, "-", &s[0], &s[1], &x);
    struct extra y = {0};
    extra_add(&y, "heap_pages", npages);
    extra_add(&y, "stored_pages", npages);
    report("store", param, "-", &s[2], &s[3], &y);
  }
  sbrk(-(int)(npages * PGSIZE));
  munmap((char *)s, PGSIZE * 2);
}

// How many of the n pids are shells asleep (sh, sleeping); their resident
// pages by kind are added to *sum.
static int
shells_asleep(const int *pids, int n, struct procinfo *sum)
{
  int got = procinfo(procs, NPROC), asleep = 0;
  *sum = (struct procinfo){0};
  for (int i = 0; i < got; i++) {
    for (int j = 0; j < n; j++) {
      if (procs[i].pid != pids[j])
        continue;
      asleep += procs[i].state == PROCINFO_SLEEPING && strcmp(procs[i].name, "sh") == 0;
      sum->pages += procs[i].pages;
      sum->file_pages += procs[i].file_pages;
      sum->anon_pages += procs[i].anon_pages;
      sum->shared_pages += procs[i].shared_pages;
    }
  }
  return asleep;
}

// shells: n shells reading one empty pipe. pages_used is the fall in free
// pages from before the first fork until all n sleep (their page tables,
// trapframes and the pages of their programs included). A shell counts
// as asleep once its name is sh (exec is done) and it sleeps: in a warm
// run, in the read of its input.
static void
run_shells(struct datafile *d, int n, int measure)
{
  if (n < 1 || n > MAXSHELLS)
    BENCH_FAIL("1 to %d shells, not %d", MAXSHELLS, n);
  int in[2], pids[MAXSHELLS], saved[2], started = 0;
  if (pipe(in) < 0)
    BENCH_FAIL("pipe: %s", strerror(errno));
  struct sample a, b;
  struct procinfo sum = {0};
  quiet(saved);
  sample_start(&a);
  for (; started < n; started++) {
    int pid = fork();
    if (pid < 0)
      break;
    if (pid == 0) {
      close(0);
      dup(in[0]);
      close(in[0]);
      close(in[1]);  // else no shell would ever see the end of its input
      char *argv[] = {"sh", 0};
      exec("sh", argv);
      exit(127);
    }
    pids[started] = pid;
  }
  // No bound in clock ticks: under icount the guest's clock races ahead
  // while the machine waits for the disk (a shell's exec may), so a tick
  // bound could run out at once. The driver's timeout (host time) ends a
  // run whose shells never all sleep.
  while (started == n && shells_asleep(pids, n, &sum) < n)
    pause(1);
  sample_end(&b);
  close(in[1]);  // end of input: every shell exits
  close(in[0]);
  int bad = 0;
  for (int i = 0; i < started; i++) {
    int status = -1;
    bad += wait(&status) < 0 || status != 0;
  }
  loud(saved);
  if (started < n || bad)
    BENCH_FAIL("%d of %d shells started; %d exited badly", started, n, bad);
  if (measure) {
    struct extra x = {0};
    extra_add(&x, "pages_used", (long)(a.ks.free_pages - b.ks.free_pages));
    extra_add(&x, "prog_text_pages", prog.text_pages);
    extra_add(&x, "prog_file_pages", prog.file_pages);
    extra_add(&x, "sh_pages", sum.pages);
    extra_add(&x, "sh_file_pages", sum.file_pages);
    extra_add(&x, "sh_anon_pages", sum.anon_pages);
    extra_add(&x, "sh_shared_pages", sum.shared_pages);
    char param[12];
    report("asleep", utoa(param, sizeof(param), n), "sh", &a, &b, &x);
  }
}

// ---------------------------------------------------------------- main

static long
number(const char *s)
{
  long n = 0;
  if (*s == 0)
    usage();
  for (; *s; s++) {
    if (*s < '0' || *s > '9' || n > 1000000)
      usage();
    n = n * 10 + (*s - '0');
  }
  return n;
}

static void
set_knob(int which, long value, const char *what)
{
  if (knob(which, value) < 0)
    BENCH_FAIL("%s %ld: %s", what, value, strerror(errno));
}

// Parses the options; returns the index of the workload's name.
static int
parse_options(int argc, char *argv[])
{
  int i = 1;
  for (; i + 1 < argc && argv[i][0] == '-'; i += 2) {
    const char *o = argv[i], *v = argv[i + 1];
    if (strcmp(o, "-p") == 0 && strcmp(v, "naive") == 0)
      opt.policy = MMAP_POLICY_NAIVE;
    else if (strcmp(o, "-p") == 0 && strcmp(v, "cache") == 0)
      opt.policy = MMAP_POLICY_CACHE;
    else if (strcmp(o, "-c") == 0 && (strcmp(v, "cold") == 0 || strcmp(v, "warm") == 0))
      opt.state = v;
    else if (strcmp(o, "-f") == 0)
      opt.faultaround = number(v);
    else if (strcmp(o, "-m") == 0)
      opt.famax = number(v);
    else if (strcmp(o, "-a") == 0)
      opt.readahead = number(v);
    else if (strcmp(o, "-r") == 0)
      opt.rep = number(v);
    else if (strcmp(o, "-n") == 0)
      opt.run = number(v);
    else
      usage();
  }
  if (i >= argc)
    usage();
  return i;
}

int
main(int argc, char *argv[])
{
  // This program's own pages first, before any clock starts: exec maps
  // them lazily, and a workload must not count the faults of the code
  // that measures it.
  own_program_pages();
  int i = parse_options(argc, argv);
  const char *w = opt.workload = argv[i];
  int nargs = argc - i - 1;
  char **args = argv + i + 1;
  if (opt.policy >= 0)
    set_knob(KNOB_POLICY, opt.policy, "policy");
  if (opt.faultaround >= 0)
    set_knob(KNOB_FAULTAROUND, opt.faultaround, "faultaround");
  if (opt.famax >= 0)
    set_knob(KNOB_FAULTAROUND_MAX, opt.famax, "famax");
  if (opt.readahead >= 0)
    set_knob(KNOB_READAHEAD, opt.readahead, "readahead");

  void (*run)(struct datafile *, int, int) = 0;
  int arg = 0;
  const char *file = 0, *progname = 0;  // a data file, or a program (processes)
  if (strcmp(w, "seqread") == 0 && (nargs == 1 || (nargs == 2 && strcmp(args[1], "sum") == 0))) {
    run = run_read, arg = nargs == 2, file = args[0];
  } else if (strcmp(w, "randread") == 0 && nargs == 1) {
    run = run_read, arg = 2, file = args[0];
  } else if (strcmp(w, "remap") == 0 && nargs == 1) {
    run = run_remap, file = args[0];
  } else if (strcmp(w, "sharers") == 0 && nargs == 2) {
    run = run_sharers, arg = number(args[0]), file = args[1];
  } else if (strcmp(w, "dirty") == 0 && nargs == 2) {
    run = run_dirty, arg = number(args[0]), file = args[1];
  } else if (strcmp(w, "private") == 0 && nargs == 1) {
    run = run_private, file = args[0];
  } else if (strcmp(w, "readvsmap") == 0 && nargs == 2 &&
             (strcmp(args[0], "read") == 0 || strcmp(args[0], "mmap") == 0)) {
    run = run_readvsmap, arg = strcmp(args[0], "read") == 0, file = args[1];
  } else if (strcmp(w, "memscan") == 0 && nargs == 1) {
    run = run_memscan, file = args[0];
  } else if (strcmp(w, "anonscan") == 0 && nargs == 1) {
    run = run_anonscan, file = args[0];
  } else if (strcmp(w, "stride") == 0 && nargs == 2) {
    run = run_stride, arg = number(args[0]), file = args[1];
  } else if (strcmp(w, "pagefault") == 0 &&
             (nargs == 1 || (nargs == 2 && strcmp(args[1], "anon") == 0))) {
    run = run_pagefault, arg = nargs == 2, file = args[0];
  } else if (strcmp(w, "bw") == 0 && nargs == 2 &&
             (strcmp(args[0], "read") == 0 || strcmp(args[0], "mmap") == 0)) {
    run = run_bw, arg = strcmp(args[0], "read") == 0, file = args[1];
  } else if (strcmp(w, "forkexec") == 0 && nargs == 2) {
    run = run_forkexec, arg = number(args[0]), progname = args[1];
  } else if (strcmp(w, "start") == 0 && nargs == 1) {
    run = run_start, progname = args[0];
  } else if (strcmp(w, "forkheap") == 0 && nargs == 1) {
    run = run_forkheap, arg = number(args[0]), progname = "";
  } else if (strcmp(w, "shells") == 0 && nargs == 1) {
    run = run_shells, arg = number(args[0]), progname = "sh";
  } else {
    usage();
  }

  struct datafile d = {0};
  if (file) {
    datafile_find(file, &d);
  } else if (strlen(progname) > DIRSIZ) {
    BENCH_FAIL("%s: name too long", progname);
  } else {
    strcpy(d.name, progname);  // the workloads of processes name their program here
    if (*progname)
      prog_size(progname, &prog);
  }
  if ((run == run_read && arg == 2) || run == run_pagefault)
    make_order(d.size / PGSIZE);
  if (strcmp(opt.state, "cold") == 0)
    set_knob(KNOB_DROP, 0, "drop");
  else if (strcmp(opt.state, "warm") == 0)
    run(&d, arg, 0);
  run(&d, arg, 1);
  return 0;
}
