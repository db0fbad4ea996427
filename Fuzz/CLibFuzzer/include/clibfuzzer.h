#ifndef CLIBFUZZER_H
#define CLIBFUZZER_H

#include <stddef.h>
#include <stdint.h>

/* libFuzzer's driver, for a program that has a main of its own (a Swift @main): it parses the
 * libFuzzer flags in argv and calls callback once per input. Present only when linked with
 * -sanitize=fuzzer. */
int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));

#endif
