/*
 * cmd-report.c - `mailtriage report`: the desk's figures for a period,
 * as a terminal table, CSV, JSON or an HTML page, to stdout, a file,
 * or (with --mail) into the outbox as HTML with a text alternative.
 *
 * It turns options and configuration into ReportOptions; report.c
 * computes, report-html.c draws.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "outbox.h"
#include "report.h"
#include "util.h"

/* "30d", "12h" (before now) or a date or time as util_time_parse()
 * reads it. */
static bool
parse_when(const char *text, gint64 now, gint64 *t_out)
{
    gint64 secs = 0;

    if (util_time_parse(text, t_out))
        return true;
    if (config_parse_duration(text, &secs) && secs > 0) {
        *t_out = now - secs;
        return true;
    }
    return false;
}

/* Mailbox -> channel, from the configured sources: a ticket's mailbox
 * is its source's name. */
static GHashTable *
channels_of(const Config *cfg)
{
    GHashTable *map = g_hash_table_new(g_str_hash, g_str_equal);

    for (guint i = 0; i < cfg->sources->len; i++) {
        const SourceConf *src = g_ptr_array_index(cfg->sources, i);

        if (src->channel == NULL)
            continue;
        g_hash_table_insert(map, src->name, src->channel);
        if (src->url != NULL)
            g_hash_table_insert(map, src->url, src->channel);
    }
    return map;
}

/* Queue the report for `to`: the text report is the body, the HTML page
 * its alternative.  One transaction; the outbox delivers it later. */
static Status
queue_report(Ctx *ctx, const char *to, const char *text, const char *html,
             GError **error)
{
    g_autoptr(Outbox) outbox = NULL;
    const OutboxRequest req = {
        .kind = OUTBOX_REPORT,
        .ticket_id = 0,
        .to = to,
        .body = text,
        .html = html,
    };
    Status st;

    if ((st = outbox_new(ctx->cfg, ctx->store, &outbox, error)) != ST_OK ||
        (st = store_begin(ctx->store, error)) != ST_OK)
        return st;
    if ((st = outbox_queue(outbox, &req, ctx_now(ctx), NULL, error)) !=
        ST_OK) {
        store_rollback(ctx->store);
        return st;
    }
    if (ctx->is_dry_run) {
        store_rollback(ctx->store);
        return ST_OK;
    }
    return store_commit(ctx->store, error);
}

Status
cmd_report(Ctx *ctx, int argc, char **argv, GError **error)
{
    g_autofree char *since_text = NULL;
    g_autofree char *until_text = NULL;
    g_autofree char *by_text = NULL;
    g_autofree char *format = NULL;
    g_autofree char *output = NULL;
    g_autofree char *mail_to = NULL;
    const GOptionEntry entries[] = {
        { "since", 0, 0, G_OPTION_ARG_STRING, &since_text,
          "start: 30d (before now, the default) or a date", "WHEN" },
        { "until", 0, 0, G_OPTION_ARG_STRING, &until_text,
          "end (exclusive): a date or time; default now", "WHEN" },
        { "by", 0, 0, G_OPTION_ARG_STRING, &by_text,
          "group by category, agent, team, channel or mailbox", "KEY" },
        { "format", 0, 0, G_OPTION_ARG_STRING, &format,
          "text (default), csv, json or html", "F" },
        { "output", 'o', 0, G_OPTION_ARG_FILENAME, &output,
          "write to FILE instead of stdout", "FILE" },
        { "mail", 0, 0, G_OPTION_ARG_STRING, &mail_to,
          "queue the report (HTML and text) for ADDRESS", "ADDRESS" },
        { NULL },
    };
    ReportOptions opt = { 0 };
    g_autoptr(Report) report = NULL;
    g_autoptr(GHashTable) channels = NULL;
    g_autofree char *text = NULL;
    gint64 now = ctx_now(ctx);
    bool help_shown = false;
    Status st;

    st = cmd_parse_options(&argc, &argv, "",
                           "The desk's figures: volume, response and "
                           "resolution times, SLA, escalations, "
                           "satisfaction.",
                           entries, &help_shown, error);
    if (st != ST_OK || help_shown)
        return st;
    if (argc > 1)
        return status_set(error, ST_USAGE, "report: unexpected '%s'",
                          argv[1]);
    opt.until = now;
    opt.calendar = ctx->cfg->sla_calendar;
    opt.since = now - 30 * 24 * 3600;
    if (since_text != NULL && !parse_when(since_text, now, &opt.since))
        return status_set(error, ST_USAGE,
                          "report: --since '%s' is neither a duration "
                          "(30d) nor a date (2026-03-01)",
                          since_text);
    if (until_text != NULL && !parse_when(until_text, now, &opt.until))
        return status_set(error, ST_USAGE,
                          "report: --until '%s' is neither a duration nor a "
                          "date",
                          until_text);
    if (by_text != NULL && !report_by_from_name(by_text, &opt.by))
        return status_set(error, ST_USAGE,
                          "report: --by '%s' is not one of category, agent, "
                          "team, channel, mailbox",
                          by_text);
    if (format != NULL && strcmp(format, "text") != 0 &&
        strcmp(format, "csv") != 0 && strcmp(format, "json") != 0 &&
        strcmp(format, "html") != 0)
        return status_set(error, ST_USAGE,
                          "report: --format '%s' is not one of text, csv, "
                          "json, html",
                          format);
    if (mail_to != NULL && (strchr(mail_to, '@') == NULL ||
                            strpbrk(mail_to, "\r\n") != NULL))
        return status_set(error, ST_USAGE,
                          "report: --mail '%s' is not an address", mail_to);
    channels = channels_of(ctx->cfg);
    opt.channels = channels;
    opt.first_response = ctx->cfg->sla_first_response;

    if ((st = ctx_open_store(ctx, mail_to != NULL ? STORE_READ_WRITE
                                                  : STORE_READ_ONLY,
                             error)) != ST_OK ||
        (st = report_compute(ctx->store, &opt, &report, error)) != ST_OK)
        return st;

    if (mail_to != NULL) {
        g_autofree char *body = report_text(report);
        g_autofree char *html = report_html(report);

        if ((st = queue_report(ctx, mail_to, body, html, error)) != ST_OK)
            return st;
        if (output == NULL && format == NULL)
            return ST_OK;
    }
    if (format == NULL || strcmp(format, "text") == 0)
        text = report_text(report);
    else if (strcmp(format, "csv") == 0)
        text = report_csv(report);
    else if (strcmp(format, "json") == 0)
        text = report_json(report);
    else
        text = report_html(report);
    if (output != NULL && strcmp(output, "-") != 0)
        return util_write_file_atomic(output, text, strlen(text), error);
    cmd_print(text);
    return ST_OK;
}
