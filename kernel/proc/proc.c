// proc.c -- the process table, the per-hart scheduler, and the process
// life cycle: allocation, fork, exit, wait, kill, sleep and wakeup.
//
// States: UNUSED -> USED (being set up) -> RUNNABLE <-> RUNNING
//         RUNNING -> SLEEPING -> RUNNABLE;  RUNNING -> ZOMBIE -> UNUSED
// A process gives up its hart only through sched(), holding its own
// p->lock and no other lock; the scheduler releases that lock on the
// other side of swtch(). This is what makes sleep() free of lost wakeups:
// wakeup() must take p->lock to change a SLEEPING process, and sleep()
// holds it from before releasing the condition lock until after the switch.
//
// Scans without locks. The scheduler, the idle check and wakeup() walk all
// NPROC slots, and taking 64 spin locks per walk (about 100 instructions
// each, with the interrupt save and restore) cost a disk-bound process
// tens of thousands of instructions per request. So each walk first reads
// p->state without the lock (peek_state) and takes p->lock only for a
// slot that may matter, re-checking there. Why a stale read loses nothing:
//  - scheduler: a process missed as RUNNABLE is found by the next walk, and
//    before a hart waits it walks again after announcing itself idle
//    (idle_wait and want_hart below pair their fences, so one of the two
//    sides sees the other).
//  - wakeup(): its callers hold the condition lock lk that the sleeper
//    passed to sleep(), and sleep() stores SLEEPING before it releases lk.
//    A sleeper that checked the condition before the waker took lk thus
//    stored SLEEPING before that, and the waker's read sees it (or a later
//    state set under p->lock, which the locked re-check then sorts out).
//
// Idle harts. A hart with nothing to run waits in wfi, which only an
// interrupt ends, so a process made RUNNABLE while the running harts stay
// busy would wait for some idle hart's next clock tick (up to 1/TICK_HZ s).
// Instead each idle hart announces itself in idle_harts, and a process
// made RUNNABLE while some hart is idle gets one such hart interrupted (an
// SBI inter-hart interrupt, kick_idle_hart) if it is still waiting
// KICK_DELAY later. The check runs on the waking hart's timer
// (timer_kick_at, proc_kick_overdue).
//
// Rejected alternatives, both measured with a pipe ping-pong on 3 harts:
// interrupting every idle hart at once (they all race for one process);
// and interrupting one idle hart at once, at every wakeup. Most wakers go
// to sleep a few microseconds later (a pipe writer about to read the
// reply), and their own hart then runs the woken process; an immediate
// interrupt wakes a second hart that either finds nothing or takes the
// process away, and the ping-pong then hops between harts -- 10 to 15
// times slower than on one hart under QEMU, where waking a halted hart
// is expensive. The delay keeps those wakeups local and still starts a
// process whose waker keeps running within about a millisecond.
//
// Kernel processes (kproc_start) take a slot and a pid as a user process
// does, but start in a kernel function (kproc_entry) that never returns:
// no trapframe, no page table, no files, no parent. They never exit, so
// no wait, reparenting or freeing ever meets them; kill() refuses them.
//
// Lock order (kernel/lib/lockrank.h): wait_lock -> p->lock -> pid_lock
// (allocproc) and kmem.lock (freeproc). No code holds two p->locks.
//
// proc_list() (the procinfo system call, for ps) reads other processes'
// names and walks their page tables holding only their p->lock. That is
// safe because a live page table is replaced (exec) only under p->lock and
// freed (exec, freeproc) only after that or under p->lock, and its
// interior pages are freed only with the whole table; concurrent changes
// to its leaves just make the count a moment old.
#include "kernel/types.h"
#include "kernel/param.h"
#include "kernel/memlayout.h"
#include "kernel/riscv.h"
#include "kernel/errno.h"
#include "kernel/lib/spinlock.h"
#include "kernel/lib/printf.h"
#include "kernel/arch/sbi.h"
#include "kernel/lib/string.h"
#include "kernel/mm/kalloc.h"
#include "kernel/mm/vm.h"
#include "kernel/arch/trap.h"
#include "kernel/fs/log.h"
#include "kernel/fs/inode.h"
#include "kernel/fs/file.h"
#include "kernel/proc/exec.h"
#include "kernel/procinfo.h"
#include "kernel/proc/proc.h"
#include "kernel/mm/oom.h"
#include "kernel/mm/kstats_impl.h"

