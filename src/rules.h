/*
 * rules.h - the rule language of DESIGN 5: parsing the rules/ files,
 * compiling every pattern once with JIT, and running a rule set over
 * one parsed Message.
 *
 * It owns the language, its error messages (file:line:column, with
 * PCRE2's own text for a bad pattern) and the matching semantics: top
 * level matches are ANDed, `any ... end` ORs, `not match` negates,
 * named captures are interpolated into set values, `stop` ends the
 * run, `on followup` lets a rule run on follow-ups too.  It decides,
 * it does not act: applying a RulesResult to a ticket (store, clock,
 * assignment) is triage.c's work.  No I/O besides reading the rule
 * files in rules_load().
 *
 * A pattern that hits PCRE2's match or heap limit on a hostile message
 * counts as not matching; the result says which rule and why.
 *
 * Many rules stay cheap through a prefilter: each pattern's required
 * literals (one of which must occur in any text it matches) go into one
 * Aho-Corasick automaton; one scan of the message's texts marks the
 * patterns worth running, and the rest count as not matching without
 * running.  A pattern with no literal to require always runs.
 */
#ifndef MT_RULES_H
#define MT_RULES_H

#include <glib.h>
#include <stdbool.h>

#include "message.h"
#include "status.h"
#include "ticket.h"

typedef struct RuleSet RuleSet;

/* Load every *.rules file of dir in name order.  ST_CONFIG when a rule
 * is wrong: the message lists every error, one a line, as
 * "FILE:LINE:COLUMN: what".  The caller frees *set_out. */
Status rules_load(const char *dir, RuleSet **set_out, GError **error);

/* Parse one file's text (unit tests, and rules_load() per file); the
 * errors as for rules_load(). */
Status rules_parse(const char *filename, const char *text,
                   RuleSet **set_out, GError **error);

/* An empty rule set: matches nothing. */
RuleSet *rules_new_empty(void);
void rules_free(RuleSet *set);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(RuleSet, rules_free)

guint rules_count(const RuleSet *set);
/* How many patterns run only when the prefilter finds a literal. */
guint rules_prefiltered_patterns(const RuleSet *set);
guint rules_pattern_count(const RuleSet *set);

/* Check names against the configuration: `assign agent NAME` must name
 * a configured agent (agents is NULL-terminated).  ST_CONFIG with
 * every unknown name, in the format of rules_load(). */
Status rules_check_agents(const RuleSet *set, const char *const *agents,
                          GError **error);

/* The PCRE2 limits every match runs under (STYLE 3: everything fed by
 * mail has a ceiling). */
typedef struct {
    guint32 match_limit; /* backtracking steps */
    guint32 depth_limit; /* nested backtracking (interpreter only) */
    guint32 heap_limit;  /* KiB */
} RuleLimits;

/* Defaults: 1,000,000 steps, depth 10,000, 20 MiB heap. */
void rules_set_limits(RuleSet *set, const RuleLimits *limits);

/* One rule that matched, for the ticket's history and `rules test`. */
typedef struct {
    char *rule;    /* its name */
    char *where;   /* "FILE:LINE" */
    char *matched; /* what matched: `subject "refund"; body "order 1234"` */
    char *actions; /* what it set: "category=billing priority=high" */
} RuleHit;

/* What the rules decided for one message.  Strings are NULL and
 * has_* false when no rule set them; later rules override earlier
 * ones. */
typedef struct {
    char *category;
    bool has_priority;
    Priority priority;
    bool has_status;
    TicketStatus status;
    gint64 sla;          /* seconds; 0 when unset */
    char *team;          /* set team / assign team */
    bool is_team_assign; /* assign team: pick an agent of team */
    char *agent;         /* assign agent */
    GHashTable *fields;  /* char * -> char *: set field */
    bool is_noack;       /* noack: send the customer no acknowledgment */
    char *assigned_agent; /* filled by triage_apply(): the agent its
                             assignment chose; NULL when none */
    GPtrArray *hits;     /* RuleHit *, in order */
    GPtrArray *notes;    /* char *: patterns that hit a limit, and why */
} RulesResult;

void rules_result_free(RulesResult *res);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(RulesResult, rules_result_free)

typedef struct {
    const Message *msg;
    const char *mailbox; /* the source name; NULL reads as "" */
    bool is_followup;    /* only `on followup` rules run */
} RuleInput;

/* Run set over in.  Never fails: a pattern that errs counts as not
 * matching and is noted.  The caller frees the result.  Safe to call
 * from several threads on one set. */
RulesResult *rules_evaluate(const RuleSet *set, const RuleInput *in);

#endif
