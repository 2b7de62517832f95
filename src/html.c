/*
 * html.c - HTML mail to readable plain text.
 *
 * This module owns one thing: turning the HTML body of a mail into the
 * text a person would read in a mail client, for the ticket and for
 * the rules.  It is a single forward scanner over the bytes, not a DOM
 * parser: every byte is looked at a bounded number of times, so a
 * 10 MB newsletter or a file of unterminated tags costs linear time,
 * and nothing it meets can make it fail.  It does not sanitise HTML
 * for display, fetch anything, interpret CSS (beyond what Outlook's
 * MsoNormal paragraphs imply) or strip quoted history (quote.c does).
 *
 * <head> needs no state of its own: what it holds (title, style,
 * script, Word's <xml>) is dropped as raw text elements wherever they
 * are, and text that strays into it is shown, as browsers show it,
 * rather than losing a broken mail's only content.
 *
 * Output is built in two steps: the scanner appends text and line
 * breaks to a buffer, then one pass trims trailing blanks on each line
 * and collapses runs of blank lines.
 */
#include "config.h"

#include "html.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* Longer hrefs are tracking redirects nobody wants to read. */
#define HTML_MAX_SHOWN_URL 256
/* Deeper nesting is garbage; stop indenting or quoting further. */
#define HTML_MAX_DEPTH 16

typedef struct {
    const char *name;
    gunichar cp;
} HtmlEntity;

/* The HTML 4 set (latin1, symbol, special), &apos; and the upper-case
 * spellings HTML 5 accepts; sorted by strcmp() for bsearch().  Entities
 * are case-sensitive (&Auml; is not &auml;). */
