/*
 * remind.c - the reminder pass: who is told when a deadline nears or
 * passes, and the one transaction that records it (see remind.h).
 *
 * When a level is due is sla.c's business (sla_level_due); this file
 * only acts on it.  It never prints: the counts go back to the CLI.
 */
#include "config.h"

#include "remind.h"

#include <string.h>

#include "sla.h"
#include "util.h"

/* Tickets per transaction: big enough that a morning after a missed
 * day costs few fsyncs, small enough that a kill loses little work. */
#define BATCH_TICKETS 200

static const AgentConf *
agent_by_name(const Config *cfg, const char *name)
{
    for (guint i = 0; name != NULL && i < cfg->agents->len; i++) {
        const AgentConf *agent = g_ptr_array_index(cfg->agents, i);

        if (strcmp(agent->name, name) == 0)
            return agent;
    }
    return NULL;
}

static const TeamConf *
team_by_name(const Config *cfg, const char *name)
{
    for (guint i = 0; name != NULL && i < cfg->teams->len; i++) {
        const TeamConf *team = g_ptr_array_index(cfg->teams, i);

        if (strcmp(team->name, name) == 0)
            return team;
    }
    return NULL;
}

/* The team's escalate_to, else [sla] escalate_to, else the support
 * address, which someone always reads. */
static const char *
escalation_address(const Config *cfg, const Ticket *t)
{
    const TeamConf *team = team_by_name(cfg, t->team);

    if (team != NULL && team->escalate_to != NULL)
        return team->escalate_to;
    if (cfg->sla_escalate_to != NULL)
        return cfg->sla_escalate_to;
    return cfg->support_address;
}

/* Level 1: the assignee, else the team's agents who are not away,
 * else the escalation address.  Adds copies to to. */
static void
warning_recipients(const Config *cfg, const Ticket *t, GPtrArray *to)
{
    const AgentConf *assignee = agent_by_name(cfg, t->assignee);

    if (assignee != NULL && !assignee->is_away) {
        g_ptr_array_add(to, g_strdup(assignee->email));
        return;
    }
    for (guint i = 0; t->team != NULL && i < cfg->agents->len; i++) {
        const AgentConf *agent = g_ptr_array_index(cfg->agents, i);

        if (!agent->is_away &&
            util_strv_contains_ci((const char *const *)agent->teams,
                                  t->team))
            g_ptr_array_add(to, g_strdup(agent->email));
    }
    if (to->len == 0)
        g_ptr_array_add(to, g_strdup(escalation_address(cfg, t)));
}

static Status
escalate(const Config *cfg, Store *store, Outbox *outbox, Ticket *t,
         int level, gint64 now, RemindCounts *counts, GError **error)
{
    g_autoptr(GPtrArray) to = g_ptr_array_new_with_free_func(g_free);
    g_autoptr(GHashTable) vars = g_hash_table_new(g_str_hash, g_str_equal);
    /* The deadline as the desk reads it, in [general] timezone. */
    g_autofree char *deadline = util_time_local(cfg->timezone, t->due_at,
                                                "%Y-%m-%d %H:%M %Z");
    g_autoptr(GString) detail = g_string_new(NULL);
    OutboxKind kind = level == 1 ? OUTBOX_ESCALATION_WARNING
                                 : OUTBOX_ESCALATION_BREACH;
    bool is_raise;
    Status st;

    if (level == 1)
        warning_recipients(cfg, t, to);
    else
        g_ptr_array_add(to, g_strdup(escalation_address(cfg, t)));
    g_hash_table_insert(vars, "escalation.level", level == 1 ? "1" : "2");
    g_hash_table_insert(vars, "escalation.name",
                        level == 1 ? "approaching" : "breached");
    g_hash_table_insert(vars, "escalation.deadline", deadline);
    for (guint i = 0; i < to->len; i++) {
        const OutboxRequest req = {
            .kind = kind,
            .ticket_id = t->id,
            .to = g_ptr_array_index(to, i),
            .vars = vars,
        };

        if ((st = outbox_queue(outbox, &req, now, NULL, error)) != ST_OK)
            return st;
        counts->notified++;
    }
    g_string_printf(detail, "%s: deadline %s",
                    level == 1 ? "approaching" : "breached", deadline);
    if (level == 1)
        counts->warnings++;
    else
        counts->breaches++;
    /* The warning raises the priority; a ticket that skipped it (found
     * past its deadline) gets the raise with the breach.  It is raised
     * after the level is recorded, so that the running deadline keeps
     * the promise it started with: with [sla] high = 8h, raising a
     * normal ticket 20 hours in must not pull its deadline into the
     * past.  (`ticket set priority=` does re-measure it.) */
    is_raise = t->escalation_level == 0 && t->priority < PRIORITY_URGENT;
    sla_escalated(cfg, t, level, now);
    if (is_raise) {
        g_string_append_printf(detail, "; priority %s -> %s",
                               ticket_priority_name(t->priority),
                               ticket_priority_name(t->priority + 1));
        t->priority++;
    }
    if ((st = store_ticket_update(store, t, error)) != ST_OK)
        return st;
    return store_event_add(store, t->id, now, "escalated", detail->str,
                           error);
}

