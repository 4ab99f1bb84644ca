// oomtest.c -- running out of memory hurts only the process that holds it.
//
// Usage: oomtest        run the tests below, in order
//
// 1. exit_frees: a child grows its heap by 256 pages and exits without
//    closing its end of a pipe. The pipe reports end-of-file only when
//    exit() has closed the child's files, which comes after exit() freed
//    its memory; at that moment, before the parent calls wait(), the free
//    page count (kstats) must be back within a page or two (the zombie's
//    saved registers) of where it was, and exactly there after wait().
//
// 2. sleeping_hog: a bystander maps a 256-page file and forks a helper
//    that echoes data through pipes; both are set up before memory runs
//    short. Then a hog touches lazily grown heap (sbrklazy, up to 1 GiB on
//    a machine with 128 MiB) until fewer than LOW_PAGES pages are free,
//    reports that, and blocks in read(). The bystander is then told to
//    read every page of its mapping (more pages than are free; the page
//    cache may serve that by evicting the mapping's own clean pages as it
//    goes) and then to touch BYSTANDER_HEAP pages of lazy heap, which
//    nothing can reclaim: one of its faults finds no memory. The kernel
//    must kill the hog -- the process
//    holding the most memory -- with the line
//        pid N (oomtest): killed: out of memory, K pages
//    let the bystander wait until the hog has freed its memory, and go
//    on. The bystander checks every byte of the mapping and of the data
//    sent through its helper. Exactly one out-of-memory kill is counted
//    (kstats oom_kills), the hog exits with status -1, and the bystander
//    with 0. The result does not depend on timing: the hog is asleep and
//    holds the memory when the bystander starts faulting.
//
// 3. running_hog: the hog touches its 1 GiB without stopping while two
//    bystanders keep mapping, reading and unmapping a small file (one
//    also echoing data through a helper), until they have seen an
//    out-of-memory kill and done one more round. Whoever faults first
//    when memory runs out -- the hog itself or a bystander, possibly both
//    at once on different harts -- the hog must be the one process
//    killed: the kernel kills exactly one process for one shortage.
//
// 4. sleeping_shared_hog: test 2 with a hog whose memory is a MAP_SHARED
//    anonymous area (mmap MAP_ANONYMOUS): pages of a memory object, which
//    nothing can evict, count towards the hog's size as heap pages do, and
//    go when it dies.
//
// 5. running_private_hog: test 3 with a hog whose memory is a MAP_PRIVATE
//    anonymous area.
//
// 6. sleeping_cow_hog: copy-on-write fork under memory pressure. A parent
//    touches a heap of 5/8 of the free memory and forks two children that
//    share it; a hog (forked before, sharing nothing of it) then touches
//    lazy heap until fewer than LOW_PAGES pages are free and blocks. Now
//    one child stores to COW_STORES of the shared pages: each store needs
//    a copy, and one of them finds no memory. The hog -- not the storing
//    child, not the parent nor the other child -- must be killed. This is
//    where shared pages must count as shares: by whole pages each of the
//    three sharers holds more than the hog (5/8 of memory against some
//    3/8), and the storer, the largest of them, would be killed as the
//    asker; as a third each, they are far smaller than the hog. All three
//    then check every page they hold (the storer its copies and the pages
//    it still shares) and exit 0.
//
// After each test every child has been reaped, and kstats free_pages +
// pc_pages (pages the page cache holds count as reclaimable) must be back
// at their value from before the test. After each test with a hog the program
// prints "oomtest: hog pid N killed by the out-of-memory policy", which
// the test runner matches against the kernel's line for the same pid. The
// program prints nothing else while a test runs, so that the kernel's line
// cannot land inside one of ours on the console.
//
// On a kernel without the policy, test 1 fails (memory comes back only at
// wait()), and in test 2 the bystander is the one killed, for a "load page
// fault", as the first process to fault after memory ran out.

