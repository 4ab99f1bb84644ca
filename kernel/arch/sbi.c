// sbi.c -- thin wrappers around the `ecall` into OpenSBI.
// The SBI calling convention: extension id in a7, function id in a6,
// arguments in a0..a5; the firmware returns an error code in a0 and a
// value in a1. Safe from any hart at any time; takes no locks.
#include "kernel/types.h"
#include "kernel/arch/sbi.h"
#include "kernel/memlayout.h"

#define SBI_EXT_LEGACY_PUTCHAR 0x01
#define SBI_EXT_TIME   0x54494D45  // "TIME"
#define SBI_EXT_IPI    0x735049    // "sPI"
#define SBI_EXT_RFENCE 0x52464E43  // "RFNC"
#define SBI_EXT_HSM    0x48534D    // "HSM"
#define SBI_EXT_SRST   0x53525354  // "SRST"

#define SBI_HSM_HART_START      0
#define SBI_HSM_HART_GET_STATUS 2
#define SBI_RFENCE_SFENCE_VMA   1
#define SBI_SRST_SHUTDOWN       0
#define SBI_SRST_REASON_NONE    0
#define SBI_SRST_REASON_FAILURE 1

struct sbiret {
  long error;
  long value;
};

static struct sbiret
sbi_call(uint64 ext, uint64 fid, uint64 a0, uint64 a1, uint64 a2, uint64 a3)
{
  register uint64 r0 asm("a0") = a0;
  register uint64 r1 asm("a1") = a1;
  register uint64 r2 asm("a2") = a2;
  register uint64 r3 asm("a3") = a3;
  register uint64 r6 asm("a6") = fid;
  register uint64 r7 asm("a7") = ext;
  asm volatile("ecall"
               : "+r"(r0), "+r"(r1)
               : "r"(r2), "r"(r3), "r"(r6), "r"(r7)
               : "memory");
  struct sbiret ret = {(long)r0, (long)r1};
  return ret;
}

void
sbi_set_timer(uint64 when)
{
  sbi_call(SBI_EXT_TIME, 0, when, 0, 0, 0);
}

void
sbi_send_ipi(uint64 hart_mask)
{
  sbi_call(SBI_EXT_IPI, 0, hart_mask, 0, 0, 0);
}

void
sbi_remote_sfence_vma(uint64 hart_mask, uint64 start, uint64 size)
{
  sbi_call(SBI_EXT_RFENCE, SBI_RFENCE_SFENCE_VMA, hart_mask, 0, start, size);
}

int
sbi_hart_start(uint64 hartid, uint64 addr, uint64 opaque)
{
  return sbi_call(SBI_EXT_HSM, SBI_HSM_HART_START, hartid, addr, opaque, 0).error;
}

int
sbi_hart_exists(uint64 hartid)
{
  return sbi_call(SBI_EXT_HSM, SBI_HSM_HART_GET_STATUS, hartid, 0, 0, 0).error == 0;
}

void
sbi_console_putc(int c)
{
  sbi_call(SBI_EXT_LEGACY_PUTCHAR, 0, c, 0, 0, 0);
}

void
sbi_shutdown(int failed)
{
  uint64 reason = failed ? SBI_SRST_REASON_FAILURE : SBI_SRST_REASON_NONE;
  sbi_call(SBI_EXT_SRST, SBI_SRST_SHUTDOWN, 0, reason, 0, 0);
  for (;;)
    ;
}
