/*
 * rules.c - the rule language: lexer, parser, PCRE2 compilation, the
 * literal prefilter and evaluation.
 *
 * This is the only module that includes PCRE2.  A file is read line
 * by line: every statement is one line, so that an error has one
 * obvious place and one bad line does not hide the errors after it.
 * Parsing goes on after an error, and rules_load() reports them all.
 *
 * The prefilter (see rules.h) works on text folded to ASCII lower
 * case.  PCRE2's caseless UTF matching also folds two non-ASCII
 * characters onto ASCII letters, KELVIN SIGN onto k and LATIN SMALL
 * LETTER LONG S onto s; the scan folds them too, and a literal never
 * contains a non-ASCII byte, so the prefilter can only let through
 * more patterns than match, never fewer.
 */
#include "config.h"

#include "rules.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <string.h>

#include "conf.h"

/* A literal shorter than this would make its pattern a candidate on
 * almost every message: such patterns simply always run. */
#define MIN_LITERAL 3
/* Matched text and captured values kept for events and fields. */
#define MAX_SHOWN 60
#define MAX_CAPTURE 200

typedef enum {
    FIELD_SUBJECT = 0,
    FIELD_FROM,
    FIELD_TO,
    FIELD_CC,
    FIELD_BODY,
    FIELD_HEADER,
    FIELD_ATTACHMENT,
    FIELD_MAILBOX,
    FIELD_KIND,
} FieldKind;

static const char *const field_names[] = {
    [FIELD_SUBJECT] = "subject", [FIELD_FROM] = "from",
    [FIELD_TO] = "to",           [FIELD_CC] = "cc",
    [FIELD_BODY] = "body",       [FIELD_HEADER] = "header",
    [FIELD_ATTACHMENT] = "attachment", [FIELD_MAILBOX] = "mailbox",
    [FIELD_KIND] = "kind",
};

typedef struct {
    FieldKind field;
    char *header;      /* FIELD_HEADER: the header's name */
    char *source;      /* "/re/flags" as written, for events */
    pcre2_code *code;
    bool is_negated;
    bool is_prefiltered; /* runs only when one of its literals occurs */
    guint index;         /* in RuleSet.conds */
} Cond;

typedef struct {
    bool is_any;      /* ORed, else a single top-level condition */
    GPtrArray *conds; /* Cond *, borrowed from RuleSet.conds */
} Group;

typedef enum {
    ACT_CATEGORY,
    ACT_PRIORITY,
    ACT_STATUS,
    ACT_SLA,
    ACT_TEAM,
    ACT_FIELD,
    ACT_ASSIGN_AGENT,
    ACT_ASSIGN_TEAM,
    ACT_NOACK,
    ACT_STOP,
} ActionKind;

typedef struct {
    ActionKind kind;
    char *name;  /* ACT_FIELD: the field's name */
    char *value; /* may hold ${capture} references */
    int number;  /* ACT_PRIORITY, ACT_STATUS: the enum value */
    gint64 sla;
    int line, col;
} Action;

typedef struct {
    char *name;
    char *file;
    int line;
    GPtrArray *groups;  /* Group * */
    GPtrArray *actions; /* Action * */
    bool is_on_followup;
} Rule;

/* Aho-Corasick over byte classes: only bytes that occur in some
 * literal get a class of their own, so that the full transition table
 * (states x classes) stays small. */
typedef struct {
    guint8 cls[256];
    guint nclasses;
    guint nstates;
    guint32 *delta;   /* nstates * nclasses */
    guint32 *lit;     /* per state: literal ending here, or NO_LIT */
    guint32 *dict;    /* per state: next state on the fail chain with a
                         literal, or 0 */
    GPtrArray *lit_patterns; /* per literal: GArray of guint cond index */
} Automaton;

#define NO_LIT G_MAXUINT32

struct RuleSet {
    GPtrArray *rules; /* Rule * */
    GPtrArray *conds; /* Cond *, every condition, owned here */
    guint nprefiltered;
    guint32 max_pairs; /* largest ovector any pattern needs */
    Automaton *ac;     /* NULL when no pattern is prefiltered */
    pcre2_match_context *mctx;
};

/* --- freeing -------------------------------------------------------- */

static void
cond_free(Cond *c)
{
    g_free(c->header);
    g_free(c->source);
    pcre2_code_free(c->code);
    g_free(c);
}

static void
group_free(Group *g)
{
    g_ptr_array_unref(g->conds);
    g_free(g);
}

static void
action_free(Action *a)
{
    g_free(a->name);
    g_free(a->value);
    g_free(a);
}

static void
rule_free(Rule *r)
{
    g_free(r->name);
    g_free(r->file);
    g_ptr_array_unref(r->groups);
    g_ptr_array_unref(r->actions);
    g_free(r);
}

static void
automaton_free(Automaton *ac)
{
    if (ac == NULL)
        return;
    g_free(ac->delta);
    g_free(ac->lit);
    g_free(ac->dict);
    g_ptr_array_unref(ac->lit_patterns);
    g_free(ac);
}

RuleSet *
rules_new_empty(void)
{
    RuleSet *set = g_new0(RuleSet, 1);
    const RuleLimits lim = {
        .match_limit = 1000000,
        .depth_limit = 10000,
        .heap_limit = 20 * 1024,
    };

    set->rules = g_ptr_array_new_with_free_func((GDestroyNotify)rule_free);
    set->conds = g_ptr_array_new_with_free_func((GDestroyNotify)cond_free);
    set->mctx = pcre2_match_context_create(NULL);
    set->max_pairs = 1;
    rules_set_limits(set, &lim);
    return set;
}

void
rules_free(RuleSet *set)
{
    if (set == NULL)
        return;
    g_ptr_array_unref(set->rules);
    g_ptr_array_unref(set->conds);
    automaton_free(set->ac);
    pcre2_match_context_free(set->mctx);
    g_free(set);
}

void
rules_set_limits(RuleSet *set, const RuleLimits *limits)
{
    pcre2_set_match_limit(set->mctx, limits->match_limit);
    pcre2_set_depth_limit(set->mctx, limits->depth_limit);
    pcre2_set_heap_limit(set->mctx, limits->heap_limit);
}

guint
rules_count(const RuleSet *set)
{
    return set->rules->len;
}

guint
rules_pattern_count(const RuleSet *set)
{
    return set->conds->len;
}

guint
rules_prefiltered_patterns(const RuleSet *set)
{
    return set->nprefiltered;
}

void
rules_result_free(RulesResult *res)
{
    if (res == NULL)
        return;
    g_free(res->category);
    g_free(res->team);
    g_free(res->agent);
    g_free(res->assigned_agent);
    g_hash_table_unref(res->fields);
    g_ptr_array_unref(res->hits);
    g_ptr_array_unref(res->notes);
    g_free(res);
}

static void
rule_hit_free(RuleHit *hit)
{
    g_free(hit->rule);
    g_free(hit->where);
    g_free(hit->matched);
    g_free(hit->actions);
    g_free(hit);
}

/* --- required literals of a pattern ---------------------------------
 *
 * A conservative reading of the pattern's syntax: the result is a set
 * of literals one of which occurs (ASCII case-folded) in every text
 * the pattern matches, or NULL when no such set is known.  Anything
 * not understood gives NULL, never a wrong set.
 */