struct cpu cpus[NCPU];
static struct proc procs[NPROC];
static struct proc *initproc;

// Bit h is set while hart h is in the scheduler's idle wait (or about to
// enter it). [a] changed only with atomic read-modify-write operations.
static uint64 idle_harts;

// p->state read without p->lock: a hint for the scans (see the top of this
// file); anything decided on it is checked again under the lock.
static inline enum procstate
peek_state(struct proc *p)
{
  return __atomic_load_n(&p->state, __ATOMIC_RELAXED);
}

// How long a RUNNABLE process may wait before an idle hart is interrupted
// for it, in `time` units: 1 ms.
#define KICK_DELAY (TIMEBASE_HZ / 1000)

static struct spinlock pid_lock;
static int nextpid = 1;  // [pid_lock]

// Guards every p->parent and serialises wait() against exit() so that a
// child's wakeup of its parent is never lost. Taken before any p->lock.
static struct spinlock wait_lock;

extern char _trampoline[];

static void forkret(void);
static void make_runnable(struct proc *p);
static void want_hart(void);

int
cpuid(void)
{
  return r_tp();
}

struct cpu *
mycpu(void)
{
  return &cpus[cpuid()];
}

struct proc *
myproc(void)
{
  push_off();
  struct proc *p = mycpu()->proc;
  pop_off();
  return p;
}

void
procinit(void)
{
  initlock(&pid_lock, "nextpid", LR_PID);
  initlock(&wait_lock, "wait_lock", LR_WAIT);
  for (int i = 0; i < NPROC; i++) {
    initlock(&procs[i].lock, "proc", LR_PROC);
    procs[i].state = UNUSED;
    procs[i].kstack = KSTACK(i) + PGSIZE;
  }
}

static int
allocpid(void)
{
  acquire(&pid_lock);
  int pid = nextpid++;
  release(&pid_lock);
  return pid;
}

pagetable_t
proc_pagetable(struct proc *p)
{
  pagetable_t pt = uvmcreate();
  if (pt == 0)
    return 0;
  if (mappages(pt, TRAMPOLINE, PGSIZE, (uint64)_trampoline, PTE_R | PTE_X) != 0)
    goto fail;
  if (mappages(pt, TRAPFRAME, PGSIZE, (uint64)p->trapframe, PTE_R | PTE_W) != 0) {
    uvmunmap(pt, TRAMPOLINE, 1, 0);
    goto fail;
  }
  return pt;
fail:
  uvmfreetables(pt);
  return 0;
}

// Frees a user address space: the private pages below sz (stack, heap,
// a copied program; missing pages skipped) and the page-table pages.
// Every area, the program's too, must already be gone (vma_unmap_all).
void
proc_freepagetable(pagetable_t pagetable, uint64 sz)
{
  uvmunmap(pagetable, TRAMPOLINE, 1, 0);
  uvmunmap(pagetable, TRAPFRAME, 1, 0);
  uvmunmap(pagetable, 0, PGROUNDUP(sz) / PGSIZE, 1);
  uvmfreetables(pagetable);
}

// => p->lock held. Returns the slot to UNUSED with everything freed.
// p's user memory must be gone already (sz 0): dropping private pages
// takes pc.lock, which ranks before p->lock.
static void
freeproc(struct proc *p)
{
  KASSERT(p->sz == 0 && p->exe == 0);
  if (p->trapframe)
    kfree(p->trapframe);
  p->trapframe = 0;
  if (p->pagetable)
    proc_freepagetable(p->pagetable, p->sz);
  p->pagetable = 0;
  p->sz = 0;
  p->heap_base = 0;
  p->pid = 0;
  p->parent = 0;
  p->name[0] = 0;
  p->chan = 0;
  p->killed = 0;
  p->xstate = 0;
  p->err = 0;
  p->state = UNUSED;
}

