// cowtest.c -- tests of copy-on-write fork: fork shares every private
// page of the program, its stack and heap (and of private areas) read-only
// with the child, and a store by either side copies only the page stored
// to, and only while the other side still has it. resident_split checks
// what procinfo (ps) makes of that: each process's resident pages split
// into file, anonymous and shared, before and after a fork.
//
// Usage: cowtest [NAME]   run every test (or only test NAME) under the
//                         kernel's current knobs (mapping policy, svade),
//                         printed first; make test runs it under both
//                         policies and with store-fault dirty tracking
//        cowtest -h       (helper mode) write one byte to fd 1, then wait
//                         for end-of-file on fd 0: exec_drops_shares
//                         execs this in a child
//
// Each test runs in a forked child (testlib.h's suite), and afterwards the
// free page count must be back where it was (run_leak_checked): a page
// kept by an owner count that never reached zero fails the test that
// shared it.
//
// Counting exactly. The kstats counters fork_shared_pages, cow_copies and
// cow_reuses are global, and every first store to a page fork shared is
// one of the last two -- stack pages and data pages included, in any
// process. So a test that counts exactly first waits until every other
// process sleeps (settle: the shell and the suite's driver have made
// their first stores after their forks), lets one of its processes run at
// a time (pipes say whose turn it is), reads the counters into a buffer
// on its stack (whose page it has stored to already), and stores to
// nothing but heap pages between two readings.
//
// Writing tests here. The user stack is one page: keep buffers static.
// Pages are told apart by tags (tag_page): a word at three places in the
// page naming the page and who stored it.

#include "kernel/param.h"
#include "kernel/fcntl.h"
#include "kernel/types.h"
#include "kernel/riscv.h"
#include "kernel/errno.h"
#include "kernel/memlayout.h"
#include "kernel/kstats.h"
#include "kernel/knobs.h"
#include "kernel/procinfo.h"
#include "user/user.h"
#include "user/testlib.h"

#define PG PGSIZE
#define HEAP_PAGES 1024      // heap_counts: 4 MiB
#define BIG_PAGES  4096      // fork_16m: 16 MiB
#define FORK_ALLOC_MAX 24    // pages a fork may allocate: page tables, trapframe
#define FILE_NAME "cow_file"

static long policy;          // the mapping policy for new file areas (main)

// ---------------------------------------------------------------------------
// Fixtures

// Tag `who` for page i: three words in the page say (who, i).
static void
tag_page(char *heap, int i, int who)
{
  uint64 v = ((uint64)who << 32) | (uint)i;
  uint64 *w = (uint64 *)(heap + (uint64)i * PG);
  w[0] = v;
  w[PG / 16] = v;
  w[PG / 8 - 1] = v;
}

// The tag page i holds: its owner, or -1 if the three words disagree or do
// not name page i.
static int
tag_of(char *heap, int i)
{
  uint64 *w = (uint64 *)(heap + (uint64)i * PG);
  uint64 v = w[0];
  if (w[PG / 16] != v || w[PG / 8 - 1] != v || (uint)v != (uint)i)
    return -1;
  return (int)(v >> 32);
}

// Pages [from, to) of heap must carry tag who.
static void
expect_tags(char *heap, int from, int to, int who, const char *what)
{
  for (int i = from; i < to; i++) {
    int t = tag_of(heap, i);
    CHECK(t == who, "%s: page %d has tag %d, want %d", what, i, t, who);
  }
}

static void
tag_pages(char *heap, int from, int to, int who)
{
  for (int i = from; i < to; i++)
    tag_page(heap, i, who);
}

// npages of new heap, allocated now (sbrk) and tagged `who`.
static char *
grow_tagged(int npages, int who)
{
  char *p = sbrk(npages * PG);
  CHECK(p != SBRK_ERROR, "sbrk of %d pages failed, errno %d", npages, errno);
  tag_pages(p, 0, npages, who);
  return p;
}

// The counters a test compares, read into the caller's (stack) buffer.
struct cow {
  uint64 shared, copies, reuses, free;
};

static void
cow_read(struct cow *c)
{
  struct kstats k;
  read_kstats(&k);
  c->shared = k.fork_shared_pages;
  c->copies = k.cow_copies;
  c->reuses = k.cow_reuses;
  c->free = k.free_pages;
}

// Pipes between two processes: one byte says "your turn".
struct turns {
  int to_child[2], to_parent[2];
};

static void
turns_open(struct turns *t)
{
  CHECK(pipe(t->to_child) == 0 && pipe(t->to_parent) == 0, "pipe failed");
}

// Sends the byte from a stack slot: so the sayer has stored to its stack
// page (and made it its own) before the other side hears.
static void
say(int fd)
{
  volatile char c = 't';
  CHECK(write(fd, (char *)&c, 1) == 1, "write to a pipe failed");
}

