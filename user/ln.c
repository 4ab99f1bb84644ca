// ln.c -- ln existing new: give an existing file a second name (a hard
// link; the file system has no symbolic links). It has no options.
#include "kernel/types.h"
#include "user/user.h"

int main(int argc, char **argv)
{
  static char opt[NFLAGS];
  int first = getflags(argc, argv, "", opt);
  if (first < 0 || argc - first != 2) {
    fprintf(2, "usage: ln existing new\n");
    return 1;
  }
  const char *old = argv[first], *new = argv[first + 1];
  if (link(old, new) < 0) {
    fprintf(2, "ln: link %s to %s: %s\n", new, old, strerror(errno));
    return 1;
  }
  return 0;
}
