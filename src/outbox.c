/*
 * outbox.c - automatic mail on its way out.
 *
 * FIRST STEP ONLY (issue 5 replaces this): a queued mail is recorded as
 * a "queued" event on its ticket, so that the stages that decide to
 * send mail (SLA pass, agents) can be built and tested against the
 * interface while rendering, the outbox table and the transports are
 * written.  Nothing is rendered or delivered yet.
 */
#include "config.h"

#include "outbox.h"

struct Outbox {
    const Config *cfg;
    Store *store;
};

static const char *const kind_names[] = {
    [OUTBOX_ACK] = "ack",
    [OUTBOX_AGENT_NOTIFY] = "agent-notify",
    [OUTBOX_RELAY] = "relay",
    [OUTBOX_STATUS] = "status",
    [OUTBOX_ESCALATION_WARNING] = "escalation-warning",
    [OUTBOX_ESCALATION_BREACH] = "escalation-breach",
    [OUTBOX_ERROR_REPLY] = "error-reply",
    [OUTBOX_REPORT] = "report",
};

const char *
outbox_kind_name(OutboxKind kind)
{
    g_return_val_if_fail((guint)kind < G_N_ELEMENTS(kind_names), "?");
    return kind_names[kind];
}

Status
outbox_new(const Config *cfg, Store *store, Outbox **outbox_out,
           GError **error)
{
    (void)error;
    Outbox *outbox = g_new0(Outbox, 1);

    outbox->cfg = cfg;
    outbox->store = store;
    *outbox_out = outbox;
    return ST_OK;
}

void
outbox_free(Outbox *outbox)
{
    g_free(outbox);
}

Status
outbox_queue(Outbox *outbox, const OutboxRequest *req, gint64 now,
             gint64 *row_out, GError **error)
{
    if (row_out != NULL)
        *row_out = 0;
    if (req->ticket_id == 0)
        return ST_OK;
    g_autofree char *detail = g_strdup_printf(
        "%s to %s", outbox_kind_name(req->kind), req->to);
    return store_event_add(outbox->store, req->ticket_id, now, "queued",
                           detail, error);
}
