/*
 * calendar.c - business time over opening hours, holidays and a time
 * zone.
 *
 * Arithmetic walks the calendar one local day at a time and asks GLib
 * for the Unix time of each day's opening and closing, so that DST
 * changes (a 23- or 25-hour day) fall out of the time zone database
 * rather than out of our own offset sums.  A walk is bounded: a desk
 * open at least one day a week reaches any deadline within a few
 * hundred days, even across a long holiday list.
 */
#include "config.h"

#include "calendar.h"

#include <stdio.h>
#include <string.h>

/* Days a walk may take before giving up on the calendar (ten years;
 * reached only by a holidays list that closes the desk for good). */
#define MAX_DAYS 3660

/* The times a walk may start from, 0100-01-01 to 9000-01-01 UTC: a
 * walk of MAX_DAYS either way then stays inside the years GLib can
 * name a date for (1 to 9999).  Outside them (a deadline that is no
 * real date) the calendar counts plain seconds, as the 24/7 desk does,
 * and never overflows. */
#define MIN_WALK_T G_GINT64_CONSTANT(-59011459200)
#define MAX_WALK_T G_GINT64_CONSTANT(221845392000)

struct Calendar {
    GTimeZone *tz;
    int open[8];  /* minutes after local midnight, by GDateWeekday; */
    int close[8]; /* open[d] < 0: closed all day d */
    GHashTable *holidays; /* julian day number -> itself */
};

void
calendar_free(Calendar *cal)
{
    if (cal == NULL)
        return;
    g_clear_pointer(&cal->tz, g_time_zone_unref);
    g_clear_pointer(&cal->holidays, g_hash_table_unref);
    g_free(cal);
}

static const char *const day_names[] = {
    NULL, "mon", "tue", "wed", "thu", "fri", "sat", "sun",
};

static int
day_from_name(const char *s, gsize len)
{
    for (int d = 1; d <= 7; d++)
        if (len == 3 && g_ascii_strncasecmp(s, day_names[d], 3) == 0)
            return d;
    return 0;
}

static bool
parse_clock(const char *s, int *minutes_out)
{
    int h, m;
    char tail;

    if (sscanf(s, "%2d:%2d%c", &h, &m, &tail) != 2 || h < 0 || h > 24 ||
        m < 0 || m > 59 || (h == 24 && m != 0))
        return false;
    *minutes_out = h * 60 + m;
    return true;
}

/* One item, "Mon-Fri 09:00-17:00" or "Sat 10:00-14:00". */
static bool
parse_hours_item(Calendar *cal, const char *item)
{
    g_auto(GStrv) words = g_strsplit_set(item, " \t", -1);
    const char *days = NULL, *span = NULL;
    int first, last, open, close;
    const char *dash;

    for (char **w = words; *w != NULL; w++) {
        if (**w == '\0')
            continue;
        if (days == NULL)
            days = *w;
        else if (span == NULL)
            span = *w;
        else
            return false;
    }
    if (days == NULL || span == NULL)
        return false;
    dash = strchr(days, '-');
    first = day_from_name(days, dash != NULL ? (gsize)(dash - days)
                                             : strlen(days));
    last = dash != NULL ? day_from_name(dash + 1, strlen(dash + 1)) : first;
    dash = strchr(span, '-');
    if (first == 0 || last == 0 || dash == NULL)
        return false;
    {
        g_autofree char *from = g_strndup(span, (gsize)(dash - span));

        if (!parse_clock(from, &open) || !parse_clock(dash + 1, &close) ||
            close <= open)
            return false;
    }
    /* "Fri-Mon" wraps over the weekend. */
    for (int d = first;; d = d % 7 + 1) {
        cal->open[d] = open;
        cal->close[d] = close;
        if (d == last)
            break;
    }
    return true;
}

static bool
parse_date(const char *s, guint32 *julian_out)
{
    int y, m, d;
    char tail;
    GDate date;

    if (sscanf(s, "%4d-%2d-%2d%c", &y, &m, &d, &tail) != 3 ||
        !g_date_valid_dmy((GDateDay)d, (GDateMonth)m, (GDateYear)y))
        return false;
    g_date_clear(&date, 1);
    g_date_set_dmy(&date, (GDateDay)d, (GDateMonth)m, (GDateYear)y);
    *julian_out = g_date_get_julian(&date);
    return true;
}

