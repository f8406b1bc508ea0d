/*
** What every fuzz target shares: libFuzzer's entry points and CHECK, which
** reports a broken invariant and aborts (libFuzzer records it as a crash).
*/
#ifndef SAFEHUB_TESTS_FUZZ_H
#define SAFEHUB_TESTS_FUZZ_H
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                                                                         \
  do {                                                                                      \
    if (!(cond)) {                                                                          \
      fprintf(stderr, "invariant failed: %s (%s:%d)\n", #cond, __FILE__, __LINE__);         \
      abort();                                                                              \
    }                                                                                       \
  } while (0)

#endif
