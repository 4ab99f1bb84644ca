// usertests.c -- pcv6's own kernel test suite, written against the xv6 user
// ABI only (system calls and user/ulib), so it tests behaviour, not code.
//
// Usage: usertests          run every test
//        usertests NAME     run only test NAME
//        usertests -ret N   (helper mode) return N from main; a test execs
//                           this to check that main's value becomes the
//                           exit status
//
// How it runs. Each entry of `tests` runs in a forked child so that a test
// the kernel kills, or one that corrupts its own memory, cannot take the
// suite down with it. A test reports a problem with FAIL(), which prints
// "test NAME: FAILED: why" and exits with status 1; if the child exits 0 the
// suite prints "test NAME: OK". Any other status is a failure too.
//
// Leak check. Before the first test and after the last, the suite measures
// how many pages a fresh process can obtain with sbrk (count_free_pages);
// fewer pages afterwards means something the tests did was not given back.
//
// Writing tests here. The user stack is USERSTACK pages (one, today), and a
// test's frames sit on it: keep big buffers static, never local. Files a
// test creates are removed at its start and at its end, so a failed run
// leaves nothing that breaks the next one. Tests that expect a process to
// be killed run the dangerous access in a child and check its exit status
// (-1 means the kernel killed it).

#include "kernel/param.h"
#include "kernel/fcntl.h"
#include "kernel/types.h"
#include "kernel/stat.h"
#include "kernel/riscv.h"
#include "kernel/fs.h"
#include "kernel/memlayout.h"
#include "kernel/errno.h"
#include "kernel/elf.h"
#include "kernel/kstats.h"
#include "kernel/knobs.h"
#include "kernel/procinfo.h"
#include "user/user.h"
#include "user/testlib.h"

// ---------------------------------------------------------------------------
// Small helpers

int main(int argc, char *argv[]);  // its address is a handy text address

// Top of the user stack (one past its highest byte), taken in main.
static uint64 stack_top;


static void
jump_to(uint64 addr)
{
  void (*fn)(void) = (void (*)(void))opaque(addr);
  fn();
}


// buf = prefix followed by the decimal digits of n (n >= 0).
static char *
numname(char *buf, const char *prefix, int n)
{
  char digits[12];
  int k = 0;
  strcpy(buf, prefix);
  char *p = buf + strlen(buf);
  do {
    digits[k++] = '0' + n % 10;
    n /= 10;
  } while (n > 0);
  while (k > 0)
    *p++ = digits[--k];
  *p = 0;
  return buf;
}

// Does a directory entry's name (DIRSIZ bytes, NUL-padded unless full)
// equal s?
static int
dirent_is(const struct dirent *de, const char *s)
{
  uint n = strlen(s);
  if (n > DIRSIZ)
    return 0;
  for (uint i = 0; i < n; i++)
    if (de->name[i] != s[i])
      return 0;
  return n == DIRSIZ || de->name[n] == 0;
}

// Read until n bytes arrived or EOF/error; returns the byte count.
static int
read_full(int fd, char *buf, int n)
{
  int got = 0;
  while (got < n) {
    int r = read(fd, buf + got, n - got);
    if (r <= 0)
      break;
    got += r;
  }
  return got;
}

// Create (or truncate) path holding exactly the n bytes at data.
static void
make_file_holding(const char *path, const char *data, int n)
{
  int fd = open(path, O_CREATE | O_TRUNC | O_RDWR);
  CHECK(fd >= 0, "cannot create %s", path);
  CHECK(write(fd, data, n) == n, "write to %s failed", path);
  close(fd);
}

// Pages a new process can get from sbrk right now. Measured in a child
// (whose memory all comes back when it exits), handed back through a pipe
// because the number does not fit in an exit status. Returns -1 if the
// measurement itself failed.
static int
count_free_pages(void)
{
  int fds[2];
  if (pipe(fds) < 0)
    return -1;
  int pid = fork();
  if (pid < 0) {
    close(fds[0]);
    close(fds[1]);
    return -1;
  }
  if (pid == 0) {
    close(fds[0]);
    int n = 0;
    while (sbrk(256 * PGSIZE) != SBRK_ERROR)  // big steps first, for speed
      n += 256;
    while (sbrk(PGSIZE) != SBRK_ERROR)
      n++;
    write(fds[1], &n, sizeof(n));
    exit(0);
  }
  close(fds[1]);
  int n = -1;
  if (read_full(fds[0], (char *)&n, sizeof(n)) != sizeof(n))
    n = -1;
  close(fds[0]);
  int st;
  wait(&st);
  return n;
}

// Run path with argv in a child whose standard output is a pipe; the
// output (NUL-terminated, at most max-1 bytes) goes to out. Returns the
// child's exit status (99 if exec failed).
static int
run_capture(const char *path, char **argv, char *out, int max)
{
  int fds[2];
  CHECK(pipe(fds) == 0, "pipe failed");
  int pid = fork();
  CHECK(pid >= 0, "fork failed");
  if (pid == 0) {
    close(1);
    dup(fds[1]);
    close(fds[0]);
    close(fds[1]);
    exec(path, argv);
    exit(99);
  }
  close(fds[1]);
  int n = read_full(fds[0], out, max - 1);
  out[n] = 0;
  close(fds[0]);
  int st = -12345;
  CHECK(wait(&st) == pid, "wait lost the child");
  return st;
}

// Addresses no user program may touch: kernel memory, the pages the kernel
// keeps at the top of every address space, and addresses at or past MAXVA.
static const uint64 forbidden[] = {
  KERNBASE,
  KERNLOAD,
  PHYSTOP - PGSIZE,
  TRAPFRAME,
  TRAMPOLINE,
  TRAMPOLINE + PGSIZE - 1,
  MAXVA,
  MAXVA + PGSIZE,
  0x8000000000000000UL,
  0xffffffffffffffffUL,
};
#define NFORBIDDEN (sizeof(forbidden) / sizeof(forbidden[0]))

// Addresses below TRAPFRAME where a fresh process has nothing mapped.
static uint64
hole_addr(int which)
{
  switch (which) {
  case 0: return PGROUNDUP((uint64)sbrk(0)) + 64 * PGSIZE;  // past the heap
  case 1: return 0x1000000000UL;                           // 64 GiB
  case 2: return 0x3fffffc000UL;                           // TRAPFRAME - 2 pages
  default: return 0x3fffffd000UL;                          // TRAPFRAME - 1 page
  }
}
#define NHOLES 4

static const char rodata_text[] = "this string lives in read-only data";

// ---------------------------------------------------------------------------
// Bad pointers handed to system calls must make the call fail with -1; the
// caller keeps running.

static char bp_data[64];

static void
bad_pointer_calls(uint64 a)
{
  int fd, fds[2];
  char *argv[3];

  fd = open("bp_in", O_RDONLY);
  CHECK(fd >= 0, "open bp_in");
  CHECK(read(fd, (void *)a, 10) == -1, "read into %p did not fail", a);
  close(fd);

  fd = open("bp_out", O_CREATE | O_WRONLY);
  CHECK(fd >= 0, "open bp_out");
  CHECK(write(fd, (void *)a, 10) == -1, "write from %p did not fail", a);
  close(fd);

  CHECK(pipe(fds) == 0, "pipe");
  CHECK(write(fds[1], (void *)a, 10) == -1, "pipe write from %p did not fail", a);
  CHECK(write(fds[1], "0123456789", 10) == 10, "pipe write");
  CHECK(read(fds[0], (void *)a, 10) == -1, "pipe read into %p did not fail", a);
  close(fds[0]);
  close(fds[1]);

  CHECK(open((char *)a, O_RDONLY) == -1, "open(%p) did not fail", a);
  CHECK(open((char *)a, O_CREATE | O_RDWR) == -1, "open(%p, O_CREATE) did not fail", a);
  CHECK(pipe((int *)a) == -1, "pipe(%p) did not fail", a);

  fd = open("bp_in", O_RDONLY);
  CHECK(fstat(fd, (struct stat *)a) == -1, "fstat into %p did not fail", a);
  close(fd);

  CHECK(link((char *)a, "bp_link") == -1, "link from %p did not fail", a);
  CHECK(link("bp_in", (char *)a) == -1, "link to %p did not fail", a);
  CHECK(unlink((char *)a) == -1, "unlink(%p) did not fail", a);
  CHECK(mkdir((char *)a) == -1, "mkdir(%p) did not fail", a);
  CHECK(chdir((char *)a) == -1, "chdir(%p) did not fail", a);
  CHECK(mknod((char *)a, 1, 1) == -1, "mknod(%p) did not fail", a);

  argv[0] = "echo";
  argv[1] = 0;
  CHECK(exec((char *)a, argv) == -1, "exec(%p) did not fail", a);
  CHECK(exec("/echo", (char **)a) == -1, "exec with argv %p did not fail", a);
  argv[1] = (char *)a;
  argv[2] = 0;
  CHECK(exec("/echo", argv) == -1, "exec with argv[1] %p did not fail", a);

  int pid = fork();
  CHECK(pid >= 0, "fork");
  if (pid == 0)
    exit(3);
  CHECK(wait((int *)a) == -1, "wait into %p did not fail", a);
  while (wait(0) >= 0)
    ;
  exit(SURVIVED);
}

static void
test_badptr_syscalls(void)
{
  unlink("bp_out");
  memset(bp_data, 'q', sizeof(bp_data));
  make_file_holding("bp_in", bp_data, sizeof(bp_data));
  for (int i = 0; i < NFORBIDDEN; i++)
    expect_survives(bad_pointer_calls, forbidden[i], "bad-pointer system calls");
  for (int i = 0; i < NHOLES; i++)
    expect_survives(bad_pointer_calls, hole_addr(i), "unmapped-pointer system calls");
  unlink("bp_in");
  unlink("bp_out");
  unlink("bp_link");
}

// ---------------------------------------------------------------------------
// Touching what is not yours gets you killed.

static void
test_bad_access_kills(void)
{
  for (int i = 0; i < NFORBIDDEN; i++) {
    expect_killed(load_at, forbidden[i], "load from");
    expect_killed(store_at, forbidden[i], "store to");
  }
  for (int i = 0; i < NHOLES; i++) {
    expect_killed(load_at, hole_addr(i), "load from unmapped");
    expect_killed(store_at, hole_addr(i), "store to unmapped");
  }
  expect_killed(jump_to, KERNBASE, "jump to");
  expect_killed(jump_to, TRAMPOLINE, "jump to");
  expect_killed(jump_to, MAXVA, "jump to");
  expect_killed(jump_to, hole_addr(1), "jump to unmapped");
}

// The program's text and read-only data can be read (and written out) but
// not stored to, by the program or by the kernel on its behalf.

