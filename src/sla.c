/*
 * sla.c - a ticket's response clock: the promise, the deadline, pause
 * credit and the escalation schedule (states in sla.h).
 *
 * It owns the clock columns of a Ticket (clock_start, paused_at,
 * paused_total, due_at, escalate_at, escalation_level, breached_at),
 * the record of each clock that ends (ended_clocks, for the report),
 * and the time the ticket waits on its customer (pending_since,
 * pending_total), and nothing else: who is notified and what is queued
 * is remind.c's.
 * Business time comes from calendar.c; with no calendar every
 * computation is plain seconds.
 */
#include "config.h"

#include "sla.h"

#include <string.h>

/* The [source] a ticket came in through.  Tickets record the source's
 * key ("maildir:/abs/dir"), the config its name and url ("maildir:dir"
 * relative to the config file, made absolute there), so either may
 * match. */
static const SourceConf *
source_of(const Config *cfg, const char *mailbox)
{
    if (mailbox == NULL)
        return NULL;
    for (guint i = 0; i < cfg->sources->len; i++) {
        const SourceConf *sc = g_ptr_array_index(cfg->sources, i);
        const char *colon = sc->url != NULL ? strchr(sc->url, ':') : NULL;

        if (g_strcmp0(sc->name, mailbox) == 0 ||
            g_strcmp0(sc->url, mailbox) == 0)
            return sc;
        if (colon != NULL &&
            strncmp(sc->url, mailbox, (gsize)(colon - sc->url + 1)) == 0) {
            g_autofree char *abs = g_canonicalize_filename(colon + 1, NULL);
            g_autofree char *mabs = g_canonicalize_filename(
                mailbox + (colon - sc->url) + 1, NULL);

            if (strcmp(abs, mabs) == 0)
                return sc;
        }
    }
    return NULL;
}

static gint64
promise(const Config *cfg, const Ticket *ticket, gint64 email_default)
{
    const SourceConf *sc;
    const char *channel = "email";
    gint64 by_channel = email_default, by_priority = 0;

    if (ticket->sla > 0)
        return ticket->sla;
    sc = source_of(cfg, ticket->mailbox);
    if (sc != NULL && sc->sla > 0)
        return sc->sla;
    if (sc != NULL && sc->channel != NULL)
        channel = sc->channel;
    for (guint i = 0; i < cfg->channels->len; i++) {
        const ChannelConf *ch = g_ptr_array_index(cfg->channels, i);

        if (strcmp(ch->name, channel) == 0)
            by_channel = ch->sla;
    }
    if ((guint)ticket->priority < G_N_ELEMENTS(cfg->sla_priority))
        by_priority = cfg->sla_priority[ticket->priority];
    /* An urgent phone call keeps its 5 minutes; an urgent mail gets
     * its 4 hours instead of 24. */
    return by_priority > 0 ? MIN(by_priority, by_channel) : by_channel;
}

gint64
sla_first_response(const Config *cfg, const Ticket *ticket)
{
    return promise(cfg, ticket, cfg->sla_first_response);
}

gint64
sla_next_response(const Config *cfg, const Ticket *ticket)
{
    return promise(cfg, ticket, cfg->sla_next_response);
}

static gint64
current_promise(const Config *cfg, const Ticket *ticket)
{
    return ticket->first_response_at == MESSAGE_NO_TIME
               ? sla_first_response(cfg, ticket)
               : sla_next_response(cfg, ticket);
}

static bool
is_running(const Ticket *ticket)
{
    return ticket->clock_start != MESSAGE_NO_TIME &&
           ticket->paused_at == MESSAGE_NO_TIME;
}

gint64
sla_warn_at(const Config *cfg, const Ticket *ticket)
{
    gint64 p, before;

    if (!is_running(ticket) || ticket->due_at == MESSAGE_NO_TIME)
        return MESSAGE_NO_TIME;
    p = current_promise(cfg, ticket);
    before = MIN(cfg->sla_warn_before, p / 2);
    return calendar_sub(cfg->sla_calendar, ticket->due_at, before);
}

/* due_at and escalate_at from the clock's start, promise and credit. */
static void
recompute(const Config *cfg, Ticket *ticket)
{
    if (!is_running(ticket)) {
        ticket->due_at = MESSAGE_NO_TIME;
        ticket->escalate_at = MESSAGE_NO_TIME;
        return;
    }
    ticket->due_at = calendar_add(cfg->sla_calendar, ticket->clock_start,
                                  current_promise(cfg, ticket) +
                                      ticket->paused_total);
    if (ticket->escalation_level <= 0)
        ticket->escalate_at = sla_warn_at(cfg, ticket);
    else if (ticket->escalation_level == 1)
        ticket->escalate_at = ticket->due_at;
    else
        ticket->escalate_at = MESSAGE_NO_TIME;
}

/* Keep a record of the clock that ends at `at`, as it stands: its kind
 * comes from first_response_at, so an answer must be recorded after
 * this.  Its deadline takes all pause credit, also a pause still going
 * on, so that a clock ended while paused is not late for the pause. */
