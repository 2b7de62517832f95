/*
 * store.h - the store interface: tickets, messages, raw bytes, source
 * positions and events in one database.
 *
 * store-sqlite.c implements it; no SQLite type appears here, so that a
 * PostgreSQL backend (DESIGN 11) is another file, not a rewrite.  The
 * caller brackets a batch of messages in store_begin()/store_commit()
 * and each message in a savepoint, so that one bad message rolls back
 * alone (or stores the batch again without it: see
 * store_begin_all_or_nothing()), and a batch costs one fsync.  Nothing
 * here prints.
 *
 * Results marked "the caller frees" belong to the caller; every
 * argument is borrowed.  Every function returns ST_OK, or ST_IOERR for
 * a database failure (ST_TEMPFAIL when the database is busy), with the
 * message in error.
 */
#ifndef MT_STORE_H
#define MT_STORE_H

#include <glib.h>
#include <stdbool.h>

#include "message.h"
#include "status.h"
#include "ticket.h"

typedef struct Store Store;

typedef enum {
    STORE_READ_ONLY = 0,
    STORE_READ_WRITE, /* creates the file and its directory if missing */
} StoreMode;

/* Open (and migrate to the current schema version) the store at path.
 * A read-only open of a missing file fails with ST_IOERR. */
Status store_open(const char *path, StoreMode mode, Store **store_out,
                  GError **error);
void store_close(Store *store);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(Store, store_close)

/* The schema version the store is at (for `mailtriage version`). */
int store_schema_version(Store *store);

/* Transactions: one per batch.  Savepoints nest inside for one message
 * each; store_savepoint_rollback() undoes only that message. */
Status store_begin(Store *store, GError **error);
/*
 * A transaction that its caller rolls back whole when any step in it
 * fails, and does again without what failed: store_message_add() then
 * takes no savepoint of its own, and processor_ingest_message() none
 * per message.  Before it changes a page, a savepoint copies it: for a
 * batch of messages that was up to a fifth of the store thread's
 * instructions (callgrind), spent on failures that hardly ever happen.
 */
Status store_begin_all_or_nothing(Store *store, GError **error);
/* Whether the open transaction is one of store_begin_all_or_nothing(). */
bool store_is_all_or_nothing(const Store *store);
Status store_commit(Store *store, GError **error);
void store_rollback(Store *store);
Status store_savepoint(Store *store, GError **error);
Status store_savepoint_release(Store *store, GError **error);
void store_savepoint_rollback(Store *store);

/* --- Source positions (DESIGN 2) -------------------------------------
 * A source is named like "maildir:/srv/mail" or "imap:support/INBOX";
 * pos is the driver's position ("1700000001.M1P1", "uv=5:uid=101",
 * "offset=1234").  A position is recorded in the same transaction as
 * the message it brought. */
Status store_source_pos_seen(Store *store, const char *source,
                             const char *pos, bool *seen_out,
                             GError **error);
Status store_source_pos_add(Store *store, const char *source,
                            const char *pos, gint64 message_row,
                            GError **error);

/* --- Messages ------------------------------------------------------- */

/* The stored message with that Message-ID (when message_id is not
 * NULL) or else with that sha256 of its raw bytes; *row_out and
 * *ticket_out are 0 when there is none. */
Status store_message_find(Store *store, const char *message_id,
                          const char *sha256, gint64 *row_out,
                          gint64 *ticket_out, GError **error);

/* How a message is filed on its ticket. */
typedef struct {
    gint64 ticket_id;
    Direction direction;
    Role role;
    MessageKind kind;     /* may differ from msg->kind (duplicate) */
    bool is_verified;
    gint64 received_at;   /* when it reached our system */
    const char *source;   /* source name; NULL for none */
} MessageFiling;

/* Store msg (raw bytes byte for byte, parsed fields, attachment names
 * and sizes) on a ticket, all or nothing: in a savepoint of its own,
 * or inside a store_savepoint() in the caller's, which the caller
 * rolls back to when this fails (or a whole transaction of
 * store_begin_all_or_nothing()).  *row_out receives its id. */
Status store_message_add(Store *store, const Message *msg,
                         const MessageFiling *filing, gint64 *row_out,
                         GError **error);

/* The raw bytes of message row id; ST_DATAERR when there is no such
 * message.  The caller unrefs *raw_out. */
