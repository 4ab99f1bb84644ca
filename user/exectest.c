// exectest.c -- tests of exec: a program mapped from the page cache (its
// text shared read+exec by every process running it, its data
// copy-on-write from the cache pages, its bss and the partial last page of
// its data private zeroed memory), the ELF checks, and the rule that a
// running program's file is not written, nor a file being written run
// (ETXTBSY).
//
// Usage: exectest [NAME]      run every test (or only test NAME) under the
//                             kernel's current knobs, printed first; make
//                             test runs it under both policies and with
//                             store-fault dirty tracking
//        exectest -h MODE ... (helper modes; the tests exec them, from a
//                             copy of this program, PROG, or from
//                             /exectest itself)
//          code        exit with code_marker()'s value: CODE_ORIG unless
//                      a test has patched the file
//          hold        map the whole program, say so with a byte on fd 1,
//                      then wait for end-of-file on fd 0
//          fork        fork a child that does as hold; exit at once
//          check PATH POLICY  check this image, whose file is PATH, loaded
//                      under POLICY (naive or cache): bss and the
//                      tail of the last data page zero, data as in the
//                      file, text stores killed and read() into text
//                      refused, data stores private to the storer (copied
//                      from the cache page under the cache policy) and
//                      never in the file, fork and calls after exec fine
//
// Under the naive policy exec copies the program (the old design, kept
// as the benchmark's baseline); each test says what it expects of either.
// Each test runs in a forked child and is leak-checked (testlib.h's
// run_leak_checked: free pages, open files and cached inodes as before).
//
// Writing tests here. The user stack is one page: keep buffers static.
// A helper's output goes to its fd 1, which may be a pipe.

#include "kernel/param.h"
#include "kernel/fcntl.h"
#include "kernel/types.h"
#include "kernel/stat.h"
#include "kernel/riscv.h"
#include "kernel/errno.h"
#include "kernel/elf.h"
#include "kernel/memlayout.h"
#include "kernel/kstats.h"
#include "kernel/knobs.h"
#include "kernel/procinfo.h"
#include "user/user.h"
#include "user/testlib.h"

#define PG PGSIZE
#define SELF "/exectest"
#define PROG "ex_prog"       // a copy of SELF that tests change, run and remove
#define BAD "ex_bad"         // ELF files with one flaw each
#define HOLDERS 8            // processes running one program at once
#define EXEC_FAILED 100      // a child's status when its exec failed: 100 + errno
#define CODE_ORIG 17         // what code_marker returns unless patched
#define DATA_WORD 0x6578656364617461UL  // every word of data_words
#define DATA_WORDS (3 * PG / 8 + 37)    // three pages and a bit
#define TABLE_PAGES 6        // a process's page-table pages and trapframe
#define SLACK_PAGES 2        // share_text: what else a holder may cost
#define LOW_FREE 256         // memory_pressure: free pages the hog leaves
#define LIMIT 4              // cache_limit: file pages the cache may hold

// Data over several pages, in the file (.data): the whole pages are mapped
// from the cache, the rest is the partial last page exec copies.
static uint64 data_words[DATA_WORDS] = {[0 ... DATA_WORDS - 1] = DATA_WORD};
static char bss_pages[2 * PG + 100];  // .bss over more than a page
static long policy = -1;              // MMAP_POLICY_*, read in main (in .data:
                                      // helper_check reads bss untouched)
static char buf[16 * PG];             // file copies and reads
#define HDR_BYTES 512                 // an ELF file's headers, within its first page
static char hdr[HDR_BYTES];           // a flawed header (bad_elf)
static struct procinfo procs[NPROC];

// A function a test can find in the program file and patch: its first
// instruction loads CODE_ORIG into a0, and a word no other place holds
// follows its return. Uncompressed, so that the instruction is the
// 32-bit ADDI below.
#define ADDI_A0(imm) (((uint32)(imm) << 20) | 0x513)  // addi a0, zero, imm
#define CODE_MARK 0x7e5c0de1U
int code_marker(void);
asm(".pushsection .text\n"
    ".option push\n"
    ".option norvc\n"
    ".balign 4\n"
    ".globl code_marker\n"
    ".type code_marker, @function\n"
    "code_marker:\n"
    "  addi a0, zero, 17\n"
    "  ret\n"
    "  .word 0x7e5c0de1\n"
    ".option pop\n"
    ".popsection\n");
_Static_assert(CODE_ORIG == 17, "code_marker's immediate is CODE_ORIG");

// ---------------------------------------------------------------------------
// Fixtures

// Where this program's two segments lie, in memory and in its file.
struct layout {
  uint64 size;                                  // the file's
  uint64 text_off, text_va, text_filesz;
  uint64 data_off, data_va, data_filesz, data_memsz;
};

