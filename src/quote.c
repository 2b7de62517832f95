/*
 * quote.c - the new part of a reply, without quoted history.
 *
 * This module owns the decision of where a reply's own text ends: it
 * finds the first line that starts quoted history (an "On ... wrote:"
 * attribution in one of the languages clients send, wrapped, without
 * its colon, between dashes or after the reply's last words; an
 * Outlook "-----Original Message-----" or forward separator; a
 * localised "From:/Sent:/To:" header block, one opening with "Date:"
 * or flattened onto a line; Outlook's underscore rule above one), cuts
 * there, and drops "> " lines (and "| " lines below an attribution,
 * and the unmarked rest of a quoted line the client wrapped).  It works
 * line by line and looks only a few lines ahead of each, each look
 * bounded, so it is linear in the text.  It does not touch signatures,
 * does not parse HTML (html.c turns a cited <blockquote> into "> "
 * lines first) and never returns less than the whole text when the cut
 * would leave nothing.
 *
 * Where it is unsure it keeps text: a sentence like "My colleague
 * wrote: the fix works" is not an attribution, because an attribution
 * must start with the language's opening word ("On", "Am", "Le" ...)
 * or be followed by quoted lines, or name an address and a time at a
 * paragraph's start, and must end with the verb (or, where Gmail
 * writes none, with the address).  tests/quote-fixtures measures it
 * against other projects' fixtures.
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
    HDR_DATE,      /* "Date:", "Sent:": may open a block above "From:" */
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
    "寄件者", "보낸 사람", "remitente", "expéditeur", "de la", "від",
    "από", "מאת", "من", "šalje", "nuo", "saatja", "dari", "từ", "จาก",
};

/* The date fields of such a block: webmail and Outlook for Mac put
 * one above "From:" ("Date: ...", "Message du : ..."), and a block may
 * have no "From:" at all ("Date: ...\nTo: ..."). */
static const char *const date_keys[] = {
    /* en */ "sent", "date",
    /* de */ "gesendet", "datum",
    /* fr */ "envoyé", "message du", "envoyé le",
    /* es, pt */ "enviado", "enviada", "fecha", "enviado el",
    "data de envio", "enviado em", "enviada em",
    /* it */ "inviato", "data",
    /* nl */ "verzonden", "verzonden op",
    /* sv, da, no */ "skickat", "sendt", "dato", "sendt den",
    /* fi */ "lähetetty", "päivämäärä",
    /* pl, cs */ "wysłano", "odesláno", "datum odeslání",
    /* ru */ "отправлено", "дата",
    /* tr, hu */ "gönderildi", "tarih", "elküldve", "dátum",
    /* zh, ja, ko */ "发送时间", "日期", "时间", "寄件日期", "送信日時",
    "날짜", "보낸 날짜",
    /* ro, uk, el, he, ar */ "trimis", "надіслано", "στάλθηκε", "נשלח",
    "تاريخ الإرسال",
    /* bg, sk, hr, sl, sr, lt, lv, et */ "изпратено", "odoslané",
    "poslano", "poslato", "išsiųsta", "nosūtīts", "saadetud",
    /* ca, id, vi, th */ "enviat el", "dikirim", "đã gửi", "ส่ง",
};

