/*
 * quote.c - the new part of a reply, without quoted history.
 *
 * This module owns the decision of where a reply's own text ends: it
 * finds the first line that starts quoted history (an "On ... wrote:"
 * attribution in one of the languages clients send, an Outlook
 * "-----Original Message-----" or forward separator, a localised
 * "From:/Sent:/To:" header block, Outlook's underscore rule above
 * one), cuts there, and drops "> " lines.  It works line by line and
 * looks only a few lines ahead of each, so it is linear in the text.
 * It does not touch signatures, does not parse HTML (html.c turns a
 * cited <blockquote> into "> " lines first) and never returns less
 * than the whole text when the cut would leave nothing.
 *
 * Where it is unsure it keeps text: a sentence like "My colleague
 * wrote: the fix works" is not an attribution, because an attribution
 * must start with the language's opening word ("On", "Am", "Le" ...)
 * or be followed by quoted lines, and must end with the verb.
 */
#include "config.h"

#include "quote.h"

#include <stdbool.h>
#include <string.h>

/* An attribution is at most this many lines (Gmail wraps long ones)
 * and this many bytes. */
#define QUOTE_ATTR_LINES 3
#define QUOTE_ATTR_MAX 400
/* How far below a "From:" line the rest of its header block may be. */
#define QUOTE_HEADER_LOOKAHEAD 4
/* A header name is short; this bounds the search for its colon. */
#define QUOTE_KEY_MAX 32

typedef struct {
    const char *s;   /* into the caller's text; no line terminator */
    gsize len;
} Line;

typedef enum {
    HDR_NONE,
    HDR_FROM,
    HDR_OTHER,
} HeaderKind;

typedef enum {
    ATTR_NONE,
    ATTR_OPENER,   /* starts with the language's opening word */
    ATTR_BARE,     /* ends like one but only quoted lines can confirm */
} AttrKind;

/* The "From:" of a quoted header block, case-folded, as Outlook,
 * Gmail and Apple Mail write it in their languages. */
static const char *const from_keys[] = {
    "from", "von", "de", "da", "van", "från", "fra", "lähettäjä", "od",
    "от", "kimden", "feladó", "afzender", "発信者", "差出人", "发件人",
    "寄件者", "보낸 사람", "remitente", "expéditeur",
};

/* The other fields of such a block. */
static const char *const other_keys[] = {
    /* en */ "sent", "date", "to", "cc", "bcc", "subject", "reply-to",
    /* de */ "gesendet", "datum", "an", "betreff", "kopie", "antwort an",
    /* fr */ "envoyé", "à", "objet", "répondre à",
    /* es, pt */ "enviado", "enviada", "fecha", "para", "asunto",
    "assunto", "enviado el", "data de envio",
    /* it */ "inviato", "data", "a", "oggetto",
    /* nl */ "verzonden", "aan", "onderwerp",
    /* sv, da, no */ "skickat", "till", "ämne", "kopia", "sendt", "dato",
    "til", "emne", "kopi", "sendt den",
    /* fi */ "lähetetty", "päivämäärä", "vastaanottaja", "aihe", "kopio",
    /* pl, cs */ "wysłano", "do", "temat", "dw", "odesláno", "komu",
    "předmět", "datum odeslání",
    /* ru */ "отправлено", "дата", "кому", "тема", "копия",
    /* tr, hu */ "gönderildi", "tarih", "kime", "konu", "elküldve",
    "címzett", "tárgy",
    /* zh, ja, ko */ "发送时间", "日期", "时间", "收件人", "主题", "抄送",
    "寄件日期", "收件者", "主旨", "副本", "送信日時", "宛先", "件名",
    "날짜", "받는 사람", "제목",
};

/* Separator lines, once dashes, spaces and a final colon are gone:
 * "-----Original Message-----", "---------- Forwarded message
 * ---------", "Begin forwarded message:" and their translations. */
