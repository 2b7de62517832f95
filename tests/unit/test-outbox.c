/*
 * test-outbox.c - template.c (loading, checks with file:line, filling,
 * header folding, the built-in copies), the pure parts of outbox.c
 * (our Message-IDs, how a promise reads), and how a queued mail is
 * filed on its ticket (against parse_message() of its bytes).
 */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "outbox.h"
#include "parse.h"
#include "store.h"
#include "template.h"
#include "util.h"

#include "rm-rf.h"

static char *
write_template(const char *dir, const char *name, const char *text)
{
    g_autofree char *file = g_strconcat(name, ".txt", NULL);
    char *path = g_build_filename(dir, file, NULL);

    g_assert_true(g_file_set_contents(path, text, -1, NULL));
    return path;
}

static const struct {
    const char *text;
    const char *error; /* NULL: loads */
} load_cases[] = {
    { "Subject: hi {{ticket.subject}}\n\nbody {{body}}\n", NULL },
    { "Subject: x\nReply-To: {{agent.reply_address|}}\n\n{{a.b|c d}}\n",
      NULL },
    { "Subject: x\n  folded on\n\nbody\n", NULL },
    { "Subject: x\n\nbody {{ticket.subjct}}\n",
      "t.txt:3: unknown variable 'ticket.subjct'" },
    { "Subject: x\n\nbody {{customer.name\n", "t.txt:3: '{{' without '}}'" },
    { "Subject: x\n\n{{}}\n", "t.txt:3: empty variable name" },
    { "Subject: x\n\n{{ bad name }}\n", "t.txt:3: bad variable name" },
    { "Subject: x\nno colon\n\nbody\n", "t.txt:2: expected 'Name: value'" },
    { "Subject: x\nBad Name: y\n\nbody\n", "t.txt:2: bad header name" },
    { "Subject: x\n", "t.txt:2: no blank line" },
    { "From: a@b.c\n\nbody\n", "t.txt:1: no Subject header" },
};

static void
test_load(void)
{
    g_autofree char *dir = g_dir_make_tmp("mt-tpl-XXXXXX", NULL);

    for (guint i = 0; i < G_N_ELEMENTS(load_cases); i++) {
        g_autofree char *path = write_template(dir, "t", load_cases[i].text);
        g_autoptr(Template) tpl = NULL;
        g_autoptr(GError) error = NULL;
        Status st = template_load(dir, "t", &tpl, &error);

        if (load_cases[i].error == NULL) {
            g_assert_no_error(error);
            g_assert_cmpint(st, ==, ST_OK);
            g_assert_cmpstr(template_origin(tpl), ==, path);
        } else {
            g_assert_cmpint(st, ==, ST_CONFIG);
            g_assert_nonnull(error);
            if (strstr(error->message, load_cases[i].error) == NULL)
                g_error("case %u: '%s' lacks '%s'", i, error->message,
                        load_cases[i].error);
        }
        g_unlink(path);
    }
    g_rmdir(dir);
}

static void
test_render(void)
{
    g_autofree char *dir = g_dir_make_tmp("mt-tpl-XXXXXX", NULL);
    g_autofree char *path = write_template(
        dir, "t",
        "Subject: [{{ticket.tag}}] {{ticket.subject}}\n"
        "X-Empty: {{missing}}\n"
        "X-Default: {{missing|fallback value}}\n"
        "\n"
        "Hello {{customer.name|there}},\n{{body}}\nend\n");
    g_autoptr(Template) tpl = NULL;
    g_autoptr(GHashTable) vars = g_hash_table_new(g_str_hash, g_str_equal);
    g_autoptr(GPtrArray) headers = NULL;
    g_autofree char *body = NULL;

    g_assert_cmpint(template_load(dir, "t", &tpl, NULL), ==, ST_OK);
    g_hash_table_insert(vars, "ticket.tag", "#1001");
    g_hash_table_insert(vars, "ticket.subject",
                        "evil\r\nBcc: spy@example.net\r\n\r\nbody");
    g_hash_table_insert(vars, "customer.name", "");
    g_hash_table_insert(vars, "body", "line 1\nline 2");
    template_render(tpl, vars, &headers, &body);
    g_assert_cmpuint(headers->len, ==, 6);
    g_assert_cmpstr(headers->pdata[0], ==, "Subject");
    /* One line, whatever the value held. */
    g_assert_cmpstr(headers->pdata[1], ==,
                    "[#1001] evil Bcc: spy@example.net body");
    g_assert_cmpstr(headers->pdata[3], ==, "");
    g_assert_cmpstr(headers->pdata[5], ==, "fallback value");
    /* An empty value takes the default; the body keeps its lines. */
    g_assert_cmpstr(body, ==, "Hello there,\nline 1\nline 2\nend\n");
    g_unlink(path);
    g_rmdir(dir);
}

