// sh.c -- the shell.
//
// Usage: sh [script]. Reads commands line by line from the script, or from
// standard input; prints the prompt "$ " on fd 2 only when that input is
// the console. Exits at end of input.
//
// Language, loosest binding first:
//   list      ::= pipeline { (';' | '&') pipeline } [';' | '&']
//   pipeline  ::= command { '|' command }
//   command   ::= '(' list ')' { redirect }  |  { word | redirect }+
//   redirect  ::= ('<' | '>' | '>>') word
// ';' runs its left side to completion first; '&' starts its left side and
// does not wait for it. A word is a run of characters other than blanks and
// the operators | ; & ( ) < >; single or double quotes include those
// characters literally. A '#' that starts a word comments out the rest of
// the line. Built-ins: cd [dir] (default "/") and exit [status].
//
// Structure: each line goes through three phases, each in its own section
// below: lex (line -> token array, word text copied into an arena), parse
// (recursive descent over the tokens -> tree of nodes from a fixed pool),
// run (walk the tree, forking as needed). All three use static storage
// that is reset per line; the user stack is a single page, so nothing big
// lives on it.
//
// Process structure: a command that needs its own process is forked and
// waited for; the shell itself only executes built-ins. A background job
// is started through an intermediate child that exits at once, so the job
// becomes an orphan that init reaps -- the shell never accumulates zombies
// and never needs to poll for them.
#include "kernel/types.h"
#include "kernel/param.h"
#include "kernel/stat.h"
#include "kernel/fcntl.h"
#include "kernel/errno.h"
#include "user/user.h"

#define LINE_MAX   512   // longest input line, newline included
#define MAX_TOKENS 128   // tokens in one line
#define MAX_NODES  128   // syntax-tree nodes in one line
#define PROMPT     "$ "

// ---------------------------------------------------------------- lexing

enum tok_kind {
  TK_WORD, TK_PIPE, TK_SEMI, TK_AMP, TK_LPAREN, TK_RPAREN,
  TK_IN, TK_OUT, TK_APPEND, TK_END
};

// How each token kind is written, for error messages.
static const char *tok_spelling[] = {
  [TK_WORD] = "word", [TK_PIPE] = "|", [TK_SEMI] = ";", [TK_AMP] = "&",
  [TK_LPAREN] = "(", [TK_RPAREN] = ")", [TK_IN] = "<", [TK_OUT] = ">",
  [TK_APPEND] = ">>", [TK_END] = "end of line",
};

struct token {
  enum tok_kind kind;
  char *text;  // TK_WORD: the word, NUL-terminated, in word_arena
};

static struct token tokens[MAX_TOKENS];
static int ntokens;
// Each word is at most its source characters plus a NUL, so twice the
// line length always suffices.
static char word_arena[2 * LINE_MAX];

static int
is_blank(char c)
{
  return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v';
}

static int
is_operator(char c)
{
  return c != 0 && strchr("|;&()<>", c) != 0;
}

static enum tok_kind
operator_kind(const char **pp)
{
  const char *p = *pp;
  *pp = p + 1;
  switch (*p) {
  case '|': return TK_PIPE;
  case ';': return TK_SEMI;
  case '&': return TK_AMP;
  case '(': return TK_LPAREN;
  case ')': return TK_RPAREN;
  case '<': return TK_IN;
  default:  // '>'
    if (p[1] == '>') {
      *pp = p + 2;
      return TK_APPEND;
    }
    return TK_OUT;
  }
}

// Copy one word starting at *pp into the arena at *out, honouring quotes.
// Returns the word, or 0 on an unterminated quote.
static char *
lex_word(const char **pp, char **out)
{
  const char *p = *pp;
  char *start = *out, *w = *out;
  while (*p && !is_blank(*p) && !is_operator(*p)) {
    if (*p == '\'' || *p == '"') {
      char quote = *p++;
      while (*p && *p != quote)
        *w++ = *p++;
      if (*p != quote) {
        fprintf(2, "sh: missing closing %c\n", quote);
        return 0;
      }
      p++;
    } else {
      *w++ = *p++;
    }
  }
  *w++ = 0;
  *pp = p;
  *out = w;
  return start;
}

static int
add_token(enum tok_kind kind, char *text)
{
  if (ntokens == MAX_TOKENS) {
    fprintf(2, "sh: too many words\n");
    return -1;
  }
  tokens[ntokens].kind = kind;
  tokens[ntokens].text = text;
  ntokens++;
  return 0;
}

// Split line into tokens, ending with TK_END. Returns 0 or -1.
static int
lex(const char *line)
{
  char *arena = word_arena;
  ntokens = 0;
  for (const char *p = line;;) {
    while (is_blank(*p))
      p++;
    if (*p == 0 || *p == '#')
      return add_token(TK_END, 0);
    if (is_operator(*p)) {
      if (add_token(operator_kind(&p), 0) < 0)
        return -1;
      continue;
    }
    char *w = lex_word(&p, &arena);
    if (w == 0 || add_token(TK_WORD, w) < 0)
      return -1;
  }
}

