// trap.c -- what happens after the trampoline (user traps) or kernelvec
// (kernel traps) has saved registers.
//
// usertrap() sorts a trap from user mode into: a system call (ecall), a
// device interrupt, a page fault (handed to fault_resolve()), or anything
// else, which kills the process with status -1 after printing one line
// saying why (a page the disk could not read adds "(I/O error)"). usertrapret() prepares the trapframe and jumps to userret.
// kerneltrap() only expects interrupts; any exception in the kernel is a
// kernel bug and panics.
//
// The clock: every hart asks the SBI for a timer interrupt each
// 1/TICK_HZ s and yields on it; hart 0 also advances `ticks`. The same
// timer also serves one earlier deadline per hart, set by a hart that made
// a process RUNNABLE while another was idle (want_hart -> timer_kick_at)
// or by proc_kick_overdue itself: when it passes, proc_kick_overdue() looks for processes
// left waiting while a hart is idle. Such an interrupt is not a tick: it
// neither advances `ticks` nor makes the running process yield.
#include "kernel/types.h"
#include "kernel/param.h"
#include "kernel/memlayout.h"
#include "kernel/riscv.h"
#include "kernel/errno.h"
#include "kernel/lib/spinlock.h"
#include "kernel/lib/printf.h"
#include "kernel/arch/sbi.h"
#include "kernel/proc/proc.h"
#include "kernel/dev/console.h"
#include "kernel/dev/disk.h"
#include "kernel/mm/fault.h"
#include "kernel/proc/syscall_impl.h"
#include "kernel/arch/trap.h"

#define TICK_INTERVAL (TIMEBASE_HZ / TICK_HZ)

struct spinlock tickslock;
uint ticks;

extern char trampoline[], uservec[], userret[];
void kernelvec(void);

enum intr_kind { INTR_NONE, INTR_TIMER, INTR_OTHER };

void
trapinit(void)
{
  initlock(&tickslock, "time", LR_TICKS);
}

// Sets the SBI timer to the earlier of the hart's next tick and its kick
// deadline, unless it is set to that already. => interrupts off.
static void
timer_program(struct cpu *c)
{
  uint64 at = c->tick_due;
  if (c->kick_due != 0 && c->kick_due < at)
    at = c->kick_due;
  if (at != c->timer_at) {
    c->timer_at = at;
    sbi_set_timer(at);
  }
}

void
trapinithart(void)
{
  w_stvec((uint64)kernelvec);
  w_sie(r_sie() | SIE_SEIE | SIE_STIE | SIE_SSIE);
  // User programs may read the cycle, time and instret counters (the
  // benchmarks time themselves with them; OpenSBI lets S-mode read them).
  w_scounteren(SCOUNTEREN_CY | SCOUNTEREN_TM | SCOUNTEREN_IR);
  struct cpu *c = mycpu();
  c->tick_due = r_time() + TICK_INTERVAL;
  c->kick_due = 0;
  c->timer_at = 0;
  timer_program(c);
}

void
timer_kick_at(uint64 when)
{
  push_off();
  struct cpu *c = mycpu();
  if (c->kick_due == 0 || when < c->kick_due) {
    c->kick_due = when;
    timer_program(c);
  }
  pop_off();
}

int
sleep_ticks(uint n)
{
  int err = 0;
  acquire(&tickslock);
  uint start = ticks;
  while (ticks - start < n) {
    if (killed(myproc())) {
      err = -EINTR;
      break;
    }
    sleep(&ticks, &tickslock);
  }
  release(&tickslock);
  return err;
}

// The timer fired: a tick, a kick deadline, or both. Returns INTR_TIMER
// for a tick (the caller then yields), else INTR_OTHER.
static enum intr_kind
clockintr(void)
{
  struct cpu *c = mycpu();
  uint64 now = r_time();
  int tick = now >= c->tick_due;
  if (tick) {
    c->tick_due = now + TICK_INTERVAL;
    if (cpuid() == 0) {
      acquire(&tickslock);
      ticks++;
      wakeup(&ticks);
      release(&tickslock);
    }
  }
  if (c->kick_due != 0 && now >= c->kick_due) {
    c->kick_due = 0;
    proc_kick_overdue();  // may set a new deadline
  }
  c->timer_at = 0;  // the interrupt stays pending until the timer is set again
  timer_program(c);
  return tick ? INTR_TIMER : INTR_OTHER;
}

static void
external_intr(void)
{
  int irq = plic_claim();
  if (irq == UART0_IRQ)
    uartintr();
  else if (irq == VIRTIO0_IRQ)
    virtio_disk_intr();
  else if (irq)
    printf("unexpected interrupt irq=%d\n", irq);
  if (irq)
    plic_complete(irq);
}

