// locktest -- ask the kernel to break its lock order on purpose
// (KNOB_LOCKCHECK_TEST), to see the lock-order checker panic.
//
// Usage: locktest N    N one of the LOCKCHECK_TEST_* kinds in kernel/knobs.h
//
// Only kernel/kernel-locktest, which make test boots for its lock-check
// cases, has that knob: there the machine panics naming both locks. Any
// other kernel refuses it, and locktest says so and fails.
#include "kernel/types.h"
#include "kernel/knobs.h"
#include "user/user.h"

int
main(int argc, char *argv[])
{
  if (argc != 2) {
    fprintf(2, "usage: locktest N (a LOCKCHECK_TEST_* kind in kernel/knobs.h)\n");
    exit(1);
  }
  int kind = atoi(argv[1]);
  if (knob(KNOB_LOCKCHECK_TEST, kind) < 0) {
    fprintf(2, "locktest: %d: %s (only the lock-check test kernel has this knob)\n", kind,
            strerror(errno));
    exit(1);
  }
  fprintf(2, "locktest: %d: the kernel took the locks and did not panic\n", kind);
  exit(1);
}
