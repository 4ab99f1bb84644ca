// exec.c -- loading an ELF program into a new user address space.
//
// Resulting layout (memlayout.h): the LOAD segments from their vaddr (our
// linker script puts the first at 0; any page-aligned layout is accepted
// as long as the stack still fits below TRAPFRAME), each with only the
// rights its flags ask for (so text is never writable); then one unmapped
// guard page; then USERSTACK pages of stack holding argv; the heap starts
// just above the stack.
//
// Two ways to load, chosen by the policy new file areas get (KNOB_POLICY,
// `vmctl policy`), so that the benchmarks can compare them in one boot:
//   map  (the cache policy, the default) Each segment becomes areas of the
//        process's program table (vma.h): its whole file pages an area of
//        the file, MAP_PRIVATE, whose pages are the page cache's -- text
//        mapped read+exec, one physical copy however many processes run
//        it; data mapped read-only until a store copies it -- and the rest
//        of its memory (bss) a private anonymous area, zero-filled when
//        touched. A segment's partial last page of file bytes is the
//        exception: it is copied now into the anonymous area's first page
//        and the rest of that page zeroed (the bytes that follow filesz in
//        the file's page are not zeros in general: the next section, the
//        symbol table); a read-only segment with nothing to zero maps that
//        page from the cache too, as a text segment's last page. Nothing
//        else is read here: pages arrive through faults (fault.c), with
//        fault-around and read-ahead, as for any file mapping.
//   copy (the naive policy: the old design, kept as the baseline) Every
//        page of every segment is allocated and filled from the file now,
//        private to the process.
// Either way the image holds its file open (file_open_exec, p->exe):
// while any process runs it -- this one and the children it forks --
// nothing may write the file (ETXTBSY), and exec refuses a file that
// something may write; when mapped, the cached pages of its segments stay
// in memory meanwhile (pagecache.c, "running programs").
//
// Checks, the same whichever way (ENOEXEC): a regular file; the magic
// number; program headers of the ELF64 size, all inside the file; for each
// LOAD segment, filesz <= memsz, vaddr and file offset page aligned, an end
// that neither wraps nor reaches TRAPFRAME, a start at or above the end of
// the one before (segments in order, none overlapping another), its file
// bytes inside the file; the entry point inside an executable segment;
// no more areas than VMA_PROG_MAX would take (counted when copying too).
// The segments were
// checked before anything is read lazily, and the file cannot change
// afterwards (ETXTBSY), so a fault never finds the file shorter than exec
// did.
//
// The new image is built completely before the old one is dropped, so a
// failing exec returns to the caller's intact program.
#include "kernel/types.h"
#include "kernel/param.h"
#include "kernel/memlayout.h"
#include "kernel/riscv.h"
#include "kernel/fcntl.h"
#include "kernel/stat.h"
#include "kernel/errno.h"
#include "kernel/lib/printf.h"
#include "kernel/lib/string.h"
#include "kernel/lib/spinlock.h"
#include "kernel/proc/proc.h"
#include "kernel/mm/vm.h"
#include "kernel/mm/pagecache.h"
#include "kernel/mm/kstats_impl.h"
#include "kernel/fs/log.h"
#include "kernel/fs/inode.h"
#include "kernel/fs/file.h"
#include "kernel/elf.h"
#include "kernel/mm/vma.h"
#include "kernel/proc/exec.h"

// The image being built: the new page table and, when mapping, the areas
// it will get once it replaces the old one (vma_prog_add at the commit).
struct image {
  struct inode *ip;  // the program, locked while loading
  struct elfhdr eh;
  int map;           // 1: map from the page cache; 0: copy (naive policy)
  pagetable_t pt;
  uint64 end;        // end of the highest segment so far: [0, end) to free on failure
  int entry_ok;      // the entry point lies in an executable segment
  uint pin_lo, pin_hi;  // mapping: the file pages of the segments, which stay cached
  int nareas;
  struct {
    uint64 start, end, off;  // off: the file offset of start (file areas)
    int prot;
    int anon;                // 1: private anonymous memory, no file
  } area[VMA_PROG_MAX];
};

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

// A segment's rights as an area's prot: always readable, as seg_perm.
static int
seg_prot(uint32 flags)
{
  int prot = PROT_READ;
  if (flags & ELF_PROG_FLAG_W)
    prot |= PROT_WRITE;
  if (flags & ELF_PROG_FLAG_X)
    prot |= PROT_EXEC;
  return prot;
}

// The program header table must lie inside the file, in entries of the
// ELF64 size. => ip locked.
static int
check_header(struct image *img)
{
  struct elfhdr *eh = &img->eh;
  uint64 table = (uint64)eh->phnum * sizeof(struct proghdr);  // at most 64K * 56
  if (eh->phentsize != sizeof(struct proghdr) || eh->phoff > img->ip->size ||
      table > img->ip->size - eh->phoff)
    return -ENOEXEC;
  return 0;
}

