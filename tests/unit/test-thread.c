/*
 * test-thread.c - tags, subject normalisation and thread_resolve().
 *
 * The cases' messages are replayed against a fake ThreadLookup kept in
 * GHashTables, which plays the store: each new ticket gets the next
 * number from 1001, remembers its Message-IDs, participants and
 * Thread-Index root.  Headers are split and unfolded here without RFC
 * 2047 decoding; where a case needs the decoded subject, the table
 * gives it (as expect.json does).
 */
#include "config.h"

#include <string.h>

#include "thread.h"
#include "parse.h"
#include "util.h"

/* A Message as ingest sees it: parse_message() over a header block
 * (given its closing empty line when it has none) and any body. */
static Message *
message_from_text(const char *text)
{
    g_autofree char *whole = strstr(text, "\n\n") != NULL ||
                                     strstr(text, "\r\n\r\n") != NULL
                                 ? g_strdup(text)
                                 : g_strconcat(text, "\n", NULL);
    g_autoptr(GBytes) raw = g_bytes_new(whole, strlen(whole));
    Message *msg = NULL;
    Limits lim;

    limits_init_default(&lim);
    g_assert_cmpint(parse_message(raw, &lim, &msg, NULL), ==, ST_OK);
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

/* --- pure helpers ------------------------------------------------- */

static const struct {
    const char *subject;
    const char *prefix;
    gint64 tag;
} tag_table[] = {
    { "Re: [#1234] printer on fire", "", 1234 },
    { "AW: WG: [#1234]", NULL, 1234 },
    { "[#] empty tag", "", -1 },
    { "[#12a] not digits", "", -1 },
    { "[# 12] space", "", -1 },
    { "no tag at all", "", -1 },
    { "", "", -1 },
    { "VS: SV: AW: RE[2]: [#1001] Laptop battery swelling", "", 1001 },
    { "Laptop battery swelling[#1001]still waiting", "", 1001 },
    { "RE:[EXTERNAL][#1001] Réclamation facture n° 2025-311", "", 1001 },
    { "[users-list] Sync errors after the 4.2 update", "", -1 },
    { "Re: [users-list] [#1002] x", "", 1002 },
    { "[ACME #1234] printer", "ACME", 1234 },
    { "[acme#1234] printer", "ACME", 1234 },
    { "Re: [Acme  #77]", "ACME", 77 },
    { "[#1234] plain tag with a prefix configured", "ACME", -1 },
    { "[ACME #1234] prefixed tag without prefix", "", -1 },
    { "[ACMEX #1234] other prefix", "ACME", -1 },
    { "[x] [#5] [#6]", "", 5 },
    { "[#1234567890123456789] too long", "", -1 },
    { NULL, "", -1 },
};

static void
test_find_tag(void)
{
    for (gsize i = 0; i < G_N_ELEMENTS(tag_table); i++) {
        g_test_message("%s", tag_table[i].subject);
        g_assert_cmpint(thread_find_tag(tag_table[i].subject,
                                        tag_table[i].prefix),
                        ==, tag_table[i].tag);
    }
}

static const struct {
    const char *subject;
    const char *normalized;
} normalize_table[] = {
    { "VS: SV: AW: RE[2]: [#1001] Laptop battery swelling",
      "Laptop battery swelling" },
    { "Laptop battery swelling[#1001]still waiting",
      "Laptop battery swelling still waiting" },
    { "RE:[EXTERNAL][#1001] Réclamation facture n° 2025-311",
      "Réclamation facture n° 2025-311" },
    { "[EXTERNAL]Réclamation facture n° 2025-311",
      "Réclamation facture n° 2025-311" },
    { "AW: Drucker im 2. OG druckt nur leere Seiten",
      "Drucker im 2. OG druckt nur leere Seiten" },
    { "Re: Re: Re:  VPN   drops\tevery 20 minutes ",
      "VPN drops every 20 minutes" },
    { "Re:Re:x", "x" },
    { "RE: [EXT] FW: *EXTERNAL* Fwd: test", "test" },
    { "[SPAM] Re: test", "test" },
    { "Re(2): x", "x" },
    { "Re^3: x", "x" },
    { "RE : x", "x" },
    { "Fwd: Antw: Antwort: Doorst: RIF: R: I: TR: Réf: Ref: RV: ENC: x",
      "x" },
    { "Odp: PD: YNT: İLT: x", "x" },
    { "ΑΠ: ΣΧΕΤ: ΠΡΘ: Απ: x", "x" },
    { "Відп: Отв: Ответ: Пересл: x", "x" },
    { "回复: 回覆：转发: 轉寄: 答复: 返信: 転送: x", "x" },
    { "Re: [users-list] Sync errors after the 4.2 update",
      "[users-list] Sync errors after the 4.2 update" },
    /* A single letter only with its colon right after it. */
    { "R : x", "R : x" },
    { "I am out of the office", "I am out of the office" },
    /* Words that merely start like a prefix. */
    { "Reset: password", "Reset: password" },
    { "Area: Berlin", "Area: Berlin" },
    { "Refund please", "Refund please" },
    { "Case Kept", "Case Kept" },
    { "", "" },
    { "   ", "" },
    { "[#1001]", "" },
    { NULL, "" },
};

static void
test_normalize(void)
{
    for (gsize i = 0; i < G_N_ELEMENTS(normalize_table); i++) {
        g_autofree char *got =
            thread_normalize_subject(normalize_table[i].subject, "");

        g_test_message("%s", normalize_table[i].subject);
        g_assert_cmpstr(got, ==, normalize_table[i].normalized);
    }
}

static void
test_normalize_prefix(void)
{
    g_autofree char *a =
        thread_normalize_subject("Re: [ACME #12] printer [ACME#12]", "ACME");
    g_autofree char *b =
        thread_normalize_subject("Re: [#12] printer", "ACME");

    g_assert_cmpstr(a, ==, "printer");
    /* Not our tag form: it stays part of the subject. */
    g_assert_cmpstr(b, ==, "[#12] printer");
}

static const struct {
    const char *subject;
    bool forward;
} forward_table[] = {
    { "Fwd: [#1001] Access badge not working at door 3", true },
    { "FW: x", true },
    { "WG: x", true },
    { "TR: x", true },
    { "Doorst: x", true },
    { "RV: x", true },
    { "ENC: x", true },
    { "I: x", true },
    { "PD: x", true },
    { "İLT: x", true },
    { "ΠΡΘ: x", true },
    { "Пересл: x", true },
    { "转发: x", true },
    { "轉寄: x", true },
    { "転送: x", true },
    { "[EXTERNAL] Fwd: x", true },
    { "[ACME #12] Fwd: x", true },
    { "[users-list] FW: x", true },
    { "Re: Fwd: x", false },
    { "VS: x", false },
    { "AW: WG: x", false },
    { "Fwd x", false },
    { "x", false },
    { "", false },
};

static void
test_is_forward(void)
{
    for (gsize i = 0; i < G_N_ELEMENTS(forward_table); i++) {
        g_test_message("%s", forward_table[i].subject);
        g_assert_cmpint(thread_is_forward(forward_table[i].subject), ==,
                        forward_table[i].forward);
    }
}

static const char *const support_addresses[] = {
    "support@example.com",
    "billing@example.com",
    NULL,
};

static const struct {
    const char *email;
    gint64 tag;
} plus_table[] = {
    { "support+1234@example.com", 1234 },
    { "Support+1234@Example.COM", 1234 },
    { "billing+7@example.com", 7 },
    { "support+1001.alice.TOKEN@example.com", 1001 },
    { "support+abc@example.com", -1 },
    { "support+12abc@example.com", -1 },
    { "support+@example.com", -1 },
    { "support+0@example.com", -1 },
    { "support@example.com", -1 },
    { "sales+1234@example.com", -1 },
    { "support+1234@example.net", -1 },
    { "support+1234", -1 },
    { NULL, -1 },
};

static void
test_plus_tag(void)
{
    for (gsize i = 0; i < G_N_ELEMENTS(plus_table); i++) {
        g_test_message("%s", plus_table[i].email);
        g_assert_cmpint(thread_plus_tag(plus_table[i].email,
                                        support_addresses),
                        ==, plus_table[i].tag);
    }
    g_assert_cmpint(thread_plus_tag("support+1@example.com", NULL), ==, -1);
}

/* C03: the 27-byte Thread-Index of 02 begins with the 22 bytes of 01. */
static void
test_thread_index_root(void)
{
    g_autoptr(Message) first = message_from_text(
        "Thread-Index: AduSW1X+mz5dGnwvToC2HQpMji96Ew==\n");
    g_autoptr(Message) reply = message_from_text(
        "Thread-Index: AduSW1X+mz5dGnwvToC2HQpMji96EwABEi5a\n");
    g_autoptr(Message) shorter = message_from_text(
        "Thread-Index: AduSW1X+mz5dGnwvToC2HQ==\n");
    g_autoptr(Message) none = message_new(NULL);
    g_autoptr(GBytes) a = thread_index_root(first);
    g_autoptr(GBytes) b = thread_index_root(reply);
    g_autofree char *b64 = NULL;

    g_assert_cmpuint(g_bytes_get_size(reply->thread_index), ==, 27);
    g_assert_nonnull(a);
    g_assert_nonnull(b);
    g_assert_cmpuint(g_bytes_get_size(b), ==, 22);
    g_assert_true(g_bytes_equal(a, b));
    b64 = g_base64_encode(g_bytes_get_data(b, NULL), 22);
    g_assert_cmpstr(b64, ==, "AduSW1X+mz5dGnwvToC2HQpMji96Ew==");
    g_assert_null(thread_index_root(shorter));
    g_assert_null(thread_index_root(none));
}

static void
test_method_names(void)
{
    g_assert_cmpstr(thread_method_name(THREAD_BY_NONE), ==, "new");
    g_assert_cmpstr(thread_method_name(THREAD_BY_TAG), ==, "tag");
    g_assert_cmpstr(thread_method_name(THREAD_BY_PLUS_ADDRESS), ==,
                    "plus-address");
    g_assert_cmpstr(thread_method_name(THREAD_BY_REFERENCES), ==,
                    "references");
    g_assert_cmpstr(thread_method_name(THREAD_BY_THREAD_INDEX), ==,
                    "thread-index");
    g_assert_cmpstr(thread_method_name(THREAD_BY_SUBJECT), ==, "subject");
}

/* --- the fake store ----------------------------------------------- */

typedef struct {
    TicketStatus status;
    gint64 resolved_at;
    gint64 created_at;
    gint64 linked;
    char *from;
    char *subject;        /* normalised */
    GHashTable *people;   /* lower-case e-mail set */
} FakeTicket;

typedef struct {
    gint64 next;
    GHashTable *tickets;  /* gint64 * -> FakeTicket * */
    GHashTable *msgids;   /* char * -> gint64 ticket, as pointer */
    GHashTable *roots;    /* base64 root -> gint64 ticket, as pointer */
    bool fail;            /* every callback fails */
} FakeStore;

static void
fake_ticket_free(FakeTicket *t)
{
    g_free(t->from);
    g_free(t->subject);
    g_hash_table_unref(t->people);
    g_free(t);
}

static FakeStore *
fake_store_new(void)
{
    FakeStore *fs = g_new0(FakeStore, 1);

    fs->next = 1001;
    fs->tickets = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free,
                                        (GDestroyNotify)fake_ticket_free);
    fs->msgids = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    fs->roots = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    return fs;
}

