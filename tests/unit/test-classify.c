/*
 * test-classify.c - classify_message() on real cases and header tables.
 *
 * Messages are built by hand: the headers of a case's .eml are split
 * and unfolded here (no RFC 2047 decoding; these cases need none), so
 * the test does not depend on parse.c.
 */
#include "config.h"

#include <string.h>

#include "classify.h"
#include "util.h"

static const char *const own_addresses[] = {
    "support@example.com",
    "billing@example.com",
    NULL,
};

static const ClassifyOptions options = { .own_addresses = own_addresses };

static void
add_header(Message *msg, const char *name, const char *value)
{
    HeaderField *field = g_new0(HeaderField, 1);

    field->name = g_strdup(name);
    field->value = g_strdup(value);
    g_ptr_array_add(msg->headers, field);
}

/* "Name <a@b>" or "a@b" into an Address; enough for these tests. */
static Address *
parse_address(const char *value)
{
    g_autofree char *copy = g_strstrip(g_strdup(value));
    const char *lt = strchr(copy, '<');
    g_autofree char *name = NULL;
    g_autofree char *email = NULL;

    if (lt == NULL)
        return address_new(NULL, copy);
    name = g_strstrip(g_strndup(copy, lt - copy));
    if (name[0] == '"') {
        memmove(name, name + 1, strlen(name));
        if (name[0] != '\0' && name[strlen(name) - 1] == '"')
            name[strlen(name) - 1] = '\0';
    }
    email = util_email_normalize(lt);
    return address_new(name, email);
}

/* Fill the Message fields classify reads from one header. */
static void
apply_header(Message *msg, const char *name, const char *value)
{
    add_header(msg, name, value);
    if (g_ascii_strcasecmp(name, "Subject") == 0) {
        g_free(msg->subject);
        msg->subject = g_strdup(value);
    } else if (g_ascii_strcasecmp(name, "From") == 0) {
        address_free(msg->from);
        msg->from = parse_address(value);
    } else if (g_ascii_strcasecmp(name, "Reply-To") == 0) {
        address_free(msg->reply_to);
        msg->reply_to = parse_address(value);
    } else if (g_ascii_strcasecmp(name, "Return-Path") == 0) {
        g_free(msg->return_path);
        msg->return_path = util_email_normalize(value);
    } else if (g_ascii_strcasecmp(name, "In-Reply-To") == 0) {
        g_free(msg->in_reply_to);
        msg->in_reply_to = util_email_normalize(value);
    } else if (g_ascii_strcasecmp(name, "References") == 0) {
        g_auto(GStrv) ids = g_strsplit_set(value, " \t", -1);

        for (char **id = ids; *id != NULL; id++)
            if (**id != '\0')
                g_ptr_array_add(msg->references, util_email_normalize(*id));
    } else if (g_ascii_strcasecmp(name, "Message-ID") == 0) {
        g_free(msg->message_id);
        msg->message_id = util_email_normalize(value);
    }
}

/* A Message from an RFC 5322 header block: split at the first empty
 * line, unfold continuation lines, keep values undecoded. */
static Message *
message_from_text(const char *text)
{
    Message *msg = message_new(NULL);
    g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
    GString *name = g_string_new(NULL);
    GString *value = g_string_new(NULL);

    for (char **line = lines; *line != NULL; line++) {
        gsize len = strlen(*line);
        const char *colon;

        if (len > 0 && (*line)[len - 1] == '\r')
            (*line)[--len] = '\0';
        if (**line == ' ' || **line == '\t') {
            g_string_append_c(value, ' ');
            g_string_append(value, g_strstrip(*line));
            continue;
        }
        if (name->len > 0)
            apply_header(msg, name->str, g_strstrip(value->str));
        g_string_truncate(name, 0);
        g_string_truncate(value, 0);
        if (len == 0)
            break;
        colon = strchr(*line, ':');
        if (colon == NULL)
            continue;
        g_string_append_len(name, *line, colon - *line);
        g_string_append(value, colon + 1);
    }
    if (name->len > 0)
        apply_header(msg, name->str, g_strstrip(value->str));
    g_string_free(name, TRUE);
    g_string_free(value, TRUE);
    return msg;
}

