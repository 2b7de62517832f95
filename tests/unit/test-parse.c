/*
 * test-parse.c - parse_message() against the real failure cases in
 * tests/cases (every per-message expectation there that concerns
 * parsing) and against small hand-made messages for each repair.
 */
#include "config.h"

#include <glib.h>
#include <string.h>

#include "message.h"
#include "parse.h"

#define ANY_SIZE G_MAXSIZE

/* ---------------------------------------------------------------- */
/* Helpers                                                           */

static GBytes *
read_case(const char *rel)
{
    const char *srcdir = g_getenv("MT_SRCDIR");
    g_autofree char *path = g_build_filename(
        srcdir != NULL ? srcdir : ".", "tests", "cases", rel, NULL);
    g_autoptr(GError) error = NULL;
    char *data = NULL;
    gsize len = 0;

    if (!g_file_get_contents(path, &data, &len, &error))
        g_error("cannot read %s: %s", path, error->message);
    return g_bytes_new_take(data, len);
}

static Message *
parse_bytes(GBytes *raw, const Limits *lim)
{
    Limits defaults;
    Message *msg = NULL;
    g_autoptr(GError) error = NULL;

    if (lim == NULL) {
        limits_init_default(&defaults);
        lim = &defaults;
    }
    g_assert_cmpint(parse_message(raw, lim, &msg, &error), ==, ST_OK);
    g_assert_no_error(error);
    g_assert_nonnull(msg);
    g_assert_nonnull(msg->text);
    g_assert_nonnull(msg->reply_text);
    g_assert_nonnull(msg->subject);
    g_assert_true(g_utf8_validate(msg->text, -1, NULL));
    g_assert_true(g_utf8_validate(msg->reply_text, -1, NULL));
    g_assert_true(g_utf8_validate(msg->subject, -1, NULL));
    return msg;
}

/* Parse a message written in the test with LF line ends. */
static Message *
parse_string(const char *s, const Limits *lim)
{
    g_autoptr(GBytes) raw = g_bytes_new(s, strlen(s));

    return parse_bytes(raw, lim);
}

static bool
has_problem(const Message *msg, const char *needle)
{
    for (guint i = 0; i < msg->problems->len; i++)
        if (strstr(g_ptr_array_index(msg->problems, i), needle) != NULL)
            return true;
    return false;
}

static const Attachment *
find_attachment(const Message *msg, const char *filename)
{
    for (guint i = 0; i < msg->attachments->len; i++) {
        const Attachment *att = g_ptr_array_index(msg->attachments, i);

        if (strcmp(att->filename, filename) == 0)
            return att;
    }
    return NULL;
}

static bool
has_line(const char *text, const char *line)
{
    g_auto(GStrv) lines = g_strsplit(text, "\n", -1);

    for (guint i = 0; lines[i] != NULL; i++)
        if (strcmp(g_strstrip(lines[i]), line) == 0)
            return true;
    return false;
}

/* ---------------------------------------------------------------- */
/* The cases                                                         */

typedef struct {
    const char *filename; /* NULL: don't check */
    gsize size;           /* ANY_SIZE: don't check */
    const char *content_type;
} AttExpect;

typedef struct {
    const char *file;
    const char *subject;
    const char *from_name;
    const char *thread_index_b64;
    const char *contains[6]; /* in reply_text */
    const char *excludes[4]; /* not in reply_text */
    const char *must_not[4]; /* not in text */
    int n_atts;              /* -1: don't check */
    AttExpect atts[3];
} CaseExpect;

static const CaseExpect cases[] = {
    { .file = "C03/01.eml",
      .subject = "Drucker im 2. OG druckt nur leere Seiten",
      .from_name = "Jörg Albrecht",
      .thread_index_b64 = "AduSW1X+mz5dGnwvToC2HQpMji96Ew==",
      .contains = { "druckt seit heute Morgen nur leere Seiten",
                    "Viele Grüße" } },
    { .file = "C03/02.eml",
      .subject = "AW: Drucker im 2. OG druckt nur leere Seiten",
      .from_name = "Sabine Krüger",
      .thread_index_b64 = "AduSW1X+mz5dGnwvToC2HQpMji96EwABEi5a",
      .contains = { "Bei uns im 2. OG links ebenfalls" },
      .excludes = { "Gesendet: Dienstag", "Toner ist laut Anzeige voll" } },
    { .file = "C05/02.eml",
      .subject = "[#1001] additional screenshot",
      .contains = { "attached is a screenshot" },
      .n_atts = 1,
      .atts = { { "login-error.png", 80, "image/png" } } },
    { .file = "C18/01.eml",
      .subject = "Störung: Zeiterfassung überträgt Überstunden nicht",
      .from_name = "Søren Kjærgaard",
      .contains = { "keine Überstunden mehr" } },
    { .file = "C18/02.eml",
      .subject =
          "AW: Störung: Zeiterfassung [#1001] – betrifft auch Werk Süd",
      .from_name = "Søren Kjærgaard",
      .contains = { "auch im Werk Süd" } },
    { .file = "C20/01.eml",
      .subject = "請求書の再発行のお願い",
      .from_name = "佐藤 健",
      .contains = { "請求書番号 INV-4471", "サンプル商事株式会社 経理部" },
      .must_not = { "\033$B", "$B", "\033(B" } },
    { .file = "C21/01.eml",
      .subject = "Refund for order 7734 – still missing",
      .from_name = "Niamh O’Sullivan",
      .contains = { "49,90 €", "hasn’t arrived yet…", "“within 5 days”" } },
    { .file = "C22/01.eml",
      .subject = "Rechnungsprüfung: Freigabe hängt seit Freitag",
      .from_name = "Zoë Lindqvist-Åberg",
      .contains = { "„Freigabe ausstehend“" } },
    { .file = "C22/02.eml",
      .subject = "Не приходят уведомления о новых заявках",
      .from_name = "Ольга Смирнова",
      .contains = { "не приходят уведомления" } },
    { .file = "C23/01.eml",
      .subject = "VPN 접속 오류 문의",
      .from_name = "김민준",
      .contains = { "인증 오류(코드 809)가 발생합니다" } },
    { .file = "C24/01.eml",
      .subject = "[EXTERNAL]Réclamation facture n° 2025-311",
      .from_name = "Françoise Leclerc",
      .contains = { "« maintenance annuelle »" } },
    { .file = "C24/02.eml",
      .subject = "RE:[EXTERNAL][#1001] Réclamation facture n° 2025-311",
      .n_atts = -1 },
    { .file = "C26/01.eml",
      .contains = { "10 statt 12 Paletten" },
      .n_atts = 1,
      .atts = { { "Lieferschein_88123.pdf", 609, NULL } } },
    { .file = "C29/01.eml",
      .contains = { "reports warnings since Tuesday" },
      .excludes = { "begin 644" },
      .n_atts = 1,
      .atts = { { "backup-job.log", 2098, NULL } } },
    { .file = "C30/01.eml",
      .contains = { "the vendor wants penalties" },
      .excludes = { "attached are the penalties for the late lines",
                    "The carrier confirmed" },
      .must_not = { "attached are the penalties for the late lines",
                    "The carrier confirmed" },
      .n_atts = 2,
      .atts = { { "Late delivery penalties for PO 33017.eml", 1051,
                  "message/rfc822" },
                { "RE: PO 33017 delivery dates.eml", 540,
                  "message/rfc822" } } },
    { .file = "C30/02.eml",
      .n_atts = 1,
      .atts = { { "penalties-PO33017.csv", 84, NULL } } },
    { .file = "C31/01.eml",
      .contains = { "the booking page shows an error",
                    "Step 1: open the calendar",
                    "Result: \"Error 500 – please try again\"", "Edge 135",
                    "Kind regards," },
      .excludes = { "margin-top", "<div", "&quot;", "elementToProof" } },
    { .file = "C31/02.eml",
      .contains = { "Hafenstraße 12", "20457 Hamburg" } },
    { .file = "C32/01.eml",
      .contains = { "stopped sending scans to e-mail", "Lena Hoffmann" },
      .must_not = { "\xEF\xBF\xBD" } },
    { .file = "C32/02.eml",
      .contains = { "shows every booking twice",
                    "since the migration last night. Can you check? - "
                    "Marco" } },
    { .file = "C33/02.eml" },
};

