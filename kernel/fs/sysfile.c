// sysfile.c -- file-system system calls: argument checking and the
// directory operations (create, link, unlink) that combine several inode
// calls in one transaction; truncation in pieces (open's O_TRUNC,
// ftruncate); and, at the end, the POSIX calls beyond xv6's ABI (lseek,
// ftruncate, fsync). File descriptors index myproc()->ofile[].
//
// Lock order within a call (kernel/lib/lockrank.h): begin_op(), then a
// directory's inode lock, then the lock of an inode inside it.
//
// References are dropped last: the last reference to an unlinked inode
// frees it, and a big one is freed over several log operations, which
// commits the call's changes made so far (iput, fs.c). So every lookup
// comes before the first change, and every iput after the last one, with
// no inode locked.
//
// Link counts are shorts on disk: LINK_MAX keeps them far from overflow
// (a wrapped count would free an inode that directories still name).
//
// Once a disk error has stopped the log (log.c), begin_op() returns
// -EROFS: calls that would change the file system (create, O_TRUNC, open
// for writing, link, unlink, mkdir, mknod, ftruncate) fail with it;
// lookups, reads, lseek and close go on. A block that cannot be read
// fails the call with EIO (fs.c); fsync reports write-back errors as
// msync does (file_sync_finish, file.c).
#include "kernel/types.h"
#include "kernel/param.h"
#include "kernel/stat.h"
#include "kernel/fcntl.h"
#include "kernel/errno.h"
#include "kernel/riscv.h"
#include "kernel/lib/spinlock.h"
#include "kernel/lib/printf.h"
#include "kernel/lib/string.h"
#include "kernel/mm/kalloc.h"
#include "kernel/proc/proc.h"
#include "kernel/mm/vm.h"
#include "kernel/fs/log.h"
#include "kernel/fs/inode.h"
#include "kernel/fs/file.h"
#include "kernel/mm/pagecache.h"
#include "kernel/mm/knobs_impl.h"
#include "kernel/dev/console.h"
#include "kernel/proc/exec.h"
#include "kernel/proc/syscall_impl.h"

#define LINK_MAX 32000

// The open file for descriptor argument n (its number in *fdp if fdp is
// given), or 0 if n is not an open descriptor.
static struct file *
argfd(int n, int *fdp)
{
  int fd;
  argint(n, &fd);
  if (fd < 0 || fd >= NOFILE)
    return 0;
  struct file *f = myproc()->ofile[fd];
  if (f && fdp)
    *fdp = fd;
  return f;
}

// Gives f the lowest free descriptor: the descriptor, or -EMFILE.
static int
fdalloc(struct file *f)
{
  struct proc *p = myproc();
  for (int fd = 0; fd < NOFILE; fd++) {
    if (p->ofile[fd] == 0) {
      p->ofile[fd] = f;
      return fd;
    }
  }
  return -EMFILE;
}

long
sys_dup(void)
{
  struct file *f = argfd(0, 0);
  if (f == 0)
    return -EBADF;
  int fd = fdalloc(f);
  if (fd >= 0)
    filedup(f);
  return fd;
}

long
sys_read(void)
{
  uint64 addr;
  int n;
  struct file *f = argfd(0, 0);
  argaddr(1, &addr);
  argint(2, &n);
  if (f == 0)
    return -EBADF;
  if (n < 0)
    return -EINVAL;
  return fileread(f, addr, n);
}

long
sys_write(void)
{
  uint64 addr;
  int n;
  struct file *f = argfd(0, 0);
  argaddr(1, &addr);
  argint(2, &n);
  if (f == 0)
    return -EBADF;
  return filewrite(f, addr, n);
}

long
sys_close(void)
{
  int fd;
  struct file *f = argfd(0, &fd);
  if (f == 0)
    return -EBADF;
  myproc()->ofile[fd] = 0;
  fileclose(f);
  return 0;
}

long
sys_fstat(void)
{
  uint64 addr;
  struct file *f = argfd(0, 0);
  argaddr(1, &addr);
  if (f == 0)
    return -EBADF;
  return filestat(f, addr);
}