typedef struct {
    const char *p;
    bool ok;
} Lx;

static GPtrArray *lx_alternation(Lx *lx);

static guint
set_score(GPtrArray *set)
{
    guint min = G_MAXUINT;

    for (guint i = 0; i < set->len; i++)
        min = MIN(min, (guint)strlen(set->pdata[i]));
    return set->len == 0 ? 0 : min;
}

/* Skip a quantifier at lx->p, if any; *may_be_zero_out says whether it
 * allows no repetition. */
static void
lx_quantifier(Lx *lx, bool *may_be_zero_out)
{
    const char *p = lx->p;

    *may_be_zero_out = false;
    if (*p == '*' || *p == '?') {
        *may_be_zero_out = true;
        p++;
    } else if (*p == '+') {
        p++;
    } else if (*p == '{') {
        char *q = NULL;
        guint64 min = 0;

        /* Only {n}, {n,} and {n,m} are read.  Anything else is a
         * literal brace to PCRE2 10.42 but a quantifier to later
         * versions ({,n}): no guess, no prefilter. */
        if (!g_ascii_isdigit(p[1])) {
            lx->ok = false;
            return;
        }
        min = g_ascii_strtoull(p + 1, &q, 10);
        if (*q == ',')
            for (q++; g_ascii_isdigit(*q); q++)
                ;
        if (*q != '}') {
            lx->ok = false;
            return;
        }
        *may_be_zero_out = min == 0;
        p = q + 1;
    } else {
        return;
    }
    if (*p == '+' || *p == '?')
        p++;
    lx->p = p;
}

static void
consider(GPtrArray **best, GPtrArray *cand)
{
    if (cand == NULL)
        return;
    if (*best == NULL || set_score(cand) > set_score(*best)) {
        if (*best != NULL)
            g_ptr_array_unref(*best);
        *best = cand;
    } else {
        g_ptr_array_unref(cand);
    }
}

static void
flush_run(GString *run, GPtrArray **best)
{
    if (run->len > 0) {
        GPtrArray *one = g_ptr_array_new_with_free_func(g_free);

        g_ptr_array_add(one, g_strdup(run->str));
        consider(best, one);
        g_string_truncate(run, 0);
    }
}

/* Skip the body of an escape that is not a literal character. */
static void
lx_skip_escape(Lx *lx, char e)
{
    switch (e) {
    case 'x': case 'o': case 'p': case 'P': case 'N':
        if (*lx->p == '{') {
            const char *close = strchr(lx->p, '}');

            if (close == NULL)
                lx->ok = false;
            else
                lx->p = close + 1;
        } else if (e == 'x') {
            for (int i = 0; i < 2 && g_ascii_isxdigit(*lx->p); i++)
                lx->p++;
        } else if (e == 'p' || e == 'P') {
            if (*lx->p != '\0')
                lx->p++;
        }
        break;
    case 'd': case 'D': case 'w': case 'W': case 's': case 'S':
    case 'b': case 'B': case 'A': case 'z': case 'Z': case 'G':
    case 'h': case 'H': case 'v': case 'V': case 'R': case 'X':
    case 'n': case 'r': case 't': case 'f': case 'e': case 'a':
        break;
    default:
        /* Back references, \Q..\E, \c, \K, \g and friends. */
        lx->ok = false;
    }
}

static GPtrArray *
lx_branch(Lx *lx)
{
    g_autoptr(GString) run = g_string_new(NULL);
    GPtrArray *best = NULL;
    bool zero;

    while (lx->ok && *lx->p != '\0' && *lx->p != '|' && *lx->p != ')') {
        char c = *lx->p++;

        if (c == '(') {
            GPtrArray *inner = NULL;
            bool is_lookaround = false;

            flush_run(run, &best);
            if (*lx->p == '?') {
                const char *q = lx->p + 1;

                if (*q == ':' || *q == '>' || *q == '|') {
                    lx->p = q + 1;
                } else if (*q == '=' || *q == '!' ||
                           (*q == '<' && (q[1] == '=' || q[1] == '!'))) {
                    is_lookaround = true;
                    lx->p = q + (*q == '<' ? 2 : 1);
                } else if (*q == '<' || *q == '\'' ||
                           (*q == 'P' && q[1] == '<')) {
                    char close = *q == '\'' ? '\'' : '>';
                    const char *end = strchr(q + 1, close);

                    if (end == NULL)
                        return lx->ok = false, best;
                    lx->p = end + 1;
                } else if (*q == '#') {
                    const char *end = strchr(q, ')');

                    if (end == NULL)
                        return lx->ok = false, best;
                    lx->p = end + 1;
                    continue;
                } else {
                    /* Inline options, (?i) or (?i:...). */
                    while (*q == '-' || g_ascii_isalpha(*q)) {
                        if (*q == 'x')
                            lx->ok = false;
                        q++;
                    }
                    if (!lx->ok || (*q != ')' && *q != ':'))
                        return lx->ok = false, best;
                    lx->p = q + 1;
                    if (*q == ')')
                        continue;
                }
            } else if (*lx->p == '*') {
                return lx->ok = false, best; /* (*VERB) */
            }
            inner = lx_alternation(lx);
            if (*lx->p != ')') {
                lx->ok = false;
                g_clear_pointer(&inner, g_ptr_array_unref);
                return best;
            }
            lx->p++;
            lx_quantifier(lx, &zero);
            if (is_lookaround || zero)
                g_clear_pointer(&inner, g_ptr_array_unref);
            consider(&best, inner);
        } else if (c == '[') {
            flush_run(run, &best);
            if (*lx->p == '^')
                lx->p++;
            if (*lx->p == ']')
                lx->p++;
            while (*lx->p != '\0' && *lx->p != ']') {
                if (*lx->p == '\\' && lx->p[1] != '\0')
                    lx->p++;
                else if (*lx->p == '[' && lx->p[1] == ':') {
                    const char *end = strstr(lx->p, ":]");

                    if (end == NULL)
                        return lx->ok = false, best;
                    lx->p = end + 1;
                }
                lx->p++;
            }
            if (*lx->p != ']')
                return lx->ok = false, best;
            lx->p++;
            lx_quantifier(lx, &zero);
        } else if (c == '.' || c == '^' || c == '$') {
            flush_run(run, &best);
            lx_quantifier(lx, &zero);
        } else if (c == '*' || c == '+' || c == '?' || c == '{') {
            /* A quantifier where none can be, or a brace that may be
             * literal: leave it to PCRE2. */
            return lx->ok = false, best;
        } else {
            char lit = c;

            if (c == '\\') {
                char e = *lx->p++;

                if (e == '\0')
                    return lx->ok = false, best;
                if (g_ascii_isalnum(e)) {
                    flush_run(run, &best);
                    lx_skip_escape(lx, e);
                    lx_quantifier(lx, &zero);
                    continue;
                }
                lit = e;
            }
            if ((guchar)lit >= 0x80) {
                flush_run(run, &best);
                lx_quantifier(lx, &zero);
                continue;
            }
            {
                const char *before = lx->p;

                lx_quantifier(lx, &zero);
                if (zero) {
                    flush_run(run, &best);
                    continue;
                }
                g_string_append_c(run, g_ascii_tolower(lit));
                if (lx->p != before)
                    flush_run(run, &best); /* repeated: the run ends */
            }
        }
    }
    flush_run(run, &best);
    return best;
}

