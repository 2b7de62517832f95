/*
 * status.c - Status values, our GError domain and the exit code map.
 */
#include "config.h"

#include "status.h"

#include <sysexits.h>

G_DEFINE_QUARK(mailtriage-error-quark, mt_error)

Status
status_set(GError **error, Status st, const char *fmt, ...)
{
    va_list ap;

    if (error == NULL)
        return st;
    g_assert(*error == NULL);
    va_start(ap, fmt);
    *error = g_error_new_valist(MT_ERROR, (int)st, fmt, ap);
    va_end(ap);
    return st;
}

Status
status_of(const GError *err)
{
    if (err == NULL)
        return ST_OK;
    if (err->domain != MT_ERROR)
        return ST_SOFTWARE;
    return (Status)err->code;
}

int
status_to_exit(Status st)
{
    switch (st) {
    case ST_OK:          return 0;
    case ST_USAGE:       return EX_USAGE;
    case ST_DATAERR:     return EX_DATAERR;
    case ST_UNAVAILABLE: return EX_UNAVAILABLE;
    case ST_SOFTWARE:    return EX_SOFTWARE;
    case ST_IOERR:       return EX_IOERR;
    case ST_TEMPFAIL:    return EX_TEMPFAIL;
    case ST_NOPERM:      return EX_NOPERM;
    case ST_CONFIG:      return EX_CONFIG;
    }
    return EX_SOFTWARE;
}
