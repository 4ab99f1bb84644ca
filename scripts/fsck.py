#!/usr/bin/python3
"""fsck.py -- check a pcv6 file-system image (layout: kernel/fs.h).

Usage: scripts/fsck.py IMAGE [-q] [--no-orphans]

Reads the whole image into memory and never writes it. If the log header
holds a committed transaction (n > 0) it is applied to the in-memory copy
first, exactly as the kernel's recovery at boot would do (kernel/fs/log.c),
and a line says so; its entries must name home blocks (block 1, the
orphan table's, among them, with the superblock unchanged). Then it
checks:

  - the superblock: magic, region order, sizes that fit the image;
  - inodes: every allocated inode (type != 0) has a known type and a size
    within MAXFILE, and is reachable from the root directory (inode 1);
    an allocated inode that is not -- with nlink 0, or unreachable -- is
    an orphan (below);
  - directories: every entry names an allocated inode; "." names the
    directory itself and ".." its parent (the root's ".." names the root);
    no directory has a second name;
  - link counts: a file's nlink is the number of entries naming it; a
    directory's nlink is 1 + its subdirectories ("." does not count, a
    child's ".." counts in the parent; for the root, the 1 stands for the
    name it does not have);
  - blocks: every block an allocated inode uses (data, single-indirect
    table, double-indirect table and the tables it points to) lies in the
    data area, is used once, and is marked in the bitmap; every data-area
    block marked in the bitmap is used by some inode (else it leaked);
    every metadata block (boot, super, log, inodes, bitmap) is marked.
    A block an inode owns past its size (a data block at or past file
    block ceil(size / BSIZE), or a table all of whose range lies there)
    has leaked too, unless the orphan table lists the inode;
  - orphans and the orphan table (block 1 after the superblock, NORPHAN
    slots, 0 = free; kernel/fs/fs.c, "the orphan table"): every entry
    names an allocated inode, once. The kernel lists an inode while it
    has no links but is still allocated (unlinked while open, or being
    freed in pieces) and while a truncation has blocks past the size it
    published, and the next boot finishes that work. So an orphan inode
    (nlink 0, unreachable) and blocks past an inode's size are fine when
    the table lists the inode: each gets a line "orphan: inode N ...:
    listed (freed at the next boot)" (or "truncated to its size") and is
    not a problem. Unlisted, they are leaks and
    problems; an unreachable inode that has links is a problem either way
    (the boot would truncate it, not free it). With --no-orphans -- for
    an image whose kernel has booted since its last crash, where the
    boot has finished every orphan -- any entry in the table and any
    orphan is a problem.

Prints the orphan lines, then one line per problem, and exits 1 if there
was any problem, else prints a summary (unless -q) and exits 0. Exits 2
if the image cannot be read. Python 3 standard library only.
"""

import struct
import sys

BSIZE = 1024
FSMAGIC = 0x10203040
ROOTINO = 1
NDIRECT = 11
NINDIRECT = BSIZE // 4
IND_SLOT = NDIRECT
DIND_SLOT = NDIRECT + 1
MAXFILE = NDIRECT + NINDIRECT + NINDIRECT * NINDIRECT
DIRSIZ = 14
DIRENT = struct.Struct("<H%ds" % DIRSIZ)  # struct dirent, 16 bytes
DINODE = struct.Struct("<hhhhI%dI" % (NDIRECT + 2))  # struct dinode, 64 bytes
IPB = BSIZE // DINODE.size
BPB = BSIZE * 8
SUPER = struct.Struct("<8I")
SBLOCK = 1  # the superblock, then the orphan table
NORPHAN = (BSIZE - SUPER.size) // 4
T_DIR, T_FILE, T_DEVICE = 1, 2, 3
TYPE_NAMES = {T_DIR: "dir", T_FILE: "file", T_DEVICE: "device"}


