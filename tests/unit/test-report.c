/*
 * test-report.c - nearest-rank percentiles, duration text, and
 * report_compute() over a small store in a temporary directory whose
 * every figure is worked out by hand below.
 */
#include "config.h"

#include "report.h"

#include <string.h>

#include <glib/gstdio.h>

#define H 3600
#define D (24 * H)
#define NONE G_MININT64
/* 2026-11-01T00:00:00Z */
#define T0 ((gint64)1793491200)

static void
test_percentile(void)
{
    static const gint64 ten[] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 };
    static const gint64 one[] = { 42 };
    static const gint64 two[] = { 10, 20 };
    static const gint64 eleven[] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 100 };

    g_assert_cmpint(report_percentile(ten, 0, 50), ==, -1);
    g_assert_cmpint(report_percentile(ten, 10, 50), ==, 5);
    g_assert_cmpint(report_percentile(ten, 10, 90), ==, 9);
    g_assert_cmpint(report_percentile(ten, 10, 100), ==, 10);
    g_assert_cmpint(report_percentile(ten, 10, 1), ==, 1);
    g_assert_cmpint(report_percentile(one, 1, 50), ==, 42);
    g_assert_cmpint(report_percentile(one, 1, 90), ==, 42);
    g_assert_cmpint(report_percentile(two, 2, 50), ==, 10);
    g_assert_cmpint(report_percentile(two, 2, 90), ==, 20);
    g_assert_cmpint(report_percentile(eleven, 11, 50), ==, 6);
    g_assert_cmpint(report_percentile(eleven, 11, 90), ==, 10);
}

static void
test_duration_text(void)
{
    static const struct {
        gint64 secs;
        const char *want;
    } cases[] = {
        { -1, "-" },       { 0, "0s" },          { 59, "59s" },
        { 60, "1m" },      { 3599, "59m" },      { H, "1h 0m" },
        { 5 * H + 720, "5h 12m" }, { D, "1d 0h" }, { 3 * D + 4 * H, "3d 4h" },
    };

    for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autofree char *got = report_duration_text(cases[i].secs);

        g_assert_cmpstr(got, ==, cases[i].want);
    }
}

static void
test_by_names(void)
{
    ReportBy by = REPORT_BY_NONE;

    g_assert_true(report_by_from_name("agent", &by));
    g_assert_cmpint(by, ==, REPORT_BY_AGENT);
    g_assert_cmpstr(report_by_name(REPORT_BY_CHANNEL), ==, "channel");
    g_assert_false(report_by_from_name("colour", &by));
}

typedef struct {
    TicketStatus status;
    gint64 created;       /* from T0 */
    gint64 first_response; /* from T0, or NONE */
    gint64 resolved;      /* from T0, or NONE */
    const char *category;
    const char *mailbox;
    int score;
    const char *comment;
    int reopened;         /* events inside the period */
} Row;

/* The period is [T0, T0 + 10 days); the promise 24 hours. */
static const Row rows[] = {
    /* answered in 2h, resolved after 1 day, rated 5 */
    { TICKET_STATUS_RESOLVED, 0, 2 * H, D, "billing", "mx", 5, "fast", 0 },
    /* answered late (30h), resolved after 4 days, reopened twice */
    { TICKET_STATUS_RESOLVED, D, D + 30 * H, 5 * D, "billing", "mx", 2,
      NULL, 2 },
    /* never answered, open: breached at until */
    { TICKET_STATUS_OPEN, 2 * D, NONE, NONE, NULL, "web", 0, NULL, 0 },
    /* never answered, pending: no running clock */
    { TICKET_STATUS_PENDING, 3 * D, NONE, NONE, NULL, "web", 0, NULL, 0 },
    /* created before the period, still open: backlog only */
    { TICKET_STATUS_OPEN, -20 * D, -19 * D, NONE, "network", "mx", 0, NULL,
      0 },
    /* created 9.5 days in, not answered yet, not due yet */
    { TICKET_STATUS_NEW, 9 * D + 12 * H, NONE, NONE, "network", "mx", 0, NULL,
      0 },
    /* opened and resolved before the period: nowhere */
    { TICKET_STATUS_RESOLVED, -5 * D, -5 * D + H, -2 * D, "billing", "mx",
      4, "old", 0 },
    /* opened before, closed in the period: resolved, 5d 1h */
    { TICKET_STATUS_CLOSED, -3 * D, -3 * D + H, 2 * D + H, "network", "mx",
      0, NULL, 0 },
    /* spam counts nowhere */
    { TICKET_STATUS_SPAM, D, NONE, D + H, NULL, "mx", 0, NULL, 0 },
    /* created after the period: nowhere */
    { TICKET_STATUS_NEW, 11 * D, NONE, NONE, "billing", "mx", 0, NULL, 0 },
};

