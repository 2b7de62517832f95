/*
 * classify.h - was this message written by a person?  (DESIGN 4)
 *
 * Decides, from headers and shape only, whether an incoming message is
 * an auto-reply (RFC 3834, out-of-office with or without markers), a
 * bounce (DSN, MDN, MAILER-DAEMON), list traffic, a machine-sent
 * notification (no-reply senders), or ours coming back (X-Loop).  It
 * also honours X-Auto-Response-Suppress, which is a human's request, not
 * a sign of automatic origin.  Decisions out, no I/O.
 */
#ifndef MT_CLASSIFY_H
#define MT_CLASSIFY_H

#include "message.h"

typedef struct {
    /* Our own addresses (support addresses, the outgoing From), lower
     * case, NULL-terminated; an X-Loop naming one is our mail coming
     * back.  Borrowed. */
    const char *const *own_addresses;
} ClassifyOptions;

/* Set msg->kind and msg->kind_reason, and MSG_FLAG_SUPPRESS_ACK and
 * MSG_FLAG_LOOP in msg->flags. */
void classify_message(Message *msg, const ClassifyOptions *opt);

/* True when an acknowledgment or notification may be sent because of
 * msg: a person wrote it, it is not ours, and it did not ask for none. */
bool classify_may_autoreply(const Message *msg);

/* True for local parts no one reads: noreply, no-reply, do-not-reply,
 * donotreply, mailer-daemon, postmaster, bounce(s), ... */
bool classify_is_noreply_address(const char *email);

#endif
