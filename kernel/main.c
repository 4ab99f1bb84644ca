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
#include "kernel/fs/file.h"
#include "kernel/dev/disk.h"

extern char _entry[];

static volatile int boot_claimed;  // first hart to arrive boots the machine
static volatile int boot_done;     // set when shared state is ready

static void
start_other_harts(uint64 boot_hart)
{
  for (uint64 h = 0; h < NCPU; h++)
    if (h != boot_hart && sbi_hart_exists(h))
      sbi_hart_start(h, (uint64)_entry, 1);
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
  fileinit();
  virtio_disk_init();
  userinit();
  __sync_synchronize();
  boot_done = 1;
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
  }
  mycpu()->started = 1;
  scheduler();
}
