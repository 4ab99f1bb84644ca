// vma.c -- the per-process table of memory-mapped file areas.
//
// The table is a fixed array of NMMAP slots in struct proc. Addresses for
// new areas are chosen top-down: the highest page-aligned gap of the right
// size below TRAPFRAME that overlaps no area and stays above the heap
// (p->sz). The heap in turn may not grow past the lowest area (growproc
// asks vma_lowest()), so the two never meet.
//
// Which physical pages back an area is its policy's business (struct
// mmap_policy, chosen when the area is made: vma_default_policy, set by
// the KNOB_POLICY knob); this file only keeps the bookkeeping, checks
// permissions, and keeps every area on its inode's list of mappings (the
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

// Highest free range of len bytes below TRAPFRAME and above the heap;
// 0 if there is none.
static uint64
find_gap(struct proc *p, uint64 len)
{
  uint64 floor = PGROUNDUP(p->sz);
  uint64 end = TRAPFRAME;
  struct vma *hit;
  while (end >= floor + len) {
    uint64 start = end - len;
    if (!overlaps_any(p, start, end, &hit))
      return start;
    end = hit->start;  // try just below the area in the way
  }
  return 0;
}

static struct vma *
alloc_slot(struct proc *p)
{
  for (struct vma *v = p->vmas; v < &p->vmas[NMMAP]; v++)
    if (!v->used)
      return v;
  return 0;
}

long
vma_map(struct proc *p, uint64 len, int prot, int flags, struct file *f, uint64 off)
{
  len = PGROUNDUP(len);
  struct vma *v = alloc_slot(p);
  if (v == 0)
    return -ENOMEM;
  uint64 start = find_gap(p, len);
  if (start == 0)
    return -ENOMEM;
  v->used = 1;
  v->start = start;
  v->end = start + len;
  v->prot = prot;
  v->flags = flags;
  v->file = filedup(f);
  v->offset = off;
  v->policy = vma_default_policy;
  v->proc = p;
  rmap_link_vma(v);
  return start;
}

static void
drop(struct vma *v)
{
  struct file *f = v->file;
  rmap_unlink_vma(v);
  v->used = 0;
  v->file = 0;
  fileclose(f);
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
    upper->file = filedup(v->file);
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

void
vma_unmap_all(struct proc *p)
{
  for (struct vma *v = p->vmas; v < &p->vmas[NMMAP]; v++) {
    if (v->used) {
      v->policy->release(p, v, v->start, (v->end - v->start) / PGSIZE);
      drop(v);
    }
  }
}

int
vma_copy(struct proc *parent, struct proc *child)
{
  for (int i = 0; i < NMMAP; i++) {
    struct vma *pv = &parent->vmas[i], *cv = &child->vmas[i];
    *cv = *pv;
    cv->mnext = 0;
    if (!cv->used)
      continue;
    cv->file = filedup(pv->file);
    cv->proc = child;
    rmap_link_vma(cv);
    if (pv->policy->dup && pv->policy->dup(parent, pv, child, cv) != 0)
      return -ENOMEM;  // the caller removes the child's areas
  }
  return 0;
}

// Is every page of [addr, end) inside some area?
static int
fully_mapped(struct proc *p, uint64 addr, uint64 end)
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
  if (!fully_mapped(p, addr, end))
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
    if (v->flags & MAP_SHARED)
      e = file_sync_finish(v->file, e, (flags & MS_SYNC) && (v->prot & PROT_WRITE));
    if (e)
      err = e;
  }
  return err;
}
