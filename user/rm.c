// rm.c -- remove each named file (directories only when empty, which the
// kernel checks). Exits 1 if any name could not be removed.
#include "kernel/types.h"
#include "user/user.h"

int main(int argc, char **argv)
{
  if (argc < 2) {
    fprintf(2, "usage: rm file...\n");
    return 1;
  }
  int status = 0;
  for (int i = 1; i < argc; i++) {
    if (unlink(argv[i]) < 0) {
      fprintf(2, "rm: cannot remove %s (errno %d)\n", argv[i], errno);
      status = 1;
    }
  }
  return status;
}