static void
test_case(gconstpointer data)
{
    const CaseExpect *c = data;
    g_autoptr(GBytes) raw = read_case(c->file);
    g_autoptr(Message) msg = parse_bytes(raw, NULL);

    g_assert_true(g_bytes_equal(msg->raw, raw));
    if (c->subject != NULL)
        g_assert_cmpstr(msg->subject, ==, c->subject);
    if (c->from_name != NULL) {
        g_assert_nonnull(msg->from);
        g_assert_cmpstr(msg->from->name, ==, c->from_name);
    }
    if (c->thread_index_b64 != NULL) {
        g_autofree char *b64 = NULL;

        g_assert_nonnull(msg->thread_index);
        b64 = g_base64_encode(g_bytes_get_data(msg->thread_index, NULL),
                              g_bytes_get_size(msg->thread_index));
        g_assert_cmpstr(b64, ==, c->thread_index_b64);
    }
    for (guint i = 0; i < G_N_ELEMENTS(c->contains) && c->contains[i]; i++)
        if (strstr(msg->reply_text, c->contains[i]) == NULL)
            g_error("%s: reply_text lacks '%s':\n%s", c->file,
                    c->contains[i], msg->reply_text);
    for (guint i = 0; i < G_N_ELEMENTS(c->excludes) && c->excludes[i]; i++)
        if (strstr(msg->reply_text, c->excludes[i]) != NULL)
            g_error("%s: reply_text has '%s':\n%s", c->file, c->excludes[i],
                    msg->reply_text);
    for (guint i = 0; i < G_N_ELEMENTS(c->must_not) && c->must_not[i]; i++)
        if (strstr(msg->text, c->must_not[i]) != NULL)
            g_error("%s: text has '%s':\n%s", c->file, c->must_not[i],
                    msg->text);
    if (c->n_atts >= 0)
        g_assert_cmpuint(msg->attachments->len, ==, (guint)c->n_atts);
    for (int i = 0; i < c->n_atts; i++) {
        const Attachment *att = g_ptr_array_index(msg->attachments, i);

        if (c->atts[i].filename != NULL)
            g_assert_cmpstr(att->filename, ==, c->atts[i].filename);
        if (c->atts[i].size != ANY_SIZE) {
            g_assert_cmpuint(att->size, ==, c->atts[i].size);
            g_assert_nonnull(att->data);
            g_assert_cmpuint(g_bytes_get_size(att->data), ==,
                             c->atts[i].size);
        }
        if (c->atts[i].content_type != NULL)
            g_assert_cmpstr(att->content_type, ==, c->atts[i].content_type);
    }
}

/* C18: no replacement characters or undecoded words in the subject. */
static void
test_case_c18_clean_subject(void)
{
    static const char *const files[] = { "C18/01.eml", "C18/02.eml" };

    for (guint i = 0; i < G_N_ELEMENTS(files); i++) {
        g_autoptr(GBytes) raw = read_case(files[i]);
        g_autoptr(Message) msg = parse_bytes(raw, NULL);

        g_assert_null(strstr(msg->subject, "\xEF\xBF\xBD"));
        g_assert_null(strstr(msg->subject, "=?utf-8?"));
    }
}

/* C21: no C1 control characters anywhere. */
static void
test_case_c21_no_c1(void)
{
    g_autoptr(GBytes) raw = read_case("C21/01.eml");
    g_autoptr(Message) msg = parse_bytes(raw, NULL);
    const char *const fields[] = { msg->text, msg->subject,
                                   msg->from->name };

    for (guint i = 0; i < G_N_ELEMENTS(fields); i++)
        for (const char *p = fields[i]; *p != '\0';
             p += g_utf8_skip[*(const guchar *)p]) {
            gunichar c = g_utf8_get_char(p);

            g_assert_false(c >= 0x80 && c <= 0x9F);
        }
}

/* C29: the uu trailer line is gone with the block. */
static void
test_case_c29_trailer(void)
{
    g_autoptr(GBytes) raw = read_case("C29/01.eml");
    g_autoptr(Message) msg = parse_bytes(raw, NULL);
    const Attachment *att = find_attachment(msg, "backup-job.log");

    g_assert_false(has_line(msg->text, "end"));
    g_assert_false(has_line(msg->text, "`"));
    g_assert_nonnull(att);
    g_assert_true(g_str_has_prefix(g_bytes_get_data(att->data, NULL),
                                   "2025-04-23"));
}

/* C30: the forwarded bytes are the encapsulated message as it stands,
 * and its Message-ID is not ours. */
static void
test_case_c30_forwarded(void)
{
    g_autoptr(GBytes) raw = read_case("C30/01.eml");
    g_autoptr(GBytes) raw2 = read_case("C30/02.eml");
    g_autoptr(Message) msg = parse_bytes(raw, NULL);
    g_autoptr(Message) msg2 = parse_bytes(raw2, NULL);
    const Attachment *att = g_ptr_array_index(msg->attachments, 0);
    const char *d = g_bytes_get_data(att->data, NULL);

    g_assert_cmpstr(msg->message_id, ==,
                    "AS8PR05MB9177B1A2C3D4E5F60718293A4B5C6@AS8PR05MB9177"
                    ".eurprd05.prod.example.org");
    g_assert_cmpstr(msg2->message_id, ==,
                    "3c9a0e5d-7b21-4f6e-a8d4-1e5f2b7c9a30@example.net");
    g_assert_true(g_str_has_prefix(d, "Message-ID: <3c9a0e5d"));
    g_assert_true(memcmp(d + att->size - 6, "sP--\r\n", 6) == 0);
    g_assert_cmpstr(msg->subject, ==,
                    "FW: vendor penalties PO 33017 - two mails attached");
}

/* C31 01: Step 1 and Step 2 on their own lines; the HTML is kept. */
static void
test_case_c31_lines(void)
{
    g_autoptr(GBytes) raw = read_case("C31/01.eml");
    g_autoptr(Message) msg = parse_bytes(raw, NULL);
    g_auto(GStrv) lines = g_strsplit(msg->text, "\n", -1);

    for (guint i = 0; lines[i] != NULL; i++)
        g_assert_false(strstr(lines[i], "Step 1") != NULL &&
                       strstr(lines[i], "Step 2") != NULL);
    g_assert_nonnull(msg->html);
    g_assert_nonnull(strstr(msg->html, "<div"));
}

