// vma.c -- the per-process table of mapped areas (files and anonymous
// memory).
//
// The table is a fixed array of NMMAP slots in struct proc. Addresses for
// new areas are chosen top-down: the highest page-aligned gap of the right
// size below TRAPFRAME that overlaps no area and stays above the heap
// (p->sz) -- for an area of a megapage (2 MiB) or more, the highest start
// congruent to its file offset modulo 2 MiB, if any gap has one, so that
// megapages can map it (megapage.c). The heap in turn may not grow past the lowest area (growproc
// asks vma_lowest()), so the two never meet.
//
// mprotect and madvise change areas over a range: the areas are cut at
// the range's ends (a slot per cut, all checked first), changed whole,
// and alike neighbours joined again ("changing a range" below).
// MAP_POPULATE and mincore walk an area's pages (vma_populate,
// vma_mincore).
//
// The program's areas (exec.c) live in a table of their own, p->prog:
// vma_find_any (faults) finds them, vma_unmap_all and vma_copy include
// them, and nothing else here -- the mmap family -- ever looks there.
//
// Which physical pages back an area is its policy's business (struct
// mmap_policy, chosen when the area is made: vma_default_policy, set by
// the KNOB_POLICY knob; anonymous areas always get the cache policy,
// vma.h); this file only keeps the bookkeeping, checks permissions, and
// keeps every area that has a file on its inode's list of mappings (the
// page cache's reverse map) from mmap to its removal.
#include "kernel/types.h"
#include "kernel/param.h"
#include "kernel/memlayout.h"
#include "kernel/riscv.h"
#include "kernel/fcntl.h"
#include "kernel/errno.h"
#include "kernel/lib/printf.h"
#include "kernel/proc/proc.h"
#include "kernel/fs/file.h"
#include "kernel/fs/inode.h"
#include "kernel/mm/fault.h"
#include "kernel/mm/vma.h"
#include "kernel/mm/rmap.h"
#include "kernel/mm/vm.h"
#include "kernel/mm/kalloc.h"
#include "kernel/mm/pagecache.h"
#include "kernel/mm/prefetch.h"
#include "kernel/mm/kstats_impl.h"

const struct mmap_policy *vma_default_policy = &mmap_cache_policy;

struct vma *
vma_find(struct proc *p, uint64 va)
{
  for (struct vma *v = p->vmas; v < &p->vmas[NMMAP]; v++)
    if (v->used && va >= v->start && va < v->end)
      return v;
  return 0;
}

struct vma *
vma_find_any(struct proc *p, uint64 va)
{
  struct vma *v = vma_find(p, va);
  if (v)
    return v;
  for (v = p->prog; v < &p->prog[VMA_PROG_MAX]; v++)
    if (v->used && va >= v->start && va < v->end)
      return v;
  return 0;
}

uint64
vma_lowest(struct proc *p)
{
  uint64 low = TRAPFRAME;
  for (struct vma *v = p->vmas; v < &p->vmas[NMMAP]; v++)
    if (v->used && v->start < low)
      low = v->start;
  return low;
}

static int
overlaps_any(struct proc *p, uint64 start, uint64 end, struct vma **hit)
{
  for (struct vma *v = p->vmas; v < &p->vmas[NMMAP]; v++) {
    if (v->used && start < v->end && v->start < end) {
      *hit = v;
      return 1;
    }
  }
  return 0;
}

// Highest free range of len bytes below TRAPFRAME and above the heap
// whose start is congruent to off modulo align (a power of two; PGSIZE
// for any page); 0 if there is none.
static uint64
find_gap_aligned(struct proc *p, uint64 len, uint64 off, uint64 align)
{
  uint64 floor = PGROUNDUP(p->sz);
  uint64 end = TRAPFRAME;
  struct vma *hit;
  while (end >= floor + len) {
    uint64 start = ((end - len - off) & ~(align - 1)) + off;  // <= end - len
    if (start > end - len || start < floor)
      return 0;  // no aligned start in this gap or any lower one that fits
    if (!overlaps_any(p, start, start + len, &hit))
      return start;
    end = hit->start;  // try just below the area in the way
  }
  return 0;
}

