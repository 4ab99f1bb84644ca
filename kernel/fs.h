// fs.h -- the on-disk file system format (xv6 user ABI; mkfs uses it too).
//
// Disk layout, in BSIZE blocks:
//   [ boot | super | log header + log body | inodes | free bitmap | data ... ]
//      0      1      2 ...
// Block 1 holds the superblock and, after it, the orphan table.
// An inode holds NDIRECT direct block numbers, one single-indirect block
// (NINDIRECT numbers) and one double-indirect block (NINDIRECT indirect
// blocks), so the largest file is MAXFILE blocks (a little over 64 MiB).
// Needs types.h.
#ifndef PCV6_FS_H
#define PCV6_FS_H

#define ROOTINO  1        // inode number of "/"
#define BSIZE    1024     // block size in bytes
#define FSMAGIC  0x10203040

struct superblock {
  uint magic;       // FSMAGIC
  uint size;        // total blocks in the image
  uint nblocks;     // data blocks
  uint ninodes;     // inodes
  uint nlog;        // log blocks, header included
  uint logstart;    // first log block
  uint inodestart;  // first inode block
  uint bmapstart;   // first free-bitmap block
};

#define SBLOCK 1  // the block holding the superblock and the orphan table

// The orphan table: inodes whose blocks are being freed over several log
// transactions, so that a crash between them leaves work that the next
// boot finishes (kernel/fs/fs.c, "the orphan table"). It fills the rest
// of block SBLOCK after the superblock. An inode is listed while it has
// no links but is still allocated (unlinked, maybe still open, or being
// freed), or while a truncation has published its new size and not yet
// freed every block past it. Changed only through the log. mkfs writes
// it empty.
#define NORPHAN ((BSIZE - sizeof(struct superblock)) / sizeof(uint))

// Block SBLOCK as a whole.
struct sblock {
  struct superblock sb;
  uint orphan[NORPHAN];  // inode numbers; 0 = a free slot
};

#define NDIRECT    11
#define NINDIRECT  (BSIZE / sizeof(uint))
#define NDINDIRECT (NINDIRECT * NINDIRECT)
#define MAXFILE    (NDIRECT + NINDIRECT + NDINDIRECT)

// addrs[] slots
#define IND_SLOT   NDIRECT        // single-indirect block
#define DIND_SLOT  (NDIRECT + 1)  // double-indirect block

struct dinode {
  short type;               // 0 = free, else T_DIR / T_FILE / T_DEVICE
  short major;              // device numbers (T_DEVICE)
  short minor;
  short nlink;              // directory entries naming this inode
  uint size;                // bytes
  uint addrs[NDIRECT + 2];  // data block numbers, see above
};

#define IPB            (BSIZE / sizeof(struct dinode))  // inodes per block
#define IBLOCK(i, sb)  ((i) / IPB + (sb).inodestart)    // block holding inode i
#define BPB            (BSIZE * 8)                       // bitmap bits per block
#define BBLOCK(b, sb)  ((b) / BPB + (sb).bmapstart)     // bitmap block for block b

#define DIRSIZ 14

// A directory is a file of these; read() on a directory returns them raw.
struct dirent {
  ushort inum;         // 0 = free slot
  char name[DIRSIZ];   // not NUL-terminated when DIRSIZ long
};

#endif
