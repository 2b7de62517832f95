/*
 * test-html.c - html_to_text(): a table of small conversions, the
 * HTML of case C31 and the mail clients whose markup we see most
 * (Outlook/Word, new Outlook, Gmail), and garbage that must neither
 * crash nor take more than linear time.
 */
#include "config.h"

#include <glib.h>
#include <string.h>

#include "html.h"

static const struct {
    const char *html;
    const char *text;
} cases[] = {
    /* blocks and breaks */
    { "<p>Hello</p><p>World</p>", "Hello\n\nWorld" },
    { "a<br>b<br/><br />c", "a\nb\n\nc" },
    { "<div>a</div><div>b</div>", "a\nb" },
    { "<div><div>a</div></div><div>b</div>", "a\nb" },
    { "<p>a</p><br><br><br><br><p>b</p>", "a\n\nb" },
    { "<h1>Title</h1>text", "Title\n\ntext" },
    { "a<hr>b", "a\n\nb" },
    { "<section>a</section><article>b</article><footer>c</footer>",
      "a\nb\nc" },
    { "<dl><dt>Term</dt><dd>Definition</dd></dl>", "Term\nDefinition" },
    { "<address>Street 1<br>City</address>", "Street 1\nCity" },
    { "<P CLASS=MsoNormal>A</P><p class=\"MsoNormal\">B</p>", "A\nB" },
    /* whitespace */
    { "  lots   of\n\t whitespace  ", "lots of whitespace" },
    { "a\r\nb", "a b" },
    { "x<span> y </span>z", "x y z" },
    { "<b>bold</b><i>italic</i>", "bolditalic" },
    { "<p>   </p><p>  text  </p>  ", "text" },
    { "<pre>  keep\n    this</pre>after", "  keep\n    this\n\nafter" },
    { "<pre>\nfirst</pre>", "first" },
    { "<pre>a  <b>b</b>\n\n\n\nc</pre>", "a  b\n\nc" },
    /* lists and tables */
    { "<ul><li>one</li><li>two<ul><li>nested</li></ul></li></ul>end",
      "- one\n- two\n  - nested\n\nend" },
    { "<ol><li>first<li>second</ol>", "- first\n- second" },
    { "<table><tr><td>a</td><td>b</td></tr>"
      "<tr><td>c</td><td></td><td>d</td></tr></table>",
      "a\tb\nc\td" },
    { "<table><tr><th>Name</th><th>Value</th></tr></table>",
      "Name\tValue" },
    /* links */
    { "<a href=\"https://example.com/x\">the docs</a>.",
      "the docs <https://example.com/x>." },
    { "<a href=\"https://example.com/\">https://example.com</a>",
      "https://example.com" },
    { "<a href=\"http://example.com/a?b=1&amp;c=2\">form</a>",
      "form <http://example.com/a?b=1&c=2>" },
    { "<a href=\"mailto:anna@example.com\">Anna</a>", "Anna" },
    { "<a href=\"#top\">top</a>", "top" },
    { "<a href=\"https://example.com/\"><img src=\"logo.png\"></a>x", "x" },
    { "<a name=\"x\">anchor</a>", "anchor" },
    /* entities */
    { "&lt;tag&gt; &amp; &quot;q&quot; &apos;a&apos;", "<tag> & \"q\" 'a'" },
    { "&euro;5 &ndash; &mdash; &hellip; &laquo;x&raquo;",
      "€5 – — … «x»" },
    { "&lsquo;s&rsquo; &ldquo;d&rdquo; &copy; &reg; &trade; &bull; &rarr;",
      "‘s’ “d” © ® ™ • →" },
    { "&auml;&ouml;&uuml;&szlig;&eacute;&Auml;&Ouml;&Uuml;&ntilde;&ccedil;",
      "äöüßéÄÖÜñç" },
    { "&alpha;&Omega;&le;&ne;&infin;&sum;", "αΩ≤≠∞∑" },
    { "&#8230;|&#x2026;|&#X2026;|&#228|&#xe4", "…|…|…|ä|ä" },
    { "&#147;x&#148; &#150; &#128;", "“x” – €" },
    { "&#0;&#xD800;&#1114112;&#99999999999999999999;",
      "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd" },
    { "&amp &copy 2025 &AMP; &LT;", "& © 2025 & <" },
    { "AT&T fish&chips a & b &; &#; &#x; &unknown; &hellip",
      "AT&T fish&chips a & b &; &#; &#x; &unknown; &hellip" },
    { "?x=1&copy=2", "?x=1&copy=2" },
    { "a&nbsp;b&nbsp;&nbsp;c", "a b  c" },
    { "a\xc2\xa0" "b", "a b" },
    { "Hafen&shy;stra&szlig;e", "Hafenstraße" },
    { "a&#10;b&#9;c", "a b c" },
    /* dropped parts */
    { "<head><title>T</title><style>p { color: red }</style></head>"
      "<body>x</body>", "x" },
    { "<script>if (a<b && c>d) { x = '</p>'; }</script>ok", "ok" },
    { "<SCRIPT type=text/javascript>x</script >y", "y" },
    { "a<!-- hidden -->b<!--[if mso]><p>mso</p><![endif]-->c"
      "<![if !mso]>d<![endif]>e", "abcde" },
    { "a<!---->b<!-->c<!--->d", "abcd" },
    { "<!DOCTYPE html><?xml version=\"1.0\"?><html><body>x</body></html>",
      "x" },
    { "<html><head><meta charset=utf-8>stray</head><body>x</body>",
      "stray\nx" },
    { "<xml><o:OfficeDocumentSettings>junk</o:OfficeDocumentSettings>"
      "</xml>text", "text" },
    /* quoted messages */
    { "<p>new</p><blockquote type=\"cite\"><p>old</p>"
      "<blockquote type=cite>older</blockquote></blockquote>after",
      "new\n\n> old\n\n> > older\n\nafter" },
    { "<blockquote class=\"gmail_quote\">a<br><br>b</blockquote>",
      "> a\n\n> b" },
    { "<blockquote style=\"margin-left:30px\">indented</blockquote>",
      "indented" },
    /* garbage */
    { "a < b and c > d", "a < b and c > d" },
    { "1 <2 <3", "1 <2 <3" },
    { "text <b unterminated", "text <b unterminated" },
    { "before<!-- never closed", "before" },
    { "before<style>never closed", "before" },
    { "<a href=\"x>text</a> more", "text more" },
    { "</>x</ p>y", "</>x</ p>y" },
    { "<div", "<div" },
    { "<", "<" },
    { "&", "&" },
    { "", "" },
    { "</blockquote></ul></pre></a>x", "x" },
};

