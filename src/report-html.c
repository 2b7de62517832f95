/*
 * report-html.c - the report as one self-contained HTML page.
 *
 * Owns the page's layout and its charts, drawn as inline SVG by hand:
 * tickets per day, the first-response distribution against the SLA
 * line, SLA attainment per category and per agent, and the backlog by
 * age.  No script, no web font, no external image and no link to
 * anything, so that the page reads the same in a browser, printed, and
 * in a mail client (which blocks network resources and scripts).
 * Colours are few and dark enough for a black-and-white printer; the
 * short charts carry their numbers as text, the SLA bars their
 * percentages, and the figures table above them says the rest.
 */
#include "config.h"

#include "report.h"

#include <string.h>

#include "util.h"

#define DAY (24 * 3600)

static void
esc(GString *out, const char *s)
{
    g_autofree char *e = g_markup_escape_text(s != NULL ? s : "", -1);

    g_string_append(out, e);
}

static void
figure_row(GString *out, const char *name, const char *value)
{
    g_string_append(out, "<tr><th>");
    esc(out, name);
    g_string_append(out, "</th><td>");
    esc(out, value);
    g_string_append(out, "</td></tr>\n");
}

static void
figures_table(GString *out, const ReportFigures *f)
{
    g_auto(ReportFigureTexts) t = { 0 };
    g_autofree char *avg = NULL;

    report_figure_texts_init(&t, f);
    avg = t.has_csat ? g_strdup_printf("%.2f of 5 (%" G_GINT64_FORMAT
                                       " ratings)",
                                       t.csat_average, f->ratings)
                     : g_strdup("no ratings");
    struct {
        const char *name;
        char *value;
    } rows[] = {
        { "Tickets opened", g_strdup_printf("%" G_GINT64_FORMAT, f->opened) },
        { "Tickets resolved",
          g_strdup_printf("%" G_GINT64_FORMAT, f->resolved) },
        { "Tickets reopened",
          g_strdup_printf("%" G_GINT64_FORMAT, f->reopened) },
        { "Resolution rate", g_strdup(t.resolution_rate) },
        { "Backlog", g_strdup_printf("%" G_GINT64_FORMAT
                                     " (age median %s, p90 %s)",
                                     f->backlog, t.backlog_age_median,
                                     t.backlog_age_p90) },
        { "First response", g_strdup_printf("median %s, p90 %s (%"
                                            G_GINT64_FORMAT " answered)",
                                            t.first_response_median,
                                            t.first_response_p90,
                                            f->first_response_count) },
        { "Resolution time", g_strdup_printf("median %s, p90 %s (%"
                                             G_GINT64_FORMAT " resolved)",
                                             t.resolution_median,
                                             t.resolution_p90,
                                             f->resolution_count) },
        { "SLA first response met",
          g_strdup_printf("%s (%" G_GINT64_FORMAT " of %" G_GINT64_FORMAT
                          " deadlines)",
                          t.sla_percent, f->sla_met, f->sla_due) },
        { "SLA next response met",
          g_strdup_printf("%s (%" G_GINT64_FORMAT " of %" G_GINT64_FORMAT
                          " deadlines)",
                          t.next_percent, f->next_met, f->next_due) },
        { "Escalation warnings",
          g_strdup_printf("%" G_GINT64_FORMAT, f->warnings) },
        { "Escalation breaches",
          g_strdup_printf("%" G_GINT64_FORMAT, f->breaches) },
        { "Satisfaction", g_strdup(avg) },
    };

    g_string_append(out, "<table class=\"figures\">\n");
    for (guint i = 0; i < G_N_ELEMENTS(rows); i++) {
        figure_row(out, rows[i].name, rows[i].value);
        g_free(rows[i].value);
    }
    g_string_append(out, "</table>\n");
}

/* A vertical bar chart of up to two series; labels under every
 * label_every-th bar.  line_at >= 0 draws a dashed marker before that
 * bar (the SLA line). */