// Where a new area of len bytes at file offset off goes: the highest
// free range, which for an area of a megapage or more starts at an
// address congruent to off modulo MEGA_SIZE when some gap allows, so that
// its 2 MiB-aligned file ranges land on 2 MiB-aligned addresses and can
// be mapped with megapages (megapage.c; Linux aligns large file and
// anonymous mappings to the huge page size the same way).
static uint64
find_gap(struct proc *p, uint64 len, uint64 off)
{
  uint64 start = 0;
  if (len >= MEGA_SIZE)
    start = find_gap_aligned(p, len, off & (MEGA_SIZE - 1), MEGA_SIZE);
  return start ? start : find_gap_aligned(p, len, 0, PGSIZE);
}

static struct vma *
alloc_slot(struct proc *p)
{
  for (struct vma *v = p->vmas; v < &p->vmas[NMMAP]; v++)
    if (!v->used)
      return v;
  return 0;
}

// Makes the free slot v an area of p over [start, end) and links it into
// its file's reverse map; prog: one of the program's areas (vma_prog_add).
static void
fill(struct vma *v, struct proc *p, uint64 start, uint64 end, int prot, int flags,
     struct file *f, uint64 off, const struct mmap_policy *policy, int prog)
{
  v->used = 1;
  v->start = start;
  v->end = end;
  v->prot = prot;
  v->flags = flags;
  v->was_writable = (prot & PROT_WRITE) != 0;
  v->advice = MADV_NORMAL;
  v->fa_window = 0;
  v->fa_next = 0;
  v->file = f ? filedup(f) : 0;
  v->offset = off;
  v->policy = policy;
  v->proc = p;
  v->mnext = 0;
  v->prog = prog;
  rmap_link_vma(v);
}

long
vma_map(struct proc *p, uint64 len, int prot, int flags, struct file *f, uint64 off)
{
  len = PGROUNDUP(len);
  struct vma *v = alloc_slot(p);
  if (v == 0)
    return -ENOMEM;
  uint64 start = find_gap(p, len, off);
  if (start == 0)
    return -ENOMEM;
  // The naive policy is the file-mapping baseline; anonymous memory has
  // one design only (vma.h).
  fill(v, p, start, start + len, prot, flags, f, off,
       (flags & MAP_ANONYMOUS) ? &mmap_cache_policy : vma_default_policy, 0);
  return start;
}

static void
drop(struct vma *v)
{
  struct file *f = v->file;
  rmap_unlink_vma(v);
  v->used = 0;
  v->file = 0;
  if (f)
    fileclose(f);  // a memory object's last close frees it (shmem.c)
}

// Removes [lo, hi) (already clipped to v) from v.
static int
unmap_part(struct proc *p, struct vma *v, uint64 lo, uint64 hi)
{
  if (lo > v->start && hi < v->end) {
    // A hole in the middle: the upper part becomes a new area.
    struct vma *upper = alloc_slot(p);
    if (upper == 0)
      return -ENOMEM;
    v->policy->release(p, v, lo, (hi - lo) / PGSIZE);
    *upper = *v;
    upper->start = hi;
    upper->offset = v->offset + (hi - v->start);
    upper->file = v->file ? filedup(v->file) : 0;
    rmap_link_vma(upper);
    rmap_set_range(v, v->start, lo, v->offset);
    return 0;
  }
  v->policy->release(p, v, lo, (hi - lo) / PGSIZE);
  if (lo == v->start && hi == v->end) {
    drop(v);
  } else if (lo == v->start) {
    rmap_set_range(v, hi, v->end, v->offset + (hi - v->start));
  } else {
    rmap_set_range(v, v->start, lo, v->offset);
  }
  return 0;
}

// Would unmapping [addr, end) punch a hole in an area? Only one area can
// strictly contain the range, so at most one new slot is ever needed.
static int
needs_split(struct proc *p, uint64 addr, uint64 end)
{
  for (struct vma *v = p->vmas; v < &p->vmas[NMMAP]; v++)
    if (v->used && addr > v->start && end < v->end)
      return 1;
  return 0;
}