static const char *const separators[] = {
    "original message", "ursprüngliche nachricht", "message d'origine",
    "message d’origine", "mensaje original", "messaggio originale",
    "oorspronkelijk bericht", "původní zpráva", "pôvodná správa",
    "opprinnelig melding", "alkuperäinen viesti", "originalmeddelande",
    "ursprungligt meddelande", "oprindelig meddelelse",
    "original meddelelse", "wiadomość oryginalna", "oryginalna wiadomość",
    "исходное сообщение", "mensagem original", "eredeti üzenet",
    "orijinal ileti", "原始邮件", "原始郵件", "原始消息",
    "forwarded message", "weitergeleitete nachricht", "message transféré",
    "mensaje reenviado", "messaggio inoltrato", "doorgestuurd bericht",
    "videresendt melding", "videresendt meddelelse",
    "vidarebefordrat meddelande", "välitetty viesti",
    "wiadomość przekazana dalej", "przekazana wiadomość",
    "přeposlaná zpráva", "пересылаемое сообщение",
    "mensagem encaminhada", "转发邮件", "轉寄郵件",
    "begin forwarded message", "anfang der weitergeleiteten nachricht",
    "début du message réexpédié", "début du message transféré",
    "inicio del mensaje reenviado", "inizio messaggio inoltrato",
    "begin doorgestuurd bericht", "início da mensagem reencaminhada",
};

/* Opening words of attributions, case-folded: "On ... wrote:",
 * "Am ... schrieb", "Le ... a écrit", "El ... escribió", "Il giorno
 * ... ha scritto", "Op ... schreef", "W dniu ... pisze", "Den ...
 * skrev", "Em ... escreveu", "Dne ... napsal(a)", "在 ... 写道". */
static const char *const openers[] = {
    "on ", "am ", "le ", "el ", "il ", "op ", "w dniu ", "den ", "em ",
    "dne ", "в ", "在", "於",
};

/* The verb an attribution ends with (before the colon), case-folded. */
static const char *const verbs[] = {
    "wrote", "writes", "a écrit", "escribió", "ha escrito", "ha scritto",
    "scrisse", "escreveu", "pisze", "napisał(a)", "napisał", "napisała",
    "kirjoitti", "napsal(a)", "napsal", "napsala", "написал(а)",
    "написал", "написала", "пишет", "yazdı", "írta", "a scris", "skrev",
    "schrieb", "schreef", "写道", "寫道", "έγραψε",
};

/* Verbs that also sit in the middle: "Am ... schrieb Hannah <h@x>:". */
static const char *const mid_verbs[] = {
    " schrieb ", " schreef ", " skrev ",
};

static bool
is_blank(const Line *l)
{
    for (gsize i = 0; i < l->len; i++)
        if (!g_ascii_isspace(l->s[i]))
            return false;
    return true;
}

static bool
is_quoted(const Line *l)
{
    gsize i = 0;

    while (i < l->len && (l->s[i] == ' ' || l->s[i] == '\t'))
        i++;
    return i < l->len && l->s[i] == '>';
}

/* Length of the horizontal space at the end of s[0..n): ASCII blanks,
 * U+00A0 and U+202F (French puts them before ':'). */
