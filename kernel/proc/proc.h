// proc.h -- processes, harts (struct cpu), and the scheduler interface.
//
// Lock legend for struct proc fields:
//   [p]  p->lock must be held
//   [w]  wait_lock must be held (proc.c)
//   [o]  private to the process (or its creator before it runs): no lock
// Lock order: the ranks in kernel/lib/lockrank.h (wait_lock before any
// p->lock; under a p->lock only the leaves: pid_lock, kmem.lock, printf's).
#ifndef PCV6_PROC_H
#define PCV6_PROC_H

#include "kernel/types.h"
#include "kernel/param.h"
#include "kernel/riscv.h"
#include "kernel/lib/spinlock.h"
#include "kernel/arch/trapframe.h"
#include "kernel/mm/vma.h"

// Registers saved by swtch() for a kernel context switch (callee-saved).
struct context {
  uint64 ra;
  uint64 sp;
  uint64 s[12];  // s0..s11
};

struct cpu {
  struct proc *proc;       // running on this hart, or 0
  struct context context;  // swtch() here to enter the scheduler
  int noff;                // depth of push_off() nesting
  int intena;              // were interrupts on before the first push_off?
  struct lockstack spins;  // spinlocks this hart holds (lockcheck.c)
  int started;             // set once the hart has entered the scheduler
  // The hart's timer (trap.c), touched only by the hart itself with
  // interrupts off:
  uint64 tick_due;         // time of the next clock tick
  uint64 kick_due;         // time to look for overdue RUNNABLE processes, or 0
  uint64 timer_at;         // what the SBI timer is set to now (0: must be set)
};

extern struct cpu cpus[NCPU];

enum procstate { UNUSED, USED, SLEEPING, RUNNABLE, RUNNING, ZOMBIE };

struct proc {
  struct spinlock lock;

  enum procstate state;  // [p]
  void *chan;            // [p] sleeping on this, if SLEEPING
  int killed;            // [p] kill() was called
  int xstate;            // [p] exit status, for the parent's wait()
  int pid;               // [p]
  uint64 runnable_since; // [p] `time` when last made RUNNABLE

  struct proc *parent;   // [w]

  uint64 kstack;               // [o] bottom of the kernel stack (virtual)
  uint64 sz;                   // [o] end of the heap: the program break.
                               //     [0, sz) holds the program (its areas,
                               //     or pages exec copied), the stack, the
                               //     heap
  uint64 heap_base;            // [o] start of the heap (just above the stack)
  pagetable_t pagetable;       // [o] user page table; 0 once exit() freed it.
                               //     Changed with p->lock held too, so that
                               //     others may read it (and walk the table)
                               //     under p->lock
  struct trapframe *trapframe; // [o] the page mapped at TRAPFRAME
  struct context context;      // [o] swtch() here to run the process
  struct file *ofile[NOFILE];  // [o] open files
  struct inode *cwd;           // [o] current directory
  char name[16];               // [o] for ps and debugging; written
                               //     under p->lock once the process runs
  int err;                     // [o] error code of the last failed syscall
  int nofault;                 // [o] copies to/from user memory must not fault
                               //     pages in (an inode lock is held; vm.c)
  struct lockstack sleeps;     // [o] sleep locks and log admission held
                               //     (lockcheck.c)
  struct vma vmas[NMMAP];      // [o] mapped areas: files, anonymous memory (vma.c)
  struct vma prog[VMA_PROG_MAX]; // [o] the program's areas (exec.c; none
                               //     when exec copied it: naive policy)
  struct file *exe;            // [o] the program's file (file_open_exec):
                               //     denies writers while the image lives
  uint64 disk_reads;           // [o] disk read requests this process waited
                               //     for (a fault that moved it is major)
  void (*kbody)(void);         // [o] a kernel process's body (kproc_start);
                               //     0 for a user process
};

int  cpuid(void);              // => interrupts off
struct cpu *mycpu(void);       // => interrupts off
struct proc *myproc(void);

void procinit(void);
void userinit(void);
void scheduler(void) __attribute__((noreturn));
void sched(void);
void yield(void);
void sleep(void *chan, struct spinlock *lk);
void wakeup(void *chan);
int  fork(void);
void exit(int status) __attribute__((noreturn));
int  wait(uint64 status_addr);
int  kill(int pid);
void setkilled(struct proc *p);
int  killed(struct proc *p);
int  growproc(long n, int lazy);
pagetable_t proc_pagetable(struct proc *p);
void proc_freepagetable(pagetable_t pagetable, uint64 sz);
int  proc_list(uint64 dst, int max);   // procinfo(): kernel/procinfo.h
int  either_copyout(int user_dst, uint64 dst, void *src, uint64 len);
int  either_copyin(void *dst, int user_src, uint64 src, uint64 len);
void procdump(void);
void proc_kick_overdue(void);  // clock interrupt: this hart's kick deadline passed
// Starts a kernel process called name that runs body (which must never
// return) in the kernel: no user memory, page table, files or parent.
// kill() refuses it (EPERM), the out-of-memory policy never chooses it
// (it holds no user pages), ps lists it with 0 pages. 0, or -EAGAIN when
// the process table is full. => no spinlock held but ones ranked before
// p->lock.
int  kproc_start(const char *name, void (*body)(void));
// For policies that look at every process (oom.c): slot i of the process
// table (0 <= i < NPROC; lock it before looking), and whether p is init.
struct proc *proc_slot(int i);
int  proc_is_init(struct proc *p);

// swtch.S
void swtch(struct context *old, struct context *new);

#endif