#include "kernel/param.h"
#include "kernel/fcntl.h"
#include "kernel/types.h"
#include "kernel/stat.h"
#include "kernel/riscv.h"
#include "kernel/kstats.h"
#include "user/user.h"
#include "user/testlib.h"

#define DATA_FILE   "oom_data"
#define DATA_SEED   0            // its contents: file_byte(DATA_SEED, offset)
#define FILE_PAGES  256          // the bystander's mapping in test 2
#define SMALL_PAGES 16           // test 3's mappings: fits in the buffer cache
#define LOW_PAGES   128          // the hog stops eating below this many free pages
#define HOG_BYTES   (1 << 30)
#define ECHO_BYTES  (8 * PGSIZE) // data a bystander sends through its helper
#define MAX_ROUNDS  5000         // test 3: give up if no kill was seen by then
#define BYSTANDER_HEAP 2048      // test 2: anonymous pages the bystander needs
#define COW_STORES  1024         // test 6: shared pages the storing child copies

static struct kstats ks;
static char pagebuf[PGSIZE];
static char echobuf[ECHO_BYTES];

static uint64
free_pages(void)
{
  read_kstats(&ks);
  return ks.free_pages;
}

// Pages that are free or could be freed by dropping cached file pages.
static uint64
available_pages(void)
{
  read_kstats(&ks);
  return ks.free_pages + ks.pc_pages;
}

static uint64
oom_kills(void)
{
  read_kstats(&ks);
  return ks.oom_kills;
}

// Maps the first npages of the data file, reads every byte and checks it,
// unmaps. Runs in a bystander: a failure exits it with status 1.
static void
check_mapping(int npages)
{
  int fd = open(DATA_FILE, O_RDONLY);
  CHECK(fd >= 0, "cannot open %s", DATA_FILE);
  char *m = mmap(0, (uint64)npages * PGSIZE, PROT_READ, MAP_PRIVATE, fd, 0);
  CHECK(m != MAP_FAILED, "mmap of %d pages failed", npages);
  close(fd);
  for (uint64 off = 0; off < (uint64)npages * PGSIZE; off++)
    CHECK(m[off] == file_byte(DATA_SEED, off), "mapped byte %d is %d, want %d", (int)off,
          m[off], file_byte(DATA_SEED, off));
  CHECK(munmap(m, (uint64)npages * PGSIZE) == 0, "munmap failed");
}

// The helper: returns every byte it reads from `in`, plus one, on `out`.
static void
echo_helper(int in, int out)
{
  static char buf[512];
  int n;
  while ((n = read(in, buf, sizeof(buf))) > 0) {
    for (int i = 0; i < n; i++)
      buf[i]++;
    if (write(out, buf, n) != n)
      exit(1);
  }
  exit(n == 0 ? 0 : 1);
}

struct helper {
  int pid;
  int to, from;  // our ends of its two pipes
};

static void
start_helper(struct helper *h)
{
  int there[2], back[2];
  CHECK(pipe(there) == 0 && pipe(back) == 0, "pipe failed");
  h->pid = fork();
  CHECK(h->pid >= 0, "fork of the helper failed");
  if (h->pid == 0) {
    close(there[1]);
    close(back[0]);
    echo_helper(there[0], back[1]);
  }
  close(there[0]);
  close(back[1]);
  h->to = there[1];
  h->from = back[0];
}

// Sends ECHO_BYTES through the helper in 256-byte pieces, reading each
// piece back (and checking it) before sending the next, so that neither
// side ever waits for room in a full pipe.
static void
check_echo(struct helper *h, int round)
{
  for (int i = 0; i < ECHO_BYTES; i++)
    echobuf[i] = (char)(i * 13 + round);
  for (int off = 0; off < ECHO_BYTES; off += 256) {
    CHECK(write(h->to, echobuf + off, 256) == 256, "write to the helper failed");
    int got = 0;
    while (got < 256) {
      int n = read(h->from, pagebuf + got, 256 - got);
      CHECK(n > 0, "read from the helper failed");
      got += n;
    }
    for (int i = 0; i < 256; i++)
      CHECK(pagebuf[i] == (char)(echobuf[off + i] + 1), "echoed byte %d is wrong",
            off + i);
  }
}

