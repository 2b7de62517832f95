/*
 * cmd-fetch.c - `mailtriage fetch`: every configured [source NAME]
 * (IMAP, Maildir, mbox) taken through the pipeline, the first stage of
 * `run`, which calls cmd_fetch_sources() too.
 *
 * It owns only the loop over sources and its exit status: one broken
 * source (server down, login refused) is reported and the others still
 * run; the status is that of the first failure, so cron and systemd
 * see 69 or 77 rather than a success.
 */
#include "config.h"

#include "commands.h"
#include "outbox.h"
#include "process.h"
#include "rules.h"

Status
cmd_fetch_sources(Ctx *ctx, Processor *proc, guint *failed_out,
                  GError **error)
{
    guint sources_failed = 0;
    Status worst = ST_OK;
    g_autofree char *first = NULL;

    if (ctx->cfg->sources->len == 0)
        return status_set(error, ST_CONFIG,
                          "fetch: no [source NAME] configured (%s); to "
                          "process a Maildir once, use 'mailtriage ingest "
                          "DIR'",
                          ctx->cfg->path != NULL ? ctx->cfg->path
                                                 : "built-in defaults");
    for (guint i = 0; i < ctx->cfg->sources->len; i++) {
        const SourceConf *sc = g_ptr_array_index(ctx->cfg->sources, i);
        g_autoptr(GError) local = NULL;
        Status st = cmd_ingest_source_conf(ctx, proc, sc, failed_out,
                                           &local);

        if (st == ST_OK)
            continue;
        sources_failed++;
        if (worst == ST_OK) {
            worst = st;
            first = g_strdup_printf("[source %s] %s", sc->name,
                                    local->message);
        } else {
            g_warning("[source %s] %s", sc->name, local->message);
        }
    }
    if (worst == ST_OK)
        return ST_OK;
    if (ctx->cfg->sources->len == 1)
        return status_set(error, worst, "%s", first);
    return status_set(error, worst, "%s (%u of %u sources failed)", first,
                      sources_failed, ctx->cfg->sources->len);
}

Status
cmd_fetch(Ctx *ctx, int argc, char **argv, GError **error)
{
    bool help_shown = false;
    g_autoptr(Outbox) outbox = NULL;
    g_autoptr(Processor) proc = NULL;
    g_autoptr(RuleSet) rules = NULL;
    guint failed = 0;
    Status st;

    if ((st = cmd_parse_options(
             &argc, &argv, "",
             "Fetch every configured [source] (IMAP, Maildir, mbox) and "
             "process the new\nmail; nothing else of a run.  Exit 69 when "
             "a server is down, 77 when a login\nis refused.",
             NULL, &help_shown, error)) != ST_OK ||
        help_shown)
        return st;
    if ((st = cmd_open_processor(ctx, &rules, &outbox, &proc, error)) !=
        ST_OK)
        return st;
    st = cmd_fetch_sources(ctx, proc, &failed, error);
    cmd_log_summary("fetch", proc, failed, ctx->is_dry_run);
    return st;
}
