// sleep.c -- sleep ticks: do nothing for that many clock ticks, through
// the pause() system call. The clock ticks TICKS_PER_SECOND times a second,
// so "sleep 10" waits one second. Exits 1 on a bad argument or if the
// sleep was cut short (the process was killed).
#include "kernel/types.h"
#include "user/user.h"

#define TICKS_PER_SECOND 10  // the kernel's TICK_HZ (kernel/arch/trap.h)

static int
usage(void)
{
  fprintf(2, "usage: sleep ticks   (%d ticks = 1 second)\n", TICKS_PER_SECOND);
  return 1;
}

int main(int argc, char **argv)
{
  static char opt[NFLAGS];
  int first = getflags(argc, argv, "", opt);
  if (first < 0 || argc - first != 1)
    return usage();
  const char *s = argv[first];
  for (const char *c = s; *c; c++) {
    if (*c < '0' || *c > '9')
      return usage();
  }
  if (*s == 0 || strlen(s) > 9)  // more would overflow an int
    return usage();
  if (pause(atoi(s)) < 0) {
    perror("sleep");
    return 1;
  }
  return 0;
}
