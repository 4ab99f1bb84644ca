// uart.c -- driver for the 16550 UART that QEMU's virt machine puts at UART0.
//
// Output from processes goes through a ring buffer drained by the transmit-
// empty interrupt (uartputc sleeps when the ring is full); kernel printf and
// echo use uartputc_sync, which polls the line-status register. Input
// arrives by the receive interrupt and is handed to consoleintr(), but only
// while the console has room for it (uart_rx_hold).
//
// Lock: tx.lock protects the ring and the transmit start. It is never held
// together with the console's lock: echo uses uartputc_sync, which takes
// no lock, and uartintr takes tx.lock only after consoleintr returns.
// IER is written at init and, under the console's lock, by uart_rx_hold.
#include "kernel/types.h"
#include "kernel/param.h"
#include "kernel/memlayout.h"
#include "kernel/riscv.h"
#include "kernel/lib/spinlock.h"
#include "kernel/proc/proc.h"
#include "kernel/lib/printf.h"
#include "kernel/dev/console.h"

// 16550 registers (byte offsets from UART0) and bits.
#define UART_RHR 0   // receive holding (read)
#define UART_THR 0   // transmit holding (write)
#define UART_IER 1   // interrupt enable
#define   IER_RX_ENABLE (1 << 0)
#define   IER_TX_ENABLE (1 << 1)
#define UART_FCR 2   // FIFO control
#define   FCR_FIFO_ENABLE (1 << 0)
#define   FCR_FIFO_CLEAR  (3 << 1)
#define UART_ISR 2   // interrupt status (read)
#define UART_LCR 3   // line control
#define   LCR_EIGHT_BITS (3 << 0)
#define   LCR_BAUD_LATCH (1 << 7)
#define UART_LSR 5   // line status
#define   LSR_RX_READY (1 << 0)
#define   LSR_TX_IDLE  (1 << 5)

#define UART_REG(r) ((volatile uchar *)(UART0 + (r)))
#define uart_read(r) (*UART_REG(r))
#define uart_write(r, v) (*UART_REG(r) = (v))

#define TX_RING 32

static struct {
  struct spinlock lock;
  char ring[TX_RING];
  uint64 head;  // [lock] next slot to send
  uint64 tail;  // [lock] next slot to fill
} tx;

void
uartinit(void)
{
  uart_write(UART_IER, 0);
  uart_write(UART_LCR, LCR_BAUD_LATCH);
  uart_write(0, 0x03);  // divisor low byte: 38.4K baud
  uart_write(1, 0x00);  // divisor high byte
  uart_write(UART_LCR, LCR_EIGHT_BITS);
  uart_write(UART_FCR, FCR_FIFO_ENABLE | FCR_FIFO_CLEAR);
  uart_write(UART_IER, IER_RX_ENABLE | IER_TX_ENABLE);
  initlock(&tx.lock, "uart", LR_UART);
}

// Sends from the ring while the device can take a byte.
// => tx.lock held.
static void
uart_start(void)
{
  while (tx.head != tx.tail) {
    if ((uart_read(UART_LSR) & LSR_TX_IDLE) == 0)
      return;  // the transmit interrupt will call us again
    int c = tx.ring[tx.head % TX_RING];
    tx.head++;
    wakeup(&tx.head);
    uart_write(UART_THR, c);
  }
}

void
uartputc(int c)
{
  acquire(&tx.lock);
  while (panicked == 0 && tx.tail == tx.head + TX_RING)
    sleep(&tx.head, &tx.lock);
  if (panicked) {
    release(&tx.lock);
    uartputc_sync(c);
    return;
  }
  tx.ring[tx.tail % TX_RING] = c;
  tx.tail++;
  uart_start();
  release(&tx.lock);
}

void
uartputc_sync(int c)
{
  push_off();
  while ((uart_read(UART_LSR) & LSR_TX_IDLE) == 0)
    ;
  uart_write(UART_THR, c);
  pop_off();
}

// Input flow control. While the console's input buffer is full, the
// receive interrupt is switched off and characters stay in the UART; the
// device then stops taking more (QEMU holds back its host-side input), so
// a pasted line longer than the buffer arrives whole, just later, instead
// of losing characters. => cons.lock held (console.c calls this), which
// also serialises the writes of IER.
void
uart_rx_hold(int hold)
{
  uart_write(UART_IER, hold ? IER_TX_ENABLE : IER_RX_ENABLE | IER_TX_ENABLE);
}

void
uartintr(void)
{
  (void)uart_read(UART_ISR);  // reading it acknowledges a transmit-empty interrupt
  while ((uart_read(UART_LSR) & LSR_RX_READY) && console_room())
    consoleintr(uart_read(UART_RHR));
  acquire(&tx.lock);
  uart_start();
  release(&tx.lock);
}
