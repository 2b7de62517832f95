/*
 * sla.h - a ticket's response clock (DESIGN 8): when it starts, stops
 * and pauses, and what the desk promises.
 *
 * Every stage that changes who owes whom an answer goes through these
 * functions, never through due_at directly: the ingest pipeline (a
 * customer wrote, an agent answered), the rules (a priority or `set
 * sla` changed the promise), agent commands and `ticket set` (pending,
 * resolved).  They are pure: they change the Ticket in memory and the
 * caller stores it.  The reminder pass reads the deadlines they set.
 */
#ifndef MT_SLA_H
#define MT_SLA_H

#include <glib.h>

#include "conf.h"
#include "ticket.h"

/* Seconds the desk promises for the ticket's first answer: the
 * ticket's own SLA (rule or source), else the configured default. */
gint64 sla_first_response(const Config *cfg, const Ticket *ticket);

/* Seconds promised for the next answer after a customer's new mail. */
gint64 sla_next_response(const Config *cfg, const Ticket *ticket);

/* A new ticket opened at `at` by mail a person wrote: the
 * first-response clock starts. */
void sla_ticket_opened(const Config *cfg, Ticket *ticket, gint64 at);

/* The ticket's promise changed (priority, SLA): the running clock is
 * measured again from its start. */
void sla_promise_changed(const Config *cfg, Ticket *ticket);

/* A customer wrote at `at`: a paused or stopped clock starts the
 * next-response deadline; a running one keeps its deadline. */
void sla_customer_wrote(const Config *cfg, Ticket *ticket, gint64 at);

/* An agent answered the customer at `at`: the first response is
 * recorded and the clock stops. */
void sla_agent_answered(const Config *cfg, Ticket *ticket, gint64 at);

/* The ticket's status was set to `status` at `at` (pending pauses,
 * resolved, closed and spam stop the clock). */
void sla_status_changed(const Config *cfg, Ticket *ticket,
                        TicketStatus status, gint64 at);

#endif