static void
bar_chart(GString *out, const char *title, const char *const *labels,
          const gint64 *a, const gint64 *b, guint n, guint label_every,
          const char *a_name, const char *b_name, gint64 line_at,
          const char *line_name)
{
    const double width = 640, height = 200, left = 40, bottom = 40;
    double plot_w = width - left - 10, plot_h = height - bottom - 20;
    gint64 max = 1;
    double slot = n > 0 ? plot_w / n : plot_w;
    double bar = b != NULL ? slot * 0.4 : slot * 0.7;

    for (guint i = 0; i < n; i++) {
        max = MAX(max, a[i]);
        if (b != NULL)
            max = MAX(max, b[i]);
    }
    g_string_append(out, "<figure>\n<svg xmlns=\"http://www.w3.org/2000/svg\""
                         " class=\"chart\" role=\"img\" viewBox=\"0 0 640 "
                         "200\" width=\"640\" height=\"200\"><title>");
    esc(out, title);
    g_string_append(out, "</title>\n");
    g_string_append_printf(out,
                           "<line x1=\"%.0f\" y1=\"%.0f\" x2=\"%.0f\" "
                           "y2=\"%.0f\" stroke=\"#444\"/>\n",
                           left, height - bottom, width - 10,
                           height - bottom);
    g_string_append_printf(out,
                           "<text x=\"%.0f\" y=\"14\" font-size=\"11\" "
                           "text-anchor=\"end\">%" G_GINT64_FORMAT
                           "</text>\n",
                           left - 4, max);
    for (guint i = 0; i < n; i++) {
        double x = left + i * slot + (slot - (b != NULL ? 2 * bar : bar)) / 2;
        double ha = plot_h * (double)a[i] / (double)max;

        g_string_append_printf(out,
                               "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" "
                               "height=\"%.1f\" fill=\"#2b5f8a\"><title>%s: %"
                               G_GINT64_FORMAT "</title></rect>\n",
                               x, height - bottom - ha, bar, ha, a_name, a[i]);
        /* A short series carries its numbers as text, for print. */
        if (n <= 12)
            g_string_append_printf(out,
                                   "<text x=\"%.1f\" y=\"%.1f\" "
                                   "font-size=\"11\" text-anchor=\"middle\">%"
                                   G_GINT64_FORMAT "</text>\n",
                                   x + bar / 2, height - bottom - ha - 3,
                                   a[i]);
        if (b != NULL) {
            double hb = plot_h * (double)b[i] / (double)max;

            g_string_append_printf(out,
                                   "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\""
                                   " height=\"%.1f\" fill=\"#9bbf4a\"><title>"
                                   "%s: %" G_GINT64_FORMAT
                                   "</title></rect>\n",
                                   x + bar, height - bottom - hb, bar, hb,
                                   b_name, b[i]);
        }
        if (labels != NULL && i % label_every == 0) {
            g_string_append_printf(out,
                                   "<text x=\"%.1f\" y=\"%.0f\" "
                                   "font-size=\"10\" text-anchor=\"middle\">",
                                   left + i * slot + slot / 2,
                                   height - bottom + 14);
            esc(out, labels[i]);
            g_string_append(out, "</text>\n");
        }
    }
    if (line_at >= 0) {
        double x = left + (double)line_at * slot;

        g_string_append_printf(out,
                               "<line x1=\"%.1f\" y1=\"10\" x2=\"%.1f\" "
                               "y2=\"%.0f\" stroke=\"#b22\" "
                               "stroke-dasharray=\"5,3\" "
                               "stroke-width=\"2\"/>\n"
                               "<text x=\"%.1f\" y=\"20\" font-size=\"11\" "
                               "fill=\"#b22\">",
                               x, x, height - bottom, x + 4);
        esc(out, line_name);
        g_string_append(out, "</text>\n");
    }
    g_string_append_printf(out,
                           "<rect x=\"%.0f\" y=\"%.0f\" width=\"10\" "
                           "height=\"10\" fill=\"#2b5f8a\"/><text x=\"%.0f\" "
                           "y=\"%.0f\" font-size=\"11\">%s</text>\n",
                           left, height - 14, left + 14, height - 5, a_name);
    if (b != NULL)
        g_string_append_printf(out,
                               "<rect x=\"%.0f\" y=\"%.0f\" width=\"10\" "
                               "height=\"10\" fill=\"#9bbf4a\"/><text "
                               "x=\"%.0f\" y=\"%.0f\" font-size=\"11\">%s"
                               "</text>\n",
                               left + 120, height - 14, left + 134,
                               height - 5, b_name);
    g_string_append(out, "</svg>\n<figcaption>");
    esc(out, title);
    g_string_append(out, "</figcaption>\n</figure>\n");
}