/* C33 under the case's limit: text kept, attachment omitted, flagged. */
static void
test_case_c33_limit(void)
{
    g_autoptr(GBytes) raw = read_case("C33/01.eml");
    Limits lim;
    g_autoptr(Message) msg = NULL;
    const Attachment *att;

    limits_init_default(&lim);
    lim.max_message_bytes = 1048576;
    msg = parse_bytes(raw, &lim);
    g_assert_nonnull(strstr(msg->reply_text, "The import tool on"));
    g_assert_nonnull(strstr(msg->reply_text, "stops at 40%"));
    att = find_attachment(msg, "survey-cam-0505.raw");
    g_assert_nonnull(att);
    g_assert_null(att->data);
    g_assert_cmpuint(att->size, ==, 1100000);
    g_assert_true((msg->flags & MSG_FLAG_TRUNCATED) != 0);
    g_assert_true(has_problem(msg, "attachment 'survey-cam-0505.raw' "
                                   "omitted: message exceeds size limit"));
}

/* C33 under the default limit: the attachment is stored whole. */
static void
test_case_c33_stored(void)
{
    g_autoptr(GBytes) raw = read_case("C33/01.eml");
    g_autoptr(Message) msg = parse_bytes(raw, NULL);
    const Attachment *att = find_attachment(msg, "survey-cam-0505.raw");

    g_assert_nonnull(att);
    g_assert_nonnull(att->data);
    g_assert_cmpuint(att->size, ==, 1100000);
    g_assert_cmpuint(g_bytes_get_size(att->data), ==, 1100000);
    g_assert_true((msg->flags & MSG_FLAG_TRUNCATED) == 0);
}

/* ---------------------------------------------------------------- */
/* Header fields                                                     */

static void
test_ids(void)
{
    g_autoptr(Message) msg = parse_string(
        "Message-ID: bare-id@example.com\n"
        "In-Reply-To: <parent@example.com> (Your message of Monday)\n"
        "References: <root@example.com>\n"
        "\t<mid@example.com>   <parent@example.com>\n"
        "Subject: ids\n"
        "\n"
        "body\n",
        NULL);
    g_autoptr(Message) none = parse_string("Subject: x\n\nbody\n", NULL);
    g_autoptr(Message) bare = parse_string(
        "References: a@example.com b@example.com\n"
        "In-Reply-To: Your message of Monday\n\nx\n",
        NULL);

    g_assert_cmpstr(msg->message_id, ==, "bare-id@example.com");
    g_assert_cmpstr(msg->in_reply_to, ==, "parent@example.com");
    g_assert_cmpuint(msg->references->len, ==, 3);
    g_assert_cmpstr(g_ptr_array_index(msg->references, 0), ==,
                    "root@example.com");
    g_assert_cmpstr(g_ptr_array_index(msg->references, 2), ==,
                    "parent@example.com");
    g_assert_null(none->message_id);
    g_assert_null(none->in_reply_to);
    g_assert_cmpuint(none->references->len, ==, 0);
    g_assert_cmpuint(bare->references->len, ==, 2);
    g_assert_cmpstr(g_ptr_array_index(bare->references, 1), ==,
                    "b@example.com");
    g_assert_null(bare->in_reply_to);
}

static void
test_references_cap(void)
{
    g_autoptr(GString) s = g_string_new("References:");
    g_autoptr(Message) msg = NULL;

    for (int i = 0; i < 150; i++)
        g_string_append_printf(s, "\n <id%d@example.com>", i);
    g_string_append(s, "\n\nbody\n");
    msg = parse_string(s->str, NULL);
    g_assert_cmpuint(msg->references->len, ==, 100);
    g_assert_cmpstr(g_ptr_array_index(msg->references, 0), ==,
                    "id0@example.com");
    g_assert_cmpstr(g_ptr_array_index(msg->references, 1), ==,
                    "id51@example.com");
    g_assert_cmpstr(g_ptr_array_index(msg->references, 99), ==,
                    "id149@example.com");
}

static void
test_addresses(void)
{
    g_autoptr(Message) msg = parse_string(
        "From: \"Doe, Jane\" <Jane.Doe@Example.COM>\n"
        "Reply-To: helpdesk@example.org\n"
        "To: Team: a@example.com, B <b@EXAMPLE.com>;, c@example.net\n"
        "Cc: =?utf-8?q?J=C3=BCrgen?= <j@example.de>\n"
        "Delivered-To: Support@Example.com\n"
        "X-Original-To: <billing@example.com>\n"
        "Delivered-To: support@example.com\n"
        "Return-Path: <>\n"
        "\nbody\n",
        NULL);
    const Address *a;

    g_assert_cmpstr(msg->from->name, ==, "Doe, Jane");
    g_assert_cmpstr(msg->from->email, ==, "jane.doe@example.com");
    g_assert_null(msg->reply_to->name);
    g_assert_cmpstr(msg->reply_to->email, ==, "helpdesk@example.org");
    g_assert_cmpuint(msg->to->len, ==, 3);
    a = g_ptr_array_index(msg->to, 1);
    g_assert_cmpstr(a->name, ==, "B");
    g_assert_cmpstr(a->email, ==, "b@example.com");
    a = g_ptr_array_index(msg->cc, 0);
    g_assert_cmpstr(a->name, ==, "Jürgen");
    g_assert_cmpuint(msg->delivered_to->len, ==, 2);
    g_assert_cmpstr(g_ptr_array_index(msg->delivered_to, 0), ==,
                    "support@example.com");
    g_assert_cmpstr(g_ptr_array_index(msg->delivered_to, 1), ==,
                    "billing@example.com");
    g_assert_cmpstr(msg->return_path, ==, "");
}

static void
test_from_salvage(void)
{
    g_autoptr(Message) msg =
        parse_string("From: ((( \"unclosed <Foo@Example.com\n\nbody\n", NULL);
    g_autoptr(Message) none = parse_string("Subject: x\n\nbody\n", NULL);

    g_assert_nonnull(msg->from);
    g_assert_cmpstr(msg->from->email, ==, "foo@example.com");
    g_assert_null(none->from);
    g_assert_null(none->return_path);
}

/* Mailboxes without angle brackets: "word (comment)" (mail006,
 * mail053), words without "@" in To (mail035, mail070), the quoted
 * name of an unparseable From (mail071), words in an addr-spec
 * (mail118). */
static void
test_address_forms(void)
{
    g_autoptr(Message) msg = parse_string(
        "From: MAILER-DAEMON (Mail Delivery System)\n"
        "To: =?iso-8859-2?Q?Namedy=F1ski?= (hans@example.com), Recipients,"
        " xxx (nobody), Ann <ann@example.com>\n"
        "Cc: undisclosed-recipients:;\n"
        "Reply-To: =?utf-8?Q?agent?=@example.com\n"
        "\nbody\n",
        NULL);
    g_autoptr(Message) salvaged = parse_string(
        "From: \"your secret past\" <power quadrant system@example.com>\n"
        "\nbody\n",
        NULL);
    const Address *a;

    g_assert_nonnull(msg->from);
    g_assert_cmpstr(msg->from->name, ==, "Mail Delivery System");
    g_assert_cmpstr(msg->from->email, ==, "mailer-daemon");
    g_assert_cmpuint(msg->to->len, ==, 2);
    a = g_ptr_array_index(msg->to, 0);
    g_assert_cmpstr(a->name, ==, "Namedyński");
    g_assert_cmpstr(a->email, ==, "hans@example.com");
    a = g_ptr_array_index(msg->to, 1);
    g_assert_cmpstr(a->name, ==, "Ann");
    g_assert_cmpstr(a->email, ==, "ann@example.com");
    g_assert_cmpuint(msg->cc->len, ==, 0);
    g_assert_nonnull(msg->reply_to);
    g_assert_cmpstr(msg->reply_to->email, ==,
                    "=?utf-8?q?agent?=@example.com");
    g_assert_nonnull(salvaged->from);
    g_assert_cmpstr(salvaged->from->name, ==, "your secret past");
    g_assert_cmpstr(salvaged->from->email, ==, "system@example.com");
}

