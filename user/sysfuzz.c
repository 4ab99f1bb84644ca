// sysfuzz.c -- random system calls with bad and edge arguments, made by
// several processes at once while one more process keeps changing the
// page cache's knobs. The kernel must refuse what it has to refuse, never
// panic or hang, and give back every file, page and inode at the end.
//
// Usage: sysfuzz [-p PROCS] [-n CALLS] [-s SEED] [-k 0|1] [-e EVERY] [-w WORKER]
//                [-v 0|1|2]
//   -p  fuzzing processes (workers), 1..MAX_WORKERS (default 3)
//   -n  system calls in all, shared out among the workers (default 3000)
//   -s  seed (default 1); worker w draws from its own stream of it
//   -k  1 (default): also run the knob churner; 0: do not
//   -e  each worker prints a progress line every EVERY calls (default
//       1000; 0: never)
//   -w  run only worker WORKER's stream, in this one process, with -n
//       calls: replays a worker's calls exactly when the kernel answers
//       as it did (-k 0, and no other worker, make that likely)
//   -v  1: each worker prints how many calls of each kind succeeded and
//       failed at its end; 2: also every call before it is made and its
//       result after (to find where a hang is)
// Prints "sysfuzz: N calls, seed S: OK" at the end, or a line starting
// "sysfuzz: FAILED" (and exits 1) after the last calls of the worker that
// found a violation.
//
// What a worker calls. The calls come from SYSCALL_LIST (kernel/syscall.h)
// itself: each entry's number, name and stringified parameter list land
// in calls[], and each parameter's kind (a descriptor, an output buffer,
// a path, a length, ...) is read from its name and type at start-up
// (param_kind). A worker issues every call through raw_call() -- ecall
// with a7 = the number -- so a call added to the list is fuzzed without
// an edit here, with arguments chosen by its parameters' names; only what
// it promises has to be taught (must_fail, update_model). Besides the
// calls of the list, a worker issues numbers outside it, and short
// structured sequences (the typed operations: a file mapped, anonymous
// memory mapped and stored into by a child, a probe of write()'s promise
// about a bad source, a crafted ELF, a child killed in pause, a mapping
// cut by mprotect and joined again, ...) that random arguments would
// rarely reach.
//
// What a worker checks. It keeps a model of what its calls did: its
// descriptor table (what each descriptor is, readable, writable), its
// mapped areas, its heap's break, its children, and the type of each
// name of its pool (a fixed set of paths in its own directory). Besides
// its pool, a worker names NSHARED files that main makes for all of them
// (so that their calls meet on the same inodes and cache pages); it
// opens, writes, truncates, maps and links to them, but never removes
// them, so the model knows they are always there. From the model,
// must_fail() says when a call has to fail (a closed descriptor,
// a path that cannot be copied, msync of an unmapped range, an unknown
// knob, ...), and a call that returns success then is a violation. Some
// successes are checked too (open and dup return the lowest free
// descriptor, sbrk the old break, mmap a range that overlaps nothing).
// The model follows what the kernel answered, never what it guessed.
//
// What a worker never does, since it would legitimately stop the test:
// read the console (fds 0-2, or a device node of the console's major),
// kill init, its parent, itself or a sibling, exit (only a forked child
// exits), exec a real program (exec gets only paths of its own garbage
// files, crafted ELF files each with a flaw exec must refuse, README,
// directories and names that do not exist), pause long, grow its heap
// by much (the out-of-memory policy would kill someone), keep more than
// MAX_CHILDREN children, set a knob that crashes or makes the disk fail
// (KNOB_CRASH_AFTER_COMMIT, the disk's fault injection, the write-cache
// test mode and its power cut: sanitize_knob gives those only values that
// read them or that they must refuse; nor any knob number it does not
// know), name a path outside its directory for anything but reading, or
// hold both ends of a pipe (a read of an empty pipe would wait forever;
// op_pipe holds both only with bytes in the pipe or its write end
// closed). Its current directory is always J (jdir), its junk directory,
// so a garbage relative name lands there: a chdir that may succeed runs
// in a child (op_chdir).
//
// The main process refuses to run if fault injection or the write-cache
// mode is on (the workers' checks assume both off), notes the knobs and
// the kstats gauges (after a cache drop), starts the workers and the
// churner, waits for the workers, stops the churner, puts every knob
// back, removes ROOT_DIR (so every file made is removed, and must be
// removable), drops the cache again and requires free_pages, files_open
// and inodes_cached to be back where they started.
// A kernel panic or a hang is the test runner's to see.
#include "kernel/types.h"
#include "kernel/param.h"
#include "kernel/stat.h"
#include "kernel/fcntl.h"
#include "kernel/fs.h"
#include "kernel/riscv.h"
#include "kernel/memlayout.h"
#include "kernel/errno.h"
#include "kernel/kstats.h"
#include "kernel/knobs.h"
#include "kernel/procinfo.h"
#include "kernel/elf.h"
#include "kernel/dev/console.h"
#include "user/user.h"

#define MAX_WORKERS 8
#define DEFAULT_WORKERS 3
#define DEFAULT_CALLS 3000
#define DEFAULT_EVERY 1000
#define ROOT_DIR "/sfz"       // everything the fuzzer makes lives below it
#define PATHLEN 48            // room for a pool path
#define MISALIGN_MAX 3        // a pool path from byte 1..3 on stays relative
#define MAXCALLARGS 6         // a0..a5
#define NO_PID 0x7fffffff     // a pid no process has (pids count up from 1)
#define INT_MIN_ (-2147483647 - 1)
#define INT_MAX_ 2147483647
#define LONG_MAX_ 0x7fffffffffffffffL
#define LONG_MIN_ (-LONG_MAX_ - 1)

// A worker's resources, bounded so that three of them fit on the
// fragmented test image (about 8 MiB free) and never wake the
// out-of-memory policy.
#define SCRATCH_PAGES 16          // heap grown at start: output buffers
#define HEAP_EAGER_MAX (64 * PGSIZE)   // most eager heap beyond scratch
#define HEAP_LAZY_MAX (256 * PGSIZE)   // most lazy heap beyond scratch
#define HUGE_LAZY (64L << 20)     // op_huge_lazy's heap, untouched but a page
#define HUGE_MAP (1L << 37)       // op_huge_map's untouched area (128 GiB)
#define WRITE_BUDGET (768 * 1024) // bytes written before housekeeping
#define HOUSEKEEP_EVERY 1500      // calls between housekeeping at most
#define MAX_CHILDREN 4            // unreaped children of raw fork
#define NREAPED 8                 // pids of reaped children kept (kill targets)
#define INBUF_SIZE (8 * PGSIZE)   // random bytes: write()'s source
#define CHECK_SIZE (4 * PGSIZE)   // read-back buffer of the probes
#define RING 16                   // last calls printed after a violation
#define TYPED_PCT 12              // steps that are typed operations
#define BADNUM_PCT 2              // steps that are numbers outside the list
#define KILL_PAUSE 10000          // ticks the child of op_kill_child sleeps
#define LOW_MEMORY 256            // free pages below which a lazy page may be refused
#define NSHARED 2                 // files every worker uses (ROOT_DIR/s0, s1)
#define SHARED_SIZE (3 * PGSIZE)  // their size when main makes them
#define FILE_BYTES_MAX ((uint64)MAXFILE * BSIZE)  // the largest file; offsets stop there
#define PIPE_BYTES 256            // most bytes op_pipe puts in a pipe: well
                                  // within its buffer, so the write never waits

// ---------------------------------------------------------------- raw calls

static int last_err;  // a1 of the last failed call: its errno

// System call num with arguments a[0..5], issued directly (ecall with
// a7 = num): every call of the list, and numbers outside it, with any
// argument values. Returns a0; on failure (a0 == -1, the kernel's
// contract, user/usys.S) last_err holds the reason.
static long
raw_call(long num, const uint64 *a)
{
  register uint64 a0 asm("a0") = a[0];
  register uint64 a1 asm("a1") = a[1];
  register uint64 a2 asm("a2") = a[2];
  register uint64 a3 asm("a3") = a[3];
  register uint64 a4 asm("a4") = a[4];
  register uint64 a5 asm("a5") = a[5];
  register uint64 a7 asm("a7") = (uint64)num;
  asm volatile("ecall"
               : "+r"(a0), "+r"(a1)
               : "r"(a2), "r"(a3), "r"(a4), "r"(a5), "r"(a7)
               : "memory");
  if ((long)a0 == -1)
    last_err = (int)a1;
  return (long)a0;
}

// raw_call with up to three arguments, the rest zero.
static long
raw3(long num, uint64 x, uint64 y, uint64 z)
{
  uint64 a[MAXCALLARGS] = {x, y, z, 0, 0, 0};
  return raw_call(num, a);
}

// ---------------------------------------------------------------- randomness

static uint64 rng;  // xorshift64* state; never 0

static uint64
rnd(void)
{
  rng ^= rng >> 12;
  rng ^= rng << 25;
  rng ^= rng >> 27;
  return rng * 2685821657736338717UL;
}

static uint64
below(uint64 n)
{
  return n ? rnd() % n : 0;
}

static int
chance(int percent)
{
  return below(100) < (uint64)percent;
}

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))
#define PICK(a) ((a)[below(NELEM(a))])

// The stream of worker w (MAX_WORKERS: the churner) under seed s.
static uint64
stream_seed(int s, int w)
{
  uint64 x = (uint64)s * 0x9E3779B97F4A7C15UL + (uint64)(w + 1) * 0xD1B54A32D192ED03UL;
  return x ? x : 1;
}

// ---------------------------------------------------------------- the calls

// The calls whose promises must_fail and update_model know, by name (so
// that a call not yet in the list costs nothing: lseek, ftruncate and
// fsync are taught here before they land). Every other call is C_OTHER,
// fuzzed with arguments by its parameters' kinds and checked only by the
// rules that hold for any call (a closed descriptor, a path that cannot
// be copied, an output buffer that cannot be written).
enum call_id {
  C_OTHER, C_FORK, C_EXIT, C_WAIT, C_PIPE, C_READ, C_KILL, C_EXEC, C_FSTAT,
  C_CHDIR, C_DUP, C_GETPID, C_SBRK, C_PAUSE, C_UPTIME, C_OPEN, C_WRITE,
  C_MKNOD, C_UNLINK, C_LINK, C_MKDIR, C_CLOSE, C_MMAP, C_MUNMAP, C_KSTATS,
  C_KNOB, C_MSYNC, C_PROCINFO, C_TRACEDUMP, C_LSEEK, C_FTRUNCATE, C_FSYNC,
  C_MPROTECT, C_MADVISE, C_MINCORE,
  NCALL_IDS
};

// Name, id and how often a raw step picks it (relative weight).
static const struct {
  const char *name;
  int id, weight;
} known_calls[] = {
  {"fork", C_FORK, 1},     {"exit", C_EXIT, 1},       {"wait", C_WAIT, 2},
  {"pipe", C_PIPE, 3},     {"read", C_READ, 12},      {"kill", C_KILL, 2},
  {"exec", C_EXEC, 2},     {"fstat", C_FSTAT, 4},     {"chdir", C_CHDIR, 3},
  {"dup", C_DUP, 4},       {"getpid", C_GETPID, 1},   {"sbrk", C_SBRK, 3},
  {"pause", C_PAUSE, 1},   {"uptime", C_UPTIME, 1},   {"open", C_OPEN, 14},
  {"write", C_WRITE, 12},  {"mknod", C_MKNOD, 2},     {"unlink", C_UNLINK, 6},
  {"link", C_LINK, 4},     {"mkdir", C_MKDIR, 4},     {"close", C_CLOSE, 8},
  {"mmap", C_MMAP, 10},    {"munmap", C_MUNMAP, 5},   {"kstats", C_KSTATS, 1},
  {"knob", C_KNOB, 3},     {"msync", C_MSYNC, 5},     {"procinfo", C_PROCINFO, 1},
  {"tracedump", C_TRACEDUMP, 1}, {"lseek", C_LSEEK, 6}, {"ftruncate", C_FTRUNCATE, 6},
  {"fsync", C_FSYNC, 4},    {"mprotect", C_MPROTECT, 5}, {"madvise", C_MADVISE, 4},
  {"mincore", C_MINCORE, 3},
};
#define OTHER_WEIGHT 6  // a call this file does not know yet

// What a parameter is, from its name (and type): param_kind().
enum kind {
  K_INT,      // any int: edge values
  K_FD,       // a descriptor: open ones, closed ones, out of range
  K_IN,       // a buffer the kernel reads
  K_OUT,      // a buffer the kernel writes (size unknown)
  K_OUTFIX,   // a buffer the kernel writes, of a known size (outsize)
  K_PATH,     // a path name
  K_ARGV,     // exec's argument vector
  K_COUNT,    // a byte or element count (int)
  K_VMLEN,    // a length of memory (size_t)
  K_FILELEN,  // a length of a file (long)
  K_ADDR,     // an address of mapped memory (munmap, msync)
  K_PROT,     // PROT_*
  K_FLAGS,    // MAP_* or MS_*
  K_OMODE,    // O_*
  K_OFF,      // a file offset
  K_KNOB,     // a knob number (knob() is built whole by sanitize)
  K_KNOBVAL,  // a knob value
  K_DEVNUM,   // a device major or minor (short)
  K_PID,      // a process id
  K_LAZY,     // sbrk's kind
  K_WHENCE,   // SEEK_*
  K_ADVICE,   // MADV_*
  K_STATUS,   // an exit status
};

struct call {
  int num;            // [list] the ABI number
  const char *name;   // [list]
  const char *proto;  // [list] "(int fd, void *buf, int n)"
  int id, weight, nargs;
  char kind[MAXCALLARGS];
  int outsize[MAXCALLARGS];  // for K_OUTFIX
};

#define CALL_ENTRY_(number, name, stub, returns, params) {number, #name, #params},
static struct call calls[] = {SYSCALL_LIST(CALL_ENTRY_)};
#undef CALL_ENTRY_
#define NCALLS ((int)NELEM(calls))

static struct call *by_id[NCALL_IDS];  // 0 for a call the list lacks
static int max_call_num;
static int total_weight;

