// console.c -- the console line discipline on top of the UART.
//
// Input is edited a line at a time: backspace/DEL erases a character,
// Ctrl-U erases the line, Ctrl-D ends input (read returns what is there, or
// 0 at the start of a line), Ctrl-P lists processes. Characters are echoed
// as they arrive. A read() sleeps until a whole line (or Ctrl-D) is ready.
// A full buffer counts as a ready line; while it is full the UART holds
// further input (console_room), so fast input waits instead of being lost.
//
// Lock: cons.lock (its rank: kernel/lib/lockrank.h). Echo goes through
// uartputc_sync, which takes no lock, so the UART's lock is never taken
// under it; Ctrl-P's process list prints under it (printf's lock).
#include "kernel/types.h"
#include "kernel/param.h"
#include "kernel/riscv.h"
#include "kernel/lib/spinlock.h"
#include "kernel/proc/proc.h"
#include "kernel/mm/vm.h"
#include "kernel/lib/printf.h"
#include "kernel/dev/console.h"
#include "kernel/errno.h"

#define CTRL(x) ((x) - '@')
#define BACKSPACE 0x100   // consputc: erase the previous character
#define INPUT_BUF 128

struct devsw devsw[NDEV];

static struct {
  struct spinlock lock;
  char buf[INPUT_BUF];
  uint r;  // [lock] next index to read
  uint w;  // [lock] end of the lines ready for read()
  uint e;  // [lock] end of the line being edited
  int held; // [lock] the buffer was full: the UART holds its input
} cons;

// Called by the UART interrupt before it reads each character: 1 if the
// input buffer has room for it. If not, the UART is told to hold its
// input until console_read() makes room, so nothing typed or pasted is
// lost. Checked and held under cons.lock, so a read making room in between
// cannot leave the UART held with room to spare.
int
console_room(void)
{
  acquire(&cons.lock);
  int room = cons.e - cons.r < INPUT_BUF;
  if (!room && !cons.held) {
    cons.held = 1;
    uart_rx_hold(1);
  }
  release(&cons.lock);
  return room;
}

void
consputc(int c)
{
  if (c == BACKSPACE) {
    uartputc_sync('\b');
    uartputc_sync(' ');
    uartputc_sync('\b');
  } else {
    uartputc_sync(c);
  }
}

static int
console_write(int user, uint64 src, int n)
{
  int i;
  for (i = 0; i < n; i++) {
    char c;
    if (either_copyin(&c, user, src + i, 1) < 0)
      break;
    uartputc(c);
  }
  return i;
}

// Takes up to n characters of the next line (or up to a Ctrl-D) out of
// the input buffer. => cons.lock held; the line is ready.
static int
take_line(char *dst, int n)
{
  int m = 0;
  while (m < n && cons.r != cons.w) {
    int c = cons.buf[cons.r++ % INPUT_BUF];
    if (c == CTRL('D')) {
      if (m > 0)
        cons.r--;  // end of file: leave it so the next read returns 0
      break;
    }
    dst[m++] = c;
    if (c == '\n')
      break;
  }
  return m;
}

// Waits for a line, then copies it out with cons.lock released (the copy
// may need to fault a page in, which may sleep). Returns bytes copied,
// -EINTR if killed while waiting, -EFAULT for a bad buffer.
static int
console_read(int user, uint64 dst, int n)
{
  char kbuf[INPUT_BUF];
  if (n > INPUT_BUF)
    n = INPUT_BUF;  // one line at most: a short read, as from a terminal
  acquire(&cons.lock);
  while (cons.r == cons.w) {
    if (killed(myproc())) {
      release(&cons.lock);
      return -EINTR;
    }
    sleep(&cons.r, &cons.lock);
  }
  uint r0 = cons.r;
  int m = take_line(kbuf, n);
  if (cons.r != r0 && cons.held) {
    cons.held = 0;
    uart_rx_hold(0);  // room again: the held input raises a new interrupt
  }
  release(&cons.lock);
  if (m > 0 && either_copyout(user, dst, kbuf, m) < 0)
    return -EFAULT;
  return m;
}

void
consoleintr(int c)
{
  acquire(&cons.lock);
  switch (c) {
  case CTRL('P'):
    procdump();
    break;
  case CTRL('U'):
    while (cons.e != cons.w && cons.buf[(cons.e - 1) % INPUT_BUF] != '\n') {
      cons.e--;
      consputc(BACKSPACE);
    }
    break;
  case CTRL('H'):
  case '\x7f':
    if (cons.e != cons.w) {
      cons.e--;
      consputc(BACKSPACE);
    }
    break;
  default:
    if (c != 0 && cons.e - cons.r < INPUT_BUF) {
      if (c == '\r')
        c = '\n';
      consputc(c);
      cons.buf[cons.e++ % INPUT_BUF] = c;
      if (c == '\n' || c == CTRL('D') || cons.e - cons.r == INPUT_BUF) {
        cons.w = cons.e;
        wakeup(&cons.r);
      }
    }
    break;
  }
  release(&cons.lock);
}

void
consoleinit(void)
{
  initlock(&cons.lock, "cons", LR_CONS);
  uartinit();
  devsw[CONSOLE].read = console_read;
  devsw[CONSOLE].write = console_write;
}
