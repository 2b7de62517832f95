/*
 * rfc2047.c - header values as real mailers write them, to UTF-8.
 *
 * Owns the reading of RFC 2047 encoded-words and of raw 8-bit header
 * bytes.  A value is unfolded, cut into tokens (text and encoded-words)
 * and put back together:
 *
 *   raw --unfold()--> one line --tokenize()--> Token array
 *   Token array --render_unstructured()--> decoded UTF-8 (Subject)
 *   Token array --render_structured()--> repaired header (From, To)
 *
 * The repairs, each seen in real mail (cases C18, C21, C22, C24):
 * a run of adjacent words in one charset is decoded word by word (so
 * "=" padding mid-run costs nothing, unlike GMime 3.2.13) and the BYTES
 * are joined before charset conversion (a character or an ISO-2022-JP
 * escape split between words); the whitespace between adjacent words
 * goes; words glued to text and empty words are accepted; broken
 * base64 is read leniently and a word without its "?=" stays text.
 *
 * Structured values are not decoded here, only made safe for a
 * standard address parser: each run of words becomes one UTF-8 base64
 * word, raw bytes become UTF-8, and the syntax is left alone.  Only
 * words in a phrase, quoted string or comment count: text inside <...>
 * or glued to "@" is an addr-spec, where RFC 2047 5 allows none.  Charset
 * policy is charset.c's; this module does no I/O and uses no GMime.
 */
#include "config.h"

#include "rfc2047.h"

#include <stdbool.h>
#include <string.h>

#include "charset.h"

/* RFC 2047 caps a word at 75 characters; charset names are short. */
#define MAX_CHARSET_LEN 64

typedef enum {
    TOK_TEXT,
    TOK_WORD,
} TokenKind;

/* Where a token sits in a structured value. */
typedef enum {
    CTX_PLAIN,
    CTX_QUOTED,  /* inside "..." */
    CTX_COMMENT, /* inside (...) */
} TokenCtx;

typedef struct {
    TokenKind kind;
    TokenCtx ctx;
    /* TOK_TEXT: a span of the unfolded value; TOK_WORD: of the arena
     * holding the decoded bytes. */
    gsize start;
    gsize len;
    bool is_space; /* TOK_TEXT made of blanks only */
    char charset[MAX_CHARSET_LEN + 1]; /* TOK_WORD, without *lang */
} Token;

typedef struct {
    const char *s; /* the unfolded value */
    gsize n;
    GArray *tokens;  /* Token */
    GString *arena;  /* decoded bytes of every word */
} Tokens;

static void
tokens_clear(Tokens *t)
{
    g_clear_pointer(&t->tokens, g_array_unref);
    if (t->arena != NULL)
        g_string_free(t->arena, TRUE);
    t->arena = NULL;
}

static bool
is_blank(char c)
{
    return c == ' ' || c == '\t';
}

/* RFC 5322 2.2.3: a line break followed by blanks is folding.  Each
 * break and the blanks after it become one space; a bare CR or LF
 * (broken mail) too. */
static char *
unfold(const char *raw, gsize *len_out)
{
    gsize n = strlen(raw);
    char *out = g_malloc(n + 1);
    gsize w = 0;

    for (gsize i = 0; i < n;) {
        if (raw[i] == '\r' || raw[i] == '\n') {
            while (i < n && (raw[i] == '\r' || raw[i] == '\n'))
                i++;
            while (i < n && is_blank(raw[i]))
                i++;
            out[w++] = ' ';
        } else {
            out[w++] = raw[i++];
        }
    }
    out[w] = '\0';
    *len_out = w;
    return out;
}

static int
b64_value(guchar c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '+')
        return 62;
    if (c == '/')
        return 63;
    return -1;
}

/* Lenient base64: characters outside the alphabet are skipped, missing
 * padding is fine, and "=" ends a quantum so words padded in the middle
 * (two words pasted together) still decode. */
static void
decode_b(GString *out, const char *s, gsize n)
{
    guint32 acc = 0;
    int bits = 0;

    for (gsize i = 0; i < n; i++) {
        int v;

        if (s[i] == '=') {
            acc = 0;
            bits = 0;
            continue;
        }
        v = b64_value((guchar)s[i]);
        if (v < 0)
            continue;
        acc = (acc << 6) | (guint32)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            g_string_append_c(out, (char)((acc >> bits) & 0xFF));
            acc &= (1u << bits) - 1;
        }
    }
}