class Image:
    """The image's blocks in memory (a bytearray), with the superblock."""

    def __init__(self, data):
        self.data = bytearray(data)
        self.nblocks_total = len(self.data) // BSIZE
        (self.magic, self.size, self.nblocks, self.ninodes, self.nlog,
         self.logstart, self.inodestart, self.bmapstart) = \
            SUPER.unpack_from(self.data, BSIZE)
        self.ninodeblocks = (self.ninodes + IPB - 1) // IPB
        self.nbitmap = (self.size + BPB - 1) // BPB
        self.datastart = self.bmapstart + self.nbitmap

    def block(self, b):
        return self.data[b * BSIZE:(b + 1) * BSIZE]

    def put_block(self, b, content):
        self.data[b * BSIZE:(b + 1) * BSIZE] = content

    def inode(self, inum):
        off = (self.inodestart + inum // IPB) * BSIZE + (inum % IPB) * DINODE.size
        f = DINODE.unpack_from(self.data, off)
        return {"type": f[0], "major": f[1], "minor": f[2], "nlink": f[3],
                "size": f[4], "addrs": list(f[5:])}

    def bit(self, b):
        byte = self.data[(self.bmapstart + b // BPB) * BSIZE + (b % BPB) // 8]
        return (byte >> (b % 8)) & 1

    def table(self, b):
        return struct.unpack_from("<%dI" % NINDIRECT, self.data, b * BSIZE)

    def orphan_table(self):
        """The orphan table's slots (0 = free), as the image holds them now."""
        return struct.unpack_from("<%dI" % NORPHAN, self.data, SBLOCK * BSIZE + SUPER.size)


class Checker:
    def __init__(self, img, no_orphans=False):
        self.img = img
        self.no_orphans = no_orphans
        self.problems = []
        self.notes = []      # listed orphans, finished at the next boot
        self.listed = set()  # inums the orphan table lists
        self.owner = {}      # block -> (inum, role) of its first user
        self.parent = {}     # directory inum -> parent inum found by the walk
        self.refs = {}       # inum -> entries naming it (not "." / "..")
        self.subdirs = {}    # directory inum -> number of child directories
        self.reached = set()
        self.blocks_of = {}  # inum -> its data blocks in file order (None: hole)
        self.tables_of = {}  # inum -> [(table block, first file block it maps)]

    def problem(self, msg):
        self.problems.append(msg)

    # ------------------------------------------------------------ superblock

    def check_super(self):
        im = self.img
        if im.magic != FSMAGIC:
            self.problem("superblock: bad magic %#x (want %#x)" % (im.magic, FSMAGIC))
            return False
        ok = True
        if im.size != im.nblocks_total:
            self.problem("superblock: size %d but the image has %d blocks"
                         % (im.size, im.nblocks_total))
            ok = False
        if not (im.logstart >= 2 and im.nlog >= 2 and
                im.inodestart == im.logstart + im.nlog and
                im.bmapstart == im.inodestart + im.ninodeblocks and
                im.datastart < im.size):
            self.problem("superblock: regions out of order (log %d@%d, inodes "
                         "%d@%d, bitmap @%d, size %d)" % (
                             im.nlog, im.logstart, im.ninodes, im.inodestart,
                             im.bmapstart, im.size))
            ok = False
        if im.nblocks != im.size - im.datastart:
            self.problem("superblock: nblocks %d, but the data area holds %d"
                         % (im.nblocks, im.size - im.datastart))
        if im.ninodes > 65536:
            self.problem("superblock: %d inodes do not fit a dirent's ushort"
                         % im.ninodes)
            ok = False
        return ok

    # ------------------------------------------------------------------ log

    def apply_log(self):
        """Replay a committed log into the in-memory image. Returns a
        message for the caller to print, or None if the log was empty."""
        im = self.img
        hdr = im.block(im.logstart)
        (n,) = struct.unpack_from("<i", hdr, 0)
        if n == 0:
            return None
        cap = im.nlog - 1
        if n < 0 or n > cap:
            self.problem("log: header count %d outside 0..%d" % (n, cap))
            return None
        homes = struct.unpack_from("<%di" % n, hdr, 4)
        for i, home in enumerate(homes):
            # Block SBLOCK is a home block since it holds the orphan table,
            # but its superblock part never changes.
            if home < SBLOCK or home >= im.size or \
                    im.logstart <= home < im.logstart + im.nlog:
                self.problem("log: entry %d names block %d, not a home block"
                             % (i, home))
                return None
            copy = im.block(im.logstart + 1 + i)
            if home == SBLOCK and copy[:SUPER.size] != im.block(SBLOCK)[:SUPER.size]:
                self.problem("log: entry %d's copy of block %d changes the superblock"
                             % (i, home))
                return None
        for i, home in enumerate(homes):
            im.put_block(home, im.block(im.logstart + 1 + i))
        return "log: applied %d committed blocks in memory" % n

    # --------------------------------------------------------------- blocks

    def claim(self, b, inum, role):
        """Record that inode inum uses block b. False if b is unusable."""
        im = self.img
        if b < im.datastart or b >= im.size:
            self.problem("inode %d: %s block %d outside the data area [%d, %d)"
                         % (inum, role, b, im.datastart, im.size))
            return False
        if b in self.owner:
            other, orole = self.owner[b]
            self.problem("block %d used twice: inode %d (%s) and inode %d (%s)"
                         % (b, other, orole, inum, role))
            return False
        self.owner[b] = (inum, role)
        if not im.bit(b):
            self.problem("inode %d: %s block %d is free in the bitmap"
                         % (inum, role, b))
        return True

    def file_blocks(self, inum, ino):
        """Claim every block of the inode; return its data blocks in file
        order as a list (None for holes). Its tables, each with the first
        file block it maps, go to self.tables_of[inum]."""
        out = []
        tables = self.tables_of.setdefault(inum, [])
        a = ino["addrs"]
        for i in range(NDIRECT):
            if a[i] and not self.claim(a[i], inum, "direct"):
                out.append(None)
            else:
                out.append(a[i] or None)
        if a[IND_SLOT] and self.claim(a[IND_SLOT], inum, "indirect table"):
            tables.append((a[IND_SLOT], NDIRECT))
            for b in self.img.table(a[IND_SLOT]):
                out.append(b if b and self.claim(b, inum, "data") else None)
        out += [None] * (NDIRECT + NINDIRECT - len(out))
        if a[DIND_SLOT] and self.claim(a[DIND_SLOT], inum, "double-indirect table"):
            tables.append((a[DIND_SLOT], NDIRECT + NINDIRECT))
            for k, mid in enumerate(self.img.table(a[DIND_SLOT])):
                first = NDIRECT + NINDIRECT + k * NINDIRECT
                if mid and self.claim(mid, inum, "indirect table (double)"):
                    tables.append((mid, first))
                    for b in self.img.table(mid):
                        out.append(b if b and self.claim(b, inum, "data") else None)
                out += [None] * (first + NINDIRECT - len(out))
        return out

    def past_size(self, inum, ino):
        """The blocks inode inum owns past its size: data blocks at or past
        file block ceil(size / BSIZE), and tables mapping only such blocks."""
        end = (ino["size"] + BSIZE - 1) // BSIZE
        data = [b for fbn, b in enumerate(self.blocks_of[inum]) if b and fbn >= end]
        return data + [t for t, first in self.tables_of[inum] if first >= end]

    def read_file(self, ino, blocks):
        parts = []
        for fbn in range((ino["size"] + BSIZE - 1) // BSIZE):
            b = blocks[fbn] if fbn < len(blocks) else None
            parts.append(self.img.block(b) if b else bytes(BSIZE))
        return b"".join(parts)[:ino["size"]]

    # ---------------------------------------------------------- directories

    def walk(self):
        """Visit every inode reachable from the root, directories breadth
        first, claiming their blocks and counting the names of each."""
        im = self.img
        root = im.inode(ROOTINO)
        if root["type"] != T_DIR:
            self.problem("root inode %d has type %d, not a directory"
                         % (ROOTINO, root["type"]))
            return
        self.parent[ROOTINO] = ROOTINO
        queue = [ROOTINO]
        self.visit(ROOTINO, root)
        while queue:
            d = queue.pop(0)
            for child in self.scan_dir(d):
                queue.append(child)

    def visit(self, inum, ino):
        """First sighting of an allocated inode: check it, claim its blocks."""
        self.reached.add(inum)
        if ino["type"] not in TYPE_NAMES:
            self.problem("inode %d: unknown type %d" % (inum, ino["type"]))
        if ino["size"] > MAXFILE * BSIZE:
            self.problem("inode %d: size %d beyond MAXFILE" % (inum, ino["size"]))
        self.blocks_of[inum] = self.file_blocks(inum, ino)

    def scan_dir(self, d):
        """Check directory d's entries; return the child directories seen
        for the first time."""
        im = self.img
        ino = im.inode(d)
        if ino["size"] % DIRENT.size:
            self.problem("dir %d: size %d is not a multiple of %d"
                         % (d, ino["size"], DIRENT.size))
        content = self.read_file(ino, self.blocks_of[d])
        dots = dotdots = 0
        children = []
        self.subdirs.setdefault(d, 0)
        for off in range(0, len(content) - DIRENT.size + 1, DIRENT.size):
            inum, raw = DIRENT.unpack_from(content, off)
            if inum == 0:
                continue
            name = raw.split(b"\0", 1)[0].decode("latin-1")
            where = "dir %d entry %r" % (d, name)
            if inum >= im.ninodes:
                self.problem("%s: inode %d out of range" % (where, inum))
                continue
            child = im.inode(inum)
            if child["type"] == 0:
                self.problem("%s: names free inode %d" % (where, inum))
                continue
            if name == ".":
                dots += 1
                if inum != d:
                    self.problem("%s: names inode %d, not itself" % (where, inum))
                continue
            if name == "..":
                dotdots += 1
                if inum != self.parent.get(d):
                    self.problem("%s: names inode %d, parent is %s"
                                 % (where, inum, self.parent.get(d)))
                continue
            if name == "":
                self.problem("%s: empty name (inode %d)" % (where, inum))
            self.refs[inum] = self.refs.get(inum, 0) + 1
            if child["type"] == T_DIR:
                self.subdirs[d] += 1
                if inum in self.parent or inum == ROOTINO:
                    self.problem("%s: directory %d has a second name"
                                 % (where, inum))
                    continue
                self.parent[inum] = d
                children.append(inum)
            if inum not in self.reached:
                self.visit(inum, child)
        if dots != 1 or dotdots != 1:
            self.problem("dir %d: has %d \".\" and %d \"..\" entries (want 1 each)"
                         % (d, dots, dotdots))
        return children

    # ------------------------------------------------------- global passes

    def read_orphan_table(self):
        """Check the orphan table's entries and note which inodes it lists."""
        im = self.img
        for slot, inum in enumerate(im.orphan_table()):
            if inum == 0:
                continue
            where = "orphan table slot %d" % slot
            if inum >= im.ninodes:
                self.problem("%s: inode %d out of range" % (where, inum))
            elif im.inode(inum)["type"] == 0:
                self.problem("%s: names free inode %d" % (where, inum))
            elif inum in self.listed:
                self.problem("%s: inode %d listed twice" % (where, inum))
            elif self.no_orphans:
                self.problem("%s: inode %d still listed after a boot" % (where, inum))
            self.listed.add(inum)

    def orphan(self, inum, what, work):
        """An orphan's state `what`: listed, the next boot does `work`."""
        if inum in self.listed and not self.no_orphans:
            self.notes.append("orphan: inode %d %s: listed (%s at the next boot)"
                              % (inum, what, work))
        elif inum in self.listed:
            self.problem("inode %d %s: an orphan left after a boot" % (inum, what))
        else:
            self.problem("inode %d %s: not in the orphan table: leaked" % (inum, what))

    def check_inodes(self):
        im = self.img
        for inum in range(1, im.ninodes):
            ino = im.inode(inum)
            if ino["type"] == 0:
                continue
            desc = "(%s, nlink %d, size %d)" % (TYPE_NAMES.get(ino["type"], ino["type"]),
                                                 ino["nlink"], ino["size"])
            if inum not in self.reached:
                # Its blocks are its own, whatever happens to it.
                self.blocks_of[inum] = self.file_blocks(inum, ino)
                nblocks = len(set(self.past_size(inum, dict(ino, size=0))))
                if ino["nlink"] == 0:
                    self.orphan(inum, "%s, no links, %d blocks" % (desc, nblocks), "freed")
                else:
                    self.problem("inode %d %s: allocated but unreachable from /"
                                 % (inum, desc))
                continue
            past = self.past_size(inum, ino)
            if past:
                self.orphan(inum, "%s: %d blocks past its size" % (desc, len(past)),
                            "truncated to its size")
            elif inum in self.listed:
                self.orphan(inum, "%s: nothing past its size" % desc, "unlisted")
            if ino["type"] == T_DIR:
                want = 1 + self.subdirs.get(inum, 0)
            else:
                want = self.refs.get(inum, 0)
            if ino["nlink"] != want:
                self.problem("inode %d (%s): nlink %d, want %d" % (
                    inum, TYPE_NAMES.get(ino["type"], ino["type"]),
                    ino["nlink"], want))
        # Inode 0 is never used: a type there is harmless to the kernel
        # but a sign of a stray write.
        if im.inode(0)["type"] != 0:
            self.problem("inode 0 is allocated (type %d)" % im.inode(0)["type"])

    def check_bitmap(self):
        im = self.img
        for b in range(im.datastart):
            if not im.bit(b):
                self.problem("metadata block %d is free in the bitmap" % b)
        leaked = [b for b in range(im.datastart, im.size)
                  if im.bit(b) and b not in self.owner]
        for b in leaked[:50]:
            self.problem("block %d: marked used but no inode uses it" % b)
        if len(leaked) > 50:
            self.problem("... and %d more leaked blocks" % (len(leaked) - 50))

    def run(self):
        note = None
        if self.check_super():
            note = self.apply_log()
            self.read_orphan_table()
            self.walk()
            self.check_inodes()
            self.check_bitmap()
        return note


def main(argv):
    args = [a for a in argv if a not in ("-q", "--no-orphans")]
    quiet = "-q" in argv
    if len(args) != 1:
        print("usage: fsck.py IMAGE [-q] [--no-orphans]", file=sys.stderr)
        return 2
    try:
        with open(args[0], "rb") as f:
            data = f.read()
    except OSError as e:
        print("fsck: %s" % e, file=sys.stderr)
        return 2
    if len(data) < 2 * BSIZE or len(data) % BSIZE:
        print("fsck: %s: %d bytes is not an image" % (args[0], len(data)))
        return 1
    img = Image(data)
    chk = Checker(img, no_orphans="--no-orphans" in argv)
    note = chk.run()
    if note:
        print(note)
    for line in chk.notes + chk.problems:
        print(line)
    if chk.problems:
        return 1
    if not quiet:
        print("fsck: %s: clean: %d inodes in use, %d data blocks in use, %d orphans listed" % (
            args[0], len(chk.blocks_of), len(chk.owner), len(chk.listed)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
