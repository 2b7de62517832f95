/*
 * test-charset.c - charset labels, conversion ladder and its promises:
 * the result is valid UTF-8 without NUL bytes or C1 controls, whatever
 * the input (DESIGN 3a, cases C20, C21, C22, C23).
 */
#include "config.h"

#include <string.h>

#include <glib.h>

#include "charset.h"

/* Valid UTF-8, no U+0080..U+009F. */
static void
assert_clean_utf8(const char *s)
{
    const char *p;

    g_assert_nonnull(s);
    g_assert_true(g_utf8_validate(s, -1, NULL));
    for (p = s; *p != '\0'; p += g_utf8_skip[*(const guchar *)p]) {
        gunichar c = g_utf8_get_char(p);

        g_assert_false(c >= 0x80 && c <= 0x9F);
    }
}

static const struct {
    const char *label;
    const char *want;
} canonical_cases[] = {
    { "iso-8859-1", "WINDOWS-1252" },
    { "ISO-8859-1", "WINDOWS-1252" },
    { "Latin1", "WINDOWS-1252" },
    { "l1", "WINDOWS-1252" },
    { "iso_8859-1", "WINDOWS-1252" },
    { "US-ASCII", "WINDOWS-1252" },
    { "ascii", "WINDOWS-1252" },
    { "ANSI_X3.4-1968", "WINDOWS-1252" },
    { "windows-1252", "WINDOWS-1252" },
    { "ks_c_5601-1987", "CP949" },
    { "KS_C_5601", "CP949" },
    { "x-windows-949", "CP949" },
    { "euc-kr", "CP949" },
    { "windows-949", "CP949" },
    { "gb2312", "GB18030" },
    { "GBK", "GB18030" },
    { "x-gbk", "GB18030" },
    { "GB_2312-80", "GB18030" },
    { "Shift_JIS", "CP932" },
    { "sjis", "CP932" },
    { "x-sjis", "CP932" },
    { "MS_Kanji", "CP932" },
    { "iso-2022-jp", "ISO-2022-JP" },
    { "euc-jp", "EUC-JP-MS" },
    { "iso-8859-8-i", "ISO-8859-8" },
    { "utf8", "UTF-8" },
    { "UTF-8", "UTF-8" },
    { "unicode-1-1-utf-7", "UTF-7" },
    { "tis-620", "WINDOWS-874" },
    { "windows-874", "WINDOWS-874" },
    { "iso-8859-9", "WINDOWS-1254" },
    { "big5", "BIG5-HKSCS" },
    { "x-mac-roman", "MACINTOSH" },
    { " \"utf-8\" ", "UTF-8" },
    /* Labels iconv knows as they are stay as they are. */
    { "koi8-r", "koi8-r" },
    { "iso-8859-2", "iso-8859-2" },
    { "x-no-such-charset", "x-no-such-charset" },
};

static void
test_canonical(void)
{
    for (gsize i = 0; i < G_N_ELEMENTS(canonical_cases); i++)
        g_assert_cmpstr(charset_canonical(canonical_cases[i].label), ==,
                        canonical_cases[i].want);
    g_assert_null(charset_canonical(NULL));
    /* Unknown labels come back as the same pointer, as documented. */
    const char *odd = "x-odd";
    g_assert_true(charset_canonical(odd) == odd);
}

static const char *const koi8r_fallback[] = { "koi8-r", NULL };
static const char *const sjis_fallback[] = { "shift_jis", NULL };