static GPtrArray *
lx_alternation(Lx *lx)
{
    GPtrArray *all = lx_branch(lx);

    while (lx->ok && *lx->p == '|') {
        GPtrArray *more;

        lx->p++;
        more = lx_branch(lx);
        if (all == NULL || more == NULL) {
            g_clear_pointer(&all, g_ptr_array_unref);
            g_clear_pointer(&more, g_ptr_array_unref);
            /* Keep reading: the caller needs to find the ')'. */
            while (lx->ok && *lx->p == '|') {
                lx->p++;
                more = lx_branch(lx);
                g_clear_pointer(&more, g_ptr_array_unref);
            }
            return NULL;
        }
        for (guint i = 0; i < more->len; i++)
            g_ptr_array_add(all, g_strdup(more->pdata[i]));
        g_ptr_array_unref(more);
    }
    return all;
}

/* The required literals of pattern, or NULL. */
static GPtrArray *
required_literals(const char *pattern, bool is_extended)
{
    Lx lx = { .p = pattern, .ok = !is_extended };
    GPtrArray *set = NULL;

    if (!lx.ok)
        return NULL;
    set = lx_alternation(&lx);
    if (!lx.ok || *lx.p != '\0' || set == NULL ||
        set_score(set) < MIN_LITERAL) {
        if (set != NULL)
            g_ptr_array_unref(set);
        return NULL;
    }
    return set;
}

/* --- the automaton -------------------------------------------------- */

static Automaton *
automaton_build(GPtrArray *literals /* char * */,
                GPtrArray *lit_patterns /* GArray * */)
{
    Automaton *ac = g_new0(Automaton, 1);
    g_autoptr(GArray) goto_ = g_array_new(FALSE, TRUE, sizeof(guint32));
    g_autoptr(GArray) lit = g_array_new(FALSE, FALSE, sizeof(guint32));
    guint32 *fail = NULL, *queue = NULL;
    guint nc, head = 0, tail = 0;

    ac->lit_patterns = lit_patterns;
    ac->nclasses = 1; /* class 0: a byte in no literal */
    for (guint i = 0; i < literals->len; i++)
        for (const guchar *p = literals->pdata[i]; *p != '\0'; p++)
            if (ac->cls[*p] == 0)
                ac->cls[*p] = (guint8)ac->nclasses++;
    nc = ac->nclasses;

    /* The trie: 0 in goto_ is "no edge" (the root is never a child). */
    g_array_set_size(goto_, nc);
    {
        guint32 none = NO_LIT;

        g_array_append_val(lit, none);
    }
    for (guint i = 0; i < literals->len; i++) {
        guint32 s = 0;

        for (const guchar *p = literals->pdata[i]; *p != '\0'; p++) {
            guint32 *row = &g_array_index(goto_, guint32, s * nc);
            guint c = ac->cls[*p];

            if (row[c] == 0) {
                guint32 fresh = lit->len;
                guint32 none = NO_LIT;

                row[c] = fresh;
                g_array_set_size(goto_, (fresh + 1) * nc);
                g_array_append_val(lit, none);
            }
            s = g_array_index(goto_, guint32, s * nc + c);
        }
        g_array_index(lit, guint32, s) = i;
    }
    ac->nstates = lit->len;

    /* Breadth first: fail links, the full transition function and the
     * dictionary links. */
    fail = g_new0(guint32, ac->nstates);
    queue = g_new(guint32, ac->nstates);
    ac->dict = g_new0(guint32, ac->nstates);
    ac->delta = (guint32 *)g_array_steal(goto_, NULL);
    for (guint c = 0; c < nc; c++) {
        guint32 t = ac->delta[c];

        if (t != 0) {
            fail[t] = 0;
            queue[tail++] = t;
        }
    }
    while (head < tail) {
        guint32 s = queue[head++];

        for (guint c = 0; c < nc; c++) {
            guint32 t = ac->delta[s * nc + c];

            if (t != 0) {
                guint32 f = ac->delta[fail[s] * nc + c];

                fail[t] = f;
                ac->dict[t] = g_array_index(lit, guint32, f) != NO_LIT
                                  ? f
                                  : ac->dict[f];
                queue[tail++] = t;
            } else {
                ac->delta[s * nc + c] = ac->delta[fail[s] * nc + c];
            }
        }
    }
    ac->lit = (guint32 *)g_array_steal(lit, NULL);
    g_free(fail);
    g_free(queue);
    return ac;
}

/* Mark in cand (one byte per condition) every pattern one of whose
 * literals occurs in text. */
static void
automaton_scan(const Automaton *ac, const char *text, guint8 *seen_lit,
               guint8 *cand)
{
    const guchar *p = (const guchar *)text;
    guint32 s = 0;

    if (text == NULL)
        return;
    for (; *p != '\0'; p++) {
        guchar b = *p;

        if (b == 0xe2 && p[1] == 0x84 && p[2] == 0xaa) {
            b = 'k'; /* KELVIN SIGN */
            p += 2;
        } else if (b == 0xc5 && p[1] == 0xbf) {
            b = 's'; /* LATIN SMALL LETTER LONG S */
            p += 1;
        } else {
            b = (guchar)g_ascii_tolower((gchar)b);
        }
        s = ac->delta[s * ac->nclasses + ac->cls[b]];
        for (guint32 o = ac->lit[s] != NO_LIT ? s : ac->dict[s]; o != 0;
             o = ac->dict[o]) {
            guint32 id = ac->lit[o];
            GArray *pats;

            if (seen_lit[id])
                continue;
            seen_lit[id] = 1;
            pats = g_ptr_array_index(ac->lit_patterns, id);
            for (guint i = 0; i < pats->len; i++)
                cand[g_array_index(pats, guint, i)] = 1;
        }
    }
}

static void
build_prefilter(RuleSet *set)
{
    g_autoptr(GPtrArray) literals = g_ptr_array_new_with_free_func(g_free);
    GPtrArray *lit_patterns =
        g_ptr_array_new_with_free_func((GDestroyNotify)g_array_unref);
    g_autoptr(GHashTable) ids = g_hash_table_new(g_str_hash, g_str_equal);

    for (guint i = 0; i < set->conds->len; i++) {
        Cond *c = g_ptr_array_index(set->conds, i);
        g_autoptr(GPtrArray) req = NULL;
        guint32 options = 0;

        /* Headers and the kind are short texts, not worth scanning. */
        if (c->field == FIELD_HEADER || c->field == FIELD_KIND)
            continue;
        pcre2_pattern_info(c->code, PCRE2_INFO_ALLOPTIONS, &options);
        {
            /* The pattern text between the slashes. */
            const char *src = c->source + 1;
            const char *end = strrchr(c->source, '/');
            g_autofree char *body = g_strndup(src, (gsize)(end - src));

            req = required_literals(body, (options & PCRE2_EXTENDED) != 0);
        }
        if (req == NULL)
            continue;
        c->is_prefiltered = true;
        set->nprefiltered++;
        for (guint j = 0; j < req->len; j++) {
            const char *l = req->pdata[j];
            gpointer idp = NULL;
            guint id;
            GArray *pats;

            if (g_hash_table_lookup_extended(ids, l, NULL, &idp)) {
                id = GPOINTER_TO_UINT(idp);
            } else {
                id = literals->len;
                g_ptr_array_add(literals, g_strdup(l));
                g_ptr_array_add(lit_patterns,
                                g_array_new(FALSE, FALSE, sizeof(guint)));
                g_hash_table_insert(ids, literals->pdata[id],
                                    GUINT_TO_POINTER(id));
            }
            pats = g_ptr_array_index(lit_patterns, id);
            if (pats->len == 0 ||
                g_array_index(pats, guint, pats->len - 1) != c->index)
                g_array_append_val(pats, c->index);
        }
    }
    if (literals->len == 0) {
        g_ptr_array_unref(lit_patterns);
        return;
    }
    set->ac = automaton_build(literals, lit_patterns);
}

