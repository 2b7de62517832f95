/*
 * sla.c - a ticket's response clock.
 *
 * First step (issue 6 completes it): one deadline per ticket, due_at,
 * from the ticket's own SLA or the configured default; no pause credit
 * and no business hours yet.  The clock's start is not stored yet, so
 * a changed promise is measured from the ticket's last customer mail
 * (updated_at).
 */
#include "config.h"

#include "sla.h"

gint64
sla_first_response(const Config *cfg, const Ticket *ticket)
{
    return ticket->sla > 0 ? ticket->sla : cfg->sla_first_response;
}

gint64
sla_next_response(const Config *cfg, const Ticket *ticket)
{
    return ticket->sla > 0 ? ticket->sla : cfg->sla_next_response;
}

void
sla_ticket_opened(const Config *cfg, Ticket *ticket, gint64 at)
{
    ticket->due_at = at + sla_first_response(cfg, ticket);
}

void
sla_promise_changed(const Config *cfg, Ticket *ticket)
{
    if (ticket->due_at == MESSAGE_NO_TIME)
        return;
    if (ticket->first_response_at == MESSAGE_NO_TIME)
        ticket->due_at = ticket->created_at + sla_first_response(cfg, ticket);
    else
        ticket->due_at = ticket->updated_at + sla_next_response(cfg, ticket);
}

void
sla_customer_wrote(const Config *cfg, Ticket *ticket, gint64 at)
{
    if (ticket->due_at != MESSAGE_NO_TIME)
        return;
    ticket->due_at = at + (ticket->first_response_at != MESSAGE_NO_TIME
                               ? sla_next_response(cfg, ticket)
                               : sla_first_response(cfg, ticket));
}

void
sla_agent_answered(const Config *cfg, Ticket *ticket, gint64 at)
{
    (void)cfg;
    if (ticket->first_response_at == MESSAGE_NO_TIME)
        ticket->first_response_at = at;
    ticket->due_at = MESSAGE_NO_TIME;
}

void
sla_status_changed(const Config *cfg, Ticket *ticket, TicketStatus status,
                   gint64 at)
{
    (void)cfg;
    (void)at;
    /* Nobody owes an answer on a ticket that waits on its customer or
     * is done.  (Pending should pause and credit; issue 6.) */
    if (status == TICKET_STATUS_PENDING || status == TICKET_STATUS_RESOLVED ||
        status == TICKET_STATUS_CLOSED || status == TICKET_STATUS_SPAM)
        ticket->due_at = MESSAGE_NO_TIME;
}
