/*
 * report.c - the figures of `mailtriage report`, and their text, CSV
 * and JSON forms.
 *
 * One pass over the tickets (store_ticket_scan(), which reads no
 * message) feeds the figures of the whole period, of the groups asked
 * for with --by, and of categories and agents for the HTML charts.
 * Counts are summed as the rows go by; the durations whose median and
 * p90 are wanted are collected as plain gint64 arrays (8 bytes a
 * ticket), sorted once at the end and dropped.  The HTML page lives in
 * report-html.c; nothing here prints.
 */
#include "config.h"

#include "report.h"

#include <string.h>

#include "json.h"
#include "util.h"

#define DAY (24 * 3600)
#define HOUR 3600

/* At most ten years of days in the tickets-per-day series. */
#define MAX_DAYS 3660

static const struct {
    ReportBy by;
    const char *name;
} by_names[] = {
    { REPORT_BY_CATEGORY, "category" }, { REPORT_BY_AGENT, "agent" },
    { REPORT_BY_TEAM, "team" },         { REPORT_BY_CHANNEL, "channel" },
    { REPORT_BY_MAILBOX, "mailbox" },
};

bool
report_by_from_name(const char *name, ReportBy *by_out)
{
    for (guint i = 0; i < G_N_ELEMENTS(by_names); i++)
        if (strcmp(name, by_names[i].name) == 0) {
            *by_out = by_names[i].by;
            return true;
        }
    return false;
}

const char *
report_by_name(ReportBy by)
{
    for (guint i = 0; i < G_N_ELEMENTS(by_names); i++)
        if (by_names[i].by == by)
            return by_names[i].name;
    return "";
}

gint64
report_elapsed(const ReportOptions *opt, gint64 from, gint64 to)
{
    if (to <= from)
        return 0;
    /* The same arithmetic as the deadlines, so that a report's
     * "met" agrees with the escalations a desk saw. */
    if (opt->calendar != NULL)
        return calendar_between(opt->calendar, from, to);
    return to - from;
}

gint64
report_percentile(const gint64 *sorted, guint n, int p)
{
    guint64 rank;

    if (n == 0)
        return -1;
    /* Nearest rank: the smallest value with at least p% at or below. */
    rank = ((guint64)n * (guint64)p + 99) / 100;
    if (rank < 1)
        rank = 1;
    return sorted[rank - 1];
}

char *
report_percent_text(bool has, double pct)
{
    return has ? g_strdup_printf("%.1f%%", pct) : g_strdup("-");
}

void
report_figure_texts_init(ReportFigureTexts *t, const ReportFigures *f)
{
    double v = 0;
    bool has;

    t->first_response_median = report_duration_text(f->first_response_median);
    t->first_response_p90 = report_duration_text(f->first_response_p90);
    t->resolution_median = report_duration_text(f->resolution_median);
    t->resolution_p90 = report_duration_text(f->resolution_p90);
    t->backlog_age_median = report_duration_text(f->backlog_age_median);
    t->backlog_age_p90 = report_duration_text(f->backlog_age_p90);
    has = report_sla_percent(f, &v);
    t->sla_percent = report_percent_text(has, v);
    has = report_next_percent(f, &v);
    t->next_percent = report_percent_text(has, v);
    has = report_resolution_rate(f, &v);
    t->resolution_rate = report_percent_text(has, v);
    t->has_csat = report_csat_average(f, &t->csat_average);
}

void
report_figure_texts_clear(ReportFigureTexts *t)
{
    g_free(t->first_response_median);
    g_free(t->first_response_p90);
    g_free(t->resolution_median);
    g_free(t->resolution_p90);
    g_free(t->backlog_age_median);
    g_free(t->backlog_age_p90);
    g_free(t->sla_percent);
    g_free(t->next_percent);
    g_free(t->resolution_rate);
    memset(t, 0, sizeof(*t));
}

char *
report_duration_text(gint64 secs)
{
    if (secs < 0)
        return g_strdup("-");
    if (secs >= DAY)
        return g_strdup_printf("%" G_GINT64_FORMAT "d %" G_GINT64_FORMAT
                               "h",
                               secs / DAY, secs % DAY / HOUR);
    if (secs >= HOUR)
        return g_strdup_printf("%" G_GINT64_FORMAT "h %" G_GINT64_FORMAT
                               "m",
                               secs / HOUR, secs % HOUR / 60);
    if (secs >= 60)
        return g_strdup_printf("%" G_GINT64_FORMAT "m", secs / 60);
    return g_strdup_printf("%" G_GINT64_FORMAT "s", secs);
}

