/*
 * assign.c - team strategies and the one function that assigns.
 *
 * A team is every agent whose `teams` list names it; a [team NAME]
 * group is needed only to choose a strategy other than round-robin.
 * Round-robin remembers the last agent it chose, by name, not by
 * position: an agent added to or removed from the configuration
 * between runs shifts nobody's turn.
 */
#include "config.h"

#include "assign.h"

#include <string.h>

static const TeamConf *
find_team(const Config *cfg, const char *team)
{
    for (guint i = 0; i < cfg->teams->len; i++) {
        const TeamConf *t = g_ptr_array_index(cfg->teams, i);

        if (strcmp(t->name, team) == 0)
            return t;
    }
    return NULL;
}

static const AgentConf *
find_agent(const Config *cfg, const char *name)
{
    for (guint i = 0; i < cfg->agents->len; i++) {
        const AgentConf *a = g_ptr_array_index(cfg->agents, i);

        if (strcmp(a->name, name) == 0)
            return a;
    }
    return NULL;
}

/* The members of team in configuration order, away or not. */
static GPtrArray *
team_members(const Config *cfg, const char *team)
{
    GPtrArray *out = g_ptr_array_new();

    for (guint i = 0; i < cfg->agents->len; i++) {
        AgentConf *a = g_ptr_array_index(cfg->agents, i);

        if (g_strv_contains((const char *const *)a->teams, team))
            g_ptr_array_add(out, a);
    }
    return out;
}

static char *
rr_key(const char *team)
{
    return g_strconcat("assign.round-robin.", team, NULL);
}

static Status
pick_round_robin(Store *store, const char *team, GPtrArray *members,
                 const AgentConf **agent_out, GError **error)
{
    g_autofree char *key = rr_key(team);
    g_autofree char *last = NULL;
    guint start = 0;
    Status st;

    if (store != NULL &&
        (st = store_meta_get(store, key, &last, error)) != ST_OK)
        return st;
    for (guint i = 0; last != NULL && i < members->len; i++)
        if (strcmp(((AgentConf *)members->pdata[i])->name, last) == 0)
            start = i + 1;
    for (guint n = 0; n < members->len; n++) {
        const AgentConf *a = members->pdata[(start + n) % members->len];

        if (!a->is_away) {
            *agent_out = a;
            return ST_OK;
        }
    }
    return ST_OK;
}

static Status
pick_least_open(Store *store, GPtrArray *members,
                const AgentConf **agent_out, gint64 *open_out,
                GError **error)
{
    gint64 best = G_MAXINT64;

    for (guint i = 0; i < members->len; i++) {
        const AgentConf *a = members->pdata[i];
        gint64 n = 0;
        Status st;

        if (a->is_away)
            continue;
        if (store != NULL &&
            (st = store_agent_open_count(store, a->name, &n, error)) !=
                ST_OK)
            return st;
        /* Ties go to the earlier agent in the configuration. */
        if (n < best) {
            best = n;
            *agent_out = a;
        }
    }
    *open_out = best;
    return ST_OK;
}

Status
assign_pick(const Config *cfg, Store *store, const char *team,
            char **agent_out, char **how_out, GError **error)
{
    const TeamConf *tc = find_team(cfg, team);
    g_autoptr(GPtrArray) members = team_members(cfg, team);
    const AgentConf *chosen = NULL;
    bool is_least_open = tc != NULL && strcmp(tc->strategy, "least-open") == 0;
    Status st;

    *agent_out = NULL;
    *how_out = NULL;
    if (is_least_open) {
        gint64 open = 0;

        if ((st = pick_least_open(store, members, &chosen, &open, error)) !=
            ST_OK)
            return st;
        if (chosen != NULL)
            *how_out = g_strdup_printf("least-open: %" G_GINT64_FORMAT
                                       " open",
                                       open);
    } else {
        if ((st = pick_round_robin(store, team, members, &chosen, error)) !=
            ST_OK)
            return st;
        if (chosen != NULL)
            *how_out = g_strdup("round-robin");
    }
    if (chosen == NULL)
        *how_out = g_strdup(members->len == 0 ? "the team has no agents"
                                              : "every agent is away");
    else
        *agent_out = g_strdup(chosen->name);
    return ST_OK;
}

Status
assign_ticket(const Config *cfg, Store *store, Ticket *ticket,
              const char *team, const char *agent, const char *why,
              gint64 at, GError **error)
{
    g_autofree char *picked = NULL;
    g_autofree char *how = NULL;
    g_autofree char *detail = NULL;
    const char *kind = "assigned";
    Status st;

    if (agent == NULL && team == NULL)
        return ST_OK;
    if (agent != NULL) {
        const AgentConf *a = find_agent(cfg, agent);

        picked = g_strdup(agent);
        /* A rule that names an agent means that agent; being away is
         * said, so that a lead sees why nobody answers. */
        how = g_strdup(a == NULL      ? "not a configured agent"
                       : a->is_away ? "named by the rule; away"
                                    : "named by the rule");
    } else {
        const TeamConf *tc = find_team(cfg, team);
        bool is_round_robin =
            tc == NULL || strcmp(tc->strategy, "least-open") != 0;

        if ((st = assign_pick(cfg, store, team, &picked, &how, error)) !=
            ST_OK)
            return st;
        if (picked != NULL && is_round_robin) {
            g_autofree char *key = rr_key(team);

            if ((st = store_meta_set(store, key, picked, error)) != ST_OK)
                return st;
        }
    }
    g_free(ticket->assignee);
    ticket->assignee = g_strdup(picked);
    if (team != NULL) {
        g_free(ticket->team);
        ticket->team = g_strdup(team);
    }
    if (picked != NULL) {
        detail = g_strdup_printf("to %s%s%s (%s; %s)", picked,
                                 team != NULL ? " of team " : "",
                                 team != NULL ? team : "", how, why);
    } else {
        kind = "queued";
        detail = g_strdup_printf("in the queue of team %s (%s; %s)", team,
                                 how, why);
    }
    return store_event_add(store, ticket->id, at, kind, detail, error);
}
