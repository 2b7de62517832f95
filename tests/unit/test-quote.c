/*
 * test-quote.c - quote_strip(): the replies of cases C01, C03 and C06,
 * a table with one reply per client and language, forwards, inline
 * answers, text that only looks like an attribution, HTML replies
 * after html_to_text(), inputs that would make a careless
 * implementation quadratic, and other projects' reply-extraction
 * fixtures (tests/quote-fixtures) with their pass rate.
 */
#include "config.h"

#include <glib.h>
#include <stdbool.h>
#include <string.h>

#include "html.h"
#include "message.h"
#include "parse.h"
#include "quote.h"

static const struct {
    const char *name;
    const char *text;
    const char *want;
} cases[] = {
    { "gmail",
      "Thanks, works now.\n\n"
      "On Mon, 10 Mar 2025 at 08:14, Hannah <hannah@example.org> wrote:\n\n"
      "> old\n> text\n",
      "Thanks, works now." },
    { "gmail wrapped",
      "Thanks.\n\n"
      "On Mon, 10 Mar 2025 at 08:14, Hannah Lindqvist "
      "<hannah.lindqvist@example.org>\n"
      "wrote:\n\n"
      "> old\n",
      "Thanks." },
    { "gmail wrapped after text",
      "Some text here\n"
      "On Mon, 10 Mar 2025 at 08:14, Hannah <hannah@example.org>\n"
      "wrote:\n"
      "> old\n",
      "Some text here" },
    { "outlook en",
      "Done.\n\nBest\nMark\n\n"
      "-----Original Message-----\n"
      "From: Hannah <hannah@example.org>\n"
      "Sent: Monday, March 10, 2025 8:14 AM\n"
      "To: support@example.com\n"
      "Subject: VPN\n\n"
      "old text\n",
      "Done.\n\nBest\nMark" },
    { "outlook en header block",
      "Done.\n\n"
      "From: Hannah <hannah@example.org>\n"
      "Sent: Monday, March 10, 2025 8:14 AM\n"
      "To: support@example.com\n"
      "Subject: VPN\n\n"
      "old text\n",
      "Done." },
    { "outlook underscores",
      "Done.\n\n"
      "________________________________\n"
      "From: Hannah <hannah@example.org>\n"
      "Sent: Monday, March 10, 2025 8:14 AM\n"
      "To: support@example.com\n\n"
      "old text\n",
      "Done." },
    { "outlook de",
      "Erledigt.\n\nViele Grüße\nSabine\n\n"
      "-----Ursprüngliche Nachricht-----\n"
      "Von: Jörg Albrecht <joerg.albrecht@example.org>\n"
      "Gesendet: Dienstag, 11. März 2025 08:58\n"
      "An: support@example.com\n"
      "Betreff: Drucker\n\n"
      "alt\n",
      "Erledigt.\n\nViele Grüße\nSabine" },
    { "outlook de header block",
      "Erledigt.\n\n"
      "Von: Jörg Albrecht <joerg.albrecht@example.org>\n"
      "Gesendet: Dienstag, 11. März 2025 08:58\n"
      "An: support@example.com\n\n"
      "alt\n",
      "Erledigt." },
    { "outlook bold markers",
      "Ok.\n\n"
      "*From:* Hannah <hannah@example.org>\n"
      "*Sent:* Monday, March 10, 2025 8:14 AM\n"
      "*To:* support@example.com\n"
      "*Subject:* VPN\n\n"
      "old\n",
      "Ok." },
    { "outlook fr",
      "Merci.\n\n"
      "De : Hannah <hannah@example.org>\n"
      "Envoyé : lundi 10 mars 2025 08:14\n"
      "À : support@example.com\n"
      "Objet : VPN\n\n"
      "ancien\n",
      "Merci." },
    { "outlook fr separator",
      "Merci.\n\n----- Message d'origine -----\nDe : Hannah\n",
      "Merci." },
    { "outlook es separator",
      "Gracias.\n\n-----Mensaje original-----\nDe: Hannah\n",
      "Gracias." },
    { "outlook it separator",
      "Grazie.\n\n-----Messaggio originale-----\nDa: Hannah\n",
      "Grazie." },
    { "outlook nl separator",
      "Dank.\n\n-----Oorspronkelijk bericht-----\nVan: Hannah\n",
      "Dank." },
    { "outlook cs separator",
      "Díky.\n\n-----Původní zpráva-----\nOd: Hannah\n",
      "Díky." },
    { "outlook no separator",
      "Takk.\n\n-----Opprinnelig melding-----\nFra: Hannah\n",
      "Takk." },
    { "outlook fi separator",
      "Kiitos.\n\n-----Alkuperäinen viesti-----\nLähettäjä: Hannah\n",
      "Kiitos." },
    { "outlook short dashes",
      "Ok.\n\n--- Original Message ---\nold\n",
      "Ok." },
    { "outlook mac",
      "Ok\n\n"
      "From: Hannah <hannah@example.org>\n"
      "Date: Monday, 10 March 2025 at 08:14\n"
      "To: Support <support@example.com>\n"
      "Subject: VPN\n\n"
      "old\n",
      "Ok" },
    { "header lines apart",
      "Ok\n\nFrom: Hannah\n\nSent: Monday\n\nTo: Support\n\nold\n",
      "Ok" },
    { "outlook zh",
      "好的。\n\n"
      "发件人: Hannah <hannah@example.org>\n"
      "发送时间: 2025年3月10日 8:14\n"
      "收件人: support@example.com\n"
      "主题: VPN\n\n"
      "旧\n",
      "好的。" },
    { "outlook ru",
      "Хорошо.\n\n"
      "От: Hannah <hannah@example.org>\n"
      "Отправлено: 10 марта 2025 г. 8:14\n"
      "Кому: support@example.com\n\n"
      "старый\n",
      "Хорошо." },
    { "apple mail",
      "Sure.\n\nSent from my iPhone\n\n"
      "> On 10. Mar 2025, at 08:14, Hannah <hannah@example.org> wrote:\n"
      "> \n"
      "> old\n",
      "Sure.\n\nSent from my iPhone" },
    { "apple mail unquoted attribution",
      "Sure.\n\n"
      "On 10 Mar 2025, at 08:14, Hannah <hannah@example.org> wrote:\n\n"
      "old, from an HTML blockquote\n",
      "Sure." },
    { "thunderbird",
      "Yes.\n\nOn 10.03.25 08:14, Hannah Lindqvist wrote:\n> old\n",
      "Yes." },
    { "thunderbird de",
      "Ja.\n\nAm 10.03.2025 um 08:14 schrieb Hannah Lindqvist:\n> alt\n",
      "Ja." },
    { "gmail de",
      "Ja.\n\n"
      "Am Mo., 10. März 2025 um 08:14 Uhr schrieb Hannah "
      "<hannah@example.org>:\n\n> alt\n",
      "Ja." },
    { "gmail fr",
      "Merci !\n\n"
      "Le lun. 10 mars 2025 à 08:14, Hannah <hannah@example.org> a écrit :\n"
      "\n> ancien\n",
      "Merci !" },
    { "apple fr nbsp",
      "Merci.\n\n"
      "Le 10 mars 2025 à 08:14, Hannah <hannah@example.org> a "
      "écrit\xc2\xa0:\n\n> ancien\n",
      "Merci." },
    { "gmail es",
      "Gracias.\n\n"
      "El lun, 10 mar 2025 a las 8:14, Hannah (<hannah@example.org>) "
      "escribió:\n\n> viejo\n",
      "Gracias." },
    { "gmail it",
      "Grazie.\n\n"
      "Il giorno lun 10 mar 2025 alle ore 08:14 Hannah "
      "<hannah@example.org> ha scritto:\n\n> vecchio\n",
      "Grazie." },
    { "gmail nl",
      "Dank.\n\n"
      "Op ma 10 mrt 2025 om 08:14 schreef Hannah <hannah@example.org>:\n\n"
      "> oud\n",
      "Dank." },
    { "thunderbird pl",
      "Dzięki.\n\nW dniu 10.03.2025 o 08:14, Hannah pisze:\n> stary\n",
      "Dzięki." },
    { "gmail pl",
      "Dzięki.\n\n"
      "pon., 10 mar 2025 o 08:14 Hannah <hannah@example.org> "
      "napisał(a):\n\n> stary\n",
      "Dzięki." },
    { "gmail sv",
      "Tack.\n\n"
      "Den mån 10 mars 2025 kl 08:14 skrev Hannah <hannah@example.org>:\n\n"
      "> gammal\n",
      "Tack." },
    { "gmail fi",
      "Kiitos.\n\n"
      "ma 10.3.2025 klo 8.14 Hannah (<hannah@example.org>) kirjoitti:\n\n"
      "> vanha\n",
      "Kiitos." },
    { "gmail pt",
      "Obrigado.\n\n"
      "Em seg., 10 de mar. de 2025 às 08:14, Hannah <hannah@example.org> "
      "escreveu:\n\n> antigo\n",
      "Obrigado." },
    { "thunderbird ru",
      "Спасибо.\n\n10.03.2025 08:14, Hannah пишет:\n> старый\n",
      "Спасибо." },
    { "ru napisal",
      "Спасибо.\n\n"
      "10 марта 2025 г., в 08:14, Hannah <hannah@example.org> "
      "написал(а):\n> старый\n",
      "Спасибо." },
    { "gmail ru without verb",
      "Спасибо.\n\n"
      "пн, 10 мар. 2025 г. в 08:14, Hannah <hannah@example.org>:\n\n"
      "> старый\n",
      "Спасибо." },
    { "zh",
      "谢谢。\n\n"
      "在 2025年3月10日 08:14，Hannah <hannah@example.org> 写道：\n\n"
      "> 旧\n",
      "谢谢。" },
    { "gmail zh",
      "谢谢。\n\n"
      "Hannah <hannah@example.org> 于2025年3月10日周一 08:14写道：\n\n> 旧\n",
      "谢谢。" },
    { "thunderbird cs",
      "Díky.\n\nDne 10. 03. 25 v 8:14 Hannah napsal(a):\n> starý\n",
      "Díky." },
    { "nested history",
      "New.\n\n"
      "On Tue, 11 Mar 2025 at 09:00, Bo <bo@example.org> wrote:\n"
      "> Reply.\n>\n"
      "> On Mon, 10 Mar 2025 at 08:14, Hannah <hannah@example.org> "
      "wrote:\n"
      "> > Orig.\n",
      "New." },
    { "quote then outlook block",
      "New\n\n"
      "On Mon, 10 Mar 2025 at 08:14, Hannah <hannah@example.org> wrote:\n"
      "> q\n\n"
      "-----Original Message-----\n"
      "From: Bo\n",
      "New" },
    { "crlf",
      "Thanks\r\n\r\n"
      "On Mon, 10 Mar 2025 at 08:14, Hannah <hannah@example.org> wrote:\r\n"
      "> q\r\n",
      "Thanks" },
    /* forwards */
    { "gmail forward with note",
      "FYI, see below.\n\n"
      "---------- Forwarded message ---------\n"
      "From: Hannah <hannah@example.org>\n"
      "Date: Mon, 10 Mar 2025 at 08:14\n"
      "Subject: VPN\n"
      "To: <bo@example.org>\n\n"
      "body\n",
      "FYI, see below." },
    { "bare forward",
      "---------- Forwarded message ---------\n"
      "From: Hannah <hannah@example.org>\n"
      "Date: Mon, 10 Mar 2025 at 08:14\n\n"
      "the forwarded text\n",
      "---------- Forwarded message ---------\n"
      "From: Hannah <hannah@example.org>\n"
      "Date: Mon, 10 Mar 2025 at 08:14\n\n"
      "the forwarded text" },
    { "apple forward",
      "Please handle.\n\n"
      "Begin forwarded message:\n\n"
      "From: Hannah <hannah@example.org>\n"
      "Subject: VPN\n\n"
      "body\n",
      "Please handle." },
    { "thunderbird forward de",
      "Bitte prüfen.\n\n"
      "-------- Weitergeleitete Nachricht --------\n"
      "Betreff: \tVPN\n"
      "Datum: \tMon, 10 Mar 2025 08:14:02 +0100\n"
      "Von: \tHannah <hannah@example.org>\n\n"
      "body\n",
      "Bitte prüfen." },
    { "thunderbird forward fr",
      "À traiter.\n\n-------- Message transféré --------\nSujet : VPN\n",
      "À traiter." },
    /* separators and attributions found by tests/quote-fixtures */
    { "outlook da separator",
      "Tak.\n\n-------- Oprindelig besked --------\nFra: Hannah\n",
      "Tak." },
    { "reply message separator",
      "Ok.\n\n-----Reply Message-----\nold\n",
      "Ok." },
    { "android dashes",
      "Ok.\n\n---- Hannah Lindqvist wrote ----\n\n> old\n",
      "Ok." },
    { "zoho dashes unquoted",
      "Ok.\n\n---- On Mon, 10 Mar 2025 08:14:02 +0100 hannah@example.org "
      "wrote ----\n\nold\n",
      "Ok." },
    { "attribution without colon",
      "Ok.\n\nOn Mon, 10 Mar 2025 08:14:02 +0100 Hannah "
      "<hannah@example.org> wrote\n\nold\n",
      "Ok." },
    { "gmail old numeric date",
      "Ok.\n2011/4/7 Hannah <hannah@example.org>\n\n> old\n",
      "Ok." },
    { "gmail fi unquoted",
      "Kiitos.\n\nma 10.3.2025 klo 8.14 Hannah\n<hannah@example.org> "
      "kirjoitti:\n\nvanha\n",
      "Kiitos." },
    { "gmail ru unquoted",
      "Спасибо.\n\nпн, 10 мар. 2025 г. в 08:14, Hannah "
      "<hannah@example.org>:\n\nстарый\n",
      "Спасибо." },
    { "mail.ru unquoted",
      "Ok.\n\nMonday, 10 March 2025, 8:14 +03:00 from hannah@example.org "
      "<hannah@example.org>:\n\nold\n",
      "Ok." },
    { "apple no",
      "Takk.\n\nPå 10. mars 2025 kl. 08:14 skrev Hannah "
      "<hannah@example.org>:\n\ngammel\n",
      "Takk." },
    { "apple nl",
      "Dank.\n\nOp 10 mrt. 2025, om 08:14 heeft Hannah "
      "<hannah@example.org> het volgende geschreven:\n\noud\n",
      "Dank." },
    { "gmail vi",
      "Cảm ơn.\n\nVào 08:14 10 tháng 3, 2025, Hannah "
      "<hannah@example.org> đã viết:\n\n> cũ\n",
      "Cảm ơn." },
    { "on sent",
      "Ok.\n\nOn 10 Mar 2025, at 08:14, Hannah <hannah@example.org> "
      "sent:\n\n> old\n",
      "Ok." },
    { "date opens header block",
      "Ok.\n\nDate: Mon, 10 Mar 2025 08:14:02 +0100\n"
      "To: support@example.com\n\nold\n",
      "Ok." },
    { "date above from",
      "Ok.\nDate: Mon, 10 Mar 2025 08:14:02 +0100\nFrom: Hannah\n"
      "To: support@example.com\n\nold\n",
      "Ok." },
    { "webmail fr header block",
      "Merci.\n\nMessage du : 10/03/2025 08:14\n"
      "De : \"Hannah\" <hannah@example.org>\nA : support@example.com\n\n"
      "ancien\n",
      "Merci." },
    { "attribution after text on one line",
      "Thanks! On Mon, 10 Mar 2025 at 08:14, Hannah <hannah@example.org> "
      "wrote:\n> old\n",
      "Thanks!" },
    { "attribution after text and dashes",
      "Thanks\nsee you--- On Mon, 10 Mar 2025 at 08:14, hannah@example.org "
      "wrote:\n> old\n",
      "Thanks\nsee you" },
    { "attribution after text, inline answer",
      "Hi On Mon, 10 Mar 2025 at 08:14, Hannah <hannah@example.org> "
      "wrote:\n> Which version?\n5.2.1\n",
      "Hi\n5.2.1" },
    { "link wrapped out of a quote",
      "Ok.\n\nOn Mon, 10 Mar 2025 at 08:14, Hannah wrote:\n\n"
      "> View ticket (http://example.com/t?a=1\n_nonce=3)\n>\n",
      "Ok." },
    { "link line inside a quote",
      "Ok.\n\nOn Mon, 10 Mar 2025 at 08:14, Hannah wrote:\n\n"
      ">\n (http://example.com/c/x) >\n> more\n",
      "Ok." },
    { "gmail fr address wrapped before the verb",
      "Merci.\n\nLe lun. 10 mars 2025 à 08:14, Hannah <hannah@example.org\n"
      "> a écrit :\n\n> ancien\n",
      "Merci." },
    { "header block on one line",
      "Ok.\n\nDate: Mon, 10 Mar 2025 08:14:02 +0100 From: hannah@example.org "
      "To: Support Subject: VPN\n\nold\n",
      "Ok." },
    { "date, subject, then from",
      "Ok.\n\nDate: Mon, 10 Mar 2025 08:14:02 +0100\nSubject: VPN\n"
      "From: hannah@example.org\nTo: support@example.com\n\nold\n",
      "Ok." },
    { "from and date on one line",
      "Ok.\n\nFrom: hannah@example.org Date: Mon, 10 Mar 2025 08:14:02 "
      "+0100\nold\n",
      "Ok." },
    { "gmail old wrapped right below the reply",
      "Hello\n10.03.2025 08:14 пользователь Hannah <\nhannah@example.org> "
      "написал:\n\n> старый\n",
      "Hello" },
    { "bar quoting",
      "Ok.\n\nOn Mon, 10 Mar 2025 at 08:14, Hannah <hannah@example.org> "
      "wrote:\n| old\n| text\n",
      "Ok." },
    { "bar quoting, inline answer",
      "On Mon, 10 Mar 2025 at 08:14, Hannah <hannah@example.org> wrote:\n"
      "| Which version?\n5.2.1\n",
      "5.2.1" },
    { "apple ja",
      "了解です。\n\n2025/03/10 8:14、Hannah <hannah@example.org>のメール:\n\n"
      "> 古い\n",
      "了解です。" },
    { "gmail ja",
      "了解です。\n\n2025年3月10日(月) 8:14 Hannah <hannah@example.org>:\n\n"
      "> 古い\n",
      "了解です。" },
    { "gmail ko",
      "감사합니다.\n\n2025년 3월 10일 (월) 오전 8:14, Hannah "
      "<hannah@example.org>님이 작성:\n\n> 이전\n",
      "감사합니다." },
    { "gmail hu",
      "Köszi.\n\nHannah <hannah@example.org> ezt írta (időpont: 2025. "
      "márc. 10., H, 8:14):\n\n> régi\n",
      "Köszi." },
    { "gmail ro",
      "Mersi.\n\nHannah <hannah@example.org> a scris la data de lun., 10 "
      "mar. 2025 la 08:14:\n\n> vechi\n",
      "Mersi." },
    { "gmail uk",
      "Дякую.\n\nпн, 10 бер. 2025 р. о 08:14 Hannah <hannah@example.org> "
      "пише:\n\n> старе\n",
      "Дякую." },
    { "gmail id",
      "Terima kasih.\n\nPada tanggal Sen, 10 Mar 2025 pukul 08.14, Hannah "
      "<hannah@example.org> menulis:\n\n> lama\n",
      "Terima kasih." },
    { "gmail ca",
      "Gràcies.\n\nEl dl., 10 de març 2025 a les 8:14, Hannah "
      "(<hannah@example.org>) va escriure:\n\n> vell\n",
      "Gràcies." },
    { "gmail sk",
      "Vďaka.\n\npo 10. 3. 2025 o 8:14 Hannah <hannah@example.org> "
      "napísal(a):\n\n> staré\n",
      "Vďaka." },
    { "outlook ro",
      "Mersi.\n\nDe la: Hannah <hannah@example.org>\nTrimis: luni, 10 "
      "martie 2025 08:14\nCătre: support@example.com\nSubiect: VPN\n\n"
      "vechi\n",
      "Mersi." },
    { "outlook el",
      "Ευχαριστώ.\n\nΑπό: Hannah <hannah@example.org>\nΣτάλθηκε: Δευτέρα, "
      "10 Μαρτίου 2025 08:14\nΠρος: support@example.com\nΘέμα: VPN\n\n"
      "παλιό\n",
      "Ευχαριστώ." },
    { "outlook el without a date field",
      "Ευχαριστώ.\n\nΑπό: Hannah <hannah@example.org>\n"
      "Προς: support@example.com\n\nπαλιό\n",
      "Ευχαριστώ." },
    { "outlook uk",
      "Дякую.\n\nВід: Hannah <hannah@example.org>\nНадіслано: 10 березня "
      "2025 р. 8:14\nКому: support@example.com\nТема: VPN\n\nстаре\n",
      "Дякую." },
    { "outlook bg",
      "Благодаря.\n\nОт: Hannah <hannah@example.org>\nИзпратено: 10 март "
      "2025 г. 8:14\nДо: support@example.com\nОтносно: VPN\n\nстаро\n",
      "Благодаря." },
    { "outlook hr",
      "Hvala.\n\nŠalje: Hannah <hannah@example.org>\nPoslano: 10. ožujka "
      "2025. 8:14\nPrima: support@example.com\nPredmet: VPN\n\nstaro\n",
      "Hvala." },
    { "outlook id",
      "Terima kasih.\n\nDari: Hannah <hannah@example.org>\nDikirim: Senin, "
      "10 Maret 2025 08.14\nKepada: support@example.com\nPerihal: VPN\n\n"
      "lama\n",
      "Terima kasih." },
    { "outlook vi",
      "Cảm ơn.\n\nTừ: Hannah <hannah@example.org>\nĐã gửi: Thứ Hai, 10 "
      "tháng 3, 2025 8:14\nĐến: support@example.com\nChủ đề: VPN\n\ncũ\n",
      "Cảm ơn." },
    { "quoted line wrapped by the client",
      "Ok.\n\nOn Mon, 10 Mar 2025 at 08:14, Hannah <hannah@example.org> "
      "wrote:\n> since the client update last week my VPN connection drops "
      "roughly\nevery 20 minutes\n> and I have to log in again.\n",
      "Ok." },
    { "apple ja message",
      "了解です。\n\n2025/03/10 8:14、Hannah <hannah@example.org> "
      "のメッセージ:\n\n古い\n",
      "了解です。" },
    { "lotus forwarded by",
      "FYI.\n\n----- Forwarded by Hannah Lindqvist/ACME on 10.03.2025 "
      "08:14 -----\n\nold\n",
      "FYI." },
    { "lotus wrote on",
      "Ok.\n\nHannah Lindqvist/ACME wrote on 10.03.2025 08:14:14:\n\n"
      "> old\n",
      "Ok." },
    { "outlook tr separator",
      "Tamam.\n\n-----Özgün İleti-----\nKimden: Hannah\n",
      "Tamam." },
    /* what only looks like those */
    { "bounce diagnostic with an address and an IP",
      "failed:\n\n  kijitora@example.co.jp\n  host 192.0.2.22 [192.0.2.22]\n"
      "    SMTP error from remote mail server after MAIL FROM:"
      "<shironeko@example.org>:\n    550 Bad SPF records\n",
      "failed:\n\n  kijitora@example.co.jp\n  host 192.0.2.22 [192.0.2.22]\n"
      "    SMTP error from remote mail server after MAIL FROM:"
      "<shironeko@example.org>:\n    550 Bad SPF records" },
    { "forwarded by in text",
      "Forwarded by Hannah on Monday, see below.\nthanks\n",
      "Forwarded by Hannah on Monday, see below.\nthanks" },
    { "lower-case answer below a long question",
      "On Mon, 10 Mar 2025 at 08:14, Hannah <hannah@example.org> wrote:\n"
      "> Could you please tell me which version of the client you run now?\n"
      "version 5.2.1\n> And which OS?\nwindows 11\n",
      "version 5.2.1\nwindows 11" },
    { "lower-case answer below a short quote",
      "> Logs attached?\nyes, both\n> Thanks\n",
      "yes, both" },
    { "markdown table below an attribution",
      "On Mon, 10 Mar 2025 at 08:14, Hannah <hannah@example.org> wrote:\n"
      "| a | b |\n",
      "On Mon, 10 Mar 2025 at 08:14, Hannah <hannah@example.org> wrote:\n"
      "| a | b |" },
    { "bar lines without attribution",
      "Options:\n| first\n| second\n",
      "Options:\n| first\n| second" },
    { "numeric date in wrapped text",
      "Notes\n10.03.2025 we met Anna <anna@example.org>\nand she wrote:\n\n"
      "the fix works\n",
      "Notes\n10.03.2025 we met Anna <anna@example.org>\nand she wrote:\n\n"
      "the fix works" },
    { "from and date words in a line",
      "From: the sales team Date: next week\nplease confirm\n",
      "From: the sales team Date: next week\nplease confirm" },
    { "one header word in a line",
      "Status: open, see To: list\nthanks\n",
      "Status: open, see To: list\nthanks" },
    { "date line naming fields",
      "Date: Monday, To: the office\nbring your badge\n",
      "Date: Monday, To: the office\nbring your badge" },
    { "dashes without verb",
      "Notes:\n\n---- Agenda ----\nfirst item\n",
      "Notes:\n\n---- Agenda ----\nfirst item" },
    { "date and time fields",
      "Invitation:\n\nDate: Monday 10 March\nTime: 10:00\nRoom 2.14\n",
      "Invitation:\n\nDate: Monday 10 March\nTime: 10:00\nRoom 2.14" },
    { "address with colon, no time",
      "Hi,\n\nsince 2024 please write to Anna <anna@example.org>:\n\n"
      "she handles refunds.\n",
      "Hi,\n\nsince 2024 please write to Anna <anna@example.org>:\n\n"
      "she handles refunds." },
    { "sent without opener",
      "Here is what I sent:\n> the log line\n",
      "Here is what I sent:" },
    { "on in text above a quote",
      "We agreed on Monday at 10:30 that Tom wrote:\n> the fix\nThanks\n",
      "We agreed on Monday at 10:30 that Tom wrote:\nThanks" },
    { "link in a reply between quotes",
      "> Which page?\nsee (http://example.com/help)\n> Thanks\n",
      "see (http://example.com/help)" },
    /* all quote */
    { "all quote",
      "> only\n> quote\n",
      "> only\n> quote" },
    { "all quote with attribution",
      "On Mon, 10 Mar 2025 at 08:14, Hannah <hannah@example.org> wrote:\n"
      "> q\n",
      "On Mon, 10 Mar 2025 at 08:14, Hannah <hannah@example.org> wrote:\n"
      "> q" },
    /* inline answers */
    { "inline",
      "Hi,\n\n"
      "On Mon, 10 Mar 2025 at 08:14, Hannah <hannah@example.org> wrote:\n"
      "> Which version?\n"
      "5.2.1\n\n"
      "> Which OS?\n"
      "Windows 11\n\n"
      "Tomas\n",
      "Hi,\n\n5.2.1\n\nWindows 11\n\nTomas" },
    { "inline without attribution",
      "> Which version?\n5.2.1\n> Which OS?\nWindows 11\n",
      "5.2.1\nWindows 11" },
    { "bottom posting",
      "> Which version?\n\n5.2.1\n",
      "5.2.1" },
    /* not history */
    { "wrote mid sentence",
      "Hello,\n\nMy colleague wrote: the fix works\nfor us too.\n\nThanks\n",
      "Hello,\n\nMy colleague wrote: the fix works\nfor us too.\n\nThanks" },
    { "wrote at line end",
      "We tested it.\nMy colleague wrote:\nthe fix works on the 10:30 build\n",
      "We tested it.\nMy colleague wrote:\nthe fix works on the 10:30 build" },
    { "opener without clue",
      "On Monday Tom wrote:\nthe fix works.\n",
      "On Monday Tom wrote:\nthe fix works." },
    { "from in text",
      "From: my side, all good.\nThanks\n",
      "From: my side, all good.\nThanks" },
    { "underscores alone",
      "text\n\n________________\nsomething\n",
      "text\n\n________________\nsomething" },
    { "signature kept",
      "Fix confirmed.\n\n-- \nJane Doe\nExample Ltd\n",
      "Fix confirmed.\n\n-- \nJane Doe\nExample Ltd" },
    { "trim", "\n\n  \nText  \n\n\n\nmore\t\n\n", "Text\n\nmore" },
    { "empty", "", "" },
    { "blank", " \n\n", "" },
};

