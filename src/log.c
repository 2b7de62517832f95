/*
 * log.c - structured log writer with our verbosity.
 */
#include "config.h"

#include "log.h"

#include <stdbool.h>
#include <stdio.h>
#include <unistd.h>

static LogLevel current_level = LOG_NORMAL;
static bool to_journal;
static bool to_terminal;

static bool
level_shown(GLogLevelFlags flags)
{
    if (flags & (G_LOG_LEVEL_ERROR | G_LOG_LEVEL_CRITICAL))
        return true;
    if (flags & G_LOG_LEVEL_WARNING)
        return current_level >= LOG_NORMAL;
    if (flags & G_LOG_LEVEL_MESSAGE)
        return current_level >= LOG_NORMAL;
    if (flags & G_LOG_LEVEL_INFO)
        return current_level >= LOG_VERBOSE;
    return current_level >= LOG_DEBUG;
}

static GLogWriterOutput
writer(GLogLevelFlags flags, const GLogField *fields, gsize n_fields,
       gpointer user_data)
{
    const char *message = NULL;
    const char *prefix = "";

    if (!level_shown(flags))
        return G_LOG_WRITER_HANDLED;
    if (to_journal &&
        g_log_writer_journald(flags, fields, n_fields, user_data) ==
            G_LOG_WRITER_HANDLED)
        return G_LOG_WRITER_HANDLED;
    for (gsize i = 0; i < n_fields; i++)
        if (g_strcmp0(fields[i].key, "MESSAGE") == 0)
            message = fields[i].value;
    if (flags & (G_LOG_LEVEL_ERROR | G_LOG_LEVEL_CRITICAL))
        prefix = "error: ";
    else if (flags & G_LOG_LEVEL_WARNING)
        prefix = "warning: ";
    fprintf(stderr, "mailtriage: %s%s\n", prefix,
            message != NULL ? message : "");
    fflush(stderr);
    return G_LOG_WRITER_HANDLED;
}

void
log_init(LogLevel level)
{
    current_level = level;
    to_journal = g_log_writer_is_journald(STDERR_FILENO);
    to_terminal = isatty(STDERR_FILENO) != 0;
    g_log_set_writer_func(writer, NULL, NULL);
}

void
log_summary(const char *fmt, ...)
{
    g_autofree char *text = NULL;
    va_list ap;

    va_start(ap, fmt);
    text = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    g_log_structured(G_LOG_DOMAIN,
                     (to_journal || to_terminal) ? G_LOG_LEVEL_MESSAGE
                                                 : G_LOG_LEVEL_INFO,
                     "MESSAGE", "%s", text);
}
