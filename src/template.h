/*
 * template.h - the text of the mail mailtriage sends (DESIGN 7).
 *
 * A template is templates/NAME.txt: a header block ("Name: value"
 * lines), a blank line, the body.  {{name}} is replaced by a variable,
 * {{name|default}} by the default when the variable is unset or empty.
 * A file missing from the configured directory falls back to the copy
 * compiled in from templates/ at build time, so the quick start works
 * with no directory at all.  This module loads, checks and fills
 * templates; it knows nothing of tickets or MIME (outbox.c builds the
 * mail).  Values placed in a header have CR and LF folded into spaces,
 * so no value can add a header.
 */
#ifndef MT_TEMPLATE_H
#define MT_TEMPLATE_H

#include <glib.h>

#include "status.h"

typedef struct Template Template;

/* Load NAME.txt from dir (may be NULL: built-in only), else the
 * built-in copy.  A syntax error (no blank line after the headers, a
 * header line without "Name:", an unclosed "{{", a bad or unknown
 * ticket.*, customer.*, sla.* or support.* variable, no Subject) is
 * ST_CONFIG naming file:line; a missing template with no built-in copy
 * is ST_CONFIG too.  The caller frees *tpl_out. */
Status template_load(const char *dir, const char *name, Template **tpl_out,
                     GError **error);
void template_free(Template *tpl);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(Template, template_free)

/* Where the template came from: a path, or "(built-in) NAME.txt";
 * lent until tpl is freed. */
const char *template_origin(const Template *tpl);

/* Fill the template with vars (char * -> char *, borrowed).  *headers_out
 * receives the header block as (name, value) pairs in a flat array
 * name0, value0, name1, ...; *body_out the body.  The caller frees
 * both. */
void template_render(const Template *tpl, GHashTable *vars,
                     GPtrArray **headers_out, char **body_out);

/* The built-in copy of NAME.txt, or NULL; generated into
 * template-builtin.c from templates/ at build time. */
const char *template_builtin(const char *name);

#endif