/* part as a percentage of whole; false when whole is 0 (no figure). */
static bool
percent_of(gint64 part, gint64 whole, double *pct_out)
{
    if (whole == 0)
        return false;
    *pct_out = 100.0 * (double)part / (double)whole;
    return true;
}

bool
report_sla_percent(const ReportFigures *f, double *pct_out)
{
    return percent_of(f->sla_met, f->sla_due, pct_out);
}

bool
report_next_percent(const ReportFigures *f, double *pct_out)
{
    return percent_of(f->next_met, f->next_due, pct_out);
}

bool
report_resolution_rate(const ReportFigures *f, double *pct_out)
{
    return percent_of(f->opened_resolved, f->opened, pct_out);
}

bool
report_csat_average(const ReportFigures *f, double *avg_out)
{
    if (f->ratings == 0)
        return false;
    *avg_out = (double)f->rating_sum / (double)f->ratings;
    return true;
}

/* --- computing ------------------------------------------------------ */

static void
figures_init(ReportFigures *f)
{
    memset(f, 0, sizeof(*f));
    f->ages_ = g_array_new(FALSE, FALSE, sizeof(gint64));
    f->frts_ = g_array_new(FALSE, FALSE, sizeof(gint64));
    f->resolutions_ = g_array_new(FALSE, FALSE, sizeof(gint64));
}

static int
cmp_gint64(gconstpointer a, gconstpointer b)
{
    gint64 x = *(const gint64 *)a, y = *(const gint64 *)b;

    return x < y ? -1 : x > y;
}

/* Sort the collected durations into medians and p90s, then drop them. */
static void
figures_finish(ReportFigures *f)
{
    struct {
        GArray **values;
        gint64 *median, *p90;
    } sets[] = {
        { &f->ages_, &f->backlog_age_median, &f->backlog_age_p90 },
        { &f->frts_, &f->first_response_median, &f->first_response_p90 },
        { &f->resolutions_, &f->resolution_median, &f->resolution_p90 },
    };

    for (guint i = 0; i < G_N_ELEMENTS(sets); i++) {
        GArray *v = *sets[i].values;

        if (v == NULL) {
            *sets[i].median = *sets[i].p90 = -1;
            continue;
        }
        g_array_sort(v, cmp_gint64);
        *sets[i].median = report_percentile((const gint64 *)v->data, v->len,
                                            50);
        *sets[i].p90 = report_percentile((const gint64 *)v->data, v->len,
                                         90);
        g_clear_pointer(sets[i].values, g_array_unref);
    }
}

static void
figures_clear(ReportFigures *f)
{
    g_clear_pointer(&f->ages_, g_array_unref);
    g_clear_pointer(&f->frts_, g_array_unref);
    g_clear_pointer(&f->resolutions_, g_array_unref);
}

static void
group_free(ReportGroup *g)
{
    if (g == NULL)
        return;
    figures_clear(&g->fig);
    g_free(g->key);
    g_free(g);
}

static void
comment_free(ReportComment *c)
{
    if (c == NULL)
        return;
    g_free(c->comment);
    g_free(c);
}

void
report_free(Report *report)
{
    if (report == NULL)
        return;
    figures_clear(&report->all);
    g_clear_pointer(&report->groups, g_ptr_array_unref);
    g_clear_pointer(&report->by_category, g_ptr_array_unref);
    g_clear_pointer(&report->by_agent, g_ptr_array_unref);
    g_clear_pointer(&report->comments, g_ptr_array_unref);
    g_free(report->day_opened);
    g_free(report->day_resolved);
    g_free(report);
}

/* What one ticket contributes, worked out once for every figure set it
 * feeds. */
typedef struct {
    bool is_opened;      /* created in the period */
    bool is_resolved;    /* resolved in the period */
    bool is_backlog;     /* open at until */
    gint64 age;          /* backlog age at until */
    gint64 frt;          /* -1: no first response */
    gint64 resolution;   /* -1 unless is_resolved */
    bool is_sla_due;
    bool is_sla_met;
    gint64 next_due;     /* next-response deadlines started in the period */
    gint64 next_met;
    bool is_opened_resolved;
} Contribution;

static int
age_bucket(gint64 age)
{
    static const gint64 limits[REPORT_AGE_BUCKETS - 1] = {
        DAY, 3 * DAY, 7 * DAY, 30 * DAY,
    };
    int i = 0;

    while (i < REPORT_AGE_BUCKETS - 1 && age >= limits[i])
        i++;
    return i;
}

