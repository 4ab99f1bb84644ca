// riscv.h -- RISC-V privileged-architecture facts: CSR bits, Sv39 page-table
// entries, page arithmetic, and inline accessors for supervisor CSRs.
// Part of the xv6 user ABI (user programs use PGSIZE, PGROUNDUP, MAXVA, PTE_*).
// Needs types.h (except from assembly, which sees only the constants).
#ifndef PCV6_RISCV_H
#define PCV6_RISCV_H

#define PGSIZE  4096
#define PGSHIFT 12
#define PGROUNDUP(sz)  (((sz) + PGSIZE - 1) & ~(PGSIZE - 1))
#define PGROUNDDOWN(a) (((a)) & ~(PGSIZE - 1))

// Sv39 page-table entry bits.
#define PTE_V (1L << 0)  // valid
#define PTE_R (1L << 1)
#define PTE_W (1L << 2)
#define PTE_X (1L << 3)
#define PTE_U (1L << 4)  // user-accessible
#define PTE_G (1L << 5)
#define PTE_A (1L << 6)  // accessed (QEMU sets it in hardware)
#define PTE_D (1L << 7)  // dirty (QEMU sets it in hardware on a store)
#define PTE_RSW0 (1L << 8)  // software bit: copy-on-write (kernel/mm/cow.h: PTE_COW)
#define PTE_RSW1 (1L << 9)  // software bit: PROT_NONE page (kernel/mm/vma.h: PTE_PROTNONE)

#define PA2PTE(pa)   ((((uint64)(pa)) >> 12) << 10)
#define PTE2PA(pte)  (((pte) >> 10) << 12)
#define PTE_FLAGS(pte) ((pte) & 0x3FF)

// Sv39: three 9-bit indexes above the 12-bit page offset.
#define PXMASK 0x1FF
#define PXSHIFT(level) (PGSHIFT + (9 * (level)))
#define PX(level, va) ((((uint64)(va)) >> PXSHIFT(level)) & PXMASK)

// One bit less than Sv39's 39 so no address needs sign extension.
#define MAXVA (1L << (9 + 9 + 9 + 12 - 1))

// satp
#define SATP_SV39 (8L << 60)
#define MAKE_SATP(pagetable) (SATP_SV39 | (((uint64)pagetable) >> 12))

// sstatus
#define SSTATUS_SPP  (1L << 8)   // previous mode, 1 = supervisor
#define SSTATUS_SPIE (1L << 5)   // previous interrupt enable
#define SSTATUS_SIE  (1L << 1)   // supervisor interrupt enable
#define SSTATUS_SUM  (1L << 18)  // supervisor may touch user pages

// sie / sip
#define SIE_SSIE (1L << 1)   // software (inter-processor) interrupts
#define SIE_STIE (1L << 5)   // timer
#define SIE_SEIE (1L << 9)   // external (PLIC)
#define SIP_SSIP (1L << 1)

// scause: interrupt bit and codes
#define SCAUSE_INTR             (1UL << 63)
#define SCAUSE_S_SOFT           1
#define SCAUSE_S_TIMER          5
#define SCAUSE_S_EXTERNAL       9
#define SCAUSE_INSN_MISALIGNED  0
#define SCAUSE_INSN_ACCESS      1
#define SCAUSE_ILLEGAL_INSN     2
#define SCAUSE_BREAKPOINT       3
#define SCAUSE_LOAD_ACCESS      5
#define SCAUSE_STORE_ACCESS     7
#define SCAUSE_ECALL_U          8
#define SCAUSE_INSN_PAGE_FAULT  12
#define SCAUSE_LOAD_PAGE_FAULT  13
#define SCAUSE_STORE_PAGE_FAULT 15

#ifndef __ASSEMBLER__

typedef uint64 pte_t;
typedef uint64 *pagetable_t;  // 512 PTEs

#define CSR_READ(name) ({ uint64 _v; asm volatile("csrr %0, " #name : "=r"(_v)); _v; })
#define CSR_WRITE(name, v) asm volatile("csrw " #name ", %0" : : "r"((uint64)(v)))

static inline uint64 r_sstatus(void) { return CSR_READ(sstatus); }
static inline void w_sstatus(uint64 x) { CSR_WRITE(sstatus, x); }
static inline uint64 r_sip(void) { return CSR_READ(sip); }
static inline void w_sip(uint64 x) { CSR_WRITE(sip, x); }
static inline uint64 r_sie(void) { return CSR_READ(sie); }
static inline void w_sie(uint64 x) { CSR_WRITE(sie, x); }
// scounteren: which of cycle (bit 0), time (1), instret (2) user mode may read.
#define SCOUNTEREN_CY (1 << 0)
#define SCOUNTEREN_TM (1 << 1)
#define SCOUNTEREN_IR (1 << 2)
static inline void w_scounteren(uint64 x) { CSR_WRITE(scounteren, x); }
static inline uint64 r_sepc(void) { return CSR_READ(sepc); }
static inline void w_sepc(uint64 x) { CSR_WRITE(sepc, x); }
static inline uint64 r_stvec(void) { return CSR_READ(stvec); }
static inline void w_stvec(uint64 x) { CSR_WRITE(stvec, x); }
static inline uint64 r_satp(void) { return CSR_READ(satp); }
static inline void w_satp(uint64 x) { CSR_WRITE(satp, x); }
static inline uint64 r_scause(void) { return CSR_READ(scause); }
static inline uint64 r_stval(void) { return CSR_READ(stval); }
static inline uint64 r_time(void) { return CSR_READ(time); }
static inline uint64 r_cycle(void) { return CSR_READ(cycle); }
static inline uint64 r_tp(void) { uint64 x; asm volatile("mv %0, tp" : "=r"(x)); return x; }
static inline void w_tp(uint64 x) { asm volatile("mv tp, %0" : : "r"(x)); }
static inline uint64 r_sp(void) { uint64 x; asm volatile("mv %0, sp" : "=r"(x)); return x; }
static inline uint64 r_ra(void) { uint64 x; asm volatile("mv %0, ra" : "=r"(x)); return x; }

static inline void intr_on(void) { w_sstatus(r_sstatus() | SSTATUS_SIE); }
static inline void intr_off(void) { w_sstatus(r_sstatus() & ~SSTATUS_SIE); }
static inline int intr_get(void) { return (r_sstatus() & SSTATUS_SIE) != 0; }

// Flush this hart's whole TLB.
static inline void sfence_vma(void) { asm volatile("sfence.vma zero, zero"); }

#endif // __ASSEMBLER__
#endif
