# entry.S -- first instructions of every hart.
#
# OpenSBI enters here in supervisor mode with paging off, a0 = hart id and
# a1 = the device-tree address (boot hart) or the opaque word we passed to
# sbi_hart_start (other harts). Each hart gets its own boot stack from
# boot_stacks[], keeps its hart id in tp for cpuid(), and calls start().
#include "kernel/param.h"

#define BOOT_STACK_SIZE 4096

.section .text.entry
.global _entry
_entry:
        # sp = boot_stacks + (hartid + 1) * BOOT_STACK_SIZE
        la sp, boot_stacks
        li t0, BOOT_STACK_SIZE
        addi t1, a0, 1
        mul t0, t0, t1
        add sp, sp, t0
        mv tp, a0
        call start
1:      wfi
        j 1b

.section .bss
.align 4
.global boot_stacks
boot_stacks:
        .space BOOT_STACK_SIZE * NCPU