// ---------------------------------------------------------------- parsing

enum node_kind { N_EXEC, N_GROUP, N_PIPE, N_SEQ, N_BACK };

struct redir {
  int fd;       // descriptor to replace: 0 or 1
  int append;   // '>>': write at the end of the existing file
  int mode;     // open() mode
  char *path;
};

// argv and redirs point into the pools below: a command's words (and its
// redirections) are parsed in one loop without recursion, so each command
// owns one contiguous run of each pool.
struct node {
  enum node_kind kind;
  struct node *left;     // PIPE/SEQ: first part; GROUP/BACK: the body
  struct node *right;    // PIPE/SEQ: second part
  char **argv;           // EXEC: the words, 0-terminated
  int argc;
  struct redir *redirs;  // EXEC, GROUP
  int nredir;
};

static struct node nodes[MAX_NODES];
static int nnodes;
// Every word and every terminating 0 takes one slot; every redirection
// takes two tokens. So these sizes can never run out.
static char *arg_pool[MAX_TOKENS + MAX_NODES];
static int args_used;
static struct redir redir_pool[MAX_TOKENS / 2];
static int redirs_used;
static int cursor;       // index of the next token to parse
static int parse_failed; // set once the first syntax error is reported

static struct node *parse_list(void);

static enum tok_kind
peek(void)
{
  return tokens[cursor].kind;
}

static int
accept(enum tok_kind kind)
{
  if (peek() != kind)
    return 0;
  cursor++;
  return 1;
}

// Report a syntax error at the current token (only the first one counts).
static struct node *
syntax_error(const char *what)
{
  if (!parse_failed) {
    struct token *t = &tokens[cursor];
    const char *near = t->kind == TK_WORD ? t->text : tok_spelling[t->kind];
    fprintf(2, "sh: syntax error: %s (near %s)\n", what, near);
  }
  parse_failed = 1;
  return 0;
}

static struct node *
new_node(enum node_kind kind, struct node *left, struct node *right)
{
  if (nnodes == MAX_NODES)
    return syntax_error("command too complex");
  struct node *n = &nodes[nnodes++];
  memset(n, 0, sizeof(*n));
  n->kind = kind;
  n->left = left;
  n->right = right;
  n->argv = &arg_pool[args_used];
  n->redirs = &redir_pool[redirs_used];
  return n;
}

static int
starts_command(enum tok_kind k)
{
  return k == TK_WORD || k == TK_LPAREN || k == TK_IN || k == TK_OUT ||
         k == TK_APPEND;
}

// If the next tokens are a redirection, add it to n. Returns 1 if one was
// taken, 0 if there was none, -1 on error.
static int
parse_redirect(struct node *n)
{
  enum tok_kind k = peek();
  if (k != TK_IN && k != TK_OUT && k != TK_APPEND)
    return 0;
  cursor++;
  if (peek() != TK_WORD) {
    syntax_error("redirection without a file name");
    return -1;
  }
  struct redir *r = &n->redirs[n->nredir++];
  redirs_used++;
  r->path = tokens[cursor++].text;
  r->fd = (k == TK_IN) ? 0 : 1;
  r->append = (k == TK_APPEND);
  if (k == TK_IN)
    r->mode = O_RDONLY;
  else if (k == TK_OUT)
    r->mode = O_WRONLY | O_CREATE | O_TRUNC;
  else
    r->mode = O_RDWR | O_CREATE;  // read to the end, then write
  return 1;
}

// command ::= '(' list ')' { redirect } | { word | redirect }+
static struct node *
parse_command(void)
{
  struct node *n;
  int r;
  if (accept(TK_LPAREN)) {
    struct node *body = parse_list();
    if (body == 0)
      return 0;
    if (!accept(TK_RPAREN))
      return syntax_error("missing )");
    if ((n = new_node(N_GROUP, body, 0)) == 0)  // after body: owns no args
      return 0;
    while ((r = parse_redirect(n)) > 0)
      ;
    return r < 0 ? 0 : n;
  }
  if ((n = new_node(N_EXEC, 0, 0)) == 0)
    return 0;
  for (;;) {
    if ((r = parse_redirect(n)) < 0)
      return 0;
    if (r > 0)
      continue;
    if (peek() != TK_WORD)
      break;
    if (n->argc == MAXARG)
      return syntax_error("too many arguments");
    n->argv[n->argc++] = tokens[cursor++].text;
    args_used++;
  }
  n->argv[n->argc] = 0;
  args_used++;
  if (n->argc == 0)
    return syntax_error("missing command");
  return n;
}

