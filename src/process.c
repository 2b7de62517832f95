/*
 * process.c - the ingest pipeline for one message.
 *
 *   Message (parsed by the caller) --classify--> kind
 *       --store_message_find--> duplicate?  (Message-ID, else sha256)
 *       --thread_resolve--> new ticket | follow-up | linked new ticket
 *       --file--> message row, participants, events, source position
 *
 * Who is who (DESIGN 8a): a From that is a configured agent files the
 * message with role agent; agents.c decides whether it is verified
 * (reply token, Authentication-Results) and, when it is, runs its
 * commands, records the answer and relays it.  Everyone else is a
 * customer.  An unverified agent answer stops the clock only when the
 * customer is among its direct recipients, as a reply-all the customer
 * already has; it is never relayed and runs no command.
 */
#include "config.h"

#include "process.h"

#include <string.h>

#include "agents.h"
#include "classify.h"
#include "csat.h"
#include "outbox.h"
#include "sla.h"
#include "thread.h"
#include "triage.h"
#include "util.h"

struct Processor {
    const Config *cfg;
    Store *store;
    gint64 now;
    GPtrArray *own_addresses; /* char *, NULL-terminated */
    const RuleSet *rules;     /* NULL: no rules */
    Agents *agents;
    Outbox *outbox;           /* NULL: no acknowledgments */
    ProcessCounts counts;
};

Processor *
processor_new(const Config *cfg, Store *store, gint64 now)
{
    Processor *proc = g_new0(Processor, 1);

    proc->cfg = cfg;
    proc->store = store;
    proc->now = now;
    proc->own_addresses = g_ptr_array_new_with_free_func(g_free);
    for (char **a = cfg->support_addresses; *a != NULL; a++)
        g_ptr_array_add(proc->own_addresses, g_strdup(*a));
    if (cfg->transport_from != NULL)
        g_ptr_array_add(proc->own_addresses,
                        util_email_normalize(cfg->transport_from));
    g_ptr_array_add(proc->own_addresses, NULL);
    proc->agents = agents_new(cfg, store);
    return proc;
}

void
processor_free(Processor *proc)
{
    if (proc == NULL)
        return;
    g_ptr_array_unref(proc->own_addresses);
    agents_free(proc->agents);
    g_free(proc);
}

void
processor_set_rules(Processor *proc, const RuleSet *rules)
{
    proc->rules = rules;
}

const ProcessCounts *
processor_counts(const Processor *proc)
{
    return &proc->counts;
}

void
processor_restore_counts(Processor *proc, const ProcessCounts *counts)
{
    proc->counts = *counts;
}

void
processor_set_outbox(Processor *proc, Outbox *outbox)
{
    proc->outbox = outbox;
}

/* --- ThreadLookup over the store ------------------------------------ */

static Status
lookup_by_message_id(void *ctx, const char *message_id, gint64 *ticket_out,
                     GError **error)
{
    gint64 row = 0;

    return store_message_find(ctx, message_id, NULL, &row, ticket_out,
                              error);
}

static Status
lookup_state(void *ctx, gint64 id, bool *exists_out,
             TicketStatus *status_out, gint64 *resolved_at_out,
             GError **error)
{
    g_autoptr(Ticket) ticket = NULL;
    Status st = store_ticket_get(ctx, id, false, &ticket, error);

    if (st != ST_OK)
        return st;
    *exists_out = ticket != NULL;
    if (ticket != NULL) {
        *status_out = ticket->status;
        *resolved_at_out = ticket->resolved_at;
    }
    return ST_OK;
}

static Status
lookup_on_ticket(void *ctx, gint64 ticket, const char *email, bool *on_out,
                 GError **error)
{
    return store_participant_has(ctx, ticket, email, on_out, error);
}

static Status
lookup_thread_index(void *ctx, GBytes *root, gint64 *ticket_out,
                    GError **error)
{
    return store_ticket_by_thread_index(ctx, root, ticket_out, error);
}

static Status
lookup_subject(void *ctx, const char *from_email, const char *subject,
               gint64 since, gint64 *ticket_out, GError **error)
{
    return store_ticket_by_subject(ctx, from_email, subject, since,
                                   ticket_out, error);
}

/* --- filing --------------------------------------------------------- */

