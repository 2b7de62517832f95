/*
 * test-store.c - the SQLite store against a real file in a temporary
 * directory: schema versions, ticket numbers, byte-exact raw messages,
 * lookups used by threading, history, savepoints and lists.
 */
#include "config.h"

#include "store.h"

#include <string.h>

#include <glib/gstdio.h>

#include "util.h"

#include "rm-rf.h"

/* One per entry of migrations[] in store-sqlite.c. */
#define LATEST_SCHEMA 6

typedef struct {
    char *dir;
    char *path;
    Store *store;
} Fixture;

static void
fixture_setup(Fixture *fx, gconstpointer data)
{
    g_autoptr(GError) error = NULL;

    fx->dir = g_dir_make_tmp("test-store-XXXXXX", &error);
    g_assert_no_error(error);
    /* A directory that does not exist yet: store_open creates it. */
    fx->path = g_build_filename(fx->dir, "var", "db", "mailtriage.db", NULL);
    g_assert_cmpint(store_open(fx->path, STORE_READ_WRITE, &fx->store,
                               &error), ==, ST_OK);
    g_assert_no_error(error);
}

static void
fixture_teardown(Fixture *fx, gconstpointer data)
{
    g_clear_pointer(&fx->store, store_close);
    rm_rf(fx->dir);
    g_free(fx->path);
    g_free(fx->dir);
}

/* A Message around raw, with its sha256, as parse.c would leave it. */
static Message *
make_message(const void *raw, gsize len, const char *message_id)
{
    g_autoptr(GBytes) bytes = g_bytes_new(raw, len);
    Message *msg = message_new(bytes);

    util_sha256_hex(raw, len, msg->sha256);
    msg->message_id = g_strdup(message_id);
    return msg;
}

static MessageFiling
filing_for(gint64 ticket)
{
    MessageFiling filing = {
        .ticket_id = ticket,
        .direction = DIRECTION_IN,
        .role = ROLE_CUSTOMER,
        .kind = MSG_KIND_NORMAL,
        .received_at = 1700000000,
        .source = "maildir:/srv/mail",
    };
    return filing;
}

static gint64
add_ticket(Store *store, const char *email, const char *subject,
           TicketStatus status, gint64 created_at)
{
    g_autoptr(Ticket) t = ticket_new();
    g_autoptr(GError) error = NULL;
    gint64 id = 0;

    t->customer_email = g_strdup(email);
    t->subject = g_strdup(subject);
    t->status = status;
    t->created_at = created_at;
    t->updated_at = created_at;
    g_assert_cmpint(store_ticket_create(store, t, 1001, &id, &error), ==,
                    ST_OK);
    g_assert_no_error(error);
    return id;
}

static gint64
add_message(Store *store, Message *msg, gint64 ticket)
{
    MessageFiling filing = filing_for(ticket);
    g_autoptr(GError) error = NULL;
    gint64 row = 0;

    g_assert_cmpint(store_message_add(store, msg, &filing, &row, &error), ==,
                    ST_OK);
    g_assert_no_error(error);
    g_assert_cmpint(row, >, 0);
    return row;
}

/* Overwrite the user_version field of a closed SQLite file (a 4-byte
 * big-endian integer at offset 60 of the header). */
static void
poke_user_version(const char *path, guint32 version)
{
    g_autofree char *data = NULL;
    gsize len = 0;
    g_autoptr(GError) error = NULL;

    g_assert_true(g_file_get_contents(path, &data, &len, &error));
    g_assert_cmpuint(len, >=, 100);
    data[60] = (char)(version >> 24);
    data[61] = (char)(version >> 16);
    data[62] = (char)(version >> 8);
    data[63] = (char)version;
    g_assert_true(g_file_set_contents(path, data, (gssize)len, &error));
}

/* --- Opening ------------------------------------------------------- */

static void
test_open_reopen(Fixture *fx, gconstpointer data)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(Store) ro = NULL;
    gint64 id = 0;

    g_assert_cmpint(store_schema_version(fx->store), ==, LATEST_SCHEMA);
    id = add_ticket(fx->store, "a@example.com", "hello",
                    TICKET_STATUS_NEW, 100);
    g_clear_pointer(&fx->store, store_close);
    g_assert_true(g_file_test(fx->path, G_FILE_TEST_IS_REGULAR));

    /* Reopening keeps the version and the data, and migrates nothing. */
    g_assert_cmpint(store_open(fx->path, STORE_READ_WRITE, &fx->store,
                               &error), ==, ST_OK);
    g_assert_no_error(error);
    g_assert_cmpint(store_schema_version(fx->store), ==, LATEST_SCHEMA);
    g_clear_pointer(&fx->store, store_close);

    g_assert_cmpint(store_open(fx->path, STORE_READ_ONLY, &ro, &error), ==,
                    ST_OK);
    g_assert_no_error(error);
    g_assert_cmpint(store_schema_version(ro), ==, LATEST_SCHEMA);
    {
        g_autoptr(Ticket) t = NULL;

        g_assert_cmpint(store_ticket_get(ro, id, false, &t, &error), ==,
                        ST_OK);
        g_assert_nonnull(t);
        g_assert_cmpstr(t->subject, ==, "hello");
    }
    /* A read-only store refuses to write. */
    {
        g_autoptr(Ticket) t = ticket_new();
        gint64 id2 = 0;

        g_assert_cmpint(store_ticket_create(ro, t, 1001, &id2, &error), ==,
                        ST_IOERR);
        g_assert_error(error, MT_ERROR, ST_IOERR);
        g_assert_true(g_str_has_prefix(error->message, "store: "));
    }
}

static void
test_too_new(Fixture *fx, gconstpointer data)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(Store) store = NULL;

    g_clear_pointer(&fx->store, store_close);
    poke_user_version(fx->path, 99);
    for (int mode = STORE_READ_ONLY; mode <= STORE_READ_WRITE; mode++) {
        g_autofree char *want = g_strdup_printf(
            "store: '%s' has schema version 99, this mailtriage knows up "
            "to %d", fx->path, LATEST_SCHEMA);

        g_assert_cmpint(store_open(fx->path, (StoreMode)mode, &store,
                                   &error), ==, ST_IOERR);
        g_assert_error(error, MT_ERROR, ST_IOERR);
        g_assert_cmpstr(error->message, ==, want);
        g_assert_null(store);
        g_clear_error(&error);
    }
}

static void
test_read_only_missing(Fixture *fx, gconstpointer data)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(Store) store = NULL;
    g_autofree char *missing = g_build_filename(fx->dir, "nope", "x.db",
                                                NULL);
    g_autofree char *want = g_strdup_printf("store: cannot open '%s': ",
                                            missing);

    g_assert_cmpint(store_open(missing, STORE_READ_ONLY, &store, &error), ==,
                    ST_IOERR);
    g_assert_error(error, MT_ERROR, ST_IOERR);
    g_assert_true(g_str_has_prefix(error->message, want));
    g_assert_null(store);
    /* Nothing was created on the way. */
    g_assert_false(g_file_test(missing, G_FILE_TEST_EXISTS));
}

