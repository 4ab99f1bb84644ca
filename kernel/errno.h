// errno.h -- error codes shared by the kernel and the user library.
// Kernel functions return 0 or -E*; the system call layer turns that into
// -1 for the user program and keeps the code, which the user library reads
// into `errno`. Values follow the traditional Unix numbering.
#ifndef PCV6_ERRNO_H
#define PCV6_ERRNO_H

#define EPERM    1
#define ENOENT   2
#define ESRCH    3
#define EINTR    4
#define EIO      5
#define E2BIG    7
#define ENOEXEC  8
#define EBADF    9
#define ECHILD  10
#define EAGAIN  11
#define ENOMEM  12
#define EACCES  13
#define EFAULT  14
#define EEXIST  17
#define ENXIO    6
#define ENODEV  19
#define ENOTDIR 20
#define EISDIR  21
#define EINVAL  22
#define ENFILE  23
#define EMFILE  24
#define ETXTBSY 26  // a running program's file may not be written, nor a written file run
#define EFBIG   27
#define ENOSPC  28
#define ESPIPE  29
#define EROFS   30
#define EMLINK  31
#define EPIPE   32
#define ENAMETOOLONG 36
#define ENOSYS  38
#define ENOTEMPTY 39

#endif