static void
test_table(void)
{
    for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autofree char *got = quote_strip(cases[i].text);

        g_test_message("case '%s'", cases[i].name);
        g_assert_cmpstr(got, ==, cases[i].want);
    }
}

/* The text/plain bodies of the case messages, decoded from
 * the .eml files in tests/cases, and what their expect.json says about them. */
static const struct {
    const char *file;
    const char *body;
    const char *contains[3];
    const char *excludes[3];
} case_bodies[] = {
    { "C01/02.eml",
      "Confirmed, same on my MacBook. It happens on Wi-Fi and on cable.\n"
      "\n"
      "Tomas\n"
      "\n"
      "> On 10. Mar 2025, at 08:14, Hannah Lindqvist "
      "<hannah.lindqvist@example.org> wrote:\n"
      "> \n"
      "> Hello,\n"
      "> \n"
      "> since the client update last week my VPN connection drops "
      "roughly every\n"
      "> 20 minutes and I have to log in again. Tomas in my team sees "
      "the same.\n"
      "> \n"
      "> Regards,\n"
      "> Hannah\n",
      { "Confirmed, same on my MacBook" },
      { "since the client update last week" } },
    { "C01/03.eml",
      "Forgot the version details: client 5.2.1 on Windows 11 23H2.\n"
      "\n"
      "On 10.03.2025 08:14, Hannah Lindqvist wrote:\n"
      "> Hello,\n"
      ">\n"
      "> since the client update last week my VPN connection drops "
      "roughly every\n"
      "> 20 minutes and I have to log in again. Tomas in my team sees "
      "the same.\n"
      ">\n"
      "> Regards,\n"
      "> Hannah\n",
      { "client 5.2.1 on Windows 11 23H2" },
      { "since the client update last week" } },
    { "C03/01.eml",
      "Hallo zusammen,\n"
      "\n"
      "der Drucker im 2. OG (Raum 2.14) druckt seit heute Morgen nur "
      "leere Seiten.\n"
      "Toner ist laut Anzeige voll, ein Neustart hat nichts gebracht.\n"
      "\n"
      "Viele Grüße\n"
      "Jörg Albrecht\n"
      "Einkauf\n",
      { "druckt seit heute Morgen nur leere Seiten", "Viele Grüße" },
      { NULL } },
    { "C03/02.eml",
      "Bei uns im 2. OG links ebenfalls, auch beim Kopieren direkt am "
      "Gerät.\n"
      "\n"
      "Gruß\n"
      "Sabine\n"
      "\n"
      "________________________________\n"
      "Von: Jörg Albrecht <joerg.albrecht@example.org>\n"
      "Gesendet: Dienstag, 11. März 2025 08:58\n"
      "An: support@example.com\n"
      "Betreff: Drucker im 2. OG druckt nur leere Seiten\n"
      "\n"
      "Hallo zusammen,\n"
      "\n"
      "der Drucker im 2. OG (Raum 2.14) druckt seit heute Morgen nur "
      "leere Seiten.\n"
      "Toner ist laut Anzeige voll, ein Neustart hat nichts gebracht.\n",
      { "Bei uns im 2. OG links ebenfalls" },
      { "Gesendet: Dienstag", "Toner ist laut Anzeige voll" } },
    { "C06/03.eml",
      "¡Muchas gracias, Ingrid!\n"
      "\n"
      "El lun, 24 mar 2025 a las 9:12, Ingrid Holm "
      "(<ingrid.holm@example.com>)\n"
      "escribió:\n"
      "\n"
      "> Hola Lucía,\n"
      ">\n"
      "> we are shipping the missing power cable today, the tracking "
      "number will\n"
      "> follow by mail.\n",
      { "¡Muchas gracias, Ingrid!" },
      { "we are shipping the missing power cable" } },
};