static void
test_builtin(void)
{
    static const char *const names[] = {
        "ack", "agent-notify", "relay", "status", "escalation-warning",
        "escalation-breach", "error-reply", "report",
    };

    for (guint i = 0; i < G_N_ELEMENTS(names); i++) {
        g_autoptr(Template) tpl = NULL;
        g_autoptr(GError) error = NULL;
        g_autofree char *origin = g_strdup_printf("(built-in) %s.txt",
                                                  names[i]);

        /* A directory without the file falls back to the copy. */
        g_assert_cmpint(template_load("/nonexistent", names[i], &tpl,
                                      &error),
                        ==, ST_OK);
        g_assert_no_error(error);
        g_assert_cmpstr(template_origin(tpl), ==, origin);
    }
    g_assert_null(template_builtin("no-such-template"));
    g_assert_nonnull(strstr(template_builtin("status"),
                            "Reply with a number from 1 (poor) to 5 "
                            "(great)"));
    g_assert_nonnull(strstr(template_builtin("ack"),
                            "{{sla.first_response}}"));
}

static const struct {
    const char *id;
    bool is_ours;
    gint64 ticket;
} id_cases[] = {
    { "mt.1001.ack.0123abcd@example.com", true, 1001 },
    { "mt.0.report.ff@example.com", true, 0 },
    { "mt.1015.ack.3f9d07@mailer.example.com", true, 1015 },
    { "mt.x.ack.1@example.com", false, 0 },
    { "mt.1001ack@example.com", false, 0 },
    { "mt.1001.ack.1", false, 0 },
    { "20260305.abc@example.com", false, 0 },
};

static void
test_message_id(void)
{
    for (guint i = 0; i < G_N_ELEMENTS(id_cases); i++) {
        gint64 ticket = -1;

        g_assert_cmpint(outbox_message_id_ticket(id_cases[i].id, &ticket),
                        ==, id_cases[i].is_ours);
        if (id_cases[i].is_ours)
            g_assert_cmpint(ticket, ==, id_cases[i].ticket);
    }
}

static void
test_find_own(void)
{
    static const char dsn[] =
        "From: MAILER-DAEMON@example.net\n\n--b\n"
        "Content-Type: text/rfc822-headers\n\n"
        "In-Reply-To: <customer-1@example.org>\n"
        "Message-ID: <mt.1015.ack.3f9d07@mailer.example.com>\n--b--\n";
    g_autoptr(GBytes) raw = g_bytes_new_static(dsn, sizeof(dsn) - 1);
    g_autoptr(GBytes) none = g_bytes_new_static("<mt.x>", 6);
    g_autofree char *id = outbox_find_own_message_id(raw);
    g_autofree char *no = outbox_find_own_message_id(none);

    g_assert_cmpstr(id, ==, "mt.1015.ack.3f9d07@mailer.example.com");
    g_assert_null(no);
}

static const struct {
    gint64 secs;
    const char *text;
} duration_cases[] = {
    { 24 * 3600, "24 hours" },   { 3600, "1 hour" },
    { 4 * 3600, "4 hours" },     { 90 * 60, "90 minutes" },
    { 60, "1 minute" },          { 3 * 86400, "3 days" },
    { 48 * 3600, "48 hours" },   { 30, "30 seconds" },
};

static void
test_duration(void)
{
    for (guint i = 0; i < G_N_ELEMENTS(duration_cases); i++) {
        g_autofree char *text =
            outbox_format_duration(duration_cases[i].secs);

        g_assert_cmpstr(text, ==, duration_cases[i].text);
    }
}

/* A queued mail is filed on its ticket as an outgoing message.  For
 * most mail outbox.c builds that Message from what rendered it instead
 * of parsing the bytes again: whichever way, the stored row must hold
 * what parse_message() makes of the stored bytes. */