// Gives ip the new name `name` in dp (which may be 0: no such parent,
// for the reason dp_err). ip's link count goes up first, then the entry
// is added, or the count is put back. 0 or -E*. => ip and dp referenced
// (and read: from namei) and unlocked, in a transaction; returns with
// them still referenced.
static int
link_into(struct inode *ip, struct inode *dp, const char *name, int dp_err)
{
  int err = 0;
  ilock(ip);
  if (ip->type == T_DIR)
    err = -EPERM;
  else if (ip->nlink >= LINK_MAX)
    err = -EMLINK;
  else if (dp == 0)
    err = dp_err;
  else if (ip->nlink == 0)
    err = -ENOENT;  // removed since namei found it: it must not come back
  if (err < 0) {
    iunlock(ip);
    return err;
  }
  ip->nlink++;
  iupdate(ip);
  iunlock(ip);

  ilock(dp);
  if (dp->nlink == 0)
    err = -ENOENT;  // removed since nameiparent let go of it
  else if (dp->dev != ip->dev)
    err = -EINVAL;
  else
    err = dirlink(dp, name, ip->inum);
  iunlock(dp);
  if (err < 0) {
    ilock(ip);
    ip->nlink--;
    iupdate(ip);
    iunlock(ip);
  }
  return err;
}

// Both names are looked up before anything changes, and the references
// are dropped only after everything is done: dropping the last reference
// to a removed directory frees it, which may commit the operation so far
// (iput, fs.c), and that must never fall between nlink++ and the entry.
long
sys_link(void)
{
  char name[DIRSIZ], new[MAXPATH], old[MAXPATH];
  int err;
  if ((err = argstr(0, old, MAXPATH)) < 0 || (err = argstr(1, new, MAXPATH)) < 0)
    return err;

  if (begin_op() < 0) {
    end_op();
    return -EROFS;
  }
  struct inode *ip = namei(old, &err);
  if (ip == 0) {
    end_op();
    return err;
  }
  int dp_err;
  struct inode *dp = nameiparent(new, name, &dp_err);
  err = link_into(ip, dp, name, dp_err);
  if (dp)
    iput(dp);
  iput(ip);
  end_op();
  return err;
}

// Is directory dp empty apart from "." and ".."? 1 or 0, or -EIO if it
// cannot be read. => dp locked.
static int
isdirempty(struct inode *dp)
{
  struct dirent de;
  for (uint off = 2 * sizeof(de); off < dp->size; off += sizeof(de)) {
    int r = readi(dp, 0, (uint64)&de, off, sizeof(de));
    if (r != sizeof(de))
      return r < 0 ? r : -EIO;
    if (de.inum != 0)
      return 0;
  }
  return 1;
}

long
sys_unlink(void)
{
  char name[DIRSIZ], path[MAXPATH];
  int err = argstr(0, path, MAXPATH);
  if (err < 0)
    return err;

  if (begin_op() < 0) {
    end_op();
    return -EROFS;
  }
  struct inode *dp = nameiparent(path, name, &err);
  if (dp == 0) {
    end_op();
    return err;
  }
  ilock(dp);
  struct inode *ip = 0;
  uint off;
  err = -EINVAL;  // cannot unlink "." or ".."
  if (namecmp(name, ".") == 0 || namecmp(name, "..") == 0)
    goto bad;
  if ((ip = dirlookup(dp, name, &off, &err)) == 0) {
    if (err != -EIO)
      err = -ENOENT;
    goto bad;
  }
  if (ilock(ip) < 0) {
    iput(ip);  // never read, so never freed here
    ip = 0;
    err = -EIO;
    goto bad;
  }
  if (ip->nlink < 1)
    panic("unlink: inode %d has nlink < 1", ip->inum);
  int empty;
  if (ip->type == T_DIR && (empty = isdirempty(ip)) != 1) {
    err = empty < 0 ? empty : -ENOTEMPTY;
    goto bad;
  }

  struct dirent de;
  memset(&de, 0, sizeof(de));
  int r = writei(dp, 0, (uint64)&de, off, sizeof(de));
  if (r != sizeof(de)) {
    err = r < 0 ? r : -EIO;  // nothing changed: the block could not be read
    goto bad;
  }
  if (ip->type == T_DIR) {
    dp->nlink--;  // the child's ".." no longer names dp
    iupdate(dp);
  }
  ip->nlink--;
  iupdate(ip);
  if (ip->nlink == 0)
    orphan_add(ip);  // in this transaction: freeing it may take several
  // Every change is made; only now drop the references (ip's last one
  // frees it, which may commit what we did so far: see iput).
  iunlock(ip);
  iunlockput(dp);
  iput(ip);
  end_op();
  return 0;

bad:
  if (ip)
    iunlockput(ip);
  iunlockput(dp);
  end_op();
  return err;
}

