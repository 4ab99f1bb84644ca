// plic.c -- the platform-level interrupt controller: routes the UART and
// virtio disk interrupts to every hart's supervisor context.
#include "kernel/types.h"
#include "kernel/param.h"
#include "kernel/memlayout.h"
#include "kernel/riscv.h"
#include "kernel/proc/proc.h"
#include "kernel/arch/trap.h"

#define REG32(a) (*(volatile uint32 *)(a))

void
plicinit(void)
{
  REG32(PLIC_PRIORITY + UART0_IRQ * 4) = 1;   // nonzero enables the source
  REG32(PLIC_PRIORITY + VIRTIO0_IRQ * 4) = 1;
}

void
plicinithart(void)
{
  int hart = cpuid();
  REG32(PLIC_SENABLE(hart)) = (1 << UART0_IRQ) | (1 << VIRTIO0_IRQ);
  REG32(PLIC_SPRIORITY(hart)) = 0;  // threshold: accept every priority
}

int
plic_claim(void)
{
  return REG32(PLIC_SCLAIM(cpuid()));
}

void
plic_complete(int irq)
{
  REG32(PLIC_SCLAIM(cpuid())) = irq;
}