/* Horizontal bars of SLA attainment, one per group with a deadline. */
static void
sla_chart(GString *out, const char *title, const GPtrArray *groups)
{
    guint rows = 0, row = 0;

    for (guint i = 0; i < groups->len; i++)
        if (((const ReportGroup *)g_ptr_array_index(groups, i))->fig.sla_due >
            0)
            rows++;
    g_string_append_printf(out,
                           "<figure>\n<svg xmlns=\"http://www.w3.org/2000/"
                           "svg\" class=\"chart\" role=\"img\" viewBox=\"0 0"
                           " 640 %u\" width=\"640\" height=\"%u\"><title>",
                           rows * 22 + 10, rows * 22 + 10);
    esc(out, title);
    g_string_append(out, "</title>\n");
    for (guint i = 0; i < groups->len; i++) {
        const ReportGroup *g = g_ptr_array_index(groups, i);
        double v = 0;
        g_autofree char *key = NULL;

        if (!report_sla_percent(&g->fig, &v))
            continue;
        key = g_utf8_strlen(g->key, -1) > 22 ? g_utf8_substring(g->key, 0, 22)
                                              : g_strdup(g->key);
        g_string_append_printf(out,
                               "<text x=\"150\" y=\"%u\" font-size=\"11\" "
                               "text-anchor=\"end\">",
                               row * 22 + 19);
        esc(out, key);
        g_string_append_printf(
            out,
            "</text>\n<rect x=\"156\" y=\"%u\" width=\"400\" height=\"14\" "
            "fill=\"#e6e6e6\"/>\n<rect x=\"156\" y=\"%u\" width=\"%.1f\" "
            "height=\"14\" fill=\"%s\"/>\n<text x=\"562\" y=\"%u\" "
            "font-size=\"11\">%.1f%% of %" G_GINT64_FORMAT "</text>\n",
            row * 22 + 8, row * 22 + 8, 4.0 * v,
            v >= 90 ? "#3c7a3c" : v >= 70 ? "#c98a1b" : "#b22", row * 22 + 19,
            v, g->fig.sla_due);
        row++;
    }
    if (rows == 0)
        g_string_append(out, "<text x=\"10\" y=\"10\" font-size=\"11\">no "
                             "deadlines</text>\n");
    g_string_append(out, "</svg>\n<figcaption>");
    esc(out, title);
    g_string_append(out, "</figcaption>\n</figure>\n");
}

static const char *const style =
    "body{font-family:Helvetica,Arial,sans-serif;color:#222;max-width:"
    "680px;margin:1em auto;padding:0 8px}"
    "h1{font-size:1.4em}h2{font-size:1.1em;border-bottom:1px solid #999;"
    "margin-top:1.5em}"
    "table{border-collapse:collapse;font-size:.9em}"
    "th,td{padding:2px 8px;text-align:left;border-bottom:1px solid #ddd}"
    "td.n{text-align:right}"
    "figure{margin:1em 0;page-break-inside:avoid}"
    "figcaption{font-size:.8em;color:#555}"
    "svg.chart{max-width:100%;height:auto}"
    "@media print{body{max-width:none}h2{page-break-after:avoid}}";