static int
frt_bucket(gint64 frt)
{
    static const gint64 limits[REPORT_FRT_BUCKETS - 1] = {
        HOUR, 4 * HOUR, 8 * HOUR, 24 * HOUR, 48 * HOUR,
    };
    int i = 0;

    while (i < REPORT_FRT_BUCKETS - 1 && frt >= limits[i])
        i++;
    return i;
}

static void
figures_add(ReportFigures *f, const TicketSummary *t, const Contribution *c)
{
    f->reopened += t->reopened;
    f->next_due += c->next_due;
    f->next_met += c->next_met;
    if (c->is_resolved) {
        f->resolved++;
        f->resolution_count++;
        g_array_append_val(f->resolutions_, c->resolution);
    }
    if (c->is_backlog) {
        f->backlog++;
        f->backlog_ages[age_bucket(c->age)]++;
        g_array_append_val(f->ages_, c->age);
    }
    if (!c->is_opened)
        return;
    f->opened++;
    if (c->frt >= 0) {
        f->first_response_count++;
        f->first_response_buckets[frt_bucket(c->frt)]++;
        g_array_append_val(f->frts_, c->frt);
    }
    if (c->is_sla_due) {
        f->sla_due++;
        if (c->is_sla_met)
            f->sla_met++;
    }
    /* What the reminder pass sent in the period, every deadline of the
     * ticket: its level tells only about the running one, and a ticket
     * found past its deadline skips the warning. */
    f->warnings += t->warnings;
    f->breaches += t->breaches;
    if (c->is_opened_resolved)
        f->opened_resolved++;
    if (t->rating_score >= 1 && t->rating_score <= 5) {
        f->ratings++;
        f->rating_sum += t->rating_score;
        f->rating_scores[t->rating_score - 1]++;
    }
}

typedef struct {
    Report *report;
    const ReportOptions *opt;
    GHashTable *groups;      /* key -> ReportGroup *, owned */
    GHashTable *categories;  /* borrowed groups, owned */
    GHashTable *agents;
} ScanState;

static ReportGroup *
group_get(GHashTable *table, const char *key)
{
    ReportGroup *g = g_hash_table_lookup(table, key);

    if (g == NULL) {
        g = g_new0(ReportGroup, 1);
        g->key = g_strdup(key);
        figures_init(&g->fig);
        g_hash_table_insert(table, g->key, g);
    }
    return g;
}

static const char *
group_key(const ScanState *s, const TicketSummary *t, ReportBy by)
{
    const char *v = NULL;

    switch (by) {
    case REPORT_BY_NONE: return NULL;
    case REPORT_BY_CATEGORY: v = t->category; break;
    case REPORT_BY_AGENT:
        return t->assignee != NULL ? t->assignee : "(unassigned)";
    case REPORT_BY_TEAM: v = t->team; break;
    case REPORT_BY_MAILBOX: v = t->mailbox; break;
    case REPORT_BY_CHANNEL:
        if (s->opt->channels != NULL && t->mailbox != NULL)
            v = g_hash_table_lookup(s->opt->channels, t->mailbox);
        return v != NULL ? v : "email";
    }
    return v != NULL && *v != '\0' ? v : "(none)";
}

static gint64
day_index(const Report *r, gint64 at)
{
    gint64 start = r->opt.since - r->opt.since % DAY;

    if (at < r->opt.since || at >= r->opt.until)
        return -1;
    return MIN((at - start) / DAY, r->days - 1);
}

static void
add_comment(Report *r, const TicketSummary *t)
{
    ReportComment *c;
    gint64 at = t->resolved_at != MESSAGE_NO_TIME ? t->resolved_at
                                                  : t->created_at;

    if (r->comments->len == REPORT_MAX_COMMENTS) {
        ReportComment *last = g_ptr_array_index(r->comments,
                                                r->comments->len - 1);

        if (at < last->at || (at == last->at && t->id < last->ticket))
            return;
        g_ptr_array_remove_index(r->comments, r->comments->len - 1);
    }
    c = g_new0(ReportComment, 1);
    c->ticket = t->id;
    c->score = t->rating_score;
    c->comment = g_strdup(t->rating_comment);
    c->at = at;
    /* Newest first; the list is short, so insertion is cheap. */
    for (guint i = 0; i <= r->comments->len; i++) {
        const ReportComment *o = i < r->comments->len
                                     ? g_ptr_array_index(r->comments, i)
                                     : NULL;

        if (o == NULL || at > o->at || (at == o->at && t->id > o->ticket)) {
            g_ptr_array_insert(r->comments, (gint)i, c);
            break;
        }
    }
}