static Message *
message_from_case(const char *case_name, const char *file)
{
    const char *srcdir = g_getenv("MT_SRCDIR");
    g_autofree char *path = NULL;
    g_autofree char *text = NULL;
    g_autoptr(GError) error = NULL;

    if (srcdir == NULL)
        srcdir = ".";
    path = g_build_filename(srcdir, "tests", "cases", case_name, file, NULL);
    g_file_get_contents(path, &text, NULL, &error);
    g_assert_no_error(error);
    return message_from_text(text);
}

/* The real cases; expectations from each folder's expect.json. */
static const struct {
    const char *case_name;
    const char *file;
    MessageKind kind;
    bool may_autoreply;
    guint flags;
} case_table[] = {
    { "C12", "01.eml", MSG_KIND_NORMAL, true, 0 },
    { "C12", "02.eml", MSG_KIND_AUTO_REPLY, false, 0 },
    /* "DR, RN, NRN, OOF": OOF suppresses out-of-office notices only. */
    { "C14", "01.eml", MSG_KIND_NORMAL, true, 0 },
    { "C14", "02.eml", MSG_KIND_NORMAL, false, MSG_FLAG_SUPPRESS_ACK },
    { "C16", "01.eml", MSG_KIND_AUTOMATED, false, 0 },
    { "C16", "02.eml", MSG_KIND_AUTO_REPLY, false, 0 },
    { "C17", "01.eml", MSG_KIND_LIST, false, 0 },
    { "C17", "02.eml", MSG_KIND_LIST, false, 0 },
};

static void
test_cases(void)
{
    for (gsize i = 0; i < G_N_ELEMENTS(case_table); i++) {
        g_autoptr(Message) msg = message_from_case(case_table[i].case_name,
                                                   case_table[i].file);

        g_test_message("%s/%s", case_table[i].case_name,
                       case_table[i].file);
        classify_message(msg, &options);
        g_assert_cmpstr(message_kind_name(msg->kind), ==,
                        message_kind_name(case_table[i].kind));
        g_assert_cmpuint(msg->flags &
                         (MSG_FLAG_SUPPRESS_ACK | MSG_FLAG_LOOP), ==,
                         case_table[i].flags);
        g_assert_cmpint(classify_may_autoreply(msg), ==,
                        case_table[i].may_autoreply);
        if (msg->kind != MSG_KIND_NORMAL)
            g_assert_nonnull(msg->kind_reason);
    }
}

/* Header variants on top of a plain human message.  The base message
 * has From, To, Subject and a Return-Path unless the variant gives its
 * own; "reason" is a substring of kind_reason, or NULL. */
#define BASE_FROM "From: Ana Ruiz <ana.ruiz@example.org>\n"
#define BASE_RP "Return-Path: <ana.ruiz@example.org>\n"
#define BASE_TO "To: support@example.com\n"