static void
test_table(void)
{
    for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autofree char *text = html_to_text(cases[i].html, -1);
        g_autofree char *shown = g_strescape(cases[i].html, NULL);

        g_test_message("case %" G_GSIZE_FORMAT ": %s", i, shown);
        g_assert_cmpstr(text, ==, cases[i].text);
    }
}

static void
test_length(void)
{
    g_autofree char *a = html_to_text("<b>abc</b>garbage", 10);
    g_autofree char *b = html_to_text("x&amp;y", 5);
    g_autofree char *c = html_to_text(NULL, 0);

    g_assert_cmpstr(a, ==, "abc");
    g_assert_cmpstr(b, ==, "x&");   /* "&amp" then the end */
    g_assert_cmpstr(c, ==, "");
}

/* Case C31, 01.eml: new Outlook's HTML-only mail (quoted-printable in
 * the file, decoded here). */
static const char c31_01[] =
    "<html><head>\n"
    "<meta http-equiv=\"Content-Type\" content=\"text/html; charset=utf-"
    "8\">\n"
    "<style type=\"text/css\" style=\"display:none;\"> P {margin-top:0;ma"
    "rgin-bottom:0;} </style>\n"
    "</head>\n"
    "<body dir=\"ltr\">\n"
    "<div class=\"elementToProof\" style=\"font-family: Aptos, Calibri, "
    "Helvetica, sans-serif; font-size: 12pt;\">Hello,</div>\n"
    "<div class=\"elementToProof\" style=\"font-family: Aptos, Calibri, "
    "sans-serif;\"><br></div>\n"
    "<div class=\"elementToProof\">the booking page shows an error when"
    " I pick a date in May:</div>\n"
    "<div class=\"elementToProof\"><b>Step&nbsp;1:</b> open the calenda"
    "r<br><b>Step&nbsp;2:</b> choose 12 May<br><b>Result:</b> &quot;E"
    "rror 500 &ndash; please try again&quot;</div>\n"
    "<table style=\"border-collapse:collapse\"><tr><td>Browser</td><td>"
    "Edge 135</td></tr><tr><td>Account</td><td>T-20931</td></tr></tab"
    "le>\n"
    "<div class=\"elementToProof\"><br></div>\n"
    "<div class=\"elementToProof\">Kind regards,<br>Tariq</div>\n"
    "</body>\n"
    "</html>\n";

/* Case C31, 02.eml: HTML part of a mail whose text/plain part is
 * whitespace only. */
