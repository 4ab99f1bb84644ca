// wc.c -- wc [-lwc] [file...]: count lines, words and bytes of each named
// file (or of standard input, given no names) and print them in that order,
// then the name. With options, only the counts asked for are printed (still
// in that order). A word is a maximal run of characters that are not blanks
// (space, tab, newline, carriage return, vertical tab, form feed).
#include "kernel/types.h"
#include "kernel/fcntl.h"
#include "user/user.h"

#define CHUNK 1024  // bytes per read()

struct counts {
  uint64 lines, words, bytes;
};

static char buf[CHUNK];

static int
is_blank(char c)
{
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' ||
         c == '\f';
}

// Add fd's counts to *c. Returns 0 or -1 on a read error.
static int
count_fd(int fd, struct counts *c)
{
  int n, in_word = 0;
  while ((n = read(fd, buf, sizeof(buf))) > 0) {
    c->bytes += n;
    for (int i = 0; i < n; i++) {
      if (buf[i] == '\n')
        c->lines++;
      if (is_blank(buf[i])) {
        in_word = 0;
      } else if (!in_word) {
        in_word = 1;
        c->words++;
      }
    }
  }
  return n < 0 ? -1 : 0;
}

// Which counts to print: -l, -w, -c; all three when none is given.
static char opt[NFLAGS];

// Print the selected counts, each followed by a space, then the name.
static void
report(const struct counts *c, const char *name)
{
  if (opt['l'])
    printf("%lu ", c->lines);
  if (opt['w'])
    printf("%lu ", c->words);
  if (opt['c'])
    printf("%lu ", c->bytes);
  printf("%s\n", name);
}

int main(int argc, char **argv)
{
  int first = getflags(argc, argv, "lwc", opt);
  if (first < 0) {
    fprintf(2, "usage: wc [-lwc] [file...]\n");
    return 1;
  }
  if (!opt['l'] && !opt['w'] && !opt['c'])
    opt['l'] = opt['w'] = opt['c'] = 1;
  if (first == argc) {
    struct counts c = {0, 0, 0};
    if (count_fd(0, &c) < 0) {
      perror("wc: read");
      return 1;
    }
    report(&c, "");
    return 0;
  }
  int status = 0;
  for (int i = first; i < argc; i++) {
    struct counts c = {0, 0, 0};
    int fd = open(argv[i], O_RDONLY);
    if (fd < 0) {
      fprintf(2, "wc: %s: %s\n", argv[i], strerror(errno));
      status = 1;
      continue;
    }
    if (count_fd(fd, &c) < 0) {
      fprintf(2, "wc: %s: %s\n", argv[i], strerror(errno));
      status = 1;
    }
    close(fd);
    report(&c, argv[i]);
  }
  return status;
}
