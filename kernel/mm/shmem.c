// shmem.c -- shared anonymous memory: the memory object behind an
// mmap(MAP_SHARED | MAP_ANONYMOUS) area.
//
// Such memory must be one physical page per page for every process that
// maps it -- a parent and its children of any generation, pages first
// touched before the fork or after it, by either side -- until its last
// mapping goes. The page cache already does exactly that for a file
// mapped MAP_SHARED: one cache page per (inode, page number), found by
// lookup, mapped by every process's fault, reached from the page through
// the reverse map. So, as Linux does with shmem, the memory is an unnamed
// file: a memory inode (kernel/fs/inode.h: a device no disk has, no
// blocks, never on a disk nor in a directory) wrapped in a struct file
// that every area mapping it holds. fork's filedup and munmap's and
// exit's fileclose count the mappers with no code of ours, and the last
// close frees the object (iput, fs.c).
//
// Its pages differ from a file's in three ways, all in pagecache.c: a
// miss makes a zeroed page (no disk, no read-ahead; anon_zero_fills
// counts it); there is no swap, so they are never evicted -- they are not
// on the clock, so reclaim, the drop knob and the cache limit never meet
// them, and they count in the shmem_pages gauge, not in pc_pages; and
// write-back has nowhere to write them, so it leaves them as they are.
// Everything else -- fault-around, copy-on-write bookkeeping, dirty
// tracking by store faults (svade), holes punched by munmap, kernel
// copies into them -- is the file path, unchanged.
//
// The rejected alternative was an object type of its own (a table of
// pages and a count of mappers, as BSD's anonymous objects have): it would
// have needed a lookup, a reverse map and a fault path of its own beside
// the cache's, and every walker of cache pages would have had to know
// both; the memory inode costs a check in each of the few places that
// would otherwise take it for a file on a disk.
//
// Locks: none of its own (the inode cache's and the file table's).
#include "kernel/types.h"
#include "kernel/param.h"
#include "kernel/errno.h"
#include "kernel/fs/inode.h"
#include "kernel/fs/file.h"
#include "kernel/mm/shmem.h"

int
shmem_file(uint64 len, struct file **out)
{
  if (len > SHMEM_MAX_BYTES)
    return -ENOMEM;
  struct file *f = filealloc();
  if (f == 0)
    return -ENFILE;
  struct inode *ip = ialloc_mem((uint)len);
  if (ip == 0) {
    fileclose(f);  // still FD_NONE: only the entry goes
    return -ENFILE;
  }
  f->type = FD_INODE;
  f->ip = ip;
  f->pipe = 0;
  f->readable = f->writable = 1;
  f->off = 0;
  f->major = 0;
  f->wb_seen = ip->wb_err;  // nothing can fail to be written back here
  *out = f;
  return 0;
}
