// printf.c -- formatted output for user programs: printf (to fd 1) and
// fprintf (to any fd).
//
// Conversions: %d %u %x %p %s %c %%, with an optional length modifier
// l or ll on d/u/x (both mean 64 bits here, since long is 64-bit on rv64),
// an optional field width, and the flags '-' (pad on the right) and '0'
// (pad numbers with zeros). %s of a null pointer prints "(null)". Anything
// else after '%' is printed as written.
//
// Output of one call is collected in a stack buffer and handed to write()
// when the buffer fills or the call ends, so a typical line costs a single
// system call and lines from different processes interleave whole.
#include <stdarg.h>

#include "kernel/types.h"
#include "user/user.h"

#define OUTBUF_SIZE 256   // bytes collected before a write()
#define NUMBUF_SIZE 24    // digits of the largest 64-bit value, any base

static const char hexdigits[] = "0123456789abcdef";

// Pending output of one printf call.
struct outbuf {
  int fd;
  int len;
  char data[OUTBUF_SIZE];
};

// How one conversion should be laid out.
struct spec {
  int width;     // minimum characters, 0 = none
  int left;      // '-' flag: pad after the text
  int zero;      // '0' flag: pad numbers with zeros
  int longness;  // number of 'l' modifiers seen
};

static void
out_flush(struct outbuf *ob)
{
  if (ob->len > 0)
    write(ob->fd, ob->data, ob->len);
  ob->len = 0;
}

static void
out_char(struct outbuf *ob, char c)
{
  if (ob->len == OUTBUF_SIZE)
    out_flush(ob);
  ob->data[ob->len++] = c;
}

static void
out_repeat(struct outbuf *ob, char c, int n)
{
  while (n-- > 0)
    out_char(ob, c);
}

// Emit n bytes of text laid out in a field per sp. prefix (e.g. "-" or
// "0x") goes before any zero padding and after any space padding.
static void
out_field(struct outbuf *ob, const struct spec *sp, const char *prefix,
          const char *text, int n)
{
  int plen = strlen(prefix);
  int pad = sp->width - plen - n;
  if (!sp->left && !sp->zero)
    out_repeat(ob, ' ', pad);
  while (*prefix)
    out_char(ob, *prefix++);
  if (!sp->left && sp->zero)
    out_repeat(ob, '0', pad);
  for (int i = 0; i < n; i++)
    out_char(ob, text[i]);
  if (sp->left)
    out_repeat(ob, ' ', pad);
}

// Emit an unsigned value in base 10 or 16 with an optional prefix.
static void
out_number(struct outbuf *ob, const struct spec *sp, const char *prefix,
           unsigned long long v, int base)
{
  char digits[NUMBUF_SIZE];
  int i = NUMBUF_SIZE;
  do {
    digits[--i] = hexdigits[v % base];
    v /= base;
  } while (v != 0);
  out_field(ob, sp, prefix, digits + i, NUMBUF_SIZE - i);
}

static long long
arg_signed(va_list *ap, int longness)
{
  if (longness > 0)
    return va_arg(*ap, long long);
  return va_arg(*ap, int);
}

static unsigned long long
arg_unsigned(va_list *ap, int longness)
{
  if (longness > 0)
    return va_arg(*ap, unsigned long long);
  return va_arg(*ap, unsigned int);
}

// Read flags, width and length modifiers after a '%'; returns the
// position of the conversion character.
static const char *
parse_spec(const char *p, struct spec *sp)
{
  sp->width = sp->left = sp->zero = sp->longness = 0;
  for (;; p++) {
    if (*p == '-')
      sp->left = 1;
    else if (*p == '0')
      sp->zero = 1;
    else
      break;
  }
  while (*p >= '0' && *p <= '9')
    sp->width = sp->width * 10 + (*p++ - '0');
  while (*p == 'l') {
    sp->longness++;
    p++;
  }
  return p;
}

// Carry out one conversion character c.
static void
convert(struct outbuf *ob, const struct spec *sp, char c, va_list *ap)
{
  struct spec plain = *sp;
  switch (c) {
  case 'd': {
    long long v = arg_signed(ap, sp->longness);
    unsigned long long mag = v < 0 ? -(unsigned long long)v : (unsigned long long)v;
    out_number(ob, sp, v < 0 ? "-" : "", mag, 10);
    break;
  }
  case 'u':
    out_number(ob, sp, "", arg_unsigned(ap, sp->longness), 10);
    break;
  case 'x':
    out_number(ob, sp, "", arg_unsigned(ap, sp->longness), 16);
    break;
  case 'p':
    out_number(ob, sp, "0x", (uint64)va_arg(*ap, void *), 16);
    break;
  case 's': {
    const char *s = va_arg(*ap, const char *);
    if (s == 0)
      s = "(null)";
    plain.zero = 0;
    out_field(ob, &plain, "", s, strlen(s));
    break;
  }
  case 'c': {
    char ch = (char)va_arg(*ap, int);
    plain.zero = 0;
    out_field(ob, &plain, "", &ch, 1);
    break;
  }
  case '%':
    out_char(ob, '%');
    break;
  default:  // unknown: show it rather than guess
    out_char(ob, '%');
    out_char(ob, c);
    break;
  }
}

static void
format(int fd, const char *fmt, va_list *ap)
{
  struct outbuf ob;
  struct spec sp;
  ob.fd = fd;
  ob.len = 0;
  for (const char *p = fmt; *p; p++) {
    if (*p != '%') {
      out_char(&ob, *p);
      continue;
    }
    p = parse_spec(p + 1, &sp);
    if (*p == 0)  // lone '%' at the end of the format
      break;
    convert(&ob, &sp, *p, ap);
  }
  out_flush(&ob);
}

void
fprintf(int fd, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  format(fd, fmt, &ap);
  va_end(ap);
}

void
printf(const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  format(1, fmt, &ap);
  va_end(ap);
}