static void
test_not_a_database(Fixture *fx, gconstpointer data)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(Store) store = NULL;
    g_autofree char *junk = g_build_filename(fx->dir, "junk.db", NULL);
    char text[2048];

    memset(text, 'x', sizeof(text));
    g_assert_true(g_file_set_contents(junk, text, sizeof(text), NULL));
    g_assert_cmpint(store_open(junk, STORE_READ_WRITE, &store, &error), ==,
                    ST_IOERR);
    g_assert_error(error, MT_ERROR, ST_IOERR);
    g_assert_true(g_str_has_prefix(error->message, "store: cannot open '"));
    g_assert_null(store);
}

/* --- Tickets ------------------------------------------------------- */

static void
test_ticket_numbers(Fixture *fx, gconstpointer data)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(Ticket) t = ticket_new();
    gint64 id = 0;

    g_assert_cmpint(add_ticket(fx->store, "a@x", "one", TICKET_STATUS_NEW,
                               1), ==, 1001);
    g_assert_cmpint(add_ticket(fx->store, "a@x", "two", TICKET_STATUS_NEW,
                               2), ==, 1002);
    /* A raised ticket_start jumps ahead... */
    g_assert_cmpint(store_ticket_create(fx->store, t, 5000, &id, &error), ==,
                    ST_OK);
    g_assert_cmpint(id, ==, 5000);
    /* ...and a lower one never goes back. */
    g_assert_cmpint(store_ticket_create(fx->store, t, 1001, &id, &error), ==,
                    ST_OK);
    g_assert_cmpint(id, ==, 5001);
    g_assert_no_error(error);
}

static void
test_ticket_get_unknown(Fixture *fx, gconstpointer data)
{
    g_autoptr(GError) error = NULL;
    Ticket *t = (Ticket *)&t; /* anything but NULL */

    g_assert_cmpint(store_ticket_get(fx->store, 4242, true, &t, &error), ==,
                    ST_OK);
    g_assert_no_error(error);
    g_assert_null(t);
}

static void
test_ticket_update(Fixture *fx, gconstpointer data)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(Ticket) t = ticket_new();
    g_autoptr(Ticket) got = NULL;
    gint64 id = 0;
    gint64 other = add_ticket(fx->store, "b@x", "other", TICKET_STATUS_NEW,
                              5);

    t->subject = g_strdup("printer on fire");
    t->customer_email = g_strdup("ann@example.com");
    t->created_at = 1000;
    t->updated_at = 1000;
    g_assert_cmpint(store_ticket_create(fx->store, t, 1001, &id, &error), ==,
                    ST_OK);

    /* Every scalar field changes, including times to and from NULL. */
    t->id = id;
    g_free(t->subject);
    t->subject = g_strdup("printer still on fire");
    t->status = TICKET_STATUS_PENDING;
    t->category = g_strdup("hardware");
    t->priority = PRIORITY_URGENT;
    t->team = g_strdup("facilities");
    t->assignee = g_strdup("bob");
    t->customer_name = g_strdup("Ann Ämel");
    g_free(t->customer_email);
    t->customer_email = g_strdup("ann@example.org");
    t->mailbox = g_strdup("imap:support/INBOX");
    t->created_at = 1001;
    t->updated_at = 2000;
    t->first_response_at = 1500;
    t->resolved_at = 1900;
    t->due_at = 3000;
    t->escalation_level = 2;
    t->rating_score = 4;
    t->rating_comment = g_strdup("quick, thanks");
    t->linked_ticket = other;
    g_assert_cmpint(store_ticket_update(fx->store, t, &error), ==, ST_OK);
    g_assert_no_error(error);

    g_assert_cmpint(store_ticket_get(fx->store, id, false, &got, &error), ==,
                    ST_OK);
    g_assert_nonnull(got);
    g_assert_cmpint(got->id, ==, id);
    g_assert_cmpstr(got->subject, ==, "printer still on fire");
    g_assert_cmpint(got->status, ==, TICKET_STATUS_PENDING);
    g_assert_cmpstr(got->category, ==, "hardware");
    g_assert_cmpint(got->priority, ==, PRIORITY_URGENT);
    g_assert_cmpstr(got->team, ==, "facilities");
    g_assert_cmpstr(got->assignee, ==, "bob");
    g_assert_cmpstr(got->customer_name, ==, "Ann Ämel");
    g_assert_cmpstr(got->customer_email, ==, "ann@example.org");
    g_assert_cmpstr(got->mailbox, ==, "imap:support/INBOX");
    g_assert_cmpint(got->created_at, ==, 1001);
    g_assert_cmpint(got->updated_at, ==, 2000);
    g_assert_cmpint(got->first_response_at, ==, 1500);
    g_assert_cmpint(got->resolved_at, ==, 1900);
    g_assert_cmpint(got->due_at, ==, 3000);
    g_assert_cmpint(got->escalation_level, ==, 2);
    g_assert_cmpint(got->rating_score, ==, 4);
    g_assert_cmpstr(got->rating_comment, ==, "quick, thanks");
    g_assert_cmpint(got->linked_ticket, ==, other);
    g_clear_pointer(&got, ticket_free);

    /* And back to unset. */
    g_clear_pointer(&t->category, g_free);
    g_clear_pointer(&t->assignee, g_free);
    g_clear_pointer(&t->rating_comment, g_free);
    t->resolved_at = MESSAGE_NO_TIME;
    t->due_at = MESSAGE_NO_TIME;
    t->linked_ticket = 0;
    g_assert_cmpint(store_ticket_update(fx->store, t, &error), ==, ST_OK);
    g_assert_cmpint(store_ticket_get(fx->store, id, false, &got, &error), ==,
                    ST_OK);
    g_assert_null(got->category);
    g_assert_null(got->assignee);
    g_assert_null(got->rating_comment);
    g_assert_cmpint(got->resolved_at, ==, MESSAGE_NO_TIME);
    g_assert_cmpint(got->due_at, ==, MESSAGE_NO_TIME);
    g_assert_cmpint(got->first_response_at, ==, 1500);
    g_assert_cmpint(got->linked_ticket, ==, 0);

    /* Updating a ticket that does not exist is an error. */
    t->id = 999999;
    g_assert_cmpint(store_ticket_update(fx->store, t, &error), ==,
                    ST_DATAERR);
    g_assert_cmpstr(error->message, ==, "store: no ticket 999999");
}

