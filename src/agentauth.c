/*
 * agentauth.c - reading Authentication-Results fields (RFC 8601).
 *
 * The grammar is taken loosely where mail servers are loose: comments
 * in parentheses (nested, RFC 5322 3.2.2) are dropped, quoted values
 * keep their spaces, white space around "=" is allowed, and a result
 * this module cannot read is no proof.  Only "pass" proves anything.
 */
#include "config.h"

#include "agentauth.h"

#include <string.h>

/* A field value without comments, with quoted strings kept whole. */
static char *
strip_comments(const char *value)
{
    GString *out = g_string_sized_new(strlen(value));
    int depth = 0;
    bool in_quote = false;

    for (const char *p = value; *p != '\0'; p++) {
        if (*p == '\\' && p[1] != '\0' && (in_quote || depth > 0)) {
            if (depth == 0)
                g_string_append_len(out, p, 2);
            p++;
            continue;
        }
        if (depth == 0 && *p == '"')
            in_quote = !in_quote;
        if (!in_quote && *p == '(') {
            depth++;
            g_string_append_c(out, ' ');
            continue;
        }
        if (!in_quote && *p == ')' && depth > 0) {
            depth--;
            continue;
        }
        if (depth == 0)
            g_string_append_c(out, *p);
    }
    return g_string_free(out, FALSE);
}

/* "a = b" -> "a=b", so that a resinfo splits on white space. */
static void
glue_equals(char *s)
{
    char *w = s;

    for (char *r = s; *r != '\0'; r++) {
        if (g_ascii_isspace(*r)) {
            char *n = r;

            while (g_ascii_isspace(*n))
                n++;
            if (*n == '=' || (w > s && w[-1] == '=')) {
                r = n - 1;
                continue;
            }
            *w++ = ' ';
            r = n - 1;
            continue;
        }
        *w++ = *r;
    }
    *w = '\0';
}

static char *
unquote(const char *v)
{
    gsize len = strlen(v);

    if (len >= 2 && v[0] == '"' && v[len - 1] == '"')
        return g_strndup(v + 1, len - 2);
    return g_strdup(v);
}

/* The domain of "user@domain", "@domain" or "domain". */
static const char *
domain_of(const char *v)
{
    const char *at = strrchr(v, '@');

    return at != NULL ? at + 1 : v;
}

typedef struct {
    bool has_dkim, has_spf;   /* this field reports the method */
    bool dkim_pass, spf_pass; /* ... and passes for the domain */
} FieldResult;

/* One resinfo, "dkim=pass header.d=example.com ...". */
static void
read_resinfo(char *resinfo, const char *domain, FieldResult *res)
{
    g_auto(GStrv) words = NULL;
    const char *eq;
    g_autofree char *method = NULL;
    g_autofree char *result = NULL;
    bool is_dkim, is_spf, is_match = false;

    g_strstrip(resinfo);
    glue_equals(resinfo);
    words = g_strsplit(resinfo, " ", -1);
    if (words[0] == NULL || (eq = strchr(words[0], '=')) == NULL)
        return;
    method = g_ascii_strdown(words[0], (gssize)(eq - words[0]));
    /* "dkim/1=pass": a method version. */
    if (strchr(method, '/') != NULL)
        *strchr(method, '/') = '\0';
    result = g_ascii_strdown(eq + 1, -1);
    is_dkim = strcmp(method, "dkim") == 0;
    is_spf = strcmp(method, "spf") == 0;
    if (!is_dkim && !is_spf)
        return;
    for (char **w = words + 1; *w != NULL; w++) {
        const char *e = strchr(*w, '=');
        g_autofree char *prop = NULL;
        g_autofree char *val = NULL;

        if (e == NULL)
            continue;
        prop = g_ascii_strdown(*w, (gssize)(e - *w));
        val = unquote(e + 1);
        if ((is_dkim && (strcmp(prop, "header.d") == 0 ||
                         strcmp(prop, "header.i") == 0)) ||
            (is_spf && (strcmp(prop, "smtp.mailfrom") == 0 ||
                        strcmp(prop, "smtp.from") == 0))) {
            if (g_ascii_strcasecmp(domain_of(val), domain) == 0)
                is_match = true;
        }
    }
    if (is_dkim) {
        res->has_dkim = true;
        res->dkim_pass |= strcmp(result, "pass") == 0 && is_match;
    } else {
        res->has_spf = true;
        res->spf_pass |= strcmp(result, "pass") == 0 && is_match;
    }
}

