// crashpoint -- stop the machine in the middle of a log commit, for the
// crash-recovery test: sets KNOB_CRASH_AFTER_COMMIT, then writes the file
// given as argv[1] (default /crashed) with a known line. The write's
// commit reaches its commit point and the kernel powers off before
// installing the blocks, so after the next boot the line is there only if
// recovery replayed the log.
#include "kernel/param.h"
#include "kernel/fcntl.h"
#include "kernel/types.h"
#include "kernel/stat.h"
#include "kernel/knobs.h"
#include "user/user.h"

#define LINE "committed before the crash\n"

int
main(int argc, char *argv[])
{
  const char *path = argc > 1 ? argv[1] : "/crashed";
  int fd = open(path, O_CREATE | O_WRONLY | O_TRUNC);
  if (fd < 0) {
    fprintf(2, "crashpoint: %s: %s\n", path, strerror(errno));
    return 1;
  }
  if (knob(KNOB_CRASH_AFTER_COMMIT, 1) < 0) {
    perror("crashpoint: knob");
    return 1;
  }
  write(fd, LINE, sizeof(LINE) - 1);  // the machine stops during this commit
  fprintf(2, "crashpoint: still running: the crash point did not fire\n");
  return 1;
}