static Status
scan_row(const TicketSummary *t, gpointer data, GError **error)
{
    ScanState *s = data;
    Report *r = s->report;
    const ReportOptions *opt = s->opt;
    bool is_done = t->status == TICKET_STATUS_RESOLVED ||
                   t->status == TICKET_STATUS_CLOSED;
    bool has_fr = t->first_response_at != MESSAGE_NO_TIME;
    gint64 promise = t->sla > 0 ? t->sla : opt->first_response;
    /* The pause of the first-response clocks started in the period:
     * the ended ones, and the running one while there is no answer. */
    gint64 first_paused = t->first_paused +
                          (!has_fr && t->clock_start != MESSAGE_NO_TIME &&
                                   t->clock_start < opt->until
                               ? t->paused_total
                               : 0);
    Contribution c = { .frt = -1, .resolution = -1 };
    const char *key;

    (void)error;
    if (t->status == TICKET_STATUS_SPAM || t->created_at == MESSAGE_NO_TIME)
        return ST_OK;
    c.is_opened = t->created_at >= opt->since;
    c.is_resolved = is_done && t->resolved_at != MESSAGE_NO_TIME &&
                    t->resolved_at >= opt->since &&
                    t->resolved_at < opt->until;
    if (c.is_resolved)
        c.resolution = MAX(report_elapsed(opt, t->created_at,
                                          t->resolved_at) -
                               t->pending_total,
                           0);
    c.is_backlog = !is_done || t->resolved_at == MESSAGE_NO_TIME ||
                   t->resolved_at >= opt->until;
    if (c.is_backlog)
        c.age = report_elapsed(opt, t->created_at, opt->until);
    if (c.is_opened) {
        c.is_opened_resolved = is_done &&
                               t->resolved_at != MESSAGE_NO_TIME &&
                               t->resolved_at < opt->until;
        if (has_fr && t->first_response_at < opt->until) {
            c.frt = MAX(report_elapsed(opt, t->created_at,
                                       t->first_response_at) -
                            first_paused,
                        0);
            c.is_sla_due = true;
            c.is_sla_met = c.frt <= promise;
        } else if (t->status != TICKET_STATUS_PENDING) {
            /* No answer: the promise ran out unless the ticket was
             * resolved first. */
            gint64 end = c.is_opened_resolved ? t->resolved_at : opt->until;

            c.is_sla_due = report_elapsed(opt, t->created_at, end) -
                               first_paused >
                           promise;
        }
    }
    /* Next response: the ended clocks come counted from the store; the
     * running one is due once its deadline passed before until. */
    c.next_due = t->next_due;
    c.next_met = t->next_met;
    if (has_fr && t->clock_start != MESSAGE_NO_TIME &&
        t->clock_start >= opt->since && t->clock_start < opt->until &&
        t->paused_at == MESSAGE_NO_TIME && t->due_at != MESSAGE_NO_TIME &&
        t->due_at < opt->until)
        c.next_due++;

    figures_add(&r->all, t, &c);
    if ((key = group_key(s, t, opt->by)) != NULL)
        figures_add(&group_get(s->groups, key)->fig, t, &c);
    figures_add(&group_get(s->categories,
                           group_key(s, t, REPORT_BY_CATEGORY))->fig,
                t, &c);
    figures_add(&group_get(s->agents, group_key(s, t, REPORT_BY_AGENT))->fig,
                t, &c);
    if (c.is_opened) {
        gint64 d = day_index(r, t->created_at);

        if (d >= 0)
            r->day_opened[d]++;
        if (t->rating_score > 0 && t->rating_comment != NULL &&
            *t->rating_comment != '\0')
            add_comment(r, t);
    }
    if (c.is_resolved) {
        gint64 d = day_index(r, t->resolved_at);

        if (d >= 0)
            r->day_resolved[d]++;
    }
    return ST_OK;
}

static int
cmp_group(gconstpointer a, gconstpointer b)
{
    const ReportGroup *x = *(ReportGroup *const *)a;
    const ReportGroup *y = *(ReportGroup *const *)b;

    return strcmp(x->key, y->key);
}

/* The groups of a table, finished and sorted by key; the table gives
 * them up. */
