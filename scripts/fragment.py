#!/usr/bin/python3
"""fragment.py -- fragment the free space of a pcv6 image (layout: kernel/fs.h).

Usage: scripts/fragment.py IMAGE

Gives every free data block of IMAGE to new files /fill0, /fill1, ... in
the root directory, except for one block in each bitmap block's range of
BPB blocks (the first free one there) and every free block in the range of
the last bitmap block. On the result the kernel's balloc(), which takes the
lowest free block, hands out successive blocks from different bitmap
blocks until those holes are used up: the worst case for how many blocks
one file-system operation dirties, and a state a user could reach by
filling the disk and freeing a block every BPB blocks -- which takes far
too long under emulation for a test, so the test builds it here.

The image must have an empty log (a fresh mkfs image does). The fillers
are ordinary files (zero contents, direct, single- and double-indirect
blocks as needed), so the image stays consistent: scripts/fsck.py accepts
it. Only the blocks that change are written, so a sparse image stays
sparse. Prints one summary line. Python 3 standard library only.
"""

import os
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fsck import (BSIZE, BPB, DINODE, DIRENT, DIRSIZ, FSMAGIC, IPB, MAXFILE,  # noqa: E402
                  NDIRECT, NINDIRECT, IND_SLOT, DIND_SLOT, ROOTINO, SUPER, T_FILE)

TABLE = struct.Struct("<%dI" % NINDIRECT)


class Disk:
    """Block access to an image file; writes go straight to the file."""

    def __init__(self, path):
        self.f = open(path, "r+b")
        (self.magic, self.size, self.nblocks, self.ninodes, self.nlog,
         self.logstart, self.inodestart, self.bmapstart) = \
            SUPER.unpack_from(self.read(1), 0)
        self.nbitmap = (self.size + BPB - 1) // BPB
        self.datastart = self.bmapstart + self.nbitmap

    def read(self, b):
        self.f.seek(b * BSIZE)
        data = self.f.read(BSIZE)
        return bytearray(data.ljust(BSIZE, b"\0"))

    def write(self, b, data):
        self.f.seek(b * BSIZE)
        self.f.write(bytes(data))

    def inode(self, inum):
        blk = self.read(self.inodestart + inum // IPB)
        return list(DINODE.unpack_from(blk, (inum % IPB) * DINODE.size))

    def put_inode(self, inum, fields):
        b = self.inodestart + inum // IPB
        blk = self.read(b)
        DINODE.pack_into(blk, (inum % IPB) * DINODE.size, *fields)
        self.write(b, blk)


def free_blocks(disk):
    """The free data blocks, grouped by bitmap block: a list of lists."""
    groups = []
    for r in range(disk.nbitmap):
        bits = disk.read(disk.bmapstart + r)
        lo = max(r * BPB, disk.datastart)
        hi = min((r + 1) * BPB, disk.size)
        groups.append([b for b in range(lo, hi)
                       if not (bits[(b % BPB) // 8] >> (b % 8)) & 1])
    return groups


def build_file(disk, pool):
    """Make a file of zeros from blocks taken off the end of pool, as big as
    the pool and MAXFILE allow. Returns (size in bytes, addrs)."""
    addrs = [0] * (NDIRECT + 2)
    tables = {}  # table block -> its entries, written at the end
    nblocks = 0

    def take():
        return pool.pop()

    while nblocks < MAXFILE:
        fbn = nblocks
        if fbn < NDIRECT:
            need = 1
        elif fbn < NDIRECT + NINDIRECT:
            need = 1 + (addrs[IND_SLOT] == 0)
        else:
            k = fbn - NDIRECT - NINDIRECT
            need = 1 + (addrs[DIND_SLOT] == 0) + (k % NINDIRECT == 0)
        if len(pool) < need:
            break  # never leave a table without a data block under it
        if fbn < NDIRECT:
            addrs[fbn] = take()
        elif fbn < NDIRECT + NINDIRECT:
            if addrs[IND_SLOT] == 0:
                addrs[IND_SLOT] = take()
                tables[addrs[IND_SLOT]] = [0] * NINDIRECT
            tables[addrs[IND_SLOT]][fbn - NDIRECT] = take()
        else:
            k = fbn - NDIRECT - NINDIRECT
            if addrs[DIND_SLOT] == 0:
                addrs[DIND_SLOT] = take()
                tables[addrs[DIND_SLOT]] = [0] * NINDIRECT
            dind = tables[addrs[DIND_SLOT]]
            if k % NINDIRECT == 0:
                dind[k // NINDIRECT] = take()
                tables[dind[k // NINDIRECT]] = [0] * NINDIRECT
            tables[dind[k // NINDIRECT]][k % NINDIRECT] = take()
        nblocks += 1
    for b, entries in tables.items():
        disk.write(b, TABLE.pack(*entries))
    return nblocks * BSIZE, addrs


def free_inode(disk, start):
    for inum in range(start, disk.ninodes):
        if disk.inode(inum)[0] == 0:
            return inum
    sys.exit("fragment: no free inode")


def add_dirent(disk, inum, name):
    """Put (inum, name) in a free slot of the root directory's blocks."""
    root = disk.inode(ROOTINO)
    size, addrs = root[4], root[5:]
    for off in range(0, size, DIRENT.size):
        fbn = off // BSIZE
        if fbn >= NDIRECT:
            break
        blk = disk.read(addrs[fbn])
        slot = off % BSIZE
        if DIRENT.unpack_from(blk, slot)[0] == 0:
            DIRENT.pack_into(blk, slot, inum, name.encode().ljust(DIRSIZ, b"\0"))
            disk.write(addrs[fbn], blk)
            return
    sys.exit("fragment: no free entry in the root directory's direct blocks")


def mark_used(disk, blocks):
    by_bitmap = {}
    for b in blocks:
        by_bitmap.setdefault(b // BPB, []).append(b)
    for r, bs in by_bitmap.items():
        bits = disk.read(disk.bmapstart + r)
        for b in bs:
            bits[(b % BPB) // 8] |= 1 << (b % 8)
        disk.write(disk.bmapstart + r, bits)


def main(argv):
    if len(argv) != 1:
        print("usage: fragment.py IMAGE", file=sys.stderr)
        return 2
    disk = Disk(argv[0])
    if disk.magic != FSMAGIC:
        sys.exit("fragment: %s: not a pcv6 image" % argv[0])
    if struct.unpack_from("<i", disk.read(disk.logstart), 0)[0] != 0:
        sys.exit("fragment: %s: the log is not empty" % argv[0])
    groups = free_blocks(disk)
    holes = [g[0] for g in groups[:-1] if g]
    pool = [b for g in groups[:-1] for b in g[1:]]
    pool.reverse()  # build_file takes from the end: lowest blocks first
    given = set(pool)
    inum, nfiles = ROOTINO, 0
    while pool:
        size, addrs = build_file(disk, pool)
        if size == 0:
            break  # what is left could not hold a block: more holes
        inum = free_inode(disk, inum + 1)
        disk.put_inode(inum, [T_FILE, 0, 0, 1, size] + addrs)
        add_dirent(disk, inum, "fill%d" % nfiles)
        nfiles += 1
    given -= set(pool)
    mark_used(disk, given)
    disk.f.close()
    print("fragment: %s: %d filler files hold %d blocks; %d holes, one per "
          "bitmap block but the last, whose %d free blocks stay free"
          % (argv[0], nfiles, len(given), len(holes) + len(pool), len(groups[-1])))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