// An UNUSED slot made USED with a new pid, its context set to start at
// entry on its own kernel stack. => returns it with p->lock held, or 0
// (nothing held) when the table is full.
static struct proc *
take_slot(void (*entry)(void))
{
  for (struct proc *p = procs; p < &procs[NPROC]; p++) {
    acquire(&p->lock);
    if (p->state == UNUSED) {
      p->pid = allocpid();
      p->state = USED;
      memset(&p->context, 0, sizeof(p->context));
      p->context.ra = (uint64)entry;
      p->context.sp = p->kstack + PGSIZE;
      return p;
    }
    release(&p->lock);
  }
  return 0;
}

// Finds an UNUSED slot and prepares it to run forkret() in the kernel.
// => returns the process with p->lock held, or 0 (nothing held) when the
//    table or memory is exhausted.
static struct proc *
allocproc(void)
{
  struct proc *p = take_slot(forkret);
  if (p == 0)
    return 0;
  if ((p->trapframe = kalloc()) == 0 || (p->pagetable = proc_pagetable(p)) == 0) {
    freeproc(p);
    release(&p->lock);
    return 0;
  }
  return p;
}

// The first code a kernel process runs: the scheduler's p->lock is let
// go, as forkret does, and the body never returns.
static void
kproc_entry(void)
{
  struct proc *p = myproc();
  release(&p->lock);
  p->kbody();
  panic("kernel process %s returned", p->name);
}

int
kproc_start(const char *name, void (*body)(void))
{
  struct proc *p = take_slot(kproc_entry);
  if (p == 0)
    return -EAGAIN;
  p->kbody = body;
  safestrcpy(p->name, name, sizeof(p->name));
  make_runnable(p);
  release(&p->lock);
  want_hart();
  return 0;
}

// The first process: an empty address space whose first trip through
// forkret() execs /init.
void
userinit(void)
{
  struct proc *p = allocproc();
  if (p == 0)
    panic("userinit: no process");
  initproc = p;
  safestrcpy(p->name, "init", sizeof(p->name));
  make_runnable(p);
  release(&p->lock);
}

// Most pages that growing the heap from oldsz to newsz can allocate: the
// pages, the last-level page tables (one per 512 pages, plus one at each
// end) and the middle-level ones (one per 512 of those, plus one at each
// end). It must not be less: the out-of-memory policy lets the growth
// retry as soon as this many pages are free.
static uint64
grow_pages(uint64 oldsz, uint64 newsz)
{
  uint64 pages = (PGROUNDUP(newsz) - PGROUNDUP(oldsz)) / PGSIZE;
  return pages + pages / 512 + 2 + pages / (512 * 512) + 2;
}

int
growproc(long n, int lazy)
{
  struct proc *p = myproc();
  uint64 oldsz = p->sz, newsz = oldsz + n;
  if (n >= 0) {
    if (newsz < oldsz || newsz > vma_lowest(p))
      return -ENOMEM;
    while (!lazy && uvmalloc(p->pagetable, oldsz, newsz, PTE_W) == 0)
      if (oom_wait_for_memory(OOM_GROW, grow_pages(oldsz, newsz)) != 0)
        return -ENOMEM;
  } else {
    if (newsz > oldsz)
      return 0;  // shrinking by more than the address space: ignored, as in xv6
    if (newsz < p->heap_base)
      return -EINVAL;
    uvmdealloc(p->pagetable, oldsz, newsz);
  }
  p->sz = newsz;
  return 0;
}

