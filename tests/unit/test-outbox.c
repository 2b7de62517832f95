/*
 * test-outbox.c - template.c (loading, checks with file:line, filling,
 * header folding, the built-in copies) and the pure parts of outbox.c
 * (our Message-IDs, how a promise reads).
 */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "outbox.h"
#include "template.h"

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
    return g_test_run();
}