/* RFC 2047 4.2: "_" is a space, "=XX" a byte; a stray "=" is kept. */
static void
decode_q(GString *out, const char *s, gsize n)
{
    for (gsize i = 0; i < n; i++) {
        if (s[i] == '_') {
            g_string_append_c(out, ' ');
        } else if (s[i] == '=' && i + 2 < n && g_ascii_isxdigit(s[i + 1])
                   && g_ascii_isxdigit(s[i + 2])) {
            g_string_append_c(out,
                              (char)(g_ascii_xdigit_value(s[i + 1]) * 16
                                     + g_ascii_xdigit_value(s[i + 2])));
            i += 2;
        } else {
            g_string_append_c(out, s[i]);
        }
    }
}

/* Try to read an encoded-word at s[i] ("=?"): charset[*lang]?B|Q?text?=
 * (RFC 2047 2, RFC 2231 5).  Words may be glued to anything and the
 * text may hold blanks, as mailers write it; a "=?" that could start
 * the next word ends the attempt, so an unterminated word cannot
 * swallow the rest of the value.  In structured values the text also
 * stops at '"', '<' and '>', which no sane word contains.  On success
 * fills the token's charset and decodes into arena. */
static bool
parse_word(const char *s, gsize n, gsize i, bool is_structured,
           GString *arena, Token *tok, gsize *end_out)
{
    gsize cs = i + 2;
    gsize j = cs;
    gsize cs_len;
    gsize text_start;
    char enc;

    while (j < n && s[j] != '?' && (guchar)s[j] > ' ' && s[j] != 0x7F
           && j - cs <= MAX_CHARSET_LEN)
        j++;
    if (j >= n || s[j] != '?' || j == cs || j - cs > MAX_CHARSET_LEN)
        return false;
    if (j + 2 >= n || s[j + 2] != '?')
        return false;
    enc = g_ascii_toupper(s[j + 1]);
    if (enc != 'B' && enc != 'Q')
        return false;
    cs_len = j - cs;
    for (gsize k = cs; k < j; k++) {
        if (s[k] == '*') {
            cs_len = k - cs;
            break;
        }
    }
    if (cs_len == 0)
        return false;

    text_start = j + 3;
    for (gsize k = text_start; k + 1 < n; k++) {
        if (s[k] == '?' && s[k + 1] == '=') {
            memcpy(tok->charset, s + cs, cs_len);
            tok->charset[cs_len] = '\0';
            tok->kind = TOK_WORD;
            tok->start = arena->len;
            if (enc == 'B')
                decode_b(arena, s + text_start, k - text_start);
            else
                decode_q(arena, s + text_start, k - text_start);
            tok->len = arena->len - tok->start;
            *end_out = k + 2;
            return true;
        }
        if (s[k] == '=' && s[k + 1] == '?' && k + 2 < n
            && g_ascii_isalnum(s[k + 2]))
            return false;
        /* RFC 2047 2: no "?" in encoded-text, else
         * "=?utf-8?Q?a?Q?b?=" would hide a second word's syntax;
         * a raw "?" just before the end ("...??=") is let through. */
        if (s[k] == '?' && !(k + 2 < n && s[k + 1] == '?'
                             && s[k + 2] == '='))
            return false;
        if (is_structured && (s[k] == '"' || s[k] == '<' || s[k] == '>'))
            return false;
    }
    return false;
}

static void
push_text(Tokens *t, gsize start, gsize end, TokenCtx ctx)
{
    Token tok = { 0 };

    if (end <= start)
        return;
    tok.kind = TOK_TEXT;
    tok.ctx = ctx;
    tok.start = start;
    tok.len = end - start;
    tok.is_space = true;
    for (gsize i = start; i < end; i++) {
        if (!is_blank(t->s[i])) {
            tok.is_space = false;
            break;
        }
    }
    g_array_append_val(t->tokens, tok);
}

/* Cut s into text and words.  Structured values also track quoted
 * strings and comments (RFC 5322 3.2.4, 3.2.2): the delimiters belong
 * to the surrounding plain text, the inside to CTX_QUOTED/COMMENT. */