static const struct {
    const char *data;
    gssize len;
    const char *label;
    const char *const *fallbacks;
    const char *want;
} convert_cases[] = {
    { "hello", -1, "us-ascii", NULL, "hello" },
    { "hello", -1, NULL, NULL, "hello" },
    { "", -1, "utf-8", NULL, "" },
    /* C21: windows-1252 under an iso-8859-1 label. */
    { "caf\xe9", -1, "iso-8859-1", NULL, "café" },
    { "\x93quoted\x94 \x96 49,90 \x80 \x85 O\x92Sullivan", -1, "iso-8859-1",
      NULL, "“quoted” – 49,90 € … O’Sullivan" },
    { "\x93us-ascii\x94", -1, "us-ascii", NULL, "“us-ascii”" },
    /* The five bytes windows-1252 leaves unassigned. */
    { "\x81\x8d\x8f\x90\x9d", -1, "windows-1252", NULL,
      "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd" },
    /* UTF-8 under a Latin-1 label is a mislabel. */
    { "caf\xc3\xa9", -1, "iso-8859-1", NULL, "café" },
    /* No label: UTF-8 if valid, else fallbacks, else windows-1252. */
    { "caf\xc3\xa9", -1, NULL, NULL, "café" },
    { "caf\xe9", -1, NULL, NULL, "café" },
    { "\xf0\xd2\xc9\xd7\xc5\xd4", -1, NULL, koi8r_fallback, "Привет" },
    { "\xf0\xd2\xc9\xd7\xc5\xd4", -1, NULL, NULL, "ðÒÉ×ÅÔ" },
    { "caf\xc3\xa9", -1, NULL, koi8r_fallback, "café" },
    /* Declared UTF-8 that is not: the valid part stays. */
    { "caf\xe9", -1, "utf-8", NULL, "café" },
    { "\xc3\xa9t\xe9", -1, "utf-8", NULL, "été" },
    { "\xc3\xa9t\xe9", -1, "utf-8", koi8r_fallback, "ц╘tИ" },
    /* Unknown label: guessed. */
    { "caf\xe9", -1, "x-no-such-charset", NULL, "café" },
    { "caf\xc3\xa9", -1, "x-no-such-charset", NULL, "café" },
    /* C23 and friends. */
    { "\xb1\xe8\xb9\xce\xc1\xd8", -1, "ks_c_5601-1987", NULL, "김민준" },
    { "VPN \xc1\xa2\xbc\xd3", -1, "euc-kr", NULL, "VPN 접속" },
    { "\xc4\xe3\xba\xc3", -1, "gb2312", NULL, "你好" },
    { "\x93\xfa\x96\x7b", -1, "shift_jis", NULL, "日本" },
    { "\x87\x40", -1, "shift_jis", NULL, "①" },
    { "\x93\xfa\xff", -1, "shift_jis", NULL, "日\xef\xbf\xbd" },
    { "\x93\xfa\x96\x7b", -1, NULL, sjis_fallback, "日本" },
    { "\xb1", -1, "iso-8859-2", NULL, "ą" },
    { "\xcf\xf0\xe8", -1, "windows-1251", NULL, "При" },
    { "\xfe \x80", -1, "iso-8859-9", NULL, "ş €" },
    { "\xe0\xb8", -1, "tis-620", NULL, "เธ" },
    { "\xf0\xd2\xc9", -1, "koi8-r", NULL, "При" },
    /* C20: ISO-2022-JP with no label, an ASCII label or its own. */
    { "\x1b$BF|K\\\x1b(B", -1, NULL, NULL, "日本" },
    { "\x1b$BF|K\\\x1b(B", -1, "us-ascii", NULL, "日本" },
    { "\x1b$BF|K\\\x1b(B", -1, "x-unknown", NULL, "日本" },
    { "\x1b$BF|K\\\x1b(B", -1, "iso-2022-jp", NULL, "日本" },
    { "a\x1b$BF|K\\\x1b(Bb\r\nc", -1, "ISO-2022-JP", NULL, "a日本b\r\nc" },
    /* Half-width katakana and NEC row 13, as Outlook writes them. */
    { "\x1b(I1\x1b(B", -1, "iso-2022-jp", NULL, "ｱ" },
    { "\x1b$B-!\x1b(B", -1, "iso-2022-jp", NULL, "①" },
    /* JIS X 0212 is outside CP932: iconv takes over. */
    { "\x1b$(D\x30\x21\x1b(B", -1, "iso-2022-jp", NULL, "丂" },
    /* A broken byte inside kanji mode costs one character. */
    { "\x1b$BF|\x01K\\\x1b(B", -1, "iso-2022-jp", NULL,
      "日\xef\xbf\xbd本" },
    /* NUL bytes go. */
    { "a\0b", 3, "utf-8", NULL, "ab" },
    { "a\0\xe9", 3, NULL, NULL, "aé" },
    { "a\0b", 3, NULL, NULL, "ab" },
    /* C1 controls in valid UTF-8 are windows-1252 read as Latin-1. */
    { "\xc2\x93x\xc2\x94", -1, NULL, NULL, "“x”" },
    { "\xc2\x93x\xc2\x81", -1, "utf-8", NULL, "“x\xef\xbf\xbd" },
    { "\x93x\x94", -1, "iso-8859-15", NULL, "“x”" },
    /* UTF-7: '+' starts an escape only there. */
    { "Hi +AOk-", -1, "unicode-1-1-utf-7", NULL, "Hi é" },
    { "1+1", -1, "utf-8", NULL, "1+1" },
    /* len counts, not the NUL. */
    { "abcdef", 3, "utf-8", NULL, "abc" },
    /* UTF-16 may hold NULs; they are part of the encoding. */
    { "\xff\xfe" "a\0\xe9\0", 6, "utf-16", NULL, "aé" },
};

static void
test_convert(void)
{
    for (gsize i = 0; i < G_N_ELEMENTS(convert_cases); i++) {
        g_autofree char *got = charset_to_utf8(
            convert_cases[i].data, convert_cases[i].len,
            convert_cases[i].label, convert_cases[i].fallbacks);

        if (g_strcmp0(got, convert_cases[i].want) != 0)
            g_test_message("case %zu", i);
        g_assert_cmpstr(got, ==, convert_cases[i].want);
        assert_clean_utf8(got);
    }
}

static const struct {
    const char *data;
    bool want;
} escape_cases[] = {
    { "plain", false },
    { "\x1b$B", true },
    { "x\x1b$@y", true },
    { "\x1b$(D", true },
    { "\x1b(I", true },
    { "\x1b(B only", false },
    { "\x1b", false },
    { "\x1b$", false },
    { "\x1b[0m colour", false },
};