/* --- lexer ---------------------------------------------------------- */

typedef enum {
    TOK_WORD,
    TOK_STRING,
    TOK_REGEX,
} TokKind;

typedef struct {
    TokKind kind;
    char *text;  /* word, unescaped string, or the pattern body */
    char *flags; /* TOK_REGEX */
    int col;     /* 1-based byte column of its first character */
} Token;

static void
token_free(Token *t)
{
    g_free(t->text);
    g_free(t->flags);
    g_free(t);
}

typedef struct {
    const char *file;
    GPtrArray *errors; /* char * */
} Diag;

static void G_GNUC_PRINTF(4, 5)
diag(Diag *d, int line, int col, const char *fmt, ...)
{
    va_list ap;
    g_autofree char *msg = NULL;

    va_start(ap, fmt);
    msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    g_ptr_array_add(d->errors,
                    g_strdup_printf("%s:%d:%d: %s", d->file, line, col, msg));
}

/* Split one line into tokens; false (with the error reported) when it
 * cannot be read. */
static bool
tokenize(Diag *d, int lineno, const char *line, GPtrArray *toks)
{
    const char *p = line;

    for (;;) {
        Token *t;
        int col;

        while (*p == ' ' || *p == '\t' || *p == '\r')
            p++;
        if (*p == '\0' || *p == '#')
            return true;
        col = (int)(p - line) + 1;
        t = g_new0(Token, 1);
        t->col = col;
        g_ptr_array_add(toks, t);
        if (*p == '"') {
            GString *s = g_string_new(NULL);

            t->kind = TOK_STRING;
            for (p++; *p != '\0' && *p != '"'; p++) {
                if (*p == '\\' && (p[1] == '"' || p[1] == '\\'))
                    p++;
                g_string_append_c(s, *p);
            }
            t->text = g_string_free(s, FALSE);
            if (*p != '"') {
                diag(d, lineno, col, "unterminated string (no closing '\"')");
                return false;
            }
            p++;
        } else if (*p == '/') {
            const char *start = ++p;

            t->kind = TOK_REGEX;
            while (*p != '\0' && *p != '/') {
                if (*p == '\\' && p[1] != '\0')
                    p++;
                p++;
            }
            if (*p != '/') {
                diag(d, lineno, col,
                     "unterminated pattern (no closing '/')");
                return false;
            }
            t->text = g_strndup(start, (gsize)(p - start));
            start = ++p;
            while (g_ascii_isalpha(*p))
                p++;
            t->flags = g_strndup(start, (gsize)(p - start));
        } else {
            const char *start = p;

            t->kind = TOK_WORD;
            while (*p != '\0' && *p != ' ' && *p != '\t' && *p != '\r' &&
                   *p != '"' && *p != '#')
                p++;
            t->text = g_strndup(start, (gsize)(p - start));
        }
        if (*p != '\0' && *p != ' ' && *p != '\t' && *p != '\r' &&
            *p != '#') {
            diag(d, lineno, (int)(p - line) + 1,
                 "expected a space after '%s'", t->text);
            return false;
        }
    }
}

/* --- parser --------------------------------------------------------- */

typedef struct {
    Diag *d;
    RuleSet *set;
    GHashTable *names; /* rule name -> "FILE:LINE" */
    Rule *rule;        /* being read; NULL between rules */
    Group *any;        /* open `any` block */
    int any_line;
} Parser;

static bool
is_word(const Token *t, const char *w)
{
    return t->kind == TOK_WORD && strcmp(t->text, w) == 0;
}

static const char *
tok_shown(const Token *t)
{
    return t->kind == TOK_REGEX ? "/.../" : t->text;
}

static Cond *
parse_match(Parser *ps, int lineno, GPtrArray *toks, guint i)
{
    Diag *d = ps->d;
    Cond *c;
    const Token *ft, *rt;
    guint32 options = PCRE2_UTF | PCRE2_MATCH_INVALID_UTF;
    int field = -1, errcode = 0;
    PCRE2_SIZE erroff = 0;
    guint32 pairs = 0;

    if (i >= toks->len) {
        diag(d, lineno, 1, "'match' needs a field and a /pattern/");
        return NULL;
    }
    ft = g_ptr_array_index(toks, i);
    for (guint f = 0; f < G_N_ELEMENTS(field_names); f++)
        if (is_word(ft, field_names[f]))
            field = (int)f;
    if (field < 0) {
        diag(d, lineno, ft->col,
             "unknown field '%s' (use subject, from, to, cc, body, "
             "header \"NAME\", attachment, mailbox or kind)",
             tok_shown(ft));
        return NULL;
    }
    i++;
    c = g_new0(Cond, 1);
    c->field = (FieldKind)field;
    if (field == FIELD_HEADER) {
        const Token *ht = i < toks->len ? g_ptr_array_index(toks, i) : NULL;

        if (ht == NULL || ht->kind == TOK_REGEX || *ht->text == '\0') {
            diag(d, lineno, ht != NULL ? ht->col : ft->col,
                 "'header' needs the header's name, e.g. "
                 "header \"X-Spam-Flag\"");
            cond_free(c);
            return NULL;
        }
        c->header = g_strdup(ht->text);
        i++;
    }
    rt = i < toks->len ? g_ptr_array_index(toks, i) : NULL;
    if (rt == NULL || rt->kind != TOK_REGEX) {
        diag(d, lineno, rt != NULL ? rt->col : ft->col,
             "expected a /pattern/ after '%s'", field_names[field]);
        cond_free(c);
        return NULL;
    }
    for (const char *f = rt->flags; *f != '\0'; f++) {
        int col = rt->col + 2 + (int)strlen(rt->text) + (int)(f - rt->flags);

        switch (*f) {
        case 'i': options |= PCRE2_CASELESS; break;
        case 'm': options |= PCRE2_MULTILINE; break;
        case 's': options |= PCRE2_DOTALL; break;
        case 'x': options |= PCRE2_EXTENDED; break;
        case 'u': break; /* Unicode: always on; accepted as Perl has it */
        default:
            diag(d, lineno, col,
                 "unknown pattern flag '%c' (use i, m, s, x or u)", *f);
            cond_free(c);
            return NULL;
        }
    }
    c->source = g_strdup_printf("/%s/%s", rt->text, rt->flags);
    c->code = pcre2_compile((PCRE2_SPTR)rt->text, strlen(rt->text), options,
                            &errcode, &erroff, NULL);
    if (c->code == NULL) {
        PCRE2_UCHAR buf[256];

        pcre2_get_error_message(errcode, buf, sizeof(buf));
        /* The pattern starts one column after its slash. */
        diag(d, lineno, rt->col + 1 + (int)erroff, "bad pattern: %s",
             (const char *)buf);
        cond_free(c);
        return NULL;
    }
    /* Without JIT (a platform without it) the interpreter runs: slower,
     * same answers. */
    (void)pcre2_jit_compile(c->code, PCRE2_JIT_COMPLETE);
    pcre2_pattern_info(c->code, PCRE2_INFO_CAPTURECOUNT, &pairs);
    ps->set->max_pairs = MAX(ps->set->max_pairs, pairs + 1);
    if (i + 1 < toks->len) {
        const Token *x = g_ptr_array_index(toks, i + 1);

        diag(d, lineno, x->col, "unexpected '%s' after the pattern",
             tok_shown(x));
        cond_free(c);
        return NULL;
    }
    c->index = ps->set->conds->len;
    g_ptr_array_add(ps->set->conds, c);
    return c;
}