static const struct {
    const char *headers;
    MessageKind kind;
    guint flags;
    const char *reason;
} variant_table[] = {
    /* Plain human mail. */
    { BASE_FROM BASE_RP "Subject: Printer on fire\n", MSG_KIND_NORMAL, 0,
      NULL },
    { BASE_FROM "Subject: Absence request for May\n", MSG_KIND_NORMAL, 0,
      NULL },
    { BASE_FROM BASE_RP "Subject: Fwd: Undeliverable: my order\n",
      MSG_KIND_NORMAL, 0, NULL },
    { BASE_FROM BASE_RP "Subject: Out of office next week, who covers?\n",
      MSG_KIND_NORMAL, 0, NULL },
    { BASE_FROM BASE_RP "Subject: Auto: my car does not start\n",
      MSG_KIND_NORMAL, 0, NULL },

    /* Bounces. */
    { "From: MAILER-DAEMON@mx.example.net\nReturn-Path: <>\n"
      "Subject: Undelivered Mail Returned to Sender\n"
      "Content-Type: multipart/report; report-type=delivery-status;\n"
      " boundary=\"x\"\n",
      MSG_KIND_BOUNCE, 0, "delivery-status" },
    { BASE_FROM BASE_RP "Subject: Read: Printer on fire\n"
      "Content-Type: multipart/report;\n"
      " report-type=\"disposition-notification\"\n",
      MSG_KIND_BOUNCE, 0, "disposition-notification" },
    { "From: Mail Delivery Subsystem <mailer-daemon@googlemail.com>\n"
      "Subject: Delivery Status Notification (Failure)\n"
      "X-Failed-Recipients: nobody@example.net\n",
      MSG_KIND_BOUNCE, 0, "X-Failed-Recipients" },
    { "From: Postmaster <postmaster@example.net>\n"
      "Subject: Undeliverable: Printer on fire\n",
      MSG_KIND_BOUNCE, 0, "postmaster" },
    { "From: Postmaster <postmaster@example.net>\n"
      "Subject: Your mail server is on a blocklist\n",
      MSG_KIND_AUTOMATED, 0, "postmaster" },
    { "From: MAILER-DAEMON <>\nSubject: Mail delivery failed\n",
      MSG_KIND_BOUNCE, 0, NULL },
    { "From: Microsoft Outlook <outlook@example.net>\n"
      "X-MS-Exchange-Message-Is-Ndr:\nSubject: Undeliverable: x\n",
      MSG_KIND_BOUNCE, 0, "Is-Ndr" },
    { "From: sysadmin@m01.example.net\nReturn-Path: <>\n"
      "Subject: Undeliverable Message\n",
      MSG_KIND_BOUNCE, 0, NULL },
    { "From: \"Mail Delivery System\" <mta@relay.example.net>\n"
      "Subject: Warning: could not send mail for past 4 hours\n",
      MSG_KIND_BOUNCE, 0, NULL },
    { "From: Kundendienst <kundendienst@example.de>\nReturn-Path: <>\n"
      "Subject: Unzustellbar: Ihre Anfrage\n",
      MSG_KIND_BOUNCE, 0, NULL },
    /* Auto-Submitted: no does not outweigh a report. */
    { BASE_FROM "Auto-Submitted: no\n"
      "Content-Type: multipart/report; report-type=delivery-status\n",
      MSG_KIND_BOUNCE, 0, NULL },

    /* Auto-replies. */
    { BASE_FROM BASE_RP "Subject: Re: x\nAuto-Submitted: auto-replied\n",
      MSG_KIND_AUTO_REPLY, 0, "Auto-Submitted: auto-replied" },
    { BASE_FROM BASE_RP "Subject: x\nAuto-Submitted: Auto-Replied; owner=x\n",
      MSG_KIND_AUTO_REPLY, 0, "Auto-Submitted: auto-replied" },
    { BASE_FROM BASE_RP "Subject: Nightly backup report\n"
      "Auto-Submitted: auto-generated\n",
      MSG_KIND_AUTOMATED, 0, "auto-generated" },
    { BASE_FROM BASE_RP "Subject: x\nPrecedence: auto_reply\n",
      MSG_KIND_AUTO_REPLY, 0, "Precedence" },
    { BASE_FROM BASE_RP "Subject: x\nX-Autoreply: yes\n",
      MSG_KIND_AUTO_REPLY, 0, "X-Autoreply" },
    { BASE_FROM BASE_RP "Subject: x\nX-Autorespond: x\n",
      MSG_KIND_AUTO_REPLY, 0, "X-Autorespond" },
    { BASE_FROM BASE_RP "Subject: x\nX-AutoReply-From: a@example.org\n",
      MSG_KIND_AUTO_REPLY, 0, NULL },
    { BASE_FROM BASE_RP "Subject: x\nX-Mail-Autoreply: yes\n",
      MSG_KIND_AUTO_REPLY, 0, NULL },
    { BASE_FROM BASE_RP "Subject: x\nX-Autogenerated: Reply\n",
      MSG_KIND_AUTO_REPLY, 0, NULL },
    { BASE_FROM BASE_RP "Subject: x\nX-Vacation: yes\n",
      MSG_KIND_AUTO_REPLY, 0, NULL },
    { BASE_FROM BASE_RP "Subject: x\nX-FC-MachineGenerated: true\n",
      MSG_KIND_AUTO_REPLY, 0, NULL },
    { BASE_FROM BASE_RP "Subject: x\nX-POST-MessageClass: 9; Autoresponder\n",
      MSG_KIND_AUTO_REPLY, 0, NULL },
    { BASE_FROM BASE_RP "Subject: x\nAutoforwarded: TRUE\n",
      MSG_KIND_AUTO_REPLY, 0, NULL },
    { BASE_FROM BASE_RP "Subject: Automatic reply: Printer on fire\n",
      MSG_KIND_AUTO_REPLY, 0, "out-of-office" },
    { BASE_FROM BASE_RP "Subject: Autosvar: Printer on fire\n",
      MSG_KIND_AUTO_REPLY, 0, NULL },
    { BASE_FROM BASE_RP "Subject: Automatische Antwort: Drucker\n",
      MSG_KIND_AUTO_REPLY, 0, NULL },
    { BASE_FROM BASE_RP "Subject: Réponse automatique : Imprimante\n",
      MSG_KIND_AUTO_REPLY, 0, NULL },
    { BASE_FROM BASE_RP "Subject: RESPUESTA AUTOMÁTICA: Impresora\n",
      MSG_KIND_AUTO_REPLY, 0, NULL },
    { BASE_FROM BASE_RP "Subject: Risposta automatica: Stampante\n",
      MSG_KIND_AUTO_REPLY, 0, NULL },
    { BASE_FROM BASE_RP "Subject: Abwesenheitsnotiz: Drucker\n",
      MSG_KIND_AUTO_REPLY, 0, NULL },
    { BASE_FROM BASE_RP "Subject: Out of Office: [#1001] x\n",
      MSG_KIND_AUTO_REPLY, 0, NULL },
    { BASE_FROM BASE_RP "Subject: Abwesend bis 14.4.\n"
      "In-Reply-To: <ack.1001@example.com>\n",
      MSG_KIND_AUTO_REPLY, 0, NULL },
    { BASE_FROM "Return-Path: <>\nSubject: Printer on fire\n",
      MSG_KIND_AUTO_REPLY, 0, "Return-Path" },
    /* Auto-Submitted: no silences subject and Return-Path guesses. */
    { BASE_FROM "Return-Path: <>\nAuto-Submitted: no\n"
      "Subject: Automatic reply: x\n",
      MSG_KIND_NORMAL, 0, "Auto-Submitted: no" },

    /* Lists. */
    { BASE_FROM BASE_RP "Subject: x\nList-Id: <users.lists.example.net>\n",
      MSG_KIND_LIST, 0, "List-Id" },
    { BASE_FROM BASE_RP "Subject: x\nList-Post: <mailto:u@example.net>\n",
      MSG_KIND_LIST, 0, NULL },
    { BASE_FROM BASE_RP "Subject: News\nList-Unsubscribe: <https://x/>\n",
      MSG_KIND_LIST, 0, NULL },
    { BASE_FROM BASE_RP "Subject: x\nPrecedence: bulk\n",
      MSG_KIND_LIST, 0, "Precedence: bulk" },
    { BASE_FROM BASE_RP "Subject: x\nPrecedence: junk\n",
      MSG_KIND_LIST, 0, NULL },
    { BASE_FROM BASE_RP "Subject: x\nMailing-List: contact u@example.net\n",
      MSG_KIND_LIST, 0, NULL },
    { BASE_FROM BASE_RP "Subject: x\nX-Mailing-List: <u@example.net>\n",
      MSG_KIND_LIST, 0, NULL },
    /* An auto-reply with Precedence: bulk stays an auto-reply (C12). */
    { BASE_FROM BASE_RP "Subject: x\nPrecedence: bulk\nX-Autoreply: yes\n",
      MSG_KIND_AUTO_REPLY, 0, NULL },

    /* Automated senders. */
    { "From: Shop <noreply@shop.example.net>\nSubject: Your order\n",
      MSG_KIND_AUTOMATED, 0, "noreply@" },
    { "From: Shop <noreply-123@shop.example.net>\nSubject: Your order\n",
      MSG_KIND_AUTOMATED, 0, NULL },
    { "From: Shop <info@shop.example.net>\n"
      "Reply-To: do_not_reply@shop.example.net\nSubject: Your order\n",
      MSG_KIND_AUTOMATED, 0, "Reply-To" },
    /* A web form: noreply@ sends, the customer is in Reply-To. */
    { "From: Web form <noreply@example.com>\n"
      "Reply-To: Ana Ruiz <ana.ruiz@example.org>\nSubject: Contact form\n",
      MSG_KIND_NORMAL, 0, NULL },

    /* Loops. */
    { BASE_FROM BASE_RP "Subject: x\nX-Loop: support@example.com\n",
      MSG_KIND_AUTO_REPLY, MSG_FLAG_LOOP, "X-Loop" },
    { BASE_FROM BASE_RP "Subject: x\n"
      "X-Loop: mailtriage <SUPPORT@example.com>\n",
      MSG_KIND_AUTO_REPLY, MSG_FLAG_LOOP, NULL },
    { BASE_FROM BASE_RP "Subject: x\nX-Loop: helpdesk@example.net\n",
      MSG_KIND_NORMAL, 0, NULL },
    { "From: support@example.com\nSubject: x\n",
      MSG_KIND_AUTO_REPLY, MSG_FLAG_LOOP, "our own" },
    { BASE_FROM BASE_RP "Subject: x\nX-Loop: support@example.com\n"
      "Auto-Submitted: auto-replied\n",
      MSG_KIND_AUTO_REPLY, MSG_FLAG_LOOP, "Auto-Submitted" },

    /* X-Auto-Response-Suppress is a request, not a sign (C14). */
    { BASE_FROM BASE_RP "Subject: x\nX-Auto-Response-Suppress: All\n",
      MSG_KIND_NORMAL, MSG_FLAG_SUPPRESS_ACK, NULL },
    { BASE_FROM BASE_RP "Subject: x\nX-Auto-Response-Suppress: dr, autoreply\n",
      MSG_KIND_NORMAL, MSG_FLAG_SUPPRESS_ACK, NULL },
    { BASE_FROM BASE_RP "Subject: x\n"
      "X-Auto-Response-Suppress: DR, NDR, RN, NRN\n",
      MSG_KIND_NORMAL, 0, NULL },
    { BASE_FROM BASE_RP "Subject: x\nX-Auto-Response-Suppress: OOF\n",
      MSG_KIND_NORMAL, 0, NULL },
};