/* A list of dates; false (and nothing added) when an item is not one. */
static bool
add_date_list(Calendar *cal, const char *text)
{
    g_auto(GStrv) items = g_strsplit_set(text, ",;", -1);
    g_autoptr(GArray) days = g_array_new(FALSE, FALSE, sizeof(guint32));

    for (char **it = items; *it != NULL; it++) {
        guint32 j;

        g_strstrip(*it);
        if (**it == '\0')
            continue;
        if (!parse_date(*it, &j))
            return false;
        g_array_append_val(days, j);
    }
    for (guint i = 0; i < days->len; i++) {
        guint32 j = g_array_index(days, guint32, i);

        g_hash_table_add(cal->holidays, GUINT_TO_POINTER(j));
    }
    return true;
}

static Status
add_holiday_file(Calendar *cal, const char *path, GError **error)
{
    g_autofree char *text = NULL;
    g_auto(GStrv) lines = NULL;
    g_autoptr(GError) local = NULL;

    if (!g_file_get_contents(path, &text, NULL, &local))
        return status_set(error, ST_CONFIG,
                          "calendar: holidays: not a list of dates "
                          "(YYYY-MM-DD, ...) and not a readable file: %s",
                          local->message);
    lines = g_strsplit(text, "\n", -1);
    for (int i = 0; lines[i] != NULL; i++) {
        char *hash = strchr(lines[i], '#');
        guint32 j;

        if (hash != NULL)
            *hash = '\0';
        g_strstrip(lines[i]);
        if (lines[i][0] == '\0')
            continue;
        if (!parse_date(lines[i], &j))
            return status_set(error, ST_CONFIG,
                              "calendar: '%s' line %d: '%s' is not a date "
                              "(YYYY-MM-DD)",
                              path, i + 1, lines[i]);
        g_hash_table_add(cal->holidays, GUINT_TO_POINTER(j));
    }
    return ST_OK;
}

Status
calendar_parse(const char *hours, const char *holidays,
               const char *timezone, Calendar **cal_out, GError **error)
{
    g_autoptr(Calendar) cal = NULL;
    g_auto(GStrv) items = NULL;
    bool is_any_open = false;
    Status st;

    *cal_out = NULL;
    if (hours == NULL || *hours == '\0' || strcmp(hours, "24/7") == 0)
        return ST_OK;
    cal = g_new0(Calendar, 1);
    cal->holidays = g_hash_table_new(g_direct_hash, g_direct_equal);
    if (timezone == NULL || *timezone == '\0')
        cal->tz = g_time_zone_new_utc();
    else if ((cal->tz = g_time_zone_new_identifier(timezone)) == NULL)
        return status_set(error, ST_CONFIG,
                          "calendar: unknown time zone '%s' (an IANA name "
                          "such as Europe/Berlin)",
                          timezone);
    for (int d = 0; d < 8; d++)
        cal->open[d] = cal->close[d] = -1;
    items = g_strsplit(hours, ",", -1);
    for (char **it = items; *it != NULL; it++) {
        g_strstrip(*it);
        if (**it == '\0')
            continue;
        if (!parse_hours_item(cal, *it))
            return status_set(error, ST_CONFIG,
                              "calendar: business hours '%s': expected "
                              "DAY[-DAY] HH:MM-HH:MM, e.g. Mon-Fri "
                              "09:00-17:00",
                              *it);
    }
    for (int d = 1; d <= 7; d++)
        is_any_open = is_any_open || cal->open[d] >= 0;
    if (!is_any_open)
        return status_set(error, ST_CONFIG,
                          "calendar: business hours '%s' open on no day",
                          hours);
    if (holidays != NULL && *holidays != '\0' &&
        !add_date_list(cal, holidays) &&
        (st = add_holiday_file(cal, holidays, error)) != ST_OK)
        return st;
    *cal_out = g_steal_pointer(&cal);
    return ST_OK;
}

static bool
is_walkable(gint64 t)
{
    return t >= MIN_WALK_T && t <= MAX_WALK_T;
}

/* t + secs and t - secs for secs >= 0, held at the ends of gint64
 * (G_MININT64 + 1 at the low end: G_MININT64 is MESSAGE_NO_TIME). */
static gint64
plain_add(gint64 t, gint64 secs)
{
    return t > G_MAXINT64 - secs ? G_MAXINT64 : t + secs;
}

static gint64
plain_sub(gint64 t, gint64 secs)
{
    return t < G_MININT64 + 1 + secs ? G_MININT64 + 1 : t - secs;
}

