// hello.c -- the small program `bench forkexec` starts again and again
// (lmbench's lat_proc exec shape: fork, exec this, wait): it writes one
// line to fd 1 and exits 0. Linked like every program, with the whole
// user library, so exec loads a few pages of text (bench reads how many
// from its ELF header).
#include "kernel/types.h"
#include "user/user.h"

int
main(void)
{
  write(1, "hello\n", 6);  // fails at once under bench, whose pipe has no reader
  return 0;
}