static const struct {
    const char *name;    /* the customer's */
    const char *to;      /* as process.c formats the recipient */
    const char *subject; /* the ticket's */
    const char *body;    /* NULL: the built-in ack template */
    bool is_built;       /* filed without a second parse */
} filed_cases[] = {
    { "Alice Example", "Alice Example <alice@example.com>", "Cannot log in",
      NULL, true },
    { "Alice Example", "Alice Example <alice@example.com>", "Cannot log in",
      "Line one\nLine two  \n\n> quoted\n> more\n\nbye\n", true },
    { NULL, "bob@EXAMPLE.Org", "Invoice 42", "", true },
    { "Dr. Jane Q. Public", "Dr. Jane Q. Public <jane@example.net>",
      "Re: order #1234 (urgent)", "trailing   \r\n\r\n\n", true },
    { "Sam (Support)", "Sam (Support) <sam@example.com>",
      "Subject: with a colon", "na\xc3\xafve caf\xc3\xa9, long line "
      "long line long line long line long line long line long line long "
      "line long line\n", true },
    { "Jos\xc3\xa9 M\xc3\xbcller", "Jos\xc3\xa9 M\xc3\xbcller <jose@example.de>",
      "R\xc3\xbc" "ckerstattung", "Gr\xc3\xbc\xc3\x9f" "e\n", true },
    { "O'Brien, Pat", "\"O'Brien, Pat\" <pat@example.ie>",
      "a very long subject line that goes on and on well past the point "
      "where a header is folded, and then on again for a second fold of "
      "the same header line, and a third one to be sure", "x\ry\n", true },
    { "Chlo\xc3\xa9 Martinez", "Chlo\xc3\xa9 Martinez <chloe@example.com>",
      "Two-factor authentication code not arriving", NULL, true },
    { "\xe5\xb1\xb1\xe7\x94\xb0 \xe5\xa4\xaa\xe9\x83\x8e",
      "\xe5\xb1\xb1\xe7\x94\xb0 \xe5\xa4\xaa\xe9\x83\x8e <taro@example.jp>",
      "\xe8\xab\x8b\xe6\xb1\x82\xe6\x9b\xb8\xe3\x81\xae\xe9\x87\x91"
      "\xe9\xa1\x8d\xe3\x81\x8c\xe9\x96\x93\xe9\x81\x95\xe3\x81\xa3"
      "\xe3\x81\xa6\xe3\x81\x84\xe3\x81\xbe\xe3\x81\x99 invoice "
      "\xf0\x9f\x98\x80 \xc3\xa9t\xc3\xa9 \xc3\xa0 la caisse, "
      "encore une fois tr\xc3\xa8s long pour plier la ligne", NULL, true },
    { "Ren\xc3\xa9" "e Dupont-Lef\xc3\xa8vre",
      "Ren\xc3\xa9" "e Dupont-Lef\xc3\xa8vre <renee@example.fr>",
      "Facture \xc3\xa0 corriger: montant erron\xc3\xa9 sur la facture "
      "INV-203818 du mois dernier", "Merci\n", true },
    /* The template makes each header value one line. */
    { "Tab\tName", "Tab Name <tab@example.com>", "tab\there", "x\n",
      true },
    { "nbsp", "Non\xc2\xa0" "Break <nb@example.com>", "x", "x\n", false },
    { "Mary  Two", "Mary  Two <m@example.com>", "=?utf-8?q?not_encoded?=",
      "begin 644 file.txt\n`\nend\n", false },
};

static char *
format_list(const GPtrArray *addrs)
{
    GString *out = g_string_new(NULL);

    for (guint i = 0; i < addrs->len; i++) {
        g_autofree char *one = address_format(g_ptr_array_index(addrs, i));

        g_string_append_printf(out, "%s%s", i > 0 ? ", " : "", one);
    }
    return g_string_free(out, FALSE);
}