/* Read one field; false when its authserv-id is not trusted. */
static bool
read_field(const char *value, const AgentAuthPolicy *policy, const char *domain,
           FieldResult *res)
{
    g_autofree char *clean = strip_comments(value);
    g_auto(GStrv) parts = g_strsplit(clean, ";", -1);
    g_auto(GStrv) id_words = NULL;

    memset(res, 0, sizeof(*res));
    if (parts[0] == NULL)
        return false;
    id_words = g_strsplit_set(g_strstrip(parts[0]), " \t", -1);
    if (id_words[0] == NULL || id_words[0][0] == '\0')
        return false;
    {
        g_autofree char *id = unquote(id_words[0]);
        bool is_trusted = false;

        for (const char *const *t = policy->authserv_ids;
             t != NULL && *t != NULL; t++)
            if (g_ascii_strcasecmp(*t, id) == 0)
                is_trusted = true;
        if (!is_trusted)
            return false;
    }
    for (char **p = parts + 1; *p != NULL; p++)
        read_resinfo(*p, domain, res);
    return true;
}

guint
agentauth_check(const Message *msg, const AgentAuthPolicy *policy,
                const char *domain, const char **why_out)
{
    bool dkim_decided = false, spf_decided = false;
    bool dkim_pass = false, spf_pass = false;
    bool seen_trusted = false;
    guint received = 0;
    const char *why = "no Authentication-Results of a trusted server";

    if (domain == NULL || *domain == '\0' ||
        (policy->methods & (AGENTAUTH_DKIM | AGENTAUTH_SPF)) == 0) {
        if (why_out != NULL)
            *why_out = "DKIM and SPF are not accepted as proof";
        return 0;
    }
    for (guint i = 0; i < msg->headers->len; i++) {
        const HeaderField *h = g_ptr_array_index(msg->headers, i);
        FieldResult res;

        if (g_ascii_strcasecmp(h->name, "Received") == 0) {
            /* Fields below the second Received: were written before
             * the message reached our server. */
            if (++received >= 2)
                break;
            continue;
        }
        if (g_ascii_strcasecmp(h->name, "Authentication-Results") != 0)
            continue;
        if (!read_field(h->value, policy, domain, &res)) {
            /* Another server's field: whatever is below it is not our
             * server's top either. */
            if (!seen_trusted)
                why = "the topmost Authentication-Results is not of a "
                      "trusted server";
            break;
        }
        seen_trusted = true;
        if (res.has_dkim && !dkim_decided) {
            dkim_decided = true;
            dkim_pass = res.dkim_pass;
        }
        if (res.has_spf && !spf_decided) {
            spf_decided = true;
            spf_pass = res.spf_pass;
        }
    }
    if ((policy->methods & AGENTAUTH_DKIM) && dkim_pass)
        return AGENTAUTH_DKIM;
    if ((policy->methods & AGENTAUTH_SPF) && spf_pass)
        return AGENTAUTH_SPF;
    if (seen_trusted)
        why = "no DKIM or SPF pass for the agent's domain";
    if (why_out != NULL)
        *why_out = why;
    return 0;
}

guint
agentauth_method_from_name(const char *name)
{
    if (g_ascii_strcasecmp(name, "token") == 0)
        return AGENTAUTH_TOKEN;
    if (g_ascii_strcasecmp(name, "dkim") == 0)
        return AGENTAUTH_DKIM;
    if (g_ascii_strcasecmp(name, "spf") == 0)
        return AGENTAUTH_SPF;
    return 0;
}
