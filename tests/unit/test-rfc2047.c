/*
 * test-rfc2047.c - encoded-words as RFC 2047 writes them (section 8)
 * and as real mailers write them (cases C18, C20-C24): split
 * characters, padded words, glued and empty words, mislabelled and
 * unlabelled 8-bit headers, and garbage.  Structured repairs are also
 * fed to GMime's address parser, which is what parse.c does with them.
 */
#include "config.h"

#include <string.h>

#include <glib.h>
#include <gmime/gmime.h>

#include "rfc2047.h"

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

static const char *const koi8r[] = { "koi8-r", NULL };

static const struct {
    const char *raw;
    const char *const *fallbacks;
    const char *want;
} decode_cases[] = {
    /* RFC 2047 section 8. */
    { "=?US-ASCII?Q?Keith_Moore?=", NULL, "Keith Moore" },
    { "=?ISO-8859-1?Q?Keld_J=F8rn_Simonsen?=", NULL, "Keld Jørn Simonsen" },
    /* No "?" in encoded-text: the syntax of a second word hides in it
     * (mail117); a raw "?" right before "?=" is let through. */
    { "=?utf-8?Q?attacker?Q?agent?=", NULL, "=?utf-8?Q?attacker?Q?agent?=" },
    { "=?utf-8?Q?why?\?=", NULL, "why?" },
    { "=?ISO-8859-1?Q?Andr=E9?= Pirard", NULL, "André Pirard" },
    { "=?ISO-8859-1?B?SWYgeW91IGNhbiByZWFkIHRoaXMgeW8=?=\r\n"
      "    =?ISO-8859-2?B?dSB1bmRlcnN0YW5kIHRoZSBleGFtcGxlLg==?=",
      NULL, "If you can read this you understand the example." },
    { "=?ISO-8859-1?Q?Olle_J=E4rnefors?=", NULL, "Olle Järnefors" },
    { "=?ISO-8859-1?Q?Patrik_F=E4ltstr=F6m?=", NULL, "Patrik Fältström" },
    { "(=?ISO-8859-1?Q?a?=)", NULL, "(a)" },
    { "(=?ISO-8859-1?Q?a?= b)", NULL, "(a b)" },
    { "(=?ISO-8859-1?Q?a?= =?ISO-8859-1?Q?b?=)", NULL, "(ab)" },
    { "(=?ISO-8859-1?Q?a?=  =?ISO-8859-1?Q?b?=)", NULL, "(ab)" },
    { "(=?ISO-8859-1?Q?a?=\r\n    =?ISO-8859-1?Q?b?=)", NULL, "(ab)" },
    { "(=?ISO-8859-1?Q?a_b?=)", NULL, "(a b)" },
    { "(=?ISO-8859-1?Q?a?= =?ISO-8859-2?Q?_b?=)", NULL, "(a b)" },
    /* Case-insensitive B and Q, RFC 2231 language suffix. */
    { "=?UTF-8?b?w6k=?=", NULL, "é" },
    { "=?utf-8?q?=c3=a9?=", NULL, "é" },
    { "=?utf-8*en?Q?hi?=", NULL, "hi" },
    /* Bytes joined across words in one charset, even under two
     * spellings of it; charsets that differ are converted apart. */
    { "=?UTF-8?Q?=C3?= =?utf8?Q?=A9?=", NULL, "é" },
    { "=?iso-8859-1?Q?=E9?= =?utf-8?Q?=C3=A9?=", NULL, "éé" },
    /* Padding in the middle of a run or of a word (GMime 3.2.13). */
    { "=?utf-8?B?YQ==?= =?utf-8?B?Yg==?= =?utf-8?B?Yw==?=", NULL, "abc" },
    { "=?utf-8?B?YQ==YQ==?=", NULL, "aa" },
    /* Lenient base64: junk skipped, padding optional. */
    { "=?utf-8?B?w6k*!?=", NULL, "é" },
    { "=?utf-8?B?w6k?=", NULL, "é" },
    { "=?utf-8?B?w 6k=?=", NULL, "é" },
    /* Glued and empty words (C24). */
    { "pre=?utf-8?Q?mid?=post", NULL, "premidpost" },
    { "=?utf-8?Q?\?=", NULL, "" },
    { "a =?utf-8?Q?\?= b", NULL, "a b" },
    { "=?utf-8?B?\?= x", NULL, "x" },
    /* Not words: kept as text. */
    { "=?utf-8?Q?abc", NULL, "=?utf-8?Q?abc" },
    { "=?utf-8?Q?abc =?utf-8?Q?def?=", NULL, "=?utf-8?Q?abc def" },
    { "=?utf-8?X?abc?=", NULL, "=?utf-8?X?abc?=" },
    { "=??Q?abc?=", NULL, "=??Q?abc?=" },
    { "what?= =?", NULL, "what?= =?" },
    { "a=?b", NULL, "a=?b" },
    /* Q details: stray "=", "_" and NUL. */
    { "=?utf-8?Q?1=2=3D?=", NULL, "1=2=" },
    { "=?utf-8?Q?a=00b?=", NULL, "ab" },
    { "=?utf-8?Q?a=0D=0Ab?=", NULL, "a  b" },
    /* C21: windows-1252 smart quotes under iso-8859-1. */
    { "=?iso-8859-1?Q?=93Hi=94_=96_=80_=85?=", NULL, "“Hi” – € …" },
    /* ISO-2022-JP: one word, then the escape split between words. */
    { "=?iso-2022-jp?B?GyRCQEE1YT1xJE46RkgvOVQkTiQqNGokJBsoQg==?=", NULL,
      "請求書の再発行のお願い" },
    { "=?ISO-2022-JP?B?GyRCQA==?=\r\n =?ISO-2022-JP?B?"
      "QTVhPXEkTjpGSC85VCROJCo0aiQkGyhC?=",
      NULL, "請求書の再発行のお願い" },
    { "=?iso-2022-jp?B?GyQ=?= =?iso-2022-jp?B?"
      "QkBBNWE9cSROOkZILzlUJE4kKjRqJCQbKEI=?=",
      NULL, "請求書の再発行のお願い" },
    /* GB2312 read as GB18030; unknown charsets guessed. */
    { "=?gb2312?B?xOO6ww==?=", NULL, "你好" },
    { "=?x-unknown?Q?caf=E9?=", NULL, "café" },
    { "=?x-unknown?Q?caf=C3=A9?=", NULL, "café" },
    /* Raw 8-bit: UTF-8, else the fallbacks, else windows-1252. */
    { "caf\xc3\xa9", NULL, "café" },
    { "caf\xe9", NULL, "café" },
    { "\xf0\xd2\xc9\xd7\xc5\xd4 =?utf-8?Q?=C3=A9?=", koi8r, "Привет é" },
    /* Unfolding and trimming; tabs and breaks become spaces. */
    { "  Hello\r\n\tworld  ", NULL, "Hello world" },
    { "Hello\n  world", NULL, "Hello world" },
    { "a\tb", NULL, "a b" },
    { "", NULL, "" },
    { "\r\n ", NULL, "" },
};

