/*
 * assign.h - who gets a ticket (DESIGN 6): agents and teams from the
 * configuration, the team strategies round-robin and
 * least-open-tickets, away agents skipped, the team's queue when no
 * agent is free.
 *
 * assign_ticket() is the one place an assignment happens: it sets the
 * ticket's assignee and team and writes the event; whatever else an
 * assignment must do (notifying the agent) belongs inside it.  The
 * round-robin position lives in the store (store_meta_*), so that the
 * rotation stays fair across runs.
 */
#ifndef MT_ASSIGN_H
#define MT_ASSIGN_H

#include <glib.h>

#include "conf.h"
#include "status.h"
#include "store.h"
#include "ticket.h"

/* The agent team's strategy would pick now, without changing anything:
 * *agent_out is NULL when no agent of team is available (none, or all
 * away).  *how_out says how ("round-robin", "least-open: 2 open").
 * store may be NULL (`rules test` without a store): round-robin then
 * starts at the first agent and least-open counts nothing.  The caller
 * frees both strings. */
Status assign_pick(const Config *cfg, Store *store, const char *team,
                   char **agent_out, char **how_out, GError **error);

/* Assign ticket: to agent when it is not NULL (team, when not NULL,
 * becomes the ticket's team), else to an agent of team by its
 * strategy, else to team's queue.  Sets ticket->assignee and ->team in
 * memory (the caller stores the ticket), advances the round-robin
 * position and writes an "assigned" or "queued" event saying why (e.g.
 * "rule 'refunds'").  Store errors only. */
Status assign_ticket(const Config *cfg, Store *store, Ticket *ticket,
                     const char *team, const char *agent, const char *why,
                     gint64 at, GError **error);

#endif
