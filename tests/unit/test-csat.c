/*
 * test-csat.c - csat_parse(): digits in their usual shapes, number and
 * quality words in every language of the subject normaliser, and the
 * replies that only look like a score.
 */
#include "config.h"

#include <glib.h>

#include "csat.h"

static const struct {
    const char *text;
    int score; /* 0: not a score */
    const char *comment;
} cases[] = {
    /* digits */
    { "5", 5, NULL },
    { "  4\n", 4, NULL },
    { "5/5", 5, NULL },
    { "3 / 5 it took a while", 3, "it took a while" },
    { "4 of 5", 4, NULL },
    { "4 out of 5, slow but friendly", 4, "slow but friendly" },
    { "4 von 5", 4, NULL },
    { "2 sur 5 - trop lent", 2, "trop lent" },
    { "4 - good", 4, "good" },
    { "5 - great, thanks for the quick fix", 5,
      "great, thanks for the quick fix" },
    { "5 great", 5, "great" },
    { "5 stars!", 5, NULL },
    { "1: nobody read my mail", 1, "nobody read my mail" },
    { "3\n\nIt works, but it took a week.", 3,
      "It works, but it took a week." },
    { "2, the fix broke something else", 2,
      "the fix broke something else" },
    { "5.", 5, NULL },
    { "4 \xe2\x80\x93 quick and friendly", 4, "quick and friendly" },
    /* English words */
    { "Great!", 5, NULL },
    { "Excellent", 5, NULL },
    { "Excellent - thank you so much", 5, "thank you so much" },
    { "very good.", 5, NULL },
    { "Good\nThanks a lot", 4, "Thanks a lot" },
    { "Poor", 1, NULL },
    { "poor: nobody called back", 1, "nobody called back" },
    { "Bad", 2, NULL },
    { "Five", 5, NULL },
    /* German */
    { "Sehr gut!", 5, NULL },
    { "gut", 4, NULL },
    { "Fünf - danke", 5, "danke" },
    { "FÜNF", 5, NULL },
    { "schlecht", 2, NULL },
    { "Großartig!", 5, NULL },
    /* French */
    { "Très bien", 5, NULL },
    { "cinq", 5, NULL },
    { "mauvais", 2, NULL },
    /* Spanish */
    { "Excelente", 5, NULL },
    { "cuatro", 4, NULL },
    { "muy mal: nadie contestó", 1, "nadie contestó" },
    /* Italian */
    { "Ottimo!", 5, NULL },
    { "tre", 3, NULL },
    { "pessimo", 1, NULL },
    /* Dutch */
    { "Uitstekend", 5, NULL },
    { "vier", 4, NULL },
    { "slecht", 2, NULL },
    /* Nordic */
    { "Mycket bra!", 5, NULL },
    { "fem", 5, NULL },
    { "dårlig", 2, NULL },
    { "Erinomainen", 5, NULL },
    { "neljä", 4, NULL },
    /* Portuguese */
    { "Ótimo", 5, NULL },
    { "três", 3, NULL },
    { "ruim", 2, NULL },
    /* Polish */
    { "Świetnie!", 5, NULL },
    { "pięć", 5, NULL },
    { "słabo", 2, NULL },
    /* Russian, Ukrainian, Greek, Turkish */
    { "Отлично!", 5, NULL },
    { "погано", 2, NULL },
    { "Άριστα", 5, NULL },
    { "İyi", 4, NULL }, /* dotted capital I folds to i + U+0307 */
    { "kötü - çok yavaş", 2, "çok yavaş" },
    /* Chinese, Japanese, Korean */
    { "很好！谢谢", 5, "谢谢" },
    { "好", 4, NULL },
    { "好的，我再试试", 0, NULL },
    { "悪い", 2, NULL },
    { "최고", 5, NULL },
    /* not scores */
    { "5 more questions about the invoice", 0, NULL },
    { "2FA is broken again", 0, NULL },
    { "1. the printer\n2. the scanner", 0, NULL },
    { "2) it still fails", 0, NULL },
    { "10", 0, NULL },
    { "0", 0, NULL },
    { "6/10", 0, NULL },
    { "5.3 is the version that fails", 0, NULL },
    { "Good morning, the problem is back", 0, NULL },
    { "OK, I tried that but it still fails", 0, NULL },
    { "ok", 0, NULL },
    { "Great, but it broke again", 0, NULL },
    { "Bad news: it is broken again", 0, NULL },
    { "Thanks!", 0, NULL },
    { "To whom it may concern", 0, NULL },
    { "Goodbye", 0, NULL },
    { "", 0, NULL },
    { "\n\n", 0, NULL },
};

static void
test_cases(void)
{
    for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
        int score = 0;
        g_autofree char *comment = NULL;
        bool is_score = csat_parse(cases[i].text, &score, &comment);

        g_test_message("case %u: '%s'", i, cases[i].text);
        g_assert_cmpint(is_score ? score : 0, ==, cases[i].score);
        g_assert_cmpstr(comment, ==, cases[i].comment);
    }
}

static void
test_null_and_invalid(void)
{
    int score = 7;
    char *comment = NULL;

    g_assert_false(csat_parse(NULL, &score, &comment));
    g_assert_false(csat_parse("5 \xff\xfe", &score, &comment));
    g_assert_cmpint(score, ==, 7);
    g_assert_null(comment);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/csat/cases", test_cases);
    g_test_add_func("/csat/null-and-invalid", test_null_and_invalid);
    return g_test_run();
}
