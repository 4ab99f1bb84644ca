// param.h -- compile-time limits shared by the kernel, mkfs and user programs.
// Part of the xv6 user ABI: the names and meanings match, the values are ours.
// Needs no other header (user programs include it first).
#ifndef PCV6_PARAM_H
#define PCV6_PARAM_H

#define NPROC        64    // process table slots
#define NCPU         8     // most harts the kernel will run on
#define NOFILE       16    // open files per process
#define NFILE        100   // open files in the whole system
#define NINODE       50    // in-memory inode cache slots
#define NDEV         10    // device major numbers
#define ROOTDEV      1     // device number of the root file system
#define MAXARG       32    // most exec arguments
#define MAXOPBLOCKS  16    // most blocks one file-system op writes
// The log body: 8 operations' worth, so that one page-cache write-back
// transaction (begin_op_big) carries up to 32 pages; the header's block
// list must fit one block (at most 255 entries).
#define LOGBLOCKS    (MAXOPBLOCKS * 8)  // blocks in the on-disk log body
#define LOGSIZE      LOGBLOCKS          // older name for the same thing
#define NBUF         (LOGBLOCKS * 2)    // buffer cache slots: a transaction pins at most half
#ifndef FSSIZE
#define FSSIZE       131072 // file system size in blocks (128 MiB); Makefile may override
#endif
#define MAXPATH      128   // longest path name
#define USERSTACK    1     // user stack size in pages
#define NMMAP        16    // mapping areas per process

#endif