static void
fake_store_free(FakeStore *fs)
{
    g_hash_table_unref(fs->tickets);
    g_hash_table_unref(fs->msgids);
    g_hash_table_unref(fs->roots);
    g_free(fs);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC(FakeStore, fake_store_free)

static FakeTicket *
fake_ticket(FakeStore *fs, gint64 id)
{
    return g_hash_table_lookup(fs->tickets, &id);
}

static Status
fake_fail(GError **error)
{
    return status_set(error, ST_IOERR, "store: fake failure");
}

static Status
fake_by_message_id(void *ctx, const char *message_id, gint64 *ticket_out,
                   GError **error)
{
    FakeStore *fs = ctx;

    if (fs->fail)
        return fake_fail(error);
    *ticket_out = GPOINTER_TO_SIZE(g_hash_table_lookup(fs->msgids,
                                                       message_id));
    return ST_OK;
}

static Status
fake_state(void *ctx, gint64 ticket, bool *exists_out,
           TicketStatus *status_out, gint64 *resolved_at_out, GError **error)
{
    FakeStore *fs = ctx;
    FakeTicket *t = NULL;

    if (fs->fail)
        return fake_fail(error);
    t = fake_ticket(fs, ticket);
    *exists_out = t != NULL;
    *status_out = t != NULL ? t->status : TICKET_STATUS_NEW;
    *resolved_at_out = t != NULL ? t->resolved_at : MESSAGE_NO_TIME;
    return ST_OK;
}

static Status
fake_is_on(void *ctx, gint64 ticket, const char *email, bool *on_out,
           GError **error)
{
    FakeStore *fs = ctx;
    FakeTicket *t = NULL;

    if (fs->fail)
        return fake_fail(error);
    t = fake_ticket(fs, ticket);
    *on_out = t != NULL && g_hash_table_contains(t->people, email);
    return ST_OK;
}

static Status
fake_by_root(void *ctx, GBytes *root, gint64 *ticket_out, GError **error)
{
    FakeStore *fs = ctx;
    g_autofree char *key = NULL;

    if (fs->fail)
        return fake_fail(error);
    key = g_base64_encode(g_bytes_get_data(root, NULL),
                          g_bytes_get_size(root));
    *ticket_out = GPOINTER_TO_SIZE(g_hash_table_lookup(fs->roots, key));
    return ST_OK;
}

static Status
fake_by_subject(void *ctx, const char *from_email, const char *subject,
                gint64 since, gint64 *ticket_out, GError **error)
{
    FakeStore *fs = ctx;
    GHashTableIter iter;
    gpointer key;
    gpointer value;

    if (fs->fail)
        return fake_fail(error);
    *ticket_out = 0;
    g_hash_table_iter_init(&iter, fs->tickets);
    while (g_hash_table_iter_next(&iter, &key, &value)) {
        const FakeTicket *t = value;
        gint64 id = *(gint64 *)key;

        if (strcmp(t->from, from_email) == 0 &&
            strcmp(t->subject, subject) == 0 && t->created_at >= since &&
            t->status != TICKET_STATUS_RESOLVED &&
            t->status != TICKET_STATUS_CLOSED && id > *ticket_out)
            *ticket_out = id;
    }
    return ST_OK;
}

static ThreadLookup
fake_lookup(FakeStore *fs)
{
    ThreadLookup lookup = {
        .ctx = fs,
        .ticket_by_message_id = fake_by_message_id,
        .ticket_state = fake_state,
        .is_on_ticket = fake_is_on,
        .ticket_by_thread_index = fake_by_root,
        .ticket_by_subject = fake_by_subject,
    };
    return lookup;
}

static void
add_people(FakeTicket *t, const Message *msg)
{
    const GPtrArray *lists[] = { msg->to, msg->cc };

    if (msg->from != NULL)
        g_hash_table_add(t->people, g_ascii_strdown(msg->from->email, -1));
    for (gsize l = 0; l < G_N_ELEMENTS(lists); l++)
        for (guint i = 0; i < lists[l]->len; i++) {
            const Address *a = g_ptr_array_index(lists[l], i);

            g_hash_table_add(t->people, g_ascii_strdown(a->email, -1));
        }
}

/* Store msg as process.c would: on decision's ticket, or a new one. */
static gint64
fake_store_message(FakeStore *fs, const Message *msg,
                   const ThreadDecision *d, gint64 now)
{
    gint64 id = d->ticket;
    FakeTicket *t = NULL;
    g_autoptr(GBytes) root = thread_index_root(msg);

    if (id == 0) {
        gint64 *key = g_new(gint64, 1);

        id = fs->next++;
        *key = id;
        t = g_new0(FakeTicket, 1);
        t->status = TICKET_STATUS_NEW;
        t->resolved_at = MESSAGE_NO_TIME;
        t->created_at = now;
        t->linked = d->linked_ticket;
        t->from = g_ascii_strdown(msg->from != NULL ? msg->from->email : "",
                                  -1);
        t->subject = thread_normalize_subject(msg->subject, "");
        t->people = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
                                          NULL);
        g_hash_table_insert(fs->tickets, key, t);
    }
    t = fake_ticket(fs, id);
    add_people(t, msg);
    if (msg->message_id != NULL)
        g_hash_table_insert(fs->msgids, g_strdup(msg->message_id),
                            GSIZE_TO_POINTER(id));
    if (root != NULL)
        g_hash_table_insert(fs->roots,
                            g_base64_encode(g_bytes_get_data(root, NULL), 22),
                            GSIZE_TO_POINTER(id));
    return id;
}

