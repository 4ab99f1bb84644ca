// mkfs.c -- build a pcv6 file-system image on the host.
//
// Usage: scripts/mkfs [-s BLOCKS] IMAGE FILE...
//
// Writes a fresh image of BLOCKS blocks (default FSSIZE from kernel/param.h,
// usually set by the Makefile; the kernel reads the size from the
// superblock, so tests may build images of other sizes with -s) laid out as
// kernel/fs.h describes:
//
//   block 0                 boot block, unused (zero)
//   block 1                 superblock, then the orphan table (empty: all 0)
//   LOGBLOCKS + 1 blocks    log: header block (zero = empty log), then body
//   NINODES / IPB blocks    inodes (rounded up)
//   BLOCKS / BPB blocks     free bitmap (rounded up)
//   the rest                data
//
// Inode 0 is never used; inode ROOTINO is the root directory, holding "."
// and ".." (both naming itself) and one entry per FILE argument. Each FILE
// is stored under its base name, with one leading '_' removed (the Makefile
// names programs user/_NAME) and README.md renamed README. A name longer
// than DIRSIZ, an empty name, or a duplicate is an error. Files may use
// direct, single-indirect and double-indirect blocks, so anything up to
// MAXFILE blocks fits.
//
// Data blocks are handed out in increasing order, so "used" is simply
// every block below the allocation cursor; the bitmap marks exactly those.
// All multi-byte numbers go to disk little-endian (the kernel's byte
// order) through le16/le32, whatever the host's own order.
//
// On any error it prints a message and exits 1. Names are checked before
// the image is created; a later failure (unreadable file, image full)
// leaves a half-written image behind that must not be used.
//
// Host headers: <fcntl.h> and <sys/stat.h> would define a `struct stat`
// that clashes with kernel/stat.h, so all file access goes through stdio.
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kernel/types.h"
#include "kernel/param.h"
#include "kernel/stat.h"
#include "kernel/fs.h"

#define NINODES 2000  // inodes in the image, inode 0 included

_Static_assert(BSIZE % sizeof(struct dinode) == 0, "dinodes must tile a block");
_Static_assert(sizeof(struct dirent) == 16, "dirent is 16 bytes on disk");
_Static_assert(sizeof(struct sblock) <= BSIZE, "superblock and orphan table fit a block");
_Static_assert(BSIZE % sizeof(struct dirent) == 0, "dirents must tile a block");

static FILE *img;
static const char *img_path;
static uint fssize = FSSIZE;  // blocks in the image (-s)
static struct superblock sb;  // host byte order
static uint next_block;       // allocation cursor: first never-used block
static uint next_inum = ROOTINO;

// ---------------------------------------------------------------- helpers

static void __attribute__((noreturn, format(printf, 1, 2)))
die(const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  fprintf(stderr, "mkfs: ");
  vfprintf(stderr, fmt, ap);
  fprintf(stderr, "\n");
  va_end(ap);
  exit(1);
}

// Convert between host order and little-endian. Each is its own inverse:
// the identity on a little-endian host, a byte swap on a big-endian one.
static uint16
le16(uint16 v)
{
  uchar b[2] = { v & 0xff, v >> 8 };
  uint16 r;
  memcpy(&r, b, sizeof(r));
  return r;
}

static uint32
le32(uint32 v)
{
  uchar b[4] = { v & 0xff, (v >> 8) & 0xff, (v >> 16) & 0xff, v >> 24 };
  uint32 r;
  memcpy(&r, b, sizeof(r));
  return r;
}

static void
write_block(uint b, const void *buf)
{
  if (b >= fssize)
    die("internal error: write of block %u past the end", b);
  if (fseeko(img, (off_t)b * BSIZE, SEEK_SET) != 0 ||
      fwrite(buf, BSIZE, 1, img) != 1)
    die("%s: write of block %u failed: %s", img_path, b, strerror(errno));
}

static void
read_block(uint b, void *buf)
{
  if (b >= fssize)
    die("internal error: read of block %u past the end", b);
  if (fseeko(img, (off_t)b * BSIZE, SEEK_SET) != 0 ||
      fread(buf, BSIZE, 1, img) != 1)
    die("%s: read of block %u failed: %s", img_path, b, strerror(errno));
}

// Hand out the next data block. The image starts all zeros, so the block
// is already clean.
static uint
alloc_block(void)
{
  if (next_block >= fssize)
    die("image full: %u blocks are not enough", fssize);
  return next_block++;
}

// ---------------------------------------------------------------- layout

static uint
div_round_up(uint a, uint b)
{
  return (a + b - 1) / b;
}