// Creates path as a new inode of this type, or (for T_FILE) returns the
// existing file. Returns it locked and referenced, or 0 with *errp set.
// => inside a transaction that may write.
static struct inode *
create(const char *path, short type, short major, short minor, int *errp)
{
  char name[DIRSIZ];
  struct inode *dp = nameiparent(path, name, errp);
  if (dp == 0)
    return 0;
  *errp = -ENOENT;
  ilock(dp);
  // nameiparent found dp linked but let go of it, so it may have been
  // removed since: an entry added now would be in no reachable directory
  // (and mkdir's nlink++ would bring dp back to life, unreachable).
  if (dp->nlink == 0) {
    iunlockput(dp);
    return 0;
  }

  struct inode *ip;
  int found = dirfind(dp, name, 0);
  if (found < 0) {
    iunlockput(dp);
    *errp = found;
    return 0;
  }
  if (found != 0) {
    ip = dirlookup(dp, name, 0, errp);  // 0: the inode cache is full, or -EIO
    iunlockput(dp);
    if (ip == 0)
      return 0;
    if (ilock(ip) < 0) {
      iput(ip);
      *errp = -EIO;
      return 0;
    }
    if (type == T_FILE && (ip->type == T_FILE || ip->type == T_DEVICE))
      return ip;
    iunlockput(ip);
    *errp = -EEXIST;
    return 0;
  }

  *errp = -EMLINK;  // the new directory's ".." would overflow dp's count
  if (type == T_DIR && dp->nlink >= LINK_MAX) {
    iunlockput(dp);
    return 0;
  }
  if ((ip = ialloc(dp->dev, type, errp)) == 0) {
    iunlockput(dp);
    return 0;
  }
  ilock(ip);  // its block is in this transaction: cannot fail
  ip->major = major;
  ip->minor = minor;
  ip->nlink = 1;
  iupdate(ip);

  if (type == T_DIR) {
    if (dirlink(ip, ".", ip->inum) < 0 || dirlink(ip, "..", dp->inum) < 0)
      goto fail;
  }
  if ((*errp = dirlink(dp, name, ip->inum)) < 0)
    goto fail;
  if (type == T_DIR) {
    dp->nlink++;  // for the child's ".."
    iupdate(dp);
  }
  // This cannot be dp's last reference with dp removed: dp holds ip's
  // entry, which no one can remove while we hold ip's lock.
  iunlockput(dp);
  return ip;

fail:
  // Give the half-made inode back: nlink 0 makes iput free it, after dp
  // is unlocked (freeing may commit and begin a new operation: see iput).
  ip->nlink = 0;
  iupdate(ip);
  orphan_add(ip);
  iunlock(dp);
  iunlockput(ip);
  iput(dp);
  if (*errp >= 0)
    *errp = -ENOSPC;
  return 0;
}

// Truncates ip to len (<= its size): the size changes in the first piece,
// at once; a big file's blocks are freed over several operations (itrunc,
// fs.c), and others may use the file between them, so the inode is
// unlocked while each piece commits. Later pieces free only what lies
// past the size as it is then (someone may have written at the new end
// meanwhile). 0, with no block past ip's size left; -EIO (a block could
// not be read: itrunc says what is left) or -EROFS (a disk error stopped
// the log between two pieces), with the size published or not -- as a
// crash between two pieces would leave it. => ip locked, in a
// transaction that may write; returns so, in the operation of the last
// piece, whatever the result
static int
truncate_pieces(struct inode *ip, uint len)
{
  int r;
  for (int piece = 1;; piece++) {
    knob_free_pause(ip->inum, piece);  // a test's way to widen the window (knobs.h)
    if ((r = itrunc(ip, len)) != 0)
      break;
    int published = ip->size <= len;  // else the piece had no room to begin
    iunlock(ip);
    end_op();
    int err = begin_op();
    ilock(ip);  // referenced and read already: cannot fail
    if (err < 0)
      return err;
    if (published || ip->size < len)  // (a shorter file: ours is done too)
      len = ip->size;
  }
  return r < 0 ? r : 0;
}