/* --- the cases ---------------------------------------------------- */

static const char *const agent_addresses[] = {
    "maria.lopez@example.com",
    NULL,
};

/* One message of a case: the ticket it must land on, how, and the
 * decoded subject where the raw header is encoded. */
typedef struct {
    const char *file;
    const char *subject;   /* NULL: the header as it is */
    gint64 ticket;
    gint64 linked;
    ThreadMethod method;
} CaseStep;

static const struct {
    const char *case_name;
    CaseStep steps[4];
} case_table[] = {
    { "C01", {
        { "01.eml", NULL, 1001, 0, THREAD_BY_NONE },
        { "02.eml", NULL, 1001, 0, THREAD_BY_REFERENCES },
        { "03.eml", NULL, 1001, 0, THREAD_BY_REFERENCES },
    } },
    { "C03", {
        { "01.eml", NULL, 1001, 0, THREAD_BY_NONE },
        { "02.eml", NULL, 1001, 0, THREAD_BY_THREAD_INDEX },
    } },
    { "C04", {
        { "01.eml", NULL, 1001, 0, THREAD_BY_NONE },
        { "02.eml", NULL, 1001, 0, THREAD_BY_TAG },
        { "03.eml", NULL, 1001, 0, THREAD_BY_TAG },
    } },
    { "C05", {
        { "01.eml", NULL, 1001, 0, THREAD_BY_NONE },
        { "02.eml", NULL, 1001, 0, THREAD_BY_TAG },
    } },
    { "C07", {
        { "01.eml", NULL, 1001, 0, THREAD_BY_NONE },
        { "02.eml", NULL, 1002, 1001, THREAD_BY_TAG },
    } },
    { "C17", {
        { "01.eml", NULL, 1001, 0, THREAD_BY_NONE },
        { "02.eml", NULL, 1001, 0, THREAD_BY_REFERENCES },
    } },
    { "C24", {
        { "01.eml", "[EXTERNAL]Réclamation facture n° 2025-311",
          1001, 0, THREAD_BY_NONE },
        { "02.eml", "RE:[EXTERNAL][#1001] Réclamation facture n° 2025-311",
          1001, 0, THREAD_BY_TAG },
    } },
};