static void
add_cond(Parser *ps, Cond *c)
{
    if (ps->any != NULL) {
        g_ptr_array_add(ps->any->conds, c);
    } else {
        Group *g = g_new0(Group, 1);

        g->conds = g_ptr_array_new();
        g_ptr_array_add(g->conds, c);
        g_ptr_array_add(ps->rule->groups, g);
    }
}

/* Whether cond defines the named group name. */
static bool
cond_has_name(const Cond *c, const char *name)
{
    return !c->is_negated &&
           pcre2_substring_number_from_name(c->code, (PCRE2_SPTR)name) >= 0;
}

/* Every ${name} in value must be a named group of a positive
 * condition of the rule. */
static void
check_refs(Parser *ps, const Rule *r, const Action *a)
{
    const char *p = a->value;

    while (p != NULL && (p = strstr(p, "${")) != NULL) {
        const char *end = strchr(p, '}');
        g_autofree char *name = NULL;
        bool found = false;

        if (end == NULL) {
            diag(ps->d, a->line, a->col, "'${' without a closing '}'");
            return;
        }
        name = g_strndup(p + 2, (gsize)(end - p - 2));
        for (guint gi = 0; gi < r->groups->len && !found; gi++) {
            const Group *g = g_ptr_array_index(r->groups, gi);

            for (guint ci = 0; ci < g->conds->len && !found; ci++)
                found = cond_has_name(g_ptr_array_index(g->conds, ci),
                                      name);
        }
        if (!found)
            diag(ps->d, a->line, a->col,
                 "'${%s}' names no capture group of a match of rule '%s' "
                 "(write (?<%s>...) in a pattern)",
                 name, r->name, name);
        p = end + 1;
    }
}

static void
parse_action(Parser *ps, int lineno, GPtrArray *toks)
{
    Diag *d = ps->d;
    const Token *t0 = g_ptr_array_index(toks, 0);
    const Token *t1 = toks->len > 1 ? g_ptr_array_index(toks, 1) : NULL;
    Action *a = g_new0(Action, 1);
    guint want = 0; /* tokens the statement has */
    const Token *vt = NULL;

    a->line = lineno;
    a->col = t0->col;
    if (is_word(t0, "noack") || is_word(t0, "stop")) {
        a->kind = is_word(t0, "stop") ? ACT_STOP : ACT_NOACK;
        want = 1;
    } else if (is_word(t0, "assign")) {
        if (t1 == NULL || !(is_word(t1, "agent") || is_word(t1, "team"))) {
            diag(d, lineno, t1 != NULL ? t1->col : t0->col,
                 "expected 'assign agent NAME' or 'assign team NAME'");
            goto bad;
        }
        a->kind = is_word(t1, "agent") ? ACT_ASSIGN_AGENT : ACT_ASSIGN_TEAM;
        want = 3;
        vt = toks->len > 2 ? g_ptr_array_index(toks, 2) : NULL;
    } else if (is_word(t0, "set")) {
        static const struct {
            const char *key;
            ActionKind kind;
        } keys[] = {
            { "category", ACT_CATEGORY }, { "priority", ACT_PRIORITY },
            { "status", ACT_STATUS },     { "sla", ACT_SLA },
            { "team", ACT_TEAM },         { "field", ACT_FIELD },
        };
        int k = -1;

        for (guint i = 0; t1 != NULL && i < G_N_ELEMENTS(keys); i++)
            if (is_word(t1, keys[i].key))
                k = (int)i;
        if (k < 0) {
            diag(d, lineno, t1 != NULL ? t1->col : t0->col,
                 "expected 'set' category, priority, status, sla, team or "
                 "field");
            goto bad;
        }
        a->kind = keys[k].kind;
        if (a->kind == ACT_FIELD) {
            const Token *nt = toks->len > 2 ? g_ptr_array_index(toks, 2)
                                            : NULL;

            if (nt == NULL || nt->kind != TOK_WORD) {
                diag(d, lineno, nt != NULL ? nt->col : t1->col,
                     "expected 'set field NAME VALUE'");
                goto bad;
            }
            a->name = g_strdup(nt->text);
            want = 4;
            vt = toks->len > 3 ? g_ptr_array_index(toks, 3) : NULL;
        } else {
            want = 3;
            vt = toks->len > 2 ? g_ptr_array_index(toks, 2) : NULL;
        }
    } else {
        diag(d, lineno, t0->col,
             "unknown statement '%s' (expected match, not match, any, set, "
             "assign, noack, stop, on followup or end)",
             tok_shown(t0));
        goto bad;
    }
    if (want > 1) {
        if (vt == NULL || vt->kind == TOK_REGEX) {
            diag(d, lineno, vt != NULL ? vt->col : t0->col,
                 "'%s %s' needs a value", t0->text, t1->text);
            goto bad;
        }
        a->value = g_strdup(vt->text);
        a->col = vt->col;
    }
    if (toks->len > want) {
        const Token *x = g_ptr_array_index(toks, want);

        diag(d, lineno, x->col, "unexpected '%s'%s", tok_shown(x),
             x->kind == TOK_WORD && vt != NULL
                 ? " (quote a value that has spaces)"
                 : "");
        goto bad;
    }
    switch (a->kind) {
    case ACT_PRIORITY: {
        Priority pr;

        if (!ticket_priority_from_name(a->value, &pr)) {
            diag(d, lineno, a->col,
                 "unknown priority '%s' (use low, normal, high or urgent)",
                 a->value);
            goto bad;
        }
        a->number = (int)pr;
        break;
    }
    case ACT_STATUS: {
        TicketStatus s;

        if (!ticket_status_from_name(a->value, &s)) {
            diag(d, lineno, a->col,
                 "unknown status '%s' (use new, open, pending, resolved, "
                 "closed or spam)",
                 a->value);
            goto bad;
        }
        a->number = (int)s;
        break;
    }
    case ACT_SLA:
        if (!config_parse_duration(a->value, &a->sla) || a->sla <= 0) {
            diag(d, lineno, a->col,
                 "'%s' is not a duration (e.g. 4h, 90m, 2d) of at most "
                 "36525d", a->value);
            goto bad;
        }
        break;
    case ACT_CATEGORY: case ACT_TEAM: case ACT_FIELD:
    case ACT_ASSIGN_AGENT: case ACT_ASSIGN_TEAM:
        if (*a->value == '\0') {
            diag(d, lineno, a->col, "empty value");
            goto bad;
        }
        break;
    case ACT_NOACK: case ACT_STOP:
        break;
    }
    g_ptr_array_add(ps->rule->actions, a);
    return;
bad:
    action_free(a);
}