static void
test_cases(void)
{
    for (gsize i = 0; i < G_N_ELEMENTS(case_bodies); i++) {
        g_autofree char *got = quote_strip(case_bodies[i].body);

        g_test_message("%s", case_bodies[i].file);
        for (gsize k = 0; case_bodies[i].contains[k] != NULL; k++)
            if (strstr(got, case_bodies[i].contains[k]) == NULL)
                g_error("%s: '%s' not in:\n%s", case_bodies[i].file,
                        case_bodies[i].contains[k], got);
        for (gsize k = 0; case_bodies[i].excludes[k] != NULL; k++)
            if (strstr(got, case_bodies[i].excludes[k]) != NULL)
                g_error("%s: '%s' in:\n%s", case_bodies[i].file,
                        case_bodies[i].excludes[k], got);
    }
}

/* The same without their history, exactly. */
static void
test_cases_exact(void)
{
    static const char *const want[] = {
        "Confirmed, same on my MacBook. It happens on Wi-Fi and on cable.\n"
        "\nTomas",
        "Forgot the version details: client 5.2.1 on Windows 11 23H2.",
        NULL,   /* C03/01 is not a reply: unchanged apart from trimming */
        "Bei uns im 2. OG links ebenfalls, auch beim Kopieren direkt am "
        "Gerät.\n\nGruß\nSabine",
        "¡Muchas gracias, Ingrid!",
    };

    G_STATIC_ASSERT(G_N_ELEMENTS(want) == G_N_ELEMENTS(case_bodies));
    for (gsize i = 0; i < G_N_ELEMENTS(want); i++) {
        g_autofree char *got = quote_strip(case_bodies[i].body);
        g_autofree char *whole = g_strstrip(g_strdup(case_bodies[i].body));

        g_assert_cmpstr(got, ==, want[i] != NULL ? want[i] : whole);
    }
}

