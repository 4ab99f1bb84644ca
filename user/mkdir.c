// mkdir.c -- mkdir dir...: create each named directory. Exits 1 if any
// could not be made. It has no options; "mkdir -- -x" makes a directory
// named -x.
#include "kernel/types.h"
#include "user/user.h"

int main(int argc, char **argv)
{
  static char opt[NFLAGS];
  int first = getflags(argc, argv, "", opt);
  if (first < 0 || first == argc) {
    fprintf(2, "usage: mkdir dir...\n");
    return 1;
  }
  int status = 0;
  for (int i = first; i < argc; i++) {
    if (mkdir(argv[i]) < 0) {
      fprintf(2, "mkdir: %s: %s\n", argv[i], strerror(errno));
      status = 1;
    }
  }
  return status;
}
