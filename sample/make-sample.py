#!/usr/bin/python3
"""Write sample/maildir: about 30 invented support mails, byte for byte.

Run it from anywhere; it rewrites sample/maildir next to itself.  The
output is deterministic, so re-running it changes nothing unless this
script changed.  Every person, address, domain and number is invented
(example.com/.org/.net, 192.0.2.0/24 and 198.51.100.0/24).

Tickets are numbered from 1001 in file order; the tags in the
follow-ups below ([#1001], [#1003], [#1007], [#1008]) rely on the first
21 files creating tickets 1001..1015 as listed in TICKETS.  Mail whose
ticket policy may change (newsletter, mailing list, spam, bounce) comes
after every tagged follow-up so that it cannot shift those numbers.
"""

import base64
import datetime as dt
import email.quoprimime
import os
import struct
import sys
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "maildir")

UTC = dt.timezone.utc


def tz(hours, minutes=0):
    return dt.timezone(dt.timedelta(hours=hours, minutes=minutes))


def fmt_date(when, zone):
    return when.astimezone(zone).strftime("%a, %d %b %Y %H:%M:%S %z")


def received(at, helo, ip, qid, secure=True):
    """The top Received: line, written by our own MX."""
    with_ = "ESMTPS" if secure else "ESMTP"
    return ("Received", "from %s (%s [%s])\n\tby mx1.example.com (Postfix) "
            "with %s id %s\n\tfor <support@example.com>; %s (UTC)"
            % (helo, helo, ip, with_, qid,
               at.strftime("%a, %d %b %Y %H:%M:%S +0000")))


def qp(text, charset="utf-8"):
    data = text.encode(charset)
    enc = email.quoprimime.body_encode(data.decode("latin-1"),
                                       maxlinelen=76, eol="\n")
    return enc


def b64(data):
    return base64.encodebytes(data).decode("ascii")


def q_word(text, charset="UTF-8"):
    """One RFC 2047 Q encoded-word, the way MUAs write them."""
    data = text.encode(charset)
    out = []
    for byte in data:
        ch = chr(byte)
        if ch == " ":
            out.append("_")
        elif ch.isalnum() and byte < 128:
            out.append(ch)
        elif ch in "-.!*+/" and byte < 128:
            out.append(ch)
        else:
            out.append("=%02X" % byte)
    return "=?%s?Q?%s?=" % (charset, "".join(out))


def b_word(text, charset="UTF-8"):
    return "=?%s?B?%s?=" % (
        charset, base64.b64encode(text.encode(charset)).decode("ascii"))


def png(width, height, rgb):
    """A tiny valid PNG of one colour."""
    def chunk(kind, data):
        body = kind + data
        return (struct.pack(">I", len(data)) + body
                + struct.pack(">I", zlib.crc32(body) & 0xffffffff))
    raw = b"".join(b"\x00" + bytes(rgb) * width for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n"
            + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2,
                                         0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw, 9))
            + chunk(b"IEND", b""))


def headers(fields):
    out = []
    for name, value in fields:
        out.append("%s: %s\n" % (name, value))
    return "".join(out)


def part(ctype, body, cte=None, extra=()):
    fields = [("Content-Type", ctype)]
    if cte:
        fields.append(("Content-Transfer-Encoding", cte))
    fields.extend(extra)
    return headers(fields) + "\n" + body


def multipart(boundary, parts, preamble=""):
    out = preamble
    for p in parts:
        out += "--%s\n%s" % (boundary, p)
        if not p.endswith("\n"):
            out += "\n"
    out += "--%s--\n" % boundary
    return out


# --- attachments -----------------------------------------------------

CRASH_LOG = """\
2026-03-02 09:14:07.112 INFO  [main] Reportly 4.8.2 (build 4820117) starting
2026-03-02 09:14:07.530 INFO  [main] workspace loaded: 12 reports
2026-03-02 09:18:41.004 INFO  [ui] export requested: report=Q1-sales format=xlsx
2026-03-02 09:18:41.220 INFO  [export] rows=18412 columns=23
2026-03-02 09:18:43.871 WARN  [export] cell C1207: date out of range, using text
2026-03-02 09:18:44.015 ERROR [export] NullPointerException in XlsxWriter.writeRow
    at com.example.reportly.export.XlsxWriter.writeRow(XlsxWriter.java:211)
    at com.example.reportly.export.XlsxWriter.write(XlsxWriter.java:148)
    at com.example.reportly.export.ExportJob.run(ExportJob.java:77)
    at java.base/java.lang.Thread.run(Thread.java:1583)
2026-03-02 09:18:44.016 FATAL [main] unhandled exception, shutting down
"""

EXPORT_LOG = """\
2026-03-03 12:51:10.301 INFO  [main] Reportly 4.8.2 (build 4820117) starting
2026-03-03 12:52:02.117 INFO  [ui] export requested: report=Q1-sales format=csv
2026-03-03 12:52:02.240 INFO  [export] rows=18412 columns=23
2026-03-03 12:52:04.902 INFO  [export] done: 4.1 MB written
2026-03-03 12:53:30.450 INFO  [ui] export requested: report=Q1-sales format=xlsx
2026-03-03 12:53:33.077 ERROR [export] NullPointerException in XlsxWriter.writeRow
"""


# --- the mails -------------------------------------------------------
# Each entry: (received at, UTC), the fields, the body.  "\n" becomes
# CRLF on output.

MAILS = []


def mail(at, fields, body):
    MAILS.append((dt.datetime.strptime(at, "%Y-%m-%d %H:%M:%S")
                  .replace(tzinfo=UTC), fields, body))


def common(at_s, from_, to, subject, msgid, date_zone, date_skew=40,
           helo=("mail.example.org", "192.0.2.25"), qid="4Qx1",
           extra_before=(), extra=(), cc=None, reply_to=None,
           return_path=None):
    """Fields in the order real MTAs and MUAs leave them."""
    at = dt.datetime.strptime(at_s, "%Y-%m-%d %H:%M:%S").replace(tzinfo=UTC)
    sent = at - dt.timedelta(seconds=date_skew)
    if return_path is None:
        return_path = from_.split("<")[-1].rstrip(">")
    f = [("Return-Path", "<%s>" % return_path),
         ("Delivered-To", "support@example.com"),
         received(at, helo[0], helo[1], qid)]
    f.extend(extra_before)
    f.append(("Message-ID", msgid))
    f.append(("Date", fmt_date(sent, date_zone)))
    f.append(("From", from_))
    f.append(("To", to))
    if cc:
        f.append(("Cc", cc))
    if reply_to:
        f.append(("Reply-To", reply_to))
    f.append(("Subject", subject))
    f.extend(extra)
    return f


THUNDERBIRD = ("User-Agent", "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) "
               "Gecko/20100101 Thunderbird/128.7.1")