static void
tokenize(Tokens *t, const char *s, gsize n, bool is_structured)
{
    TokenCtx ctx = CTX_PLAIN;
    int depth = 0;
    bool in_angle = false; /* <addr-spec>: never words (RFC 2047 5) */
    gsize text_start = 0;
    gsize i = 0;

    t->s = s;
    t->n = n;
    t->tokens = g_array_new(FALSE, FALSE, sizeof(Token));
    t->arena = g_string_sized_new(n);

    while (i < n) {
        char c = s[i];

        if (c == '=' && i + 1 < n && s[i + 1] == '?' && !in_angle) {
            Token tok = { 0 };
            gsize end;

            /* RFC 2047 5(3): no word inside an addr-spec; one glued
             * to "@" is the local part or domain, literal text. */
            if (parse_word(s, n, i, is_structured, t->arena, &tok, &end)
                && !(is_structured && ctx == CTX_PLAIN
                     && ((end < n && s[end] == '@')
                         || (i > 0 && s[i - 1] == '@')))) {
                push_text(t, text_start, i, ctx);
                tok.ctx = ctx;
                g_array_append_val(t->tokens, tok);
                i = end;
                text_start = i;
                continue;
            }
        }
        if (!is_structured) {
            i++;
            continue;
        }
        if (ctx != CTX_PLAIN && c == '\\' && i + 1 < n) {
            i += 2;
            continue;
        }
        if (ctx == CTX_QUOTED && c == '"') {
            push_text(t, text_start, i, ctx);
            ctx = CTX_PLAIN;
            text_start = i;
        } else if (ctx == CTX_COMMENT && c == '(') {
            depth++;
        } else if (ctx == CTX_COMMENT && c == ')') {
            if (--depth == 0) {
                push_text(t, text_start, i, ctx);
                ctx = CTX_PLAIN;
                text_start = i;
            }
        } else if (ctx == CTX_PLAIN && (c == '<' || c == '>')) {
            in_angle = c == '<';
        } else if (ctx == CTX_PLAIN && (c == '"' || c == '(')) {
            push_text(t, text_start, i + 1, ctx);
            ctx = c == '"' ? CTX_QUOTED : CTX_COMMENT;
            depth = 1;
            text_start = i + 1;
        }
        i++;
    }
    push_text(t, text_start, n, ctx);
}

static const Token *
token_at(const Tokens *t, gsize k)
{
    return &g_array_index(t->tokens, Token, k);
}

/* The index after the run of adjacent words starting at word k: words
 * in the same context separated by nothing or by blanks only. */
static gsize
run_end(const Tokens *t, gsize k)
{
    gsize count = t->tokens->len;
    TokenCtx ctx = token_at(t, k)->ctx;
    gsize end = k + 1;

    while (end < count) {
        const Token *next = token_at(t, end);

        if (next->kind == TOK_WORD && next->ctx == ctx) {
            end++;
        } else if (next->kind == TOK_TEXT && next->is_space
                   && next->ctx == ctx && end + 1 < count
                   && token_at(t, end + 1)->kind == TOK_WORD
                   && token_at(t, end + 1)->ctx == ctx) {
            end += 2;
        } else {
            break;
        }
    }
    return end;
}

static bool
same_charset(const char *a, const char *b)
{
    return g_ascii_strcasecmp(charset_canonical(a), charset_canonical(b))
           == 0;
}

/* Decode words [k, end) to UTF-8: consecutive words in one charset
 * have their bytes joined before conversion (C18). */
static void
decode_run(GString *out, const Tokens *t, gsize k, gsize end,
           const char *const *fallbacks)
{
    g_autoptr(GString) bytes = g_string_new(NULL);
    const char *charset = NULL;

    for (gsize i = k; i < end; i++) {
        const Token *tok = token_at(t, i);

        if (tok->kind != TOK_WORD || tok->len == 0)
            continue; /* blanks between words; empty words (C24) */
        if (charset != NULL && !same_charset(charset, tok->charset)) {
            g_autofree char *utf8 = charset_to_utf8(
                bytes->str, (gssize)bytes->len, charset, fallbacks);

            g_string_append(out, utf8);
            g_string_truncate(bytes, 0);
        }
        charset = tok->charset;
        g_string_append_len(bytes, t->arena->str + tok->start,
                            (gssize)tok->len);
    }
    if (charset != NULL) {
        g_autofree char *utf8 = charset_to_utf8(
            bytes->str, (gssize)bytes->len, charset, fallbacks);

        g_string_append(out, utf8);
    }
}

/* Append a text token, converted; skip_blanks drops its leading
 * blanks. */
static void
append_text(GString *out, const Tokens *t, const Token *tok,
            const char *const *fallbacks, bool skip_blanks)
{
    g_autofree char *utf8 = charset_to_utf8(t->s + tok->start,
                                            (gssize)tok->len, NULL,
                                            fallbacks);
    const char *p = utf8;

    while (skip_blanks && is_blank(*p))
        p++;
    g_string_append(out, p);
}

/* A header value is one line: line breaks and tabs that came out of
 * words ("=0D=0A") or folding would break logs and replies. */
static void
flatten_controls(char *s)
{
    for (; *s != '\0'; s++)
        if (*s == '\r' || *s == '\n' || *s == '\t')
            *s = ' ';
}

