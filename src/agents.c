/*
 * agents.c - verified agent mail, its commands, its relay, and the
 * notifications of assignment and resolution.
 *
 * A verified mail is taken whole or not at all: when one of its
 * commands is bad, none runs, nothing is relayed and the clock keeps
 * running, so the agent can correct the mail and send it again without
 * the customer seeing half of it.
 */
#include "config.h"

#include "agents.h"

#include <string.h>

#include "agentauth.h"
#include "agentcmd.h"
#include "classify.h"
#include "outbox.h"
#include "sla.h"
#include "token.h"
#include "util.h"

struct Agents {
    const Config *cfg;
    Store *store;
    GBytes *key;    /* NULL until first needed */
    Outbox *outbox; /* NULL until first needed */
};

Agents *
agents_new(const Config *cfg, Store *store)
{
    Agents *agents = g_new0(Agents, 1);

    agents->cfg = cfg;
    agents->store = store;
    return agents;
}

void
agents_free(Agents *agents)
{
    if (agents == NULL)
        return;
    g_clear_pointer(&agents->key, g_bytes_unref);
    g_clear_pointer(&agents->outbox, outbox_free);
    g_free(agents);
}

const AgentConf *
agents_by_name(const Config *cfg, const char *name)
{
    for (guint i = 0; name != NULL && i < cfg->agents->len; i++) {
        const AgentConf *agent = g_ptr_array_index(cfg->agents, i);

        if (g_ascii_strcasecmp(agent->name, name) == 0)
            return agent;
    }
    return NULL;
}

/* The key: [agents] key_file, which must exist, or else one beside the
 * database, made at first use so that the quick start needs no step. */
static Status
get_key(Agents *agents, GBytes **key_out, GError **error)
{
    Status st;

    if (agents->key == NULL) {
        g_autofree char *dir = g_path_get_dirname(agents->cfg->database);
        g_autofree char *fallback =
            g_build_filename(dir, "agent-token.key", NULL);
        const char *path = agents->cfg->agents_key_file != NULL
                               ? agents->cfg->agents_key_file
                               : fallback;

        if ((st = token_key_load(path, agents->cfg->agents_key_file == NULL,
                                 &agents->key, error)) != ST_OK)
            return st;
    }
    *key_out = agents->key;
    return ST_OK;
}

static Status
get_outbox(Agents *agents, Outbox **outbox_out, GError **error)
{
    Status st;

    if (agents->outbox == NULL &&
        (st = outbox_new(agents->cfg, agents->store, &agents->outbox, error)) !=
            ST_OK)
        return st;
    *outbox_out = agents->outbox;
    return ST_OK;
}

static Status
queue(Agents *agents, OutboxKind kind, gint64 ticket, const char *to,
      gint64 in_reply_to, const char *body, GHashTable *vars, gint64 now,
      GError **error)
{
    const OutboxRequest req = {
        .kind = kind,
        .ticket_id = ticket,
        .to = to,
        .in_reply_to = in_reply_to,
        .body = body,
        .vars = vars,
    };
    Outbox *outbox = NULL;
    Status st;

    if ((st = get_outbox(agents, &outbox, error)) != ST_OK)
        return st;
    return outbox_queue(outbox, &req, now, NULL, error);
}

/* --- verification --------------------------------------------------- */

/* Does a reply address among msg's recipients prove agent on ticket?
 * *seen_out says whether there was any reply address at all. */
static Status
verify_token(Agents *agents, const Message *msg, const AgentConf *agent,
             gint64 ticket, bool *ok_out, bool *seen_out, GError **error)
{
    const char *const *support =
        (const char *const *)agents->cfg->support_addresses;
    const GPtrArray *lists[] = {msg->to, msg->cc};
    g_autoptr(GPtrArray) candidates = g_ptr_array_new();

    *ok_out = false;
    *seen_out = false;
    for (guint l = 0; l < G_N_ELEMENTS(lists); l++)
        for (guint i = 0; i < lists[l]->len; i++)
            g_ptr_array_add(candidates,
                            ((Address *)g_ptr_array_index(lists[l], i))->email);
    for (guint i = 0; i < msg->delivered_to->len; i++)
        g_ptr_array_add(candidates, g_ptr_array_index(msg->delivered_to, i));

    for (guint i = 0; i < candidates->len && !*ok_out; i++) {
        g_autofree char *name = NULL;
        g_autofree char *token = NULL;
        gint64 t = 0;
        GBytes *key = NULL;
        Status st;

        if (!token_parse_address(g_ptr_array_index(candidates, i), support, &t,
                                 &name, &token))
            continue;
        *seen_out = true;
        if ((st = get_key(agents, &key, error)) != ST_OK)
            return st;
        /* The token must be this ticket's and this sender's: a token
         * replayed on another ticket, or an agent's token under another
         * agent's From, proves nothing. */
        *ok_out = t == ticket && g_ascii_strcasecmp(name, agent->name) == 0 &&
                  token_verify(key, t, name, token);
    }
    return ST_OK;
}