THUNDERBIRD_WIN = ("User-Agent", "Mozilla Thunderbird")
OUTLOOK = ("X-Mailer", "Microsoft Outlook 16.0")
APPLE = ("X-Mailer", "Apple Mail (2.3826.400.131.1.6)")
IPHONE = ("X-Mailer", "iPhone Mail (22D82)")
MIME = ("MIME-Version", "1.0")
TEXT_UTF8_FLOWED = ("Content-Type", "text/plain; charset=UTF-8; "
                    "format=flowed")
CTE_8BIT = ("Content-Transfer-Encoding", "8bit")
CTE_7BIT = ("Content-Transfer-Encoding", "7bit")


def gmail_alt(boundary, text, html):
    return multipart(boundary, [
        part('text/plain; charset="UTF-8"', text),
        part('text/html; charset="UTF-8"', html),
    ])


def html_of(text):
    paras = [p.replace("\n", "<br>") for p in text.strip().split("\n\n")]
    return ('<div dir="ltr">'
            + "".join("<div>%s</div><div><br></div>" % p for p in paras)
            + "</div>\n")


# 01 -> 1001: billing, double charge (Thunderbird)
mail("2026-03-02 08:12:31", common(
    "2026-03-02 08:12:31", "Emma Clarke <emma.clarke@example.org>",
    "support@example.com", "Charged twice for order #4471220",
    "<6f1c2a9e-3b7d-4e51-9a0c-8d2f4b6e1a73@example.org>", tz(0),
    helo=("smtp.example.org", "192.0.2.25"), qid="4fQm8K2xJcz1xNv",
    extra=[THUNDERBIRD, ("Content-Language", "en-GB"), MIME,
           TEXT_UTF8_FLOWED, CTE_7BIT]), """\
Hello,

I placed order #4471220 on Saturday and my credit card statement shows
the amount of 89.90 GBP twice, both on 28 February. I only received one
order confirmation and one parcel is on its way.

Could you please refund the second charge? The card ends in 4417.

Thank you,
Emma Clarke
""")

# 02 -> 1002: password reset mail never arrives (Gmail)
T02 = """\
Hi there,

I'm trying to reset my password but the reset email never arrives. I
requested it three times in the last hour, checked spam and promotions,
nothing. My username is rpatel84 and the account email is this one.

Can you send the link manually or check if something is blocking it?

Thanks,
Rajesh
"""
mail("2026-03-02 08:47:05", common(
    "2026-03-02 08:47:05", "Rajesh Patel <rajesh.patel@example.net>",
    "support@example.com", "Password reset email never arrives",
    "<CAK7pQ2vR9n3XbT0sLm4Yd8Fh6Wz1Jc5Ue2A@mail.example.net>",
    tz(5, 30), helo=("mail-sor-f41.example.net", "198.51.100.41"),
    qid="4fQm9R0pTbz1xP2",
    extra=[MIME, ("Content-Type", 'multipart/alternative; '
                  'boundary="0000000000008a3c1d062f4b1e27"')]),
    gmail_alt("0000000000008a3c1d062f4b1e27", T02, html_of(T02)))

# 03 -> 1003: app crash with steps and a log (Apple Mail)
T03 = """\
Hello support team,

Reportly crashes every time I export a report to Excel. Steps:

1. Open the report "Q1-sales"
2. Click Export > Excel (.xlsx)
3. The progress bar reaches about 90%, then the app closes

Export to CSV works. I'm on macOS 15.3.1, Reportly 4.8.2. The log from
this morning is attached.

Best regards,
Liam O'Connor
"""
mail("2026-03-02 09:30:12", common(
    "2026-03-02 09:30:12", "Liam O'Connor <liam.oconnor@example.net>",
    "support@example.com", "App crashes when exporting a report to Excel",
    "<3B9E2F71-5C4A-4D8E-A1F6-7E0C2B9D4A58@example.net>", tz(0),
    helo=("smtp.example.net", "198.51.100.17"), qid="4fQmBb3kLsz1xQ8",
    extra=[("Content-Type", 'multipart/mixed; '
            'boundary="Apple-Mail=_9C1F4E2A-7B3D-4A65-8E0F-2D6C1B7A9E34"'),
           ("Mime-Version", "1.0 (Mac OS X Mail 16.0 \\(3826.400.131.1.6\\))"),
           APPLE]),
    multipart("Apple-Mail=_9C1F4E2A-7B3D-4A65-8E0F-2D6C1B7A9E34", [
        part("text/plain;\n\tcharset=us-ascii", T03, "7bit"),
        part("text/plain;\n\tx-unix-mode=0644;\n\tname=\"reportly-crash.log\"",
             b64(CRASH_LOG.encode("ascii")), "base64",
             [("Content-Disposition", "attachment;\n\t"
               "filename=reportly-crash.log")]),
    ]))

# 04 -> 1004: where is my parcel (Outlook)
mail("2026-03-02 10:05:48", common(
    "2026-03-02 10:05:48", "Grace Whitfield <grace.whitfield@example.org>",
    "<support@example.com>", "Where is my parcel? Order #4471388",
    "<000a01dcaa3f$6b2e4c10$41c6e430$@example.org>", tz(0),
    helo=("outbound.example.org", "192.0.2.60"), qid="4fQmCm1wHvz1xR3",
    extra=[OUTLOOK, ("Thread-Index", "AdyqP2suTBBBxuQw3kx2bq4GvT1+Hg=="),
           ("Content-Language", "en-gb"), MIME,
           ("Content-Type", 'text/plain;\n\tcharset="us-ascii"'),
           CTE_7BIT]), """\
Hello,

I ordered a desk lamp (order #4471388) on 23 February and the tracking
number you sent (JD014600006281234567) has shown "label created" for a
week now. The carrier says they never received the parcel.

Has it actually been sent? I need it by the end of next week.

Kind regards

Grace Whitfield
""")

# 05 -> 1005: German, damaged delivery, quoted-printable (Thunderbird)
T05 = """\
Guten Tag,

heute ist meine Bestellung 4471302 angekommen, leider ist der Glastisch
beschädigt: Die Platte hat einen Sprung quer über die Ecke, der Karton
war außen schon eingedrückt. Fotos kann ich gerne schicken.

Bitte schicken Sie mir Ersatz oder erstatten Sie den Betrag. Den
beschädigten Tisch hole ich nicht gern selbst zur Post – können Sie
eine Abholung veranlassen?

Mit freundlichen Grüßen
Jürgen Müller
Lindenstraße 14, 50674 Köln
"""
mail("2026-03-02 11:20:09", common(
    "2026-03-02 11:20:09",
    "%s <juergen.mueller@example.net>" % q_word("Jürgen Müller"),
    "support@example.com",
    "%s\n %s" % (q_word("Lieferung beschädigt – Bestellnummer"),
                 q_word(" 4471302")),
    "<a7e30c54-19bf-4d26-b8e1-5f0d2c6a9b14@example.net>",
    tz(1), helo=("mx-out.example.net", "198.51.100.88"),
    qid="4fQmFq6cNrz1xS9",
    extra=[THUNDERBIRD, ("Content-Language", "de-DE"), MIME,
           ("Content-Type", "text/plain; charset=UTF-8"),
           ("Content-Transfer-Encoding", "quoted-printable")]),
    qp(T05))

