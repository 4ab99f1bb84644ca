// virtio.h -- register offsets and structures of a virtio-mmio device
// (virtio 1.x, the "modern" version-2 MMIO interface) and the block
// device's request format. Values are from the virtio 1.1 specification.
#ifndef PCV6_VIRTIO_H
#define PCV6_VIRTIO_H

#include "kernel/types.h"

// MMIO registers, byte offsets from the device base.
#define VIRTIO_MMIO_MAGIC_VALUE        0x000  // "virt" = 0x74726976
#define VIRTIO_MMIO_VERSION            0x004  // 2 for the modern interface
#define VIRTIO_MMIO_DEVICE_ID          0x008  // 2 = block device
#define VIRTIO_MMIO_VENDOR_ID          0x00c
#define VIRTIO_MMIO_DEVICE_FEATURES    0x010
#define VIRTIO_MMIO_DEVICE_FEATURES_SEL 0x014
#define VIRTIO_MMIO_DRIVER_FEATURES    0x020
#define VIRTIO_MMIO_DRIVER_FEATURES_SEL 0x024
#define VIRTIO_MMIO_QUEUE_SEL          0x030
#define VIRTIO_MMIO_QUEUE_NUM_MAX      0x034
#define VIRTIO_MMIO_QUEUE_NUM          0x038
#define VIRTIO_MMIO_QUEUE_READY        0x044
#define VIRTIO_MMIO_QUEUE_NOTIFY       0x050
#define VIRTIO_MMIO_INTERRUPT_STATUS   0x060
#define VIRTIO_MMIO_INTERRUPT_ACK      0x064
#define VIRTIO_MMIO_STATUS             0x070
#define VIRTIO_MMIO_QUEUE_DESC_LOW     0x080
#define VIRTIO_MMIO_QUEUE_DESC_HIGH    0x084
#define VIRTIO_MMIO_QUEUE_DRIVER_LOW   0x090  // the available ring
#define VIRTIO_MMIO_QUEUE_DRIVER_HIGH  0x094
#define VIRTIO_MMIO_QUEUE_DEVICE_LOW   0x0a0  // the used ring
#define VIRTIO_MMIO_QUEUE_DEVICE_HIGH  0x0a4
#define VIRTIO_MMIO_CONFIG_GENERATION  0x0fc  // changes while config changes
#define VIRTIO_MMIO_CONFIG             0x100  // device-specific config space

#define VIRTIO_MAGIC       0x74726976
#define VIRTIO_VERSION_MODERN 2
#define VIRTIO_DEVICE_BLOCK 2

// Device status bits.
#define VIRTIO_STATUS_ACKNOWLEDGE 1
#define VIRTIO_STATUS_DRIVER      2
#define VIRTIO_STATUS_DRIVER_OK   4
#define VIRTIO_STATUS_FEATURES_OK 8

// Feature bits we look at.
#define VIRTIO_BLK_F_SIZE_MAX    1   // config size_max: most bytes per descriptor
#define VIRTIO_BLK_F_SEG_MAX     2   // config seg_max: most data descriptors per request
#define VIRTIO_BLK_F_RO          5
#define VIRTIO_BLK_F_FLUSH       9   // VIRTIO_BLK_T_FLUSH: the device has a write cache
#define VIRTIO_BLK_F_SCSI        7
#define VIRTIO_BLK_F_CONFIG_WCE 11
#define VIRTIO_BLK_F_MQ         12
#define VIRTIO_F_ANY_LAYOUT     27
#define VIRTIO_RING_F_INDIRECT_DESC 28
#define VIRTIO_RING_F_EVENT_IDX 29
#define VIRTIO_F_VERSION_1      32   // required by the modern interface

// Descriptors in our one queue at most (a power of two). The driver uses
// the largest power of two not above this and the device's QueueNumMax.
// At 256 the descriptor table is exactly one page and each ring fits in
// one, which is what the driver allocates.
#define VIRTQ_SIZE 256

struct virtq_desc {
  uint64 addr;
  uint32 len;
  uint16 flags;
  uint16 next;
};
#define VIRTQ_DESC_F_NEXT  1   // continues in `next`
#define VIRTQ_DESC_F_WRITE 2   // device writes this buffer

struct virtq_avail {
  uint16 flags;
  uint16 idx;                 // where the driver puts the next entry
  uint16 ring[VIRTQ_SIZE];    // descriptor-chain heads
  uint16 used_event;
};

struct virtq_used_elem {
  uint32 id;   // head of the finished chain
  uint32 len;
};

struct virtq_used {
  uint16 flags;
  uint16 idx;                 // where the device puts the next entry
  struct virtq_used_elem ring[VIRTQ_SIZE];
};

// Block device config space: byte offsets from VIRTIO_MMIO_CONFIG.
#define VIRTIO_BLK_CFG_CAPACITY  0   // le64: size in 512-byte sectors
#define VIRTIO_BLK_CFG_SIZE_MAX  8   // le32, if VIRTIO_BLK_F_SIZE_MAX
#define VIRTIO_BLK_CFG_SEG_MAX  12   // le32, if VIRTIO_BLK_F_SEG_MAX

// Block request header; followed by the data (one or more descriptors)
// and a one-byte status.
#define VIRTIO_BLK_T_IN  0   // read
#define VIRTIO_BLK_T_OUT 1   // write
#define VIRTIO_BLK_T_FLUSH 4 // make every completed write stable; no data
#define VIRTIO_BLK_S_OK     0
#define VIRTIO_BLK_S_IOERR  1
#define VIRTIO_BLK_S_UNSUPP 2
#define VIRTIO_SECTOR_SIZE 512

struct virtio_blk_req {
  uint32 type;
  uint32 reserved;
  uint64 sector;
};

#endif
