/*
 * report.h - how is the desk doing?  The figures of `mailtriage
 * report`, computed from the store, and their text, CSV, JSON and HTML
 * forms.
 *
 * report_compute() reads each ticket once through store_ticket_scan()
 * (no message bodies) and keeps only the numbers it needs; the
 * printers are pure and return text the caller prints or queues.
 *
 * Definitions (the tests compute the same from their own data):
 * - The period is [since, until).  Spam counts nowhere.
 * - opened: tickets created in the period (the period's cohort).
 * - resolved: tickets whose resolution (resolved_at, resolved or closed
 *   now) falls in the period; their resolution time runs from creation,
 *   less the time the ticket waited on its customer (status pending).
 * - reopened: "reopened" events in the period.
 * - backlog: tickets created before until and not resolved by then;
 *   their age is measured to until.
 * - first response: of the cohort, creation to the first answer, less
 *   the time its first-response clocks (those started before until)
 *   were paused (pending).
 * - SLA attainment (first response): of the cohort, a deadline is due
 *   when the ticket was answered before until, or when its promise ran
 *   out (less pause) before it was answered or resolved (until for an
 *   open one); a ticket waiting on its customer before any answer
 *   (pending) has no running clock.  Met when the first response, as
 *   above, is within the promise.
 * - SLA attainment (next response): the next-response clocks (started
 *   by a customer's mail after an answer) that started in the period,
 *   whatever the ticket's creation.  A clock is due when an agent
 *   answered it before until, or when its deadline (with pause credit)
 *   passed before it ended (resolved, closed, replaced) and before
 *   until; a clock paused now is not due.  Met when the answer came at
 *   or before the deadline.  Clocks that ended before the store had
 *   the clocks table (schema 6) are not known: a period before it has
 *   only the running clocks, and a ticket without clock rows gets no
 *   pause credit.
 * - Durations are business time with a calendar; pause and pending
 *   credit are counted the same way by sla.c, and a credited duration
 *   is never below 0.
 * - escalations: of the cohort, tickets that reached level 1
 *   (warning) and level 2 (breach).
 * - resolution rate: the share of the cohort resolved by until.
 * - satisfaction: the cohort's ratings; comments newest first.
 * - median and p90 are nearest-rank percentiles.
 */
#ifndef MT_REPORT_H
#define MT_REPORT_H

#include <glib.h>
#include <stdbool.h>

#include "calendar.h"
#include "status.h"
#include "store.h"

typedef enum {
    REPORT_BY_NONE = 0,
    REPORT_BY_CATEGORY,
    REPORT_BY_AGENT,
    REPORT_BY_TEAM,
    REPORT_BY_CHANNEL,
    REPORT_BY_MAILBOX,
} ReportBy;

/* "category", "agent", ...; false for an unknown name. */
bool report_by_from_name(const char *name, ReportBy *by_out);
const char *report_by_name(ReportBy by); /* "" for REPORT_BY_NONE */

typedef struct {
    gint64 since;
    gint64 until;
    ReportBy by;
    gint64 first_response; /* the configured promise, in seconds */
    GHashTable *channels;  /* mailbox -> channel, borrowed; may be NULL:
                              every mailbox is "email" */
    const Calendar *calendar; /* business hours, borrowed: durations
                                 count open time only; NULL: 24/7 */
} ReportOptions;

/* Backlog age buckets: <1d, 1-3d, 3-7d, 7-30d, >=30d. */
#define REPORT_AGE_BUCKETS 5
/* First-response buckets: <1h, 1-4h, 4-8h, 8-24h, 24-48h, >=48h. */
#define REPORT_FRT_BUCKETS 6