// Reads path's layout into *l. Stores only on the stack (and, failing,
// into errno), so that helper_check can call it before it looks at its
// own bss.
static void
read_layout(const char *path, struct layout *l)
{
  char h[HDR_BYTES];
  int fd = open(path, O_RDONLY);
  CHECK(fd >= 0, "cannot open %s, errno %d", path, errno);
  struct stat st;
  CHECK(fstat(fd, &st) == 0 && read(fd, h, HDR_BYTES) == HDR_BYTES,
        "cannot read %s's header", path);
  close(fd);
  struct elfhdr *eh = (struct elfhdr *)h;
  CHECK(eh->phoff + 2 * sizeof(struct proghdr) <= HDR_BYTES, "%s: headers past %d bytes", path,
        HDR_BYTES);
  struct proghdr *ph = (struct proghdr *)(h + eh->phoff);
  CHECK(eh->magic == ELF_MAGIC && eh->phnum == 2 && ph[0].type == ELF_PROG_LOAD &&
        ph[1].type == ELF_PROG_LOAD && (ph[0].flags & ELF_PROG_FLAG_X) &&
        (ph[1].flags & ELF_PROG_FLAG_W),
        "%s: not the two segments user.ld makes", path);
  l->size = st.size;
  l->text_off = ph[0].off;
  l->text_va = ph[0].vaddr;
  l->text_filesz = ph[0].filesz;
  l->data_off = ph[1].off;
  l->data_va = ph[1].vaddr;
  l->data_filesz = ph[1].filesz;
  l->data_memsz = ph[1].memsz;
}

// Copies from to to (created afresh); returns its size.
static uint64
copy_file(const char *from, const char *to)
{
  int in = open_or_fail(from, O_RDONLY);
  unlink(to);
  int out = open_or_fail(to, O_CREATE | O_RDWR);
  uint64 size = 0;
  int n;
  while ((n = read(in, buf, sizeof(buf))) > 0) {
    CHECK(write(out, buf, n) == n, "write to %s failed, errno %d", to, errno);
    size += n;
  }
  CHECK(n == 0, "read of %s failed, errno %d", from, errno);
  close(in);
  close(out);
  return size;
}

// Writes n bytes of data at offset off of path.
static void
write_at(const char *path, uint64 off, const void *data, int n)
{
  int fd = open_or_fail(path, O_RDWR);
  CHECK(lseek(fd, off, SEEK_SET) == (long)off, "lseek failed");
  CHECK(write(fd, data, n) == n, "write to %s failed, errno %d", path, errno);
  close(fd);
}

// Reads n bytes at offset off of path into dst.
static void
read_at(const char *path, uint64 off, void *dst, int n)
{
  int fd = open_or_fail(path, O_RDONLY);
  CHECK(lseek(fd, off, SEEK_SET) == (long)off, "lseek failed");
  CHECK(read(fd, dst, n) == n, "read of %s failed", path);
  close(fd);
}

static int
is_naive(void)
{
  return policy == MMAP_POLICY_NAIVE;
}

// Runs path -h mode [arg POLICY] in a child, POLICY being "naive" or
// "cache" (a helper cannot read the knob without setting it, and other
// processes may exec meanwhile); returns its exit status (EXEC_FAILED +
// errno if its exec failed).
static int
run(const char *path, char *mode, char *arg)
{
  int pid = fork();
  CHECK(pid >= 0, "fork failed");
  if (pid == 0) {
    char *argv[] = {(char *)path, "-h", mode, arg, is_naive() ? "naive" : "cache", 0};
    exec(path, argv);
    exit(EXEC_FAILED + errno);
  }
  int st = -99;
  CHECK(wait(&st) == pid, "wait lost the child");
  return st;
}

// Processes running path -h hold (or fork), started and stopped together.
struct holders {
  int ready, go;  // their fd 1's read end, their fd 0's write end
  int pids[HOLDERS];
  int n;
};

static void
start_holders(struct holders *h, const char *path, char *mode, int n)
{
  int ready[2], go[2];
  CHECK(pipe(ready) == 0 && pipe(go) == 0, "pipe failed");
  for (int i = 0; i < n; i++) {
    int pid = fork();
    CHECK(pid >= 0, "fork failed");
    if (pid == 0) {
      close(0);
      dup(go[0]);
      close(1);
      dup(ready[1]);
      close(go[0]), close(go[1]), close(ready[0]), close(ready[1]);
      char *argv[] = {(char *)path, "-h", mode, 0};
      exec(path, argv);
      exit(EXEC_FAILED + errno);
    }
    h->pids[i] = pid;
  }
  close(ready[1]);
  close(go[0]);
  for (int i = 0; i < n; i++) {
    char c;
    CHECK(read(ready[0], &c, 1) == 1 && c == 'r', "holder %d of %s did not start", i, path);
  }
  h->ready = ready[0];
  h->go = go[1];
  h->n = n;
}

// Ends the holders (end of file on their fd 0) and waits until every
// process that held the program is gone: its own children are reaped
// here; a holder's forked child (mode fork) is init's, and its end is
// seen when the last write end of `ready` closes.
static void
stop_holders(struct holders *h, int reap)
{
  close(h->go);
  if (reap)
    reap_all(h->pids, h->n, "holder");
  char c;
  CHECK(read(h->ready, &c, 1) == 0, "a holder wrote more than its byte");
  close(h->ready);
}