static int
is_ident(char c)
{
  return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

// Does s[0..n) contain word w?
static int
has_word(const char *s, int n, const char *w)
{
  int m = strlen(w);
  for (int i = 0; i + m <= n; i++)
    if (memcmp(s + i, w, m) == 0)
      return 1;
  return 0;
}

static int
name_is(const char *s, int n, const char *w)
{
  return (int)strlen(w) == n && memcmp(s, w, n) == 0;
}

// The kind of parameter `name` (n bytes) whose type is type[0..tn).
static int
param_kind(const char *name, int n, const char *type, int tn, int *outsize)
{
  int ptr = has_word(type, tn, "*");
  if (name_is(name, n, "fd"))
    return K_FD;
  if (name_is(name, n, "path") || name_is(name, n, "old") || name_is(name, n, "new"))
    return K_PATH;
  if (name_is(name, n, "argv"))
    return K_ARGV;
  if (ptr && (name_is(name, n, "st") || name_is(name, n, "ks") || name_is(name, n, "fds"))) {
    *outsize = name[0] == 's' ? sizeof(struct stat)
             : name[0] == 'k' ? sizeof(struct kstats) : 2 * sizeof(int);
    return K_OUTFIX;
  }
  if (ptr)
    return has_word(type, tn, "const") ? K_IN : K_OUT;
  if (name_is(name, n, "status"))
    return K_STATUS;
  if (name_is(name, n, "len"))
    return has_word(type, tn, "size_t") ? K_VMLEN : K_FILELEN;
  if (name_is(name, n, "n") || name_is(name, n, "max") || name_is(name, n, "start"))
    return K_COUNT;
  static const struct { const char *name; int kind; } by_name[] = {
    {"addr", K_ADDR}, {"prot", K_PROT}, {"flags", K_FLAGS}, {"omode", K_OMODE},
    {"offset", K_OFF}, {"off", K_OFF}, {"which", K_KNOB}, {"value", K_KNOBVAL},
    {"major", K_DEVNUM}, {"minor", K_DEVNUM}, {"pid", K_PID}, {"lazy", K_LAZY},
    {"whence", K_WHENCE}, {"advice", K_ADVICE},
  };
  for (int i = 0; i < NELEM(by_name); i++)
    if (name_is(name, n, by_name[i].name))
      return by_name[i].kind;
  return K_INT;
}

// Fills in c's kinds from its stringified parameter list.
static void
parse_params(struct call *c)
{
  const char *s = c->proto;
  if (*s == '(')
    s++;
  while (*s && *s != ')' && c->nargs < MAXCALLARGS) {
    while (*s == ' ')
      s++;
    const char *start = s;
    while (*s && *s != ',' && *s != ')')
      s++;
    const char *end = s;
    while (end > start && end[-1] == ' ')
      end--;
    const char *name = end;
    while (name > start && is_ident(name[-1]))
      name--;
    if (name > start || !name_is(name, end - name, "void")) {
      int i = c->nargs++;
      c->kind[i] = param_kind(name, end - name, start, name - start, &c->outsize[i]);
    }
    if (*s == ',')
      s++;
  }
}

static void
init_calls(void)
{
  for (int i = 0; i < NCALLS; i++) {
    struct call *c = &calls[i];
    c->id = C_OTHER;
    c->weight = OTHER_WEIGHT;
    for (int k = 0; k < NELEM(known_calls); k++) {
      if (strcmp(c->name, known_calls[k].name) == 0) {
        c->id = known_calls[k].id;
        c->weight = known_calls[k].weight;
        by_id[c->id] = c;
      }
    }
    parse_params(c);
    if (c->num > max_call_num)
      max_call_num = c->num;
    total_weight += c->weight;
  }
}

static struct call *
pick_call(void)
{
  int w = below(total_weight);
  for (int i = 0; i < NCALLS; i++) {
    if (w < calls[i].weight)
      return &calls[i];
    w -= calls[i].weight;
  }
  return &calls[0];
}

// Is (int)num the number of a call in the list? (The kernel reads a7 as
// an int, so 2^32 + SYS_getpid is getpid.)
static int
in_list(long num)
{
  for (int i = 0; i < NCALLS; i++)
    if (calls[i].num == (int)num)
      return 1;
  return 0;
}

// ---------------------------------------------------------------- the model
//
// A worker's view of what its calls did, kept from the kernel's answers.

static int me;          // worker index
static int seed;
static int mypid;
static uint64 ncalls, quota;  // calls made and to make
static int stopped;     // the quota ran out inside a typed operation
static uint64 written;  // bytes written since the last housekeeping
static uint64 last_uptime;

// Descriptors. FK_RESERVED: 0-2 (the console), never handed to a call.
enum { FK_NONE, FK_RESERVED, FK_FILE, FK_DIR, FK_DEV, FK_PIPE_R, FK_PIPE_W, FK_UNKNOWN };
static struct {
  char kind, r, w;
  signed char peer;  // a pipe end: the other end's descriptor while both are open, else -1
} fdm[NOFILE];

static int pipe_fds[2];  // the two ends the last successful pipe() made

static int
lowest_free_fd(void)
{
  for (int fd = 0; fd < NOFILE; fd++)
    if (fdm[fd].kind == FK_NONE)
      return fd;
  return -1;
}

// Kind of descriptor value v as the kernel reads it (an int), FK_NONE if
// it is not open.
static int
fd_kind(uint64 v)
{
  int fd = (int)v;
  return fd >= 0 && fd < NOFILE ? fdm[fd].kind : FK_NONE;
}

// The pool: the paths a worker's calls name, in its directory W. parent
// is the entry naming the directory the name lives in (-1: W itself,
// always a directory); canon is the entry whose state the name shares (a
// name longer than DIRSIZ is cut to DIRSIZ, so two paths can name the
// same entry). "f0/x" lives in whatever f0 is: usually not a directory.
static const struct {
  const char *rel;
  int parent, canon;
} pool_def[] = {
  {"f0", -1, 0},  {"f1", -1, 1},       {"f2", -1, 2},          {"d0", -1, 3},
  {"d0/f0", 3, 4}, {"d0/d1", 3, 5},    {"d0/d1/f0", 5, 6},     {"f0/x", 0, 7},
  {"abcdefghijklmn", -1, 8}, {"abcdefghijklmnopq", -1, 8}, {"d1", -1, 10}, {"d1/f0", 10, 11},
};
#define NPOOL ((int)NELEM(pool_def))
_Static_assert(sizeof("abcdefghijklmn") - 1 == DIRSIZ, "entry 8 is one full-length name");

// What a pool name is. NT_NONDIR: a file or a device of unknown major
// (linked from a name the model does not know; link never makes
// directories).
enum { NT_NONE, NT_FILE, NT_DIR, NT_DEV, NT_NONDIR };
static struct name_state {
  int type;
  int major;   // NT_DEV: its major, as the kernel keeps it (a short)
  int shared;  // a link to a shared file: other workers change it too
} names[NPOOL];  // by canon

static char wdir[PATHLEN], jdir[PATHLEN];  // W and J: "/sfz/w1", "/sfz/w1/j"
static char pool_path[NPOOL][PATHLEN];
static char self_path[PATHLEN];            // "W/.": W itself
static char long_ok[MAXPATH];              // a path of MAXPATH-1 bytes in W
static char too_long[MAXPATH + 1];         // MAXPATH bytes and no NUL in reach
static const char rel_dot[] = ".";
static const char rel_empty[] = "";
static const char out_file[] = "/README";  // outside W: read-only use only
static const char out_dir[] = "/";
static const char missing_path[] = "/sfz-none/x";
static char shared_path[NSHARED][PATHLEN];  // files of every worker: opened,
                                            // linked from, never removed

static int
ptype(int i)
{
  return names[pool_def[i].canon].type;
}

// Is the directory entry i lives in a directory (so that lookups reach i)?
static int
parent_is_dir(int i)
{
  int p = pool_def[i].parent;
  return p < 0 || ptype(p) == NT_DIR;
}

// Does directory entry d hold no pool name? (Only pool names can be made
// in a pool directory: garbage names land in J.)
static int
dir_empty(int d)
{
  for (int i = 0; i < NPOOL; i++)
    if (pool_def[i].parent >= 0 && pool_def[pool_def[i].parent].canon == pool_def[d].canon &&
        ptype(i) != NT_NONE)
      return 0;
  return 1;
}

// Areas, as the kernel placed them: [start, end), page aligned.
#define MAX_AREAS (2 * NMMAP)
static struct area {
  uint64 start, end;
  int prot, flags;
} areas[MAX_AREAS];
static int nareas;

static struct area *
area_at(uint64 va)
{
  for (int i = 0; i < nareas; i++)
    if (va >= areas[i].start && va < areas[i].end)
      return &areas[i];
  return 0;
}

static uint64
lowest_area(void)
{
  uint64 low = TRAPFRAME;
  for (int i = 0; i < nareas; i++)
    if (areas[i].start < low)
      low = areas[i].start;
  return low;
}

// Is every page of [lo, hi) in some area?
static int
fully_mapped(uint64 lo, uint64 hi)
{
  while (lo < hi) {
    struct area *a = area_at(lo);
    if (a == 0)
      return 0;
    lo = a->end;
  }
  return 1;
}

static void
add_area(uint64 start, uint64 end, int prot, int flags)
{
  if (nareas < MAX_AREAS)
    areas[nareas++] = (struct area){start, end, prot, flags};
}

// Takes [lo, hi) out of every area, as a successful munmap did.
static void
remove_range(uint64 lo, uint64 hi)
{
  for (int i = 0; i < nareas; i++) {
    struct area *a = &areas[i];
    if (hi <= a->start || a->end <= lo)
      continue;
    if (lo > a->start && hi < a->end) {  // a hole: the top becomes an area
      add_area(hi, a->end, a->prot, a->flags);
      a->end = lo;
    } else if (lo <= a->start && hi >= a->end) {
      areas[i--] = areas[--nareas];
    } else if (lo <= a->start) {
      a->start = hi;
    } else {
      a->end = lo;
    }
  }
}

// Cuts the area holding address at (strictly inside it) in two there.
static void
cut_at(uint64 at)
{
  struct area *a = area_at(at);
  if (a && a->start < at) {
    add_area(at, a->end, a->prot, a->flags);
    a->end = at;
  }
}

// Joins areas that meet and are alike. The kernel joins only areas of one
// file at consecutive offsets; the model needs just what each address
// allows, so it joins more, and so never holds more areas than the kernel.
static void
join_areas(void)
{
  for (int i = 0; i < nareas; i++) {
    for (int j = 0; j < nareas; j++) {
      if (areas[i].end == areas[j].start && areas[i].prot == areas[j].prot &&
          areas[i].flags == areas[j].flags) {
        areas[i].end = areas[j].end;
        areas[j] = areas[--nareas];
        i = -1;  // start over
        break;
      }
    }
  }
}

// Gives [lo, hi) the rights prot, as a successful mprotect did.
static void
protect_range(uint64 lo, uint64 hi, int prot)
{
  cut_at(lo);
  cut_at(hi);
  for (int i = 0; i < nareas; i++)
    if (areas[i].start >= lo && areas[i].end <= hi)
      areas[i].prot = prot;
  join_areas();
}

// The heap: [heap_base, heap_end) is this process's; the stack page lies
// just below heap_base and the unmapped guard page below that (exec.c).
static uint64 heap_base, heap_end, scratch_end;

// Children of raw fork not yet reaped (status: the exit status each
// will have, or STATUS_ANY once something may have changed it).
#define STATUS_ANY (-12345)
static struct {
  int pid, status;
} kids[MAX_CHILDREN];
static int nkids;
static int kids_stale;  // a failed wait reaped one of kids[], unknown which
static int reaped[NREAPED];
static int nreaped;

// Child pid was reaped. With kids_stale its entry may be gone already:
// then some other entry goes, so that nkids stays exact.
static void
kid_gone(int pid)
{
  int i = 0;
  while (i < nkids && kids[i].pid != pid)
    i++;
  if (i == nkids)
    i = nkids - 1;
  if (i >= 0)
    kids[i] = kids[--nkids];
  reaped[nreaped++ % NREAPED] = pid;
  if (nkids == 0)
    kids_stale = 0;
}

static int
is_kid(int pid)
{
  for (int i = 0; i < nkids; i++)
    if (kids[i].pid == pid)
      return 1;
  return 0;
}

static int
kid_status(int pid)
{
  for (int i = 0; i < nkids; i++)
    if (kids[i].pid == pid)
      return kids_stale ? STATUS_ANY : kids[i].status;
  return STATUS_ANY;
}

// ---------------------------------------------------------------- memory classes

// What a kernel copy of one byte at va, in one direction, must do.
enum { ACC_BAD, ACC_OK, ACC_MAYBE };

static int
access_of(uint64 va, int write)
{
  if (va >= TRAPFRAME)  // the trapframe, the trampoline, past MAXVA
    return ACC_BAD;
  struct area *a = area_at(va);
  if (a) {
    // A file page may lie past the end of the file; RISC-V has no
    // write-only pages, so PROT_WRITE alone reads.
    if (write)
      return a->prot & PROT_WRITE ? ACC_MAYBE : ACC_BAD;
    return a->prot & (PROT_READ | PROT_WRITE) ? ACC_MAYBE : ACC_BAD;
  }
  if (va >= heap_base) {
    if (va < heap_end)
      return ACC_OK;
    return va < PGROUNDUP(heap_end) ? ACC_MAYBE : ACC_BAD;
  }
  if (va >= heap_base - 2 * PGSIZE && va < heap_base - PGSIZE)
    return ACC_BAD;  // the stack's guard page
  if (va < PGSIZE)
    return write ? ACC_BAD : ACC_OK;  // text (user.ld links it at 0)
  return ACC_MAYBE;  // the rest of the image: never handed out as output
}

// Must a kernel copy of [va, va+len) in this direction fail?
static int
range_bad(uint64 va, uint64 len, int write)
{
  if (len == 0)
    return 0;
  if (va + len < va)
    return 1;
  for (uint64 p = PGROUNDDOWN(va); p < va + len; p += PGSIZE)
    if (access_of(p < va ? va : p, write) == ACC_BAD)
      return 1;
  return 0;
}

// The byte at p, read so that the compiler cannot assume anything about
// p (it may be 0).
static char
peek(uint64 p)
{
  asm volatile("" : "+r"(p));
  return *(volatile char *)p;
}

// Path classes: what a path argument names.
enum {
  PC_POOL,     // pool entry `idx`
  PC_SELF,     // an existing directory: W/., "." or "" (J)
  PC_OUTFILE,  // /README (read-only use)
  PC_OUTDIR,   // / (read-only use)
  PC_SHARED,   // one of the shared files: always there, always a file
  PC_MISSING,  // its parent does not exist
  PC_BAD,      // cannot be copied in: bad memory, no NUL in MAXPATH bytes
  PC_UNKNOWN,  // a name the model does not know, in J or W (garbage)
  PC_UNSAFE,   // could name anything: never passed to a call
};

// The class of path pointer v; *idx gets the pool entry.
static int
path_class(uint64 v, int *idx)
{
  for (int i = 0; i < NPOOL; i++) {
    if (v == (uint64)pool_path[i]) {
      *idx = i;
      return PC_POOL;
    }
  }
  if (v == (uint64)self_path || v == (uint64)rel_dot || v == (uint64)rel_empty)
    return PC_SELF;
  if (v == (uint64)out_file)
    return PC_OUTFILE;
  if (v == (uint64)out_dir)
    return PC_OUTDIR;
  if (v == (uint64)missing_path)
    return PC_MISSING;
  for (int i = 0; i < NSHARED; i++)
    if (v == (uint64)shared_path[i])
      return PC_SHARED;
  if (v == (uint64)too_long)
    return PC_BAD;
  if (v == (uint64)long_ok)
    return PC_UNKNOWN;
  // A pool path from its 2nd to 4th byte: "sfz/w1/f0" and the like,
  // relative, so in J, under names J does not have.
  for (int i = 0; i < NPOOL; i++)
    if (v > (uint64)pool_path[i] && v <= (uint64)pool_path[i] + MISALIGN_MAX)
      return PC_UNKNOWN;
  // Memory this process can read itself: the string there, up to a NUL,
  // or up to where memory ends (then the kernel cannot copy it in).
  uint64 end = v < PGSIZE ? PGSIZE : v >= heap_base && v < heap_end ? heap_end : 0;
  if (access_of(v, 0) == ACC_BAD)
    return PC_BAD;
  if (end == 0)
    return PC_UNSAFE;
  for (uint64 p = v; p < v + MAXPATH; p++) {
    if (p == end)
      return end % PGSIZE == 0 && access_of(end, 0) == ACC_BAD ? PC_BAD : PC_UNSAFE;
    char ch = peek(p);
    if (ch == '/')
      return PC_UNSAFE;  // could name something outside J
    if (ch == 0)
      return PC_UNKNOWN;
  }
  return PC_BAD;  // no NUL in MAXPATH bytes
}

// ---------------------------------------------------------------- arguments

static char inbuf[INBUF_SIZE];  // random bytes: what write() usually writes
static char *argv_ok[] = {"sysfuzz-arg", "-x", 0};
static char *argv_bad[] = {"a", (char *)0x80000000UL, 0};
static char *argv_many[MAXARG + 3];  // MAXARG + 2 strings: too many

static uint64
gen_fd(void)
{
  int open_fds[NOFILE], nopen = 0, closed[NOFILE], nclosed = 0;
  for (int fd = 0; fd < NOFILE; fd++) {
    if (fdm[fd].kind == FK_NONE)
      closed[nclosed++] = fd;
    else if (fdm[fd].kind != FK_RESERVED)
      open_fds[nopen++] = fd;
  }
  int r = below(100);
  if (r < 75 && nopen)
    return open_fds[below(nopen)];
  if (r < 87 && nclosed)
    return closed[below(nclosed)];
  static const long bad[] = {-1, NOFILE, NOFILE + 1, 1000, INT_MAX_, INT_MIN_};
  if (r < 95 || nopen == 0)
    return (uint64)PICK(bad);
  return (1UL << 32) + open_fds[below(nopen)];  // read as an int: open
}

static uint64
heap_ptr(void)
{
  uint64 off = below(heap_end - heap_base);
  return heap_base + (chance(50) ? PGROUNDDOWN(off) : off);
}

// An address in a random area (a page in it, its end, or misaligned), or
// in the heap if there is none.
static uint64
area_ptr(void)
{
  if (nareas == 0)
    return heap_ptr();
  struct area *a = &areas[below(nareas)];
  if (chance(15))
    return a->end;  // the page past the mapping's end
  uint64 p = a->start + below((a->end - a->start) / PGSIZE) * PGSIZE;
  return chance(15) ? p + below(PGSIZE) : p;
}

// An address no copy may touch (access_of says ACC_BAD for it, unless an
// area happens to cover 0x80000000).
static uint64
bad_ptr(void)
{
  static const uint64 fixed[] = {
    0x80000000UL, KERNBASE + 0x1234, MAXVA - 1, MAXVA - 8, MAXVA - PGSIZE, TRAPFRAME,
    MAXVA, 1UL << 63, ~0UL, ~0UL - 7,
  };
  switch (below(4)) {
  case 0:
    return PGROUNDUP(heap_end) + below(4) * PGSIZE + below(16);  // unmapped heap
  case 1:
    return heap_base - 2 * PGSIZE + below(PGSIZE);  // the guard page
  default:
    return PICK(fixed);
  }
}

// A buffer the kernel writes: never this program's data, bss or stack.
static uint64
gen_out(void)
{
  int r = below(100);
  if (r < 50)
    return heap_ptr();
  if (r < 68)
    return area_ptr();
  if (r < 73)
    return heap_end - below(16);  // straddles the break
  if (r < 78)
    return chance(50) ? 0 : below(PGSIZE);  // text
  return bad_ptr();
}

// A buffer the kernel reads.
static uint64
gen_in(void)
{
  int r = below(100);
  if (r < 40)
    return (uint64)inbuf + below(INBUF_SIZE);
  if (r < 55)
    return heap_ptr();
  if (r < 72)
    return area_ptr();
  if (r < 76)
    return below(PGSIZE);  // text
  if (r < 80)
    return heap_end - below(16);
  return bad_ptr();
}

// A path of MAXPATH/2 .. MAXPATH+16 letters ending at the break, where
// the heap ends on a page boundary before unmapped memory: the kernel
// runs off the page before a NUL (or past MAXPATH). 0 if the heap does
// not end so.
static uint64
unterminated_path(void)
{
  if (heap_end % PGSIZE || heap_end - heap_base < PGSIZE || access_of(heap_end, 0) != ACC_BAD)
    return 0;
  uint64 k = MAXPATH / 2 + below(MAXPATH / 2 + 16);
  char *p = (char *)(heap_end - k);
  for (uint64 i = 0; i < k; i++)
    p[i] = 'a' + below(26);
  return (uint64)p;
}

static uint64
gen_path(void)
{
  int r = below(100);
  uint64 u;
  if (r < 56)
    return (uint64)pool_path[below(NPOOL)];
  if (r < 62)
    return (uint64)shared_path[below(NSHARED)];
  if (r < 69)
    return (uint64)PICK(((const char *[]){self_path, self_path, rel_dot, rel_empty}));
  if (r < 73)
    return (uint64)(chance(60) ? out_file : out_dir);
  if (r < 76)
    return (uint64)missing_path;
  if (r < 79)
    return (uint64)too_long;
  if (r < 81)
    return (uint64)long_ok;
  if (r < 85 && (u = unterminated_path()) != 0)
    return u;
  if (r < 91)
    return bad_ptr();
  if (r < 95)
    return chance(50) ? 0 : below(PGSIZE);  // a string in the text
  return (uint64)pool_path[below(NPOOL)] + 1 + below(MISALIGN_MAX);
}

static uint64
gen_argv(void)
{
  switch (below(7)) {
  case 0: return 0;
  case 1: return bad_ptr();
  case 2: return (uint64)argv_bad;
  case 3: return (uint64)argv_many;
  case 4: return heap_ptr();
  default: return (uint64)argv_ok;
  }
}

// Adds random high bits to an int-sized value now and then: the kernel
// must read only the low 32 bits.
static uint64
widen(long v)
{
  return chance(5) ? (uint64)(uint32)v | (rnd() << 32) : (uint64)v;
}

static uint64
gen_count(void)
{
  static const long counts[] = {
    0, 1, 2, 3, 7, 8, 100, 511, 512, PGSIZE - 1, PGSIZE, PGSIZE + 1, 2 * PGSIZE,
    16 * PGSIZE, 16 * PGSIZE + 1, INT_MAX_, -1, INT_MIN_, -PGSIZE,
  };
  return widen(chance(70) ? PICK(counts) : (long)below(65536));
}

static uint64
gen_vmlen(void)
{
  static const uint64 lens[] = {
    0, 1, PGSIZE - 1, PGSIZE, PGSIZE + 1, 2 * PGSIZE, 3 * PGSIZE, 16 * PGSIZE,
    64 * PGSIZE, 1UL << 30, 1UL << 37, MAXVA - PGSIZE, MAXVA - 1, MAXVA, MAXVA + 1,
    1UL << 63, ~0UL,
  };
  if (chance(40))
    return (1 + below(8)) * PGSIZE;
  if (chance(15) && nareas)
    return areas[below(nareas)].end - areas[below(nareas)].start;
  return PICK(lens);
}

// A file length or offset: small, or far past MAXFILE, never in between
// (a file of tens of MiB would take the disk and the time of the test).
static uint64
gen_fileoff(void)
{
  static const long offs[] = {
    0, 1, 100, 511, PGSIZE, PGSIZE + 1, 3 * PGSIZE, 16 * PGSIZE, -1, -PGSIZE,
    LONG_MIN_, LONG_MAX_, 1L << 40, (long)MAXFILE * BSIZE + 1,
  };
  int r = below(100);
  if (r < 35)
    return 0;
  if (r < 55)
    return below(8) * PGSIZE;
  if (r < 65)
    return below(1 << 20);
  return (uint64)PICK(offs);
}

static uint64
gen_prot(void)
{
  static const int good[] = {
    PROT_READ, PROT_READ, PROT_READ | PROT_WRITE, PROT_READ | PROT_WRITE, PROT_WRITE,
    PROT_READ | PROT_EXEC, PROT_EXEC, PROT_READ | PROT_WRITE | PROT_EXEC,
  };
  static const int bad[] = {PROT_NONE, 8, -1, 0x10 | PROT_READ, INT_MIN_};
  return widen(chance(80) ? PICK(good) : PICK(bad));
}

static uint64
gen_flags(const struct call *c)
{
  static const int map_good[] = {
    MAP_SHARED, MAP_PRIVATE, MAP_ANONYMOUS | MAP_SHARED, MAP_ANONYMOUS | MAP_PRIVATE,
    MAP_SHARED | MAP_POPULATE, MAP_PRIVATE | MAP_POPULATE,
  };
  static const int map_bad[] = {
    0, MAP_SHARED | MAP_PRIVATE, 4, -1, 0x100 | MAP_SHARED, MAP_ANONYMOUS,
    MAP_ANONYMOUS | MAP_SHARED | MAP_PRIVATE, MAP_POPULATE,
  };
  static const int ms_good[] = {
    0, MS_ASYNC, MS_SYNC, MS_SYNC, MS_INVALIDATE, MS_SYNC | MS_INVALIDATE,
    MS_ASYNC | MS_INVALIDATE,
  };
  static const int ms_bad[] = {MS_ASYNC | MS_SYNC, 8, -1, 0x10 | MS_SYNC};
  if (c->id == C_MMAP)
    return widen(chance(85) ? PICK(map_good) : PICK(map_bad));
  return widen(chance(85) ? PICK(ms_good) : PICK(ms_bad));
}

static uint64
gen_omode(void)
{
  static const int access[] = {O_RDONLY, O_WRONLY, O_RDWR, O_RDWR};
  static const int odd[] = {O_WRONLY | O_RDWR, 0x1000, -1, O_CREATE | 0x800};
  if (chance(12))
    return widen(PICK(odd));
  return widen(PICK(access) | (chance(40) ? O_CREATE : 0) | (chance(15) ? O_TRUNC : 0));
}

static uint64
gen_pid(void)
{
  int r = below(100);
  if (r < 30 && nreaped)
    return reaped[below(nreaped < NREAPED ? nreaped : NREAPED)];
  if (r < 40 && nkids)
    return kids[below(nkids)].pid;
  static const long pids[] = {-1, 0, INT_MIN_, NO_PID};
  return widen(PICK(pids));
}

static uint64
gen_int(void)
{
  static const long ints[] = {0, 1, 2, 3, -1, 7, 100, PGSIZE, INT_MAX_, INT_MIN_};
  return chance(80) ? widen(PICK(ints)) : rnd();
}

static uint64
gen_arg(const struct call *c, int kind)
{
  switch (kind) {
  case K_FD: return gen_fd();
  case K_IN: return gen_in();
  case K_OUT: case K_OUTFIX: return gen_out();
  case K_PATH: return gen_path();
  case K_ARGV: return gen_argv();
  case K_COUNT: return gen_count();
  case K_VMLEN: return gen_vmlen();
  case K_FILELEN: case K_OFF: return gen_fileoff();
  case K_PROT: return gen_prot();
  case K_FLAGS: return gen_flags(c);
  case K_OMODE: return gen_omode();
  case K_PID: return gen_pid();
  case K_DEVNUM:
    return widen(PICK(((const long[]){0, 2, 5, NDEV - 1, NDEV, -1, 32767, -32768, 65537, 1})));
  case K_LAZY: return widen(PICK(((const long[]){0, 1, 0, 1, 2, -1})));
  case K_WHENCE: return widen(PICK(((const long[]){0, 1, 2, 0, 1, 2, 3, -1, INT_MAX_})));
  case K_ADVICE:  // MADV_NORMAL .. MADV_DONTNEED, and values past them
    return widen(chance(85) ? (long)below(MADV_DONTNEED + 1)
                            : PICK(((const long[]){5, -1, 100, INT_MAX_, INT_MIN_})));
  case K_STATUS:
    return widen(PICK(((const long[]){0, 1, 2, 42, 255, 256, -1, INT_MIN_, INT_MAX_})));
  case K_ADDR: {
    int r = below(100);
    if (r < 65)
      return nareas && r < 60 ? area_ptr() & ~(uint64)(chance(90) ? PGSIZE - 1 : 0) : heap_ptr();
    static const uint64 addrs[] = {0, PGSIZE, MAXVA - PGSIZE, MAXVA, TRAPFRAME,
                                   ~(uint64)(PGSIZE - 1), 0x80000000UL};
    return chance(20) ? PGROUNDUP(heap_end) : PICK(addrs);
  }
  default: return gen_int();
  }
}

// ---------------------------------------------------------------- sanitizing

// sbrk(n, lazy) that moves the break only within the worker's bounds
// (never below the scratch heap, never by much), or that must fail.
static void
sanitize_sbrk(uint64 *a)
{
  long room_eager = (long)(scratch_end + HEAP_EAGER_MAX) - (long)heap_end;
  long room_lazy = (long)(scratch_end + HEAP_LAZY_MAX) - (long)heap_end;
  long above = (long)(heap_end - scratch_end), n = 0;
  int lazy = PICK(((const int[]){0, 1, 0, 1, 2, -1}));
  switch (below(8)) {
  case 0: case 1: n = below(4) * PGSIZE + (chance(30) ? below(PGSIZE) : 0); break;
  case 2: n = -(long)below(above + 1); break;
  case 3: n = -(long)(heap_end - heap_base) - 1 - below(PGSIZE); break;  // below the heap
  case 4: n = INT_MIN_; break;  // shrinks past 0: ignored (as in xv6)
  case 5:  // up to the lowest area: must fail without allocating
    if (lowest_area() - heap_end < (1UL << 31) - PGSIZE)
      n = (long)(lowest_area() - heap_end) + 1 + below(PGSIZE);
    break;
  default: n = below(PGSIZE); break;
  }
  // Past the room allowed only where the kernel must refuse it at once.
  if (n > (lazy ? room_lazy : room_eager) && heap_end + n <= lowest_area())
    n = 0;
  a[0] = widen(n);
  a[1] = widen(lazy);
}

// The block number KNOB_DISK_FAIL_BLOCK gets when it must be refused for
// lying past the disk: no disk this kernel runs on is that large.
#define NO_SUCH_BLOCK (1L << 40)

// Why the disk fault-injection knob `which` must refuse value v (the
// rules of disk_fail_knob, kernel/dev/virtio_disk.c), or 0 if it may take
// it. 0 itself turns the knob off, which it is: that only reads it.
static const char *
disk_fail_refused(int which, long v)
{
  long flags = DISK_FAIL_FLAGS(v), kinds = flags & DISK_FAIL_KINDS, number = DISK_FAIL_NUMBER(v);
  if (v == 0)
    return 0;
  if (v < 0 || kinds == 0)
    return "a negative fault-injection value, or one without a kind of request";
  if ((kinds & DISK_FAIL_FLUSH) &&
      (kinds != DISK_FAIL_FLUSH || (flags & DISK_FAIL_STICKY) || which == KNOB_DISK_FAIL_BLOCK))
    return "a flush fault with another kind, sticky, or for a block";
  if (which == KNOB_DISK_FAIL_NTH && number < 1)
    return "the Nth request from now, N below 1";
  if (which == KNOB_DISK_FAIL_BLOCK && ((flags & DISK_FAIL_STICKY) || number >= NO_SUCH_BLOCK))
    return "a sticky block fault, or a block past the disk";
  return 0;
}

// A value of KNOB_DISK_FAIL_NTH or _BLOCK (which) that reads the knob (0)
// or that it must refuse: never one that would make a request fail.
static long
disk_fail_value(int which)
{
  static const long bad[] = {
    -1, LONG_MIN_, DISK_FAIL(3, 0), DISK_FAIL(3, DISK_FAIL_STICKY),
    DISK_FAIL(3, DISK_FAIL_FLUSH | DISK_FAIL_WRITE),
    DISK_FAIL(3, DISK_FAIL_FLUSH | DISK_FAIL_STICKY),
    DISK_FAIL(0, DISK_FAIL_WRITE), DISK_FAIL(3, DISK_FAIL_FLUSH),
    DISK_FAIL(3, DISK_FAIL_READ | DISK_FAIL_STICKY), DISK_FAIL(NO_SUCH_BLOCK, DISK_FAIL_ANY),
  };
  long v = chance(30) ? 0 : PICK(bad);
  return disk_fail_refused(which, v) ? v : 0;  // e.g. DISK_FAIL(3, DISK_FAIL_FLUSH) for NTH
}

// knob(which, value): a knob this file knows, with a value in or out of
// its range, or a knob number nothing uses (never one from
// KNOB_MEGAPAGES + 1 up to 999: a knob added later is not known to be
// harmless). The knobs that would end a run for reasons that are not
// bugs get only values that change nothing or that they must refuse:
// KNOB_CRASH_AFTER_COMMIT 0; the disk's fault injection 0 (it is off:
// that reads it) or a value it must refuse (disk_fail_value); the
// write-cache test mode 0 (off, as it is) or a negative seed;
// KNOB_POWER_CUT anything, refused while that mode is off; and
// KNOB_LOCKCHECK_TEST any value but a kind the lock-check test kernel
// would act on (every other kernel refuses the knob). Turning fault
// injection or the write-cache mode on is left out: a failed disk request
// or a power cut would end the run without a bug to find.
static void
sanitize_knob(uint64 *a)
{
  static const int known[] = {
    KNOB_POLICY, KNOB_FAULTAROUND, KNOB_READAHEAD, KNOB_DROP, KNOB_TRACE, KNOB_SVADE,
    KNOB_PC_LIMIT, KNOB_LOOKUP_PAUSE, KNOB_OP_PAUSE, KNOB_FREE_PAUSE, KNOB_CRASH_AFTER_COMMIT,
    KNOB_LOCKCHECK_TEST, KNOB_DISK_FAIL_NTH, KNOB_DISK_FAIL_BLOCK, KNOB_WCACHE, KNOB_POWER_CUT,
    KNOB_DUP_PAUSE, KNOB_FAULTAROUND_MAX, KNOB_WB_EXPIRE, KNOB_WB_INTERVAL, KNOB_WB_BACKGROUND,
    KNOB_WB_THROTTLE, KNOB_WB_RUN, KNOB_HIT_LOCKLESS, KNOB_MEGAPAGES,
  };
  if (chance(15)) {
    a[0] = widen(PICK(((const long[]){-1, 0, 1000, INT_MAX_, INT_MIN_})));
    a[1] = gen_int();
    return;
  }
  int which = PICK(known), good = chance(65);
  long v;
  switch (which) {
  case KNOB_POLICY: v = good ? (long)below(2) : PICK(((const long[]){2, -1, 1L << 32})); break;
  case KNOB_FAULTAROUND:
    v = good ? 1L << below(7) : PICK(((const long[]){0, 3, 65, 128, -1, (1L << 32) | 1}));
    break;
  case KNOB_FAULTAROUND_MAX:
    v = good ? 1L << below(10) : PICK(((const long[]){0, 3, 513, 1024, -1, (1L << 32) | 1}));
    break;
  case KNOB_READAHEAD:
    v = good ? (long)below(WINDOW_MAX + 1) : PICK(((const long[]){-1, WINDOW_MAX + 1, 1L << 40}));
    break;
  case KNOB_TRACE: v = good ? 0 : PICK(((const long[]){2, -1})); break;  // never starts it
  case KNOB_SVADE: case KNOB_HIT_LOCKLESS:
    v = good ? (long)below(2) : PICK(((const long[]){2, -1}));
    break;
  case KNOB_PC_LIMIT:
    v = good ? PICK(((const long[]){0, 16, 64, 256, 4096}))
             : PICK(((const long[]){-1, (1L << 30) + 1, LONG_MIN_}));
    break;
  case KNOB_LOOKUP_PAUSE: case KNOB_OP_PAUSE: case KNOB_FREE_PAUSE:
    v = chance(50) ? 0 : NO_PID;
    break;
  case KNOB_CRASH_AFTER_COMMIT: v = 0; break;
  case KNOB_LOCKCHECK_TEST: v = PICK(((const long[]){0, -1, 5, 1000, INT_MIN_, LONG_MAX_})); break;
  case KNOB_DISK_FAIL_NTH: case KNOB_DISK_FAIL_BLOCK: v = disk_fail_value(which); break;
  case KNOB_WCACHE: v = good ? 0 : PICK(((const long[]){-1, INT_MIN_, LONG_MIN_})); break;
  case KNOB_POWER_CUT: v = PICK(((const long[]){0, 1, 100, -1, LONG_MAX_})); break;
  case KNOB_DUP_PAUSE:  // arms no process that exists, or reads it
    v = PICK(((const long[]){0, NO_PID, DUP_PAUSE_READ, -2, DUP_PAUSE_STOPPED, LONG_MIN_}));
    break;
  case KNOB_WB_EXPIRE: case KNOB_WB_INTERVAL:  // small ones keep the process busy
    v = good ? PICK(((const long[]){WB_KNOB_READ, 0, 1, 5, 50, 300}))
             : PICK(((const long[]){-2, WB_TICKS_MAX + 1, LONG_MIN_}));
    break;
  case KNOB_WB_BACKGROUND: case KNOB_WB_THROTTLE:  // low ones throttle the workers
    v = good ? PICK(((const long[]){WB_KNOB_READ, 1, 5, 10, 20, 100}))
             : PICK(((const long[]){0, 101, -2, LONG_MAX_}));
    break;
  case KNOB_WB_RUN: v = good ? (long)below(2) : PICK(((const long[]){2, -1, LONG_MIN_})); break;
  case KNOB_MEGAPAGES: v = good ? (long)below(3) : PICK(((const long[]){3, -1, LONG_MIN_})); break;
  default: v = (long)gen_int(); break;  // KNOB_DROP: any value
  }
  a[0] = which;
  a[1] = (uint64)v;
}

// A pool path whose entry is of this type, in a directory (NT_FILE also
// takes a device or NT_NONDIR); or, if there is none, dflt.
static uint64
pool_pick(int type, uint64 dflt)
{
  int start = below(NPOOL);
  for (int k = 0; k < NPOOL; k++) {
    int i = (start + k) % NPOOL, t = ptype(i);
    if (parent_is_dir(i) && (t == type || (type == NT_FILE && t != NT_NONE && t != NT_DIR)))
      return (uint64)pool_path[i];
  }
  return dflt;
}

// Keeps a raw call within what a worker may do (the top of the file says
// what and why). Returns 0 if the call is not to be made at all.
static int
sanitize(const struct call *c, uint64 *a)
{
  int idx;
  for (int i = 0; i < c->nargs; i++) {
    if (c->kind[i] != K_PATH)
      continue;
    int pc = path_class(a[i], &idx), id = c->id;
    if (pc == PC_UNSAFE)
      return 0;
    int outside = pc == PC_OUTFILE || pc == PC_OUTDIR;
    if (outside && (id == C_OPEN || id == C_CHDIR || id == C_EXEC))
      continue;  // read-only uses (open's mode is made O_RDONLY below)
    // A shared name must stay: it may be opened, linked from, and given
    // to calls that must fail because it exists or is a file.
    if (pc == PC_SHARED && (id == C_OPEN || id == C_CHDIR || id == C_EXEC || id == C_MKDIR ||
                            id == C_MKNOD || (id == C_LINK && i == 0)))
      continue;
    if (outside || pc == PC_SHARED)
      a[i] = (uint64)pool_path[below(NPOOL)];
  }
  switch (c->id) {
  case C_OPEN:
    if (path_class(a[0], &idx) == PC_OUTFILE || path_class(a[0], &idx) == PC_OUTDIR)
      a[1] = O_RDONLY;
    break;
  case C_LINK:  // random pairs nearly always fail: often pick a pair that may work
    if (chance(40)) {
      a[0] = pool_pick(NT_FILE, a[0]);
      a[1] = pool_pick(NT_NONE, a[1]);
    }
    break;
  case C_UNLINK:
    if (chance(30))
      a[0] = pool_pick(NT_FILE, a[0]);
    break;
  case C_MKDIR:
    if (chance(30))
      a[0] = pool_pick(NT_NONE, a[0]);
    break;
  case C_MKNOD:
    if ((short)a[1] == CONSOLE)
      a[1] = CONSOLE + 1;  // a console node could be read: it would wait for input
    break;
  case C_PAUSE: a[0] = widen(PICK(((const long[]){-1, 0, 1, INT_MIN_}))); break;
  case C_SBRK: sanitize_sbrk(a); break;
  case C_KNOB: sanitize_knob(a); break;
  case C_FORK:
    if (nkids >= MAX_CHILDREN)
      return 0;
    break;
  default: break;
  }
  return 1;
}

// ---------------------------------------------------------------- must fail

static const char *
knob_must_fail(int which, long v)
{
  switch (which) {
  case KNOB_POLICY:
    return v != MMAP_POLICY_CACHE && v != MMAP_POLICY_NAIVE ? "no such mapping policy" : 0;
  case KNOB_FAULTAROUND:
    return v < 1 || v > WINDOW_MAX || (v & (v - 1)) ? "fault-around window not a power of two "
                                                      "from 1 to WINDOW_MAX" : 0;
  case KNOB_FAULTAROUND_MAX:
    return v < 1 || v > FAULTAROUND_MAX || (v & (v - 1)) ? "fault-around ceiling not a power "
                                                           "of two from 1 to FAULTAROUND_MAX" : 0;
  case KNOB_READAHEAD: return v < 0 || v > WINDOW_MAX ? "read-ahead past WINDOW_MAX" : 0;
  case KNOB_TRACE: case KNOB_SVADE: case KNOB_HIT_LOCKLESS:
    return v != 0 && v != 1 ? "knob takes 0 or 1" : 0;
  case KNOB_PC_LIMIT: return v < 0 || v > (1L << 30) ? "cache limit out of range" : 0;
  case KNOB_CRASH_AFTER_COMMIT: case KNOB_DROP: case KNOB_LOOKUP_PAUSE: case KNOB_OP_PAUSE:
  case KNOB_FREE_PAUSE:
    return 0;
  case KNOB_LOCKCHECK_TEST: return "only the lock-check test kernel has this knob";
  case KNOB_DISK_FAIL_NTH: case KNOB_DISK_FAIL_BLOCK: return disk_fail_refused(which, v);
  case KNOB_WCACHE: return v < 0 ? "negative write-cache seed" : 0;
  case KNOB_POWER_CUT: return "a power cut with the write-cache mode off";
  case KNOB_DUP_PAUSE:
    return v != DUP_PAUSE_READ && (v < 0 || v >= DUP_PAUSE_STOPPED) ? "not a pid" : 0;
  case KNOB_WB_EXPIRE: case KNOB_WB_INTERVAL:
    return v != WB_KNOB_READ && (v < 0 || v > WB_TICKS_MAX) ? "ticks out of range" : 0;
  case KNOB_WB_BACKGROUND: case KNOB_WB_THROTTLE:
    return v != WB_KNOB_READ && (v < 1 || v > 100) ? "not a percentage from 1 to 100" : 0;
  case KNOB_WB_RUN: return v != WB_RUN_DUE && v != WB_RUN_ALL ? "no such write-back pass" : 0;
  case KNOB_MEGAPAGES: return v < MEGA_OFF || v > MEGA_WRITABLE ? "no such megapage mode" : 0;
  default: return "no such knob";
  }
}

// Rules for a pool path p that names an existing thing (mkdir, mknod,
// link's new name): the call must fail unless p is free in a directory.
static const char *
must_be_free(uint64 p)
{
  int i, pc = path_class(p, &i);
  if (pc == PC_SELF)
    return "the name exists (or is empty)";
  if (pc == PC_SHARED)
    return "the name exists";
  if (pc != PC_POOL)
    return 0;
  if (!parent_is_dir(i))
    return "its directory does not exist";
  return ptype(i) != NT_NONE ? "the name exists" : 0;
}

// Rules for link's old name and unlink's name: the call must fail unless
// p names something (unlink: removable; link: not a directory).
static const char *
must_exist(uint64 p, int for_link)
{
  int i, pc = path_class(p, &i);
  if (pc == PC_SELF)
    return for_link ? "a directory cannot be linked" : "cannot unlink . or an empty name";
  if (pc != PC_POOL)
    return 0;
  if (!parent_is_dir(i))
    return "its directory does not exist";
  if (ptype(i) == NT_NONE)
    return "no such name";
  if (ptype(i) == NT_DIR)
    return for_link ? "a directory cannot be linked"
                    : dir_empty(i) ? 0 : "directory not empty";
  return 0;
}

static const char *
open_must_fail(uint64 p, int omode)
{
  int i, pc = path_class(p, &i);
  if (pc == PC_SELF || pc == PC_OUTDIR)
    return omode != O_RDONLY ? "a directory opened for writing or created" : 0;
  if (pc != PC_POOL)
    return 0;
  if (!parent_is_dir(i))
    return "its directory does not exist";
  int t = ptype(i), major = names[pool_def[i].canon].major;
  if (t == NT_NONE && !(omode & O_CREATE))
    return "no such file";
  if (t == NT_DIR && omode != O_RDONLY)
    return "a directory opened for writing or created";
  if (t == NT_DEV && (major < 0 || major >= NDEV))
    return "device major out of range";
  return 0;
}

static const char *
chdir_must_fail(uint64 p)
{
  int i, pc = path_class(p, &i);
  if (pc == PC_OUTFILE || pc == PC_SHARED)
    return "not a directory";
  if (pc != PC_POOL)
    return 0;
  if (!parent_is_dir(i))
    return "its directory does not exist";
  return ptype(i) != NT_DIR ? "not a directory" : 0;
}

// Rules any call obeys, by its parameters' kinds.
static const char *
generic_must_fail(const struct call *c, const uint64 *a)
{
  int idx;
  for (int i = 0; i < c->nargs; i++) {
    switch (c->kind[i]) {
    case K_FD:
      if (fd_kind(a[i]) == FK_NONE)
        return "descriptor not open";
      break;
    case K_PATH: {
      int pc = path_class(a[i], &idx);
      if (pc == PC_BAD)
        return "path cannot be copied in";
      if (pc == PC_MISSING)
        return "path's directory does not exist";
      break;
    }
    case K_OUTFIX:
      if (range_bad(a[i], c->outsize[i], 1))
        return "output buffer cannot be written";
      break;
    }
  }
  return 0;
}

static const char *
rw_must_fail(const struct call *c, const uint64 *a)
{
  int k = fd_kind(a[0]), n = (int)a[2], fd = (int)a[0];
  int inode = k == FK_FILE || k == FK_UNKNOWN;
  if (n < 0)
    return "negative count";
  if (k == FK_DEV)
    return "device with no driver";
  if (c->id == C_READ) {
    if (k == FK_PIPE_W || (inode && !fdm[fd].r))
      return "not open for reading";
    return 0;
  }
  if (k == FK_DIR || k == FK_PIPE_R || (inode && !fdm[fd].w))
    return "not open for writing";
  if (k == FK_PIPE_W && n > 0 && fdm[fd].peer < 0)
    return "pipe with no reader";
  if (inode && n > 0 && access_of(a[1], 0) == ACC_BAD)
    return "source cannot be read";
  return 0;
}

static const char *
mmap_must_fail(const uint64 *a)
{
  uint64 len = a[1], off = a[5];
  int prot = (int)a[2], flags = (int)a[3] & ~MAP_POPULATE, k = fd_kind(a[4]), fd = (int)a[4];
  if (len == 0 || len >= MAXVA)
    return "length 0 or not below MAXVA";
  if (prot == PROT_NONE || (prot & ~(PROT_READ | PROT_WRITE | PROT_EXEC)))
    return "bad prot";
  int share = flags & ~MAP_ANONYMOUS;
  if (share != MAP_SHARED && share != MAP_PRIVATE)
    return "flags neither MAP_SHARED nor MAP_PRIVATE (besides MAP_ANONYMOUS)";
  if ((long)off < 0 || off % PGSIZE)
    return "offset negative or not page aligned";
  if (flags & MAP_ANONYMOUS)
    return fd != -1 || off != 0 ? "MAP_ANONYMOUS with a descriptor or an offset" : 0;
  if (k != FK_FILE && k != FK_UNKNOWN)
    return "not a regular file";
  if (!fdm[fd].r)
    return "not open for reading";
  if (flags == MAP_SHARED && (prot & PROT_WRITE) && !fdm[fd].w)
    return "shared writable mapping of a descriptor not open for writing";
  return 0;
}

static const char *
msync_must_fail(const uint64 *a)
{
  uint64 addr = a[0], len = a[1];
  int flags = (int)a[2];
  if (addr % PGSIZE || (flags & ~(MS_ASYNC | MS_INVALIDATE | MS_SYNC)) ||
      ((flags & MS_ASYNC) && (flags & MS_SYNC)))
    return "address not aligned or bad flags";
  if (len == 0)
    return 0;
  if (addr >= MAXVA || len > MAXVA - addr)
    return "range past MAXVA";
  return fully_mapped(addr, PGROUNDUP(addr + len)) ? 0 : "range not all mapped";
}

// The end of [addr, addr + len rounded up to pages), or 0 if that wraps
// or passes MAXVA (mprotect, madvise and mincore check it so).
static uint64
vm_range_end(uint64 addr, uint64 len)
{
  if (addr >= MAXVA || len > MAXVA - addr || PGROUNDUP(len) > MAXVA - addr)
    return 0;
  return addr + PGROUNDUP(len);
}

static const char *
mprotect_must_fail(const uint64 *a)
{
  uint64 addr = a[0], len = a[1], end;
  if (addr % PGSIZE)
    return "address not aligned";
  if (len == 0)
    return 0;
  if ((end = vm_range_end(addr, len)) == 0)
    return "range wraps or passes MAXVA";
  if ((int)a[2] & ~(PROT_READ | PROT_WRITE | PROT_EXEC))
    return "bad prot";
  return fully_mapped(addr, end) ? 0 : "range not all mapped";
}

static const char *
madvise_must_fail(const uint64 *a)
{
  uint64 addr = a[0], len = a[1], end;
  int advice = (int)a[2];
  if (advice < MADV_NORMAL || advice > MADV_DONTNEED || addr % PGSIZE)
    return "unknown advice or address not aligned";
  if (len > ~0UL - PGSIZE + 1 || addr + PGROUNDUP(len) < addr)
    return "length wraps";
  if (len == 0)
    return 0;
  if ((end = vm_range_end(addr, len)) == 0)
    return "range passes MAXVA";
  return fully_mapped(addr, end) ? 0 : "range not all mapped";
}

static const char *
mincore_must_fail(const uint64 *a)
{
  uint64 addr = a[0], len = a[1], vec = a[2], end;
  if (addr % PGSIZE)
    return "address not aligned";
  if (len == 0)
    return 0;
  if ((end = vm_range_end(addr, len)) == 0)
    return "range wraps or passes MAXVA";
  uint64 pages = (end - addr) / PGSIZE;
  if (vec >= MAXVA || pages > MAXVA - vec)
    return "vec passes MAXVA";
  if (!fully_mapped(addr, end))
    return "range not all mapped";
  return range_bad(vec, pages, 1) ? "vec cannot be written" : 0;
}

static const char *
sbrk_must_fail(const uint64 *a)
{
  int n = (int)a[0], lazy = (int)a[1];
  uint64 newsz = heap_end + (long)n;
  if (lazy != 0 && lazy != 1)
    return "sbrk kind neither eager nor lazy";
  if (n < 0 && newsz <= heap_end && newsz < heap_base)
    return "break below the heap's start";
  if (n > 0 && newsz > lowest_area())
    return "break into the mapped areas";
  return 0;
}

static int
was_reaped(int pid)
{
  for (int i = 0; i < nreaped && i < NREAPED; i++)
    if (reaped[i] == pid)
      return 1;
  return 0;
}

// Why call c with arguments a must fail, from the model as it stands
// before the call; 0 if it may succeed.
static const char *
must_fail(const struct call *c, const uint64 *a)
{
  // Anonymous memory takes no descriptor: its fd must be -1, which the
  // generic rule would call a descriptor not open.
  if (c->id == C_MMAP && ((int)a[3] & MAP_ANONYMOUS))
    return mmap_must_fail(a);
  const char *why = generic_must_fail(c, a);
  if (why)
    return why;
  int k = c->nargs ? fd_kind(a[0]) : FK_NONE;
  switch (c->id) {
  case C_READ: case C_WRITE: return rw_must_fail(c, a);
  case C_FSTAT: return k == FK_PIPE_R || k == FK_PIPE_W ? "a pipe has no inode" : 0;
  case C_MMAP: return mmap_must_fail(a);
  case C_MUNMAP:
    return a[0] % PGSIZE || a[1] == 0 || a[0] >= MAXVA || a[1] > MAXVA - a[0]
               ? "address not aligned, length 0 or range past MAXVA" : 0;
  case C_MSYNC: return msync_must_fail(a);
  case C_MPROTECT: return mprotect_must_fail(a);
  case C_MADVISE: return madvise_must_fail(a);
  case C_MINCORE: return mincore_must_fail(a);
  case C_KNOB: return knob_must_fail((int)a[0], (long)a[1]);
  case C_KILL: {
    int pid = (int)a[0];
    return pid == -1 || pid == 0 || pid == INT_MIN_ || pid == NO_PID || was_reaped(pid)
               ? "no such process" : 0;
  }
  case C_WAIT:
    if (nkids == 0)
      return "no children";
    return a[0] && range_bad(a[0], sizeof(int), 1) ? "status cannot be written" : 0;
  case C_EXEC: return "not a program";
  case C_SBRK: return sbrk_must_fail(a);
  case C_PROCINFO:
    if ((int)a[1] < 0)
      return "negative max";
    return (int)a[1] > 0 && range_bad(a[0], sizeof(struct procinfo), 1)
               ? "output buffer cannot be written" : 0;
  case C_TRACEDUMP: return (int)a[1] < 0 || (int)a[2] < 0 ? "negative start or max" : 0;
  case C_OPEN: return open_must_fail(a[0], (int)a[1]);
  case C_MKDIR: case C_MKNOD: return must_be_free(a[0]);
  case C_UNLINK: return must_exist(a[0], 0);
  case C_LINK: return (why = must_exist(a[0], 1)) ? why : must_be_free(a[1]);
  case C_CHDIR: return chdir_must_fail(a[0]);
  case C_LSEEK:
    if ((int)a[2] < 0 || (int)a[2] > 2)
      return "whence not SEEK_SET, SEEK_CUR or SEEK_END";
    if (k == FK_PIPE_R || k == FK_PIPE_W || k == FK_DEV)
      return "a pipe or a device cannot seek";
    if ((int)a[2] == SEEK_SET && ((long)a[1] < 0 || (uint64)a[1] > FILE_BYTES_MAX))
      return "an offset below 0 or past the largest file";
    return 0;
  case C_FTRUNCATE:
    if ((long)a[1] < 0)
      return "negative length";
    if (k == FK_PIPE_R || k == FK_PIPE_W || k == FK_DIR || k == FK_DEV)
      return "not a regular file";
    if ((uint64)a[1] > FILE_BYTES_MAX)
      return "longer than the largest file";
    return !fdm[(int)a[0]].w ? "not open for writing" : 0;
  case C_FSYNC:
    return k == FK_PIPE_R || k == FK_PIPE_W || k == FK_DEV ? "a pipe or a device" : 0;
  default: return 0;
  }
}

// ---------------------------------------------------------------- reporting

static struct {
  long num;
  uint64 a[MAXCALLARGS];
  long r;
  int err;
} ring[RING];
static uint64 nring;

static const char *
call_name(long num)
{
  for (int i = 0; i < NCALLS; i++)
    if (calls[i].num == (int)num)
      return calls[i].name;
  return 0;
}

// Prints a call as "  name(0x.., ...) = r"; with done 0, without a
// result (it is about to be made).
static void
print_call(long num, const uint64 *a, long r, int err, int done)
{
  const char *name = call_name(num);
  int n = MAXCALLARGS;
  for (int i = 0; i < NCALLS; i++)
    if (calls[i].num == (int)num)
      n = calls[i].nargs;
  if (name)
    printf("  %s(", name);
  else
    printf("  call %ld(", num);
  for (int i = 0; i < n; i++)
    printf(i ? ", 0x%lx" : "0x%lx", a[i]);
  if (!done)
    printf(")\n");
  else if (r == -1)
    printf(") = -1 (%s)\n", strerror(err));
  else
    printf(") = %ld (0x%lx)\n", r, r);
}

static void __attribute__((noreturn))
fail_out(void)
{
  printf("sysfuzz: the last calls of worker %d, oldest first:\n", me);
  for (uint64 i = nring > RING ? nring - RING : 0; i < nring; i++)
    print_call(ring[i % RING].num, ring[i % RING].a, ring[i % RING].r, ring[i % RING].err, 1);
  exit(1);
}

// A violation found by a typed operation: what, and the value it got.
static void __attribute__((noreturn))
violation(const char *what, long got)
{
  printf("sysfuzz: FAILED: worker %d (seed %d) after %lu calls: %s (got %ld)\n", me, seed,
         ncalls, what, got);
  fail_out();
}

// A call that had to fail and did not.
static void __attribute__((noreturn))
not_refused(const struct call *c, long r, const char *why)
{
  printf("sysfuzz: FAILED: worker %d (seed %d) call %lu: %s returned %ld but must fail: %s\n",
         me, seed, ncalls, c->name, r, why);
  fail_out();
}

// ---------------------------------------------------------------- checked calls

// Reads an int this process can read at v (in its heap), or STATUS_ANY.
static int
heap_int(uint64 v)
{
  int x = STATUS_ANY;
  if (v >= heap_base && v + sizeof(int) <= heap_end)
    memmove(&x, (void *)v, sizeof(int));
  return x;
}

// What a successful call must have returned.
static void
check_success(const struct call *c, const uint64 *a, long r, int lowest, uint64 old_break)
{
  switch (c->id) {
  case C_OPEN: case C_DUP:
    if (r != lowest)
      violation("a new descriptor is not the lowest free one", r);
    break;
  case C_PIPE:
    if (heap_int(a[0]) != STATUS_ANY && heap_int(a[0]) != lowest)
      violation("pipe's read end is not the lowest free descriptor", heap_int(a[0]));
    break;
  case C_MMAP: {
    uint64 end = r + PGROUNDUP(a[1]);
    if (r % PGSIZE || (uint64)r < PGROUNDUP(heap_end) || end > TRAPFRAME || end < (uint64)r)
      violation("mmap placed an area off the free address space", r);
    for (int i = 0; i < nareas; i++)
      if ((uint64)r < areas[i].end && areas[i].start < end)
        violation("mmap placed an area over another", r);
    break;
  }
  case C_SBRK:
    if ((uint64)r != old_break)
      violation("sbrk did not return the old break", r);
    break;
  case C_MINCORE: {  // what it wrote where this process can read it back
    uint64 pages = a[1] ? PGROUNDUP(a[1]) / PGSIZE : 0, vec = a[2];
    if (vec >= heap_base && vec + pages <= heap_end)
      for (uint64 i = 0; i < pages; i++)
        if (((char *)vec)[i] != 0 && ((char *)vec)[i] != 1)
          violation("mincore wrote a byte other than 0 and 1", ((char *)vec)[i]);
    break;
  }
  case C_GETPID:
    if (r != mypid)
      violation("getpid is not the pid fork returned", r);
    break;
  case C_UPTIME:
    if ((uint64)r < last_uptime)
      violation("uptime went backwards", r);
    last_uptime = r;
    break;
  case C_READ: case C_WRITE:
    if (r > (int)a[2])
      violation("more bytes moved than asked for", r);
    break;
  case C_PROCINFO:
    if (r > (int)a[1] || r > NPROC)
      violation("procinfo described more processes than asked for", r);
    break;
  case C_KNOB:  // main made sure these are off, and no call can turn them on
    if (((int)a[0] == KNOB_DISK_FAIL_NTH || (int)a[0] == KNOB_DISK_FAIL_BLOCK ||
         (int)a[0] == KNOB_WCACHE) && r != 0)
      violation("fault injection or the write-cache mode was on", r);
    break;
  case C_LSEEK:
    if ((int)a[2] == SEEK_SET && r != (long)a[1])
      violation("lseek(SEEK_SET) did not return the offset asked for", r);
    break;
  case C_WAIT: {
    if (!kids_stale && !is_kid((int)r))
      violation("wait returned a pid that is not a child", r);
    int want = kid_status((int)r), got = heap_int(a[0]);
    if (want != STATUS_ANY && got != STATUS_ANY && got != want)
      violation("wait's exit status differs from the child's exit()", got);
    break;
  }
  }
}

// Records what a successful call did.
static void
update_model(const struct call *c, const uint64 *a, long r, int lowest)
{
  int i, pc;
  switch (c->id) {
  case C_OPEN: {
    int omode = (int)a[1], kind = FK_UNKNOWN;
    pc = path_class(a[0], &i);
    if (pc == PC_POOL) {
      int t = ptype(i);
      if (t == NT_NONE)
        names[pool_def[i].canon] = (struct name_state){t = NT_FILE, 0, 0};
      kind = t == NT_FILE ? FK_FILE : t == NT_DIR ? FK_DIR : t == NT_DEV ? FK_DEV : FK_UNKNOWN;
    } else if (pc == PC_SELF || pc == PC_OUTDIR) {
      kind = FK_DIR;
    } else if (pc == PC_OUTFILE || pc == PC_SHARED) {
      kind = FK_FILE;
    }
    fdm[r].kind = kind;
    fdm[r].r = !(omode & O_WRONLY);
    fdm[r].w = (omode & (O_WRONLY | O_RDWR)) != 0;
    fdm[r].peer = -1;
    break;
  }
  case C_DUP:
    fdm[r] = fdm[(int)a[0]];
    fdm[r].peer = -1;  // (never made while both ends of a pipe are open)
    break;
  case C_CLOSE:
    i = (int)a[0];
    if (fdm[i].peer >= 0)
      fdm[(int)fdm[i].peer].peer = -1;
    fdm[i].kind = FK_NONE;
    break;
  case C_PIPE:
    fdm[lowest].kind = FK_PIPE_R;
    fdm[lowest].r = 1;
    fdm[lowest].w = 0;
    pipe_fds[0] = lowest;
    pipe_fds[1] = i = lowest_free_fd();
    fdm[i].kind = FK_PIPE_W;
    fdm[i].r = 0;
    fdm[i].w = 1;
    fdm[i].peer = lowest;
    fdm[lowest].peer = i;
    break;
  case C_MKDIR: case C_MKNOD:
    if (path_class(a[0], &i) == PC_POOL) {
      names[pool_def[i].canon] =
          (struct name_state){c->id == C_MKDIR ? NT_DIR : NT_DEV, (short)a[1], 0};
    }
    break;
  case C_UNLINK:
    if (path_class(a[0], &i) == PC_POOL)
      names[pool_def[i].canon] = (struct name_state){NT_NONE, 0, 0};
    break;
  case C_LINK: {
    int j;
    if (path_class(a[1], &j) != PC_POOL)
      break;
    pc = path_class(a[0], &i);
    if (pc == PC_POOL)
      names[pool_def[j].canon] = names[pool_def[i].canon];
    else
      names[pool_def[j].canon] = (struct name_state){pc == PC_SHARED ? NT_FILE : NT_NONDIR, 0,
                                                    pc == PC_SHARED};
    break;
  }
  case C_MMAP: add_area(r, r + PGROUNDUP(a[1]), (int)a[2], (int)a[3] & ~MAP_POPULATE); break;
  case C_MPROTECT:
    if (a[1])
      protect_range(a[0], a[0] + PGROUNDUP(a[1]), (int)a[2]);
    break;
  case C_MUNMAP: remove_range(a[0], PGROUNDUP(a[0] + a[1])); break;
  case C_SBRK: heap_end = raw3(SYS_sbrk, 0, 0, 0); break;
  case C_WAIT: kid_gone(r); break;
  case C_WRITE: written += r; break;
  case C_KILL:  // a child of ours: it may have exited on its own first
    for (i = 0; i < nkids; i++)
      if (kids[i].pid == (int)a[0])
        kids[i].status = STATUS_ANY;
    break;
  }
}

// What a failed call tells about the model.
static void
note_failure(const struct call *c, const uint64 *a)
{
  if (c->id != C_WAIT || nkids == 0)
    return;
  if (last_err != EFAULT)
    violation("wait found no child to wait for, but one exists", last_err);
  // The kernel frees the child before it copies the status out: one of
  // kids[] is gone, which one is not known.
  nkids--;
  kids_stale = 1;
  if (nkids == 0)
    kids_stale = 0;
  (void)a;
}

static int verbose;  // -v: 1 tally the calls, 2 print each one too
static int tally_ok[NCALLS], tally_failed[NCALLS];
#define NERRNO 64
static int tally_errno[NERRNO];  // failures by errno, over all calls

static void
note_call(long num, const uint64 *a, long r)
{
  int slot = nring++ % RING;
  ring[slot].num = num;
  memmove(ring[slot].a, a, sizeof(ring[slot].a));
  ring[slot].r = r;
  ring[slot].err = r == -1 ? last_err : 0;
  if (verbose > 1)
    printf("%d:    = %ld (%s)\n", mypid, r, r == -1 ? strerror(last_err) : "ok");
}

// Makes call c with arguments a, checked: a call that must fail and does
// not, or a success that breaks a promise, is a violation (the worker
// reports it and exits 1). Returns the call's a0; -1 with stopped set
// if the quota is used up (the call is then not made).
static long
issue(const struct call *c, uint64 *a)
{
  if (ncalls >= quota) {
    stopped = 1;
    return -1;
  }
  const char *why = must_fail(c, a);
  if (verbose > 1) {
    printf("%d:", mypid);
    print_call(c->num, a, 0, 0, 0);
  }
  int lowest = lowest_free_fd();
  uint64 old_break = heap_end;
  int child_status = (int)below(256);
  long r = raw_call(c->num, a);
  if (c->id == C_FORK && r == 0)
    raw3(SYS_exit, child_status, 0, 0);  // the child of a raw fork leaves at once
  ncalls++;
  note_call(c->num, a, r);
  (r == -1 ? tally_failed : tally_ok)[c - calls]++;
  if (r == -1 && last_err > 0 && last_err < NERRNO)
    tally_errno[last_err]++;
  if (r == -1) {
    note_failure(c, a);
    return r;
  }
  if (why)
    not_refused(c, r, why);
  check_success(c, a, r, lowest, old_break);
  update_model(c, a, r, lowest);
  if (c->id == C_FORK) {
    kids[nkids].pid = r;
    kids[nkids++].status = child_status;
  }
  return r;
}

// issue() by call id with up to six arguments. A call the list lacks
// (a typed operation asking for one) is not made: -1, stopped unchanged.
static long
call6(int id, uint64 x0, uint64 x1, uint64 x2, uint64 x3, uint64 x4, uint64 x5)
{
  uint64 a[MAXCALLARGS] = {x0, x1, x2, x3, x4, x5};
  if (by_id[id] == 0)
    return -1;
  return issue(by_id[id], a);
}

#define call1(id, x) call6(id, (uint64)(x), 0, 0, 0, 0, 0)
#define call2(id, x, y) call6(id, (uint64)(x), (uint64)(y), 0, 0, 0, 0)
#define call3(id, x, y, z) call6(id, (uint64)(x), (uint64)(y), (uint64)(z), 0, 0, 0)

// ---------------------------------------------------------------- typed operations

static char check_buf[CHECK_SIZE];  // the probes' read-back (and ELF) buffer
static int child_mode;              // in op_fork_state's child: memory and fd calls only

// A pool entry that is a file only this worker changes, or free in a
// directory (open with O_CREATE makes it a file there); -1 if there is
// none. (The probes check what they read back: no other worker may
// write or truncate the file meanwhile.)
static int
pool_file(void)
{
  int start = below(NPOOL);
  for (int k = 0; k < NPOOL; k++) {
    int i = (start + k) % NPOOL;
    if (parent_is_dir(i) && (ptype(i) == NT_FILE || ptype(i) == NT_NONE) &&
        !names[pool_def[i].canon].shared)
      return i;
  }
  return -1;
}

// fork() for a typed operation, whose child does something of its own:
// 0 in the child, the child's pid (noted in kids[] with status
// STATUS_ANY) or -1 in the parent.
static int
fork_child(void)
{
  uint64 a[MAXCALLARGS] = {0};
  if (ncalls >= quota || nkids >= MAX_CHILDREN) {
    stopped = ncalls >= quota;
    return -1;
  }
  long r = raw_call(SYS_fork, a);
  if (r == 0) {
    mypid = raw3(SYS_getpid, 0, 0, 0);
    nkids = 0;
    return 0;
  }
  ncalls++;
  note_call(SYS_fork, a, r);
  if (r > 0) {
    kids[nkids].pid = r;
    kids[nkids++].status = STATUS_ANY;
  }
  return r;
}

static void
set_kid_status(int pid, int status)
{
  for (int i = 0; i < nkids; i++)
    if (kids[i].pid == pid)
      kids[i].status = status;
}

// Waits until child pid is reaped (reaping others on the way); its exit
// status, or STATUS_ANY if the quota ran out first.
static int
reap(int pid)
{
  uint64 status_at = heap_base;  // scratch heap: wait's output
  for (;;) {
    long r = call1(C_WAIT, status_at);
    if (r == -1)
      return STATUS_ANY;
    if (r == pid)
      return heap_int(status_at);
  }
}

// An address whose first byte the kernel may not write.
static uint64
unwritable_ptr(void)
{
  for (;;) {
    uint64 p;
    int r = below(3);
    if (r == 0)
      p = below(PGSIZE);  // text
    else if (r == 1 && nareas)
      p = area_ptr();  // a read-only or exec-only area, with luck
    else
      p = bad_ptr();
    if (access_of(p, 1) == ACC_BAD)
      return p;
  }
}

// Makes a pool file with a few pages, and maps it.
static void
op_map_file(void)
{
  int i = pool_file();
  long fd = i < 0 ? -1 : call2(C_OPEN, pool_path[i], O_CREATE | O_RDWR);
  if (fd < 0)
    return;
  call3(C_WRITE, fd, inbuf + below(PGSIZE), 1 + below(3 * PGSIZE));
  static const int prots[] = {
    PROT_READ, PROT_READ | PROT_WRITE, PROT_READ | PROT_WRITE, PROT_WRITE, PROT_EXEC,
  };
  int flags = (chance(60) ? MAP_SHARED : MAP_PRIVATE) | (chance(15) ? MAP_POPULATE : 0);
  call6(C_MMAP, 0, (1 + below(4)) * PGSIZE, PICK(prots), flags, fd, chance(80) ? 0 : PGSIZE);
  if (chance(50))
    call1(C_CLOSE, fd);
}

// A file area taken through mprotect, madvise and mincore in the order a
// program would: a page in the middle made PROT_NONE (the area is cut in
// three), its residency read, its pages dropped and asked for again, the
// old rights given back (the three join again), then unmapped.
static void
op_protect_cycle(void)
{
  int i = pool_file();
  long fd = i < 0 ? -1 : call2(C_OPEN, pool_path[i], O_CREATE | O_RDWR);
  if (fd < 0)
    return;
  call3(C_WRITE, fd, inbuf + below(PGSIZE), 1 + below(4 * PGSIZE));
  int prot = chance(50) ? PROT_READ : PROT_READ | PROT_WRITE;
  int flags = (chance(50) ? MAP_SHARED : MAP_PRIVATE) | (chance(30) ? MAP_POPULATE : 0);
  long p = call6(C_MMAP, 0, 4 * PGSIZE, prot, flags, fd, 0);
  call1(C_CLOSE, fd);
  if (p == -1)
    return;
  call3(C_MPROTECT, p + PGSIZE, PGSIZE, PROT_NONE);
  call3(C_MINCORE, p, 4 * PGSIZE, heap_base);  // its bytes: check_success
  call3(C_MADVISE, p + PGSIZE, 2 * PGSIZE, MADV_DONTNEED);
  call3(C_MADVISE, p, 4 * PGSIZE, chance(50) ? MADV_WILLNEED : (int)below(MADV_WILLNEED));
  call3(C_MPROTECT, p, 4 * PGSIZE, prot);
  call3(C_MINCORE, p, 4 * PGSIZE, heap_base);
  call2(C_MUNMAP, p, 4 * PGSIZE);
}

// An anonymous area, private or shared, which must read as zeros; when
// it is writable, a child stores into every page and exits, and the
// parent must see those stores exactly when the area is shared. Now and
// then with a descriptor or an offset, which mmap must refuse
// (mmap_must_fail says when).
static void
op_map_anon(void)
{
  static const int prots[] = {
    PROT_READ, PROT_READ | PROT_WRITE, PROT_READ | PROT_WRITE, PROT_WRITE | PROT_EXEC,
  };
  int shared = chance(50);
  int flags = MAP_ANONYMOUS | (shared ? MAP_SHARED : MAP_PRIVATE);
  int prot = PICK(prots);
  uint64 len = (1 + below(4)) * PGSIZE;
  if (chance(20)) {
    call6(C_MMAP, 0, len, prot, flags, chance(50) ? gen_fd() : (uint64)-1,
          chance(50) ? PGSIZE : 0);
    return;
  }
  long p = call6(C_MMAP, 0, len, prot, flags, (uint64)-1, 0);
  if (p == -1 || !(prot & PROT_WRITE))
    return;
  volatile char *m = (volatile char *)p;
  for (uint64 off = 0; off < len; off += PGSIZE / 2)
    if (m[off] != 0)
      violation("a fresh anonymous page is not zeros", m[off]);
  int pid = fork_child();
  if (pid == 0) {
    for (uint64 off = 0; off < len; off += PGSIZE / 2)
      m[off] = 0x5a;
    raw3(SYS_exit, 0, 0, 0);
  }
  if (pid <= 0)
    return;
  int st = reap(pid);
  if (st == STATUS_ANY)
    return;  // the quota ran out first
  if (st != 0)
    violation("a child storing into its writable anonymous area did not exit 0", st);
  for (uint64 off = 0; off < len; off += PGSIZE / 2)
    if (m[off] != (shared ? 0x5a : 0))
      violation(shared ? "a child's store into a shared anonymous area is not seen"
                       : "a child's store into a private anonymous area reached the parent",
                m[off]);
}

// read() of a file with data, into memory the kernel may not write,
// must fail.
static void
op_read_probe(void)
{
  int i = pool_file();
  long fd = i < 0 ? -1 : call2(C_OPEN, pool_path[i], O_CREATE | O_RDWR);
  if (fd < 0)
    return;
  if (call3(C_WRITE, fd, inbuf, 1 + below(PGSIZE)) > 0) {
    long fd2 = call2(C_OPEN, pool_path[i], O_RDONLY);
    if (fd2 >= 0) {
      long r = call3(C_READ, fd2, unwritable_ptr(), 1 + below(2 * PGSIZE));
      if (r != -1)
        violation("read of a file with data into memory it may not write succeeded", r);
      call1(C_CLOSE, fd2);
    }
  }
  call1(C_CLOSE, fd);
}

// Makes the break page aligned, with unmapped memory past it. 0 if the
// heap cannot end so now.
static int
align_heap(void)
{
  if (heap_end % PGSIZE)
    call2(C_SBRK, PGROUNDUP(heap_end) - heap_end, 0);
  return heap_end % PGSIZE == 0 && access_of(heap_end, 0) == ACC_BAD && !stopped;
}

// A write() whose source runs into unmapped memory part-way keeps
// exactly the bytes it reports (a short count) or none (-1), also after a
// later write to the same block and a cache drop (the failed write's
// bytes must not linger in a buffer to be logged later).
static void
op_write_probe(void)
{
  int i = pool_file(), len = 2 * PGSIZE;
  long fd = i < 0 || !align_heap() ? -1 : call2(C_OPEN, pool_path[i], O_CREATE | O_TRUNC | O_RDWR);
  if (fd < 0)
    return;
  long w = call3(C_WRITE, fd, inbuf, len);
  call1(C_CLOSE, fd);
  fd = w == len ? call2(C_OPEN, pool_path[i], O_RDWR) : -1;
  if (fd < 0)
    return;
  int k = 1 + below(200), n = k + 1 + below(300);
  char *src = (char *)(heap_end - k);
  for (int j = 0; j < k; j++)
    src[j] = (char)rnd();
  long r = call3(C_WRITE, fd, src, n);
  if (r != -1 && (r < 1 || r > k))
    violation("a write whose source ends part-way reported bytes it could not read", r);
  int kept = r > 0 ? r : 0;
  // To offset 500, in the same block, and write the byte already there.
  // (A read may fail for want of memory when other programs run too.)
  if (call3(C_READ, fd, check_buf, 500 - kept) == 500 - kept)
    call3(C_WRITE, fd, inbuf + 500, 1);
  call1(C_CLOSE, fd);
  call2(C_KNOB, KNOB_DROP, 0);
  fd = call2(C_OPEN, pool_path[i], O_RDONLY);
  long got = fd < 0 ? -1 : call3(C_READ, fd, check_buf, len);
  int err = last_err;
  if (stopped || fd < 0)
    return;
  call1(C_CLOSE, fd);
  if (got == -1 && err == ENOMEM)
    return;
  if (got != len)
    violation("a read of the whole probe file came back short", got);
  for (int j = 0; j < len; j++)
    if (check_buf[j] != (j < kept ? src[j] : inbuf[j]))
      violation("a failed or short write left bytes it did not report; first differing offset",
                j);
}

// A child asleep in pause is killed: kill succeeds, wait sees status -1.
static void
op_kill_child(void)
{
  int pid = fork_child();
  if (pid == 0) {
    raw3(SYS_pause, KILL_PAUSE, 0, 0);
    raw3(SYS_exit, 7, 0, 0);
  }
  if (pid < 0)
    return;
  long r = call1(C_KILL, pid);
  if (r != 0 && !stopped)
    violation("kill of a live child failed", last_err);
  set_kid_status(pid, -1);
  reap(pid);
}

// A child exits with a random status; wait must hand it over unchanged.
static void
op_exit_child(void)
{
  int status = (int)gen_arg(by_id[C_EXIT], K_STATUS);
  int pid = fork_child();
  if (pid == 0) {
    raw3(SYS_exit, (uint64)(long)status, 0, 0);
    raw3(SYS_exit, 99, 0, 0);  // exit returned: the parent sees 99
  }
  if (pid < 0)
    return;
  set_kid_status(pid, status);
  reap(pid);
}

// A file that starts as an ELF program but has one flaw exec must
// refuse, in check_buf; returns its length. The flaws: a short header, a
// wrong magic number, program headers past the end of the file, and a
// first loadable segment with memsz < filesz, a misaligned address, an
// end at TRAPFRAME, an end that wraps, file bytes past the end of the
// file, or a second segment below the first one's end. (No flaw-free
// layout is ever written: exec would run garbage.)
static int
build_fake_elf(void)
{
  memset(check_buf, 0, sizeof(struct elfhdr) + 4 * sizeof(struct proghdr));
  struct elfhdr *eh = (struct elfhdr *)check_buf;
  struct proghdr *ph = (struct proghdr *)(check_buf + sizeof(*eh));
  int flaw = below(9);
  eh->magic = flaw == 1 ? (uint)rnd() & ~0xffU : ELF_MAGIC;
  eh->entry = below(2 * PGSIZE);
  eh->phoff = flaw == 2 ? 1 << 20 : sizeof(*eh);
  eh->phnum = flaw == 8 ? 2 : 1 + below(3);
  eh->phentsize = sizeof(*ph);
  ph[0].type = ELF_PROG_LOAD;
  ph[0].flags = ELF_PROG_FLAG_R | (below(2) ? ELF_PROG_FLAG_X : ELF_PROG_FLAG_W);
  ph[0].memsz = PGSIZE;
  switch (flaw) {
  case 3: ph[0].memsz = 10; ph[0].filesz = 100; break;
  case 4: ph[0].vaddr = PGSIZE + 1 + below(PGSIZE - 1); break;
  case 5: ph[0].vaddr = TRAPFRAME - PGSIZE; ph[0].memsz = 2 * PGSIZE; break;
  case 6: ph[0].vaddr = ~(uint64)(PGSIZE - 1); ph[0].memsz = 2 * PGSIZE; break;
  case 7: ph[0].memsz = 2 * PGSIZE; ph[0].filesz = 100; ph[0].off = 1 << 20; break;
  case 8: ph[1] = ph[0]; break;  // both at 0: the second starts below the first's end
  default: ph[0].memsz = 10; ph[0].filesz = 100; break;  // 0-2: as 3, never reached
  }
  if (flaw == 0)
    return 20;
  return sizeof(*eh) + eh->phnum * sizeof(*ph) + below(64);
}

// exec of a crafted ELF file with a flaw: must fail, and leave this
// process as it was. The descriptor that wrote the file is closed first:
// exec refuses a file open for writing (ETXTBSY) before it looks at the
// flaw. The file is emptied again afterwards under the same name: a flaw
// may not survive later calls -- the 20-byte header grown by ftruncate,
// the far program headers coming into a file grown past them -- and a raw
// exec of the file could then get further than intended.
static void
op_fake_elf(void)
{
  int i = pool_file();
  long fd = i < 0 ? -1 : call2(C_OPEN, pool_path[i], O_CREATE | O_TRUNC | O_RDWR);
  if (fd < 0)
    return;
  call3(C_WRITE, fd, check_buf, build_fake_elf());
  call1(C_CLOSE, fd);
  call2(C_EXEC, pool_path[i], gen_argv());
  fd = call2(C_OPEN, pool_path[i], O_TRUNC | O_RDWR);
  if (fd >= 0)
    call1(C_CLOSE, fd);
}

// A heap grown lazily by HUGE_LAZY: a call writes its top page, a child
// is forked with it, and it shrinks back.
static void
op_huge_lazy(void)
{
  uint64 old = heap_end;
  if (heap_end + HUGE_LAZY + PGSIZE > lowest_area() || call2(C_SBRK, HUGE_LAZY, 1) == -1)
    return;
  long r = call1(C_KSTATS, heap_end - sizeof(struct kstats));
  static struct kstats ks;
  if (r != 0 && !stopped && kstats(&ks) == 0 && ks.free_pages >= LOW_MEMORY)
    violation("kstats into the top of a lazily grown heap failed", last_err);
  if (chance(50)) {
    int pid = fork_child();
    if (pid == 0)
      raw3(SYS_exit, 0, 0, 0);
    if (pid > 0) {
      set_kid_status(pid, 0);
      reap(pid);
    }
  }
  call2(C_SBRK, -(long)(heap_end - old), 0);
}

// An untouched area of HUGE_MAP bytes of a file: msync, fork and munmap
// of it must cost what is mapped, not its length.
static void
op_huge_map(void)
{
  int i = pool_file();
  long fd = i < 0 ? -1 : call2(C_OPEN, pool_path[i], O_CREATE | O_RDWR);
  if (fd < 0)
    return;
  int flags = chance(50) ? MAP_SHARED : MAP_PRIVATE;
  long p = call6(C_MMAP, 0, HUGE_MAP, PROT_READ | PROT_WRITE, flags, fd, 0);
  if (p != -1) {
    call3(C_MSYNC, p, HUGE_MAP, MS_SYNC);
    int pid = fork_child();
    if (pid == 0)
      raw3(SYS_exit, 0, 0, 0);
    if (pid > 0) {
      set_kid_status(pid, 0);
      reap(pid);
    }
    call2(C_MUNMAP, p, HUGE_MAP);
  }
  call1(C_CLOSE, fd);
}

static void raw_step(void);

// A child does a few memory and descriptor calls (none that change
// names: the parent's model of them must hold) and exits without
// cleaning up: mapped areas, dirty shared pages and open files go with it.
static void
op_fork_state(void)
{
  int pid = fork_child();
  if (pid == 0) {
    child_mode = 1;
    quota = ncalls + 6;
    while (ncalls < quota)
      raw_step();
    raw3(SYS_exit, 0, 0, 0);
  }
  if (pid > 0) {
    int st = reap(pid);
    if (st != 0 && st != STATUS_ANY)
      violation("a forked child failed (its lines above say why)", st);
  }
}

// A pipe carries bytes: what goes in comes out whole, then end of file.
// Both ends are open only inside this operation, with data in the pipe
// or its write end closed, so no read can wait.
static void
op_pipe(void)
{
  if (call1(C_PIPE, heap_base + 2 * sizeof(int)) != 0)
    return;
  int rfd = pipe_fds[0], wfd = pipe_fds[1], n = 1 + below(PIPE_BYTES);
  const char *src = inbuf + below(INBUF_SIZE - PIPE_BYTES);
  long w = call3(C_WRITE, wfd, src, n);
  call1(C_CLOSE, wfd);
  if (w != n && !stopped)
    violation("a write into an empty pipe with a reader was short or failed", w);
  int got = 0;
  long r;
  while ((r = call3(C_READ, rfd, check_buf + got, n + 1 - got)) > 0)
    got += r;
  call1(C_CLOSE, rfd);
  if (stopped)
    return;
  if (r != 0 || got != n)
    violation("a pipe did not give back what was written, then end of file", got);
  if (memcmp(check_buf, src, n) != 0)
    violation("a pipe changed the bytes written into it", n);
}

// chdir(path) in a child, which exits right after: the worker's own
// current directory stays J. (Going back to J after a chdir elsewhere
// is a path lookup, which fails while the workers hold every inode slot.)
static void
op_chdir(uint64 path)
{
  int pid = fork_child();
  if (pid == 0) {
    child_mode = 1;
    call1(C_CHDIR, path);  // checked in the child, which says why if not
    raw3(SYS_exit, 0, 0, 0);
  }
  if (pid > 0) {
    int st = reap(pid);
    if (st != 0 && st != STATUS_ANY)
      violation("a forked child failed (its lines above say why)", st);
  }
}

// Call numbers outside the list must fail.
static void
op_bad_number(void)
{
  static const long nums[] = {0, -1, INT_MIN_, 255, 1000, 1L << 20};
  long num = chance(70) ? max_call_num + 1 + (long)below(8) : PICK(nums);
  uint64 a[MAXCALLARGS];
  for (int i = 0; i < MAXCALLARGS; i++)
    a[i] = chance(50) ? gen_int() : gen_out();
  if (ncalls >= quota)
    return;
  long r = raw_call(num, a);
  ncalls++;
  note_call(num, a, r);
  if (r != -1 && !in_list(num))
    violation("a call number outside the list was accepted", r);
}

static void
typed_op(void)
{
  switch (below(22)) {
  case 0: case 1: case 2: case 3: case 4: case 5: op_map_file(); break;
  case 6: case 7: op_read_probe(); break;
  case 8: case 9: op_write_probe(); break;
  case 10: op_kill_child(); break;
  case 11: op_exit_child(); break;
  case 12: case 13: op_fake_elf(); break;
  case 14: op_huge_lazy(); break;
  case 15: op_huge_map(); break;
  case 16: op_pipe(); break;
  case 17: op_protect_cycle(); break;
  case 20: case 21: op_map_anon(); break;
  default: op_fork_state(); break;
  }
}

// ---------------------------------------------------------------- a worker

static int
child_safe(int id)
{
  static const int ok[] = {
    C_READ, C_WRITE, C_MMAP, C_MUNMAP, C_MSYNC, C_CLOSE, C_DUP, C_FSTAT, C_SBRK,
    C_KSTATS, C_GETPID, C_UPTIME, C_LSEEK, C_FTRUNCATE, C_FSYNC, C_MPROTECT, C_MADVISE,
    C_MINCORE,
  };
  for (int i = 0; i < NELEM(ok); i++)
    if (ok[i] == id)
      return 1;
  return 0;
}

// One call of the list with generated arguments.
static void
raw_step(void)
{
  struct call *c;
  do
    c = pick_call();
  while (child_mode && !child_safe(c->id));
  if (lowest_free_fd() < 0 && chance(70))
    c = by_id[C_CLOSE];  // a full table makes most calls fail early: free a slot
  if (c->id == C_EXIT) {
    op_exit_child();  // only ever in a child
    return;
  }
  uint64 a[MAXCALLARGS];
  for (int i = 0; i < MAXCALLARGS; i++)
    a[i] = i < c->nargs ? gen_arg(c, c->kind[i]) : chance(10) ? rnd() : 0;
  if (!sanitize(c, a))
    return;
  if (c->id == C_CHDIR && !child_mode && must_fail(c, a) == 0 && a[0] != (uint64)rel_dot &&
      a[0] != (uint64)rel_empty) {
    op_chdir(a[0]);  // a chdir that may work moves away from J: in a child
    return;
  }
  long r = issue(c, a);
  if (c->id == C_PIPE && r == 0)
    call1(C_CLOSE, pipe_fds[below(2)]);  // never both ends: see the top of the file
}

// Puts the worker back to a small state: children reaped, descriptors
// closed, areas unmapped, files emptied, heap back to its scratch part.
static void
housekeep(void)
{
  while (nkids > 0 && !stopped)
    if (call1(C_WAIT, 0) == -1)
      break;
  for (int fd = 0; fd < NOFILE; fd++)
    if (fdm[fd].kind != FK_NONE && fdm[fd].kind != FK_RESERVED)
      call1(C_CLOSE, fd);
  if (nareas)
    call2(C_MUNMAP, lowest_area(), TRAPFRAME - lowest_area());
  for (int i = 0; i < NPOOL; i++) {
    if (pool_def[i].canon != i || !parent_is_dir(i) || ptype(i) != NT_FILE)
      continue;
    long fd = call2(C_OPEN, pool_path[i], O_WRONLY | O_TRUNC);
    if (fd >= 0)
      call1(C_CLOSE, fd);
  }
  for (int i = 0; i < NSHARED; i++) {
    long fd = call2(C_OPEN, shared_path[i], O_WRONLY | O_TRUNC);
    if (fd >= 0)
      call1(C_CLOSE, fd);
  }
  if (heap_end != scratch_end)
    call2(C_SBRK, (long)scratch_end - (long)heap_end, 0);
  written = 0;
}

static void
join(char *dst, const char *a, const char *b)
{
  strcpy(dst, a);
  strcpy(dst + strlen(dst), b);
}

static void __attribute__((noreturn))
setup_failed(const char *what)
{
  printf("sysfuzz: FAILED: worker %d cannot start: %s (%s)\n", me, what, strerror(errno));
  exit(1);
}

// The worker's directory W, its junk directory J (its current directory
// from now on), the pool's paths, the edge strings, its scratch heap.
static void
setup_worker(void)
{
  char digit[2] = {'0' + me, 0};
  join(wdir, ROOT_DIR "/w", digit);
  join(jdir, wdir, "/j");
  join(self_path, wdir, "/.");
  for (int i = 0; i < NPOOL; i++) {
    join(pool_path[i], wdir, "/");
    strcpy(pool_path[i] + strlen(pool_path[i]), pool_def[i].rel);
  }
  for (int i = 0; i < NSHARED; i++) {
    char name[3] = {'s', '0' + i, 0};
    join(shared_path[i], ROOT_DIR "/", name);
  }
  join(long_ok, wdir, "/");
  for (int n = strlen(long_ok); n < MAXPATH - 1; n++)
    long_ok[n] = 'a';
  memset(too_long, 'a', MAXPATH);
  for (int i = 0; i < MAXARG + 2; i++)
    argv_many[i] = "a";
  for (int i = 0; i < INBUF_SIZE; i++)
    inbuf[i] = (char)rnd();
  if (mkdir(wdir) != 0 || mkdir(jdir) != 0 || chdir(jdir) != 0)
    setup_failed("cannot make its directories");
  for (int fd = 0; fd < NOFILE; fd++) {
    if (fd > 2)
      close(fd);
    fdm[fd].kind = fd > 2 ? FK_NONE : FK_RESERVED;
    fdm[fd].peer = -1;
  }
  mypid = getpid();
  last_uptime = uptime();
  uint64 sp = (uint64)&sp;
  heap_base = (uint64)sbrk(0);
  if (sp >= heap_base || sp < heap_base - PGSIZE)
    setup_failed("the stack is not the page below the heap");
  if (sbrk(SCRATCH_PAGES * PGSIZE) == SBRK_ERROR)
    setup_failed("cannot grow the heap");
  heap_end = scratch_end = heap_base + SCRATCH_PAGES * PGSIZE;
}

static void __attribute__((noreturn))
worker(int w, int s, uint64 calls_to_make, uint64 every, int verbose_calls)
{
  me = w;
  verbose = verbose_calls;
  seed = s;
  quota = calls_to_make;
  rng = stream_seed(s, w);
  setup_worker();
  init_calls();
  uint64 next_house = HOUSEKEEP_EVERY, next_report = every;
  while (ncalls < quota) {
    if (ncalls >= next_house || written > WRITE_BUDGET) {
      housekeep();
      next_house = ncalls + HOUSEKEEP_EVERY;
    }
    int r = below(100);
    if (r < BADNUM_PCT)
      op_bad_number();
    else if (r < BADNUM_PCT + TYPED_PCT)
      typed_op();
    else
      raw_step();
    if (every && ncalls >= next_report) {
      printf("sysfuzz: worker %d: %lu calls\n", me, ncalls);
      next_report += every;
    }
  }
  // op_kill_child's child sleeps KILL_PAUSE ticks: when the quota ran
  // out before its kill, it would hold everything up until then.
  for (int i = 0; i < nkids; i++)
    raw3(SYS_kill, kids[i].pid, 0, 0);
  while (wait(0) >= 0)  // no zombie left for the leak check
    ;
  if (verbose) {
    for (int i = 0; i < NCALLS; i++)
      printf("sysfuzz: worker %d: %s: %d succeeded, %d failed\n", me, calls[i].name,
             tally_ok[i], tally_failed[i]);
    for (int e = 1; e < NERRNO; e++)
      if (tally_errno[e])
        printf("sysfuzz: worker %d: %d failed with %s\n", me, tally_errno[e], strerror(e));
  }
  exit(0);
}

// ---------------------------------------------------------------- the churner

// Keeps dropping the cache and changing the harmless knobs, small cache
// limits included, until it is killed. The main process puts every knob
// back afterwards. It never turns on the disk's fault injection, the
// write-cache mode or a power cut: this file does not model their effects
// (a failed request, a lost write), so they would fail the run without a
// bug to find; disktest and the power-cut campaigns test them.
static void __attribute__((noreturn))
churner(int s, long limit0)
{
  static const long limits[] = {4, 8, 16, 32, 64, 256};
  rng = stream_seed(s, MAX_WORKERS);
  for (;;) {
    switch (below(10)) {
    case 0: case 1: knob(KNOB_DROP, 0); break;
    case 2:
      knob(KNOB_FAULTAROUND, 1L << below(7));
      knob(KNOB_FAULTAROUND_MAX, 1L << below(10));
      break;
    case 3: knob(KNOB_READAHEAD, below(WINDOW_MAX + 1)); break;
    case 4: knob(below(2) ? KNOB_SVADE : KNOB_HIT_LOCKLESS, below(2)); break;
    case 5: knob(KNOB_PC_LIMIT, PICK(limits)); break;
    case 6: knob(KNOB_PC_LIMIT, limit0); break;
    case 7: knob(KNOB_POLICY, below(2)); break;
    case 8: knob(KNOB_WB_RUN, below(2)); break;  // a write-back pass among the workers
    default: pause(1); break;
    }
  }
}

// ---------------------------------------------------------------- main

// The knobs a run may change, and a value each accepts (to read a knob,
// set it to that value and back: knob() returns the previous value).
static const struct {
  int which;
  long probe;
} saved_knobs[] = {
  {KNOB_POLICY, MMAP_POLICY_CACHE}, {KNOB_FAULTAROUND, 1}, {KNOB_FAULTAROUND_MAX, 1},
  {KNOB_READAHEAD, 0},
  {KNOB_SVADE, 0}, {KNOB_HIT_LOCKLESS, 1}, {KNOB_PC_LIMIT, 0}, {KNOB_LOOKUP_PAUSE, 0}, {KNOB_OP_PAUSE, 0},
  {KNOB_FREE_PAUSE, 0}, {KNOB_CRASH_AFTER_COMMIT, 0}, {KNOB_WB_EXPIRE, WB_KNOB_READ},
  {KNOB_WB_INTERVAL, WB_KNOB_READ}, {KNOB_WB_BACKGROUND, WB_KNOB_READ},
  {KNOB_WB_THROTTLE, WB_KNOB_READ}, {KNOB_MEGAPAGES, MEGA_ON},
};
static long knob_values[NELEM(saved_knobs)];

static void
save_knobs(void)
{
  for (int i = 0; i < NELEM(saved_knobs); i++) {
    knob_values[i] = knob(saved_knobs[i].which, saved_knobs[i].probe);
    knob(saved_knobs[i].which, knob_values[i]);
  }
}

// The knobs that stay off through a run: no worker call can turn them on
// (sanitize_knob), and a worker that reads one requires 0.
static const int off_knobs[] = {KNOB_DISK_FAIL_NTH, KNOB_DISK_FAIL_BLOCK, KNOB_WCACHE};

// 0 if every knob of off_knobs is off; else says which is on (and leaves
// it so) and returns 1.
static int
off_knobs_on(void)
{
  for (int i = 0; i < NELEM(off_knobs); i++) {
    long v = knob(off_knobs[i], 0);  // 0 is off: reads the knob
    if (v != 0) {
      knob(off_knobs[i], v);
      printf("sysfuzz: FAILED: cannot start: knob %d is on (%ld); fault injection and the "
             "write-cache mode must be off\n", off_knobs[i], v);
      return 1;
    }
  }
  return 0;
}

static int
restore_knobs(void)
{
  int bad = 0;
  for (int i = 0; i < NELEM(saved_knobs); i++) {
    if (knob(saved_knobs[i].which, knob_values[i]) < 0) {
      printf("sysfuzz: FAILED: cannot put knob %d back to %ld\n", saved_knobs[i].which,
             knob_values[i]);
      bad = 1;
    }
  }
  return bad;
}

// Removes path and everything below it. Returns 0, or 1 after saying
// what could not be removed.
static int
rm_tree(const char *path)
{
  int fd = open(path, O_RDONLY);  // fails for a device of a major with no driver
  struct stat st;
  int bad = 0;
  if (fd >= 0 && fstat(fd, &st) == 0 && st.type == T_DIR) {
    struct dirent de;
    char child[MAXPATH];
    int n = strlen(path);
    while (read(fd, &de, sizeof(de)) == sizeof(de)) {
      char name[DIRSIZ + 1];
      memmove(name, de.name, DIRSIZ);
      name[DIRSIZ] = 0;
      if (de.inum == 0 || strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
        continue;
      if (n + 1 + strlen(name) >= MAXPATH) {
        printf("sysfuzz: FAILED: %s/%s: path too long to remove\n", path, name);
        bad = 1;
        continue;
      }
      join(child, path, "/");
      strcpy(child + n + 1, name);
      bad |= rm_tree(child);
    }
  }
  if (fd >= 0)
    close(fd);
  if (unlink(path) != 0) {
    printf("sysfuzz: FAILED: cannot remove %s: %s\n", path, strerror(errno));
    bad = 1;
  }
  return bad;
}

// The files every worker shares, SHARED_SIZE bytes each. 0 or -1.
static int
make_shared(void)
{
  static char bytes[SHARED_SIZE];
  for (int i = 0; i < NSHARED; i++) {
    char path[PATHLEN], name[3] = {'s', '0' + i, 0};
    join(path, ROOT_DIR "/", name);
    memset(bytes, 'a' + i, SHARED_SIZE);
    int fd = open(path, O_CREATE | O_RDWR);
    if (fd < 0)
      return -1;
    int n = write(fd, bytes, SHARED_SIZE);
    close(fd);
    if (n != SHARED_SIZE)
      return -1;
  }
  return 0;
}

static int
gauges_back(const struct kstats *before)
{
  struct kstats after;
  knob(KNOB_DROP, 0);
  if (kstats(&after) != 0) {
    printf("sysfuzz: FAILED: kstats: %s\n", strerror(errno));
    return 0;
  }
  if (after.free_pages == before->free_pages && after.files_open == before->files_open &&
      after.inodes_cached == before->inodes_cached)
    return 1;
  printf("sysfuzz: FAILED: leak: free pages %lu -> %lu, open files %lu -> %lu, "
         "cached inodes %lu -> %lu\n",
         before->free_pages, after.free_pages, before->files_open, after.files_open,
         before->inodes_cached, after.inodes_cached);
  return 0;
}

static void __attribute__((noreturn))
usage(void)
{
  fprintf(2, "usage: sysfuzz [-p PROCS] [-n CALLS] [-s SEED] [-k 0|1] [-e EVERY] [-w WORKER] "
             "[-v 0|1|2]\n");
  exit(2);
}

struct options {
  int procs, seed, churn, only;
  long calls, every;
  int verbose;
};

static void
parse_options(int argc, char **argv, struct options *o)
{
  *o = (struct options){DEFAULT_WORKERS, 1, 1, -1, DEFAULT_CALLS, DEFAULT_EVERY};
  for (int i = 1; i < argc; i += 2) {
    if (argv[i][0] != '-' || argv[i][1] == 0 || argv[i][2] != 0 || i + 1 >= argc)
      usage();
    char *v = argv[i + 1];
    if (*v < '0' || *v > '9')
      usage();
    long n = 0;
    for (; *v >= '0' && *v <= '9'; v++)
      n = n * 10 + (*v - '0');
    switch (argv[i][1]) {
    case 'p': o->procs = n; break;
    case 'n': o->calls = n; break;
    case 's': o->seed = n; break;
    case 'k': o->churn = n != 0; break;
    case 'e': o->every = n; break;
    case 'w': o->only = n; break;
    case 'v': o->verbose = n; break;
    default: usage();
    }
  }
  if (o->procs < 1 || o->procs > MAX_WORKERS || o->only >= MAX_WORKERS || o->calls < 1)
    usage();
  if (o->only >= 0)
    o->procs = 1;
}

// Starts the workers; pids[i] is worker i's (or -1). The workers are
// numbered from o->only when it is given.
static void
start_workers(const struct options *o, int *pids)
{
  for (int i = 0; i < o->procs; i++) {
    int w = o->only >= 0 ? o->only : i;
    uint64 share = o->calls / o->procs + (i == 0 ? o->calls % o->procs : 0);
    pids[i] = fork();
    if (pids[i] == 0)
      worker(w, o->seed, share, o->every, o->verbose);
    if (pids[i] < 0)
      printf("sysfuzz: FAILED: cannot fork worker %d\n", w);
  }
}

// Waits for every worker; after the first failure the others are
// stopped. Returns how many failed.
static int
wait_workers(const struct options *o, int *pids)
{
  int failed = 0, left = 0;
  for (int i = 0; i < o->procs; i++)
    left += pids[i] > 0;
  failed = o->procs - left;
  while (left > 0) {
    int st, pid = wait(&st), i = 0;
    while (i < o->procs && pids[i] != pid)
      i++;
    if (i == o->procs)
      continue;  // the churner, killed early? It is waited for below.
    left--;
    pids[i] = -1;
    if (st == 0)
      continue;
    int w = o->only >= 0 ? o->only : i;
    if (failed++ == 0)
      for (int j = 0; j < o->procs; j++)
        if (pids[j] > 0)
          kill(pids[j]);
    if (st != 1)
      printf("sysfuzz: FAILED: worker %d ended with status %d (killed: -1)\n", w, st);
  }
  return failed;
}

int
main(int argc, char **argv)
{
  struct options o;
  struct kstats before;
  int pids[MAX_WORKERS];
  parse_options(argc, argv, &o);
  own_program_pages();  // exec maps this program lazily: all of it before the leak check's count
  if (off_knobs_on())
    exit(1);
  save_knobs();
  struct stat st;
  if (stat(ROOT_DIR, &st) == 0 && rm_tree(ROOT_DIR) != 0)
    exit(1);
  knob(KNOB_DROP, 0);
  if (kstats(&before) != 0 || mkdir(ROOT_DIR) != 0 || make_shared() != 0) {
    printf("sysfuzz: FAILED: cannot start: %s\n", strerror(errno));
    exit(1);
  }
  start_workers(&o, pids);
  int churn_pid = o.churn ? fork() : -1;
  if (churn_pid == 0)
    churner(o.seed, knob_values[4]);
  int failed = wait_workers(&o, pids);
  if (churn_pid > 0) {
    kill(churn_pid);
    while (wait(0) >= 0)
      ;
  }
  failed += restore_knobs();
  failed += rm_tree(ROOT_DIR);
  if (stat(ROOT_DIR, &st) == 0) {
    printf("sysfuzz: FAILED: %s is still there\n", ROOT_DIR);
    failed++;
  }
  failed += !gauges_back(&before);
  if (failed) {
    printf("sysfuzz: FAILED: seed %d\n", o.seed);
    exit(1);
  }
  printf("sysfuzz: %ld calls, seed %d: OK\n", o.calls, o.seed);
  exit(0);
}