Status
agents_verify(Agents *agents, const Message *msg, gint64 ticket, gint64 at,
              bool *verified_out, GError **error)
{
    const Config *cfg = agents->cfg;
    const AgentConf *agent =
        msg->from != NULL ? config_agent_by_email(cfg, msg->from->email) : NULL;
    const AgentAuthPolicy policy = {
        .methods = cfg->agents_verify,
        .authserv_ids = (const char *const *)cfg->agents_authserv_ids,
    };
    bool ok = false, seen = false;
    const char *why = NULL;
    g_autofree char *detail = NULL;
    Status st;

    *verified_out = false;
    if (agent == NULL)
        return ST_OK;
    if ((cfg->agents_verify & AGENTAUTH_TOKEN) &&
        (st = verify_token(agents, msg, agent, ticket, &ok, &seen, error)) !=
            ST_OK)
        return st;
    if (ok)
        detail = g_strdup_printf("%s by the reply address", agent->name);
    else {
        guint m =
            agentauth_check(msg, &policy, strrchr(agent->email, '@') + 1, &why);

        if (m != 0)
            detail = g_strdup_printf("%s by %s (Authentication-Results)",
                                     agent->name,
                                     m == AGENTAUTH_DKIM ? "DKIM" : "SPF");
    }
    if (detail != NULL) {
        *verified_out = true;
        return store_event_add(agents->store, ticket, at, "verified", detail,
                               error);
    }
    detail = g_strdup_printf(
        "mail from agent %s is not proven: %s%s; stored, not relayed, no "
        "command run",
        agent->name,
        seen ? "the reply address is not this ticket's and this agent's"
             : "no reply address",
        (cfg->agents_verify & (AGENTAUTH_DKIM | AGENTAUTH_SPF)) != 0 &&
                why != NULL
            ? (strstr(why, "trusted") != NULL ? ", untrusted or no "
                                                "Authentication-Results"
                                              : ", no DKIM or SPF pass")
            : "");
    return store_event_add(agents->store, ticket, at, "unverified", detail,
                           error);
}

/* --- verified mail --------------------------------------------------- */

static bool
addressed_to(const Message *msg, const char *email)
{
    const GPtrArray *lists[] = {msg->to, msg->cc};

    if (email == NULL || *email == '\0')
        return false;
    for (guint l = 0; l < G_N_ELEMENTS(lists); l++)
        for (guint i = 0; i < lists[l]->len; i++)
            if (g_ascii_strcasecmp(
                    ((Address *)g_ptr_array_index(lists[l], i))->email,
                    email) == 0)
                return true;
    return false;
}

char *
agents_relay_text(const char *support_address, gint64 ticket, const char *body)
{
    const char *at = strrchr(support_address, '@');
    g_autofree char *marker = g_strdup_printf(
        "%.*s+%" G_GINT64_FORMAT, (int)(at != NULL ? at - support_address : 0),
        support_address, ticket);
    g_autofree char *lower = g_ascii_strdown(body, -1);
    const char *hit = strstr(lower, marker);
    gsize keep = strlen(body);

    /* That line can only come from our own notification, quoted in a
     * way quote.c did not recognise; everything below it is internal. */
    if (hit != NULL) {
        const char *bol = hit;

        while (bol > lower && bol[-1] != '\n')
            bol--;
        keep = (gsize)(bol - lower);
    }
    return g_strstrip(g_strndup(body, keep));
}

/* Check the commands against the desk: false with *why_out set when
 * one cannot run. */
static bool
commands_ok(const Config *cfg, const AgentCmdList *cmds, char **why_out)
{
    for (guint i = 0; i < cmds->cmds->len; i++) {
        const AgentCmd *cmd = g_ptr_array_index(cmds->cmds, i);

        if (cmd->kind == AGENTCMD_ASSIGN &&
            agents_by_name(cfg, cmd->arg) == NULL) {
            *why_out =
                g_strdup_printf("#assign: no agent named '%s'", cmd->arg);
            return false;
        }
    }
    return true;
}

/* Run the commands on ticket; *assigned_out names a new assignee to
 * notify, *resolved_out says whether the ticket got resolved. */