// A LOAD segment that exec can load after one ending at prev (see the top).
// => ip locked.
static int
check_segment(struct image *img, struct proghdr *ph, uint64 prev)
{
  if (ph->memsz < ph->filesz || ph->vaddr + ph->memsz < ph->vaddr ||
      ph->vaddr + ph->memsz >= TRAPFRAME || ph->vaddr % PGSIZE != 0 ||
      ph->off % PGSIZE != 0 || ph->vaddr < PGROUNDUP(prev) ||
      ph->off + ph->filesz < ph->off || ph->off + ph->filesz > img->ip->size)
    return -ENOEXEC;
  if ((ph->flags & ELF_PROG_FLAG_X) && img->eh.entry >= ph->vaddr &&
      img->eh.entry < ph->vaddr + ph->memsz)
    img->entry_ok = 1;
  return 0;
}

// Where a segment's file pages end when it is mapped: its whole pages of
// file bytes come from the cache, and so does a partial last one in a
// read-only segment with nothing past filesz to zero.
static uint64
file_pages_end(struct proghdr *ph)
{
  uint64 fend = ph->vaddr + ph->filesz;
  if ((ph->flags & ELF_PROG_FLAG_W) || ph->memsz > ph->filesz)
    return PGROUNDDOWN(fend);
  return PGROUNDUP(fend);
}

// The areas mapping a segment takes (map_segment): its file pages, then
// zero-filled memory, either maybe empty.
static int
segment_areas(struct proghdr *ph)
{
  uint64 fpages = file_pages_end(ph);
  return (fpages > ph->vaddr) + (PGROUNDUP(ph->vaddr + ph->memsz) > fpages);
}

// ---- copying (the naive policy) ----

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

static int
copy_segment(struct image *img, struct proghdr *ph)
{
  if (uvmalloc(img->pt, ph->vaddr, ph->vaddr + ph->memsz, seg_perm(ph->flags)) == 0)
    return -ENOMEM;
  img->end = ph->vaddr + ph->memsz;  // freed from here on if loading fails
  img->nareas += segment_areas(ph);  // what mapping it would have taken
  kstat_add(exec_copied, PGROUNDUP(ph->filesz) / PGSIZE);
  return load_bytes(img->pt, ph->vaddr, img->ip, ph->off, ph->filesz);
}

// ---- mapping (the cache policy) ----

static void
add_area(struct image *img, uint64 start, uint64 end, int prot, uint64 off, int anon)
{
  KASSERT(img->nareas < VMA_PROG_MAX);  // load_segments counted them
  img->area[img->nareas].start = start;
  img->area[img->nareas].end = end;
  img->area[img->nareas].off = off;
  img->area[img->nareas].prot = prot;
  img->area[img->nareas].anon = anon;
  img->nareas++;
}

// The page at va, the first of an anonymous area: a private page holding
// the n file bytes at off, zeros after them, mapped with the area's
// rights as a fault would map it (anon_fault, mmap_cache.c). The bytes
// come through the page cache, which then holds the page for the next
// exec of the program. => ip locked.
static int
fill_partial(struct image *img, uint64 va, uint64 off, uint64 n, int prot)
{
  int perm = vma_leaf_rights(prot) | PTE_A | PTE_D | ((prot & PROT_WRITE) ? PTE_W : 0);
  if (uvmmapzero(img->pt, va, perm) != 0)
    return -ENOMEM;
  uint64 pa = walkaddr(img->pt, va);
  KASSERT(pa != 0);
  int got = pc_read(img->ip, 0, pa, (uint)off, (uint)n);
  kstat_inc(exec_copied);
  if (got < 0)
    return got;  // a disk error (-EIO), or no memory for the cache page
  return got == (int)n ? 0 : -ENOEXEC;
}

static int
map_segment(struct image *img, struct proghdr *ph)
{
  int prot = seg_prot(ph->flags);
  uint64 fend = ph->vaddr + ph->filesz, mend = PGROUNDUP(ph->vaddr + ph->memsz);
  uint64 fpages = file_pages_end(ph);
  if (fpages > ph->vaddr)
    add_area(img, ph->vaddr, fpages, prot, ph->off, 0);
  if (mend > fpages)
    add_area(img, fpages, mend, prot, 0, 1);
  uint lo = ph->off / PGSIZE, hi = PGROUNDUP(ph->off + ph->filesz) / PGSIZE;
  if (lo < hi) {
    img->pin_lo = img->pin_hi == 0 || lo < img->pin_lo ? lo : img->pin_lo;
    img->pin_hi = hi > img->pin_hi ? hi : img->pin_hi;
  }
  img->end = ph->vaddr + ph->memsz;  // freed from here on if loading fails
  if (fend > fpages)
    return fill_partial(img, fpages, ph->off + (fpages - ph->vaddr), fend - fpages, prot);
  return 0;
}