// Lists and pipelines are parsed iteratively into right-leaning chains
// (a; b; c is SEQ(a, SEQ(b, c))): the stack is one page, and recursion per
// element would cost a frame per command.

// pipeline ::= command { '|' command }
static struct node *
parse_pipeline(void)
{
  struct node *head = 0, **link = &head;
  for (;;) {
    struct node *cmd = parse_command();
    if (cmd == 0)
      return 0;
    if (!accept(TK_PIPE)) {
      *link = cmd;
      return head;
    }
    struct node *pipe_node = new_node(N_PIPE, cmd, 0);
    if (pipe_node == 0)
      return 0;
    *link = pipe_node;
    link = &pipe_node->right;
  }
}

// list ::= pipeline { (';' | '&') pipeline } [';' | '&']
static struct node *
parse_list(void)
{
  struct node *head = 0, **link = &head;
  for (;;) {
    struct node *n = parse_pipeline();
    if (n == 0)
      return 0;
    int more = 1;
    if (accept(TK_AMP))
      n = new_node(N_BACK, n, 0);
    else if (!accept(TK_SEMI))
      more = 0;
    if (n == 0)
      return 0;
    if (!more || !starts_command(peek())) {  // last element
      *link = n;
      return head;
    }
    struct node *seq = new_node(N_SEQ, n, 0);
    if (seq == 0)
      return 0;
    *link = seq;
    link = &seq->right;
  }
}

// Parse the lexed line. Returns its tree, or 0 on error or an empty line.
static struct node *
parse(void)
{
  nnodes = 0;
  args_used = 0;
  redirs_used = 0;
  cursor = 0;
  parse_failed = 0;
  if (peek() == TK_END)
    return 0;
  struct node *n = parse_list();
  if (n != 0 && peek() != TK_END)
    return syntax_error("unexpected token");
  return n;
}

// ---------------------------------------------------------------- running

static int run(struct node *n);

// Wait for child pid; returns its exit status (-1 if it cannot be found).
// Other children collected on the way are dropped: the shell has none it
// cares about besides the one it waits for.
static int
wait_for(int pid)
{
  int status, got;
  while ((got = wait(&status)) >= 0) {
    if (got == pid)
      return status;
  }
  return -1;
}

static int
fork_or_complain(void)
{
  int pid = fork();
  if (pid < 0)
    perror("sh: fork");
  return pid;
}

// Make fd `target` a copy of fd `from` and close `from` (there is no
// dup2: dup takes the lowest free slot, which the close just made target,
// provided every lower fd is open -- true for 0 and 1 in a normal setup).
// Returns 0 or -1.
static int
move_fd(int from, int target)
{
  if (from == target)
    return 0;
  close(target);
  if (dup(from) != target) {
    fprintf(2, "sh: cannot set up fd %d\n", target);
    return -1;
  }
  close(from);
  return 0;
}

// Make r->path appear as descriptor r->fd. Returns 0 or -1.
static int
apply_redirect(const struct redir *r)
{
  int fd = open(r->path, r->mode);
  if (fd < 0) {
    fprintf(2, "sh: %s: %s\n", r->path, strerror(errno));
    return -1;
  }
  if (r->append && lseek(fd, 0, SEEK_END) < 0) {
    fprintf(2, "sh: %s: cannot append: %s\n", r->path, strerror(errno));
    close(fd);
    return -1;
  }
  return move_fd(fd, r->fd);
}

static int
apply_redirects(const struct node *n)
{
  for (int i = 0; i < n->nredir; i++) {
    if (apply_redirect(&n->redirs[i]) < 0)
      return -1;
  }
  return 0;
}

// Built-in commands. Returns 1 and sets *status if argv names one.
static int
builtin(struct node *n, int *status)
{
  char **argv = n->argv;
  if (strcmp(argv[0], "cd") == 0) {
    const char *dir = n->argc > 1 ? argv[1] : "/";
    *status = 0;
    if (chdir(dir) < 0) {
      fprintf(2, "cd: %s: %s\n", dir, strerror(errno));
      *status = 1;
    }
    return 1;
  }
  if (strcmp(argv[0], "exit") == 0)
    exit(n->argc > 1 ? atoi(argv[1]) : 0);
  return 0;
}

// Replace this process with program argv[0]. A bare name that is not
// found in the current directory is also tried in "/", where mkfs puts
// every program. Returns only on failure, after saying why: the reason
// from "/" when the name was not found here, else the first one (a file
// that exists here but is no program is reported as such).
static void
exec_program(char **argv)
{
  static char rooted[MAXPATH];
  exec(argv[0], argv);
  if (errno == ENOENT && strchr(argv[0], '/') == 0 &&
      strlen(argv[0]) + 2 <= MAXPATH) {
    rooted[0] = '/';
    strcpy(rooted + 1, argv[0]);
    exec(rooted, argv);
  }
  fprintf(2, "sh: exec %s: %s\n", argv[0], strerror(errno));
}

