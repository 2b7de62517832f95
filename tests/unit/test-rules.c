/*
 * test-rules.c - the rule language: every parse error with its place,
 * matching semantics (AND, any, not, stop, on followup), captures, the
 * prefilter's agreement with plain matching, and PCRE2's limits on a
 * catastrophic pattern.
 */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "parse.h"
#include "rules.h"

static Message *
message_from_text(const char *text)
{
    g_autoptr(GBytes) raw = g_bytes_new(text, strlen(text));
    Message *msg = NULL;
    Limits lim;

    limits_init_default(&lim);
    g_assert_cmpint(parse_message(raw, &lim, &msg, NULL), ==, ST_OK);
    return msg;
}

static RuleSet *
parse_ok(const char *text)
{
    g_autoptr(GError) error = NULL;
    RuleSet *set = NULL;

    g_assert_cmpint(rules_parse("t.rules", text, &set, &error), ==, ST_OK);
    g_assert_no_error(error);
    return set;
}

/* --- errors --------------------------------------------------------- */

static const struct {
    const char *text;
    const char *error; /* a line of the message */
} error_table[] = {
    { "match subject /x/\n",
      "t.rules:1:1: expected 'rule \"NAME\"', not 'match'" },
    { "rule\nend\n", "t.rules:1:1: 'rule' needs a name: rule \"NAME\"" },
    { "rule \"a\" extra\nend\n",
      "t.rules:1:10: unexpected 'extra' after the rule's name" },
    { "rule \"a\n", "t.rules:1:6: unterminated string (no closing '\"')" },
    { "rule \"a\"\n  match subject /abc\nend\n",
      "t.rules:2:17: unterminated pattern (no closing '/')" },
    { "rule \"a\"\n  match subject /a(b/\nend\n",
      "t.rules:2:21: bad pattern: missing closing parenthesis" },
    { "rule \"a\"\n  match subject /x/g\nend\n",
      "t.rules:2:20: unknown pattern flag 'g' (use i, m, s, x or u)" },
    { "rule \"a\"\n  match subjekt /x/\nend\n",
      "t.rules:2:9: unknown field 'subjekt' (use subject, from, to, cc, "
      "body, header \"NAME\", attachment, mailbox or kind)" },
    { "rule \"a\"\n  match header /x/\nend\n",
      "t.rules:2:16: 'header' needs the header's name, e.g. header "
      "\"X-Spam-Flag\"" },
    { "rule \"a\"\n  match subject\nend\n",
      "t.rules:2:9: expected a /pattern/ after 'subject'" },
    { "rule \"a\"\n  match subject /x/ more\nend\n",
      "t.rules:2:21: unexpected 'more' after the pattern" },
    { "rule \"a\"\n  not subject /x/\nend\n",
      "t.rules:2:7: expected 'not match FIELD /pattern/'" },
    { "rule \"a\"\n  set colour red\nend\n",
      "t.rules:2:7: expected 'set' category, priority, status, sla, team or "
      "field" },
    { "rule \"a\"\n  set priority hot\nend\n",
      "t.rules:2:16: unknown priority 'hot' (use low, normal, high or "
      "urgent)" },
    { "rule \"a\"\n  set status done\nend\n",
      "t.rules:2:14: unknown status 'done' (use new, open, pending, "
      "resolved, closed or spam)" },
    { "rule \"a\"\n  set sla soon\nend\n",
      "t.rules:2:11: 'soon' is not a duration (e.g. 4h, 90m, 2d) of at "
      "most 36525d" },
    { "rule \"a\"\n  set category\nend\n",
      "t.rules:2:3: 'set category' needs a value" },
    { "rule \"a\"\n  set category two words\nend\n",
      "t.rules:2:20: unexpected 'words' (quote a value that has spaces)" },
    { "rule \"a\"\n  set field\nend\n",
      "t.rules:2:7: expected 'set field NAME VALUE'" },
    { "rule \"a\"\n  assign someone\nend\n",
      "t.rules:2:10: expected 'assign agent NAME' or 'assign team NAME'" },
    { "rule \"a\"\n  frobnicate\nend\n",
      "t.rules:2:3: unknown statement 'frobnicate' (expected match, not "
      "match, any, set, assign, noack, stop, on followup or end)" },
    { "rule \"a\"\n  on newtickets\nend\n",
      "t.rules:2:3: expected 'on followup'" },
    { "rule \"a\"\n  any\n    set priority high\n  end\nend\n",
      "t.rules:3:5: only 'match' and 'not match' may stand inside 'any' "
      "(close it with 'end')" },
    { "rule \"a\"\n  any\n  end\nend\n", "t.rules:2:1: 'any' without a match" },
    { "rule \"a\"\n  any\n  match subject /x/\n",
      "t.rules:2:1: 'any' without its 'end'" },
    { "rule \"a\"\n  stop\n", "t.rules:1:1: rule 'a' without its 'end'" },
    { "rule \"a\"\n  rule \"b\"\nend\n",
      "t.rules:2:3: 'rule' inside rule 'a' (line 1): a rule ends with 'end'" },
    { "rule \"a\"\nend\nrule \"a\"\nend\n",
      "t.rules:3:6: rule 'a' is defined already at t.rules:1" },
    { "rule \"a\"\n  set category \"${nope}\"\nend\n",
      "t.rules:2:16: '${nope}' names no capture group of a match of rule "
      "'a' (write (?<nope>...) in a pattern)" },
    { "rule \"a\"\n  match subject/x/\nend\n",
      "t.rules:2:9: unknown field 'subject/x/' (use subject, from, to, cc, "
      "body, header \"NAME\", attachment, mailbox or kind)" },
    { "rule \"a\"\n  match subject /x/i\"y\"\nend\n",
      "t.rules:2:21: expected a space after 'x'" },
    { "rule \"a\"\n  end extra\nend\n",
      "t.rules:2:7: unexpected 'extra' after 'end'" },
};