// Checks and loads (copies or maps) every LOAD segment; img->end is the
// end of the highest one. => ip locked.
static int
load_segments(struct image *img)
{
  int err = check_header(img);
  for (int i = 0; err == 0 && i < img->eh.phnum; i++) {
    struct proghdr ph;
    uint off = img->eh.phoff + i * sizeof(ph);
    if (readi(img->ip, 0, (uint64)&ph, off, sizeof(ph)) != sizeof(ph))
      return -ENOEXEC;
    if (ph.type != ELF_PROG_LOAD)
      continue;
    if ((err = check_segment(img, &ph, img->end)) != 0 || ph.memsz == 0)
      continue;
    // Counted whichever way the program is loaded, so that it runs under
    // both policies or under neither.
    if (img->nareas + segment_areas(&ph) > VMA_PROG_MAX) {
      err = -ENOEXEC;
      continue;
    }
    err = img->map ? map_segment(img, &ph) : copy_segment(img, &ph);
  }
  if (err == 0 && !img->entry_ok)
    err = -ENOEXEC;  // no executable segment holds the entry point
  return err;
}

// Pushes the argument strings and the argv[] array onto the stack that
// ends at *spp. Returns argc or -E2BIG / -EFAULT. Not inlined: its array
// would sit in kexec's frame under the whole of loading, which can go
// deep (a page-cache miss reading from the disk), on a one-page stack.
static __attribute__((noinline)) long
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

// Opens the program at path, reads its ELF header and makes its image's
// file (file_open_exec: ETXTBSY if something may write it). Returns with
// img->ip locked and referenced, inside a log operation, or an error with
// neither held.
static long
open_program(const char *path, struct image *img, struct file **exe)
{
  begin_op();  // only reads: a read-only file system will do
  int err;
  struct inode *ip = namei(path, &err);
  if (ip == 0) {
    end_op();
    return err;
  }
  ilock(ip);  // read by namei: cannot fail
  err = -ENOEXEC;
  if (ip->type == T_FILE &&
      readi(ip, 0, (uint64)&img->eh, 0, sizeof(img->eh)) == sizeof(img->eh) &&
      img->eh.magic == ELF_MAGIC)
    err = file_open_exec(ip, exe);
  if (err) {
    iunlockput(ip);
    end_op();
    return err;
  }
  img->ip = ip;
  return 0;
}

long
kexec(const char *path, char **argv)
{
  struct proc *p = myproc();
  struct image img;
  struct file *exe = 0;
  memset(&img, 0, sizeof(img));
  long err = open_program(path, &img, &exe);
  if (err)
    return err;
  img.map = vma_default_policy == &mmap_cache_policy;
  err = -ENOMEM;
  if ((img.pt = proc_pagetable(p)) == 0)
    goto bad;
  if ((err = load_segments(&img)) != 0)
    goto bad;
  if (img.pin_lo < img.pin_hi) {
    pc_exec_pin(img.ip, img.pin_lo, img.pin_hi);  // while the image lives
    exe->pins = 1;
  }
  iunlockput(img.ip);
  end_op();
  img.ip = 0;

  // Guard page, then the stack.
  uint64 stack_base = PGROUNDUP(img.end) + PGSIZE;
  uint64 stack_top = stack_base + USERSTACK * PGSIZE;
  err = -ENOEXEC;
  if (stack_top > TRAPFRAME)
    goto bad;  // segments so high that the stack would hit TRAPFRAME
  err = -ENOMEM;
  if (uvmalloc(img.pt, stack_base, stack_top, PTE_W) == 0)
    goto bad;
  img.end = stack_top;
  uint64 sp = stack_top;
  long argc = push_args(img.pt, &sp, stack_base, argv);
  if (argc < 0) {
    err = argc;
    goto bad;
  }

  // Commit: from here on the old image is gone. The name and the table
  // change under p->lock, which proc_list() (ps) holds while it reads
  // them, so it never walks a table that is being freed. The new areas
  // join the reverse map once their table is the process's.
  vma_unmap_all(p);
  pagetable_t oldpt = p->pagetable;
  uint64 oldsz = p->sz;
  struct file *oldexe = p->exe;
  acquire(&p->lock);
  safestrcpy(p->name, last_element(path), sizeof(p->name));
  p->pagetable = img.pt;
  release(&p->lock);
  for (int i = 0; i < img.nareas; i++)
    vma_prog_add(p, img.area[i].start, img.area[i].end, img.area[i].prot,
                 img.area[i].anon ? 0 : exe, img.area[i].off);
  p->exe = exe;
  p->sz = stack_top;
  p->heap_base = stack_top;
  p->trapframe->epc = img.eh.entry;
  p->trapframe->x[REG_SP] = sp;
  p->trapframe->x[REG_A1] = sp;  // argv
  proc_freepagetable(oldpt, oldsz);
  if (oldexe)
    fileclose(oldexe);  // outside any log operation: a last close may free the file
  return argc;  // lands in a0

bad:
  if (img.pt)
    proc_freepagetable(img.pt, img.end);
  if (img.ip) {
    iunlockput(img.ip);
    end_op();
  }
  fileclose(exe);
  return err;
}