/* The other fields of such a block. */
static const char *const other_keys[] = {
    /* en */ "to", "cc", "bcc", "subject", "reply-to",
    /* de */ "an", "betreff", "kopie", "antwort an", "cc/bcc",
    /* fr */ "à", "a", "objet", "répondre à", "sujet", "copie à",
    /* es, pt */ "para", "asunto", "assunto", "cc/cco",
    /* it */ "oggetto",
    /* nl */ "aan", "onderwerp",
    /* sv, da, no */ "till", "ämne", "kopia", "til", "emne", "kopi",
    /* fi */ "vastaanottaja", "aihe", "kopio",
    /* pl, cs */ "do", "temat", "dw", "komu", "předmět", "kopie",
    /* ru */ "кому", "тема", "копия",
    /* tr, hu */ "kime", "konu", "címzett", "tárgy",
    /* zh, ja, ko */ "收件人", "主题", "抄送", "收件者", "主旨", "副本",
    "宛先", "件名", "받는 사람", "제목", "참조",
    /* ro, el (folded: "Προς" is "προσ"), he, ar */ "către", "subiect",
    "προσ", "θέμα", "κοιν", "אל", "נושא", "עותק", "إلى", "الموضوع",
    "نسخة",
    /* bg, sk, hr, sl, sr */ "до", "относно", "predmet", "prima", "za",
    "zadeva", "kópia",
    /* lt, lv, et */ "kam", "tema", "tēma", "adressaat", "teema",
    /* ca, id, vi, th */ "per a", "assumpte", "kepada", "perihal", "đến",
    "chủ đề", "ถึง", "เรื่อง",
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
    "original meddelelse", "oprindelig besked", "opprinnelig e-post",
    "wiadomość oryginalna", "oryginalna wiadomość",
    "исходное сообщение", "mensagem original", "eredeti üzenet",
    "orijinal ileti", "orijinal mesaj", "özgün ileti",
    "özgün i\xcc\x87leti",   /* "Özgün İleti": İ folds to i + U+0307 */
    "原始邮件", "原始郵件",
    "原始消息", "元のメッセージ", "원본 메시지", "αρχικό μήνυμα",
    "оригінальне повідомлення", "mesaj original", "izvorna poruka",
    "izvirno sporočilo", "originální zpráva", "reply message",
    "antwort nachricht", "originalnachricht",
    "forwarded message", "weitergeleitete nachricht", "message transféré",
    "mensaje reenviado", "messaggio inoltrato", "doorgestuurd bericht",
    "videresendt melding", "videresendt meddelelse",
    "vidarebefordrat meddelande", "välitetty viesti",
    "wiadomość przekazana dalej", "przekazana wiadomość",
    "přeposlaná zpráva", "пересылаемое сообщение",
    "mensagem encaminhada", "转发邮件", "轉寄郵件", "videresendt besked",
    "転送されたメッセージ",
    "전달된 메시지", "προωθημένο μήνυμα", "mesaj redirecționat",
    "begin forwarded message", "anfang der weitergeleiteten nachricht",
    "début du message réexpédié", "début du message transféré",
    "inicio del mensaje reenviado", "inizio messaggio inoltrato",
    "begin doorgestuurd bericht", "início da mensagem reencaminhada",
};

/* Separators that go on with a name and a date, after dashes. */
static const char *const separator_prefixes[] = {
    "forwarded by ", "weitergeleitet von ", "transféré par ",
    "doorgestuurd door ", "inoltrato da ", "reenviado por ",
};

/* Opening words of attributions, case-folded: "On ... wrote:",
 * "Am ... schrieb", "Le ... a écrit", "El ... escribió", "Il giorno
 * ... ha scritto", "Op ... schreef", "W dniu ... pisze", "Den ...
 * skrev", "På ... skrev", "Em ... escreveu", "Dne ... napsal(a)",
 * "In data ... ha scritto", "Vào ... đã viết", "在 ... 写道". */
static const char *const openers[] = {
    "on ", "am ", "le ", "el ", "il ", "in data ", "op ", "w dniu ",
    "den ", "på ", "em ", "dne ", "vào ", "pada ", "в ", "在", "於",
};

/* The verb an attribution ends with (before the colon), case-folded. */
static const char *const verbs[] = {
    "wrote", "writes", "a écrit", "escribió", "ha escrito", "ha scritto",
    "scrisse", "escreveu", "pisze", "napisał(a)", "napisał", "napisała",
    "kirjoitti", "napsal(a)", "napsal", "napsala", "написал(а)",
    "написал", "написала", "пишет", "yazdı", "írta", "a scris", "skrev",
    "schrieb", "schreef", "geschreven", "het volgende geschreven",
    "đã viết", "写道", "寫道", "έγραψε", "napisao je", "napisala je",
    "napísal(a)", "napísal", "napísala", "napisal(a)", "napisal",
    "napisala", "пише", "написа", "rašė", "rakstīja", "kirjutas",
    "menulis", "va escriure", "のメール", "のメッセージ", "작성", "님이 작성",
    "כתב",
    "כתבה", "كتب",
};

/* Verbs that only count after an opening word: "On ... sent:" is an
 * attribution, "Here is what I sent:" is not. */
