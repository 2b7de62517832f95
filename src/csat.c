/*
 * csat.c - is a customer's reply a satisfaction score?
 *
 * Owns the grammar of a rating reply: a score at the very start of the
 * new text (digits, number words, or quality words in the languages the
 * subject normaliser of thread.c knows), then the comment.  It does not
 * decide when a reply may be a rating, and it stores nothing.
 *
 * The grammar errs on the side of "not a score": a misread follow-up
 * would leave a customer's new problem on a resolved ticket, while a
 * missed rating only costs one reopened ticket an agent closes again.
 * So a digit must stand alone ("2FA is broken", "5 more questions" and
 * "1. the printer" are not scores) and a word must stand alone on its
 * line or before "!", "-" or ":" ("Good morning", "OK, I tried that"
 * are not scores).  "OK" is no score at all: it is how people say
 * "thanks" to a resolution.
 */
#include "config.h"

#include "csat.h"

#include <string.h>

#include <glib.h>

/* Number words and quality words, by score; compared after
 * casefolding.  Unaccented spellings are listed too, as people type
 * them on foreign keyboards. */
static const struct {
    const char *phrase;
    int score;
} words[] = {
    /* English */
    { "one", 1 }, { "two", 2 }, { "three", 3 }, { "four", 4 },
    { "five", 5 },
    { "excellent", 5 }, { "great", 5 }, { "perfect", 5 },
    { "outstanding", 5 }, { "superb", 5 }, { "awesome", 5 },
    { "fantastic", 5 }, { "amazing", 5 }, { "very good", 5 },
    { "good", 4 }, { "average", 3 }, { "so-so", 3 }, { "fair", 3 },
    { "bad", 2 }, { "poor", 1 }, { "very bad", 1 }, { "terrible", 1 },
    { "awful", 1 }, { "horrible", 1 },
    /* German */
    { "eins", 1 }, { "zwei", 2 }, { "drei", 3 }, { "vier", 4 },
    { "fünf", 5 }, { "fuenf", 5 }, { "funf", 5 },
    { "ausgezeichnet", 5 }, { "hervorragend", 5 }, { "sehr gut", 5 },
    { "super", 5 }, { "perfekt", 5 }, { "großartig", 5 }, { "spitze", 5 },
    { "gut", 4 }, { "befriedigend", 3 }, { "mittel", 3 },
    { "geht so", 3 }, { "schlecht", 2 }, { "mangelhaft", 2 },
    { "sehr schlecht", 1 }, { "ungenügend", 1 }, { "furchtbar", 1 },
    { "schrecklich", 1 },
    /* French */
    { "un", 1 }, { "deux", 2 }, { "trois", 3 }, { "quatre", 4 },
    { "cinq", 5 },
    { "parfait", 5 }, { "parfaite", 5 }, { "excellente", 5 },
    { "génial", 5 }, { "très bien", 5 }, { "tres bien", 5 },
    { "bien", 4 }, { "bon", 4 }, { "bonne", 4 }, { "moyen", 3 },
    { "passable", 3 }, { "mauvais", 2 }, { "mauvaise", 2 },
    { "très mauvais", 1 }, { "nul", 1 }, { "nulle", 1 },
    /* Spanish */
    { "uno", 1 }, { "dos", 2 }, { "tres", 3 }, { "cuatro", 4 },
    { "cinco", 5 },
    { "excelente", 5 }, { "perfecto", 5 }, { "genial", 5 },
    { "muy bien", 5 }, { "muy bueno", 5 }, { "estupendo", 5 },
    { "bueno", 4 }, { "regular", 3 }, { "malo", 2 }, { "mal", 2 },
    { "muy malo", 1 }, { "muy mal", 1 }, { "pésimo", 1 }, { "pesimo", 1 },
    /* Italian */
    { "due", 2 }, { "tre", 3 }, { "quattro", 4 }, { "cinque", 5 },
    { "eccellente", 5 }, { "ottimo", 5 }, { "perfetto", 5 },
    { "fantastico", 5 }, { "molto bene", 5 }, { "buono", 4 },
    { "bene", 4 }, { "discreto", 3 }, { "sufficiente", 3 },
    { "cattivo", 2 }, { "male", 2 }, { "pessimo", 1 }, { "terribile", 1 },
    /* Dutch */
    { "een", 1 }, { "één", 1 }, { "twee", 2 }, { "drie", 3 },
    { "vier", 4 }, { "vijf", 5 },
    { "uitstekend", 5 }, { "geweldig", 5 }, { "zeer goed", 5 },
    { "heel goed", 5 }, { "goed", 4 }, { "redelijk", 3 }, { "matig", 3 },
    { "slecht", 2 }, { "zeer slecht", 1 }, { "vreselijk", 1 },
    /* Swedish, Danish, Norwegian, Finnish */
    { "ett", 1 }, { "två", 2 }, { "fyra", 4 }, { "fem", 5 },
    { "fire", 4 }, { "to", 2 },
    { "utmärkt", 5 }, { "jättebra", 5 }, { "mycket bra", 5 },
    { "fremragende", 5 }, { "meget godt", 5 }, { "meget god", 5 },
    { "utmerket", 5 }, { "veldig bra", 5 }, { "bra", 4 }, { "godt", 4 },
    { "god", 4 }, { "okej", 3 }, { "dålig", 2 }, { "dårlig", 2 },
    { "mycket dålig", 1 }, { "usel", 1 }, { "elendig", 1 },
    { "yksi", 1 }, { "kaksi", 2 }, { "kolme", 3 }, { "neljä", 4 },
    { "viisi", 5 }, { "erinomainen", 5 }, { "loistava", 5 },
    { "hyvä", 4 }, { "kohtalainen", 3 }, { "huono", 2 }, { "surkea", 1 },
    /* Portuguese */
    { "um", 1 }, { "dois", 2 }, { "três", 3 }, { "quatro", 4 },
    { "ótimo", 5 }, { "otimo", 5 }, { "perfeito", 5 }, { "muito bom", 5 },
    { "bom", 4 }, { "razoável", 3 }, { "razoavel", 3 }, { "ruim", 2 },
    { "mau", 2 }, { "péssimo", 1 }, { "horrível", 1 },
    /* Polish */
    { "jeden", 1 }, { "dwa", 2 }, { "trzy", 3 }, { "cztery", 4 },
    { "pięć", 5 }, { "piec", 5 },
    { "doskonale", 5 }, { "świetnie", 5 }, { "swietnie", 5 },
    { "bardzo dobrze", 5 }, { "wspaniale", 5 }, { "dobrze", 4 },
    { "dobry", 4 }, { "średnio", 3 }, { "srednio", 3 }, { "słabo", 2 },
    { "źle", 2 }, { "zle", 2 }, { "fatalnie", 1 }, { "okropnie", 1 },
    /* Russian, Ukrainian, Greek, Turkish */
    { "отлично", 5 }, { "хорошо", 4 }, { "нормально", 3 }, { "плохо", 2 },
    { "ужасно", 1 }, { "відмінно", 5 }, { "добре", 4 }, { "погано", 2 },
    { "άριστα", 5 }, { "εξαιρετικά", 5 }, { "καλά", 4 }, { "κακά", 2 },
    { "mükemmel", 5 }, { "harika", 5 }, { "iyi", 4 }, { "orta", 3 },
    { "İyi", 4 }, { "kötü", 2 }, { "berbat", 1 },
    /* Chinese, Japanese, Korean */
    { "非常好", 5 }, { "很好", 5 }, { "好", 4 }, { "一般", 3 }, { "差", 2 },
    { "很差", 1 }, { "最高", 5 }, { "良い", 4 }, { "普通", 3 }, { "悪い", 2 },
    { "최고", 5 }, { "좋음", 4 }, { "보통", 3 }, { "나쁨", 2 },
};

