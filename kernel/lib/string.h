// string.h -- the kernel's own memory and string helpers (no libc here).
#ifndef PCV6_STRING_H
#define PCV6_STRING_H

#include "kernel/types.h"

void *memset(void *dst, int c, uint n);
void *memmove(void *dst, const void *src, uint n);
void *memcpy(void *dst, const void *src, uint n);
int   memcmp(const void *a, const void *b, uint n);
int   strlen(const char *s);
int   strncmp(const char *a, const char *b, uint n);
char *strncpy(char *dst, const char *src, int n);
// Copies at most n-1 bytes and always NUL-terminates (n > 0).
char *safestrcpy(char *dst, const char *src, int n);

#endif
