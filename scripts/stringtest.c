// stringtest.c -- checks the kernel's memset and memmove (kernel/lib/string.c)
// on the host, against byte-by-byte reference copies.
//
// The kernel versions move 8-byte words when they can and bytes at the
// ends, so the risky cases are the edges: every source and destination
// alignment, lengths around the word-loop threshold, overlapping moves in
// both directions, and fill values with the top bit set. Every case also
// checks that no byte outside the target range changed.
//
// Built and run by `make test` (the `string` host case of
// scripts/runtest.py). Prints one line per failure and a summary; exits
// 1 if anything failed.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

// Compile the kernel's file here under other names, so that it neither
// clashes with the C library nor gets replaced by it.
#define memset k_memset
#define memmove k_memmove
#define memcpy k_memcpy
#define memcmp k_memcmp
#define strlen k_strlen
#define strncmp k_strncmp
#define strncpy k_strncpy
#include "kernel/lib/string.c"
#undef memset
#undef memmove
#undef memcpy
#undef memcmp
#undef strlen
#undef strncmp
#undef strncpy

#define BUF 8192
#define GUARD 64          // bytes each side of every target range
#define MAX_OFF 16        // alignments tried, source and destination
#define SMALL_MAX 130     // every length up to here
static const int big_lengths[] = {255, 256, 257, 1000, 1024, 4095, 4096, 4097};

static unsigned char a[BUF], b[BUF], ref[BUF];
static int failures, checks;

static void
fill_random(unsigned char *p, int n, unsigned *seed)
{
  for (int i = 0; i < n; i++) {
    *seed = *seed * 1103515245u + 12345u;
    p[i] = (unsigned char)(*seed >> 16);
  }
}

static void
expect_same(const char *what, int doff, int soff, int n, const unsigned char *got)
{
  checks++;
  for (int i = 0; i < BUF; i++) {
    if (got[i] != ref[i]) {
      if (failures++ < 20)
        printf("FAIL %s dst+%d src+%d n=%d: byte %d is %#x, want %#x\n", what, doff, soff,
               n, i, got[i], ref[i]);
      return;
    }
  }
}

// Separate buffers: k_memmove(a + doff, b + soff, n).
static void
check_copy(int doff, int soff, int n, unsigned *seed)
{
  fill_random(a, BUF, seed);
  fill_random(b, BUF, seed);
  memcpy(ref, a, BUF);
  for (int i = 0; i < n; i++)
    ref[GUARD + doff + i] = b[GUARD + soff + i];
  void *r = k_memmove(a + GUARD + doff, b + GUARD + soff, n);
  if (r != a + GUARD + doff) {
    failures++;
    printf("FAIL memmove returned %p, want %p\n", r, (void *)(a + GUARD + doff));
  }
  expect_same("memmove", doff, soff, n, a);
}

// One buffer, the ranges overlapping by up to n bytes either way:
// k_memmove(a + base + doff, a + base + soff, n).
static void
check_overlap(int doff, int soff, int n, unsigned *seed)
{
  int base = GUARD + SMALL_MAX;
  fill_random(a, BUF, seed);
  memcpy(ref, a, BUF);
  unsigned char tmp[BUF];
  for (int i = 0; i < n; i++)
    tmp[i] = a[base + soff + i];
  for (int i = 0; i < n; i++)
    ref[base + doff + i] = tmp[i];
  k_memmove(a + base + doff, a + base + soff, n);
  expect_same("memmove (overlapping)", doff, soff, n, a);
}

static void
check_set(int doff, int n, int c, unsigned *seed)
{
  fill_random(a, BUF, seed);
  memcpy(ref, a, BUF);
  for (int i = 0; i < n; i++)
    ref[GUARD + doff + i] = (unsigned char)c;
  void *r = k_memset(a + GUARD + doff, c, n);
  if (r != a + GUARD + doff) {
    failures++;
    printf("FAIL memset returned %p\n", r);
  }
  expect_same("memset", doff, 0, n, a);
}

static void
each_length(void (*f)(int, int, int, unsigned *), int doff, int soff, unsigned *seed)
{
  for (int n = 0; n <= SMALL_MAX; n++)
    f(doff, soff, n, seed);
  for (unsigned i = 0; i < sizeof(big_lengths) / sizeof(big_lengths[0]); i++)
    f(doff, soff, big_lengths[i], seed);
}

int
main(void)
{
  unsigned seed = 1;
  for (int doff = 0; doff < MAX_OFF; doff++)
    for (int soff = 0; soff < MAX_OFF; soff++)
      each_length(check_copy, doff, soff, &seed);

  // Overlaps: destination below and above the source by 1..MAX_OFF*2
  // bytes, so word copies in the wrong direction would smear.
  for (int d = -2 * MAX_OFF; d <= 2 * MAX_OFF; d++)
    for (int soff = 0; soff < MAX_OFF; soff++)
      each_length(check_overlap, soff + d + 2 * MAX_OFF, soff + 2 * MAX_OFF, &seed);

  static const int values[] = {0, 1, 0x5a, 0x7f, 0x80, 0xff, -1, 0x1ab};
  for (int doff = 0; doff < MAX_OFF; doff++)
    for (unsigned v = 0; v < sizeof(values) / sizeof(values[0]); v++) {
      for (int n = 0; n <= SMALL_MAX; n++)
        check_set(doff, n, values[v], &seed);
      for (unsigned i = 0; i < sizeof(big_lengths) / sizeof(big_lengths[0]); i++)
        check_set(doff, big_lengths[i], values[v], &seed);
    }

  printf("stringtest: %d checks, %d failed\n", checks, failures);
  return failures ? 1 : 0;
}