/* Words between a digit and the scale: "4 of 5", "4 von 5". */
static const char *const scale_words[] = {
    "of", "out of", "von", "sur", "de", "su", "van", "av", "af", "z",
    "na", NULL,
};

/* Words after a digit: "5 stars". */
static const char *const star_words[] = {
    "stars", "star", "sterne", "stern", "étoiles", "étoile", "estrellas",
    "stelle", "sterren", "stjärnor", "stjerner", "tähteä", "estrelas",
    "gwiazdki", "gwiazdek", NULL,
};

/* g_utf8_next_char() casts const away, which -Wcast-qual rejects. */
static const char *
next_char(const char *p)
{
    return p + g_utf8_skip[*(const guchar *)p];
}

static bool
is_word_char(const char *p)
{
    gunichar c = g_utf8_get_char_validated(p, -1);

    return *p != '\0' && c != (gunichar)-1 && c != (gunichar)-2 &&
           (g_unichar_isalnum(c) || c == '\'');
}

/* Does p start with phrase (casefolded) as a whole word?  *end_out is
 * the position after it. */
static bool
phrase_at(const char *p, const char *phrase, const char **end_out)
{
    glong n = g_utf8_strlen(phrase, -1);
    const char *q = p;
    g_autofree char *folded_phrase = g_utf8_casefold(phrase, -1);
    g_autofree char *folded = NULL;

    for (glong i = 0; i < n; i++) {
        if (*q == '\0' || *q == '\n')
            return false;
        q = next_char(q);
    }
    folded = g_utf8_casefold(p, q - p);
    if (strcmp(folded, folded_phrase) != 0 || is_word_char(q))
        return false;
    *end_out = q;
    return true;
}

