// grep.c -- grep pattern [file...]: print the lines that contain a match
// for pattern, reading standard input when no file is named. With more than
// one file each line is prefixed with "name:".
//
// Pattern language (a small subset of POSIX basic regular expressions):
//   c    any other character matches itself
//   .    matches any one character
//   x*   zero or more of the preceding item (a literal or '.'); a '*' with
//        nothing before it is an ordinary character
//   ^    at the very start: the match must begin at the start of the line
//   $    at the very end: the match must end at the end of the line
//   \c   the character c itself, even if it is one of the above
//
// The pattern is compiled once into a list of items; matching walks the
// list, trying the longest run first for starred items and backing off.
//
// Exit status: 0 if some line matched, 1 if none did, 2 on a usage error
// or an unreadable file.
#include "kernel/types.h"
#include "kernel/fcntl.h"
#include "user/user.h"

#define MAX_ITEMS 128   // most items in a compiled pattern
#define MAX_STARS 32    // most '*'s: each is one level of recursion when
                        // matching, and the stack is a single page
#define LINE_MAX  1024  // longer lines are examined in pieces of this size

struct item {
  char ch;    // the literal to match (unused when any is set)
  char any;   // '.': matches every character
  char star;  // repeated zero or more times
};

struct pattern {
  struct item items[MAX_ITEMS];
  int n;
  int nstars;
  int at_start;  // leading '^'
  int at_end;    // trailing '$'
};

static struct pattern pat;
static char buf[LINE_MAX + 1];

// Translate the pattern text into pat. Returns 0, or -1 if it has too
// many items or stars.
static int
compile(const char *re)
{
  int len = strlen(re);
  if (len > 0 && re[0] == '^') {
    pat.at_start = 1;
    re++;
    len--;
  }
  if (len > 0 && re[len - 1] == '$' && (len < 2 || re[len - 2] != '\\')) {
    pat.at_end = 1;
    len--;
  }
  for (int i = 0; i < len; i++) {
    if (re[i] == '*' && pat.n > 0 && !pat.items[pat.n - 1].star) {
      if (++pat.nstars > MAX_STARS)
        return -1;
      pat.items[pat.n - 1].star = 1;
      continue;
    }
    if (pat.n == MAX_ITEMS)
      return -1;
    struct item *it = &pat.items[pat.n++];
    int escaped = (re[i] == '\\' && i + 1 < len);
    if (escaped)
      i++;
    it->ch = re[i];
    it->any = (re[i] == '.' && !escaped);
    it->star = 0;
  }
  return 0;
}

static int
item_matches(const struct item *it, char c)
{
  return c != 0 && (it->any || it->ch == c);
}

// Does pattern item k onwards match text starting exactly at s?
static int
match_from(int k, const char *s)
{
  for (; k < pat.n; k++) {
    const struct item *it = &pat.items[k];
    if (it->star) {
      int run = 0;
      while (item_matches(it, s[run]))
        run++;
      for (; run >= 0; run--) {  // longest first, then give characters back
        if (match_from(k + 1, s + run))
          return 1;
      }
      return 0;
    }
    if (!item_matches(it, *s))
      return 0;
    s++;
  }
  return !pat.at_end || *s == 0;
}

static int
line_matches(const char *line)
{
  if (pat.at_start)
    return match_from(0, line);
  const char *s = line;
  do {
    if (match_from(0, s))
      return 1;
  } while (*s++);
  return 0;
}

// Print line (without its newline) if it matches. Returns 1 if it did.
static int
consider(char *line, const char *label)
{
  if (!line_matches(line))
    return 0;
  if (label)
    printf("%s:%s\n", label, line);
  else
    printf("%s\n", line);
  return 1;
}

// Scan fd line by line. Returns matches found, or -1 on a read error.
static int
scan(int fd, const char *label)
{
  int have = 0, found = 0, n;
  while ((n = read(fd, buf + have, LINE_MAX - have)) > 0) {
    have += n;
    char *start = buf, *nl;
    buf[have] = 0;
    while ((nl = strchr(start, '\n')) != 0) {
      *nl = 0;
      found += consider(start, label);
      start = nl + 1;
    }
    have -= start - buf;
    if (have == LINE_MAX) {  // one overlong line: take what we have
      found += consider(buf, label);
      have = 0;
    }
    memmove(buf, start, have);
  }
  if (have > 0) {  // last line without a newline
    buf[have] = 0;
    found += consider(buf, label);
  }
  return n < 0 ? -1 : found;
}

int main(int argc, char **argv)
{
  if (argc < 2) {
    fprintf(2, "usage: grep pattern [file...]\n");
    return 2;
  }
  if (compile(argv[1]) < 0) {
    fprintf(2, "grep: pattern too complex\n");
    return 2;
  }
  if (argc == 2) {
    int r = scan(0, 0);
    if (r < 0)
      fprintf(2, "grep: read error (errno %d)\n", errno);
    return r < 0 ? 2 : (r > 0 ? 0 : 1);
  }
  int found = 0, trouble = 0;
  for (int i = 2; i < argc; i++) {
    int fd = open(argv[i], O_RDONLY);
    if (fd < 0) {
      fprintf(2, "grep: cannot open %s (errno %d)\n", argv[i], errno);
      trouble = 1;
      continue;
    }
    int r = scan(fd, argc > 3 ? argv[i] : 0);
    close(fd);
    if (r < 0) {
      fprintf(2, "grep: %s: read error (errno %d)\n", argv[i], errno);
      trouble = 1;
    } else {
      found += r;
    }
  }
  if (trouble)
    return 2;
  return found > 0 ? 0 : 1;
}
