# kernelvec.S -- trap entry while in supervisor mode. Saves the registers
# a C function may clobber on the current kernel stack, calls kerneltrap(),
# restores them and returns with sret (to sepc, which kerneltrap may have
# preserved across a yield).
#define FRAME 256

.macro CALLER_SAVED op
        \op ra, 0(sp)
        \op gp, 16(sp)
        \op t0, 32(sp)
        \op t1, 40(sp)
        \op t2, 48(sp)
        \op a0, 72(sp)
        \op a1, 80(sp)
        \op a2, 88(sp)
        \op a3, 96(sp)
        \op a4, 104(sp)
        \op a5, 112(sp)
        \op a6, 120(sp)
        \op a7, 128(sp)
        \op t3, 216(sp)
        \op t4, 224(sp)
        \op t5, 232(sp)
        \op t6, 240(sp)
.endm

.globl kerneltrap
.globl kernelvec
.align 4
kernelvec:
        addi sp, sp, -FRAME
        CALLER_SAVED sd
        call kerneltrap
        CALLER_SAVED ld
        addi sp, sp, FRAME
        sret