int
vma_unmap(struct proc *p, uint64 addr, uint64 len)
{
  uint64 end = PGROUNDUP(addr + len);
  if (needs_split(p, addr, end) && alloc_slot(p) == 0)
    return -ENOMEM;  // checked first, so a failing call changes nothing
  for (struct vma *v = p->vmas; v < &p->vmas[NMMAP]; v++) {
    if (!v->used || end <= v->start || v->end <= addr)
      continue;
    uint64 lo = addr > v->start ? addr : v->start;
    uint64 hi = end < v->end ? end : v->end;
    int err = unmap_part(p, v, lo, hi);
    if (err)
      return err;
  }
  return 0;
}

static void
unmap_table(struct proc *p, struct vma *table, int n)
{
  for (struct vma *v = table; v < &table[n]; v++) {
    if (v->used) {
      v->policy->release(p, v, v->start, (v->end - v->start) / PGSIZE);
      drop(v);
    }
  }
}

void
vma_unmap_all(struct proc *p)
{
  unmap_table(p, p->vmas, NMMAP);
  unmap_table(p, p->prog, VMA_PROG_MAX);
}

// Copies the n areas of parent's table ptab into child's ctab (fork).
static int
copy_table(struct proc *parent, struct vma *ptab, struct proc *child, struct vma *ctab, int n)
{
  for (int i = 0; i < n; i++) {
    struct vma *pv = &ptab[i], *cv = &ctab[i];
    *cv = *pv;
    cv->mnext = 0;
    if (!cv->used)
      continue;
    cv->file = pv->file ? filedup(pv->file) : 0;
    cv->proc = child;
    rmap_link_vma(cv);
    if (pv->policy->dup && pv->policy->dup(parent, pv, child, cv) != 0)
      return -ENOMEM;  // the caller removes the child's areas
  }
  return 0;
}

int
vma_copy(struct proc *parent, struct proc *child)
{
  // A new process's slots are all unused (its predecessor's exit removed
  // every area), so a copy that stops half-way leaves the rest unused.
  int err = copy_table(parent, parent->prog, child, child->prog, VMA_PROG_MAX);
  return err ? err : copy_table(parent, parent->vmas, child, child->vmas, NMMAP);
}

void
vma_prog_add(struct proc *p, uint64 start, uint64 end, int prot, struct file *f, uint64 off)
{
  struct vma *v = p->prog;
  while (v->used) {
    v++;
    KASSERT(v < &p->prog[VMA_PROG_MAX]);
  }
  fill(v, p, start, end, prot, MAP_PRIVATE | (f ? 0 : MAP_ANONYMOUS), f, off, &mmap_cache_policy,
       1);
}

uint64
vma_prog_end(struct proc *p)
{
  uint64 end = 0;
  for (struct vma *v = p->prog; v < &p->prog[VMA_PROG_MAX]; v++)
    if (v->used && v->end > end)
      end = v->end;
  return end;
}

int
vma_covered(struct proc *p, uint64 addr, uint64 end)
{
  while (addr < end) {
    struct vma *v = vma_find(p, addr);
    if (v == 0)
      return 0;
    addr = v->end;
  }
  return 1;
}

int
vma_sync(struct proc *p, uint64 addr, uint64 len, int flags)
{
  uint64 end = PGROUNDUP(addr + len);
  if (!vma_covered(p, addr, end))
    return -ENOMEM;
  int err = 0;
  for (struct vma *v = p->vmas; v < &p->vmas[NMMAP]; v++) {
    if (!v->used || end <= v->start || v->end <= addr || v->policy->sync == 0)
      continue;
    uint64 lo = addr > v->start ? addr : v->start;
    uint64 hi = end < v->end ? end : v->end;
    int e = v->policy->sync(p, v, lo, (hi - lo) / PGSIZE, flags);
    // MS_SYNC promises the bytes are on disk: wait for the transactions
    // that hold them to commit (the write-back may have joined a
    // transaction that other processes' operations still keep open). A
    // failed write-back's -EIO comes back through the file's error
    // sequence: once per open file, whoever's write-back failed.
    // Anonymous memory has no file to wait for: msync returns 0, as on
    // Linux.
    if ((v->flags & MAP_SHARED) && !vma_is_anon(v))
      e = file_sync_finish(v->file, e, (flags & MS_SYNC) && v->was_writable);
    if (e)
      err = e;
  }
  return err;
}

// ---- changing a range: mprotect and madvise ----

