// bigtext.c -- the program `bench start` starts cold and warm: 256 KiB of
// read-only data in its text segment (BIG_PAGES pages) beside its code,
// standing in for a program with that much text, all of which it uses:
// it loads the first word of every page and exits 0 only if their sum is
// the one the table was built with (1 if not).
//
// The size is the point: the image is larger than the buffer cache (NBUF
// blocks, kernel/param.h), through which an exec that copies the program
// reads it, so such an exec reads the whole program from the disk at
// every start, warm or cold; an exec that maps the program from the page
// cache reads it once. The table is made by the assembler (.rept), not
// written out in C, and each page's first word names the page, so a page
// mapped in the wrong place changes the sum.
#include "kernel/types.h"
#include "kernel/riscv.h"
#include "user/user.h"

#define BIG_PAGES 64
// The first word of page i is BIG_MAGIC + i. No suffix: the assembler
// reads the number too.
#define BIG_MAGIC 0x5EED000000000000
#define STR_(x) #x
#define STR(x) STR_(x)

// Page i: the word BIG_MAGIC + i, then PGSIZE - 8 bytes of 0x5a (not 0:
// the table must be file bytes, not zeros a loader could make up).
asm(".section .rodata\n"
    ".balign 4096\n"
    ".globl big_table\n"
    "big_table:\n"
    ".set big_page, 0\n"
    ".rept " STR(BIG_PAGES) "\n"
    ".dword " STR(BIG_MAGIC) " + big_page\n"
    ".fill 4088, 1, 0x5a\n"
    ".set big_page, big_page + 1\n"
    ".endr\n"
    ".text\n");
extern const char big_table[];

int
main(void)
{
  uint64 sum = 0, want = 0;
  for (uint64 i = 0; i < BIG_PAGES; i++) {
    sum += *(volatile const uint64 *)(big_table + i * PGSIZE);
    want += BIG_MAGIC + i;
  }
  return sum == want ? 0 : 1;
}
