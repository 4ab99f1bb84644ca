// rm.c -- rm file...: remove each named file (directories only when empty,
// which the kernel checks). Exits 1 if any name could not be removed. It
// has no options; "rm -- -x" removes a file named -x.
#include "kernel/types.h"
#include "user/user.h"

int main(int argc, char **argv)
{
  static char opt[NFLAGS];
  int first = getflags(argc, argv, "", opt);
  if (first < 0 || first == argc) {
    fprintf(2, "usage: rm file...\n");
    return 1;
  }
  int status = 0;
  for (int i = first; i < argc; i++) {
    if (unlink(argv[i]) < 0) {
      fprintf(2, "rm: %s: %s\n", argv[i], strerror(errno));
      status = 1;
    }
  }
  return status;
}
