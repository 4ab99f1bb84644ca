// echo.c -- echo [-n] [word...]: print the words separated by single
// spaces, then a newline (none with -n). The line is assembled first and
// written with one write() when it fits in LINE_MAX bytes, so concurrent
// echoes do not interleave.
//
// Only a leading "-n" is an option; any other word starting with '-' is
// printed like the rest, as echo has always done ("echo -1" prints -1).
#include "kernel/types.h"
#include "user/user.h"

#define LINE_MAX 512

static char line[LINE_MAX];

int main(int argc, char **argv)
{
  int first = 1, newline = 1;
  while (first < argc && strcmp(argv[first], "-n") == 0) {
    newline = 0;
    first++;
  }
  int len = 0;
  for (int i = first; i < argc; i++) {
    int n = strlen(argv[i]);
    if (len + n + 1 > LINE_MAX) {  // too long to gather: flush as we go
      write(1, line, len);
      len = 0;
      if (n + 1 > LINE_MAX) {
        write(1, argv[i], n);
        n = 0;
      }
    }
    memmove(line + len, argv[i], n);
    len += n;
    if (i + 1 < argc)
      line[len++] = ' ';
  }
  if (newline)
    line[len++] = '\n';
  if (write(1, line, len) != len)
    return 1;
  return 0;
}
