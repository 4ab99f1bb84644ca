// user.h -- what a user program can call: system calls and the small C
// library in user/ (xv6 user ABI; include after kernel/types.h).
#ifndef PCV6_USER_H
#define PCV6_USER_H

struct stat;

typedef unsigned long size_t;
typedef long off_t;

#define SBRK_ERROR ((char *)-1)

// System calls (user/usys.S). On failure they return -1 (mmap: (void *)-1;
// programs usually name it MAP_FAILED themselves, so it is not defined here)
// and set errno to a code from kernel/errno.h.
int fork(void);
int exit(int) __attribute__((noreturn));
int wait(int *);
int pipe(int *);
int write(int, const void *, int);
int read(int, void *, int);
int close(int);
int kill(int);
int exec(const char *, char **);
int open(const char *, int);
int mknod(const char *, short, short);
int unlink(const char *);
int fstat(int fd, struct stat *);
int link(const char *, const char *);
int mkdir(const char *);
int chdir(const char *);
int dup(int);
int getpid(void);
char *sys_sbrk(int n, int lazy);  // raw call behind sbrk/sbrklazy
int pause(int);                   // sleep for n clock ticks
int sleep(int);                   // same call as pause
int uptime(void);
void *mmap(void *addr, size_t len, int prot, int flags, int fd, off_t offset);
int munmap(void *addr, size_t len);
int msync(void *addr, size_t len, int flags);     // pcv6 extension: MS_* in kernel/fcntl.h
struct trace_event;
int tracedump(struct trace_event *buf, int start, int max);  // pcv6 extension: kernel/trace.h
struct kstats;
int kstats(struct kstats *);      // pcv6 extension: kernel/kstats.h
long knob(int which, long value); // pcv6 extension: kernel/knobs.h
struct procinfo;
int procinfo(struct procinfo *buf, int max); // pcv6 extension: kernel/procinfo.h

// Library (user/ulib.c, user/printf.c, user/umalloc.c, user/errstr.c).
extern int errno;
const char *strerror(int code);  // "no such file or directory" for ENOENT
void perror(const char *what);   // "what: strerror(errno)" on fd 2
// Leading "-abc" options; sets on[c] for each letter c (on: NFLAGS zeroed
// bytes, one per 7-bit character). Returns the first operand's index, or
// -1 after naming an unknown option on fd 2. See user/errstr.c.
#define NFLAGS 128
int getflags(int argc, char **argv, const char *allowed, char *on);
char *sbrk(int);      // grow (or shrink) the heap, allocating pages now
char *sbrklazy(int);  // grow the heap, allocating pages on first touch
int stat(const char *, struct stat *);
char *strcpy(char *, const char *);
void *memmove(void *, const void *, int);
char *strchr(const char *, char c);
int strcmp(const char *, const char *);
char *gets(char *, int max);
uint strlen(const char *);
void *memset(void *, int, uint);
int atoi(const char *);
int memcmp(const void *, const void *, uint);
void *memcpy(void *, const void *, uint);
void fprintf(int, const char *, ...);
void printf(const char *, ...);
void *malloc(uint);
void free(void *);

#endif
