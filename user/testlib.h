// testlib.h -- reporting helpers shared by the test programs (usertests,
// mmaptest). Each test runs in its own child process; a failed check
// prints one line naming the test and ends that child with status 1.
// Include after user/user.h.
#ifndef PCV6_TESTLIB_H
#define PCV6_TESTLIB_H

// Name of the running test, set by the program's test driver.
static const char *current_test = "?";

// Print why the running test failed and end its process with status 1.
// The message is printf arguments: FAIL("bad size %d", n).
#define FAIL(...)                                  \
  do {                                             \
    printf("test %s: FAILED: ", current_test);     \
    printf(__VA_ARGS__);                           \
    printf("\n");                                  \
    exit(1);                                       \
  } while (0)

#define CHECK(cond, ...)  \
  do {                    \
    if (!(cond))          \
      FAIL(__VA_ARGS__);  \
  } while (0)

// Exit status of a helper child that got through a sequence of accesses
// that must be allowed: distinct from 0 (what an exec'd program returns),
// 1 (a failed CHECK) and -1 (killed by the kernel).
#define SURVIVED 42

#endif
