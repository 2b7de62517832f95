/*
 * ticket.h - a ticket as the store keeps it and the CLI shows it.
 *
 * Plain data with no behaviour beyond names and life cycle: the store
 * fills it, cmd-ticket prints it, process.c decides what changes.
 *
 *   new --agent answer--> open --#pending--> pending
 *   pending --customer reply--> open
 *   new, open, pending --#resolve--> resolved --customer reply--> open
 */
#ifndef MT_TICKET_H
#define MT_TICKET_H

#include <glib.h>
#include <stdbool.h>

#include "message.h"

/* tag-20261203-status: ticket_status_name() must match. */
typedef enum {
    TICKET_STATUS_NEW = 0,
    TICKET_STATUS_OPEN,
    TICKET_STATUS_PENDING,
    TICKET_STATUS_RESOLVED,
    TICKET_STATUS_CLOSED,
    TICKET_STATUS_SPAM,
} TicketStatus;

/* tag-20261203-priority: ticket_priority_name() must match. */
typedef enum {
    PRIORITY_LOW = 0,
    PRIORITY_NORMAL,
    PRIORITY_HIGH,
    PRIORITY_URGENT,
} Priority;

typedef enum {
    DIRECTION_IN = 0,
    DIRECTION_OUT,
} Direction;

/* tag-20261203-role */
typedef enum {
    ROLE_CUSTOMER = 0, /* the requester or another outside participant */
    ROLE_AGENT,
    ROLE_SYSTEM,
} Role;

typedef struct {
    char *filename;
    char *content_type;
    gint64 size;
} StoredAttachment;

/* One message of a ticket, as stored (no raw bytes, no headers). */
typedef struct {
    gint64 id;         /* store row id; `message raw ID` takes it */
    gint64 ticket_id;
    char *message_id;  /* NULL when the message had none */
    Direction direction;
    Role role;
    MessageKind kind;
    bool is_verified;  /* for ROLE_AGENT: proven to be the agent */
    char *from;        /* "Name <email>" */
    char *from_email;
    char *to;          /* comma-separated "Name <email>" list */
    char *cc;
    char *subject;
    gint64 date;        /* MESSAGE_NO_TIME when none */
    gint64 received_at;
    char *text;
    char *reply_text;
    guint flags;        /* MessageFlags */
    char *problems;     /* newline-separated; NULL when none */
    char *source;       /* source name, e.g. "maildir:/srv/mail" */
    GPtrArray *attachments; /* StoredAttachment * */
} StoredMessage;

typedef struct {
    gint64 at;
    char *kind;   /* "created", "threaded", "classified", "reopened", ... */
    char *detail;
} TicketEvent;

/* How a response clock ended (sla.c). */
typedef enum {
    CLOCK_END_ANSWERED = 0, /* an agent answered the customer */
    CLOCK_END_DONE,         /* resolved, closed or marked spam unanswered */
    CLOCK_END_REPLACED,     /* a new clock started in its place */
} ClockEnd;

/* tag-20261203-clock-kind: the store keeps these numbers. */
typedef enum {
    CLOCK_KIND_FIRST = 0, /* the first response: no answer yet */
    CLOCK_KIND_NEXT,      /* an answer after a customer's new mail */
} ClockKind;

/* A response clock that has ended, kept for the report: a Ticket holds
 * only its running clock.  sla.c appends these; the store writes them
 * with the ticket and empties the list. */
typedef struct {
    ClockKind kind;
    gint64 started_at;
    gint64 due_at;       /* the deadline with all pause credit */
    gint64 ended_at;
    gint64 paused_total; /* seconds paused (business time with a
                            calendar), up to ended_at */
    ClockEnd end;
    int level;           /* escalation level it reached (2: breached) */
} EndedClock;

typedef struct {
    gint64 id;          /* the ticket number, from ticket_start up */
    char *subject;      /* normalised: no Re:/AW: prefixes, no tag */
    TicketStatus status;
    char *category;     /* NULL when unset */
    Priority priority;
    char *team;         /* NULL when unset */
    char *assignee;     /* agent name; NULL when unassigned */
    char *customer_name;  /* NULL when unknown */
    char *customer_email;
    char *mailbox;      /* source it came in through */
    gint64 created_at;
    gint64 updated_at;
    gint64 first_response_at; /* MESSAGE_NO_TIME when none */
    gint64 resolved_at;       /* MESSAGE_NO_TIME when none */
    gint64 due_at;            /* MESSAGE_NO_TIME when no clock runs */
    int escalation_level;     /* 0 none, 1 approaching, 2 breached */
    int rating_score;         /* 0 when unrated */
    char *rating_comment;
    gint64 linked_ticket;     /* 0 when none */
    gint64 sla;               /* response time in seconds set by a rule
                                 or source; 0: the configured default */
    /* The response clock (sla.c owns these; see sla.h). */
    gint64 clock_start;       /* when the running clock started;
                                 MESSAGE_NO_TIME when none runs */
    gint64 paused_at;         /* MESSAGE_NO_TIME unless paused */
    gint64 paused_total;      /* seconds paused (business time with a
                                 calendar), credited to the deadline */
    gint64 escalate_at;       /* when the next escalation level is due;
                                 MESSAGE_NO_TIME when none is */
    gint64 breached_at;       /* the last breach; MESSAGE_NO_TIME when
                                 the ticket never breached */
    /* Time spent waiting on the customer (status pending), clock or
     * not, credited to the resolution time (sla.c keeps them). */
    gint64 pending_since;     /* MESSAGE_NO_TIME unless pending */
    gint64 pending_total;     /* seconds pending before pending_since
                                 (business time with a calendar) */
    GArray *ended_clocks;     /* EndedClock, not yet stored */
    GArray *clock_history;    /* EndedClock, stored, oldest first;
                                 store_ticket_load_clocks() fills it */
    GHashTable *fields;       /* char * -> char * */
    GPtrArray *messages;      /* StoredMessage *; filled on request */
    GPtrArray *events;        /* TicketEvent *; filled on request */
} Ticket;

Ticket *ticket_new(void);
void ticket_free(Ticket *ticket);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(Ticket, ticket_free)
void stored_message_free(StoredMessage *msg);
void stored_attachment_free(StoredAttachment *att);
void ticket_event_free(TicketEvent *event);

/* The tag as shown in subjects, e.g. "[#1001]" or "[ACME #1001]". */
char *ticket_tag(gint64 id, const char *prefix);

const char *ticket_status_name(TicketStatus status);
/* Returns false for an unknown name. */
bool ticket_status_from_name(const char *name, TicketStatus *status_out);
const char *ticket_priority_name(Priority priority);
bool ticket_priority_from_name(const char *name, Priority *priority_out);
const char *role_name(Role role);             /* customer|agent|system */
Role role_from_name(const char *name);
const char *direction_name(Direction dir);    /* in|out */
const char *clock_kind_name(ClockKind kind);  /* first|next */
const char *clock_end_name(ClockEnd end);     /* answered|done|replaced */
/* Whether an ended clock was answered by its deadline. */
bool clock_is_met(const EndedClock *clock);

#endif