static void
end_rule(Parser *ps)
{
    Rule *r = ps->rule;

    for (guint i = 0; i < r->actions->len; i++) {
        const Action *a = g_ptr_array_index(r->actions, i);

        if (a->kind == ACT_CATEGORY || a->kind == ACT_TEAM ||
            a->kind == ACT_FIELD || a->kind == ACT_ASSIGN_TEAM)
            check_refs(ps, r, a);
    }
    g_ptr_array_add(ps->set->rules, r);
    ps->rule = NULL;
}

static void
parse_line(Parser *ps, int lineno, GPtrArray *toks)
{
    Diag *d = ps->d;
    const Token *t0 = g_ptr_array_index(toks, 0);

    if (ps->rule == NULL) {
        const Token *nt = toks->len > 1 ? g_ptr_array_index(toks, 1) : NULL;
        g_autofree char *where = NULL;
        const char *prev;

        if (!is_word(t0, "rule")) {
            diag(d, lineno, t0->col, "expected 'rule \"NAME\"', not '%s'",
                 tok_shown(t0));
            return;
        }
        if (nt == NULL || nt->kind == TOK_REGEX || *nt->text == '\0') {
            diag(d, lineno, nt != NULL ? nt->col : t0->col,
                 "'rule' needs a name: rule \"NAME\"");
            nt = NULL;
        } else if (toks->len > 2) {
            const Token *x = g_ptr_array_index(toks, 2);

            diag(d, lineno, x->col, "unexpected '%s' after the rule's name",
                 tok_shown(x));
        }
        /* Read the body even after an error, to report its errors. */
        ps->rule = g_new0(Rule, 1);
        ps->rule->name = g_strdup(nt != NULL ? nt->text : "?");
        ps->rule->file = g_strdup(d->file);
        ps->rule->line = lineno;
        ps->rule->groups =
            g_ptr_array_new_with_free_func((GDestroyNotify)group_free);
        ps->rule->actions =
            g_ptr_array_new_with_free_func((GDestroyNotify)action_free);
        where = g_strdup_printf("%s:%d", d->file, lineno);
        prev = nt != NULL ? g_hash_table_lookup(ps->names, nt->text) : NULL;
        if (prev != NULL)
            diag(d, lineno, nt->col, "rule '%s' is defined already at %s",
                 nt->text, prev);
        else if (nt != NULL)
            g_hash_table_insert(ps->names, g_strdup(nt->text),
                                g_steal_pointer(&where));
        return;
    }
    if (is_word(t0, "end")) {
        if (toks->len > 1)
            diag(d, lineno, ((Token *)g_ptr_array_index(toks, 1))->col,
                 "unexpected '%s' after 'end'",
                 tok_shown(g_ptr_array_index(toks, 1)));
        if (ps->any != NULL) {
            if (ps->any->conds->len == 0)
                diag(d, ps->any_line, 1, "'any' without a match");
            g_ptr_array_add(ps->rule->groups, ps->any);
            ps->any = NULL;
        } else {
            end_rule(ps);
        }
        return;
    }
    if (is_word(t0, "match") || is_word(t0, "not")) {
        guint i = 1;
        bool neg = is_word(t0, "not");
        Cond *c;

        if (neg) {
            if (toks->len < 2 ||
                !is_word(g_ptr_array_index(toks, 1), "match")) {
                diag(d, lineno, toks->len > 1
                                    ? ((Token *)toks->pdata[1])->col
                                    : t0->col,
                     "expected 'not match FIELD /pattern/'");
                return;
            }
            i = 2;
        }
        c = parse_match(ps, lineno, toks, i);
        if (c != NULL) {
            c->is_negated = neg;
            add_cond(ps, c);
        }
        return;
    }
    if (ps->any != NULL) {
        diag(d, lineno, t0->col,
             "only 'match' and 'not match' may stand inside 'any' "
             "(close it with 'end')");
        return;
    }
    if (is_word(t0, "any")) {
        if (toks->len > 1)
            diag(d, lineno, ((Token *)toks->pdata[1])->col,
                 "'any' stands alone on its line");
        ps->any = g_new0(Group, 1);
        ps->any->is_any = true;
        ps->any->conds = g_ptr_array_new();
        ps->any_line = lineno;
        return;
    }
    if (is_word(t0, "on")) {
        if (toks->len != 2 || !is_word(toks->pdata[1], "followup"))
            diag(d, lineno, t0->col, "expected 'on followup'");
        else
            ps->rule->is_on_followup = true;
        return;
    }
    if (is_word(t0, "rule")) {
        diag(d, lineno, t0->col,
             "'rule' inside rule '%s' (line %d): a rule ends with 'end'",
             ps->rule->name, ps->rule->line);
        return;
    }
    parse_action(ps, lineno, toks);
}

static void
parse_into(RuleSet *set, GHashTable *names, Diag *d, const char *text)
{
    g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
    Parser ps = { .d = d, .set = set, .names = names };

    if (!g_utf8_validate(text, -1, NULL)) {
        diag(d, 1, 1, "not UTF-8 text");
        return;
    }
    for (int n = 0; lines[n] != NULL; n++) {
        g_autoptr(GPtrArray) toks =
            g_ptr_array_new_with_free_func((GDestroyNotify)token_free);

        if (!tokenize(d, n + 1, lines[n], toks) || toks->len == 0)
            continue;
        parse_line(&ps, n + 1, toks);
    }
    if (ps.any != NULL) {
        diag(d, ps.any_line, 1, "'any' without its 'end'");
        group_free(ps.any);
    }
    if (ps.rule != NULL) {
        diag(d, ps.rule->line, 1, "rule '%s' without its 'end'",
             ps.rule->name);
        rule_free(ps.rule);
    }
}

static Status
finish(RuleSet *set, Diag *d, RuleSet **set_out, GError **error)
{
    if (d->errors->len > 0) {
        g_ptr_array_add(d->errors, NULL);
        {
            g_autofree char *all = g_strjoinv("\n", (char **)d->errors->pdata);

            rules_free(set);
            return status_set(error, ST_CONFIG, "rules: %u error%s:\n%s",
                              d->errors->len - 1,
                              d->errors->len - 1 == 1 ? "" : "s", all);
        }
    }
    build_prefilter(set);
    *set_out = set;
    return ST_OK;
}

Status
rules_parse(const char *filename, const char *text, RuleSet **set_out,
            GError **error)
{
    g_autoptr(GPtrArray) errors = g_ptr_array_new_with_free_func(g_free);
    g_autoptr(GHashTable) names =
        g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    Diag d = { .file = filename, .errors = errors };
    RuleSet *set = rules_new_empty();

    parse_into(set, names, &d, text);
    return finish(set, &d, set_out, error);
}

