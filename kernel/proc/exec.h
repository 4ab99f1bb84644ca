// exec.h -- replacing a process's program.
#ifndef PCV6_EXEC_H
#define PCV6_EXEC_H

// Loads the ELF program at path into a fresh address space with argv
// (kernel pointers) on its stack, and on success replaces the current
// process's image. Returns argc (which becomes a0) or -E*; on failure the
// old image is untouched and everything allocated is freed.
// => no locks held; may sleep.
long kexec(const char *path, char **argv);

#endif