int
fork(void)
{
  struct proc *p = myproc();
  struct proc *np = allocproc();
  if (np == 0)
    return -EAGAIN;
  // np is USED: no other hart looks at it until it is RUNNABLE, so it is
  // filled in without its lock (vma_copy takes the page cache's lock).
  release(&np->lock);
  // The stack and heap (and a copied program): shared copy-on-write,
  // nothing copied. They lie above the program's areas, which vma_copy
  // gives the child: no page is shared twice.
  int err = uvmshare(p->pagetable, np->pagetable, vma_prog_end(p), p->sz);
  if (err == 0) {
    np->sz = p->sz;  // so that the shares are dropped if vma_copy fails
    err = vma_copy(p, np);
  }
  if (err != 0) {
    vma_unmap_all(np);
    np->sz = uvmdealloc(np->pagetable, np->sz, 0);  // not under np->lock: see freeproc
    acquire(&np->lock);
    freeproc(np);
    release(&np->lock);
    return -ENOMEM;
  }
  np->heap_base = p->heap_base;
  *np->trapframe = *p->trapframe;
  np->trapframe->x[REG_A0] = 0;  // fork returns 0 in the child
  for (int i = 0; i < NOFILE; i++)
    if (p->ofile[i])
      np->ofile[i] = filedup(p->ofile[i]);
  np->cwd = idup(p->cwd);
  np->exe = p->exe ? filedup(p->exe) : 0;  // the same image: no writer yet
  safestrcpy(np->name, p->name, sizeof(p->name));
  int pid = np->pid;

  acquire(&wait_lock);
  np->parent = p;
  release(&wait_lock);

  acquire(&np->lock);
  make_runnable(np);
  release(&np->lock);
  want_hart();
  return pid;
}

// Gives p's children to init. => wait_lock held.
static void
reparent(struct proc *p)
{
  for (struct proc *pp = procs; pp < &procs[NPROC]; pp++) {
    if (pp->parent == p) {
      pp->parent = initproc;
      wakeup(initproc);
    }
  }
}

// Frees p's user address space -- stack, heap, page tables --
// while p is still alive, so that the memory comes back now rather than
// when (or if) its parent waits. Afterwards p->pagetable is 0 and nothing
// may touch p's user memory; the kernel runs on its own page table, so p
// can still finish exit(). Every area, the program's too, must be gone
// (vma_unmap_all).
// => p == myproc(), no locks held.
static void
free_user_memory(struct proc *p)
{
  acquire(&p->lock);  // others read p->pagetable under p->lock (see proc.h)
  pagetable_t pt = p->pagetable;
  uint64 sz = p->sz;
  p->pagetable = 0;
  p->sz = 0;
  release(&p->lock);
  if (pt)
    proc_freepagetable(pt, sz);
}

void
exit(int status)
{
  struct proc *p = myproc();
  if (p == initproc)
    panic("init exiting");

  oom_exit_begin(p);
  vma_unmap_all(p);  // writes shared pages back while files are still open
  free_user_memory(p);
  oom_exit_end(p);

  // The image's file first: once others see this process's descriptors
  // close (a pipe's end of file), its program may be written again.
  if (p->exe)
    fileclose(p->exe);
  p->exe = 0;
  for (int fd = 0; fd < NOFILE; fd++) {
    if (p->ofile[fd]) {
      fileclose(p->ofile[fd]);
      p->ofile[fd] = 0;
    }
  }
  begin_op();
  iput(p->cwd);
  end_op();
  p->cwd = 0;

  acquire(&wait_lock);
  reparent(p);
  wakeup(p->parent);
  acquire(&p->lock);
  p->xstate = status;
  p->state = ZOMBIE;
  release(&wait_lock);
  sched();
  panic("zombie exit");
}

// Waits for a child to exit; copies its status to user address
// status_addr (if nonzero). Returns its pid, -ECHILD, or -EFAULT.
int
wait(uint64 status_addr)
{
  struct proc *p = myproc();
  acquire(&wait_lock);
  for (;;) {
    int havekids = 0;
    for (struct proc *pp = procs; pp < &procs[NPROC]; pp++) {
      if (pp->parent != p)
        continue;
      acquire(&pp->lock);
      havekids = 1;
      if (pp->state == ZOMBIE) {
        int pid = pp->pid, xstate = pp->xstate;
        freeproc(pp);
        release(&pp->lock);
        release(&wait_lock);
        // Copied with no lock held: the page may have to be faulted in.
        if (status_addr != 0 &&
            copyout(p->pagetable, status_addr, &xstate, sizeof(xstate)) < 0)
          return -EFAULT;
        return pid;
      }
      release(&pp->lock);
    }
    if (!havekids || killed(p)) {
      release(&wait_lock);
      return -ECHILD;
    }
    sleep(p, &wait_lock);
  }
}

