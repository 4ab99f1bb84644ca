// vma.h -- the mapped areas of a process (mmap/munmap), and the interface
// of the policies that supply and release their pages.
//
// A vma covers [start, end) of user virtual memory, page aligned, backed
// by the file `file` from byte `offset` on. Its pages appear lazily: mmap
// maps nothing, and the first access to each page faults into
// fault_resolve() (fault.c), which checks the access against prot and
// asks the area's policy for the page. munmap, exec and exit hand ranges back through the
// policy's release(), which writes MAP_SHARED data back to the file.
//
// Anonymous areas (MAP_ANONYMOUS in flags) have no file of their own. A
// private one has no file at all (file 0): each page is zero-filled
// memory of its own. A shared one holds a memory object's file (shmem.c):
// an inode that lives only in memory, so that its pages are found,
// mapped and shared exactly as a file's are. Both always use the cache
// policy, whatever KNOB_POLICY says: the naive policy is a baseline for
// file mappings and has no anonymous memory of its own.
//
// The program's areas. exec (exec.c) maps a program as areas too, kept
// apart from the mmap table (struct proc's prog[], VMA_PROG_MAX of them,
// vma_prog_add): text and data from the file's cache pages, MAP_PRIVATE,
// and bss (with a segment's partial last page, which exec fills) as
// private anonymous memory. The fault path, fork, exit, exec and the
// reverse map treat them as any area (vma_find_any finds them); the
// mmap family of system calls never sees them (vma_find does not): to
// munmap, mprotect, madvise, mincore and msync the program is unmapped,
// as before it was mapped from the cache. At fork the child also maps the
// cache pages the parent maps in them (cache_dup), so it does not fault
// for its program's text again.
//
// mprotect and madvise change an area's rights or advice over a range
// (vma_protect, vma_advise): the areas are first cut at the range's ends,
// as munmap cuts them, and afterwards neighbours that have become alike
// again are joined, so a change undone gives back its slots.
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
#include "kernel/fcntl.h"

struct proc;
struct file;

struct vma {
  int used;            // [o] slot in use
  uint64 start;        // [o,pc] first address, page aligned
  uint64 end;          // [o,pc] one past the last address, page aligned
  int prot;            // [o] PROT_READ / PROT_WRITE / PROT_EXEC, or PROT_NONE
                       //     (mprotect only: mmap refuses it)
  int flags;           // [o] MAP_SHARED or MAP_PRIVATE, maybe | MAP_ANONYMOUS
  int was_writable;    // [o] PROT_WRITE now or at some time since mmap: its
                       //     shared pages may be dirty, so release and msync
                       //     write them back even after mprotect took W away
  int advice;          // [o] MADV_NORMAL, MADV_RANDOM or MADV_SEQUENTIAL: how
                       //     its misses read ahead (mmap_cache.c)
  int fa_window;       // [o] adaptive fault-around: the area's window in
                       //     pages now (0: not set yet), and where a
  uint64 fa_next;      // [o] sequential run would fault next: the first
                       //     page left unmapped after the last read fault
  struct file *file;   // [o] counted reference (filedup); 0: private anonymous
  uint64 offset;       // [o,pc] file offset of `start`
  const struct mmap_policy *policy;  // [o] chosen at mmap, kept for life
  struct proc *proc;   // [o] owner
  struct vma *mnext;   // [pc] next area mapping the same inode
  int prog;            // [o] one of the program's areas (p->prog[]), not mmap's
};

// Areas one program image may have: a loadable segment takes at most two
// (its file's pages, then zero-filled memory), so a program of up to four
// segments (ours have two) can be mapped; exec refuses more (ENOEXEC).
#define VMA_PROG_MAX 8

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
  // mprotect: v->prot has just changed; gives the present pages of
  // [va, va + npages pages) of v the new rights (vma_leaf_rights). A PTE
  // that loses W keeps its D bit, so a page stored to before is still
  // written back. => no spinlocks held.
  void (*protect)(struct proc *p, struct vma *v, uint64 va, uint64 npages);
  // madvise(MADV_DONTNEED): unmaps the present pages of [va, va + npages
  // pages) of v, as release does, except that dirty shared file pages need
  // only stay dirty in the cache (the area's own release or msync still
  // writes them back), and the area stays. => no spinlocks held; may sleep.
  void (*dontneed)(struct proc *p, struct vma *v, uint64 va, uint64 npages);
};

// A software bit (RSW) of a leaf PTE in an area: the page stays this
// process's, but mprotect(PROT_NONE) made it inaccessible. Such a PTE
// has R (a leaf needs R or X) and no U, so no user access goes through
// it; the bit says it is still a user page (ps and the out-of-memory
// policy count it, vm.c).
#define PTE_PROTNONE PTE_RSW1

// The rights of a leaf PTE in an area of protection prot, W aside (each
// policy decides W): U with R (PROT_READ or PROT_WRITE: RISC-V has no
// write-only pages) and X; for PROT_NONE, R and PTE_PROTNONE without U.
static inline int
vma_leaf_rights(int prot)
{
  if ((prot & (PROT_READ | PROT_WRITE | PROT_EXEC)) == 0)
    return PTE_R | PTE_PROTNONE;
  int perm = PTE_U;
  if (prot & (PROT_READ | PROT_WRITE))
    perm |= PTE_R;
  if (prot & PROT_EXEC)
    perm |= PTE_X;
  return perm;
}