static void
test_ticket_list(Fixture *fx, gconstpointer data)
{
    static const TicketStatus statuses[] = {
        TICKET_STATUS_NEW, TICKET_STATUS_OPEN, TICKET_STATUS_NEW,
        TICKET_STATUS_RESOLVED, TICKET_STATUS_NEW,
    };
    static const struct {
        int status;
        gint64 limit;
        gint64 want[6]; /* 0-terminated */
    } cases[] = {
        { -1, 0, { 1001, 1002, 1003, 1004, 1005 } },
        { -1, 2, { 1001, 1002 } },
        { TICKET_STATUS_NEW, 0, { 1001, 1003, 1005 } },
        { TICKET_STATUS_NEW, 2, { 1001, 1003 } },
        { TICKET_STATUS_RESOLVED, 0, { 1004 } },
        { TICKET_STATUS_SPAM, 0, { 0 } },
    };
    g_autoptr(GError) error = NULL;

    for (guint i = 0; i < G_N_ELEMENTS(statuses); i++)
        add_ticket(fx->store, "c@x", "s", statuses[i], (gint64)i);
    g_assert_cmpint(store_ticket_set_field(fx->store, 1003, "order", "A-1",
                                           &error), ==, ST_OK);

    for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
        TicketFilter filter = { .status = cases[i].status,
                                .limit = cases[i].limit };
        g_autoptr(GPtrArray) list = NULL;
        guint n = 0;

        g_assert_cmpint(store_ticket_list(fx->store, &filter, &list, &error),
                        ==, ST_OK);
        g_assert_no_error(error);
        while (cases[i].want[n] != 0)
            n++;
        g_assert_cmpuint(list->len, ==, n);
        for (guint j = 0; j < n; j++) {
            const Ticket *t = g_ptr_array_index(list, j);

            g_assert_cmpint(t->id, ==, cases[i].want[j]);
            g_assert_cmpuint(t->messages->len, ==, 0);
            if (t->id == 1003)
                g_assert_cmpstr(g_hash_table_lookup(t->fields, "order"), ==,
                                "A-1");
        }
    }
}

/* --- Messages ------------------------------------------------------ */

static void
test_message_raw(Fixture *fx, gconstpointer data)
{
    static const struct {
        const char *raw;
        gsize len;
    } cases[] = {
#define BYTES(s) s, sizeof(s) - 1
        { BYTES("Subject: hi\r\n\r\nbody\r\n") },
        { BYTES("Subject: nul\r\n\r\na\0b\0\0c\r\n.\r\n") },
        { BYTES("\0") },
        { BYTES("") },
        { BYTES("From x\n\n\xff\xfe\x80 not utf-8\r\r\n") },
#undef BYTES
    };
    g_autoptr(GError) error = NULL;
    gint64 ticket = add_ticket(fx->store, "a@x", "raw", TICKET_STATUS_NEW, 1);
    GBytes *raw = NULL;

    for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autoptr(Message) msg = make_message(cases[i].raw, cases[i].len,
                                              NULL);
        g_autoptr(GBytes) got = NULL;
        gint64 row = add_message(fx->store, msg, ticket);
        gsize len = 0;
        const char *p;

        g_assert_cmpint(store_message_raw(fx->store, row, &got, &error), ==,
                        ST_OK);
        g_assert_no_error(error);
        p = g_bytes_get_data(got, &len);
        g_assert_cmpmem(p, len, cases[i].raw, cases[i].len);
    }

    g_assert_cmpint(store_message_raw(fx->store, 999, &raw, &error), ==,
                    ST_DATAERR);
    g_assert_error(error, MT_ERROR, ST_DATAERR);
    g_assert_cmpstr(error->message, ==, "store: no message 999");
    g_assert_null(raw);
}

static void
test_message_find(Fixture *fx, gconstpointer data)
{
    g_autoptr(GError) error = NULL;
    gint64 t1 = add_ticket(fx->store, "a@x", "one", TICKET_STATUS_NEW, 1);
    gint64 t2 = add_ticket(fx->store, "a@x", "two", TICKET_STATUS_NEW, 2);
    g_autoptr(Message) a = make_message("A", 1, "a@example.com");
    g_autoptr(Message) b = make_message("B", 1, NULL);
    g_autoptr(Message) a2 = make_message("A again", 7, "a@example.com");
    gint64 ra = add_message(fx->store, a, t1);
    gint64 rb = add_message(fx->store, b, t2);
    gint64 row = -1, ticket = -1;

    add_message(fx->store, a2, t2);

    /* By Message-ID: the first stored copy wins. */
    g_assert_cmpint(store_message_find(fx->store, "a@example.com", a->sha256,
                                       &row, &ticket, &error), ==, ST_OK);
    g_assert_cmpint(row, ==, ra);
    g_assert_cmpint(ticket, ==, t1);
    /* Exact: no case folding of Message-IDs. */
    g_assert_cmpint(store_message_find(fx->store, "A@example.com", NULL,
                                       &row, &ticket, &error), ==, ST_OK);
    g_assert_cmpint(row, ==, 0);
    g_assert_cmpint(ticket, ==, 0);
    /* A Message-ID given is the key, even when the sha256 would match. */
    g_assert_cmpint(store_message_find(fx->store, "other@x", b->sha256,
                                       &row, &ticket, &error), ==, ST_OK);
    g_assert_cmpint(row, ==, 0);
    /* Without a Message-ID, the sha256. */
    g_assert_cmpint(store_message_find(fx->store, NULL, b->sha256, &row,
                                       &ticket, &error), ==, ST_OK);
    g_assert_cmpint(row, ==, rb);
    g_assert_cmpint(ticket, ==, t2);
    g_assert_cmpint(store_message_find(fx->store, NULL, "00", &row, &ticket,
                                       &error), ==, ST_OK);
    g_assert_cmpint(row, ==, 0);
    g_assert_no_error(error);
}

static void
test_thread_index(Fixture *fx, gconstpointer data)
{
    g_autoptr(GError) error = NULL;
    guint8 index[27];
    guint8 other[22];
    gint64 t1 = add_ticket(fx->store, "a@x", "one", TICKET_STATUS_NEW, 1);
    gint64 t2 = add_ticket(fx->store, "a@x", "two", TICKET_STATUS_NEW, 2);
    g_autoptr(Message) m1 = make_message("1", 1, "m1@x");
    g_autoptr(Message) m2 = make_message("2", 1, "m2@x");
    g_autoptr(Message) m3 = make_message("3", 1, "m3@x");
    g_autoptr(GBytes) root = NULL;
    g_autoptr(GBytes) root2 = NULL;
    g_autoptr(GBytes) whole = NULL;
    gint64 ticket = -1;

    for (guint i = 0; i < sizeof(index); i++)
        index[i] = (guint8)(i * 7); /* includes a NUL byte */
    memset(other, 0xab, sizeof(other));
    m1->thread_index = g_bytes_new(index, sizeof(index));
    /* Too short to carry a conversation root. */
    m2->thread_index = g_bytes_new(other, 10);
    add_message(fx->store, m1, t1);
    add_message(fx->store, m2, t2);

    root = g_bytes_new(index, 22);
    g_assert_cmpint(store_ticket_by_thread_index(fx->store, root, &ticket,
                                                 &error), ==, ST_OK);
    g_assert_cmpint(ticket, ==, t1);
    /* A whole Thread-Index finds its root too. */
    whole = g_bytes_new(index, sizeof(index));
    g_assert_cmpint(store_ticket_by_thread_index(fx->store, whole, &ticket,
                                                 &error), ==, ST_OK);
    g_assert_cmpint(ticket, ==, t1);
    root2 = g_bytes_new(other, 22);
    g_assert_cmpint(store_ticket_by_thread_index(fx->store, root2, &ticket,
                                                 &error), ==, ST_OK);
    g_assert_cmpint(ticket, ==, 0);

    /* The conversation went on in a newer ticket: that one is current. */
    m3->thread_index = g_bytes_new(index, 22);
    add_message(fx->store, m3, t2);
    g_assert_cmpint(store_ticket_by_thread_index(fx->store, root, &ticket,
                                                 &error), ==, ST_OK);
    g_assert_cmpint(ticket, ==, t2);
    g_assert_no_error(error);
}

