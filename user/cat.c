// cat.c -- copy each named file (or standard input, given no names) to
// standard output. Reports the first failing file on fd 2 and exits 1
// after trying the rest.
#include "kernel/types.h"
#include "kernel/fcntl.h"
#include "user/user.h"

#define CHUNK 1024  // bytes per read()

static char buf[CHUNK];

// Copy fd to standard output until end of file. Returns 0 or -1.
static int
copy_out(int fd, const char *name)
{
  int n;
  while ((n = read(fd, buf, sizeof(buf))) > 0) {
    int w = write(1, buf, n);
    if (w != n) {
      if (w < 0)
        fprintf(2, "cat: write error (errno %d)\n", errno);
      else
        fprintf(2, "cat: short write (%d of %d bytes): reader gone?\n", w, n);
      return -1;
    }
  }
  if (n < 0) {
    fprintf(2, "cat: %s: read error (errno %d)\n", name, errno);
    return -1;
  }
  return 0;
}

int main(int argc, char **argv)
{
  if (argc < 2)
    return copy_out(0, "stdin") < 0;
  int status = 0;
  for (int i = 1; i < argc; i++) {
    int fd = open(argv[i], O_RDONLY);
    if (fd < 0) {
      fprintf(2, "cat: cannot open %s (errno %d)\n", argv[i], errno);
      status = 1;
      continue;
    }
    if (copy_out(fd, argv[i]) < 0)
      status = 1;
    close(fd);
  }
  return status;
}
