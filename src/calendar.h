/*
 * calendar.h - business time: the opening hours of a desk, its
 * holidays and its time zone, and deadline arithmetic over them.
 *
 * A desk that promises "24 hours" with business_hours = "Mon-Fri
 * 09:00-17:00" means three working days, not a Saturday.  This module
 * counts seconds of business time only; the SLA clock (sla.c) asks it
 * where a deadline falls.  Hours are local wall-clock times in the
 * configured zone, so a deadline keeps to 17:00 across a DST change.
 * It does no I/O except reading a holidays file in calendar_parse().
 *
 * A NULL Calendar is the 24/7 desk: every function then works on plain
 * seconds, so callers need not test for it.
 */
#ifndef MT_CALENDAR_H
#define MT_CALENDAR_H

#include <glib.h>
#include <stdbool.h>

#include "status.h"

typedef struct Calendar Calendar;

/* Parse business hours, e.g. "Mon-Fri 09:00-17:00" or
 * "Mon-Thu 08:00-18:00, Fri 08:00-14:00" (a later item overrides an
 * earlier one for its days), and holidays, either a list of dates
 * "2026-12-25, 2026-12-26" or the path of a file with one date a line
 * (# comments).  timezone is an IANA name ("Europe/Berlin") or NULL for
 * UTC.  hours NULL, "" or "24/7" gives *cal_out = NULL (always open).
 * A bad value is ST_CONFIG with a message naming what is wrong. */
Status calendar_parse(const char *hours, const char *holidays,
                      const char *timezone, Calendar **cal_out,
                      GError **error);
void calendar_free(Calendar *cal);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(Calendar, calendar_free)

/* Whether t falls inside business hours, the closing time included: a
 * deadline at 17:00 is due in business hours. */
bool calendar_is_open(const Calendar *cal, gint64 t);

/* The moment secs seconds of business time after t (t itself when
 * secs is 0). */
gint64 calendar_add(const Calendar *cal, gint64 t, gint64 secs);

/* The latest moment from which secs seconds of business time reach t:
 * the inverse of calendar_add, used for "4 hours before the deadline".
 * A result in front of an opening hour is that opening hour, so a
 * warning never fires before it must. */
gint64 calendar_sub(const Calendar *cal, gint64 t, gint64 secs);

/* Seconds of business time between a and b (0 when b <= a). */
gint64 calendar_between(const Calendar *cal, gint64 a, gint64 b);

/* The next moment at or after t that is business time. */
gint64 calendar_next_open(const Calendar *cal, gint64 t);

#endif