// Work out where every region goes and fill in sb.
static void
plan_layout(void)
{
  uint nlog = LOGBLOCKS + 1;
  uint ninodeblocks = div_round_up(NINODES, IPB);
  uint nbitmap = div_round_up(fssize, BPB);

  sb.magic = FSMAGIC;
  sb.size = fssize;
  sb.ninodes = NINODES;
  sb.nlog = nlog;
  sb.logstart = 2;
  sb.inodestart = sb.logstart + nlog;
  sb.bmapstart = sb.inodestart + ninodeblocks;
  next_block = sb.bmapstart + nbitmap;  // first data block
  if (next_block >= fssize)
    die("%u blocks is too small for the metadata (%u blocks)", fssize,
        next_block);
  sb.nblocks = fssize - next_block;
}

static void
write_superblock(void)
{
  uchar buf[BSIZE];
  struct superblock disk = {
    .magic = le32(sb.magic),           .size = le32(sb.size),
    .nblocks = le32(sb.nblocks),       .ninodes = le32(sb.ninodes),
    .nlog = le32(sb.nlog),             .logstart = le32(sb.logstart),
    .inodestart = le32(sb.inodestart), .bmapstart = le32(sb.bmapstart),
  };
  memset(buf, 0, sizeof(buf));  // the orphan table after it: no orphans
  memcpy(buf, &disk, sizeof(disk));
  write_block(SBLOCK, buf);
}

// Create the zero-filled image file (sparse where the host allows).
static void
create_image(const char *path)
{
  img_path = path;
  img = fopen(path, "w+b");
  if (img == 0)
    die("cannot create %s: %s", path, strerror(errno));
  if (ftruncate(fileno(img), (off_t)fssize * BSIZE) < 0)
    die("cannot size %s: %s", path, strerror(errno));
}

// ---------------------------------------------------------------- inodes

// Store inode inum (given in host order) into its slot on disk.
static void
write_inode(uint inum, const struct dinode *ip)
{
  uchar buf[BSIZE];
  struct dinode disk;
  disk.type = le16(ip->type);
  disk.major = le16(ip->major);
  disk.minor = le16(ip->minor);
  disk.nlink = le16(ip->nlink);
  disk.size = le32(ip->size);
  for (int i = 0; i < NDIRECT + 2; i++)
    disk.addrs[i] = le32(ip->addrs[i]);
  uint b = IBLOCK(inum, sb);
  read_block(b, buf);
  memcpy(buf + (inum % IPB) * sizeof(disk), &disk, sizeof(disk));
  write_block(b, buf);
}

// Start a new inode of the given type in *ip. Returns its number. The
// caller writes it with write_inode when done filling it.
static uint
alloc_inode(short type, struct dinode *ip)
{
  if (next_inum >= NINODES)
    die("out of inodes (%d)", NINODES);
  memset(ip, 0, sizeof(*ip));
  ip->type = type;
  ip->nlink = 1;
  return next_inum++;
}

// Entry idx of the block-number table in block table, allocating a block
// for it if it is still empty.
static uint
table_entry(uint table, uint idx)
{
  uint32 entries[NINDIRECT];
  read_block(table, entries);
  uint b = le32(entries[idx]);
  if (b == 0) {
    b = alloc_block();
    entries[idx] = le32(b);
    write_block(table, entries);
  }
  return b;
}

// *slot, allocating a block for it if it is still empty.
static uint
slot_block(uint *slot)
{
  if (*slot == 0)
    *slot = alloc_block();
  return *slot;
}

// Disk block holding file block fbn of *ip, allocating it (and any
// indirect blocks on the way) if needed.
static uint
file_block(struct dinode *ip, uint fbn)
{
  if (fbn < NDIRECT)
    return slot_block(&ip->addrs[fbn]);
  fbn -= NDIRECT;
  if (fbn < NINDIRECT)
    return table_entry(slot_block(&ip->addrs[IND_SLOT]), fbn);
  fbn -= NINDIRECT;
  if (fbn < NDINDIRECT) {
    uint mid = table_entry(slot_block(&ip->addrs[DIND_SLOT]), fbn / NINDIRECT);
    return table_entry(mid, fbn % NINDIRECT);
  }
  die("file too large (limit %lu blocks)", (unsigned long)MAXFILE);
}

// Append n bytes to the file *ip.
static void
append(struct dinode *ip, const void *data, uint n)
{
  const uchar *src = data;
  uchar buf[BSIZE];
  while (n > 0) {
    uint off = ip->size % BSIZE;
    uint chunk = BSIZE - off < n ? BSIZE - off : n;
    uint b = file_block(ip, ip->size / BSIZE);
    read_block(b, buf);
    memcpy(buf + off, src, chunk);
    write_block(b, buf);
    ip->size += chunk;
    src += chunk;
    n -= chunk;
  }
}

// ---------------------------------------------------------------- directory

