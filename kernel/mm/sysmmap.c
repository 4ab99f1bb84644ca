// sysmmap.c -- the mmap, munmap, msync, mprotect, madvise and mincore system
// calls: argument checking only; the areas live in vma.c and their pages
// come from the mapping policy.
//
//   void *mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
//     addr is a hint and is ignored (the kernel chooses, top-down); flags
//     is MAP_SHARED or MAP_PRIVATE, either maybe with MAP_ANONYMOUS (zeroed
//     memory, no file: fd must be -1 and off 0) and MAP_POPULATE (the area
//     is faulted in before mmap returns, as far as memory allows:
//     vma_populate; never a reason to fail);
//     errors: EINVAL (len 0, bad prot or flags, offset not page aligned
//     or negative; MAP_ANONYMOUS with an fd other than -1 or an offset
//     other than 0), EBADF (fd not open), EACCES (not a regular file, not
//     readable, or MAP_SHARED+PROT_WRITE on a file not open for writing),
//     ENOMEM (no free slot or address range; a shared anonymous area
//     over SHMEM_MAX_BYTES), ENFILE (a shared anonymous area found the
//     file table or the inode cache full).
//   int msync(void *addr, size_t len, int flags)
//     MS_SYNC writes back the dirty pages of every writable shared mapping
//     in the range and returns once they are durable. MS_ASYNC returns at
//     once under the cache policy: its pages are already known to the
//     write-back process (writeback.c), which writes them within the
//     expiry time, as Linux has done since 2.6.19; the naive policy keeps
//     no dirty state, so there it writes them as MS_SYNC does, without
//     waiting for the commit. Errors: EINVAL (addr not page aligned,
//     unknown flags, both MS_SYNC and MS_ASYNC), ENOMEM (some page of the
//     range is not mapped), ENOSPC (a page in a hole of the file found no
//     free block; its pages stay dirty), EIO (a write-back of a mapped file
//     failed since the mapping's open file last heard of one -- the pages
//     stay dirty --, or, with MS_SYNC, the disk failed before its
//     transaction committed), EROFS (pages are dirty, but a disk error made
//     the file system read-only).
//   int munmap(void *addr, size_t len)
//     errors: EINVAL (addr not page aligned, len 0, range past MAXVA),
//     ENOMEM (the range is a hole inside one area and all NMMAP slots
//     are in use, so the area cannot be split; nothing is changed).
//
// The next three take Linux's checks in Linux's order, and act on mapped
// areas only: the program, its stack and its heap are not areas, and a
// range touching them is "not mapped" (ENOMEM) like one touching nothing.
// len is rounded up to whole pages; len 0 does nothing and succeeds.
// Each checks every page of the range before it changes anything.
//   int mprotect(void *addr, size_t len, int prot)
//     gives the range the rights prot, PROT_NONE included (every access
//     then kills). Errors: EINVAL (addr not page aligned, prot not made of
//     PROT_*), ENOMEM (addr + len wraps or passes MAXVA, a page is not in
//     an area, or an area cannot be cut for want of a slot), EACCES
//     (PROT_WRITE for a MAP_SHARED area of a file not open for writing).
//   int madvise(void *addr, size_t len, int advice)
//     MADV_* (kernel/fcntl.h). Errors: EINVAL (unknown advice, addr not
//     page aligned, addr + len wraps), ENOMEM (past MAXVA, a page not in an
//     area, no slot to cut one for NORMAL, RANDOM or SEQUENTIAL).
//   int mincore(void *addr, size_t len, unsigned char *vec)
//     vec[i] = 1 if page i of the range is in memory, else 0 (vma.c).
//     Errors: EINVAL (addr not page aligned), ENOMEM (the range wraps or
//     passes MAXVA, or a page is not in an area), EFAULT (vec's bytes pass
//     MAXVA or cannot be written).
#include "kernel/types.h"
#include "kernel/param.h"
#include "kernel/riscv.h"
#include "kernel/memlayout.h"
#include "kernel/fcntl.h"
#include "kernel/errno.h"
#include "kernel/proc/proc.h"
#include "kernel/fs/inode.h"
#include "kernel/stat.h"
#include "kernel/fs/file.h"
#include "kernel/mm/vma.h"
#include "kernel/mm/shmem.h"
#include "kernel/proc/syscall_impl.h"

#define PROT_ALL (PROT_READ | PROT_WRITE | PROT_EXEC)

static int
check_file(struct file *f, int prot, int flags)
{
  if (f == 0)
    return -EBADF;
  if (f->type != FD_INODE)
    return -EACCES;
  ilock(f->ip);
  int type = f->ip->type;
  iunlock(f->ip);
  if (type != T_FILE || !f->readable)
    return -EACCES;
  if ((flags & MAP_SHARED) && (prot & PROT_WRITE) && !f->writable)
    return -EACCES;
  return 0;
}