static void
test_decode(void)
{
    for (gsize i = 0; i < G_N_ELEMENTS(decode_cases); i++) {
        g_autofree char *got = rfc2047_decode(decode_cases[i].raw,
                                              decode_cases[i].fallbacks);

        if (g_strcmp0(got, decode_cases[i].want) != 0)
            g_test_message("case %zu: %s", i, decode_cases[i].raw);
        g_assert_cmpstr(got, ==, decode_cases[i].want);
        assert_clean_utf8(got);
    }
    g_autofree char *null_in = rfc2047_decode(NULL, NULL);
    g_assert_cmpstr(null_in, ==, "");
}

static const struct {
    const char *raw;
    const char *const *fallbacks;
    const char *want;
} repair_cases[] = {
    /* C24: glued to "<". */
    { "=?utf-8?Q?Fran=C3=A7oise_Leclerc?=<francoise.leclerc@example.net>",
      NULL,
      "=?UTF-8?B?RnJhbsOnb2lzZSBMZWNsZXJj?= "
      "<francoise.leclerc@example.net>" },
    { "=?utf-8?Q?Fran=C3=A7oise?= =?utf-8?Q?_Leclerc?="
      "<francoise.leclerc@example.net>",
      NULL,
      "=?UTF-8?B?RnJhbsOnb2lzZSBMZWNsZXJj?= "
      "<francoise.leclerc@example.net>" },
    /* C18: a character split between words, padded words. */
    { "=?utf-8?Q?S=C3=B8ren_Kj=C3?=\r\n =?utf-8?Q?=A6rgaard?= <s@x>", NULL,
      "=?UTF-8?B?U8O4cmVuIEtqw6ZyZ2FhcmQ=?= <s@x>" },
    { "=?utf-8?B?U8O4cmVu?= =?utf-8?B?IEtqw6ZyZ2FhcmQ=?= <s@x>", NULL,
      "=?UTF-8?B?U8O4cmVuIEtqw6ZyZ2FhcmQ=?= <s@x>" },
    /* C21: re-encoded as UTF-8 with windows-1252's quote. */
    { "=?iso-8859-1?Q?Niamh_O=92Sullivan?= <n@x>", NULL,
      "=?UTF-8?B?TmlhbWggT+KAmVN1bGxpdmFu?= <n@x>" },
    /* Raw bytes: UTF-8 stays, KOI8-R via the fallback becomes UTF-8. */
    { "Zo\xc3\xab <z@x>", NULL, "Zoë <z@x>" },
    { "\xef\xcc\xd8\xc7\xc1 <o@x>", koi8r, "Ольга <o@x>" },
    /* Words in quotes and comments are written decoded and escaped. */
    { "\"=?utf-8?Q?Doe=2C_John?=\" <j@x>", NULL, "\"Doe, John\" <j@x>" },
    { "\"=?utf-8?Q?a=22b=5C?=\" <j@x>", NULL, "\"a\\\"b\\\\\" <j@x>" },
    { "\"=?utf-8?Q?J=C3=B6?= =?utf-8?Q?rg?=\" <j@x>", NULL,
      "\"Jörg\" <j@x>" },
    { "j@x (=?utf-8?Q?J=C3=B6rg_=28IT=29?=)", NULL, "j@x (Jörg \\(IT\\))" },
    /* Syntax untouched. */
    { "\"support@example.com\" <support@example.com>", NULL,
      "\"support@example.com\" <support@example.com>" },
    { "a@x, \"B, C\" <b@x>; (c) d@x", NULL,
      "a@x, \"B, C\" <b@x>; (c) d@x" },
    { "\"a \\\"=?q\" <a@x>", NULL, "\"a \\\"=?q\" <a@x>" },
    /* Several addresses, glued text on both sides, empty words. */
    { "=?utf-8?B?U8O4cmVu?= <a@x>, =?utf-8?Q?J=C3=B6rg?= <b@x>", NULL,
      "=?UTF-8?B?U8O4cmVu?= <a@x>, =?UTF-8?B?SsO2cmc=?= <b@x>" },
    { "foo=?utf-8?Q?x?=bar <a@x>", NULL, "foo =?UTF-8?B?eA==?= bar <a@x>" },
    { "=?utf-8?Q?\?= <a@x>", NULL, "<a@x>" },
    /* RFC 2047 5(3): no words in an addr-spec, bare or in <>; the
     * address is the literal text (mail117, mail118). */
    { "=?utf-8?Q?agent?=@example.com", NULL,
      "=?utf-8?Q?agent?=@example.com" },
    { "a@=?utf-8?Q?x?=", NULL, "a@=?utf-8?Q?x?=" },
    { "=?utf-8?Q?attacker?Q?agent?=@victim.example", NULL,
      "=?utf-8?Q?attacker?Q?agent?=@victim.example" },
    { "=?utf-8?Q?J=C3=B6rg?= <=?utf-8?Q?agent?=@example.com>", NULL,
      "=?UTF-8?B?SsO2cmc=?= <=?utf-8?Q?agent?=@example.com>" },
    /* An unterminated word stops at the quote or bracket. */
    { "\"=?utf-8?Q?abc\" <a@x>", NULL, "\"=?utf-8?Q?abc\" <a@x>" },
    { "=?utf-8?Q?abc<a@x>", NULL, "=?utf-8?Q?abc<a@x>" },
};