static void
test_header_list(void)
{
    g_autoptr(Message) msg = parse_string(
        "Received: from a by mx1.example.com; Tue, 29 Apr 2025 09:12:27 "
        "+0200 (CEST)\n"
        "Received: from b by a; Tue, 29 Apr 2025 09:00:00 +0200\n"
        "Subject: =?utf-8?q?caf=C3=A9?=\n"
        "Content-Type: text/plain; charset=utf-8\n"
        "X-Spam-Flag: YES\n"
        "Date: Tue, 29 Apr 2025 07:12:24 +0000\n"
        "Thread-Index: AQHbuM3l2E9p0kWZ1kmdQx0Y8nB7QA==\n"
        "Thread-Topic: =?utf-8?q?caf=C3=A9?=\n"
        "\nbody\n",
        NULL);
    const HeaderField *f;

    g_assert_cmpuint(msg->headers->len, ==, 8);
    f = g_ptr_array_index(msg->headers, 3);
    g_assert_cmpstr(f->name, ==, "Content-Type");
    f = g_ptr_array_index(msg->headers, 2);
    g_assert_cmpstr(f->value, ==, "café");
    g_assert_cmpstr(message_header(msg, "x-spam-flag"), ==, "YES");
    g_assert_cmpstr(msg->subject, ==, "café");
    g_assert_cmpstr(msg->thread_topic, ==, "café");
    g_assert_cmpint(msg->date, ==, 1745910744);
    g_assert_cmpint(msg->received_at, ==, 1745910747);
    g_assert_cmpuint(g_bytes_get_size(msg->thread_index), ==, 22);
}

static void
test_max_headers(void)
{
    Limits lim;
    g_autoptr(Message) msg = NULL;

    limits_init_default(&lim);
    lim.max_headers = 2;
    msg = parse_string("A: 1\nB: 2\nC: 3\nSubject: kept\n\nbody\n", &lim);
    g_assert_cmpuint(msg->headers->len, ==, 2);
    g_assert_cmpstr(msg->subject, ==, "kept");
    g_assert_true(has_problem(msg, "more than 2 header fields"));
}

static const struct {
    const char *value;
    gint64 t;
} dates[] = {
    { "Tue, 29 Apr 2025 07:12:24 +0000", 1745910744 },
    { "29 Apr 2025 09:12:24 +0200 (CEST)", 1745910744 },
    { "  Tue, 29 Apr 2025 07:12:24 GMT", 1745910744 },
    /* Garbage seconds (stalwart malformed/019): GMime would drop the
     * whole time; hours and minutes stay. */
    { "Tue, 7 Apr 2026 10:00:t +0000", 1775556000 },
    { "Tue, 7 Apr 2026 10:00:t <x@example.test>", 1775556000 },
    { "garbage", MESSAGE_NO_TIME },
    { "", MESSAGE_NO_TIME },
    { "Thu, 01 Jan 1970 00:00:00 +0000", MESSAGE_NO_TIME },
    { "Mon, 1 Jan 2201 00:00:00 +0000", MESSAGE_NO_TIME },
    { NULL, MESSAGE_NO_TIME },
};

static void
test_parse_date(void)
{
    for (guint i = 0; i < G_N_ELEMENTS(dates); i++)
        g_assert_cmpint(parse_date(dates[i].value), ==, dates[i].t);
}

/* ---------------------------------------------------------------- */
/* Bodies                                                            */

static void
test_broken_base64(void)
{
    /* Two runs, the first padded mid-line, then a disclaimer. */
    g_autoptr(Message) msg = parse_string(
        "Content-Type: text/plain; charset=utf-8\n"
        "Content-Transfer-Encoding: base64\n"
        "\n"
        "SGVsbG8s\n"
        "IHdvcmxkIQ==SGk=\n"
        "IHRoZXJl\n"
        "\n"
        "-- \n"
        "Disclaimer: scanned by Guard.\n",
        NULL);

    g_assert_nonnull(strstr(msg->text, "Hello, world!Hi there"));
    g_assert_nonnull(strstr(msg->text, "Disclaimer: scanned by Guard."));
    g_assert_true(has_problem(msg, "base64"));
}

static void
test_base64_exact(void)
{
    guint8 bin[256];
    g_autofree char *b64 = NULL;
    g_autofree char *mail = NULL;
    g_autoptr(Message) msg = NULL;
    const Attachment *att;
    gsize n;

    for (int i = 0; i < 256; i++)
        bin[i] = (guint8)(255 - i);
    b64 = g_base64_encode(bin, sizeof(bin));
    mail = g_strdup_printf(
        "Content-Type: multipart/mixed; boundary=b\n\n"
        "--b\nContent-Type: text/plain\n\nsee attachment\n"
        "--b\nContent-Type: application/octet-stream; name=data.bin\n"
        "Content-Transfer-Encoding: base64\n\n%.76s\n%s\n--b--\n",
        b64, b64 + 76);
    msg = parse_string(mail, NULL);
    att = find_attachment(msg, "data.bin");
    g_assert_nonnull(att);
    g_assert_cmpstr(att->content_type, ==, "application/octet-stream");
    g_assert_cmpuint(att->size, ==, 256);
    g_assert_cmpmem(g_bytes_get_data(att->data, &n), n, bin, sizeof(bin));
    g_assert_cmpstr(msg->text, ==, "see attachment");
}

static void
test_filenames(void)
{
    g_autoptr(Message) msg = parse_string(
        "Content-Type: multipart/mixed; boundary=b\n\n"
        "--b\nContent-Type: text/plain\n\nfiles\n"
        "--b\nContent-Type: application/pdf\n"
        "Content-Disposition: attachment;\n"
        " filename*0*=utf-8''Rechnung%20f%C3%BCr;\n"
        " filename*1*=%20M%C3%A4rz.pdf\n\n%PDF\n"
        "--b\nContent-Type: application/pdf;\n"
        " name=\"=?UTF-8?B?w4RuZGVydW5nLnBkZg==?=\"\n\n%PDF\n"
        "--b\nContent-Type: image/png\nContent-ID: <img1>\n\nPNG\n"
        "--b\nContent-Type: application/pdf; name=\"../../etc/x.pdf\"\n\n%PDF\n"
        "--b--\n",
        NULL);

    g_assert_cmpuint(msg->attachments->len, ==, 4);
    g_assert_nonnull(find_attachment(msg, "Rechnung für März.pdf"));
    g_assert_nonnull(find_attachment(msg, "Änderung.pdf"));
    g_assert_nonnull(find_attachment(msg, "attachment-3.png"));
    g_assert_nonnull(find_attachment(msg, ".._.._etc_x.pdf"));
    g_assert_cmpstr(msg->text, ==, "files");
}