Status store_message_raw(Store *store, gint64 id, GBytes **raw_out,
                         GError **error);

/* The ticket that owns a Thread-Index conversation root (22 bytes), via
 * any of its messages; 0 when none. */
Status store_ticket_by_thread_index(Store *store, GBytes *root,
                                    gint64 *ticket_out, GError **error);

/* Newest ticket of from_email with that normalised subject, not
 * resolved, closed or spam, created at or after since; 0 when none. */
Status store_ticket_by_subject(Store *store, const char *from_email,
                               const char *normalized_subject,
                               gint64 since, gint64 *ticket_out,
                               GError **error);

/* --- Tickets -------------------------------------------------------- */

/* Insert ticket (id ignored) with the next number, which is at least
 * ticket_start; *id_out receives it.  Fields, messages and events of
 * the struct are ignored; its ended clocks are written and taken off
 * it, as by store_ticket_update(). */
Status store_ticket_create(Store *store, Ticket *ticket,
                           gint64 ticket_start, gint64 *id_out,
                           GError **error);

/* Write back every scalar field of ticket (status, category, priority,
 * team, assignee, customer, times, escalation, rating, link, clock,
 * pending time), and its ended clocks (sla.c) in the same step; those
 * are then taken off ticket->ended_clocks. */
Status store_ticket_update(Store *store, Ticket *ticket,
                           GError **error);

/* Ticket id, with its messages and events when with_history; *ticket_out
 * is NULL when there is no such ticket.  The caller frees it. */
Status store_ticket_get(Store *store, gint64 id, bool with_history,
                        Ticket **ticket_out, GError **error);

/* The ticket's ended response clocks into ticket->clock_history, oldest
 * first (only `ticket show` wants them: not part of with_history, which
 * every queued mail reads). */
Status store_ticket_load_clocks(Store *store, Ticket *ticket,
                                GError **error);

/* Zero fields filter nothing (except status: -1 is any). */
typedef struct {
    int status; /* a TicketStatus, or -1 for any */
    gint64 limit; /* 0: no limit */
    const char *assignee; /* NULL: any; "": unassigned */
    const char *category; /* NULL: any; "": none */
    bool is_breached;     /* escalation level 2, or due_at before now */
    gint64 due_by;        /* 0: any; else a clock runs and due_at is in
                             [now, due_by] */
    gint64 created_by;    /* 0: any; else created at or before it */
    gint64 now;           /* for is_breached and due_by */
} TicketFilter;

/* Tickets matching filter, without history, by id; the caller unrefs
 * the array (it frees the tickets). */
Status store_ticket_list(Store *store, const TicketFilter *filter,
                         GPtrArray **tickets_out, GError **error);

/* What a report needs of one ticket: no subject, customer, fields or
 * history, so that a report over a million tickets reads no message.
 * The strings are lent for the one call of the TicketScanFn. */
typedef struct {
    gint64 id;
    TicketStatus status;
    const char *category; /* NULL when unset */
    const char *team;
    const char *assignee;
    const char *mailbox;
    gint64 created_at;
    gint64 first_response_at; /* MESSAGE_NO_TIME when none */
    gint64 resolved_at;
    gint64 due_at;
    int escalation_level;
    int rating_score;           /* 0 when unrated */
    const char *rating_comment; /* NULL when none */
    gint64 sla;                 /* 0: the configured default */
    int reopened;               /* "reopened" events in [since, until) */
    int warnings;               /* escalation warnings in [since, until) */
    int breaches;               /* breaches in [since, until) */
    gint64 clock_start;         /* the running clock, as in Ticket */
    gint64 paused_at;
    gint64 paused_total;
    gint64 pending_total;       /* time waited on the customer, ended
                                   waits only */
    /* Of the ended clocks that started in [since, until): */
    gint64 first_paused;        /* the first-response clocks' pause */
    int next_due;               /* next-response clocks due (report.h) */
    int next_met;               /* ... and met */
} TicketSummary;

typedef Status (*TicketScanFn)(const TicketSummary *t, gpointer data,
                               GError **error);

/* Call fn for every ticket created before until, in id order, one row
 * at a time (nothing is collected), except spam and tickets created and
 * resolved or closed before since, which no figure of [since, until)
 * counts; stops at the first status fn returns other than ST_OK and
 * returns it. */
