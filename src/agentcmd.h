/*
 * agentcmd.h - the #commands at the top of an agent's mail (DESIGN 8a).
 *
 *   #assign NAME     #take        #resolve     #pending
 *   #priority LEVEL  #category NAME            #note
 *
 * Command lines are the first lines of the new text (blank lines
 * between them allowed); the first other line ends them.  A line
 * starting with '#' and a digit ("#1 is fixed") is text, not a command.
 * This module only reads them: whether an agent named in #assign exists
 * is the caller's question (agents.c).  Not the CLI's commands.h.
 * Pure.
 */
#ifndef MT_AGENTCMD_H
#define MT_AGENTCMD_H

#include <glib.h>

#include "ticket.h"

typedef enum {
    AGENTCMD_ASSIGN = 0,
    AGENTCMD_TAKE,
    AGENTCMD_RESOLVE,
    AGENTCMD_PENDING,
    AGENTCMD_PRIORITY,
    AGENTCMD_CATEGORY,
    AGENTCMD_NOTE,
} AgentCmdKind;

typedef struct {
    AgentCmdKind kind;
    char *arg;         /* NAME or category; NULL for the others */
    Priority priority; /* for AGENTCMD_PRIORITY */
} AgentCmd;

typedef struct {
    GPtrArray *cmds; /* AgentCmd *, in the order written */
    char *body;      /* the text without the command lines; never NULL */
    char *error;     /* the first bad command, e.g. "unknown command
                        '#asign'"; NULL when all are good */
} AgentCmdList;

/* Read the commands at the top of text (NULL is ""). */
AgentCmdList *agentcmd_parse(const char *text);
void agentcmd_list_free(AgentCmdList *list);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(AgentCmdList, agentcmd_list_free)

/* True when list holds a command of that kind. */
bool agentcmd_has(const AgentCmdList *list, AgentCmdKind kind);

/* "#assign", "#take", ... */
const char *agentcmd_name(AgentCmdKind kind);

#endif
