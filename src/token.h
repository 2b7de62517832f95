/*
 * token.h - the per-ticket, per-agent reply address (DESIGN 8a).
 *
 * An agent's notification carries Reply-To
 * "support+1001.alice.TOKEN@example.com": the ticket, the agent's name,
 * and an HMAC-SHA256 over both under a key only mailtriage knows, cut
 * to 80 bits and written in lower-case base32 so that mail clients and
 * servers that fold addresses to lower case do not break it.  A reply
 * through that address proves the mail went through the agent's
 * mailbox: the token of one ticket does not open another, and the
 * token of one agent does not vouch for another.
 *
 * This module owns the token, the address grammar and the key file.
 * It decides nothing about what a verified mail may do (agents.c).
 * Only token_key_load() does I/O.
 */
#ifndef MT_TOKEN_H
#define MT_TOKEN_H

#include <glib.h>
#include <stdbool.h>

#include "status.h"

/* Shortest key accepted, in bytes. */
#define TOKEN_KEY_MIN 16

/* The token of ticket for agent_name (compared case-insensitively) under
 * key: 16 characters of [a-z2-7].  The caller frees it. */
char *token_make(GBytes *key, gint64 ticket, const char *agent_name);

/* True when token (any case) is the token of ticket and agent_name under
 * key.  The comparison takes the same time wherever they differ. */
bool token_verify(GBytes *key, gint64 ticket, const char *agent_name,
                  const char *token);

/* "local+TICKET.AGENT.TOKEN@domain" for support_address
 * "local@domain", with the agent's name in lower case.  The caller
 * frees it. */
char *token_reply_address(GBytes *key, const char *support_address,
                          gint64 ticket, const char *agent_name);

/* Split a reply address of one of support_addresses (lower case,
 * NULL-terminated) into its ticket, agent name and token (both lower
 * case; the caller frees them).  False, with nothing set, when email is
 * not such an address (a plain "support+1001@" is not). */
bool token_parse_address(const char *email,
                         const char *const *support_addresses,
                         gint64 *ticket_out, char **agent_out,
                         char **token_out);

/* True when name can stand in a reply address: letters, digits, '-'
 * and '_' (a dot would be ambiguous, other characters are not safe in
 * a local part). */
bool token_agent_name_is_valid(const char *name);

/* Read the key from path.  The file must not be readable by group or
 * others (ST_CONFIG otherwise, as for password files) and must hold at
 * least TOKEN_KEY_MIN bytes (surrounding white space is not part of the
 * key).  When the file does not exist and may_create, 32 random bytes
 * are written to it (hex, mode 0600) first; else a missing file is
 * ST_CONFIG naming it.  The caller unrefs *key_out. */
Status token_key_load(const char *path, bool may_create, GBytes **key_out,
                      GError **error);

#endif