# 06 -> 1006: error 500 with a screenshot (Gmail)
T06 = """\
Hi,

When I try to save a new billing address in my account settings the page
shows "Error 500 - Internal Server Error". It happens every time, in
Firefox and Chrome. Screenshot attached.

The address I'm trying to enter is a UK address with a postcode, maybe
that matters.

Priya
"""
mail("2026-03-02 13:02:44", common(
    "2026-03-02 13:02:44", "Priya Raman <priya.raman@example.net>",
    "support@example.com", "Error 500 when saving billing address",
    "<CAOx2hT8mV4qLc1bW6zR0Ns7Pd3Kf9Yj5Ga1B@mail.example.net>", tz(0),
    helo=("mail-sor-f43.example.net", "198.51.100.43"),
    qid="4fQmJt4dQwz1xT5",
    extra=[MIME, ("Content-Type", 'multipart/mixed; '
                  'boundary="000000000000b71e2a062f4b2c90"')]),
    multipart("000000000000b71e2a062f4b2c90", [
        part('multipart/alternative; boundary="000000000000b71e28062f4b2c8e"',
             gmail_alt("000000000000b71e28062f4b2c8e", T06, html_of(T06))),
        part('image/png; name="error-500.png"',
             b64(png(16, 8, (0xd9, 0x53, 0x4f))), "base64",
             [("Content-Disposition",
               'attachment; filename="error-500.png"'),
              ("X-Attachment-Id", "f_m7qk3xv80"),
              ("Content-ID", "<f_m7qk3xv80>")]),
    ]))

# 07 -> 1001: agent answer by alice, with the tag, support in Cc
mail("2026-03-02 14:40:17", common(
    "2026-03-02 14:40:17", "Alice Moreau <alice@example.com>",
    "Emma Clarke <emma.clarke@example.org>",
    "Re: [#1001] Charged twice for order #4471220",
    "<2c8d4e1f-7a95-4b3c-9e60-1f4a7d2b8c35@example.com>", tz(0),
    helo=("submission.example.com", "192.0.2.10"), qid="4fQmMw7hSxz1xV1",
    cc="support@example.com",
    extra=[("In-Reply-To",
            "<6f1c2a9e-3b7d-4e51-9a0c-8d2f4b6e1a73@example.org>"),
           ("References",
            "<6f1c2a9e-3b7d-4e51-9a0c-8d2f4b6e1a73@example.org>"),
           THUNDERBIRD, ("Content-Language", "en-US"), MIME,
           TEXT_UTF8_FLOWED, CTE_8BIT]), """\
Hi Emma,

you're right, the payment provider captured the amount twice. I have
refunded the second charge of 89.90 GBP today; depending on your bank it
shows up on your statement within 3 to 5 working days.

Sorry for the trouble!

Alice
Customer Support

On 02/03/2026 08:11, Emma Clarke wrote:
> Hello,
>
> I placed order #4471220 on Saturday and my credit card statement shows
> the amount of 89.90 GBP twice, both on 28 February. I only received one
> order confirmation and one parcel is on its way.
>
> Could you please refund the second charge? The card ends in 4417.
>
> Thank you,
> Emma Clarke
""")

# 08 -> 1007: 2FA device lost (Apple Mail on iPhone)
mail("2026-03-02 15:15:03", common(
    "2026-03-02 15:15:03", "Marco Bianchi <marco.bianchi@example.org>",
    "support@example.com", "Lost my phone, can't log in (2FA)",
    "<9D4A7C2E-0B6F-4E13-8A5D-C71E3F9B2D60@example.org>", tz(1),
    helo=("smtp.example.org", "192.0.2.26"), qid="4fQmPz2jVbz1xW7",
    extra=[("Content-Type", "text/plain;\n\tcharset=utf-8"),
           ("Content-Transfer-Encoding", "quoted-printable"),
           ("Mime-Version", "1.0 (1.0)"), IPHONE]),
    qp("""\
Hello,

My phone was stolen yesterday and with it the authenticator app. Now I
can’t log in because the site asks for the 6-digit code. I don’t have the
backup codes either.

How can I disable two-factor authentication or move it to my new phone?

Marco

Sent from my iPhone
"""))

# 09 -> 1002: Rajesh replies to his own first mail (Gmail quote)
T09 = """\
Update: I just tried again from another browser and still no email.
Could it be that my address is on some suppression list? Last week I
unsubscribed from your newsletter, maybe that blocked everything.
"""
Q09 = """\

On Mon, 2 Mar 2026 at 14:16, Rajesh Patel <rajesh.patel@example.net> wrote:

> Hi there,
>
> I'm trying to reset my password but the reset email never arrives. I
> requested it three times in the last hour, checked spam and promotions,
> nothing. My username is rpatel84 and the account email is this one.
>
> Can you send the link manually or check if something is blocking it?
>
> Thanks,
> Rajesh
>
"""
mail("2026-03-03 07:55:40", common(
    "2026-03-03 07:55:40", "Rajesh Patel <rajesh.patel@example.net>",
    "support@example.com", "Re: Password reset email never arrives",
    "<CAK7pQ2t0Wm5YcR8xLd1Nb4Hg7Vs3Jf6Ke9C@mail.example.net>",
    tz(5, 30), helo=("mail-sor-f41.example.net", "198.51.100.41"),
    qid="4fRN2a5sXcz1xY4",
    extra=[("In-Reply-To",
            "<CAK7pQ2vR9n3XbT0sLm4Yd8Fh6Wz1Jc5Ue2A@mail.example.net>"),
           ("References",
            "<CAK7pQ2vR9n3XbT0sLm4Yd8Fh6Wz1Jc5Ue2A@mail.example.net>"),
           MIME, ("Content-Type", 'multipart/alternative; '
                  'boundary="0000000000004c7a90062f5c0d13"')]),
    gmail_alt("0000000000004c7a90062f5c0d13", T09 + Q09,
              html_of(T09) + '<br><div class="gmail_quote">'
              '<div dir="ltr" class="gmail_attr">On Mon, 2 Mar 2026 at '
              '14:16, Rajesh Patel &lt;<a href="mailto:rajesh.patel@'
              'example.net">rajesh.patel@example.net</a>&gt; wrote:<br>'
              '</div><blockquote class="gmail_quote" style="margin:0px '
              '0px 0px 0.8ex;border-left:1px solid rgb(204,204,204);'
              'padding-left:1ex">' + html_of(T02) + '</blockquote></div>\n'))