static bool
is_own_address(const Processor *proc, const char *email)
{
    /* support+1001@ and the agents' reply addresses are ours too. */
    return util_strv_contains_ci(
               (const char *const *)proc->own_addresses->pdata, email) ||
           thread_plus_tag(email, (const char *const *)
                                      proc->cfg->support_addresses) > 0;
}

/* Everyone on the message, except our own addresses, becomes a
 * participant: the sender with its role, To and Cc as customers unless
 * they are agents. */
static Status
add_participants(Processor *proc, gint64 ticket, const Message *msg,
                 Role sender_role, GError **error)
{
    GPtrArray *lists[] = { msg->to, msg->cc };
    Status st;

    /* Reply-To too: that is where our answers go, so replies come from
     * there (a web form's noreply From with the customer in Reply-To). */
    const Address *senders[] = { msg->from, msg->reply_to };

    for (guint i = 0; i < G_N_ELEMENTS(senders); i++)
        if (senders[i] != NULL && *senders[i]->email != '\0' &&
            !is_own_address(proc, senders[i]->email) &&
            (st = store_participant_add(proc->store, ticket,
                                        senders[i]->email, senders[i]->name,
                                        sender_role, error)) != ST_OK)
            return st;
    for (guint l = 0; l < G_N_ELEMENTS(lists); l++) {
        for (guint i = 0; i < lists[l]->len; i++) {
            const Address *addr = g_ptr_array_index(lists[l], i);
            Role role = config_agent_by_email(proc->cfg, addr->email) != NULL
                            ? ROLE_AGENT
                            : ROLE_CUSTOMER;

            if (*addr->email == '\0' || is_own_address(proc, addr->email))
                continue;
            if ((st = store_participant_add(proc->store, ticket, addr->email,
                                            addr->name, role, error)) !=
                ST_OK)
                return st;
        }
    }
    return ST_OK;
}

static bool
addressed_to(const Message *msg, const char *email)
{
    GPtrArray *lists[] = { msg->to, msg->cc };

    if (email == NULL)
        return false;
    for (guint l = 0; l < G_N_ELEMENTS(lists); l++)
        for (guint i = 0; i < lists[l]->len; i++) {
            const Address *addr = g_ptr_array_index(lists[l], i);

            if (g_ascii_strcasecmp(addr->email, email) == 0)
                return true;
        }
    return false;
}

static Status
open_ticket(Processor *proc, const Message *msg, const char *source,
            gint64 received_at, const ThreadDecision *decision,
            gint64 *ticket_out, GError **error)
{
    g_autoptr(Ticket) ticket = ticket_new();
    g_autofree char *detail = NULL;
    Status st;

    ticket->subject = thread_normalize_subject(msg->subject,
                                               proc->cfg->subject_tag);
    if (msg->from != NULL) {
        ticket->customer_name = g_strdup(msg->from->name);
        ticket->customer_email = g_strdup(msg->from->email);
    } else
        ticket->customer_email = g_strdup("");
    ticket->mailbox = g_strdup(source);
    ticket->created_at = received_at;
    ticket->updated_at = received_at;
    /* Nobody waits for an answer to a bounce or a newsletter: the clock
     * runs only for mail a person wrote. */
    if (msg->kind == MSG_KIND_NORMAL)
        sla_ticket_opened(proc->cfg, ticket, received_at);
    ticket->linked_ticket = decision->linked_ticket;
    if ((st = store_ticket_create(proc->store, ticket,
                                  proc->cfg->ticket_start, ticket_out,
                                  error)) != ST_OK)
        return st;
    detail = g_strdup_printf("opened by %s from %s",
                             msg->from != NULL ? msg->from->email
                                               : "(no sender)",
                             source != NULL ? source : "(unknown source)");
    if ((st = store_event_add(proc->store, *ticket_out, received_at,
                              "created", detail, error)) != ST_OK)
        return st;
    if (decision->linked_ticket != 0) {
        g_autofree char *link = g_strdup_printf(
            "refers to ticket %" G_GINT64_FORMAT ": %s",
            decision->linked_ticket, decision->reason);

        if ((st = store_event_add(proc->store, *ticket_out, received_at,
                                  "linked", link, error)) != ST_OK)
            return st;
    }
    return ST_OK;
}

/* A follow-up changes the ticket: a customer's mail reopens a resolved
 * ticket and starts the next-response clock; an agent's answer records
 * the first response and stops the clock.  Automatic mail changes
 * nothing: an out-of-office must never reopen a ticket (C12). */