// Waits until no process called name is left, not even a zombie (an
// orphan's is init's to reap).
static void
await_gone(const char *name)
{
  for (int tries = 0; tries < 100; tries++) {
    int n = procinfo(procs, NPROC), left = 0;
    CHECK(n > 0, "procinfo failed, errno %d", errno);
    for (int i = 0; i < n; i++)
      left += strcmp(procs[i].name, name) == 0;
    if (left == 0)
      return;
    pause(1);
  }
  FAIL("a process called %s is still there after 10 seconds", name);
}

// The resident pages of the processes called name: all the same, or the
// test fails; how many there are in *count.
static uint64
pages_of(const char *name, int *count)
{
  int n = procinfo(procs, NPROC);
  CHECK(n > 0, "procinfo failed, errno %d", errno);
  uint64 pages = 0;
  *count = 0;
  for (int i = 0; i < n; i++) {
    if (strcmp(procs[i].name, name) != 0)
      continue;
    CHECK(*count == 0 || procs[i].pages == pages, "%s processes hold %d and %d pages", name,
          (int)pages, (int)procs[i].pages);
    pages = procs[i].pages;
    (*count)++;
  }
  return pages;
}

// ---------------------------------------------------------------------------
// Helpers (exec'd by the tests)

static void
helper_hold(void)
{
  own_program_pages();
  char c = 'r';
  if (write(1, &c, 1) != 1)
    exit(1);
  while (read(0, &c, 1) == 1)
    ;
  exit(0);
}

static void
helper_fork(void)
{
  int pid = fork();
  if (pid == 0)
    helper_hold();
  exit(pid > 0 ? 0 : 1);
}

// Does the page at pg hold x?
static int
holds(uint64 pg, const void *x)
{
  return (uint64)x >= pg && (uint64)x < pg + PG;
}

// The whole data pages of the image, which the cache policy maps from the
// cache, but for the one holding the small data the helper has stored to
// already (current_test, policy): one word in each, inside data_words.
// Returns how many.
static int
whole_data_pages(struct layout *l, uint64 **words)
{
  int n = 0;
  for (uint64 pg = l->data_va; pg + PG <= l->data_va + l->data_filesz; pg += PG) {
    if (holds(pg, &current_test) || holds(pg, &policy))
      continue;
    uint64 *w = (uint64 *)(pg + PG - 8);
    CHECK(w >= data_words && w < data_words + DATA_WORDS, "data page %p is not data_words'",
          (void *)pg);
    words[n++] = w;
  }
  return n;
}

static void
store_text(uint64 unused)
{
  store_at((uint64)code_marker);
}

static void
fork_after_exec(void)
{
  int pid = fork();
  CHECK(pid >= 0, "fork after exec failed");
  if (pid == 0) {
    CHECK(code_marker() == CODE_ORIG && data_words[DATA_WORDS - 1] == DATA_WORD,
          "the child of an exec'd process sees its program wrong");
    int gpid = fork();
    if (gpid == 0)
      exit(code_marker() == CODE_ORIG ? 0 : 1);
    int st = -99;
    CHECK(wait(&st) == gpid && st == 0, "the grandchild exited with %d", st);
    exit(0);
  }
  reap(pid, 0, "child forked after exec");
}

static void
helper_check(const char *path)
{
  struct layout l;
  read_layout(path, &l);
  // bss -- the tail of the partial data page included -- is zero: nothing
  // has stored to it yet.
  for (uint64 a = l.data_va + l.data_filesz; a < l.data_va + l.data_memsz; a++)
    if (*(volatile char *)a != 0)
      FAIL("bss byte at %p is %d, want 0", (void *)a, *(volatile char *)a);
  current_test = "check";
  for (int i = 0; i < DATA_WORDS; i++)
    CHECK(data_words[i] == DATA_WORD, "data word %d is %p", i, (void *)data_words[i]);
  CHECK(code_marker() == CODE_ORIG, "code_marker returned %d", code_marker());

  // Text: a store kills, and read() into it is refused.
  expect_killed(store_text, 0, "a store to text");
  int fd = open_or_fail(path, O_RDONLY);
  CHECK(read(fd, (char *)code_marker, 8) == -1 && errno == EFAULT,
        "read() into text did not fail with EFAULT");
  close(fd);
  CHECK(code_marker() == CODE_ORIG, "text changed");

  // Data: a store to a page mapped from the cache copies it (cache policy);
  // a copied program's pages are the process's own already.
  static uint64 *words[DATA_WORDS / (PG / 8) + 1];
  int npages = whole_data_pages(&l, words);
  CHECK(npages >= 2, "only %d whole data pages not stored to", npages);
  static struct kstats k0, k1;
  read_kstats(&k0);
  for (int i = 0; i < npages; i++)
    *words[i] = DATA_WORD + 1;
  read_kstats(&k1);
  int copies = k1.cow_copies - k0.cow_copies;
  CHECK(copies == (is_naive() ? 0 : npages), "stores to %d data pages made %d copies",
        npages, copies);

  // ... and stays this process's: a child's stores are its own, and none
  // reaches the file.
  int pid = fork();
  CHECK(pid >= 0, "fork failed");
  if (pid == 0) {
    for (int i = 0; i < DATA_WORDS; i++)
      data_words[i] = 7;
    memset(bss_pages, 7, sizeof(bss_pages));
    exit(0);
  }
  reap(pid, 0, "storing child");
  for (int i = 0; i < npages; i++)
    CHECK(*words[i] == DATA_WORD + 1, "data page %d changed by a child", i);
  for (int i = 0; i < sizeof(bss_pages); i++)
    CHECK(bss_pages[i] == 0, "bss byte %d changed by a child", i);
  read_at(path, l.data_off, buf, PG);
  uint64 *file = (uint64 *)buf;
  uint64 first = (uint64)data_words - l.data_va;  // data_words' offset in the segment
  CHECK(first < PG, "data_words starts %d bytes into the data", (int)first);
  for (uint64 i = 0; i < (PG - first) / 8; i++)
    CHECK(file[first / 8 + i] == DATA_WORD, "the file's data word %d is %p", (int)i,
          (void *)file[first / 8 + i]);
  fork_after_exec();
  exit(0);
}