static GPtrArray *
groups_take(GHashTable *table)
{
    GPtrArray *out = g_ptr_array_new_with_free_func(
        (GDestroyNotify)group_free);
    GHashTableIter iter;
    gpointer v;

    g_hash_table_iter_init(&iter, table);
    while (g_hash_table_iter_next(&iter, NULL, &v)) {
        figures_finish(&((ReportGroup *)v)->fig);
        g_ptr_array_add(out, v);
        g_hash_table_iter_steal(&iter);
    }
    g_ptr_array_sort(out, cmp_group);
    return out;
}

Status
report_compute(Store *store, const ReportOptions *opt, Report **report_out,
               GError **error)
{
    g_autoptr(Report) r = g_new0(Report, 1);
    ScanState s = { .report = r, .opt = opt };
    gint64 start;
    Status st;

    if (opt->until <= opt->since)
        return status_set(error, ST_USAGE,
                          "report: the period is empty (--until must be "
                          "after --since)");
    r->opt = *opt;
    r->opt.channels = NULL;
    start = opt->since - opt->since % DAY;
    r->days = MIN((opt->until - start + DAY - 1) / DAY, MAX_DAYS);
    r->day_opened = g_new0(gint64, r->days);
    r->day_resolved = g_new0(gint64, r->days);
    r->comments = g_ptr_array_new_with_free_func(
        (GDestroyNotify)comment_free);
    figures_init(&r->all);
    s.groups = g_hash_table_new_full(g_str_hash, g_str_equal, NULL,
                                     (GDestroyNotify)group_free);
    s.categories = g_hash_table_new_full(g_str_hash, g_str_equal, NULL,
                                         (GDestroyNotify)group_free);
    s.agents = g_hash_table_new_full(g_str_hash, g_str_equal, NULL,
                                     (GDestroyNotify)group_free);
    st = store_ticket_scan(store, opt->since, opt->until, scan_row, &s,
                           error);
    if (st == ST_OK) {
        figures_finish(&r->all);
        r->groups = groups_take(s.groups);
        r->by_category = groups_take(s.categories);
        r->by_agent = groups_take(s.agents);
    }
    g_hash_table_unref(s.groups);
    g_hash_table_unref(s.categories);
    g_hash_table_unref(s.agents);
    if (st != ST_OK)
        return st;
    *report_out = g_steal_pointer(&r);
    return ST_OK;
}

/* --- text ----------------------------------------------------------- */

static char *
day_text(gint64 t)
{
    g_autoptr(GDateTime) dt = g_date_time_new_from_unix_utc(t);

    return dt != NULL ? g_date_time_format(dt, "%Y-%m-%d") : g_strdup("?");
}

/* Days before until, so that a period ending at midnight shows the
 * last day it contains. */
static char *
period_text(const ReportOptions *opt)
{
    g_autofree char *a = util_time_iso(opt->since);
    g_autofree char *b = util_time_iso(opt->until);

    return g_strdup_printf("%s to %s", a, b);
}

static void
text_figures(GString *out, const ReportFigures *f)
{
    g_auto(ReportFigureTexts) t = { 0 };
    g_autofree char *avg = NULL;

    report_figure_texts_init(&t, f);
    avg = t.has_csat ? g_strdup_printf("%.2f", t.csat_average)
                     : g_strdup("-");

    g_string_append_printf(
        out,
        "  Tickets opened            %10" G_GINT64_FORMAT "\n"
        "  Tickets resolved          %10" G_GINT64_FORMAT "\n"
        "  Tickets reopened          %10" G_GINT64_FORMAT "\n"
        "  Resolution rate           %10s\n"
        "  Backlog                   %10" G_GINT64_FORMAT
        "   age median %s, p90 %s\n"
        "    by age  <1d %" G_GINT64_FORMAT "  1-3d %" G_GINT64_FORMAT
        "  3-7d %" G_GINT64_FORMAT "  7-30d %" G_GINT64_FORMAT
        "  30d+ %" G_GINT64_FORMAT "\n"
        "  First response  median    %10s   p90 %s   (%" G_GINT64_FORMAT
        " answered)\n"
        "  Resolution time median    %10s   p90 %s   (%" G_GINT64_FORMAT
        " resolved)\n"
        "  SLA first response met    %10s   (%" G_GINT64_FORMAT " of %"
        G_GINT64_FORMAT " deadlines)\n"
        "  SLA next response met     %10s   (%" G_GINT64_FORMAT " of %"
        G_GINT64_FORMAT " deadlines)\n"
        "  Escalation warnings       %10" G_GINT64_FORMAT "\n"
        "  Escalation breaches       %10" G_GINT64_FORMAT "\n"
        "  Satisfaction              %10s   (%" G_GINT64_FORMAT
        " ratings; 1: %" G_GINT64_FORMAT "  2: %" G_GINT64_FORMAT
        "  3: %" G_GINT64_FORMAT "  4: %" G_GINT64_FORMAT "  5: %"
        G_GINT64_FORMAT ")\n",
        f->opened, f->resolved, f->reopened, t.resolution_rate, f->backlog,
        t.backlog_age_median, t.backlog_age_p90, f->backlog_ages[0],
        f->backlog_ages[1], f->backlog_ages[2], f->backlog_ages[3],
        f->backlog_ages[4], t.first_response_median, t.first_response_p90,
        f->first_response_count, t.resolution_median, t.resolution_p90,
        f->resolution_count, t.sla_percent, f->sla_met, f->sla_due,
        t.next_percent, f->next_met, f->next_due,
        f->warnings, f->breaches, avg, f->ratings, f->rating_scores[0], f->rating_scores[1],
        f->rating_scores[2], f->rating_scores[3], f->rating_scores[4]);
}