static void
test_cases(void)
{
    ThreadOptions opt = {
        .tag_prefix = "",
        .support_addresses = support_addresses,
        .agent_addresses = agent_addresses,
        .subject_fallback_days = 0,
        .reopen_window_days = 30,
        .now = 1742000000,
    };

    for (gsize c = 0; c < G_N_ELEMENTS(case_table); c++) {
        g_autoptr(FakeStore) fs = fake_store_new();
        ThreadLookup lookup = fake_lookup(fs);

        for (gsize s = 0; s < G_N_ELEMENTS(case_table[c].steps); s++) {
            const CaseStep *step = &case_table[c].steps[s];
            g_autoptr(Message) msg = NULL;
            g_autoptr(GError) error = NULL;
            ThreadDecision d;
            gint64 id;

            if (step->file == NULL)
                break;
            g_test_message("%s/%s", case_table[c].case_name, step->file);
            msg = message_from_case(case_table[c].case_name, step->file);
            if (step->subject != NULL) {
                g_free(msg->subject);
                msg->subject = g_strdup(step->subject);
            }
            g_assert_cmpint(thread_resolve(msg, &opt, &lookup, &d, &error),
                            ==, ST_OK);
            g_assert_no_error(error);
            g_assert_cmpstr(thread_method_name(d.method), ==,
                            thread_method_name(step->method));
            g_assert_cmpint(d.linked_ticket, ==, step->linked);
            g_assert_nonnull(d.reason);
            id = fake_store_message(fs, msg, &d, opt.now);
            g_assert_cmpint(id, ==, step->ticket);
        }
    }
}