extern const struct mmap_policy mmap_naive_policy;  // mmap_naive.c
extern const struct mmap_policy mmap_cache_policy;  // mmap_cache.c
// The rights the cache policy gives a leaf mapping a cache page in v:
// the area's (vma_leaf_rights), W only in a shared writable area and then
// only for a dirty page or under hardware D bits, A and D for a dirty one
// (mmap_cache.c; megapage.c maps and splits with the same).
int cache_leaf_rights(struct vma *v, int dirty);
// The cache policy's fault-around window in pages, a power of two, 1 = off
// (knob KNOB_FAULTAROUND; mmap_cache.c).
extern volatile long cache_faultaround;
// How far an area's window may grow while its faults are sequential, in
// pages, a power of two; <= cache_faultaround: fixed windows (knob
// KNOB_FAULTAROUND_MAX; mmap_cache.c).
extern volatile long cache_faultaround_max;
// 1: a fault whose page is cached and up to date is mapped without the
// inode's sleep lock; 0: every fault takes it (knob KNOB_HIT_LOCKLESS;
// mmap_cache.c).
extern volatile long cache_hit_lockless;
// The policy new areas get (knob KNOB_POLICY).
extern const struct mmap_policy *vma_default_policy;

// Is v anonymous memory (no file, or a memory object)?
static inline int
vma_is_anon(struct vma *v)
{
  return (v->flags & MAP_ANONYMOUS) != 0;
}

// The mmap area containing va, or 0 (the system calls' view).
struct vma *vma_find(struct proc *p, uint64 va);
// The area containing va, an mmap area or one of the program's, or 0
// (the fault path's view).
struct vma *vma_find_any(struct proc *p, uint64 va);

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

// mmap: records a new area of file f (0 for private anonymous memory;
// the area takes its own reference) from offset off; returns its address
// or -E*.
long vma_map(struct proc *p, uint64 len, int prot, int flags, struct file *f, uint64 off);
// munmap: removes [addr, addr+len) from every area it touches (shrinking,
// splitting or deleting them). 0 or -E*.
int vma_unmap(struct proc *p, uint64 addr, uint64 len);
// Removes every area, the program's too (exit, exec).
void vma_unmap_all(struct proc *p);
// fork: gives child a copy of every area of parent, the program's too,
// and what each policy's dup passes on (the naive policy: no pages). 0 or
// -ENOMEM.
int vma_copy(struct proc *parent, struct proc *child);
// exec: adds a program area [start, end) to p, which has none there yet:
// file f's pages from offset off (the area takes its own reference), or
// with f 0 private anonymous memory. Always the cache policy, MAP_PRIVATE.
// The caller has made p->pagetable the new image's table; no page of the
// area may be mapped there but anonymous ones exec filled itself. There
// must be a free slot (exec counts them first).
void vma_prog_add(struct proc *p, uint64 start, uint64 end, int prot, struct file *f,
                  uint64 off);
// The end of p's highest program area, 0 if it has none (exec copied the
// program, or nothing was exec'd): the private pages below the break lie
// above it (fork shares them with uvmshare).
uint64 vma_prog_end(struct proc *p);
// msync: 0, -ENOMEM if [addr, addr+len) is not entirely mapped, -EIO
// (file_check_wb_error, or MS_SYNC's transaction was lost), -EROFS.
int vma_sync(struct proc *p, uint64 addr, uint64 len, int flags);
// Lowest start of any area, or TRAPFRAME if none: the heap's ceiling.
uint64 vma_lowest(struct proc *p);
// Is every page of [addr, end) inside some area?
int vma_covered(struct proc *p, uint64 addr, uint64 end);

// mprotect of [addr, end) (page aligned, addr < end): 0; -ENOMEM if some
// page is in no area or an area cannot be cut for want of a slot; -EACCES
// if prot has PROT_WRITE for a MAP_SHARED file area whose file is not open
// for writing. A failing call changes nothing.
int vma_protect(struct proc *p, uint64 addr, uint64 end, int prot);
// madvise of [addr, end) (page aligned, addr < end) with a MADV_* advice
// (checked by the caller): 0, or -ENOMEM as vma_protect (nothing changed).
int vma_advise(struct proc *p, uint64 addr, uint64 end, int advice);
// MAP_POPULATE: maps every page of v it can now, through the policy's
// fault (read-ahead for files, zero fill for anonymous memory), stopping
// quietly at the first failure or when free memory runs low: what is left
// stays lazy. Counts no faults. => no locks held; may sleep.
void vma_populate(struct proc *p, struct vma *v);
// mincore of [addr, end) (page aligned, addr < end) into the user array
// vec: 0; -ENOMEM if some page is in no area; -EFAULT if vec cannot be
// written (the bytes before the bad part may have been).
int vma_mincore(struct proc *p, uint64 addr, uint64 end, uint64 vec);

#endif
