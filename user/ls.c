// ls.c -- ls [-l] [path...]: name files. For a directory, one line per
// entry; for anything else, one line for the path itself. With no paths,
// lists ".".
//
// Plain ls prints each name on a line of its own. ls -l prints, per line,
//   type  links  inode  size  name
// where type is "dir", "file" or "dev" (kernel/stat.h), links the number of
// directory entries naming the file, inode its inode number and size its
// length in bytes:
//   file     1     2    12345 README
//
// Directories are read raw: their content is an array of struct dirent,
// where inum 0 marks an unused slot and a name of exactly DIRSIZ bytes has
// no terminating NUL.
#include "kernel/types.h"
#include "kernel/param.h"
#include "kernel/stat.h"
#include "kernel/fs.h"
#include "kernel/fcntl.h"
#include "user/user.h"

static int long_format;  // -l

static const char *
type_name(int type)
{
  switch (type) {
  case T_DIR: return "dir";
  case T_FILE: return "file";
  case T_DEVICE: return "dev";
  default: return "?";
  }
}

static void
print_entry(const char *name, const struct stat *st)
{
  if (long_format)
    printf("%-4s %5d %5u %8lu %s\n", type_name(st->type), st->nlink, st->ino,
           st->size, name);
  else
    printf("%s\n", name);
}

// List the entries of the open directory fd, whose path is dir.
// Returns 0, or -1 if something could not be examined.
static int
list_dir(int fd, const char *dir)
{
  char path[MAXPATH];
  char name[DIRSIZ + 1];
  struct dirent de;
  struct stat st;
  int status = 0;
  int dlen = strlen(dir);
  if (dlen + 1 + DIRSIZ + 1 > MAXPATH) {
    fprintf(2, "ls: %s: path too long\n", dir);
    return -1;
  }
  memmove(path, dir, dlen);
  path[dlen] = '/';
  while (read(fd, &de, sizeof(de)) == sizeof(de)) {
    if (de.inum == 0)
      continue;
    memmove(name, de.name, DIRSIZ);
    name[DIRSIZ] = 0;
    if (!long_format) {  // the name is all we need: no stat
      print_entry(name, 0);
      continue;
    }
    strcpy(path + dlen + 1, name);
    if (stat(path, &st) < 0) {
      fprintf(2, "ls: %s: %s\n", path, strerror(errno));
      status = -1;
      continue;
    }
    print_entry(name, &st);
  }
  return status;
}

// Describe one command-line path. Returns 0 or -1.
static int
list_path(const char *path)
{
  struct stat st;
  int fd = open(path, O_RDONLY);
  if (fd < 0) {
    fprintf(2, "ls: %s: %s\n", path, strerror(errno));
    return -1;
  }
  int r = fstat(fd, &st);
  if (r < 0)
    fprintf(2, "ls: %s: %s\n", path, strerror(errno));
  else if (st.type == T_DIR)
    r = list_dir(fd, path);
  else
    print_entry(path, &st);
  close(fd);
  return r;
}

int main(int argc, char **argv)
{
  static char opt[NFLAGS];
  int first = getflags(argc, argv, "l", opt);
  if (first < 0) {
    fprintf(2, "usage: ls [-l] [path...]\n");
    return 1;
  }
  long_format = opt['l'];
  if (first == argc)
    return list_path(".") < 0;
  int status = 0;
  for (int i = first; i < argc; i++) {
    if (list_path(argv[i]) < 0)
      status = 1;
  }
  return status;
}