static const char c31_02[] =
    "<!DOCTYPE html><html><body><p>Hi,</p><p>could you change the inv"
    "oice address for customer no. 55120 to:<br>Example Trading GmbH<"
    "br>Hafenstra&szlig;e 12<br>20457 Hamburg</p><p>Thanks<br>Lotte</"
    "p></body></html>\n";

static void
assert_contains(const char *text, const char *const *want)
{
    for (gsize i = 0; want[i] != NULL; i++) {
        if (strstr(text, want[i]) == NULL)
            g_error("'%s' not in:\n%s", want[i], text);
    }
}

static void
assert_excludes(const char *text, const char *const *unwanted)
{
    for (gsize i = 0; unwanted[i] != NULL; i++) {
        if (strstr(text, unwanted[i]) != NULL)
            g_error("'%s' in:\n%s", unwanted[i], text);
    }
}

/* The whole line of text that contains needle. */
static char *
line_with(const char *text, const char *needle)
{
    const char *hit = strstr(text, needle);
    const char *start;
    const char *end;

    if (hit == NULL)
        return NULL;
    start = hit;
    while (start > text && start[-1] != '\n')
        start--;
    end = strchr(hit, '\n');
    return g_strndup(start, end != NULL ? (gsize)(end - start)
                                        : strlen(start));
}

static void
test_case_c31(void)
{
    /* From tests/cases/C31/expect.json. */
    static const char *const contains_01[] = {
        "the booking page shows an error",
        "Step 1: open the calendar",
        "Result: \"Error 500 – please try again\"",
        "Edge 135",
        "Kind regards,",
        NULL,
    };
    static const char *const excludes_01[] = {
        "margin-top", "<div", "&quot;", "elementToProof", NULL,
    };
    static const char *const contains_02[] = {
        "Hafenstraße 12", "20457 Hamburg", NULL,
    };
    g_autofree char *text1 = html_to_text(c31_01, -1);
    g_autofree char *text2 = html_to_text(c31_02, -1);
    g_autofree char *step1 = NULL;
    g_autofree char *step2 = NULL;

    assert_contains(text1, contains_01);
    assert_excludes(text1, excludes_01);
    /* "Step 1 and Step 2 on separate lines" */
    step1 = line_with(text1, "Step 1");
    step2 = line_with(text1, "Step 2");
    g_assert_cmpstr(step1, ==, "Step 1: open the calendar");
    g_assert_cmpstr(step2, ==, "Step 2: choose 12 May");
    g_assert_true(strstr(text1, "Hello,\n\nthe booking page") != NULL);
    g_assert_true(strstr(text1, "Kind regards,\nTariq") != NULL);

    assert_contains(text2, contains_02);
    g_assert_cmpstr(text2, ==,
                    "Hi,\n\n"
                    "could you change the invoice address for customer "
                    "no. 55120 to:\n"
                    "Example Trading GmbH\n"
                    "Hafenstraße 12\n"
                    "20457 Hamburg\n\n"
                    "Thanks\n"
                    "Lotte");
}

/* Outlook desktop (Word HTML): MsoNormal paragraphs without margins,
 * <o:p>, conditional comments, the reply header in a bordered div. */
