/*
 * usys.S -- the system call entry points a user program links against.
 *
 * Interface: one global function per call declared in user/user.h. Each
 * one loads the call number from kernel/syscall.h into a7, leaves the C
 * arguments where the calling convention already put them (a0..a5), and
 * traps with ecall. The kernel answers in a0.
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
 * This file goes through the C preprocessor (for the SYS_* numbers), so
 * comments are C-style: a line starting with '#' would be a directive.
 */
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
SYSCALL fork,     SYS_fork
SYSCALL exit,     SYS_exit
SYSCALL wait,     SYS_wait
SYSCALL pipe,     SYS_pipe
SYSCALL read,     SYS_read
SYSCALL write,    SYS_write
SYSCALL close,    SYS_close
SYSCALL kill,     SYS_kill
SYSCALL exec,     SYS_exec
SYSCALL open,     SYS_open
SYSCALL mknod,    SYS_mknod
SYSCALL unlink,   SYS_unlink
SYSCALL fstat,    SYS_fstat
SYSCALL link,     SYS_link
SYSCALL mkdir,    SYS_mkdir
SYSCALL chdir,    SYS_chdir
SYSCALL dup,      SYS_dup
SYSCALL getpid,   SYS_getpid
SYSCALL sys_sbrk, SYS_sbrk
SYSCALL pause,    SYS_pause
SYSCALL sleep,    SYS_pause   /* historical name for pause */
SYSCALL uptime,   SYS_uptime
SYSCALL mmap,     SYS_mmap
SYSCALL munmap,   SYS_munmap
SYSCALL kstats,   SYS_kstats
SYSCALL msync,    SYS_msync
SYSCALL tracedump, SYS_tracedump
SYSCALL knob,     SYS_knob
SYSCALL procinfo, SYS_procinfo