static const HtmlEntity entities[] = {
    { "AElig", 0x00C6 }, { "AMP", 0x0026 }, { "Aacute", 0x00C1 },
    { "Acirc", 0x00C2 }, { "Agrave", 0x00C0 }, { "Alpha", 0x0391 },
    { "Aring", 0x00C5 }, { "Atilde", 0x00C3 }, { "Auml", 0x00C4 },
    { "Beta", 0x0392 }, { "COPY", 0x00A9 }, { "Ccedil", 0x00C7 },
    { "Chi", 0x03A7 }, { "Dagger", 0x2021 }, { "Delta", 0x0394 },
    { "ETH", 0x00D0 }, { "Eacute", 0x00C9 }, { "Ecirc", 0x00CA },
    { "Egrave", 0x00C8 }, { "Epsilon", 0x0395 }, { "Eta", 0x0397 },
    { "Euml", 0x00CB }, { "GT", 0x003E }, { "Gamma", 0x0393 },
    { "Iacute", 0x00CD }, { "Icirc", 0x00CE }, { "Igrave", 0x00CC },
    { "Iota", 0x0399 }, { "Iuml", 0x00CF }, { "Kappa", 0x039A },
    { "LT", 0x003C }, { "Lambda", 0x039B }, { "Mu", 0x039C },
    { "Ntilde", 0x00D1 }, { "Nu", 0x039D }, { "OElig", 0x0152 },
    { "Oacute", 0x00D3 }, { "Ocirc", 0x00D4 }, { "Ograve", 0x00D2 },
    { "Omega", 0x03A9 }, { "Omicron", 0x039F }, { "Oslash", 0x00D8 },
    { "Otilde", 0x00D5 }, { "Ouml", 0x00D6 }, { "Phi", 0x03A6 },
    { "Pi", 0x03A0 }, { "Prime", 0x2033 }, { "Psi", 0x03A8 },
    { "QUOT", 0x0022 }, { "REG", 0x00AE }, { "Rho", 0x03A1 },
    { "Scaron", 0x0160 }, { "Sigma", 0x03A3 }, { "THORN", 0x00DE },
    { "Tau", 0x03A4 }, { "Theta", 0x0398 }, { "Uacute", 0x00DA },
    { "Ucirc", 0x00DB }, { "Ugrave", 0x00D9 }, { "Upsilon", 0x03A5 },
    { "Uuml", 0x00DC }, { "Xi", 0x039E }, { "Yacute", 0x00DD },
    { "Yuml", 0x0178 }, { "Zeta", 0x0396 }, { "aacute", 0x00E1 },
    { "acirc", 0x00E2 }, { "acute", 0x00B4 }, { "aelig", 0x00E6 },
    { "agrave", 0x00E0 }, { "alefsym", 0x2135 }, { "alpha", 0x03B1 },
    { "amp", 0x0026 }, { "and", 0x2227 }, { "ang", 0x2220 },
    { "apos", 0x0027 }, { "aring", 0x00E5 }, { "asymp", 0x2248 },
    { "atilde", 0x00E3 }, { "auml", 0x00E4 }, { "bdquo", 0x201E },
    { "beta", 0x03B2 }, { "brvbar", 0x00A6 }, { "bull", 0x2022 },
    { "cap", 0x2229 }, { "ccedil", 0x00E7 }, { "cedil", 0x00B8 },
    { "cent", 0x00A2 }, { "chi", 0x03C7 }, { "circ", 0x02C6 },
    { "clubs", 0x2663 }, { "cong", 0x2245 }, { "copy", 0x00A9 },
    { "crarr", 0x21B5 }, { "cup", 0x222A }, { "curren", 0x00A4 },
    { "dArr", 0x21D3 }, { "dagger", 0x2020 }, { "darr", 0x2193 },
    { "deg", 0x00B0 }, { "delta", 0x03B4 }, { "diams", 0x2666 },
    { "divide", 0x00F7 }, { "eacute", 0x00E9 }, { "ecirc", 0x00EA },
    { "egrave", 0x00E8 }, { "empty", 0x2205 }, { "emsp", 0x2003 },
    { "ensp", 0x2002 }, { "epsilon", 0x03B5 }, { "equiv", 0x2261 },
    { "eta", 0x03B7 }, { "eth", 0x00F0 }, { "euml", 0x00EB },
    { "euro", 0x20AC }, { "exist", 0x2203 }, { "fnof", 0x0192 },
    { "forall", 0x2200 }, { "frac12", 0x00BD }, { "frac14", 0x00BC },
    { "frac34", 0x00BE }, { "frasl", 0x2044 }, { "gamma", 0x03B3 },
    { "ge", 0x2265 }, { "gt", 0x003E }, { "hArr", 0x21D4 },
    { "harr", 0x2194 }, { "hearts", 0x2665 }, { "hellip", 0x2026 },
    { "iacute", 0x00ED }, { "icirc", 0x00EE }, { "iexcl", 0x00A1 },
    { "igrave", 0x00EC }, { "image", 0x2111 }, { "infin", 0x221E },
    { "int", 0x222B }, { "iota", 0x03B9 }, { "iquest", 0x00BF },
    { "isin", 0x2208 }, { "iuml", 0x00EF }, { "kappa", 0x03BA },
    { "lArr", 0x21D0 }, { "lambda", 0x03BB }, { "lang", 0x2329 },
    { "laquo", 0x00AB }, { "larr", 0x2190 }, { "lceil", 0x2308 },
    { "ldquo", 0x201C }, { "le", 0x2264 }, { "lfloor", 0x230A },
    { "lowast", 0x2217 }, { "loz", 0x25CA }, { "lrm", 0x200E },
    { "lsaquo", 0x2039 }, { "lsquo", 0x2018 }, { "lt", 0x003C },
    { "macr", 0x00AF }, { "mdash", 0x2014 }, { "micro", 0x00B5 },
    { "middot", 0x00B7 }, { "minus", 0x2212 }, { "mu", 0x03BC },
    { "nabla", 0x2207 }, { "nbsp", 0x00A0 }, { "ndash", 0x2013 },
    { "ne", 0x2260 }, { "ni", 0x220B }, { "not", 0x00AC },
    { "notin", 0x2209 }, { "nsub", 0x2284 }, { "ntilde", 0x00F1 },
    { "nu", 0x03BD }, { "oacute", 0x00F3 }, { "ocirc", 0x00F4 },
    { "oelig", 0x0153 }, { "ograve", 0x00F2 }, { "oline", 0x203E },
    { "omega", 0x03C9 }, { "omicron", 0x03BF }, { "oplus", 0x2295 },
    { "or", 0x2228 }, { "ordf", 0x00AA }, { "ordm", 0x00BA },
    { "oslash", 0x00F8 }, { "otilde", 0x00F5 }, { "otimes", 0x2297 },
    { "ouml", 0x00F6 }, { "para", 0x00B6 }, { "part", 0x2202 },
    { "permil", 0x2030 }, { "perp", 0x22A5 }, { "phi", 0x03C6 },
    { "pi", 0x03C0 }, { "piv", 0x03D6 }, { "plusmn", 0x00B1 },
    { "pound", 0x00A3 }, { "prime", 0x2032 }, { "prod", 0x220F },
    { "prop", 0x221D }, { "psi", 0x03C8 }, { "quot", 0x0022 },
    { "rArr", 0x21D2 }, { "radic", 0x221A }, { "rang", 0x232A },
    { "raquo", 0x00BB }, { "rarr", 0x2192 }, { "rceil", 0x2309 },
    { "rdquo", 0x201D }, { "real", 0x211C }, { "reg", 0x00AE },
    { "rfloor", 0x230B }, { "rho", 0x03C1 }, { "rlm", 0x200F },
    { "rsaquo", 0x203A }, { "rsquo", 0x2019 }, { "sbquo", 0x201A },
    { "scaron", 0x0161 }, { "sdot", 0x22C5 }, { "sect", 0x00A7 },
    { "shy", 0x00AD }, { "sigma", 0x03C3 }, { "sigmaf", 0x03C2 },
    { "sim", 0x223C }, { "spades", 0x2660 }, { "sub", 0x2282 },
    { "sube", 0x2286 }, { "sum", 0x2211 }, { "sup", 0x2283 },
    { "sup1", 0x00B9 }, { "sup2", 0x00B2 }, { "sup3", 0x00B3 },
    { "supe", 0x2287 }, { "szlig", 0x00DF }, { "tau", 0x03C4 },
    { "there4", 0x2234 }, { "theta", 0x03B8 }, { "thetasym", 0x03D1 },
    { "thinsp", 0x2009 }, { "thorn", 0x00FE }, { "tilde", 0x02DC },
    { "times", 0x00D7 }, { "trade", 0x2122 }, { "uArr", 0x21D1 },
    { "uacute", 0x00FA }, { "uarr", 0x2191 }, { "ucirc", 0x00FB },
    { "ugrave", 0x00F9 }, { "uml", 0x00A8 }, { "upsih", 0x03D2 },
    { "upsilon", 0x03C5 }, { "uuml", 0x00FC }, { "weierp", 0x2118 },
    { "xi", 0x03BE }, { "yacute", 0x00FD }, { "yen", 0x00A5 },
    { "yuml", 0x00FF }, { "zeta", 0x03B6 }, { "zwj", 0x200D },
    { "zwnj", 0x200C },
};

