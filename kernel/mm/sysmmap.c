// sysmmap.c -- the mmap, munmap and msync system calls: argument checking only;
// the areas live in vma.c and their pages come from the mapping policy.
//
//   void *mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
//     addr is a hint and is ignored (the kernel chooses, top-down);
//     errors: EINVAL (len 0, bad prot or flags, offset not page aligned
//     or negative), EBADF (fd not open), EACCES (not a regular file, not
//     readable, or MAP_SHARED+PROT_WRITE on a file not open for writing),
//     ENOMEM (no free slot or address range).
//   int msync(void *addr, size_t len, int flags)
//     writes back the dirty pages of every writable shared mapping in the
//     range; MS_SYNC and MS_ASYNC both return after the pages are
//     committed to the log (MS_ASYNC could return earlier; doing the same
//     work is allowed and simpler). Errors: EINVAL (addr not page aligned,
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
  if (flags != MAP_SHARED && flags != MAP_PRIVATE)
    return -EINVAL;
  if ((long)off < 0 || off % PGSIZE != 0)
    return -EINVAL;
  struct proc *p = myproc();
  struct file *f = (fd >= 0 && fd < NOFILE) ? p->ofile[fd] : 0;
  int err = check_file(f, prot, flags);
  if (err)
    return err;
  return vma_map(p, len, prot, flags, f, off);
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