static void
test_escapes(void)
{
    for (gsize i = 0; i < G_N_ELEMENTS(escape_cases); i++)
        g_assert_true(charset_has_iso2022_escapes(
                          escape_cases[i].data,
                          strlen(escape_cases[i].data))
                      == escape_cases[i].want);
}

/* Whatever goes in, clean UTF-8 comes out, and never more NULs. */
static void
test_random_bytes(void)
{
    static const char *const labels[] = {
        NULL,          "utf-8",       "iso-8859-1", "us-ascii",
        "iso-2022-jp", "shift_jis",   "ks_c_5601-1987", "gb2312",
        "koi8-r",      "x-bogus",     "utf-7",      "big5",
        "euc-jp",      "windows-1251",
    };
    static const char alphabet[] = "\x1b$B(@J\x0e\x0f\x80\x81\x9d\xa4\xc3"
                                   "\xe9\xff\0aZ+-=?\r\n";
    const char *const fallbacks[] = { "koi8-r", NULL };

    for (int round = 0; round < 3000; round++) {
        guint len = (guint)g_test_rand_int_range(0, 64);
        g_autofree char *buf = g_malloc(len + 1);

        for (guint i = 0; i < len; i++) {
            if (g_test_rand_bit())
                buf[i] = (char)g_test_rand_int_range(0, 256);
            else
                buf[i] = alphabet[g_test_rand_int_range(
                    0, (gint32)sizeof alphabet - 1)];
        }
        buf[len] = '\0';
        for (gsize l = 0; l < G_N_ELEMENTS(labels); l++) {
            g_autofree char *got = charset_to_utf8(
                buf, len, labels[l], (round & 1) ? fallbacks : NULL);

            assert_clean_utf8(got);
        }
    }
}

/* A stateful decoder may report a bad sequence after it consumed the
 * last byte; the lenient loop must stop there, not step past the end
 * (found by /charset/random-bytes with one seed in 200). */
static void
test_error_at_end(void)
{
    static const guchar bytes[] = {
        0x72, 0x06, 0xee, 0x2d, 0x82, 0x3d, 0x73, 0xba, 0x5d, 0x4a, 0x28,
        0x98, 0x59, 0x24, 0x95, 0x4a, 0x0d, 0xe4, 0x43, 0xe2, 0x5b, 0x28,
        0x42, 0xae, 0xe4, 0xab, 0x7c, 0x8f, 0x0f, 0x00, 0x3d, 0x2d, 0x00,
        0xa5, 0xff, 0x1b, 0x0e, 0x88, 0x61, 0x00, 0x9d, 0xa4, 0x0e,
    };
    /* The same bytes, on the heap and exactly as long, so a read past
     * the end is caught by ASan and valgrind. */
    g_autofree char *buf = g_memdup2(bytes, sizeof bytes);
    g_autofree char *got =
        charset_to_utf8(buf, sizeof bytes, "iso-2022-cn-ext", NULL);

    assert_clean_utf8(got);
    g_assert_nonnull(strstr(got, "\xef\xbf\xbd"));
}

/* The fast paths: large ASCII and UTF-8 bodies come back unchanged. */
static void
test_large(void)
{
    g_autoptr(GString) ascii = g_string_new(NULL);
    g_autoptr(GString) utf8 = g_string_new(NULL);

    for (int i = 0; i < 20000; i++) {
        g_string_append(ascii, "The quick brown fox + 1 = 2. ");
        g_string_append(utf8, "Grüße, 日本, €. ");
    }
    for (int rep = 0; rep < 20; rep++) {
        g_autofree char *a = charset_to_utf8(ascii->str, -1, "us-ascii",
                                             NULL);
        g_autofree char *u = charset_to_utf8(utf8->str, -1, "utf-8", NULL);
        g_autofree char *n = charset_to_utf8(utf8->str, -1, NULL, NULL);

        g_assert_cmpstr(a, ==, ascii->str);
        g_assert_cmpstr(u, ==, utf8->str);
        g_assert_cmpstr(n, ==, utf8->str);
    }
}

/* glibc's windows-1258 holds the last character back until the
 * converter is flushed (Zammad's mail072: "Val\xe9rie Oury"). */
static void
test_flush(void)
{
    g_autofree char *got = charset_to_utf8("Val\xe9rie Oury", -1,
                                           "windows-1258", NULL);

    g_assert_cmpstr(got, ==, "Val\xc3\xa9rie Oury");
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/charset/canonical", test_canonical);
    g_test_add_func("/charset/convert", test_convert);
    g_test_add_func("/charset/iso2022-escapes", test_escapes);
    g_test_add_func("/charset/random-bytes", test_random_bytes);
    g_test_add_func("/charset/error-at-end", test_error_at_end);
    g_test_add_func("/charset/large", test_large);
    g_test_add_func("/charset/flush", test_flush);
    return g_test_run();
}