/* What &#128; .. &#159; mean in practice: the Windows-1252 characters
 * that old Outlook wrote as numeric references (HTML 5 maps them the
 * same way).  0 marks the five holes, which become U+FFFD. */
static const gunichar cp1252_c1[32] = {
    0x20AC, 0, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
    0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0, 0x017D, 0,
    0, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
    0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0, 0x017E, 0x0178,
};

typedef enum {
    TAG_INLINE = 0,   /* span, b, font, o:p, img ...: no effect */
    TAG_SKIP,         /* raw text element whose content is dropped */
    TAG_LINE,         /* block: starts and ends a line */
    TAG_PARA,         /* block with margins: a blank line around it */
    TAG_P,            /* TAG_PARA, except Outlook's MsoNormal */
    TAG_BR,
    TAG_LI,
    TAG_LIST,         /* ul, ol */
    TAG_CELL,         /* td, th */
    TAG_A,
    TAG_PRE,
    TAG_BLOCKQUOTE,
} TagKind;

typedef struct {
    const char *name;
    TagKind kind;
} HtmlTag;

/* Sorted by strcmp() for bsearch(). */
static const HtmlTag tags[] = {
    { "a", TAG_A },            { "address", TAG_LINE },
    { "article", TAG_LINE },   { "aside", TAG_LINE },
    { "blockquote", TAG_BLOCKQUOTE },
    { "body", TAG_LINE },      { "br", TAG_BR },
    { "caption", TAG_LINE },   { "center", TAG_LINE },
    { "dd", TAG_LINE },        { "details", TAG_LINE },
    { "div", TAG_LINE },       { "dl", TAG_PARA },
    { "dt", TAG_LINE },        { "fieldset", TAG_LINE },
    { "figcaption", TAG_LINE }, { "figure", TAG_LINE },
    { "footer", TAG_LINE },    { "form", TAG_LINE },
    { "h1", TAG_PARA },        { "h2", TAG_PARA },
    { "h3", TAG_PARA },        { "h4", TAG_PARA },
    { "h5", TAG_PARA },        { "h6", TAG_PARA },
    { "header", TAG_LINE },    { "hr", TAG_PARA },
    { "html", TAG_LINE },      { "legend", TAG_LINE },
    { "li", TAG_LI },          { "listing", TAG_PRE },
    { "main", TAG_LINE },      { "nav", TAG_LINE },
    { "ol", TAG_LIST },        { "p", TAG_P },
    { "pre", TAG_PRE },        { "script", TAG_SKIP },
    { "section", TAG_LINE },   { "style", TAG_SKIP },
    { "summary", TAG_LINE },   { "table", TAG_LINE },
    { "td", TAG_CELL },        { "template", TAG_SKIP },
    { "th", TAG_CELL },        { "title", TAG_SKIP },
    { "tr", TAG_LINE },        { "ul", TAG_LIST },
    { "xml", TAG_SKIP },       { "xmp", TAG_PRE },
};

