// console.h -- the console: a UART 16550 driver below a line discipline.
// The console is device major CONSOLE; user programs open it through the
// node "console" that init creates.
#ifndef PCV6_CONSOLE_H
#define PCV6_CONSOLE_H

#include "kernel/types.h"

#define CONSOLE 1   // device major number

// Device switch: read/write entry points per major number.
// user != 0 means addr is a user virtual address of the current process.
struct devsw {
  int (*read)(int user, uint64 addr, int n);
  int (*write)(int user, uint64 addr, int n);
};
extern struct devsw devsw[];

void consoleinit(void);
void consputc(int c);        // kernel output, synchronous
void consoleintr(int c);     // a character arrived from the UART
int console_room(void);      // may the UART hand over one more character?

void uartinit(void);
void uartintr(void);
void uartputc(int c);        // buffered, may sleep; process context only
void uartputc_sync(int c);   // spins on the device; usable anywhere
void uart_rx_hold(int hold); // 1: leave input in the UART; 0: take it again

#endif