# 10 -> 1008: French refund request, ISO-8859-1 (Apple Mail)
T10 = """\
Bonjour,

J'ai retourné la commande n° 4471415 (une paire de chaussures trop
petite) le 20 février. D'après le suivi, le colis a été livré à votre
entrepôt le 24 février, mais je n'ai toujours pas reçu le remboursement
de 64,00 €.

Pourriez-vous vérifier où en est ma demande ?

Cordialement,
Sophie Laurent
"""
mail("2026-03-03 08:30:26", common(
    "2026-03-03 08:30:26", "Sophie Laurent <sophie.laurent@example.org>",
    "support@example.com",
    q_word("Demande de remboursement - commande n° 4471415", "ISO-8859-1"),
    "<E2B7A941-6C3F-4D08-9F15-8A2C4E6B0D79@example.org>", tz(1),
    helo=("smtp.example.org", "192.0.2.27"), qid="4fRN4c8vZdz1xZ0",
    extra=[("Content-Type", "text/plain;\n\tcharset=iso-8859-1"),
           ("Content-Transfer-Encoding", "quoted-printable"),
           ("Mime-Version", "1.0 (Mac OS X Mail 16.0 \\(3826.400.131.1.6\\))"),
           APPLE]),
    qp(T10.replace("€", "EUR"), "iso-8859-1"))

# 11 -> 1007: out-of-office answer by the requester's mail system
mail("2026-03-03 09:10:02", common(
    "2026-03-03 09:10:02", "Marco Bianchi <marco.bianchi@example.org>",
    "support@example.com",
    "Automatic reply: [#1007] Lost my phone, can't log in (2FA)",
    "<20260303091001.5F2A81C04B@smtp.example.org>", tz(1), date_skew=1,
    helo=("smtp.example.org", "192.0.2.26"), qid="4fRN6f1xBfz1y03",
    extra=[("Auto-Submitted", "auto-replied"),
           ("X-Auto-Response-Suppress", "All"),
           ("Precedence", "bulk"), MIME,
           ("Content-Type", "text/plain; charset=utf-8"),
           CTE_8BIT]), """\
I am out of the office until Monday, 9 March, with limited access to
email. For urgent matters please call the front desk.

Marco Bianchi
""")

# 12 -> 1009: complaint, cancel subscription (Outlook)
mail("2026-03-03 10:25:37", common(
    "2026-03-03 10:25:37", "Daniel Kim <daniel.kim@example.net>",
    "support@example.com",
    "Cancel my subscription - this is unacceptable",
    "<001b01dcab0b$2d7e91a0$887bb4e0$@example.net>", tz(-5),
    helo=("outbound.example.net", "198.51.100.70"), qid="4fRN8h4zDgz1y16",
    extra=[OUTLOOK, ("Thread-Index", "AdyrCy15kPjUEr3QSVGDfi2Ccd4Sxw=="),
           ("Content-Language", "en-us"), MIME,
           ("Content-Type", 'text/plain;\n\tcharset="us-ascii"'),
           CTE_7BIT]), """\
To whom it may concern,

This is the third time this month that the service was down during our
business hours, and nobody answered my last two emails. This is simply
unacceptable for a paid plan.

Please cancel my subscription (account DKIM-3381, Team plan) effective
immediately and refund the unused part of this month.

Daniel Kim
Operations Manager
""")

# 13 -> 1010: account locked (Outlook, HTML + text)
T13 = """\
Hi,

my account got locked after I mistyped my password a few times. The
message says "Account locked, try again later", but it has been two
hours. Username: hberg, email hannah.berg@example.org.

Could you unlock it please? I need to send invoices today.

Thanks
Hannah
"""
mail("2026-03-03 11:40:55", common(
    "2026-03-03 11:40:55", '"Berg, Hannah" <hannah.berg@example.org>',
    "support@example.com", "Account locked",
    "<005c01dcab15$a9c3e0b0$fd4ba210$@example.org>", tz(1),
    helo=("outbound.example.org", "192.0.2.61"), qid="4fRNBk7bFhz1y29",
    extra=[OUTLOOK, ("Thread-Index", "AdyrFak+2XOW8Xc7T1KlX1a8s+PqEA=="),
           ("Content-Language", "de"), MIME,
           ("Content-Type", 'multipart/alternative;\n\tboundary='
            '"----=_NextPart_000_005D_01DCAB1E.0B8A4CB0"')]),
    multipart("----=_NextPart_000_005D_01DCAB1E.0B8A4CB0", [
        part('text/plain;\n\tcharset="us-ascii"', T13, "7bit"),
        part('text/html;\n\tcharset="us-ascii"',
             '<html xmlns:o="urn:schemas-microsoft-com:office:office">'
             '<head><style><!--\np.MsoNormal\n\t{margin:0cm;font-size:'
             '11.0pt;font-family:"Calibri",sans-serif;}\n--></style>'
             '</head><body lang=EN-US>\n'
             + "".join('<p class=MsoNormal>%s<o:p></o:p></p>\n'
                       % line.replace('"', "&quot;") if line else
                       '<p class=MsoNormal><o:p>&nbsp;</o:p></p>\n'
                       for line in T13.rstrip("\n").split("\n"))
             + "</body></html>\n", "7bit"),
    ], preamble="This is a multipart message in MIME format.\n\n"))

# 14 -> 1003: Liam writes a new mail with the tag and another log
T14 = """\
Hello,

one more observation for my ticket: the crash also happens with a
smaller report (about 2,000 rows) as soon as a date column is empty.
Today's log is attached.

Liam
"""
mail("2026-03-03 13:05:19", common(
    "2026-03-03 13:05:19", "Liam O'Connor <liam.oconnor@example.net>",
    "support@example.com", "[#1003] Crash log from today",
    "<5E1D8B36-A2F4-4C97-B0E3-1D6F8A4C2E95@example.net>", tz(0),
    helo=("smtp.example.net", "198.51.100.17"), qid="4fRNDn0dHjz1y34",
    extra=[("Content-Type", 'multipart/mixed; '
            'boundary="Apple-Mail=_4E7A2C91-D3B5-4F08-9A6E-B1C3D5F7A920"'),
           ("Mime-Version", "1.0 (Mac OS X Mail 16.0 \\(3826.400.131.1.6\\))"),
           APPLE]),
    multipart("Apple-Mail=_4E7A2C91-D3B5-4F08-9A6E-B1C3D5F7A920", [
        part("text/plain;\n\tcharset=us-ascii", T14, "7bit"),
        part("application/octet-stream;\n\tx-unix-mode=0644;\n\t"
             "name=\"export-2026-03-03.log\"",
             b64(EXPORT_LOG.encode("ascii")), "base64",
             [("Content-Disposition", "attachment;\n\t"
               "filename=export-2026-03-03.log")]),
    ]))

