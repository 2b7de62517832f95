/*
 * test-agentcmd.c - the #commands at the top of an agent's mail.
 */
#include "config.h"

#include <string.h>

#include "agentcmd.h"

static const struct {
    const char *text;
    const char *cmds;  /* kinds and arguments, e.g. "assign:bob take" */
    const char *body;
    const char *error; /* a substring of the error, or NULL */
} cases[] = {
    { "Hello, fixed.", "", "Hello, fixed.", NULL },
    { "#take\nHello", "take", "Hello", NULL },
    { "\n#assign bob\n\n#priority HIGH\nHi there\n#resolve", "assign:bob "
      "priority:high", "Hi there\n#resolve", NULL },
    { "#category  billing issues \nok", "category:billing issues", "ok",
      NULL },
    { "#resolve\n#pending\n", "resolve pending", "", NULL },
    { "#note\nthe customer is grumpy", "note", "the customer is grumpy",
      NULL },
    { "#1 works now", "", "#1 works now", NULL },
    { "  #Take  \nx", "take", "x", NULL },
    { "#asign bob\nx", "", "x", "unknown command '#asign'" },
    { "#assign\nx", "", "x", "#assign needs an argument" },
    { "#resolve now\nx", "", "x", "takes no argument" },
    { "#priority sky-high\nx", "", "x", "unknown level 'sky-high'" },
    { "#takeover\nx", "", "x", "unknown command '#takeover'" },
    { NULL, "", "", NULL },
};

static void
test_parse(void)
{
    for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autoptr(AgentCmdList) list = agentcmd_parse(cases[i].text);
        g_autoptr(GString) got = g_string_new(NULL);

        g_test_message("case %u: %s", i, cases[i].text);
        for (guint c = 0; c < list->cmds->len; c++) {
            const AgentCmd *cmd = g_ptr_array_index(list->cmds, c);

            g_string_append_printf(got, "%s%s", c > 0 ? " " : "",
                                   agentcmd_name(cmd->kind));
            if (cmd->kind == AGENTCMD_PRIORITY)
                g_string_append_printf(got, ":%s",
                                       ticket_priority_name(cmd->priority));
            else if (cmd->arg != NULL)
                g_string_append_printf(got, ":%s", cmd->arg);
        }
        if (cases[i].error == NULL) {
            g_assert_null(list->error);
            g_assert_cmpstr(got->str, ==, cases[i].cmds);
        } else {
            g_assert_nonnull(list->error);
            g_assert_nonnull(strstr(list->error, cases[i].error));
        }
        g_assert_cmpstr(list->body, ==, cases[i].body);
    }
}

/* The error quotes at most 40 bytes of an unknown command; wherever
 * that cut falls in a multi-byte character, the error must stay UTF-8
 * (it is mailed to the agent). */
static void
test_error_is_utf8(void)
{
    for (guint pad = 30; pad <= 40; pad++) {
        g_autofree char *word = g_strnfill(pad, 'a');
        g_autofree char *text =
            g_strconcat("#", word, "\u00e9\u20ac\U0001F600\nx", NULL);
        g_autoptr(AgentCmdList) list = agentcmd_parse(text);

        g_test_message("%u letters before the multi-byte ones", pad);
        g_assert_nonnull(list->error);
        g_assert_true(g_utf8_validate(list->error, -1, NULL));
        g_assert_nonnull(strstr(list->error, word));
    }
}

static void
test_has(void)
{
    g_autoptr(AgentCmdList) list = agentcmd_parse("#note\n#take\nx");

    g_assert_true(agentcmd_has(list, AGENTCMD_NOTE));
    g_assert_true(agentcmd_has(list, AGENTCMD_TAKE));
    g_assert_false(agentcmd_has(list, AGENTCMD_RESOLVE));
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/agentcmd/parse", test_parse);
    g_test_add_func("/agentcmd/error-is-utf8", test_error_is_utf8);
    g_test_add_func("/agentcmd/has", test_has);
    return g_test_run();
}