// An anonymous area: private memory has no file at all; shared memory is
// a new memory object's (shmem.c), which the area holds on to.
static long
map_anonymous(struct proc *p, uint64 len, int prot, int flags)
{
  if (flags & MAP_PRIVATE)
    return vma_map(p, len, prot, flags, 0, 0);
  struct file *f;
  int err = shmem_file(PGROUNDUP(len), &f);
  if (err)
    return err;
  long addr = vma_map(p, len, prot, flags, f, 0);
  fileclose(f);  // the area holds its own; if mmap failed, the object goes
  return addr;
}

long
sys_mmap(void)
{
  uint64 addr, len, off;
  int prot, flags, fd;
  argaddr(0, &addr);
  argaddr(1, &len);
  argint(2, &prot);
  argint(3, &flags);
  argint(4, &fd);
  argaddr(5, &off);
  (void)addr;

  if (len == 0 || len >= MAXVA)
    return -EINVAL;
  if (prot == PROT_NONE || (prot & ~PROT_ALL) != 0)
    return -EINVAL;
  int populate = flags & MAP_POPULATE;
  flags &= ~MAP_POPULATE;  // not kept: areas differ by what they are, not how they began
  int share = flags & ~MAP_ANONYMOUS;
  if (share != MAP_SHARED && share != MAP_PRIVATE)
    return -EINVAL;
  if ((long)off < 0 || off % PGSIZE != 0)
    return -EINVAL;
  struct proc *p = myproc();
  long start;
  if (flags & MAP_ANONYMOUS) {
    if (fd != -1 || off != 0)
      return -EINVAL;
    start = map_anonymous(p, len, prot, flags);
  } else {
    struct file *f = (fd >= 0 && fd < NOFILE) ? p->ofile[fd] : 0;
    int err = check_file(f, prot, flags);
    if (err)
      return err;
    start = vma_map(p, len, prot, flags, f, off);
  }
  if (start >= 0 && populate)
    vma_populate(p, vma_find(p, start));
  return start;
}

long
sys_munmap(void)
{
  uint64 addr, len;
  argaddr(0, &addr);
  argaddr(1, &len);
  if (addr % PGSIZE != 0 || len == 0 || addr >= MAXVA || len > MAXVA - addr)
    return -EINVAL;
  return vma_unmap(myproc(), addr, len);
}

long
sys_msync(void)
{
  uint64 addr, len;
  int flags;
  argaddr(0, &addr);
  argaddr(1, &len);
  argint(2, &flags);
  if (addr % PGSIZE != 0 || (flags & ~(MS_ASYNC | MS_INVALIDATE | MS_SYNC)) != 0 ||
      ((flags & MS_ASYNC) && (flags & MS_SYNC)))
    return -EINVAL;
  if (len == 0)
    return 0;
  if (addr >= MAXVA || len > MAXVA - addr)
    return -ENOMEM;
  return vma_sync(myproc(), addr, len, flags);
}

// The pages [addr, *end) that mprotect, madvise and mincore act on, len
// rounded up to pages, checked in Linux's order: -EINVAL for an unaligned
// addr, RANGE_EMPTY for len 0 (the call does nothing and returns 0),
// -ENOMEM for a range that wraps or passes MAXVA, else 0.
#define RANGE_EMPTY 1
static long
page_range(uint64 addr, uint64 len, uint64 *end)
{
  if (addr % PGSIZE != 0)
    return -EINVAL;
  if (len == 0)
    return RANGE_EMPTY;
  if (addr >= MAXVA || len > MAXVA - addr || PGROUNDUP(len) > MAXVA - addr)
    return -ENOMEM;
  *end = addr + PGROUNDUP(len);
  return 0;
}

long
sys_mprotect(void)
{
  uint64 addr, len, end;
  int prot;
  argaddr(0, &addr);
  argaddr(1, &len);
  argint(2, &prot);
  long r = page_range(addr, len, &end);
  if (r != 0)
    return r == RANGE_EMPTY ? 0 : r;
  if ((prot & ~PROT_ALL) != 0)
    return -EINVAL;
  return vma_protect(myproc(), addr, end, prot);
}

long
sys_madvise(void)
{
  uint64 addr, len, end;
  int advice;
  argaddr(0, &addr);
  argaddr(1, &len);
  argint(2, &advice);
  if (advice < MADV_NORMAL || advice > MADV_DONTNEED || addr % PGSIZE != 0)
    return -EINVAL;
  if (len > ~0UL - PGSIZE + 1 || addr + PGROUNDUP(len) < addr)
    return -EINVAL;  // rounding len up, or adding it, wraps
  long r = page_range(addr, len, &end);
  if (r != 0)
    return r == RANGE_EMPTY ? 0 : r;
  return vma_advise(myproc(), addr, end, advice);
}

long
sys_mincore(void)
{
  uint64 addr, len, vec, end;
  argaddr(0, &addr);
  argaddr(1, &len);
  argaddr(2, &vec);
  long r = page_range(addr, len, &end);
  if (r != 0)
    return r == RANGE_EMPTY ? 0 : r;
  uint64 pages = (end - addr) / PGSIZE;
  if (vec >= MAXVA || pages > MAXVA - vec)
    return -EFAULT;
  return vma_mincore(myproc(), addr, end, vec);
}
