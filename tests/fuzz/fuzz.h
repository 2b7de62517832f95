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
#include <stdbool.h>
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

/* GLib's criticals (a NULL where none may be, a bad argument) are bugs
 * too; abort on them so that libFuzzer keeps the input.  Warnings are
 * left alone: libraries may warn about the mail they read. */
static inline GLogWriterOutput
fuzz_log_writer(GLogLevelFlags level, const GLogField *fields,
                gsize n_fields, gpointer user_data)
{
    GLogWriterOutput out =
        g_log_writer_standard_streams(level, fields, n_fields, user_data);

    if ((level & (G_LOG_LEVEL_ERROR | G_LOG_LEVEL_CRITICAL)) != 0)
        abort();
    return out;
}

static inline void
fuzz_init_glib(void)
{
    static bool is_done;

    if (!is_done)
        g_log_set_writer_func(fuzz_log_writer, NULL, NULL);
    is_done = true;
}

#endif
