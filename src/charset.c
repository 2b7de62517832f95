/*
 * charset.c - bytes in some charset (or none declared) to UTF-8.
 *
 * Owns the charset policy of DESIGN 3a.  Labels are first mapped to
 * what senders really mean (charset_canonical): iso-8859-1 and us-ascii
 * are read as windows-1252, the Outlook Korean, Chinese and Japanese
 * labels as the Microsoft supersets.  Then the bytes are converted with
 * a ladder of guesses that never fails: the declared charset, UTF-8,
 * the caller's fallback list, and finally UTF-8 mixed with windows-1252
 * byte by byte.  Every result is valid UTF-8 without NUL bytes and
 * without C1 controls (U+0080..U+009F), which in mail are always
 * windows-1252 bytes read under the wrong label.
 *
 * Windows-1252 and ISO-2022-JP are decoded here rather than by iconv:
 * glibc's CP1252 rejects the five unassigned bytes, and its ISO-2022-JP
 * knows neither half-width katakana nor the NEC and IBM extensions that
 * Outlook writes (CP50221), so ISO-2022-JP is rewritten to CP932 first.
 * Everything else goes through GLib's GIConv.  No I/O, no GMime.
 */
#include "config.h"

#include "charset.h"

#include <errno.h>
#include <string.h>

/* MIME label (lower case) -> iconv name.  Labels iconv already knows
 * under the same meaning are not listed. */
