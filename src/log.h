/*
 * log.h - the one log writer: our level (-v, -q), the journal when
 * stderr is the journal, stderr otherwise.
 *
 * Under cron stderr is mail to the administrator: warnings are rare and
 * actionable; per-message detail is debug level.
 */
#ifndef MT_LOG_H
#define MT_LOG_H

#include <glib.h>

typedef enum {
    LOG_QUIET = 0,   /* errors only */
    LOG_NORMAL = 1,  /* warnings and the run summary */
    LOG_VERBOSE = 2, /* info */
    LOG_DEBUG = 3,
} LogLevel;

/* Install the writer; call once, first thing in main. */
void log_init(LogLevel level);

/* The one summary line of a run.  Shown on a terminal and in the
 * journal; under cron (stderr is mail) only with -v, so that a quiet
 * run sends no mail. */
void log_summary(const char *fmt, ...) G_GNUC_PRINTF(1, 2);

#endif