static void
test_variants(void)
{
    for (gsize i = 0; i < G_N_ELEMENTS(variant_table); i++) {
        g_autofree char *text =
            g_strconcat(variant_table[i].headers, BASE_TO, NULL);
        g_autoptr(Message) msg = message_from_text(text);

        g_test_message("variant %" G_GSIZE_FORMAT, i);
        classify_message(msg, &options);
        g_assert_cmpstr(message_kind_name(msg->kind), ==,
                        message_kind_name(variant_table[i].kind));
        g_assert_cmpuint(msg->flags, ==, variant_table[i].flags);
        if (variant_table[i].reason != NULL) {
            g_assert_nonnull(msg->kind_reason);
            g_assert_nonnull(strstr(msg->kind_reason,
                                    variant_table[i].reason));
        }
    }
}

/* Classifying twice gives the same answer: flags are recomputed. */
static void
test_reclassify(void)
{
    g_autoptr(Message) msg = message_from_text(
        BASE_FROM BASE_RP "Subject: x\nX-Auto-Response-Suppress: All\n");
    ClassifyOptions none = { .own_addresses = NULL };

    classify_message(msg, &options);
    g_assert_cmpuint(msg->flags, ==, MSG_FLAG_SUPPRESS_ACK);
    classify_message(msg, &none);
    g_assert_cmpuint(msg->flags, ==, MSG_FLAG_SUPPRESS_ACK);
    g_assert_cmpint(msg->kind, ==, MSG_KIND_NORMAL);
    g_assert_null(msg->kind_reason);
}

