# trampoline.S -- the page mapped at TRAMPOLINE in every address space
# (kernel and user), so that the switch of satp between user and kernel
# page tables happens while executing code mapped the same in both.
#
# uservec: stvec points here while in user mode. sscratch holds TRAPFRAME
#   (set by userret). Saves all user registers into the trapframe, then
#   loads the kernel's stack, hart id, page table and jumps to usertrap().
# userret(satp): switches to the user page table, restores the registers
#   and returns to user mode with sret.
#include "kernel/riscv.h"
#include "kernel/memlayout.h"
#include "kernel/arch/trapframe.h"

.macro FOR_USER_REGS op
        \op x1, TF_REG(1)(a0)
        \op x2, TF_REG(2)(a0)
        \op x3, TF_REG(3)(a0)
        \op x4, TF_REG(4)(a0)
        \op x5, TF_REG(5)(a0)
        \op x6, TF_REG(6)(a0)
        \op x7, TF_REG(7)(a0)
        \op x8, TF_REG(8)(a0)
        \op x9, TF_REG(9)(a0)
        # x10 is a0, the base register: handled separately
        \op x11, TF_REG(11)(a0)
        \op x12, TF_REG(12)(a0)
        \op x13, TF_REG(13)(a0)
        \op x14, TF_REG(14)(a0)
        \op x15, TF_REG(15)(a0)
        \op x16, TF_REG(16)(a0)
        \op x17, TF_REG(17)(a0)
        \op x18, TF_REG(18)(a0)
        \op x19, TF_REG(19)(a0)
        \op x20, TF_REG(20)(a0)
        \op x21, TF_REG(21)(a0)
        \op x22, TF_REG(22)(a0)
        \op x23, TF_REG(23)(a0)
        \op x24, TF_REG(24)(a0)
        \op x25, TF_REG(25)(a0)
        \op x26, TF_REG(26)(a0)
        \op x27, TF_REG(27)(a0)
        \op x28, TF_REG(28)(a0)
        \op x29, TF_REG(29)(a0)
        \op x30, TF_REG(30)(a0)
        \op x31, TF_REG(31)(a0)
.endm

.section trampsec
.globl trampoline
trampoline:
.align 4
.globl uservec
uservec:
        csrrw a0, sscratch, a0      # a0 = TRAPFRAME, sscratch = user a0
        FOR_USER_REGS sd
        csrr t0, sscratch
        sd t0, TF_REG(10)(a0)
        ld sp, TF_KERNEL_SP(a0)
        ld tp, TF_KERNEL_HART(a0)
        ld t0, TF_KERNEL_TRAP(a0)
        ld t1, TF_KERNEL_SATP(a0)
        sfence.vma zero, zero       # finish user-mode memory accesses
        csrw satp, t1
        sfence.vma zero, zero
        jr t0                       # usertrap(), never returns here

.globl userret
userret:
        # a0: user satp value
        sfence.vma zero, zero
        csrw satp, a0
        sfence.vma zero, zero
        li a0, TRAPFRAME
        csrw sscratch, a0
        FOR_USER_REGS ld
        ld a0, TF_REG(10)(a0)
        sret
