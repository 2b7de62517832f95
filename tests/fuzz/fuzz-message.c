/*
 * fuzz-message.c - one raw message from anyone, through every pure
 * stage that reads it: parse_message() (MIME, charsets, RFC 2047,
 * HTML to text, quote stripping, References, Thread-Index),
 * classify_message(), the threading helpers and thread_resolve(), and
 * a small rule set over the result.  The input is the message's bytes.
 *
 * Besides not crashing, parse_message() promises a Message whose texts
 * are never NULL and always valid UTF-8 (parse.h, message.h); a broken
 * promise aborts here, so the fuzzer reports it like a crash.
 */
#include "config.h"

#include <glib.h>
#include <string.h>

#include "classify.h"
#include "fuzz.h"
#include "message.h"
#include "parse.h"
#include "rules.h"
#include "thread.h"

static const char *const support_addresses[] = {
    "support@example.com", "help@example.com", NULL,
};
static const char *const agent_addresses[] = { "alice@example.com", NULL };
static const char *const fallbacks[] = { "koi8-r", "shift_jis", NULL };

/* Every field and construct of the rule language, so rules_evaluate()
 * meets the fuzzed message everywhere a real rule set would. */
static const char rules_text[] =
    "rule \"all fields\"\n"
    "    any\n"
    "        match subject /\\b(refund|urgent)\\b/i\n"
    "        match from /@(bigco|example)\\.com$/i\n"
    "        match to /support/\n"
    "        match cc /./\n"
    "        match header \"X-Spam-Flag\" /^\\s*yes/i\n"
    "        match attachment /\\.(pdf|exe)$/i\n"
    "        match mailbox /inbox/\n"
    "        match kind /^(bounce|auto_reply)$/\n"
    "    end\n"
    "    not match body /^\\s*$/\n"
    "    match body /order\\s*#?(?<order>\\d{3,})/i\n"
    "    set category billing\n"
    "    set field order_id \"${order}\"\n"
    "    set priority high\n"
    "    assign team billing\n"
    "end\n"
    "rule \"catastrophic\"\n"
    "    on followup\n"
    "    match body /(a+)+$/\n"
    "    set priority urgent\n"
    "    stop\n"
    "end\n";

static RuleSet *rules;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
    g_autoptr(GError) error = NULL;

    fuzz_init_glib();
    if (rules_parse("fuzz.rules", rules_text, &rules, &error) != ST_OK)
        fuzz_fail("fuzz-message: %s", error->message);
    return 0;
}

/* A store that knows some ids: ticket numbers derived from the text,
 * so that each branch of thread_resolve() can be reached. */
static gint64
fake_ticket(const char *text)
{
    gsize len = text != NULL ? strlen(text) : 0;

    return len % 3 == 0 ? 0 : 1000 + (gint64)len;
}

static Status
by_message_id(void *ctx, const char *message_id, gint64 *ticket_out,
              GError **error)
{
    *ticket_out = fake_ticket(message_id);
    return ST_OK;
}

static Status
ticket_state(void *ctx, gint64 ticket, bool *exists_out,
             TicketStatus *status_out, gint64 *resolved_at_out,
             GError **error)
{
    *exists_out = ticket % 5 != 0;
    *status_out =
        ticket % 2 == 0 ? TICKET_STATUS_RESOLVED : TICKET_STATUS_OPEN;
    *resolved_at_out = ticket % 2 == 0 ? 1700000000 : 0;
    return ST_OK;
}

static Status
is_on_ticket(void *ctx, gint64 ticket, const char *email, bool *on_out,
             GError **error)
{
    *on_out = email != NULL && strlen(email) % 2 == 0;
    return ST_OK;
}

static Status
by_thread_index(void *ctx, GBytes *root, gint64 *ticket_out,
                GError **error)
{
    *ticket_out = g_bytes_get_size(root) == 22 ? 1022 : 0;
    return ST_OK;
}

static Status
by_subject(void *ctx, const char *from_email, const char *normalized_subject,
           gint64 since, gint64 *ticket_out, GError **error)
{
    *ticket_out = fake_ticket(normalized_subject);
    return ST_OK;
}

static void
check_text(const char *what, const char *text)
{
    if (text == NULL || !g_utf8_validate(text, -1, NULL))
        fuzz_fail("fuzz-message: %s is %s", what,
                  text == NULL ? "NULL" : "not UTF-8");
}

