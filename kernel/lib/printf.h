// printf.h -- kernel console output, panics and assertions.
#ifndef PCV6_PRINTF_H
#define PCV6_PRINTF_H

void printinit(void);
// Formats %d %u %x %p %s %c %% with l/ll modifiers; one call's output is
// not interleaved with another hart's.
void printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
// Prints "panic: ..." and stops every hart. Only for broken kernel
// invariants, never for anything a user program can cause.
void panic(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));

extern volatile int panicked;  // set once a panic starts; other harts stop

#define KASSERT(cond)                                                    \
  do {                                                                   \
    if (!(cond))                                                         \
      panic("assertion \"%s\" failed at %s:%d", #cond, __FILE__, __LINE__); \
  } while (0)

#endif
