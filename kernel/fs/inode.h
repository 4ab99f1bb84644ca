// inode.h -- the inode layer of the file system: in-memory inodes, file
// contents, directories and path names (fs.c).
//
// Life of an in-memory inode:
//   iget()/dirlookup() -> referenced (ref > 0), maybe not yet read from disk
//   namei()        -> referenced and read (valid)
//   ilock()        -> locked and valid: its fields mirror the disk inode.
//                     Reading it may fail (-EIO): only the first ilock
//                     after iget/dirlookup can, since a referenced inode
//                     stays valid; every later ilock may ignore the result
//   iunlock()      -> still referenced, fields may go stale
//   iput()         -> drops the reference; the last reference to an inode
//                     with no links frees it on disk (so it must be called
//                     inside a transaction; a memory inode, below, needs
//                     none: its last reference frees it in memory).
//                     Freeing takes as many log
//                     operations as the file needs (see itrunc) and
//                     returns the caller a fresh one: iput may end the
//                     caller's operation and begin new ones, so call it
//                     only when the operation's changes are complete and
//                     with no other inode locked. On a read-only file
//                     system (the log stopped), or after a disk error,
//                     the inode is not freed (or only in part): it stays
//                     in the orphan table for the next boot to free.
// Lock legend for struct inode:
//   [c] the inode cache lock (fs.c)   [s] the inode's own sleep lock
//   [I] fixed while ref > 0 (or while the slot holds cached pages)
//   [pc] the page cache's lock (pagecache.c)
//   [pc; c] written only under pc.lock; tested against 0 under the inode
//        cache lock alone by iget and inode_next_cached (see `pages`)
#ifndef PCV6_INODE_H
#define PCV6_INODE_H

#include "kernel/types.h"
#include "kernel/fs.h"
#include "kernel/lib/sleeplock.h"

struct stat;

struct inode {
  uint dev;               // [I]
  uint inum;              // [I]
  int ref;                // [c] references (open files, cwd, lookups)
  int freeing;            // [c] iput is freeing it: no new reference may be taken
  struct sleeplock lock;
  int valid;              // [s] fields below were read from disk

  short type;             // [s] copy of the disk inode
  short major;
  short minor;
  short nlink;
  uint size;
  uint addrs[NDIRECT + 2];

  // The page cache (pagecache.c). Pages may stay cached after the last
  // reference goes; iget drops them when it gives the slot to another file.
  // The cache adds and removes pages under pc.lock only. iget and
  // inode_next_cached ask "any pages?" holding only icache.lock, which is
  // enough: adding a page needs the inode locked, so referenced, and a
  // reference is taken under icache.lock, so while ref == 0 the list can
  // only shrink (eviction may empty it at any moment). A nonzero answer
  // may thus be stale, and both callers cope: a slot whose pages just
  // went still holds its file, pc_forget takes an empty list, write-back
  // of an inode with no pages does nothing. For a referenced slot,
  // inode_next_cached's answer is a hint for write-back.
  struct page *pages;     // [pc; c] this file's cached pages
  struct vma *maps;       // [pc] areas mapping this file (the reverse map, rmap.c)
  uint64 log_seq;         // [s] newest log transaction holding a change to this file
  uint wb_err;            // [a] write-back failures so far, an error sequence:
                          //     open files compare it with their snapshot
                          //     (file_check_wb_error, file.c)
  uint ra_next;           // [s] read-ahead: the page a sequential reader
  uint ra_win;            // [s]   misses next, and the current window

  // Programs (exec.c). A file may be written or run, never both at once
  // (ETXTBSY, as on Linux): writecount > 0 counts the open files that may
  // write it (a shared writable mapping holds its file), < 0 the program
  // images made from it (each an open file of exec's, file_open_exec).
  // `running` counts the same images for the page cache: while it is not
  // 0 the cached pages of the file's segments, pin_lo..pin_hi, stay
  // (pagecache.c, "running programs").
  int writecount;         // [a] writers (> 0) or minus the images (< 0)
  int running;            // [pc] program images of this file
  uint pin_lo, pin_hi;    // [pc] while running: the page numbers that stay
};

// Memory inodes. The memory object behind a shared anonymous mapping
// (kernel/mm/shmem.c) is an inode of device IMEM_DEV, which no disk has:
// never on a disk, in no directory, with no blocks, valid from birth (so
// ilock never reads it) and of type T_FILE, size the object's length. Its
// pages are page-cache pages that the cache never evicts nor writes back;
// iget never finds it (no disk's device), scans of cached files skip it
// (inode_next_cached), and its last reference -- its file's last close,
// which needs no transaction -- frees its pages and the slot at once.
#define IMEM_DEV 0xFFFFFFFFU

static inline int
inode_is_mem(struct inode *ip)
{
  return ip->dev == IMEM_DEV;
}

