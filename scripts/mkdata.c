// mkdata.c -- write the benchmark's data files on the host (much faster
// than writing them inside the emulated machine).
//
// Usage: scripts/mkdata DIR NAME:MIB:SEED...
//
// Writes DIR/NAME of MIB MiB for each argument, word i holding
// data_word(SEED, i) (bench/data.h), and DIR/sums, the manifest the guest
// checks its sums against: one line "NAME SIZE SEED BYTESUM PAGESUM" per
// file. Exits 1 with a message on any error.
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/types.h"
#include "bench/data.h"

#define PAGE 4096
#define CHUNK (1 << 20)

static void
die(const char *what, const char *why)
{
  fprintf(stderr, "mkdata: %s: %s\n", what, why);
  exit(1);
}

// Writes one file; returns its sums through the pointers.
static void
write_file(const char *path, uint64 size, uint64 seed, uint64 *bytesum, uint64 *pagesum)
{
  static unsigned char buf[CHUNK];
  FILE *f = fopen(path, "wb");
  if (f == 0)
    die(path, strerror(errno));
  *bytesum = *pagesum = 0;
  for (uint64 off = 0; off < size; off += CHUNK) {
    for (uint64 o = 0; o < CHUNK; o += 8) {
      uint64 w = data_word(seed, (off + o) / 8);
      for (int b = 0; b < 8; b++) {  // little-endian whatever the host
        buf[o + b] = (w >> (8 * b)) & 0xff;
        *bytesum += buf[o + b];
      }
      if ((off + o) % PAGE == 0)
        *pagesum += w;
    }
    if (fwrite(buf, CHUNK, 1, f) != 1)
      die(path, strerror(errno));
  }
  if (fclose(f) != 0)
    die(path, strerror(errno));
}

int
main(int argc, char *argv[])
{
  if (argc < 3) {
    fprintf(stderr, "usage: mkdata DIR NAME:MIB:SEED...\n");
    return 1;
  }
  char path[4096];
  snprintf(path, sizeof(path), "%s/%s", argv[1], DATA_MANIFEST);
  FILE *sums = fopen(path, "w");
  if (sums == 0)
    die(path, strerror(errno));
  for (int i = 2; i < argc; i++) {
    char name[64];
    unsigned long mib, seed;
    if (sscanf(argv[i], "%63[^:]:%lu:%lu", name, &mib, &seed) != 3 || mib == 0)
      die(argv[i], "want NAME:MIB:SEED");
    snprintf(path, sizeof(path), "%s/%s", argv[1], name);
    uint64 size = (uint64)mib << 20, bytesum, pagesum;
    write_file(path, size, seed, &bytesum, &pagesum);
    fprintf(sums, "%s %llu %lu %llu %llu\n", name, (unsigned long long)size, seed,
            (unsigned long long)bytesum, (unsigned long long)pagesum);
  }
  if (fclose(sums) != 0)
    die(DATA_MANIFEST, strerror(errno));
  return 0;
}
