// ls.c -- ls [path...]: describe files. For a directory, one line per
// entry; for anything else, one line for the path itself. With no
// arguments, lists ".". Each line is: name (padded to DIRSIZ), type
// (1 dir, 2 file, 3 device, as in kernel/stat.h), inode number, size.
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

static void
print_entry(const char *name, const struct stat *st)
{
  char padded[DIRSIZ + 1];
  int n = strlen(name);
  if (n >= DIRSIZ) {  // long names are shown whole, unpadded
    printf("%s %d %u %lu\n", name, st->type, st->ino, st->size);
    return;
  }
  memmove(padded, name, n);
  memset(padded + n, ' ', DIRSIZ - n);
  padded[DIRSIZ] = 0;
  printf("%s %d %u %lu\n", padded, st->type, st->ino, st->size);
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
    fprintf(2, "ls: path too long: %s\n", dir);
    return -1;
  }
  memmove(path, dir, dlen);
  path[dlen] = '/';
  while (read(fd, &de, sizeof(de)) == sizeof(de)) {
    if (de.inum == 0)
      continue;
    memmove(name, de.name, DIRSIZ);
    name[DIRSIZ] = 0;
    strcpy(path + dlen + 1, name);
    if (stat(path, &st) < 0) {
      fprintf(2, "ls: cannot stat %s (errno %d)\n", path, errno);
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
    fprintf(2, "ls: cannot open %s (errno %d)\n", path, errno);
    return -1;
  }
  int r = fstat(fd, &st);
  if (r < 0)
    fprintf(2, "ls: cannot stat %s (errno %d)\n", path, errno);
  else if (st.type == T_DIR)
    r = list_dir(fd, path);
  else
    print_entry(path, &st);
  close(fd);
  return r;
}

int main(int argc, char **argv)
{
  if (argc < 2)
    return list_path(".") < 0;
  int status = 0;
  for (int i = 1; i < argc; i++) {
    if (list_path(argv[i]) < 0)
      status = 1;
  }
  return status;
}