# 15 -> 1011: feature request (Thunderbird on Windows)
mail("2026-03-03 14:30:08", common(
    "2026-03-03 14:30:08", "Noah Fischer <noah.fischer@example.org>",
    "support@example.com", "Feature request: scheduled CSV export",
    "<d41f7b2e-8c06-4a93-b5e7-2f9c1a3d6e80@example.org>", tz(1),
    helo=("smtp.example.org", "192.0.2.28"), qid="4fRNGq3fKkz1y47",
    extra=[THUNDERBIRD_WIN, ("Content-Language", "en-US"), MIME,
           TEXT_UTF8_FLOWED, CTE_7BIT]), """\
Hello,

we use Reportly for our weekly sales numbers. It would save us a lot of
clicking if a report could be exported to CSV on a schedule (e.g. every
Monday at 06:00) and dropped into a shared folder or sent by email.

Is something like that on your roadmap? We would happily test a beta.

Best,
Noah Fischer
""")

# 16 -> 1004: Grace answers from Outlook, "-----Original Message-----"
mail("2026-03-03 16:10:44", common(
    "2026-03-03 16:10:44", "Grace Whitfield <grace.whitfield@example.org>",
    "<support@example.com>", "RE: Where is my parcel? Order #4471388",
    "<001201dcab3b$8f5d2a70$ae177f50$@example.org>", tz(0),
    helo=("outbound.example.org", "192.0.2.60"), qid="4fRNJs6hMmz1y52",
    extra=[("In-Reply-To",
            "<000a01dcaa3f$6b2e4c10$41c6e430$@example.org>"),
           ("References",
            "<000a01dcaa3f$6b2e4c10$41c6e430$@example.org>"),
           OUTLOOK,
           ("Thread-Index",
            "AdyqP2suTBBBxuQw3kx2bq4GvT1+HgAeVGx/"),
           ("Content-Language", "en-gb"), MIME,
           ("Content-Type", 'text/plain;\n\tcharset="us-ascii"'),
           CTE_7BIT]), """\
Hello again,

still no news from the carrier, and no reply from you either. If the
lamp cannot be delivered by Friday please cancel the order and refund me.

Grace

-----Original Message-----
From: Grace Whitfield <grace.whitfield@example.org>
Sent: Monday, March 2, 2026 10:05 AM
To: support@example.com
Subject: Where is my parcel? Order #4471388

Hello,

I ordered a desk lamp (order #4471388) on 23 February and the tracking
number you sent (JD014600006281234567) has shown "label created" for a
week now. The carrier says they never received the parcel.

Has it actually been sent? I need it by the end of next week.

Kind regards

Grace Whitfield
""")

# 17 -> 1012: invoice copy (Gmail, plain only)
mail("2026-03-04 08:05:13", common(
    "2026-03-04 08:05:13", "Olivia Martins <olivia.martins@example.org>",
    "support@example.com", "Copy of invoice for order #4470871",
    "<CAPm8sQ4xN1vT7bY3Lc0Rw5Kd9Hf2Zj6Ea4D@mail.example.org>", tz(0),
    helo=("mail-sor-f45.example.org", "192.0.2.45"), qid="4fRvQ2sBWnz1y60",
    extra=[MIME, ('Content-Type', 'text/plain; charset="UTF-8"')]), """\
Hello,

could you send me a copy of the invoice for order #4470871 (January)?
Our accounting needs it with our VAT number GB 123 4567 89 on it, the
one in my account only shows the private address.

Kind regards,
Olivia Martins
Martins & Co. Interiors
""")

# 18 -> 1001: Emma answers alice (Thunderbird, quoted)
mail("2026-03-04 09:20:31", common(
    "2026-03-04 09:20:31", "Emma Clarke <emma.clarke@example.org>",
    "Alice Moreau <alice@example.com>",
    "Re: [#1001] Charged twice for order #4471220",
    "<8b2e5d7a-0f41-4c6b-a3d9-e5c71f2b4a96@example.org>", tz(0),
    helo=("smtp.example.org", "192.0.2.25"), qid="4fRvS4uDYpz1y73",
    cc="support@example.com",
    extra=[("In-Reply-To",
            "<2c8d4e1f-7a95-4b3c-9e60-1f4a7d2b8c35@example.com>"),
           ("References",
            "<6f1c2a9e-3b7d-4e51-9a0c-8d2f4b6e1a73@example.org>\n"
            " <2c8d4e1f-7a95-4b3c-9e60-1f4a7d2b8c35@example.com>"),
           THUNDERBIRD, ("Content-Language", "en-GB"), MIME,
           TEXT_UTF8_FLOWED, CTE_8BIT]), """\
Hi Alice,

thanks a lot, the refund is already visible as pending. All good!

Emma

On 02/03/2026 14:39, Alice Moreau wrote:
> Hi Emma,
>
> you're right, the payment provider captured the amount twice. I have
> refunded the second charge of 89.90 GBP today; depending on your bank it
> shows up on your statement within 3 to 5 working days.
>
> Sorry for the trouble!
>
> Alice
> Customer Support
""")

# 19 -> 1013: refund still not received (Apple Mail, plain)
mail("2026-03-04 10:00:50", common(
    "2026-03-04 10:00:50", "Ahmed Hassan <ahmed.hassan@example.net>",
    "support@example.com", "Refund still not received (order #4470987)",
    "<7A3C9E15-4B2D-4F86-A0E1-6C8D2B4F9A37@example.net>", tz(2),
    helo=("smtp.example.net", "198.51.100.19"), qid="4fRvT6wFZqz1y86",
    extra=[("Content-Type", "text/plain;\n\tcharset=us-ascii"),
           CTE_7BIT,
           ("Mime-Version", "1.0 (Mac OS X Mail 16.0 \\(3826.400.131.1.6\\))"),
           APPLE]), """\
Hello,

on 12 February your colleague confirmed by phone that I would get a
refund of 149.00 USD for the cancelled order #4470987 within 10 days.
Three weeks later nothing has arrived on my card.

Please check and send me a confirmation or a reference number I can give
to my bank.

Regards,
Ahmed Hassan
""")