static void
test_subject(Fixture *fx, gconstpointer data)
{
    g_autoptr(GError) error = NULL;
    gint64 old = add_ticket(fx->store, "ann@x.com", "invoice",
                            TICKET_STATUS_OPEN, 1000);
    gint64 newer = add_ticket(fx->store, "ann@x.com", "invoice",
                              TICKET_STATUS_PENDING, 2000);
    gint64 resolved = add_ticket(fx->store, "ann@x.com", "invoice",
                                 TICKET_STATUS_RESOLVED, 3000);
    gint64 closed = add_ticket(fx->store, "ann@x.com", "refund",
                               TICKET_STATUS_CLOSED, 3000);
    gint64 spam = add_ticket(fx->store, "ann@x.com", "win", TICKET_STATUS_SPAM,
                             3000);
    gint64 fresh = add_ticket(fx->store, "ann@x.com", "win", TICKET_STATUS_NEW,
                              500);
    static const struct {
        const char *email;
        const char *subject;
        gint64 since;
        int want; /* index into ids, or -1 for none */
    } cases[] = {
        { "ann@x.com", "invoice", 0, 1 },    /* newest open one */
        { "ANN@X.com", "invoice", 0, 1 },    /* address case-insensitive */
        { "ann@x.com", "invoice", 1500, 1 },
        { "ann@x.com", "invoice", 2001, -1 }, /* too old; resolved skipped */
        { "ann@x.com", "Invoice", 0, -1 },   /* subject exact */
        { "bob@x.com", "invoice", 0, -1 },   /* another sender */
        { "ann@x.com", "refund", 0, -1 },    /* closed */
        { "ann@x.com", "win", 0, 3 },        /* spam skipped */
        { "ann@x.com", "win", 500, 3 },      /* since is inclusive */
        { "ann@x.com", "win", 501, -1 },
    };
    const gint64 ids[] = { old, newer, resolved, fresh };

    (void)closed;
    (void)spam;
    for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
        gint64 ticket = -1;

        g_assert_cmpint(store_ticket_by_subject(fx->store, cases[i].email,
                                                cases[i].subject,
                                                cases[i].since, &ticket,
                                                &error), ==, ST_OK);
        g_assert_no_error(error);
        g_assert_cmpint(ticket, ==,
                        cases[i].want < 0 ? 0 : ids[cases[i].want]);
    }
}

static void
test_history(Fixture *fx, gconstpointer data)
{
    g_autoptr(GError) error = NULL;
    gint64 id = add_ticket(fx->store, "ann@x.com", "s", TICKET_STATUS_NEW, 1);
    g_autoptr(Message) m1 = make_message("one", 3, "one@x");
    g_autoptr(Message) m2 = make_message("two", 3, NULL);
    g_autoptr(Ticket) t = NULL;
    MessageFiling filing = filing_for(id);
    Attachment *att;
    const StoredMessage *s;
    const StoredAttachment *sa;
    gint64 r1 = 0, r2 = 0;

    m1->from = address_new("Ann Example", "ann@x.com");
    g_ptr_array_add(m1->to, address_new("Support", "support@desk.example"));
    g_ptr_array_add(m1->to, address_new(NULL, "b@desk.example"));
    g_ptr_array_add(m1->cc, address_new(NULL, "c@x.com"));
    g_free(m1->subject);
    m1->subject = g_strdup("Printer");
    g_free(m1->text);
    m1->text = g_strdup("It burns.\n\n> old\n");
    g_free(m1->reply_text);
    m1->reply_text = g_strdup("It burns.");
    m1->date = 1700000100;
    message_add_problem(m1, "missing closing boundary");
    message_add_problem(m1, "junk after base64");
    att = g_new0(Attachment, 1);
    att->filename = g_strdup("photo.jpg");
    att->content_type = g_strdup("image/jpeg");
    att->size = 12345;
    g_ptr_array_add(m1->attachments, att);
    att = g_new0(Attachment, 1);
    att->filename = g_strdup("Rechnung März.pdf");
    att->content_type = g_strdup("application/pdf");
    att->size = 0;
    g_ptr_array_add(m1->attachments, att);
    g_assert_cmpint(store_message_add(fx->store, m1, &filing, &r1, &error),
                    ==, ST_OK);

    filing.direction = DIRECTION_OUT;
    filing.role = ROLE_AGENT;
    filing.kind = MSG_KIND_AUTO_REPLY;
    filing.is_verified = true;
    filing.received_at = MESSAGE_NO_TIME;
    filing.source = NULL;
    m2->flags = MSG_FLAG_TRUNCATED | MSG_FLAG_LOOP;
    g_assert_cmpint(store_message_add(fx->store, m2, &filing, &r2, &error),
                    ==, ST_OK);

    /* Events come back by time, then by insertion. */
    g_assert_cmpint(store_event_add(fx->store, id, 300, "classified", "b",
                                    &error), ==, ST_OK);
    g_assert_cmpint(store_event_add(fx->store, id, 100, "created", NULL,
                                    &error), ==, ST_OK);
    g_assert_cmpint(store_event_add(fx->store, id, 300, "threaded", "c",
                                    &error), ==, ST_OK);
    g_assert_cmpint(store_event_add(fx->store, id, 200, "assigned", "bob",
                                    &error), ==, ST_OK);
    g_assert_no_error(error);

    /* Without history: neither messages nor events. */
    g_assert_cmpint(store_ticket_get(fx->store, id, false, &t, &error), ==,
                    ST_OK);
    g_assert_cmpuint(t->messages->len, ==, 0);
    g_assert_cmpuint(t->events->len, ==, 0);
    g_clear_pointer(&t, ticket_free);

    g_assert_cmpint(store_ticket_get(fx->store, id, true, &t, &error), ==,
                    ST_OK);
    g_assert_no_error(error);
    g_assert_cmpuint(t->messages->len, ==, 2);

    s = g_ptr_array_index(t->messages, 0);
    g_assert_cmpint(s->id, ==, r1);
    g_assert_cmpint(s->ticket_id, ==, id);
    g_assert_cmpstr(s->message_id, ==, "one@x");
    g_assert_cmpint(s->direction, ==, DIRECTION_IN);
    g_assert_cmpint(s->role, ==, ROLE_CUSTOMER);
    g_assert_cmpint(s->kind, ==, MSG_KIND_NORMAL);
    g_assert_false(s->is_verified);
    g_assert_cmpstr(s->from, ==, "Ann Example <ann@x.com>");
    g_assert_cmpstr(s->from_email, ==, "ann@x.com");
    g_assert_cmpstr(s->to, ==, "Support <support@desk.example>, "
                               "b@desk.example");
    g_assert_cmpstr(s->cc, ==, "c@x.com");
    g_assert_cmpstr(s->subject, ==, "Printer");
    g_assert_cmpint(s->date, ==, 1700000100);
    g_assert_cmpint(s->received_at, ==, 1700000000);
    g_assert_cmpstr(s->text, ==, "It burns.\n\n> old\n");
    g_assert_cmpstr(s->reply_text, ==, "It burns.");
    g_assert_cmpuint(s->flags, ==, MSG_FLAG_PARSE_PROBLEM);
    g_assert_cmpstr(s->problems, ==,
                    "missing closing boundary\njunk after base64");
    g_assert_cmpstr(s->source, ==, "maildir:/srv/mail");
    g_assert_cmpuint(s->attachments->len, ==, 2);
    sa = g_ptr_array_index(s->attachments, 0);
    g_assert_cmpstr(sa->filename, ==, "photo.jpg");
    g_assert_cmpstr(sa->content_type, ==, "image/jpeg");
    g_assert_cmpint(sa->size, ==, 12345);
    sa = g_ptr_array_index(s->attachments, 1);
    g_assert_cmpstr(sa->filename, ==, "Rechnung März.pdf");
    g_assert_cmpint(sa->size, ==, 0);

    s = g_ptr_array_index(t->messages, 1);
    g_assert_cmpint(s->id, ==, r2);
    g_assert_null(s->message_id);
    g_assert_cmpint(s->direction, ==, DIRECTION_OUT);
    g_assert_cmpint(s->role, ==, ROLE_AGENT);
    g_assert_cmpint(s->kind, ==, MSG_KIND_AUTO_REPLY);
    g_assert_true(s->is_verified);
    g_assert_null(s->from);
    g_assert_null(s->from_email);
    g_assert_cmpstr(s->to, ==, "");
    g_assert_cmpint(s->date, ==, MESSAGE_NO_TIME);
    g_assert_cmpint(s->received_at, ==, MESSAGE_NO_TIME);
    g_assert_cmpuint(s->flags, ==, MSG_FLAG_TRUNCATED | MSG_FLAG_LOOP);
    g_assert_null(s->problems);
    g_assert_null(s->source);
    g_assert_cmpuint(s->attachments->len, ==, 0);

    {
        static const struct {
            gint64 at;
            const char *kind;
            const char *detail;
        } want[] = {
            { 100, "created", NULL },
            { 200, "assigned", "bob" },
            { 300, "classified", "b" },
            { 300, "threaded", "c" },
        };

        g_assert_cmpuint(t->events->len, ==, G_N_ELEMENTS(want));
        for (guint i = 0; i < G_N_ELEMENTS(want); i++) {
            const TicketEvent *e = g_ptr_array_index(t->events, i);

            g_assert_cmpint(e->at, ==, want[i].at);
            g_assert_cmpstr(e->kind, ==, want[i].kind);
            g_assert_cmpstr(e->detail, ==, want[i].detail);
        }
    }
}

