/*
 * agentauth.h - Authentication-Results (RFC 8601) as proof that an
 * agent's mail comes from the agent's domain (DESIGN 8a).
 *
 * Anyone can write an Authentication-Results field into a message, so
 * only those our own receiving server added count: fields whose
 * authserv-id is one the configuration trusts, at the top of the
 * header (above the second Received: field and above any field of
 * another authserv-id).  For each method the topmost trusted field that
 * reports it decides, so a forged field further down cannot outvote
 * the real one.  The receiving server must also remove fields that
 * claim its authserv-id on the way in (RFC 8601 section 5).
 *
 * Pure: a Message in, a decision out.
 */
#ifndef MT_AGENTAUTH_H
#define MT_AGENTAUTH_H

#include <glib.h>

#include "message.h"

/* What may prove an agent's mail ([agents] verify). */
typedef enum {
    AGENTAUTH_TOKEN = 1 << 0, /* the reply address of the notification */
    AGENTAUTH_DKIM = 1 << 1,  /* dkim=pass with header.d = the domain */
    AGENTAUTH_SPF = 1 << 2,   /* spf=pass with smtp.mailfrom in the domain */
} AgentAuthMethod;

typedef struct {
    guint methods;                   /* AgentAuthMethod flags */
    const char *const *authserv_ids; /* trusted; NULL-terminated */
} AgentAuthPolicy;

/* The method among policy->methods (DKIM or SPF) by which msg's
 * trusted Authentication-Results show a pass for domain; 0 when none
 * does.  *why_out (may be NULL) gets a static text saying why not. */
guint agentauth_check(const Message *msg, const AgentAuthPolicy *policy,
                      const char *domain, const char **why_out);

/* "token", "dkim", "spf" -> flag; 0 for an unknown name. */
guint agentauth_method_from_name(const char *name);

#endif