static void
text_into_syscalls(uint64 unused)
{
  uint64 targets[3] = { 0, (uint64)main, (uint64)rodata_text };
  int fds[2];
  for (int i = 0; i < 3; i++) {
    uint64 t = targets[i];
    int fd = open("ro_in", O_RDONLY);
    CHECK(fd >= 0, "open ro_in");
    CHECK(read(fd, (void *)opaque(t), 8) == -1, "read into read-only %p did not fail", t);
    CHECK(fstat(fd, (struct stat *)opaque(t)) == -1, "fstat into read-only %p did not fail", t);
    close(fd);
    CHECK(pipe((int *)opaque(t)) == -1, "pipe into read-only %p did not fail", t);
  }
  // Reading the text is fine: writing it out must work.
  CHECK(pipe(fds) == 0, "pipe");
  CHECK(write(fds[1], (void *)opaque((uint64)main), 16) == 16, "write from text failed");
  CHECK(write(fds[1], rodata_text, 8) == 8, "write from rodata failed");
  close(fds[0]);
  close(fds[1]);
  // Still intact after all that?
  CHECK(rodata_text[0] == 't', "read-only data was changed");
  exit(SURVIVED);
}

static void
test_text_readonly(void)
{
  make_file_holding("ro_in", "0123456789abcdef", 16);
  expect_survives(text_into_syscalls, 0, "system calls into text");
  expect_killed(store_at, 0, "store to text at");
  expect_killed(store_at, (uint64)main, "store to main at");
  expect_killed(store_at, (uint64)rodata_text, "store to rodata at");
  unlink("ro_in");
}

// ---------------------------------------------------------------------------
// The stack is USERSTACK pages with an unmapped guard page below it.

static int
deep(int depth)
{
  volatile char frame[256];
  frame[0] = (char)depth;
  if (depth > 1000000)
    return frame[0];
  return deep(depth + 1) + frame[0];
}

static void
overflow_stack(uint64 unused)
{
  sink = (char)deep(0);
}

static void
test_stack_guard(void)
{
  uint64 bottom = stack_top - USERSTACK * PGSIZE;
  CHECK(status_of(store_at, bottom) == SURVIVED, "lowest stack byte %p not writable", bottom);
  CHECK(status_of(load_at, stack_top - 1) == SURVIVED, "top stack byte not readable");
  expect_killed(load_at, bottom - 1, "load from guard page at");
  expect_killed(load_at, bottom - PGSIZE, "load from guard page at");
  expect_killed(store_at, bottom - 8, "store to guard page at");
  expect_killed(overflow_stack, 0, "runaway recursion");
}

// ---------------------------------------------------------------------------
// Traps other than page faults: illegal instructions kill, unknown system
// call numbers fail.

static void
illegal_insn(uint64 unused)
{
  asm volatile(".4byte 0x00000000");
}

static void
privileged_csr(uint64 unused)
{
  uint64 x;
  asm volatile("csrr %0, sstatus" : "=r"(x));
  sink = (char)x;
}

static long
raw_syscall(long num)
{
  register long a0 asm("a0") = 0;
  register long a7 asm("a7") = num;
  asm volatile("ecall" : "+r"(a0) : "r"(a7) : "memory");
  return a0;
}

static void
test_traps(void)
{
  expect_killed(illegal_insn, 0, "illegal instruction, arg");
  expect_killed(privileged_csr, 0, "supervisor CSR read, arg");
  CHECK(raw_syscall(0) == -1, "system call 0 did not fail");
  CHECK(raw_syscall(999) == -1, "system call 999 did not fail");
  CHECK(raw_syscall(-1) == -1, "system call -1 did not fail");
}

// ---------------------------------------------------------------------------
// fork, exit, wait

static void
test_fork_wait(void)
{
  int pids[5];
  for (int i = 0; i < 5; i++) {
    pids[i] = fork();
    CHECK(pids[i] >= 0, "fork %d failed", i);
    if (pids[i] == 0)
      exit(10 + i);
  }
  int seen = 0;
  for (int n = 0; n < 5; n++) {
    int st = -99;
    int pid = wait(&st);
    int i;
    for (i = 0; i < 5; i++)
      if (pids[i] == pid)
        break;
    CHECK(i < 5, "wait returned %d, not one of my children", pid);
    CHECK(!(seen & (1 << i)), "child %d reported twice", pid);
    seen |= 1 << i;
    CHECK(st == 10 + i, "child %d exit status %d, want %d", pid, st, 10 + i);
  }
  CHECK(wait(0) == -1, "wait with no children did not fail");

  // wait(0) discards the status but still reaps.
  int pid = fork();
  CHECK(pid >= 0, "fork failed");
  if (pid == 0)
    exit(0);
  CHECK(wait(0) == pid, "wait(0) did not return the child");

  // The child's getpid is what fork told the parent.
  int fds[2];
  CHECK(pipe(fds) == 0, "pipe");
  pid = fork();
  CHECK(pid >= 0, "fork failed");
  if (pid == 0) {
    int me = getpid();
    write(fds[1], &me, sizeof(me));
    exit(0);
  }
  int child_says = -1;
  CHECK(read_full(fds[0], (char *)&child_says, sizeof(int)) == sizeof(int), "no pid from child");
  CHECK(child_says == pid, "fork returned %d, child's getpid %d", pid, child_says);
  CHECK(getpid() != pid, "parent and child share a pid");
  close(fds[0]);
  close(fds[1]);
  wait(0);
}

static int exit_codes[] = { 0, 1, 7, 255, 1000, -5 };

static void
exec_returning(uint64 n)
{
  char num[12];
  char *argv[] = { "usertests", "-ret", numname(num, "", (int)n), 0 };
  exec("/usertests", argv);
  exit(99);
}

static void
exec_missing(uint64 unused)
{
  char *argv[] = { "nothing", 0 };
  CHECK(exec("/no_such_program", argv) == -1, "exec of a missing file did not fail");
  exit(SURVIVED);
}

static void
test_exit_status(void)
{
  for (int i = 0; i < sizeof(exit_codes) / sizeof(exit_codes[0]); i++) {
    int pid = fork();
    CHECK(pid >= 0, "fork failed");
    if (pid == 0)
      exit(exit_codes[i]);
    int st = -99;
    CHECK(wait(&st) == pid, "wait lost child");
    CHECK(st == exit_codes[i], "exit(%d) gave status %d", exit_codes[i], st);
  }
  // A program's main return value is its exit status.
  CHECK(status_of(exec_returning, 7) == 7, "main returning 7 did not give status 7");
  CHECK(status_of(exec_returning, 0) == 0, "main returning 0 did not give status 0");
  static char out[64];
  char *argv[] = { "echo", "x", 0 };
  CHECK(run_capture("/echo", argv, out, sizeof(out)) == 0, "echo did not exit 0");
  expect_survives(exec_missing, 0, "exec of a missing program");
}

// Orphans are adopted by init; the parent never sees its grandchildren.
static void
test_reparent(void)
{
  int pid = fork();
  CHECK(pid >= 0, "fork failed");
  if (pid == 0) {
    for (int i = 0; i < 3; i++) {
      int g = fork();
      if (g == 0) {
        pause(2);
        exit(0);
      }
    }
    exit(5);
  }
  int st = -99;
  CHECK(wait(&st) == pid && st == 5, "did not reap the child (status %d)", st);
  CHECK(wait(0) == -1, "saw a grandchild through wait");
}

// Fill the process table: fork must fail (-1) at some point, never crash,
// and everything is reaped afterwards.
static void
test_fork_exhaust(void)
{
  int fds[2];
  CHECK(pipe(fds) == 0, "pipe");
  int made = 0, i;
  for (i = 0; i < NPROC + 8; i++) {
    int pid = fork();
    if (pid < 0)
      break;
    if (pid == 0) {
      char c;
      close(fds[1]);
      read(fds[0], &c, 1);  // returns 0 once the parent closes its end
      exit(0);
    }
    made++;
  }
  close(fds[0]);
  close(fds[1]);  // lets every child run to exit
  for (int n = 0; n < made; n++) {
    int st = -99;
    CHECK(wait(&st) > 0, "lost a child: reaped %d of %d", n, made);
    CHECK(st == 0, "child exit status %d", st);
  }
  CHECK(wait(0) == -1, "more children than forks");
  CHECK(i < NPROC + 8, "fork never failed after %d children", made);
  CHECK(made >= NPROC / 2, "fork failed after only %d children", made);
  int pid = fork();
  CHECK(pid >= 0, "fork fails even after the table drained");
  if (pid == 0)
    exit(0);
  wait(0);
}

// The child gets a copy of memory; neither side sees the other's stores.
static int shared_global = 5;

static void
test_fork_memory(void)
{
  int n = 64 * PGSIZE;
  char *heap = sbrk(n);
  CHECK(heap != SBRK_ERROR, "sbrk failed");
  for (int i = 0; i < n; i++)
    heap[i] = (char)(i * 3);
  int local = 11;
  int pid = fork();
  CHECK(pid >= 0, "fork failed");
  if (pid == 0) {
    for (int i = 0; i < n; i++)
      if (heap[i] != (char)(i * 3))
        exit(2);
    if (shared_global != 5 || local != 11)
      exit(3);
    shared_global = 6;
    local = 12;
    memset(heap, 0, n);
    exit(0);
  }
  int st = -99;
  wait(&st);
  CHECK(st == 0, "child saw wrong memory (status %d)", st);
  CHECK(shared_global == 5 && local == 11, "child's stores reached the parent");
  for (int i = 0; i < n; i++)
    CHECK(heap[i] == (char)(i * 3), "parent heap changed at %d", i);
  sbrk(-n);
}

// Forks and exits on several harts at once.
static void
test_fork_concurrent(void)
{
  int workers[4];
  for (int w = 0; w < 4; w++) {
    workers[w] = fork();
    CHECK(workers[w] >= 0, "fork failed");
    if (workers[w] == 0) {
      for (int j = 0; j < 40; j++) {
        int pid = fork();
        if (pid < 0)
          exit(2);
        if (pid == 0)
          exit(j & 0x7f);
        int st = -99;
        if (wait(&st) != pid || st != (j & 0x7f))
          exit(3);
      }
      exit(0);
    }
  }
  for (int w = 0; w < 4; w++) {
    int st = -99;
    CHECK(wait(&st) > 0, "lost a worker");
    CHECK(st == 0, "worker exit status %d", st);
  }
}

// ---------------------------------------------------------------------------
// kill

static void
spin(uint64 unused)
{
  volatile uint64 n = 0;
  for (;;)
    n++;
}

static void
test_kill(void)
{
  // A process running in user mode.
  int pid = fork();
  CHECK(pid >= 0, "fork failed");
  if (pid == 0)
    spin(0);
  CHECK(kill(pid) == 0, "kill of a running child failed");
  int st = 0;
  CHECK(wait(&st) == pid && st == -1, "killed spinning child: status %d, want -1", st);

  // A process asleep in pause().
  pid = fork();
  CHECK(pid >= 0, "fork failed");
  if (pid == 0) {
    pause(1000000);
    exit(0);
  }
  CHECK(kill(pid) == 0, "kill of a pausing child failed");
  CHECK(wait(&st) == pid && st == -1, "killed pausing child: status %d, want -1", st);

  // A process blocked reading an empty pipe.
  int fds[2];
  CHECK(pipe(fds) == 0, "pipe");
  pid = fork();
  CHECK(pid >= 0, "fork failed");
  if (pid == 0) {
    char c;
    read(fds[0], &c, 1);
    exit(0);
  }
  CHECK(kill(pid) == 0, "kill of a blocked child failed");
  CHECK(wait(&st) == pid && st == -1, "killed blocked child: status %d, want -1", st);
  close(fds[0]);
  close(fds[1]);

  CHECK(kill(999999) == -1, "kill of a nonexistent pid did not fail");
  CHECK(kill(-1) == -1, "kill(-1) did not fail");
}

