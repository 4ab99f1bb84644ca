// ulib.c -- the small C library every user program links against: the
// program entry point, errno, the two sbrk flavours, the string and
// memory helpers declared in user/user.h, and the page-owning helpers of
// programs that count pages.
//
// Interface: see user/user.h. Nothing here keeps state except errno.
//
// Compiler note: at -O2 gcc recognises "fill/copy a byte range" loops and
// replaces them with calls to memset/memcpy -- even with -fno-builtin. Inside
// memset/memcpy/memmove themselves that would recurse forever, so those
// three are compiled with that transformation switched off (NO_LIBCALL).
#include "kernel/types.h"
#include "kernel/stat.h"
#include "kernel/fcntl.h"
#include "kernel/riscv.h"
#include "user/user.h"

#define NO_LIBCALL __attribute__((optimize("no-tree-loop-distribute-patterns")))

// Reason for the most recent failed system call; written by user/usys.S.
int errno;

extern int main(int argc, char **argv);

// Entry point (ENTRY in user/user.ld). exec leaves argc in a0 and argv in
// a1, which is exactly how a C function receives two arguments. Falling off
// the end of main is an ordinary exit with main's value.
void
_start(int argc, char **argv)
{
  exit(main(argc, argv));
}

char *
sbrk(int n)
{
  return sys_sbrk(n, 0);
}

char *
sbrklazy(int n)
{
  return sys_sbrk(n, 1);
}

// Fill *st for a path by opening it read-only. The open is undone on every
// path; errno from a failed open or fstat survives the close.
int
stat(const char *path, struct stat *st)
{
  int fd = open(path, O_RDONLY);
  if (fd < 0)
    return -1;
  int r = fstat(fd, st);
  int saved = errno;
  close(fd);
  errno = saved;
  return r;
}

char *
strcpy(char *dst, const char *src)
{
  char *d = dst;
  while ((*d++ = *src++) != 0)
    ;
  return dst;
}

uint
strlen(const char *s)
{
  uint n = 0;
  while (s[n])
    n++;
  return n;
}

int
strcmp(const char *a, const char *b)
{
  while (*a && *a == *b) {
    a++;
    b++;
  }
  return (uchar)*a - (uchar)*b;
}

// First occurrence of c in s, or 0. Like C's strchr, the terminating NUL
// counts as part of the string, so strchr(s, 0) finds the end.
char *
strchr(const char *s, char c)
{
  for (;; s++) {
    if (*s == c)
      return (char *)s;
    if (*s == 0)
      return 0;
  }
}

NO_LIBCALL void *
memset(void *dst, int c, uint n)
{
  uchar *d = dst;
  for (uint i = 0; i < n; i++)
    d[i] = (uchar)c;
  return dst;
}

// Copy n bytes between ranges that may overlap: copy backwards when the
// destination starts inside the source, so no byte is overwritten before
// it has been read.
NO_LIBCALL void *
memmove(void *dst, const void *src, int n)
{
  uchar *d = dst;
  const uchar *s = src;
  if (n <= 0 || d == s)
    return dst;
  if (s < d && d < s + n) {
    while (n-- > 0)
      d[n] = s[n];
  } else {
    for (int i = 0; i < n; i++)
      d[i] = s[i];
  }
  return dst;
}

NO_LIBCALL void *
memcpy(void *dst, const void *src, uint n)
{
  uchar *d = dst;
  const uchar *s = src;
  for (uint i = 0; i < n; i++)
    d[i] = s[i];
  return dst;
}

int
memcmp(const void *a, const void *b, uint n)
{
  const uchar *p = a, *q = b;
  for (uint i = 0; i < n; i++) {
    if (p[i] != q[i])
      return p[i] - q[i];
  }
  return 0;
}

// Read one line from fd 0 into buf: at most max-1 bytes, stopping after a
// newline or carriage return (which is kept). The result is always
// NUL-terminated; an empty string means end of input (or a read error).
char *
gets(char *buf, int max)
{
  int i = 0;
  while (i + 1 < max) {
    char c;
    if (read(0, &c, 1) != 1)
      break;
    buf[i++] = c;
    if (c == '\n' || c == '\r')
      break;
  }
  if (max > 0)
    buf[i] = 0;
  return buf;
}

// Decimal string to int: optional leading blanks, an optional sign, then
// digits; stops at the first non-digit. No overflow detection.
int
atoi(const char *s)
{
  int sign = 1, n = 0;
  while (*s == ' ' || *s == '\t')
    s++;
  if (*s == '-' || *s == '+') {
    if (*s == '-')
      sign = -1;
    s++;
  }
  while (*s >= '0' && *s <= '9')
    n = n * 10 + (*s++ - '0');
  return sign * n;
}

// ---- owning the program's pages ----

// Bounds from user/user.ld: text and read-only data from 0 to data_start,
// then data and bss up to end.
extern char data_start[], end[];

// The first store to each data and bss page takes a page (a copy of one
// a fork shared, or a zeroed bss page), which would otherwise land in the
// middle of whatever a test counts. (The stack page becomes the process's
// own at its first function call.)
void
own_data_pages(void)
{
  for (char *a = data_start; a < end; a += PGSIZE)
    *(volatile char *)a = *(volatile char *)a;
}

// Each text page arrives at its first touch (exec maps it from the page
// cache; a running program's pages then stay cached, so one first touched
// during a leak check would look like a leak). Children forked afterwards
// start with the same pages: fork maps a program's cache pages in the
// child too.
void
own_program_pages(void)
{
  for (uint64 a = 0; a < (uint64)data_start; a += PGSIZE) {
    uint64 page = a;
    asm volatile("" : "+r"(page));  // address 0 is text here, not a null pointer to fold
    (void)*(volatile char *)page;
  }
  own_data_pages();
}