/* One transaction over up to BATCH_TICKETS due tickets; *count_out is
 * how many were due. */
static Status
pass_batch(const Config *cfg, Store *store, Outbox *outbox, gint64 now,
           bool is_dry_run, RemindCounts *counts, guint *count_out,
           GError **error)
{
    g_autoptr(GArray) ids = NULL;
    RemindCounts batch = { 0 };
    Status st;

    *count_out = 0;
    if ((st = store_begin(store, error)) != ST_OK)
        return st;
    if ((st = store_ticket_escalation_due(store, now, BATCH_TICKETS, &ids,
                                          error)) != ST_OK)
        goto fail;
    *count_out = ids->len;
    for (guint i = 0; i < ids->len; i++) {
        g_autoptr(Ticket) t = NULL;
        int level;

        if ((st = store_ticket_get(store, g_array_index(ids, gint64, i),
                                   false, &t, error)) != ST_OK)
            goto fail;
        level = sla_level_due(cfg, t, now);
        if (level > t->escalation_level)
            st = escalate(cfg, store, outbox, t, level, now, &batch, error);
        else {
            /* Not due after all (the config changed its promise or
             * warn_before since): schedule it anew. */
            sla_promise_changed(cfg, t);
            if (t->escalate_at != MESSAGE_NO_TIME && t->escalate_at <= now)
                t->escalate_at = MESSAGE_NO_TIME; /* never loop */
            st = store_ticket_update(store, t, error);
        }
        if (st != ST_OK)
            goto fail;
        util_crashpoint("remind-ticket");
    }
    if (is_dry_run) {
        store_rollback(store);
    } else {
        util_crashpoint("remind-before-commit");
        if ((st = store_commit(store, error)) != ST_OK)
            return st;
        util_crashpoint("remind-after-commit");
    }
    counts->warnings += batch.warnings;
    counts->breaches += batch.breaches;
    counts->notified += batch.notified;
    return ST_OK;
fail:
    store_rollback(store);
    return st;
}

Status
remind_pass(const Config *cfg, Store *store, Outbox *outbox, gint64 now,
            bool is_dry_run, RemindCounts *counts_out, GError **error)
{
    guint due;
    Status st;

    memset(counts_out, 0, sizeof(*counts_out));
    /* No escalation mail at 3 a.m. on a business-hours desk; the next
     * run in business hours catches up, once. */
    if (!calendar_is_open(cfg->sla_calendar, now)) {
        counts_out->is_deferred = true;
        return ST_OK;
    }
    do {
        st = pass_batch(cfg, store, outbox, now, is_dry_run, counts_out,
                        &due, error);
        if (st != ST_OK) {
            g_prefix_error(error, "remind: ");
            return st;
        }
        /* A dry run changes nothing, so the same batch would come back. */
    } while (due == BATCH_TICKETS && !is_dry_run);
    return ST_OK;
}