static void
hear(int fd)
{
  char c;
  CHECK(read(fd, &c, 1) == 1, "read from a pipe failed (the other side died?)");
}



static struct procinfo procs[NPROC];

// Waits until every other process is asleep (or a zombie): see "Counting
// exactly" above. A process that forked stores to its stack soon after;
// one that sleeps has done so, and the wait or read it sleeps in stores
// only into pages that are its own by then.
static void
settle(void)
{
  int me = getpid();
  for (int tries = 0; tries < 100; tries++) {
    int n = procinfo(procs, NPROC), busy = 0;
    CHECK(n > 0, "procinfo failed, errno %d", errno);
    for (int i = 0; i < n; i++)
      busy += procs[i].pid != me && procs[i].state != PROCINFO_SLEEPING &&
              procs[i].state != PROCINFO_ZOMBIE;
    if (busy == 0)
      return;
    sleep(1);
  }
  FAIL("other processes stay awake for 10 seconds");
}

// This process's resident pages, as procinfo reports them.
static uint64
my_pages(void)
{
  int n = procinfo(procs, NPROC);
  CHECK(n > 0, "procinfo failed, errno %d", errno);
  int me = getpid();
  for (int i = 0; i < n; i++)
    if (procs[i].pid == me)
      return procs[i].pages;
  FAIL("procinfo does not list pid %d", me);
}

// ---------------------------------------------------------------------------
// Tests

// fork of a process with a touched 4 MiB heap shares every page and copies
// none; afterwards exactly the pages stored to are copied, by either side,
// and a page whose other owner has stored (or gone) is reused, not copied.
// Isolation both ways.
static void
heap_counts(void)
{
  char *h = grow_tagged(HEAP_PAGES, 1);
  settle();
  uint64 resident = my_pages();
  struct turns t;
  turns_open(&t);
  struct cow c0, c1;
  cow_read(&c0);
  int pid = fork();
  CHECK(pid >= 0, "fork failed");
  if (pid == 0) {
    say(t.to_parent[1]);  // ready: this side's stack page is its own
    hear(t.to_child[0]);
    tag_pages(h, 0, 100, 2);  // phase A: copies 100
    say(t.to_parent[1]);
    hear(t.to_child[0]);      // the parent stored to 50..150
    expect_tags(h, 0, 100, 2, "child, its own stores");
    expect_tags(h, 100, HEAP_PAGES, 1, "child, pages the parent stored to or not");
    exit(0);
  }
  hear(t.to_parent[0]);
  cow_read(&c1);
  CHECK(c1.shared - c0.shared == resident, "fork shared %d pages, want %d (all resident)",
        (int)(c1.shared - c0.shared), (int)resident);
  CHECK(c0.free - c1.free <= FORK_ALLOC_MAX,
        "fork of a %d-page heap took %d pages, want at most %d (no copies)", HEAP_PAGES,
        (int)(c0.free - c1.free), FORK_ALLOC_MAX);

  say(t.to_child[1]);  // phase A: the child stores to pages 0..100
  hear(t.to_parent[0]);
  cow_read(&c0);
  CHECK(c0.copies - c1.copies == 100 && c0.reuses - c1.reuses == 0,
        "the child's stores to 100 shared pages: %d copies, %d reuses; want 100, 0",
        (int)(c0.copies - c1.copies), (int)(c0.reuses - c1.reuses));
  expect_tags(h, 0, HEAP_PAGES, 1, "parent, after the child's stores");

  tag_pages(h, 50, 150, 3);  // phase B: 50 pages only we have now, 50 shared
  cow_read(&c1);
  CHECK(c1.copies - c0.copies == 50 && c1.reuses - c0.reuses == 50,
        "the parent's stores to pages 50..150: %d copies, %d reuses; want 50, 50",
        (int)(c1.copies - c0.copies), (int)(c1.reuses - c0.reuses));
  say(t.to_child[1]);
  reap(pid, 0, "child");

  cow_read(&c0);
  tag_pages(h, 150, HEAP_PAGES, 4);  // the child is gone: every page is ours alone
  cow_read(&c1);
  CHECK(c1.copies == c0.copies && c1.reuses - c0.reuses == HEAP_PAGES - 150,
        "stores after the child exited: %d copies, %d reuses; want 0, %d",
        (int)(c1.copies - c0.copies), (int)(c1.reuses - c0.reuses), HEAP_PAGES - 150);
  expect_tags(h, 0, 50, 1, "parent, pages only the child stored to");
  expect_tags(h, 50, 150, 3, "parent, its own stores");
  expect_tags(h, 150, HEAP_PAGES, 4, "parent, its stores after the child exited");
}

