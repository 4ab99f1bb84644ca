// memlayout.h -- physical and virtual memory layout (xv6 user ABI values).
//
// Physical (QEMU -machine virt):
//   0x00100000  test finisher (sifive,test0): write to power off
//   0x0C000000  PLIC
//   0x10000000  UART0 (16550)
//   0x10001000  virtio-mmio slot 0 (our disk)
//   0x80000000  RAM: OpenSBI firmware owns the first 2 MiB
//   0x80200000  kernel text, then data, then free pages up to PHYSTOP
//
// Kernel virtual: RAM and devices are mapped at their physical addresses;
// TRAMPOLINE and the per-process kernel stacks (with guard pages) sit at
// the top of the address space.
//
// User virtual, from 0 up:
//   text (read-only), data+bss, guard page, stack (USERSTACK pages),
//   heap (sbrk) ... mmap areas (chosen top-down) ... TRAPFRAME, TRAMPOLINE.
#ifndef PCV6_MEMLAYOUT_H
#define PCV6_MEMLAYOUT_H

#define FINISHER   0x100000L
#define FINISHER_PASS 0x5555
#define FINISHER_FAIL 0x3333

#define UART0      0x10000000L
#define UART0_IRQ  10

#define VIRTIO0     0x10001000L
#define VIRTIO0_IRQ 1

#define PLIC            0x0c000000L
#define PLIC_PRIORITY   (PLIC + 0x0)
#define PLIC_PENDING    (PLIC + 0x1000)
#define PLIC_SENABLE(hart)   (PLIC + 0x2080 + (hart) * 0x100)
#define PLIC_SPRIORITY(hart) (PLIC + 0x201000 + (hart) * 0x2000)
#define PLIC_SCLAIM(hart)    (PLIC + 0x201004 + (hart) * 0x2000)

#define KERNBASE   0x80000000L
#define KERNLOAD   0x80200000L   // where OpenSBI jumps to
#define PHYSTOP    (KERNBASE + 128 * 1024 * 1024)

#define TRAMPOLINE (MAXVA - PGSIZE)
// Kernel stack of process slot p: two pages each, the lower one a guard.
#define KSTACK(p)  (TRAMPOLINE - ((p) + 1) * 2 * PGSIZE)

#define TRAPFRAME  (TRAMPOLINE - PGSIZE)

#endif
