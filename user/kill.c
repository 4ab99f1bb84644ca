// kill.c -- kill pid...: ask the kernel to terminate each listed process
// (`ps` lists them). Exits 1 if any pid was malformed or could not be
// killed. There are no signals, so no options such as -9.
#include "kernel/types.h"
#include "user/user.h"

// Is s a non-empty string of decimal digits?
static int
is_number(const char *s)
{
  if (*s == 0)
    return 0;
  for (; *s; s++) {
    if (*s < '0' || *s > '9')
      return 0;
  }
  return 1;
}

int main(int argc, char **argv)
{
  static char opt[NFLAGS];
  int first = getflags(argc, argv, "", opt);
  if (first < 0 || first == argc) {
    fprintf(2, "usage: kill pid...\n");
    return 1;
  }
  int status = 0;
  for (int i = first; i < argc; i++) {
    if (!is_number(argv[i])) {
      fprintf(2, "kill: %s: not a process id\n", argv[i]);
      status = 1;
    } else if (kill(atoi(argv[i])) < 0) {
      fprintf(2, "kill: %s: %s\n", argv[i], strerror(errno));
      status = 1;
    }
  }
  return status;
}
