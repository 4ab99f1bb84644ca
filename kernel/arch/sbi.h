// sbi.h -- calls into the OpenSBI firmware (RISC-V SBI v1.0 extensions:
// TIME, IPI, RFENCE, HSM, SRST). The kernel runs in supervisor mode only;
// machine mode belongs to the firmware (see docs/DESIGN.md for why).
#ifndef PCV6_SBI_H
#define PCV6_SBI_H

#include "kernel/types.h"

void sbi_set_timer(uint64 when);                  // next timer interrupt at time `when`
void sbi_send_ipi(uint64 hart_mask);              // software interrupt to each hart in mask
void sbi_remote_sfence_vma(uint64 hart_mask, uint64 start, uint64 size);
int  sbi_hart_start(uint64 hartid, uint64 addr, uint64 opaque);  // 0 or SBI error
int  sbi_hart_exists(uint64 hartid);             // 1 if the firmware knows that hart
void sbi_shutdown(int failed) __attribute__((noreturn));
void sbi_console_putc(int c);                     // firmware console, for early panics

#endif
