/*
 * template.c - load, check and fill the templates of outgoing mail.
 *
 * Checking happens once, at load, so that a broken template stops the
 * run before anything is queued (exit 78 naming file:line) rather than
 * sending half-filled mail.  Rendering cannot fail: an unset variable
 * without a default becomes empty.  Header values are folded onto one
 * line after filling, which is what keeps a hostile subject or name
 * from adding headers.
 */
#include "config.h"

#include "template.h"

#include <stdbool.h>
#include <string.h>

typedef struct {
    char *name;
    char *value; /* template text, not yet filled */
} TemplateHeader;

struct Template {
    char *origin;
    GArray *headers; /* TemplateHeader */
    char *body;
};

/* Variables filled from the ticket itself; a name under these prefixes
 * that is not listed is a typo, caught at load. */
static const char *const known_vars[] = {
    "ticket.id", "ticket.tag", "ticket.subject", "ticket.status",
    "ticket.priority", "ticket.category", "ticket.team", "ticket.assignee",
    "ticket.due", "customer.name", "customer.email", "sla.first_response",
    "support.address", NULL,
};
static const char *const checked_prefixes[] = {
    "ticket.", "customer.", "sla.", "support.", NULL,
};

static void
header_clear(TemplateHeader *h)
{
    g_free(h->name);
    g_free(h->value);
}

void
template_free(Template *tpl)
{
    if (tpl == NULL)
        return;
    g_free(tpl->origin);
    if (tpl->headers != NULL)
        g_array_unref(tpl->headers);
    g_free(tpl->body);
    g_free(tpl);
}

const char *
template_origin(const Template *tpl)
{
    return tpl->origin;
}

static bool
is_var_char(char c)
{
    return g_ascii_isalnum(c) || c == '.' || c == '_' || c == '-';
}

/* Check every {{...}} of one line. */
static Status
check_line(const Template *tpl, const char *line, guint lineno,
           GError **error)
{
    const char *p = line;

    while ((p = strstr(p, "{{")) != NULL) {
        const char *end = strstr(p + 2, "}}");
        const char *bar;
        g_autofree char *name = NULL;

        if (end == NULL)
            return status_set(error, ST_CONFIG,
                              "template: %s:%u: '{{' without '}}'",
                              tpl->origin, lineno);
        bar = memchr(p + 2, '|', (gsize)(end - p - 2));
        name = g_strndup(p + 2, (gsize)((bar != NULL ? bar : end) - p - 2));
        g_strstrip(name);
        if (*name == '\0')
            return status_set(error, ST_CONFIG,
                              "template: %s:%u: empty variable name",
                              tpl->origin, lineno);
        for (const char *c = name; *c != '\0'; c++)
            if (!is_var_char(*c))
                return status_set(error, ST_CONFIG,
                                  "template: %s:%u: bad variable name '%s'",
                                  tpl->origin, lineno, name);
        for (guint i = 0; checked_prefixes[i] != NULL; i++)
            if (g_str_has_prefix(name, checked_prefixes[i]) &&
                !g_strv_contains(known_vars, name))
                return status_set(error, ST_CONFIG,
                                  "template: %s:%u: unknown variable '%s'",
                                  tpl->origin, lineno, name);
        p = end + 2;
    }
    return ST_OK;
}

static Status
parse_template(Template *tpl, const char *text, GError **error)
{
    g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
    g_autoptr(GString) body = g_string_new(NULL);
    bool in_body = false, has_subject = false;
    Status st;

    for (guint i = 0; lines[i] != NULL; i++) {
        char *line = lines[i];
        gsize len = strlen(line);
        guint lineno = i + 1;

        if (len > 0 && line[len - 1] == '\r')
            line[--len] = '\0';
        if ((st = check_line(tpl, line, lineno, error)) != ST_OK)
            return st;
        /* The split leaves one empty piece after the final LF: not a
         * line of the file. */
        if (lines[i + 1] == NULL && len == 0)
            break;
        if (in_body) {
            g_string_append(body, line);
            g_string_append_c(body, '\n');
            continue;
        }
        if (len == 0) {
            in_body = true;
            continue;
        }
        if (g_ascii_isspace(line[0]) && tpl->headers->len > 0) {
            /* A folded header line continues the previous one. */
            TemplateHeader *h = &g_array_index(tpl->headers, TemplateHeader,
                                               tpl->headers->len - 1);
            char *joined = g_strconcat(h->value, " ", g_strstrip(line),
                                       NULL);

            g_free(h->value);
            h->value = joined;
            continue;
        }
        {
            const char *colon = strchr(line, ':');
            TemplateHeader h;

            if (colon == NULL || colon == line)
                return status_set(error, ST_CONFIG,
                                  "template: %s:%u: expected 'Name: value' "
                                  "or a blank line before the body",
                                  tpl->origin, lineno);
            for (const char *c = line; c < colon; c++)
                if (!g_ascii_isalnum(*c) && *c != '-')
                    return status_set(error, ST_CONFIG,
                                      "template: %s:%u: bad header name",
                                      tpl->origin, lineno);
            h.name = g_strndup(line, (gsize)(colon - line));
            h.value = g_strstrip(g_strdup(colon + 1));
            if (g_ascii_strcasecmp(h.name, "Subject") == 0)
                has_subject = true;
            g_array_append_val(tpl->headers, h);
        }
    }
    if (!in_body)
        return status_set(error, ST_CONFIG,
                          "template: %s:%u: no blank line between the "
                          "headers and the body",
                          tpl->origin, g_strv_length(lines));
    if (!has_subject)
        return status_set(error, ST_CONFIG,
                          "template: %s:1: no Subject header", tpl->origin);
    tpl->body = g_string_free(g_steal_pointer(&body), FALSE);
    return ST_OK;
}

