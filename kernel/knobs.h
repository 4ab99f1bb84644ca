// knobs.h -- run-time switches a user program can set with knob()
// (pcv6's own system call, number SYS_knob). Knob numbers are ABI. Only
// constants live here, shared by kernel and user programs; what kernel
// code needs besides (the switch words, the hooks) is in
// kernel/mm/knobs_impl.h.
#ifndef PCV6_KNOBS_H
#define PCV6_KNOBS_H

// When nonzero, the next log commit powers the machine off right after
// its commit point (header written, blocks not yet installed), so that a
// test can prove recovery replays a committed transaction.
#define KNOB_CRASH_AFTER_COMMIT 1
// Mapping policy for areas mapped from now on: MMAP_POLICY_CACHE (the
// default) or MMAP_POLICY_NAIVE. Each area keeps the policy it was made with.
#define KNOB_POLICY      2
// Fault-around window in pages (1 = off); a power of two up to WINDOW_MAX.
#define KNOB_FAULTAROUND 3
// Largest read-ahead window in pages (0 or 1 = off), at most WINDOW_MAX.
#define KNOB_READAHEAD   4
// Any value: write back every dirty cache page and free every cache page
// that no mapping holds (returns how many were freed). Pages of shared
// anonymous memory stay: they are its only copy; so do the pages of the
// segments of a file some process runs (exec), until none runs it.
#define KNOB_DROP        5
// Fault trace (kernel/trace.h): 1 empties it and starts recording, 0
// stops; returns the number of events held.
#define KNOB_TRACE       6
// Svade emulation: when 1, shared writable pages are mapped without PTE_W
// until the first store faults (as on a hart that does not set PTE D).
#define KNOB_SVADE       7
// Most file pages the page cache may hold (0 = no limit but memory).
// Shared anonymous memory's pages do not count: they cannot be evicted.
#define KNOB_PC_LIMIT    8
// A pid, or 0 (off): that process sleeps one clock tick each time a path
// lookup has found the parent directory of the last element and let go of
// its lock (nameiparent), before its caller locks the parent again. It
// widens a window the kernel must handle anyway -- the parent may be
// removed meanwhile -- so that a test can make sure that it does.
#define KNOB_LOOKUP_PAUSE 9
// A pid, or 0 (off): each log operation that process begins stays open
// one clock tick before it goes on (begin_op). It keeps the log busy, so
// that a test can show that msync(MS_SYNC) and fsync() wait for their
// transaction to commit even when other operations keep it open.
#define KNOB_OP_PAUSE 10
// A pid, or 0 (off): when that process frees an unlinked file (its last
// reference gone) or truncates one, it prints "fs: inode N: piece K" and
// waits one clock tick with the inode locked before each piece of the
// free or truncation (each piece is one log transaction). Scans of every
// cached file (the drop knob, reclaim) must not reach an inode being
// freed; the pause lets a test make sure. A crash test cuts the power on
// the line of a piece after the first, to land between transactions.
#define KNOB_FREE_PAUSE 11
// Only in kernel/kernel-locktest, the kernel make test builds to test the
// lock-order checker (kernel/lib/locktest.c): takes locks in a wrong order
// of the kind given (LOCKCHECK_TEST_*), which must panic. Every other
// kernel refuses it with EINVAL.
#define KNOB_LOCKCHECK_TEST 12
#define LOCKCHECK_TEST_SPIN             1  // p->lock, then icache.lock
#define LOCKCHECK_TEST_SLEEP            2  // a buffer lock, then an inode lock
#define LOCKCHECK_TEST_SLEEP_UNDER_SPIN 3  // tickslock, then an inode lock
#define LOCKCHECK_TEST_SLEEP_HOLDING    4  // sleep on tickslock holding p->lock

// Disk fault injection (kernel/dev/virtio_disk.c). A request chosen by one
// of these two knobs completes with an I/O error, as if the device had
// answered VIRTIO_BLK_S_IOERR, without reaching the device: a failed read
// leaves junk in its buffers, a failed write leaves the disk as it was, a
// failed flush returns -EIO to disk_flush's caller.
// kstats counts them in disk_injected_errors. Values are built with
// DISK_FAIL(number, flags) below; 0 turns a knob off, and setting returns
// the previous value, so setting 0 also reads a knob.
//   KNOB_DISK_FAIL_NTH: the number-th request of the selected kind from
//   now fails, once. The number counts down as such requests pass (the
//   knob's value shows what is left) and the knob is 0 once it has fired.
//   With DISK_FAIL_STICKY the failure also sets KNOB_DISK_FAIL_BLOCK to
//   the failed request's first block, so that every later request of the
//   kind touching it fails too (a test learns the block by reading that
//   knob back).
//   KNOB_DISK_FAIL_BLOCK: every request of the selected kind whose blocks
//   include block `number` fails, until the knob is set to 0.
#define KNOB_DISK_FAIL_NTH   13
#define KNOB_DISK_FAIL_BLOCK 14

// The flags of a DISK_FAIL value: which requests count -- READ, WRITE,
// both (ANY), or FLUSH alone -- and STICKY (KNOB_DISK_FAIL_NTH only). A
// cache flush (disk_flush) is a kind of its own: it is neither a read nor
// a write, so it never counts towards those, and it touches no block, so
// KNOB_DISK_FAIL_BLOCK and STICKY do not take FLUSH.
#define DISK_FAIL_READ   1
#define DISK_FAIL_WRITE  2
#define DISK_FAIL_ANY    (DISK_FAIL_READ | DISK_FAIL_WRITE)
#define DISK_FAIL_FLUSH  4
#define DISK_FAIL_KINDS  (DISK_FAIL_ANY | DISK_FAIL_FLUSH)
#define DISK_FAIL_STICKY 8
#define DISK_FAIL_SHIFT  4  // the number lives above the flags
#define DISK_FAIL(number, flags) (((long)(number) << DISK_FAIL_SHIFT) | (flags))
#define DISK_FAIL_NUMBER(value)  ((long)(value) >> DISK_FAIL_SHIFT)
#define DISK_FAIL_FLAGS(value)   ((long)(value) & ((1 << DISK_FAIL_SHIFT) - 1))