// Handles an interrupt if scause says this is one.
static enum intr_kind
devintr(uint64 scause)
{
  if ((scause & SCAUSE_INTR) == 0)
    return INTR_NONE;
  switch (scause & ~SCAUSE_INTR) {
  case SCAUSE_S_EXTERNAL:
    external_intr();
    return INTR_OTHER;
  case SCAUSE_S_TIMER:
    return clockintr();
  case SCAUSE_S_SOFT:
    w_sip(r_sip() & ~SIP_SSIP);  // inter-hart interrupt: nothing queued yet
    return INTR_OTHER;
  default:
    return INTR_NONE;
  }
}

static const char *
cause_name(uint64 scause)
{
  switch (scause) {
  case SCAUSE_INSN_MISALIGNED: return "misaligned instruction";
  case SCAUSE_INSN_ACCESS: return "instruction access fault";
  case SCAUSE_ILLEGAL_INSN: return "illegal instruction";
  case SCAUSE_BREAKPOINT: return "breakpoint";
  case SCAUSE_LOAD_ACCESS: return "load access fault";
  case SCAUSE_STORE_ACCESS: return "store access fault";
  case SCAUSE_INSN_PAGE_FAULT: return "instruction page fault";
  case SCAUSE_LOAD_PAGE_FAULT: return "load page fault";
  case SCAUSE_STORE_PAGE_FAULT: return "store page fault";
  default: return "unexpected trap";
  }
}

// A page fault from user mode: 0 if the page was supplied.
static int
user_page_fault(struct proc *p, uint64 scause, uint64 stval)
{
  int access;
  switch (scause) {
  case SCAUSE_LOAD_PAGE_FAULT: access = FAULT_READ; break;
  case SCAUSE_STORE_PAGE_FAULT: access = FAULT_WRITE; break;
  case SCAUSE_INSN_PAGE_FAULT: access = FAULT_EXEC; break;
  default: return -EFAULT;
  }
  return fault_resolve(p, stval, access);
}

void
usertrap(void)
{
  KASSERT((r_sstatus() & SSTATUS_SPP) == 0);
  w_stvec((uint64)kernelvec);  // traps from now on are kernel traps
  struct proc *p = myproc();
  p->trapframe->epc = r_sepc();
  uint64 scause = r_scause();
  // Read now: a fault that sleeps (for the disk, an inode lock) may wake
  // on another hart, or after other traps here, with stval long changed.
  uint64 stval = r_stval();
  enum intr_kind kind = INTR_NONE;
  int fault_err = 0;

  if (scause == SCAUSE_ECALL_U) {
    if (killed(p))
      exit(-1);
    p->trapframe->epc += 4;  // return past the ecall
    intr_on();
    syscall();
  } else if ((kind = devintr(scause)) != INTR_NONE) {
    // handled
  } else if ((fault_err = user_page_fault(p, scause, stval)) == 0) {
    // page supplied; retry the instruction
  } else if (!killed(p)) {  // killed meanwhile: the out-of-memory policy said why
    printf("pid %d (%s): killed: %s%s at va %p, pc %p\n", p->pid, p->name,
           cause_name(scause), fault_err == -EIO ? " (I/O error)" : "", (void *)stval,
           (void *)p->trapframe->epc);
    setkilled(p);
  }
  if (killed(p))
    exit(-1);
  if (kind == INTR_TIMER)
    yield();
  usertrapret();
}

void
usertrapret(void)
{
  struct proc *p = myproc();
  intr_off();  // until sret: a trap now would go to uservec in kernel mode
  lockcheck_user_return();
  w_stvec(TRAMPOLINE + (uservec - trampoline));

  p->trapframe->kernel_satp = r_satp();
  p->trapframe->kernel_sp = p->kstack + PGSIZE;
  p->trapframe->kernel_trap = (uint64)usertrap;
  p->trapframe->kernel_hartid = r_tp();

  uint64 x = r_sstatus();
  x &= ~SSTATUS_SPP;  // return to user mode
  x |= SSTATUS_SPIE;  // with interrupts on
  w_sstatus(x);
  w_sepc(p->trapframe->epc);

  uint64 satp = MAKE_SATP(p->pagetable);
  uint64 fn = TRAMPOLINE + (userret - trampoline);
  ((void (*)(uint64))fn)(satp);
  __builtin_unreachable();
}

void
kerneltrap(void)
{
  uint64 sepc = r_sepc();
  uint64 sstatus = r_sstatus();
  uint64 scause = r_scause();
  KASSERT(sstatus & SSTATUS_SPP);
  KASSERT(!intr_get());

  enum intr_kind kind = devintr(scause);
  if (kind == INTR_NONE)
    panic("kerneltrap: %s (scause %lx) at pc %p, va %p", cause_name(scause), scause,
          (void *)sepc, (void *)r_stval());
  if (kind == INTR_TIMER && myproc() != 0)
    yield();
  // yield() may have let other traps run: restore what sret needs.
  w_sepc(sepc);
  w_sstatus(sstatus);
}