// fork of a 16 MiB touched heap: what it costs, printed, and then what
// the first stores cost.
static void
fork_16m(void)
{
  char *h = grow_tagged(BIG_PAGES, 1);
  settle();
  struct turns t;
  turns_open(&t);
  struct cow c0, c1, c2;
  cow_read(&c0);
  int pid = fork();
  CHECK(pid >= 0, "fork failed");
  if (pid == 0) {
    say(t.to_parent[1]);
    hear(t.to_child[0]);
    tag_pages(h, 0, BIG_PAGES, 2);
    expect_tags(h, 0, BIG_PAGES, 2, "child");
    exit(0);
  }
  hear(t.to_parent[0]);
  cow_read(&c1);
  say(t.to_child[1]);
  reap(pid, 0, "child");
  cow_read(&c2);
  expect_tags(h, 0, BIG_PAGES, 1, "parent");
  CHECK(c1.shared - c0.shared >= BIG_PAGES && c0.free - c1.free <= FORK_ALLOC_MAX,
        "fork shared %d pages and took %d", (int)(c1.shared - c0.shared),
        (int)(c0.free - c1.free));
  CHECK(c2.copies - c1.copies == BIG_PAGES, "the child's stores made %d copies, want %d",
        (int)(c2.copies - c1.copies), BIG_PAGES);
  printf("cowtest: fork of a 16 MiB touched heap: %d pages shared, %d pages allocated "
         "(page tables, trapframe); the child's stores to the heap: %d copies\n",
         (int)(c1.shared - c0.shared), (int)(c0.free - c1.free),
         (int)(c2.copies - c1.copies));
}

static int data_word = 0x1234;  // .data
static char bss_pages[3 * PG];  // .bss, over several pages

// Isolation both ways for the program's data and bss and for the stack.
static void
stack_data_isolation(void)
{
  volatile int on_stack = 10;
  data_word = 11;
  for (int i = 0; i < 3; i++)
    bss_pages[i * PG + 5] = 12;
  struct turns t;
  turns_open(&t);
  int pid = fork();
  CHECK(pid >= 0, "fork failed");
  if (pid == 0) {
    CHECK(on_stack == 10 && data_word == 11 && bss_pages[PG + 5] == 12,
          "child does not see the parent's memory from before the fork");
    on_stack = 20;
    data_word = 21;
    for (int i = 0; i < 3; i++)
      bss_pages[i * PG + 5] = 22;
    say(t.to_parent[1]);
    hear(t.to_child[0]);
    CHECK(on_stack == 20, "child's stack variable is %d, want 20", on_stack);
    CHECK(data_word == 21, "child's data word is %d, want 21", data_word);
    for (int i = 0; i < 3; i++)
      CHECK(bss_pages[i * PG + 5] == 22, "child's bss page %d holds %d, want 22", i,
            bss_pages[i * PG + 5]);
    exit(0);
  }
  hear(t.to_parent[0]);
  CHECK(on_stack == 10, "parent's stack variable is %d after the child's store", on_stack);
  CHECK(data_word == 11, "parent's data word is %d after the child's store", data_word);
  for (int i = 0; i < 3; i++)
    CHECK(bss_pages[i * PG + 5] == 12, "parent's bss page %d holds %d after the child's store",
          i, bss_pages[i * PG + 5]);
  on_stack = 30;
  data_word = 31;
  for (int i = 0; i < 3; i++)
    bss_pages[i * PG + 5] = 32;
  say(t.to_child[1]);
  reap(pid, 0, "child");
  CHECK(on_stack == 30 && data_word == 31 && bss_pages[2 * PG + 5] == 32,
        "parent lost its own stores");
}

#define GEN_PAGES 64
#define GEN_CHILDREN 3
#define GEN_GRANDCHILDREN 2
#define GEN_COMMON (GEN_PAGES - 1)  // the page every process stores to

// Process `who` stores its tag into its own page and the common one, then
// checks that it sees its stores and nobody else's.
static void
gen_store_and_check(char *h, int who, int nprocs)
{
  tag_page(h, who, who + 1);
  tag_page(h, GEN_COMMON, who + 1);
  sleep(1);  // let the others store meanwhile
  for (int i = 0; i < nprocs; i++)
    CHECK(tag_of(h, i) == (i == who ? who + 1 : 0), "process %d sees tag %d in page %d", who,
          tag_of(h, i), i);
  CHECK(tag_of(h, GEN_COMMON) == who + 1, "process %d: common page has tag %d", who,
        tag_of(h, GEN_COMMON));
  expect_tags(h, nprocs, GEN_COMMON, 0, "pages nobody stored to");
}