// ---------------------------------------------------------------------------
// Pipes

#define PIPE_TOTAL (100 * 1024)

static char pipebuf[4096];

static char
pipe_byte(int i)
{
  return (char)(i * 31 + (i >> 9));
}

static void
test_pipe_transfer(void)
{
  static const int wsizes[] = { 1, 7, 500, 1200, 4096, 333 };
  static const int rsizes[] = { 3, 1000, 4096, 17, 512 };
  int fds[2];
  CHECK(pipe(fds) == 0, "pipe");
  int pid = fork();
  CHECK(pid >= 0, "fork failed");
  if (pid == 0) {
    close(fds[0]);
    int sent = 0;
    for (int k = 0; sent < PIPE_TOTAL; k++) {
      int n = wsizes[k % 6];
      if (n > PIPE_TOTAL - sent)
        n = PIPE_TOTAL - sent;
      for (int i = 0; i < n; i++)
        pipebuf[i] = pipe_byte(sent + i);
      if (write(fds[1], pipebuf, n) != n)
        exit(2);
      sent += n;
    }
    exit(0);
  }
  close(fds[1]);
  int got = 0;
  uint sum = 0;
  for (int k = 0;; k++) {
    int r = read(fds[0], pipebuf, rsizes[k % 5]);
    CHECK(r >= 0, "read failed after %d bytes", got);
    if (r == 0)
      break;
    for (int i = 0; i < r; i++) {
      CHECK(pipebuf[i] == pipe_byte(got + i), "wrong byte at offset %d", got + i);
      sum += (uchar)pipebuf[i];
    }
    got += r;
    CHECK(got <= PIPE_TOTAL, "more bytes than were written");
  }
  uint want = 0;
  for (int i = 0; i < PIPE_TOTAL; i++)
    want += (uchar)pipe_byte(i);
  CHECK(got == PIPE_TOTAL, "received %d bytes, want %d", got, PIPE_TOTAL);
  CHECK(sum == want, "checksum %x, want %x", sum, want);
  CHECK(read(fds[0], pipebuf, 1) == 0, "read after EOF did not return 0");
  close(fds[0]);
  int st = -99;
  wait(&st);
  CHECK(st == 0, "writer exit status %d", st);
}

static void
test_pipe_ends(void)
{
  int fds[2];
  char buf[8];

  // EOF once every write end is closed, and still EOF after that.
  CHECK(pipe(fds) == 0, "pipe");
  CHECK(write(fds[1], "hello", 5) == 5, "write");
  close(fds[1]);
  CHECK(read(fds[0], buf, sizeof(buf)) == 5, "read of buffered data");
  CHECK(read(fds[0], buf, sizeof(buf)) == 0, "no EOF after the writer closed");
  CHECK(read(fds[0], buf, sizeof(buf)) == 0, "second read at EOF not 0");
  close(fds[0]);

  // Writing with no reader fails instead of blocking.
  CHECK(pipe(fds) == 0, "pipe");
  close(fds[0]);
  CHECK(write(fds[1], "x", 1) == -1, "write to a pipe with no reader did not fail");
  close(fds[1]);

  // A writer blocked on a full pipe is released when the reader goes.
  CHECK(pipe(fds) == 0, "pipe");
  int pid = fork();
  CHECK(pid >= 0, "fork failed");
  if (pid == 0) {
    close(fds[0]);
    memset(pipebuf, 'w', sizeof(pipebuf));
    for (int total = 0; total < 1024 * 1024; total += sizeof(pipebuf))
      if (write(fds[1], pipebuf, sizeof(pipebuf)) < 0)
        exit(SURVIVED);
    exit(2);
  }
  close(fds[1]);
  CHECK(read(fds[0], buf, 4) > 0, "read from the writer");
  close(fds[0]);
  int st = -99;
  wait(&st);
  CHECK(st == SURVIVED, "writer to a closed pipe: status %d, want %d", st, SURVIVED);
}

// ---------------------------------------------------------------------------
// Files

static char filebuf[4096];

#define FRW_SEED 1  // test_file_rw's contents: file_byte(FRW_SEED, offset)

static void
test_file_rw(void)
{
  struct stat st;
  int sizes[3] = { 100, 1000, 2000 };
  int fd, off = 0;

  unlink("frw");
  fd = open("frw", O_CREATE | O_RDWR);
  CHECK(fd >= 0, "create frw failed");
  for (int k = 0; k < 3; k++) {
    for (int i = 0; i < sizes[k]; i++)
      filebuf[i] = file_byte(FRW_SEED, off + i);
    CHECK(write(fd, filebuf, sizes[k]) == sizes[k], "write %d bytes failed", sizes[k]);
    off += sizes[k];
  }
  CHECK(fstat(fd, &st) == 0, "fstat failed");
  CHECK(st.type == T_FILE, "type %d, want T_FILE", st.type);
  CHECK(st.size == off, "size %d, want %d", (int)st.size, off);
  CHECK(st.nlink == 1, "nlink %d, want 1", st.nlink);
  close(fd);

  fd = open("frw", O_RDONLY);
  CHECK(fd >= 0, "reopen failed");
  int got = 0, r;
  while ((r = read(fd, filebuf, 512)) > 0) {
    for (int i = 0; i < r; i++)
      CHECK(filebuf[i] == file_byte(FRW_SEED, got + i), "wrong byte at %d", got + i);
    got += r;
  }
  CHECK(r == 0 && got == off, "read back %d bytes (last read %d), want %d", got, r, off);
  CHECK(read(fd, filebuf, 10) == 0, "read at EOF not 0");
  close(fd);

  CHECK(stat("frw", &st) == 0 && st.size == off, "stat disagrees");

  // O_CREATE on an existing file opens it as it is.
  fd = open("frw", O_CREATE | O_RDWR);
  CHECK(fd >= 0 && fstat(fd, &st) == 0 && st.size == off, "O_CREATE changed an existing file");
  close(fd);

  // O_TRUNC empties it.
  fd = open("frw", O_TRUNC | O_RDWR);
  CHECK(fd >= 0, "O_TRUNC open failed");
  CHECK(fstat(fd, &st) == 0 && st.size == 0, "O_TRUNC left %d bytes", (int)st.size);
  CHECK(write(fd, "xyz", 3) == 3, "write after truncate");
  close(fd);
  CHECK(stat("frw", &st) == 0 && st.size == 3, "size %d after truncate+write", (int)st.size);

  // An open file outlives its last name.
  fd = open("frw", O_RDONLY);
  CHECK(fd >= 0, "open");
  CHECK(unlink("frw") == 0, "unlink failed");
  CHECK(open("frw", O_RDONLY) == -1, "open after unlink did not fail");
  CHECK(unlink("frw") == -1, "second unlink did not fail");
  CHECK(read(fd, filebuf, 10) == 3 && memcmp(filebuf, "xyz", 3) == 0,
        "unlinked open file unreadable");
  close(fd);

  CHECK(open("no_such_file", O_RDONLY) == -1, "open of a missing file did not fail");
  CHECK(open("no_such_dir/f", O_CREATE | O_RDWR) == -1, "create in a missing dir did not fail");
}

static void
test_file_modes(void)
{
  char c;
  unlink("fmode");
  int fd = open("fmode", O_CREATE | O_WRONLY);
  CHECK(fd >= 0, "create failed");
  CHECK(write(fd, "abc", 3) == 3, "write to O_WRONLY failed");
  CHECK(read(fd, &c, 1) == -1, "read from O_WRONLY did not fail");
  close(fd);

  fd = open("fmode", O_RDONLY);
  CHECK(fd >= 0, "open failed");
  CHECK(write(fd, "d", 1) == -1, "write to O_RDONLY did not fail");
  CHECK(read(fd, &c, 1) == 1 && c == 'a', "read from O_RDONLY failed");
  close(fd);

  fd = open("fmode", O_RDWR);
  CHECK(fd >= 0, "open O_RDWR failed");
  CHECK(read(fd, &c, 1) == 1 && c == 'a', "read from O_RDWR failed");
  CHECK(write(fd, "B", 1) == 1, "write to O_RDWR failed");
  close(fd);
  fd = open("fmode", O_RDONLY);
  CHECK(read_full(fd, filebuf, 3) == 3 && memcmp(filebuf, "aBc", 3) == 0,
        "O_RDWR write landed in the wrong place");
  close(fd);
  unlink("fmode");

  // Directories open read-only and cannot be written.
  CHECK(open(".", O_WRONLY) == -1, "open . O_WRONLY did not fail");
  CHECK(open(".", O_RDWR) == -1, "open . O_RDWR did not fail");
  CHECK(open(".", O_CREATE | O_RDWR) == -1, "O_CREATE over a directory did not fail");
  fd = open(".", O_RDONLY);
  CHECK(fd >= 0, "open . failed");
  CHECK(write(fd, "x", 1) == -1, "write to a directory did not fail");
  close(fd);
}

static void
test_links(void)
{
  struct stat s1, s2;
  unlink("lk_a");
  unlink("lk_b");
  make_file_holding("lk_a", "linked data", 11);
  CHECK(link("lk_a", "lk_b") == 0, "link failed");
  CHECK(link("lk_a", "lk_b") == -1, "link over an existing name did not fail");
  CHECK(link("lk_none", "lk_c") == -1, "link of a missing file did not fail");
  CHECK(link(".", "lk_dir") == -1, "link of a directory did not fail");

  CHECK(stat("lk_a", &s1) == 0 && stat("lk_b", &s2) == 0, "stat failed");
  CHECK(s1.ino == s2.ino, "the two names are different inodes");
  CHECK(s1.nlink == 2, "nlink %d, want 2", s1.nlink);

  // A write through one name shows through the other.
  int fd = open("lk_b", O_RDWR);
  CHECK(fd >= 0 && write(fd, "L", 1) == 1, "write via lk_b");
  close(fd);
  fd = open("lk_a", O_RDONLY);
  CHECK(read_full(fd, filebuf, 11) == 11 && memcmp(filebuf, "Linked data", 11) == 0,
        "lk_a does not show the write via lk_b");
  close(fd);

  CHECK(unlink("lk_a") == 0, "unlink lk_a");
  CHECK(open("lk_a", O_RDONLY) == -1, "lk_a still there");
  CHECK(stat("lk_b", &s2) == 0 && s2.nlink == 1, "nlink %d after unlink, want 1", s2.nlink);
  fd = open("lk_b", O_RDONLY);
  CHECK(read_full(fd, filebuf, 11) == 11 && memcmp(filebuf, "Linked data", 11) == 0,
        "data lost after unlinking the other name");
  close(fd);
  CHECK(unlink("lk_b") == 0, "unlink lk_b");
}