/* A customer's reply to a resolved ticket that starts with a score is
 * the ticket's rating (the latest wins): an event, no status change, no
 * clock, so no reopening and nothing to acknowledge.  *is_rating_out is
 * false for anything else, which is a normal follow-up. */
static Status
record_rating(Processor *proc, Ticket *ticket, const Message *msg,
              gint64 received_at, bool *is_rating_out, GError **error)
{
    g_autofree char *comment = NULL;
    g_autofree char *detail = NULL;
    int score = 0;
    Status st;

    *is_rating_out = false;
    if ((ticket->status != TICKET_STATUS_RESOLVED &&
         ticket->status != TICKET_STATUS_CLOSED) ||
        !csat_parse(msg->reply_text, &score, &comment))
        return ST_OK;
    *is_rating_out = true;
    ticket->rating_score = score;
    g_free(ticket->rating_comment);
    ticket->rating_comment = g_steal_pointer(&comment);
    detail = g_strdup_printf("%d by %s%s%s", score,
                             msg->from != NULL ? msg->from->email
                                               : "(no sender)",
                             ticket->rating_comment != NULL ? ": " : "",
                             ticket->rating_comment != NULL
                                 ? ticket->rating_comment
                                 : "");
    if ((st = store_ticket_update(proc->store, ticket, error)) != ST_OK)
        return st;
    return store_event_add(proc->store, ticket->id, received_at, "rated",
                           detail, error);
}

static Status
update_ticket(Processor *proc, gint64 id, const Message *msg, Role role,
              gint64 received_at, GError **error)
{
    g_autoptr(Ticket) ticket = NULL;
    Status st = store_ticket_get(proc->store, id, false, &ticket, error);
    const char *event = NULL;
    g_autofree char *detail = NULL;

    if (st != ST_OK)
        return st;
    if (ticket == NULL)
        return status_set(error, ST_SOFTWARE,
                          "process: ticket %" G_GINT64_FORMAT " vanished",
                          id);
    if (msg->kind != MSG_KIND_NORMAL)
        return ST_OK;
    ticket->updated_at = received_at;
    if (role == ROLE_CUSTOMER) {
        bool is_rating = false;

        st = record_rating(proc, ticket, msg, received_at, &is_rating, error);
        if (st != ST_OK || is_rating)
            return st;
    }
    if (role == ROLE_AGENT) {
        if (!addressed_to(msg, ticket->customer_email))
            return store_ticket_update(proc->store, ticket, error);
        sla_agent_answered(proc->cfg, ticket, received_at);
        if (ticket->status == TICKET_STATUS_NEW) {
            sla_status_changed(proc->cfg, ticket, TICKET_STATUS_OPEN,
                               received_at);
            ticket->status = TICKET_STATUS_OPEN;
        }
        event = "answered";
        detail = g_strdup_printf("answered by %s (sent to the customer "
                                 "directly)", msg->from->email);
    } else {
        if (ticket->status == TICKET_STATUS_RESOLVED ||
            ticket->status == TICKET_STATUS_CLOSED ||
            ticket->status == TICKET_STATUS_PENDING) {
            event = ticket->status == TICKET_STATUS_PENDING ? "resumed"
                                                           : "reopened";
            detail = g_strdup_printf("%s by a reply from %s",
                                     event, msg->from != NULL
                                                ? msg->from->email
                                                : "(no sender)");
            sla_status_changed(proc->cfg, ticket, TICKET_STATUS_OPEN,
                               received_at);
            ticket->status = TICKET_STATUS_OPEN;
            ticket->resolved_at = MESSAGE_NO_TIME;
        }
        sla_customer_wrote(proc->cfg, ticket, received_at);
    }
    if ((st = store_ticket_update(proc->store, ticket, error)) != ST_OK)
        return st;
    if (event != NULL)
        return store_event_add(proc->store, id, received_at, event, detail,
                               error);
    return ST_OK;
}

/* --- acknowledgments (DESIGN 4) -------------------------------------- */

/* Where an acknowledgment would go: the Reply-To a web form puts the
 * customer in, else the sender.  Lent from msg; NULL when none. */
static const Address *
ack_recipient(const Processor *proc, const Message *msg)
{
    if (msg->reply_to != NULL && *msg->reply_to->email != '\0' &&
        !is_own_address(proc, msg->reply_to->email) &&
        !classify_is_noreply_address(msg->reply_to->email))
        return msg->reply_to;
    if (msg->from != NULL && *msg->from->email != '\0')
        return msg->from;
    return NULL;
}