static void
stop_helper(struct helper *h)
{
  close(h->to);
  close(h->from);
  int st = -99;
  CHECK(wait(&st) == h->pid && st == 0, "helper exited with status %d", st);
}

// Waits for one byte on fd (the other side's signal).
static void
await(int fd, const char *what)
{
  char c;
  CHECK(read(fd, &c, 1) == 1, "no %s signal", what);
}

static void
signal_fd(int fd)
{
  CHECK(write(fd, "x", 1) == 1, "cannot signal");
}

// Where a hog's memory comes from.
#define HOG_HEAP    0  // lazily grown heap (sbrklazy)
#define HOG_PRIVATE 1  // a MAP_PRIVATE anonymous area
#define HOG_SHARED  2  // a MAP_SHARED anonymous area (a memory object)
static int hog_kind = HOG_HEAP;

// HOG_BYTES of untouched memory of kind hog_kind; exits 2 if there is none.
static char *
hog_memory(void)
{
  char *p;
  if (hog_kind == HOG_HEAP) {
    p = sbrklazy(HOG_BYTES);
    if (p == SBRK_ERROR)
      exit(2);
    return p;
  }
  int flags = MAP_ANONYMOUS | (hog_kind == HOG_SHARED ? MAP_SHARED : MAP_PRIVATE);
  p = mmap(0, HOG_BYTES, PROT_READ | PROT_WRITE, flags, -1, 0);
  if (p == MAP_FAILED)
    exit(2);
  return p;
}

// The hog: takes 1 GiB of memory of kind hog_kind, untouched, and touches
// it page by page.
// With stop_fd >= 0 it stops once fewer than LOW_PAGES pages are free,
// signals on stop_fd, and blocks reading block_fd; else it touches all of
// it. It can only end by being killed (status -1); 2 or 3 say it could not
// grow or ran out of heap untouched.
static void
hog(int stop_fd, int block_fd)
{
  char *p = hog_memory();
  for (uint64 off = 0; off < HOG_BYTES; off += PGSIZE) {
    p[off] = 1;
    if (stop_fd >= 0 && off % (64 * PGSIZE) == 0 && free_pages() < LOW_PAGES) {
      signal_fd(stop_fd);
      char c;
      read(block_fd, &c, 1);  // nobody writes: sleeps until killed
      exit(4);
    }
  }
  exit(3);
}

// Reaps the hog, which the bystanders' success says must be dying of the
// out-of-memory policy; if no out-of-memory kill was counted, the hog
// would never end, so it is killed here and the test fails.
static void
reap_hog(int hog_pid, uint64 kills_before)
{
  uint64 kills = oom_kills() - kills_before;
  if (kills == 0)
    kill(hog_pid);
  int st = -99;
  CHECK(wait(&st) == hog_pid, "lost the hog");
  CHECK(kills == 1, "%d out-of-memory kills, want exactly 1 (the hog)", (int)kills);
  CHECK(st == -1, "hog exit status %d, want -1 (killed)", st);
}

// ---------------------------------------------------------------------------

static void
test_exit_frees(void)
{
  int fds[2];
  CHECK(pipe(fds) == 0, "pipe failed");
  uint64 before = free_pages();
  int pid = fork();
  CHECK(pid >= 0, "fork failed");
  if (pid == 0) {
    close(fds[0]);
    char *p = sbrk(256 * PGSIZE);
    if (p == SBRK_ERROR)
      exit(2);
    for (int i = 0; i < 256; i++)
      p[i * PGSIZE] = 1;
    exit(0);  // fds[1] is closed by exit
  }
  close(fds[1]);
  char c;
  CHECK(read(fds[0], &c, 1) == 0, "pipe did not report end-of-file");
  uint64 exited = free_pages();
  int st = -99;
  CHECK(wait(&st) == pid && st == 0, "child exit status %d", st);
  uint64 reaped = free_pages();
  close(fds[0]);
  CHECK(exited + 2 >= before,
        "%d pages free after the child's exit, %d before it: exit() did not free "
        "its memory (%d after wait)", (int)exited, (int)before, (int)reaped);
  CHECK(reaped == before, "%d pages free after wait, %d before", (int)reaped, (int)before);
}

