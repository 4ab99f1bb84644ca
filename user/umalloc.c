// umalloc.c -- malloc and free for user programs.
//
// Design: the heap is carved into blocks, each starting with a 16-byte
// header that records the block's total size. Free blocks are also linked
// into one list kept in ascending address order, which makes merging
// neighbours on free() a matter of looking at the list predecessor and
// successor. malloc() takes the first block that is big enough; if the
// block is larger than needed it hands out the block's tail and leaves the
// head on the list (so no relinking is needed).
//
// Invariants:
//   - every block size is a multiple of ALIGN and at least MIN_BLOCK;
//   - free-list blocks are in increasing address order and never touch
//     (two adjacent free blocks are always merged into one);
//   - the pointer returned to the caller is ALIGN-aligned.
// The heap grows with sbrk() in steps of at least GROW_MIN bytes and is
// never returned to the kernel. When sbrk fails, malloc returns 0.
// Not thread-safe (user processes have one thread).
#include "kernel/types.h"
#include "user/user.h"

#define ALIGN      16                      // alignment of every block
#define GROW_MIN   4096                    // smallest sbrk() request
#define MAX_REQ    (0x7fffffff - GROW_MIN) // sbrk takes an int

struct block {
  uint64 size;         // bytes in this block, header included
  struct block *next;  // next free block by address (free blocks only)
};

#define HDR       sizeof(struct block)  // 16, a multiple of ALIGN
#define MIN_BLOCK (HDR + ALIGN)         // smallest block worth keeping

static struct block *freelist;  // lowest-addressed free block, or 0

// Return block b to the free list, merging it with the free blocks that
// immediately precede or follow it. A block that overlaps one already on
// the list means a double free or a wild pointer: report and stop rather
// than corrupt the heap further.
static void
release(struct block *b)
{
  struct block *prev = 0, *next = freelist;
  while (next && next < b) {
    prev = next;
    next = next->next;
  }
  char *end = (char *)b + b->size;
  if ((next && end > (char *)next) ||
      (prev && (char *)prev + prev->size > (char *)b)) {
    fprintf(2, "free: bad or repeated pointer %p\n", (void *)(b + 1));
    exit(1);
  }
  if (next && end == (char *)next) {  // absorb the successor
    b->size += next->size;
    next = next->next;
  }
  b->next = next;
  if (prev && (char *)prev + prev->size == (char *)b) {  // join predecessor
    prev->size += b->size;
    prev->next = b->next;
  } else if (prev) {
    prev->next = b;
  } else {
    freelist = b;
  }
}

// Ask the kernel for at least need more bytes and put them on the free
// list. Returns 0, or -1 when sbrk fails.
static int
grow(uint64 need)
{
  uint64 amount = need < GROW_MIN ? GROW_MIN : need;
  amount = (amount + GROW_MIN - 1) & ~(uint64)(GROW_MIN - 1);
  char *p = sbrk((int)amount);
  if (p == SBRK_ERROR)
    return -1;
  // The break is normally page-aligned; if not, skip to an aligned start.
  uint64 skew = (uint64)p % ALIGN;
  if (skew) {
    p += ALIGN - skew;
    amount -= ALIGN;
  }
  struct block *b = (struct block *)p;
  b->size = amount;
  release(b);
  return 0;
}

// Take need bytes from the first free block that has them, or return 0.
static void *
take_first_fit(uint64 need)
{
  struct block *prev = 0;
  for (struct block *b = freelist; b; prev = b, b = b->next) {
    if (b->size < need)
      continue;
    if (b->size - need >= MIN_BLOCK) {  // split: hand out the tail
      b->size -= need;
      struct block *tail = (struct block *)((char *)b + b->size);
      tail->size = need;
      return tail + 1;
    }
    if (prev)  // close fit: hand out the whole block
      prev->next = b->next;
    else
      freelist = b->next;
    return b + 1;
  }
  return 0;
}

void *
malloc(uint nbytes)
{
  if (nbytes > MAX_REQ)
    return 0;
  uint64 need = (nbytes + HDR + ALIGN - 1) & ~(uint64)(ALIGN - 1);
  if (need < MIN_BLOCK)
    need = MIN_BLOCK;
  for (;;) {
    void *p = take_first_fit(need);
    if (p)
      return p;
    if (grow(need) < 0)
      return 0;
  }
}

void
free(void *ptr)
{
  if (ptr == 0)
    return;
  release((struct block *)ptr - 1);
}
