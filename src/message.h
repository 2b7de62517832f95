/*
 * message.h - one incoming message, parsed and normalised.
 *
 * A Message is what every stage after parsing sees: decoded UTF-8
 * header values, addresses, threading ids, the decoded body text, the
 * new text of a reply, attachments and what was wrong with the input.
 * It owns everything it points to; message_free() releases it all, so
 * everything derived from one message dies with it each iteration.
 *
 * parse.c fills it; classify.c sets kind, kind_reason and the ack flag;
 * nothing else writes to it.
 */
#ifndef MT_MESSAGE_H
#define MT_MESSAGE_H

#include <glib.h>
#include <stdbool.h>

/* "No usable time" in every gint64 time field of a Message. */
#define MESSAGE_NO_TIME G_MININT64

/* tag-20261203-kind: the names in message_kind_name() must match. */
typedef enum {
    MSG_KIND_NORMAL = 0, /* a person wrote it */
    MSG_KIND_AUTO_REPLY, /* RFC 3834 auto-reply, out-of-office */
    MSG_KIND_BOUNCE,     /* DSN, MDN, MAILER-DAEMON, non-delivery */
    MSG_KIND_LIST,       /* mailing-list traffic */
    MSG_KIND_AUTOMATED,  /* machine-sent notification: no-reply sender */
    MSG_KIND_DUPLICATE,  /* a copy of a message we already have */
} MessageKind;

typedef enum {
    MSG_FLAG_PARSE_PROBLEM = 1 << 0, /* MIME was broken; see problems */
    MSG_FLAG_TRUNCATED = 1 << 1,     /* over the size limit: parts omitted */
    MSG_FLAG_SUPPRESS_ACK = 1 << 2,  /* sender asked for no auto-reply */
    MSG_FLAG_LOOP = 1 << 3,          /* carries our own X-Loop */
} MessageFlags;

typedef struct {
    char *name;  /* decoded display name, UTF-8; NULL when absent */
    char *email; /* addr-spec, domain lower-cased; never NULL */
} Address;

typedef struct {
    char *name;  /* as in the message, e.g. "X-Spam-Flag" */
    char *value; /* unfolded, RFC 2047 decoded, UTF-8 */
} HeaderField;

typedef struct {
    char *filename;     /* UTF-8, never NULL (synthesised if needed) */
    char *content_type; /* lower case "type/subtype" */
    gsize size;         /* decoded size in bytes */
    GBytes *data;       /* decoded bytes; NULL when omitted by a limit */
} Attachment;

typedef struct {
    GBytes *raw;      /* the bytes as received, byte for byte */
    char sha256[65];  /* lower-case hex of raw */

    GPtrArray *headers; /* HeaderField *, top-level, in order */

    char *message_id;      /* without <>; NULL when absent */
    char *in_reply_to;     /* without <>; NULL when absent */
    GPtrArray *references; /* char *, without <>, oldest first */

    char *subject;        /* decoded; "" when absent */
    Address *from;        /* NULL when absent or unparseable */
    Address *reply_to;    /* NULL when absent */
    GPtrArray *to;        /* Address * */
    GPtrArray *cc;        /* Address * */
    GPtrArray *delivered_to; /* char *: Delivered-To, X-Original-To */
    char *return_path;    /* addr-spec; "" for <>; NULL when absent */

    gint64 date;        /* Date: in Unix seconds, or MESSAGE_NO_TIME */
    gint64 received_at; /* date of the top Received:, or MESSAGE_NO_TIME */

    GBytes *thread_index; /* decoded Thread-Index; NULL when absent */
    char *thread_topic;   /* NULL when absent */

    char *text;       /* whole decoded body as text; never NULL */
    char *reply_text; /* text without quoted history; never NULL */
    char *html;       /* the HTML body if there was one, else NULL */
    GPtrArray *attachments; /* Attachment * */

    guint flags;         /* MessageFlags */
    GPtrArray *problems; /* char *: what was wrong with the input */

    MessageKind kind;  /* set by classify_message() */
    char *kind_reason; /* why, e.g. "Auto-Submitted: auto-replied" */
} Message;

/* A Message with empty arrays and strings; raw is referenced. */
Message *message_new(GBytes *raw);
void message_free(Message *msg);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(Message, message_free)

Address *address_new(const char *name, const char *email);
void address_free(Address *addr);
/* "Name <email>" or "email"; the caller frees it. */
char *address_format(const Address *addr);

void attachment_free(Attachment *att);

/* First header named name (case-insensitive), lent until msg is freed;
 * NULL when absent. */
const char *message_header(const Message *msg, const char *name);

/* Record a problem with the input and set MSG_FLAG_PARSE_PROBLEM. */
void message_add_problem(Message *msg, const char *fmt, ...)
    G_GNUC_PRINTF(2, 3);

/* "normal", "auto_reply", "bounce", "list", "automated", "duplicate". */
const char *message_kind_name(MessageKind kind);
/* The inverse; MSG_KIND_NORMAL for an unknown name. */
MessageKind message_kind_from_name(const char *name);

#endif
