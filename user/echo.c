// echo.c -- print the arguments separated by single spaces, then a
// newline. The line is assembled first and written with one write() when
// it fits in LINE_MAX bytes, so concurrent echoes do not interleave.
#include "kernel/types.h"
#include "user/user.h"

#define LINE_MAX 512

static char line[LINE_MAX];

int main(int argc, char **argv)
{
  int len = 0;
  for (int i = 1; i < argc; i++) {
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
    line[len++] = (i + 1 < argc) ? ' ' : '\n';
  }
  if (argc < 2)
    line[len++] = '\n';
  if (write(1, line, len) != len)
    return 1;
  return 0;
}
