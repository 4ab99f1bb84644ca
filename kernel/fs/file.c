// file.c -- the system-wide open-file table and the read/write/stat
// operations that dispatch on a file's type.
//
// A write to an inode is a sequence of log operations: writei() stops
// short when the next block's worst case would not fit in what is left of
// the operation's budget (log.c), and the write goes on in a new one. So
// a large write is a sequence of atomic writes rather than one atomic
// write.
//
// Write-back errors: a failed write-back of a page (pagecache.c, or the
// naive policy's) bumps the inode's wb_err; each open file keeps the value
// it has reported up to (wb_seen, taken at open). A check that finds its
// file behind reports EIO and catches up, so every file that was open
// when a write-back failed hears of it once -- through msync of any of
// its mappings, or fsync (both end in file_sync_finish) -- whoever's
// write-back it was (msync, fsync, munmap, exit, reclaim, the drop knob),
// as Linux's errseq does. A file opened afterwards hears nothing of it.
//
// Programs: a file is written or run, never both (ETXTBSY). An FD_INODE
// file open for writing counts as a writer of its inode until its last
// close; exec's file of a program image (file_open_exec) denies writers
// until its last close, and until then the cached pages of the program's
// segments stay in memory (inode.h, writecount; pagecache.c, running
// programs).
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
      f->exec = f->pins = 0;
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

  if (ff.type == FD_INODE && ff.exec) {
    if (ff.pins)
      pc_exec_end(ff.ip);  // the image is gone: its pages may go
    inode_allow_write(ff.ip);  // and writers may come
  } else if (ff.type == FD_INODE && ff.writable && !inode_is_mem(ff.ip)) {
    inode_put_write(ff.ip);
  }
  if (ff.type == FD_PIPE) {
    pipeclose(ff.pipe, ff.writable);
  } else if (ff.type == FD_INODE && inode_is_mem(ff.ip)) {
    iput(ff.ip);  // a memory object (shmem.c): nothing reaches the disk
  } else if (ff.type == FD_INODE || ff.type == FD_DEVICE) {
    begin_op();
    iput(ff.ip);
    end_op();
  }
}

int
file_open_exec(struct inode *ip, struct file **out)
{
  KASSERT(holdingsleep(&ip->lock));
  int err = inode_deny_write(ip);
  if (err)
    return err;
  struct file *f = filealloc();
  if (f == 0) {
    inode_allow_write(ip);
    return -ENFILE;
  }
  f->type = FD_INODE;
  f->ip = idup(ip);
  f->pipe = 0;
  f->readable = 1;
  f->writable = 0;
  f->exec = 1;
  f->off = 0;
  f->major = 0;
  f->wb_seen = ip->wb_err;
  *out = f;
  return 0;
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

// Copies between a file and a user buffer run under the inode lock with
// p->nofault set: a fault there could be a mapping of this very file and
// need the lock. So each pass first faults its part of the buffer in,
// unlocked. Another hart may still evict a page of a file mapping between
// that fault-in and the copy (reclaim, the cache limit); the copy then
// stops short at that page and the next pass faults it in again. A valid
// buffer therefore always works, whole; only a page the process could not
// touch itself ends the call early (with the bytes moved so far, or
// EFAULT if none). A pass covers at most COPY_PASS bytes, far less than
// any cache, so that what it faulted in is still there when it copies.
#define COPY_PASS (16 * PGSIZE)

// One pass of inode_read: at most m bytes at the file's offset into addr.
// Bytes moved, or -E*. => nothing locked
static int
read_pass(struct file *f, uint64 addr, int m)
{
  struct proc *p = myproc();
  ilock(f->ip);
  uint avail = f->ip->size > f->off ? f->ip->size - f->off : 0;
  iunlock(f->ip);
  if (avail == 0)
    return 0;
  // Only the part of the buffer before a page we may not touch is read:
  // the read then ends there, short. (Failing the whole pass instead made
  // inode_read retry forever, since its check looks at the first page.)
  uint64 ok = vm_prefault_part(p->pagetable, addr, (uint)m < avail ? (uint)m : avail, 1);
  if (ok == 0)
    return -EFAULT;
  if (ok < (uint64)m)
    m = ok;
  ilock(f->ip);
  p->nofault = 1;  // the file may have grown meanwhile: never fault here
  // Regular files are read through the page cache; directories and
  // devices' inodes through the buffer cache.
  int r = f->ip->type == T_FILE ? pc_read(f->ip, 1, addr, f->off, m)
                                : readi(f->ip, 1, addr, f->off, m);
  p->nofault = 0;
  if (r > 0)
    f->off += r;
  iunlock(f->ip);
  return r;
}

static int
inode_read(struct file *f, uint64 addr, int n)
{
  int done = 0;
  while (done < n && !killed(myproc())) {
    int m = n - done < COPY_PASS ? n - done : COPY_PASS;
    int r = read_pass(f, addr + done, m);
    if (r == 0 || (r < 0 && r != -EFAULT))
      return done > 0 ? done : r;  // end of file, or an error
    if (r == -EFAULT) {
      // A page evicted since the fault-in, or one we may not touch: the
      // next pass's fault-in tells them apart.
      if (vm_prefault(myproc()->pagetable, addr + done, 1, 1) < 0)
        return done > 0 ? done : -EFAULT;
      continue;
    }
    done += r;
  }
  return done;
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
  case FD_INODE:
    return inode_read(f, addr, n);
  default:
    panic("fileread: bad file type %d", f->type);
  }
}