# 20 -> 1014: bug report, unreadable dark mode (Thunderbird)
mail("2026-03-04 11:45:27", common(
    "2026-03-04 11:45:27", "Ethan Brooks <ethan.brooks@example.org>",
    "support@example.com", "Bug: settings page unreadable in dark mode",
    "<0e9c3f61-d2a8-4b75-91f4-6a3e8c0b2d57@example.org>", tz(-5),
    helo=("smtp.example.org", "192.0.2.29"), qid="4fRvW8yHbrz1y99",
    extra=[THUNDERBIRD, ("Content-Language", "en-US"), MIME,
           TEXT_UTF8_FLOWED, CTE_7BIT]), """\
Hi,

small bug, but annoying: with the system set to dark mode the settings
page renders dark grey text on a black background.

Steps to reproduce:
1. Set Windows 11 to dark mode
2. Open Reportly 4.8.2 > Settings > Notifications
3. The labels next to the checkboxes are nearly invisible

Expected: light text, like on the other pages.

Ethan
""")

# 21 -> 1015: change account email; Reply-To has a typo (see 25)
mail("2026-03-04 13:30:02", common(
    "2026-03-04 13:30:02", "Isabella Rossi <isabella.rossi@example.org>",
    "support@example.com", "Change the email address on my account",
    "<f3a18c27-5e64-4d09-b2c1-8e7d4a6f0b31@example.org>", tz(1),
    helo=("smtp.example.org", "192.0.2.30"), qid="4fRvY0aKdsz1yB2",
    reply_to="Isabella Rossi <isabela.rossi@example.org>",
    extra=[THUNDERBIRD, ("Content-Language", "it-IT"), MIME,
           TEXT_UTF8_FLOWED, CTE_7BIT]), """\
Hello,

I am changing jobs and will lose access to this mailbox at the end of
the month. Please change the login email of my account (customer number
C-208154) to my private address, which I can confirm from there.

Thank you,
Isabella Rossi
""")

# 22 -> 1005: bob answers Jürgen in German, with the tag
mail("2026-03-04 14:50:36", common(
    "2026-03-04 14:50:36", "Bob Schneider <bob@example.com>",
    "%s <juergen.mueller@example.net>" % q_word("Jürgen Müller"),
    "%s\n %s" % (q_word("Re: [#1005] Lieferung beschädigt –"),
                 q_word(" Bestellnummer 4471302")),
    "<51d7e2a9-3c8f-4b06-a4e2-9f1b7d3c5e08@example.com>", tz(1),
    helo=("submission.example.com", "192.0.2.10"), qid="4fRvb2cMftz1yC5",
    cc="support@example.com",
    extra=[("In-Reply-To",
            "<a7e30c54-19bf-4d26-b8e1-5f0d2c6a9b14@example.net>"),
           ("References",
            "<a7e30c54-19bf-4d26-b8e1-5f0d2c6a9b14@example.net>"),
           THUNDERBIRD, ("Content-Language", "de-DE"), MIME,
           ("Content-Type", "text/plain; charset=UTF-8"),
           ("Content-Transfer-Encoding", "quoted-printable")]),
    qp("""\
Hallo Herr Müller,

das tut uns leid. Ein neuer Tisch geht morgen in den Versand, die
Spedition holt den beschädigten bei der Lieferung gleich mit ab. Sie
müssen nichts weiter tun.

Viele Grüße
Bob Schneider
Kundenservice

Am 02.03.26 um 12:19 schrieb Jürgen Müller:
> Guten Tag,
>
> heute ist meine Bestellung 4471302 angekommen, leider ist der Glastisch
> beschädigt: Die Platte hat einen Sprung quer über die Ecke, der Karton
> war außen schon eingedrückt. Fotos kann ich gerne schicken.
"""))

# 23 -> 1006: Priya follows up (Gmail reply, In-Reply-To)
T23 = """\
Hi again,

I found out it only fails when the postcode has a space in it ("SW1A
1AA"). Without the space it saves. Still a bug I guess, but at least I
can work around it.
"""
Q23 = """\

On Mon, 2 Mar 2026 at 13:02, Priya Raman <priya.raman@example.net> wrote:

> Hi,
>
> When I try to save a new billing address in my account settings the page
> shows "Error 500 - Internal Server Error". It happens every time, in
> Firefox and Chrome. Screenshot attached.
>
"""
mail("2026-03-04 15:35:12", common(
    "2026-03-04 15:35:12", "Priya Raman <priya.raman@example.net>",
    "support@example.com", "Re: Error 500 when saving billing address",
    "<CAOx2hT9bK5wNd2cX7aS1Op8Qe4Lg0Zk6Hb2C@mail.example.net>", tz(0),
    helo=("mail-sor-f43.example.net", "198.51.100.43"),
    qid="4fRvd4eNhvz1yD8",
    extra=[("In-Reply-To",
            "<CAOx2hT8mV4qLc1bW6zR0Ns7Pd3Kf9Yj5Ga1B@mail.example.net>"),
           ("References",
            "<CAOx2hT8mV4qLc1bW6zR0Ns7Pd3Kf9Yj5Ga1B@mail.example.net>"),
           MIME, ("Content-Type", 'multipart/alternative; '
                  'boundary="00000000000093d4f1062f6d1a55"')]),
    gmail_alt("00000000000093d4f1062f6d1a55", T23 + Q23,
              html_of(T23) + '<br><div class="gmail_quote"><div dir="ltr" '
              'class="gmail_attr">On Mon, 2 Mar 2026 at 13:02, Priya Raman '
              '&lt;priya.raman@example.net&gt; wrote:<br></div>'
              '<blockquote class="gmail_quote">' + html_of(T06)
              + '</blockquote></div>\n'))

# 24 -> 1008: Sophie answers the acknowledgment; only the tag links it
mail("2026-03-04 16:20:45", common(
    "2026-03-04 16:20:45", "Sophie Laurent <sophie.laurent@example.org>",
    "support@example.com",
    "Re: [#1008] %s" % q_word(
        "Demande de remboursement - commande n° 4471415", "ISO-8859-1"),
    "<0C5F8A3D-7E21-4B94-8D6A-3F1B9C2E7D40@example.org>", tz(1),
    helo=("smtp.example.org", "192.0.2.27"), qid="4fRvf6gQjwz1yF1",
    extra=[("In-Reply-To", "<mt.1008.ack.8c41e2@mailer.example.com>"),
           ("References", "<mt.1008.ack.8c41e2@mailer.example.com>"),
           ("Content-Type", "text/plain;\n\tcharset=utf-8"),
           ("Content-Transfer-Encoding", "quoted-printable"),
           ("Mime-Version", "1.0 (Mac OS X Mail 16.0 \\(3826.400.131.1.6\\))"),
           APPLE]),
    qp("""\
Bonjour,

je vous joins le numéro de suivi du retour : 6A12345678901. Merci de me
tenir au courant.

Sophie Laurent

> Le 3 mars 2026 à 09:31, support@example.com a écrit :
>
> Nous avons bien reçu votre demande.
"""))