// The inode for open(): created, or looked up and checked. Locked, or 0.
static struct inode *
open_inode(const char *path, int omode, int *errp)
{
  struct inode *ip;
  if (omode & O_CREATE)
    return create(path, T_FILE, 0, 0, errp);
  if ((ip = namei(path, errp)) == 0)
    return 0;
  ilock(ip);  // read by namei: cannot fail
  if (ip->type == T_DIR && omode != O_RDONLY) {
    iunlockput(ip);
    *errp = -EISDIR;
    return 0;
  }
  return ip;
}

long
sys_open(void)
{
  char path[MAXPATH];
  int omode, err;
  if ((err = argstr(0, path, MAXPATH)) < 0)
    return err;
  argint(1, &omode);

  // The file-table entry and the descriptor come first: an open that
  // fails for want of one must not have created the file.
  struct file *f = filealloc();
  if (f == 0)
    return -ENFILE;
  int fd = fdalloc(f);
  if (fd < 0) {
    fileclose(f);
    return fd;
  }
  int readonly = begin_op() < 0;
  if (readonly && (omode & (O_CREATE | O_TRUNC))) {
    end_op();
    myproc()->ofile[fd] = 0;
    fileclose(f);  // still FD_NONE: nothing to release but the entry
    return -EROFS;
  }
  struct inode *ip = open_inode(path, omode, &err);
  if (ip != 0 && ip->type == T_DEVICE && (ip->major < 0 || ip->major >= NDEV)) {
    iunlockput(ip);
    ip = 0;
    err = -ENODEV;
  }
  if (ip == 0) {
    end_op();
    myproc()->ofile[fd] = 0;
    fileclose(f);  // still FD_NONE: nothing to release but the entry
    return err;
  }
  if (readonly && ip->type != T_DEVICE && (omode & (O_WRONLY | O_RDWR))) {
    iunlockput(ip);
    end_op();
    myproc()->ofile[fd] = 0;
    fileclose(f);
    return -EROFS;
  }
  int writes = (omode & O_WRONLY) || (omode & O_RDWR);
  int trunc = (omode & O_TRUNC) && ip->type == T_FILE;
  // A running program's file may not be written nor truncated (ETXTBSY).
  // The writer taken here is the file's (f->writable), or only the
  // truncation's, given back after it.
  if (ip->type == T_FILE && (writes || trunc) && (err = inode_get_write(ip)) < 0) {
    iunlockput(ip);
    end_op();
    myproc()->ofile[fd] = 0;
    fileclose(f);  // still FD_NONE: nothing to release but the entry
    return err;
  }
  if (ip->type == T_DEVICE) {
    f->type = FD_DEVICE;
    f->major = ip->major;
  } else {
    f->type = FD_INODE;
    f->off = 0;
  }
  f->ip = ip;
  f->wb_seen = ip->wb_err;  // write-back errors from now on concern this file
  f->readable = !(omode & O_WRONLY);
  f->writable = writes;
  err = trunc ? truncate_pieces(ip, 0) : 0;
  if (trunc && !writes)
    inode_put_write(ip);  // O_TRUNC on a file opened only for reading
  iunlock(ip);
  end_op();
  if (err < 0) {
    myproc()->ofile[fd] = 0;
    fileclose(f);  // gives back the writer of a writable file
    return err;
  }
  return fd;
}

static long
make_node(short type, short major, short minor)
{
  char path[MAXPATH];
  int err = argstr(0, path, MAXPATH);
  if (err < 0)
    return err;
  if (begin_op() < 0) {
    end_op();
    return -EROFS;
  }
  struct inode *ip = create(path, type, major, minor, &err);
  if (ip == 0) {
    end_op();
    return err;
  }
  iunlockput(ip);
  end_op();
  return 0;
}