typedef struct {
    gint64 opened;
    gint64 resolved;
    gint64 reopened;
    gint64 backlog;
    gint64 backlog_age_median; /* -1 when there is none */
    gint64 backlog_age_p90;
    gint64 backlog_ages[REPORT_AGE_BUCKETS];
    gint64 first_response_count;
    gint64 first_response_median; /* -1 when there is none */
    gint64 first_response_p90;
    gint64 first_response_buckets[REPORT_FRT_BUCKETS];
    gint64 resolution_count;
    gint64 resolution_median; /* -1 when there is none */
    gint64 resolution_p90;
    gint64 sla_due;
    gint64 sla_met;
    gint64 next_due;  /* next-response deadlines */
    gint64 next_met;
    gint64 warnings;
    gint64 breaches;
    gint64 opened_resolved; /* of the opened, resolved by until */
    gint64 ratings;
    gint64 rating_sum;
    gint64 rating_scores[5]; /* count of 1 .. 5 */
    /* Raw values until report_compute() finishes; then freed. */
    GArray *ages_, *frts_, *resolutions_;
} ReportFigures;

/* SLA attainment in percent; false when no deadline was due: of the
 * first-response deadlines, and of the next-response ones. */
bool report_sla_percent(const ReportFigures *f, double *pct_out);
bool report_next_percent(const ReportFigures *f, double *pct_out);
/* Resolution rate in percent; false when nothing was opened. */
bool report_resolution_rate(const ReportFigures *f, double *pct_out);
/* Average score; false when nothing was rated. */
bool report_csat_average(const ReportFigures *f, double *avg_out);

typedef struct {
    char *key; /* "(none)", "(unassigned)" for a missing value */
    ReportFigures fig;
} ReportGroup;

typedef struct {
    gint64 ticket;
    int score;
    char *comment;
    gint64 at; /* resolved_at, or created_at */
} ReportComment;

#define REPORT_MAX_COMMENTS 10

typedef struct {
    ReportOptions opt;   /* channels is NULL here */
    ReportFigures all;
    GPtrArray *groups;   /* ReportGroup *, by key; empty without --by */
    GPtrArray *by_category; /* ReportGroup *, for the HTML charts */
    GPtrArray *by_agent;
    gint64 days;         /* days in the period (UTC), at most 3660 */
    gint64 *day_opened;  /* [days] */
    gint64 *day_resolved;
    GPtrArray *comments; /* ReportComment *, newest first */
} Report;

/* Compute the report of opt over store.  The caller frees *report_out.
 * ST_USAGE for an empty or reversed period. */
Status report_compute(Store *store, const ReportOptions *opt,
                      Report **report_out, GError **error);
void report_free(Report *report);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(Report, report_free)

/* The time between two moments that counts for the desk: business
 * time when opt has a calendar, else wall-clock seconds.  Every
 * duration of a report goes through here. */
gint64 report_elapsed(const ReportOptions *opt, gint64 from, gint64 to);

/* The nearest-rank p-th percentile (0 < p <= 100) of sorted values, or
 * -1 when there are none. */
gint64 report_percentile(const gint64 *sorted, guint n, int p);

/* "3d 4h", "5h 12m", "42m", "30s"; "-" for -1.  The caller frees it. */
char *report_duration_text(gint64 secs);

/* "87.5%", or "-" when there is no such figure.  The caller frees it. */
char *report_percent_text(bool has, double pct);

/* The figures a reader sees as words rather than numbers, made once
 * for the text and the HTML report alike. */
typedef struct {
    char *first_response_median;
    char *first_response_p90;
    char *resolution_median;
    char *resolution_p90;
    char *backlog_age_median;
    char *backlog_age_p90;
    char *sla_percent;     /* first-response deadlines met */
    char *next_percent;    /* next-response deadlines met */
    char *resolution_rate;
    bool has_csat;
    double csat_average;
} ReportFigureTexts;

void report_figure_texts_init(ReportFigureTexts *t, const ReportFigures *f);
void report_figure_texts_clear(ReportFigureTexts *t);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(ReportFigureTexts, report_figure_texts_clear)

/* The report as a terminal table, as CSV (one row for all, one per
 * group), and as JSON.  The caller frees the text. */
char *report_text(const Report *report);
char *report_csv(const Report *report);
char *report_json(const Report *report);

/* One self-contained HTML page with inline SVG charts (report-html.c). */
char *report_html(const Report *report);

#endif