static const struct {
    const char *label;
    const char *iconv_name;
} charset_aliases[] = {
    /* Latin-1 and ASCII as sent are windows-1252 (WHATWG Encoding). */
    { "iso-8859-1", "WINDOWS-1252" },
    { "iso8859-1", "WINDOWS-1252" },
    { "iso_8859-1", "WINDOWS-1252" },
    { "iso_8859-1:1987", "WINDOWS-1252" },
    { "iso-ir-100", "WINDOWS-1252" },
    { "latin1", "WINDOWS-1252" },
    { "latin-1", "WINDOWS-1252" },
    { "l1", "WINDOWS-1252" },
    { "cp819", "WINDOWS-1252" },
    { "ibm819", "WINDOWS-1252" },
    { "csisolatin1", "WINDOWS-1252" },
    { "us-ascii", "WINDOWS-1252" },
    { "ascii", "WINDOWS-1252" },
    { "us", "WINDOWS-1252" },
    { "ansi_x3.4-1968", "WINDOWS-1252" },
    { "ansi_x3.4-1986", "WINDOWS-1252" },
    { "iso646-us", "WINDOWS-1252" },
    { "iso-ir-6", "WINDOWS-1252" },
    { "csascii", "WINDOWS-1252" },
    { "cp367", "WINDOWS-1252" },
    { "ibm367", "WINDOWS-1252" },
    { "windows-1252", "WINDOWS-1252" },
    { "cp1252", "WINDOWS-1252" },
    { "cp-1252", "WINDOWS-1252" },
    { "x-cp1252", "WINDOWS-1252" },
    { "win-1252", "WINDOWS-1252" },
    /* ISO-8859-9 differs from windows-1254 only in 0x80-0x9F. */
    { "iso-8859-9", "WINDOWS-1254" },
    { "iso8859-9", "WINDOWS-1254" },
    { "iso_8859-9", "WINDOWS-1254" },
    { "latin5", "WINDOWS-1254" },
    { "l5", "WINDOWS-1254" },
    { "latin9", "ISO-8859-15" },
    { "latin-9", "ISO-8859-15" },
    { "x-cp1250", "WINDOWS-1250" },
    { "x-cp1251", "WINDOWS-1251" },
    /* Unicode. */
    { "utf-8", "UTF-8" },
    { "utf8", "UTF-8" },
    { "x-utf8", "UTF-8" },
    { "x-utf-8", "UTF-8" },
    { "unicode-1-1-utf-8", "UTF-8" },
    { "unicode-2-0-utf-8", "UTF-8" },
    { "x-unicode20utf8", "UTF-8" },
    { "utf-7", "UTF-7" },
    { "utf7", "UTF-7" },
    { "unicode-1-1-utf-7", "UTF-7" },
    { "x-unicode-2-0-utf-7", "UTF-7" },
    { "csunicode11utf7", "UTF-7" },
    /* Korean: CP949 is a superset of EUC-KR (Outlook's labels). */
    { "ks_c_5601-1987", "CP949" },
    { "ks_c_5601-1989", "CP949" },
    { "ks_c_5601", "CP949" },
    { "ksc_5601", "CP949" },
    { "ksc5601", "CP949" },
    { "x-windows-949", "CP949" },
    { "windows-949", "CP949" },
    { "ms949", "CP949" },
    { "euc-kr", "CP949" },
    { "x-euc-kr", "CP949" },
    { "cseuckr", "CP949" },
    { "korean", "CP949" },
    { "csksc56011987", "CP949" },
    { "iso-ir-149", "CP949" },
    /* Simplified Chinese: GB18030 contains GBK contains GB2312. */
    { "gb2312", "GB18030" },
    { "gb_2312", "GB18030" },
    { "gb_2312-80", "GB18030" },
    { "csgb2312", "GB18030" },
    { "chinese", "GB18030" },
    { "iso-ir-58", "GB18030" },
    { "euc-cn", "GB18030" },
    { "x-euc-cn", "GB18030" },
    { "gbk", "GB18030" },
    { "x-gbk", "GB18030" },
    { "cp936", "GB18030" },
    { "ms936", "GB18030" },
    { "windows-936", "GB18030" },
    /* Traditional Chinese. */
    { "big5", "BIG5-HKSCS" },
    { "big-5", "BIG5-HKSCS" },
    { "x-x-big5", "BIG5-HKSCS" },
    { "x-big5", "BIG5-HKSCS" },
    { "csbig5", "BIG5-HKSCS" },
    { "cn-big5", "BIG5-HKSCS" },
    { "big5hkscs", "BIG5-HKSCS" },
    /* Japanese: Windows' Shift_JIS is CP932; see iso2022jp_to_cp932. */
    { "shift_jis", "CP932" },
    { "shift-jis", "CP932" },
    { "x-shift_jis", "CP932" },
    { "sjis", "CP932" },
    { "x-sjis", "CP932" },
    { "ms_kanji", "CP932" },
    { "csshiftjis", "CP932" },
    { "windows-31j", "CP932" },
    { "ms932", "CP932" },
    { "x-ms-cp932", "CP932" },
    { "euc-jp", "EUC-JP-MS" },
    { "x-euc-jp", "EUC-JP-MS" },
    { "eucjp", "EUC-JP-MS" },
    { "cseucpkdfmtjapanese", "EUC-JP-MS" },
    { "iso-2022-jp", "ISO-2022-JP" },
    { "iso2022jp", "ISO-2022-JP" },
    { "csiso2022jp", "ISO-2022-JP" },
    { "cp50220", "ISO-2022-JP" },
    { "cp50221", "ISO-2022-JP" },
    { "cp50222", "ISO-2022-JP" },
    { "x-cp50220", "ISO-2022-JP" },
    { "x-cp50221", "ISO-2022-JP" },
    /* Thai: windows-874 is a superset of TIS-620 and ISO-8859-11. */
    { "tis-620", "WINDOWS-874" },
    { "tis620", "WINDOWS-874" },
    { "iso-8859-11", "WINDOWS-874" },
    { "windows-874", "WINDOWS-874" },
    { "x-windows-874", "WINDOWS-874" },
    { "cp874", "WINDOWS-874" },
    { "dos-874", "WINDOWS-874" },
    /* Hebrew and Arabic "logical order" labels name the same bytes. */
    { "iso-8859-8-i", "ISO-8859-8" },
    { "iso-8859-8-e", "ISO-8859-8" },
    { "iso_8859-8-i", "ISO-8859-8" },
    { "csiso88598i", "ISO-8859-8" },
    { "logical", "ISO-8859-8" },
    { "visual", "ISO-8859-8" },
    { "iso-8859-6-i", "ISO-8859-6" },
    { "iso-8859-6-e", "ISO-8859-6" },
    /* Macintosh. */
    { "x-mac-roman", "MACINTOSH" },
    { "x-mac", "MACINTOSH" },
    { "mac", "MACINTOSH" },
    { "macintosh", "MACINTOSH" },
    { "csmacintosh", "MACINTOSH" },
    { "x-mac-cyrillic", "MAC-CYRILLIC" },
    { "x-mac-ukrainian", "MAC-CYRILLIC" },
    { "x-mac-ce", "MAC-CENTRALEUROPE" },
    { "x-mac-centraleurroman", "MAC-CENTRALEUROPE" },
};

/* Windows-1252 0x80..0x9F; 0 marks the five unassigned bytes. */
static const gunichar cp1252_high[32] = {
    0x20AC, 0,      0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
    0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0,      0x017D, 0,
    0,      0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
    0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0,      0x017E, 0x0178,
};