// Run n in the current process, which is a child of the shell; never
// returns.
static void
run_here(struct node *n)
{
  int status;
  switch (n->kind) {
  case N_EXEC:
    if (apply_redirects(n) < 0)
      exit(1);
    if (builtin(n, &status))
      exit(status);
    exec_program(n->argv);
    exit(1);
  case N_GROUP:
    if (apply_redirects(n) < 0)
      exit(1);
    exit(run(n->left));
  default:
    exit(run(n));
  }
}

// Fork a child that runs n with standard input from fd `in` and standard
// output to fd `out` (-1: leave as is), closing `spare` (-1: none) in the
// child. Returns the child's pid or -1.
static int
spawn(struct node *n, int in, int out, int spare)
{
  int pid = fork_or_complain();
  if (pid != 0)
    return pid;
  if (spare >= 0)
    close(spare);
  if ((in >= 0 && move_fd(in, 0) < 0) || (out >= 0 && move_fd(out, 1) < 0))
    exit(1);
  run_here(n);
  return -1;  // not reached
}

// Run the chain a | b | ... | z: every stage is a child of this process,
// connected by one pipe per '|'. Waits for all stages that started and
// returns z's status (-1 if z never started).
static int
run_pipeline(struct node *n)
{
  int in = -1, started = 0, last = -1, status = -1;
  for (;;) {
    int p[2] = { -1, -1 };
    int more = (n->kind == N_PIPE);
    if (more && pipe(p) < 0) {
      perror("sh: pipe");
      break;
    }
    int pid = spawn(more ? n->left : n, in, p[1], p[0]);
    if (in >= 0)
      close(in);
    if (more)
      close(p[1]);
    in = p[0];
    if (pid < 0)
      break;
    started++;
    if (!more) {
      last = pid;
      break;
    }
    n = n->right;
  }
  if (in >= 0)
    close(in);
  while (started-- > 0) {
    int st, pid = wait(&st);
    if (pid < 0)
      break;
    if (pid == last)
      status = st;
  }
  return status;
}

// Start n in the background: the intermediate child forks the job and
// exits, handing the job to init.
static int
run_background(struct node *n)
{
  int pid = fork_or_complain();
  if (pid == 0) {
    if (fork_or_complain() == 0)
      run_here(n);
    exit(0);
  }
  if (pid < 0)
    return -1;
  wait_for(pid);  // the intermediate child only, not the job
  return 0;
}

// Run n to completion in the shell process (forking where needed) and
// return its exit status.
static int
run(struct node *n)
{
  int status;
  while (n->kind == N_SEQ) {  // a loop, not recursion: chains can be long
    run(n->left);
    n = n->right;
  }
  switch (n->kind) {
  case N_BACK:
    return run_background(n->left);
  case N_PIPE:
    return run_pipeline(n);
  case N_EXEC:
    if (builtin(n, &status))
      return status;
    // fall through: everything else gets its own process
  case N_GROUP: {
    int pid = spawn(n, -1, -1, -1);
    return pid < 0 ? -1 : wait_for(pid);
  }
  default:  // N_SEQ was consumed by the loop above
    return -1;
  }
}

// ---------------------------------------------------------------- input

// Read one line from fd into buf (without its newline). Returns the
// length, -1 at end of input, or -2 if the line did not fit (the rest of
// it is consumed and discarded).
static int
read_line(int fd, char *buf, int max)
{
  int len = 0, got_any = 0, overflow = 0;
  char c;
  while (read(fd, &c, 1) == 1) {
    got_any = 1;
    if (c == '\n')
      break;
    if (len + 1 < max)
      buf[len++] = c;
    else
      overflow = 1;
  }
  buf[len] = 0;
  if (!got_any)
    return -1;
  return overflow ? -2 : len;
}

static int
input_is_console(int fd)
{
  struct stat st;
  return fstat(fd, &st) == 0 && st.type == T_DEVICE;
}

static char line[LINE_MAX];

int main(int argc, char **argv)
{
  int in = 0;
  if (argc > 1 && (in = open(argv[1], O_RDONLY)) < 0) {
    fprintf(2, "sh: %s: %s\n", argv[1], strerror(errno));
    exit(1);
  }
  int interactive = (in == 0) && input_is_console(0);
  for (;;) {
    if (interactive)
      fprintf(2, PROMPT);
    int n = read_line(in, line, sizeof(line));
    if (n == -1)
      break;
    if (n == -2) {
      fprintf(2, "sh: line too long\n");
      continue;
    }
    if (lex(line) < 0)
      continue;
    struct node *tree = parse();
    if (tree)
      run(tree);
  }
  exit(0);
}