static Status
run_commands(Agents *agents, const AgentCmdList *cmds, const AgentConf *agent,
             Ticket *ticket, gint64 at, const AgentConf **assigned_out,
             bool *resolved_out, GError **error)
{
    const Config *cfg = agents->cfg;
    Status st;

    *assigned_out = NULL;
    *resolved_out = false;
    for (guint i = 0; i < cmds->cmds->len; i++) {
        const AgentCmd *cmd = g_ptr_array_index(cmds->cmds, i);
        g_autofree char *detail = NULL;
        const AgentConf *to = NULL;

        switch (cmd->kind) {
        case AGENTCMD_ASSIGN:
        case AGENTCMD_TAKE:
            to = cmd->kind == AGENTCMD_TAKE ? agent
                                            : agents_by_name(cfg, cmd->arg);
            g_free(ticket->assignee);
            ticket->assignee = g_strdup(to->name);
            *assigned_out = to != agent ? to : NULL;
            detail = g_strdup_printf("#%s: assigned to %s by %s",
                                     agentcmd_name(cmd->kind), to->name,
                                     agent->name);
            break;
        case AGENTCMD_RESOLVE:
            if (ticket->status != TICKET_STATUS_RESOLVED) {
                sla_status_changed(cfg, ticket, TICKET_STATUS_RESOLVED, at);
                ticket->status = TICKET_STATUS_RESOLVED;
                ticket->resolved_at = at;
                *resolved_out = true;
            }
            detail = g_strdup_printf("#resolve: resolved by %s", agent->name);
            break;
        case AGENTCMD_PENDING:
            sla_status_changed(cfg, ticket, TICKET_STATUS_PENDING, at);
            ticket->status = TICKET_STATUS_PENDING;
            ticket->resolved_at = MESSAGE_NO_TIME;
            *resolved_out = false;
            detail = g_strdup_printf("#pending: waiting on the customer, "
                                     "set by %s",
                                     agent->name);
            break;
        case AGENTCMD_PRIORITY:
            ticket->priority = cmd->priority;
            sla_promise_changed(cfg, ticket);
            detail = g_strdup_printf("#priority: %s, set by %s",
                                     ticket_priority_name(cmd->priority),
                                     agent->name);
            break;
        case AGENTCMD_CATEGORY:
            g_free(ticket->category);
            ticket->category = g_strdup(cmd->arg);
            detail = g_strdup_printf("#category: %s, set by %s", cmd->arg,
                                     agent->name);
            break;
        case AGENTCMD_NOTE:
            detail = g_strdup_printf("#note: internal note by %s", agent->name);
            break;
        }
        if ((st = store_event_add(agents->store, ticket->id, at, "command",
                                  detail, error)) != ST_OK)
            return st;
    }
    return ST_OK;
}

static Status
refuse(Agents *agents, const AgentConf *agent, gint64 ticket, gint64 row,
       const char *why, gint64 at, GError **error)
{
    g_autoptr(GHashTable) vars =
        g_hash_table_new_full(g_str_hash, g_str_equal, NULL, g_free);
    g_autofree char *detail = g_strdup_printf(
        "mail from %s not applied: %s; nothing changed", agent->name, why);
    Status st;

    g_hash_table_insert(vars, (gpointer) "error.message", g_strdup(why));
    g_hash_table_insert(vars, (gpointer) "agent.name", g_strdup(agent->name));
    if ((st = store_event_add(agents->store, ticket, at, "refused", detail,
                              error)) != ST_OK)
        return st;
    return queue(agents, OUTBOX_ERROR_REPLY, ticket, agent->email, row, NULL,
                 vars, at, error);
}

