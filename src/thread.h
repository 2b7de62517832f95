/*
 * thread.h - which ticket does a message belong to?  (DESIGN 3)
 *
 * In order, the first that answers wins: the ticket tag in the
 * message's own subject ([#1234], or [PREFIX #1234]) or a plus address
 * support+1234@; In-Reply-To and References; Outlook's Thread-Index
 * (first 22 bytes); optionally the same sender and normalised subject
 * on an open ticket.  A tag only joins a ticket the sender is already
 * on; a stranger's tag opens a new ticket that links the old one.
 *
 * The subject helpers are pure.  thread_resolve() asks the store
 * through ThreadLookup, so this module does no I/O of its own.
 */
#ifndef MT_THREAD_H
#define MT_THREAD_H

#include "message.h"
#include "status.h"
#include "ticket.h"

/* The ticket number in a "[#1234]" (or "[PREFIX #1234]" when prefix is
 * "PREFIX") tag anywhere in subject, glued to text or not; -1 when
 * there is none.  prefix NULL or "" means the plain "[#n]" form. */
gint64 thread_find_tag(const char *subject, const char *prefix);

/* Subject with reply/forward prefixes in every language clients send
 * (Re, RE[2], Fwd, Fw, AW, WG, SV, VS, Antw, Doorst, RIF, R, TR, Réf,
 * ΑΠ, Відп, 回复, 转发, ...), ticket tags, "[EXTERNAL]"-style gateway
 * marks before them, and extra whitespace removed.  Case is kept.  The
 * caller frees the result. */
char *thread_normalize_subject(const char *subject, const char *prefix);

/* True when the subject's first prefix is a forward (Fwd, Fw, WG, TR,
 * VS, Doorst, RV, ...). */
bool thread_is_forward(const char *subject);

/* The ticket number of a plus address "local+1234@domain" whose
 * "local@domain" is one of support_addresses; -1 when there is none. */
gint64 thread_plus_tag(const char *email,
                       const char *const *support_addresses);

/* The conversation root of an Outlook Thread-Index: its first 22 bytes,
 * or NULL when absent or shorter.  The caller unrefs the result. */
GBytes *thread_index_root(const Message *msg);

/* What thread_resolve() needs to know about stored tickets.  Each
 * callback returns ST_OK and fills its out-parameters (0 / false when
 * nothing matches), or a failure Status with error set. */
typedef struct {
    void *ctx;
    Status (*ticket_by_message_id)(void *ctx, const char *message_id,
                                   gint64 *ticket_out, GError **error);
    Status (*ticket_state)(void *ctx, gint64 ticket, bool *exists_out,
                           TicketStatus *status_out,
                           gint64 *resolved_at_out, GError **error);
    Status (*is_on_ticket)(void *ctx, gint64 ticket, const char *email,
                           bool *on_out, GError **error);
    Status (*ticket_by_thread_index)(void *ctx, GBytes *root,
                                     gint64 *ticket_out, GError **error);
    /* Newest open ticket of from_email with that normalised subject,
     * created at or after since. */
    Status (*ticket_by_subject)(void *ctx, const char *from_email,
                                const char *normalized_subject,
                                gint64 since, gint64 *ticket_out,
                                GError **error);
} ThreadLookup;

typedef struct {
    const char *tag_prefix;                 /* "" for [#n] */
    const char *const *support_addresses;  /* lower case, NULL-term. */
    const char *const *agent_addresses;    /* lower case, NULL-term. */
    gint64 subject_fallback_days;          /* 0: off */
    gint64 reopen_window_days;             /* 0: always reopen */
    gint64 now;
} ThreadOptions;

typedef enum {
    THREAD_BY_NONE = 0,   /* a new ticket */
    THREAD_BY_TAG,
    THREAD_BY_PLUS_ADDRESS,
    THREAD_BY_REFERENCES,
    THREAD_BY_THREAD_INDEX,
    THREAD_BY_SUBJECT,
} ThreadMethod;

typedef struct {
    gint64 ticket;        /* the ticket to append to; 0: open a new one */
    gint64 linked_ticket; /* for a new ticket: the one it refers to */
    ThreadMethod method;  /* how ticket (or linked_ticket) was found */
    const char *reason;   /* static text for the ticket's event log */
} ThreadDecision;

/* Decide the ticket of msg. */
Status thread_resolve(const Message *msg, const ThreadOptions *opt,
                      const ThreadLookup *lookup, ThreadDecision *out,
                      GError **error);

/* "tag", "plus-address", "references", "thread-index", "subject", "new" */
const char *thread_method_name(ThreadMethod method);

#endif