/* A ticket 1001 opened by ana@example.org with Message-ID <m1@x>. */
static FakeStore *
store_with_ticket(TicketStatus status, gint64 resolved_at)
{
    FakeStore *fs = fake_store_new();
    g_autoptr(Message) first = message_from_text(
        "From: Ana <ana@example.org>\nTo: support@example.com\n"
        "Cc: Bo <bo@example.org>\nMessage-ID: <m1@x>\n"
        "Subject: Printer on fire\n");
    ThreadDecision d = { 0 };
    FakeTicket *t = NULL;

    fake_store_message(fs, first, &d, 1000);
    t = fake_ticket(fs, 1001);
    t->status = status;
    t->resolved_at = resolved_at;
    return fs;
}

static const gint64 day = 86400;

static const struct {
    const char *headers;
    TicketStatus status;
    gint64 resolved_ago;    /* days; -1 not resolved */
    gint64 fallback_days;
    gint64 ticket;
    gint64 linked;
    ThreadMethod method;
    const char *reason;
} resolve_table[] = {
    /* The requester, a participant in Cc and an agent may use the tag. */
    { "From: ana@example.org\nSubject: [#1001] more\n",
      TICKET_STATUS_OPEN, -1, 0, 1001, 0, THREAD_BY_TAG, "subject tag" },
    { "From: BO@example.org\nSubject: Re: [#1001] x\n",
      TICKET_STATUS_OPEN, -1, 0, 1001, 0, THREAD_BY_TAG, NULL },
    { "From: maria.lopez@example.com\nSubject: [#1001] x\n",
      TICKET_STATUS_OPEN, -1, 0, 1001, 0, THREAD_BY_TAG, NULL },
    /* A stranger's tag opens a linked ticket (C07)... */
    { "From: eve@example.net\nSubject: Fwd: [#1001] x\n",
      TICKET_STATUS_OPEN, -1, 0, 0, 1001, THREAD_BY_TAG, "not on the ticket" },
    { "Subject: [#1001] no From at all\n",
      TICKET_STATUS_OPEN, -1, 0, 0, 1001, THREAD_BY_TAG, NULL },
    /* ...unless the stranger answers a message of that ticket. */
    { "From: eve@example.net\nSubject: Re: [#1001] x\n"
      "In-Reply-To: <m1@x>\n",
      TICKET_STATUS_OPEN, -1, 0, 1001, 0, THREAD_BY_TAG, NULL },
    /* A tag we never issued is ignored; the next step decides. */
    { "From: ana@example.org\nSubject: [#4711] x\nReferences: <m1@x>\n",
      TICKET_STATUS_OPEN, -1, 0, 1001, 0, THREAD_BY_REFERENCES,
      "References" },
    { "From: ana@example.org\nSubject: [#4711] x\n",
      TICKET_STATUS_OPEN, -1, 0, 0, 0, THREAD_BY_NONE, "new ticket" },
    /* Plus addresses in To, Cc or Delivered-To. */
    { "From: ana@example.org\nTo: support+1001@example.com\nSubject: x\n",
      TICKET_STATUS_OPEN, -1, 0, 1001, 0, THREAD_BY_PLUS_ADDRESS, NULL },
    { "From: ana@example.org\nTo: a@example.org\n"
      "Cc: Support <support+1001.bo.T0K3N@example.com>\nSubject: x\n",
      TICKET_STATUS_OPEN, -1, 0, 1001, 0, THREAD_BY_PLUS_ADDRESS, NULL },
    { "From: ana@example.org\nDelivered-To: support+1001@example.com\n"
      "Subject: x\n",
      TICKET_STATUS_OPEN, -1, 0, 1001, 0, THREAD_BY_PLUS_ADDRESS, NULL },
    { "From: eve@example.net\nTo: support+1001@example.com\nSubject: x\n",
      TICKET_STATUS_OPEN, -1, 0, 0, 1001, THREAD_BY_PLUS_ADDRESS, NULL },
    /* The subject's tag wins over the plus address. */
    { "From: ana@example.org\nTo: support+1001@example.com\n"
      "Subject: [#4711] x\n",
      TICKET_STATUS_OPEN, -1, 0, 1001, 0, THREAD_BY_PLUS_ADDRESS, NULL },
    /* Reply headers: In-Reply-To first, then References newest first. */
    { "From: zed@example.net\nIn-Reply-To: <m1@x>\nSubject: x\n",
      TICKET_STATUS_OPEN, -1, 0, 1001, 0, THREAD_BY_REFERENCES,
      "In-Reply-To" },
    { "From: zed@example.net\nIn-Reply-To: <unknown@x>\n"
      "References: <m1@x> <unknown@x>\nSubject: x\n",
      TICKET_STATUS_OPEN, -1, 0, 1001, 0, THREAD_BY_REFERENCES,
      "References" },
    { "From: zed@example.net\nIn-Reply-To: <unknown@x>\nSubject: x\n",
      TICKET_STATUS_OPEN, -1, 0, 0, 0, THREAD_BY_NONE, NULL },
    /* Subject fallback: only when enabled, same sender, open ticket. */
    { "From: ana@example.org\nSubject: AW: Printer on fire\n",
      TICKET_STATUS_OPEN, -1, 7, 1001, 0, THREAD_BY_SUBJECT,
      "sender and subject" },
    { "From: ana@example.org\nSubject: AW: Printer on fire\n",
      TICKET_STATUS_OPEN, -1, 0, 0, 0, THREAD_BY_NONE, NULL },
    { "From: bo@example.org\nSubject: AW: Printer on fire\n",
      TICKET_STATUS_OPEN, -1, 7, 0, 0, THREAD_BY_NONE, NULL },
    /* Reopen window (30 days): inside it the ticket takes the reply. */
    { "From: ana@example.org\nSubject: [#1001] again\n",
      TICKET_STATUS_RESOLVED, 3, 0, 1001, 0, THREAD_BY_TAG, NULL },
    { "From: ana@example.org\nSubject: [#1001] again\n",
      TICKET_STATUS_RESOLVED, 31, 0, 0, 1001, THREAD_BY_TAG,
      "reopen window" },
    { "From: ana@example.org\nIn-Reply-To: <m1@x>\nSubject: again\n",
      TICKET_STATUS_CLOSED, 31, 0, 0, 1001, THREAD_BY_REFERENCES,
      "reopen window" },
    { "From: ana@example.org\nIn-Reply-To: <m1@x>\nSubject: again\n",
      TICKET_STATUS_PENDING, 31, 0, 1001, 0, THREAD_BY_REFERENCES, NULL },
};