static void
test_alternative(void)
{
    g_autoptr(Message) msg = parse_string(
        "Content-Type: multipart/alternative; boundary=b\n\n"
        "--b\nContent-Type: text/plain; charset=utf-8\n\nplain wins\n"
        "--b\nContent-Type: text/html; charset=utf-8\n\n<p>html</p>\n"
        "--b--\n",
        NULL);
    g_autoptr(Message) related = parse_string(
        "Content-Type: multipart/alternative; boundary=b\n\n"
        "--b\nContent-Type: text/plain; charset=utf-8\n\n \n"
        "--b\nContent-Type: multipart/related; boundary=c\n\n"
        "--c\nContent-Type: text/html; charset=utf-8\n\n<p>from html</p>\n"
        "--c\nContent-Type: image/png; name=logo.png\nContent-ID: <l>\n\nPNG\n"
        "--c--\n"
        "--b--\n",
        NULL);

    g_assert_cmpstr(msg->text, ==, "plain wins");
    g_assert_nonnull(msg->html);
    g_assert_nonnull(strstr(msg->html, "<p>html</p>"));
    g_assert_nonnull(strstr(related->text, "from html"));
    g_assert_nonnull(find_attachment(related, "logo.png"));
}

/* The HTML alternative inside multipart/related or mixed is still the
 * message's HTML (mail009, mail085); a plain alternative that is a
 * multipart/mixed is walked (RFC 8621 4.1.4, stalwart rfc/007). */
static void
test_alternative_nested(void)
{
    g_autoptr(Message) related = parse_string(
        "Content-Type: multipart/alternative; boundary=b\n\n"
        "--b\nContent-Type: text/plain\n\nplain\n"
        "--b\nContent-Type: multipart/related; boundary=c\n\n"
        "--c\nContent-Type: text/html\n\n<p>rel</p>\n"
        "--c\nContent-Type: image/png; name=i.png\n\nPNG\n"
        "--c--\n"
        "--b--\n",
        NULL);
    g_autoptr(Message) mixed = parse_string(
        "Content-Type: multipart/alternative; boundary=b\n\n"
        "--b\nContent-Type: text/plain\n\nplain\n"
        "--b\nContent-Type: multipart/mixed; boundary=c\n\n"
        "--c\nContent-Type: text/html\n\n<p>one</p>\n"
        "--c\nContent-Type: text/html\n\n<p>two</p>\n"
        "--c--\n"
        "--b--\n",
        NULL);
    g_autoptr(Message) rfc8621 = parse_string(
        "Content-Type: multipart/mixed; boundary=1\n\n"
        "--1\nContent-Type: text/plain\n\nA\n"
        "--1\nContent-Type: multipart/alternative; boundary=3\n\n"
        "--3\nContent-Type: multipart/mixed; boundary=4\n\n"
        "--4\nContent-Type: text/plain\n\nB\n"
        "--4\nContent-Type: image/jpeg\nContent-Disposition: inline\n\nC\n"
        "--4\nContent-Type: text/plain\n\nD\n"
        "--4--\n"
        "--3\nContent-Type: multipart/related; boundary=5\n\n"
        "--5\nContent-Type: text/html\n\n<html>E</html>\n"
        "--5\nContent-Type: image/jpeg\n\nF\n"
        "--5--\n"
        "--3--\n"
        "--1\nContent-Type: text/plain\n\nK\n"
        "--1--\n",
        NULL);
    /* An empty plain branch still gives way to the HTML (C31 02). */
    g_autoptr(Message) empty = parse_string(
        "Content-Type: multipart/alternative; boundary=b\n\n"
        "--b\nContent-Type: multipart/mixed; boundary=c\n\n"
        "--c\nContent-Type: text/plain\n\n \n"
        "--c--\n"
        "--b\nContent-Type: text/html\n\n<p>html</p>\n"
        "--b--\n",
        NULL);

    g_assert_cmpstr(related->text, ==, "plain");
    g_assert_nonnull(related->html);
    g_assert_nonnull(strstr(related->html, "<p>rel</p>"));
    g_assert_nonnull(find_attachment(related, "i.png"));
    g_assert_nonnull(mixed->html);
    g_assert_nonnull(strstr(mixed->html, "<p>one</p>"));
    g_assert_cmpstr(rfc8621->text, ==, "A\n\nB\n\nD\n\nK");
    g_assert_nonnull(rfc8621->html);
    g_assert_nonnull(strstr(rfc8621->html, "E"));
    g_assert_cmpstr(empty->text, ==, "html");
}

/* Content-Transfer-Encoding: x-uuencode without begin and end lines
 * (mail078). */
static void
test_uuencode_part_without_begin(void)
{
    g_autoptr(Message) msg = parse_string(
        "Content-Type: multipart/mixed; boundary=b\n\n"
        "--b\nContent-Type: text/plain\n\nsee attached\n"
        "--b\nContent-Type: application/msword; name=a.txt\n"
        "Content-Transfer-Encoding: x-uuencode\n\n"
        ",2&5L;&\\@6F%M;6%D\n"
        "`\n"
        "--b--\n",
        NULL);
    const Attachment *att = find_attachment(msg, "a.txt");
    gsize n;

    g_assert_nonnull(att);
    g_assert_cmpmem(g_bytes_get_data(att->data, &n), n, "Hello Zammad", 12);
}

/* A multipart whose boundary never occurs (stalwart malformed/002,
 * Zammad mail105): its content is the text, decoded. */
static void
test_multipart_without_parts(void)
{
    g_autoptr(Message) msg = parse_string(
        "Content-Type: multipart/mixed; boundary=\"ab\"\n\nbody\n", NULL);
    g_autoptr(Message) qp = parse_string(
        "Content-Transfer-Encoding: quoted-printable\n"
        "Content-Type: multipart/mixed; boundary=\"never\"\n\n"
        "=C3=A4=C3=B6 ok\n",
        NULL);

    g_assert_cmpstr(msg->text, ==, "body");
    g_assert_true(has_problem(msg, "without parts"));
    g_assert_cmpstr(qp->text, ==, "äö ok");
}

/* base64 with text after the padding on the same line (stalwart
 * thirdparty/002): the data, then the rest as text. */
static void
test_base64_tail_in_line(void)
{
    g_autoptr(Message) msg = parse_string(
        "Content-Type: text/plain; charset=utf-8\n"
        "Content-Transfer-Encoding: base64\n\n"
        "ecO2dMOkIHZhYW4uCg== ignored\n",
        NULL);

    g_assert_cmpstr(msg->text, ==, "yötä vaan.\nignored");
    g_assert_true(has_problem(msg, "base64"));
}

static void
test_mixed_inline_texts(void)
{
    g_autoptr(Message) msg = parse_string(
        "Content-Type: multipart/mixed; boundary=b\n\n"
        "--b\nContent-Type: text/plain\n\nfirst\n"
        "--b\nContent-Type: image/jpeg\nContent-Disposition: inline\n\nJPG\n"
        "--b\nContent-Type: text/plain\n\nsecond\n"
        "--b\nContent-Type: text/plain\nContent-Disposition: attachment\n\n"
        "not text\n"
        "--b--\n",
        NULL);

    g_assert_cmpstr(msg->text, ==, "first\n\nsecond");
    g_assert_cmpuint(msg->attachments->len, ==, 2);
    g_assert_nonnull(find_attachment(msg, "attachment-1.jpg"));
    g_assert_nonnull(find_attachment(msg, "attachment-2.txt"));
}