/* HTML replies reach quote_strip() through html_to_text(). */
static void
test_html_replies(void)
{
    static const char outlook[] =
        "<html><head><style><!-- p.MsoNormal {margin:0cm;} --></style>"
        "</head><body><div class=WordSection1>"
        "<p class=MsoNormal>Der Toner ist bestellt.<o:p></o:p></p>"
        "<p class=MsoNormal><o:p>&nbsp;</o:p></p>"
        "<p class=MsoNormal>Gru&szlig;<br>Sabine<o:p></o:p></p>"
        "<p class=MsoNormal><o:p>&nbsp;</o:p></p>"
        "<div style='border:none;border-top:solid #E1E1E1 1.0pt'>"
        "<p class=MsoNormal><b>Von:</b> J&ouml;rg &lt;j@example.org&gt;"
        "<br><b>Gesendet:</b> Dienstag, 11. M&auml;rz 2025 08:58<br>"
        "<b>An:</b> support@example.com<br><b>Betreff:</b> Drucker</p>"
        "</div><p class=MsoNormal>Hallo zusammen,</p></div></body></html>";
    static const char new_outlook[] =
        "<div class=\"elementToProof\">Works again, thanks.</div>"
        "<div id=\"appendonsend\"></div><hr style=\"display:inline-block;"
        "width:98%\" tabindex=\"-1\"><div id=\"divRplyFwdMsg\" dir=\"ltr\">"
        "<font face=\"Calibri, sans-serif\"><b>From:</b> Support "
        "&lt;support@example.com&gt;<br><b>Sent:</b> Monday, March 10, "
        "2025 08:14<br><b>To:</b> Hannah &lt;h@example.org&gt;<br>"
        "<b>Subject:</b> VPN</font><div>&nbsp;</div></div>"
        "<div>Please restart the client.</div>";
    static const char gmail[] =
        "<div dir=\"ltr\">Thanks, that fixed it.<div><br></div>"
        "<div>Hannah</div></div><br><div class=\"gmail_quote\">"
        "<div dir=\"ltr\" class=\"gmail_attr\">On Mon, 10 Mar 2025 at "
        "08:14, Support &lt;<a href=\"mailto:support@example.com\">"
        "support@example.com</a>&gt; wrote:<br></div>"
        "<blockquote class=\"gmail_quote\" style=\"margin:0px 0px 0px "
        "0.8ex\"><div dir=\"ltr\">Please restart the client.</div>"
        "</blockquote></div>";
    static const char apple[] =
        "<html><body dir=\"auto\">Sure.<br><br><div dir=\"ltr\">Sent from "
        "my iPhone</div><div dir=\"ltr\"><br><blockquote type=\"cite\">On "
        "10. Mar 2025, at 08:14, Hannah &lt;h@example.org&gt; wrote:<br>"
        "<br></blockquote></div><blockquote type=\"cite\"><div dir=\"ltr\">"
        "Hello</div></blockquote></body></html>";
    static const struct {
        const char *html;
        const char *want;
    } replies[] = {
        { outlook, "Der Toner ist bestellt.\n\nGruß\nSabine" },
        { new_outlook, "Works again, thanks." },
        { gmail, "Thanks, that fixed it.\n\nHannah" },
        { apple, "Sure.\n\nSent from my iPhone" },
    };

    for (gsize i = 0; i < G_N_ELEMENTS(replies); i++) {
        g_autofree char *text = html_to_text(replies[i].html, -1);
        g_autofree char *got = quote_strip(text);

        g_test_message("reply %" G_GSIZE_FORMAT ":\n%s", i, text);
        g_assert_cmpstr(got, ==, replies[i].want);
    }
}