char *
report_html(const Report *r)
{
    GString *out = g_string_new(NULL);
    const ReportFigures *f = &r->all;
    g_autofree char *since = util_time_iso(r->opt.since);
    g_autofree char *until = util_time_iso(r->opt.until);
    g_autoptr(GPtrArray) day_labels = g_ptr_array_new_with_free_func(g_free);
    static const char *const frt_labels[REPORT_FRT_BUCKETS] = {
        "<1h", "1-4h", "4-8h", "8-24h", "24-48h", "48h+",
    };
    static const char *const age_labels[REPORT_AGE_BUCKETS] = {
        "<1d", "1-3d", "3-7d", "7-30d", "30d+",
    };
    static const gint64 frt_limits[REPORT_FRT_BUCKETS - 1] = {
        3600, 4 * 3600, 8 * 3600, 24 * 3600, 48 * 3600,
    };
    gint64 line_at = REPORT_FRT_BUCKETS - 1;
    g_autofree char *promise = report_duration_text(r->opt.first_response);
    g_autofree char *line_name = g_strdup_printf("SLA %s", promise);

    for (gint64 d = 0; d < r->days; d++) {
        g_autoptr(GDateTime) dt = g_date_time_new_from_unix_utc(
            r->opt.since - r->opt.since % DAY + d * DAY);

        g_ptr_array_add(day_labels, g_date_time_format(dt, "%m-%d"));
    }
    /* The SLA line sits at the bucket boundary nearest the promise. */
    for (int i = 0; i < REPORT_FRT_BUCKETS - 1; i++)
        if (r->opt.first_response <= frt_limits[i]) {
            line_at = i + 1;
            break;
        }

    g_string_append(out, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n"
                         "<meta charset=\"utf-8\">\n"
                         "<meta name=\"viewport\" content=\"width=device-"
                         "width\">\n<title>mailtriage report</title>\n"
                         "<style>");
    g_string_append(out, style);
    g_string_append(out, "</style>\n</head>\n<body>\n<h1>Support desk "
                         "report</h1>\n<p>");
    esc(out, since);
    g_string_append(out, " to ");
    esc(out, until);
    g_string_append(out, "</p>\n<h2>Figures</h2>\n");
    figures_table(out, f);

    g_string_append(out, "<h2>Tickets per day</h2>\n");
    bar_chart(out, "Tickets opened and resolved per day",
              (const char *const *)day_labels->pdata, r->day_opened,
              r->day_resolved, (guint)r->days,
              MAX(1, (guint)(r->days + 9) / 10), "opened", "resolved", -1,
              NULL);
    g_string_append(out, "<h2>First response</h2>\n");
    bar_chart(out, "First-response time distribution against the SLA",
              frt_labels, f->first_response_buckets, NULL, REPORT_FRT_BUCKETS,
              1, "tickets", NULL, line_at, line_name);
    g_string_append(out, "<h2>SLA attainment</h2>\n");
    sla_chart(out, "First-response SLA met, per category", r->by_category);
    sla_chart(out, "First-response SLA met, per agent", r->by_agent);
    g_string_append(out, "<h2>Backlog</h2>\n");
    bar_chart(out, "Backlog by age", age_labels, f->backlog_ages, NULL,
              REPORT_AGE_BUCKETS, 1, "open tickets", NULL, -1, NULL);

    if (r->groups->len > 0) {
        g_string_append(out, "<h2>By ");
        esc(out, report_by_name(r->opt.by));
        g_string_append(out, "</h2>\n<table>\n<tr><th>");
        esc(out, report_by_name(r->opt.by));
        g_string_append(out, "</th><th>opened</th><th>resolved</th>"
                             "<th>reopened</th><th>backlog</th><th>first "
                             "response</th><th>SLA first met</th>"
                             "<th>SLA next met</th><th>breaches"
                             "</th><th>CSAT</th></tr>\n");
        for (guint i = 0; i < r->groups->len; i++) {
            const ReportGroup *g = g_ptr_array_index(r->groups, i);
            g_autofree char *frt = report_duration_text(
                g->fig.first_response_median);
            double v = 0;
            bool has = report_sla_percent(&g->fig, &v);
            g_autofree char *sla = report_percent_text(has, v);
            bool has_next = report_next_percent(&g->fig, &v);
            g_autofree char *next = report_percent_text(has_next, v);
            bool has_avg = report_csat_average(&g->fig, &v);
            g_autofree char *avg = has_avg ? g_strdup_printf("%.2f", v)
                                           : g_strdup("-");

            g_string_append(out, "<tr><td>");
            esc(out, g->key);
            g_string_append_printf(
                out,
                "</td><td class=\"n\">%" G_GINT64_FORMAT "</td><td "
                "class=\"n\">%" G_GINT64_FORMAT "</td><td class=\"n\">%"
                G_GINT64_FORMAT "</td><td class=\"n\">%" G_GINT64_FORMAT
                "</td><td class=\"n\">%s</td><td class=\"n\">%s</td><td "
                "class=\"n\">%s</td><td class=\"n\">%" G_GINT64_FORMAT
                "</td><td class=\"n\">%s</td></tr>\n",
                g->fig.opened, g->fig.resolved, g->fig.reopened,
                g->fig.backlog, frt, sla, next, g->fig.breaches, avg);
        }
        g_string_append(out, "</table>\n");
    }

    g_string_append(out, "<h2>Customer satisfaction</h2>\n<table>\n"
                         "<tr><th>score</th><th>ratings</th></tr>\n");
    for (int i = 4; i >= 0; i--)
        g_string_append_printf(out,
                               "<tr><td>%d</td><td class=\"n\">%"
                               G_GINT64_FORMAT "</td></tr>\n",
                               i + 1, f->rating_scores[i]);
    g_string_append(out, "</table>\n");
    if (r->comments->len > 0) {
        g_string_append(out, "<h3>Recent comments</h3>\n<ul>\n");
        for (guint i = 0; i < r->comments->len; i++) {
            const ReportComment *c = g_ptr_array_index(r->comments, i);

            g_string_append_printf(out,
                                   "<li><b>%d/5</b> (#%" G_GINT64_FORMAT
                                   ") ",
                                   c->score, c->ticket);
            esc(out, c->comment);
            g_string_append(out, "</li>\n");
        }
        g_string_append(out, "</ul>\n");
    }
    g_string_append(out, "</body>\n</html>\n");
    return g_string_free(out, FALSE);
}