/* Cut s to width characters for a table cell. */
static char *
cell(const char *s, glong width)
{
    if (g_utf8_strlen(s, -1) <= width)
        return g_strdup(s);
    return g_utf8_substring(s, 0, width);
}

char *
report_text(const Report *r)
{
    GString *out = g_string_new(NULL);
    g_autofree char *period = period_text(&r->opt);

    g_string_append_printf(out, "mailtriage report: %s\n\n", period);
    text_figures(out, &r->all);
    if (r->groups->len > 0) {
        g_string_append_printf(
            out,
            "\nBy %s:\n  %-20s %7s %7s %7s %7s %9s %9s %7s %7s %7s %6s\n",
            report_by_name(r->opt.by), report_by_name(r->opt.by), "opened",
            "resolvd", "reopen", "backlog", "1st resp", "resolve", "SLA 1st",
            "SLA nxt", "breach", "CSAT");
        for (guint i = 0; i < r->groups->len; i++) {
            const ReportGroup *g = g_ptr_array_index(r->groups, i);
            const ReportFigures *f = &g->fig;
            g_autofree char *key = cell(g->key, 20);
            g_autofree char *frt = report_duration_text(
                f->first_response_median);
            g_autofree char *res = report_duration_text(f->resolution_median);
            double v = 0;
            bool has_sla = report_sla_percent(f, &v);
            g_autofree char *sla = report_percent_text(has_sla, v);
            bool has_next = report_next_percent(f, &v);
            g_autofree char *next = report_percent_text(has_next, v);
            bool has_avg = report_csat_average(f, &v);
            g_autofree char *avg = has_avg ? g_strdup_printf("%.2f", v)
                                           : g_strdup("-");
            /* printf pads bytes, not characters: pad by hand. */
            glong pad = 20 - g_utf8_strlen(key, -1);

            g_string_append_printf(
                out,
                "  %s%*s %7" G_GINT64_FORMAT " %7" G_GINT64_FORMAT
                " %7" G_GINT64_FORMAT " %7" G_GINT64_FORMAT
                " %9s %9s %7s %7s %7" G_GINT64_FORMAT " %6s\n",
                key, (int)MAX(pad, 0), "", f->opened, f->resolved,
                f->reopened, f->backlog, frt, res, sla, next, f->breaches,
                avg);
        }
    }
    if (r->comments->len > 0) {
        g_string_append(out, "\nRecent comments:\n");
        for (guint i = 0; i < r->comments->len; i++) {
            const ReportComment *c = g_ptr_array_index(r->comments, i);
            g_autofree char *day = day_text(c->at);
            g_autofree char *one = g_strdelimit(g_strdup(c->comment),
                                                "\r\n\t", ' ');

            g_string_append_printf(out,
                                   "  %s  #%" G_GINT64_FORMAT "  %d/5  %s\n",
                                   day, c->ticket, c->score, one);
        }
    }
    return g_string_free(out, FALSE);
}

/* --- CSV (RFC 4180) ------------------------------------------------- */

static void
csv_field(GString *out, const char *s)
{
    if (strpbrk(s, ",\"\r\n") == NULL) {
        g_string_append(out, s);
        return;
    }
    g_string_append_c(out, '"');
    for (const char *p = s; *p != '\0'; p++) {
        if (*p == '"')
            g_string_append_c(out, '"');
        g_string_append_c(out, *p);
    }
    g_string_append_c(out, '"');
}