# 25 -> 1009: Daniel again, angrier (Outlook, -----Original Message-----)
mail("2026-03-04 17:05:09", common(
    "2026-03-04 17:05:09", "Daniel Kim <daniel.kim@example.net>",
    "support@example.com",
    "RE: Cancel my subscription - this is unacceptable",
    "<002f01dcac0c$7a1b3e20$6e51ba60$@example.net>", tz(-5),
    helo=("outbound.example.net", "198.51.100.70"), qid="4fRvh8jSkxz1yG4",
    extra=[("In-Reply-To",
            "<001b01dcab0b$2d7e91a0$887bb4e0$@example.net>"),
           ("References",
            "<001b01dcab0b$2d7e91a0$887bb4e0$@example.net>"),
           OUTLOOK,
           ("Thread-Index", "AdyrCy15kPjUEr3QSVGDfi2Ccd4SxwAzAbcD"),
           ("Content-Language", "en-us"), MIME,
           ("Content-Type", 'text/plain;\n\tcharset="us-ascii"'),
           CTE_7BIT]), """\
Still waiting for a confirmation of the cancellation. If I do not hear
from you by tomorrow I will dispute the charge with my bank.

Daniel Kim

-----Original Message-----
From: Daniel Kim <daniel.kim@example.net>
Sent: Tuesday, March 3, 2026 5:25 AM
To: support@example.com
Subject: Cancel my subscription - this is unacceptable

To whom it may concern,

This is the third time this month that the service was down during our
business hours, and nobody answered my last two emails.
""")

# 26 -> 1016: Spanish, damaged item, base64 encoded-word subject (Gmail)
T26 = """\
Hola:

El pedido #4471466 llegó ayer, pero la cafetera tiene la jarra de
cristal rota y la caja estaba mojada. ¿Me pueden enviar una jarra nueva
o debo devolver la cafetera completa?

Gracias y un saludo,
Carlos Jiménez
"""
mail("2026-03-05 08:10:33", common(
    "2026-03-05 08:10:33",
    "%s <carlos.jimenez@example.net>" % q_word("Carlos Jiménez"),
    "support@example.com",
    b_word("Artículo dañado en el pedido #4471466"),
    "<CAN3vR7yT2pXc8Kd0Lb5Qm1Wh4Zs9Fg6Jd3E@mail.example.net>", tz(1),
    helo=("mail-sor-f47.example.net", "198.51.100.47"),
    qid="4fSQp1kTmyz1yH7",
    extra=[MIME, ("Content-Type", 'multipart/alternative; '
                  'boundary="000000000000c2e5a8062f7e4b21"')]),
    multipart("000000000000c2e5a8062f7e4b21", [
        part('text/plain; charset="UTF-8"', qp(T26), "quoted-printable"),
        part('text/html; charset="UTF-8"', qp(html_of(T26)),
             "quoted-printable"),
    ]))

# 27 -> (new): newsletter from a no-reply address
mail("2026-03-05 09:00:04", common(
    "2026-03-05 09:00:04", "Parcelly News <noreply@news.example.net>",
    "support@example.com", "Your March update: faster label printing",
    "<20260305090003.7c1e9a2b4d6f@news.example.net>", tz(0), date_skew=1,
    helo=("o7.news.example.net", "198.51.100.120"), qid="4fSQr3mVnzz1yJ0",
    extra=[("List-Unsubscribe",
            "<https://news.example.net/u/7c1e9a2b4d6f>, "
            "<mailto:unsubscribe@news.example.net?subject=7c1e9a2b4d6f>"),
           ("List-Unsubscribe-Post", "List-Unsubscribe=One-Click"),
           ("Precedence", "bulk"), ("X-Mailer", "Parcelly Mailer 3.1"),
           MIME, ("Content-Type", 'multipart/alternative; '
                  'boundary="nl_b1f0e2d3c4a5"')]),
    multipart("nl_b1f0e2d3c4a5", [
        part("text/plain; charset=utf-8", """\
Parcelly - March update

* Label printing is now twice as fast on Zebra printers.
* New: pickup slots can be booked up to 14 days ahead.
* Our support hours over Easter are on the website.

You receive this mail because support@example.com is registered for a
Parcelly business account. Unsubscribe: https://news.example.net/u/7c1e9a2b4d6f
""", "8bit"),
        part("text/html; charset=utf-8", """\
<!DOCTYPE html><html><head><meta charset="utf-8"><title>March update</title>
<style>body{font-family:Arial,sans-serif}h1{color:#0a5}</style></head>
<body><h1>Parcelly &ndash; March update</h1><ul>
<li>Label printing is now twice as fast on Zebra printers.</li>
<li>New: pickup slots can be booked up to 14 days ahead.</li>
<li>Our support hours over Easter are on the website.</li></ul>
<p style="font-size:11px">You receive this mail because support@example.com
is registered for a Parcelly business account.
<a href="https://news.example.net/u/7c1e9a2b4d6f">Unsubscribe</a></p>
</body></html>
""", "8bit"),
    ]))

# 28 -> (new): mailing-list message the support address is subscribed to
mail("2026-03-05 10:12:48", common(
    "2026-03-05 10:12:48", "Kenji Watanabe <kenji.watanabe@example.org>",
    "users@lists.example.org",
    "[reportly-users] Webhook retries after a timeout?",
    "<b6e2d9f4-1a73-4c58-8e06-3d9a5f7b1c24@example.org>", tz(9),
    helo=("lists.example.org", "192.0.2.80"), qid="4fSQt5oXpbz1yK3",
    return_path="users-bounces@lists.example.org",
    extra_before=[("Received", "from ws-kw.example.org (ws-kw.example.org "
                   "[192.0.2.91])\n\tby lists.example.org (Postfix) with "
                   "ESMTPS id 2B7F41E0A3\n\tfor <users@lists.example.org>; "
                   "Thu, 05 Mar 2026 10:12:40 +0000 (UTC)")],
    extra=[("Reply-To", "users@lists.example.org"),
           ("List-Id", "Reportly users <users.lists.example.org>"),
           ("List-Post", "<mailto:users@lists.example.org>"),
           ("List-Unsubscribe",
            "<mailto:users-leave@lists.example.org>"),
           ("List-Archive", "<https://lists.example.org/archives/users/>"),
           ("Precedence", "list"),
           ("Sender", "users-bounces@lists.example.org"),
           THUNDERBIRD, MIME, TEXT_UTF8_FLOWED, CTE_7BIT]), """\
Hi all,

does anyone know whether Reportly retries a webhook when the receiving
end times out? Our endpoint sometimes needs 20 s and we seem to lose
events. The docs only talk about 5xx responses.

Kenji
--
reportly-users mailing list
https://lists.example.org/mailman/listinfo/users
""")

