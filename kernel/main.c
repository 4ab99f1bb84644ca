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
static int harts_up;               // [atomic] other harts past their boot message

// Starts every other hart the firmware knows; returns how many started.
static int
start_other_harts(uint64 boot_hart)
{
  int started = 0;
  for (uint64 h = 0; h < NCPU; h++)
    if (h != boot_hart && sbi_hart_exists(h) && sbi_hart_start(h, (uint64)_entry, 1) == 0)
      started++;
  return started;
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
  int others = start_other_harts(hartid);
  while (__atomic_load_n(&harts_up, __ATOMIC_ACQUIRE) < others)
    ;
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
    __atomic_fetch_add(&harts_up, 1, __ATOMIC_RELEASE);
  }
  mycpu()->started = 1;
  scheduler();
}