#define REPLACEMENT_CHAR 0xFFFD
#define ESC 0x1B
/* Invalid in CP932: marks a broken ISO-2022-JP byte (U+FFFD later). */
#define CP932_BAD_BYTE 0x80

static GHashTable *
alias_table(void)
{
    static gsize once = 0;
    static GHashTable *table = NULL;

    if (g_once_init_enter(&once)) {
        GHashTable *t = g_hash_table_new(g_str_hash, g_str_equal);

        /* The table only reads its keys and values; GHashTable's API
         * is not const-correct, hence the casts through guintptr. */
        for (gsize i = 0; i < G_N_ELEMENTS(charset_aliases); i++)
            g_hash_table_insert(
                t, (gpointer)(guintptr)charset_aliases[i].label,
                (gpointer)(guintptr)charset_aliases[i].iconv_name);
        table = t;
        g_once_init_leave(&once, 1);
    }
    return table;
}

const char *
charset_canonical(const char *label)
{
    char key[64];
    const char *start;
    gsize n;
    const char *found;

    if (label == NULL)
        return NULL;
    /* Mailers write charset="utf-8 " and the like; look past it. */
    start = label;
    while (*start == ' ' || *start == '\t' || *start == '"'
           || *start == '\'')
        start++;
    n = strlen(start);
    while (n > 0
           && (start[n - 1] == ' ' || start[n - 1] == '\t'
               || start[n - 1] == '"' || start[n - 1] == '\''))
        n--;
    if (n == 0 || n >= sizeof key)
        return label;
    for (gsize i = 0; i < n; i++)
        key[i] = g_ascii_tolower(start[i]);
    key[n] = '\0';
    found = g_hash_table_lookup(alias_table(), key);
    return found != NULL ? found : label;
}

static bool
is_escape_designation(const guchar *p, gsize left)
{
    /* p[0] is ESC.  ESC $ @, ESC $ B (JIS X 0208), ESC $ ( D|O|Q (JIS
     * X 0212 / 0213), ESC ( I (half-width katakana), ESC ( J (Roman).
     * ESC ( B alone switches back to ASCII and proves nothing. */
    if (left >= 3 && p[1] == '$' && (p[2] == '@' || p[2] == 'B'))
        return true;
    if (left >= 4 && p[1] == '$' && p[2] == '('
        && (p[3] == 'D' || p[3] == 'O' || p[3] == 'Q'))
        return true;
    if (left >= 3 && p[1] == '(' && (p[2] == 'I' || p[2] == 'J'))
        return true;
    return false;
}

bool
charset_has_iso2022_escapes(const char *data, gsize len)
{
    const guchar *p = (const guchar *)data;
    const guchar *end = p + len;

    while (p < end) {
        const guchar *esc = memchr(p, ESC, (gsize)(end - p));

        if (esc == NULL)
            return false;
        if (is_escape_designation(esc, (gsize)(end - esc)))
            return true;
        p = esc + 1;
    }
    return false;
}

static void
append_unichar(GString *out, gunichar c)
{
    char buf[6];
    int n = g_unichar_to_utf8(c, buf);

    g_string_append_len(out, buf, n);
}

static gunichar
cp1252_to_unichar(guchar b)
{
    gunichar c;

    if (b < 0x80 || b >= 0xA0)
        return b;
    c = cp1252_high[b - 0x80];
    return c != 0 ? c : REPLACEMENT_CHAR;
}

static void
append_cp1252(GString *out, const guchar *p, gsize n)
{
    for (gsize i = 0; i < n; i++) {
        if (p[i] < 0x80)
            g_string_append_c(out, (char)p[i]);
        else
            append_unichar(out, cp1252_to_unichar(p[i]));
    }
}

/* The last resort: keep what is valid UTF-8, read every other byte as
 * windows-1252.  A mostly-UTF-8 text with one stray Latin-1 byte keeps
 * its accents, and a windows-1252 text comes out right unless it holds
 * byte pairs like "Ã©", which real text does not. */
static void
append_mixed(GString *out, const guchar *p, gsize n)
{
    while (n > 0) {
        const char *valid_end;

        g_utf8_validate_len((const char *)p, n, &valid_end);
        gsize ok = (gsize)((const guchar *)valid_end - p);

        g_string_append_len(out, (const char *)p, (gssize)ok);
        p += ok;
        n -= ok;
        if (n > 0) {
            append_unichar(out, cp1252_to_unichar(p[0]));
            p++;
            n--;
        }
    }
}