// Claims one idle hart, if there is one, and interrupts it so that it
// scans the process table. Returns 1 if a hart was interrupted.
static int
kick_idle_hart(void)
{
  uint64 idle = __atomic_load_n(&idle_harts, __ATOMIC_RELAXED);
  while (idle != 0) {
    uint64 bit = idle & -idle;  // lowest idle hart
    uint64 was = __atomic_fetch_and(&idle_harts, ~bit, __ATOMIC_SEQ_CST);
    if (was & bit) {
      sbi_send_ipi(bit);  // hart ids are cpus[] indexes (cpuid())
      kstat_inc(ipi_wakeups);
      return 1;
    }
    idle = was & ~bit;  // another hart claimed it first: try the next
  }
  return 0;
}

// => p->lock held.
static void
make_runnable(struct proc *p)
{
  p->state = RUNNABLE;
  p->runnable_since = r_time();
}

// Called after a process was made RUNNABLE (its p->lock released): if a
// hart is idle, this hart checks again in KICK_DELAY (proc_kick_overdue).
// If no hart is idle, the next hart to finish what it runs scans the table.
//
// Pairs with idle_wait(): the fence orders the caller's store of RUNNABLE
// before its load of idle_harts, and idle_wait() orders its store of the
// idle bit before its own scan. So either we see the bit, or that hart's
// scan sees the RUNNABLE process.
static void
want_hart(void)
{
  __sync_synchronize();
  if (__atomic_load_n(&idle_harts, __ATOMIC_RELAXED) != 0)
    timer_kick_at(r_time() + KICK_DELAY);
}

// This hart's kick deadline has passed: interrupts one idle hart for each
// process that has been RUNNABLE for KICK_DELAY or more, and sets a new
// deadline for those that have waited less. => interrupts off (clock
// interrupt); no locks held.
void
proc_kick_overdue(void)
{
  uint64 now = r_time(), next = 0;
  int overdue = 0;
  for (struct proc *p = procs; p < &procs[NPROC]; p++) {
    acquire(&p->lock);
    if (p->state == RUNNABLE) {
      uint64 due = p->runnable_since + KICK_DELAY;
      if (due <= now)
        overdue++;
      else if (next == 0 || due < next)
        next = due;
    }
    release(&p->lock);
  }
  if (mycpu()->proc == 0 && overdue > 0)
    overdue--;  // interrupted in the scheduler: this hart scans next
  while (overdue-- > 0 && kick_idle_hart())
    ;
  if (next != 0 && __atomic_load_n(&idle_harts, __ATOMIC_RELAXED) != 0)
    timer_kick_at(next);
}

static int
any_runnable(void)
{
  for (struct proc *p = procs; p < &procs[NPROC]; p++)
    if (peek_state(p) == RUNNABLE)
      return 1;
  return 0;
}

// Waits for an interrupt after a scan found nothing to run.
// => interrupts off.
//
// The wfi runs with interrupts still disabled: wfi resumes when an enabled
// interrupt becomes pending whatever sstatus.SIE says, and the interrupt is
// then taken at the top of the scheduler loop. Enabling interrupts before
// the wfi would lose a wakeup that arrives between the scan and the wfi.
// The hart announces itself idle before a second scan (see want_hart), so
// a process made RUNNABLE after the first scan is either seen by the
// second or brings an inter-hart interrupt if it is still waiting
// KICK_DELAY later. An interrupt sent after the second scan stays pending
// and ends the wfi at once.
static void
idle_wait(void)
{
  uint64 bit = 1UL << cpuid();
  __atomic_fetch_or(&idle_harts, bit, __ATOMIC_SEQ_CST);
  __sync_synchronize();
  if (!any_runnable()) {
    uint64 t0 = r_cycle();
    asm volatile("wfi");
    kstat_add(idle_cycles, r_cycle() - t0);  // the benchmarks' busy time excludes it
  }
  __atomic_fetch_and(&idle_harts, ~bit, __ATOMIC_SEQ_CST);
}

