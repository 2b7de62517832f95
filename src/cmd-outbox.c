/*
 * cmd-outbox.c - `mailtriage send` (deliver the outbox), `mailtriage
 * outbox list [--json]`, and the send stage that `run` ends with.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "json.h"
#include "log.h"
#include "outbox.h"
#include "transport.h"

static const char *const state_names[] = {
    [OUTBOX_STATE_QUEUED] = "queued",
    [OUTBOX_STATE_SENT] = "sent",
    [OUTBOX_STATE_FAILED] = "failed",
};

Status
cmd_open_outbox(Ctx *ctx, Outbox **outbox_out, GError **error)
{
    return outbox_new(ctx->cfg, ctx->store, outbox_out, error);
}

Status
cmd_send_stage(Ctx *ctx, OutboxSendCounts *counts_out, GError **error)
{
    const Config *cfg = ctx->cfg;
    const TransportConfig tcfg = {
        .url = cfg->transport_url,
        .user = cfg->transport_user,
        .password_file = cfg->transport_password_file,
        .ca_file = cfg->transport_ca_file,
        .starttls = cfg->transport_starttls,
    };
    g_autoptr(Outbox) outbox = NULL;
    g_autoptr(Transport) transport = NULL;
    Status st;

    memset(counts_out, 0, sizeof(*counts_out));
    if ((st = cmd_open_outbox(ctx, &outbox, error)) != ST_OK ||
        (st = transport_open(&tcfg, &transport, error)) != ST_OK)
        return st;
    return outbox_send(outbox, transport, ctx_now(ctx), ctx->is_dry_run,
                       counts_out, error);
}

Status
cmd_send(Ctx *ctx, int argc, char **argv, GError **error)
{
    bool help_shown = false;
    OutboxSendCounts counts = { 0 };
    Status st;

    if ((st = cmd_parse_options(&argc, &argv, "",
                                "Deliver the queued mail through the "
                                "configured [transport].  Temporary\n"
                                "failures stay queued and are retried with "
                                "backoff; permanent ones are kept\nas "
                                "failed (see 'mailtriage outbox list').",
                                NULL, &help_shown, error)) != ST_OK ||
        help_shown)
        return st;
    if (argc != 1)
        return status_set(error, ST_USAGE, "usage: mailtriage send");
    st = cmd_send_stage(ctx, &counts, error);
    log_summary("send%s: sent=%u deferred=%u failed=%u",
                ctx->is_dry_run ? " (dry run: nothing sent)" : "",
                counts.sent, counts.deferred, counts.failed);
    return st;
}

static Status
outbox_list(Ctx *ctx, int argc, char **argv, GError **error)
{
    gboolean as_json = FALSE;
    const GOptionEntry entries[] = {
        { "json", 0, 0, G_OPTION_ARG_NONE, &as_json, "JSON output", NULL },
        { NULL },
    };
    g_autoptr(GPtrArray) rows = NULL;
    bool help_shown = false;
    Status st;

    if ((st = cmd_parse_options(&argc, &argv, "",
                                "List the outbox: queued, sent and failed "
                                "mail.",
                                entries, &help_shown, error)) != ST_OK ||
        help_shown)
        return st;
    if ((st = store_outbox_list(ctx->store, false, 0, &rows, error)) !=
        ST_OK)
        return st;
    if (as_json) {
        g_autoptr(JsonWriter) w = json_writer_new(true);
        g_autofree char *text = NULL;

        json_begin_array(w);
        for (guint i = 0; i < rows->len; i++) {
            const OutboxRow *r = g_ptr_array_index(rows, i);

            json_begin_object(w);
            json_kv_int(w, "id", r->id);
            json_key(w, "ticket_id");
            if (r->ticket_id != 0)
                json_int(w, r->ticket_id);
            else
                json_null(w);
            json_kv_string(w, "kind", r->kind);
            json_kv_string(w, "to", r->recipient);
            json_kv_string(w, "subject", r->subject);
            json_kv_string(w, "message_id", r->message_id);
            json_kv_string(w, "state", state_names[r->state]);
            json_kv_int(w, "attempts", r->attempts);
            json_kv_string(w, "last_error", r->last_error);
            json_kv_time(w, "created_at", r->created_at);
            json_kv_time(w, "next_attempt_at",
                         r->state == OUTBOX_STATE_QUEUED
                             ? r->next_attempt_at
                             : MESSAGE_NO_TIME);
            json_kv_time(w, "sent_at", r->sent_at);
            json_end_object(w);
        }
        json_end_array(w);
        text = json_writer_finish(g_steal_pointer(&w));
        cmd_print(text);
        return ST_OK;
    }
    printf("%-6s %-7s %-18s %-7s %-3s %-30s %s\n", "ID", "TICKET", "KIND",
           "STATE", "TRY", "TO", "SUBJECT / LAST ERROR");
    for (guint i = 0; i < rows->len; i++) {
        const OutboxRow *r = g_ptr_array_index(rows, i);

        printf("%-6" G_GINT64_FORMAT " %-7" G_GINT64_FORMAT
               " %-18s %-7s %-3d %-30.30s %s\n",
               r->id, r->ticket_id, r->kind, state_names[r->state],
               r->attempts, r->recipient,
               r->last_error != NULL ? r->last_error : r->subject);
    }
    return ST_OK;
}

Status
cmd_outbox(Ctx *ctx, int argc, char **argv, GError **error)
{
    bool is_help;
    Status st;

    if (argc < 2 || strcmp(argv[1], "--help") == 0) {
        printf("usage: mailtriage outbox list [--json]\n");
        return argc < 2 ? ST_USAGE : ST_OK;
    }
    if (strcmp(argv[1], "list") != 0)
        return status_set(error, ST_USAGE,
                          "outbox: unknown verb '%s' (list)", argv[1]);
    is_help = argc > 2 && (strcmp(argv[2], "--help") == 0 ||
                           strcmp(argv[2], "-h") == 0);
    if (!is_help &&
        (st = ctx_open_store(ctx, STORE_READ_ONLY, error)) != ST_OK)
        return st;
    return outbox_list(ctx, argc - 1, argv + 1, error);
}