Status store_ticket_scan(Store *store, gint64 since, gint64 until,
                         TicketScanFn fn, gpointer data, GError **error);

/* Set a custom field of a ticket; a NULL value removes it. */
Status store_ticket_set_field(Store *store, gint64 ticket,
                              const char *name, const char *value,
                              GError **error);

/* Participants: everyone who wrote or was addressed on a ticket.
 * E-mail addresses compare case-insensitively.  Adding one twice keeps
 * the first role and fills in a name that was missing. */
Status store_participant_add(Store *store, gint64 ticket,
                             const char *email, const char *name,
                             Role role, GError **error);
Status store_participant_has(Store *store, gint64 ticket,
                             const char *email, bool *has_out,
                             GError **error);

Status store_event_add(Store *store, gint64 ticket, gint64 at,
                       const char *kind, const char *detail,
                       GError **error);

/* The ids of up to limit tickets whose next escalation level is due at
 * now (Ticket.escalate_at <= now), the longest due first.  Reads only
 * those rows (an index on escalate_at).  The caller unrefs *ids_out
 * (gint64 elements). */
Status store_ticket_escalation_due(Store *store, gint64 now, guint limit,
                                   GArray **ids_out, GError **error);

/* --- Small state -----------------------------------------------------
 * A key/value table for state that must survive between runs, such as
 * the round-robin position of assignment.  *value_out is NULL when the
 * key is unset; the caller frees it.  A NULL value unsets the key. */
Status store_meta_get(Store *store, const char *key, char **value_out,
                      GError **error);
Status store_meta_set(Store *store, const char *key, const char *value,
                      GError **error);

/* --- Assignment -----------------------------------------------------
 * How many tickets agent holds that are new, open or pending (the
 * least-open-tickets strategy of assign.c). */
Status store_agent_open_count(Store *store, const char *agent,
                              gint64 *count_out, GError **error);
/* --- Outbox (DESIGN 7) -----------------------------------------------
 * Finished messages waiting for, or done with, delivery.  A row is
 * added in the transaction of the change that caused it; the send pass
 * updates it after each delivery attempt. */
typedef enum {
    OUTBOX_STATE_QUEUED = 0,
    OUTBOX_STATE_SENT,
    OUTBOX_STATE_FAILED,
} OutboxState;

typedef struct {
    gint64 id;
    gint64 ticket_id;      /* 0: about no ticket */
    char *kind;            /* "ack", "relay", ... */
    char *sender;          /* envelope sender, an addr-spec */
    char *recipient;       /* envelope recipient, an addr-spec */
    char *subject;         /* as the recipient reads it, decoded */
    char *message_id;      /* without <> */
    OutboxState state;
    int attempts;
    gint64 created_at;
    gint64 next_attempt_at;
    gint64 sent_at;        /* MESSAGE_NO_TIME until sent */
    char *last_error;      /* NULL when none */
    GBytes *raw;           /* the finished message; NULL in lists */
} OutboxRow;

void outbox_row_free(OutboxRow *row);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(OutboxRow, outbox_row_free)

/* Add row (id, state, attempts, sent_at, last_error ignored: a new row
 * is queued); *id_out receives its id. */
Status store_outbox_add(Store *store, const OutboxRow *row, gint64 *id_out,
                        GError **error);

/* Queued rows due at now (next_attempt_at <= now), oldest first, with
 * their raw bytes when due_only; else every row without raw bytes.
 * The caller unrefs the array (it frees the rows). */
Status store_outbox_list(Store *store, bool due_only, gint64 now,
                         GPtrArray **rows_out, GError **error);

/* Write back state, attempts, next_attempt_at, sent_at and last_error
 * of row. */
Status store_outbox_update(Store *store, const OutboxRow *row,
                           GError **error);

/* Mark outbox row id failed with why (a bounce came back for it). */
Status store_outbox_mark_failed(Store *store, gint64 id, const char *why,
                                GError **error);

/* The outbox row whose message carried message_id (without <>); *id_out
 * and *ticket_out are 0 when there is none. */
Status store_outbox_find(Store *store, const char *message_id,
                         gint64 *id_out, gint64 *ticket_out,
                         GError **error);

/* How many mails of kind went to recipient at or after since. */
Status store_outbox_count(Store *store, const char *kind,
                          const char *recipient, gint64 since,
                          gint64 *count_out, GError **error);

#endif