static void
test_resolve(void)
{
    for (gsize i = 0; i < G_N_ELEMENTS(resolve_table); i++) {
        gint64 now = 1000 + 100 * day;
        g_autoptr(FakeStore) fs = store_with_ticket(
            resolve_table[i].status,
            resolve_table[i].resolved_ago < 0
                ? MESSAGE_NO_TIME
                : now - resolve_table[i].resolved_ago * day);
        ThreadLookup lookup = fake_lookup(fs);
        g_autoptr(Message) msg = message_from_text(resolve_table[i].headers);
        g_autoptr(GError) error = NULL;
        ThreadOptions opt = {
            .tag_prefix = "",
            .support_addresses = support_addresses,
            .agent_addresses = agent_addresses,
            .subject_fallback_days = resolve_table[i].fallback_days,
            .reopen_window_days = 30,
            .now = now,
        };
        ThreadDecision d;

        /* The ticket was created 100 days ago; let the fallback see it. */
        if (resolve_table[i].fallback_days > 0)
            fake_ticket(fs, 1001)->created_at = now - day;
        g_test_message("resolve %" G_GSIZE_FORMAT, i);
        g_assert_cmpint(thread_resolve(msg, &opt, &lookup, &d, &error), ==,
                        ST_OK);
        g_assert_no_error(error);
        g_assert_cmpint(d.ticket, ==, resolve_table[i].ticket);
        g_assert_cmpint(d.linked_ticket, ==, resolve_table[i].linked);
        g_assert_cmpstr(thread_method_name(d.method), ==,
                        thread_method_name(resolve_table[i].method));
        g_assert_nonnull(d.reason);
        if (resolve_table[i].reason != NULL)
            g_assert_nonnull(strstr(d.reason, resolve_table[i].reason));
    }
}