static void
test_errors(void)
{
    for (guint i = 0; i < G_N_ELEMENTS(error_table); i++) {
        g_autoptr(GError) error = NULL;
        RuleSet *set = NULL;
        g_auto(GStrv) lines = NULL;
        bool found = false;

        g_assert_cmpint(rules_parse("t.rules", error_table[i].text, &set,
                                    &error),
                        ==, ST_CONFIG);
        g_assert_null(set);
        g_assert_nonnull(error);
        g_assert_cmpint(error->code, ==, ST_CONFIG);
        lines = g_strsplit(error->message, "\n", -1);
        for (char **l = lines; *l != NULL; l++)
            found = found || strcmp(*l, error_table[i].error) == 0;
        if (!found)
            g_error("case %u: want '%s' in:\n%s", i, error_table[i].error,
                    error->message);
    }
}

static void
test_all_errors_listed(void)
{
    g_autoptr(GError) error = NULL;
    RuleSet *set = NULL;

    g_assert_cmpint(rules_parse("t.rules",
                                "rule \"a\"\n"
                                "  match subject /(/\n"
                                "  set priority hot\n"
                                "end\n"
                                "rule \"b\"\n"
                                "  match body /[/\n"
                                "end\n",
                                &set, &error),
                    ==, ST_CONFIG);
    g_assert_true(g_str_has_prefix(error->message, "rules: 3 errors:\n"));
    g_assert_nonnull(strstr(error->message, "t.rules:2:"));
    g_assert_nonnull(strstr(error->message, "t.rules:3:"));
    g_assert_nonnull(strstr(error->message, "t.rules:6:"));
}

static void
test_check_agents(void)
{
    g_autoptr(RuleSet) set = parse_ok("rule \"a\"\n  assign agent carol\n"
                                      "end\nrule \"b\"\n"
                                      "  assign agent alice\nend\n");
    const char *agents[] = { "alice", "bob", NULL };
    g_autoptr(GError) error = NULL;

    g_assert_cmpint(rules_check_agents(set, agents, &error), ==, ST_CONFIG);
    g_assert_nonnull(strstr(error->message,
                            "t.rules:2:16: no agent 'carol' in the "
                            "configuration ([agent carol])"));
}