/*
 * The one decision whether a new ticket's sender gets an
 * acknowledgment.  rules_noack is the rules' `noack`.
 * *why_out is NULL when the acknowledgment may
 * go, else why not, for the ticket's history; the caller frees it.
 */
static Status
ack_decide(Processor *proc, const Message *msg, const Address *to,
           Role role, bool rules_noack, char **why_out, GError **error)
{
    gint64 sent = 0;
    Status st;

    *why_out = NULL;
    if (!classify_may_autoreply(msg)) {
        if (msg->kind != MSG_KIND_NORMAL)
            *why_out = g_strdup_printf(
                "%s (%s)", message_kind_name(msg->kind),
                msg->kind_reason != NULL ? msg->kind_reason : "automatic");
        else if (msg->flags & MSG_FLAG_LOOP)
            *why_out = g_strdup("our own mail came back (X-Loop)");
        else if (msg->flags & MSG_FLAG_SUPPRESS_ACK)
            *why_out = g_strdup("the sender asked for none "
                                "(X-Auto-Response-Suppress)");
        else if (to == NULL || strchr(to->email, '@') == NULL)
            *why_out = g_strdup("no usable sender address");
        else
            *why_out = g_strdup_printf("%s reads no mail", to->email);
        return ST_OK;
    }
    if (to == NULL) {
        *why_out = g_strdup("no sender address");
        return ST_OK;
    }
    if (is_own_address(proc, to->email)) {
        *why_out = g_strdup_printf("%s is our own address", to->email);
        return ST_OK;
    }
    if (classify_is_noreply_address(to->email)) {
        *why_out = g_strdup_printf("%s reads no mail", to->email);
        return ST_OK;
    }
    if (role == ROLE_AGENT) {
        *why_out = g_strdup_printf("%s is an agent", to->email);
        return ST_OK;
    }
    if (rules_noack) {
        *why_out = g_strdup("a rule said noack");
        return ST_OK;
    }
    if (proc->cfg->ack_limit == 0) {
        *why_out = g_strdup("acknowledgments are off (ack_limit = 0)");
        return ST_OK;
    }
    /* Two autoresponders that both slip past classification still
     * cannot loop for long: a few acknowledgments per address and
     * window, then silence. */
    if ((st = store_outbox_count(proc->store, "ack", to->email,
                                 proc->now - proc->cfg->ack_window, &sent,
                                 error)) != ST_OK)
        return st;
    if (sent >= proc->cfg->ack_limit)
        *why_out = g_strdup_printf(
            "rate limit: %" G_GINT64_FORMAT " acknowledgments to %s "
            "already in the last %" G_GINT64_FORMAT " minutes",
            sent, to->email, proc->cfg->ack_window / 60);
    return ST_OK;
}

static Status
queue_ack(Processor *proc, const Message *msg, gint64 ticket,
          gint64 message_row, Role role, bool rules_noack,
          gint64 received_at, GError **error)
{
    const Address *to = ack_recipient(proc, msg);
    g_autofree char *why = NULL;
    g_autofree char *to_text = NULL;
    Status st;

    if (proc->outbox == NULL)
        return ST_OK;
    if ((st = ack_decide(proc, msg, to, role, rules_noack, &why, error)) !=
        ST_OK)
        return st;
    if (why != NULL) {
        g_autofree char *detail = g_strdup_printf(
            "no acknowledgment: %s", why);

        proc->counts.acks_withheld++;
        return store_event_add(proc->store, ticket, received_at,
                               "ack-withheld", detail, error);
    }
    to_text = address_format(to);
    {
        const OutboxRequest req = {
            .kind = OUTBOX_ACK,
            .ticket_id = ticket,
            .to = to_text,
            .in_reply_to = message_row,
        };

        g_autoptr(GError) local = NULL;

        st = outbox_queue(proc->outbox, &req, proc->now, NULL, &local);
        /* An address no mail can go to is the sender's problem, not
         * the message's: it is kept, with the reason. */
        if (st == ST_DATAERR) {
            g_autofree char *detail = g_strdup_printf(
                "no acknowledgment: %s", local->message);

            proc->counts.acks_withheld++;
            return store_event_add(proc->store, ticket, received_at,
                                   "ack-withheld", detail, error);
        }
        if (st != ST_OK) {
            g_propagate_error(error, g_steal_pointer(&local));
            return st;
        }
    }
    proc->counts.acks++;
    return ST_OK;
}