static const struct {
    const char *email;
    bool noreply;
} noreply_table[] = {
    { "noreply@example.net", true },
    { "NoReply@example.net", true },
    { "no-reply@example.net", true },
    { "no_reply@example.net", true },
    { "do-not-reply@example.net", true },
    { "donotreply@example.net", true },
    { "do_not_reply@example.net", true },
    { "noreply-123@example.net", true },
    { "no-reply+x@example.net", true },
    { "shop-noreply@example.net", true },
    { "MAILER-DAEMON@example.net", true },
    { "MAILER-DAEMON", true },
    { "postmaster@example.net", true },
    { "bounce@example.net", true },
    { "bounces+123@example.net", true },
    { "bounce-88213@mailer.example.net", true },
    { "users-list-bounces+support=example.com@lists.example.net", true },
    { "notification@example.net", true },
    { "notifications@github.example.net", true },
    { "ana.ruiz@example.org", false },
    { "support@example.com", false },
    { "replies@example.net", false },
    { "norbert@example.net", false },
    { "", false },
    { NULL, false },
};

static void
test_noreply(void)
{
    for (gsize i = 0; i < G_N_ELEMENTS(noreply_table); i++) {
        g_test_message("%s", noreply_table[i].email);
        g_assert_cmpint(classify_is_noreply_address(noreply_table[i].email),
                        ==, noreply_table[i].noreply);
    }
}