// Touches npages pages of fresh lazy heap, checks them and gives them back.
static void
touch_heap(int npages)
{
  char *p = sbrklazy(npages * PGSIZE);
  CHECK(p != SBRK_ERROR, "sbrklazy of %d pages failed", npages);
  for (int i = 0; i < npages; i++)
    p[(uint64)i * PGSIZE] = (char)(i % 251 + 1);
  for (int i = 0; i < npages; i++)
    CHECK(p[(uint64)i * PGSIZE] == (char)(i % 251 + 1), "heap page %d lost its store", i);
  CHECK(sbrk(-npages * PGSIZE) != SBRK_ERROR, "giving the heap back failed");
}

static int
sleeping_hog(void)
{
  int go[2], ready[2], full[2], block[2];
  CHECK(pipe(go) == 0 && pipe(ready) == 0 && pipe(full) == 0 && pipe(block) == 0,
        "pipe failed");
  uint64 kills0 = oom_kills();

  int by = fork();
  CHECK(by >= 0, "fork of the bystander failed");
  if (by == 0) {
    struct helper h;
    start_helper(&h);
    signal_fd(ready[1]);
    await(go[0], "go");
    check_mapping(FILE_PAGES);
    touch_heap(BYSTANDER_HEAP);  // runs out of memory on the way
    check_echo(&h, 0);
    stop_helper(&h);
    exit(0);
  }
  await(ready[0], "bystander ready");

  int hp = fork();
  CHECK(hp >= 0, "fork of the hog failed");
  if (hp == 0)
    hog(full[1], block[0]);
  await(full[0], "hog full");

  signal_fd(go[1]);
  int st = -99;
  int got = wait(&st);
  if (got == hp) {  // the hog went first: it must have been killed
    int st2 = -99;
    CHECK(wait(&st2) == by, "lost the bystander");
    CHECK(st2 == 0, "bystander exit status %d, want 0", st2);
    CHECK(oom_kills() - kills0 == 1, "%d out-of-memory kills, want 1",
          (int)(oom_kills() - kills0));
    CHECK(st == -1, "hog exit status %d, want -1 (killed)", st);
  } else {
    CHECK(got == by, "wait returned %d", got);
    if (st != 0) {
      kill(hp);  // else it would hold the memory forever
      wait(0);
      FAIL("bystander exit status %d, want 0", st);
    }
    reap_hog(hp, kills0);
  }
  close(go[0]), close(go[1]), close(ready[0]), close(ready[1]);
  close(full[0]), close(full[1]), close(block[0]), close(block[1]);
  return hp;
}

// A bystander of test 3: rounds of map, check, unmap (and echo, if it has
// a helper) until an out-of-memory kill has been counted, then one more.
static void
busy_bystander(uint64 kills0, int with_helper)
{
  struct helper h;
  if (with_helper)
    start_helper(&h);
  int after = 0;
  for (int round = 0; round < MAX_ROUNDS; round++) {
    check_mapping(SMALL_PAGES);
    if (with_helper)
      check_echo(&h, round);
    if (oom_kills() != kills0 && after++ == 1) {
      if (with_helper)
        stop_helper(&h);
      exit(0);
    }
  }
  FAIL("no out-of-memory kill after %d rounds", MAX_ROUNDS);
}

