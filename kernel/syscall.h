// syscall.h -- system call numbers, passed in a7 (xv6 user ABI).
#ifndef PCV6_SYSCALL_H
#define PCV6_SYSCALL_H

#define SYS_fork    1
#define SYS_exit    2
#define SYS_wait    3
#define SYS_pipe    4
#define SYS_read    5
#define SYS_kill    6
#define SYS_exec    7
#define SYS_fstat   8
#define SYS_chdir   9
#define SYS_dup    10
#define SYS_getpid 11
#define SYS_sbrk   12
#define SYS_pause  13
#define SYS_uptime 14
#define SYS_open   15
#define SYS_write  16
#define SYS_mknod  17
#define SYS_unlink 18
#define SYS_link   19
#define SYS_mkdir  20
#define SYS_close  21
#define SYS_mmap   22
#define SYS_munmap 23
#define SYS_kstats 24   // pcv6 extension: struct kstats (kernel/kstats.h)
#define SYS_knob   25   // pcv6 extension: run-time switches (kernel/knobs.h)
#define SYS_msync  26   // pcv6 extension: msync(addr, len, flags)
#define SYS_tracedump 28 // pcv6 extension: fault trace (kernel/trace.h)
#define SYS_procinfo 27 // pcv6 extension: process list for ps (kernel/procinfo.h)

#endif
