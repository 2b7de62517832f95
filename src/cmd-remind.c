/*
 * cmd-remind.c - `mailtriage remind`, the reminder pass alone, and the
 * pass as a stage of `mailtriage run`.
 *
 * The pass itself is remind.c's; this file opens the outbox for it,
 * reports its counts, and keeps the run's one summary line.
 */
#include "config.h"

#include "commands.h"
#include "log.h"
#include "outbox.h"
#include "remind.h"

Status
cmd_remind_pass(Ctx *ctx, RemindCounts *counts_out, GError **error)
{
    g_autoptr(Outbox) outbox = NULL;
    Status st = outbox_new(ctx->cfg, ctx->store, &outbox, error);

    if (st != ST_OK)
        return st;
    return remind_pass(ctx->cfg, ctx->store, outbox, ctx_now(ctx),
                       ctx->is_dry_run, counts_out, error);
}

Status
cmd_remind(Ctx *ctx, int argc, char **argv, GError **error)
{
    bool help_shown = false;
    RemindCounts counts = { 0 };
    Status st;

    if ((st = cmd_parse_options(&argc, &argv, "",
                                "Run the reminder pass alone: warn about "
                                "tickets whose response deadline\nis near "
                                "(raising their priority) and escalate "
                                "those past it.",
                                NULL, &help_shown, error)) != ST_OK ||
        help_shown)
        return st;
    if (argc != 1)
        return status_set(error, ST_USAGE, "usage: mailtriage remind");
    st = cmd_remind_pass(ctx, &counts, error);
    log_summary("remind%s: warnings=%u breaches=%u notifications=%u%s",
                ctx->is_dry_run ? " (dry run: nothing committed)" : "",
                counts.warnings, counts.breaches, counts.notified,
                counts.is_deferred ? " (outside business hours: deferred)"
                                   : "");
    return st;
}