static void
test_flowed(void)
{
    g_autoptr(Message) msg = parse_string(
        "Content-Type: text/plain; charset=utf-8; format=flowed\n\n"
        "This is a long \nparagraph.\n"
        "> quoted and \n> flowed\n"
        "-- \nsig\n",
        NULL);

    g_assert_cmpstr(msg->text, ==,
                    "This is a long paragraph.\n> quoted and flowed\n-- \nsig");
}

static void
test_uuencode_block(void)
{
    /* "hello\n" uuencoded. */
    g_autoptr(Message) msg = parse_string(
        "Subject: uu\n\n"
        "before\n\nbegin 644 hello.txt\n&:&5L;&\\*\n`\nend\n\nafter\n",
        NULL);
    const Attachment *att = find_attachment(msg, "hello.txt");
    gsize n;

    g_assert_nonnull(att);
    g_assert_cmpmem(g_bytes_get_data(att->data, &n), n, "hello\n", 6);
    g_assert_cmpstr(att->content_type, ==, "text/plain");
    g_assert_null(strstr(msg->text, "begin 644"));
    g_assert_nonnull(strstr(msg->text, "before"));
    g_assert_nonnull(strstr(msg->text, "after"));
}

/* A TNEF attribute: level, id, length, data, checksum. */
static void
tnef_attr(GByteArray *b, guint8 level, guint32 id, const void *data,
          guint32 len)
{
    guint8 head[9] = { level,
                       (guint8)id,
                       (guint8)(id >> 8),
                       (guint8)(id >> 16),
                       (guint8)(id >> 24),
                       (guint8)len,
                       (guint8)(len >> 8),
                       (guint8)(len >> 16),
                       (guint8)(len >> 24) };
    guint16 sum = 0;
    guint8 tail[2];

    for (guint32 i = 0; i < len; i++)
        sum = (guint16)(sum + ((const guint8 *)data)[i]);
    tail[0] = (guint8)sum;
    tail[1] = (guint8)(sum >> 8);
    g_byte_array_append(b, head, sizeof(head));
    g_byte_array_append(b, data, len);
    g_byte_array_append(b, tail, 2);
}

static GByteArray *
make_tnef(void)
{
    static const guint8 sig[] = { 0x78, 0x9f, 0x3e, 0x22, 0x01, 0x00 };
    static const guint8 version[] = { 0x00, 0x00, 0x01, 0x00 };
    static const guint8 rend[14] = { 0 };
    /* One PT_STRING8 PR_ATTACH_LONG_FILENAME, padded to 4. */
    static const guint8 props[] = {
        1, 0, 0, 0, 0x1E, 0x00, 0x07, 0x37, 1, 0, 0, 0, 16, 0, 0, 0,
        'r', 'e', 'p', 'o', 'r', 't', '-', 'l', 'o', 'n', 'g', '.', 't',
        'x', 't', 0,
    };
    GByteArray *b = g_byte_array_new();
    guint8 bin[256];

    for (int i = 0; i < 256; i++)
        bin[i] = (guint8)i;
    g_byte_array_append(b, sig, sizeof(sig));
    tnef_attr(b, 1, 0x00089006, version, sizeof(version));
    tnef_attr(b, 2, 0x00069002, rend, sizeof(rend));
    tnef_attr(b, 2, 0x00018010, "REPORT~1.TXT", 13);
    tnef_attr(b, 2, 0x0006800F, "hello tnef\n", 11);
    tnef_attr(b, 2, 0x00069005, props, sizeof(props));
    tnef_attr(b, 2, 0x00069002, rend, sizeof(rend));
    tnef_attr(b, 2, 0x00018010, "b.bin", 6);
    tnef_attr(b, 2, 0x0006800F, bin, sizeof(bin));
    return b;
}

static Message *
tnef_message(const guint8 *data, gsize len)
{
    g_autofree char *b64 = g_base64_encode(data, len);
    g_autofree char *mail = g_strdup_printf(
        "Content-Type: multipart/mixed; boundary=b\n\n"
        "--b\nContent-Type: text/plain\n\nsee winmail\n"
        "--b\nContent-Type: application/ms-tnef; name=\"winmail.dat\"\n"
        "Content-Transfer-Encoding: base64\n\n%s\n--b--\n",
        b64);

    return parse_string(mail, NULL);
}

static void
test_tnef(void)
{
    g_autoptr(GByteArray) tnef = make_tnef();
    g_autoptr(Message) msg = tnef_message(tnef->data, tnef->len);
    g_autoptr(Message) broken = tnef_message(tnef->data, tnef->len - 100);
    const Attachment *a;
    gsize n;
    const guint8 *d;

    g_assert_cmpuint(msg->attachments->len, ==, 2);
    a = find_attachment(msg, "report-long.txt");
    g_assert_nonnull(a);
    g_assert_cmpstr(a->content_type, ==, "text/plain");
    g_assert_cmpmem(g_bytes_get_data(a->data, &n), n, "hello tnef\n", 11);
    a = find_attachment(msg, "b.bin");
    g_assert_nonnull(a);
    g_assert_cmpuint(a->size, ==, 256);
    d = g_bytes_get_data(a->data, NULL);
    g_assert_cmpuint(d[0], ==, 0);
    g_assert_cmpuint(d[255], ==, 255);
    g_assert_cmpuint(msg->problems->len, ==, 0);

    /* Cut inside the second file: the first still comes out. */
    g_assert_nonnull(find_attachment(broken, "report-long.txt"));
    g_assert_null(find_attachment(broken, "b.bin"));
    g_assert_true(has_problem(broken, "TNEF"));
}

static void
test_tnef_garbage(void)
{
    static const guint8 junk[] = "this is not TNEF at all";
    g_autoptr(Message) msg = tnef_message(junk, sizeof(junk));
    const Attachment *a = find_attachment(msg, "winmail.dat");

    g_assert_nonnull(a);
    g_assert_cmpuint(a->size, ==, sizeof(junk));
    g_assert_true(has_problem(msg, "TNEF"));
}

/* ---------------------------------------------------------------- */
/* Broken input never fails                                          */

static void
test_empty(void)
{
    g_autoptr(GBytes) raw = g_bytes_new(NULL, 0);
    g_autoptr(Message) msg = parse_bytes(raw, NULL);

    g_assert_cmpstr(msg->text, ==, "");
    g_assert_cmpstr(msg->reply_text, ==, "");
    g_assert_cmpstr(msg->subject, ==, "");
    g_assert_cmpstr(msg->sha256, ==,
                    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b"
                    "7852b855");
    g_assert_true(has_problem(msg, "empty"));
}

static void
test_binary_junk(void)
{
    guint8 junk[4096];
    guint32 x = 12345;
    g_autoptr(GBytes) raw = NULL;
    g_autoptr(Message) msg = NULL;

    for (gsize i = 0; i < sizeof(junk); i++) {
        x = x * 1103515245 + 12345;
        junk[i] = (guint8)(x >> 16);
    }
    junk[0] = 0;
    raw = g_bytes_new(junk, sizeof(junk));
    msg = parse_bytes(raw, NULL);
    g_assert_cmpuint(msg->problems->len, >, 0);
}

static void
test_nul_bytes(void)
{
    static const char mail[] = "Subject: nul\n\nHello\0World\n";
    g_autoptr(GBytes) raw = g_bytes_new(mail, sizeof(mail) - 1);
    g_autoptr(Message) msg = parse_bytes(raw, NULL);

    g_assert_nonnull(strstr(msg->text, "World"));
    g_assert_true(has_problem(msg, "NUL"));
}

