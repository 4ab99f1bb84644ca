// vma.h -- memory-mapped file areas of a process (mmap/munmap), and the
// interface of the policies that supply and release their pages.
//
// A vma covers [start, end) of user virtual memory, page aligned, backed
// by the file `file` from byte `offset` on. Its pages appear lazily: mmap
// maps nothing, and the first access to each page faults into
// fault_resolve() (fault.c), which checks the access against prot and
// asks the area's policy for the page. munmap, exec and exit hand ranges back through the
// policy's release(), which writes MAP_SHARED data back to the file.
//
// Lock legend: [o] private to the owning process (its own system calls and
// faults are the only users; fork copies the table before the child runs).
// [o,pc] written by the owner under pc.lock (pagecache.c; through
// rmap_set_range, rmap.c), so that the page cache's reverse-map walkers,
// which hold pc.lock, may read it.
#ifndef PCV6_VMA_H
#define PCV6_VMA_H

#include "kernel/types.h"
#include "kernel/riscv.h"

struct proc;
struct file;

struct vma {
  int used;            // [o] slot in use
  uint64 start;        // [o,pc] first address, page aligned
  uint64 end;          // [o,pc] one past the last address, page aligned
  int prot;            // [o] PROT_READ / PROT_WRITE / PROT_EXEC
  int flags;           // [o] MAP_SHARED or MAP_PRIVATE
  struct file *file;   // [o] counted reference (filedup)
  uint64 offset;       // [o,pc] file offset of `start`
  const struct mmap_policy *policy;  // [o] chosen at mmap, kept for life
  struct proc *proc;   // [o] owner
  struct vma *mnext;   // [pc] next area mapping the same inode
};

// A mapping policy: how pages of a vma are found and given back.
struct mmap_policy {
  const char *name;
  // Supplies and maps the page at va (page aligned, inside v, access
  // already checked against v->prot) for access (FAULT_*). The page may
  // be present already when a store met a read-only PTE (copy-on-write,
  // dirty tracking). 0, or -EFAULT (past the end of the file), -ENOMEM,
  // -EIO. => no spinlocks held; may sleep.
  int (*fault)(struct proc *p, struct vma *v, uint64 va, int access);
  // Unmaps every present page of [va, va + npages pages) of v, writing
  // MAP_SHARED data back as the policy sees fit, and frees what it owns.
  // => no spinlocks held; may sleep.
  void (*release)(struct proc *p, struct vma *v, uint64 va, uint64 npages);
  // fork: child's area cv is a copy of parent's pv; gives the child what
  // it must inherit beyond the bookkeeping. 0 or -ENOMEM. May be 0.
  // => no spinlocks held.
  int (*dup)(struct proc *parent, struct vma *pv, struct proc *child, struct vma *cv);
  // msync of [va, va + npages pages) of v: 0, -EIO (a write-back failed)
  // or -EROFS (the file system is read-only). => no spinlocks held; may sleep.
  int (*sync)(struct proc *p, struct vma *v, uint64 va, uint64 npages, int flags);
};

extern const struct mmap_policy mmap_naive_policy;  // mmap_naive.c
extern const struct mmap_policy mmap_cache_policy;  // mmap_cache.c
// The cache policy's fault-around window in pages, a power of two, 1 = off
// (knob KNOB_FAULTAROUND; mmap_cache.c).
extern volatile long cache_faultaround;
// The policy new areas get (knob KNOB_POLICY).
extern const struct mmap_policy *vma_default_policy;

// The vma containing va, or 0.
struct vma *vma_find(struct proc *p, uint64 va);

// The byte of v's file, and its page, behind user address va in v (the
// fault path and both policies). 64 bits: an area may start far past
// any file.
static inline uint64
vma_fileoff(struct vma *v, uint64 va)
{
  return v->offset + (va - v->start);
}

static inline uint64
vma_pgno(struct vma *v, uint64 va)
{
  return vma_fileoff(v, va) / PGSIZE;
}

// mmap: records a new area; returns its address or -E*.
long vma_map(struct proc *p, uint64 len, int prot, int flags, struct file *f, uint64 off);
// munmap: removes [addr, addr+len) from every area it touches (shrinking,
// splitting or deleting them). 0 or -E*.
int vma_unmap(struct proc *p, uint64 addr, uint64 len);
// Removes every area (exit, exec).
void vma_unmap_all(struct proc *p);
// fork: gives child a copy of every area of parent, and what each
// policy's dup passes on (the naive policy: no pages). 0 or -ENOMEM.
int vma_copy(struct proc *parent, struct proc *child);
// msync: 0, -ENOMEM if [addr, addr+len) is not entirely mapped, -EIO
// (file_check_wb_error, or MS_SYNC's transaction was lost), -EROFS.
int vma_sync(struct proc *p, uint64 addr, uint64 len, int flags);
// Lowest start of any area, or TRAPFRAME if none: the heap's ceiling.
uint64 vma_lowest(struct proc *p);

#endif
