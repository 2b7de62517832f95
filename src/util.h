/*
 * util.h - small helpers every module may use: file descriptors,
 * atomic writes, hashing, time formatting.
 */
#ifndef MT_UTIL_H
#define MT_UTIL_H

#include <glib.h>
#include <stdbool.h>
#include <unistd.h>

#include "status.h"

/* GLib 2.74 has no g_autofd. */
static inline void
util_close_fd(int *fd)
{
    if (*fd >= 0)
        close(*fd);
    *fd = -1;
}
#define mt_autofd __attribute__((cleanup(util_close_fd)))

/* Lower-case hex SHA-256 of data into out (65 bytes with the NUL). */
void util_sha256_hex(const void *data, gsize len, char out[65]);

/* HMAC-SHA256 of data under key into out (32 bytes). */
void util_hmac_sha256(const void *key, gsize key_len, const void *data,
                      gsize len, guint8 out[32]);

/* Write data to path atomically (temporary file, fsync, rename). */
Status util_write_file_atomic(const char *path, const void *data,
                              gsize len, GError **error);

/* Read a whole file.  The caller unrefs *bytes_out. */
Status util_read_file(const char *path, GBytes **bytes_out,
                      GError **error);

/* ISO 8601 UTC, "2025-03-10T07:14:02Z"; NULL for MESSAGE_NO_TIME.  The
 * caller frees it. */
char *util_time_iso(gint64 t);

/* t as local time in timezone (an IANA name; NULL: the machine's own;
 * UTC when unknown), in a g_date_time_format() format; NULL when t is
 * out of range.  The caller frees it. */
char *util_time_local(const char *timezone, gint64 t, const char *format);

/* Parse "2025-03-10T07:14:02Z", "2025-03-10 07:14", "2025-03-10", or
 * "@1741590842" (Unix seconds); false when it is none of these or lies
 * outside the years 1 to 9999. */
bool util_time_parse(const char *text, gint64 *t_out);

/* Lower-case copy of an e-mail address with surrounding space and
 * angle brackets removed, always valid UTF-8 (bytes that are not
 * become U+FFFD).  The caller frees it. */
char *util_email_normalize(const char *email);

/* True when the NULL-terminated list contains s (ASCII case-
 * insensitive). */
bool util_strv_contains_ci(const char *const *list, const char *s);

/* Crash-safety tests (tests/e2e/t9*): when MAILTRIAGE_CRASHPOINT is
 * "NAME:N", the N-th call with that name kills the process with
 * SIGKILL, exactly as kill -9 would at that point.  The variable is read
 * once per process, so otherwise a call costs next to nothing. */
void util_crashpoint(const char *name);

/* Failure tests: true when MAILTRIAGE_FAILPOINT is "NAME:KEY" for this
 * name and key, and the caller then fails as if its step had gone
 * wrong.  Keyed by a value (a Message-ID, say), not a count, so that
 * the same message fails each time it is tried. */
bool util_failpoint(const char *name, const char *key);

#endif