static void
test_participants(Fixture *fx, gconstpointer data)
{
    static const struct {
        const char *email;
        bool want;
    } cases[] = {
        { "ann@x.com", true },
        { "Ann@X.COM", true },
        { "bob@desk.example", true },
        { "carl@x.com", false },
        { "ann@x.co", false },
    };
    g_autoptr(GError) error = NULL;
    gint64 t1 = add_ticket(fx->store, "ann@x.com", "s", TICKET_STATUS_NEW, 1);
    gint64 t2 = add_ticket(fx->store, "carl@x.com", "s", TICKET_STATUS_NEW,
                           1);
    bool has = false;

    g_assert_cmpint(store_participant_add(fx->store, t1, "ann@x.com", NULL,
                                          ROLE_CUSTOMER, &error), ==, ST_OK);
    /* Twice, differently spelt: no error, still one participant. */
    g_assert_cmpint(store_participant_add(fx->store, t1, "ANN@x.com", "Ann",
                                          ROLE_AGENT, &error), ==, ST_OK);
    g_assert_cmpint(store_participant_add(fx->store, t1, "bob@desk.example",
                                          "Bob", ROLE_AGENT, &error), ==,
                    ST_OK);
    g_assert_cmpint(store_participant_add(fx->store, t2, "carl@x.com", NULL,
                                          ROLE_CUSTOMER, &error), ==, ST_OK);
    g_assert_no_error(error);

    for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_assert_cmpint(store_participant_has(fx->store, t1, cases[i].email,
                                              &has, &error), ==, ST_OK);
        g_assert_no_error(error);
        g_assert_cmpint(has, ==, cases[i].want);
    }
    /* A participant of another ticket is not on this one. */
    g_assert_cmpint(store_participant_has(fx->store, t2, "ann@x.com", &has,
                                          &error), ==, ST_OK);
    g_assert_false(has);

    /* Foreign keys are on: no participants of a missing ticket. */
    g_assert_cmpint(store_participant_add(fx->store, 77, "z@x", NULL,
                                          ROLE_CUSTOMER, &error), ==,
                    ST_IOERR);
    g_assert_error(error, MT_ERROR, ST_IOERR);
    g_assert_true(g_str_has_prefix(error->message,
                                   "store: cannot add a participant: "));
}

static void
test_fields(Fixture *fx, gconstpointer data)
{
    g_autoptr(GError) error = NULL;
    gint64 id = add_ticket(fx->store, "a@x", "s", TICKET_STATUS_NEW, 1);
    g_autoptr(Ticket) t = NULL;

    g_assert_cmpint(store_ticket_set_field(fx->store, id, "order", "A-1",
                                           &error), ==, ST_OK);
    g_assert_cmpint(store_ticket_set_field(fx->store, id, "order", "A-2",
                                           &error), ==, ST_OK);
    g_assert_cmpint(store_ticket_set_field(fx->store, id, "contract", "gold",
                                           &error), ==, ST_OK);
    g_assert_cmpint(store_ticket_set_field(fx->store, id, "tmp", "x",
                                           &error), ==, ST_OK);
    g_assert_cmpint(store_ticket_set_field(fx->store, id, "tmp", NULL,
                                           &error), ==, ST_OK);
    g_assert_no_error(error);

    g_assert_cmpint(store_ticket_get(fx->store, id, false, &t, &error), ==,
                    ST_OK);
    g_assert_cmpuint(g_hash_table_size(t->fields), ==, 2);
    g_assert_cmpstr(g_hash_table_lookup(t->fields, "order"), ==, "A-2");
    g_assert_cmpstr(g_hash_table_lookup(t->fields, "contract"), ==, "gold");
    g_assert_null(g_hash_table_lookup(t->fields, "tmp"));
}

