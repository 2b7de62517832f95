/*
 * sla.h - a ticket's response clock (DESIGN 8): when it starts, stops
 * and pauses, what the desk promises, and when it escalates.
 *
 * Every stage that changes who owes whom an answer goes through these
 * functions, never through due_at directly: the ingest pipeline (a
 * customer wrote, an agent answered), the rules (a priority or `set
 * sla` changed the promise), agent commands and `ticket set` (pending,
 * resolved), and the reminder pass (remind.c).  They are pure: they
 * change the Ticket in memory and the caller stores it.
 *
 *   (none) --sla_ticket_opened()--> running
 *   running --sla_agent_answered()--> stopped
 *   stopped --sla_customer_wrote()--> running (next response, level 0)
 *   running --sla_status_changed(pending)--> paused
 *   paused --sla_customer_wrote(), sla_status_changed(open)--> running
 *           (the paused time is credited: the deadline moves on by it)
 *   running, paused --sla_status_changed(resolved|closed|spam)--> stopped
 *
 * While the clock runs, due_at is clock_start + promise + paused time,
 * counted in business time when [sla] business_hours is set, and
 * escalate_at is when the next level falls due: the warning (level 1)
 * at due_at - warn_before, the breach (level 2) at due_at.
 *
 * A clock that ends (an answer; resolved, closed or spam; a new clock
 * in its place) leaves an EndedClock in ticket->ended_clocks, which the
 * store writes with the ticket: the report measures every deadline, not
 * only the running one.  Apart from the clock, sla_status_changed()
 * adds up the time the ticket waits on its customer (pending_since,
 * pending_total), which the report credits to the resolution time; so
 * every status change goes through it, before the status is set.
 */
#ifndef MT_SLA_H
#define MT_SLA_H

#include <glib.h>

#include "conf.h"
#include "ticket.h"

/* Seconds the desk promises for the ticket's first answer, the first
 * of: the ticket's own SLA (a rule's `set sla`), its mailbox's
 * ([source] sla), else the shorter of its priority's ([sla] urgent =
 * 4h ...) and its channel's ([channel NAME] sla; email: [sla]
 * first_response). */
gint64 sla_first_response(const Config *cfg, const Ticket *ticket);

/* Seconds promised for the next answer after a customer's new mail:
 * as sla_first_response() with [sla] next_response for email. */
gint64 sla_next_response(const Config *cfg, const Ticket *ticket);

/* A new ticket opened at `at` by mail a person wrote: the
 * first-response clock starts. */
void sla_ticket_opened(const Config *cfg, Ticket *ticket, gint64 at);

/* The ticket's promise changed (priority, SLA): the running clock is
 * measured again from its start.  The escalation level stays. */
void sla_promise_changed(const Config *cfg, Ticket *ticket);

/* A customer wrote at `at`: a paused clock resumes; a stopped one
 * starts the next-response deadline; a running one keeps its
 * deadline. */
void sla_customer_wrote(const Config *cfg, Ticket *ticket, gint64 at);

/* An agent answered the customer at `at`: the clock stops (recorded as
 * a first-response clock when there was no answer before) and the first
 * response is recorded. */
void sla_agent_answered(const Config *cfg, Ticket *ticket, gint64 at);

/* The ticket's status is set to `status` at `at` (pending pauses, new
 * and open resume a paused clock, resolved, closed and spam stop it);
 * pending starts the customer's wait, any other status ends it.  Call
 * it before ticket->status changes, for every change. */
void sla_status_changed(const Config *cfg, Ticket *ticket,
                        TicketStatus status, gint64 at);

/* When the warning of the running clock falls due: warn_before ahead
 * of the deadline, but never in the first half of the promise, so a
 * 15-minute chat promise is not "approaching" the moment it starts.
 * MESSAGE_NO_TIME when no clock runs. */
gint64 sla_warn_at(const Config *cfg, const Ticket *ticket);

/* The escalation level the ticket should have reached at now: 2 at or
 * after due_at, 1 at or after sla_warn_at(), else 0 (also when no
 * clock runs).  Never less than the level it has. */
int sla_level_due(const Config *cfg, const Ticket *ticket, gint64 now);

/* The reminder pass raised the ticket to level (1 or 2) at `at`:
 * records it and moves escalate_at to the next level, or clears it. */
void sla_escalated(const Config *cfg, Ticket *ticket, int level,
                   gint64 at);

#endif