// A parent, its children and grandchildren all share a heap, then each
// stores to its own page and to one page all store to: each sees only its
// own stores; every page comes back when they have all exited.
static void
generations(void)
{
  int nprocs = 1 + GEN_CHILDREN * (1 + GEN_GRANDCHILDREN);
  char *h = grow_tagged(GEN_PAGES, 0);
  struct cow c0, c1;
  cow_read(&c0);
  int pids[GEN_CHILDREN];
  for (int c = 0; c < GEN_CHILDREN; c++) {
    pids[c] = fork();
    CHECK(pids[c] >= 0, "fork failed");
    if (pids[c] == 0) {
      int me = 1 + c * (1 + GEN_GRANDCHILDREN);
      int gpids[GEN_GRANDCHILDREN];
      for (int g = 0; g < GEN_GRANDCHILDREN; g++) {
        gpids[g] = fork();
        CHECK(gpids[g] >= 0, "fork of a grandchild failed");
        if (gpids[g] == 0) {
          gen_store_and_check(h, me + 1 + g, nprocs);
          exit(0);
        }
      }
      gen_store_and_check(h, me, nprocs);
      reap_all(gpids, GEN_GRANDCHILDREN, "grandchild");
      exit(0);
    }
  }
  gen_store_and_check(h, 0, nprocs);
  reap_all(pids, GEN_CHILDREN, "child");
  cow_read(&c1);
  // Each process's first store to each of its two pages was one fault,
  // a copy or a reuse; first stores to stack and data pages add more.
  CHECK((c1.copies - c0.copies) + (c1.reuses - c0.reuses) >= 2 * (uint64)nprocs,
        "%d copies and %d reuses for %d processes storing to 2 shared pages each",
        (int)(c1.copies - c0.copies), (int)(c1.reuses - c0.reuses), nprocs);
  expect_tags(h, 1, GEN_COMMON, 0, "parent, after all the others exited");
}

#define FREE_PAGES 256
#define FREE_CHILDREN 4

// The parent drops its heap while children still have it: no page is
// freed then; when the last owner exits, all are. A child that shrinks its
// heap drops only its own shares.
static void
owners_exit_frees(void)
{
  struct cow c0, c1, c2, c3;
  cow_read(&c0);
  char *h = grow_tagged(FREE_PAGES, 1);
  int go[2];
  CHECK(pipe(go) == 0, "pipe failed");
  int pids[FREE_CHILDREN];
  for (int i = 0; i < FREE_CHILDREN; i++) {
    pids[i] = fork();
    CHECK(pids[i] >= 0, "fork failed");
    if (pids[i] == 0) {
      close(go[1]);
      char c;
      CHECK(read(go[0], &c, 1) == 0, "expected end-of-file");
      expect_tags(h, 0, FREE_PAGES, 1, "child, after the parent dropped the heap");
      exit(0);
    }
  }
  close(go[0]);
  cow_read(&c1);
  CHECK(sbrk(-FREE_PAGES * PG) != SBRK_ERROR, "sbrk shrinking failed");
  cow_read(&c2);
  CHECK(c2.free < c1.free + FREE_PAGES / 4,
        "shrinking the heap while %d children share it freed %d pages", FREE_CHILDREN,
        (int)(c2.free - c1.free));
  close(go[1]);  // the children check and exit
  reap_all(pids, FREE_CHILDREN, "child");
  cow_read(&c3);
  CHECK(c3.free >= c2.free + FREE_PAGES,
        "after the last owner exited %d pages free, %d before: the heap was not freed",
        (int)c3.free, (int)c2.free);
  CHECK(c3.free + 8 >= c0.free, "%d pages free at the end, %d at the start", (int)c3.free,
        (int)c0.free);

  // A child shrinks: the parent keeps every page, and owns each alone now.
  h = grow_tagged(FREE_PAGES, 5);
  settle();
  int pid = fork();
  CHECK(pid >= 0, "fork failed");
  if (pid == 0) {
    CHECK(sbrk(-FREE_PAGES * PG) != SBRK_ERROR, "sbrk shrinking in the child failed");
    exit(0);
  }
  reap(pid, 0, "child");
  expect_tags(h, 0, FREE_PAGES, 5, "parent, after the child shrank its heap");
  cow_read(&c0);
  tag_pages(h, 0, FREE_PAGES, 6);
  cow_read(&c1);
  CHECK(c1.copies == c0.copies && c1.reuses - c0.reuses == FREE_PAGES,
        "stores after the child shrank and exited: %d copies, %d reuses; want 0, %d",
        (int)(c1.copies - c0.copies), (int)(c1.reuses - c0.reuses), FREE_PAGES);
}

static char readbuf[3 * PG];  // static: the user stack is one page