/* --- Transactions and positions ------------------------------------ */

static void
test_savepoint(Fixture *fx, gconstpointer data)
{
    g_autoptr(GError) error = NULL;
    gint64 id = add_ticket(fx->store, "a@x", "s", TICKET_STATUS_NEW, 1);
    g_autoptr(Message) a = make_message("kept", 4, "kept@x");
    g_autoptr(Message) b = make_message("dropped", 7, "dropped@x");
    g_autoptr(Message) c = make_message("after", 5, "after@x");
    g_autoptr(GBytes) raw = NULL;
    g_autoptr(Ticket) t = NULL;
    gint64 ra, rb, rc, row = 0, ticket = 0;
    bool seen = true;

    g_assert_cmpint(store_begin(fx->store, &error), ==, ST_OK);

    g_assert_cmpint(store_savepoint(fx->store, &error), ==, ST_OK);
    ra = add_message(fx->store, a, id);
    g_assert_cmpint(store_source_pos_add(fx->store, "mbox:/x", "offset=0", ra,
                                         &error), ==, ST_OK);
    g_assert_cmpint(store_savepoint_release(fx->store, &error), ==, ST_OK);

    g_assert_cmpint(store_savepoint(fx->store, &error), ==, ST_OK);
    rb = add_message(fx->store, b, id);
    g_assert_cmpint(store_source_pos_add(fx->store, "mbox:/x", "offset=4", rb,
                                         &error), ==, ST_OK);
    g_assert_cmpint(store_event_add(fx->store, id, 5, "threaded", NULL,
                                    &error), ==, ST_OK);
    store_savepoint_rollback(fx->store);

    g_assert_cmpint(store_savepoint(fx->store, &error), ==, ST_OK);
    rc = add_message(fx->store, c, id);
    g_assert_cmpint(store_savepoint_release(fx->store, &error), ==, ST_OK);
    g_assert_cmpint(store_commit(fx->store, &error), ==, ST_OK);
    g_assert_no_error(error);
    g_assert_cmpint(ra, <, rb);

    g_assert_cmpint(store_message_find(fx->store, "kept@x", NULL, &row,
                                       &ticket, &error), ==, ST_OK);
    g_assert_cmpint(row, ==, ra);
    g_assert_cmpint(store_message_find(fx->store, "after@x", NULL, &row,
                                       &ticket, &error), ==, ST_OK);
    g_assert_cmpint(row, ==, rc);
    g_assert_cmpint(store_message_find(fx->store, "dropped@x", NULL, &row,
                                       &ticket, &error), ==, ST_OK);
    g_assert_cmpint(row, ==, 0);
    /* The rolled-back row id may be reused; its bytes are gone. */
    g_assert_cmpint(store_message_raw(fx->store, rc, &raw, &error), ==,
                    ST_OK);
    g_assert_cmpmem(g_bytes_get_data(raw, NULL), g_bytes_get_size(raw),
                    "after", 5);

    g_assert_cmpint(store_source_pos_seen(fx->store, "mbox:/x", "offset=0",
                                          &seen, &error), ==, ST_OK);
    g_assert_true(seen);
    g_assert_cmpint(store_source_pos_seen(fx->store, "mbox:/x", "offset=4",
                                          &seen, &error), ==, ST_OK);
    g_assert_false(seen);

    g_assert_cmpint(store_ticket_get(fx->store, id, true, &t, &error), ==,
                    ST_OK);
    g_assert_cmpuint(t->messages->len, ==, 2);
    g_assert_cmpuint(t->events->len, ==, 0);

    /* A rolled-back batch leaves nothing behind. */
    g_assert_cmpint(store_begin(fx->store, &error), ==, ST_OK);
    {
        g_autoptr(Message) d = make_message("gone", 4, "gone@x");

        add_message(fx->store, d, id);
    }
    store_rollback(fx->store);
    store_rollback(fx->store); /* twice is harmless */
    g_assert_cmpint(store_message_find(fx->store, "gone@x", NULL, &row,
                                       &ticket, &error), ==, ST_OK);
    g_assert_cmpint(row, ==, 0);
    g_assert_no_error(error);
}

/* A transaction that is all or nothing: a message in it takes no
 * savepoint, and the transaction undoes or keeps everything at once. */
static void
test_all_or_nothing(Fixture *fx, gconstpointer data)
{
    g_autoptr(GError) error = NULL;
    gint64 id = add_ticket(fx->store, "a@x", "s", TICKET_STATUS_NEW, 1);
    g_autoptr(Message) a = make_message("undone", 6, "undone@x");
    g_autoptr(Message) b = make_message("kept", 4, "kept@x");
    gint64 row = 0, ticket = 0;

    (void)data;
    g_assert_false(store_is_all_or_nothing(fx->store));
    g_assert_cmpint(store_begin_all_or_nothing(fx->store, &error), ==, ST_OK);
    g_assert_true(store_is_all_or_nothing(fx->store));
    add_message(fx->store, a, id);
    store_rollback(fx->store);
    g_assert_false(store_is_all_or_nothing(fx->store));
    g_assert_cmpint(store_message_find(fx->store, "undone@x", NULL, &row,
                                       &ticket, &error), ==, ST_OK);
    g_assert_cmpint(row, ==, 0);

    g_assert_cmpint(store_begin_all_or_nothing(fx->store, &error), ==, ST_OK);
    add_message(fx->store, b, id);
    g_assert_cmpint(store_commit(fx->store, &error), ==, ST_OK);
    g_assert_false(store_is_all_or_nothing(fx->store));
    g_assert_cmpint(store_message_find(fx->store, "kept@x", NULL, &row,
                                       &ticket, &error), ==, ST_OK);
    g_assert_cmpint(row, >, 0);

    /* A plain transaction after it is not all or nothing. */
    g_assert_cmpint(store_begin(fx->store, &error), ==, ST_OK);
    g_assert_false(store_is_all_or_nothing(fx->store));
    store_rollback(fx->store);
    g_assert_no_error(error);
}

static void
test_source_pos(Fixture *fx, gconstpointer data)
{
    g_autoptr(GError) error = NULL;
    bool seen = true;

    g_assert_cmpint(store_source_pos_seen(fx->store, "maildir:/m", "1.M1P1",
                                          &seen, &error), ==, ST_OK);
    g_assert_false(seen);
    /* A position without a stored message (a duplicate) is fine. */
    g_assert_cmpint(store_source_pos_add(fx->store, "maildir:/m", "1.M1P1", 0,
                                         &error), ==, ST_OK);
    /* Recording it again is a repeated step, not an error. */
    g_assert_cmpint(store_source_pos_add(fx->store, "maildir:/m", "1.M1P1", 0,
                                         &error), ==, ST_OK);
    g_assert_cmpint(store_source_pos_seen(fx->store, "maildir:/m", "1.M1P1",
                                          &seen, &error), ==, ST_OK);
    g_assert_true(seen);
    /* Positions are per source. */
    g_assert_cmpint(store_source_pos_seen(fx->store, "maildir:/n", "1.M1P1",
                                          &seen, &error), ==, ST_OK);
    g_assert_false(seen);
    g_assert_no_error(error);
}

