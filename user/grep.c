// grep.c -- grep [-cinv] pattern [file...]: print the lines that contain
// a match for pattern, reading standard input when no file is named. With
// more than one file each line is prefixed with "name:".
//
// Options (combinable, as in -in):
//   -c  print only how many lines were selected (per file: "name:count")
//   -i  ignore case: letters match either way
//   -n  prefix each line with its line number ("12:", after any "name:")
//   -v  select the lines that do not match
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
// A line longer than LINE_MAX is examined in pieces, each matched (and
// printed) on its own but all under the line's one number.
//
// Exit status: 0 if some line was selected, 1 if none was, 2 on a usage
// error (an unknown option included) or an unreadable file -- POSIX grep's
// convention, which keeps 1 meaning "no match".
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

// One input being scanned.
struct source {
  const char *label;  // "name" to prefix lines with, or 0
  int lineno;         // number of the line being examined
  int selected;       // lines selected so far
};

static struct pattern pat;
static char buf[LINE_MAX + 1];
static char opt[NFLAGS];  // the options seen: opt['i'] and so on

static char
lower(char c)
{
  return (c >= 'A' && c <= 'Z') ? c - 'A' + 'a' : c;
}

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
  if (c == 0)
    return 0;
  if (it->any || it->ch == c)
    return 1;
  return opt['i'] && lower(it->ch) == lower(c);
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

// Consider one line (without its newline); piece says whether it goes on
// an overlong line whose start was already counted. Prints it if selected
// and printing is wanted.
static void
consider(struct source *src, char *line, int piece)
{
  if (!piece)
    src->lineno++;
  if (line_matches(line) == opt['v'])
    return;
  src->selected++;
  if (opt['c'])
    return;
  // One printf per line: a line of ordinary length leaves in one write.
  if (src->label && opt['n'])
    printf("%s:%d:%s\n", src->label, src->lineno, line);
  else if (src->label)
    printf("%s:%s\n", src->label, line);
  else if (opt['n'])
    printf("%d:%s\n", src->lineno, line);
  else
    printf("%s\n", line);
}

// Scan fd line by line. Returns 0, or -1 on a read error.
static int
scan(int fd, struct source *src)
{
  int have = 0, n, piece = 0;
  while ((n = read(fd, buf + have, LINE_MAX - have)) > 0) {
    have += n;
    char *start = buf, *nl;
    buf[have] = 0;
    while ((nl = strchr(start, '\n')) != 0) {
      *nl = 0;
      consider(src, start, piece);
      piece = 0;
      start = nl + 1;
    }
    have -= start - buf;
    if (have == LINE_MAX) {  // one overlong line: take what we have
      consider(src, buf, piece);
      piece = 1;
      have = 0;
    }
    memmove(buf, start, have);
  }
  if (have > 0) {  // last line without a newline
    buf[have] = 0;
    consider(src, buf, piece);
  }
  if (opt['c'] && src->label)
    printf("%s:%d\n", src->label, src->selected);
  else if (opt['c'])
    printf("%d\n", src->selected);
  return n < 0 ? -1 : 0;
}

static int
usage(void)
{
  fprintf(2, "usage: grep [-cinv] pattern [file...]\n");
  return 2;
}

int main(int argc, char **argv)
{
  int first = getflags(argc, argv, "cinv", opt);
  if (first < 0 || first >= argc)
    return usage();
  if (compile(argv[first]) < 0) {
    fprintf(2, "grep: pattern too complex\n");
    return 2;
  }
  first++;
  if (first == argc) {
    struct source src = { 0, 0, 0 };
    if (scan(0, &src) < 0) {
      perror("grep: read");
      return 2;
    }
    return src.selected > 0 ? 0 : 1;
  }
  int selected = 0, trouble = 0;
  for (int i = first; i < argc; i++) {
    int fd = open(argv[i], O_RDONLY);
    if (fd < 0) {
      fprintf(2, "grep: %s: %s\n", argv[i], strerror(errno));
      trouble = 1;
      continue;
    }
    struct source src = { argc - first > 1 ? argv[i] : 0, 0, 0 };
    int r = scan(fd, &src);
    close(fd);
    if (r < 0) {
      fprintf(2, "grep: %s: %s\n", argv[i], strerror(errno));
      trouble = 1;
    }
    selected += src.selected;
  }
  if (trouble)
    return 2;
  return selected > 0 ? 0 : 1;
}