static gsize
rtrim_len(const char *s, gsize n)
{
    for (;;) {
        if (n >= 1 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
            n -= 1;
        else if (n >= 2 && memcmp(s + n - 2, "\xc2\xa0", 2) == 0)
            n -= 2;
        else if (n >= 3 && memcmp(s + n - 3, "\xe2\x80\xaf", 3) == 0)
            n -= 3;
        else
            return n;
    }
}

static const char *
ltrim(const char *s, const char *e)
{
    while (s < e && (*s == ' ' || *s == '\t'))
        s++;
    return s;
}

/* Remove a final ':' or fullwidth '：'.  False when there is none. */
static bool
strip_colon(const char *s, gsize *n)
{
    if (*n >= 1 && s[*n - 1] == ':') {
        *n -= 1;
        return true;
    }
    if (*n >= 3 && memcmp(s + *n - 3, "\xef\xbc\x9a", 3) == 0) {
        *n -= 3;
        return true;
    }
    return false;
}

static bool
in_list(const char *s, const char *const *list, gsize n)
{
    for (gsize i = 0; i < n; i++)
        if (strcmp(s, list[i]) == 0)
            return true;
    return false;
}

/* Case-fold s[0..n) into buf (NUL-terminated); false when it does not
 * fit, and nothing this module looks for is that long.  ASCII, the
 * usual case, needs no allocation. */
static bool
fold_into(const char *s, gsize n, char *buf, gsize size)
{
    g_autofree char *folded = NULL;
    gsize len;

    for (gsize i = 0; i < n; i++) {
        if ((guchar)s[i] >= 0x80) {
            folded = g_utf8_casefold(s, (gssize)n);
            break;
        }
    }
    if (folded == NULL) {
        if (n >= size)
            return false;
        for (gsize i = 0; i < n; i++)
            buf[i] = g_ascii_tolower(s[i]);
        buf[n] = '\0';
        return true;
    }
    len = strlen(folded);
    if (len >= size)
        return false;
    memcpy(buf, folded, len + 1);
    return true;
}

/* "From:", "*Von:*", "De :", "发件人：" ... */
static HeaderKind
header_kind(const Line *l)
{
    const char *e = l->s + l->len;
    const char *p = ltrim(l->s, e);
    const char *q;
    gsize n;
    char key[4 * QUOTE_KEY_MAX];

    while (p < e && *p == '*')
        p++;
    for (q = p; q < e && q - p <= QUOTE_KEY_MAX; q++) {
        if (*q == ':' ||
            (e - q >= 3 && memcmp(q, "\xef\xbc\x9a", 3) == 0))
            break;
    }
    if (q >= e || q - p > QUOTE_KEY_MAX)
        return HDR_NONE;
    n = rtrim_len(p, (gsize)(q - p));
    while (n > 0 && p[n - 1] == '*')
        n--;
    if (n == 0 || !fold_into(p, n, key, sizeof key))
        return HDR_NONE;
    if (in_list(key, from_keys, G_N_ELEMENTS(from_keys)))
        return HDR_FROM;
    if (in_list(key, other_keys, G_N_ELEMENTS(other_keys)))
        return HDR_OTHER;
    return HDR_NONE;
}

/* A "From:" line followed closely by another header line. */
static bool
is_header_block(const Line *lines, gsize n_lines, gsize i)
{
    int seen = 0;

    if (header_kind(&lines[i]) != HDR_FROM)
        return false;
    for (gsize j = i + 1; j < n_lines && j <= i + 2 * QUOTE_HEADER_LOOKAHEAD;
         j++) {
        if (is_blank(&lines[j]))
            continue;
        if (header_kind(&lines[j]) != HDR_NONE)
            return true;
        if (++seen == QUOTE_HEADER_LOOKAHEAD)
            break;
    }
    return false;
}

/* "-----Original Message-----", "Begin forwarded message:" ... */
static bool
is_separator(const Line *l)
{
    const char *e = l->s + l->len;
    const char *p = ltrim(l->s, e);
    gsize n;
    char key[256];

    /* Every separator starts with dashes or ends with a colon; most
     * lines do neither and need no more work. */
    n = rtrim_len(p, (gsize)(e - p));
    if (n == 0 || (*p != '-' && *p != '=' && !strip_colon(p, &n)))
        return false;
    while (p < e && (*p == '-' || *p == '=' || *p == ' '))
        p++;
    n = (gsize)(e - p);
    for (;;) {
        gsize before = n;

        n = rtrim_len(p, n);
        while (n > 0 && (p[n - 1] == '-' || p[n - 1] == '='))
            n--;
        strip_colon(p, &n);
        if (n == before)
            break;
    }
    if (n == 0 || n > 80 || !fold_into(p, n, key, sizeof key))
        return false;
    return in_list(key, separators, G_N_ELEMENTS(separators));
}

/* Outlook's "________________________________" rule. */
static bool
is_underscore_rule(const Line *l)
{
    const char *e = l->s + l->len;
    const char *p = ltrim(l->s, e);
    gsize n = rtrim_len(p, (gsize)(e - p));

    if (n < 8)
        return false;
    for (gsize i = 0; i < n; i++)
        if (p[i] != '_')
            return false;
    return true;
}

static bool
starts_with_opener(const char *folded)
{
    for (gsize i = 0; i < G_N_ELEMENTS(openers); i++)
        if (g_str_has_prefix(folded, openers[i]))
            return true;
    return false;
}

/* Does s[0..n) end with one of the attribution verbs, as a word? */
static bool
ends_with_verb(const char *s, gsize n)
{
    for (gsize i = 0; i < G_N_ELEMENTS(verbs); i++) {
        gsize vlen = strlen(verbs[i]);
        char before;

        if (n < vlen || memcmp(s + n - vlen, verbs[i], vlen) != 0)
            continue;
        if (n == vlen || (guchar)verbs[i][0] >= 0xE0)
            return true;   /* CJK verbs need no space before them */
        before = s[n - vlen - 1];
        if ((guchar)before < 0x80 && !g_ascii_isalnum(before))
            return true;
    }
    return false;
}

/* A date or an address: "08:14", "@". */
static bool
has_clue(const char *s)
{
    if (strchr(s, '@') != NULL)
        return true;
    for (const char *p = s; *p != '\0'; p++)
        if (g_ascii_isdigit(p[0]) && p[1] == ':' && g_ascii_isdigit(p[2]) &&
            g_ascii_isdigit(p[3]))
            return true;
    return false;
}

/* Is there an attribution starting at line i?  It may be wrapped over
 * up to QUOTE_ATTR_LINES lines; *span_out gets their number and
 * *clue_out whether it names a time or an address. */
static AttrKind
attribution_at(const Line *lines, gsize n_lines, gsize i, gsize *span_out,
               bool *clue_out)
{
    gsize span = 0;
    char joined[QUOTE_ATTR_MAX + 1];
    char folded[4 * QUOTE_ATTR_MAX];
    gsize n = 0;
    bool opener;
    bool closer = false;

    for (gsize k = 0; k < QUOTE_ATTR_LINES && i + k < n_lines; k++) {
        const Line *l = &lines[i + k];
        gsize len = rtrim_len(l->s, l->len);

        if (is_blank(l) || is_quoted(l))
            break;
        if (len > 0 && (l->s[len - 1] == ':' ||
                        (len >= 3 &&
                         memcmp(l->s + len - 3, "\xef\xbc\x9a", 3) == 0))) {
            span = k + 1;
            break;
        }
    }
    if (span == 0)
        return ATTR_NONE;

    for (gsize k = 0; k < span; k++) {
        const Line *l = &lines[i + k];
        const char *p = ltrim(l->s, l->s + l->len);
        gsize len = rtrim_len(p, (gsize)(l->s + l->len - p));

        if (n + len + 1 > QUOTE_ATTR_MAX)
            return ATTR_NONE;
        if (k > 0)
            joined[n++] = ' ';
        memcpy(joined + n, p, len);
        n += len;
    }
    if (!fold_into(joined, n, folded, sizeof folded))
        return ATTR_NONE;

    /* A later line of the window that opens an attribution itself is
     * where it starts; this line is ordinary text above it. */
    for (gsize k = 1; k < span; k++) {
        const Line *l = &lines[i + k];
        const char *p = ltrim(l->s, l->s + l->len);
        gsize len = MIN((gsize)(l->s + l->len - p), 16);
        char head[64];

        while (len > 0 && len < (gsize)(l->s + l->len - p) &&
               ((guchar)p[len] & 0xC0) == 0x80)
            len--;   /* not in the middle of a character */
        if (fold_into(p, len, head, sizeof head) && starts_with_opener(head))
            return ATTR_NONE;
    }

    n = strlen(folded);
    strip_colon(folded, &n);
    n = rtrim_len(folded, n);
    folded[n] = '\0';
    if (ends_with_verb(folded, n))
        closer = true;
    for (gsize k = 0; !closer && k < G_N_ELEMENTS(mid_verbs); k++)
        closer = strstr(folded, mid_verbs[k]) != NULL;
    /* Gmail in some languages has no verb: "пн, 10 мар. 2025 г. в
     * 08:14, Hannah <h@x>:". */
    if (!closer && n > 0 && folded[n - 1] == '>' &&
        strchr(folded, '@') != NULL)
        closer = true;
    if (!closer)
        return ATTR_NONE;

    opener = starts_with_opener(folded);
    /* Without its opening word a wrapped one must start a paragraph,
     * or it would take the text above it along. */
    if (!opener && span > 1 && i > 0 && !is_blank(&lines[i - 1]))
        return ATTR_NONE;
    *span_out = span;
    *clue_out = has_clue(folded);
    return opener ? ATTR_OPENER : ATTR_BARE;
}

/* Does line i start what quoted history is made of, apart from
 * attributions: a separator, a header block, or the underscore rule
 * above one? */
static bool
is_history_start(const Line *lines, gsize n_lines, gsize i)
{
    if (is_separator(&lines[i]) || is_header_block(lines, n_lines, i))
        return true;
    if (is_underscore_rule(&lines[i])) {
        for (gsize j = i + 1; j < n_lines && j <= i + 2; j++) {
            if (is_blank(&lines[j]))
                continue;
            return is_header_block(lines, n_lines, j);
        }
    }
    return false;
}

static GArray *
split_lines(const char *text)
{
    GArray *lines = g_array_new(FALSE, FALSE, sizeof(Line));
    const char *p = text;

    while (*p != '\0') {
        const char *nl = strchr(p, '\n');
        Line l = { p, nl != NULL ? (gsize)(nl - p) : strlen(p) };

        if (l.len > 0 && l.s[l.len - 1] == '\r')
            l.len--;
        g_array_append_val(lines, l);
        if (nl == NULL)
            break;
        p = nl + 1;
    }
    return lines;
}

/* Join lines[0..n) that keep[] allows, trimming trailing blanks on
 * each line except the signature separator "-- ", dropping leading
 * and trailing blank lines and collapsing runs of blank lines. */
static char *
join_lines(const Line *lines, gsize n, const bool *keep)
{
    GString *out = g_string_new(NULL);
    bool blank_pending = false;

    for (gsize i = 0; i < n; i++) {
        const Line *l = &lines[i];
        gsize len;

        if (keep != NULL && !keep[i])
            continue;
        if (is_blank(l)) {
            if (out->len > 0)
                blank_pending = true;
            continue;
        }
        len = l->len == 3 && memcmp(l->s, "-- ", 3) == 0
                  ? 3 : rtrim_len(l->s, l->len);
        if (out->len > 0)
            g_string_append(out, blank_pending ? "\n\n" : "\n");
        blank_pending = false;
        g_string_append_len(out, l->s, (gssize)len);
    }
    return g_string_free(out, FALSE);
}

char *
quote_strip(const char *text)
{
    g_autoptr(GArray) arr = NULL;
    const Line *lines;
    gsize n;
    gsize cut;
    g_autofree bool *keep = NULL;
    char *result;

    if (text == NULL)
        return g_strdup("");
    arr = split_lines(text);
    lines = (const Line *)(void *)arr->data;
    n = arr->len;
    cut = n;
    keep = g_new(bool, n + 1);

    for (gsize i = 0; i < n; i++)
        keep[i] = !is_quoted(&lines[i]);

    for (gsize i = 0; i < n && cut == n; i++) {
        gsize span = 0;
        bool clue = false;
        AttrKind kind;
        gsize k;

        if (!keep[i] || is_blank(&lines[i]))
            continue;
        if (is_history_start(lines, n, i)) {
            cut = i;
            break;
        }
        kind = attribution_at(lines, n, i, &span, &clue);
        if (kind == ATTR_NONE)
            continue;
        k = i + span;
        while (k < n && is_blank(&lines[k]))
            k++;
        if (k < n && is_quoted(&lines[k])) {
            gsize m = k;

            while (m < n && (is_quoted(&lines[m]) || is_blank(&lines[m])))
                m++;
            if (m == n || is_history_start(lines, n, m)) {
                cut = i;
                break;
            }
            /* New text follows the quote: an inline answer.  Drop the
             * attribution with the quote, keep going below it. */
            if (kind == ATTR_OPENER)
                for (gsize j = i; j < i + span; j++)
                    keep[j] = false;
            i = m - 1;
        } else if (kind == ATTR_OPENER && clue) {
            cut = i;
            break;
        }
    }

    result = join_lines(lines, cut, keep);
    if (*result == '\0') {
        g_free(result);
        result = join_lines(lines, n, NULL);
    }
    return result;
}