static void
test_meta(Fixture *fx, gconstpointer data)
{
    g_autoptr(GError) error = NULL;
    char *value = (char *)"x";

    g_assert_cmpint(store_meta_get(fx->store, "rr:support", &value, &error),
                    ==, ST_OK);
    g_assert_null(value);
    g_assert_cmpint(store_meta_set(fx->store, "rr:support", "3", &error), ==,
                    ST_OK);
    g_assert_cmpint(store_meta_set(fx->store, "rr:support", "4", &error), ==,
                    ST_OK);
    g_assert_cmpint(store_meta_get(fx->store, "rr:support", &value, &error),
                    ==, ST_OK);
    g_assert_cmpstr(value, ==, "4");
    g_free(value);
    g_assert_cmpint(store_meta_set(fx->store, "rr:support", NULL, &error), ==,
                    ST_OK);
    g_assert_cmpint(store_meta_get(fx->store, "rr:support", &value, &error),
                    ==, ST_OK);
    g_assert_null(value);
    g_assert_no_error(error);
}

/* A second writer waits out the busy timeout, then gets ST_TEMPFAIL.
 * Takes the full timeout, so only with -m slow. */
static void
test_busy(Fixture *fx, gconstpointer data)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(Store) second = NULL;

    if (!g_test_slow()) {
        g_test_skip("waits for the busy timeout; run with -m slow");
        return;
    }
    g_assert_cmpint(store_open(fx->path, STORE_READ_WRITE, &second, &error),
                    ==, ST_OK);
    g_assert_cmpint(store_begin(fx->store, &error), ==, ST_OK);
    g_assert_cmpint(store_begin(second, &error), ==, ST_TEMPFAIL);
    g_assert_error(error, MT_ERROR, ST_TEMPFAIL);
    g_assert_cmpstr(error->message, ==,
                    "store: cannot begin a transaction: database is locked");
    g_clear_error(&error);
    store_rollback(fx->store);
    g_assert_cmpint(store_begin(second, &error), ==, ST_OK);
    g_assert_cmpint(store_commit(second, &error), ==, ST_OK);
    g_assert_no_error(error);
}

/* Many messages in one transaction, as an ingest of a big mailbox. */
static void
test_bulk(Fixture *fx, gconstpointer data)
{
    const guint n = g_test_perf() ? 20000 : 500;
    g_autoptr(GError) error = NULL;
    gint64 id = add_ticket(fx->store, "a@x", "s", TICKET_STATUS_NEW, 1);
    gint64 row = 0, ticket = 0;
    gint64 start = g_get_monotonic_time();

    g_assert_cmpint(store_begin(fx->store, &error), ==, ST_OK);
    for (guint i = 0; i < n; i++) {
        g_autofree char *raw = g_strdup_printf(
            "Message-ID: <%u@bulk>\r\nSubject: bulk %u\r\n\r\nbody\r\n", i,
            i);
        g_autofree char *mid = g_strdup_printf("%u@bulk", i);
        g_autofree char *pos = g_strdup_printf("offset=%u", i);
        g_autoptr(Message) msg = make_message(raw, strlen(raw), mid);
        MessageFiling filing = filing_for(id);
        gint64 r = 0;

        g_assert_cmpint(store_savepoint(fx->store, &error), ==, ST_OK);
        g_assert_cmpint(store_message_add(fx->store, msg, &filing, &r,
                                          &error), ==, ST_OK);
        g_assert_cmpint(store_source_pos_add(fx->store, "mbox:/b", pos, r,
                                             &error), ==, ST_OK);
        g_assert_cmpint(store_savepoint_release(fx->store, &error), ==,
                        ST_OK);
    }
    g_assert_cmpint(store_commit(fx->store, &error), ==, ST_OK);
    g_assert_no_error(error);
    if (g_test_perf())
        g_test_minimized_result(
            (double)(g_get_monotonic_time() - start) / G_USEC_PER_SEC,
            "%u messages in %.2f s", n,
            (double)(g_get_monotonic_time() - start) / G_USEC_PER_SEC);

    g_assert_cmpint(store_message_find(fx->store, "123@bulk", NULL, &row,
                                       &ticket, &error), ==, ST_OK);
    g_assert_cmpint(row, >, 0);
    g_assert_cmpint(ticket, ==, id);
}

/* The lead's filters of `ticket list`, alone and together. */
static void
test_ticket_list_filters(Fixture *fx, gconstpointer data)
{
    static const struct {
        const char *assignee;
        const char *category;
        gint64 created;
        gint64 due; /* 0: no clock */
        int level;
    } tickets[] = {
        { "alice", "billing", 100, 1000, 0 },   /* 1001 */
        { "bob", "billing", 200, 0, 0 },        /* 1002 */
        { NULL, NULL, 300, 400, 0 },            /* 1003: breached */
        { "alice", NULL, 400, 0, 2 },           /* 1004: breached */
        { "bob", "network", 500, 5000, 1 },     /* 1005 */
    };
    static const struct {
        TicketFilter filter;
        gint64 want[6]; /* 0-terminated */
    } cases[] = {
        { { .status = -1, .assignee = "alice" }, { 1001, 1004 } },
        { { .status = -1, .assignee = "" }, { 1003 } },
        { { .status = -1, .category = "billing" }, { 1001, 1002 } },
        { { .status = -1, .category = "" }, { 1003, 1004 } },
        { { .status = -1, .is_breached = true, .now = 500 }, { 1003, 1004 } },
        { { .status = -1, .due_by = 1500, .now = 500 }, { 1001 } },
        { { .status = -1, .due_by = 9000, .now = 500 }, { 1001, 1005 } },
        { { .status = -1, .created_by = 300 }, { 1001, 1002, 1003 } },
        { { .status = -1, .assignee = "bob", .category = "billing" },
          { 1002 } },
        { { .status = -1, .assignee = "carol" }, { 0 } },
        { { .status = TICKET_STATUS_OPEN, .assignee = "alice" }, { 1004 } },
        { { .status = -1, .assignee = "alice", .limit = 1 }, { 1001 } },
    };
    g_autoptr(GError) error = NULL;

    for (guint i = 0; i < G_N_ELEMENTS(tickets); i++) {
        g_autoptr(Ticket) t = ticket_new();
        gint64 id = 0;

        t->customer_email = g_strdup("c@x");
        t->subject = g_strdup("s");
        t->status = i == 3 ? TICKET_STATUS_OPEN : TICKET_STATUS_NEW;
        t->assignee = g_strdup(tickets[i].assignee);
        t->category = g_strdup(tickets[i].category);
        t->created_at = tickets[i].created;
        t->updated_at = tickets[i].created;
        t->due_at = tickets[i].due != 0 ? tickets[i].due : MESSAGE_NO_TIME;
        t->escalation_level = tickets[i].level;
        g_assert_cmpint(store_ticket_create(fx->store, t, 1001, &id, &error),
                        ==, ST_OK);
    }
    for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autoptr(GPtrArray) list = NULL;
        guint n = 0;

        g_test_message("case %u", i);
        g_assert_cmpint(store_ticket_list(fx->store, &cases[i].filter, &list,
                                          &error), ==, ST_OK);
        g_assert_no_error(error);
        while (cases[i].want[n] != 0)
            n++;
        g_assert_cmpuint(list->len, ==, n);
        for (guint j = 0; j < n; j++)
            g_assert_cmpint(((Ticket *)list->pdata[j])->id, ==,
                            cases[i].want[j]);
    }
}

