/*
 * cmd-misc.c - version, run, and the option and output helpers every
 * command shares.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "commands.h"
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

/* The whole timer job.  For now: every configured source; the SLA pass
 * and the outbox join it in their issues. */
Status
cmd_run(Ctx *ctx, int argc, char **argv, GError **error)
{
    bool help_shown = false;
    g_autoptr(Processor) proc = NULL;
    guint failed = 0;
    Status st;

    if ((st = cmd_parse_options(&argc, &argv, "",
                                "Fetch every configured [source] and "
                                "process the new mail.",
                                NULL, &help_shown, error)) != ST_OK ||
        help_shown)
        return st;
    proc = processor_new(ctx->cfg, ctx->store, ctx_now(ctx));
    st = cmd_fetch_sources(ctx, proc, &failed, error);
    cmd_log_summary("run", proc, failed, ctx->is_dry_run);
    if (st != ST_OK)
        return st;
    return ST_OK;
}