static void
test_dirs(void)
{
  struct stat s1, s2;
  unlink("dd/ff");
  unlink("dd/sub");
  unlink("dd");

  CHECK(mkdir("dd") == 0, "mkdir dd failed");
  CHECK(mkdir("dd") == -1, "second mkdir dd did not fail");
  CHECK(stat("dd", &s1) == 0 && s1.type == T_DIR, "dd is not a directory");
  CHECK(chdir("dd") == 0, "chdir dd failed");
  make_file_holding("ff", "hello", 5);
  CHECK(mkdir("sub") == 0, "mkdir dd/sub failed");

  // Relative, dotted and absolute paths all reach the same file.
  const char *paths[] = { "ff", "./ff", "../dd/ff", "sub/../ff", "/dd/ff", "/dd/./sub/../ff" };
  for (int i = 0; i < 6; i++) {
    int fd = open(paths[i], O_RDONLY);
    CHECK(fd >= 0, "open %s from dd failed", paths[i]);
    CHECK(read_full(fd, filebuf, 5) == 5 && memcmp(filebuf, "hello", 5) == 0,
          "wrong data via %s", paths[i]);
    close(fd);
  }
  CHECK(stat(".", &s2) == 0 && s2.ino == s1.ino, ". in dd is not dd");
  CHECK(stat("sub/..", &s2) == 0 && s2.ino == s1.ino, "sub/.. is not dd");
  CHECK(stat("..", &s2) == 0 && s2.type == T_DIR, ".. is not a directory");

  CHECK(unlink(".") == -1, "unlink . did not fail");
  CHECK(unlink("..") == -1, "unlink .. did not fail");
  CHECK(chdir("..") == 0, "chdir .. failed");
  CHECK(stat("dd/ff", &s2) == 0 && s2.size == 5, "dd/ff not found from the parent");

  CHECK(unlink("dd") == -1, "unlink of a non-empty directory did not fail");
  CHECK(unlink("dd/sub") == 0, "unlink of empty dd/sub failed");
  CHECK(unlink("dd") == -1, "unlink of dd holding a file did not fail");
  CHECK(unlink("dd/ff") == 0, "unlink dd/ff failed");
  CHECK(unlink("dd") == 0, "unlink of the emptied dd failed");
  CHECK(open("dd", O_RDONLY) == -1, "dd still there");

  make_file_holding("dd_file", "x", 1);
  CHECK(chdir("dd_file") == -1, "chdir into a file did not fail");
  CHECK(mkdir("dd_file/x") == -1, "mkdir under a file did not fail");
  CHECK(open("dd_file/x", O_CREATE | O_RDWR) == -1, "create under a file did not fail");
  unlink("dd_file");
  CHECK(chdir("no_such_dir") == -1, "chdir to a missing dir did not fail");
  CHECK(mkdir("no_such_dir/x") == -1, "mkdir under a missing dir did not fail");
}

// Read a directory as a file: whole 16-byte entries.
static struct dirent dirents[256];

static int
read_dir(const char *path)
{
  int fd = open(path, O_RDONLY);
  CHECK(fd >= 0, "open dir %s failed", path);
  int n = read_full(fd, (char *)dirents, sizeof(dirents));
  close(fd);
  CHECK(n % sizeof(struct dirent) == 0, "directory read of %d bytes, not whole entries", n);
  return n / sizeof(struct dirent);
}

// Index of the live entry called name, or -1.
static int
find_dirent(int n, const char *name)
{
  for (int i = 0; i < n; i++)
    if (dirents[i].inum != 0 && dirent_is(&dirents[i], name))
      return i;
  return -1;
}

static void
test_dir_entries(void)
{
  static const char full[] = "abcdefghijklmn";        // exactly DIRSIZ
  static const char longer[] = "abcdefghijklmnopqr";  // DIRSIZ + 4, same prefix
  static char longpath[300];
  struct stat st;

  CHECK(sizeof(struct dirent) == 16 && sizeof(full) == DIRSIZ + 1, "ABI sizes changed");
  unlink("de/a");
  unlink("de/bb");
  unlink("de/abcdefghijklmn");
  unlink("de");
  CHECK(mkdir("de") == 0, "mkdir de failed");
  make_file_holding("de/a", "1", 1);
  make_file_holding("de/bb", "22", 2);
  make_file_holding("de/abcdefghijklmn", "full", 4);

  int n = read_dir("de");
  CHECK(stat("de", &st) == 0 && st.size % sizeof(struct dirent) == 0,
        "directory size %d not a multiple of 16", (int)st.size);
  const char *names[] = { ".", "..", "a", "bb", full };
  for (int i = 0; i < 5; i++)
    CHECK(find_dirent(n, names[i]) >= 0, "no entry \"%s\" in de", names[i]);
  int k = find_dirent(n, full);
  CHECK(stat("de/abcdefghijklmn", &st) == 0 && st.ino == dirents[k].inum,
        "a DIRSIZ-long name does not lead to its inode");

  // A longer name is either refused or means its first DIRSIZ characters.
  int fd = open("de/abcdefghijklmnopqr", O_RDONLY);
  if (fd >= 0) {
    CHECK(fstat(fd, &st) == 0 && st.ino == dirents[k].inum,
          "%s opened some other file", longer);
    close(fd);
  }

  // A path longer than MAXPATH is refused.
  for (int i = 0; i < sizeof(longpath) - 1; i++)
    longpath[i] = (i % 2) ? '/' : 'p';
  longpath[sizeof(longpath) - 1] = 0;
  CHECK(open(longpath, O_CREATE | O_RDWR) == -1, "open of a %d-byte path did not fail",
        (int)sizeof(longpath) - 1);
  CHECK(mkdir(longpath) == -1, "mkdir of a long path did not fail");

  CHECK(unlink("de/a") == 0 && unlink("de/bb") == 0 && unlink("de/abcdefghijklmn") == 0,
        "unlink in de failed");
  n = read_dir("de");
  for (int i = 0; i < n; i++)
    CHECK(dirents[i].inum == 0 || dirent_is(&dirents[i], ".") || dirent_is(&dirents[i], ".."),
          "entry left in de after unlinking everything");
  CHECK(unlink("de") == 0, "unlink de failed");
}

static void
test_dup(void)
{
  unlink("dupf");
  int fd = open("dupf", O_CREATE | O_RDWR);
  CHECK(fd >= 0, "create failed");
  int fd2 = dup(fd);
  CHECK(fd2 >= 0 && fd2 != fd, "dup returned %d", fd2);
  CHECK(write(fd, "ab", 2) == 2 && write(fd2, "cd", 2) == 2, "write failed");
  close(fd);
  CHECK(write(fd2, "ef", 2) == 2, "dup'd fd died with the original");
  close(fd2);
  fd = open("dupf", O_RDONLY);
  CHECK(read_full(fd, filebuf, 10) == 6 && memcmp(filebuf, "abcdef", 6) == 0,
        "dup'd descriptors do not share the offset");
  close(fd);

  // A descriptor inherited over fork shares its offset too: records
  // written from both sides all land, none overwrites another.
  fd = open("dupf", O_CREATE | O_TRUNC | O_RDWR);
  CHECK(fd >= 0, "truncate failed");
  int pid = fork();
  CHECK(pid >= 0, "fork failed");
  char letter = pid == 0 ? 'C' : 'P';
  char rec[8];
  memset(rec, letter, 7);
  rec[7] = '\n';
  for (int i = 0; i < 40; i++)
    if (write(fd, rec, 8) != 8)
      FAIL("record write from %c failed", letter);
  if (pid == 0)
    exit(0);
  int st = -99;
  wait(&st);
  CHECK(st == 0, "child exit status %d", st);
  close(fd);
  fd = open("dupf", O_RDONLY);
  int n = read_full(fd, filebuf, sizeof(filebuf));
  close(fd);
  CHECK(n == 80 * 8, "file holds %d bytes, want %d", n, 80 * 8);
  int counts[2] = { 0, 0 };
  for (int r = 0; r < 80; r++) {
    char *p = filebuf + r * 8;
    CHECK((p[0] == 'C' || p[0] == 'P') && p[7] == '\n', "record %d torn", r);
    for (int j = 1; j < 7; j++)
      CHECK(p[j] == p[0], "record %d mixes writers", r);
    counts[p[0] == 'C']++;
  }
  CHECK(counts[0] == 40 && counts[1] == 40, "records: %d from parent, %d from child",
        counts[0], counts[1]);
  unlink("dupf");
  CHECK(dup(-1) == -1 && dup(NOFILE) == -1, "dup of a bad descriptor did not fail");
}

static void
test_bad_fds(void)
{
  static const int bad[] = { -1, NOFILE, NOFILE + 1, 1000, 0x7fffffff };
  struct stat st;
  char c;
  for (int i = 0; i < 5; i++) {
    int fd = bad[i];
    CHECK(read(fd, &c, 1) == -1, "read(%d) did not fail", fd);
    CHECK(write(fd, &c, 1) == -1, "write(%d) did not fail", fd);
    CHECK(fstat(fd, &st) == -1, "fstat(%d) did not fail", fd);
    CHECK(dup(fd) == -1, "dup(%d) did not fail", fd);
    CHECK(close(fd) == -1, "close(%d) did not fail", fd);
  }
  int fd = open(".", O_RDONLY);
  CHECK(fd >= 0, "open .");
  CHECK(close(fd) == 0, "close failed");
  CHECK(close(fd) == -1, "second close did not fail");
  CHECK(read(fd, &c, 1) == -1, "read of a closed descriptor did not fail");
  CHECK(fstat(fd, &st) == -1, "fstat of a closed descriptor did not fail");
}

// ---------------------------------------------------------------------------
// Several processes creating and removing entries of one directory at once.

#define CC_WORKERS 4
#define CC_SHARED 24  // names every worker fights over
#define CC_OWN 25     // names private to one worker

static void
cc_worker(int w)
{
  char name[32];
  for (int round = 0; round < 3; round++) {
    for (int i = 0; i < CC_SHARED; i++) {
      numname(name, "cc/s", i);
      if ((i + w + round) % 3 == 0) {
        unlink(name);  // may lose the race: fine
      } else {
        int fd = open(name, O_CREATE | O_RDWR);
        if (fd < 0)
          exit(2);
        close(fd);
      }
    }
  }
  char prefix[8] = "cc/wX_";
  prefix[4] = 'a' + w;
  for (int i = 0; i < CC_OWN; i++) {
    int fd = open(numname(name, prefix, i), O_CREATE | O_RDWR);
    if (fd < 0 || write(fd, prefix, 1) != 1)
      exit(3);
    close(fd);
  }
  for (int i = 0; i < CC_OWN; i++)
    if (unlink(numname(name, prefix, i)) != 0)
      exit(4);
  exit(0);
}

