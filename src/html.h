/*
 * html.h - HTML mail to readable plain text.
 *
 * Block elements and <br> become line breaks, list items and table
 * rows keep their lines, entities are decoded, <head>, <style>,
 * <script> and comments are dropped.  Tolerates any garbage.  No I/O.
 */
#ifndef MT_HTML_H
#define MT_HTML_H

#include <glib.h>

/* UTF-8 HTML (len < 0: NUL-terminated) to UTF-8 text, with runs of
 * blank lines collapsed and trailing spaces trimmed.  The caller frees
 * the result. */
char *html_to_text(const char *html, gssize len);

#endif