/* The local calendar date of t, a walkable time. */
static void
local_date(const Calendar *cal, gint64 t, GDate *date_out)
{
    g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc(t);
    g_autoptr(GDateTime) local = g_date_time_to_timezone(utc, cal->tz);
    int y, m, d;

    g_date_time_get_ymd(local, &y, &m, &d);
    g_date_clear(date_out, 1);
    g_date_set_dmy(date_out, (GDateDay)d, (GDateMonth)m, (GDateYear)y);
}

/* The Unix time of minutes past local midnight on date.  In a DST gap
 * GLib moves the time forward, which is what a clock on the wall does. */
static gint64
local_time(const Calendar *cal, const GDate *date, int minutes)
{
    GDate day = *date;
    g_autoptr(GDateTime) dt = NULL;

    /* "24:00" is the next day's midnight, which GLib cannot name. */
    if (minutes >= 24 * 60) {
        g_date_add_days(&day, 1);
        minutes -= 24 * 60;
    }
    dt = g_date_time_new(cal->tz, g_date_get_year(&day),
                         g_date_get_month(&day), g_date_get_day(&day),
                         minutes / 60, minutes % 60, 0);
    return g_date_time_to_unix(dt);
}

/* Business hours of date as [*open_out, *close_out); false when the
 * desk is closed all that day. */
static bool
day_span(const Calendar *cal, const GDate *date, gint64 *open_out,
         gint64 *close_out)
{
    int wd = g_date_get_weekday(date);

    if (cal->open[wd] < 0 ||
        g_hash_table_contains(cal->holidays,
                              GUINT_TO_POINTER(g_date_get_julian(date))))
        return false;
    *open_out = local_time(cal, date, cal->open[wd]);
    *close_out = local_time(cal, date, cal->close[wd]);
    return *close_out > *open_out;
}

bool
calendar_is_open(const Calendar *cal, gint64 t)
{
    GDate date;
    gint64 open, close;

    if (cal == NULL || !is_walkable(t))
        return true;
    local_date(cal, t, &date);
    return day_span(cal, &date, &open, &close) && t >= open && t <= close;
}

gint64
calendar_add(const Calendar *cal, gint64 t, gint64 secs)
{
    GDate date;

    if (cal == NULL || secs <= 0 || !is_walkable(t))
        return plain_add(t, MAX(secs, 0));
    local_date(cal, t, &date);
    for (int i = 0; i < MAX_DAYS; i++, g_date_add_days(&date, 1)) {
        gint64 open, close, from;

        if (!day_span(cal, &date, &open, &close))
            continue;
        from = MAX(t, open);
        if (from >= close)
            continue;
        if (secs <= close - from)
            return from + secs;
        secs -= close - from;
    }
    return plain_add(t, secs);
}

gint64
calendar_sub(const Calendar *cal, gint64 t, gint64 secs)
{
    GDate date;

    if (cal == NULL || secs <= 0 || !is_walkable(t))
        return plain_sub(t, MAX(secs, 0));
    local_date(cal, t, &date);
    for (int i = 0; i < MAX_DAYS; i++, g_date_subtract_days(&date, 1)) {
        gint64 open, close, to;

        if (!day_span(cal, &date, &open, &close))
            continue;
        to = MIN(t, close);
        if (to <= open)
            continue;
        if (secs <= to - open)
            return to - secs;
        secs -= to - open;
    }
    return plain_sub(t, secs);
}

gint64
calendar_between(const Calendar *cal, gint64 a, gint64 b)
{
    GDate date, last;
    gint64 sum = 0;

    if (b <= a)
        return 0;
    if (cal == NULL || !is_walkable(a) || !is_walkable(b))
        return a < 0 && b > G_MAXINT64 + a ? G_MAXINT64 : b - a;
    local_date(cal, a, &date);
    local_date(cal, b, &last);
    for (int i = 0; i < MAX_DAYS && g_date_compare(&date, &last) <= 0;
         i++, g_date_add_days(&date, 1)) {
        gint64 open, close;

        if (day_span(cal, &date, &open, &close) && MIN(b, close) > MAX(a, open))
            sum += MIN(b, close) - MAX(a, open);
    }
    return sum;
}

gint64
calendar_next_open(const Calendar *cal, gint64 t)
{
    GDate date;

    if (cal == NULL || !is_walkable(t))
        return t;
    local_date(cal, t, &date);
    for (int i = 0; i < MAX_DAYS; i++, g_date_add_days(&date, 1)) {
        gint64 open, close;

        if (day_span(cal, &date, &open, &close) && t < close)
            return MAX(t, open);
    }
    return t;
}
