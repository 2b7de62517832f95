/*
 * cmd-misc.c - version, run, and the option and output helpers every
 * command shares.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "log.h"
#include "outbox.h"
#include "process.h"

Status
cmd_parse_options(int *argc, char ***argv, const char *usage,
                  const char *summary, const GOptionEntry *entries,
                  bool *help_shown_out, GError **error)
{
    g_autofree char *param = g_strdup_printf("%s %s", (*argv)[0], usage);
    g_autoptr(GOptionContext) oc = g_option_context_new(param);
    g_autoptr(GError) local = NULL;

    *help_shown_out = false;
    g_option_context_set_help_enabled(oc, FALSE);
    g_option_context_set_summary(oc, summary);
    if (entries != NULL)
        g_option_context_add_main_entries(oc, entries, NULL);
    for (int i = 1; i < *argc; i++)
        if (strcmp((*argv)[i], "--help") == 0 ||
            strcmp((*argv)[i], "-h") == 0) {
            g_autofree char *help = g_option_context_get_help(oc, TRUE,
                                                              NULL);

            fputs(help, stdout);
            *help_shown_out = true;
            return ST_OK;
        }
    if (!g_option_context_parse(oc, argc, argv, &local))
        return status_set(error, ST_USAGE, "%s: %s", (*argv)[0],
                          local->message);
    return ST_OK;
}

void
cmd_print(const char *text)
{
    fputs(text, stdout);
}

Status
cmd_version(Ctx *ctx, int argc, char **argv, GError **error)
{
    printf("mailtriage %s\n", PACKAGE_VERSION);
    return ST_OK;
}

/* The whole timer job: every configured source, then the reminder
 * pass, then (issue 5) delivery of the outbox; one summary line. */
Status
cmd_run(Ctx *ctx, int argc, char **argv, GError **error)
{
    bool help_shown = false;
    g_autoptr(Outbox) outbox = NULL;
    g_autoptr(Processor) proc = NULL;
    g_autoptr(RuleSet) rules = NULL;
    guint failed = 0;
    RemindCounts reminded = { 0 };
    g_autoptr(GError) fetch_error = NULL;
    g_autoptr(GError) remind_error = NULL;
    OutboxSendCounts sent = { 0 };
    g_autoptr(GError) send_error = NULL;
    const ProcessCounts *c;
    Status st, worst = ST_OK;

    if ((st = cmd_parse_options(&argc, &argv, "",
                                "Fetch every configured [source], process "
                                "the new mail, and run the\nreminder pass "
                                "(deadline warnings and breaches).",
                                NULL, &help_shown, error)) != ST_OK ||
        help_shown)
        return st;
    if (ctx->cfg->sources->len == 0)
        return status_set(error, ST_CONFIG,
                          "run: no [source NAME] configured (%s); to "
                          "process a Maildir once, use 'mailtriage ingest "
                          "DIR'",
                          ctx->cfg->path != NULL ? ctx->cfg->path
                                                 : "built-in defaults");
    if ((st = cmd_open_processor(ctx, &rules, &outbox, &proc, error)) !=
        ST_OK)
        return st;
    /* One broken source must not stop the others, nor hold back the
     * deadlines of the tickets already in the store, nor the mail
     * already queued. */
    if ((st = cmd_fetch_sources(ctx, proc, &failed, &fetch_error)) !=
        ST_OK) {
        g_warning("%s", fetch_error->message);
        worst = st;
    }
    if ((st = cmd_remind_pass(ctx, &reminded, &remind_error)) != ST_OK) {
        g_warning("%s", remind_error->message);
        if (worst == ST_OK)
            worst = st;
    }
    if ((st = cmd_send_stage(ctx, &sent, &send_error)) != ST_OK) {
        g_warning("%s", send_error->message);
        if (worst == ST_OK)
            worst = st;
    }
    c = processor_counts(proc);
    log_summary("run%s: fetched=%u new_tickets=%u followups=%u "
                "duplicates=%u automatic=%u failed=%u acks=%u warnings=%u "
                "breaches=%u%s sent=%u send_deferred=%u send_failures=%u",
                ctx->is_dry_run ? " (dry run: nothing committed)" : "",
                c->taken, c->new_tickets, c->followups, c->duplicates,
                c->automatic, failed, c->acks, reminded.warnings,
                reminded.breaches,
                reminded.is_deferred ? " reminders=deferred" : "",
                sent.sent, sent.deferred, sent.failed);
    /* The exit status is the first failure's, so cron and systemd see
     * 69 or 77 rather than a success. */
    if (fetch_error != NULL)
        return status_set(error, worst, "run: %s", fetch_error->message);
    if (remind_error != NULL)
        return status_set(error, worst, "run: %s", remind_error->message);
    if (send_error != NULL)
        return status_set(error, worst, "run: %s", send_error->message);
    return ST_OK;
}
