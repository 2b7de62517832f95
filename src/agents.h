/*
 * agents.h - agents working from their mail client (DESIGN 8a).
 *
 * Owns what happens around an agent's mail: whether it is proven to be
 * the agent's (reply token, or the receiving server's
 * Authentication-Results as the policy allows), what a verified mail
 * does (its #commands, the answer relayed to the customer, the clock
 * stopped), and the mail that assignment and resolution send (the
 * agent's notification with its reply address, the customer's status
 * mail).  Parsing lives in token.c, agentauth.c and agentcmd.c; the
 * clock in sla.c; rendering and delivery in outbox.c.
 *
 *   agent mail --agents_verify()--> verified | unverified
 *   verified --agents_handle_verified()--> commands run, answer
 *       recorded, relayed unless the customer already has it
 *   unverified --(process.c)--> stored; stops the clock only as a
 *       reply-all to the customer; never relayed, no commands
 *
 * Everything runs inside the caller's transaction.  The token key and
 * the outbox are opened at first use, so a desk without agents never
 * needs a key.
 */
#ifndef MT_AGENTS_H
#define MT_AGENTS_H

#include <glib.h>
#include <stdbool.h>

#include "conf.h"
#include "message.h"
#include "status.h"
#include "store.h"
#include "ticket.h"

typedef struct Agents Agents;

/* cfg and store are borrowed and must outlive the Agents. */
Agents *agents_new(const Config *cfg, Store *store);
void agents_free(Agents *agents);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(Agents, agents_free)

/* Is msg, whose From is a configured agent, proven to be that agent's
 * mail on ticket?  Records a "verified" or "unverified" event at `at`
 * saying how or why not.  A missing or unreadable token key is
 * ST_CONFIG. */
Status agents_verify(Agents *agents, const Message *msg, gint64 ticket,
                     gint64 at, bool *verified_out, GError **error);

/* A verified agent's mail, stored on ticket as message row: run its
 * commands (all or, when one is bad, none: the agent gets an error
 * reply), record the answer and relay it to the customer unless the
 * customer is a direct recipient already or the mail is a #note.
 * Automatic mail (the agent's out-of-office) does nothing. */
Status agents_handle_verified(Agents *agents, const Message *msg, gint64 ticket,
                              gint64 row, gint64 at, GError **error);

/* ticket was just assigned to agent_name: queue the agent's
 * notification (template agent-notify) with agent.name and
 * agent.reply_address, and the customer's newest message (its new
 * text) as the body.  The assignment code calls this after storing
 * the ticket (rules/assignment, #assign, #take, `ticket set
 * assignee=`).  An unknown agent gets nothing (no error). */
Status agents_notify_assigned(Agents *agents, const Ticket *ticket,
                              const char *agent_name, gint64 now,
                              GError **error);

/* ticket was just resolved: queue the customer's status mail. */
Status agents_notify_resolved(Agents *agents, const Ticket *ticket, gint64 now,
                              GError **error);

/* The text a verified answer relays to the customer: body (the new
 * text of the agent's mail, commands removed) cut at the first line
 * naming the ticket's plus address of support_address.  Pure; the
 * caller frees the result. */
char *agents_relay_text(const char *support_address, gint64 ticket,
                        const char *body);

/* The configured agent named name (case-insensitive), or NULL; lent. */
const AgentConf *agents_by_name(const Config *cfg, const char *name);

#endif