static void
test_load_dir(void)
{
    g_autofree char *dir = g_dir_make_tmp("test-rules-XXXXXX", NULL);
    g_autofree char *a = g_build_filename(dir, "20-b.rules", NULL);
    g_autofree char *b = g_build_filename(dir, "10-a.rules", NULL);
    g_autofree char *c = g_build_filename(dir, "notes.txt", NULL);
    g_autoptr(RuleSet) set = NULL;
    g_autoptr(GError) error = NULL;
    g_autoptr(Message) msg =
        message_from_text("Subject: hello\n\nbody\n");
    const RuleInput in = { .msg = msg };
    g_autoptr(RulesResult) res = NULL;

    g_assert_true(g_file_set_contents(
        a, "rule \"second\"\n  set category b\nend\n", -1, NULL));
    g_assert_true(g_file_set_contents(
        b, "rule \"first\"\n  set category a\n  set priority low\nend\n",
        -1, NULL));
    g_assert_true(g_file_set_contents(c, "not rules at all", -1, NULL));
    g_assert_cmpint(rules_load(dir, &set, &error), ==, ST_OK);
    g_assert_cmpuint(rules_count(set), ==, 2);
    res = rules_evaluate(set, &in);
    /* Name order: 10-a first, so 20-b's category wins. */
    g_assert_cmpuint(res->hits->len, ==, 2);
    g_assert_cmpstr(((RuleHit *)res->hits->pdata[0])->rule, ==, "first");
    g_assert_cmpstr(res->category, ==, "b");
    g_assert_true(res->has_priority);
    g_assert_cmpint(res->priority, ==, PRIORITY_LOW);

    /* An error in a file names that file. */
    g_assert_true(g_file_set_contents(a, "rule \"x\"\n", -1, NULL));
    g_clear_pointer(&set, rules_free);
    g_assert_cmpint(rules_load(dir, &set, &error), ==, ST_CONFIG);
    g_assert_nonnull(strstr(error->message, "20-b.rules:1:1: rule 'x' "
                                            "without its 'end'"));
    g_clear_error(&error);
    g_assert_cmpint(rules_load("/nonexistent/rules", &set, &error), ==,
                    ST_CONFIG);
    g_unlink(a);
    g_unlink(b);
    g_unlink(c);
    g_rmdir(dir);
}

/* --- matching ------------------------------------------------------- */

static const char *const mail =
    "From: Emma Clarke <Emma.Clarke@Example.org>\n"
    "To: support@example.com, sales@example.com\n"
    "Cc: boss@example.org\n"
    "Subject: Refund for order #4471220 please\n"
    "X-Customer-Tier: Gold\n"
    "X-Spam-Flag: NO\n"
    "MIME-Version: 1.0\n"
    "Content-Type: multipart/mixed; boundary=b\n"
    "\n"
    "--b\n"
    "Content-Type: text/plain\n"
    "\n"
    "Hello, I was charged twice for order 4471220.\n"
    "My account number is C-99812.\n"
    "--b\n"
    "Content-Type: application/octet-stream\n"
    "Content-Disposition: attachment; filename=\"crash.log\"\n"
    "\n"
    "boom\n"
    "--b--\n";

static RulesResult *
run(const char *rules, bool is_followup)
{
    g_autoptr(RuleSet) set = parse_ok(rules);
    g_autoptr(Message) msg = message_from_text(mail);
    const RuleInput in = {
        .msg = msg,
        .mailbox = "imap:support/INBOX",
        .is_followup = is_followup,
    };

    return rules_evaluate(set, &in);
}

/* Rule "r" either matches the sample mail or does not. */
static const struct {
    const char *conds;
    bool matches;
} match_table[] = {
    { "match subject /refund/i", true },
    { "match subject /REFUND/iu", true },
    { "match subject /REFUND/", false },
    { "match from /@example\\.org$/", true }, /* the address, lower case */
    { "match from /Emma/", false },           /* not the display name */
    { "match to /^sales@/", true },           /* any address of To */
    { "match cc /^boss@/", true },
    { "match cc /^sales@/", false },
    { "match body /charged\\s+twice/", true },
    { "match body /^My account/m", true },
    { "match body /^My account/", false },
    { "match header \"x-customer-tier\" /^gold$/i", true },
    { "match header \"X-Missing\" /./", false },
    { "not match header \"X-Missing\" /./", true },
    { "match attachment /\\.log$/", true },
    { "match mailbox /^imap:support/", true },
    { "match kind /^normal$/", true },
    { "match subject /refund/i\n  match body /nothing-like-this/", false },
    { "match subject /refund/i\n  not match body /twice/", false },
    { "not match subject /refund/i", false },
    { "any\n    match subject /nope/\n    match body /twice/\n  end", true },
    { "any\n    match subject /nope/\n    match body /nada/\n  end", false },
    { "any\n    match subject /nope/\n    not match body /nada/\n  end",
      true },
    { "any\n    match subject /nope/\n  end\n  match body /twice/", false },
    { "", true }, /* no condition: every message */
    { "match body /ſ/i", true }, /* PCRE2 folds long s onto s */
};

