/*
 * usys.S -- the system call entry points a user program links against.
 *
 * Interface: one global function per entry of SYSCALL_LIST and
 * SYSCALL_ALIASES in kernel/syscall.h, named by the entry's stub column
 * and declared from the same entry in user/user.h. Each one loads the
 * call's number SYS_<name> into a7, leaves the C arguments where the
 * calling convention already put them (a0..a5), and traps with ecall.
 * The kernel answers in a0. Nothing here names a call: a new entry in the
 * list gets its stub when this file is assembled again.
 *
 * Error contract: a failing call comes back with a0 == -1 (sign-extended
 * to 64 bits, so it is also MAP_FAILED and SBRK_ERROR) and a positive code
 * from kernel/errno.h in a1. Only then is the low word of a1 copied into
 * the C global `errno` (defined in user/ulib.c); a successful call leaves
 * errno untouched, as in Unix. No valid result of any call equals -1: read
 * and write counts are non-negative, and no user address is all ones.
 *
 * Registers: ecall clobbers nothing the C convention promises to keep, and
 * the stubs use only t0 besides a0/a7, which are caller-saved anyway.
 *
 * This file goes through the C preprocessor (for the list), so comments
 * are C-style: a line starting with '#' would be a directive. The list
 * expands to a single line; ';' separates the statements on it.
 */
#define SYSCALL_LIST_ONLY  /* no SYS_* symbols in every program: see syscall.h */
#include "kernel/syscall.h"

/* SYSCALL name, number: define `name` as a trap into call `number`. */
.macro SYSCALL name, number
	.globl \name
	.type \name, @function
	.align 2
\name:
	li	a7, \number
	ecall
	li	t0, -1
	beq	a0, t0, 1f
	ret
1:	/* failure: publish the kernel's reason, keep a0 == -1 */
	la	t0, errno
	sw	a1, 0(t0)
	ret
	.size \name, . - \name
.endm

	.text
/* .Lsys_<name> is the number of call <name>: a .L symbol stays out of the
 * object's symbol table. */
#define NUMBER_(number, name, ...) .equ .Lsys_##name, number;
#define STUB_(number, name, stub, ...) SYSCALL stub, .Lsys_##name;
#define ALIAS_STUB_(name, stub, ...) SYSCALL stub, .Lsys_##name;
SYSCALL_LIST(NUMBER_)
SYSCALL_LIST(STUB_)
SYSCALL_ALIASES(ALIAS_STUB_)