/* reopen_window_days 0: a reply always goes to the old ticket. */
static void
test_reopen_always(void)
{
    gint64 now = 1000 + 400 * day;
    g_autoptr(FakeStore) fs =
        store_with_ticket(TICKET_STATUS_CLOSED, now - 365 * day);
    ThreadLookup lookup = fake_lookup(fs);
    g_autoptr(Message) msg =
        message_from_text("From: ana@example.org\nSubject: [#1001] x\n");
    ThreadOptions opt = {
        .tag_prefix = "",
        .support_addresses = support_addresses,
        .now = now,
    };
    ThreadDecision d;

    g_assert_cmpint(thread_resolve(msg, &opt, &lookup, &d, NULL), ==, ST_OK);
    g_assert_cmpint(d.ticket, ==, 1001);
    g_assert_cmpint(d.linked_ticket, ==, 0);
}

/* A configured prefix: "[ACME #1001]" joins, "[#1001]" does not. */
static void
test_resolve_prefix(void)
{
    g_autoptr(FakeStore) fs = store_with_ticket(TICKET_STATUS_OPEN,
                                                MESSAGE_NO_TIME);
    ThreadLookup lookup = fake_lookup(fs);
    g_autoptr(Message) ours =
        message_from_text("From: ana@example.org\nSubject: [ACME #1001] x\n");
    g_autoptr(Message) plain =
        message_from_text("From: ana@example.org\nSubject: [#1001] x\n");
    ThreadOptions opt = {
        .tag_prefix = "ACME",
        .support_addresses = support_addresses,
        .now = 2000,
    };
    ThreadDecision d;

    g_assert_cmpint(thread_resolve(ours, &opt, &lookup, &d, NULL), ==, ST_OK);
    g_assert_cmpint(d.ticket, ==, 1001);
    g_assert_cmpint(thread_resolve(plain, &opt, &lookup, &d, NULL), ==,
                    ST_OK);
    g_assert_cmpint(d.ticket, ==, 0);
    g_assert_cmpint(d.method, ==, THREAD_BY_NONE);
}

