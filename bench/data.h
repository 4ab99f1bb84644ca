// data.h -- the contents of the benchmark data files, shared by the host
// tool that writes them (scripts/mkdata.c) and the guest program that
// checks them (bench/bench.c). Needs kernel/types.h (or host equivalents
// of uint64).
//
// Word i (the 8 bytes at offset 8*i, little-endian) of a file made with
// `seed` is data_word(seed, i): a splitmix64 step, so every word differs
// and a page from the wrong place, or of zeros, cannot pass for the right
// one; and the guest can recompute any word without a second copy.
#ifndef PCV6_BENCH_DATA_H
#define PCV6_BENCH_DATA_H

static inline uint64
data_word(uint64 seed, uint64 i)
{
  uint64 z = seed + (i + 1) * 0x9E3779B97F4A7C15ULL;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

// The manifest mkdata writes beside the files, one line per file:
// "NAME SIZE SEED BYTESUM PAGESUM" in decimal, where BYTESUM is the sum of
// every byte and PAGESUM the sum of the first word of every 4 KiB page.
#define DATA_MANIFEST "sums"

#endif
