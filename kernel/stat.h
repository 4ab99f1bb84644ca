// stat.h -- what fstat() reports about a file (xv6 user ABI).
#ifndef PCV6_STAT_H
#define PCV6_STAT_H

#define T_DIR     1   // directory
#define T_FILE    2   // regular file
#define T_DEVICE  3   // device node

struct stat {
  int dev;      // device number of the file system
  uint ino;     // inode number
  short type;   // T_DIR, T_FILE or T_DEVICE
  short nlink;  // number of directory entries naming it
  uint64 size;  // length in bytes
};

#endif