static void
test_repair(void)
{
    for (gsize i = 0; i < G_N_ELEMENTS(repair_cases); i++) {
        g_autofree char *got = rfc2047_repair_structured(
            repair_cases[i].raw, repair_cases[i].fallbacks);

        if (g_strcmp0(got, repair_cases[i].want) != 0)
            g_test_message("case %zu: %s", i, repair_cases[i].raw);
        g_assert_cmpstr(got, ==, repair_cases[i].want);
        assert_clean_utf8(got);
    }
}

/* The raw value of header name in a case file, folding kept. */
static char *
case_header(const char *case_dir, const char *file, const char *name)
{
    const char *srcdir = g_getenv("MT_SRCDIR");
    g_autofree char *path = NULL;
    g_autofree char *data = NULL;
    gsize len = 0;
    g_autoptr(GError) error = NULL;
    gsize name_len = strlen(name);
    const char *p;

    if (srcdir == NULL)
        srcdir = ".";
    path = g_build_filename(srcdir, "tests", "cases", case_dir, file, NULL);
    if (!g_file_get_contents(path, &data, &len, &error))
        g_error("cannot read '%s': %s", path, error->message);
    p = data;
    while (*p != '\0' && *p != '\r' && *p != '\n') {
        const char *eol = strchr(p, '\n');
        const char *end;

        if (g_ascii_strncasecmp(p, name, name_len) == 0
            && p[name_len] == ':') {
            const char *v = p + name_len + 1;

            /* The value runs to the first line break not followed by
             * a blank. */
            end = v;
            while (*end != '\0') {
                const char *nl = strchr(end, '\n');

                if (nl == NULL) {
                    end += strlen(end);
                    break;
                }
                end = nl + 1;
                if (*end != ' ' && *end != '\t')
                    break;
            }
            while (end > v && (end[-1] == '\n' || end[-1] == '\r'))
                end--;
            while (*v == ' ' || *v == '\t')
                v++;
            return g_strndup(v, (gsize)(end - v));
        }
        if (eol == NULL)
            break;
        p = eol + 1;
    }
    g_error("no %s header in %s/%s", name, case_dir, file);
    return NULL;
}