/* A store failure is passed on with its error. */
static void
test_resolve_error(void)
{
    g_autoptr(FakeStore) fs = store_with_ticket(TICKET_STATUS_OPEN,
                                                MESSAGE_NO_TIME);
    ThreadLookup lookup = fake_lookup(fs);
    g_autoptr(Message) msg = message_from_text(
        "From: ana@example.org\nIn-Reply-To: <m1@x>\nSubject: x\n");
    g_autoptr(GError) error = NULL;
    ThreadOptions opt = { .tag_prefix = "", .now = 2000 };
    ThreadDecision d;

    fs->fail = true;
    g_assert_cmpint(thread_resolve(msg, &opt, &lookup, &d, &error), ==,
                    ST_IOERR);
    g_assert_error(error, MT_ERROR, ST_IOERR);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/thread/find-tag", test_find_tag);
    g_test_add_func("/thread/normalize", test_normalize);
    g_test_add_func("/thread/normalize-prefix", test_normalize_prefix);
    g_test_add_func("/thread/is-forward", test_is_forward);
    g_test_add_func("/thread/plus-tag", test_plus_tag);
    g_test_add_func("/thread/thread-index-root", test_thread_index_root);
    g_test_add_func("/thread/method-names", test_method_names);
    g_test_add_func("/thread/cases", test_cases);
    g_test_add_func("/thread/resolve", test_resolve);
    g_test_add_func("/thread/reopen-always", test_reopen_always);
    g_test_add_func("/thread/resolve-prefix", test_resolve_prefix);
    g_test_add_func("/thread/resolve-error", test_resolve_error);
    return g_test_run();
}
