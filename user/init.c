// init.c -- the first user process (pid 1).
//
// Job: give itself the console as fds 0, 1 and 2 (making the device node
// on first boot), then keep one shell running on it for ever. Every orphan
// in the system is re-parented to init, so its wait() loop also collects
// those; they are simply discarded.
#include "kernel/types.h"
#include "kernel/stat.h"
#include "kernel/fcntl.h"
#include "user/user.h"

#define CONSOLE_MAJOR 1   // device major number of the console driver
#define CONSOLE_MINOR 0
#define RESTART_DELAY 10  // ticks to wait before retrying a failed start

static char *sh_argv[] = { "sh", 0 };

// Make fds 0, 1, 2 refer to the console. Returns 0 or -1.
static int
open_console(void)
{
  int fd = open("console", O_RDWR);
  if (fd < 0) {
    mknod("console", CONSOLE_MAJOR, CONSOLE_MINOR);
    fd = open("console", O_RDWR);
  }
  if (fd != 0)  // a fresh process has no open files, so fd 0 is expected
    return -1;
  if (dup(0) != 1 || dup(0) != 2)
    return -1;
  return 0;
}

// Start a shell; returns its pid or -1.
static int
start_shell(void)
{
  int pid = fork();
  if (pid == 0) {
    exec("sh", sh_argv);
    perror("init: exec sh");
    exit(1);
  }
  return pid;
}

int main(void)
{
  if (open_console() < 0)
    exit(1);  // nowhere to even report it
  for (;;) {
    printf("init: starting sh\n");
    int sh = start_shell();
    if (sh < 0) {
      perror("init: fork");
      pause(RESTART_DELAY);
      continue;
    }
    // Reap children until the shell itself is gone; anything else that
    // exits here is an orphan handed to us by the kernel.
    for (;;) {
      int pid = wait(0);
      if (pid == sh)
        break;
      if (pid < 0) {  // no children at all: should not happen, shell lost
        perror("init: wait");
        break;
      }
    }
  }
}
