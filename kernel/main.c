// main.c -- boot. OpenSBI starts one hart (any of them) at _entry, which
// calls start(). That hart initialises the machine, then asks the firmware
// to start every other hart at _entry too; they set up their own paging,
// traps and interrupt routing and join the scheduler.
#include "kernel/types.h"
#include "kernel/param.h"
#include "kernel/memlayout.h"
#include "kernel/riscv.h"
#include "kernel/lib/printf.h"
#include "kernel/arch/sbi.h"
#include "kernel/dev/console.h"
#include "kernel/mm/kalloc.h"
#include "kernel/mm/vm.h"
#include "kernel/proc/proc.h"
#include "kernel/mm/oom.h"
#include "kernel/arch/trap.h"
#include "kernel/fs/buf.h"
#include "kernel/fs/inode.h"
#include "kernel/mm/pagecache.h"
#include "kernel/mm/prefetch.h"
#include "kernel/mm/writeback.h"
#include "kernel/fs/file.h"
#include "kernel/dev/disk.h"

extern char _entry[];

static volatile int boot_claimed;  // first hart to arrive boots the machine
static volatile int boot_done;     // set when shared state is ready
static uint64 harts_arrived;       // [atomic] bit h: hart h is past its boot message

// How long the boot hart waits for the others, in seconds of the `time`
// CSR: a bound, so that a hart the firmware never hands over cannot stop
// the boot; under a heavily loaded host a hart's own firmware start-up
// has been seen to take over a second.
#define HART_WAIT_SECONDS 20

// Starts every other hart the firmware knows and waits until each has
// printed its boot message, so that no late "hart N starting" line lands
// in the middle of what the first commands print. A start request is
// repeated until the firmware takes it: a hart still in its own firmware
// start-up is not yet stopped, and the firmware refuses to start it then.
static void
start_other_harts(uint64 boot_hart)
{
  uint64 want = 0, asked = 0;
  for (uint64 h = 0; h < NCPU; h++)
    if (h != boot_hart && sbi_hart_exists(h))
      want |= 1UL << h;
  uint64 deadline = r_time() + HART_WAIT_SECONDS * TIMEBASE_HZ;
  uint64 arrived;
  while (((arrived = __atomic_load_n(&harts_arrived, __ATOMIC_ACQUIRE)) & want) != want &&
         r_time() < deadline) {
    for (uint64 h = 0; h < NCPU; h++) {
      uint64 bit = 1UL << h;
      if ((want & ~asked & ~arrived & bit) && sbi_hart_start(h, (uint64)_entry, 1) == 0)
        asked |= bit;
    }
  }
}

static void
boot_hart_init(uint64 hartid)
{
  consoleinit();
  printinit();
  printf("\npcv6 kernel booting on hart %lu\n", hartid);
  kinit();
  kvminit();
  kvminithart();
  procinit();
  oominit();
  trapinit();
  trapinithart();
  plicinit();
  plicinithart();
  binit();
  iinit();
  pcinit();
  prefetch_init();
  fileinit();
  virtio_disk_init();
  userinit();
  wb_start();  // after init, which is pid 1
  __sync_synchronize();
  boot_done = 1;
  // Wait for the others' boot messages before the first process can run:
  // a line printed after the shell's first prompt would land in the middle
  // of whatever the first command prints.
  start_other_harts(hartid);
}

void
start(uint64 hartid)
{
  if (hartid >= NCPU)
    for (;;)
      asm volatile("wfi");  // more harts than we have slots for: park it
  if (__sync_lock_test_and_set(&boot_claimed, 1) == 0) {
    boot_hart_init(hartid);
  } else {
    while (!boot_done)
      ;
    __sync_synchronize();
    kvminithart();
    trapinithart();
    plicinithart();
    printf("hart %lu starting\n", hartid);
    __atomic_fetch_or(&harts_arrived, 1UL << hartid, __ATOMIC_RELEASE);
  }
  mycpu()->started = 1;
  scheduler();
}
