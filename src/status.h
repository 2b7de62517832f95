/*
 * status.h - the one error vocabulary of mailtriage.
 *
 * Every fallible function returns a Status and takes a GError ** last.
 * The GError is in MT_ERROR's domain with code == status; success
 * leaves it untouched.  Only status_to_exit() turns a Status into an
 * exit code (sysexits.h), so cron, systemd and the MTA see nothing else.
 * Released values never change; new ones go last.
 */
#ifndef MT_STATUS_H
#define MT_STATUS_H

#include <glib.h>

typedef enum {
    ST_OK = 0,
    ST_USAGE,       /* 64: bad command line */
    ST_DATAERR,     /* 65: malformed input; keep it and flag it */
    ST_UNAVAILABLE, /* 69: server down or refusing */
    ST_SOFTWARE,    /* 70: an invariant failed: a bug */
    ST_IOERR,       /* 74: local disk or database failure */
    ST_TEMPFAIL,    /* 75: try again: store locked, transient fault */
    ST_NOPERM,      /* 77: credentials refused */
    ST_CONFIG,      /* 78: config, rules or templates are wrong */
} Status;

#define MT_ERROR (mt_error_quark())
GQuark mt_error_quark(void);

/* Fill *error (if error != NULL) and return st. */
Status status_set(GError **error, Status st, const char *fmt, ...)
    G_GNUC_PRINTF(3, 4);

/* The Status carried by err; ST_SOFTWARE for a foreign domain. */
Status status_of(const GError *err);

/* The sysexits.h code for st (0 for ST_OK). */
int status_to_exit(Status st);

#endif