static void
test_concurrent_dir(void)
{
  char name[32];
  for (int i = 0; i < CC_SHARED; i++)
    unlink(numname(name, "cc/s", i));
  unlink("cc");
  CHECK(mkdir("cc") == 0, "mkdir cc failed");
  for (int w = 0; w < CC_WORKERS; w++) {
    int pid = fork();
    CHECK(pid >= 0, "fork failed");
    if (pid == 0)
      cc_worker(w);
  }
  for (int w = 0; w < CC_WORKERS; w++) {
    int st = -99;
    CHECK(wait(&st) > 0, "lost a worker");
    CHECK(st == 0, "worker failed with status %d", st);
  }
  // Every surviving shared name appears once; nothing else is left.
  int n = read_dir("cc");
  int seen[CC_SHARED];
  memset(seen, 0, sizeof(seen));
  for (int k = 0; k < n; k++) {
    if (dirents[k].inum == 0 || dirent_is(&dirents[k], ".") || dirent_is(&dirents[k], ".."))
      continue;
    int i;
    for (i = 0; i < CC_SHARED; i++)
      if (dirent_is(&dirents[k], numname(name, "s", i)))
        break;
    CHECK(i < CC_SHARED, "unexpected entry left in cc");
    CHECK(!seen[i], "name s%d appears twice", i);
    seen[i] = 1;
  }
  for (int i = 0; i < CC_SHARED; i++)
    if (seen[i])
      CHECK(unlink(numname(name, "cc/s", i)) == 0, "unlink cc/s%d failed", i);
  n = read_dir("cc");
  for (int k = 0; k < n; k++)
    CHECK(dirents[k].inum == 0 || dirent_is(&dirents[k], ".") || dirent_is(&dirents[k], ".."),
          "cc not empty after removing everything");
  CHECK(unlink("cc") == 0, "unlink cc failed");
}

// ---------------------------------------------------------------------------
// Adding entries to a directory that is being removed.
//
// A path lookup finds the parent directory of the last element and lets
// go of it; the caller (create, mkdir, link) locks it again, and by then
// another process may have removed it. The window is a few instructions
// wide, so the test sets KNOB_LOOKUP_PAUSE: its own lookups then sleep a
// clock tick inside it, while a child removes "dr" whenever it exists
// (the child has the tick to do it). The test makes dr, then creates a
// file, makes a directory or links a file inside it, DR_ROUNDS times
// each. Whatever it made, it must be able to
// remove again (an entry made while dr exists keeps dr from being
// removed); a call that fails must fail with ENOENT. An entry added to a
// removed dr would be in no directory anyone can reach: the remove fails,
// the kernel has leaked an inode, or (mkdir) revived the removed dr.

#define DR_ROUNDS 4
#define DR_SPINS 20000  // the remover's pause between tries (see dr_remover)

// Outcomes of dr_try.
#define DR_REMOVED 0   // made, and removed again
#define DR_REFUSED 1   // refused with ENOENT
#define DR_STUCK 2     // made, but cannot be removed: the bug
#define DR_BAD_ERR 3   // refused with another errno

// Makes name with op (0 create, 1 mkdir, 2 link); if that worked, removes
// it again. Returns one of the outcomes above.
static int
dr_try(int op, const char *name)
{
  int made;
  if (op == 0) {
    int fd = open(name, O_CREATE | O_RDWR);
    made = fd >= 0;
    if (made)
      close(fd);
  } else if (op == 1) {
    made = mkdir(name) == 0;
  } else {
    made = link("dr_src", name) == 0;
  }
  if (made)
    return unlink(name) == 0 ? DR_REMOVED : DR_STUCK;
  return errno == ENOENT ? DR_REFUSED : DR_BAD_ERR;
}

// Removes dr whenever it exists, until killed. The pause between tries
// (well under the clock tick the test's lookups sleep for) lets the
// test's lookup of dr, made right after its mkdir, usually come first.
static void
dr_remover(void)
{
  for (;;) {
    unlink("dr");
    for (volatile int i = 0; i < DR_SPINS; i++)
      ;
  }
}

static void
test_dir_race(void)
{
  static const char *const names[3] = { "dr/f", "dr/d", "dr/l" };
  unlink("dr");
  make_file_holding("dr_src", "x", 1);
  int remover = fork();
  CHECK(remover >= 0, "fork failed");
  if (remover == 0)
    dr_remover();
  // A call that paused (the clock moved on) found dr in its lookup; if it
  // was then refused, dr was removed in the window.
  int hits = 0, outcome = DR_REMOVED, op = 0, err = 0;
  for (int n = 0; n < 3 * DR_ROUNDS && outcome <= DR_REFUSED; n++) {
    op = n % 3;
    mkdir("dr");  // may exist still: fine
    knob(KNOB_LOOKUP_PAUSE, getpid());
    int t0 = uptime();
    outcome = dr_try(op, names[op]);
    err = errno;
    if (outcome == DR_REFUSED && uptime() != t0)
      hits++;
    knob(KNOB_LOOKUP_PAUSE, 0);
  }
  kill(remover);
  CHECK(wait(0) == remover, "lost the remover");
  CHECK(outcome != DR_STUCK, "made %s, but it cannot be removed (errno %d)", names[op], err);
  CHECK(outcome != DR_BAD_ERR, "making %s failed with errno %d, want ENOENT", names[op], err);
  CHECK(hits > 0, "no call found dr removed after its lookup: the race never happened");
  unlink("dr");
  CHECK(open("dr", O_RDONLY) < 0, "dr still exists");
  struct stat st;
  CHECK(stat("dr_src", &st) == 0 && st.nlink == 1, "dr_src has %d links, want 1", st.nlink);
  CHECK(unlink("dr_src") == 0, "unlink dr_src");
}

// ---------------------------------------------------------------------------
// A 2 MiB file: past the direct and single-indirect blocks (267 KiB) into
// the double-indirect ones.

#define BIG_BYTES (2 * 1024 * 1024)

static char bigbuf[8192];

// Byte at offset off: each block starts with its block number.
static char
big_byte(int off)
{
  int b = off / BSIZE, j = off % BSIZE;
  if (j < 4)
    return (char)(b >> (8 * j));
  return (char)(b * 13 + j * 7);
}

static void
test_bigfile(void)
{
  struct stat st;
  unlink("bigf");
  int fd = open("bigf", O_CREATE | O_RDWR);
  CHECK(fd >= 0, "create failed");
  for (int off = 0; off < BIG_BYTES; off += sizeof(bigbuf)) {
    for (int i = 0; i < sizeof(bigbuf); i++)
      bigbuf[i] = big_byte(off + i);
    int w = write(fd, bigbuf, sizeof(bigbuf));
    CHECK(w == sizeof(bigbuf), "write at offset %d returned %d", off, w);
  }
  CHECK(fstat(fd, &st) == 0 && st.size == BIG_BYTES, "size %d after writing", (int)st.size);
  close(fd);

  // Read back in a size that straddles block boundaries.
  fd = open("bigf", O_RDONLY);
  CHECK(fd >= 0, "reopen failed");
  int got = 0, r;
  while ((r = read(fd, bigbuf, 3000)) > 0) {
    for (int i = 0; i < r; i++)
      CHECK(bigbuf[i] == big_byte(got + i), "wrong byte at offset %d", got + i);
    got += r;
  }
  CHECK(r == 0 && got == BIG_BYTES, "read back %d bytes, want %d", got, BIG_BYTES);
  close(fd);
  CHECK(unlink("bigf") == 0, "unlink failed");
}

// ---------------------------------------------------------------------------
// The disk path: batched log I/O, and data surviving the multi-block
// requests. Both read the disk counters of kstats(); nothing else runs
// while usertests does, so the deltas are this test's own I/O.

static struct kstats ks_before, ks_after;

// One 8 KiB write() is one log transaction of 10 blocks (8 data blocks,
// the inode block and a bitmap block), each written twice: to the log
// body and to its home. Written one block per request that is about as
// many requests as blocks; the log writes its body as one run and its
// contiguous home blocks as one run, so requests must be far fewer.
static void
test_disk_batching(void)
{
  unlink("dbatch");
  int fd = open("dbatch", O_CREATE | O_RDWR);
  CHECK(fd >= 0, "create failed");
  for (int i = 0; i < sizeof(bigbuf); i++)
    bigbuf[i] = (char)(i * 5 + 3);
  read_kstats(&ks_before);
  CHECK(write(fd, bigbuf, sizeof(bigbuf)) == sizeof(bigbuf), "8 KiB write failed");
  read_kstats(&ks_after);
  close(fd);
  uint64 reqs = ks_after.disk_write_reqs - ks_before.disk_write_reqs;
  uint64 blocks = ks_after.disk_write_blocks - ks_before.disk_write_blocks;
  int want = 2 * sizeof(bigbuf) / BSIZE;  // the data blocks, logged and installed
  CHECK(blocks >= want, "an 8 KiB write moved %d blocks to disk, want at least %d",
        (int)blocks, want);
  CHECK(reqs * 2 <= blocks, "an 8 KiB write took %d write requests for %d blocks",
        (int)reqs, (int)blocks);
  CHECK(unlink("dbatch") == 0, "unlink failed");
}

#define DI_BYTES (600 * 1024)  // well past NBUF blocks: read-back comes from disk

static char
di_byte(int off, int gen)
{
  return (char)(off * 11 + off / 1021 + gen * 17);
}

static void
di_fill(int off, int n, int gen)
{
  for (int i = 0; i < n; i++)
    bigbuf[i] = di_byte(off + i, gen);
}

// Writes name in write() sizes cycling through odd lengths, most of them
// bigger than one log transaction, then overwrites [DI_BYTES/3, +40000)
// with generation gen + 1.
static void
di_write(const char *name, int gen)
{
  static const int sizes[] = { 8192, 1, 5000, 8191, 1023, 3000, 7777 };
  int fd = open(name, O_CREATE | O_TRUNC | O_RDWR);
  CHECK(fd >= 0, "create %s failed", name);
  for (int off = 0, k = 0; off < DI_BYTES; k++) {
    int n = sizes[k % 7] < DI_BYTES - off ? sizes[k % 7] : DI_BYTES - off;
    di_fill(off, n, gen);
    CHECK(write(fd, bigbuf, n) == n, "write of %d at %d failed", n, off);
    off += n;
  }
  close(fd);
  int start = DI_BYTES / 3, end = start + 40000;
  fd = open(name, O_RDWR);
  CHECK(fd >= 0, "reopen %s failed", name);
  CHECK(lseek(fd, start, SEEK_SET) == start, "cannot seek %s", name);
  for (int off = start; off < end; off += sizeof(bigbuf)) {
    int n = end - off < sizeof(bigbuf) ? end - off : sizeof(bigbuf);
    di_fill(off, n, gen + 1);
    CHECK(write(fd, bigbuf, n) == n, "overwrite of %d at %d failed", n, off);
  }
  close(fd);
}