#define STATUS_OFF (4 * PG + 8)  // where the parent's wait() puts a status

// Kernel copies into a shared heap page -- read() from a file, read() from
// a pipe, wait()'s status -- copy it like a store would, on the side that
// made the call only.
static void
kernel_copies(void)
{
  make_file(FILE_NAME, 3 * PG, 7);
  int fd = open_or_fail(FILE_NAME, O_RDONLY);
  char *h = grow_tagged(5, 1);
  settle();
  int data[2];
  CHECK(pipe(data) == 0, "pipe failed");
  struct turns t;
  turns_open(&t);
  int pid = fork();
  CHECK(pid >= 0, "fork failed");
  if (pid == 0) {
    say(t.to_parent[1]);
    hear(t.to_child[0]);
    // read() across three shared pages, starting inside the first.
    int n = read(fd, h + 100, 2 * PG + 200);
    CHECK(n == 2 * PG + 200, "read into shared heap pages returned %d, errno %d", n, errno);
    say(t.to_parent[1]);
    CHECK(read(data[0], h + 3 * PG + 64, 10) == 10, "read from the pipe failed");
    hear(t.to_child[0]);
    long at = mismatch(h + 100, 2 * PG + 200, 7, 0);
    CHECK(at < 0, "child: byte %d read from the file is wrong", (int)at);
    CHECK(memcmp(h + 3 * PG + 64, "from pipe", 10) == 0, "child: wrong bytes from the pipe");
    CHECK(*(int *)(h + STATUS_OFF) == 0, "child sees the parent's wait status");
    exit(0);
  }
  hear(t.to_parent[0]);
  struct cow c0, c1;
  cow_read(&c0);
  say(t.to_child[1]);
  hear(t.to_parent[0]);
  cow_read(&c1);
  CHECK(c1.copies - c0.copies == 3 && c1.reuses == c0.reuses,
        "read() into 3 shared pages: %d copies, %d reuses; want 3, 0",
        (int)(c1.copies - c0.copies), (int)(c1.reuses - c0.reuses));
  expect_tags(h, 0, 5, 1, "parent, after the child's read()");
  CHECK(write(data[1], "from pipe", 10) == 10, "write to the pipe failed");
  // wait() is the first to store into page 4, which the reader shares.
  int *st = (int *)(h + STATUS_OFF);
  int other = fork();
  CHECK(other >= 0, "fork failed");
  if (other == 0)
    exit(7);
  CHECK(wait(st) == other && *st == 7, "wait's status %d, want 7", *st);
  expect_tags(h, 4, 5, 1, "parent, around the status");
  close(fd);
  say(t.to_child[1]);
  reap(pid, 0, "child");
  fd = open_or_fail(FILE_NAME, O_RDONLY);
  CHECK(read(fd, h + 100, 2 * PG + 200) == 2 * PG + 200, "parent's read failed");
  close(fd);
  CHECK(mismatch(h + 100, 2 * PG + 200, 7, 0) < 0, "parent: bytes read are wrong");
  unlink(FILE_NAME);
}

static void
store_text(uint64 a)
{
  store_at(a);
}

// Pages that must never be writable stay so after a fork: the program's
// text (a store kills, a read() into it fails with EFAULT), the stack's
// guard page, the trapframe.
static void
never_writable(void)
{
  uint64 text = (uint64)store_text;
  struct turns t;
  turns_open(&t);
  int pid = fork();  // a child that shares everything meanwhile
  CHECK(pid >= 0, "fork failed");
  if (pid == 0) {
    hear(t.to_child[0]);
    exit(0);
  }
  expect_killed(store_text, text, "store into text after fork");
  make_file(FILE_NAME, PG, 3);
  int fd = open_or_fail(FILE_NAME, O_RDONLY);
  char before = *(volatile char *)text;
  int n = read(fd, (char *)text, 16);
  CHECK(n == -1 && errno == EFAULT, "read() into text returned %d, errno %d", n, errno);
  CHECK(*(volatile char *)text == before, "read() changed the text");
  close(fd);
  unlink(FILE_NAME);
  volatile int local = 0;
  uint64 guard = PGROUNDDOWN((uint64)&local) - PG;  // the stack is one page (USERSTACK)
  expect_killed(load_at, guard, "load from the stack guard page after fork");
  expect_killed(store_at, guard, "store into the stack guard page after fork");
  expect_killed(load_at, TRAPFRAME, "load from the trapframe after fork");
  expect_killed(store_at, TRAPFRAME, "store into the trapframe after fork");
  say(t.to_child[1]);
  reap(pid, 0, "child");
}

