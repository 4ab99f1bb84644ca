// mmap_naive.c -- the baseline mapping policy: the classic xv6 mmap lab's
// design, kept as the yardstick the page cache is measured against.
//
//   fault:   allocate a private page, read 4 KiB of the file into it with
//            readi() (zero past EOF), map it with the area's rights.
//   release: for a writable MAP_SHARED area, write EVERY present page back
//            with writei() -- dirty or not, since this design does not
//            look at the D bit -- clipped to the file's current size so
//            that write-back never makes a file longer; then free the page.
//   msync:   write every present page of a writable shared area back.
//   protect: mprotect gives the present pages the area's new rights.
//   dontneed: release (MADV_DONTNEED): written back, then freed.
// It has no read-ahead: madvise's advice is kept but steers nothing.
// An area keeps writing back after mprotect took PROT_WRITE away
// (was_writable): its pages may hold stores made before.
// Nothing is shared: two processes (or two mappings) of one file each get
// their own copy of every page they touch. Its reads go through readi()
// and the buffer cache, not the page cache, exactly as in the lab; so a
// naive mapping does not see stores made through a cache-policy mapping
// of the same file until they are written back.
#include "kernel/types.h"
#include "kernel/param.h"
#include "kernel/riscv.h"
#include "kernel/fcntl.h"
#include "kernel/errno.h"
#include "kernel/lib/printf.h"
#include "kernel/mm/kalloc.h"
#include "kernel/proc/proc.h"
#include "kernel/mm/vm.h"
#include "kernel/fs/log.h"
#include "kernel/mm/kstats_impl.h"
#include "kernel/fs/inode.h"
#include "kernel/fs/file.h"
#include "kernel/mm/vma.h"
#include "kernel/mm/kstats_impl.h"

static int
pte_rights(int prot)
{
  int perm = vma_leaf_rights(prot);
  if (prot & PROT_WRITE)
    perm |= PTE_W;
  return perm;
}

static int
naive_fault(struct proc *p, struct vma *v, uint64 va, int access)
{
  pte_t *pte = walk(p->pagetable, va, 0);
  if (pte && (*pte & PTE_V))
    return -EFAULT;  // present: its rights refused the access, and they are final
  char *mem = kzalloc();
  if (mem == 0)
    return -ENOMEM;
  struct inode *ip = v->file->ip;
  uint64 off = vma_fileoff(v, va);  // may be far past EOF
  int n = 0;
  kstat_inc(fault_sleeplocks);
  ilock(ip);
  if (off < ip->size) {
    n = readi(ip, 0, (uint64)mem, (uint)off, PGSIZE);  // short at EOF
  }
  iunlock(ip);
  if (n < 0 ||
      mappages(p->pagetable, va, PGSIZE, (uint64)mem, pte_rights(v->prot)) != 0) {
    kfree(mem);
    return n < 0 ? -EIO : -ENOMEM;
  }
  return 0;
}

// Writes the part of page pa that lies inside the file back to it.
// writei() may stop short of the page when its blocks' worst case does
// not fit one log operation's budget (log.c): go on in another. 0;
// -ENOSPC (no free block for a hole of the file) or -EIO (a block could
// not be read), each said on the console; or -EROFS (the log has
// stopped). This policy keeps no dirty state: the next msync or munmap
// writes the page again, if it is still mapped; the callers decide what
// the open files hear (wb_failed).
static int
write_back(struct inode *ip, uint64 pa, uint64 off)
{
  uint done = 0, len;
  int r;
  do {
    if (begin_op() < 0) {
      end_op();
      return -EROFS;
    }
    ilock(ip);
    len = off < ip->size ? (ip->size - off < PGSIZE ? ip->size - off : PGSIZE) : 0;
    r = done < len ? writei(ip, 0, pa + done, (uint)off + done, len - done) : 0;
    iunlock(ip);
    end_op();
    if (r > 0)
      done += r;
  } while (r > 0 && done < len);
  if (done > 0)
    kstat_inc(writeback_pages);
  if (done < len) {
    printf("mmap: write-back of inode %d offset %lu failed\n", ip->inum, off);
    return r == -ENOSPC ? -ENOSPC : -EIO;
  }
  return 0;
}

// Records a failed write-back for the file's open files (file_wb_failed):
// an -EIO, as the cache policy does, and any failure of a page about to
// be freed, whose bytes are then lost (lost = 1).
static int
wb_failed(struct inode *ip, int err, int lost)
{
  if (err == -EIO || (err < 0 && lost))
    file_wb_failed(ip);
  return err;
}

static void
naive_release(struct proc *p, struct vma *v, uint64 va, uint64 npages)
{
  uint64 end = va + npages * PGSIZE;
  for (uint64 a = va, next; a < end; a = next) {
    pte_t *pte = walk_sparse(p->pagetable, a, &next);  // cost follows what is mapped
    if (pte == 0 || (*pte & PTE_V) == 0)
      continue;  // never touched
    uint64 pa = PTE2PA(*pte);
    if ((v->flags & MAP_SHARED) && v->was_writable)
      wb_failed(v->file->ip, write_back(v->file->ip, pa, vma_fileoff(v, a)), 1);
    *pte = 0;
    kfree((void *)pa);
  }
  sfence_vma();
}

// msync: writes every present page of a writable shared area back, as
// release does, but keeps it mapped. 0, or an error of write_back's, one
// other than -EIO first (-EIO reaches the file: vma_sync).
static int
naive_sync(struct proc *p, struct vma *v, uint64 va, uint64 npages, int flags)
{
  if (!(v->flags & MAP_SHARED) || !v->was_writable)
    return 0;
  int err = 0;
  uint64 end = va + npages * PGSIZE;
  for (uint64 a = va, next; a < end; a = next) {
    pte_t *pte = walk_sparse(p->pagetable, a, &next);
    if (pte == 0 || (*pte & PTE_V) == 0)
      continue;
    int e = wb_failed(v->file->ip, write_back(v->file->ip, PTE2PA(*pte), vma_fileoff(v, a)), 0);
    if (e && (err == 0 || err == -EIO))
      err = e;
  }
  return err;
}

// mprotect: every present page takes the area's new rights, W included:
// the pages are this process's own copies, with no dirtiness to track
// (release writes every one of a once writable shared area back) and no
// copy to make on a store.
static void
naive_protect(struct proc *p, struct vma *v, uint64 va, uint64 npages)
{
  uint64 end = va + npages * PGSIZE;
  for (uint64 a = va, next; a < end; a = next) {
    pte_t *pte = walk_sparse(p->pagetable, a, &next);
    if (pte && (*pte & PTE_V))
      *pte = PA2PTE(PTE2PA(*pte)) | (*pte & (PTE_A | PTE_D)) | pte_rights(v->prot) | PTE_V;
  }
  sfence_vma();
}

const struct mmap_policy mmap_naive_policy = {
  .name = "naive",
  .fault = naive_fault,
  .release = naive_release,
  .dup = 0,  // the lab's fork: the child faults in its own copies
  .sync = naive_sync,
  .protect = naive_protect,
  // MADV_DONTNEED: as munmap, a once writable shared area's pages are
  // written back before they go (there is no cache to keep them dirty).
  .dontneed = naive_release,
};