static void
di_check(const char *name, int gen)
{
  int start = DI_BYTES / 3, end = start + 40000;
  int fd = open(name, O_RDONLY);
  CHECK(fd >= 0, "reopen %s failed", name);
  int got = 0, r;
  while ((r = read(fd, bigbuf, 4099)) > 0) {
    for (int i = 0; i < r; i++) {
      int off = got + i;
      int g = off >= start && off < end ? gen + 1 : gen;
      CHECK(bigbuf[i] == di_byte(off, g), "%s: wrong byte at offset %d", name, off);
    }
    got += r;
  }
  CHECK(r == 0 && got == DI_BYTES, "%s: read back %d bytes, want %d", name, got, DI_BYTES);
  close(fd);
}

// Two processes write big files at once (their transactions share
// commits, their reads and writes share the disk queue), then each file
// is read back, from disk, and checked byte by byte.
static void
test_disk_integrity(void)
{
  unlink("dint0");
  unlink("dint1");
  int pid = fork();
  CHECK(pid >= 0, "fork failed");
  di_write(pid == 0 ? "dint1" : "dint0", pid == 0 ? 5 : 2);
  if (pid == 0)
    exit(0);
  int st = -99;
  CHECK(wait(&st) == pid && st == 0, "writer child failed (status %d)", st);
  knob(KNOB_DROP, 0);  // empty the page cache: read back from the disk
  read_kstats(&ks_before);
  di_check("dint0", 2);
  di_check("dint1", 5);
  read_kstats(&ks_after);
  // Blocks still in the buffer cache (at most NBUF) are copied from there.
  CHECK(ks_after.disk_read_blocks - ks_before.disk_read_blocks >= 2 * DI_BYTES / BSIZE - NBUF,
        "reading back 2 x %d KiB read only %d blocks from disk", DI_BYTES / 1024,
        (int)(ks_after.disk_read_blocks - ks_before.disk_read_blocks));
  CHECK(unlink("dint0") == 0 && unlink("dint1") == 0, "unlink failed");
}

// ---------------------------------------------------------------------------
// sbrk

static void
test_sbrk_grow_shrink(void)
{
  int n = 64 * PGSIZE;
  char *old = sbrk(0);
  char *p = sbrk(n);
  CHECK(p == old, "sbrk returned %p, want the old break %p", p, old);
  CHECK(sbrk(0) == old + n, "break did not move by %d", n);
  for (int i = 0; i < n; i++)
    CHECK(p[i] == 0, "new heap byte %d is not zero", i);
  for (int i = 0; i < n; i += 97)
    p[i] = (char)i;
  for (int i = 0; i < n; i += 97)
    CHECK(p[i] == (char)i, "heap byte %d lost", i);

  CHECK(sbrk(-n) == old + n, "shrinking sbrk did not return the old break");
  CHECK(sbrk(0) == old, "break did not come back");
  uint64 freed = PGROUNDUP((uint64)old);
  expect_killed(load_at, freed, "load from released heap");
  expect_killed(store_at, (uint64)old + n - 1, "store to released heap");

  // Grown again, the memory is fresh: zero, not what was there.
  p = sbrk(n);
  CHECK(p == old, "regrow returned %p", p);
  for (uint64 a = freed; a < (uint64)old + n; a++)
    CHECK(*(char *)a == 0, "reused heap byte %p not zeroed", a);
  sbrk(-n);

  // Byte-sized steps move the break by exactly that much.
  char *b = sbrk(10);
  CHECK(b == old && sbrk(0) == old + 10, "sbrk(10) moved the break wrongly");
  b[9] = 1;
  CHECK(sbrk(-10) == old + 10 && sbrk(0) == old, "sbrk(-10) moved the break wrongly");
}

static void
shrink_below_zero(uint64 unused)
{
  char *before = sbrk(0);
  char *r = sbrk(-(int)((uint64)before + 2 * PGSIZE));
  CHECK(r == SBRK_ERROR || sbrk(0) == before, "the break went below the program");
  CHECK(rodata_text[0] == 't', "text changed");
  exit(SURVIVED);
}

static void
test_sbrk_huge(void)
{
  char *old = sbrk(0);
  CHECK(sbrk(0x7fffffff) == SBRK_ERROR, "sbrk of 2 GiB succeeded");
  CHECK(sbrk(0) == old, "a failed sbrk moved the break");
  // Memory still works after the failed attempt.
  char *p = sbrk(PGSIZE);
  CHECK(p == old, "sbrk after a failure");
  p[0] = p[PGSIZE - 1] = 1;
  sbrk(-PGSIZE);
  expect_survives(shrink_below_zero, 0, "shrinking past address 0");
}

#define LAZY_BYTES (16 * 1024 * 1024)

static void
test_sbrk_lazy(void)
{
  int before = count_free_pages();
  char *old = sbrk(0);
  char *p = sbrklazy(LAZY_BYTES);
  CHECK(p == old, "sbrklazy returned %p, want %p", p, old);
  CHECK(sbrk(0) == old + LAZY_BYTES, "sbrklazy did not move the break");
  int after = count_free_pages();
  CHECK(before > 0 && after > 0, "cannot count free pages");
  CHECK(before - after < 64, "sbrklazy of %d pages took %d pages at once",
        LAZY_BYTES / PGSIZE, before - after);

  // Untouched pages read as zero; touched ones keep what was stored.
  CHECK(p[5 * PGSIZE] == 0, "untouched lazy page not zero");
  p[0] = 'a';
  p[LAZY_BYTES / 2] = 'b';
  p[LAZY_BYTES - 1] = 'c';
  CHECK(p[0] == 'a' && p[LAZY_BYTES / 2] == 'b' && p[LAZY_BYTES - 1] == 'c', "lazy stores lost");

  // The kernel fills in lazy pages for system calls as well.
  int fds[2];
  CHECK(pipe(fds) == 0, "pipe");
  CHECK(write(fds[1], p + 9 * PGSIZE, 100) == 100, "write from an untouched lazy page failed");
  CHECK(read(fds[0], p + 3 * PGSIZE + 50, 100) == 100, "read into an untouched lazy page failed");
  CHECK(p[3 * PGSIZE + 50] == 0, "wrong data through lazy pages");
  close(fds[0]);
  close(fds[1]);

  // A child gets the touched data and its own lazy zero pages.
  int pid = fork();
  CHECK(pid >= 0, "fork with a lazy heap failed");
  if (pid == 0) {
    if (p[LAZY_BYTES - 1] != 'c' || p[7 * PGSIZE] != 0)
      exit(2);
    p[7 * PGSIZE] = 'x';
    exit(0);
  }
  int st = -99;
  wait(&st);
  CHECK(st == 0, "child saw the wrong lazy heap (status %d)", st);
  CHECK(p[7 * PGSIZE] == 0, "child's store reached the parent");

  expect_killed(load_at, PGROUNDUP((uint64)p + LAZY_BYTES) + PGSIZE, "load past the lazy heap");
  CHECK(sbrk(-LAZY_BYTES) == old + LAZY_BYTES && sbrk(0) == old, "shrinking the lazy heap");
  expect_killed(load_at, PGROUNDUP((uint64)old) + PGSIZE, "load from released lazy heap");
}

// Touching more lazy heap than there is memory kills the process.
static void
eat_lazy(uint64 unused)
{
  char *p = sbrklazy(1 << 30);
  if (p == SBRK_ERROR)
    exit(2);
  for (uint64 off = 0; off < (1UL << 30); off += PGSIZE)
    p[off] = 1;
  exit(3);
}

static void
test_sbrk_lazy_oom(void)
{
  int st = status_of(eat_lazy, 0);
  CHECK(st == -1, "touching 1 GiB of lazy heap: status %d, want -1 (killed)", st);
  // And the machine has its memory back: a normal allocation works.
  char *p = sbrk(256 * PGSIZE);
  CHECK(p != SBRK_ERROR, "no memory after the out-of-memory kill");
  sbrk(-256 * PGSIZE);
}

// ---------------------------------------------------------------------------
// exec

static char longarg[1001];

static void
exec_failures(uint64 unused)
{
  char *argv[MAXARG + 2];
  argv[0] = "echo";
  argv[1] = 0;
  CHECK(exec("/no_such_program", argv) == -1, "exec of a missing file did not fail");
  CHECK(exec("ex_text", argv) == -1, "exec of a text file did not fail");
  CHECK(exec("ex_trunc", argv) == -1, "exec of a truncated ELF did not fail");
  CHECK(exec("/", argv) == -1, "exec of a directory did not fail");

  for (int i = 0; i <= MAXARG; i++)
    argv[i] = "a";
  argv[MAXARG + 1] = 0;
  CHECK(exec("/echo", argv) == -1, "exec with %d arguments did not fail", MAXARG + 1);

#if (USERSTACK * PGSIZE) / 1000 + 2 < MAXARG
  // Arguments that cannot fit on the new stack.
  memset(longarg, 'z', 1000);
  int n = (USERSTACK * PGSIZE) / 1000 + 2;
  argv[0] = "echo";
  for (int i = 1; i <= n; i++)
    argv[i] = longarg;
  argv[n + 1] = 0;
  CHECK(exec("/echo", argv) == -1, "exec with %d KB of arguments did not fail", n);
#endif
  exit(SURVIVED);
}

static void
test_exec_errors(void)
{
  make_file_holding("ex_text", "#!/bin/sh\necho this is not an ELF file\n", 40);
  // The first 200 bytes of a real program: a valid header whose segments
  // point past the end of the file.
  int fd = open("/echo", O_RDONLY);
  CHECK(fd >= 0, "open /echo");
  CHECK(read_full(fd, filebuf, 200) == 200, "read /echo");
  close(fd);
  make_file_holding("ex_trunc", filebuf, 200);
  expect_survives(exec_failures, 0, "failing execs");
  unlink("ex_text");
  unlink("ex_trunc");
}

static void
test_exec_argv(void)
{
  static char out[512];
  char *argv[] = { "echo", "alpha", "beta", "gamma", 0 };
  int st = run_capture("/echo", argv, out, sizeof(out));
  CHECK(st == 0, "echo exit status %d", st);
  CHECK(strcmp(out, "alpha beta gamma\n") == 0, "echo printed \"%s\"", out);

  // Many arguments (one below the limit, with argv[0]).
  static char words[MAXARG][4];
  static char want[MAXARG * 4];
  char *many[MAXARG];
  char *w = want;
  many[0] = "echo";
  for (int i = 1; i < MAXARG - 1; i++) {
    numname(words[i], "a", i);
    many[i] = words[i];
    strcpy(w, words[i]);
    w += strlen(words[i]);
    *w++ = (i < MAXARG - 2) ? ' ' : '\n';
  }
  *w = 0;
  many[MAXARG - 1] = 0;
  st = run_capture("/echo", many, out, sizeof(out));
  CHECK(st == 0, "echo with %d arguments: status %d", MAXARG - 2, st);
  CHECK(strcmp(out, want) == 0, "echo with many arguments printed \"%s\"", out);
}

// ---------------------------------------------------------------------------
// Running out of descriptors and of open-file slots.

#define OF_CHILDREN 10

