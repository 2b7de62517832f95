/*
 * test-agents.c - what a verified agent answer relays to the customer:
 * real replies as Thunderbird, Outlook and Gmail quote a notification,
 * through parse_message(), the command parser and agents_relay_text().
 */
#include "config.h"

#include <string.h>

#include "agentcmd.h"
#include "agents.h"
#include "parse.h"

#define HEAD "From: Alice <alice@example.com>\r\n" \
             "To: support+1001.alice.abcdefghijklmnop@example.com\r\n" \
             "Subject: Re: [#1001] Router\r\nMIME-Version: 1.0\r\n" \
             "Content-Type: text/plain; charset=UTF-8\r\n\r\n"
#define REPLY "support+1001.alice.abcdefghijklmnop@example.com"

static const struct {
    const char *client;
    const char *body;
    const char *relayed;
} cases[] = {
    { "Thunderbird",
      "#priority high\r\nHi Carol,\r\n\r\nplease update the firmware.\r\n"
      "\r\nAlice\r\n\r\nOn 02.03.26 09:05, Example Support wrote:\r\n"
      "> Ticket [#1001] was assigned to you (reply to " REPLY ").\r\n"
      "> Hello, my router reboots.\r\n",
      "Hi Carol,\n\nplease update the firmware.\n\nAlice" },
    { "Outlook",
      "Carol, we will replace the router.\r\n\r\nAlice\r\n\r\n"
      "-----Original Message-----\r\nFrom: Example Support <" REPLY ">\r\n"
      "Sent: Monday, March 2, 2026 11:00 AM\r\nTo: Alice\r\n"
      "Subject: [#1001] Router\r\n\r\nPriority: normal, due 2026-03-03\r\n",
      "Carol, we will replace the router.\n\nAlice" },
    { "Gmail",
      "Carol, the new router ships today.\r\n\r\n"
      "On Mon, Mar 2, 2026 at 11:00 AM Example Support <\r\n" REPLY
      "> wrote:\r\n\r\n> Ticket [#1001]\r\n> Internal: VIP customer\r\n",
      "Carol, the new router ships today." },
    { "a quote nobody recognises",
      "#take\r\nDone, Carol.\r\n\r\n==== Example Support, 2 March ====\r\n"
      "Assigned to you. Answer to " REPLY "\r\nInternal: VIP customer\r\n",
      "Done, Carol.\n\n==== Example Support, 2 March ====" },
};

static void
test_relayed_text(void)
{
    for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autofree char *text = g_strconcat(HEAD, cases[i].body, NULL);
        g_autoptr(GBytes) raw = g_bytes_new(text, strlen(text));
        g_autoptr(Message) msg = NULL;
        g_autoptr(AgentCmdList) cmds = NULL;
        g_autofree char *relayed = NULL;
        Limits lim;

        g_test_message("%s", cases[i].client);
        limits_init_default(&lim);
        g_assert_cmpint(parse_message(raw, &lim, &msg, NULL), ==, ST_OK);
        cmds = agentcmd_parse(msg->reply_text);
        g_assert_null(cmds->error);
        relayed = agents_relay_text("support@example.com", 1001, cmds->body);
        g_assert_cmpstr(relayed, ==, cases[i].relayed);
        g_assert_null(strstr(relayed, "abcdefghijklmnop"));
        g_assert_null(strstr(relayed, "Internal"));
    }
}

static void
test_other_ticket_kept(void)
{
    g_autofree char *t = agents_relay_text(
        "support@example.com", 1001,
        "See support+1002.bob.x@example.com\nbye");

    /* Only this ticket's address marks our notification. */
    g_assert_cmpstr(t, ==, "See support+1002.bob.x@example.com\nbye");
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/agents/relayed-text", test_relayed_text);
    g_test_add_func("/agents/other-ticket-kept", test_other_ticket_kept);
    return g_test_run();
}