static char *
fill_store(Store **store_out)
{
    g_autoptr(GError) error = NULL;
    char *dir = g_dir_make_tmp("test-report-XXXXXX", &error);
    g_autofree char *path = g_build_filename(dir, "mt.db", NULL);
    Store *store = NULL;

    g_assert_no_error(error);
    g_assert_cmpint(store_open(path, STORE_READ_WRITE, &store, &error), ==,
                    ST_OK);
    for (guint i = 0; i < G_N_ELEMENTS(rows); i++) {
        g_autoptr(Ticket) t = ticket_new();
        gint64 id = 0;

        t->customer_email = g_strdup("c@example.org");
        t->status = rows[i].status;
        t->created_at = T0 + rows[i].created;
        t->updated_at = t->created_at;
        t->first_response_at = rows[i].first_response != NONE
                                   ? T0 + rows[i].first_response
                                   : MESSAGE_NO_TIME;
        t->resolved_at = rows[i].resolved != NONE ? T0 + rows[i].resolved
                                               : MESSAGE_NO_TIME;
        t->category = g_strdup(rows[i].category);
        t->mailbox = g_strdup(rows[i].mailbox);
        t->rating_score = rows[i].score;
        t->rating_comment = g_strdup(rows[i].comment);
        g_assert_cmpint(store_ticket_create(store, t, 1001, &id, &error), ==,
                        ST_OK);
        for (int r = 0; r < rows[i].reopened; r++)
            g_assert_cmpint(store_event_add(store, id,
                                            t->created_at + (r + 1) * H,
                                            "reopened", "by a reply",
                                            &error),
                            ==, ST_OK);
        /* The reminder pass's events, as remind.c writes them: the late
         * answer was warned and breached, the open one found breached. */
        if (rows[i].reopened == 2)
            g_assert_cmpint(store_event_add(store, id, t->created_at + 20 * H,
                                            "escalated",
                                            "approaching: deadline x",
                                            &error), ==, ST_OK);
        if (rows[i].reopened == 2 ||
            (rows[i].status == TICKET_STATUS_OPEN && rows[i].created >= 0))
            g_assert_cmpint(store_event_add(store, id, t->created_at + D,
                                            "escalated",
                                            "breached: deadline x", &error),
                            ==, ST_OK);
        /* Outside the period or of another kind: not counted. */
        g_assert_cmpint(store_event_add(store, id, T0 - D, "reopened", NULL,
                                        &error), ==, ST_OK);
        g_assert_cmpint(store_event_add(store, id, T0 - D, "escalated",
                                        "breached: deadline x", &error),
                        ==, ST_OK);
        g_assert_cmpint(store_event_add(store, id, t->created_at, "created",
                                        NULL, &error), ==, ST_OK);
    }
    g_assert_no_error(error);
    *store_out = store;
    return dir;
}

static void
rm_dir(const char *dir)
{
    g_autofree char *db = g_build_filename(dir, "mt.db", NULL);
    g_autofree char *wal = g_strconcat(db, "-wal", NULL);
    g_autofree char *shm = g_strconcat(db, "-shm", NULL);

    g_unlink(db);
    g_unlink(wal);
    g_unlink(shm);
    g_rmdir(dir);
}