// Cuts area v in two at address at (v->start < at < v->end): v keeps the
// lower part, a new slot (there must be one) takes the upper part. No
// page moves: both halves keep the same PTEs, files and offsets. Between
// the two range changes a reverse-map walker may find [at, v->end) in
// both areas, and so a PTE twice; walkers handle that (the second visit
// finds it cleared, or its bits already taken).
static void
split(struct proc *p, struct vma *v, uint64 at)
{
  struct vma *upper = alloc_slot(p);
  KASSERT(upper != 0 && v->start < at && at < v->end);
  *upper = *v;
  upper->start = at;
  upper->offset = v->offset + (at - v->start);
  upper->file = v->file ? filedup(v->file) : 0;
  rmap_link_vma(upper);
  rmap_set_range(v, v->start, at, v->offset);
}

// Cuts the areas at addr and end, so that every area touching [addr, end)
// lies inside it. Needs a free slot per cut: -ENOMEM, with nothing cut,
// if there are not enough.
static int
cut_range(struct proc *p, uint64 addr, uint64 end)
{
  struct vma *lo = vma_find(p, addr), *hi = vma_find(p, end - 1);
  int need = (lo && lo->start < addr) + (hi && end < hi->end);
  int free = 0;
  for (struct vma *v = p->vmas; v < &p->vmas[NMMAP]; v++)
    free += !v->used;
  if (free < need)
    return -ENOMEM;
  if (lo && lo->start < addr)
    split(p, lo, addr);  // lo keeps [start, addr); hi may now be the new slot
  hi = vma_find(p, end - 1);
  if (hi && end < hi->end)
    split(p, hi, end);
  return 0;
}

// May b, which starts where a ends, become part of a? Everything an area
// keeps must be the same, and b's file offsets must go on from a's --
// but was_writable only matters to a shared area (write-back), so two
// private ones that differ there may join (keeping the union).
static int
mergeable(struct vma *a, struct vma *b)
{
  return a->end == b->start && a->file == b->file && a->prot == b->prot &&
         a->flags == b->flags && a->advice == b->advice && a->policy == b->policy &&
         (a->was_writable == b->was_writable || !(a->flags & MAP_SHARED)) &&
         b->offset == a->offset + (a->end - a->start);
}

// Joins alike neighbours that meet inside [addr, end] (the range just
// changed, its ends included), so that a change undone gives back the
// slots its cuts took. a grows over b before b goes: a walker meanwhile
// finds b's PTEs through both.
static void
merge_range(struct proc *p, uint64 addr, uint64 end)
{
  for (int again = 1; again;) {
    again = 0;
    for (struct vma *a = p->vmas; a < &p->vmas[NMMAP]; a++) {
      if (!a->used || a->end < addr || a->end > end)
        continue;
      struct vma *b = vma_find(p, a->end);
      if (b && mergeable(a, b)) {
        a->was_writable |= b->was_writable;
        rmap_set_range(a, a->start, b->end, a->offset);
        drop(b);
        again = 1;
      }
    }
  }
}

int
vma_protect(struct proc *p, uint64 addr, uint64 end, int prot)
{
  if (!vma_covered(p, addr, end))
    return -ENOMEM;
  // As mmap checks (sysmmap.c): a shared mapping writes its file.
  for (struct vma *v = p->vmas; v < &p->vmas[NMMAP]; v++)
    if (v->used && v->start < end && addr < v->end && (prot & PROT_WRITE) &&
        (v->flags & MAP_SHARED) && !v->file->writable)
      return -EACCES;
  int err = cut_range(p, addr, end);
  if (err)
    return err;
  for (struct vma *v = p->vmas; v < &p->vmas[NMMAP]; v++) {
    if (!v->used || v->start < addr || v->end > end)
      continue;
    v->prot = prot;
    if (prot & PROT_WRITE)
      v->was_writable = 1;
    v->policy->protect(p, v, v->start, (v->end - v->start) / PGSIZE);
  }
  merge_range(p, addr, end);
  return 0;
}