/* Lines that make the scanner look ahead, repeated; a quadratic
 * implementation would not finish.  -m slow for 10 MB. */
static void
test_linear(void)
{
    static const char *const patterns[] = {
        "On x wrote:\n",
        "> a\n",
        "From: a\n",
        "a:\n",
        "On Mon, 10 Mar 2025 at 08:14, A <a@example.org>\n",
        "________\n",
        "On Mon, 10 Mar 2025 at 08:14, A <a@example.org> wrote:\n> q\nx\n",
        "From: a\nx\nx\nx\nx\n",
        "x On Mon, 10 Mar 2025 at 08:14, a@example.org wrote:\n",
        "x On Mon, 10 Mar 2025 at 08:14, a@example.org wrote:\n> q\n",
        "2011/4/7 A <a@example.org>\n",
        "Date: Mon\n",
        "> a (http://x\nb\n",
        "---- On x wrote ----\n",
        "\n",
        "x",
    };
    gsize size = g_test_slow() ? 10 * 1024 * 1024 : 1024 * 1024;

    for (gsize i = 0; i < G_N_ELEMENTS(patterns); i++) {
        GString *in = g_string_sized_new(size + 64);
        g_autofree char *got = NULL;
        g_autofree char *shown = g_strescape(patterns[i], NULL);
        double secs;

        while (in->len < size)
            g_string_append(in, patterns[i]);
        g_test_timer_start();
        got = quote_strip(in->str);
        secs = g_test_timer_elapsed();
        g_test_message("pattern '%s': %" G_GSIZE_FORMAT " bytes in %.3fs",
                       shown, in->len, secs);
        g_assert_nonnull(got);
        g_string_free(in, TRUE);
    }
}