// Kills and reaps the n children in pids that wait() has not returned yet
// (those with done[i] == 0), so that a failing test leaves nothing behind.
static void
kill_rest(int *pids, int *done, int n)
{
  for (int i = 0; i < n; i++)
    if (!done[i])
      kill(pids[i]);
  for (int i = 0; i < n; i++)
    if (!done[i])
      wait(0);
}

static int
running_hog(void)
{
  uint64 kills0 = oom_kills();
  int pids[3], done[3] = {0, 0, 0};  // two bystanders, then the hog
  for (int i = 0; i < 2; i++) {
    pids[i] = fork();
    CHECK(pids[i] >= 0, "fork of a bystander failed");
    if (pids[i] == 0)
      busy_bystander(kills0, i == 0);
  }
  int hp = pids[2] = fork();
  CHECK(hp >= 0, "fork of the hog failed");
  if (hp == 0)
    hog(-1, -1);

  for (int n = 0; n < 3; n++) {
    int st = -99;
    int got = wait(&st);
    CHECK(got > 0, "lost a child");
    int i = got == pids[0] ? 0 : got == pids[1] ? 1 : got == pids[2] ? 2 : -1;
    CHECK(i >= 0, "wait returned %d", got);
    done[i] = 1;
    int kills = oom_kills() - kills0;
    if (i < 2 && st != 0) {
      kill_rest(pids, done, 3);
      FAIL("bystander exit status %d, want 0", st);
    }
    if (i == 2 && (st != -1 || kills != 1)) {
      kill_rest(pids, done, 3);
      FAIL("hog exit status %d after %d out-of-memory kills, want -1 after 1", st, kills);
    }
  }
  CHECK(oom_kills() - kills0 == 1, "%d out-of-memory kills, want 1",
        (int)(oom_kills() - kills0));
  return hp;
}

// Page i of the shared heap of test 6 holds the word (who << 32 | i) at its
// start; returns whether it does.
static void
cow_tag(char *heap, uint64 i, uint64 who)
{
  *(uint64 *)(heap + i * PGSIZE) = who << 32 | i;
}

static int
cow_tagged(char *heap, uint64 i, uint64 who)
{
  return *(uint64 *)(heap + i * PGSIZE) == (who << 32 | i);
}

// A sharer of test 6: waits for go, stores to the first `stores` pages
// (none for a bystander that only reads), then checks every page.
static void
cow_sharer(char *heap, uint64 npages, int go_fd, int ready_fd, uint64 stores)
{
  signal_fd(ready_fd);  // also makes this side's stack page its own
  await(go_fd, "go");
  for (uint64 i = 0; i < stores; i++)
    cow_tag(heap, i, 2);
  for (uint64 i = 0; i < npages; i++)
    CHECK(cow_tagged(heap, i, i < stores ? 2 : 1), "shared heap page %d is wrong", (int)i);
  exit(0);
}