/* True when s has nothing to decode or convert: plain ASCII (no ESC
 * of ISO-2022, no 8-bit byte) and no "=?" that could start a word.
 * Most header values are like that; for them the tokens would be one
 * text span (or, structured, spans that put back together give s
 * again) and charset_to_utf8() a copy, so the callers skip it all. */
static bool
is_plain_value(const char *s, gsize n)
{
    for (gsize i = 0; i < n; i++) {
        guchar c = (guchar)s[i];

        if (c >= 0x80 || c == 0x1b || (c == '=' && s[i + 1] == '?'))
            return false;
    }
    return true;
}

char *
rfc2047_decode(const char *raw, const char *const *fallbacks)
{
    gsize n;
    g_autofree char *line = NULL;
    Tokens t = { 0 };
    g_autoptr(GString) out = NULL;
    bool is_after_empty_run = false;

    if (raw == NULL)
        return g_strdup("");
    line = unfold(raw, &n);
    if (is_plain_value(line, n)) {
        flatten_controls(line);
        g_strstrip(line);
        return g_steal_pointer(&line);
    }
    tokenize(&t, line, n, false);
    out = g_string_sized_new(n + 16);

    for (gsize k = 0; k < t.tokens->len;) {
        const Token *tok = token_at(&t, k);

        if (tok->kind == TOK_TEXT) {
            append_text(out, &t, tok, fallbacks, is_after_empty_run);
            is_after_empty_run = false;
            k++;
        } else {
            gsize end = run_end(&t, k);
            gsize before = out->len;

            decode_run(out, &t, k, end, fallbacks);
            /* "a =?utf-8?Q??= b" is "a b", not "a  b". */
            is_after_empty_run = out->len == before
                                 && (before == 0
                                     || is_blank(out->str[before - 1]));
            k = end;
        }
    }
    tokens_clear(&t);
    flatten_controls(out->str);
    g_strstrip(out->str);
    return g_string_free(g_steal_pointer(&out), FALSE);
}

/* Append decoded text into a quoted string or comment, escaping the
 * characters that would end it (RFC 5322 3.2.4 quoted-pair). */
static void
append_escaped(GString *out, const char *s, TokenCtx ctx)
{
    for (; *s != '\0'; s++) {
        bool is_special = *s == '\\'
                          || (ctx == CTX_QUOTED && *s == '"')
                          || (ctx == CTX_COMMENT && (*s == '(' || *s == ')'));

        if (is_special)
            g_string_append_c(out, '\\');
        g_string_append_c(out, *s);
    }
}

char *
rfc2047_repair_structured(const char *raw, const char *const *fallbacks)
{
    gsize n;
    g_autofree char *line = NULL;
    Tokens t = { 0 };
    g_autoptr(GString) out = NULL;

    if (raw == NULL)
        return g_strdup("");
    line = unfold(raw, &n);
    if (is_plain_value(line, n)) {
        g_strstrip(line);
        return g_steal_pointer(&line);
    }
    tokenize(&t, line, n, true);
    out = g_string_sized_new(n + 32);

    for (gsize k = 0; k < t.tokens->len;) {
        const Token *tok = token_at(&t, k);
        g_autoptr(GString) run = NULL;
        gsize end;

        if (tok->kind == TOK_TEXT) {
            append_text(out, &t, tok, fallbacks, false);
            k++;
            continue;
        }
        end = run_end(&t, k);
        run = g_string_new(NULL);
        decode_run(run, &t, k, end, fallbacks);
        flatten_controls(run->str);
        if (tok->ctx != CTX_PLAIN) {
            /* Words inside quotes are not allowed (RFC 2047 5) but
             * mailers write them; a parser would keep them encoded. */
            append_escaped(out, run->str, tok->ctx);
        } else if (run->len > 0) {
            g_autofree char *b64 = g_base64_encode(
                (const guchar *)run->str, run->len);

            /* A word must stand apart from other text (RFC 2047 5(1));
             * gateways glue them, e.g. to "<" (C24). */
            if (out->len > 0 && !is_blank(out->str[out->len - 1]))
                g_string_append_c(out, ' ');
            g_string_append_printf(out, "=?UTF-8?B?%s?=", b64);
            if (end < t.tokens->len) {
                const Token *next = token_at(&t, end);

                if (next->kind == TOK_WORD
                    || !is_blank(t.s[next->start]))
                    g_string_append_c(out, ' ');
            }
        }
        k = end;
    }
    tokens_clear(&t);
    g_strstrip(out->str);
    return g_string_free(g_steal_pointer(&out), FALSE);
}
