/*
 * triage.c - applying a RulesResult to a ticket.
 *
 * Every rule that matched leaves a "rule" event (its name and place,
 * the text that matched, what it set), and a pattern that gave up on
 * a limit leaves a "rule-limit" event, so that `ticket show` explains
 * why a ticket went where it went.
 */
#include "config.h"

#include "triage.h"

#include <string.h>

#include "assign.h"
#include "sla.h"

/* The last rule that chose an assignee or a team, for the event. */
static char *
assignment_reason(const RulesResult *res)
{
    for (guint i = res->hits->len; i > 0; i--) {
        const RuleHit *hit = g_ptr_array_index(res->hits, i - 1);

        if (strstr(hit->actions, "assign-") != NULL ||
            strstr(hit->actions, "team=") != NULL)
            return g_strdup_printf("rule '%s'", hit->rule);
    }
    return g_strdup("the rules");
}

static Status
apply(const Config *cfg, Store *store, RulesResult *res,
      Ticket *ticket, gint64 at, GError **error)
{
    GHashTableIter iter;
    gpointer key, value;
    bool is_promise_changed = false;
    Status st;

    if (res->category != NULL) {
        g_free(ticket->category);
        ticket->category = g_strdup(res->category);
    }
    if (res->has_priority && res->priority != ticket->priority) {
        ticket->priority = res->priority;
        is_promise_changed = true;
    }
    if (res->sla > 0 && res->sla != ticket->sla) {
        ticket->sla = res->sla;
        is_promise_changed = true;
    }
    if (is_promise_changed)
        sla_promise_changed(cfg, ticket);
    if (res->has_status && res->status != ticket->status) {
        /* As `ticket set` does it: done tickets know since when, which
         * the reopen window of threading reads. */
        bool is_done = res->status == TICKET_STATUS_RESOLVED ||
                       res->status == TICKET_STATUS_CLOSED ||
                       res->status == TICKET_STATUS_SPAM;

        ticket->resolved_at = is_done ? at : MESSAGE_NO_TIME;
        sla_status_changed(cfg, ticket, res->status, at);
        ticket->status = res->status;
    }
    g_hash_table_iter_init(&iter, res->fields);
    while (g_hash_table_iter_next(&iter, &key, &value))
        if ((st = store_ticket_set_field(store, ticket->id, key, value,
                                         error)) != ST_OK)
            return st;
    if (res->agent != NULL || res->is_team_assign) {
        g_autofree char *why = assignment_reason(res);

        if ((st = assign_ticket(cfg, store, ticket, res->team, res->agent,
                                why, at, error)) != ST_OK)
            return st;
        res->assigned_agent = g_strdup(ticket->assignee);
    } else if (res->team != NULL) {
        /* `set team` files the ticket under a team without choosing an
         * agent. */
        g_free(ticket->team);
        ticket->team = g_strdup(res->team);
    }
    return store_ticket_update(store, ticket, error);
}

Status
triage_apply(const Config *cfg, Store *store, const RuleSet *rules,
             const Message *msg, const char *source, gint64 ticket_id,
             bool is_followup, gint64 at, RulesResult **result_out,
             GError **error)
{
    const RuleInput in = {
        .msg = msg,
        .mailbox = source,
        .is_followup = is_followup,
    };

    return triage_apply_result(cfg, store, rules_evaluate(rules, &in),
                               ticket_id, at, result_out, error);
}

Status
triage_apply_result(const Config *cfg, Store *store, RulesResult *res_take,
                    gint64 ticket_id, gint64 at, RulesResult **result_out,
                    GError **error)
{
    g_autoptr(RulesResult) res = res_take;
    g_autoptr(Ticket) ticket = NULL;
    Status st;

    for (guint i = 0; i < res->notes->len; i++)
        if ((st = store_event_add(store, ticket_id, at, "rule-limit",
                                  res->notes->pdata[i], error)) != ST_OK)
            return st;
    for (guint i = 0; i < res->hits->len; i++) {
        const RuleHit *hit = g_ptr_array_index(res->hits, i);
        g_autofree char *detail = g_strdup_printf(
            "'%s' (%s) matched %s; %s", hit->rule, hit->where, hit->matched,
            *hit->actions != '\0' ? hit->actions : "no action");

        if ((st = store_event_add(store, ticket_id, at, "rule", detail,
                                  error)) != ST_OK)
            return st;
    }
    if (res->hits->len > 0) {
        if ((st = store_ticket_get(store, ticket_id, false, &ticket,
                                   error)) != ST_OK)
            return st;
        if (ticket == NULL)
            return status_set(error, ST_SOFTWARE,
                              "triage: ticket %" G_GINT64_FORMAT
                              " vanished",
                              ticket_id);
        if ((st = apply(cfg, store, res, ticket, at, error)) != ST_OK)
            return st;
    }
    *result_out = g_steal_pointer(&res);
    return ST_OK;
}
