// disk.h -- the block device under the buffer cache (virtio_disk.c).
#ifndef PCV6_DISK_H
#define PCV6_DISK_H

struct buf;

void virtio_disk_init(void);
// Reads or writes b->data as block b->blockno; sleeps until done.
// => b->lock held.
void virtio_disk_rw(struct buf *b, int write);
void virtio_disk_intr(void);

#endif