long
sys_mkdir(void)
{
  return make_node(T_DIR, 0, 0);
}

long
sys_mknod(void)
{
  int major, minor;
  argint(1, &major);
  argint(2, &minor);
  return make_node(T_DEVICE, major, minor);
}

long
sys_chdir(void)
{
  char path[MAXPATH];
  struct proc *p = myproc();
  int err = argstr(0, path, MAXPATH);
  if (err < 0)
    return err;
  begin_op();  // only reads
  struct inode *ip = namei(path, &err);
  if (ip == 0) {
    end_op();
    return err;
  }
  ilock(ip);  // read by namei: cannot fail
  if (ip->type != T_DIR) {
    iunlockput(ip);
    end_op();
    return -ENOTDIR;
  }
  iunlock(ip);
  iput(p->cwd);
  end_op();
  p->cwd = ip;
  return 0;
}

// Copies the user's argv[] strings into kernel pages. Returns argc or -E*;
// on failure frees what it allocated.
static int
fetch_argv(uint64 uargv, char **argv)
{
  int i, err = 0;
  for (i = 0;; i++) {
    uint64 uarg;
    if (i >= MAXARG) {
      err = -E2BIG;
      break;
    }
    if ((err = fetchaddr(uargv + i * sizeof(uint64), &uarg)) < 0)
      break;
    if (uarg == 0) {
      argv[i] = 0;
      return i;
    }
    if ((argv[i] = kalloc()) == 0) {
      err = -ENOMEM;
      break;
    }
    if ((err = fetchstr(uarg, argv[i], PGSIZE)) < 0) {
      i++;  // free this page too
      break;
    }
  }
  for (int j = 0; j < i; j++)
    kfree(argv[j]);
  return err;
}

long
sys_exec(void)
{
  char path[MAXPATH], *argv[MAXARG + 1];
  uint64 uargv;
  int err = argstr(0, path, MAXPATH);
  if (err < 0)
    return err;
  argaddr(1, &uargv);
  int argc = fetch_argv(uargv, argv);
  if (argc < 0)
    return argc;
  long r = kexec(path, argv);
  for (int i = 0; i < argc; i++)
    kfree(argv[i]);
  return r;
}

long
sys_pipe(void)
{
  uint64 fdarray;
  struct file *rf, *wf;
  struct proc *p = myproc();
  argaddr(0, &fdarray);
  int err = pipealloc(&rf, &wf);
  if (err < 0)
    return err;
  int fd0 = fdalloc(rf), fd1 = fd0 >= 0 ? fdalloc(wf) : -EMFILE;
  if (fd0 < 0 || fd1 < 0) {
    if (fd0 >= 0)
      p->ofile[fd0] = 0;
    fileclose(rf);
    fileclose(wf);
    return -EMFILE;
  }
  if (copyout(p->pagetable, fdarray, &fd0, sizeof(fd0)) < 0 ||
      copyout(p->pagetable, fdarray + sizeof(fd0), &fd1, sizeof(fd1)) < 0) {
    p->ofile[fd0] = 0;
    p->ofile[fd1] = 0;
    fileclose(rf);
    fileclose(wf);
    return -EFAULT;
  }
  return 0;
}

// ---- POSIX calls beyond xv6's ABI: lseek, ftruncate, fsync ----
//
// Names, signatures, constants and error codes as on Linux. One rule of
// xv6 stays: write() at an offset past the end of the file fails with
// EINVAL (writei; MIT's usertests rely on it). So lseek() past the end is
// allowed and a read() there returns 0, but a file is extended only by
// writing at its end or by ftruncate().

// The new offset, base + off, if it lies in [0, FILE_MAX_BYTES]; else -1.
static long
offset_from(uint64 base, long off)
{
  if (off < -(long)base || off > (long)(FILE_MAX_BYTES - base))
    return -1;
  return (long)base + off;
}