static void
add_dirent(struct dinode *dir, uint inum, const char *name)
{
  struct dirent de;
  memset(&de, 0, sizeof(de));
  de.inum = le16(inum);
  // Zero-padded; a name of exactly DIRSIZ bytes has no NUL (image_name
  // has already checked the length).
  memcpy(de.name, name, strlen(name));
  append(dir, &de, sizeof(de));
}

// Name under which path is stored in the image. Dies if it is unusable.
static const char *
image_name(const char *path)
{
  const char *slash = strrchr(path, '/');
  const char *name = slash ? slash + 1 : path;
  if (name[0] == '_')
    name++;
  if (strcmp(name, "README.md") == 0)
    name = "README";
  if (name[0] == 0 || strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
    die("%s: cannot be stored under the name \"%s\"", path, name);
  if (strlen(name) > DIRSIZ)
    die("%s: name \"%s\" is longer than %d characters", path, name, DIRSIZ);
  return name;
}

// Check every name before anything is written: each must be usable and
// no two may collide.
static void
check_names(char **paths, int n)
{
  for (int i = 0; i < n; i++) {
    const char *name = image_name(paths[i]);
    for (int j = 0; j < i; j++) {
      if (strcmp(image_name(paths[j]), name) == 0)
        die("%s and %s would both be named %s", paths[j], paths[i], name);
    }
  }
}

// Copy host file path into a new inode; returns the inode number.
static uint
add_file(const char *path)
{
  char buf[BSIZE * 8];
  struct dinode ino;
  uint inum = alloc_inode(T_FILE, &ino);
  FILE *f = fopen(path, "rb");
  if (f == 0)
    die("cannot open %s: %s", path, strerror(errno));
  size_t n;
  while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
    append(&ino, buf, n);
  if (ferror(f))
    die("cannot read %s: %s", path, strerror(errno));
  fclose(f);
  write_inode(inum, &ino);
  return inum;
}

// Build the root directory holding every file in paths[0..n).
static void
build_root(char **paths, int n)
{
  struct dinode root;
  if (alloc_inode(T_DIR, &root) != ROOTINO)
    die("internal error: root is not inode %d", ROOTINO);
  add_dirent(&root, ROOTINO, ".");
  add_dirent(&root, ROOTINO, "..");
  for (int i = 0; i < n; i++)
    add_dirent(&root, add_file(paths[i]), image_name(paths[i]));
  // Entries fill blocks in order, so the last block is already allocated.
  root.size = div_round_up(root.size, BSIZE) * BSIZE;
  write_inode(ROOTINO, &root);
}

// ---------------------------------------------------------------- bitmap

// Mark blocks [0, used) allocated in the free bitmap.
static void
write_bitmap(uint used)
{
  uchar buf[BSIZE];
  for (uint first = 0; first < used; first += BPB) {
    memset(buf, 0, sizeof(buf));
    for (uint b = first; b < used && b < first + BPB; b++)
      buf[(b - first) / 8] |= 1 << (b % 8);
    write_block(BBLOCK(first, sb), buf);
  }
}

// Block numbers are stored as int in the log header (kernel/fs/log.c).
#define MAX_FSSIZE 0x7fffffffUL

// Takes "-s BLOCKS" off the front of the arguments; returns how many
// arguments it used.
static int
parse_size(int argc, char **argv)
{
  if (argc < 3 || strcmp(argv[1], "-s") != 0)
    return 0;
  char *end;
  errno = 0;
  unsigned long n = strtoul(argv[2], &end, 10);
  if (errno != 0 || *end != 0 || argv[2][0] == 0 || argv[2][0] == '-' || n > MAX_FSSIZE)
    die("-s %s: want a block count of at most %lu", argv[2], MAX_FSSIZE);
  fssize = n;
  return 2;
}

int
main(int argc, char **argv)
{
  int used = parse_size(argc, argv);
  argc -= used;
  argv += used;
  if (argc < 2)
    die("usage: mkfs [-s BLOCKS] IMAGE FILE...");
  check_names(argv + 2, argc - 2);
  plan_layout();
  create_image(argv[1]);
  write_superblock();
  uint first_data = next_block;
  build_root(argv + 2, argc - 2);
  write_bitmap(next_block);
  if (fclose(img) != 0)
    die("%s: %s", img_path, strerror(errno));
  printf("mkfs: %s: %u blocks: log %u@%u, inodes %u@%u (%u), bitmap %u@%u, "
         "data %u@%u; %d files, %u data blocks used\n",
         img_path, fssize, sb.nlog, sb.logstart, sb.bmapstart - sb.inodestart,
         sb.inodestart, NINODES, first_data - sb.bmapstart, sb.bmapstart,
         sb.nblocks, first_data, argc - 2, next_block - first_data);
  return 0;
}
