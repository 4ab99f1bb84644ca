// syscall.h -- the system calls, listed once. The list gives each call's
// number (passed in a7: xv6's user ABI, then pcv6's own calls), and from
// it come the SYS_* names, the kernel's handler prototypes and dispatch
// table, the user stubs and the user prototypes.
//
// SYSCALL_LIST(X) applies X(number, name, stub, returns, (parameters)) to
// every call, in number order:
//   number      the ABI number; never change or reuse one.
//   name        SYS_<name> is the number; long sys_<name>(void) is the
//               kernel's handler (kernel/proc/syscall_impl.h declares it,
//               kernel/proc/syscall.c puts it in the table).
//   stub        the user-space function that traps (user/usys.S): the
//               name itself, except where the C library wraps the raw call.
//   returns, (parameters)
//               the stub's C prototype (user/user.h), attributes included.
// SYSCALL_ALIASES(X) applies X(name, stub, returns, (parameters)) to a
// second user-space name for a call already listed: a stub of its own
// that traps with SYS_<name>.
//
// Adding a system call: one X line at the end of SYSCALL_LIST with the
// next unused number (if its prototype names a struct not declared below,
// add the struct's tag there too), and the handler `long sys_<name>(void)`
// in the kernel, returning a result >= 0 or -E* from kernel/errno.h. No
// other file changes. The build stops if the handler is missing (link) or
// has another signature, or if two entries share a number (syscall.c).
//
// SYS_<name> is an enum constant in C and an absolute symbol (.equ) in
// assembler (see the end of this file), so `[SYS_fork] = ...` and
// `li a7, SYS_exec` work as they did with xv6's #defines. What no longer
// works is testing one with #ifdef: the preprocessor cannot define macros
// from a list. That is the price of keeping the one list in C rather than
// in a script that writes this header, the stubs and the prototypes
// (xv6's usys.pl writes the stubs only), whose output would be one more
// thing to keep in step.
//
// Comments inside the list are /* */: a // comment would swallow the
// backslash that continues the macro.
#ifndef PCV6_SYSCALL_H
#define PCV6_SYSCALL_H

// Every struct a prototype below names, declared at file scope first (a
// struct first met in a parameter list would be a different type). size_t
// and off_t come from user/user.h, the only place the prototypes expand.
#ifndef __ASSEMBLER__
struct stat;
struct kstats;
struct procinfo;
struct trace_event;
#endif