void fsinit(int dev);
void iinit(void);
int  inodes_in_use(void);
// A new memory inode of size bytes (above), referenced; 0 when every
// inode cache slot is in use. => no locks held (takes icache.lock).
struct inode *ialloc_mem(uint size);
// The next inode slot from *cursor on that holds cached pages and is not
// being freed (its pages go with it) nor a memory inode (nothing to write
// back, nothing to evict), with a new
// reference (drop it with iput inside a transaction); 0 at the end.
struct inode *inode_next_cached(int *cursor);
// The largest file, in bytes (file offsets are 32-bit uints).
#define FILE_MAX_BYTES ((uint64)MAXFILE * BSIZE)
// Disk block holding file block bn, 0 if none is allocated, -EIO if a
// block-number table cannot be read. => locked.
int  bmap_lookup(struct inode *ip, uint bn);
// The same for the n consecutive file blocks from bn, into out[0..n):
// each block-number table is read once per run, not once per block.
// 0, or -EIO (out[] then incomplete).
int  bmap_lookup_run(struct inode *ip, uint bn, uint n, uint *out);
// Like bmap_lookup, giving the block (and any missing table on its path) a
// zeroed disk block if it has none; 0 if the disk is full, -EIO if a table
// or bitmap block cannot be read. The caller must have checked
// bmap_run_cost against log_room() and writes the inode afterwards
// (iupdate), whatever the result: addrs[] may have changed. bn < MAXFILE.
// => locked, in a transaction
int  bmap_alloc(struct inode *ip, uint bn);
// The most blocks new to the log operation that writing file blocks
// [bn, bn+n) can add, allocating the missing ones (the inode block not
// included): each block, and for a missing one its bitmap block and the
// tables on its path (a table that cannot be read counts as missing).
// n <= NINDIRECT, so a run meets at most BMAP_RUN_TABLES_MAX tables and
// costs at most 2n + 2 * BMAP_RUN_TABLES_MAX. => locked
#define BMAP_RUN_TABLES_MAX 3
int  bmap_run_cost(struct inode *ip, uint bn, uint n);
// A fresh on-disk inode of this type, referenced and unlocked; 0 with
// *errp -ENOSPC if the disk has no free inode, -ENFILE if the cache is
// full, -EIO if an inode block cannot be read. => inside a transaction.
// Its first ilock cannot fail (its block is in the transaction).
struct inode *ialloc(uint dev, short type, int *errp);
struct inode *idup(struct inode *ip);
// 0, or -EIO (ip not locked) if ip had to be read and could not be: see
// the life of an inode above.
int  ilock(struct inode *ip);
void iunlock(struct inode *ip);
void iput(struct inode *ip);
void iunlockput(struct inode *ip);
// Writes the fields to disk and notes the transaction in ip->log_seq.
// => locked, in a transaction
void iupdate(struct inode *ip);
// Returns 0 when every change to ip logged so far (contents written by
// write() or write-back, size, blocks) has committed; -EIO if the log
// stopped before they did. => no locks held, outside any operation; ip
// referenced
int  iwait_durable(struct inode *ip);
// Lists ip in the orphan table on disk (kernel/fs.h), unless it is
// listed already: called in the transaction that drops its link count to
// 0, so that a crash before the inode is freed leaves it to the next
// boot. It stays listed until its last reference frees it (iput). Adds at
// most one block (SBLOCK) to the operation; if that block cannot be read,
// or the table is full, the log stops (fs.c, "the orphan table").
// => locked, in a transaction
void orphan_add(struct inode *ip);
// Makes ip len bytes long (len <= its size: growing is the caller's
// business, see sys_ftruncate) and frees every block at or past file
// block ceil(len / BSIZE), from the end down, as many as the log
// operation's budget allows, then writes the inode. The size, the zeroed
// tail of the new last block and the removal of cached pages past len
// come first, in the same piece, so others see the old size or len,
// nothing between. Returns 1 when no block past len is left; 0 when the
// caller must commit (end the operation, begin another) and call again --
// with len = the size as it is then, which may have grown meanwhile if
// the inode was unlocked: later pieces free only blocks past the size
// already published. A 0 returned with the size still above len means
// that nothing was done (no room even to publish): call again with len.
// -EIO when a block could not be read: give up; either nothing changed
// (the size is still above len) or the size is len and some blocks past
// it stay allocated (a valid file, as between two pieces).
// While blocks past the size are left (after a 0 or an -EIO), the inode
// is in the orphan table (listed by the piece that leaves them, unlisted
// by the one that frees the last, if ip has links), so a crash between
// pieces, or after a disk error, leaves the rest to the next boot. The
// order, and what a reader sees: fs.c, "truncation". => locked, in a
// transaction
int  itrunc(struct inode *ip, uint len);
// Write access and programs (writecount above). A writer -- open() for
// writing or with O_TRUNC -- takes inode_get_write: 0, or -ETXTBSY while
// a program image of the file exists; inode_put_write gives it back. exec
// takes inode_deny_write for the image it makes: 0, or -ETXTBSY while the
// file has a writer; inode_allow_write when the image goes. A memory
// inode and a device never count. => any locks (atomic on writecount).
int  inode_get_write(struct inode *ip);
void inode_put_write(struct inode *ip);
int  inode_deny_write(struct inode *ip);
void inode_allow_write(struct inode *ip);
// Fills every byte of *st (padding zeroed: it is copied out whole). => locked
void stati(struct inode *ip, struct stat *st);

// Read/write file contents; user != 0 means dst/src is a user address.
// Return bytes transferred (short at EOF, when the disk fills or fails
// part-way), or -E* (-EIO: a block could not be read).
// => ip locked; writei inside a transaction.
int readi(struct inode *ip, int user, uint64 dst, uint off, uint n);
int writei(struct inode *ip, int user, uint64 src, uint off, uint n);

// Directories. => dp locked.
// The inode number named `name` in dp (its entry's offset in *poff), 0
// if none, or -EIO.
int  dirfind(struct inode *dp, const char *name, uint *poff);
// The same, as a referenced inode (not read yet); 0 with *errp (if errp)
// -ENOENT if absent, -ENFILE if the inode cache is full, or -EIO.
struct inode *dirlookup(struct inode *dp, const char *name, uint *poff, int *errp);
int dirlink(struct inode *dp, const char *name, uint inum);  // 0 or -E*
int namecmp(const char *a, const char *b);

// Path lookup; return referenced, unlocked inodes that have been read
// from disk, or 0 with *errp (if errp) -ENOENT, or -EIO when a directory
// or inode block on the way could not be read.
struct inode *namei(const char *path, int *errp);
struct inode *nameiparent(const char *path, char *name, int *errp);

#endif