static void
test_match(void)
{
    for (guint i = 0; i < G_N_ELEMENTS(match_table); i++) {
        g_autofree char *text = g_strdup_printf(
            "rule \"r\"\n  %s\n  set category hit\nend\n",
            match_table[i].conds);
        g_autoptr(RulesResult) res = run(text, false);

        if ((res->hits->len == 1) != match_table[i].matches)
            g_error("case %u (%s): want %s", i, match_table[i].conds,
                    match_table[i].matches ? "a match" : "no match");
        g_assert_cmpstr(res->category, ==,
                        match_table[i].matches ? "hit" : NULL);
    }
}

static void
test_actions(void)
{
    g_autoptr(RulesResult) res = run(
        "rule \"refunds\"\n"
        "  match subject /\\b(?<what>refund|chargeback)\\b/i\n"
        "  match body /order\\s*#?(?<order>\\d{6,})/\n"
        "  set category billing\n"
        "  set priority high\n"
        "  set sla 4h\n"
        "  set field order_id \"${order}\"\n"
        "  set field note \"${what} for ${order}\"\n"
        "  assign team billing\n"
        "  noack\n"
        "end\n"
        "rule \"later\"\n"
        "  set status pending\n"
        "  assign agent alice\n"
        "  stop\n"
        "end\n"
        "rule \"never\"\n"
        "  set category other\n"
        "end\n",
        false);
    const RuleHit *hit;

    g_assert_cmpuint(res->hits->len, ==, 2);
    hit = res->hits->pdata[0];
    g_assert_cmpstr(hit->rule, ==, "refunds");
    g_assert_cmpstr(hit->where, ==, "t.rules:1");
    g_assert_cmpstr(hit->matched, ==,
                    "subject \"Refund\"; body \"order 4471220\"");
    g_assert_cmpstr(hit->actions, ==,
                    "category=billing priority=high sla=4h field "
                    "order_id=4471220 field note=Refund for 4471220 "
                    "assign-team=billing noack");
    g_assert_cmpstr(res->category, ==, "billing");
    g_assert_cmpint(res->priority, ==, PRIORITY_HIGH);
    g_assert_cmpint(res->sla, ==, 4 * 3600);
    g_assert_cmpstr(g_hash_table_lookup(res->fields, "order_id"), ==,
                    "4471220");
    g_assert_cmpstr(g_hash_table_lookup(res->fields, "note"), ==,
                    "Refund for 4471220");
    g_assert_true(res->is_noack);
    /* The later rule overrides the team assignment with an agent. */
    g_assert_cmpstr(res->agent, ==, "alice");
    g_assert_false(res->is_team_assign);
    g_assert_cmpstr(res->team, ==, "billing");
    g_assert_true(res->has_status);
    g_assert_cmpint(res->status, ==, TICKET_STATUS_PENDING);
}

static void
test_captures_in_any(void)
{
    /* A capture of an `any` branch that did not run is empty. */
    g_autoptr(RulesResult) res = run(
        "rule \"r\"\n"
        "  any\n"
        "    match body /account number is (?<acct>C-\\d+)/\n"
        "    match subject /ticket (?<tkt>\\d+)/\n"
        "  end\n"
        "  set field ids \"${acct}/${tkt}\"\n"
        "end\n",
        false);

    g_assert_cmpstr(g_hash_table_lookup(res->fields, "ids"), ==,
                    "C-99812/");
}