// Per-hart scheduler loop: pick a RUNNABLE process, run it until it calls
// sched(), repeat. Waits for an interrupt when nothing is runnable.
void
scheduler(void)
{
  struct cpu *c = mycpu();
  c->proc = 0;
  for (;;) {
    intr_on();  // take pending interrupts: device handlers wake sleepers
    intr_off();
    int ran = 0;
    for (struct proc *p = procs; p < &procs[NPROC]; p++) {
      if (peek_state(p) != RUNNABLE)
        continue;
      acquire(&p->lock);
      if (p->state == RUNNABLE) {
        p->state = RUNNING;
        c->proc = p;
        swtch(&c->context, &p->context);
        c->proc = 0;
        ran = 1;
      }
      release(&p->lock);
    }
    if (!ran)
      idle_wait();
  }
}

// Switches to the scheduler. => p->lock held and no other lock; state
// already changed from RUNNING.
void
sched(void)
{
  struct proc *p = myproc();
  KASSERT(holding(&p->lock));
  lockcheck_sched(&p->lock);
  KASSERT(mycpu()->noff == 1);
  KASSERT(p->state != RUNNING);
  KASSERT(!intr_get());
  int intena = mycpu()->intena;
  swtch(&p->context, &mycpu()->context);
  mycpu()->intena = intena;
}

void
yield(void)
{
  struct proc *p = myproc();
  acquire(&p->lock);
  make_runnable(p);
  sched();
  release(&p->lock);
}

// A new process's first kernel code, reached from swtch() with p->lock
// held by the scheduler.
static void
forkret(void)
{
  static int first = 1;
  struct proc *p = myproc();
  release(&p->lock);
  if (first) {
    // The file system needs a process context (it sleeps for disk I/O),
    // so it is started here rather than in kmain().
    first = 0;
    fsinit(ROOTDEV);
    p->cwd = namei("/", 0);
    if (p->cwd == 0)
      panic("no root directory");
    char *argv[] = {"init", 0};
    long r = kexec("/init", argv);
    if (r < 0)
      panic("cannot exec /init: error %ld", -r);
    p->trapframe->x[REG_A0] = r;
  }
  usertrapret();
}

// Atomically releases lk and sleeps on chan; reacquires lk on wakeup.
void
sleep(void *chan, struct spinlock *lk)
{
  struct proc *p = myproc();
  lockcheck_sleep(lk);
  acquire(&p->lock);
  p->chan = chan;
  p->state = SLEEPING;  // before lk goes: wakeup() peeks at it (see top)
  release(lk);
  sched();
  p->chan = 0;
  release(&p->lock);
  acquire(lk);
}

// Wakes every process sleeping on chan. => must not hold any p->lock.
void
wakeup(void *chan)
{
  struct proc *self = myproc();
  int woke = 0;
  for (struct proc *p = procs; p < &procs[NPROC]; p++) {
    if (p == self || peek_state(p) != SLEEPING)
      continue;
    acquire(&p->lock);
    if (p->state == SLEEPING && p->chan == chan) {
      make_runnable(p);
      woke = 1;
    }
    release(&p->lock);
  }
  if (woke)
    want_hart();
}

// Marks pid killed; it exits when it next crosses into or out of the
// kernel. 0, -ESRCH, or -EPERM for init and kernel processes.
int
kill(int pid)
{
  if (initproc && pid == initproc->pid)
    return -EPERM;  // init must never exit: it adopts every orphan
  for (struct proc *p = procs; p < &procs[NPROC]; p++) {
    acquire(&p->lock);
    if (p->pid == pid && p->state != UNUSED && p->state != ZOMBIE && p->kbody) {
      release(&p->lock);
      return -EPERM;  // a kernel process never reaches the exit a kill needs
    }
    if (p->pid == pid && p->state != UNUSED && p->state != ZOMBIE) {
      p->killed = 1;
      int woke = p->state == SLEEPING;
      if (woke)
        make_runnable(p);
      release(&p->lock);
      if (woke)
        want_hart();
      return 0;
    }
    release(&p->lock);
  }
  return -ESRCH;
}

