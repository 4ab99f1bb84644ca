// errstr.c -- error messages in words, and option parsing, for the
// programs in user/.
//
// Interface (user/user.h):
//   strerror(code)  the lowercase phrase for a code from kernel/errno.h,
//                   "error N" for a code the table does not know;
//   perror(what)    "what: <strerror(errno)>" on fd 2, in one write;
//   getflags(...)   the "-abc" options in front of a command's operands.
//
// Messages are lowercase and carry no final period, so a program can
// embed them: "cat: nosuchfile: no such file or directory".
#include "kernel/types.h"
#include "kernel/errno.h"
#include "user/user.h"


// Indexed by code; a hole is a code the kernel does not use.
static const char *const messages[] = {
  [EPERM] = "operation not permitted",
  [ENOENT] = "no such file or directory",
  [ESRCH] = "no such process",
  [EINTR] = "interrupted",
  [EIO] = "input/output error",
  [ENXIO] = "no such device or address",
  [E2BIG] = "argument list too long",
  [ENOEXEC] = "not an executable program",
  [EBADF] = "bad file descriptor",
  [ECHILD] = "no child processes",
  [EAGAIN] = "resource temporarily unavailable",
  [ENOMEM] = "out of memory",
  [EACCES] = "permission denied",
  [EFAULT] = "bad address",
  [EEXIST] = "file exists",
  [ENODEV] = "no such device",
  [ENOTDIR] = "not a directory",
  [EISDIR] = "is a directory",
  [EINVAL] = "invalid argument",
  [ENFILE] = "too many open files in the system",
  [EMFILE] = "too many open files",
  [ETXTBSY] = "text file busy",
  [EFBIG] = "file too large",
  [ENOSPC] = "no space left on device",
  [ESPIPE] = "illegal seek",
  [EROFS] = "read-only file system",
  [EMLINK] = "too many links",
  [EPIPE] = "broken pipe",
  [ENAMETOOLONG] = "file name too long",
  [ENOSYS] = "function not implemented",
  [ENOTEMPTY] = "directory not empty",
};

#define NMESSAGES ((int)(sizeof(messages) / sizeof(messages[0])))

// The returned string is constant, except for an unknown code, whose
// "error N" lives in a static buffer that the next such call reuses.
const char *
strerror(int code)
{
  static char unknown[24];
  if (code > 0 && code < NMESSAGES && messages[code])
    return messages[code];
  // "error " then the decimal digits; code may be negative or zero.
  char digits[12];
  int n = 0;
  uint v = code < 0 ? -(uint)code : (uint)code;
  do {
    digits[n++] = '0' + v % 10;
    v /= 10;
  } while (v);
  char *p = unknown;
  strcpy(p, "error ");
  p += 6;
  if (code < 0)
    *p++ = '-';
  while (n > 0)
    *p++ = digits[--n];
  *p = 0;
  return unknown;
}

void
perror(const char *what)
{
  const char *why = strerror(errno);
  if (what && *what)
    fprintf(2, "%s: %s\n", what, why);
  else
    fprintf(2, "%s\n", why);
}

// Options come first: every argument from argv[1] on that starts with '-'
// and has at least one more character is a cluster of one-letter flags,
// until the first operand or "--" (which is skipped and ends the options;
// a lone "-" is an operand). Each letter must appear in `allowed`; on[c]
// is set to 1 for each letter c seen (the caller provides NFLAGS zeroed
// bytes). Returns the index of the first operand (argc if none), or -1
// after printing "prog: unknown option -x" on fd 2 for the first letter
// not allowed.
int
getflags(int argc, char **argv, const char *allowed, char *on)
{
  int i;
  for (i = 1; i < argc; i++) {
    const char *a = argv[i];
    if (a[0] != '-' || a[1] == 0)
      break;
    if (a[1] == '-' && a[2] == 0)
      return i + 1;
    for (a++; *a; a++) {
      uchar c = (uchar)*a;
      if (c >= NFLAGS || strchr(allowed, *a) == 0) {
        fprintf(2, "%s: unknown option -%c\n", argv[0], *a);
        return -1;
      }
      on[c] = 1;
    }
  }
  return i;
}