static void
test_followup(void)
{
    const char *rules = "rule \"new only\"\n  set category a\nend\n"
                        "rule \"both\"\n  on followup\n"
                        "  set priority urgent\nend\n";
    g_autoptr(RulesResult) fresh = run(rules, false);
    g_autoptr(RulesResult) again = run(rules, true);

    g_assert_cmpuint(fresh->hits->len, ==, 2);
    g_assert_cmpuint(again->hits->len, ==, 1);
    g_assert_null(again->category);
    g_assert_cmpint(again->priority, ==, PRIORITY_URGENT);
}

/* Captured text that reaches a field cannot carry a line break. */
static void
test_capture_cleaned(void)
{
    g_autoptr(RulesResult) res = run(
        "rule \"r\"\n"
        "  match body /(?<two>twice.*\\n.*number)/\n"
        "  set field x \"${two}\"\n"
        "end\n",
        false);

    g_assert_cmpstr(g_hash_table_lookup(res->fields, "x"), ==,
                    "twice for order 4471220. My account number");
}

/* --- prefilter ------------------------------------------------------ */

/* With the x flag a pattern is never prefiltered; without, it is when
 * it has a literal.  Both must answer alike on every text. */
static const char *const prefilter_patterns[] = {
    "refund", "\\brefund\\b", "(refund|chargeback|money\\.back)",
    "order\\s*#?(?<order>\\d{6,})", "charged\\stwice", "ab+c", "ab*c",
    "colou?r", "(?i)kelvin", "x{2,}yz", "(?:foo|bar)baz", "[a-z]+@example",
    "e\\.?mail", "(?=.*refund)", "déjà", "(?<!no\\s)refund", "a|bcd",
    "4471220", "order\\s+4471220\\.", "a(bc|de)?fgh", "\\x41bcd", "s{0}tar",
    "hello\\s(world|there)", "passwor[dt]", "twice\\.?$", "^(?:re|aw):\\s",
    "abc{,3}def", "abc{x}def", "abc{2,}", "[{]abc",
};

static const char *const prefilter_texts[] = {
    "I want a REFUND now",
    "chargeback filed",
    "money.back",
    "money back",
    "Order #4471220",
    "charged\ttwice",
    "abbbc ac abc",
    "color colour",
    "\xe2\x84\xaa" "ELVIN", /* KELVIN SIGN + ELVIN */
    "xxxyz",
    "barbaz",
    "john@example.org",
    "email e.mail",
    "no refund here",
    "DÉJÀ vu",
    "Abcd",
    "star",
    "hello there",
    "password",
    "charged twice.",
    "Re: something",
    "abc{,3}def abdef abcccdef abc{x}def",
    "nothing at all",
    "",
};

static void
test_prefilter_agrees(void)
{
    guint prefiltered = 0;

    for (guint p = 0; p < G_N_ELEMENTS(prefilter_patterns); p++) {
        g_autofree char *rules = g_strdup_printf(
            "rule \"fast\"\n  match subject /%s/i\n  set field f y\nend\n"
            "rule \"plain\"\n  match subject /%s/ix\n  set field p y\nend\n"
            "rule \"fast-cs\"\n  match subject /%s/\n  set field fc y\nend\n"
            "rule \"plain-cs\"\n  match subject /%s/x\n  set field pc y\n"
            "end\n",
            prefilter_patterns[p], prefilter_patterns[p],
            prefilter_patterns[p], prefilter_patterns[p]);
        g_autoptr(RuleSet) set = parse_ok(rules);

        prefiltered += rules_prefiltered_patterns(set) > 0;
        for (guint t = 0; t < G_N_ELEMENTS(prefilter_texts); t++) {
            g_autofree char *text = g_strdup_printf(
                "Subject: %s\n\n", prefilter_texts[t]);
            g_autoptr(Message) msg = message_from_text(text);
            const RuleInput in = { .msg = msg };
            g_autoptr(RulesResult) res = rules_evaluate(set, &in);
            bool f = g_hash_table_contains(res->fields, "f");
            bool pl = g_hash_table_contains(res->fields, "p");
            bool fc = g_hash_table_contains(res->fields, "fc");
            bool pc = g_hash_table_contains(res->fields, "pc");

            if (f != pl || fc != pc)
                g_error("/%s/ on '%s': prefiltered %d/%d, plain %d/%d",
                        prefilter_patterns[p], prefilter_texts[t], f, fc,
                        pl, pc);
        }
    }
    /* Most of these have a literal to require. */
    g_assert_cmpuint(prefiltered, >=, G_N_ELEMENTS(prefilter_patterns) / 2);
}