#define SYSCALL_LIST(X)                                                       \
  /* A copy of the calling process: returns the child's pid to the */         \
  /* parent and 0 to the child. */                                            \
  X( 1, fork,      fork,      int, (void))                                    \
  /* End the calling process; status reaches the parent's wait(). */          \
  X( 2, exit,      exit,      __attribute__((noreturn)) int, (int status))    \
  /* Wait for a child to exit: its pid, and its exit status in *status */     \
  /* unless status is 0. */                                                   \
  X( 3, wait,      wait,      int, (int *status))                             \
  /* A pipe: fds[0] is its read end, fds[1] its write end. */                 \
  X( 4, pipe,      pipe,      int, (int *fds))                                \
  /* Up to n bytes from fd into buf: how many, 0 at end of file. */           \
  X( 5, read,      read,      int, (int fd, void *buf, int n))                \
  /* Mark process pid killed: it exits when it next enters or leaves */       \
  /* the kernel (a sleeping one is woken). init cannot be killed. */          \
  X( 6, kill,      kill,      int, (int pid))                                 \
  /* Run the program in file path with arguments argv (0-terminated) in */    \
  /* place of the caller's; returns only on failure. */                       \
  X( 7, exec,      exec,      int, (const char *path, char **argv))           \
  /* Describe open file fd in *st (kernel/stat.h). */                         \
  X( 8, fstat,     fstat,     int, (int fd, struct stat *st))                 \
  /* Make directory path the current one. */                                  \
  X( 9, chdir,     chdir,     int, (const char *path))                        \
  /* A second descriptor, the lowest free, for the open file fd. */           \
  X(10, dup,       dup,       int, (int fd))                                  \
  /* The caller's process id. */                                              \
  X(11, getpid,    getpid,    int, (void))                                    \
  /* Move the end of the heap by n bytes, its pages allocated now (lazy */    \
  /* 0) or at first touch (lazy 1); returns the old end. The raw call */      \
  /* behind the library's sbrk and sbrklazy. */                               \
  X(12, sbrk,      sys_sbrk,  char *, (int n, int lazy))                      \
  /* Sleep for n clock ticks. */                                              \
  X(13, pause,     pause,     int, (int n))                                   \
  /* Clock ticks since boot. */                                               \
  X(14, uptime,    uptime,    int, (void))                                    \
  /* Open (or with O_CREATE make) file path; omode is O_* from */             \
  /* kernel/fcntl.h. Returns a descriptor. */                                 \
  X(15, open,      open,      int, (const char *path, int omode))             \
  /* Up to n bytes from buf to fd: how many were written. */                  \
  X(16, write,     write,     int, (int fd, const void *buf, int n))          \
  /* Make device file path for device (major, minor). */                      \
  X(17, mknod,     mknod,     int, (const char *path, short major, short minor)) \
  /* Remove the name path; the file goes when no name or descriptor */        \
  /* is left. */                                                              \
  X(18, unlink,    unlink,    int, (const char *path))                        \
  /* A second name, new, for the file old. */                                 \
  X(19, link,      link,      int, (const char *old, const char *new))        \
  /* Make directory path. */                                                  \
  X(20, mkdir,     mkdir,     int, (const char *path))                        \
  /* Release descriptor fd. */                                                \
  X(21, close,     close,     int, (int fd))                                  \
  /* Map len bytes of file fd from offset (PROT_*, MAP_* in */                \
  /* kernel/fcntl.h) where the kernel chooses (addr is ignored); */           \
  /* returns the address, (void *)-1 on failure. */                           \
  X(22, mmap,      mmap,      void *, (void *addr, size_t len, int prot, int flags, int fd, off_t offset)) \
  /* Unmap [addr, addr+len). */                                               \
  X(23, munmap,    munmap,    int, (void *addr, size_t len))                  \
  /* pcv6 extension: the kernel's counters, struct kstats */                  \
  /* (kernel/kstats.h). */                                                    \
  X(24, kstats,    kstats,    int, (struct kstats *ks))                       \
  /* pcv6 extension: run-time switches (kernel/knobs.h); returns the */       \
  /* knob's previous value. */                                                \
  X(25, knob,      knob,      long, (int which, long value))                  \
  /* pcv6 extension: msync(addr, len, flags), MS_* in kernel/fcntl.h. */      \
  X(26, msync,     msync,     int, (void *addr, size_t len, int flags))       \
  /* pcv6 extension: process list for ps, up to max entries of struct */      \
  /* procinfo (kernel/procinfo.h); returns how many. */                       \
  X(27, procinfo,  procinfo,  int, (struct procinfo *buf, int max))           \
  /* pcv6 extension: fault trace (kernel/trace.h), events start.. into */     \
  /* buf, at most max; returns how many. */                                   \
  X(28, tracedump, tracedump, int, (struct trace_event *buf, int start, int max)) \
  /* POSIX (pcv6 extension, Linux's ABI): move fd's offset to off from */     \
  /* SEEK_SET, SEEK_CUR or SEEK_END (kernel/fcntl.h); returns the new */       \
  /* offset. Past the end is allowed; a write() there still fails. */          \
  X(29, lseek,     lseek,     long, (int fd, long off, int whence))           \
  /* POSIX (pcv6 extension): make fd's file len bytes long; what it */        \
  /* gains reads as zeros and has no blocks until written. */                 \
  X(30, ftruncate, ftruncate, int, (int fd, long len))                        \
  /* POSIX (pcv6 extension): write back fd's dirty cache pages and */         \
  /* return once every change to the file so far is on disk. */               \
  X(31, fsync,     fsync,     int, (int fd))                                  \
  /* POSIX (pcv6 extension, Linux's ABI): give the mapped pages of */         \
  /* [addr, addr+len) the rights prot (PROT_* in kernel/fcntl.h). */          \
  X(32, mprotect,  mprotect,  int, (void *addr, size_t len, int prot))        \
  /* pcv6 extension (Linux's ABI): advice (MADV_* in kernel/fcntl.h) */       \
  /* about how the mapped range [addr, addr+len) will be used. */             \
  X(33, madvise,   madvise,   int, (void *addr, size_t len, int advice))      \
  /* pcv6 extension (Linux's ABI): one byte per page of the mapped */         \
  /* range into vec, bit 0 set if the page is in memory. */                   \
  X(34, mincore,   mincore,   int, (void *addr, size_t len, unsigned char *vec))

#define SYSCALL_ALIASES(X)                                                    \
  /* The same call as pause, under its historical name. */                    \
  X(pause, sleep, int, (int n))

// The SYS_* names. In assembler they are symbols, and gas puts every one
// in the object's symbol table, from where it reaches each program the
// object is linked into (disassemblers then name small code addresses
// after them: <SYS_tracedump+0x8c>). An assembler file that needs only the
// list defines SYSCALL_LIST_ONLY before including this (user/usys.S does).
#ifndef __ASSEMBLER__
#define SYSCALL_NUMBER_(number, name, ...) SYS_##name = number,
enum { SYSCALL_LIST(SYSCALL_NUMBER_) };
#undef SYSCALL_NUMBER_
#elif !defined(SYSCALL_LIST_ONLY)
#define SYSCALL_NUMBER_(number, name, ...) .equ SYS_##name, number;
SYSCALL_LIST(SYSCALL_NUMBER_)
#undef SYSCALL_NUMBER_
#endif

#endif
