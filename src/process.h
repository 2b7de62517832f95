/*
 * process.h - one message from raw bytes to committed ticket changes:
 * parse, classify, de-duplicate, thread, file, and open, append to or
 * reopen a ticket.  (DESIGN 1-4.)
 *
 * It runs inside the caller's batch transaction and puts each message
 * in a savepoint of its own, so a failure undoes that message alone;
 * or in none when the transaction is all or nothing
 * (store_begin_all_or_nothing()).
 * It owns the order of the pipeline, not its stages: each stage is its
 * own module and does no I/O.  Rules and assignment run through
 * triage.h on new tickets and, for `on followup` rules, on follow-ups.
 */
#ifndef MT_PROCESS_H
#define MT_PROCESS_H

#include <glib.h>
#include <stdbool.h>

#include "conf.h"
#include "message.h"
#include "rules.h"
#include "status.h"
#include "store.h"

typedef struct Processor Processor;

/* cfg and store are borrowed and must outlive the Processor. */
Processor *processor_new(const Config *cfg, Store *store, gint64 now);
void processor_free(Processor *proc);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(Processor, processor_free)

/* Run rules on every new ticket (and `on followup` rules on
 * follow-ups).  rules is borrowed and must outlive the Processor;
 * NULL (the default) runs none. */
void processor_set_rules(Processor *proc, const RuleSet *rules);

typedef enum {
    OUTCOME_NEW_TICKET = 0,
    OUTCOME_FOLLOWUP,
    OUTCOME_DUPLICATE,    /* a copy of a stored message: nothing changed */
    OUTCOME_ALREADY_SEEN, /* this source position was taken before */
} OutcomeKind;

typedef struct {
    OutcomeKind kind;
    gint64 ticket;      /* the ticket it went to; 0 for ALREADY_SEEN */
    gint64 message_row; /* the stored message; 0 for ALREADY_SEEN */
    MessageKind msg_kind;
    bool has_problems;  /* parsed, but with problems (flagged) */
} Outcome;

/*
 * The part of the work on a message that needs the message alone, not
 * the store: its classification.  processor_prepare() reads only the
 * configuration, so it may run on parse worker threads while the
 * processor stores other messages; processor_ingest_message() then
 * does not classify again.  The rules run in processor_ingest_message(),
 * only for a message that opens a ticket.
 */
typedef struct {
    bool is_classified;
} Prepared;

void processor_prepare(const Processor *proc, Message *msg,
                       Prepared *prep);

/* Process msg, parsed already by parse_message() with the config's
 * limits (on any thread), from source (its key) at pos, which the
 * caller found not seen with processor_is_seen().  prep is what
 * processor_prepare() made of msg, or NULL.  received_at is when the source says the message
 * reached us (IMAP INTERNALDATE), or MESSAGE_NO_TIME to take the top
 * Received: line, else now.  msg is borrowed, and classified. */
Status processor_ingest_message(Processor *proc, const char *source,
                                const char *pos, Message *msg,
                                Prepared *prep, gint64 received_at,
                                Outcome *out, GError **error);

/* Whether an earlier run took the message at pos of source; counted in
 * seen_before when it did, so a caller may skip fetching it. */
Status processor_is_seen(Processor *proc, const char *source,
                         const char *pos, bool *seen_out, GError **error);

/* Counters over every processor_ingest() so far. */
typedef struct {
    guint taken;        /* messages processed, duplicates included */
    guint new_tickets;
    guint followups;
    guint duplicates;
    guint automatic;    /* auto-replies, bounces, lists, no-reply mail */
    guint problems;     /* stored with a parse-problem flag */
    guint seen_before;  /* source positions taken by an earlier run */
    guint acks;         /* acknowledgments queued */
    guint acks_withheld; /* new tickets whose sender got none */
} ProcessCounts;

const ProcessCounts *processor_counts(const Processor *proc);

/* Back to counts taken from processor_counts() before: for a caller
 * that rolled back the messages counted since. */
void processor_restore_counts(Processor *proc, const ProcessCounts *counts);

/* Queue acknowledgments of new tickets into outbox (borrowed; it must
 * outlive proc).  Without one, no acknowledgment is queued. */
struct Outbox;
void processor_set_outbox(Processor *proc, struct Outbox *outbox);

#endif