static void
helper(int argc, char *argv[])
{
  current_test = "helper";
  if (strcmp(argv[2], "code") == 0)
    exit(code_marker());
  if (strcmp(argv[2], "hold") == 0)
    helper_hold();
  if (strcmp(argv[2], "fork") == 0)
    helper_fork();
  if (strcmp(argv[2], "check") == 0 && argc == 5) {
    policy = strcmp(argv[4], "naive") == 0 ? MMAP_POLICY_NAIVE : MMAP_POLICY_CACHE;
    helper_check(argv[3]);
  }
  printf("exectest: unknown helper mode %s\n", argv[2]);
  exit(2);
}

// ---------------------------------------------------------------------------
// Tests

// The image exec makes, checked from inside (helper_check), for a file
// nobody runs and for this program's own file, which runs already. The
// tail of the partial data page must be zero although the file holds
// other bytes there (the sections after the data).
static void
image(void)
{
  copy_file(SELF, PROG);
  struct layout l;
  read_layout(PROG, &l);
  CHECK(l.data_filesz % PG != 0 && l.data_memsz > l.data_filesz,
        "the data segment has no partial page and bss");
  uint64 tail = l.data_off + l.data_filesz, n = PG - tail % PG;
  CHECK(tail + n <= l.size, "the file ends inside the partial data page");
  read_at(PROG, tail, buf, n);
  int nonzero = 0;
  for (uint64 i = 0; i < n; i++)
    nonzero += buf[i] != 0;
  CHECK(nonzero > 0, "the file holds only zeros after the data: the test shows nothing");
  CHECK(run(PROG, "check", PROG) == 0, "the check of %s failed", PROG);
  CHECK(run(SELF, "check", SELF) == 0, "the check of %s failed", SELF);
  CHECK(unlink(PROG) == 0, "unlink failed");
}

// Where code_marker's instruction is in a copy of this program: checked
// against what it must hold there.
static uint64
code_offset(const char *path)
{
  struct layout l;
  read_layout(path, &l);
  uint64 off = l.text_off + ((uint64)code_marker - l.text_va);
  uint32 words[3];
  read_at(path, off, words, sizeof(words));
  CHECK(words[0] == ADDI_A0(CODE_ORIG) && words[2] == CODE_MARK,
        "code_marker in the file: %p ... %p", (void *)(uint64)words[0], (void *)(uint64)words[2]);
  return off;
}

