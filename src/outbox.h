/*
 * outbox.h - automatic mail on its way out (DESIGN 7).
 *
 * Every mail mailtriage sends itself (acknowledgment, agent
 * notification, relayed answer, status mail, escalation, error reply,
 * report) is rendered from its template and queued here, in the same
 * transaction as the change that caused it; `mailtriage send` (and
 * `run`) delivers the queue later through the configured transport.
 * Queueing therefore never touches the network, and a run killed
 * between the change and the delivery loses nothing.
 *
 * The caller decides whether a mail goes out at all (loop protection is
 * classify_may_autoreply()'s job); the outbox decides what it looks
 * like: headers, threading, encoding.
 */
#ifndef MT_OUTBOX_H
#define MT_OUTBOX_H

#include <glib.h>
#include <stdbool.h>

#include "conf.h"
#include "status.h"
#include "store.h"
#include "transport.h"

/* tag-20261203-outbox-kind: outbox_kind_name() must match. */
typedef enum {
    OUTBOX_ACK = 0,
    OUTBOX_AGENT_NOTIFY,
    OUTBOX_RELAY,
    OUTBOX_STATUS,
    OUTBOX_ESCALATION_WARNING,
    OUTBOX_ESCALATION_BREACH,
    OUTBOX_ERROR_REPLY,
    OUTBOX_REPORT,
} OutboxKind;

/* "ack", "agent-notify", "relay", "status", "escalation-warning",
 * "escalation-breach", "error-reply", "report": the kind in
 * `outbox list --json`, and the name of its template. */
const char *outbox_kind_name(OutboxKind kind);

typedef struct Outbox Outbox;

/* Load and check the templates of cfg; a template error is ST_CONFIG
 * naming file:line, before anything is queued.  cfg and store are
 * borrowed and must outlive the Outbox. */
Status outbox_new(const Config *cfg, Store *store, Outbox **outbox_out,
                  GError **error);
void outbox_free(Outbox *outbox);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(Outbox, outbox_free)

typedef struct {
    OutboxKind kind;
    gint64 ticket_id;     /* 0: about no ticket (a report) */
    const char *to;       /* one recipient, "Name <addr>" or "addr" */
    gint64 in_reply_to;   /* message row answered (threading headers);
                             0: the ticket's latest customer message */
    const char *body;     /* text carried (relay, report); else NULL */
    GHashTable *vars;     /* extra template variables, char * -> char *;
                             may be NULL.  ticket.*, customer.*, sla.*
                             come from the ticket itself. */
    const char *html;     /* optional: a complete HTML page sent as the
                             text/html alternative of body (the report);
                             NULL for plain text only */
} OutboxRequest;

/* Render req and queue it inside the caller's transaction, at now;
 * *row_out (may be NULL) receives the outbox row. */
Status outbox_queue(Outbox *outbox, const OutboxRequest *req, gint64 now,
                    gint64 *row_out, GError **error);

/* How many queued mails were filed on their ticket by parsing their
 * bytes again, rather than from what rendered them (tests). */
guint outbox_reparsed(const Outbox *outbox);

/* --- Delivery ---------------------------------------------------------
 * outbox_send() hands every queued mail due at now to transport and
 * records each outcome in a transaction of its own: sent; failed for
 * good (5xx, or retried for 5 days); or left queued with attempts and
 * next_attempt_at set by backoff (4xx).  A server that is down or
 * refuses the login stops the pass with that status (ST_UNAVAILABLE,
 * ST_NOPERM), leaving the rest queued.  A dry run counts and changes
 * nothing.  Sent and failed mail leave a ticket event. */
typedef struct OutboxSendCounts {
    guint sent;
    guint deferred;
    guint failed;
} OutboxSendCounts;

Status outbox_send(Outbox *outbox, Transport *transport, gint64 now,
                   bool is_dry_run, OutboxSendCounts *counts,
                   GError **error);

/* --- Our own Message-IDs ----------------------------------------------
 * <mt.TICKET.KIND.RANDOM@domain>. */

/* True when message_id (without <>) has our shape; *ticket_out gets
 * its ticket number (0 for mail about no ticket). */
bool outbox_message_id_ticket(const char *message_id, gint64 *ticket_out);

/* The first Message-ID of ours anywhere in raw (a bounce carries the
 * returned message's headers), without <>; NULL when none.  The caller
 * frees it. */
char *outbox_find_own_message_id(GBytes *raw);

/* A bounce came back for outbox row: mark it failed with why. */
Status outbox_bounced(Store *store, gint64 row, const char *why,
                      GError **error);

/* "24 hours", "90 minutes", "3 days".  The caller frees it. */
char *outbox_format_duration(gint64 secs);

#endif
