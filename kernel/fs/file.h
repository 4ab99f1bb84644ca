// file.h -- open files: the objects file descriptors point to, shared
// after dup() and fork(), each an inode (file, directory, device) or one
// end of a pipe, with a read/write offset.
#ifndef PCV6_FILE_H
#define PCV6_FILE_H

#include "kernel/types.h"

struct inode;
struct pipe;

enum filetype { FD_NONE, FD_PIPE, FD_INODE, FD_DEVICE };

// Lock legend: [t] the file table lock; [I] fixed once the file is open;
// [i] the inode's sleep lock (serialises offset updates).
struct file {
  enum filetype type;  // [I]
  int ref;             // [t]
  char readable;       // [I]
  char writable;       // [I] FD_INODE of a disk file: counts as a writer
                       //     (inode_get_write) while open
  char exec;           // [I] FD_INODE: a program image's file (file_open_exec)
  char pins;           // [I] exec: the image maps the file, whose segments'
                       //     cache pages stay while it is open (pc_exec_pin)
  struct pipe *pipe;   // [I] FD_PIPE
  struct inode *ip;    // [I] FD_INODE and FD_DEVICE
  uint off;            // [i] FD_INODE
  short major;         // [I] FD_DEVICE
  uint wb_seen;        // [a] FD_INODE: ip->wb_err when last reported (or opened)
};

void fileinit(void);
int  files_in_use(void);
struct file *filealloc(void);             // ref 1, or 0 if the table is full
struct file *filedup(struct file *f);
void fileclose(struct file *f);
int  filestat(struct file *f, uint64 addr);   // 0 or -E*
// The open file of a program image made from ip (exec: every area of the
// image and the process hold it): readable, never writable. While it is
// open, nothing may write ip (inode_deny_write); if exec maps the image
// from the cache, it pins the cached pages of ip's segments too
// (pc_exec_pin, f->pins). Its last close lifts both. 0, -ETXTBSY
// (ip has a writer) or -ENFILE. => ip locked and referenced (the file
// takes its own reference); no spinlock held.
int  file_open_exec(struct inode *ip, struct file **out);
int  fileread(struct file *f, uint64 addr, int n);   // bytes or -E*
int  filewrite(struct file *f, uint64 addr, int n);  // bytes or -E*
// Write-back errors, once per open file (Linux's errseq, reduced to a
// counter): file_wb_failed() records that a write-back of ip's pages
// failed; file_check_wb_error() returns -EIO if f has not yet reported a
// failure recorded since it was opened (and now has), else 0. msync and
// fsync call it after writing back (file_sync_finish). => no locks needed
void file_wb_failed(struct inode *ip);
int  file_check_wb_error(struct file *f);
// The end of msync and fsync, after a write-back of f's pages returned wb
// (0, or -EIO, -ENOSPC, -EROFS: pagecache.h): with durable, waits until
// every change to f's inode logged so far has committed (iwait_durable),
// then checks f's write-back errors. wb's -EIO is not returned as such:
// file_wb_failed recorded it, and the check reports it, once per open
// file. Returns wb's other error, else iwait_durable's -EIO, else the
// check's. => no locks held, outside any operation; may sleep
int  file_sync_finish(struct file *f, int wb, int durable);

int  pipealloc(struct file **rf, struct file **wf);  // 0 or -E*
void pipeclose(struct pipe *pi, int writable);
int  piperead(struct pipe *pi, uint64 addr, int n);
int  pipewrite(struct pipe *pi, uint64 addr, int n);

#endif