// exec in the child drops its shares at once: the parent's next stores
// find every page its own and copy none.
static void
exec_drops_shares(void)
{
  int n = 128;
  char *h = grow_tagged(n, 1);
  settle();
  struct turns t;
  turns_open(&t);
  int pid = fork();
  CHECK(pid >= 0, "fork failed");
  if (pid == 0) {
    close(0);
    CHECK(dup(t.to_child[0]) == 0, "dup failed");
    close(1);
    CHECK(dup(t.to_parent[1]) == 1, "dup failed");
    close(t.to_child[0]), close(t.to_child[1]);  // else fd 0 never ends
    close(t.to_parent[0]), close(t.to_parent[1]);
    char *argv[] = {"cowtest", "-h", 0};
    exec("cowtest", argv);
    exit(3);
  }
  close(t.to_child[0]);
  close(t.to_parent[1]);
  hear(t.to_parent[0]);  // the helper runs: the exec is complete
  struct cow c0, c1;
  cow_read(&c0);
  tag_pages(h, 0, n, 2);
  cow_read(&c1);
  CHECK(c1.copies == c0.copies && c1.reuses - c0.reuses == (uint64)n,
        "stores after the child's exec: %d copies, %d reuses; want 0, %d",
        (int)(c1.copies - c0.copies), (int)(c1.reuses - c0.reuses), n);
  close(t.to_child[1]);
  reap(pid, 0, "exec'd helper");
}

#define PROT_RW (PROT_READ | PROT_WRITE)

// The heap and every kind of mapped area after a fork, both sides
// storing: private memory (heap, private anonymous area, private file
// area: a page the parent had copied and one it had not) stays private,
// shared anonymous memory stays shared. Under svade 1 the shared area's
// stores fault for dirty tracking between the copy-on-write faults.
static void
mixed_areas(void)
{
  char *h = grow_tagged(1, 1);
  char *pa = mmap(0, PG, PROT_RW, MAP_ANONYMOUS | MAP_PRIVATE, -1, 0);
  char *sa = mmap(0, PG, PROT_RW, MAP_ANONYMOUS | MAP_SHARED, -1, 0);
  make_file(FILE_NAME, 2 * PG, 9);
  int fd = open_or_fail(FILE_NAME, O_RDONLY);
  char *pf = mmap(0, 2 * PG, PROT_RW, MAP_PRIVATE, fd, 0);
  close(fd);
  CHECK(pa != MAP_FAILED && sa != MAP_FAILED && pf != MAP_FAILED, "mmap failed, errno %d",
        errno);
  int file_shared = policy == MMAP_POLICY_CACHE;  // the naive policy's child reads the file
  tag_page(pa, 0, 1);
  tag_page(sa, 0, 1);
  tag_page(pf, 0, 1);  // a private copy now; page 1 is still the cache's
  struct turns t;
  turns_open(&t);
  int pid = fork();
  CHECK(pid >= 0, "fork failed");
  if (pid == 0) {
    if (file_shared)
      CHECK(tag_of(pf, 0) == 1, "child does not see the parent's private file page");
    CHECK(tag_of(h, 0) == 1 && tag_of(pa, 0) == 1 && tag_of(sa, 0) == 1,
          "child does not see the parent's memory");
    tag_page(h, 0, 2);
    tag_page(pa, 0, 2);
    tag_page(sa, 0, 2);
    tag_page(pf, 0, 2);
    tag_page(pf, 1, 2);
    say(t.to_parent[1]);
    hear(t.to_child[0]);
    CHECK(tag_of(h, 0) == 2 && tag_of(pa, 0) == 2 && tag_of(pf, 0) == 2 && tag_of(pf, 1) == 2,
          "child lost a private store");
    CHECK(tag_of(sa, 0) == 3, "child: shared area has tag %d, want the parent's 3",
          tag_of(sa, 0));
    exit(0);
  }
  hear(t.to_parent[0]);
  CHECK(tag_of(h, 0) == 1 && tag_of(pa, 0) == 1 && tag_of(pf, 0) == 1,
        "parent sees the child's private stores");
  CHECK(mismatch(pf + PG, PG, 9, PG) < 0, "parent's private file page 1 changed");
  CHECK(tag_of(sa, 0) == 2, "parent: shared area has tag %d, want the child's 2",
        tag_of(sa, 0));
  tag_page(h, 0, 3);
  tag_page(pa, 0, 3);
  tag_page(sa, 0, 3);
  tag_page(pf, 0, 3);
  say(t.to_child[1]);
  reap(pid, 0, "child");
  CHECK(tag_of(h, 0) == 3 && tag_of(pa, 0) == 3 && tag_of(pf, 0) == 3 && tag_of(sa, 0) == 3,
        "parent lost a store");
  fd = open_or_fail(FILE_NAME, O_RDONLY);
  CHECK(read(fd, readbuf, 2 * PG) == 2 * PG, "read of the file failed");
  close(fd);
  CHECK(mismatch(readbuf, 2 * PG, 9, 0) < 0, "a private store reached the file");
  CHECK(munmap(pa, PG) == 0 && munmap(sa, PG) == 0 && munmap(pf, 2 * PG) == 0,
        "munmap failed");
  unlink(FILE_NAME);
}

