// cat.c -- cat [-n] [file...]: copy each named file (or standard input,
// given no names) to standard output. -n numbers the output lines, counting
// on across files as if they were one. Reports each failing file on fd 2
// and exits 1 after trying the rest; an unknown option prints the usage
// and exits 1.
#include "kernel/types.h"
#include "kernel/fcntl.h"
#include "user/user.h"

#define CHUNK 1024  // bytes per read()
#define NUMW  16    // room for one padded line number and its tab

static char buf[CHUNK];
// -n output: a chunk of input grows by at most one number per byte.
static char out[CHUNK * (NUMW + 1)];

static int number_lines;  // -n
static int lineno;        // last number printed
static int at_line_start = 1;

// Write n bytes of p to standard output. Returns 0 or -1.
static int
put(const char *p, int n)
{
  int w = write(1, p, n);
  if (w == n)
    return 0;
  if (w < 0)
    perror("cat: write");
  else
    fprintf(2, "cat: short write (%d of %d bytes): reader gone?\n", w, n);
  return -1;
}

// Append the number of the line about to start to out at o: right-aligned
// in six columns, then a tab. Returns the new end.
static int
put_number(int o)
{
  char digits[NUMW];
  int n = 0, v = ++lineno;
  do {
    digits[n++] = '0' + v % 10;
    v /= 10;
  } while (v);
  for (int pad = 6 - n; pad > 0; pad--)
    out[o++] = ' ';
  while (n > 0)
    out[o++] = digits[--n];
  out[o++] = '\t';
  return o;
}

// Copy n bytes of buf with line numbers inserted. Returns 0 or -1.
static int
put_numbered(int n)
{
  int o = 0;
  for (int i = 0; i < n; i++) {
    if (at_line_start)
      o = put_number(o);
    out[o++] = buf[i];
    at_line_start = (buf[i] == '\n');
  }
  return put(out, o);
}

// Copy fd to standard output until end of file. Returns 0 or -1.
static int
copy_out(int fd, const char *name)
{
  int n;
  while ((n = read(fd, buf, sizeof(buf))) > 0) {
    if ((number_lines ? put_numbered(n) : put(buf, n)) < 0)
      return -1;
  }
  if (n < 0) {
    fprintf(2, "cat: %s: %s\n", name, strerror(errno));
    return -1;
  }
  return 0;
}

int main(int argc, char **argv)
{
  static char opt[NFLAGS];
  int first = getflags(argc, argv, "n", opt);
  if (first < 0) {
    fprintf(2, "usage: cat [-n] [file...]\n");
    return 1;
  }
  number_lines = opt['n'];
  if (first == argc)
    return copy_out(0, "standard input") < 0;
  int status = 0;
  for (int i = first; i < argc; i++) {
    int fd = open(argv[i], O_RDONLY);
    if (fd < 0) {
      fprintf(2, "cat: %s: %s\n", argv[i], strerror(errno));
      status = 1;
      continue;
    }
    if (copy_out(fd, argv[i]) < 0)
      status = 1;
    close(fd);
  }
  return status;
}
