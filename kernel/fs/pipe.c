// pipe.c -- pipes: a PIPESIZE-byte ring shared by a read end and a write
// end. Readers sleep while it is empty and a writer is open; writers sleep
// while it is full and a reader is open. Writing with no reader left
// fails with -EPIPE; reading with no writer left returns 0 (end of file).
//
// Lock: pi->lock protects everything in the pipe; a leaf apart from the
// process locks of sleep/wakeup. Never held while touching user memory.
#include "kernel/types.h"
#include "kernel/param.h"
#include "kernel/errno.h"
#include "kernel/lib/spinlock.h"
#include "kernel/mm/kalloc.h"
#include "kernel/proc/proc.h"
#include "kernel/mm/vm.h"
#include "kernel/fs/file.h"

#define PIPESIZE 512

struct pipe {
  struct spinlock lock;
  char data[PIPESIZE];  // [lock]
  uint nread;           // [lock] bytes read so far
  uint nwrite;          // [lock] bytes written so far
  int readopen;         // [lock] read end still open
  int writeopen;        // [lock] write end still open
};

int
pipealloc(struct file **rf, struct file **wf)
{
  struct pipe *pi = 0;
  *rf = *wf = 0;
  if ((*rf = filealloc()) == 0 || (*wf = filealloc()) == 0)
    goto fail;
  if ((pi = kalloc()) == 0)
    goto fail;
  initlock(&pi->lock, "pipe", LR_PIPE);
  pi->nread = pi->nwrite = 0;
  pi->readopen = pi->writeopen = 1;
  (*rf)->type = FD_PIPE;
  (*rf)->readable = 1;
  (*rf)->writable = 0;
  (*rf)->pipe = pi;
  (*wf)->type = FD_PIPE;
  (*wf)->readable = 0;
  (*wf)->writable = 1;
  (*wf)->pipe = pi;
  return 0;

fail:
  if (*rf)
    fileclose(*rf);
  if (*wf)
    fileclose(*wf);
  *rf = *wf = 0;
  return -ENFILE;
}

void
pipeclose(struct pipe *pi, int writable)
{
  acquire(&pi->lock);
  if (writable) {
    pi->writeopen = 0;
    wakeup(&pi->nread);
  } else {
    pi->readopen = 0;
    wakeup(&pi->nwrite);
  }
  int last = !pi->readopen && !pi->writeopen;
  release(&pi->lock);
  if (last)
    kfree(pi);
}

// Copies of user memory happen with pi->lock released, through a small
// bounce buffer: a copy may fault a page in, and fault handling may sleep.
#define PIPE_CHUNK 128

int
pipewrite(struct pipe *pi, uint64 addr, int n)
{
  struct proc *pr = myproc();
  char buf[PIPE_CHUNK];
  int done = 0;
  while (done < n) {
    int m = n - done < PIPE_CHUNK ? n - done : PIPE_CHUNK;
    if (copyin(pr->pagetable, buf, addr + done, m) < 0)
      return done > 0 ? done : -EFAULT;
    acquire(&pi->lock);
    for (int i = 0; i < m;) {
      if (!pi->readopen || killed(pr)) {
        release(&pi->lock);
        return done > 0 ? done : -EPIPE;
      }
      if (pi->nwrite == pi->nread + PIPESIZE) {
        wakeup(&pi->nread);
        sleep(&pi->nwrite, &pi->lock);
        continue;
      }
      pi->data[pi->nwrite++ % PIPESIZE] = buf[i++];
      done++;
    }
    wakeup(&pi->nread);
    release(&pi->lock);
  }
  return done;
}

int
piperead(struct pipe *pi, uint64 addr, int n)
{
  struct proc *pr = myproc();
  char buf[PIPE_CHUNK];
  if (n > PIPE_CHUNK)
    n = PIPE_CHUNK;  // a short read is allowed; keeps the bounce buffer small
  acquire(&pi->lock);
  while (pi->nread == pi->nwrite && pi->writeopen) {
    if (killed(pr)) {
      release(&pi->lock);
      return -EINTR;
    }
    sleep(&pi->nread, &pi->lock);
  }
  int m = 0;
  while (m < n && pi->nread != pi->nwrite)
    buf[m++] = pi->data[pi->nread++ % PIPESIZE];
  wakeup(&pi->nwrite);
  release(&pi->lock);
  if (m > 0 && copyout(pr->pagetable, addr, buf, m) < 0)
    return -EFAULT;  // the bytes are lost, as with any bad buffer
  return m;
}