/* A bounce that names one of our messages joins that message's ticket
 * and marks its outbox row failed (DESIGN 4), rather than opening a
 * ticket of its own. */
static Status
bounce_of_ours(Processor *proc, const Message *msg, ThreadDecision *decision,
               GError **error)
{
    g_autofree char *mid = NULL;
    gint64 row = 0, ticket = 0;
    bool exists = false;
    TicketStatus status;
    gint64 resolved_at;
    Status st;

    if (msg->kind != MSG_KIND_BOUNCE ||
        (mid = outbox_find_own_message_id(msg->raw)) == NULL)
        return ST_OK;
    if ((st = store_outbox_find(proc->store, mid, &row, &ticket, error)) !=
        ST_OK)
        return st;
    if (row != 0) {
        g_autofree char *why = g_strdup_printf(
            "bounced: %s", msg->subject != NULL && *msg->subject != '\0'
                               ? msg->subject
                               : "delivery failed");

        if ((st = outbox_bounced(proc->store, row, why, error)) != ST_OK)
            return st;
    } else if (!outbox_message_id_ticket(mid, &ticket)) {
        return ST_OK;
    }
    if (ticket == 0 ||
        (st = lookup_state(proc->store, ticket, &exists, &status,
                           &resolved_at, error)) != ST_OK || !exists)
        return st;
    decision->ticket = ticket;
    decision->method = THREAD_BY_REFERENCES;
    decision->reason = "a bounce of our own message";
    return ST_OK;
}

static Status
notify_assigned(Processor *proc, gint64 id, const char *agent, gint64 at,
                GError **error)
{
    g_autoptr(Ticket) ticket = NULL;
    Status st = store_ticket_get(proc->store, id, false, &ticket, error);

    if (st != ST_OK || ticket == NULL)
        return st;
    return agents_notify_assigned(proc->agents, ticket, agent, at, error);
}

static Status
file_duplicate(Processor *proc, const Message *msg, const char *source,
               const char *pos, gint64 ticket, gint64 received_at,
               Outcome *out, GError **error)
{
    const MessageFiling filing = {
        .ticket_id = ticket,
        .direction = DIRECTION_IN,
        .role = ROLE_CUSTOMER,
        .kind = MSG_KIND_DUPLICATE,
        .received_at = received_at,
        .source = source,
    };
    Status st;

    out->kind = OUTCOME_DUPLICATE;
    out->ticket = ticket;
    if ((st = store_message_add(proc->store, msg, &filing,
                                &out->message_row, error)) != ST_OK)
        return st;
    return pos != NULL ? store_source_pos_add(proc->store, source, pos,
                                              out->message_row, error)
                       : ST_OK;
}

static void
classify(const Processor *proc, Message *msg)
{
    const ClassifyOptions copt = {
        .own_addresses = (const char *const *)proc->own_addresses->pdata,
    };

    classify_message(msg, &copt);
}

void
processor_prepare(const Processor *proc, Message *msg, Prepared *prep)
{
    classify(proc, msg);
    prep->is_classified = true;
}