static const struct {
    const char *case_dir;
    const char *file;
    const char *fallback; /* the first text part's charset */
    const char *subject;  /* expect.json subject_decoded */
    const char *display;  /* expect.json from_display_decoded */
} real_cases[] = {
    { "C18", "01.eml", "utf-8",
      "Störung: Zeiterfassung überträgt Überstunden nicht",
      "Søren Kjærgaard" },
    { "C18", "02.eml", "utf-8",
      "AW: Störung: Zeiterfassung [#1001] – betrifft auch Werk Süd",
      "Søren Kjærgaard" },
    { "C20", "01.eml", NULL, "請求書の再発行のお願い", "佐藤 健" },
    { "C21", "01.eml", "iso-8859-1", "Refund for order 7734 – still missing",
      "Niamh O’Sullivan" },
    { "C22", "01.eml", "utf-8",
      "Rechnungsprüfung: Freigabe hängt seit Freitag",
      "Zoë Lindqvist-Åberg" },
    { "C22", "02.eml", "koi8-r", "Не приходят уведомления о новых заявках",
      "Ольга Смирнова" },
    { "C23", "01.eml", "ks_c_5601-1987", "VPN 접속 오류 문의", "김민준" },
    { "C24", "01.eml", "utf-8", "[EXTERNAL]Réclamation facture n° 2025-311",
      "Françoise Leclerc" },
    { "C24", "02.eml", "utf-8",
      "RE:[EXTERNAL][#1001] Réclamation facture n° 2025-311",
      "Françoise Leclerc" },
};

/* Subject through rfc2047_decode; From through the repair and GMime's
 * address parser, as parse.c does. */