/* Convert with iconv.  Strict: false (and out unchanged) on the first
 * invalid or incomplete sequence.  Lenient: each bad byte becomes
 * U+FFFD and the count goes to *bad_out.  False too when iconv does not
 * know the charset. */
static bool
convert_iconv(GString *out, const guchar *p, gsize n, const char *name,
              bool lenient, gsize *bad_out)
{
    GIConv cd = g_iconv_open("UTF-8", name);
    gsize start_len = out->len;
    gsize bad = 0;
    char *inbuf = (char *)(guintptr)p; /* iconv(3) does not write it */
    gsize inleft = n;
    bool ok = true;

    if (cd == (GIConv)-1)
        return false;
    while (inleft > 0) {
        char buf[1024];
        char *outbuf = buf;
        gsize outleft = sizeof buf;
        gsize rc = g_iconv(cd, &inbuf, &inleft, &outbuf, &outleft);
        int err = errno;

        g_string_append_len(out, buf, (gssize)(outbuf - buf));
        if (rc != (gsize)-1)
            continue;
        if (err == E2BIG)
            continue;
        if (!lenient) {
            ok = false;
            break;
        }
        append_unichar(out, REPLACEMENT_CHAR);
        bad++;
        /* EINVAL: an incomplete sequence at the end.  A stateful
         * decoder (ISO-2022-CN-EXT, say) may also report EILSEQ after
         * consuming the last byte: nothing is left to skip. */
        if (err == EINVAL || inleft == 0)
            break;
        inbuf++;
        inleft--;
    }
    if (ok) {
        /* Flush: stateful converters (windows-1258's combining marks,
         * ISO-2022 shift states) hold back their last character until
         * told the input has ended. */
        char buf[64];
        char *outbuf = buf;
        gsize outleft = sizeof buf;

        if (g_iconv(cd, NULL, NULL, &outbuf, &outleft) != (gsize)-1)
            g_string_append_len(out, buf, (gssize)(outbuf - buf));
    }
    g_iconv_close(cd);
    if (!ok)
        g_string_truncate(out, start_len);
    if (bad_out != NULL)
        *bad_out = bad;
    return ok;
}

/* JIS X 0208 row/cell bytes (0x21..0x7E each) to Shift_JIS (CP932). */
static void
jis_to_sjis(GString *sjis, guchar j1, guchar j2)
{
    guchar s1 = (guchar)(((j1 + 1) >> 1) + 0x70);
    guchar s2;

    if (s1 >= 0xA0)
        s1 += 0x40;
    if (j1 & 1)
        s2 = (guchar)(j2 + (j2 >= 0x60 ? 0x20 : 0x1F));
    else
        s2 = (guchar)(j2 + 0x7E);
    g_string_append_c(sjis, (char)s1);
    g_string_append_c(sjis, (char)s2);
}

typedef enum {
    JIS_ASCII,
    JIS_KANJI,    /* JIS X 0208 (with the NEC/IBM rows of CP932) */
    JIS_KATAKANA, /* JIS X 0201 half-width katakana */
} JisMode;

/* Rewrite ISO-2022-JP as CP932 bytes, as Windows' CP50221 reads it.
 * Returns false on a designation CP932 cannot hold (JIS X 0212, the
 * ISO-2022-JP-2 sets); the caller then lets iconv try. */
