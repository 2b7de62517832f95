/*
 * outbox.c - automatic mail on its way out: render, queue, deliver.
 *
 *   outbox_queue() --> row queued (same transaction as the cause)
 *   queued --outbox_send(): 2xx--> sent
 *   queued --outbox_send(): 4xx--> queued, attempts+1, next_attempt_at
 *                                  later (backoff); after OUTBOX_GIVE_UP
 *                                  --> failed
 *   queued --outbox_send(): 5xx--> failed (last_error)
 *   queued, sent --outbox_bounced(): a DSN names it--> failed
 *
 * A mail is rendered once, at queue time, with GMime (RFC 2047 headers,
 * a UTF-8 body in quoted-printable where it is not plain ASCII), and
 * its finished bytes are kept in the row: a resend after a crash is
 * byte-identical and carries the same Message-ID, so receivers and our
 * own threading de-duplicate it (DESIGN 2).  Our Message-IDs read
 * <mt.TICKET.KIND.RANDOM@domain>, so that a bounce or a reply can be
 * traced to its ticket even when the message is not in the store.
 * Each queued mail is also stored as an outgoing message of its ticket
 * (direction out, role system), which is how threading step 2 finds
 * replies to it.
 *
 * This module does not decide whether a mail should go out at all
 * (loop protection is process.c's, with classify_may_autoreply()), and
 * it does not talk to servers (transport*.c does).
 */
#include "config.h"

#include "outbox.h"

#include <gmime/gmime.h>
#include <string.h>

#include "parse.h"
#include "quote.h"
#include "sla.h"
#include "template.h"
#include "util.h"

