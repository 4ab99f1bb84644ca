// inode.h -- the inode layer of the file system: in-memory inodes, file
// contents, directories and path names (fs.c).
//
// Life of an in-memory inode:
//   iget()/namei() -> referenced (ref > 0), maybe not yet read from disk
//   ilock()        -> locked and valid: its fields mirror the disk inode
//   iunlock()      -> still referenced, fields may go stale
//   iput()         -> drops the reference; the last reference to an inode
//                     with no links frees it on disk (so it must be called
//                     inside a transaction). Freeing takes as many log
//                     operations as the file needs (see itrunc) and
//                     returns the caller a fresh one: iput may end the
//                     caller's operation and begin new ones, so call it
//                     only when the operation's changes are complete and
//                     with no other inode locked.
// Lock legend for struct inode:
//   [c] the inode cache lock (fs.c)   [s] the inode's own sleep lock
//   [I] fixed while ref > 0 (or while the slot holds cached pages)
//   [pc] the page cache's lock (pagecache.c)
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
  int freeing;            // [c] its last iput is freeing it on disk
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
  struct page *pages;     // [pc] this file's cached pages
  struct vma *maps;       // [pc] areas mapping this file (the reverse map)
  uint ra_next;           // [s] read-ahead: the page a sequential reader
  uint ra_win;            // [s]   misses next, and the current window
};

void fsinit(int dev);
void iinit(void);
int  inodes_in_use(void);
// The next inode slot from *cursor on that holds cached pages, with a new
// reference (drop it with iput inside a transaction); 0 at the end. A
// slot that iput is freeing is skipped.
struct inode *inode_next_cached(int *cursor);
// Disk block holding file block bn, or 0 if none is allocated. => locked.
uint bmap_lookup(struct inode *ip, uint bn);
// The same for the n consecutive file blocks from bn, into out[0..n):
// each block-number table is read once per run, not once per block.
void bmap_lookup_run(struct inode *ip, uint bn, uint n, uint *out);
// A fresh on-disk inode of this type, referenced and unlocked; 0 if the
// disk has no free inode or the cache is full. => inside a transaction.
struct inode *ialloc(uint dev, short type);
struct inode *idup(struct inode *ip);
void ilock(struct inode *ip);
void iunlock(struct inode *ip);
void iput(struct inode *ip);
void iunlockput(struct inode *ip);
void iupdate(struct inode *ip);   // writes fields to disk; => locked, in a transaction
// Frees ip's blocks from the end of the file down, as many as the log
// operation's budget allows, and writes the inode: a valid, shorter file.
// Returns 1 when no block is left (size 0); 0 when the caller must commit
// (end the operation, begin another) and call again. => locked, in a
// transaction
int  itrunc(struct inode *ip);
// Fills every byte of *st (padding zeroed: it is copied out whole). => locked
void stati(struct inode *ip, struct stat *st);

// Read/write file contents; user != 0 means dst/src is a user address.
// Return bytes transferred (short at EOF or when the disk fills), or -E*.
// => ip locked; writei inside a transaction.
int readi(struct inode *ip, int user, uint64 dst, uint off, uint n);
int writei(struct inode *ip, int user, uint64 src, uint off, uint n);

// Directories. => dp locked.
// The inode number named `name` in dp (its entry's offset in *poff), or 0.
uint dirfind(struct inode *dp, const char *name, uint *poff);
// The same, as a referenced inode; 0 if absent or the inode cache is full.
struct inode *dirlookup(struct inode *dp, const char *name, uint *poff);
int dirlink(struct inode *dp, const char *name, uint inum);  // 0 or -E*
int namecmp(const char *a, const char *b);

// Path lookup; return referenced, unlocked inodes or 0.
struct inode *namei(const char *path);
struct inode *nameiparent(const char *path, char *name);

#endif
