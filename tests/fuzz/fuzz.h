/*
 * fuzz.h - what every fuzz target shares (tests/fuzz/README).
 *
 * Each fuzz-NAME.c defines LLVMFuzzerTestOneInput.  Built with
 * --enable-fuzzers it links libFuzzer's main; in every build it also
 * links replay.c, which feeds it the saved crashing inputs under
 * tests/fuzz/regressions/NAME/ so `make check` fails when a fixed bug
 * comes back.
 */
#ifndef MT_FUZZ_H
#define MT_FUZZ_H

#include <glib.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Optional per-target set-up; the replay driver calls it too. */
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* A broken promise: say which and abort, which libFuzzer reports as a
 * crash and saves the input (g_error's SIGTRAP it would not). */
G_GNUC_PRINTF(1, 2) G_GNUC_NORETURN static inline void
fuzz_fail(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    abort();
}

#endif