/* The longest quality or number word at p, or 0. */
static int
word_at(const char *p, const char **end_out)
{
    int score = 0;
    gsize best = 0;

    for (guint i = 0; i < G_N_ELEMENTS(words); i++) {
        const char *end = NULL;

        if (phrase_at(p, words[i].phrase, &end) && (gsize)(end - p) > best) {
            best = (gsize)(end - p);
            score = words[i].score;
            *end_out = end;
        }
    }
    return score;
}

static const char *
skip_blanks(const char *p)
{
    while (*p == ' ' || *p == '\t')
        p++;
    return p;
}

/* The first of the list at p, as a whole word. */
static bool
list_at(const char *p, const char *const *list, const char **end_out)
{
    for (; *list != NULL; list++)
        if (phrase_at(p, *list, end_out))
            return true;
    return false;
}

static bool
rest_of_line_empty(const char *p)
{
    p = skip_blanks(p);
    return *p == '\0' || *p == '\n' || *p == '\r';
}

/* Separators that may follow a score; a dash may be typographic. */
static bool
separator_at(const char *p, const char **end_out)
{
    /* ASCII, en and em dash, fullwidth "!" and ":" (CJK input). */
    static const char *const seps[] = {
        "-", "\xe2\x80\x93", "\xe2\x80\x94", ":", "!", "=",
        "\xef\xbc\x81", "\xef\xbc\x9a", NULL,
    };

    for (const char *const *s = seps; *s != NULL; s++)
        if (g_str_has_prefix(p, *s)) {
            *end_out = p + strlen(*s);
            return true;
        }
    return false;
}

/* A digit score at p: "4", "4/5", "4 / 5", "4 of 5", "5 stars",
 * followed by the end of the line, a separator, a comma, or a quality
 * word ("5 great").  *end_out is after the score. */
static int
digit_score_at(const char *p, const char **end_out)
{
    int score;
    bool has_scale = false;
    const char *q, *end = NULL;

    if (*p < '0' + CSAT_MIN || *p > '0' + CSAT_MAX || is_word_char(p + 1))
        return 0;
    score = *p - '0';
    q = skip_blanks(p + 1);
    if (*q == '/' && skip_blanks(q + 1)[0] == '5' &&
        !is_word_char(skip_blanks(q + 1) + 1)) {
        q = skip_blanks(skip_blanks(q + 1) + 1);
        has_scale = true;
    } else if (list_at(q, scale_words, &end) &&
               skip_blanks(end)[0] == '5' &&
               !is_word_char(skip_blanks(end) + 1)) {
        q = skip_blanks(skip_blanks(end) + 1);
        has_scale = true;
    }
    if (list_at(q, star_words, &end)) {
        q = skip_blanks(end);
        has_scale = true;
    }
    /* With its scale ("3/5 slow"), a digit is a score whatever
     * follows. */
    if (has_scale || rest_of_line_empty(q) || separator_at(q, &end) ||
        *q == ',' || *q == ';') {
        *end_out = q;
        return score;
    }
    /* "1. the printer" and "2) the mouse" are a numbered list. */
    if ((*q == '.' || *q == ')') && rest_of_line_empty(q + 1)) {
        *end_out = q + 1;
        return score;
    }
    if (word_at(q, &end) != 0) {
        *end_out = q;
        return score;
    }
    return 0;
}

/* A word score at p, standing alone on its line or before a separator
 * ("Great!", "Sehr gut - danke"); a full stop only at the line end. */
static int
word_score_at(const char *p, const char **end_out)
{
    const char *end = NULL, *sep = NULL;
    int score = word_at(p, &end);

    if (score == 0)
        return 0;
    end = skip_blanks(end);
    if (rest_of_line_empty(end) || separator_at(end, &sep) ||
        (*end == '.' && rest_of_line_empty(end + 1))) {
        *end_out = end;
        return score;
    }
    return 0;
}

bool
csat_parse(const char *text, int *score_out, char **comment_out)
{
    const char *p, *end = NULL;
    g_autofree char *comment = NULL;
    int score;

    if (text == NULL || !g_utf8_validate(text, -1, NULL))
        return false;
    p = text;
    while (g_ascii_isspace(*p))
        p++;
    score = digit_score_at(p, &end);
    if (score == 0)
        score = word_score_at(p, &end);
    if (score == 0)
        return false;
    /* The comment: what follows the score and its separators. */
    while (*end != '\0' &&
           (g_ascii_isspace(*end) || strchr("-:!=,;.", *end) != NULL))
        end++;
    while (g_str_has_prefix(end, "\xe2\x80\x93") ||
           g_str_has_prefix(end, "\xe2\x80\x94") ||
           g_str_has_prefix(end, "\xef\xbc\x81") ||
           g_str_has_prefix(end, "\xef\xbc\x9a")) {
        end += 3;
        while (g_ascii_isspace(*end))
            end++;
    }
    comment = g_strstrip(g_strdup(end));
    *score_out = score;
    *comment_out = *comment != '\0' ? g_steal_pointer(&comment) : NULL;
    return true;
}
