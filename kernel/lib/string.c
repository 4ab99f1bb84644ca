// string.c -- byte and string helpers for the kernel.
//
// memset and memmove are on hot paths: every page the allocator hands out
// or takes back is filled (kalloc.c), and file data is copied between
// buffers, cache pages and user pages a page at a time. Byte loops cost
// about three instructions a byte, 12,000 a page, which dominated the cost
// of a page fault. So both move 8-byte words, four to an iteration, when
// source and destination share their alignment, with byte loops only for
// the unaligned ends. Buffers whose alignments differ are copied bytewise:
// a misaligned load or store may trap to the firmware on RISC-V, which is
// far slower than bytes. The compiler is told not to turn these loops into
// calls to themselves (-fno-builtin).
#include "kernel/types.h"
#include "kernel/lib/string.h"

#define WORD sizeof(uint64)
#define WORD_MASK (WORD - 1)
#define WORDS_MIN 32  // below this many bytes the setup costs more than it saves

static inline int
aligned(const void *p)
{
  return ((uint64)p & WORD_MASK) == 0;
}

void *
memset(void *dst, int c, uint n)
{
  uchar *d = dst;
  uchar b = (uchar)c;
  if (n >= WORDS_MIN) {
    while (!aligned(d)) {
      *d++ = b;
      n--;
    }
    uint64 w = b * 0x0101010101010101UL;
    uint64 *wd = (uint64 *)d;
    for (; n >= 4 * WORD; n -= 4 * WORD, wd += 4) {
      wd[0] = w;
      wd[1] = w;
      wd[2] = w;
      wd[3] = w;
    }
    for (; n >= WORD; n -= WORD)
      *wd++ = w;
    d = (uchar *)wd;
  }
  while (n-- > 0)
    *d++ = b;
  return dst;
}

// Copies n bytes upwards (lowest address first).
static void
copy_up(uchar *d, const uchar *s, uint n)
{
  if (n >= WORDS_MIN && ((uint64)d & WORD_MASK) == ((uint64)s & WORD_MASK)) {
    while (!aligned(d)) {
      *d++ = *s++;
      n--;
    }
    uint64 *wd = (uint64 *)d;
    const uint64 *ws = (const uint64 *)s;
    for (; n >= 4 * WORD; n -= 4 * WORD, wd += 4, ws += 4) {
      uint64 a = ws[0], b = ws[1], c = ws[2], e = ws[3];
      wd[0] = a;
      wd[1] = b;
      wd[2] = c;
      wd[3] = e;
    }
    for (; n >= WORD; n -= WORD)
      *wd++ = *ws++;
    d = (uchar *)wd;
    s = (const uchar *)ws;
  }
  while (n-- > 0)
    *d++ = *s++;
}

// Copies n bytes downwards (highest address first), for overlapping moves
// to a higher address. d and s point one past the ends.
static void
copy_down(uchar *d, const uchar *s, uint n)
{
  if (n >= WORDS_MIN && ((uint64)d & WORD_MASK) == ((uint64)s & WORD_MASK)) {
    while (!aligned(d)) {
      *--d = *--s;
      n--;
    }
    uint64 *wd = (uint64 *)d;
    const uint64 *ws = (const uint64 *)s;
    for (; n >= WORD; n -= WORD)
      *--wd = *--ws;
    d = (uchar *)wd;
    s = (const uchar *)ws;
  }
  while (n-- > 0)
    *--d = *--s;
}

void *
memmove(void *dst, const void *src, uint n)
{
  uchar *d = dst;
  const uchar *s = src;
  if (d == s || n == 0)
    return dst;
  if (s < d && s + n > d)
    copy_down(d + n, s + n, n);  // overlapping, destination above: from the end
  else
    copy_up(d, s, n);
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
