#!/bin/bash
# t3010-smtp: the smtp:// and smtps:// transports against a real SMTP
# server on loopback (tests/lib/smtp-sink.py, python3-aiosmtpd): what
# arrives, server down, 4xx then 250, 5xx, STARTTLS with a verified
# certificate, AUTH from a password file (DESIGN 7, 10).
[ -n "$BASH_VERSION" ] || exec bash "$0" "$@"
. "$(dirname "$0")/../lib/test-lib.sh"
. "$MT_SRCDIR/tests/lib/mail.sh"
. "$MT_SRCDIR/tests/lib/smtp.sh"
need_binary
need_smtp

T0=2026-03-10T10:00:00Z
write_conf()
{
    cat >mailtriage.conf <<EOF_CONF
[general]
support_address = support@example.com

[transport]
url = $1
from = Example Support <support@example.com>
$2
EOF_CONF
}

# new_mail N ADDR: a new ticket's first message from ADDR.
new_mail()
{
    mail_new "m$1" "Customer $1 <$2>" "Question $1 über Größen" "q$1@example.net" &&
    maildir_put "in$1" "m$1" &&
    mt --now "$T0" ingest "in$1"
}

smtp_start
write_conf "smtp://127.0.0.1:$SMTP_PORT"

test_expect_success 'an ack goes out over SMTP and arrives intact' '
    new_mail 1 anna@example.net &&
    mt --now $T0 send &&
    test "$(smtp_count)" = 1 &&
    f=$(ls "$SMTP_MAILDIR"/new/*) &&
    test "$(mail_header "$f" X-Envelope-From)" = "<support@example.com>" &&
    test "$(mail_header "$f" X-Envelope-To)" = "<anna@example.net>" &&
    test "$(mail_header "$f" Subject)" = "[#1001] We received your request: Question 1 über Größen" &&
    test "$(mail_header "$f" From)" = "Example Support <support@example.com>" &&
    test "$(mail_header "$f" In-Reply-To)" = "<q1@example.net>" &&
    test "$(mail_header "$f" Auto-Submitted)" = auto-replied &&
    test "$(mail_header "$f" X-Loop)" = support@example.com &&
    mail_body "$f" | grep "Question 1 über Größen" &&
    mt outbox list --json | json_get "[r[\"state\"] for r in j]" | grep "\"sent\""
'

test_expect_success 'the bytes sent are the bytes queued (a resend is identical)' '
    f=$(ls "$SMTP_MAILDIR"/new/*) &&
    mt ticket show 1001 --json >t.json &&
    id=$(json_get "[m[\"id\"] for m in j[\"messages\"] if m[\"direction\"] == \"out\"][0]" <t.json) &&
    mt message raw $id >queued.eml &&
    sed 1,2d "$f" >arrived.eml &&
    cmp queued.eml arrived.eml
'

smtp_stop
test_expect_success 'server down: the mail stays queued (exit 69)' '
    new_mail 2 bert@example.net &&
    expect_exit 69 mt --now $T0 send &&
    grep "unavailable" err &&
    mt outbox list --json >ob.json &&
    test "$(json_get "[(r[\"state\"], r[\"attempts\"]) for r in j if r[\"to\"] == \"bert@example.net\"]" <ob.json)" = "[[\"queued\", 1]]" &&
    json_get "[r[\"last_error\"] for r in j if r[\"to\"] == \"bert@example.net\"][0]" <ob.json | grep "unavailable"
'

smtp_start
test_expect_success 'the server is back: it goes out on the next run, once' '
    mt --now $T0 send &&
    test "$(smtp_count)" = 2 &&
    mt outbox list --json >ob.json &&
    test "$(json_get "[(r[\"state\"], r[\"attempts\"]) for r in j if r[\"to\"] == \"bert@example.net\"]" <ob.json)" = "[[\"sent\", 2]]" &&
    mt --now $T0 send && test "$(smtp_count)" = 2
'

smtp_stop
smtp_start --tempfail 1
test_expect_success '4xx: queued with backoff, not retried before it is due' '
    new_mail 3 cleo@example.net &&
    mt --now $T0 send &&
    grep "DATA 451" "$SMTP_LOG" &&
    test "$(smtp_count)" = 2 &&
    mt outbox list --json >ob.json &&
    test "$(json_get "[(r[\"state\"], r[\"attempts\"], r[\"next_attempt_at\"]) for r in j if r[\"to\"] == \"cleo@example.net\"]" <ob.json)" = \
        "[[\"queued\", 1, \"2026-03-10T10:05:00Z\"]]" &&
    json_get "[r[\"last_error\"] for r in j if r[\"to\"] == \"cleo@example.net\"][0]" <ob.json | grep "451" &&
    mt --now 2026-03-10T10:04:00Z send && test "$(smtp_count)" = 2
'

test_expect_success '4xx then 250: sent once' '
    mt --now 2026-03-10T10:06:00Z send &&
    test "$(smtp_count)" = 3 &&
    test "$(grep -c "^DATA 250" "$SMTP_LOG")" = 3 &&
    mt outbox list --json >ob.json &&
    test "$(json_get "[(r[\"state\"], r[\"attempts\"]) for r in j if r[\"to\"] == \"cleo@example.net\"]" <ob.json)" = "[[\"sent\", 2]]" &&
    mt --now 2026-03-10T12:00:00Z send && test "$(smtp_count)" = 3
'

smtp_stop
smtp_start --reject dora@example.net
test_expect_success '5xx: failed for good, shown by outbox list and on the ticket' '
    new_mail 4 dora@example.net &&
    mt --now $T0 send &&
    grep "RCPT dora@example.net 550" "$SMTP_LOG" &&
    mt outbox list --json >ob.json &&
    test "$(json_get "[r[\"state\"] for r in j if r[\"to\"] == \"dora@example.net\"]" <ob.json)" = "[\"failed\"]" &&
    json_get "[r[\"last_error\"] for r in j if r[\"to\"] == \"dora@example.net\"][0]" <ob.json | grep "550" &&
    mt outbox list | grep "failed.*dora@example.net.*550" &&
    mt ticket show 1004 | grep "delivery-failed.*550" &&
    mt --now 2026-03-12T00:00:00Z send &&
    test "$(grep -c "RCPT dora@example.net" "$SMTP_LOG")" = 1
'

smtp_stop
smtp_make_cert cert
smtp_start --tls cert/cert.pem cert/key.pem --auth mtuser 's3cret-Pa55'
printf 's3cret-Pa55\n' >pw
chmod 600 pw

test_expect_success 'STARTTLS: an unknown certificate is refused, the mail waits' '
    write_conf "smtp://localhost:$SMTP_PORT" \
        "starttls = yes
user = mtuser
password_file = pw" &&
    new_mail 5 emil@example.net &&
    expect_exit 69 mt --now $T0 send &&
    test "$(smtp_count)" = 3 &&
    mt outbox list --json | json_get "[r[\"state\"] for r in j if r[\"to\"] == \"emil@example.net\"]" | grep queued
'

test_expect_success 'STARTTLS with ca_file and AUTH: sent; no password in any output' '
    write_conf "smtp://localhost:$SMTP_PORT" \
        "starttls = yes
ca_file = cert/cert.pem
user = mtuser
password_file = pw" &&
    mt -v --now $T0 send >out 2>err &&
    test "$(smtp_count)" = 4 &&
    grep "AUTH .* ok" "$SMTP_LOG" &&
    ! grep -r "s3cret" out err var/mailtriage.db
'

test_expect_success 'a wrong password is refused (exit 77), the mail waits' '
    new_mail 6 finn@example.net &&
    printf "wrong\n" >pw &&
    expect_exit 77 mt --now $T0 send &&
    grep "refused" err && ! grep "wrong" err &&
    test "$(smtp_count)" = 4
'

test_expect_success 'a password file others can read is refused (exit 78)' '
    chmod 640 pw &&
    expect_exit 78 mt --now $T0 send &&
    grep "password_file .* readable by others" err &&
    chmod 600 pw
'

smtp_stop
smtp_start --smtps cert/cert.pem cert/key.pem
test_expect_success 'smtps:// with a verified certificate' '
    write_conf "smtps://localhost:$SMTP_PORT" "ca_file = cert/cert.pem" &&
    mt --now $T0 send &&
    test "$(smtp_count)" = 5 &&
    mt outbox list --json | json_get "[r[\"state\"] for r in j if r[\"to\"] == \"finn@example.net\"]" | grep sent
'

test_expect_success 'sendmail:PATH pipes the message to PATH -i -t' '
    cat >fake-sendmail <<EOF_S &&
#!/bin/sh
echo "\$@" >"$TMPDIR_TEST/sendmail.args"
cat >"$TMPDIR_TEST/sendmail.in"
EOF_S
    chmod +x fake-sendmail &&
    write_conf "sendmail:$TMPDIR_TEST/fake-sendmail" "" &&
    new_mail 7 gina@example.net &&
    mt --now $T0 send &&
    test "$(cat sendmail.args)" = "-i -t -f support@example.com" &&
    test "$(mail_header sendmail.in To)" = "Customer 7 <gina@example.net>"
'

test_done