// A program changed through a shared mapping, then through write(), runs
// the new code at its next exec.
static void
changed_program(void)
{
  uint64 size = copy_file(SELF, PROG);
  uint64 off = code_offset(PROG);
  CHECK(run(PROG, "code", 0) == CODE_ORIG, "the copy does not return %d", CODE_ORIG);

  int fd = open_or_fail(PROG, O_RDWR);
  char *p = mmap(0, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  CHECK(p != MAP_FAILED, "mmap failed, errno %d", errno);
  close(fd);
  *(uint32 *)(p + off) = ADDI_A0(42);
  CHECK(munmap(p, size) == 0, "munmap failed");
  int st = run(PROG, "code", 0);
  CHECK(st == 42, "after a store through a shared mapping: status %d, want 42", st);

  uint32 insn = ADDI_A0(43);
  write_at(PROG, off, &insn, sizeof(insn));
  st = run(PROG, "code", 0);
  CHECK(st == 43, "after write(): status %d, want 43", st);
  CHECK(code_marker() == CODE_ORIG, "this process's own code changed");
  CHECK(unlink(PROG) == 0, "unlink failed");
}

// ELF files with one flaw each: exec fails with ENOEXEC and the caller's
// program goes on as before. A case changes the header page of a copy of
// this program (hdr: the ELF header and program headers, then the text's
// first page at PG) or the file's size.
enum {
  BAD_MAGIC, BAD_PHNUM, BAD_PHOFF, BAD_PHOFF_WRAP, BAD_PHENTSIZE, BAD_FILESZ,
  BAD_OVERLAP, BAD_ORDER, BAD_TRAPFRAME, BAD_KERNEL, BAD_WRAP, BAD_VADDR_ALIGN,
  BAD_OFF_ALIGN, BAD_PAST_EOF, BAD_OFF_WRAP, BAD_ENTRY_DATA, BAD_ENTRY_NOWHERE,
  BAD_NO_LOAD, BAD_SEGMENTS, BAD_TRUNCATED, BAD_SHORT, BAD_EMPTY, BAD_NCASES
};

static const char *const bad_names[BAD_NCASES] = {
  [BAD_MAGIC] = "bad magic",
  [BAD_PHNUM] = "65535 program headers",
  [BAD_PHOFF] = "program headers past the end of the file",
  [BAD_PHOFF_WRAP] = "program header offset wrapping",
  [BAD_PHENTSIZE] = "program headers of another size",
  [BAD_FILESZ] = "filesz > memsz",
  [BAD_OVERLAP] = "data overlapping text",
  [BAD_ORDER] = "data before text",
  [BAD_TRAPFRAME] = "a segment reaching TRAPFRAME",
  [BAD_KERNEL] = "a segment at a kernel address",
  [BAD_WRAP] = "a segment wrapping around",
  [BAD_VADDR_ALIGN] = "a misaligned address",
  [BAD_OFF_ALIGN] = "a misaligned file offset",
  [BAD_PAST_EOF] = "segment bytes past the end of the file",
  [BAD_OFF_WRAP] = "a file offset wrapping",
  [BAD_ENTRY_DATA] = "the entry point in data",
  [BAD_ENTRY_NOWHERE] = "the entry point in no segment",
  [BAD_NO_LOAD] = "no loadable segment",
  [BAD_SEGMENTS] = "more segments than exec maps",
  [BAD_TRUNCATED] = "the file cut inside the data",
  [BAD_SHORT] = "a 20-byte file",
  [BAD_EMPTY] = "an empty file",
};

// Applies flaw `kind` to h (a copy of this program's header page) and
// returns the size the file must be cut to (or size, unchanged).
static uint64
apply_flaw(int kind, char *h, uint64 size)
{
  struct elfhdr *eh = (struct elfhdr *)h;
  struct proghdr *text = (struct proghdr *)(h + eh->phoff), *data = text + 1;
  switch (kind) {
  case BAD_MAGIC: eh->magic ^= 1U << 24; break;
  case BAD_PHNUM: eh->phnum = 0xffff; break;
  case BAD_PHOFF: eh->phoff = size - sizeof(struct proghdr) + 8; break;
  case BAD_PHOFF_WRAP: eh->phoff = ~0UL - 15; break;
  case BAD_PHENTSIZE: eh->phentsize = sizeof(struct proghdr) + 8; break;
  case BAD_FILESZ: data->memsz = data->filesz - 8; break;
  case BAD_OVERLAP: data->vaddr = PGROUNDUP(text->vaddr + text->memsz) - PG; break;
  case BAD_ORDER: {
    struct proghdr t = *text;
    *text = *data;
    *data = t;
    break;
  }
  case BAD_TRAPFRAME: data->vaddr = TRAPFRAME - PG; data->memsz = 2 * PG; break;
  case BAD_KERNEL: data->vaddr = 0xffffffc000000000UL; break;
  case BAD_WRAP: data->vaddr = ~0UL - PG + 1; data->memsz = 2 * PG; break;
  case BAD_VADDR_ALIGN: data->vaddr += 16; data->off += 16; break;
  case BAD_OFF_ALIGN: data->off += 8; break;
  case BAD_PAST_EOF:
    data->filesz = size - data->off + 1;
    data->memsz = data->filesz + PG;
    break;
  case BAD_OFF_WRAP: data->off = ~0UL - PG + 1; break;
  case BAD_ENTRY_DATA: eh->entry = data->vaddr; break;
  case BAD_ENTRY_NOWHERE: eh->entry = 0x40000000; break;
  case BAD_NO_LOAD: text->type = data->type = 0; break;
  case BAD_SEGMENTS:
    // Three more segments after the data, each a whole page of file bytes
    // and then bss, two areas each: 1 + 2 + 6 areas, one more than
    // VMA_PROG_MAX (8).
    for (int i = 0; i < 3; i++) {
      struct proghdr *x = data + 1 + i;
      *x = *data;
      x->vaddr = PGROUNDUP(data->vaddr + data->memsz) + (i + 1) * 4 * PG;
      x->off = data->off;
      x->filesz = PG + 100;
      x->memsz = 3 * PG;
    }
    eh->phnum = 5;
    break;
  case BAD_TRUNCATED: return data->off + data->filesz / 2;
  case BAD_SHORT: return 20;
  case BAD_EMPTY: return 0;
  }
  return size;
}

// In a child: exec of BAD must fail with ENOEXEC, and this program must
// still be whole (code, data, heap).
static void
exec_bad(uint64 unused)
{
  char *heap = sbrk(PG);
  CHECK(heap != SBRK_ERROR, "sbrk failed");
  memset(heap, 0x33, PG);
  char *argv[] = {BAD, "-h", "code", 0};
  int r = exec(BAD, argv);
  int e = errno;
  CHECK(r == -1, "exec returned %d", r);
  CHECK(e == ENOEXEC, "exec failed with errno %d (%s), want ENOEXEC", e, strerror(e));
  for (int i = 0; i < PG; i++)
    CHECK(heap[i] == 0x33, "the heap changed");
  for (int i = 0; i < DATA_WORDS; i++)
    CHECK(data_words[i] == DATA_WORD, "the data changed");
  CHECK(code_marker() == CODE_ORIG, "the text changed");
}

static void
bad_elf(void)
{
  uint64 size = copy_file(SELF, BAD);
  static char orig[HDR_BYTES];
  read_at(BAD, 0, orig, HDR_BYTES);
  struct elfhdr *eh = (struct elfhdr *)orig;
  struct proghdr *text = (struct proghdr *)(orig + eh->phoff);
  CHECK(eh->phoff + 5 * sizeof(struct proghdr) <= HDR_BYTES && text->off >= HDR_BYTES,
        "the headers do not fit in %d bytes", HDR_BYTES);
  // The copy runs as it is: each failure below is its flaw's.
  int st = run(BAD, "code", 0);
  CHECK(st == CODE_ORIG, "the unchanged copy: status %d", st);
  for (int kind = 0; kind < BAD_NCASES; kind++) {
    memmove(hdr, orig, HDR_BYTES);
    uint64 cut = apply_flaw(kind, hdr, size);
    write_at(BAD, 0, hdr, HDR_BYTES);
    if (cut < size) {
      int fd = open_or_fail(BAD, O_RDWR);
      CHECK(ftruncate(fd, cut) == 0, "ftruncate failed");
      close(fd);
    }
    current_test = bad_names[kind];
    expect_survives(exec_bad, 0, "exec of a flawed ELF file");
  }
  current_test = "bad_elf";
  // Not programs at all.
  char *argv[] = {"x", 0};
  CHECK(exec("/", argv) == -1 && errno == ENOEXEC, "exec of a directory: errno %d", errno);
  CHECK(exec("/console", argv) == -1 && errno == ENOEXEC, "exec of a device: errno %d", errno);
  CHECK(unlink(BAD) == 0, "unlink failed");
}

// HOLDERS processes run one program: under the cache policy its text is
// in memory once, whatever their number, and each costs only its private
// pages; under the naive policy each has a copy of all of it.
static void
share_text(void)
{
  copy_file(SELF, PROG);
  struct layout l;
  read_layout(PROG, &l);
  uint64 text = PGROUNDUP(l.text_filesz) / PG;
  knob(KNOB_DROP, 0);
  struct kstats k0, k1, k8;
  struct holders first, rest;
  read_kstats(&k0);
  start_holders(&first, PROG, "hold", 1);
  read_kstats(&k1);
  start_holders(&rest, PROG, "hold", HOLDERS - 1);
  read_kstats(&k8);
  int count;
  uint64 each = pages_of(PROG, &count);
  CHECK(count == HOLDERS, "%d processes run %s, want %d", count, PROG, HOLDERS);
  long cost = ((long)k1.free_pages - (long)k8.free_pages) / (HOLDERS - 1);
  int copied = k8.exec_copied - k0.exec_copied;
  int mapped = k8.exec_mapped - k0.exec_mapped;
  printf("note: %d processes running a %d-page text: %d pages each, each after the first "
         "took %d; %d pages copied, %d mapped from the cache\n",
         HOLDERS, (int)text, (int)each, (int)cost, copied, mapped);
  CHECK(each > text, "a holder maps %d pages, its text alone %d", (int)each, (int)text);
  if (is_naive()) {
    // Each process copied every page of the file's segments.
    uint64 filled = PGROUNDUP(l.text_filesz) / PG + PGROUNDUP(l.data_filesz) / PG;
    CHECK(copied == HOLDERS * filled, "exec copied %d pages, want %d", copied,
          (int)(HOLDERS * filled));
    CHECK(cost >= (long)each, "a holder took %d pages, fewer than the %d it holds", (int)cost,
          (int)each);
  } else {
    // Only each one's partial data page was copied; the text came from
    // the cache (every holder maps all of it), read once.
    CHECK(copied == HOLDERS, "exec copied %d pages, want %d (the partial data pages)", copied,
          HOLDERS);
    CHECK(mapped >= HOLDERS * (int)text, "%d pages mapped from the cache, want %d or more",
          mapped, HOLDERS * (int)text);
    CHECK(k8.exec_pages == k1.exec_pages && k1.exec_pages >= k0.exec_pages + text,
          "the program's cached pages: %d, then %d with one holder, %d with all",
          (int)k0.exec_pages, (int)k1.exec_pages, (int)k8.exec_pages);
    CHECK(cost <= (long)(each - text) + TABLE_PAGES + SLACK_PAGES,
          "a holder took %d pages: its %d private pages and page tables, or its text too?",
          (int)cost, (int)(each - text));
  }
  stop_holders(&rest, 1);
  stop_holders(&first, 1);
  CHECK(unlink(PROG) == 0, "unlink failed");
}

// A program run a second time reads nothing from the disk (cache
// policy): its pages are still cached.
static void
second_run(void)
{
  copy_file(SELF, PROG);
  knob(KNOB_DROP, 0);
  struct kstats k0, k1, k2;
  read_kstats(&k0);
  CHECK(run(PROG, "check", PROG) == 0, "the first run failed");
  read_kstats(&k1);
  CHECK(run(PROG, "check", PROG) == 0, "the second run failed");
  read_kstats(&k2);
  printf("note: first run %d misses, %d disk reads; second run %d misses, %d disk reads\n",
         (int)(k1.pc_misses - k0.pc_misses), (int)(k1.disk_read_reqs - k0.disk_read_reqs),
         (int)(k2.pc_misses - k1.pc_misses), (int)(k2.disk_read_reqs - k1.disk_read_reqs));
  if (!is_naive()) {
    CHECK(k1.pc_misses > k0.pc_misses, "the first run after a drop missed nothing");
    CHECK(k2.pc_misses == k1.pc_misses && k2.disk_read_reqs == k1.disk_read_reqs,
          "the second run missed %d times and read the disk %d times",
          (int)(k2.pc_misses - k1.pc_misses), (int)(k2.disk_read_reqs - k1.disk_read_reqs));
  }
  CHECK(unlink(PROG) == 0, "unlink failed");
}

static void
expect_busy(int fd, const char *what)
{
  CHECK(fd == -1 && errno == ETXTBSY, "%s of a running program: %d, errno %d, want ETXTBSY",
        what, fd, errno);
}

// While a program runs its file is not written: no open for writing, no
// O_TRUNC. Reading, private mappings and more processes running it are
// fine; once nobody runs it, writing is too.
static void
busy_running(void)
{
  uint64 size = copy_file(SELF, PROG);
  struct holders h;
  start_holders(&h, PROG, "hold", 1);
  expect_busy(open(PROG, O_WRONLY), "open O_WRONLY");
  expect_busy(open(PROG, O_RDWR), "open O_RDWR");
  expect_busy(open(PROG, O_CREATE | O_RDWR), "open O_CREATE");
  expect_busy(open(PROG, O_RDONLY | O_TRUNC), "open O_RDONLY|O_TRUNC");
  expect_busy(open(PROG, O_WRONLY | O_TRUNC | O_CREATE), "open O_WRONLY|O_TRUNC");
  struct stat st;
  CHECK(stat(PROG, &st) == 0 && st.size == size, "the refused O_TRUNC changed the size");
  int fd = open_or_fail(PROG, O_RDONLY);
  CHECK(write(fd, "x", 1) == -1 && errno == EBADF, "write to a read-only descriptor");
  CHECK(ftruncate(fd, 0) == -1 && errno == EBADF, "ftruncate of a read-only descriptor");
  CHECK(mmap(0, PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0) == MAP_FAILED &&
            errno == EACCES,
        "a shared writable mapping of a read-only descriptor");
  char *p = mmap(0, PG, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
  CHECK(p != MAP_FAILED, "a private writable mapping failed, errno %d", errno);
  p[0] = 'x';  // the process's own copy
  CHECK(munmap(p, PG) == 0, "munmap failed");
  close(fd);
  CHECK(run(PROG, "code", 0) == CODE_ORIG, "a second process running the program");
  read_at(PROG, 0, buf, 4);
  CHECK(*(uint *)buf == ELF_MAGIC, "the file changed");
  stop_holders(&h, 1);
  fd = open(PROG, O_RDWR);
  CHECK(fd >= 0, "open for writing after the program exited: errno %d", errno);
  CHECK(ftruncate(fd, 0) == 0, "ftruncate after the program exited failed");
  close(fd);
  CHECK(unlink(PROG) == 0, "unlink failed");
}

// A file something may write is not run: an open descriptor, or a shared
// writable mapping (which holds its file) after the descriptor closed.
// Readers and private mappings do not count.
static void
busy_writer(void)
{
  uint64 size = copy_file(SELF, PROG);
  int fd = open_or_fail(PROG, O_RDWR);
  int st = run(PROG, "code", 0);
  CHECK(st == EXEC_FAILED + ETXTBSY, "exec of a file open for writing: status %d", st);
  char *p = mmap(0, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  CHECK(p != MAP_FAILED, "mmap failed, errno %d", errno);
  close(fd);
  st = run(PROG, "code", 0);
  CHECK(st == EXEC_FAILED + ETXTBSY, "exec of a file mapped shared writable: status %d", st);
  CHECK(munmap(p, size) == 0, "munmap failed");
  fd = open_or_fail(PROG, O_RDONLY);
  p = mmap(0, size, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
  CHECK(p != MAP_FAILED, "mmap failed, errno %d", errno);
  p[0] = 'x';
  char *q = mmap(0, size, PROT_READ, MAP_SHARED, fd, 0);
  CHECK(q != MAP_FAILED, "mmap failed, errno %d", errno);
  st = run(PROG, "code", 0);
  CHECK(st == CODE_ORIG, "exec with readers and private mappings: status %d", st);
  CHECK(munmap(p, size) == 0 && munmap(q, size) == 0, "munmap failed");
  close(fd);
  CHECK(unlink(PROG) == 0, "unlink failed");
}

// A forked child runs its parent's program: while it lives the file is
// busy, even after the process that exec'd it has exited.
static void
busy_forked(void)
{
  copy_file(SELF, PROG);
  struct holders h;
  start_holders(&h, PROG, "fork", 1);
  reap(h.pids[0], 0, "exec'd process");
  expect_busy(open(PROG, O_RDWR), "open O_RDWR");
  stop_holders(&h, 0);
  await_gone(PROG);
  int fd = open(PROG, O_RDWR);
  CHECK(fd >= 0, "open for writing after the last process exited: errno %d", errno);
  close(fd);
  CHECK(unlink(PROG) == 0, "unlink failed");
}

// A running program's file may be unlinked; the program runs on, and the
// file goes with the last process running it (the leak check sees it).
static void
unlink_running(void)
{
  copy_file(SELF, PROG);
  struct holders h;
  start_holders(&h, PROG, "hold", 2);
  CHECK(unlink(PROG) == 0, "unlink of a running program failed, errno %d", errno);
  CHECK(open(PROG, O_RDONLY) == -1 && errno == ENOENT, "the name is still there");
  stop_holders(&h, 1);
}

// Under a tiny cache limit the programs that run keep their pages (they
// are not counted against it) and run correctly.
static void
cache_limit(void)
{
  copy_file(SELF, PROG);
  knob(KNOB_DROP, 0);
  long old = knob(KNOB_PC_LIMIT, LIMIT);
  CHECK(old >= 0, "cannot set the cache limit, errno %d", errno);
  struct holders h;
  start_holders(&h, PROG, "hold", 4);
  struct kstats k;
  read_kstats(&k);
  int st = run(PROG, "check", PROG);
  int code = run(SELF, "code", 0);
  stop_holders(&h, 1);
  knob(KNOB_PC_LIMIT, old);
  CHECK(st == 0 && code == CODE_ORIG, "under a %d-page limit: check %d, code %d", LIMIT, st,
        code);
  CHECK(k.pc_pages <= LIMIT + 8, "%d pages cached beside programs under a limit of %d",
        (int)k.pc_pages, LIMIT);
  if (!is_naive()) {
    struct layout l;
    read_layout(PROG, &l);
    CHECK(k.exec_pages >= PGROUNDUP(l.text_filesz) / PG,
          "the running programs keep %d pages", (int)k.exec_pages);
  }
  CHECK(unlink(PROG) == 0, "unlink failed");
}

// exec and the new program's faults when memory is short: a hog leaves
// LOW_FREE pages free, and a program nobody has run since the cache was
// emptied runs correctly; nobody is killed.
static void
memory_pressure(void)
{
  copy_file(SELF, PROG);
  knob(KNOB_DROP, 0);
  int ready[2], go[2];
  CHECK(pipe(ready) == 0 && pipe(go) == 0, "pipe failed");
  int hog = fork();
  CHECK(hog >= 0, "fork failed");
  if (hog == 0) {
    close(ready[0]);
    close(go[1]);
    struct kstats k;
    for (read_kstats(&k); k.free_pages > LOW_FREE + 64; read_kstats(&k))
      CHECK(sbrk(64 * PG) != SBRK_ERROR, "the hog's sbrk failed");
    char c = 'r';
    CHECK(write(ready[1], &c, 1) == 1, "cannot report");
    CHECK(read(go[0], &c, 1) == 0, "the hog was told something");
    exit(0);
  }
  close(ready[1]);
  close(go[0]);
  char c;
  CHECK(read(ready[0], &c, 1) == 1, "the hog did not get its memory");
  struct kstats k;
  read_kstats(&k);
  int st = run(PROG, "check", PROG);
  int code = run(PROG, "code", 0);
  close(go[1]);
  close(ready[0]);
  reap(hog, 0, "hog");
  printf("note: with %d pages free: check %d, code %d\n", (int)k.free_pages, st, code);
  CHECK(st == 0 && code == CODE_ORIG, "short of memory: check %d, code %d", st, code);
  CHECK(unlink(PROG) == 0, "unlink failed");
}

static struct test tests[] = {
  {"image", image},
  {"changed_program", changed_program},
  {"bad_elf", bad_elf},
  {"share_text", share_text},
  {"second_run", second_run},
  {"busy_running", busy_running},
  {"busy_writer", busy_writer},
  {"busy_forked", busy_forked},
  {"unlink_running", unlink_running},
  {"cache_limit", cache_limit},
  {"memory_pressure", memory_pressure},
};
#define NTESTS (sizeof(tests) / sizeof(tests[0]))

int
main(int argc, char *argv[])
{
  if (argc >= 3 && strcmp(argv[1], "-h") == 0)
    helper(argc, argv);
  const char *only = argc >= 2 ? argv[1] : 0;
  suite_start("exectest", tests, NTESTS, only);
  policy = knob(KNOB_POLICY, MMAP_POLICY_CACHE);
  knob(KNOB_POLICY, policy);
  long svade = knob(KNOB_SVADE, 0);
  knob(KNOB_SVADE, svade);
  printf("exectest: policy %s, svade %d\n", is_naive() ? "naive" : "cache", (int)svade);
  suite_end("exectest", suite_run(tests, NTESTS, only, run_leak_checked_alone));
}