static void
test_prefilter_counts(void)
{
    g_autoptr(RuleSet) set = parse_ok(
        "rule \"a\"\n"
        "  match subject /\\b(refund|chargeback)\\b/i\n" /* yes */
        "  match body /\\d{6}/\n"                        /* no literal */
        "  match body /ab/\n"                            /* too short */
        "  match header \"X-Spam-Flag\" /^yes$/i\n"      /* headers: no */
        "  match body /x y z/x\n"                        /* x: no */
        "  match body /order\\s*#?\\d+/\n"               /* yes */
        "end\n");

    g_assert_cmpuint(rules_pattern_count(set), ==, 6);
    g_assert_cmpuint(rules_prefiltered_patterns(set), ==, 2);
}

/* --- limits --------------------------------------------------------- */

static void
test_catastrophic(void)
{
    g_autoptr(RuleSet) set = parse_ok(
        "rule \"evil\"\n"
        "  match body /^(a+)+$/\n"
        "  set category evil\n"
        "end\n"
        "rule \"fine\"\n"
        "  match body /aaa/\n"
        "  set priority high\n"
        "end\n");
    g_autoptr(GString) text = g_string_new("Subject: x\n\n");
    g_autoptr(Message) msg = NULL;
    g_autoptr(RulesResult) res = NULL;
    RuleInput in = { 0 };
    gint64 t0;

    for (int i = 0; i < 5000; i++)
        g_string_append_c(text, 'a');
    g_string_append(text, "!\n");
    msg = message_from_text(text->str);
    in.msg = msg;
    t0 = g_get_monotonic_time();
    res = rules_evaluate(set, &in);
    /* Bounded: the limit stops it long before the heat death. */
    g_assert_cmpint(g_get_monotonic_time() - t0, <, 5 * G_USEC_PER_SEC);
    g_assert_null(res->category);
    g_assert_cmpuint(res->notes->len, ==, 1);
    g_assert_nonnull(strstr(res->notes->pdata[0],
                            "rule 'evil' (t.rules:1): body /^(a+)+$/ gave "
                            "up: "));
    g_assert_nonnull(strstr(res->notes->pdata[0], "limit"));
    /* The run goes on. */
    g_assert_cmpuint(res->hits->len, ==, 1);
    g_assert_cmpint(res->priority, ==, PRIORITY_HIGH);
}

static void
test_limit_in_not_match(void)
{
    /* A `not match` whose pattern gave up must not make its rule
     * match: a hostile message could otherwise slip past a guard. */
    g_autoptr(RuleSet) set = parse_ok("rule \"guard\"\n"
                                      "  not match body /^(a+)+$/\n"
                                      "  set category safe\n"
                                      "end\n");
    g_autoptr(GString) text = g_string_new("Subject: x\n\n");
    g_autoptr(Message) msg = NULL;
    g_autoptr(RulesResult) res = NULL;
    RuleInput in = { 0 };

    for (int i = 0; i < 5000; i++)
        g_string_append_c(text, 'a');
    g_string_append(text, "!\n");
    msg = message_from_text(text->str);
    in.msg = msg;
    res = rules_evaluate(set, &in);
    g_assert_null(res->category);
    g_assert_cmpuint(res->notes->len, ==, 1);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/rules/errors", test_errors);
    g_test_add_func("/rules/all-errors-listed", test_all_errors_listed);
    g_test_add_func("/rules/check-agents", test_check_agents);
    g_test_add_func("/rules/load-dir", test_load_dir);
    g_test_add_func("/rules/match", test_match);
    g_test_add_func("/rules/actions", test_actions);
    g_test_add_func("/rules/captures-in-any", test_captures_in_any);
    g_test_add_func("/rules/capture-cleaned", test_capture_cleaned);
    g_test_add_func("/rules/followup", test_followup);
    g_test_add_func("/rules/prefilter-agrees", test_prefilter_agrees);
    g_test_add_func("/rules/prefilter-counts", test_prefilter_counts);
    g_test_add_func("/rules/catastrophic", test_catastrophic);
    g_test_add_func("/rules/limit-in-not-match", test_limit_in_not_match);
    return g_test_run();
}