void
setkilled(struct proc *p)
{
  acquire(&p->lock);
  p->killed = 1;
  release(&p->lock);
}

int
killed(struct proc *p)
{
  acquire(&p->lock);
  int k = p->killed;
  release(&p->lock);
  return k;
}

int
either_copyout(int user_dst, uint64 dst, void *src, uint64 len)
{
  if (user_dst)
    return copyout(myproc()->pagetable, dst, src, len);
  memmove((void *)dst, src, len);
  return 0;
}

int
either_copyin(void *dst, int user_src, uint64 src, uint64 len)
{
  if (user_src)
    return copyin(myproc()->pagetable, dst, src, len);
  memmove(dst, (void *)src, len);
  return 0;
}

static int
procinfo_state(enum procstate s)
{
  switch (s) {
  case USED: return PROCINFO_NEW;
  case SLEEPING: return PROCINFO_SLEEPING;
  case RUNNABLE: return PROCINFO_RUNNABLE;
  case RUNNING: return PROCINFO_RUNNING;
  case ZOMBIE: return PROCINFO_ZOMBIE;
  default: return 0;
  }
}

// Describes slot p in *pi; returns 0, or -1 if the slot is unused.
// => wait_lock held (for p->parent; a parent's pid cannot change while it
//    has children, since a process is freed only after exit() handed its
//    children to init, both under wait_lock). Takes p->lock.
static int
proc_describe(struct proc *p, struct procinfo *pi)
{
  memset(pi, 0, sizeof(*pi));  // padding too: no kernel bytes leak out
  acquire(&p->lock);
  if (p->state == UNUSED) {
    release(&p->lock);
    return -1;
  }
  pi->pid = p->pid;
  pi->ppid = p->parent ? p->parent->pid : 0;
  pi->state = procinfo_state(p->state);
  if (p->pagetable) {
    struct uvm_usage u;
    uvmusage(p->pagetable, &u);
    pi->pages = u.pages;
    pi->file_pages = u.file;
    pi->anon_pages = u.anon;
    pi->shared_pages = u.shared;
  }
  safestrcpy(pi->name, p->name, sizeof(pi->name));
  release(&p->lock);
  return 0;
}

// The procinfo system call: fills the user array dst with up to max
// struct procinfo (kernel/procinfo.h), one per slot in use. Returns how
// many it filled, or -EFAULT.
// => called with nothing locked. Each entry is gathered under the locks
//    and copied out with none held, since copyout may fault a page in.
int
proc_list(uint64 dst, int max)
{
  struct proc *self = myproc();
  int n = 0;
  for (struct proc *p = procs; p < &procs[NPROC] && n < max; p++) {
    struct procinfo pi;
    acquire(&wait_lock);
    int r = proc_describe(p, &pi);
    release(&wait_lock);
    if (r < 0)
      continue;
    if (copyout(self->pagetable, dst + (uint64)n * sizeof(pi), &pi, sizeof(pi)) < 0)
      return -EFAULT;
    n++;
  }
  return n;
}

struct proc *
proc_slot(int i)
{
  KASSERT(i >= 0 && i < NPROC);
  return &procs[i];
}

int
proc_is_init(struct proc *p)
{
  return p == initproc;
}

// Console Ctrl-P: one line per process. Takes no locks, so that it works
// on a wedged system; what it prints may be slightly stale.
void
procdump(void)
{
  static const char *names[] = {
    [UNUSED] "unused", [USED] "used", [SLEEPING] "sleep",
    [RUNNABLE] "runble", [RUNNING] "run", [ZOMBIE] "zombie",
  };
  printf("\n");
  for (struct proc *p = procs; p < &procs[NPROC]; p++) {
    if (p->state == UNUSED)
      continue;
    printf("%d %s %s sz=%lu\n", p->pid, names[p->state], p->name, p->sz);
  }
}