int
vma_advise(struct proc *p, uint64 addr, uint64 end, int advice)
{
  if (!vma_covered(p, addr, end))
    return -ENOMEM;
  if (advice == MADV_NORMAL || advice == MADV_RANDOM || advice == MADV_SEQUENTIAL) {
    int err = cut_range(p, addr, end);
    if (err)
      return err;
    for (struct vma *v = p->vmas; v < &p->vmas[NMMAP]; v++)
      if (v->used && v->start >= addr && v->end <= end)
        v->advice = advice;
    merge_range(p, addr, end);
    return 0;
  }
  for (struct vma *v = p->vmas; v < &p->vmas[NMMAP]; v++) {
    if (!v->used || end <= v->start || v->end <= addr)
      continue;
    uint64 lo = addr > v->start ? addr : v->start;
    uint64 hi = end < v->end ? end : v->end;
    if (advice == MADV_DONTNEED)
      v->policy->dontneed(p, v, lo, (hi - lo) / PGSIZE);
    else if (v->file && v->policy == &mmap_cache_policy && !inode_is_mem(v->file->ip))
      prefetch_start(v->file, vma_pgno(v, lo), vma_pgno(v, hi));  // MADV_WILLNEED
  }
  return 0;
}

// ---- MAP_POPULATE ----

// Free pages populating leaves to everyone else (2 MiB). Populating is a
// hint: rather than drive the machine into the out-of-memory policy,
// which might kill a bystander -- or the caller, for a mapping it only
// asked to have ready -- it stops here and leaves the rest to faults.
#define POPULATE_RESERVE 512

void
vma_populate(struct proc *p, struct vma *v)
{
  // A private writable area is populated by stores, as Linux does: its
  // file pages are copied now, so that no later store faults to copy.
  // A shared one by loads: its pages stay clean until stored to.
  int access = (v->flags & MAP_PRIVATE) && (v->prot & PROT_WRITE) ? FAULT_WRITE : FAULT_READ;
  uint64 end = v->end;
  if (v->file) {
    // Not past the end of the file (the naive policy would map zeros
    // there; the cache policy stops at the first such page anyway).
    struct inode *ip = v->file->ip;
    ilock(ip);
    uint64 size = ip->size;
    iunlock(ip);
    if (PGROUNDUP(size) <= v->offset)
      return;
    if (PGROUNDUP(size) - v->offset < end - v->start)
      end = v->start + (PGROUNDUP(size) - v->offset);
  }
  for (uint64 a = v->start; a < end; a += PGSIZE) {
    if (kfree_pages() < POPULATE_RESERVE || killed(p))
      return;
    pte_t *pte = walk(p->pagetable, a, 0);
    if (pte && (*pte & PTE_V))
      continue;  // mapped by fault-around or with a read-ahead run
    if (v->policy->fault(p, v, a, access) != 0)
      return;  // no memory, past the end of the file, a disk error: lazy
  }
}

// ---- mincore ----

#define MINCORE_CHUNK 256  // bytes of vec gathered on the stack per copyout

// Is the page at va (in area v) in memory: mapped here (PROT_NONE too),
// or, for an area with a file or memory object, in the page cache --
// whoever brought it there? A private anonymous page is only ever in
// memory where it is mapped.
static int
resident(struct proc *p, struct vma *v, uint64 va)
{
  pte_t *pte = walk(p->pagetable, va, 0);
  if (pte && (__atomic_load_n(pte, __ATOMIC_RELAXED) & PTE_V))
    return 1;
  if (v->file == 0)
    return 0;
  uint64 pgno = vma_pgno(v, va);
  return pgno <= 0xFFFFFFFFUL && pc_resident(v->file->ip, (uint)pgno);
}

int
vma_mincore(struct proc *p, uint64 addr, uint64 end, uint64 vec)
{
  if (!vma_covered(p, addr, end))
    return -ENOMEM;
  struct vma *v = 0;
  uchar buf[MINCORE_CHUNK];
  for (uint64 a = addr; a < end;) {
    int n = 0;
    for (; n < MINCORE_CHUNK && a < end; n++, a += PGSIZE) {
      if (v == 0 || a >= v->end)
        v = vma_find(p, a);
      buf[n] = resident(p, v, a);
    }
    // No lock is held: the copy may fault vec's own pages in (vec may
    // even lie in the range, which then changes under the count).
    if (copyout(p->pagetable, vec, (char *)buf, n) < 0)
      return -EFAULT;
    vec += n;
  }
  return 0;
}