static void
record_end(const Config *cfg, Ticket *ticket, gint64 at, ClockEnd end)
{
    EndedClock c = { 0 };

    if (ticket->clock_start == MESSAGE_NO_TIME)
        return;
    c.kind = ticket->first_response_at == MESSAGE_NO_TIME ? CLOCK_KIND_FIRST
                                                          : CLOCK_KIND_NEXT;
    c.started_at = ticket->clock_start;
    c.ended_at = MAX(at, ticket->clock_start);
    c.paused_total = ticket->paused_total;
    if (ticket->paused_at != MESSAGE_NO_TIME)
        c.paused_total += calendar_between(cfg->sla_calendar,
                                           ticket->paused_at, c.ended_at);
    c.due_at = calendar_add(cfg->sla_calendar, ticket->clock_start,
                            current_promise(cfg, ticket) + c.paused_total);
    c.end = end;
    c.level = ticket->escalation_level;
    g_array_append_val(ticket->ended_clocks, c);
}

static void
start_clock(const Config *cfg, Ticket *ticket, gint64 at)
{
    record_end(cfg, ticket, at, CLOCK_END_REPLACED);
    ticket->clock_start = at;
    ticket->paused_at = MESSAGE_NO_TIME;
    ticket->paused_total = 0;
    ticket->escalation_level = 0;
    recompute(cfg, ticket);
}

static void
stop_clock(Ticket *ticket)
{
    ticket->clock_start = MESSAGE_NO_TIME;
    ticket->paused_at = MESSAGE_NO_TIME;
    ticket->paused_total = 0;
    ticket->due_at = MESSAGE_NO_TIME;
    ticket->escalate_at = MESSAGE_NO_TIME;
}

static void
resume_clock(const Config *cfg, Ticket *ticket, gint64 at)
{
    ticket->paused_total += calendar_between(cfg->sla_calendar,
                                             ticket->paused_at, at);
    ticket->paused_at = MESSAGE_NO_TIME;
    recompute(cfg, ticket);
}

void
sla_ticket_opened(const Config *cfg, Ticket *ticket, gint64 at)
{
    start_clock(cfg, ticket, at);
}

void
sla_promise_changed(const Config *cfg, Ticket *ticket)
{
    recompute(cfg, ticket);
}

void
sla_customer_wrote(const Config *cfg, Ticket *ticket, gint64 at)
{
    if (ticket->clock_start == MESSAGE_NO_TIME)
        start_clock(cfg, ticket, at);
    else if (ticket->paused_at != MESSAGE_NO_TIME)
        resume_clock(cfg, ticket, at);
}

void
sla_agent_answered(const Config *cfg, Ticket *ticket, gint64 at)
{
    record_end(cfg, ticket, at, CLOCK_END_ANSWERED);
    if (ticket->first_response_at == MESSAGE_NO_TIME)
        ticket->first_response_at = at;
    stop_clock(ticket);
}

/* The ticket's wait on its customer, whatever its clock does: pending
 * starts it, any other status ends it and adds it up. */
static void
track_pending(const Config *cfg, Ticket *ticket, TicketStatus status,
              gint64 at)
{
    if (status == TICKET_STATUS_PENDING) {
        if (ticket->pending_since == MESSAGE_NO_TIME)
            ticket->pending_since = at;
    } else if (ticket->pending_since != MESSAGE_NO_TIME) {
        ticket->pending_total += calendar_between(cfg->sla_calendar,
                                                  ticket->pending_since, at);
        ticket->pending_since = MESSAGE_NO_TIME;
    }
}

void
sla_status_changed(const Config *cfg, Ticket *ticket, TicketStatus status,
                   gint64 at)
{
    track_pending(cfg, ticket, status, at);
    switch (status) {
    case TICKET_STATUS_PENDING:
        /* Nobody owes an answer to a ticket that waits on its
         * customer; the time it waits is credited on resume. */
        if (is_running(ticket)) {
            ticket->paused_at = at;
            recompute(cfg, ticket);
        }
        break;
    case TICKET_STATUS_NEW:
    case TICKET_STATUS_OPEN:
        if (ticket->paused_at != MESSAGE_NO_TIME)
            resume_clock(cfg, ticket, at);
        break;
    case TICKET_STATUS_RESOLVED:
    case TICKET_STATUS_CLOSED:
    case TICKET_STATUS_SPAM:
        record_end(cfg, ticket, at, CLOCK_END_DONE);
        stop_clock(ticket);
        break;
    }
}

int
sla_level_due(const Config *cfg, const Ticket *ticket, gint64 now)
{
    gint64 warn_at = sla_warn_at(cfg, ticket);
    int level = 0;

    if (warn_at == MESSAGE_NO_TIME)
        return ticket->escalation_level;
    if (now >= ticket->due_at)
        level = 2;
    else if (now >= warn_at)
        level = 1;
    return MAX(level, ticket->escalation_level);
}

void
sla_escalated(const Config *cfg, Ticket *ticket, int level, gint64 at)
{
    g_return_if_fail(level == 1 || level == 2);
    ticket->escalation_level = level;
    if (level == 2)
        ticket->breached_at = at;
    recompute(cfg, ticket);
}