static void
test_open_exhaust(void)
{
  int fds[NOFILE + 1];
  int n = 0;
  for (; n <= NOFILE; n++) {
    fds[n] = open(".", O_RDONLY);
    if (fds[n] < 0)
      break;
  }
  CHECK(n < NOFILE, "opened %d files in one process, NOFILE is %d", n, NOFILE);
  CHECK(n >= NOFILE - 4, "could open only %d files", n);
  int p[2];
  CHECK(dup(0) == -1, "dup with a full table did not fail");
  CHECK(pipe(p) == -1, "pipe with a full table did not fail");
  for (int i = 0; i < n; i++)
    CHECK(close(fds[i]) == 0, "close failed");
  int fd = open(".", O_RDONLY);
  CHECK(fd >= 0, "open after closing everything failed");
  close(fd);

  // Many processes together hold more than the system-wide table.
  int report[2], go[2];
  CHECK(pipe(report) == 0 && pipe(go) == 0, "pipe");
  for (int c = 0; c < OF_CHILDREN; c++) {
    int pid = fork();
    CHECK(pid >= 0, "fork failed");
    if (pid == 0) {
      close(report[0]);
      close(go[1]);
      char count = 0;
      while (count < NOFILE && open(".", O_RDONLY) >= 0)
        count++;
      write(report[1], &count, 1);
      read(go[0], &count, 1);  // hold everything until the parent says go
      exit(0);
    }
  }
  close(report[1]);
  close(go[0]);
  int total = 0;
  for (int c = 0; c < OF_CHILDREN; c++) {
    char count;
    CHECK(read(report[0], &count, 1) == 1, "a child did not report");
    total += count;
  }
  close(go[1]);
  close(report[0]);
  for (int c = 0; c < OF_CHILDREN; c++) {
    int st = -99;
    CHECK(wait(&st) > 0 && st == 0, "child exit status %d", st);
  }
  CHECK(total <= NFILE, "%d files open at once, NFILE is %d", total, NFILE);
  CHECK(total >= NFILE / 2, "only %d files open system-wide", total);
  fd = open(".", O_RDONLY);
  CHECK(fd >= 0, "open after the children exited failed");
  close(fd);
}

// ---------------------------------------------------------------------------
// errno tells why a call failed.

static void
test_errno(void)
{
  char c;
  CHECK(open("no_such_file", O_RDONLY) == -1 && errno == ENOENT,
        "open of a missing file: errno %d, want ENOENT", errno);
  CHECK(read(NOFILE + 3, &c, 1) == -1 && errno == EBADF,
        "read of a bad fd: errno %d, want EBADF", errno);
  CHECK(close(-1) == -1 && errno == EBADF, "close(-1): errno %d, want EBADF", errno);
  CHECK(wait(0) == -1 && errno == ECHILD, "wait without children: errno %d, want ECHILD", errno);
  unlink("en_dir");
  CHECK(mkdir("en_dir") == 0, "mkdir en_dir failed");
  CHECK(mkdir("en_dir") == -1 && errno == EEXIST, "mkdir of an existing name: errno %d, want EEXIST",
        errno);
  unlink("en_dir");
  int fds[2];
  CHECK(pipe(fds) == 0 && write(fds[1], "data", 4) == 4, "pipe");
  CHECK(read(fds[0], (void *)KERNBASE, 4) == -1 && errno == EFAULT,
        "read into kernel memory: errno %d, want EFAULT", errno);
  close(fds[0]);
  close(fds[1]);
}

// ---------------------------------------------------------------------------
// procinfo: the process list behind ps

static struct procinfo ptable[NPROC];

// The entry for pid in a fresh procinfo() snapshot, or 0 if none. Every
// entry's split by kind must add up to its pages.
static struct procinfo *
find_proc(int pid)
{
  int n = procinfo(ptable, NPROC);
  CHECK(n > 0 && n <= NPROC, "procinfo returned %d", n);
  struct procinfo *found = 0;
  for (int i = 0; i < n; i++) {
    struct procinfo *e = &ptable[i];
    CHECK(e->file_pages + e->anon_pages + e->shared_pages == e->pages,
          "pid %d: file %lu + anon %lu + shared %lu pages != %lu", e->pid, e->file_pages,
          e->anon_pages, e->shared_pages, e->pages);
    if (e->pid == pid)
      found = e;
  }
  return found;
}

static uint64
my_pages(void)
{
  struct procinfo *me = find_proc(getpid());
  CHECK(me != 0, "procinfo does not list the caller");
  return me->pages;
}

static uint64
my_anon_pages(void)
{
  struct procinfo *me = find_proc(getpid());
  CHECK(me != 0, "procinfo does not list the caller");
  return me->anon_pages;
}

// Arguments, states, names, padding.
static void
test_procinfo_list(void)
{
  CHECK(procinfo(ptable, 0) == 0, "procinfo(buf, 0) did not return 0");
  CHECK(procinfo(ptable, -1) == -1 && errno == EINVAL, "procinfo(buf, -1): errno %d", errno);
  CHECK(procinfo((struct procinfo *)KERNBASE, NPROC) == -1 && errno == EFAULT,
        "procinfo into kernel memory: errno %d, want EFAULT", errno);
  CHECK(procinfo(ptable, 1) == 1 && ptable[0].pid == 1, "procinfo(buf, 1): not just init");

  memset(ptable, 0xff, sizeof(ptable));
  struct procinfo *init = find_proc(1);
  CHECK(init && init->ppid == 0 && strcmp(init->name, "init") == 0 &&
        init->state == PROCINFO_SLEEPING && init->pages > 0, "init's entry is wrong");
  struct procinfo *me = find_proc(getpid());
  CHECK(me && me->state == PROCINFO_RUNNING && strcmp(me->name, "usertests") == 0,
        "own entry: state %d name %s", me ? me->state : -1, me ? me->name : "-");
  struct procinfo *parent = find_proc(me->ppid);
  CHECK(parent && strcmp(parent->name, "usertests") == 0, "parent %d not listed", me->ppid);
  // Every byte that is not a field's value must be zero: the padding
  // after state, and the name after its NUL.
  const uchar *raw = (const uchar *)init;
  for (uint i = __builtin_offsetof(struct procinfo, state) + sizeof(int);
       i < __builtin_offsetof(struct procinfo, pages); i++)
    CHECK(raw[i] == 0, "padding byte %d is %x", i, raw[i]);
  for (uint i = strlen(init->name); i < PROCINFO_NAMELEN; i++)
    CHECK(init->name[i] == 0, "name byte %d is %x", i, (uchar)init->name[i]);

  // A sleeping child (blocked on an empty pipe: a child in pause() would
  // be woken, runnable, at every tick), then a zombie until collected.
  int fds[2];
  CHECK(pipe(fds) == 0, "pipe failed");
  int pid = fork();
  CHECK(pid >= 0, "fork failed");
  if (pid == 0) {
    char ch;
    close(fds[1]);
    read(fds[0], &ch, 1);
    exit(0);
  }
  close(fds[0]);
  struct procinfo *c;
  for (int i = 0; i < 100; i++) {  // it may not have gone to sleep yet
    c = find_proc(pid);
    if (c && c->state == PROCINFO_SLEEPING)
      break;
    pause(1);
  }
  int st = c ? c->state : -1, ppid = c ? c->ppid : -1;
  CHECK(kill(pid) == 0, "kill failed");
  close(fds[1]);
  CHECK(st == PROCINFO_SLEEPING && ppid == getpid(), "child: state %d ppid %d", st, ppid);
  for (int i = 0; i < 100; i++) {
    c = find_proc(pid);
    if (c && c->state == PROCINFO_ZOMBIE)
      break;
    pause(1);
  }
  CHECK(c && c->state == PROCINFO_ZOMBIE, "killed child is not a zombie");
  CHECK(wait(0) == pid, "wait failed");
  CHECK(find_proc(pid) == 0, "collected child still listed");
}

// pages follows the address space exactly: eager heap at once (private
// pages: anon_pages), lazy heap on first touch, mapped file pages when
// faulted in. (cowtest resident_split checks the split by kind in detail.)
static void
test_procinfo_pages(void)
{
  uint64 base = my_pages(), anon = my_anon_pages();
  char *p = sbrk(10 * PGSIZE);
  CHECK(p != SBRK_ERROR, "sbrk failed");
  CHECK(my_pages() == base + 10, "after sbrk of 10 pages: %lu, want %lu", my_pages(), base + 10);
  CHECK(my_anon_pages() == anon + 10, "after sbrk of 10 pages: %lu private pages, want %lu",
        my_anon_pages(), anon + 10);
  char *q = sbrklazy(5 * PGSIZE);
  CHECK(q != SBRK_ERROR, "sbrklazy failed");
  CHECK(my_pages() == base + 10, "lazy pages counted before use");
  q[PGSIZE] = 1;
  CHECK(my_pages() == base + 11, "touched lazy page: %lu, want %lu", my_pages(), base + 11);
  CHECK(sbrk(-15 * PGSIZE) != SBRK_ERROR, "shrink failed");
  CHECK(my_pages() == base, "after shrinking: %lu, want %lu", my_pages(), base);

  unlink("pi_file");
  int fd = open("pi_file", O_CREATE | O_RDWR);
  CHECK(fd >= 0, "create pi_file");
  static char page[PGSIZE];
  for (int i = 0; i < 3; i++)
    CHECK(write(fd, page, PGSIZE) == PGSIZE, "write pi_file");
  char *m = mmap(0, 3 * PGSIZE, PROT_READ, MAP_PRIVATE, fd, 0);
  CHECK(m != (char *)-1, "mmap failed");
  CHECK(my_pages() == base, "mapped pages counted before use");
  long window = knob(KNOB_FAULTAROUND, 1);  // map only the pages touched
  load_at((uint64)m);
  load_at((uint64)m + 2 * PGSIZE);
  knob(KNOB_FAULTAROUND, window);
  CHECK(my_pages() == base + 2, "two mapped pages read: %lu, want %lu", my_pages(), base + 2);
  CHECK(munmap(m, 3 * PGSIZE) == 0, "munmap failed");
  CHECK(my_pages() == base, "after munmap: %lu, want %lu", my_pages(), base);
  close(fd);
  unlink("pi_file");
}

// ---------------------------------------------------------------------------
// What the kernel copies out whole must not carry its own memory along.

// struct stat has 4 bytes of padding between nlink and size (offsets
// 12..15). fstat fills a buffer holding a pattern; every padding byte must
// come back zero, whatever the kernel stack held before (so try after
// calls that leave different things there), for a file, a directory and a
// device.
static void
test_stat_padding(void)
{
  static const char *const paths[] = { "README", ".", "console" };
  static struct stat st;
  // The gap between the end of nlink and the start of size.
  const uint pad = (uint)((char *)&st.nlink + sizeof(st.nlink) - (char *)&st);
  const uint pad_end = (uint)((char *)&st.size - (char *)&st);
  CHECK(pad_end > pad, "struct stat has no padding here (%d..%d)", pad, pad_end);
  for (int round = 0; round < 3; round++) {
    for (int i = 0; i < 3; i++) {
      int fd = open(paths[i], O_RDONLY);
      CHECK(fd >= 0, "open %s", paths[i]);
      if (round == 1)
        getpid();
      else if (round == 2 && i < 2)
        read(fd, &st, 1);  // a deeper call's frame (not the console: it would wait)
      memset(&st, 0xa5, sizeof(st));
      CHECK(fstat(fd, &st) == 0, "fstat %s", paths[i]);
      close(fd);
      const uchar *b = (const uchar *)&st;
      for (uint k = pad; k < pad_end; k++)
        CHECK(b[k] == 0, "fstat %s: padding byte %d is 0x%x, want 0", paths[i], k, b[k]);
    }
  }
}