/* ---------------------------------------------------------------- */
/* Other projects' reply-extraction fixtures                          */

/* The .txt files in tests/quote-fixtures hold cases taken from other
 * projects that solve the same problem (SOURCES.md there names them
 * and their licences).  A file is a list of directives, one a line:
 *
 *   %%% source TEXT            where the cases come from
 *   %%% common NAME ... %%% end  a block of lines used by several cases
 *   %%% @NAME                  that block, in place
 *   %%% case NAME              the input follows (plain text)
 *   %%% case-html NAME         the input follows (an HTML body)
 *   %%% case-eml NAME          the input follows (a whole message: the
 *                              parser's reply_text is compared)
 *   %%% note TEXT              how our expectation differs from theirs
 *   %%% miss TEXT              a known miss we leave alone, and why
 *   %%% want                   the expected reply text follows
 *   %%% want-whole             nothing is history: the input comes back
 *   %%% end                    closes the case
 *
 * A plain case passes when quote_strip() gives the expected text once
 * both are normalised as quote.h says (trailing blanks, blank runs,
 * blank ends); an HTML case goes through html_to_text() first and is
 * compared without any whitespace, as talon compares its HTML replies.
 * A known miss counts against the pass rate but does not fail the
 * test; one that starts to pass does, so that its mark is removed. */