static Status
ingest_parsed(Processor *proc, Message *msg, Prepared *prep,
              const char *source, const char *pos, gint64 received_at,
              Outcome *out, GError **error)
{
    const Config *cfg = proc->cfg;
    const ThreadLookup lookup = {
        .ctx = proc->store,
        .ticket_by_message_id = lookup_by_message_id,
        .ticket_state = lookup_state,
        .is_on_ticket = lookup_on_ticket,
        .ticket_by_thread_index = lookup_thread_index,
        .ticket_by_subject = lookup_subject,
    };
    const ThreadOptions topt = {
        .tag_prefix = cfg->subject_tag,
        .support_addresses = (const char *const *)cfg->support_addresses,
        .agent_addresses = (const char *const *)cfg->agent_addresses,
        .subject_fallback_days = cfg->subject_fallback_days,
        .reopen_window_days = cfg->reopen_window_days,
        .now = proc->now,
    };
    ThreadDecision decision = { 0 };
    /* What the rules decided for this message; rules->is_noack: send
     * no acknowledgment.  NULL when no rules ran. */
    g_autoptr(RulesResult) rules = NULL;
    gint64 row = 0, dup_ticket = 0;
    Role role = ROLE_CUSTOMER;
    bool is_verified = false;
    Status st;

    if (prep == NULL || !prep->is_classified)
        classify(proc, msg);
    out->msg_kind = msg->kind;
    out->has_problems = (msg->flags & MSG_FLAG_PARSE_PROBLEM) != 0;

    /* DESIGN 2: the same bytes again (a re-fetch after a crash) are
     * recorded at their source position and change nothing. */
    if ((st = store_message_find(proc->store, NULL, msg->sha256, &row,
                                 &dup_ticket, error)) != ST_OK)
        return st;
    if (row != 0) {
        out->kind = OUTCOME_DUPLICATE;
        out->ticket = dup_ticket;
        out->message_row = row;
        return pos != NULL ? store_source_pos_add(proc->store, source, pos,
                                                  row, error)
                           : ST_OK;
    }
    /* A known Message-ID with other bytes (a copy through the backup MX,
     * from a second monitored mailbox, a Sent-box copy) changes nothing
     * either, but its bytes are kept as a duplicate on the same ticket:
     * a colliding Message-ID must never make us drop mail. */
    if (msg->message_id != NULL &&
        (st = store_message_find(proc->store, msg->message_id, NULL, &row,
                                 &dup_ticket, error)) != ST_OK)
        return st;
    if (row != 0)
        return file_duplicate(proc, msg, source, pos, dup_ticket,
                              received_at, out, error);

    if ((st = bounce_of_ours(proc, msg, &decision, error)) != ST_OK ||
        (decision.ticket == 0 &&
         (st = thread_resolve(msg, &topt, &lookup, &decision, error)) !=
             ST_OK))
        return st;
    if (msg->from != NULL &&
        config_agent_by_email(cfg, msg->from->email) != NULL)
        role = ROLE_AGENT;
    /* DESIGN 8a: only a proven agent's mail is the desk's answer. */
    if (role == ROLE_AGENT && decision.ticket != 0 &&
        (st = agents_verify(proc->agents, msg, decision.ticket, received_at,
                            &is_verified, error)) != ST_OK)
        return st;

    if (decision.ticket == 0) {
        if ((st = open_ticket(proc, msg, source, received_at, &decision,
                              &out->ticket, error)) != ST_OK)
            return st;
        out->kind = OUTCOME_NEW_TICKET;
        /* Here, not on the parse worker: the worker is the busier
         * thread of an ingest, and here they run for new tickets only. */
        if (proc->rules != NULL &&
            (st = triage_apply(cfg, proc->store, proc->rules, msg, source,
                               out->ticket, false, received_at, &rules,
                               error)) != ST_OK)
            return st;
    } else {
        g_autofree char *detail = g_strdup_printf(
            "%s from %s, threaded by %s", message_kind_name(msg->kind),
            msg->from != NULL ? msg->from->email : "(no sender)",
            decision.reason != NULL ? decision.reason
                                    : thread_method_name(decision.method));

        out->ticket = decision.ticket;
        out->kind = OUTCOME_FOLLOWUP;
        if ((st = store_event_add(proc->store, out->ticket, received_at,
                                  "message", detail, error)) != ST_OK ||
            (!is_verified &&
             (st = update_ticket(proc, out->ticket, msg, role, received_at,
                                 error)) != ST_OK))
            return st;
        if (proc->rules != NULL &&
            (st = triage_apply(cfg, proc->store, proc->rules, msg, source,
                               out->ticket, true, received_at, &rules,
                               error)) != ST_OK)
            return st;
    }

    if (msg->kind != MSG_KIND_NORMAL) {
        g_autofree char *detail = g_strdup_printf(
            "%s: %s; no automatic answer", message_kind_name(msg->kind),
            msg->kind_reason != NULL ? msg->kind_reason : "");

        if ((st = store_event_add(proc->store, out->ticket, received_at,
                                  "classified", detail, error)) != ST_OK)
            return st;
    } else if (msg->flags & MSG_FLAG_SUPPRESS_ACK) {
        if ((st = store_event_add(proc->store, out->ticket, received_at,
                                  "classified",
                                  "sender asked for no automatic replies "
                                  "(X-Auto-Response-Suppress)",
                                  error)) != ST_OK)
            return st;
    }
    if (msg->flags & MSG_FLAG_PARSE_PROBLEM) {
        g_autoptr(GString) problems = g_string_new(NULL);

        for (guint i = 0; i < msg->problems->len; i++)
            g_string_append_printf(problems, "%s%s", i > 0 ? "; " : "",
                                   (const char *)msg->problems->pdata[i]);
        if ((st = store_event_add(proc->store, out->ticket, received_at,
                                  "parse-problem", problems->str, error)) !=
            ST_OK)
            return st;
    }

    {
        const MessageFiling filing = {
            .ticket_id = out->ticket,
            .direction = DIRECTION_IN,
            .role = role,
            .kind = msg->kind,
            .is_verified = is_verified,
            .received_at = received_at,
            .source = source,
        };

        if ((st = store_message_add(proc->store, msg, &filing,
                                    &out->message_row, error)) != ST_OK)
            return st;
    }
    if ((st = add_participants(proc, out->ticket, msg, role, error)) !=
        ST_OK)
        return st;
    if (is_verified &&
        (st = agents_handle_verified(proc->agents, msg, out->ticket,
                                     out->message_row, received_at, error)) !=
            ST_OK)
        return st;
    /* In the message's own savepoint: its acknowledgment is committed
     * with it or not at all. */
    if (out->kind == OUTCOME_NEW_TICKET &&
        (st = queue_ack(proc, msg, out->ticket, out->message_row, role,
                        rules != NULL && rules->is_noack, received_at,
                        error)) != ST_OK)
        return st;
    /* Notified only now, so that the notification carries and answers
     * the message just stored. */
    if (rules != NULL && rules->assigned_agent != NULL &&
        (st = notify_assigned(proc, out->ticket, rules->assigned_agent,
                              received_at, error)) != ST_OK)
        return st;
    if (pos != NULL)
        return store_source_pos_add(proc->store, source, pos,
                                    out->message_row, error);
    return ST_OK;
}