static Status
scan_one(const TicketSummary *t, gpointer data, GError **error)
{
    TicketSummary *out = data;

    (void)error;
    *out = *t;
    out->category = out->team = out->assignee = out->mailbox = NULL;
    out->rating_comment = NULL;
    return ST_OK;
}

/* Ended clocks go into the store with the ticket, once, and the
 * report's pass reads them back; the pending time round-trips. */
static void
test_ended_clocks(Fixture *fx, gconstpointer data)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(Ticket) t = ticket_new();
    g_autoptr(Ticket) got = NULL;
    TicketSummary sum = { 0 };
    EndedClock first = { CLOCK_KIND_FIRST, 1000, 5000, 4000, 600,
                         CLOCK_END_ANSWERED, 1 };
    /* Next clocks: met, late, past due when resolved, answered after
     * until, and one started before since. */
    EndedClock next[] = {
        { CLOCK_KIND_NEXT, 6000, 9000, 8000, 0, CLOCK_END_ANSWERED, 0 },
        { CLOCK_KIND_NEXT, 10000, 11000, 12000, 0, CLOCK_END_ANSWERED, 2 },
        { CLOCK_KIND_NEXT, 13000, 14000, 15000, 50, CLOCK_END_DONE, 2 },
        { CLOCK_KIND_NEXT, 16000, 25000, 21000, 0, CLOCK_END_ANSWERED, 0 },
        { CLOCK_KIND_NEXT, 500, 700, 600, 0, CLOCK_END_ANSWERED, 0 },
    };
    gint64 id = 0;

    t->customer_email = g_strdup("ann@example.com");
    t->created_at = 1000;
    t->pending_since = 1200;
    t->pending_total = 77;
    g_array_append_val(t->ended_clocks, first);
    g_assert_cmpint(store_ticket_create(fx->store, t, 1001, &id, &error), ==,
                    ST_OK);
    g_assert_cmpuint(t->ended_clocks->len, ==, 0);
    t->id = id;
    g_array_append_vals(t->ended_clocks, next, G_N_ELEMENTS(next));
    g_assert_cmpint(store_ticket_update(fx->store, t, &error), ==, ST_OK);
    g_assert_cmpuint(t->ended_clocks->len, ==, 0);
    /* A second update writes no clock again. */
    g_assert_cmpint(store_ticket_update(fx->store, t, &error), ==, ST_OK);
    g_assert_no_error(error);

    g_assert_cmpint(store_ticket_get(fx->store, id, false, &got, &error), ==,
                    ST_OK);
    g_assert_cmpint(got->pending_since, ==, 1200);
    g_assert_cmpint(got->pending_total, ==, 77);
    g_assert_cmpuint(got->clock_history->len, ==, 0);
    /* Loaded on request, every ended clock comes back, by start. */
    g_assert_cmpint(store_ticket_load_clocks(fx->store, got, &error), ==,
                    ST_OK);
    g_assert_cmpuint(got->clock_history->len, ==, 6);
    {
        const EndedClock *h = (const EndedClock *)got->clock_history->data;

        g_assert_cmpint(h[0].started_at, ==, 500);
        g_assert_cmpint(h[1].kind, ==, CLOCK_KIND_FIRST);
        g_assert_cmpint(h[1].due_at, ==, 5000);
        g_assert_cmpint(h[1].ended_at, ==, 4000);
        g_assert_cmpint(h[1].paused_total, ==, 600);
        g_assert_cmpint(h[1].end, ==, CLOCK_END_ANSWERED);
        g_assert_cmpint(h[1].level, ==, 1);
        g_assert_true(clock_is_met(&h[1]));
        g_assert_false(clock_is_met(&h[3]));  /* answered late */
        g_assert_cmpint(h[4].end, ==, CLOCK_END_DONE);
        g_assert_false(clock_is_met(&h[4]));  /* never answered */
        g_assert_cmpint(h[5].started_at, ==, 16000);
    }
    g_assert_cmpint(store_ticket_scan(fx->store, 1000, 20000, scan_one, &sum,
                                      &error),
                    ==, ST_OK);
    g_assert_cmpint(sum.id, ==, id);
    g_assert_cmpint(sum.first_paused, ==, 600);
    g_assert_cmpint(sum.pending_total, ==, 77);
    g_assert_cmpint(sum.next_due, ==, 3);
    g_assert_cmpint(sum.next_met, ==, 1);
    /* With until past the late answer, it is due and missed too. */
    g_assert_cmpint(store_ticket_scan(fx->store, 1000, 30000, scan_one, &sum,
                                      &error),
                    ==, ST_OK);
    g_assert_cmpint(sum.next_due, ==, 4);
    g_assert_cmpint(sum.next_met, ==, 2);
}

int
main(int argc, char **argv)
{
    static const struct {
        const char *path;
        void (*func)(Fixture *fx, gconstpointer data);
    } tests[] = {
        { "/store/open-reopen", test_open_reopen },
        { "/store/too-new", test_too_new },
        { "/store/read-only-missing", test_read_only_missing },
        { "/store/not-a-database", test_not_a_database },
        { "/store/ticket-numbers", test_ticket_numbers },
        { "/store/ticket-get-unknown", test_ticket_get_unknown },
        { "/store/ticket-update", test_ticket_update },
        { "/store/ended-clocks", test_ended_clocks },
        { "/store/ticket-list", test_ticket_list },
        { "/store/ticket-list-filters", test_ticket_list_filters },
        { "/store/message-raw", test_message_raw },
        { "/store/message-find", test_message_find },
        { "/store/thread-index", test_thread_index },
        { "/store/subject", test_subject },
        { "/store/history", test_history },
        { "/store/participants", test_participants },
        { "/store/fields", test_fields },
        { "/store/savepoint", test_savepoint },
        { "/store/all-or-nothing", test_all_or_nothing },
        { "/store/source-pos", test_source_pos },
        { "/store/meta", test_meta },
        { "/store/busy", test_busy },
        { "/store/bulk", test_bulk },
    };

    g_test_init(&argc, &argv, NULL);
    for (guint i = 0; i < G_N_ELEMENTS(tests); i++)
        g_test_add(tests[i].path, Fixture, NULL, fixture_setup,
                   tests[i].func, fixture_teardown);
    return g_test_run();
}