static void
csv_int(GString *out, gint64 v)
{
    g_string_append_printf(out, ",%" G_GINT64_FORMAT, v);
}

/* -1 (no value) is an empty field. */
static void
csv_opt(GString *out, gint64 v)
{
    if (v < 0)
        g_string_append_c(out, ',');
    else
        csv_int(out, v);
}

static void
csv_double(GString *out, bool has, double v, int decimals)
{
    char buf[G_ASCII_DTOSTR_BUF_SIZE];

    g_string_append_c(out, ',');
    if (has)
        g_string_append(out, g_ascii_formatd(buf, sizeof(buf),
                                             decimals == 1 ? "%.1f" : "%.2f",
                                             v));
}

static const char *const csv_header =
    "group,opened,resolved,reopened,backlog,backlog_age_median,"
    "backlog_age_p90,backlog_lt_1d,backlog_1d_3d,backlog_3d_7d,"
    "backlog_7d_30d,backlog_ge_30d,first_response_count,"
    "first_response_median,first_response_p90,resolution_count,"
    "resolution_median,resolution_p90,sla_first_response_due,"
    "sla_first_response_met,sla_first_response_percent,"
    "sla_next_response_due,sla_next_response_met,"
    "sla_next_response_percent,escalation_warnings,escalation_breaches,"
    "resolution_rate,csat_count,csat_average,csat_1,csat_2,csat_3,csat_4,"
    "csat_5\r\n";

static void
csv_row(GString *out, const char *key, const ReportFigures *f)
{
    double v = 0;
    bool has;

    csv_field(out, key);
    csv_int(out, f->opened);
    csv_int(out, f->resolved);
    csv_int(out, f->reopened);
    csv_int(out, f->backlog);
    csv_opt(out, f->backlog_age_median);
    csv_opt(out, f->backlog_age_p90);
    for (int i = 0; i < REPORT_AGE_BUCKETS; i++)
        csv_int(out, f->backlog_ages[i]);
    csv_int(out, f->first_response_count);
    csv_opt(out, f->first_response_median);
    csv_opt(out, f->first_response_p90);
    csv_int(out, f->resolution_count);
    csv_opt(out, f->resolution_median);
    csv_opt(out, f->resolution_p90);
    csv_int(out, f->sla_due);
    csv_int(out, f->sla_met);
    has = report_sla_percent(f, &v);
    csv_double(out, has, v, 1);
    csv_int(out, f->next_due);
    csv_int(out, f->next_met);
    has = report_next_percent(f, &v);
    csv_double(out, has, v, 1);
    csv_int(out, f->warnings);
    csv_int(out, f->breaches);
    has = report_resolution_rate(f, &v);
    csv_double(out, has, v, 1);
    csv_int(out, f->ratings);
    has = report_csat_average(f, &v);
    csv_double(out, has, v, 2);
    for (int i = 0; i < 5; i++)
        csv_int(out, f->rating_scores[i]);
    g_string_append(out, "\r\n");
}

char *
report_csv(const Report *r)
{
    GString *out = g_string_new(csv_header);

    /* "all" cannot clash with a group: groups carry --by's prefix. */
    csv_row(out, "all", &r->all);
    for (guint i = 0; i < r->groups->len; i++) {
        const ReportGroup *g = g_ptr_array_index(r->groups, i);
        g_autofree char *key = g_strdup_printf(
            "%s:%s", report_by_name(r->opt.by), g->key);

        csv_row(out, key, &g->fig);
    }
    return g_string_free(out, FALSE);
}

/* --- JSON ----------------------------------------------------------- */

static void
json_opt(JsonWriter *w, const char *key, gint64 v)
{
    json_key(w, key);
    if (v < 0)
        json_null(w);
    else
        json_int(w, v);
}

/* key: {count, median, p90} of a set of durations. */
static void
json_durations(JsonWriter *w, const char *key, gint64 count, gint64 median,
               gint64 p90)
{
    json_key(w, key);
    json_begin_object(w);
    json_kv_int(w, "count", count);
    json_opt(w, "median", median);
    json_opt(w, "p90", p90);
    json_end_object(w);
}

static void
json_opt_double(JsonWriter *w, const char *key, bool has, double v,
                int decimals)
{
    json_key(w, key);
    if (has)
        json_double(w, v, decimals);
    else
        json_null(w);
}