// ---------------------------------------------------------------------------
// Clock ticks

static void
test_pause(void)
{
  int t0 = uptime();
  CHECK(t0 >= 0, "uptime failed");
  CHECK(pause(0) == 0, "pause(0) failed");
  CHECK(pause(3) == 0, "pause(3) failed");
  int t1 = uptime();
  CHECK(t1 - t0 >= 3, "pause(3) returned after %d ticks", t1 - t0);
  CHECK(sleep(1) == 0, "sleep(1) failed");
  CHECK(uptime() > t1, "uptime did not advance during sleep(1)");
}

// A process whose working directory has been removed must see no entries
// through it: not "..", which may name a directory removed after it, and
// no new files.
static void
test_removed_cwd(void)
{
  CHECK(mkdir("/rcwd") == 0, "mkdir /rcwd");
  CHECK(mkdir("/rcwd/in") == 0, "mkdir /rcwd/in");
  CHECK(chdir("/rcwd/in") == 0, "chdir /rcwd/in");
  CHECK(unlink("/rcwd/in") == 0, "unlink /rcwd/in (our cwd)");
  CHECK(unlink("/rcwd") == 0, "unlink /rcwd");
  CHECK(open("..", O_RDONLY) < 0, "opened .. of a removed directory");
  CHECK(open("../x", O_CREATE | O_RDWR) < 0, "created ../x under a removed directory");
  CHECK(open("new", O_CREATE | O_RDWR) < 0, "created a file in a removed directory");
  CHECK(mkdir("sub") < 0, "made a directory in a removed directory");
  CHECK(chdir("/") == 0, "chdir / after the removal");
  CHECK(open("rcwd", O_RDONLY) < 0, "/rcwd still exists");
}

// Fill the in-memory inode cache (NINODE slots) from several processes
// holding open files, then check that the file system still behaves: opens
// fail cleanly, and link() onto an existing name is refused even though
// the existing inode cannot be brought into the cache to look at it.
#define IC_HOLDERS 5
#define IC_FILES (NINODE + 20)
#define IC_PER_HOLDER ((IC_FILES + IC_HOLDERS - 1) / IC_HOLDERS)

static void
ic_name(char *buf, int i)
{
  strcpy(buf, "icache00");
  buf[6] = '0' + i / 10 % 10;
  buf[7] = '0' + i % 10;
  if (i >= 100)
    buf[5] = '0' + i / 100;
}

static int
count_entries(const char *dir, const char *name)
{
  struct dirent de;
  int fd = open(dir, O_RDONLY), n = 0;
  CHECK(fd >= 0, "open %s", dir);
  while (read(fd, &de, sizeof(de)) == sizeof(de))
    if (de.inum != 0 && strcmp(de.name, name) == 0)
      n++;
  close(fd);
  return n;
}

static void
test_inode_cache_full(void)
{
  char name[16], other[16];
  for (int i = 0; i < IC_FILES + 2; i++) {
    ic_name(name, i);
    int fd = open(name, O_CREATE | O_RDWR);
    CHECK(fd >= 0, "create %s", name);
    close(fd);
  }
  int ready[2], hold[2], opened = 0;
  CHECK(pipe(ready) == 0 && pipe(hold) == 0, "pipe");
  for (int h = 0; h < IC_HOLDERS; h++) {
    int pid = fork();
    CHECK(pid >= 0, "fork holder");
    if (pid == 0) {
      close(hold[1]);
      int n = 0;
      for (int i = h * IC_PER_HOLDER; i < (h + 1) * IC_PER_HOLDER && i < IC_FILES; i++) {
        ic_name(name, i);
        if (open(name, O_RDONLY) >= 0)
          n++;
      }
      write(ready[1], &n, sizeof(n));
      char c;
      read(hold[0], &c, 1);  // returns 0 when the parent closes hold[1]
      exit(0);
    }
  }
  close(hold[0]);
  for (int h = 0; h < IC_HOLDERS; h++) {
    int n = 0;
    CHECK(read(ready[0], &n, sizeof(n)) == sizeof(n), "holder report");
    opened += n;
  }
  CHECK(opened < IC_FILES, "%d distinct files open at once with NINODE %d", opened, NINODE);
  // name is held open (cached); other exists but is not in the cache.
  ic_name(name, 0);
  ic_name(other, IC_FILES + 1);
  CHECK(link(name, other) < 0, "link onto an existing name succeeded");
  close(hold[1]);
  for (int h = 0; h < IC_HOLDERS; h++)
    wait(0);
  CHECK(count_entries(".", other) == 1, "%s appears %d times", other, count_entries(".", other));
  for (int i = 0; i < IC_FILES + 2; i++) {
    ic_name(name, i);
    CHECK(unlink(name) == 0, "unlink %s", name);
  }
}

// An ELF whose segment sits just below TRAPFRAME leaves no room for the
// stack above it: exec must refuse it, not map over the trapframe.
static void
test_exec_high_segment(void)
{
  struct {
    struct elfhdr e;
    struct proghdr p;
  } img;
  memset(&img, 0, sizeof(img));
  img.e.magic = ELF_MAGIC;
  img.e.phoff = sizeof(img.e);
  img.e.phnum = 1;
  img.p.type = ELF_PROG_LOAD;
  img.p.flags = ELF_PROG_FLAG_R | ELF_PROG_FLAG_W;
  img.p.vaddr = TRAPFRAME - 2 * PGSIZE;
  img.p.memsz = PGSIZE;
  int fd = open("highelf", O_CREATE | O_RDWR | O_TRUNC);
  CHECK(fd >= 0, "create highelf");
  CHECK(write(fd, &img, sizeof(img)) == sizeof(img), "write highelf");
  close(fd);
  char *argv[] = { "highelf", 0 };
  CHECK(exec("highelf", argv) < 0, "exec of a segment next to TRAPFRAME returned");
  CHECK(unlink("highelf") == 0, "unlink highelf");
}

// init adopts orphans and must never exit, so it cannot be killed.
static void
test_kill_init(void)
{
  CHECK(kill(1) < 0, "kill(1) succeeded");
  CHECK(errno == EPERM, "kill(1) errno %d, want EPERM", errno);
}

// sbrk with a shrink larger than the whole address space wraps around;
// like xv6 the kernel ignores it and returns the unchanged break.
static void
test_sbrk_wrap(void)
{
  char *brk = sbrk(0);
  char *r = sbrk(-(int)((uint64)brk + 1));
  CHECK(r == brk, "sbrk(-(break+1)) returned %p, want the old break %p", r, brk);
  CHECK(sbrk(0) == brk, "break moved to %p", sbrk(0));
  brk[-1] = 1;  // the page below the break is still there
}

// ---------------------------------------------------------------------------
// The suite

static const struct test tests[] = {
  { "badptr_syscalls", test_badptr_syscalls },
  { "bad_access_kills", test_bad_access_kills },
  { "text_readonly", test_text_readonly },
  { "stack_guard", test_stack_guard },
  { "traps", test_traps },
  { "fork_wait", test_fork_wait },
  { "exit_status", test_exit_status },
  { "reparent", test_reparent },
  { "fork_exhaust", test_fork_exhaust },
  { "fork_memory", test_fork_memory },
  { "fork_concurrent", test_fork_concurrent },
  { "kill", test_kill },
  { "pipe_transfer", test_pipe_transfer },
  { "pipe_ends", test_pipe_ends },
  { "file_rw", test_file_rw },
  { "file_modes", test_file_modes },
  { "links", test_links },
  { "dirs", test_dirs },
  { "dir_entries", test_dir_entries },
  { "dup", test_dup },
  { "bad_fds", test_bad_fds },
  { "concurrent_dir", test_concurrent_dir },
  { "dir_race", test_dir_race },
  { "bigfile", test_bigfile },
  { "disk_batching", test_disk_batching },
  { "disk_integrity", test_disk_integrity },
  { "sbrk_grow_shrink", test_sbrk_grow_shrink },
  { "sbrk_huge", test_sbrk_huge },
  { "sbrk_lazy", test_sbrk_lazy },
  { "sbrk_lazy_oom", test_sbrk_lazy_oom },
  { "exec_errors", test_exec_errors },
  { "exec_argv", test_exec_argv },
  { "open_exhaust", test_open_exhaust },
  { "errno", test_errno },
  { "pause", test_pause },
  { "procinfo_list", test_procinfo_list },
  { "procinfo_pages", test_procinfo_pages },
  { "removed_cwd", test_removed_cwd },
  { "sbrk_wrap", test_sbrk_wrap },
  { "inode_cache_full", test_inode_cache_full },
  { "exec_high_segment", test_exec_high_segment },
  { "kill_init", test_kill_init },
  { "stat_padding", test_stat_padding },
};
#define NTESTS (sizeof(tests) / sizeof(tests[0]))

// Run one test in a child; returns 1 if it passed. No leak check per test:
// some tests leave orphans for init to reap (see free_pages_settled).
static int
run_test(const struct test *t)
{
  int start = uptime();
  if (!status_passed(t, run_child(t)))
    return 0;
  printf("test %s: OK (%d ticks)\n", t->name, uptime() - start);
  return 1;
}

// Free pages after the tests, allowing a moment for orphans that init has
// not yet reaped (test_reparent leaves some) to go away.
static int
free_pages_settled(int before)
{
  int after = count_free_pages();
  for (int tries = 0; tries < 5 && after < before; tries++) {
    pause(5);
    after = count_free_pages();
  }
  return after;
}

int
main(int argc, char *argv[])
{
  int top_marker;
  stack_top = PGROUNDDOWN((uint64)&top_marker) + PGSIZE;

  if (argc == 3 && strcmp(argv[1], "-ret") == 0)
    return atoi(argv[2]);

  const char *only = argc >= 2 ? argv[1] : 0;
  suite_start("usertests", tests, NTESTS, only);
  printf("usertests starting\n");
  int before = count_free_pages();
  if (before <= 0) {
    printf("usertests: cannot count free pages\n");
    printf("SOME TESTS FAILED\n");
    exit(1);
  }

  int failed = suite_run(tests, NTESTS, only, run_test);

  int after = free_pages_settled(before);
  printf("free pages: %d before, %d after\n", before, after);
  if (after < before) {
    printf("usertests: FAILED: %d pages lost\n", before - after);
    failed++;
  }

  if (failed) {
    printf("SOME TESTS FAILED\n");
    exit(1);
  }
  printf("ALL TESTS PASSED\n");
  return 0;
}