static void
test_may_autoreply(void)
{
    g_autoptr(Message) msg = message_from_text(BASE_FROM "Subject: x\n");

    classify_message(msg, &options);
    g_assert_true(classify_may_autoreply(msg));

    /* The reply address decides. */
    msg->reply_to = address_new(NULL, "no-reply@example.org");
    g_assert_false(classify_may_autoreply(msg));
    address_free(msg->reply_to);
    msg->reply_to = address_new(NULL, "");
    g_assert_false(classify_may_autoreply(msg));
    g_clear_pointer(&msg->reply_to, address_free);
    g_assert_true(classify_may_autoreply(msg));

    msg->flags |= MSG_FLAG_LOOP;
    g_assert_false(classify_may_autoreply(msg));
    msg->flags &= ~(guint)MSG_FLAG_LOOP;

    msg->kind = MSG_KIND_LIST;
    g_assert_false(classify_may_autoreply(msg));
    msg->kind = MSG_KIND_NORMAL;

    g_clear_pointer(&msg->from, address_free);
    g_assert_false(classify_may_autoreply(msg));
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/classify/cases", test_cases);
    g_test_add_func("/classify/variants", test_variants);
    g_test_add_func("/classify/reclassify", test_reclassify);
    g_test_add_func("/classify/noreply", test_noreply);
    g_test_add_func("/classify/may-autoreply", test_may_autoreply);
    return g_test_run();
}