# 29 -> (new or spam): spam, flagged by the MX's filter
mail("2026-03-05 11:03:27", common(
    "2026-03-05 11:03:27", "Rewards Team <rewards@prizes.example.net>",
    "support@example.com",
    "Congratulations! You have been selected for a $500 gift card",
    "<20260305110326.AB12CD34EF@prizes.example.net>", tz(0), date_skew=1,
    helo=("bulk7.prizes.example.net", "198.51.100.200"),
    qid="4fSQw7qZqcz1yL6",
    extra=[("X-Spam-Flag", "YES"),
           ("X-Spam-Score", "9.8"),
           ("X-Spam-Status", "Yes, score=9.8 required=5.0 tests=FREEMAIL_"
            "FORGED_REPLYTO,HTML_MESSAGE,LOTS_OF_MONEY,URIBL_BLOCKED\n\t"
            "autolearn=no version=3.4.6"),
           MIME, ("Content-Type", "text/html; charset=utf-8"),
           CTE_7BIT]), """\
<html><body><h2>CONGRATULATIONS!!!</h2>
<p>Your email was selected to receive a <b>$500 gift card</b>.
Claim it within 24 hours: <a href="http://prizes.example.net/c?id=44721">CLAIM NOW</a></p>
<p>No purchase necessary.</p></body></html>
""")

# 30 -> (bounce): our acknowledgment to Isabella's mistyped Reply-To
mail("2026-03-05 13:31:10", [
    ("Return-Path", "<>"),
    ("Delivered-To", "support@example.com"),
    received(dt.datetime(2026, 3, 5, 13, 31, 10, tzinfo=UTC),
             "mx.example.net", "198.51.100.25", "4fSQy9sBrdz1yM9"),
    ("Date", "Thu, 05 Mar 2026 13:31:09 +0000 (UTC)"),
    ("From", "MAILER-DAEMON@mx.example.net (Mail Delivery System)"),
    ("Subject", "Undelivered Mail Returned to Sender"),
    ("To", "support@example.com"),
    ("Auto-Submitted", "auto-replied"),
    ("MIME-Version", "1.0"),
    ("Content-Type", "multipart/report; report-type=delivery-status;\n"
     "\tboundary=\"7D1C31E0B4.1772717469/mx.example.net\""),
    ("Content-Transfer-Encoding", "8bit"),
    ("Message-Id", "<20260305133109.8E5D31E0C7@mx.example.net>"),
], multipart("7D1C31E0B4.1772717469/mx.example.net", [
    part("text/plain; charset=us-ascii", """\
This is the mail system at host mx.example.net.

I'm sorry to have to inform you that your message could not
be delivered to one or more recipients. It's attached below.

For further assistance, please send mail to postmaster.

If you do so, please include this problem report. You can
delete your own text from the attached returned message.

                   The mail system

<isabela.rossi@example.org>: host mx.example.org[192.0.2.50] said: 550
    5.1.1 <isabela.rossi@example.org>: Recipient address rejected: User
    unknown in virtual mailbox table (in reply to RCPT TO command)
""", extra=[("Content-Description", "Notification")]),
    part("message/delivery-status", """\
Reporting-MTA: dns; mx.example.net
X-Postfix-Queue-ID: 7D1C31E0B4
X-Postfix-Sender: rfc822; support@example.com
Arrival-Date: Thu,  5 Mar 2026 13:31:08 +0000 (UTC)

Final-Recipient: rfc822; isabela.rossi@example.org
Original-Recipient: rfc822;isabela.rossi@example.org
Action: failed
Status: 5.1.1
Remote-MTA: dns; mx.example.org
Diagnostic-Code: smtp; 550 5.1.1 <isabela.rossi@example.org>: Recipient
    address rejected: User unknown in virtual mailbox table
""", extra=[("Content-Description", "Delivery report")]),
    part("text/rfc822-headers", """\
Return-Path: <support@example.com>
Received: from mailer.example.com (mailer.example.com [192.0.2.12])
\tby mx.example.net (Postfix) with ESMTPS id 7D1C31E0B4
\tfor <isabela.rossi@example.org>; Thu,  5 Mar 2026 13:31:08 +0000 (UTC)
Message-ID: <mt.1015.ack.3f9d07@mailer.example.com>
Date: Thu, 05 Mar 2026 13:31:05 +0000
From: Example Support <support@example.com>
Reply-To: support@example.com
To: Isabella Rossi <isabela.rossi@example.org>
Subject: [#1015] We received your request: Change the email address on my
 account
Auto-Submitted: auto-replied
X-Loop: support@example.com
""", extra=[("Content-Description", "Undelivered Message Headers")]),
]))

# 31 -> (new): short one from a phone, signature only
mail("2026-03-05 15:48:22", common(
    "2026-03-05 15:48:22", "Mia Andersen <mia.andersen@example.org>",
    "support@example.com", "Where do I download my invoices?",
    "<F1A9C3E7-2D58-4B06-9E4A-7C1B3D5F8A02@example.org>", tz(1),
    helo=("smtp.example.org", "192.0.2.31"), qid="4fSR21uDsfz1yN2",
    extra=[("Content-Type", "text/plain;\n\tcharset=us-ascii"),
           CTE_7BIT, ("Mime-Version", "1.0 (1.0)"), IPHONE]), """\
Hi, I can't find the button to download my invoices as PDF anymore
since the new design. Where did it go?

Mia

Sent from my iPhone
""")

# What the first files create (file number -> ticket), for the tests.
TICKETS = {1: 1001, 2: 1002, 3: 1003, 4: 1004, 5: 1005, 6: 1006,
           8: 1007, 10: 1008, 12: 1009, 13: 1010, 15: 1011, 17: 1012,
           19: 1013, 20: 1014, 21: 1015, 26: 1016}


def main():
    for sub in ("new", "cur", "tmp"):
        d = os.path.join(OUT, sub)
        os.makedirs(d, exist_ok=True)
        for name in os.listdir(d):
            os.unlink(os.path.join(d, name))
    for i, (at, fields, body) in enumerate(MAILS, 1):
        text = headers(fields) + "\n" + body
        assert "\r" not in text, i
        data = text.replace("\n", "\r\n").encode("utf-8")
        # Headers are 7-bit everywhere; bodies too, except 8bit parts.
        name = "%d.M%dP%d.sample" % (int(at.timestamp()), i, 4100 + i)
        with open(os.path.join(OUT, "new", name), "wb") as f:
            f.write(data)
    for sub in ("cur", "tmp"):
        open(os.path.join(OUT, sub, ".gitkeep"), "wb").close()
    print("wrote %d messages to %s" % (len(MAILS), OUT))


if __name__ == "__main__":
    sys.exit(main())