/* Attributes of one tag that the converter cares about; each points
 * into the input and is not decoded. */
typedef struct {
    const char *href;
    gsize href_len;
    const char *class_;
    gsize class_len;
    const char *type;
    gsize type_len;
} TagAttrs;

/* Scanner state.  Invariant: out only grows, so offsets into it (like
 * link_start) stay valid. */
typedef struct {
    GString *out;
    bool pending_space;   /* collapsed whitespace owed before more text */
    bool pending_cell;    /* a table cell separator owed */
    bool pending_item;    /* a list marker owed to the next text */
    bool skip_newline;    /* first newline right after <pre> */
    bool in_mso_p;        /* the open <p> is Outlook's (p cannot nest) */
    int pre_depth;
    int list_depth;
    int bq_depth;         /* all open blockquotes */
    int quote_level;      /* open blockquotes that quote a message */
    guint32 bq_cite;      /* bit n: blockquote n quotes a message */
    char *href;           /* of the open <a>, decoded; NULL if none */
    gsize link_start;     /* out->len when that <a> opened */
    bool no_more_gt;      /* no '>' after the scan position */
    bool simple_tags;     /* quotes proved unbalanced: ignore them */
} Html;

static int
entity_cmp(const void *key, const void *elem)
{
    return strcmp(key, ((const HtmlEntity *)elem)->name);
}

static int
tag_cmp(const void *key, const void *elem)
{
    return strcmp(key, ((const HtmlTag *)elem)->name);
}

static bool
is_html_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}

static bool
is_name_char(char c)
{
    return g_ascii_isalnum(c) || c == ':' || c == '-' || c == '_';
}

/* Parse a character reference at p ('&').  Returns the bytes it spans
 * and the code point, or 0 when p starts no reference, in which case
 * the '&' is text (as in "AT&T" or "?a=1&b=2"). */
