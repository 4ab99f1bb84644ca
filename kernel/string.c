// string.c -- byte and string helpers for the kernel. Plain loops: the
// compiler is told not to replace them with calls to themselves
// (-fno-builtin), and none of this is on a path hot enough to vectorise.
#include "kernel/types.h"
#include "kernel/string.h"

void *
memset(void *dst, int c, uint n)
{
  uchar *d = dst;
  for (uint i = 0; i < n; i++)
    d[i] = (uchar)c;
  return dst;
}

void *
memmove(void *dst, const void *src, uint n)
{
  uchar *d = dst;
  const uchar *s = src;
  if (d == s || n == 0)
    return dst;
  if (s < d && s + n > d) {  // overlapping, copy from the end
    while (n-- > 0)
      d[n] = s[n];
  } else {
    for (uint i = 0; i < n; i++)
      d[i] = s[i];
  }
  return dst;
}

void *
memcpy(void *dst, const void *src, uint n)
{
  return memmove(dst, src, n);
}

int
memcmp(const void *a, const void *b, uint n)
{
  const uchar *x = a, *y = b;
  for (uint i = 0; i < n; i++)
    if (x[i] != y[i])
      return x[i] - y[i];
  return 0;
}

int
strlen(const char *s)
{
  int n = 0;
  while (s[n])
    n++;
  return n;
}

int
strncmp(const char *a, const char *b, uint n)
{
  for (; n > 0; n--, a++, b++) {
    if (*a != *b)
      return (uchar)*a - (uchar)*b;
    if (*a == 0)
      return 0;
  }
  return 0;
}

char *
strncpy(char *dst, const char *src, int n)
{
  int i = 0;
  for (; i < n && src[i]; i++)
    dst[i] = src[i];
  for (; i < n; i++)
    dst[i] = 0;
  return dst;
}

char *
safestrcpy(char *dst, const char *src, int n)
{
  if (n <= 0)
    return dst;
  int i = 0;
  for (; i < n - 1 && src[i]; i++)
    dst[i] = src[i];
  dst[i] = 0;
  return dst;
}