static void
count(Processor *proc, const Outcome *out)
{
    proc->counts.taken++;
    switch (out->kind) {
    case OUTCOME_NEW_TICKET: proc->counts.new_tickets++; break;
    case OUTCOME_FOLLOWUP: proc->counts.followups++; break;
    case OUTCOME_DUPLICATE: proc->counts.duplicates++; return;
    case OUTCOME_ALREADY_SEEN: return;
    }
    if (out->msg_kind != MSG_KIND_NORMAL)
        proc->counts.automatic++;
    if (out->has_problems)
        proc->counts.problems++;
}

Status
processor_is_seen(Processor *proc, const char *source, const char *pos,
                  bool *seen_out, GError **error)
{
    Status st = store_source_pos_seen(proc->store, source, pos, seen_out,
                                      error);

    if (st == ST_OK && *seen_out)
        proc->counts.seen_before++;
    return st;
}

Status
processor_ingest_message(Processor *proc, const char *source,
                         const char *pos, Message *msg, Prepared *prep,
                         gint64 received_at, Outcome *out, GError **error)
{
    const ProcessCounts counts_before = proc->counts;
    const bool is_in_savepoint = !store_is_all_or_nothing(proc->store);
    Status st;

    memset(out, 0, sizeof(*out));
    /* DESIGN 8: the clock starts when the mail reached our system,
     * never at the sender's Date:. */
    if (received_at == MESSAGE_NO_TIME)
        received_at = msg->received_at;
    if (received_at == MESSAGE_NO_TIME || received_at > proc->now)
        received_at = proc->now;

    if (is_in_savepoint && (st = store_savepoint(proc->store, error)) != ST_OK)
        return st;
    st = ingest_parsed(proc, msg, prep, source, pos, received_at, out,
                       error);
    if (st == ST_OK && util_failpoint("message", msg->message_id))
        st = status_set(error, ST_DATAERR,
                        "failing on purpose (MAILTRIAGE_FAILPOINT)");
    if (st != ST_OK) {
        /* Its writes are undone, here or by the caller: so are its
         * counts (an ack-withheld, say). */
        proc->counts = counts_before;
        if (is_in_savepoint)
            store_savepoint_rollback(proc->store);
        g_prefix_error(error, "message %s: ",
                       msg->message_id != NULL ? msg->message_id
                                               : msg->sha256);
        return st;
    }
    if (is_in_savepoint &&
        (st = store_savepoint_release(proc->store, error)) != ST_OK)
        return st;
    util_crashpoint("after-message");
    count(proc, out);
    return ST_OK;
}
