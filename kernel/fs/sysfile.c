// sysfile.c -- file-system system calls: argument checking and the
// directory operations (create, link, unlink) that combine several inode
// calls in one transaction. File descriptors index myproc()->ofile[].
//
// Lock order within a call: begin_op(), then a directory's inode lock,
// then the lock of an inode inside it.
//
// References are dropped last: the last reference to an unlinked inode
// frees it, and a big one is freed over several log operations, which
// commits the call's changes made so far (iput, fs.c). So every lookup
// comes before the first change, and every iput after the last one, with
// no inode locked.
//
// Link counts are shorts on disk: LINK_MAX keeps them far from overflow
// (a wrapped count would free an inode that directories still name).
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

// Gives ip the new name `name` in dp (which may be 0: no such parent).
// ip's link count goes up first, then the entry is added, or the count is
// put back. 0 or -E*. => ip and dp referenced and unlocked, in a
// transaction; returns with them still referenced.
static int
link_into(struct inode *ip, struct inode *dp, const char *name)
{
  int err = 0;
  ilock(ip);
  if (ip->type == T_DIR)
    err = -EPERM;
  else if (ip->nlink >= LINK_MAX)
    err = -EMLINK;
  else if (dp == 0)
    err = -ENOENT;
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

  begin_op();
  struct inode *ip = namei(old);
  if (ip == 0) {
    end_op();
    return -ENOENT;
  }
  struct inode *dp = nameiparent(new, name);
  err = link_into(ip, dp, name);
  if (dp)
    iput(dp);
  iput(ip);
  end_op();
  return err;
}

// Is directory dp empty apart from "." and ".."? => dp locked.
static int
isdirempty(struct inode *dp)
{
  struct dirent de;
  for (uint off = 2 * sizeof(de); off < dp->size; off += sizeof(de)) {
    if (readi(dp, 0, (uint64)&de, off, sizeof(de)) != sizeof(de))
      panic("isdirempty: short read");
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

  begin_op();
  struct inode *dp = nameiparent(path, name);
  if (dp == 0) {
    end_op();
    return -ENOENT;
  }
  ilock(dp);
  struct inode *ip = 0;
  uint off;
  err = -EINVAL;  // cannot unlink "." or ".."
  if (namecmp(name, ".") == 0 || namecmp(name, "..") == 0)
    goto bad;
  err = -ENOENT;
  if ((ip = dirlookup(dp, name, &off)) == 0)
    goto bad;
  ilock(ip);
  if (ip->nlink < 1)
    panic("unlink: inode %d has nlink < 1", ip->inum);
  err = -ENOTEMPTY;
  if (ip->type == T_DIR && !isdirempty(ip))
    goto bad;

  struct dirent de;
  memset(&de, 0, sizeof(de));
  if (writei(dp, 0, (uint64)&de, off, sizeof(de)) != sizeof(de))
    panic("unlink: clearing a directory entry failed");
  if (ip->type == T_DIR) {
    dp->nlink--;  // the child's ".." no longer names dp
    iupdate(dp);
  }
  ip->nlink--;
  iupdate(ip);
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
// => inside a transaction.
static struct inode *
create(const char *path, short type, short major, short minor, int *errp)
{
  char name[DIRSIZ];
  struct inode *dp = nameiparent(path, name);
  *errp = -ENOENT;
  if (dp == 0)
    return 0;
  ilock(dp);
  // nameiparent found dp linked but let go of it, so it may have been
  // removed since: an entry added now would be in no reachable directory
  // (and mkdir's nlink++ would bring dp back to life, unreachable).
  if (dp->nlink == 0) {
    iunlockput(dp);
    return 0;
  }

  struct inode *ip;
  if (dirfind(dp, name, 0) != 0) {
    ip = dirlookup(dp, name, 0);
    iunlockput(dp);
    if (ip == 0) {
      *errp = -ENFILE;  // it exists, but the inode cache is full
      return 0;
    }
    ilock(ip);
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
  *errp = -ENOSPC;
  if ((ip = ialloc(dp->dev, type)) == 0) {
    iunlockput(dp);
    return 0;
  }
  ilock(ip);
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
  iunlock(dp);
  iunlockput(ip);
  iput(dp);
  if (*errp >= 0)
    *errp = -ENOSPC;
  return 0;
}

// The inode for open(): created, or looked up and checked. Locked, or 0.
static struct inode *
open_inode(const char *path, int omode, int *errp)
{
  struct inode *ip;
  if (omode & O_CREATE)
    return create(path, T_FILE, 0, 0, errp);
  if ((ip = namei(path)) == 0) {
    *errp = -ENOENT;
    return 0;
  }
  ilock(ip);
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
  begin_op();
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
  if (ip->type == T_DEVICE) {
    f->type = FD_DEVICE;
    f->major = ip->major;
  } else {
    f->type = FD_INODE;
    f->off = 0;
  }
  f->ip = ip;
  f->readable = !(omode & O_WRONLY);
  f->writable = (omode & O_WRONLY) || (omode & O_RDWR);
  if ((omode & O_TRUNC) && ip->type == T_FILE) {
    // A big file takes several operations (itrunc, fs.c); others may use
    // the file between them, so let go of it while committing.
    while (!itrunc(ip)) {
      iunlock(ip);
      end_op();
      begin_op();
      ilock(ip);
    }
  }
  iunlock(ip);
  end_op();
  return fd;
}

static long
make_node(short type, short major, short minor)
{
  char path[MAXPATH];
  int err = argstr(0, path, MAXPATH);
  if (err < 0)
    return err;
  begin_op();
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
  begin_op();
  struct inode *ip = namei(path);
  if (ip == 0) {
    end_op();
    return -ENOENT;
  }
  ilock(ip);
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
