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
 * the result.
 *
 * The text has no leading or trailing blank lines and no final
 * newline.  Whitespace collapses as in a browser except inside <pre>;
 * &nbsp; is a plain space.  List items start with "- ", table cells
 * are separated by a tab, a web link whose text is not its address is
 * followed by " <URL>", and a blockquote that cites a message
 * (type="cite", Gmail's class="gmail_quote") has its lines prefixed
 * with "> " so that quote_strip() sees the quote.  Never fails: garbage
 * comes out as text; html == NULL gives "". */
char *html_to_text(const char *html, gssize len);

#endif