// long lseek(int fd, long off, int whence): the new offset, from the start
// (SEEK_SET), the current offset (SEEK_CUR) or the end (SEEK_END) of a
// file or directory. Errors: EBADF, ESPIPE (a pipe or device), EINVAL
// (unknown whence, or a result below 0 or past FILE_MAX_BYTES: offsets
// are 32-bit here).
long
sys_lseek(void)
{
  uint64 off;
  int whence;
  struct file *f = argfd(0, 0);
  argaddr(1, &off);
  argint(2, &whence);
  if (f == 0)
    return -EBADF;
  if (f->type != FD_INODE)
    return -ESPIPE;
  if (whence != SEEK_SET && whence != SEEK_CUR && whence != SEEK_END)
    return -EINVAL;
  ilock(f->ip);  // guards f->off, and the size for SEEK_END; read at open: cannot fail
  uint64 base = whence == SEEK_SET ? 0 : whence == SEEK_CUR ? f->off : f->ip->size;
  long r = offset_from(base, (long)off);
  if (r >= 0)
    f->off = (uint)r;
  iunlock(f->ip);
  return r >= 0 ? r : -EINVAL;
}

// Sets ip's size to len, shrinking or growing it, as one atomic change
// that others see whole. Growing frees first whatever blocks lie past the
// current size (left there by a truncation whose later pieces are still
// running, or stopped by a disk error), and itrunc also zeroes the rest
// of the last block and of the last cached page: so the new range
// [old size, len) reads as zeros and has no blocks until written. If the
// file outgrew len while those pieces committed, it is shrunk instead.
// 0, or truncate_pieces' error (a grow then has not happened).
// => ip locked, in a transaction (returns so, maybe in a later one)
static int
resize(struct inode *ip, uint len)
{
  for (;;) {
    if (len < ip->size)
      return truncate_pieces(ip, len);
    int err = truncate_pieces(ip, ip->size);
    if (err < 0)
      return err;
    if (len >= ip->size) {
      ip->size = len;
      iupdate(ip);  // the inode block is in the transaction already: free
      return 0;
    }
  }
}

// int ftruncate(int fd, long len): the file becomes len bytes long. Pages
// past len leave every mapping and the cache (a later touch there kills
// the process); bytes up to a larger len read as zeros, with no blocks
// allocated until written. Errors: EBADF (fd not open, or not for
// writing), EINVAL (len < 0, a pipe or device), EISDIR, EFBIG (len past
// FILE_MAX_BYTES), EROFS (a disk error stopped the log, maybe between two
// pieces of a big truncation), EIO (a block could not be read: the file
// has its old size, or len and blocks past it still allocated).
long
sys_ftruncate(void)
{
  uint64 ulen;
  struct file *f = argfd(0, 0);
  argaddr(1, &ulen);
  long len = (long)ulen;
  if (f == 0)
    return -EBADF;
  if (len < 0 || f->type != FD_INODE)
    return -EINVAL;
  ilock(f->ip);  // read at open: cannot fail
  int isdir = f->ip->type == T_DIR;
  iunlock(f->ip);
  if (isdir)
    return -EISDIR;
  if (!f->writable)
    return -EBADF;
  if ((uint64)len > FILE_MAX_BYTES)
    return -EFBIG;
  if (begin_op() < 0) {
    end_op();
    return -EROFS;
  }
  ilock(f->ip);
  int err = resize(f->ip, (uint)len);
  iunlock(f->ip);
  end_op();
  return err;
}

// int fsync(int fd): writes back the file's dirty cache pages and returns
// once every change to the file logged so far -- those pages, write()s,
// its size and blocks -- has committed (group commit: log.c). As msync
// (file_sync_finish, file.c). Errors: EBADF, EINVAL (a pipe or device),
// ENOSPC (a page in a hole found no free block; the pages that failed
// stay dirty, the rest is durable all the same), EROFS (pages are dirty,
// but a disk error made the file system read-only), EIO (a write-back of
// the file failed since this open file last heard of one -- the pages
// stay dirty --, or the disk failed before the file's changes committed).
long
sys_fsync(void)
{
  struct file *f = argfd(0, 0);
  if (f == 0)
    return -EBADF;
  if (f->type != FD_INODE)
    return -EINVAL;
  return file_sync_finish(f, pc_writeback_range(f->ip, 0, ~0U), 1);
}