static void
test_outlook(void)
{
    static const char html[] =
        "<html xmlns:v=\"urn:schemas-microsoft-com:vml\" "
        "xmlns:o=\"urn:schemas-microsoft-com:office:office\">"
        "<head><meta http-equiv=Content-Type content=\"text/html; "
        "charset=utf-8\"><meta name=Generator content=\"Microsoft Word 15 "
        "(filtered medium)\"><style><!--\n"
        "p.MsoNormal, li.MsoNormal, div.MsoNormal\n"
        "\t{margin:0cm; font-size:11.0pt;}\n"
        "--></style><!--[if gte mso 9]><xml>\n"
        "<o:shapedefaults v:ext=\"edit\" spidmax=\"1026\" />\n"
        "</xml><![endif]--></head>"
        "<body lang=DE link=\"#0563C1\" style='word-wrap:break-word'>"
        "<div class=WordSection1>"
        "<p class=MsoNormal>Hallo Herr Albrecht,<o:p></o:p></p>\n"
        "<p class=MsoNormal><o:p>&nbsp;</o:p></p>\n"
        "<p class=MsoNormal>der Toner ist <b>bestellt</b>.<o:p></o:p></p>\n"
        "<p class=MsoNormal><o:p>&nbsp;</o:p></p>\n"
        "<p class=MsoNormal><o:p>&nbsp;</o:p></p>\n"
        "<p class=MsoNormal>Mit freundlichen Gr&uuml;&szlig;en<o:p></o:p>"
        "</p>\n"
        "<p class=MsoNormal><span style='color:#1F3864'>Sabine "
        "Kr&uuml;ger</span><o:p></o:p></p>\n"
        "<p class=MsoNormal><o:p>&nbsp;</o:p></p>\n"
        "<div style='border:none;border-top:solid #E1E1E1 1.0pt;"
        "padding:3.0pt 0cm 0cm 0cm'><p class=MsoNormal><b>Von:</b> "
        "J&ouml;rg Albrecht &lt;joerg.albrecht@example.org&gt; <br>"
        "<b>Gesendet:</b> Dienstag, 11. M&auml;rz 2025 08:58<br>"
        "<b>An:</b> support@example.com<br><b>Betreff:</b> Drucker"
        "<o:p></o:p></p></div>\n"
        "<p class=MsoNormal><o:p>&nbsp;</o:p></p>\n"
        "<p class=MsoNormal>Hallo zusammen,<o:p></o:p></p>\n"
        "</div></body></html>\n";
    g_autofree char *text = html_to_text(html, -1);

    g_assert_cmpstr(text, ==,
                    "Hallo Herr Albrecht,\n\n"
                    "der Toner ist bestellt.\n\n"
                    "Mit freundlichen Grüßen\n"
                    "Sabine Krüger\n\n"
                    "Von: Jörg Albrecht <joerg.albrecht@example.org>\n"
                    "Gesendet: Dienstag, 11. März 2025 08:58\n"
                    "An: support@example.com\n"
                    "Betreff: Drucker\n\n"
                    "Hallo zusammen,");
}

/* Gmail: <div dir="ltr">, the gmail_attr line and a cited blockquote. */
static void
test_gmail(void)
{
    static const char html[] =
        "<div dir=\"ltr\"><div>Thanks, that fixed it.</div><div><br>"
        "</div><div>Hannah</div></div><br><div class=\"gmail_quote "
        "gmail_quote_container\"><div dir=\"ltr\" class=\"gmail_attr\">On "
        "Mon, 10 Mar 2025 at 08:14, Support &lt;<a href=\"mailto:support@"
        "example.com\">support@example.com</a>&gt; wrote:<br></div>"
        "<blockquote class=\"gmail_quote\" style=\"margin:0px 0px 0px 0.8ex;"
        "border-left:1px solid rgb(204,204,204);padding-left:1ex\">"
        "<div dir=\"ltr\">Please restart the client.<div><br></div>"
        "<div>Support</div></div></blockquote></div>\n";
    g_autofree char *text = html_to_text(html, -1);

    g_assert_cmpstr(text, ==,
                    "Thanks, that fixed it.\n\n"
                    "Hannah\n\n"
                    "On Mon, 10 Mar 2025 at 08:14, Support "
                    "<support@example.com> wrote:\n\n"
                    "> Please restart the client.\n\n"
                    "> Support");
}

/* Each input repeats a pattern that would make a backtracking or
 * rescanning converter quadratic; 10 MB of it must still finish in a
 * moment.  Run with -m slow for the full size. */
static void
test_garbage_linear(void)
{
    static const char *const patterns[] = {
        "<a", "<a x=\"", "<a x='>", "<!--", "&#", "&amp", "&#x1234567",
        "<b>x</b>", "<li>", "<blockquote type=cite>", "<a href=\"https://x\">",
        "<pre>", "< ", "</", "&nbsp;", "<td>x", "\xc2\xa0", "<p>\n",
    };
    gsize size = g_test_slow() ? 10 * 1024 * 1024 : 1024 * 1024;

    for (gsize i = 0; i < G_N_ELEMENTS(patterns); i++) {
        GString *in = g_string_sized_new(size + 64);
        g_autofree char *text = NULL;
        g_autofree char *shown = g_strescape(patterns[i], NULL);
        double secs;

        while (in->len < size)
            g_string_append(in, patterns[i]);
        g_test_timer_start();
        text = html_to_text(in->str, (gssize)in->len);
        secs = g_test_timer_elapsed();
        g_test_message("pattern '%s': %" G_GSIZE_FORMAT " bytes in %.3fs",
                       shown, in->len, secs);
        g_assert_nonnull(text);
        g_assert_true(g_utf8_validate(text, -1, NULL));
        g_string_free(in, TRUE);
    }
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/html/table", test_table);
    g_test_add_func("/html/length", test_length);
    g_test_add_func("/html/case-c31", test_case_c31);
    g_test_add_func("/html/outlook", test_outlook);
    g_test_add_func("/html/gmail", test_gmail);
    g_test_add_func("/html/garbage-linear", test_garbage_linear);
    return g_test_run();
}
