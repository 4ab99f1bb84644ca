// file.c -- the system-wide open-file table and the read/write/stat
// operations that dispatch on a file's type.
//
// A write to an inode is a sequence of log operations: writei() stops
// short when the next block's worst case would not fit in what is left of
// the operation's budget (log.c), and the write goes on in a new one. So
// a large write is a sequence of atomic writes rather than one atomic
// write.
//
// Lock: ftable.lock protects every ref; a leaf.
#include "kernel/types.h"
#include "kernel/param.h"
#include "kernel/stat.h"
#include "kernel/errno.h"
#include "kernel/lib/spinlock.h"
#include "kernel/lib/printf.h"
#include "kernel/proc/proc.h"
#include "kernel/mm/vm.h"
#include "kernel/fs/log.h"
#include "kernel/fs/inode.h"
#include "kernel/mm/pagecache.h"
#include "kernel/dev/console.h"
#include "kernel/fs/file.h"

static struct {
  struct spinlock lock;
  struct file file[NFILE];
} ftable;

void
fileinit(void)
{
  initlock(&ftable.lock, "ftable", LR_FTABLE);
}

int
files_in_use(void)
{
  int n = 0;
  acquire(&ftable.lock);
  for (struct file *f = ftable.file; f < ftable.file + NFILE; f++)
    if (f->ref > 0)
      n++;
  release(&ftable.lock);
  return n;
}

struct file *
filealloc(void)
{
  acquire(&ftable.lock);
  for (struct file *f = ftable.file; f < ftable.file + NFILE; f++) {
    if (f->ref == 0) {
      f->ref = 1;
      release(&ftable.lock);
      return f;
    }
  }
  release(&ftable.lock);
  return 0;
}

struct file *
filedup(struct file *f)
{
  acquire(&ftable.lock);
  KASSERT(f->ref >= 1);
  f->ref++;
  release(&ftable.lock);
  return f;
}

void
fileclose(struct file *f)
{
  acquire(&ftable.lock);
  KASSERT(f->ref >= 1);
  if (--f->ref > 0) {
    release(&ftable.lock);
    return;
  }
  struct file ff = *f;
  f->ref = 0;
  f->type = FD_NONE;
  release(&ftable.lock);

  if (ff.type == FD_PIPE) {
    pipeclose(ff.pipe, ff.writable);
  } else if (ff.type == FD_INODE || ff.type == FD_DEVICE) {
    begin_op();
    iput(ff.ip);
    end_op();
  }
}

int
filestat(struct file *f, uint64 addr)
{
  if (f->type != FD_INODE && f->type != FD_DEVICE)
    return -EINVAL;
  struct stat st;
  ilock(f->ip);
  stati(f->ip, &st);
  iunlock(f->ip);
  return copyout(myproc()->pagetable, addr, &st, sizeof(st));
}

int
fileread(struct file *f, uint64 addr, int n)
{
  if (!f->readable)
    return -EBADF;
  switch (f->type) {
  case FD_PIPE:
    return piperead(f->pipe, addr, n);
  case FD_DEVICE:
    if (f->major < 0 || f->major >= NDEV || !devsw[f->major].read)
      return -ENODEV;
    return devsw[f->major].read(1, addr, n);
  case FD_INODE: {
    // Fault the destination in first: a mapped page's fault reads a file
    // and must not find this inode locked by us.
    ilock(f->ip);
    uint avail = f->ip->size > f->off ? f->ip->size - f->off : 0;
    iunlock(f->ip);
    struct proc *p = myproc();
    vm_prefault(p->pagetable, addr, (uint)n < avail ? (uint)n : avail, 1);
    ilock(f->ip);
    p->nofault = 1;  // the file may have grown: never fault under the lock
    // Regular files are read through the page cache; directories and
    // devices' inodes through the buffer cache.
    int r = f->ip->type == T_FILE ? pc_read(f->ip, 1, addr, f->off, n)
                                  : readi(f->ip, 1, addr, f->off, n);
    p->nofault = 0;
    if (r > 0)
      f->off += r;
    iunlock(f->ip);
    return r;
  }
  default:
    panic("fileread: bad file type %d", f->type);
  }
}

// The most one writei() call is asked for: more than one operation's
// budget can cover, so the budget decides; the cap only keeps a write
// that would pass MAXFILE writing the chunks before the one that does.
#define WRITE_CHUNK (MAXOPBLOCKS * BSIZE)

// Writes n bytes at the file's offset, one log operation at a time. A
// short writei() means the operation's budget ran out, or an error came
// partway (disk full, bad address): the next round reports the error.
static int
inode_write(struct file *f, uint64 addr, int n)
{
  int done = 0;
  vm_prefault(myproc()->pagetable, addr, n, 0);  // before any lock; see fileread
  while (done < n) {
    int m = n - done < WRITE_CHUNK ? n - done : WRITE_CHUNK;
    begin_op();
    ilock(f->ip);
    myproc()->nofault = 1;  // see fileread
    int r = writei(f->ip, 1, addr + done, f->off, m);
    myproc()->nofault = 0;
    if (r > 0)
      f->off += r;
    iunlock(f->ip);
    end_op();
    if (r < 0)
      return done > 0 ? done : r;
    if (r == 0)
      break;  // cannot happen in a fresh operation; never spin
    done += r;
  }
  return done;
}

int
filewrite(struct file *f, uint64 addr, int n)
{
  if (!f->writable)
    return -EBADF;
  if (n < 0)
    return -EINVAL;
  switch (f->type) {
  case FD_PIPE:
    return pipewrite(f->pipe, addr, n);
  case FD_DEVICE:
    if (f->major < 0 || f->major >= NDEV || !devsw[f->major].write)
      return -ENODEV;
    return devsw[f->major].write(1, addr, n);
  case FD_INODE:
    return inode_write(f, addr, n);
  default:
    panic("filewrite: bad file type %d", f->type);
  }
}