static void
test_not_mime(void)
{
    g_autoptr(Message) msg =
        parse_string("just some words, no header at all\nsecond line\n",
                     NULL);

    g_assert_nonnull(strstr(msg->text, "second line"));
}

static void
test_mbox_envelope(void)
{
    static const char mail[] = "From someone@example.com Thu Jan  2 10:00:00 "
                               "2025\nSubject: hi\nMessage-ID: <a@b>\n\nbody\n";
    g_autoptr(GBytes) raw = g_bytes_new(mail, sizeof(mail) - 1);
    g_autoptr(Message) msg = parse_bytes(raw, NULL);

    g_assert_cmpstr(msg->subject, ==, "hi");
    g_assert_cmpstr(msg->message_id, ==, "a@b");
    g_assert_cmpstr(msg->text, ==, "body");
    g_assert_true(g_bytes_equal(msg->raw, raw));
}

static void
test_missing_boundary(void)
{
    g_autoptr(GBytes) raw = read_case("C26/01.eml");
    g_autoptr(Message) msg = parse_bytes(raw, NULL);

    g_assert_true(has_problem(msg, "closing boundary"));
}

static void
test_junk_before_header(void)
{
    g_autoptr(Message) msg = parse_string(
        "---- Original email message ----\n"
        "From: Form <form@example.org>\n"
        "Subject: Contact from Server\n"
        "\n"
        "body\n",
        NULL);

    g_assert_cmpstr(msg->subject, ==, "Contact from Server");
    g_assert_cmpstr(msg->from->email, ==, "form@example.org");
    g_assert_cmpstr(msg->text, ==, "body");
    g_assert_true(has_problem(msg, "before the header"));
}

/* Exchange: a parameter on its own line without the fold's space. */
static void
test_unfolded_boundary(void)
{
    g_autoptr(Message) msg = parse_string(
        "Subject: unfolded\n"
        "Content-Type: multipart/mixed;\n"
        "boundary=\"_000_XYZ_\"\n"
        "MIME-Version: 1.0\n"
        "\n"
        "--_000_XYZ_\n"
        "Content-Type: text/plain; charset=\"utf-8\"\n"
        "Content-Transfer-Encoding: base64\n"
        "\n"
        "c29tZSB0ZXh0\n"
        "\n"
        "--_000_XYZ_\n"
        "Content-Type: application/pdf;\n"
        "name=\"a.pdf\"\n"
        "\n"
        "%PDF\n"
        "--_000_XYZ_--\n",
        NULL);
    const Attachment *att = find_attachment(msg, "a.pdf");
    gsize n;

    g_assert_cmpstr(msg->text, ==, "some text");
    g_assert_nonnull(att);
    g_assert_cmpmem(g_bytes_get_data(att->data, &n), n, "%PDF", 4);
    g_assert_true(has_problem(msg, "folding"));
}

/* A correct fold without the ";" before the parameter (stalwart
 * malformed/017). */
static void
test_folded_param_without_semicolon(void)
{
    g_autoptr(Message) msg = parse_string(
        "Subject: no semicolon\n"
        "Content-Type: multipart/mixed\n"
        "\tboundary=\"boundary\"\n"
        "\n"
        "--boundary\n"
        "Content-Type: text/plain\n\ntext\n"
        "--boundary\n"
        "Content-Type: image/png\n"
        "Content-Transfer-Encoding: base64\n"
        "Content-Disposition: inline;\n filename=\"image001.png\"\n"
        "\n"
        "aGVsbG8gd29ybGQK\n"
        "--boundary--\n",
        NULL);
    g_autoptr(Message) quoted = parse_string(
        "Content-Type: text/plain; name=\"a\n b=c\"\n\nbody\n", NULL);
    const Attachment *att = find_attachment(msg, "image001.png");

    g_assert_cmpstr(msg->text, ==, "text");
    g_assert_nonnull(att);
    g_assert_cmpuint(g_bytes_get_size(att->data), ==, 12);
    g_assert_true(has_problem(msg, "folding"));
    g_assert_false(has_problem(quoted, "folding"));
}

/* multipart/digest: a part without header lines is message/rfc822. */
static void
test_digest(void)
{
    static const char inner[] = "From: cperson@example.net\n"
                                "To: dperson@example.net\n"
                                "\n"
                                "A submessage\n";
    g_autofree char *mail = g_strdup_printf(
        "From: aperson@example.net\n"
        "Message-ID: <outer@example.net>\n"
        "Content-Type: multipart/digest; boundary=XYZ\n"
        "\n"
        "--XYZ\n"
        "Content-Type: text/plain\n"
        "\n"
        "digest intro\n"
        "\n"
        "--XYZ\n"
        "\n"
        "%s"
        "\n"
        "--XYZ--\n",
        inner);
    g_autoptr(Message) msg = parse_string(mail, NULL);
    const Attachment *att = find_attachment(msg, "forwarded-message.eml");
    gsize n;

    g_assert_nonnull(att);
    g_assert_cmpstr(att->content_type, ==, "message/rfc822");
    g_assert_cmpmem(g_bytes_get_data(att->data, &n), n, inner,
                    sizeof(inner) - 1);
    g_assert_cmpstr(msg->text, ==, "digest intro");
    g_assert_cmpstr(msg->message_id, ==, "outer@example.net");
    g_assert_null(strstr(msg->text, "A submessage"));
}

/* Over the size limit nothing is kept of any attachment kind. */
static void
test_size_limit_kinds(void)
{
    Limits lim;
    g_autoptr(Message) msg = NULL;

    limits_init_default(&lim);
    lim.max_message_bytes = 100;
    msg = parse_string(
        "Content-Type: multipart/mixed; boundary=b\n\n"
        "--b\nContent-Type: text/plain\n\ntext stays\n\n"
        "begin 644 hello.txt\n&:&5L;&\\*\n`\nend\n"
        "--b\nContent-Type: message/rfc822\n\nSubject: inner\n\nhi\n"
        "--b\nContent-Type: image/png; name=a.png\n"
        "Content-Transfer-Encoding: base64\n\niVBORw0KGgo=\n"
        "--b--\n",
        &lim);
    g_assert_cmpstr(msg->text, ==, "text stays");
    g_assert_cmpuint(msg->attachments->len, ==, 3);
    for (guint i = 0; i < msg->attachments->len; i++) {
        const Attachment *att = g_ptr_array_index(msg->attachments, i);

        g_assert_null(att->data);
        g_assert_cmpuint(att->size, >, 0);
    }
    g_assert_cmpuint(find_attachment(msg, "a.png")->size, ==, 8);
    g_assert_cmpuint(find_attachment(msg, "hello.txt")->size, ==, 6);
    g_assert_nonnull(find_attachment(msg, "inner.eml"));
    g_assert_true((msg->flags & MSG_FLAG_TRUNCATED) != 0);
}

static void
test_text_limit(void)
{
    Limits lim;
    g_autoptr(Message) msg = NULL;

    limits_init_default(&lim);
    lim.max_text_bytes = 9;
    msg = parse_string("Content-Type: text/plain; charset=utf-8\n\n"
                       "H\xC3\xA4llo w\xC3\xB6rld, a long text\n",
                       &lim);
    g_assert_cmpstr(msg->text, ==, "H\xC3\xA4llo w");
    g_assert_true(has_problem(msg, "truncated"));
}