// ---------------------------------------------------------------------------
// ps's split of the resident pages (procinfo: file, anon, shared; the
// definitions are kernel/procinfo.h's), before and after a fork.

#define SPLIT_HEAP 20  // N: touched heap pages
#define SPLIT_FILE 12  // M: pages of a mapped file, all loaded
#define SPLIT_SHM  7   // K: pages of a shared anonymous area, all stored to

struct split {
  long pages, file, anon, shared;
};

static void
split_from(const struct procinfo *e, struct split *s)
{
  CHECK(e->file_pages + e->anon_pages + e->shared_pages == e->pages,
        "pid %d: file %lu + anon %lu + shared %lu pages != %lu", e->pid, e->file_pages,
        e->anon_pages, e->shared_pages, e->pages);
  s->pages = e->pages;
  s->file = e->file_pages;
  s->anon = e->anon_pages;
  s->shared = e->shared_pages;
}

// The splits of pid a and (unless b is 0) pid b, from one procinfo() snapshot.
static void
read_splits(int a, struct split *sa, int b, struct split *sb)
{
  int n = procinfo(procs, NPROC), found = 0;
  CHECK(n > 0, "procinfo failed, errno %d", errno);
  for (int i = 0; i < n; i++) {
    if (procs[i].pid == a) {
      split_from(&procs[i], sa);
      found++;
    } else if (b && procs[i].pid == b) {
      split_from(&procs[i], sb);
      found++;
    }
  }
  CHECK(found == (b ? 2 : 1), "procinfo does not list pid %d (or %d)", a, b);
}

// got must be base plus the pages each kind gained (or lost).
static void
expect_split(const struct split *got, const struct split *base, long file, long anon,
             long shared, const char *what)
{
  struct split want = {base->pages + file + anon + shared, base->file + file,
                       base->anon + anon, base->shared + shared};
  CHECK(got->pages == want.pages && got->file == want.file && got->anon == want.anon &&
        got->shared == want.shared,
        "%s: pages %d = file %d + anon %d + shared %d; want %d = %d + %d + %d", what,
        (int)got->pages, (int)got->file, (int)got->anon, (int)got->shared, (int)want.pages,
        (int)want.file, (int)want.anon, (int)want.shared);
}