typedef struct {
    char *file;
    char *name;
    bool html;
    bool eml;
    bool whole;
    bool miss;
    GString *input;
    GString *want;
} Fixture;

static void
fixture_free(gpointer p)
{
    Fixture *f = p;

    g_free(f->file);
    g_free(f->name);
    g_string_free(f->input, TRUE);
    if (f->want != NULL)
        g_string_free(f->want, TRUE);
    g_free(f);
}

/* quote.h's normal form, written independently of quote.c: lines
 * without trailing blanks (but "-- " stays), runs of blank lines as one,
 * no blank lines at either end. */
static char *
normalise(const char *text)
{
    g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
    GString *out = g_string_new(NULL);
    bool pending = false;

    for (gsize i = 0; lines[i] != NULL; i++) {
        char *l = lines[i];
        gsize n = strlen(l);

        if (n > 0 && l[n - 1] == '\r')
            l[--n] = '\0';
        if (strcmp(l, "-- ") != 0)
            g_strchomp(l);
        if (*l == '\0' || strspn(l, " \t") == strlen(l)) {
            pending = out->len > 0;
            continue;
        }
        if (out->len > 0)
            g_string_append(out, pending ? "\n\n" : "\n");
        pending = false;
        g_string_append(out, l);
    }
    return g_string_free(out, FALSE);
}

static char *
without_space(const char *text)
{
    GString *out = g_string_new(NULL);

    for (const char *p = text; *p != '\0';) {
        gunichar c = g_utf8_get_char(p);

        p += g_utf8_skip[*(const guchar *)p];

        if (!g_unichar_isspace(c) && c != 0x00A0 && c != 0x202F)
            g_string_append_unichar(out, c);
    }
    return g_string_free(out, FALSE);
}