static void
test_part_and_depth_limits(void)
{
    Limits lim;
    g_autoptr(Message) parts = NULL;
    g_autoptr(Message) deep = NULL;
    const char *many = "Content-Type: multipart/mixed; boundary=b\n\n"
                       "--b\n\none\n--b\n\ntwo\n--b\n\nthree\n"
                       "--b\n\nfour\n--b--\n";
    const char *nested = "Content-Type: multipart/mixed; boundary=a\n\n"
                         "--a\nContent-Type: multipart/mixed; boundary=b\n\n"
                         "--b\nContent-Type: multipart/mixed; boundary=c\n\n"
                         "--c\n\ndeep text\n--c--\n--b--\n--a--\n";

    limits_init_default(&lim);
    lim.max_parts = 3;
    parts = parse_string(many, &lim);
    g_assert_cmpstr(parts->text, ==, "one\n\ntwo");
    g_assert_true(has_problem(parts, "more than 3 MIME parts"));

    limits_init_default(&lim);
    lim.max_mime_depth = 2;
    deep = parse_string(nested, &lim);
    g_assert_null(strstr(deep->text, "deep text"));
    g_assert_true(has_problem(deep, "nesting"));
}

static void
test_html_only_charset_meta(void)
{
    g_autoptr(Message) msg = parse_string(
        "Content-Type: text/html\n\n"
        "<html><head><meta charset=\"utf-8\"></head>"
        "<body>Gr\xC3\xBC\xC3\x9F" "e</body></html>\n",
        NULL);

    g_assert_nonnull(strstr(msg->text, "Grüße"));
    g_assert_nonnull(msg->html);
}

/* Ids and addresses that carry raw bytes which are not UTF-8 are stored
 * and printed in JSON: they come out valid UTF-8, U+FFFD for each bad
 * byte, so the same bytes still give the same id. */
static void
test_8bit_ids_and_addresses(void)
{
    g_autoptr(Message) msg = parse_string(
        "From: a@b.example\n"
        "To: support@example.com\n"
        "Subject: hi\n"
        "Message-ID: <\xff\xfe@x.example>\n"
        "In-Reply-To: <\xfe@x.example>\n"
        "References: <r\xff@x.example> <s@x.example>\n"
        "Return-Path: <\xff@x.example>\n"
        "Delivered-To: \xfe@x.example\n"
        "\n"
        "body\n", NULL);
    g_autoptr(Message) bare = parse_string(
        "From: a@b.example\n"
        "Subject: hi\n"
        "References: \xc3@y.example t@y.example\n"
        "\n"
        "body\n", NULL);

    g_assert_cmpstr(msg->message_id, ==,
                    "\xef\xbf\xbd\xef\xbf\xbd@x.example");
    g_assert_cmpstr(msg->in_reply_to, ==, "\xef\xbf\xbd@x.example");
    g_assert_cmpuint(msg->references->len, ==, 2);
    g_assert_cmpstr(g_ptr_array_index(msg->references, 0), ==,
                    "r\xef\xbf\xbd@x.example");
    g_assert_cmpstr(msg->return_path, ==, "\xef\xbf\xbd@x.example");
    /* GMime's address parser reads this one as Latin-1. */
    g_assert_cmpuint(msg->delivered_to->len, ==, 1);
    g_assert_true(g_utf8_validate(g_ptr_array_index(msg->delivered_to, 0),
                                  -1, NULL));
    g_assert_cmpuint(bare->references->len, ==, 2);
    g_assert_cmpstr(g_ptr_array_index(bare->references, 0), ==,
                    "\xef\xbf\xbd@y.example");
    g_assert_cmpstr(g_ptr_array_index(bare->references, 1), ==,
                    "t@y.example");
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autofree char *name =
            g_strdup_printf("/parse/case/%s", cases[i].file);

        g_test_add_data_func(name, &cases[i], test_case);
    }
    g_test_add_func("/parse/case/C18-clean-subject",
                    test_case_c18_clean_subject);
    g_test_add_func("/parse/case/C21-no-c1", test_case_c21_no_c1);
    g_test_add_func("/parse/case/C29-trailer", test_case_c29_trailer);
    g_test_add_func("/parse/case/C30-forwarded", test_case_c30_forwarded);
    g_test_add_func("/parse/case/C31-lines", test_case_c31_lines);
    g_test_add_func("/parse/case/C33-limit", test_case_c33_limit);
    g_test_add_func("/parse/case/C33-stored", test_case_c33_stored);
    g_test_add_func("/parse/header/ids", test_ids);
    g_test_add_func("/parse/header/references-cap", test_references_cap);
    g_test_add_func("/parse/header/addresses", test_addresses);
    g_test_add_func("/parse/header/from-salvage", test_from_salvage);
    g_test_add_func("/parse/header/address-forms", test_address_forms);
    g_test_add_func("/parse/header/list", test_header_list);
    g_test_add_func("/parse/header/max", test_max_headers);
    g_test_add_func("/parse/date", test_parse_date);
    g_test_add_func("/parse/body/broken-base64", test_broken_base64);
    g_test_add_func("/parse/body/base64-exact", test_base64_exact);
    g_test_add_func("/parse/body/filenames", test_filenames);
    g_test_add_func("/parse/body/alternative", test_alternative);
    g_test_add_func("/parse/body/alternative-nested",
                    test_alternative_nested);
    g_test_add_func("/parse/body/uuencode-no-begin",
                    test_uuencode_part_without_begin);
    g_test_add_func("/parse/body/base64-tail-in-line",
                    test_base64_tail_in_line);
    g_test_add_func("/parse/body/mixed-inline", test_mixed_inline_texts);
    g_test_add_func("/parse/body/flowed", test_flowed);
    g_test_add_func("/parse/body/uuencode", test_uuencode_block);
    g_test_add_func("/parse/body/tnef", test_tnef);
    g_test_add_func("/parse/body/tnef-garbage", test_tnef_garbage);
    g_test_add_func("/parse/body/html-meta", test_html_only_charset_meta);
    g_test_add_func("/parse/broken/empty", test_empty);
    g_test_add_func("/parse/broken/binary", test_binary_junk);
    g_test_add_func("/parse/broken/nul", test_nul_bytes);
    g_test_add_func("/parse/broken/not-mime", test_not_mime);
    g_test_add_func("/parse/broken/mbox-envelope", test_mbox_envelope);
    g_test_add_func("/parse/broken/missing-boundary", test_missing_boundary);
    g_test_add_func("/parse/broken/junk-before-header",
                    test_junk_before_header);
    g_test_add_func("/parse/broken/unfolded-boundary",
                    test_unfolded_boundary);
    g_test_add_func("/parse/broken/multipart-without-parts",
                    test_multipart_without_parts);
    g_test_add_func("/parse/broken/folded-param-without-semicolon",
                    test_folded_param_without_semicolon);
    g_test_add_func("/parse/body/digest", test_digest);
    g_test_add_func("/parse/limit/size-kinds", test_size_limit_kinds);
    g_test_add_func("/parse/limit/text", test_text_limit);
    g_test_add_func("/parse/limit/parts-depth", test_part_and_depth_limits);
    g_test_add_func("/parse/8bit-ids-and-addresses",
                    test_8bit_ids_and_addresses);
    return g_test_run();
}
