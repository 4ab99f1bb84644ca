// trapframe.h -- the page at TRAPFRAME where the trampoline saves a
// process's user registers on a trap, and the kernel values it needs to
// enter the kernel. Shared by C and by trampoline.S, hence the offsets.
//
// Register i (x0..x31) is saved at TF_REG(i); x0 is never stored.
#ifndef PCV6_TRAPFRAME_H
#define PCV6_TRAPFRAME_H

#define TF_KERNEL_SATP  0    // kernel page table
#define TF_KERNEL_SP    8    // top of this process's kernel stack
#define TF_KERNEL_TRAP  16   // address of usertrap()
#define TF_EPC          24   // saved user pc
#define TF_KERNEL_HART  32   // hart id, for tp
#define TF_REGS         40
#define TF_REG(i)       (TF_REGS + 8 * (i))

// RISC-V integer register numbers.
#define REG_RA 1
#define REG_SP 2
#define REG_A0 10
#define REG_A1 11
#define REG_A7 17

#ifndef __ASSEMBLER__
#include "kernel/types.h"

struct trapframe {
  uint64 kernel_satp;
  uint64 kernel_sp;
  uint64 kernel_trap;
  uint64 epc;
  uint64 kernel_hartid;
  uint64 x[32];   // x[i] = user register xi
};

_Static_assert(sizeof(struct trapframe) == TF_REG(32), "trapframe layout");
#endif

#endif