Status
template_load(const char *dir, const char *name, Template **tpl_out,
              GError **error)
{
    g_autoptr(Template) tpl = g_new0(Template, 1);
    g_autofree char *file = g_strconcat(name, ".txt", NULL);
    g_autofree char *path = NULL;
    g_autofree char *contents = NULL;
    const char *text = NULL;
    Status st;

    tpl->headers = g_array_new(FALSE, TRUE, sizeof(TemplateHeader));
    g_array_set_clear_func(tpl->headers, (GDestroyNotify)header_clear);
    if (dir != NULL)
        path = g_build_filename(dir, file, NULL);
    if (path != NULL && g_file_test(path, G_FILE_TEST_EXISTS)) {
        g_autoptr(GError) local = NULL;

        if (!g_file_get_contents(path, &contents, NULL, &local))
            return status_set(error, ST_CONFIG, "template: %s",
                              local->message);
        if (!g_utf8_validate(contents, -1, NULL))
            return status_set(error, ST_CONFIG,
                              "template: %s:1: not UTF-8", path);
        tpl->origin = g_steal_pointer(&path);
        text = contents;
    } else {
        text = template_builtin(name);
        if (text == NULL)
            return status_set(error, ST_CONFIG,
                              "template: no template '%s' in '%s' and no "
                              "built-in copy",
                              file, dir != NULL ? dir : "(none)");
        tpl->origin = g_strdup_printf("(built-in) %s", file);
    }
    if ((st = parse_template(tpl, text, error)) != ST_OK)
        return st;
    *tpl_out = g_steal_pointer(&tpl);
    return ST_OK;
}

static void
fill(GString *out, const char *text, GHashTable *vars)
{
    const char *p = text;

    for (;;) {
        const char *open = strstr(p, "{{");
        const char *end, *bar;
        g_autofree char *name = NULL;
        const char *value = NULL;

        if (open == NULL || (end = strstr(open + 2, "}}")) == NULL) {
            g_string_append(out, p);
            return;
        }
        g_string_append_len(out, p, open - p);
        bar = memchr(open + 2, '|', (gsize)(end - open - 2));
        name = g_strndup(open + 2,
                         (gsize)((bar != NULL ? bar : end) - open - 2));
        g_strstrip(name);
        if (vars != NULL)
            value = g_hash_table_lookup(vars, name);
        if (value != NULL && *value != '\0')
            g_string_append(out, value);
        else if (bar != NULL)
            g_string_append_len(out, bar + 1, end - bar - 1);
        p = end + 2;
    }
}

/* CR, LF and other control characters become spaces, runs of spaces
 * one: a filled header value is one line, whatever the values held. */
static char *
fold_header(const char *value)
{
    g_autoptr(GString) out = g_string_new(NULL);

    for (const char *p = value; *p != '\0'; p++) {
        char c = (unsigned char)*p < 0x20 || *p == 0x7f ? ' ' : *p;

        if (c == ' ' && (out->len == 0 || out->str[out->len - 1] == ' '))
            continue;
        g_string_append_c(out, c);
    }
    while (out->len > 0 && out->str[out->len - 1] == ' ')
        g_string_truncate(out, out->len - 1);
    return g_string_free(g_steal_pointer(&out), FALSE);
}

void
template_render(const Template *tpl, GHashTable *vars,
                GPtrArray **headers_out, char **body_out)
{
    GPtrArray *headers = g_ptr_array_new_with_free_func(g_free);
    g_autoptr(GString) body = g_string_new(NULL);

    for (guint i = 0; i < tpl->headers->len; i++) {
        const TemplateHeader *h =
            &g_array_index(tpl->headers, TemplateHeader, i);
        g_autoptr(GString) value = g_string_new(NULL);

        fill(value, h->value, vars);
        g_ptr_array_add(headers, g_strdup(h->name));
        g_ptr_array_add(headers, fold_header(value->str));
    }
    fill(body, tpl->body, vars);
    *headers_out = headers;
    *body_out = g_string_free(g_steal_pointer(&body), FALSE);
}