static const char *const opener_verbs[] = {
    "sent", "verzond",
};

/* Verbs that also sit in the middle: "Am ... schrieb Hannah <h@x>:". */
static const char *const mid_verbs[] = {
    " schrieb ", " schreef ", " skrev ", " ezt írta ", " a scris ",
    " wrote on ",   /* Lotus Notes: "Hannah/ACME wrote on 10.03.2025:" */
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

/* "| old text": some clients quote with a bar.  Only below an
 * attribution, and not a table row ("| a | b |"), which ends with one. */
static bool
is_bar_quoted(const Line *l)
{
    gsize i = 0;
    gsize end = l->len;

    while (i < end && (l->s[i] == ' ' || l->s[i] == '\t'))
        i++;
    while (end > i && (l->s[end - 1] == ' ' || l->s[end - 1] == '\t'))
        end--;
    return i < end && l->s[i] == '|' && (end - i == 1 || l->s[end - 1] != '|');
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

/* A time of day, "08:14" or "17.50" (Finnish, Norwegian): one or two
 * digits, a colon or dot, exactly two digits.  With a dot it must stand
 * alone: "10.03.2025" and "192.0.2.22" hold no time. */
static bool
has_time(const char *s)
{
    for (const char *p = s; *p != '\0'; p++) {
        const char *q = p;

        if (!g_ascii_isdigit(*q) ||
            (p > s && (g_ascii_isdigit(p[-1]) || p[-1] == '.')))
            continue;
        q++;
        if (g_ascii_isdigit(*q))
            q++;
        if ((*q == ':' || *q == '.') && g_ascii_isdigit(q[1]) &&
            g_ascii_isdigit(q[2]) && !g_ascii_isdigit(q[3]) &&
            (*q == ':' || q[3] != '.'))
            return true;
    }
    return false;
}

/* A header line naming an address: "To: bob@example.com". */
static bool
is_address_field(const Line *l)
{
    return memchr(l->s, '@', l->len) != NULL;
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
        /* ':' or U+FF1A, the full-width colon; tested a byte at a time,
         * since most lines hold neither and this runs on every line. */
        if (*q == ':' || ((guchar)*q == 0xef && e - q >= 3 &&
                          (guchar)q[1] == 0xbc && (guchar)q[2] == 0x9a))
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
    if (in_list(key, date_keys, G_N_ELEMENTS(date_keys)))
        return HDR_DATE;
    if (in_list(key, other_keys, G_N_ELEMENTS(other_keys)))
        return HDR_OTHER;
    return HDR_NONE;
}

/* A "From:" line followed closely by another header line, or a date
 * field ("Date:", "Sent:") followed by header lines of which one is
 * "From:" or names an address ("Date: ...\nSubject: ...\nTo: a@b").  A
 * lone "From: my side, all good" or "Date: Monday\nTime: 10:00" in a
 * customer's text is not one. */
static bool
is_header_block(const Line *lines, gsize n_lines, gsize i)
{
    HeaderKind kind = header_kind(&lines[i]);
    int seen = 0;

    if (kind == HDR_DATE) {
        gsize last = i + 2 * QUOTE_HEADER_LOOKAHEAD;

        for (gsize j = i + 1; j < n_lines && j <= last; j++) {
            HeaderKind next;

            if (is_blank(&lines[j]))
                continue;
            next = header_kind(&lines[j]);
            if (next == HDR_FROM ||
                (next == HDR_OTHER && is_address_field(&lines[j])))
                return true;
            if (next == HDR_NONE || ++seen == QUOTE_HEADER_LOOKAHEAD)
                break;
        }
        return false;
    }
    if (kind != HDR_FROM)
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

/* Does the word before s[0..end) name a header field? */
static bool
is_key_before(const char *s, const char *end)
{
    const char *w = end;
    char key[4 * QUOTE_KEY_MAX];

    while (w > s && w[-1] != ' ' && w[-1] != '*' && end - w <= QUOTE_KEY_MAX)
        w--;
    if (w == end || end - w > QUOTE_KEY_MAX ||
        !fold_into(w, (gsize)(end - w), key, sizeof key))
        return false;
    return in_list(key, from_keys, G_N_ELEMENTS(from_keys)) ||
           in_list(key, date_keys, G_N_ELEMENTS(date_keys)) ||
           in_list(key, other_keys, G_N_ELEMENTS(other_keys));
}

/* A header block flattened onto one line, as some webmails quote it
 * and as HTML with the fields in inline elements comes out: "Date:
 * Tue, 2 Oct 2012 02:35:10 +0000 From: john@example.com To: Shelly
 * Subject: Hello".  It opens with a "From:" or date field and names two
 * more fields, or one more when it has both an address and a time
 * ("From: bob@example.com Date: Thu, 24 Mar 2016 08:07:12 -0700"). */
static bool
is_flat_header_block(const Line *l)
{
    HeaderKind kind = header_kind(l);
    int fields = 0;
    char text[QUOTE_ATTR_MAX + 1];

    if ((kind != HDR_FROM && kind != HDR_DATE) || l->len > QUOTE_ATTR_MAX)
        return false;
    for (gsize i = 1; i + 1 < l->len && fields < 3; i++)
        if (l->s[i] == ':' && l->s[i + 1] == ' ' &&
            is_key_before(l->s, l->s + i))
            fields++;
    if (fields >= 3)
        return true;
    if (fields < 2 || !is_address_field(l))
        return false;
    memcpy(text, l->s, l->len);
    text[l->len] = '\0';
    return has_time(text);
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
    if (in_list(key, separators, G_N_ELEMENTS(separators)))
        return true;
    /* Lotus Notes names who forwarded: "----- Forwarded by Hannah
     * Lindqvist/ACME on 10.03.2025 08:14 -----". */
    if (*ltrim(l->s, e) != '-')
        return false;
    for (gsize i = 0; i < G_N_ELEMENTS(separator_prefixes); i++)
        if (g_str_has_prefix(key, separator_prefixes[i]))
            return true;
    return false;
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

/* Does s[0..n) end with one of list[], as a word? */
static bool
ends_with_word(const char *s, gsize n, const char *const *list, gsize count)
{
    for (gsize i = 0; i < count; i++) {
        gsize vlen = strlen(list[i]);
        char before;

        if (n < vlen || memcmp(s + n - vlen, list[i], vlen) != 0)
            continue;
        if (n == vlen || (guchar)list[i][0] >= 0xE0)
            return true;   /* CJK verbs need no space before them */
        before = s[n - vlen - 1];
        if ((guchar)before < 0x80 && !g_ascii_isalnum(before))
            return true;
    }
    return false;
}

/* Does folded text s[0..n) end with an attribution verb?  "sent" only
 * counts after an opening word. */
static bool
ends_with_verb(const char *s, gsize n, bool opener)
{
    return ends_with_word(s, n, verbs, G_N_ELEMENTS(verbs)) ||
           (opener && ends_with_word(s, n, opener_verbs,
                                     G_N_ELEMENTS(opener_verbs)));
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

/* "2011/4/7 ...", "10.03.2025 ...", "2014-10-17 ...": a numeric date
 * at the start. */
static bool
starts_with_numeric_date(const char *s)
{
    int groups = 0;

    while (groups < 3) {
        if (!g_ascii_isdigit(*s))
            return false;
        while (g_ascii_isdigit(*s))
            s++;
        groups++;
        if (groups < 3) {
            if (*s != '/' && *s != '.' && *s != '-')
                return false;
            s++;
        }
    }
    return true;
}

/* Line l's trimmed text, case-folded into buf; false when too long. */
static bool
fold_line(const Line *l, char *buf, gsize size, gsize *n_out)
{
    const char *p = ltrim(l->s, l->s + l->len);
    gsize len = rtrim_len(p, (gsize)(l->s + l->len - p));

    if (len > QUOTE_ATTR_MAX || !fold_into(p, len, buf, size))
        return false;
    *n_out = strlen(buf);
    return true;
}

/* An attribution a client writes without the colon, on one line: "On
 * Wed, 14 Nov 2018 08:14:43 -0200 John <j@x> wrote" (opening word,
 * verb, address and time), or Gmail's old "2011/4/7 John <j@x>" (a
 * numeric date, ending in an address; quoted lines must confirm it). */
static AttrKind
attribution_without_colon(const Line *l, bool *strong_out)
{
    char folded[4 * QUOTE_ATTR_MAX];
    gsize n;

    if (!fold_line(l, folded, sizeof folded, &n) || n == 0)
        return ATTR_NONE;
    if (starts_with_opener(folded) && ends_with_verb(folded, n, true) &&
        strchr(folded, '@') != NULL && has_time(folded)) {
        *strong_out = true;
        return ATTR_OPENER;
    }
    if (starts_with_numeric_date(folded) && folded[n - 1] == '>' &&
        strchr(folded, '@') != NULL)
        return ATTR_BARE;
    return ATTR_NONE;
}

/* How many candidate positions attribution_tail() tries on a line;
 * it keeps the work per line bounded. */
#define QUOTE_TAIL_TRIES 4

/* "reply On Wed, Apr 4, 2012 at 3:59 PM, bob@example.com wrote:" and
 * "reply--- On ...": new text and the attribution on one line, which
 * some clients produce when the reply has no final newline.  The
 * attribution must open with its word, capitalised as clients write
 * it, separate date and sender with a comma, end with the verb and name
 * a time or an address; "we agreed on Monday at 10:30 that Tom wrote:"
 * is none.  Returns the length of the text before it, or 0 when the
 * line is no such thing. */
static gsize
attribution_tail(const Line *l)
{
    char folded[4 * QUOTE_ATTR_MAX];
    int tries = 0;

    if (l->len > QUOTE_ATTR_MAX)
        return 0;
    for (gsize k = 1; k + 3 < l->len && tries < QUOTE_TAIL_TRIES; k++) {
        Line tail = { l->s + k, l->len - k };
        gsize n;
        gsize keep = k;

        if ((l->s[k - 1] != ' ' && l->s[k - 1] != '-') ||
            !g_ascii_isupper(l->s[k]))
            continue;
        if (!fold_line(&tail, folded, sizeof folded, &n) ||
            !starts_with_opener(folded))
            continue;
        tries++;
        strip_colon(folded, &n);
        n = rtrim_len(folded, n);
        folded[n] = '\0';
        if (!ends_with_verb(folded, n, true) || !has_clue(folded) ||
            strchr(folded, ',') == NULL)
            continue;
        while (keep > 0 && (l->s[keep - 1] == ' ' || l->s[keep - 1] == '-'))
            keep--;
        return keep;
    }
    return 0;
}

/* Does l end inside "<address", so that the next line's ">" closes it
 * ("... Rick <rick@example.com\n> a écrit :") rather than quotes? */
static bool
opens_address(const Line *l)
{
    const char *lt = NULL;

    for (gsize i = 0; i < l->len; i++) {
        if (l->s[i] == '<')
            lt = l->s + i;
        else if (l->s[i] == '>')
            lt = NULL;
    }
    return lt != NULL;
}

/* Is there an attribution starting at line i?  It may be wrapped over
 * up to QUOTE_ATTR_LINES lines; *span_out gets their number and
 * *clue_out whether it names a time or an address.  *strong_out says
 * whether it is certain enough to cut without quoted lines below: it
 * names an address and a time, and starts a paragraph or opens with
 * the language's word (Finnish and Russian Gmail have neither a word
 * nor always "> " lines: "pe 20. lokakuuta 2017 klo 17.50 John <j@x>
 * kirjoitti:"). */
static AttrKind
attribution_at(const Line *lines, gsize n_lines, gsize i, gsize *span_out,
               bool *clue_out, bool *strong_out)
{
    gsize span = 0;
    char joined[QUOTE_ATTR_MAX + 1];
    char folded[4 * QUOTE_ATTR_MAX];
    gsize n = 0;
    bool opener;
    bool closer = false;
    bool para = i == 0 || is_blank(&lines[i - 1]);

    *strong_out = false;
    for (gsize k = 0; k < QUOTE_ATTR_LINES && i + k < n_lines; k++) {
        const Line *l = &lines[i + k];
        gsize len = rtrim_len(l->s, l->len);

        if (is_blank(l) ||
            (is_quoted(l) && (k == 0 || !opens_address(&lines[i + k - 1]))))
            break;
        if (len > 0 && (l->s[len - 1] == ':' ||
                        (len >= 3 &&
                         memcmp(l->s + len - 3, "\xef\xbc\x9a", 3) == 0))) {
            span = k + 1;
            break;
        }
    }
    if (span == 0) {
        AttrKind kind = attribution_without_colon(&lines[i], strong_out);

        if (kind != ATTR_NONE) {
            *span_out = 1;
            *clue_out = true;
        }
        return kind;
    }

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

    /* A later line of the window that opens an attribution itself, with
     * its word or a numeric date ("Hello\n02.04.2012 14:20 ... <\n
     * bob@example.com> написал:"), is where it starts; this line is
     * ordinary text above it. */
    for (gsize k = 1; k < span; k++) {
        const Line *l = &lines[i + k];
        const char *p = ltrim(l->s, l->s + l->len);
        gsize len = MIN((gsize)(l->s + l->len - p), 16);
        char head[64];

        while (len > 0 && len < (gsize)(l->s + l->len - p) &&
               ((guchar)p[len] & 0xC0) == 0x80)
            len--;   /* not in the middle of a character */
        if (fold_into(p, len, head, sizeof head) &&
            (starts_with_opener(head) || starts_with_numeric_date(head)))
            return ATTR_NONE;
    }

    n = strlen(folded);
    strip_colon(folded, &n);
    n = rtrim_len(folded, n);
    folded[n] = '\0';
    opener = starts_with_opener(folded);
    if (ends_with_verb(folded, n, opener))
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

    /* Without its opening word a wrapped one must start a paragraph, or
     * with a numeric date and a time, or it would take the text above it
     * along; and when its last line is text followed by one with its
     * word ("reply On ... wrote:"), that is where it starts. */
    if (!opener && span > 1 && !para &&
        !(starts_with_numeric_date(folded) && has_time(folded)))
        return ATTR_NONE;
    if (!opener && attribution_tail(&lines[i + span - 1]) > 0)
        return ATTR_NONE;
    *span_out = span;
    *clue_out = has_clue(folded);
    *strong_out = (opener || para) && strchr(folded, '@') != NULL &&
                  has_time(folded);
    return opener ? ATTR_OPENER : ATTR_BARE;
}

/* Android and Zoho put dashes around it and drop the colon: "----
 * John Smith wrote ----", "---- On Wed, 24 Feb 2021 14:02:50 +0530
 * john@example.com wrote ----". */
static bool
is_dash_attribution(const Line *l)
{
    char folded[4 * QUOTE_ATTR_MAX];
    gsize n;
    gsize start = 0;

    const char *p = ltrim(l->s, l->s + l->len);

    if (l->s + l->len - p < 2 || p[0] != '-' || p[1] != '-' ||
        !fold_line(l, folded, sizeof folded, &n))
        return false;
    while (start < n && (folded[start] == '-' || folded[start] == ' '))
        start++;
    while (n > start && (folded[n - 1] == '-' || folded[n - 1] == ' ' ||
                         folded[n - 1] == ':'))
        n--;
    if (n == start || n == strlen(folded))
        return false;   /* dashes must close it too */
    folded[n] = '\0';
    return ends_with_verb(folded + start, n - start,
                          starts_with_opener(folded + start));
}

/* Does line i start what quoted history is made of, apart from
 * attributions: a separator, a header block, or the underscore rule
 * above one? */
static bool
is_history_start(const Line *lines, gsize n_lines, gsize i)
{
    if (is_separator(&lines[i]) || is_header_block(lines, n_lines, i) ||
        is_flat_header_block(&lines[i]) || is_dash_attribution(&lines[i]))
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

/* A quoted line this long was probably wrapped by the client. */
#define QUOTE_WRAP_WIDTH 60

/* A line of a quote that is not marked, between two quoted lines: the
 * rest of a link wrapped out of a "> " line ("> View ticket
 * (http://example.com/a\n_nonce=3)", " (http://example.com/c/x) >"),
 * or the rest of a long quoted line that the client wrapped without
 * marking it ("> ... Nullam pharetra d\nignissim odio?"): it starts in
 * lower case.  An inline answer between two questions ("> Which
 * version?\n5.2.1\n> Which OS?", "> ... which client do you run
 * now?\nversion 5.2.1\n> ...") is neither: a line wrapped out of a
 * quote does not follow a question. */
static bool
is_wrapped_quote_line(const Line *lines, gsize n_lines, gsize i)
{
    const Line *l = &lines[i];
    const Line *prev;
    const char *p = ltrim(l->s, l->s + l->len);
    const char *open;
    gunichar first;

    if (i == 0 || i + 1 >= n_lines || !is_quoted(&lines[i - 1]) ||
        !is_quoted(&lines[i + 1]) || is_quoted(l) || is_blank(l))
        return false;
    if (l->s + l->len - p >= 5 && g_ascii_strncasecmp(p, "(http", 5) == 0)
        return true;
    prev = &lines[i - 1];
    open = g_strstr_len(prev->s, (gssize)prev->len, "(http");
    if (open != NULL &&
        memchr(open, ')', (gsize)(prev->s + prev->len - open)) == NULL)
        return true;
    if (g_utf8_strlen(prev->s, (gssize)prev->len) < QUOTE_WRAP_WIDTH ||
        prev->s[rtrim_len(prev->s, prev->len) - 1] == '?')
        return false;
    first = g_utf8_get_char_validated(p, l->s + l->len - p);
    return first != (gunichar)-1 && first != (gunichar)-2 &&
           g_unichar_islower(first);
}

/* Line i as text of the reply followed by an attribution, above a
 * quote: the length of the text, or 0. */
static gsize
shared_attribution(const Line *lines, gsize n, gsize i, const bool *quoted)
{
    gsize len = rtrim_len(lines[i].s, lines[i].len);
    gsize k;

    if (len == 0 || lines[i].s[len - 1] != ':')
        return 0;
    for (k = i + 1; k < n && is_blank(&lines[k]); k++)
        ;
    if (k == n || !quoted[k])
        return 0;
    return attribution_tail(&lines[i]);
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
    Line *lines;
    gsize n;
    gsize cut;
    g_autofree bool *quoted = NULL;
    g_autofree bool *keep = NULL;
    char *result;

    if (text == NULL)
        return g_strdup("");
    arr = split_lines(text);
    lines = (Line *)(void *)arr->data;
    n = arr->len;
    cut = n;
    quoted = g_new(bool, n + 1);
    keep = g_new(bool, n + 1);

    for (gsize i = 0; i < n; i++)
        quoted[i] = is_quoted(&lines[i]) || is_wrapped_quote_line(lines, n, i);
    for (gsize i = 0; i < n; i++)
        keep[i] = !quoted[i];

    for (gsize i = 0; i < n && cut == n; i++) {
        gsize span = 0;
        bool clue = false;
        bool strong = false;
        bool shared = false;
        AttrKind kind;
        gsize k;

        if (!keep[i] || is_blank(&lines[i]))
            continue;
        if (is_history_start(lines, n, i)) {
            cut = i;
            break;
        }
        kind = attribution_at(lines, n, i, &span, &clue, &strong);
        if (kind == ATTR_NONE) {
            gsize text_len = shared_attribution(lines, n, i, quoted);

            if (text_len == 0)
                continue;
            lines[i].len = text_len;
            kind = ATTR_BARE;
            span = 1;
            shared = true;
        }
        k = i + span;
        while (k < n && is_blank(&lines[k]))
            k++;
        if (k < n && !quoted[k] && is_bar_quoted(&lines[k])) {
            /* A bar-quoted run below an attribution is a quote. */
            for (gsize j = k; j < n && is_bar_quoted(&lines[j]); j++)
                quoted[j] = true, keep[j] = false;
        }
        if (k < n && quoted[k]) {
            gsize m = k;

            while (m < n && (quoted[m] || is_blank(&lines[m])))
                m++;
            if (m == n || is_history_start(lines, n, m)) {
                cut = shared ? i + 1 : i;
                break;
            }
            /* New text follows the quote: an inline answer.  Drop the
             * attribution with the quote, keep going below it. */
            if (kind == ATTR_OPENER)
                for (gsize j = i; j < i + span; j++)
                    keep[j] = false;
            i = m - 1;
        } else if ((kind == ATTR_OPENER && clue) || strong) {
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