static int
sleeping_cow_hog(void)
{
  int go[2], ready[2], full[2], block[2], eat[2];
  CHECK(pipe(go) == 0 && pipe(ready) == 0 && pipe(full) == 0 && pipe(block) == 0 &&
          pipe(eat) == 0, "pipe failed");
  uint64 kills0 = oom_kills();
  int hp = fork();
  CHECK(hp >= 0, "fork of the hog failed");
  if (hp == 0) {
    await(eat[0], "eat");
    hog(full[1], block[0]);
  }

  uint64 npages = available_pages() * 5 / 8;
  char *heap = sbrk(npages * PGSIZE);
  CHECK(heap != SBRK_ERROR, "sbrk of %d pages failed", (int)npages);
  for (uint64 i = 0; i < npages; i++)
    cow_tag(heap, i, 1);
  int sharers[2];
  for (int k = 0; k < 2; k++) {
    sharers[k] = fork();
    CHECK(sharers[k] >= 0, "fork of a sharer failed");
    if (sharers[k] == 0)
      cow_sharer(heap, npages, go[0], ready[1], k == 0 ? COW_STORES : 0);
  }
  await(ready[0], "sharer ready");
  await(ready[0], "sharer ready");

  signal_fd(eat[1]);
  await(full[0], "hog full");
  signal_fd(go[1]);
  signal_fd(go[1]);
  int st = -99, done = 0;
  for (int n = 0; n < 2; n++) {
    int got = wait(&st);
    if (got == hp) {
      CHECK(st == -1, "hog exit status %d, want -1 (killed)", st);
      done = 1;
      n--;
      continue;
    }
    CHECK(got == sharers[0] || got == sharers[1], "wait returned %d", got);
    if (st != 0) {
      kill(hp);
      kill(sharers[0]), kill(sharers[1]);
      while (wait(0) > 0)
        ;
      FAIL("a sharer (pid %d) exited with status %d, want 0", got, st);
    }
  }
  for (uint64 i = 0; i < npages; i++)
    CHECK(cow_tagged(heap, i, 1), "the parent's heap page %d changed", (int)i);
  if (done)
    CHECK(oom_kills() - kills0 == 1, "%d out-of-memory kills, want 1",
          (int)(oom_kills() - kills0));
  else
    reap_hog(hp, kills0);
  close(go[0]), close(go[1]), close(ready[0]), close(ready[1]), close(eat[0]), close(eat[1]);
  close(full[0]), close(full[1]), close(block[0]), close(block[1]);
  return hp;
}

// Runs fn in a child (so a FAIL ends only that test) and checks that the
// memory is all back afterwards. fn returns the hog's pid (never 1: that
// is init), or 0, and the child exits with it. Returns it, or -1.
static int
run(const char *name, int (*fn)(void))
{
  current_test = name;
  uint64 before = available_pages();
  int pid = fork();
  CHECK(pid >= 0, "fork failed");
  if (pid == 0)
    exit(fn());
  int st = -99;
  CHECK(wait(&st) == pid, "lost the test process");
  if (st == 1 || st < 0)
    return -1;
  uint64 after = available_pages();
  CHECK(after == before, "%d pages free (or cached) before, %d after", (int)before,
        (int)after);
  return st;
}

static int
exit_frees(void)
{
  test_exit_frees();
  return 0;
}

static int
sleeping_shared_hog(void)
{
  hog_kind = HOG_SHARED;
  return sleeping_hog();
}

static int
running_private_hog(void)
{
  hog_kind = HOG_PRIVATE;
  return running_hog();
}

static const struct {
  const char *name;
  int (*fn)(void);
} tests[] = {
  {"exit_frees", exit_frees},
  {"sleeping_hog", sleeping_hog},
  {"running_hog", running_hog},
  {"sleeping_shared_hog", sleeping_shared_hog},
  {"running_private_hog", running_private_hog},
  {"sleeping_cow_hog", sleeping_cow_hog},
};
#define NTESTS ((int)(sizeof(tests) / sizeof(tests[0])))

int
main(int argc, char *argv[])
{
  own_program_pages();  // so that no page of this program arrives during a test's count
  current_test = "setup";
  make_file(DATA_FILE, (uint64)FILE_PAGES * PGSIZE, DATA_SEED);
  int pids[NTESTS];
  for (int i = 0; i < NTESTS; i++)
    pids[i] = run(tests[i].name, tests[i].fn);
  unlink(DATA_FILE);

  // Only now that no test runs: see the top of the file.
  int failed = 0;
  for (int i = 0; i < NTESTS; i++) {
    if (pids[i] < 0) {
      failed++;
      continue;
    }
    printf("test %s: OK\n", tests[i].name);
    if (pids[i] > 0)
      printf("oomtest: hog pid %d killed by the out-of-memory policy\n", pids[i]);
  }
  if (failed) {
    printf("oomtest: %d tests FAILED\n", failed);
    exit(1);
  }
  printf("oomtest: all tests succeeded\n");
  exit(0);
}