static gsize
parse_entity(const char *p, const char *end, gunichar *cp_out)
{
    const char *q = p + 1;

    if (q < end && *q == '#') {
        bool hex = false;
        guint64 v = 0;
        const char *digits;

        q++;
        if (q < end && (*q == 'x' || *q == 'X')) {
            hex = true;
            q++;
        }
        digits = q;
        while (q < end &&
               (hex ? g_ascii_isxdigit(*q) : g_ascii_isdigit(*q))) {
            int d = hex ? g_ascii_xdigit_value(*q) : g_ascii_digit_value(*q);

            /* Keep consuming digits but stop growing: huge numbers
             * are just invalid. */
            if (v <= 0x10FFFF)
                v = v * (hex ? 16 : 10) + (guint64)d;
            q++;
        }
        if (q == digits)
            return 0;
        if (q < end && *q == ';')
            q++;
        if (v >= 0x80 && v <= 0x9F)
            v = cp1252_c1[v - 0x80];
        if (v == 0 || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
            v = 0xFFFD;
        *cp_out = (gunichar)v;
        return (gsize)(q - p);
    } else {
        char name[33];
        gsize n = 0;
        const HtmlEntity *e;

        while (q < end && g_ascii_isalnum(*q) && n < sizeof name - 1)
            name[n++] = *q++;
        if (n == 0 || (q < end && g_ascii_isalnum(*q)))
            return 0;
        name[n] = '\0';
        e = bsearch(name, entities, G_N_ELEMENTS(entities), sizeof entities[0],
                    entity_cmp);
        if (e == NULL)
            return 0;
        if (q < end && *q == ';') {
            q++;
        } else if (e->cp >= 256 || (q < end && *q == '=')) {
            /* Without ';' only the legacy Latin-1 names count, and
             * not before '=' (a query string like "&copy=1"). */
            return 0;
        }
        *cp_out = e->cp;
        return (gsize)(q - p);
    }
}

static bool
at_line_start(const Html *h)
{
    return h->out->len == 0 || h->out->str[h->out->len - 1] == '\n';
}

/* Append visible text, first settling what is owed before it: the
 * quote prefix and list marker at a line start, else a cell separator
 * or one collapsed space. */
static void
put_text(Html *h, const char *s, gsize n)
{
    if (n == 0)
        return;
    if (at_line_start(h)) {
        for (int i = 0; i < MIN(h->quote_level, HTML_MAX_DEPTH); i++)
            g_string_append(h->out, "> ");
        if (h->pending_item) {
            for (int i = 1; i < MIN(h->list_depth, HTML_MAX_DEPTH); i++)
                g_string_append(h->out, "  ");
            g_string_append(h->out, "- ");
        }
    } else if (h->pending_cell) {
        g_string_append_c(h->out, '\t');
    } else if (h->pending_space && h->out->str[h->out->len - 1] != ' ') {
        g_string_append_c(h->out, ' ');
    }
    h->pending_space = false;
    h->pending_cell = false;
    h->pending_item = false;
    h->skip_newline = false;
    g_string_append_len(h->out, s, (gssize)n);
}

/* A soft break: make the output end in at least n newlines.  Breaks
 * from nested blocks merge instead of adding up. */
static void
break_line(Html *h, int n)
{
    int have = 0;

    h->pending_space = false;
    h->pending_cell = false;
    if (h->out->len == 0)
        return;
    while (have < n && (gsize)have < h->out->len &&
           h->out->str[h->out->len - 1 - (gsize)have] == '\n')
        have++;
    for (; have < n; have++)
        g_string_append_c(h->out, '\n');
}

/* A hard break (<br>, a newline in <pre>): always one more line. */
static void
hard_break(Html *h)
{
    h->pending_space = false;
    h->pending_cell = false;
    g_string_append_c(h->out, '\n');
}

static void
put_whitespace(Html *h, char c)
{
    if (h->pre_depth == 0) {
        if (!at_line_start(h))
            h->pending_space = true;
        return;
    }
    if (c == '\r')
        return;
    if (c == '\n') {
        if (h->skip_newline)
            h->skip_newline = false;
        else
            hard_break(h);
        return;
    }
    put_text(h, c == '\t' ? "\t" : " ", 1);
}

static void
put_codepoint(Html *h, gunichar cp)
{
    char buf[6];

    if (cp == ' ' || cp == '\t' || cp == '\n' || cp == '\r' || cp == '\f') {
        put_whitespace(h, (char)cp);
    } else if (cp == 0xA0) {
        /* A non-breaking space is a plain space in text. */
        put_text(h, " ", 1);
    } else if (cp == 0xAD || cp < 0x20 || cp == 0x7F) {
        /* Soft hyphens are invisible and would break searches;
         * control characters have no business in the text. */
    } else {
        put_text(h, buf, (gsize)g_unichar_to_utf8(cp, buf));
    }
}

/* Attribute values with their character references decoded. */
static char *
decode_attr(const char *s, gsize n)
{
    GString *buf = g_string_sized_new(n);
    const char *end = s + n;

    while (s < end) {
        gunichar cp;
        gsize len = *s == '&' ? parse_entity(s, end, &cp) : 0;

        if (len > 0) {
            g_string_append_unichar(buf, cp);
            s += len;
        } else {
            g_string_append_c(buf, *s++);
        }
    }
    return g_string_free(buf, FALSE);
}

static bool
has_prefix_ci(const char *s, gsize n, const char *prefix)
{
    gsize plen = strlen(prefix);

    return n >= plen && g_ascii_strncasecmp(s, prefix, plen) == 0;
}

static bool
contains_ci(const char *s, gsize n, const char *needle)
{
    gsize nlen = strlen(needle);

    for (gsize i = 0; i + nlen <= n; i++)
        if (g_ascii_strncasecmp(s + i, needle, nlen) == 0)
            return true;
    return false;
}

/* Drop "http://", "https://", "mailto:" and a trailing '/' so that a
 * link whose text is its own address is recognised as such. */
static void
strip_url(const char **s, gsize *n)
{
    static const char *const schemes[] = { "https://", "http://", "mailto:" };

    for (gsize i = 0; i < G_N_ELEMENTS(schemes); i++) {
        if (has_prefix_ci(*s, *n, schemes[i])) {
            *s += strlen(schemes[i]);
            *n -= strlen(schemes[i]);
            break;
        }
    }
    while (*n > 0 && (*s)[*n - 1] == '/')
        (*n)--;
}

/* At </a>: show the target after the text when a reader would need it
 * (a web link whose text does not already say where it goes). */
static void
finish_link(Html *h)
{
    const char *text;
    gsize text_len;
    const char *url;
    gsize url_len;

    if (h->href == NULL)
        return;
    text = h->out->str + h->link_start;
    text_len = h->out->len - h->link_start;
    while (text_len > 0 && g_ascii_isspace(*text)) {
        text++;
        text_len--;
    }
    while (text_len > 0 && g_ascii_isspace(text[text_len - 1]))
        text_len--;
    url = h->href;
    url_len = strlen(url);
    if (text_len > 0 && url_len <= HTML_MAX_SHOWN_URL &&
        (has_prefix_ci(url, url_len, "http://") ||
         has_prefix_ci(url, url_len, "https://"))) {
        strip_url(&text, &text_len);
        strip_url(&url, &url_len);
        if (text_len != url_len ||
            g_ascii_strncasecmp(text, url, url_len) != 0) {
            g_autofree char *shown = g_strdup_printf("<%s>", h->href);

            h->pending_space = true;
            put_text(h, shown, strlen(shown));
        }
    }
    g_clear_pointer(&h->href, g_free);
}

/* Skip the content of a raw text element (style, script ...) up to and
 * including its end tag; the end of input if there is none. */
static const char *
skip_raw(const char *p, const char *end, const char *name)
{
    gsize n = strlen(name);

    while (p < end) {
        const char *lt = memchr(p, '<', (gsize)(end - p));

        if (lt == NULL)
            return end;
        if ((gsize)(end - lt) > n + 2 && lt[1] == '/' &&
            g_ascii_strncasecmp(lt + 2, name, n) == 0 &&
            !is_name_char(lt[2 + n])) {
            const char *gt = memchr(lt, '>', (gsize)(end - lt));

            return gt != NULL ? gt + 1 : end;
        }
        p = lt + 1;
    }
    return end;
}

/* Scan the attributes from p (just after the tag name) to the closing
 * '>'.  Returns the position after it, or NULL when the tag does not
 * end.  A quote that never closes switches the scanner to ignoring
 * quotes for good, which keeps the whole conversion linear: after it
 * failed there is no such quote character left to find. */
static const char *
scan_tag(Html *h, const char *p, const char *end, TagAttrs *attrs)
{
    const char *start = p;

    if (h->simple_tags)
        goto simple;
    while (p < end) {
        const char *name;
        gsize name_len;
        const char *value = NULL;
        gsize value_len = 0;

        while (p < end && (is_html_space(*p) || *p == '/'))
            p++;
        if (p >= end)
            break;
        if (*p == '>')
            return p + 1;
        name = p;
        while (p < end && !is_html_space(*p) && *p != '=' && *p != '>' &&
               *p != '/')
            p++;
        name_len = (gsize)(p - name);
        while (p < end && is_html_space(*p))
            p++;
        if (p < end && *p == '=') {
            p++;
            while (p < end && is_html_space(*p))
                p++;
            if (p < end && (*p == '"' || *p == '\'')) {
                const char *close = memchr(p + 1, *p, (gsize)(end - p - 1));

                if (close == NULL) {
                    h->simple_tags = true;
                    goto simple;
                }
                value = p + 1;
                value_len = (gsize)(close - value);
                p = close + 1;
            } else {
                value = p;
                while (p < end && !is_html_space(*p) && *p != '>')
                    p++;
                value_len = (gsize)(p - value);
            }
        }
        if (value == NULL)
            continue;
        if (name_len == 4 && g_ascii_strncasecmp(name, "href", 4) == 0) {
            attrs->href = value;
            attrs->href_len = value_len;
        } else if (name_len == 5 &&
                   g_ascii_strncasecmp(name, "class", 5) == 0) {
            attrs->class_ = value;
            attrs->class_len = value_len;
        } else if (name_len == 4 &&
                   g_ascii_strncasecmp(name, "type", 4) == 0) {
            attrs->type = value;
            attrs->type_len = value_len;
        }
    }
    /* Every '>' left sits inside quotes: treat quotes as garbage. */
    h->simple_tags = true;

simple:
    memset(attrs, 0, sizeof *attrs);
    p = memchr(start, '>', (gsize)(end - start));
    return p != NULL ? p + 1 : NULL;
}

static void
open_tag(Html *h, TagKind kind, const TagAttrs *attrs)
{
    switch (kind) {
    case TAG_INLINE:
    case TAG_SKIP:
        break;
    case TAG_LINE:
        break_line(h, 1);
        break;
    case TAG_P:
        /* Outlook styles its paragraphs with no margin and writes
         * blank lines as empty paragraphs. */
        h->in_mso_p = attrs->class_ != NULL &&
                      has_prefix_ci(attrs->class_, attrs->class_len, "mso");
        break_line(h, h->in_mso_p ? 1 : 2);
        break;
    case TAG_PARA:
        break_line(h, 2);
        break;
    case TAG_BR:
        hard_break(h);
        break;
    case TAG_LI:
        break_line(h, 1);
        h->pending_item = true;
        break;
    case TAG_LIST:
        break_line(h, h->list_depth == 0 ? 2 : 1);
        h->list_depth++;
        break;
    case TAG_CELL:
        if (!at_line_start(h))
            h->pending_cell = true;
        break;
    case TAG_A:
        finish_link(h);
        if (attrs->href != NULL) {
            h->href = decode_attr(attrs->href, attrs->href_len);
            h->link_start = h->out->len;
        }
        break;
    case TAG_PRE:
        break_line(h, 2);
        h->pre_depth++;
        h->skip_newline = true;
        break;
    case TAG_BLOCKQUOTE: {
        /* Only a blockquote that quotes a message gets "> "; Outlook
         * and editors also use it merely to indent. */
        bool cite = (attrs->type != NULL &&
                     attrs->type_len == 4 &&
                     g_ascii_strncasecmp(attrs->type, "cite", 4) == 0) ||
                    (attrs->class_ != NULL &&
                     contains_ci(attrs->class_, attrs->class_len, "quote"));

        break_line(h, 2);
        if (h->bq_depth < 32 && cite) {
            h->bq_cite |= 1u << h->bq_depth;
            h->quote_level++;
        }
        h->bq_depth++;
        break;
    }
    }
}

static void
close_tag(Html *h, TagKind kind)
{
    switch (kind) {
    case TAG_INLINE:
    case TAG_SKIP:
    case TAG_BR:
    case TAG_CELL:
        break;
    case TAG_LINE:
    case TAG_LI:
        break_line(h, 1);
        break;
    case TAG_P:
        break_line(h, h->in_mso_p ? 1 : 2);
        h->in_mso_p = false;
        break;
    case TAG_PARA:
        break_line(h, 2);
        break;
    case TAG_LIST:
        if (h->list_depth > 0)
            h->list_depth--;
        h->pending_item = false;
        break_line(h, h->list_depth == 0 ? 2 : 1);
        break;
    case TAG_A:
        finish_link(h);
        break;
    case TAG_PRE:
        if (h->pre_depth > 0)
            h->pre_depth--;
        h->skip_newline = false;
        break_line(h, 2);
        break;
    case TAG_BLOCKQUOTE:
        if (h->bq_depth > 0) {
            h->bq_depth--;
            if (h->bq_depth < 32 &&
                (h->bq_cite & (1u << h->bq_depth)) != 0) {
                h->bq_cite &= ~(1u << h->bq_depth);
                h->quote_level--;
            }
        }
        break_line(h, 2);
        break;
    }
}

/* Markup at p ('<').  Returns where scanning continues, or NULL when
 * the '<' is just text ("a < b", "<3"). */
static const char *
handle_markup(Html *h, const char *p, const char *end)
{
    const char *q = p + 1;
    bool closing = false;
    char name[16];
    gsize n = 0;
    TagAttrs attrs = { 0 };
    const HtmlTag *tag;
    TagKind kind;

    if (q < end && *q == '!') {
        if ((gsize)(end - p) >= 4 && memcmp(p, "<!--", 4) == 0) {
            const char *close;

            /* "<!-->" and "<!--->" are complete (empty) comments. */
            if (p + 4 < end && p[4] == '>')
                return p + 5;
            if (p + 5 < end && p[4] == '-' && p[5] == '>')
                return p + 6;
            close = g_strstr_len(p + 4, end - (p + 4), "-->");
            return close != NULL ? close + 3 : end;
        }
        /* <!DOCTYPE>, Word's <![if !supportLists]>, <![endif]> ... */
        q = memchr(q, '>', (gsize)(end - q));
        return q != NULL ? q + 1 : end;
    }
    if (q < end && *q == '?') {
        q = memchr(q, '>', (gsize)(end - q));
        return q != NULL ? q + 1 : end;
    }
    if (q < end && *q == '/') {
        closing = true;
        q++;
    }
    if (q >= end || !g_ascii_isalpha(*q) || h->no_more_gt)
        return NULL;
    while (q < end && is_name_char(*q)) {
        if (n < sizeof name - 1)
            name[n++] = g_ascii_tolower(*q);
        q++;
    }
    name[n] = '\0';
    q = scan_tag(h, q, end, &attrs);
    if (q == NULL) {
        /* No '>' anywhere after here: every later '<' is text too. */
        h->no_more_gt = true;
        return NULL;
    }
    tag = bsearch(name, tags, G_N_ELEMENTS(tags), sizeof tags[0], tag_cmp);
    kind = tag != NULL ? tag->kind : TAG_INLINE;
    if (closing) {
        close_tag(h, kind);
        return q;
    }
    if (kind == TAG_SKIP)
        return skip_raw(q, end, name);
    open_tag(h, kind, &attrs);
    return q;
}

/* Trim trailing blanks on every line, drop leading and trailing blank
 * lines and keep at most one blank line in a row.  A line holding only
 * quote marks counts as blank. */
static char *
normalize(const GString *raw)
{
    GString *res = g_string_sized_new(raw->len);
    const char *p = raw->str;
    const char *end = raw->str + raw->len;
    bool blank_pending = false;

    while (p < end) {
        const char *nl = memchr(p, '\n', (gsize)(end - p));
        const char *eol = nl != NULL ? nl : end;
        const char *e = eol;
        const char *s = p;

        while (e > p && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
            e--;
        while (s < e && (*s == '>' || *s == ' '))
            s++;
        if (s == e) {
            if (res->len > 0)
                blank_pending = true;
        } else {
            if (res->len > 0)
                g_string_append(res, blank_pending ? "\n\n" : "\n");
            blank_pending = false;
            g_string_append_len(res, p, e - p);
        }
        p = nl != NULL ? nl + 1 : end;
    }
    if (!g_utf8_validate_len(res->str, res->len, NULL)) {
        char *valid = g_utf8_make_valid(res->str, (gssize)res->len);

        g_string_free(res, TRUE);
        return valid;
    }
    return g_string_free(res, FALSE);
}

char *
html_to_text(const char *html, gssize len)
{
    Html h = { 0 };
    const char *p;
    const char *end;
    char *text;

    if (html == NULL)
        return g_strdup("");
    if (len < 0)
        len = (gssize)strlen(html);
    p = html;
    end = html + len;
    h.out = g_string_sized_new((gsize)len / 2 + 16);

    while (p < end) {
        char c = *p;

        if (c == '<') {
            const char *next = handle_markup(&h, p, end);

            if (next != NULL) {
                p = next;
                continue;
            }
            put_text(&h, "<", 1);
            p++;
        } else if (c == '&') {
            gunichar cp;
            gsize n = parse_entity(p, end, &cp);

            if (n > 0) {
                put_codepoint(&h, cp);
                p += n;
            } else {
                put_text(&h, "&", 1);
                p++;
            }
        } else if (is_html_space(c)) {
            put_whitespace(&h, c);
            p++;
        } else if (c == '\xc2' && p + 1 < end && p[1] == '\xa0') {
            put_text(&h, " ", 1);
            p += 2;
        } else {
            const char *run = p;

            while (p < end && *p != '<' && *p != '&' && !is_html_space(*p) &&
                   *p != '\xc2')
                p++;
            if (p == run)
                p++;   /* a lone 0xC2 lead byte */
            put_text(&h, run, (gsize)(p - run));
        }
    }
    finish_link(&h);
    text = normalize(h.out);
    g_string_free(h.out, TRUE);
    return text;
}