Status
agents_handle_verified(Agents *agents, const Message *msg, gint64 id,
                       gint64 row, gint64 at, GError **error)
{
    const Config *cfg = agents->cfg;
    const AgentConf *agent = config_agent_by_email(cfg, msg->from->email);
    g_autoptr(Ticket) ticket = NULL;
    g_autoptr(AgentCmdList) cmds = NULL;
    g_autofree char *why = NULL;
    g_autofree char *body = NULL;
    const AgentConf *assigned = NULL;
    bool is_resolved = false, is_note, is_relayed = false;
    Status st;

    /* An agent's out-of-office answering a notification, or our own
     * mail coming back (X-Loop), is stored and does nothing else
     * (DESIGN 4). */
    if (agent == NULL || msg->kind != MSG_KIND_NORMAL ||
        (msg->flags & MSG_FLAG_LOOP) != 0)
        return ST_OK;
    if ((st = store_ticket_get(agents->store, id, false, &ticket, error)) !=
        ST_OK)
        return st;
    if (ticket == NULL)
        return status_set(error, ST_SOFTWARE,
                          "agents: ticket %" G_GINT64_FORMAT " vanished", id);
    cmds = agentcmd_parse(msg->reply_text);
    if (cmds->error != NULL)
        return refuse(agents, agent, id, row, cmds->error, at, error);
    if (!commands_ok(cfg, cmds, &why))
        return refuse(agents, agent, id, row, why, at, error);

    body = agents_relay_text(cfg->support_address, id, cmds->body);
    is_note = agentcmd_has(cmds, AGENTCMD_NOTE);
    ticket->updated_at = at;
    if (!is_note && *body != '\0') {
        g_autofree char *detail = NULL;

        /* The answer first: a #resolve or #pending below then decides
         * the status, not the answer. */
        sla_agent_answered(cfg, ticket, at);
        if (ticket->status == TICKET_STATUS_NEW) {
            sla_status_changed(cfg, ticket, TICKET_STATUS_OPEN, at);
            ticket->status = TICKET_STATUS_OPEN;
        }
        if (addressed_to(msg, ticket->customer_email))
            detail = g_strdup_printf("answered by %s (sent to the customer "
                                     "directly; not relayed)",
                                     agent->name);
        else if (ticket->customer_email == NULL ||
                 *ticket->customer_email == '\0')
            detail = g_strdup_printf("answered by %s; not relayed: the "
                                     "ticket has no customer address",
                                     agent->name);
        else {
            detail = g_strdup_printf("answered by %s; relayed to %s",
                                     agent->name, ticket->customer_email);
            is_relayed = true;
        }
        if ((st = store_event_add(agents->store, id, at, "answered", detail,
                                  error)) != ST_OK)
            return st;
    }
    if ((st = run_commands(agents, cmds, agent, ticket, at, &assigned,
                           &is_resolved, error)) != ST_OK ||
        (st = store_ticket_update(agents->store, ticket, error)) != ST_OK)
        return st;
    /* Queued after the update: the outbox renders the stored ticket. */
    if (is_relayed &&
        (st = queue(agents, OUTBOX_RELAY, id, ticket->customer_email, 0, body,
                    NULL, at, error)) != ST_OK)
        return st;
    if (assigned != NULL &&
        (st = agents_notify_assigned(agents, ticket, assigned->name, at,
                                     error)) != ST_OK)
        return st;
    if (is_resolved &&
        (st = agents_notify_resolved(agents, ticket, at, error)) != ST_OK)
        return st;
    return ST_OK;
}

/* --- notifications --------------------------------------------------- */

/* The customer's newest message on the ticket, without its quoted
 * history: the notification's {{body}}, so the agent can answer from
 * the notification alone.  NULL when the customer has written nothing
 * (a ticket opened by an agent's mail). */
static Status
latest_customer_text(Agents *agents, gint64 ticket, char **text_out,
                     GError **error)
{
    g_autoptr(Ticket) full = NULL;
    Status st;

    *text_out = NULL;
    if ((st = store_ticket_get(agents->store, ticket, true, &full,
                               error)) != ST_OK)
        return st;
    if (full == NULL || full->messages == NULL)
        return ST_OK;
    for (guint i = full->messages->len; i > 0; i--) {
        const StoredMessage *m = g_ptr_array_index(full->messages, i - 1);

        if (m->direction != DIRECTION_IN || m->role != ROLE_CUSTOMER)
            continue;
        *text_out = g_strdup(m->reply_text != NULL && *m->reply_text != '\0'
                                 ? m->reply_text
                                 : m->text);
        break;
    }
    return ST_OK;
}

Status
agents_notify_assigned(Agents *agents, const Ticket *ticket,
                       const char *agent_name, gint64 now, GError **error)
{
    const AgentConf *agent = agents_by_name(agents->cfg, agent_name);
    g_autoptr(GHashTable) vars = NULL;
    g_autofree char *reply = NULL;
    g_autofree char *body = NULL;
    GBytes *key = NULL;
    Status st;

    if (agent == NULL)
        return ST_OK;
    if ((st = get_key(agents, &key, error)) != ST_OK ||
        (st = latest_customer_text(agents, ticket->id, &body, error)) !=
            ST_OK)
        return st;
    reply = token_reply_address(key, agents->cfg->support_address, ticket->id,
                                agent->name);
    vars = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, g_free);
    g_hash_table_insert(vars, (gpointer) "agent.name", g_strdup(agent->name));
    g_hash_table_insert(vars, (gpointer) "agent.reply_address",
                        g_steal_pointer(&reply));
    return queue(agents, OUTBOX_AGENT_NOTIFY, ticket->id, agent->email, 0, body,
                 vars, now, error);
}

Status
agents_notify_resolved(Agents *agents, const Ticket *ticket, gint64 now,
                       GError **error)
{
    if (ticket->customer_email == NULL || *ticket->customer_email == '\0' ||
        classify_is_noreply_address(ticket->customer_email))
        return ST_OK;
    return queue(agents, OUTBOX_STATUS, ticket->id, ticket->customer_email, 0,
                 NULL, NULL, now, error);
}
