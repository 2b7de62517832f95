/*
 * fuzz-rules.c - a rules file as an admin might write it: rules_parse()
 * (the language, PCRE2 compilation, the prefilter's literals), and,
 * when it loads, rules_check_agents() and rules_evaluate() over a few
 * fixed messages, new and follow-up.  A bad file must give ST_CONFIG
 * with a message, never a crash.
 */
#include "config.h"

#include <glib.h>
#include <string.h>

#include "fuzz.h"
#include "message.h"
#include "parse.h"
#include "rules.h"

static const char *const messages_text[] = {
    "From: Kim <kim@bigco.example>\n"
    "To: support@example.com\n"
    "Cc: boss@bigco.example\n"
    "Subject: Refund for order 123456\n"
    "X-Spam-Flag: NO\n"
    "X-Customer-Tier: gold\n"
    "Content-Type: multipart/mixed; boundary=b\n"
    "\n"
    "--b\n"
    "Content-Type: text/plain; charset=utf-8\n"
    "\n"
    "I was charged twice for order #1234567, please refund.\n"
    "--b\n"
    "Content-Type: application/pdf; name=invoice.pdf\n"
    "Content-Disposition: attachment; filename=invoice.pdf\n"
    "\n"
    "%PDF\n"
    "--b--\n",
    "From: MAILER-DAEMON@mx.example\n"
    "Subject: Undelivered Mail Returned to Sender\n"
    "Auto-Submitted: auto-replied\n"
    "\n"
    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!\n",
    "",
};

static const char *const agents[] = { "alice", "bob", NULL };
static GPtrArray *messages;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
    Limits lim;

    fuzz_init_glib();
    limits_init_default(&lim);
    messages = g_ptr_array_new_with_free_func((GDestroyNotify)message_free);
    for (guint i = 0; i < G_N_ELEMENTS(messages_text); i++) {
        g_autoptr(GBytes) raw = g_bytes_new_static(
            messages_text[i], strlen(messages_text[i]));
        Message *msg = NULL;

        if (parse_message(raw, &lim, &msg, NULL) != ST_OK)
            fuzz_fail("fuzz-rules: message %u does not parse", i);
        g_ptr_array_add(messages, msg);
    }
    return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* rules_load() reads a file into a string: text ends at a NUL. */
    g_autofree char *text = g_strndup((const char *)data, size);
    g_autoptr(RuleSet) set = NULL;
    g_autoptr(GError) error = NULL;
    g_autoptr(GError) agent_error = NULL;
    const RuleLimits limits = {
        .match_limit = 100000, .depth_limit = 1000, .heap_limit = 1024,
    };

    if (rules_parse("fuzz.rules", text, &set, &error) != ST_OK) {
        if (error == NULL || error->message[0] == '\0')
            fuzz_fail("fuzz-rules: a failure without a message");
        return 0;
    }
    if (set == NULL)
        fuzz_fail("fuzz-rules: success without a rule set");
    (void)rules_count(set);
    (void)rules_prefiltered_patterns(set);
    (void)rules_pattern_count(set);
    (void)rules_check_agents(set, agents, &agent_error);
    rules_set_limits(set, &limits);
    for (guint i = 0; i < messages->len; i++) {
        for (int followup = 0; followup <= 1; followup++) {
            RuleInput in = {
                .msg = g_ptr_array_index(messages, i),
                .mailbox = "inbox",
                .is_followup = followup == 1,
            };
            g_autoptr(RulesResult) res = rules_evaluate(set, &in);

            if (res == NULL || res->hits == NULL)
                fuzz_fail("fuzz-rules: rules_evaluate gave no result");
        }
    }
    return 0;
}
