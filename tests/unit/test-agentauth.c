/*
 * test-agentauth.c - Authentication-Results as proof of an agent's
 * domain: which fields count, and what a pass is.
 */
#include "config.h"

#include <string.h>

#include "agentauth.h"
#include "parse.h"

#define MX "Received: from mail.example.com by mx.example.com; " \
           "Mon, 24 Mar 2025 09:12:40 +0100\r\n"
#define SENDER "Received: from [192.0.2.7] by mail.example.com; " \
               "Mon, 24 Mar 2025 09:12:39 +0100\r\n"
#define AR "Authentication-Results: mx.example.com; "
#define TAIL "From: Alice <alice@example.com>\r\nTo: support@example.com\r\n" \
             "Subject: x\r\n\r\nbody\r\n"

static const struct {
    const char *what;
    const char *headers;
    guint methods;
    guint want;
} cases[] = {
    { "dkim pass", MX AR "dkim=pass header.d=example.com\r\n",
      AGENTAUTH_DKIM, AGENTAUTH_DKIM },
    { "dkim pass above our Received", AR "dkim=pass header.d=example.com\r\n"
      MX, AGENTAUTH_DKIM, AGENTAUTH_DKIM },
    { "dkim fail", MX AR "dkim=fail header.d=example.com\r\n",
      AGENTAUTH_DKIM, 0 },
    { "dkim none", MX AR "dkim=none\r\n", AGENTAUTH_DKIM, 0 },
    { "none at all", MX AR "none\r\n", AGENTAUTH_DKIM | AGENTAUTH_SPF, 0 },
    { "no field", MX, AGENTAUTH_DKIM | AGENTAUTH_SPF, 0 },
    { "wrong domain", MX AR "dkim=pass header.d=example.org\r\n",
      AGENTAUTH_DKIM, 0 },
    { "look-alike domain", MX AR "dkim=pass header.d=badexample.com\r\n",
      AGENTAUTH_DKIM, 0 },
    { "header.i", MX AR "dkim=pass header.i=@example.com\r\n",
      AGENTAUTH_DKIM, AGENTAUTH_DKIM },
    { "untrusted authserv-id", MX "Authentication-Results: evil.example; "
      "dkim=pass header.d=example.com\r\n", AGENTAUTH_DKIM, 0 },
    { "forged below ours", MX AR "dkim=fail header.d=example.com\r\n"
      AR "dkim=pass header.d=example.com\r\n", AGENTAUTH_DKIM, 0 },
    { "forged below the sender's Received", MX SENDER
      AR "dkim=pass header.d=example.com\r\n", AGENTAUTH_DKIM, 0 },
    { "foreign field above ours", MX "Authentication-Results: "
      "other.example; none\r\n" AR "dkim=pass header.d=example.com\r\n",
      AGENTAUTH_DKIM, 0 },
    { "dkim not allowed", MX AR "dkim=pass header.d=example.com\r\n",
      AGENTAUTH_SPF, 0 },
    { "spf pass", MX AR "spf=pass smtp.mailfrom=alice@example.com\r\n",
      AGENTAUTH_SPF, AGENTAUTH_SPF },
    { "spf not allowed", MX AR "spf=pass smtp.mailfrom=alice@example.com\r\n",
      AGENTAUTH_DKIM, 0 },
    { "spf softfail", MX AR "spf=softfail smtp.mailfrom=example.com\r\n",
      AGENTAUTH_SPF, 0 },
    { "two fields of ours", MX AR "spf=none smtp.mailfrom=example.com\r\n"
      AR "dkim=pass header.d=example.com\r\n",
      AGENTAUTH_DKIM | AGENTAUTH_SPF, AGENTAUTH_DKIM },
    { "several results in one", MX AR "dkim=fail header.d=example.com;\r\n"
      "\tdkim=pass header.d=example.com; spf=fail smtp.mailfrom=x@e.org\r\n",
      AGENTAUTH_DKIM, AGENTAUTH_DKIM },
    { "comments, version, spaces", MX "Authentication-Results: "
      "MX.Example.COM 1 (postfix; really); dkim = pass (2048-bit key; "
      "unprotected) header.d = \"example.com\" header.s=sel\r\n",
      AGENTAUTH_DKIM, AGENTAUTH_DKIM },
    { "result in a comment only", MX AR "dkim=none (dkim=pass "
      "header.d=example.com)\r\n", AGENTAUTH_DKIM, 0 },
};

static void
test_cases(void)
{
    static const char *const ids[] = { "mx.example.com", NULL };

    for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autofree char *text = g_strconcat(cases[i].headers, TAIL, NULL);
        g_autoptr(GBytes) raw = g_bytes_new(text, strlen(text));
        g_autoptr(Message) msg = NULL;
        AgentAuthPolicy policy = { cases[i].methods, ids };
        const char *why = NULL;
        Limits lim;

        g_test_message("%s", cases[i].what);
        limits_init_default(&lim);
        g_assert_cmpint(parse_message(raw, &lim, &msg, NULL), ==, ST_OK);
        g_assert_cmpuint(agentauth_check(msg, &policy, "example.com", &why),
                         ==, cases[i].want);
        if (cases[i].want == 0)
            g_assert_nonnull(why);
    }
}

static void
test_method_names(void)
{
    g_assert_cmpuint(agentauth_method_from_name("token"), ==,
                     AGENTAUTH_TOKEN);
    g_assert_cmpuint(agentauth_method_from_name("DKIM"), ==, AGENTAUTH_DKIM);
    g_assert_cmpuint(agentauth_method_from_name("spf"), ==, AGENTAUTH_SPF);
    g_assert_cmpuint(agentauth_method_from_name("dmarc"), ==, 0);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/agentauth/cases", test_cases);
    g_test_add_func("/agentauth/method-names", test_method_names);
    return g_test_run();
}