static void
test_compute(void)
{
    Store *store = NULL;
    g_autofree char *dir = fill_store(&store);
    g_autoptr(GHashTable) channels = g_hash_table_new(g_str_hash,
                                                      g_str_equal);
    ReportOptions opt = {
        .since = T0,
        .until = T0 + 10 * D,
        .by = REPORT_BY_CHANNEL,
        .first_response = 24 * H,
        .channels = channels,
    };
    g_autoptr(Report) r = NULL;
    g_autoptr(GError) error = NULL;
    const ReportFigures *f;
    const ReportGroup *g;
    const ReportComment *c;
    double v = 0;

    g_hash_table_insert(channels, (char *)"web", (char *)"form");
    g_assert_cmpint(report_compute(store, &opt, &r, &error), ==, ST_OK);
    g_assert_no_error(error);
    f = &r->all;
    g_assert_cmpint(f->opened, ==, 5);
    g_assert_cmpint(f->resolved, ==, 3);
    g_assert_cmpint(f->reopened, ==, 2);
    /* open (8d), pending (7d), old (30d), new (12h) */
    g_assert_cmpint(f->backlog, ==, 4);
    g_assert_cmpint(f->backlog_ages[0], ==, 1);
    g_assert_cmpint(f->backlog_ages[3], ==, 2);
    g_assert_cmpint(f->backlog_ages[4], ==, 1);
    g_assert_cmpint(f->backlog_age_median, ==, 7 * D);
    g_assert_cmpint(f->backlog_age_p90, ==, 30 * D);
    g_assert_cmpint(f->first_response_count, ==, 2);
    g_assert_cmpint(f->first_response_median, ==, 2 * H);
    g_assert_cmpint(f->first_response_p90, ==, 30 * H);
    g_assert_cmpint(f->first_response_buckets[1], ==, 1);
    g_assert_cmpint(f->first_response_buckets[4], ==, 1);
    g_assert_cmpint(f->resolution_count, ==, 3);
    g_assert_cmpint(f->resolution_median, ==, 4 * D);
    g_assert_cmpint(f->resolution_p90, ==, 5 * D + H);
    /* due: the two answered and the open one; met: the first */
    g_assert_cmpint(f->sla_due, ==, 3);
    g_assert_cmpint(f->sla_met, ==, 1);
    g_assert_true(report_sla_percent(f, &v));
    g_assert_cmpfloat_with_epsilon(v, 100.0 / 3, 1e-9);
    /* escalations sent in the period, not the tickets' levels */
    g_assert_cmpint(f->warnings, ==, 1);
    g_assert_cmpint(f->breaches, ==, 2);
    g_assert_cmpint(f->opened_resolved, ==, 2);
    g_assert_true(report_resolution_rate(f, &v));
    g_assert_cmpfloat_with_epsilon(v, 40.0, 1e-9);
    g_assert_cmpint(f->ratings, ==, 2);
    g_assert_true(report_csat_average(f, &v));
    g_assert_cmpfloat_with_epsilon(v, 3.5, 1e-9);
    g_assert_cmpint(f->rating_scores[1], ==, 1);
    g_assert_cmpint(f->rating_scores[4], ==, 1);

    g_assert_cmpuint(r->groups->len, ==, 2);
    g = g_ptr_array_index(r->groups, 0);
    g_assert_cmpstr(g->key, ==, "email");
    g_assert_cmpint(g->fig.opened, ==, 3);
    g = g_ptr_array_index(r->groups, 1);
    g_assert_cmpstr(g->key, ==, "form");
    g_assert_cmpint(g->fig.opened, ==, 2);
    g_assert_cmpint(g->fig.sla_due, ==, 1);

    g_assert_cmpuint(r->by_category->len, ==, 3);
    g = g_ptr_array_index(r->by_category, 0);
    g_assert_cmpstr(g->key, ==, "(none)");

    g_assert_cmpint(r->days, ==, 10);
    g_assert_cmpint(r->day_opened[0], ==, 1);
    g_assert_cmpint(r->day_opened[9], ==, 1);
    g_assert_cmpint(r->day_resolved[2], ==, 1);
    g_assert_cmpint(r->day_resolved[5], ==, 1);
    g_assert_cmpuint(r->comments->len, ==, 1);
    c = g_ptr_array_index(r->comments, 0);
    g_assert_cmpstr(c->comment, ==, "fast");

    {
        g_autofree char *text = report_text(r);
        g_autofree char *csv = report_csv(r);
        g_autofree char *json = report_json(r);
        g_autofree char *html = report_html(r);

        g_assert_nonnull(strstr(text, "SLA first response met"));
        g_assert_nonnull(strstr(text, "33.3%"));
        g_assert_nonnull(strstr(csv, "\r\nchannel:form,2,"));
        g_assert_nonnull(strstr(json, "\"percent\": 33.3"));
        g_assert_cmpint(g_strrstr(html, "<svg") - html, >, 0);
        g_assert_null(strstr(html, "<script"));
    }

    opt.until = opt.since;
    g_clear_pointer(&r, report_free);
    g_assert_cmpint(report_compute(store, &opt, &r, &error), ==, ST_USAGE);
    store_close(store);
    rm_dir(dir);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/report/percentile", test_percentile);
    g_test_add_func("/report/duration-text", test_duration_text);
    g_test_add_func("/report/by-names", test_by_names);
    g_test_add_func("/report/compute", test_compute);
    return g_test_run();
}