// The disk's write-cache test mode (kernel/dev/wcache.c). Positive: from
// now on the disk behaves like one with a volatile write cache -- a
// completed write is held "in the cache" until a flush covers it -- and
// the value seeds the choices of a power cut; 0: off. Writes before the
// mode is turned on count as stable.
#define KNOB_WCACHE 15
// Needs KNOB_WCACHE on (else EINVAL). N > 0: cut the power after N more
// write requests complete; 0: cut it now. A cut keeps a random subset of
// the held writes, drops the rest (putting back what those blocks held),
// prints one "disk: power cut" line and powers the machine off.
#define KNOB_POWER_CUT 16
// A pid, or 0 (off): that process's next fork stops once in cache_dup
// (kernel/mm/mmap_cache.c), after its first look without pc.lock at a
// present page of a private file area and before it decides on that page:
// the window in which eviction or truncation on another hart can free the
// page and hand it out again as another process's private copy. The fork
// holds no lock while stopped. It goes on when the knob is set to 0, or by
// itself after DUP_PAUSE_MAX_TICKS (or when killed), so a test that dies
// cannot keep it there. While it is stopped the knob holds pid +
// DUP_PAUSE_STOPPED, and 0 once it has gone on; DUP_PAUSE_READ returns
// that value and changes nothing, for the process that waits for the stop
// before doing its part and setting 0.
#define KNOB_DUP_PAUSE 17
#define DUP_PAUSE_STOPPED   (1L << 32)
#define DUP_PAUSE_READ      (-1L)
#define DUP_PAUSE_MAX_TICKS 300  // 30 s at TICK_HZ 10
// The largest window adaptive fault-around may grow an area's window to,
// in pages: a power of two from the KNOB_FAULTAROUND window (which then
// stays fixed: adaptivity off) up to FAULTAROUND_MAX (mmap_cache.c).
#define KNOB_FAULTAROUND_MAX 23
// Megapages (kernel/mm/megapage.c): MEGA_ON (the default) makes large
// folios on sequential misses and maps a wholly cached, aligned 2 MiB
// range with one megapage PTE, split at the first store; MEGA_OFF does
// neither; MEGA_WRITABLE maps shared writable areas' megapages writable
// under hardware D bits (write-back then writes the whole 2 MiB; for
// measuring that choice). Returns the previous value.
#define KNOB_MEGAPAGES 24
#define MEGA_OFF      0
#define MEGA_ON       1
#define MEGA_WRITABLE 2
// 1 (the default): a fault whose file page is cached and up to date is
// mapped under the page cache's spinlock alone; 0: every fault of a file
// mapping takes the inode's sleep lock, as a miss does (to compare the
// two in one boot). Counted either way in the fault_sleeplocks counter.
#define KNOB_HIT_LOCKLESS 25

// Background write-back (kernel/mm/writeback.c). A process writes back
// the pages that have been dirty for KNOB_WB_EXPIRE clock ticks (default
// 30 s), looking every KNOB_WB_INTERVAL ticks (default 5 s; 0: only when
// asked), and everything dirty whenever dirty pages pass
// KNOB_WB_BACKGROUND percent of memory (default 10); a writer whose store
// fault finds them past KNOB_WB_THROTTLE percent (default 20) sleeps a
// tick at a time, at most WB_THROTTLE_MAX_TICKS, while the process writes.
// Each returns its previous value; WB_KNOB_READ reads it, changing nothing.
#define KNOB_WB_EXPIRE     18
#define KNOB_WB_INTERVAL   19
#define KNOB_WB_BACKGROUND 20
#define KNOB_WB_THROTTLE   21
// WB_RUN_DUE: one pass now, as the interval would run it; WB_RUN_ALL: one
// pass that writes every dirty page. The caller waits until that pass is
// over; returns the number of passes so far.
#define KNOB_WB_RUN        22
#define WB_RUN_DUE 0
#define WB_RUN_ALL 1
#define WB_KNOB_READ (-1L)
#define WB_EXPIRE_DEFAULT     300  // ticks: 30 s at TICK_HZ 10 (Linux's 30 s)
#define WB_INTERVAL_DEFAULT   50   // ticks: 5 s (Linux's 5 s)
#define WB_BACKGROUND_DEFAULT 10   // percent of memory (Linux's 10%)
#define WB_THROTTLE_DEFAULT   20   // percent of memory (Linux's 20%)
#define WB_TICKS_MAX          (1L << 30)
#define WB_THROTTLE_MAX_TICKS 10   // one store fault sleeps at most 1 s

// Window sizes, in pages: the largest fault-around and read-ahead window a
// knob accepts, and the values each starts with at boot. The benchmark
// scripts read these lines too, so they are the one place these numbers live.
#define WINDOW_MAX          64
#define FAULTAROUND_DEFAULT 16
#define READAHEAD_DEFAULT   32
// Adaptive fault-around's ceiling: the 512 PTEs of one last-level
// page-table page (2 MiB), the most one fault's walk reaches.
#define FAULTAROUND_MAX     512

#define MMAP_POLICY_CACHE 0
#define MMAP_POLICY_NAIVE 1

#endif