static void
test_filed_as_parsed(void)
{
    g_autofree char *dir = g_dir_make_tmp("mt-outbox-XXXXXX", NULL);
    g_autofree char *db = g_build_filename(dir, "store.db", NULL);
    g_autofree char *tpl = NULL;
    g_autoptr(Config) cfg = config_new_default();
    g_autoptr(Store) store = NULL;
    g_autoptr(Outbox) builtin = NULL;
    g_autoptr(Outbox) custom = NULL;
    g_autoptr(GError) error = NULL;
    const gint64 now = 1767225600; /* 2026-01-01 */
    guint built = 0;

    g_assert_cmpint(store_open(db, STORE_READ_WRITE, &store, &error), ==,
                    ST_OK);
    g_assert_cmpint(outbox_new(cfg, store, &builtin, &error), ==, ST_OK);
    tpl = write_template(dir, "ack",
                         "Subject: {{ticket.subject}}\n\n{{body}}\n");
    g_free(cfg->templates_dir);
    cfg->templates_dir = g_strdup(dir);
    g_assert_cmpint(outbox_new(cfg, store, &custom, &error), ==, ST_OK);
    g_assert_cmpint(store_begin(store, &error), ==, ST_OK);
    for (guint i = 0; i < G_N_ELEMENTS(filed_cases); i++) {
        Outbox *outbox = filed_cases[i].body != NULL ? custom : builtin;
        guint reparsed = outbox_reparsed(outbox);
        g_autoptr(Ticket) ticket = ticket_new();
        g_autoptr(Ticket) stored = NULL;
        g_autoptr(GBytes) raw = NULL;
        g_autoptr(Message) parsed = NULL;
        g_autofree char *from = NULL;
        g_autofree char *to = NULL;
        g_autofree char *cc = NULL;
        const StoredMessage *out = NULL;
        gint64 id = 0, row = 0, on = 0;
        char sha[65];
        const OutboxRequest req = {
            .kind = OUTBOX_ACK,
            .to = filed_cases[i].to,
            .body = filed_cases[i].body,
        };
        OutboxRequest with_ticket = req;

        g_test_message("case %u", i);
        ticket->subject = g_strdup(filed_cases[i].subject);
        ticket->customer_name = g_strdup(filed_cases[i].name);
        ticket->customer_email = g_strdup("customer@example.com");
        ticket->created_at = ticket->updated_at = now;
        g_assert_cmpint(store_ticket_create(store, ticket, cfg->ticket_start,
                                            &id, &error),
                        ==, ST_OK);
        with_ticket.ticket_id = id;
        g_assert_cmpint(outbox_queue(outbox, &with_ticket, now, NULL, &error),
                        ==, ST_OK);
        g_assert_no_error(error);
        if (outbox_reparsed(outbox) == reparsed)
            built++;
        g_assert_cmpint(outbox_reparsed(outbox) == reparsed, ==,
                        filed_cases[i].is_built);

        g_assert_cmpint(store_ticket_get(store, id, true, &stored, &error),
                        ==, ST_OK);
        for (guint m = 0; m < stored->messages->len; m++) {
            const StoredMessage *sm = g_ptr_array_index(stored->messages, m);

            if (sm->direction == DIRECTION_OUT)
                out = sm;
        }
        g_assert_nonnull(out);
        g_assert_cmpint(store_message_raw(store, out->id, &raw, &error), ==,
                        ST_OK);
        g_assert_cmpint(parse_message(raw, &cfg->limits, &parsed, &error),
                        ==, ST_OK);
        from = parsed->from != NULL ? address_format(parsed->from) : NULL;
        to = format_list(parsed->to);
        cc = format_list(parsed->cc);
        g_assert_cmpstr(out->message_id, ==, parsed->message_id);
        g_assert_cmpstr(out->subject, ==, parsed->subject);
        g_assert_cmpstr(out->from, ==, from);
        g_assert_cmpstr(out->from_email, ==,
                        parsed->from != NULL ? parsed->from->email : NULL);
        g_assert_cmpstr(out->to, ==, to);
        g_assert_cmpstr(out->cc, ==, cc);
        g_assert_cmpint(out->date, ==, parsed->date);
        g_assert_cmpstr(out->text, ==, parsed->text);
        g_assert_cmpstr(out->reply_text, ==, parsed->reply_text);
        g_assert_cmpuint(out->flags, ==, parsed->flags);
        g_assert_null(out->problems);
        g_assert_cmpuint(parsed->problems->len, ==, 0);
        g_assert_cmpuint(out->attachments->len, ==,
                         parsed->attachments->len);
        /* The row's sha256 is that of its bytes. */
        util_sha256_hex(g_bytes_get_data(raw, NULL), g_bytes_get_size(raw),
                        sha);
        g_assert_cmpint(store_message_find(store, NULL, sha, &row, &on,
                                           &error),
                        ==, ST_OK);
        g_assert_cmpint(row, ==, out->id);
    }
    /* Both ways were taken. */
    g_assert_cmpuint(built, >, 0);
    g_assert_cmpuint(built, <, G_N_ELEMENTS(filed_cases));
    store_rollback(store);
    g_clear_pointer(&store, store_close);
    rm_rf(dir);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/template/load", test_load);
    g_test_add_func("/template/render", test_render);
    g_test_add_func("/template/builtin", test_builtin);
    g_test_add_func("/outbox/message-id", test_message_id);
    g_test_add_func("/outbox/find-own", test_find_own);
    g_test_add_func("/outbox/duration", test_duration);
    g_test_add_func("/outbox/filed-as-parsed", test_filed_as_parsed);
    return g_test_run();
}