/* key: {due, met, percent} of a response clock's attainment. */
static void
json_attainment(JsonWriter *w, const char *key, gint64 met, gint64 due)
{
    double pct = 0;
    bool has = percent_of(met, due, &pct);

    json_key(w, key);
    json_begin_object(w);
    json_kv_int(w, "due", due);
    json_kv_int(w, "met", met);
    json_opt_double(w, "percent", has, pct, 1);
    json_end_object(w);
}

static void
json_figures(JsonWriter *w, const ReportFigures *f)
{
    static const char *const age_names[REPORT_AGE_BUCKETS] = {
        "lt_1d", "1d_3d", "3d_7d", "7d_30d", "ge_30d",
    };
    double v = 0;
    bool has;

    json_kv_int(w, "opened", f->opened);
    json_kv_int(w, "resolved", f->resolved);
    json_kv_int(w, "reopened", f->reopened);
    has = report_resolution_rate(f, &v);
    json_opt_double(w, "resolution_rate", has, v, 1);
    json_key(w, "backlog");
    json_begin_object(w);
    json_kv_int(w, "count", f->backlog);
    json_opt(w, "age_median", f->backlog_age_median);
    json_opt(w, "age_p90", f->backlog_age_p90);
    json_key(w, "by_age");
    json_begin_object(w);
    for (int i = 0; i < REPORT_AGE_BUCKETS; i++)
        json_kv_int(w, age_names[i], f->backlog_ages[i]);
    json_end_object(w);
    json_end_object(w);
    json_durations(w, "first_response", f->first_response_count,
                   f->first_response_median, f->first_response_p90);
    json_durations(w, "resolution_time", f->resolution_count,
                   f->resolution_median, f->resolution_p90);
    json_key(w, "sla");
    json_begin_object(w);
    json_attainment(w, "first_response", f->sla_met, f->sla_due);
    json_attainment(w, "next_response", f->next_met, f->next_due);
    json_end_object(w);
    json_key(w, "escalations");
    json_begin_object(w);
    json_kv_int(w, "warnings", f->warnings);
    json_kv_int(w, "breaches", f->breaches);
    json_end_object(w);
    json_key(w, "csat");
    json_begin_object(w);
    json_kv_int(w, "count", f->ratings);
    has = report_csat_average(f, &v);
    json_opt_double(w, "average", has, v, 2);
    json_key(w, "scores");
    json_begin_array(w);
    for (int i = 0; i < 5; i++)
        json_int(w, f->rating_scores[i]);
    json_end_array(w);
    json_end_object(w);
}

char *
report_json(const Report *r)
{
    g_autoptr(JsonWriter) w = json_writer_new(true);

    json_begin_object(w);
    json_kv_time(w, "since", r->opt.since);
    json_kv_time(w, "until", r->opt.until);
    json_key(w, "by");
    if (r->opt.by == REPORT_BY_NONE)
        json_null(w);
    else
        json_string(w, report_by_name(r->opt.by));
    json_kv_int(w, "first_response_promise", r->opt.first_response);
    json_key(w, "all");
    json_begin_object(w);
    json_figures(w, &r->all);
    json_end_object(w);
    json_key(w, "groups");
    json_begin_array(w);
    for (guint i = 0; i < r->groups->len; i++) {
        const ReportGroup *g = g_ptr_array_index(r->groups, i);

        json_begin_object(w);
        json_kv_string(w, "key", g->key);
        json_figures(w, &g->fig);
        json_end_object(w);
    }
    json_end_array(w);
    json_key(w, "per_day");
    json_begin_array(w);
    for (gint64 d = 0; d < r->days; d++) {
        g_autofree char *day = day_text(r->opt.since - r->opt.since % DAY +
                                        d * DAY);

        json_begin_object(w);
        json_kv_string(w, "day", day);
        json_kv_int(w, "opened", r->day_opened[d]);
        json_kv_int(w, "resolved", r->day_resolved[d]);
        json_end_object(w);
    }
    json_end_array(w);
    json_key(w, "comments");
    json_begin_array(w);
    for (guint i = 0; i < r->comments->len; i++) {
        const ReportComment *c = g_ptr_array_index(r->comments, i);

        json_begin_object(w);
        json_kv_int(w, "ticket", c->ticket);
        json_kv_int(w, "score", c->score);
        json_kv_string(w, "comment", c->comment);
        json_kv_time(w, "at", c->at);
        json_end_object(w);
    }
    json_end_array(w);
    json_end_object(w);
    return json_writer_finish(g_steal_pointer(&w));
}