static bool
iso2022jp_to_cp932(GString *sjis, const guchar *p, gsize n)
{
    JisMode mode = JIS_ASCII;
    gsize i = 0;

    while (i < n) {
        guchar c = p[i];

        if (c == ESC) {
            gsize left = n - i;

            if (left >= 3 && p[i + 1] == '$'
                && (p[i + 2] == '@' || p[i + 2] == 'B')) {
                mode = JIS_KANJI;
                i += 3;
            } else if (left >= 3 && p[i + 1] == '('
                       && (p[i + 2] == 'B' || p[i + 2] == 'J'
                           || p[i + 2] == 'H')) {
                mode = JIS_ASCII;
                i += 3;
            } else if (left >= 3 && p[i + 1] == '(' && p[i + 2] == 'I') {
                mode = JIS_KATAKANA;
                i += 3;
            } else if (left >= 2 && (p[i + 1] == '$' || p[i + 1] == '('
                                     || p[i + 1] == '.'
                                     || p[i + 1] == 'N')) {
                return false;
            } else {
                g_string_append_c(sjis, (char)CP932_BAD_BYTE);
                i++;
            }
            continue;
        }
        if (c == '\r' || c == '\n') {
            /* RFC 1468: every line ends in ASCII; be forgiving. */
            mode = JIS_ASCII;
            g_string_append_c(sjis, (char)c);
            i++;
            continue;
        }
        if (c == 0x0E || c == 0x0F) {
            /* SO/SI katakana shift of CP50222. */
            mode = c == 0x0E ? JIS_KATAKANA : JIS_ASCII;
            i++;
            continue;
        }
        switch (mode) {
        case JIS_ASCII:
            g_string_append_c(sjis, (char)c);
            i++;
            break;
        case JIS_KATAKANA:
            if (c >= 0x21 && c <= 0x5F)
                g_string_append_c(sjis, (char)(c + 0x80));
            else
                g_string_append_c(sjis, (char)c);
            i++;
            break;
        case JIS_KANJI:
            if (c >= 0x21 && c <= 0x7E && i + 1 < n && p[i + 1] >= 0x21
                && p[i + 1] <= 0x7E) {
                jis_to_sjis(sjis, c, p[i + 1]);
                i += 2;
            } else if (c == ' ' || c == '\t') {
                g_string_append_c(sjis, (char)c);
                i++;
            } else {
                g_string_append_c(sjis, (char)CP932_BAD_BYTE);
                i++;
            }
            break;
        }
    }
    return true;
}

static void
append_iso2022jp(GString *out, const guchar *p, gsize n)
{
    g_autoptr(GString) sjis = g_string_sized_new(n);

    if (iso2022jp_to_cp932(sjis, p, n))
        convert_iconv(out, (const guchar *)sjis->str, sjis->len, "CP932",
                      true, NULL);
    else if (!convert_iconv(out, p, n, "ISO-2022-JP-2", false, NULL)
             && !convert_iconv(out, p, n, "ISO-2022-JP-3", false, NULL)
             && !convert_iconv(out, p, n, "ISO-2022-JP-2", true, NULL))
        append_mixed(out, p, n);
}

static bool
name_is(const char *name, const char *want)
{
    return name != NULL && g_ascii_strcasecmp(name, want) == 0;
}

/* Charsets whose text may hold NUL bytes or is not ASCII-compatible. */
static bool
is_wide(const char *name)
{
    if (name == NULL)
        return false;
    return g_ascii_strncasecmp(name, "UTF-16", 6) == 0
           || g_ascii_strncasecmp(name, "UTF-32", 6) == 0
           || g_ascii_strncasecmp(name, "UCS-", 4) == 0
           || g_ascii_strncasecmp(name, "UCS2", 4) == 0
           || g_ascii_strncasecmp(name, "UCS4", 4) == 0
           || g_ascii_strcasecmp(name, "UNICODE") == 0;
}

static bool
is_stateful_7bit(const char *name)
{
    return name != NULL
           && (g_ascii_strncasecmp(name, "ISO-2022", 8) == 0
               || g_ascii_strncasecmp(name, "UTF-7", 5) == 0
               || g_ascii_strncasecmp(name, "HZ", 2) == 0);
}

/* Decode as name, strictly; true when that worked. */
static bool
append_strict(GString *out, const guchar *p, gsize n, const char *name,
              bool is_utf8_valid)
{
    if (name_is(name, "UTF-8")) {
        if (!is_utf8_valid)
            return false;
        g_string_append_len(out, (const char *)p, (gssize)n);
        return true;
    }
    if (name_is(name, "WINDOWS-1252")) {
        append_cp1252(out, p, n);
        return true;
    }
    if (name_is(name, "ISO-2022-JP")) {
        append_iso2022jp(out, p, n);
        return true;
    }
    return convert_iconv(out, p, n, name, false, NULL);
}

static bool
append_fallbacks(GString *out, const guchar *p, gsize n,
                 const char *const *fallbacks, bool is_utf8_valid)
{
    if (fallbacks == NULL)
        return false;
    for (gsize i = 0; fallbacks[i] != NULL; i++) {
        const char *name = charset_canonical(fallbacks[i]);

        if (append_strict(out, p, n, name, is_utf8_valid))
            return true;
    }
    return false;
}

