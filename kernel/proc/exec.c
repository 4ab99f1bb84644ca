// exec.c -- loading an ELF program into a new user address space.
//
// Resulting layout (memlayout.h): the LOAD segments from their vaddr (our
// linker script puts the first at 0; any page-aligned layout is accepted
// as long as the stack still fits below TRAPFRAME), each mapped with only the rights its flags ask for (so text
// is never writable); then one unmapped guard page; then USERSTACK pages
// of stack holding argv; the heap starts just above the stack.
// The new image is built completely before the old one is dropped, so a
// failing exec returns to the caller's intact program.
#include "kernel/types.h"
#include "kernel/param.h"
#include "kernel/memlayout.h"
#include "kernel/riscv.h"
#include "kernel/errno.h"
#include "kernel/lib/printf.h"
#include "kernel/lib/string.h"
#include "kernel/lib/spinlock.h"
#include "kernel/proc/proc.h"
#include "kernel/mm/vm.h"
#include "kernel/fs/log.h"
#include "kernel/fs/inode.h"
#include "kernel/elf.h"
#include "kernel/mm/vma.h"
#include "kernel/proc/exec.h"

static int
seg_perm(uint32 flags)
{
  int perm = PTE_R;
  if (flags & ELF_PROG_FLAG_W)
    perm |= PTE_W;
  if (flags & ELF_PROG_FLAG_X)
    perm |= PTE_X;
  return perm;
}

// Copies filesz bytes at file offset off into the mapped pages at va.
// => ip locked.
static int
load_bytes(pagetable_t pt, uint64 va, struct inode *ip, uint off, uint filesz)
{
  for (uint i = 0; i < filesz; i += PGSIZE) {
    uint64 pa = walkaddr(pt, va + i);
    KASSERT(pa != 0);
    uint n = filesz - i < PGSIZE ? filesz - i : PGSIZE;
    if (readi(ip, 0, pa, off + i, n) != (int)n)
      return -ENOEXEC;
  }
  return 0;
}

// Maps and fills every LOAD segment; *szp is the end of the highest one.
// => ip locked.
static int
load_segments(pagetable_t pt, struct inode *ip, struct elfhdr *eh, uint64 *szp)
{
  uint64 sz = 0;
  for (int i = 0; i < eh->phnum; i++) {
    struct proghdr ph;
    uint off = eh->phoff + i * sizeof(ph);
    if (readi(ip, 0, (uint64)&ph, off, sizeof(ph)) != sizeof(ph))
      return -ENOEXEC;
    if (ph.type != ELF_PROG_LOAD)
      continue;
    if (ph.memsz < ph.filesz || ph.vaddr + ph.memsz < ph.vaddr ||
        ph.vaddr + ph.memsz >= TRAPFRAME || ph.vaddr % PGSIZE != 0 ||
        ph.vaddr < PGROUNDUP(sz))
      return -ENOEXEC;
    if (ph.memsz == 0)
      continue;
    if (uvmalloc(pt, ph.vaddr, ph.vaddr + ph.memsz, seg_perm(ph.flags)) == 0)
      return -ENOMEM;
    sz = ph.vaddr + ph.memsz;
    *szp = sz;  // so the caller frees what is mapped even if loading fails
    int err = load_bytes(pt, ph.vaddr, ip, ph.off, ph.filesz);
    if (err)
      return err;
  }
  return 0;
}

// Pushes the argument strings and the argv[] array onto the stack that
// ends at *spp. Returns argc or -E2BIG / -EFAULT.
static long
push_args(pagetable_t pt, uint64 *spp, uint64 stack_base, char **argv)
{
  uint64 sp = *spp;
  uint64 uargv[MAXARG + 1];
  int argc;
  for (argc = 0; argv[argc]; argc++) {
    if (argc >= MAXARG)
      return -E2BIG;
    sp -= strlen(argv[argc]) + 1;
    sp -= sp % 16;  // the RISC-V ABI wants sp 16-byte aligned
    if (sp < stack_base || copyout(pt, sp, argv[argc], strlen(argv[argc]) + 1) < 0)
      return -E2BIG;
    uargv[argc] = sp;
  }
  uargv[argc] = 0;
  sp -= (argc + 1) * sizeof(uint64);
  sp -= sp % 16;
  if (sp < stack_base || copyout(pt, sp, uargv, (argc + 1) * sizeof(uint64)) < 0)
    return -E2BIG;
  *spp = sp;
  return argc;
}

static const char *
last_element(const char *path)
{
  const char *last = path;
  for (const char *s = path; *s; s++)
    if (*s == '/')
      last = s + 1;
  return last;
}

long
kexec(const char *path, char **argv)
{
  struct proc *p = myproc();
  struct elfhdr eh;
  pagetable_t pt = 0;
  uint64 sz = 0;
  long err;

  begin_op();  // only reads: a read-only file system will do
  int lookup_err;
  struct inode *ip = namei(path, &lookup_err);
  if (ip == 0) {
    end_op();
    return lookup_err;
  }
  ilock(ip);  // read by namei: cannot fail
  err = -ENOEXEC;
  if (readi(ip, 0, (uint64)&eh, 0, sizeof(eh)) != sizeof(eh) || eh.magic != ELF_MAGIC)
    goto bad;
  err = -ENOMEM;
  if ((pt = proc_pagetable(p)) == 0)
    goto bad;
  if ((err = load_segments(pt, ip, &eh, &sz)) != 0)
    goto bad;
  iunlockput(ip);
  end_op();
  ip = 0;

  // Guard page, then the stack.
  uint64 stack_base = PGROUNDUP(sz) + PGSIZE;
  uint64 stack_top = stack_base + USERSTACK * PGSIZE;
  err = -ENOEXEC;
  if (stack_top > TRAPFRAME)
    goto bad;  // segments so high that the stack would hit TRAPFRAME
  err = -ENOMEM;
  if (uvmalloc(pt, stack_base, stack_top, PTE_W) == 0)
    goto bad;
  sz = stack_top;
  uint64 sp = stack_top;
  long argc = push_args(pt, &sp, stack_base, argv);
  if (argc < 0) {
    err = argc;
    goto bad;
  }

  // Commit: from here on the old image is gone. The name and the table
  // change under p->lock, which proc_list() (ps) holds while it reads
  // them, so it never walks a table that is being freed.
  vma_unmap_all(p);
  pagetable_t oldpt = p->pagetable;
  uint64 oldsz = p->sz;
  acquire(&p->lock);
  safestrcpy(p->name, last_element(path), sizeof(p->name));
  p->pagetable = pt;
  release(&p->lock);
  p->sz = stack_top;
  p->heap_base = stack_top;
  p->trapframe->epc = eh.entry;
  p->trapframe->x[REG_SP] = sp;
  p->trapframe->x[REG_A1] = sp;  // argv
  proc_freepagetable(oldpt, oldsz);
  return argc;  // lands in a0

bad:
  if (pt)
    proc_freepagetable(pt, sz);
  if (ip) {
    iunlockput(ip);
    end_op();
  }
  return err;
}