G_DEFINE_AUTOPTR_CLEANUP_FUNC(GMimeMessage, g_object_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(GMimeStream, g_object_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(GMimeDataWrapper, g_object_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(GMimeTextPart, g_object_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(InternetAddressList, g_object_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(InternetAddressMailbox, g_object_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(GMimeObject, g_object_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(GMimeFormatOptions, g_mime_format_options_free)

/* Retries of a temporary failure: 5 minutes, doubling, at most 4 hours
 * apart; after 5 days the mail is given up as failed. */
#define OUTBOX_FIRST_RETRY (5 * 60)
#define OUTBOX_MAX_RETRY (4 * 3600)
#define OUTBOX_GIVE_UP (5 * 24 * 3600)

struct Outbox {
    const Config *cfg;
    Store *store;
    Template *templates[OUTBOX_REPORT + 1];
    char *domain; /* of our Message-IDs */
    guint reparsed; /* queued mails filed by parsing their bytes */
};

static const char *const kind_names[] = {
    [OUTBOX_ACK] = "ack",
    [OUTBOX_AGENT_NOTIFY] = "agent-notify",
    [OUTBOX_RELAY] = "relay",
    [OUTBOX_STATUS] = "status",
    [OUTBOX_ESCALATION_WARNING] = "escalation-warning",
    [OUTBOX_ESCALATION_BREACH] = "escalation-breach",
    [OUTBOX_ERROR_REPLY] = "error-reply",
    [OUTBOX_REPORT] = "report",
};

const char *
outbox_kind_name(OutboxKind kind)
{
    g_return_val_if_fail((guint)kind < G_N_ELEMENTS(kind_names), "?");
    return kind_names[kind];
}

static void
ensure_gmime(void)
{
    static gsize once = 0;

    if (g_once_init_enter(&once)) {
        g_mime_init();
        g_once_init_leave(&once, 1);
    }
}

Status
outbox_new(const Config *cfg, Store *store, Outbox **outbox_out,
           GError **error)
{
    g_autoptr(Outbox) outbox = g_new0(Outbox, 1);
    const char *from = cfg->transport_from != NULL ? cfg->transport_from
                                                   : cfg->support_address;
    const char *at = strrchr(from, '@');
    Status st;

    ensure_gmime();
    outbox->cfg = cfg;
    outbox->store = store;
    outbox->domain = g_strdup(at != NULL ? at + 1 : "mailtriage.invalid");
    g_strdelimit(outbox->domain, "<>\"\r\n \t", '\0');
    for (guint k = 0; k < G_N_ELEMENTS(kind_names); k++)
        if ((st = template_load(cfg->templates_dir, kind_names[k],
                                &outbox->templates[k], error)) != ST_OK)
            return st;
    *outbox_out = g_steal_pointer(&outbox);
    return ST_OK;
}

void
outbox_free(Outbox *outbox)
{
    if (outbox == NULL)
        return;
    for (guint k = 0; k < G_N_ELEMENTS(outbox->templates); k++)
        template_free(outbox->templates[k]);
    g_free(outbox->domain);
    g_free(outbox);
}

/* "24 hours", "90 minutes", "3 days": how a customer reads a promise. */
char *
outbox_format_duration(gint64 secs)
{
    if (secs >= 3 * 86400 && secs % 86400 == 0)
        return g_strdup_printf("%" G_GINT64_FORMAT " days", secs / 86400);
    if (secs >= 3600 && secs % 3600 == 0)
        return g_strdup_printf("%" G_GINT64_FORMAT " hour%s", secs / 3600,
                               secs == 3600 ? "" : "s");
    if (secs >= 60)
        return g_strdup_printf("%" G_GINT64_FORMAT " minute%s",
                               (secs + 59) / 60, secs <= 60 ? "" : "s");
    return g_strdup_printf("%" G_GINT64_FORMAT " seconds", MAX(secs, 0));
}

static void
put(GHashTable *vars, const char *key, char *value_take)
{
    if (value_take != NULL)
        g_hash_table_replace(vars, g_strdup(key), value_take);
}

static GHashTable *
ticket_vars(const Outbox *outbox, const Ticket *ticket,
            const OutboxRequest *req)
{
    const Config *cfg = outbox->cfg;
    GHashTable *vars = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
                                             g_free);

    put(vars, "support.address", g_strdup(cfg->support_address));
    if (ticket != NULL) {
        put(vars, "ticket.id",
            g_strdup_printf("%" G_GINT64_FORMAT, ticket->id));
        put(vars, "ticket.tag", ticket_tag(ticket->id, cfg->subject_tag));
        put(vars, "ticket.subject", g_strdup(ticket->subject));
        put(vars, "ticket.status",
            g_strdup(ticket_status_name(ticket->status)));
        put(vars, "ticket.priority",
            g_strdup(ticket_priority_name(ticket->priority)));
        put(vars, "ticket.category", g_strdup(ticket->category));
        put(vars, "ticket.team", g_strdup(ticket->team));
        put(vars, "ticket.assignee", g_strdup(ticket->assignee));
        if (ticket->due_at != MESSAGE_NO_TIME)
            put(vars, "ticket.due",
                util_time_local(cfg->timezone, ticket->due_at,
                                "%a %d %b %Y %H:%M %Z"));
        put(vars, "customer.name", g_strdup(ticket->customer_name));
        put(vars, "customer.email", g_strdup(ticket->customer_email));
        put(vars, "sla.first_response",
            outbox_format_duration(sla_first_response(cfg, ticket)));
    }
    if (req->body != NULL)
        put(vars, "body", g_strdup(req->body));
    if (req->vars != NULL) {
        GHashTableIter it;
        gpointer k, v;

        g_hash_table_iter_init(&it, req->vars);
        while (g_hash_table_iter_next(&it, &k, &v))
            put(vars, k, g_strdup(v));
    }
    return vars;
}

/* The message row answered: the one asked for, else the ticket's
 * latest customer message; its Message-ID, or NULL. */
static const char *
answered_message_id(const Ticket *ticket, gint64 row)
{
    const char *found = NULL;

    if (ticket == NULL || ticket->messages == NULL)
        return NULL;
    for (guint i = 0; i < ticket->messages->len; i++) {
        const StoredMessage *m = g_ptr_array_index(ticket->messages, i);

        if (row != 0 && m->id == row)
            return m->message_id;
        if (row == 0 && m->direction == DIRECTION_IN &&
            m->role == ROLE_CUSTOMER && m->message_id != NULL &&
            m->kind != MSG_KIND_DUPLICATE)
            found = m->message_id;
    }
    return found;
}

/* Control characters in a display name would end the header line. */
static char *
clean_name(const char *name)
{
    char *out = g_strdup(name != NULL ? name : "");

    for (char *p = out; *p != '\0'; p++)
        if ((unsigned char)*p < 0x20 || *p == 0x7f)
            *p = ' ';
    return g_strstrip(out);
}

/* One mailbox out of "Name <addr>" or "addr"; NULL when unusable.
 * Split by hand rather than parsed as a header: the name is decoded
 * text from a stranger's mail (a colon, a quote, a line break in it
 * must stay part of the name), and GMime quotes and encodes it again
 * when the header is written. */
static InternetAddressMailbox *
parse_mailbox(const char *text)
{
    const char *lt, *gt;
    g_autofree char *name = NULL;
    g_autofree char *addr = NULL;

    if (text == NULL)
        return NULL;
    lt = strrchr(text, '<');
    gt = lt != NULL ? strchr(lt, '>') : NULL;
    if (lt != NULL && gt != NULL) {
        g_autofree char *raw_name = g_strndup(text, (gsize)(lt - text));

        name = clean_name(raw_name);
        if (name[0] == '"' && strlen(name) >= 2 &&
            name[strlen(name) - 1] == '"') {
            memmove(name, name + 1, strlen(name) - 2);
            name[strlen(name) - 2] = '\0';
        }
        addr = g_strstrip(g_strndup(lt + 1, (gsize)(gt - lt - 1)));
    } else {
        addr = g_strstrip(g_strdup(text));
    }
    /* A quoted local part ("john smith"@example.com) is an address;
     * angle brackets or control characters in one are not. */
    if (*addr == '\0' || strchr(addr, '@') == NULL ||
        strpbrk(addr, "<>") != NULL)
        return NULL;
    for (const char *c = addr; *c != '\0'; c++)
        if ((unsigned char)*c < 0x20 || *c == 0x7f)
            return NULL;
    {
        InternetAddress *ia = internet_address_mailbox_new(
            name != NULL && *name != '\0' ? name : NULL, addr);

        /* RFC 2047 words in UTF-8, as everything else we write. */
        internet_address_set_charset(ia, "utf-8");
        return INTERNET_ADDRESS_MAILBOX(ia);
    }
}

static bool
is_ascii_short_lines(const char *text)
{
    gsize line = 0;

    for (const char *p = text; *p != '\0'; p++) {
        if ((unsigned char)*p >= 0x80)
            return false;
        line = *p == '\n' ? 0 : line + 1;
        if (line > 76)
            return false;
    }
    return true;
}

static GMimeObject *
text_body(const char *body)
{
    g_autoptr(GMimeStream) stream =
        g_mime_stream_mem_new_with_buffer(body, strlen(body));
    g_autoptr(GMimeDataWrapper) content = g_mime_data_wrapper_new_with_stream(
        stream, GMIME_CONTENT_ENCODING_DEFAULT);
    GMimeTextPart *part = g_mime_text_part_new_with_subtype("plain");
    GMimeContentEncoding enc = is_ascii_short_lines(body)
                                   ? GMIME_CONTENT_ENCODING_7BIT
                                   : GMIME_CONTENT_ENCODING_QUOTEDPRINTABLE;

    g_mime_part_set_content(GMIME_PART(part), content);
    g_mime_object_set_content_type_parameter(GMIME_OBJECT(part), "charset",
                                             "utf-8");
    g_mime_part_set_content_encoding(GMIME_PART(part), enc);
    return GMIME_OBJECT(part);
}

static void
add_address_header(GMimeMessage *m, GMimeAddressType type, const char *value)
{
    g_autoptr(InternetAddressList) list =
        internet_address_list_parse(NULL, value);
    InternetAddressList *dest = g_mime_message_get_addresses(m, type);

    for (int i = 0; list != NULL && i < internet_address_list_length(list);
         i++) {
        InternetAddress *ia = internet_address_list_get_address(list, i);

        if (INTERNET_ADDRESS_IS_MAILBOX(ia)) {
            g_autofree char *one = internet_address_to_string(ia, NULL,
                                                              FALSE);
            g_autoptr(InternetAddressMailbox) mb = parse_mailbox(one);

            if (mb != NULL)
                internet_address_list_add(dest, INTERNET_ADDRESS(mb));
        }
    }
}

typedef struct {
    GBytes *raw;
    char *message_id;
    char *subject;
    char *sender;
    char *recipient;
    Message *msg; /* raw as parse_message() reads it; NULL: parse it */
} Rendered;

static void
rendered_clear(Rendered *r)
{
    message_free(r->msg);
    if (r->raw != NULL)
        g_bytes_unref(r->raw);
    g_free(r->message_id);
    g_free(r->subject);
    g_free(r->sender);
    g_free(r->recipient);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(Rendered, rendered_clear)

/*
 * Filing our own mail as an outgoing message needs what parse_message()
 * makes of its bytes.  Parsing them again was a fifth of an ingest's
 * main thread, so the Message is built from what rendered the mail
 * instead, wherever that is sure to give what parsing would: header
 * text that GMime writes as it is and reads back unchanged, a body
 * that comes back as it went in.  Anything else is parsed as before.
 * tests/unit/test-outbox.c holds the two ways against each other.
 */

/* Header text that GMime writes (folded, RFC 2047-encoded where not
 * ASCII) and parsing reads back as it was: UTF-8 without control or
 * format characters, quotes, backslashes, encoded-word look-alikes or
 * white space other than single inner spaces. */
static bool
reads_back(const char *s, gsize max)
{
    if (s == NULL)
        return true;
    if (strlen(s) > max || !g_utf8_validate(s, -1, NULL) ||
        strstr(s, "=?") != NULL)
        return false;
    for (const char *p = s; *p != '\0';) {
        gunichar c = g_utf8_get_char(p);

        p += g_unichar_to_utf8(c, NULL);
        if (c == ' ') {
            /* p is past the space already. */
            if (p == s + 1 || *p == ' ' || *p == '\0')
                return false;
        } else if (c == '"' || c == '\\' || g_unichar_isspace(c) ||
                   g_unichar_iscntrl(c) ||
                   g_unichar_type(c) == G_UNICODE_FORMAT) {
            return false;
        }
    }
    return true;
}

/* The first mailbox of list, as parse.c's collect_addresses() takes
 * it; false when one may not read back the same. */
static bool
collect_mailboxes(InternetAddressList *list, GPtrArray *out)
{
    for (int i = 0; i < internet_address_list_length(list); i++) {
        InternetAddress *ia = internet_address_list_get_address(list, i);
        const char *addr;

        if (!INTERNET_ADDRESS_IS_MAILBOX(ia))
            return false;
        addr = internet_address_mailbox_get_addr(
            INTERNET_ADDRESS_MAILBOX(ia));
        if (!reads_back(internet_address_get_name(ia), 100) ||
            !reads_back(addr, 100) || strchr(addr, '@') == NULL ||
            strpbrk(addr, " ()<>,;:") != NULL) {
            return false;
        }
        {
            g_autofree char *email = util_email_normalize(addr);

            g_ptr_array_add(out,
                            address_new(internet_address_get_name(ia), email));
        }
    }
    return true;
}

/* body as parse.c's text: LF line ends, no trailing white space; NULL
 * when that may not be all parsing does with it. */
static char *
body_text(const char *body, const Limits *limits)
{
    g_autoptr(GString) text = g_string_new(NULL);

    if (!g_utf8_validate(body, -1, NULL) ||
        g_str_has_prefix(body, "\xef\xbb\xbf") ||
        strstr(body, "begin ") != NULL)
        return NULL;
    for (const char *r = body; *r != '\0'; r++) {
        if (*r == '\r') {
            g_string_append_c(text, '\n');
            if (r[1] == '\n')
                r++;
        } else {
            g_string_append_c(text, *r);
        }
    }
    while (text->len > 0 && g_ascii_isspace(text->str[text->len - 1]))
        g_string_truncate(text, text->len - 1);
    if (text->len > limits->max_text_bytes)
        return NULL;
    return g_string_free(g_steal_pointer(&text), FALSE);
}

/* The Message of the mail m rendered as raw, or NULL: parse raw. */
static Message *
rendered_message(GMimeMessage *m, GBytes *raw, const Rendered *r,
                 const char *body, gint64 now, const Limits *limits)
{
    g_autoptr(Message) msg = message_new(raw);
    g_autoptr(GPtrArray) from =
        g_ptr_array_new_with_free_func((GDestroyNotify)address_free);
    g_autoptr(GPtrArray) reply_to =
        g_ptr_array_new_with_free_func((GDestroyNotify)address_free);
    gsize len = 0;
    const void *data = g_bytes_get_data(raw, &len);

    g_clear_pointer(&msg->text, g_free);
    /* One text part, as text_body() makes it. */
    if (!GMIME_IS_TEXT_PART(g_mime_message_get_mime_part(m)) ||
        !reads_back(r->subject, 400) ||
        !collect_mailboxes(g_mime_message_get_from(m), from) ||
        !collect_mailboxes(g_mime_message_get_reply_to(m), reply_to) ||
        !collect_mailboxes(g_mime_message_get_to(m), msg->to) ||
        !collect_mailboxes(g_mime_message_get_cc(m), msg->cc) ||
        (msg->text = body_text(body, limits)) == NULL)
        return NULL;
    util_sha256_hex(data, len, msg->sha256);
    msg->message_id = g_strdup(r->message_id);
    g_free(msg->subject);
    msg->subject = g_strdup(r->subject);
    if (from->len > 0)
        msg->from = g_ptr_array_steal_index(from, 0);
    if (reply_to->len > 0)
        msg->reply_to = g_ptr_array_steal_index(reply_to, 0);
    msg->date = now;
    g_free(msg->reply_text);
    msg->reply_text = quote_strip(msg->text);
    return g_steal_pointer(&msg);
}

static Status
render(Outbox *outbox, const OutboxRequest *req, const Ticket *ticket,
       gint64 now, Rendered *out, GError **error)
{
    const Config *cfg = outbox->cfg;
    const Template *tpl = outbox->templates[req->kind];
    g_autoptr(GHashTable) vars = ticket_vars(outbox, ticket, req);
    g_autoptr(GPtrArray) headers = NULL;
    g_autofree char *body = NULL;
    g_autoptr(GMimeMessage) m = g_mime_message_new(TRUE);
    g_autoptr(InternetAddressMailbox) to = parse_mailbox(req->to);
    g_autoptr(InternetAddressMailbox) from = NULL;
    g_autoptr(GDateTime) date = g_date_time_new_from_unix_utc(now);
    g_autofree char *tag = NULL;
    const char *subject = "", *answered;
    bool has_reply_to = false, has_from = false;
    g_autoptr(GMimeFormatOptions) fmt = NULL;
    g_autofree char *text = NULL;
    g_autofree char *from_text = NULL;

    if (to == NULL)
        return status_set(error, ST_DATAERR,
                          "outbox: cannot send %s to '%s': not an address",
                          outbox_kind_name(req->kind),
                          req->to != NULL ? req->to : "");
    template_render(tpl, vars, &headers, &body);
    if (ticket != NULL)
        tag = ticket_tag(ticket->id, cfg->subject_tag);

    for (guint i = 0; i + 1 < headers->len; i += 2) {
        const char *name = headers->pdata[i], *value = headers->pdata[i + 1];

        if (g_ascii_strcasecmp(name, "Subject") == 0)
            subject = value;
        else if (*value == '\0')
            continue; /* an unset optional header, e.g. Reply-To */
        else if (g_ascii_strcasecmp(name, "Reply-To") == 0) {
            add_address_header(m, GMIME_ADDRESS_TYPE_REPLY_TO, value);
            has_reply_to = true;
        } else if (g_ascii_strcasecmp(name, "From") == 0) {
            add_address_header(m, GMIME_ADDRESS_TYPE_FROM, value);
            has_from = true;
        } else if (g_ascii_strcasecmp(name, "Cc") == 0)
            add_address_header(m, GMIME_ADDRESS_TYPE_CC, value);
        else if (g_ascii_strcasecmp(name, "To") == 0 ||
                 g_ascii_strcasecmp(name, "Message-ID") == 0 ||
                 g_ascii_strcasecmp(name, "Date") == 0 ||
                 g_ascii_strcasecmp(name, "Bcc") == 0)
            continue; /* ours to set */
        else
            g_mime_object_set_header(GMIME_OBJECT(m), name, value, "utf-8");
    }

    from_text = g_strdup(cfg->transport_from != NULL ? cfg->transport_from
                                                     : cfg->support_address);
    from = parse_mailbox(from_text);
    if (from == NULL)
        return status_set(error, ST_CONFIG,
                          "outbox: [transport] from '%s' is not an address",
                          from_text);
    if (!has_from)
        internet_address_list_add(
            g_mime_message_get_from(m), INTERNET_ADDRESS(from));
    internet_address_list_add(g_mime_message_get_to(m),
                              INTERNET_ADDRESS(to));
    if (!has_reply_to)
        add_address_header(m, GMIME_ADDRESS_TYPE_REPLY_TO,
                           cfg->support_address);

    /* The tag in the subject is what threads the customer's reply
     * even when a client drops References (DESIGN 3 step 1). */
    if (tag != NULL && strstr(subject, tag) == NULL) {
        g_autofree char *tagged = g_strdup_printf("%s %s", tag, subject);

        out->subject = g_steal_pointer(&tagged);
    } else
        out->subject = g_strdup(subject);
    g_mime_message_set_subject(m, out->subject, "utf-8");
    g_mime_message_set_date(m, date);
    out->message_id = g_strdup_printf(
        "mt.%" G_GINT64_FORMAT ".%s.%08x%08x@%s",
        ticket != NULL ? ticket->id : (gint64)0, outbox_kind_name(req->kind),
        g_random_int(), g_random_int(), outbox->domain);
    g_mime_message_set_message_id(m, out->message_id);
    answered = answered_message_id(ticket, req->in_reply_to);
    if (answered != NULL) {
        g_autofree char *ref = g_strdup_printf("<%s>", answered);

        g_mime_object_set_header(GMIME_OBJECT(m), "In-Reply-To", ref, NULL);
        g_mime_object_set_header(GMIME_OBJECT(m), "References", ref, NULL);
    }
    /* RFC 3834 section 5: an answer to a message is auto-replied,
     * anything else we send by ourselves auto-generated. */
    g_mime_object_set_header(
        GMIME_OBJECT(m), "Auto-Submitted",
        req->kind == OUTBOX_ACK || req->kind == OUTBOX_ERROR_REPLY
            ? "auto-replied"
            : "auto-generated",
        NULL);
    g_mime_object_set_header(GMIME_OBJECT(m), "X-Loop", cfg->support_address,
                             NULL);
    {
        g_autoptr(GMimeObject) part = text_body(body);

        g_mime_message_set_mime_part(m, part);
    }
    fmt = g_mime_format_options_new();
    g_mime_format_options_set_newline_format(fmt, GMIME_NEWLINE_FORMAT_UNIX);
    text = g_mime_object_to_string(GMIME_OBJECT(m), fmt);
    out->raw = g_bytes_new(text, strlen(text));
    out->msg = rendered_message(m, out->raw, out, body, now, &cfg->limits);
    out->sender = g_strdup(internet_address_mailbox_get_addr(from));
    out->recipient = g_strdup(internet_address_mailbox_get_addr(to));
    return ST_OK;
}

Status
outbox_queue(Outbox *outbox, const OutboxRequest *req, gint64 now,
             gint64 *row_out, GError **error)
{
    g_autoptr(Ticket) ticket = NULL;
    g_auto(Rendered) r = { 0 };
    g_autofree char *kind = g_strdup(outbox_kind_name(req->kind));
    gint64 row = 0;
    Status st;

    if (row_out != NULL)
        *row_out = 0;
    if (req->ticket_id != 0) {
        if ((st = store_ticket_get(outbox->store, req->ticket_id, true,
                                   &ticket, error)) != ST_OK)
            return st;
        if (ticket == NULL)
            return status_set(error, ST_SOFTWARE,
                              "outbox: no ticket %" G_GINT64_FORMAT,
                              req->ticket_id);
    }
    if ((st = render(outbox, req, ticket, now, &r, error)) != ST_OK)
        return st;
    {
        const OutboxRow add = {
            .ticket_id = req->ticket_id,
            .kind = kind,
            .sender = r.sender,
            .recipient = r.recipient,
            .subject = r.subject,
            .message_id = r.message_id,
            .created_at = now,
            .next_attempt_at = now,
            .raw = r.raw,
        };

        if ((st = store_outbox_add(outbox->store, &add, &row, error)) !=
            ST_OK)
            return st;
    }
    if (req->ticket_id != 0) {
        g_autoptr(Message) msg = NULL;
        /* The recipient as the caller named it: other stages' tests
         * and users read this line. */
        g_autofree char *detail = g_strdup_printf(
            "%s to %s", outbox_kind_name(req->kind), req->to);
        const MessageFiling filing = {
            .ticket_id = req->ticket_id,
            .direction = DIRECTION_OUT,
            .role = ROLE_SYSTEM,
            .kind = MSG_KIND_NORMAL,
            .received_at = now,
            .source = "outbox",
        };
        gint64 msg_row = 0;

        g_strdelimit(detail, "\r\n\t", ' ');
        if (r.msg != NULL) {
            msg = g_steal_pointer(&r.msg);
        } else {
            outbox->reparsed++;
            if ((st = parse_message(r.raw, &outbox->cfg->limits, &msg,
                                    error)) != ST_OK)
                return st;
        }
        if ((st = store_message_add(outbox->store, msg, &filing, &msg_row,
                                    error)) != ST_OK ||
            (st = store_event_add(outbox->store, req->ticket_id, now,
                                  "queued", detail, error)) != ST_OK)
            return st;
    }
    if (row_out != NULL)
        *row_out = row;
    return ST_OK;
}

guint
outbox_reparsed(const Outbox *outbox)
{
    return outbox->reparsed;
}

/* --- delivery ------------------------------------------------------- */

static gint64
backoff(int attempts)
{
    gint64 delay = OUTBOX_FIRST_RETRY;

    for (int i = 1; i < attempts && delay < OUTBOX_MAX_RETRY; i++)
        delay *= 2;
    return MIN(delay, OUTBOX_MAX_RETRY);
}

/* Record the outcome of one attempt in its own transaction, so that a
 * mail the server took is marked sent at once: the window in which a
 * kill -9 makes us send it again is this commit (DESIGN 2). */
static Status
record(Outbox *outbox, OutboxRow *row, const char *event,
       gint64 now, GError **error)
{
    Status st;

    if ((st = store_begin(outbox->store, error)) != ST_OK)
        return st;
    if ((st = store_outbox_update(outbox->store, row, error)) != ST_OK ||
        (event != NULL && row->ticket_id != 0 &&
         (st = store_event_add(outbox->store, row->ticket_id, now,
                               row->state == OUTBOX_STATE_SENT
                                   ? "sent"
                                   : "delivery-failed",
                               event, error)) != ST_OK)) {
        store_rollback(outbox->store);
        return st;
    }
    return store_commit(outbox->store, error);
}

Status
outbox_send(Outbox *outbox, Transport *transport, gint64 now,
            bool is_dry_run, OutboxSendCounts *counts, GError **error)
{
    g_autoptr(GPtrArray) rows = NULL;
    Status st;

    memset(counts, 0, sizeof(*counts));
    if ((st = store_outbox_list(outbox->store, true, now, &rows, error)) !=
        ST_OK)
        return st;
    for (guint i = 0; i < rows->len; i++) {
        OutboxRow *row = g_ptr_array_index(rows, i);
        g_autoptr(GError) local = NULL;
        g_autofree char *key = g_strdup_printf(
            "%" G_GINT64_FORMAT ".%s", row->created_at, row->message_id);
        g_autofree char *event = NULL;

        if (is_dry_run) {
            counts->sent++;
            continue;
        }
        st = transport_deliver(transport, row->sender, row->recipient, key,
                               row->raw, &local);
        util_crashpoint("after-deliver");
        row->attempts++;
        g_clear_pointer(&row->last_error, g_free);
        if (st == ST_OK) {
            row->state = OUTBOX_STATE_SENT;
            row->sent_at = now;
            counts->sent++;
            event = g_strdup_printf("%s to %s", row->kind, row->recipient);
        } else {
            bool is_too_old = now - row->created_at >= OUTBOX_GIVE_UP;

            row->last_error = g_strdup(local->message);
            if (st == ST_DATAERR || (st == ST_TEMPFAIL && is_too_old)) {
                row->state = OUTBOX_STATE_FAILED;
                counts->failed++;
                event = g_strdup_printf("%s to %s: %s", row->kind,
                                        row->recipient, local->message);
            } else {
                if (st == ST_TEMPFAIL)
                    row->next_attempt_at = now + backoff(row->attempts);
                counts->deferred++;
            }
        }
        if ((st == ST_OK || st == ST_DATAERR || st == ST_TEMPFAIL)) {
            Status rst = record(outbox, row, event, now, error);

            if (rst != ST_OK)
                return rst;
            continue;
        }
        /* The server is down or refused us: this mail and every other
         * one stays queued, due at once, for the next run. */
        {
            Status rst = record(outbox, row, NULL, now, error);

            if (rst != ST_OK)
                return rst;
        }
        counts->deferred += rows->len - i - 1;
        g_propagate_error(error, g_steal_pointer(&local));
        return st;
    }
    return ST_OK;
}

/* --- bounces of our own mail ---------------------------------------- */

char *
outbox_find_own_message_id(GBytes *raw)
{
    gsize len = 0;
    const char *data = g_bytes_get_data(raw, &len);
    const char *end = data + len;

    /* The returned headers of a DSN (text/rfc822-headers or
     * message/rfc822) carry our Message-ID; so may a quoted copy.  The
     * first id of our shape wins. */
    for (const char *p = data; p != NULL && p < end;) {
        const char *hit = g_strstr_len(p, end - p, "<mt.");
        const char *close;

        if (hit == NULL)
            return NULL;
        close = memchr(hit, '>', MIN((gsize)(end - hit), 256));
        if (close != NULL) {
            g_autofree char *id = g_strndup(hit + 1, (gsize)(close - hit - 1));
            gint64 ticket = 0;

            if (outbox_message_id_ticket(id, &ticket))
                return g_steal_pointer(&id);
        }
        p = hit + 4;
    }
    return NULL;
}

bool
outbox_message_id_ticket(const char *message_id, gint64 *ticket_out)
{
    const char *p;
    char *end = NULL;
    gint64 n;

    if (!g_str_has_prefix(message_id, "mt."))
        return false;
    p = message_id + 3;
    n = g_ascii_strtoll(p, &end, 10);
    if (end == p || *end != '.' || n < 0 || strchr(end, '@') == NULL)
        return false;
    for (const char *c = message_id; *c != '\0'; c++)
        if ((unsigned char)*c <= ' ' || *c == '<' || *c == '>')
            return false;
    *ticket_out = n;
    return true;
}

Status
outbox_bounced(Store *store, gint64 row, const char *why, GError **error)
{
    return store_outbox_mark_failed(store, row, why, error);
}