static void
decode_into(GString *out, const guchar *p, gsize n, const char *name,
            const char *const *fallbacks)
{
    bool has_8bit = false;
    bool is_utf8_valid;

    for (gsize i = 0; i < n; i++) {
        if (p[i] >= 0x80) {
            has_8bit = true;
            break;
        }
    }
    /* ISO-2022-JP is 7-bit, so it hides under any ASCII-compatible
     * label or none (C20); ESC designations never occur in real text. */
    if (!has_8bit && !is_stateful_7bit(name) && !is_wide(name)
        && charset_has_iso2022_escapes((const char *)p, n)) {
        append_iso2022jp(out, p, n);
        return;
    }
    is_utf8_valid = g_utf8_validate_len((const char *)p, n, NULL);
    if (name != NULL) {
        /* UTF-8 under a Latin-1 or ASCII label is a common mislabel;
         * windows-1252 text is practically never valid UTF-8. */
        if (has_8bit && is_utf8_valid && name_is(name, "WINDOWS-1252")) {
            g_string_append_len(out, (const char *)p, (gssize)n);
            return;
        }
        if (append_strict(out, p, n, name, is_utf8_valid))
            return;
    }
    if (is_utf8_valid) {
        g_string_append_len(out, (const char *)p, (gssize)n);
        return;
    }
    if (append_fallbacks(out, p, n, fallbacks, is_utf8_valid))
        return;
    /* The sender named a charset iconv knows: trust it, losing only
     * the broken bytes, rather than read CJK text as windows-1252. */
    if (name != NULL && !name_is(name, "UTF-8")
        && convert_iconv(out, p, n, name, true, NULL))
        return;
    append_mixed(out, p, n);
}

/* Drop NULs, turn C1 controls into the windows-1252 characters they
 * stand for, and make sure nothing invalid survives. */
static void
sanitize(GString *s)
{
    gsize r = 0;
    gsize w = 0;
    bool needs_c1_fix = false;

    for (r = 0; r < s->len; r++) {
        guchar c = (guchar)s->str[r];

        if (c == 0)
            continue;
        if (c == 0xC2 && r + 1 < s->len && (guchar)s->str[r + 1] >= 0x80
            && (guchar)s->str[r + 1] <= 0x9F)
            needs_c1_fix = true;
        s->str[w++] = (char)c;
    }
    g_string_truncate(s, w);

    if (needs_c1_fix) {
        g_autoptr(GString) fixed = g_string_sized_new(s->len + 16);

        for (r = 0; r < s->len; r++) {
            guchar c = (guchar)s->str[r];

            if (c == 0xC2 && r + 1 < s->len
                && (guchar)s->str[r + 1] >= 0x80
                && (guchar)s->str[r + 1] <= 0x9F) {
                append_unichar(fixed,
                               cp1252_to_unichar((guchar)s->str[r + 1]));
                r++;
            } else {
                g_string_append_c(fixed, (char)c);
            }
        }
        g_string_assign(s, fixed->str);
    }
    if (!g_utf8_validate_len(s->str, s->len, NULL)) {
        g_autofree char *valid = g_utf8_make_valid(s->str, (gssize)s->len);

        g_string_assign(s, valid);
    }
}

char *
charset_to_utf8(const char *data, gssize len, const char *label,
                const char *const *fallbacks)
{
    const guchar *p = (const guchar *)data;
    gsize n;
    const char *name = charset_canonical(label);
    g_autoptr(GString) out = NULL;
    g_autofree guchar *no_nul = NULL;
    bool is_plain_ascii = true;
    bool is_utf7;

    if (data == NULL)
        return g_strdup("");
    n = len < 0 ? strlen(data) : (gsize)len;

    /* Fast path: most headers and many bodies are plain ASCII, which
     * every ASCII-compatible label reads the same way ('+' starts a
     * UTF-7 escape, ESC an ISO-2022 one). */
    is_utf7 = name_is(name, "UTF-7");
    for (gsize i = 0; i < n; i++) {
        if (p[i] >= 0x80 || p[i] == ESC || p[i] == 0
            || (is_utf7 && p[i] == '+')) {
            is_plain_ascii = false;
            break;
        }
    }
    if (is_plain_ascii && !is_wide(name))
        return g_strndup(data, n);

    if (!is_wide(name) && memchr(p, 0, n) != NULL) {
        gsize w = 0;

        no_nul = g_malloc(n);
        for (gsize i = 0; i < n; i++)
            if (p[i] != 0)
                no_nul[w++] = p[i];
        p = no_nul;
        n = w;
    }

    out = g_string_sized_new(n + n / 2 + 1);
    decode_into(out, p, n, name, fallbacks);
    sanitize(out);
    return g_string_free(g_steal_pointer(&out), FALSE);
}
