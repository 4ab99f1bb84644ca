// user.h -- what a user program can call: system calls and the small C
// library in user/ (xv6 user ABI; include after kernel/types.h).
#ifndef PCV6_USER_H
#define PCV6_USER_H

#include "kernel/syscall.h"

typedef unsigned long size_t;
typedef long off_t;

#define SBRK_ERROR ((char *)-1)

// System calls. Their prototypes are not written here: each comes from
// its entry in the one list of calls, SYSCALL_LIST in kernel/syscall.h
// (and SYSCALL_ALIASES after it), where a comment says what the call does
// and which header its types and constants live in. user/usys.S makes the
// stubs from the same list. On failure they return -1 (mmap: (void *)-1;
// programs usually name it MAP_FAILED themselves, so it is not defined
// here) and set errno to a code from kernel/errno.h.
#define USER_SYSCALL_(number, name, stub, returns, params) returns stub params;
#define USER_SYSCALL_ALIAS_(name, stub, returns, params) returns stub params;
SYSCALL_LIST(USER_SYSCALL_)
SYSCALL_ALIASES(USER_SYSCALL_ALIAS_)
#undef USER_SYSCALL_
#undef USER_SYSCALL_ALIAS_

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
// For programs that count pages or faults (user/ulib.c): make every data
// and bss page this process's own (after a fork they are shared
// copy-on-write, bss after exec is zero-filled at its first touch); and
// that, plus map every page of the program's text (exec maps it lazily,
// from the page cache).
void own_data_pages(void);
void own_program_pages(void);
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