// ---- write-back errors (see the top) ----

void
file_wb_failed(struct inode *ip)
{
  __atomic_fetch_add(&ip->wb_err, 1, __ATOMIC_SEQ_CST);
}

int
file_check_wb_error(struct file *f)
{
  if (f->type != FD_INODE)
    return 0;
  uint now = __atomic_load_n(&f->ip->wb_err, __ATOMIC_SEQ_CST);
  uint seen = __atomic_load_n(&f->wb_seen, __ATOMIC_SEQ_CST);
  while (seen != now) {
    // Sharers of f (dup, fork) may check at once: only the one that moves
    // the snapshot reports.
    if (__atomic_compare_exchange_n(&f->wb_seen, &seen, now, 0, __ATOMIC_SEQ_CST,
                                    __ATOMIC_SEQ_CST))
      return -EIO;
  }
  return 0;
}

int
file_sync_finish(struct file *f, int wb, int durable)
{
  int err = wb == -EIO ? 0 : wb;  // reported through the check below
  if (durable) {
    int e = iwait_durable(f->ip);
    if (err == 0)
      err = e;
  }
  if (err == 0)
    err = file_check_wb_error(f);
  return err;
}

// The most one writei() call is asked for: more than one operation's
// budget can cover, so the budget decides; the cap only keeps a write
// that would pass MAXFILE writing the chunks before the one that does.
#define WRITE_CHUNK (MAXOPBLOCKS * BSIZE)

// Writes n bytes at the file's offset, one log operation at a time, each
// after faulting its part of the source in (see COPY_PASS above). A short
// writei() means the operation's budget ran out, or an error came partway
// (disk full, a source page evicted or refused): the next round goes on
// or reports the error. writei() keeps exactly the bytes it reports, so a
// failure never leaves bytes behind that the count does not include.
static int
inode_write(struct file *f, uint64 addr, int n)
{
  struct proc *p = myproc();
  int done = 0;
  while (done < n && !killed(p)) {
    int m = n - done < WRITE_CHUNK ? n - done : WRITE_CHUNK;
    if (vm_prefault(p->pagetable, addr + done, m, 0) < 0)
      return done > 0 ? done : -EFAULT;  // nothing of this round written
    if (begin_op() < 0) {  // a disk error stopped the log
      end_op();
      return done > 0 ? done : -EROFS;
    }
    ilock(f->ip);
    p->nofault = 1;  // see COPY_PASS
    int r = writei(f->ip, 1, addr + done, f->off, m);
    p->nofault = 0;
    if (r > 0)
      f->off += r;
    iunlock(f->ip);
    end_op();
    if (r < 0 && r != -EFAULT)
      return done > 0 ? done : r;
    if (r == 0)
      break;  // cannot happen in a fresh operation; never spin
    if (r > 0)
      done += r;
    // -EFAULT: a page evicted after the fault-in; the next round faults
    // it in again, or finds it refused and stops there.
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
