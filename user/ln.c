// ln.c -- ln existing new: give an existing file a second name (a hard
// link; the file system has no symbolic links).
#include "kernel/types.h"
#include "user/user.h"

int main(int argc, char **argv)
{
  if (argc != 3) {
    fprintf(2, "usage: ln existing new\n");
    return 1;
  }
  if (link(argv[1], argv[2]) < 0) {
    fprintf(2, "ln: cannot link %s to %s (errno %d)\n", argv[2], argv[1], errno);
    return 1;
  }
  return 0;
}
