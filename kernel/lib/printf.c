// printf.c -- formatted kernel output to the console, and panic().
//
// Output goes character by character through consputc() (which writes the
// UART synchronously), under pr.lock so lines from different harts do not
// interleave. Once `panicked` is set the lock is skipped: the panicking hart
// must be able to print even if it died holding pr.lock.
#include <stdarg.h>
#include "kernel/types.h"
#include "kernel/param.h"
#include "kernel/lib/spinlock.h"
#include "kernel/lib/printf.h"
#include "kernel/dev/console.h"
#include "kernel/riscv.h"

volatile int panicked = 0;

static struct {
  struct spinlock lock;
  int locking;  // 0 before printinit and after a panic
} pr;

static const char digits[] = "0123456789abcdef";

static void
print_uint(uint64 x, int base, int is_signed_negative)
{
  char buf[24];
  int i = 0;
  do {
    buf[i++] = digits[x % base];
    x /= base;
  } while (x != 0);
  if (is_signed_negative)
    buf[i++] = '-';
  while (--i >= 0)
    consputc(buf[i]);
}

static void
print_signed(long long v)
{
  if (v < 0)
    print_uint((uint64)(-(v + 1)) + 1, 10, 1);
  else
    print_uint((uint64)v, 10, 0);
}

static void
print_str(const char *s)
{
  if (s == 0)
    s = "(null)";
  for (; *s; s++)
    consputc(*s);
}

// Prints one conversion starting at fmt[i] (just past '%'); returns the
// index of the last character consumed.
static int
print_one(const char *fmt, int i, va_list *ap)
{
  int longs = 0;
  while (fmt[i] == 'l') {
    longs++;
    i++;
  }
  switch (fmt[i]) {
  case 'd':
    print_signed(longs ? va_arg(*ap, long) : va_arg(*ap, int));
    break;
  case 'u':
    print_uint(longs ? va_arg(*ap, uint64) : va_arg(*ap, uint), 10, 0);
    break;
  case 'x':
    print_uint(longs ? va_arg(*ap, uint64) : va_arg(*ap, uint), 16, 0);
    break;
  case 'p':
    print_str("0x");
    print_uint(va_arg(*ap, uint64), 16, 0);
    break;
  case 's':
    print_str(va_arg(*ap, const char *));
    break;
  case 'c':
    consputc(va_arg(*ap, int));
    break;
  case '%':
    consputc('%');
    break;
  case 0:
    return i - 1;
  default:
    consputc('%');
    consputc(fmt[i]);
    break;
  }
  return i;
}

static void
vprintf(const char *fmt, va_list ap)
{
  for (int i = 0; fmt[i]; i++) {
    if (fmt[i] != '%')
      consputc(fmt[i]);
    else
      i = print_one(fmt, i + 1, &ap);
  }
}

void
printf(const char *fmt, ...)
{
  va_list ap;
  int locking = pr.locking;
  if (locking)
    acquire(&pr.lock);
  va_start(ap, fmt);
  vprintf(fmt, ap);
  va_end(ap);
  if (locking)
    release(&pr.lock);
}

void
panic(const char *fmt, ...)
{
  va_list ap;
  pr.locking = 0;
  panicked = 1;
  print_str("panic: ");
  va_start(ap, fmt);
  vprintf(fmt, ap);
  va_end(ap);
  print_str("\n");
  for (;;)
    intr_off();
}

void
printinit(void)
{
  initlock(&pr.lock, "pr", LR_PRINTF);
  pr.locking = 1;
}
