/*
 * agentcmd.c - reading an agent's #commands.
 *
 * Strict on purpose: a misspelt command or a missing argument is an
 * error the agent hears about, never a line silently relayed to the
 * customer or a change silently not made.
 */
#include "config.h"

#include "agentcmd.h"

#include <string.h>

static const struct {
    const char *name;
    AgentCmdKind kind;
    bool has_arg;
} known[] = {
    {"assign", AGENTCMD_ASSIGN, true},
    {"take", AGENTCMD_TAKE, false},
    {"resolve", AGENTCMD_RESOLVE, false},
    {"pending", AGENTCMD_PENDING, false},
    {"priority", AGENTCMD_PRIORITY, true},
    {"category", AGENTCMD_CATEGORY, true},
    {"note", AGENTCMD_NOTE, false},
};

static void
agent_cmd_free(AgentCmd *cmd)
{
    if (cmd == NULL)
        return;
    g_free(cmd->arg);
    g_free(cmd);
}

void
agentcmd_list_free(AgentCmdList *list)
{
    if (list == NULL)
        return;
    g_ptr_array_unref(list->cmds);
    g_free(list->body);
    g_free(list->error);
    g_free(list);
}

const char *
agentcmd_name(AgentCmdKind kind)
{
    for (guint i = 0; i < G_N_ELEMENTS(known); i++)
        if (known[i].kind == kind)
            return known[i].name;
    return "?";
}

bool
agentcmd_has(const AgentCmdList *list, AgentCmdKind kind)
{
    for (guint i = 0; i < list->cmds->len; i++)
        if (((const AgentCmd *)g_ptr_array_index(list->cmds, i))->kind == kind)
            return true;
    return false;
}

/* How much of an unknown command word to quote back: up to 40 bytes,
 * cut before a UTF-8 continuation byte so the error stays valid UTF-8
 * (it goes into a reply to the agent and the ticket's history). */
static gsize
shown_word_len(const char *line)
{
    gsize len = MIN(strcspn(line, " \t"), 40);

    while (len > 0 && ((guchar)line[len] & 0xC0) == 0x80)
        len--;
    return len;
}

/* One command line (after the '#'); the error text on failure. */
static char *
parse_line(const char *line, AgentCmdList *list)
{
    const char *p = line;
    g_autofree char *word = NULL;
    g_autofree char *arg = NULL;
    AgentCmd *cmd;

    while (g_ascii_isalpha(*p))
        p++;
    word = g_ascii_strdown(line, (gssize)(p - line));
    arg = g_strstrip(g_strdup(p));
    for (guint i = 0; i < G_N_ELEMENTS(known); i++) {
        if (strcmp(word, known[i].name) != 0)
            continue;
        if (*p != '\0' && !g_ascii_isspace(*p))
            break;
        if (known[i].has_arg && *arg == '\0')
            return g_strdup_printf("#%s needs an argument", word);
        if (!known[i].has_arg && *arg != '\0')
            return g_strdup_printf("#%s takes no argument (got '%s')", word,
                                   arg);
        cmd = g_new0(AgentCmd, 1);
        cmd->kind = known[i].kind;
        cmd->priority = PRIORITY_NORMAL;
        if (cmd->kind == AGENTCMD_PRIORITY) {
            g_autofree char *lower = g_ascii_strdown(arg, -1);

            if (!ticket_priority_from_name(lower, &cmd->priority)) {
                agent_cmd_free(cmd);
                return g_strdup_printf("#priority: unknown level '%s' (low, "
                                       "normal, high, urgent)",
                                       arg);
            }
        }
        if (known[i].has_arg && cmd->kind != AGENTCMD_PRIORITY)
            cmd->arg = g_steal_pointer(&arg);
        g_ptr_array_add(list->cmds, cmd);
        return NULL;
    }
    return g_strdup_printf("unknown command '#%.*s' (assign, take, resolve, "
                           "pending, priority, category, note)",
                           (int)shown_word_len(line), line);
}

AgentCmdList *
agentcmd_parse(const char *text)
{
    AgentCmdList *list = g_new0(AgentCmdList, 1);
    const char *p = text != NULL ? text : "";

    list->cmds = g_ptr_array_new_with_free_func((GDestroyNotify)agent_cmd_free);
    for (;;) {
        const char *eol = strchr(p, '\n');
        gsize len = eol != NULL ? (gsize)(eol - p) : strlen(p);
        g_autofree char *line = g_strstrip(g_strndup(p, len));

        if (*line == '\0') {
            if (eol == NULL) {
                p += len;
                break;
            }
            p = eol + 1;
            continue;
        }
        if (line[0] != '#' || !g_ascii_isalpha(line[1]))
            break;
        if (list->error == NULL)
            list->error = parse_line(line + 1, list);
        p = eol != NULL ? eol + 1 : p + len;
    }
    list->body = g_strstrip(g_strdup(p));
    return list;
}