// N touched heap pages count as anon; M loaded pages of a shared file
// mapping as file (the naive policy: anon, a copy per mapping); K pages
// of shared anonymous memory as shared. fork makes the parent's private
// pages shared with the child (the file pages and the shared area stay
// mapped by the parent alone until the child touches them). Then one
// event at a time, the other process asleep: the parent's stores to the
// heap move N pages from shared to anon in both processes; the child's
// loads of the file and the shared area add them to its pages (shared;
// naive: the file's to anon) and make the parent's file pages shared; and
// after the child's exit the parent's split is what it was before the
// fork. The numbers are printed.
static void
resident_split(void)
{
  int naive = policy == MMAP_POLICY_NAIVE, me = getpid();
  const long N = SPLIT_HEAP, M = SPLIT_FILE, K = SPLIT_SHM;
  const long fileM = naive ? 0 : M, anonM = naive ? M : 0;  // where the file's pages count
  make_file(FILE_NAME, M * PG, 11);
  int fd = open_or_fail(FILE_NAME, O_RDONLY);
  struct turns t;
  turns_open(&t);
  own_program_pages();  // code run for the first time maps nothing more
  settle();  // nobody else stores to a page it shares with us from here on
  struct split s0, s1, s2, before, p, c, p1, c1;
  read_splits(me, &s0, 0, 0);

  char *h = grow_tagged(N, 1);
  read_splits(me, &s1, 0, 0);
  expect_split(&s1, &s0, 0, N, 0, "after touching the heap");
  char *f = mmap(0, M * PG, PROT_READ, MAP_SHARED, fd, 0);
  CHECK(f != MAP_FAILED, "mmap of the file failed, errno %d", errno);
  for (long i = 0; i < M; i++)
    load_at((uint64)f + i * PG);
  read_splits(me, &s2, 0, 0);
  expect_split(&s2, &s1, fileM, anonM, 0, "after loading the file's pages");
  char *m = mmap(0, K * PG, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  CHECK(m != MAP_FAILED, "mmap of shared anonymous memory failed, errno %d", errno);
  for (long i = 0; i < K; i++)
    store_at((uint64)m + i * PG);
  read_splits(me, &before, 0, 0);
  expect_split(&before, &s2, 0, 0, K, "after storing to the shared area");

  int pid = fork();
  CHECK(pid >= 0, "fork failed");
  if (pid == 0) {
    own_program_pages();  // code run for the first time maps nothing more
    say(t.to_parent[1]);
    hear(t.to_child[0]);  // asleep while the parent counts and stores
    for (long i = 0; i < M; i++)
      load_at((uint64)f + i * PG);
    for (long i = 0; i < K; i++)
      load_at((uint64)m + i * PG);
    say(t.to_parent[1]);
    hear(t.to_child[0]);
    exit(0);
  }
  hear(t.to_parent[0]);
  read_splits(me, &p, pid, &c);  // our first stores after the fork, to procs[], copy it
  settle();
  read_splits(me, &p, pid, &c);
  // The child has every page we had at the fork but the two areas'; we
  // share all of them with it, except the pages either side has stored
  // to since (each then has its own: anon on both sides).
  CHECK(c.pages == p.pages - M - K && c.file == 0 && c.shared == p.shared - K &&
            p.file == fileM && c.anon == p.anon - anonM && p.shared >= N + K,
        "after the fork: parent %d = file %d + anon %d + shared %d, child %d = %d + %d + %d",
        (int)p.pages, (int)p.file, (int)p.anon, (int)p.shared, (int)c.pages, (int)c.file,
        (int)c.anon, (int)c.shared);

  tag_pages(h, 0, N, 2);  // N copies: the heap pages are ours, and the child's, alone
  read_splits(me, &p1, pid, &c1);
  expect_split(&p1, &p, 0, N, -N, "parent, after its stores to the heap");
  expect_split(&c1, &c, 0, N, -N, "child, after the parent's stores to the heap");

  say(t.to_child[1]);  // the child loads the file and the shared area
  hear(t.to_parent[0]);
  settle();
  struct split p2, c2;
  read_splits(me, &p2, pid, &c2);
  expect_split(&p2, &p1, -fileM, 0, fileM, "parent, after the child's loads");
  expect_split(&c2, &c1, 0, anonM, K + fileM, "child, after its loads");

  say(t.to_child[1]);
  reap(pid, 0, "child");
  struct split after;
  read_splits(me, &after, 0, 0);
  expect_split(&after, &before, 0, 0, 0, "after the child's exit");
  expect_tags(h, 0, N, 2, "parent's heap");
  printf("cowtest: resident_split: %ld heap, %ld file, %ld shared-area pages; "
         "file+anon+shared: before fork %ld+%ld+%ld, after fork %ld+%ld+%ld (child "
         "%ld+%ld+%ld), after the parent's stores %ld+%ld+%ld (child %ld+%ld+%ld), after "
         "the child's loads %ld+%ld+%ld (child %ld+%ld+%ld)\n",
         N, M, K, before.file, before.anon, before.shared, p.file, p.anon, p.shared, c.file,
         c.anon, c.shared, p1.file, p1.anon, p1.shared, c1.file, c1.anon, c1.shared,
         p2.file, p2.anon, p2.shared, c2.file, c2.anon, c2.shared);
  CHECK(munmap(f, M * PG) == 0 && munmap(m, K * PG) == 0, "munmap failed");
  close(fd);
  unlink(FILE_NAME);
}

// ---------------------------------------------------------------------------

static const struct test tests[] = {
  {"heap_counts", heap_counts},
  {"fork_16m", fork_16m},
  {"stack_data_isolation", stack_data_isolation},
  {"generations", generations},
  {"owners_exit_frees", owners_exit_frees},
  {"kernel_copies", kernel_copies},
  {"never_writable", never_writable},
  {"exec_drops_shares", exec_drops_shares},
  {"mixed_areas", mixed_areas},
  {"resident_split", resident_split},
};
#define NTESTS ((int)(sizeof(tests) / sizeof(tests[0])))

int
main(int argc, char *argv[])
{
  if (argc == 2 && strcmp(argv[1], "-h") == 0) {
    char c;
    if (write(1, "r", 1) != 1)
      exit(1);
    while (read(0, &c, 1) == 1)
      ;
    exit(0);
  }
  const char *only = argc >= 2 ? argv[1] : 0;
  suite_start("cowtest", tests, NTESTS, only);
  mm_knobs_save();
  policy = mm_knob_saved(KNOB_POLICY);
  printf("cowtest: policy %s, svade %d\n", policy == MMAP_POLICY_NAIVE ? "naive" : "cache",
         (int)mm_knob_saved(KNOB_SVADE));
  suite_end("cowtest", suite_run(tests, NTESTS, only, run_knob_checked));
}