static void
check_optional(const char *what, const char *text)
{
    if (text != NULL)
        check_text(what, text);
}

static void
check_strings(const char *what, const GPtrArray *list)
{
    for (guint i = 0; i < list->len; i++)
        check_text(what, g_ptr_array_index(list, i));
}

static void
check_address(const char *what, const Address *addr)
{
    if (addr == NULL)
        return;
    check_text(what, addr->email);
    check_optional(what, addr->name);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    g_autoptr(GBytes) raw = g_bytes_new(data, size);
    g_autoptr(Message) msg = NULL;
    g_autoptr(GError) error = NULL;
    g_autoptr(GBytes) root = NULL;
    g_autoptr(RulesResult) res = NULL;
    g_autofree char *normalized = NULL;
    const ClassifyOptions copt = { .own_addresses = support_addresses };
    const ThreadOptions topt = {
        .tag_prefix = "",
        .support_addresses = support_addresses,
        .agent_addresses = agent_addresses,
        .subject_fallback_days = 7,
        .reopen_window_days = 30,
        .now = 1750000000,
    };
    const ThreadLookup lookup = {
        .ticket_by_message_id = by_message_id,
        .ticket_state = ticket_state,
        .is_on_ticket = is_on_ticket,
        .ticket_by_thread_index = by_thread_index,
        .ticket_by_subject = by_subject,
    };
    ThreadDecision decision;
    RuleInput in;
    Limits lim;

    limits_init_default(&lim);
    lim.fallback_charsets = fallbacks;
    /* Every other input meets tiny limits, so that the paths of huge
     * messages (omitted parts, cut text, deep nesting, many headers)
     * are fuzzed as well, without huge inputs. */
    if (size % 2 == 1) {
        lim.max_message_bytes = 1024;
        lim.max_text_bytes = 256;
        lim.max_mime_depth = 3;
        lim.max_parts = 5;
        lim.max_headers = 8;
    }
    if (parse_message(raw, &lim, &msg, &error) != ST_OK || msg == NULL)
        fuzz_fail("fuzz-message: parse_message failed: %s",
                  error != NULL ? error->message : "(no message)");
    check_text("subject", msg->subject);
    check_text("text", msg->text);
    check_text("reply_text", msg->reply_text);
    for (guint i = 0; i < msg->headers->len; i++) {
        const HeaderField *h = g_ptr_array_index(msg->headers, i);

        check_text("a header value", h->value);
    }
    for (guint i = 0; i < msg->attachments->len; i++) {
        const Attachment *att = g_ptr_array_index(msg->attachments, i);

        check_text("an attachment name", att->filename);
        check_text("an attachment type", att->content_type);
    }
    /* Everything else is stored and printed as JSON too. */
    check_optional("message_id", msg->message_id);
    check_optional("in_reply_to", msg->in_reply_to);
    check_optional("return_path", msg->return_path);
    check_optional("thread_topic", msg->thread_topic);
    check_optional("html", msg->html);
    check_strings("a reference", msg->references);
    check_strings("a delivered_to", msg->delivered_to);
    check_strings("a problem", msg->problems);
    check_address("from", msg->from);
    check_address("reply_to", msg->reply_to);
    for (guint i = 0; i < msg->to->len; i++)
        check_address("to", g_ptr_array_index(msg->to, i));
    for (guint i = 0; i < msg->cc->len; i++)
        check_address("cc", g_ptr_array_index(msg->cc, i));

    classify_message(msg, &copt);
    (void)classify_may_autoreply(msg);

    normalized = thread_normalize_subject(msg->subject, "ACME");
    check_text("the normalised subject", normalized);
    (void)thread_find_tag(msg->subject, "");
    (void)thread_is_forward(msg->subject);
    if (msg->from != NULL)
        (void)thread_plus_tag(msg->from->email, support_addresses);
    root = thread_index_root(msg);
    if (thread_resolve(msg, &topt, &lookup, &decision, &error) != ST_OK)
        fuzz_fail("fuzz-message: thread_resolve failed: %s",
                  error->message);

    in = (RuleInput){ .msg = msg, .mailbox = "inbox" };
    res = rules_evaluate(rules, &in);
    return 0;
}
