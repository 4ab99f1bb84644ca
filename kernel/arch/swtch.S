# swtch.S -- kernel context switch.
#   void swtch(struct context *old, struct context *new);
# Saves the callee-saved registers (ra, sp, s0..s11) into *old and loads
# them from *new; "returns" to new->ra on new->sp. Offsets follow struct
# context in proc.h: ra 0, sp 8, s0..s11 from 16.

.macro SAVE_LOAD op, base
        \op ra, 0(\base)
        \op sp, 8(\base)
        \op s0, 16(\base)
        \op s1, 24(\base)
        \op s2, 32(\base)
        \op s3, 40(\base)
        \op s4, 48(\base)
        \op s5, 56(\base)
        \op s6, 64(\base)
        \op s7, 72(\base)
        \op s8, 80(\base)
        \op s9, 88(\base)
        \op s10, 96(\base)
        \op s11, 104(\base)
.endm

.globl swtch
swtch:
        SAVE_LOAD sd, a0
        SAVE_LOAD ld, a1
        ret