static gint
compare_names(gconstpointer a, gconstpointer b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

Status
rules_load(const char *dir, RuleSet **set_out, GError **error)
{
    g_autoptr(GPtrArray) errors = g_ptr_array_new_with_free_func(g_free);
    g_autoptr(GHashTable) names =
        g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func(g_free);
    g_autoptr(GError) local = NULL;
    g_autoptr(GDir) gd = g_dir_open(dir, 0, &local);
    const char *name;
    RuleSet *set;

    if (gd == NULL)
        return status_set(error, ST_CONFIG,
                          "rules: cannot read the rules directory '%s': %s",
                          dir, local->message);
    while ((name = g_dir_read_name(gd)) != NULL)
        if (g_str_has_suffix(name, ".rules") && name[0] != '.')
            g_ptr_array_add(files, g_strdup(name));
    g_ptr_array_sort(files, compare_names);
    set = rules_new_empty();
    for (guint i = 0; i < files->len; i++) {
        g_autofree char *path = g_build_filename(dir, files->pdata[i], NULL);
        g_autofree char *text = NULL;
        Diag d = { .file = path, .errors = errors };

        g_clear_error(&local);
        if (!g_file_get_contents(path, &text, NULL, &local)) {
            g_ptr_array_add(errors, g_strdup_printf("%s: cannot read: %s",
                                                    path, local->message));
            continue;
        }
        parse_into(set, names, &d, text);
    }
    {
        Diag d = { .file = dir, .errors = errors };

        return finish(set, &d, set_out, error);
    }
}

Status
rules_check_agents(const RuleSet *set, const char *const *agents,
                   GError **error)
{
    g_autoptr(GPtrArray) errors = g_ptr_array_new_with_free_func(g_free);

    for (guint i = 0; i < set->rules->len; i++) {
        const Rule *r = g_ptr_array_index(set->rules, i);

        for (guint j = 0; j < r->actions->len; j++) {
            const Action *a = g_ptr_array_index(r->actions, j);

            if (a->kind == ACT_ASSIGN_AGENT &&
                !g_strv_contains(agents, a->value))
                g_ptr_array_add(errors,
                                g_strdup_printf("%s:%d:%d: no agent '%s' in "
                                                "the configuration "
                                                "([agent %s])",
                                                r->file, a->line, a->col,
                                                a->value, a->value));
        }
    }
    if (errors->len == 0)
        return ST_OK;
    g_ptr_array_add(errors, NULL);
    {
        g_autofree char *all = g_strjoinv("\n", (char **)errors->pdata);

        return status_set(error, ST_CONFIG, "rules: %u error%s:\n%s",
                          errors->len - 1, errors->len - 1 == 1 ? "" : "s",
                          all);
    }
}

/* --- evaluation ----------------------------------------------------- */

typedef struct {
    const RuleSet *set;
    const RuleInput *in;
    pcre2_match_data *md;
    guint8 *cand;       /* per condition: worth running */
    GHashTable *vars;   /* capture name -> value, of the current rule */
    GString *matched;   /* what matched, of the current rule */
    char *limit_note;   /* why a pattern gave up, for the current rule */
} Eval;

/* The texts a field stands for; borrowed from the message. */
static void
add_text(GArray *out, const char *s)
{
    g_array_append_val(out, s);
}

static void
field_texts(const Eval *ev, const Cond *c, GArray *out)
{
    const Message *msg = ev->in->msg;

    switch (c->field) {
    case FIELD_SUBJECT:
        add_text(out, msg->subject);
        break;
    case FIELD_FROM:
        if (msg->from != NULL)
            add_text(out, msg->from->email);
        break;
    case FIELD_TO: case FIELD_CC: {
        GPtrArray *l = c->field == FIELD_TO ? msg->to : msg->cc;

        for (guint i = 0; i < l->len; i++)
            add_text(out, ((Address *)l->pdata[i])->email);
        break;
    }
    case FIELD_BODY:
        add_text(out, msg->text);
        break;
    case FIELD_HEADER:
        for (guint i = 0; i < msg->headers->len; i++) {
            const HeaderField *h = g_ptr_array_index(msg->headers, i);

            if (g_ascii_strcasecmp(h->name, c->header) == 0)
                add_text(out, h->value);
        }
        break;
    case FIELD_ATTACHMENT:
        for (guint i = 0; i < msg->attachments->len; i++)
            add_text(out,
                     ((Attachment *)msg->attachments->pdata[i])->filename);
        break;
    case FIELD_MAILBOX:
        add_text(out, ev->in->mailbox != NULL ? ev->in->mailbox : "");
        break;
    case FIELD_KIND:
        add_text(out, message_kind_name(msg->kind));
        break;
    }
}

/* Text for an event or a field: control characters (CR/LF above all,
 * which could reach a header through a template) become spaces. */
static char *
clean_text(const char *s, gsize len, gsize max)
{
    GString *out = g_string_sized_new(MIN(len, max) + 4);
    const char *end = s + len;

    for (const char *p = s; p < end && out->len < max;
         p = g_utf8_find_next_char(p, end)) {
        const char *next = g_utf8_find_next_char(p, end);
        gsize n = (gsize)((next != NULL ? next : end) - p);

        if (next == NULL)
            n = (gsize)(end - p);
        if ((guchar)*p < 0x20 || *p == 0x7f)
            g_string_append_c(out, ' ');
        else
            g_string_append_len(out, p, (gssize)n);
        if (next == NULL)
            break;
    }
    if (out->len >= max && len > max)
        g_string_append(out, "...");
    return g_string_free(out, FALSE);
}

static void
collect_captures(Eval *ev, const Cond *c, const char *subject)
{
    PCRE2_SIZE *ov = pcre2_get_ovector_pointer(ev->md);
    guint32 count = 0, size = 0;
    PCRE2_SPTR table = NULL;

    pcre2_pattern_info(c->code, PCRE2_INFO_NAMECOUNT, &count);
    pcre2_pattern_info(c->code, PCRE2_INFO_NAMEENTRYSIZE, &size);
    pcre2_pattern_info(c->code, PCRE2_INFO_NAMETABLE, &table);
    for (guint32 i = 0; i < count; i++) {
        PCRE2_SPTR e = table + (gsize)i * size;
        guint n = ((guint)e[0] << 8) | e[1];
        const char *name = (const char *)e + 2;

        if (ov[2 * n] == PCRE2_UNSET)
            continue;
        g_hash_table_insert(ev->vars, g_strdup(name),
                            clean_text(subject + ov[2 * n],
                                       ov[2 * n + 1] - ov[2 * n],
                                       MAX_CAPTURE));
    }
}

/* 1 matched, 0 did not, -1 gave up (a limit). */
static int
run_cond(Eval *ev, const Rule *r, const Cond *c)
{
    g_autoptr(GArray) texts = g_array_new(FALSE, FALSE, sizeof(char *));

    if (c->is_prefiltered && !ev->cand[c->index])
        return 0;
    field_texts(ev, c, texts);
    for (guint i = 0; i < texts->len; i++) {
        const char *s = g_array_index(texts, const char *, i);
        int rc = pcre2_match(c->code, (PCRE2_SPTR)s, strlen(s), 0, 0, ev->md,
                             ev->set->mctx);

        if (rc >= 0) {
            PCRE2_SIZE *ov = pcre2_get_ovector_pointer(ev->md);
            g_autofree char *shown = NULL;

            if (c->is_negated)
                return 1;
            shown = clean_text(s + ov[0], ov[1] - ov[0], MAX_SHOWN);
            g_string_append_printf(ev->matched, "%s%s%s%s \"%s\"",
                                   ev->matched->len > 0 ? "; " : "",
                                   field_names[c->field],
                                   c->header != NULL ? " " : "",
                                   c->header != NULL ? c->header : "", shown);
            collect_captures(ev, c, s);
            return 1;
        }
        if (rc != PCRE2_ERROR_NOMATCH) {
            PCRE2_UCHAR buf[160];

            pcre2_get_error_message(rc, buf, sizeof(buf));
            g_free(ev->limit_note);
            ev->limit_note = g_strdup_printf(
                "rule '%s' (%s:%d): %s %s gave up: %s; the rule counts as "
                "not matching",
                r->name, r->file, r->line, field_names[c->field], c->source,
                (const char *)buf);
            return -1;
        }
    }
    return 0;
}

static char *
interpolate(const Eval *ev, const char *value)
{
    GString *out = g_string_new(NULL);
    const char *p = value;

    for (;;) {
        const char *ref = strstr(p, "${");
        const char *end = ref != NULL ? strchr(ref, '}') : NULL;

        if (ref == NULL || end == NULL) {
            g_string_append(out, p);
            break;
        }
        g_string_append_len(out, p, ref - p);
        {
            g_autofree char *name = g_strndup(ref + 2, (gsize)(end - ref - 2));
            const char *v = g_hash_table_lookup(ev->vars, name);

            g_string_append(out, v != NULL ? v : "");
        }
        p = end + 1;
    }
    return g_string_free(out, FALSE);
}

/* Apply r's actions to res; returns whether r stops the run. */
static bool
apply_actions(Eval *ev, const Rule *r, RulesResult *res, GString *said)
{
    bool stops = false;

    for (guint i = 0; i < r->actions->len; i++) {
        const Action *a = g_ptr_array_index(r->actions, i);
        g_autofree char *v = a->value != NULL ? interpolate(ev, a->value)
                                              : NULL;
        const char *sep = said->len > 0 ? " " : "";

        switch (a->kind) {
        case ACT_CATEGORY:
            g_free(res->category);
            res->category = g_strdup(v);
            g_string_append_printf(said, "%scategory=%s", sep, v);
            break;
        case ACT_PRIORITY:
            res->has_priority = true;
            res->priority = (Priority)a->number;
            g_string_append_printf(said, "%spriority=%s", sep, v);
            break;
        case ACT_STATUS:
            res->has_status = true;
            res->status = (TicketStatus)a->number;
            g_string_append_printf(said, "%sstatus=%s", sep, v);
            break;
        case ACT_SLA:
            res->sla = a->sla;
            g_string_append_printf(said, "%ssla=%s", sep, v);
            break;
        case ACT_TEAM: case ACT_ASSIGN_TEAM:
            g_free(res->team);
            res->team = g_strdup(v);
            if (a->kind == ACT_ASSIGN_TEAM) {
                res->is_team_assign = true;
                g_clear_pointer(&res->agent, g_free);
            }
            g_string_append_printf(said, "%s%s=%s", sep,
                                   a->kind == ACT_TEAM ? "team"
                                                       : "assign-team",
                                   v);
            break;
        case ACT_FIELD:
            g_hash_table_insert(res->fields, g_strdup(a->name), g_strdup(v));
            g_string_append_printf(said, "%sfield %s=%s", sep, a->name, v);
            break;
        case ACT_ASSIGN_AGENT:
            g_free(res->agent);
            res->agent = g_strdup(v);
            res->is_team_assign = false;
            g_string_append_printf(said, "%sassign-agent=%s", sep, v);
            break;
        case ACT_NOACK:
            res->is_noack = true;
            g_string_append_printf(said, "%snoack", sep);
            break;
        case ACT_STOP:
            stops = true;
            g_string_append_printf(said, "%sstop", sep);
            break;
        }
    }
    return stops;
}

/* 1 matched, 0 not, -1 gave up. */
static int
run_rule(Eval *ev, const Rule *r)
{
    for (guint gi = 0; gi < r->groups->len; gi++) {
        const Group *g = g_ptr_array_index(r->groups, gi);
        bool any_true = false;

        for (guint ci = 0; ci < g->conds->len && !any_true; ci++) {
            const Cond *c = g_ptr_array_index(g->conds, ci);
            int m = run_cond(ev, r, c);

            if (m < 0)
                return -1;
            any_true = c->is_negated ? m == 0 : m == 1;
        }
        if (!any_true)
            return 0;
    }
    return 1;
}

RulesResult *
rules_evaluate(const RuleSet *set, const RuleInput *in)
{
    RulesResult *res = g_new0(RulesResult, 1);
    g_autofree guint8 *cand = g_new0(guint8, MAX(set->conds->len, 1));
    Eval ev = { .set = set, .in = in, .cand = cand };

    res->fields = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
                                        g_free);
    res->hits = g_ptr_array_new_with_free_func((GDestroyNotify)rule_hit_free);
    res->notes = g_ptr_array_new_with_free_func(g_free);
    if (set->rules->len == 0)
        return res;
    if (set->ac != NULL) {
        const Message *msg = in->msg;
        g_autofree guint8 *seen =
            g_new0(guint8, MAX(set->ac->lit_patterns->len, 1));
        GPtrArray *lists[] = { msg->to, msg->cc };

        automaton_scan(set->ac, msg->subject, seen, cand);
        automaton_scan(set->ac, msg->text, seen, cand);
        if (msg->from != NULL)
            automaton_scan(set->ac, msg->from->email, seen, cand);
        for (guint l = 0; l < G_N_ELEMENTS(lists); l++)
            for (guint i = 0; i < lists[l]->len; i++)
                automaton_scan(set->ac,
                               ((Address *)lists[l]->pdata[i])->email, seen,
                               cand);
        for (guint i = 0; i < msg->attachments->len; i++)
            automaton_scan(set->ac,
                           ((Attachment *)msg->attachments->pdata[i])
                               ->filename,
                           seen, cand);
        automaton_scan(set->ac, in->mailbox, seen, cand);
    }
    ev.md = pcre2_match_data_create(set->max_pairs, NULL);
    ev.vars = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    ev.matched = g_string_new(NULL);
    for (guint i = 0; i < set->rules->len; i++) {
        const Rule *r = g_ptr_array_index(set->rules, i);
        int m;

        if (in->is_followup && !r->is_on_followup)
            continue;
        g_hash_table_remove_all(ev.vars);
        g_string_truncate(ev.matched, 0);
        g_clear_pointer(&ev.limit_note, g_free);
        m = run_rule(&ev, r);
        if (m < 0) {
            g_ptr_array_add(res->notes, g_steal_pointer(&ev.limit_note));
            continue;
        }
        if (m == 1) {
            RuleHit *hit = g_new0(RuleHit, 1);
            GString *said = g_string_new(NULL);
            bool stops = apply_actions(&ev, r, res, said);

            hit->rule = g_strdup(r->name);
            hit->where = g_strdup_printf("%s:%d", r->file, r->line);
            hit->matched = g_strdup(ev.matched->len > 0
                                        ? ev.matched->str
                                        : "(no condition)");
            hit->actions = g_string_free(said, FALSE);
            g_ptr_array_add(res->hits, hit);
            if (stops)
                break;
        }
    }
    g_free(ev.limit_note);
    g_string_free(ev.matched, TRUE);
    g_hash_table_unref(ev.vars);
    pcre2_match_data_free(ev.md);
    return res;
}
