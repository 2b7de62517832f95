/*
 * triage.h - the rules' decisions applied to a stored ticket: category,
 * priority, status, SLA, custom fields and assignment, each explained
 * by an event in the ticket's history.
 *
 * rules.c decides from the message alone; this module turns the
 * decision into ticket changes inside the caller's transaction, through
 * the modules that own each part: sla.h for the clock, assign.h for
 * who gets the ticket.  Nothing here prints.
 */
#ifndef MT_TRIAGE_H
#define MT_TRIAGE_H

#include <glib.h>
#include <stdbool.h>

#include "conf.h"
#include "message.h"
#include "rules.h"
#include "status.h"
#include "store.h"

/* Run rules over msg, which was just filed on ticket ticket_id (a new
 * ticket, or a follow-up when is_followup: then only `on followup`
 * rules run), and apply what they decided at time `at`.  The caller
 * frees *result_out, which says among others whether the rules asked
 * for no acknowledgment (is_noack).  Store errors only. */
Status triage_apply(const Config *cfg, Store *store, const RuleSet *rules,
                    const Message *msg, const char *source,
                    gint64 ticket_id, bool is_followup, gint64 at,
                    RulesResult **result_out, GError **error);

/* The same with the rules already evaluated (rules_evaluate() on the
 * message, possibly on another thread): res is taken over, and handed
 * back in *result_out. */
Status triage_apply_result(const Config *cfg, Store *store,
                           RulesResult *res, gint64 ticket_id, gint64 at,
                           RulesResult **result_out, GError **error);

#endif