static void
load_fixtures(const char *path, GPtrArray *out)
{
    g_autofree char *data = NULL;
    g_autoptr(GError) error = NULL;
    g_autoptr(GHashTable) commons =
        g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    g_auto(GStrv) lines = NULL;
    g_autofree char *base = g_path_get_basename(path);
    Fixture *cur = NULL;
    GString *common = NULL;
    char *common_name = NULL;
    GString *target = NULL;

    if (!g_file_get_contents(path, &data, NULL, &error))
        g_error("cannot read %s: %s", path, error->message);
    lines = g_strsplit(data, "\n", -1);
    for (gsize i = 0; lines[i] != NULL; i++) {
        const char *l = lines[i];

        if (lines[i + 1] == NULL && *l == '\0')
            break;   /* the file's final newline */
        if (!g_str_has_prefix(l, "%%% ")) {
            if (target == NULL)
                g_error("%s:%" G_GSIZE_FORMAT ": text outside a case",
                        base, i + 1);
            g_string_append(target, l);
            g_string_append_c(target, '\n');
            continue;
        }
        l += 4;
        if (g_str_has_prefix(l, "source ") || g_str_has_prefix(l, "note ")) {
            continue;
        } else if (g_str_has_prefix(l, "miss ") && cur != NULL) {
            cur->miss = true;
        } else if (g_str_has_prefix(l, "common ")) {
            common_name = g_strdup(l + 7);
            common = g_string_new(NULL);
            target = common;
        } else if (g_str_has_prefix(l, "case ") ||
                   g_str_has_prefix(l, "case-html ") ||
                   g_str_has_prefix(l, "case-eml ")) {
            if (cur != NULL)
                g_error("%s: case %s has no end", base, cur->name);
            cur = g_new0(Fixture, 1);
            cur->file = g_strdup(base);
            cur->html = g_str_has_prefix(l, "case-html ");
            cur->eml = g_str_has_prefix(l, "case-eml ");
            cur->name = g_strdup(strchr(l, ' ') + 1);
            cur->input = g_string_new(NULL);
            target = cur->input;
        } else if (g_str_has_prefix(l, "@")) {
            const char *block = g_hash_table_lookup(commons, l + 1);

            if (block == NULL || target == NULL)
                g_error("%s: unknown block %s", base, l + 1);
            g_string_append(target, block);
        } else if (strcmp(l, "want") == 0 && cur != NULL) {
            cur->want = g_string_new(NULL);
            target = cur->want;
        } else if (strcmp(l, "want-whole") == 0 && cur != NULL) {
            cur->whole = true;
            target = NULL;
        } else if (strcmp(l, "end") == 0) {
            if (common != NULL) {
                g_hash_table_insert(commons, common_name,
                                    g_string_free(common, FALSE));
                common = NULL;
                common_name = NULL;
            } else if (cur != NULL && (cur->want != NULL || cur->whole)) {
                g_ptr_array_add(out, cur);
                cur = NULL;
            } else {
                g_error("%s: stray end", base);
            }
            target = NULL;
        } else {
            g_error("%s: unknown directive %s", base, l);
        }
    }
    if (cur != NULL || common != NULL)
        g_error("%s: unterminated block", base);
}

/* The reply_text the parser stores for a whole message. */
static char *
parsed_reply_text(const GString *raw)
{
    g_autoptr(GBytes) bytes = g_bytes_new(raw->str, raw->len);
    g_autoptr(GError) error = NULL;
    Limits lim;
    Message *msg = NULL;
    char *reply;

    limits_init_default(&lim);
    g_assert_cmpint(parse_message(bytes, &lim, &msg, &error), ==, ST_OK);
    g_assert_no_error(error);
    reply = g_strdup(msg->reply_text);
    message_free(msg);
    return reply;
}

static bool
fixture_passes(const Fixture *f, char **got_out)
{
    g_autofree char *text = f->html ? html_to_text(f->input->str, -1)
                                    : g_strdup(f->input->str);
    g_autofree char *got = f->eml ? parsed_reply_text(f->input)
                                  : quote_strip(text);
    g_autofree char *want = NULL;
    bool ok;

    g_assert_true(!f->eml || !f->whole);
    want = normalise(f->whole ? text : f->want->str);

    if (f->html) {
        g_autofree char *a = without_space(got);
        g_autofree char *b = without_space(want);

        ok = strcmp(a, b) == 0;
    } else {
        g_autofree char *norm = normalise(got);

        ok = strcmp(norm, want) == 0;
    }
    *got_out = g_steal_pointer(&got);
    return ok;
}

/* Every case must pass; the pass rate is printed for the record. */
static void
test_fixtures(void)
{
    const char *srcdir = g_getenv("MT_SRCDIR");
    g_autofree char *dir = g_build_filename(
        srcdir != NULL ? srcdir : ".", "tests", "quote-fixtures", NULL);
    g_autoptr(GDir) d = NULL;
    g_autoptr(GError) error = NULL;
    g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
    g_autoptr(GPtrArray) fixtures =
        g_ptr_array_new_with_free_func(fixture_free);
    const char *entry;
    guint passed = 0;
    guint unexpected = 0;

    d = g_dir_open(dir, 0, &error);
    if (d == NULL)
        g_error("cannot open %s: %s", dir, error->message);
    while ((entry = g_dir_read_name(d)) != NULL)
        if (g_str_has_suffix(entry, ".txt"))
            g_ptr_array_add(names, g_build_filename(dir, entry, NULL));
    g_ptr_array_sort(names, (GCompareFunc)(void *)g_strcmp0);
    for (guint i = 0; i < names->len; i++)
        load_fixtures(names->pdata[i], fixtures);
    g_assert_cmpuint(fixtures->len, >, 0);

    for (guint i = 0; i < fixtures->len; i++) {
        const Fixture *f = fixtures->pdata[i];
        g_autofree char *got = NULL;

        if (fixture_passes(f, &got)) {
            passed++;
            if (f->miss) {
                g_test_message("PASSES NOW %s %s: remove its miss mark",
                               f->file, f->name);
                unexpected++;
            }
        } else {
            g_autofree char *shown = g_strescape(got, "\xc2\xa0");

            g_test_message("%s %s %s: got \"%s\"",
                           f->miss ? "known miss" : "FAIL", f->file,
                           f->name, shown);
            if (!f->miss)
                unexpected++;
        }
    }
    g_test_message("quote fixtures: %u passed, %u failed (%.1f%%)", passed,
                   fixtures->len - passed,
                   100.0 * passed / fixtures->len);
    if (g_getenv("MT_QUOTE_FIXTURES_REPORT") == NULL)
        g_assert_cmpuint(unexpected, ==, 0);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/quote/table", test_table);
    g_test_add_func("/quote/cases", test_cases);
    g_test_add_func("/quote/cases-exact", test_cases_exact);
    g_test_add_func("/quote/html-replies", test_html_replies);
    g_test_add_func("/quote/linear", test_linear);
    g_test_add_func("/quote/fixtures", test_fixtures);
    return g_test_run();
}