static void
test_real_cases(void)
{
    for (gsize i = 0; i < G_N_ELEMENTS(real_cases); i++) {
        const char *fallbacks[] = { real_cases[i].fallback, NULL };
        g_autofree char *subject_raw = case_header(
            real_cases[i].case_dir, real_cases[i].file, "Subject");
        g_autofree char *from_raw = case_header(
            real_cases[i].case_dir, real_cases[i].file, "From");
        g_autofree char *subject = rfc2047_decode(subject_raw, fallbacks);
        g_autofree char *from = rfc2047_repair_structured(from_raw,
                                                          fallbacks);
        InternetAddressList *list = NULL;
        InternetAddress *ia;

        g_test_message("%s/%s", real_cases[i].case_dir, real_cases[i].file);
        g_assert_cmpstr(subject, ==, real_cases[i].subject);
        assert_clean_utf8(from);
        list = internet_address_list_parse(NULL, from);
        g_assert_nonnull(list);
        g_assert_cmpint(internet_address_list_length(list), ==, 1);
        ia = internet_address_list_get_address(list, 0);
        g_assert_cmpstr(internet_address_get_name(ia), ==,
                        real_cases[i].display);
        g_object_unref(list);
    }
}

/* Hostile input: output is clean UTF-8 and the work stays linear. */
static void
test_garbage(void)
{
    static const char *const pieces[] = {
        "=?", "?=", "utf-8", "iso-2022-jp", "iso-8859-1", "?Q?", "?B?",
        "?q?", "=C3", "=A9", "=1B$B", "\x1b$B", "GyRC", "w6k=", "==",
        "\xff", "\x80", "\xc3", "\x93", " ", "\r\n ", "\r\n", "\"", "<",
        ">", "(", ")", "\\", ",", "_", "*", "x", "\xe2\x80\x99",
    };
    g_autoptr(GString) big = g_string_new(NULL);
    const char *const fallbacks[] = { "koi8-r", NULL };
    gint64 t0;

    for (int i = 0; i < 50000; i++)
        g_string_append(big, "=?");
    t0 = g_get_monotonic_time();
    {
        g_autofree char *d = rfc2047_decode(big->str, NULL);
        g_autofree char *r = rfc2047_repair_structured(big->str, NULL);

        g_assert_cmpstr(d, ==, big->str);
        g_assert_cmpstr(r, ==, big->str);
    }
    g_string_truncate(big, 0);
    for (int i = 0; i < 10000; i++)
        g_string_append(big, "=?utf-8?Q?");
    {
        g_autofree char *d = rfc2047_decode(big->str, NULL);

        g_assert_cmpstr(d, ==, big->str);
    }
    g_string_truncate(big, 0);
    for (int i = 0; i < 10000; i++)
        g_string_append(big, "=?utf-8?B?w6k=?= ");
    {
        g_autofree char *d = rfc2047_decode(big->str, NULL);
        g_autofree char *r = rfc2047_repair_structured(big->str, NULL);

        g_assert_cmpuint(strlen(d), ==, 20000);
        assert_clean_utf8(r);
    }
    /* Quadratic behaviour would take minutes here. */
    g_assert_cmpint(g_get_monotonic_time() - t0, <, 5 * G_USEC_PER_SEC);

    for (int round = 0; round < 5000; round++) {
        g_autoptr(GString) s = g_string_new(NULL);
        int count = g_test_rand_int_range(0, 24);

        for (int k = 0; k < count; k++) {
            if (g_test_rand_int_range(0, 8) == 0)
                g_string_append_c(
                    s, (char)g_test_rand_int_range(1, 256));
            else
                g_string_append(s, pieces[g_test_rand_int_range(
                                       0, G_N_ELEMENTS(pieces))]);
        }
        {
            const char *const *fb = (round & 1) ? fallbacks : NULL;
            g_autofree char *d = rfc2047_decode(s->str, fb);
            g_autofree char *r = rfc2047_repair_structured(s->str, fb);

            assert_clean_utf8(d);
            assert_clean_utf8(r);
            g_assert_null(strchr(d, '\n'));
            g_assert_null(strchr(r, '\n'));
        }
    }
}

int
main(int argc, char **argv)
{
    int rc;

    g_test_init(&argc, &argv, NULL);
    g_mime_init();
    g_test_add_func("/rfc2047/decode", test_decode);
    g_test_add_func("/rfc2047/repair-structured", test_repair);
    g_test_add_func("/rfc2047/real-cases", test_real_cases);
    g_test_add_func("/rfc2047/garbage", test_garbage);
    rc = g_test_run();
    g_mime_shutdown();
    return rc;
}
