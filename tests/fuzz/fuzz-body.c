/*
 * fuzz-body.c - body text from anyone: html_to_text(), then
 * quote_strip() (reply text), agentcmd_parse() (#commands, which any
 * sender can write) and csat_parse() (a rating reply), on text as
 * parse.c hands it on: valid UTF-8.
 *
 * Input: the body.  Results must be valid UTF-8.
 */
#include "config.h"

#include <glib.h>
#include <string.h>

#include "agentcmd.h"
#include "csat.h"
#include "fuzz.h"
#include "html.h"
#include "quote.h"

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
    fuzz_init_glib();
    return 0;
}

static void
check_text(const char *what, const char *text)
{
    if (text == NULL || !g_utf8_validate(text, -1, NULL))
        fuzz_fail("fuzz-body: %s is %s", what,
                  text == NULL ? "NULL" : "not UTF-8");
}

static void
read_commands(const char *text)
{
    g_autoptr(AgentCmdList) cmds = agentcmd_parse(text);
    g_autofree char *comment = NULL;
    int score = 0;

    check_text("agentcmd body", cmds->body);
    if (cmds->error != NULL)
        check_text("agentcmd error", cmds->error);
    for (guint i = 0; i < cmds->cmds->len; i++) {
        const AgentCmd *cmd = g_ptr_array_index(cmds->cmds, i);

        if (cmd->arg != NULL)
            check_text("agentcmd argument", cmd->arg);
    }
    if (csat_parse(text, &score, &comment)) {
        if (score < CSAT_MIN || score > CSAT_MAX)
            fuzz_fail("fuzz-body: csat score %d", score);
        if (comment != NULL)
            check_text("csat comment", comment);
    }
}

static void
read_body(const char *text)
{
    g_autofree char *reply = quote_strip(text);

    check_text("quote_strip", reply);
    read_commands(text);
    read_commands(reply);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* Bodies reach these modules decoded to valid UTF-8 (parse.c). */
    g_autofree char *text = g_utf8_make_valid((const char *)data,
                                              (gssize)size);
    g_autofree char *html = html_to_text(text, -1);

    check_text("html_to_text", html);
    read_body(text);
    read_body(html);
    return 0;
}
