#!/bin/bash
# t3000-outbox: acknowledgments from templates into the embedded
# default outbox (maildir:var/outbox): what they look like (RFC 2047,
# quoted-printable, threading headers, tag, Auto-Submitted, X-Loop),
# who gets none and why, the rate limit, header injection, template
# errors, and a bounce of our own mail (DESIGN 4, 7).
[ -n "$BASH_VERSION" ] || exec bash "$0" "$@"
. "$(dirname "$0")/../lib/test-lib.sh"
. "$MT_SRCDIR/tests/lib/mail.sh"
need_binary

cat >mailtriage.conf <<'EOF_CONF'
[general]
support_address = support@example.com

[agent alice]
email = alice@example.com
EOF_CONF
NOW='--now 2026-03-10T10:00:00Z'

mkdir m
mail_new m/01 '=?UTF-8?Q?J=C3=BCrgen_M=C3=BCller?= <juergen@example.net>' \
    '=?UTF-8?Q?Lieferung_besch=C3=A4digt?=' 'human-1@example.net'
mail_new m/02 'Out Of Office <ooo@example.net>' 'Automatic reply: away' \
    'ooo-1@example.net' 'Auto-Submitted: auto-replied'
mail_new m/03 'List <users@lists.example.org>' 'Weekly digest' \
    'list-1@example.org' 'List-Id: <users.lists.example.org>' \
    'Precedence: list'
mail_new m/04 'Shop <noreply@shop.example.com>' 'Your order shipped' \
    'noreply-1@example.com'
mail_new m/05 'Vera <vera@example.net>' 'No autoreplies please' \
    'suppress-1@example.net' 'X-Auto-Response-Suppress: All'
mail_new m/06 'Hank Human <hank@example.net>' 'I am a person' \
    'human-2@example.net' 'Auto-Submitted: no'
# A hostile subject and name: encoded CR LF that would add headers if
# copied into ours.
mail_new m/07 '=?UTF-8?Q?Eve=0D=0ABcc:_spy@evil.example?= <eve@example.net>' \
    '=?UTF-8?Q?hi=0D=0ABcc:_spy@evil.example=0D=0A=0D=0Abody?=' \
    'hostile-1@example.net'
mail_new m/08 'Alice Agent <alice@example.com>' 'Internal: printer' \
    'agent-1@example.com'
maildir_put in1 m/01 m/02 m/03 m/04 m/05 m/06 m/07 m/08

test_expect_success 'ingest queues acknowledgments, run commits them' '
    mt -v $NOW ingest in1 2>err &&
    grep "acks=3 acks_withheld=5" err
'

test_expect_success 'outbox list --json: three queued acks to the humans' '
    mt outbox list --json >ob.json &&
    test "$(json_get "len(j)" <ob.json)" = 3 &&
    test "$(json_get "sorted(r[\"to\"] for r in j)" <ob.json)" = \
        "[\"eve@example.net\", \"hank@example.net\", \"juergen@example.net\"]" &&
    test "$(json_get "sorted(set(r[\"state\"] for r in j))" <ob.json)" = \
        "[\"queued\"]" &&
    test "$(json_get "sorted(set(r[\"kind\"] for r in j))" <ob.json)" = \
        "[\"ack\"]" &&
    test "$(json_get "j[0][\"attempts\"]" <ob.json)" = 0 &&
    test "$(json_get "j[0][\"last_error\"]" <ob.json)" = null
'

test_expect_success 'ticket show says why nothing was sent' '
    for t in 1002 1003 1004 1005 1008; do
        mt ticket show $t --json >t$t.json || return 1
    done &&
    json_get "[e[\"detail\"] for e in j[\"events\"] if e[\"kind\"] == \"ack-withheld\"]" <t1002.json | grep "auto_reply" &&
    json_get "[e[\"detail\"] for e in j[\"events\"] if e[\"kind\"] == \"ack-withheld\"]" <t1003.json | grep "list" &&
    json_get "[e[\"detail\"] for e in j[\"events\"] if e[\"kind\"] == \"ack-withheld\"]" <t1004.json | grep -i "noreply\|automated" &&
    json_get "[e[\"detail\"] for e in j[\"events\"] if e[\"kind\"] == \"ack-withheld\"]" <t1005.json | grep "X-Auto-Response-Suppress" &&
    json_get "[e[\"detail\"] for e in j[\"events\"] if e[\"kind\"] == \"ack-withheld\"]" <t1008.json | grep "is an agent"
'

test_expect_success 'the queued ack is an outgoing message of its ticket' '
    mt ticket show 1001 --json >t1001.json &&
    test "$(json_get "[(m[\"direction\"], m[\"role\"]) for m in j[\"messages\"]]" <t1001.json)" = \
        "[[\"in\", \"customer\"], [\"out\", \"system\"]]" &&
    json_get "[e[\"detail\"] for e in j[\"events\"] if e[\"kind\"] == \"queued\"]" <t1001.json |
        grep "ack to Jürgen Müller <juergen@example.net>"
'

test_expect_success 'send delivers into the embedded default var/outbox' '
    mt -v $NOW send 2>err &&
    grep "sent=3 deferred=0 failed=0" err &&
    test "$(ls var/outbox/new | wc -l)" = 3 &&
    mt outbox list --json >ob.json &&
    test "$(json_get "sorted(set(r[\"state\"] for r in j))" <ob.json)" = "[\"sent\"]"
'

ACK=
test_expect_success 'the ack: tag, RFC 2047 subject and name, threading' '
    f=$(sent_to var/outbox juergen@example.net) &&
    test -n "$f" &&
    test "$(mail_header "$f" Subject)" = "[#1001] We received your request: Lieferung beschädigt" &&
    sed "/^\$/q" "$f" | grep "=?UTF-8?B?YmVzY2jDpGRpZ3Q=?=" &&
    test "$(mail_header "$f" To)" = "Jürgen Müller <juergen@example.net>" &&
    test "$(mail_header "$f" In-Reply-To)" = "<human-1@example.net>" &&
    test "$(mail_header "$f" References)" = "<human-1@example.net>" &&
    test "$(mail_header "$f" Reply-To)" = "support@example.com" &&
    test "$(mail_header "$f" From)" = "support@example.com" &&
    test "$(mail_header "$f" Auto-Submitted)" = "auto-replied" &&
    test "$(mail_header "$f" X-Loop)" = "support@example.com" &&
    mail_header "$f" Message-ID | grep -E "^<mt\.1001\.ack\.[0-9a-f]+@example\.com>$"
'

test_expect_success 'the ack: UTF-8 body in quoted-printable, the promise' '
    f=$(sent_to var/outbox juergen@example.net) &&
    grep -i "^Content-Type: text/plain; charset=utf-8" "$f" &&
    grep -i "^Content-Transfer-Encoding: quoted-printable" "$f" &&
    mail_body "$f" >body &&
    grep "Hello Jürgen Müller," body &&
    grep "ticket \[#1001\]" body &&
    grep "within 24 hours, by Wed 11 Mar 2026 10:00 UTC" body &&
    ! grep -n "{{" body &&
    awk "length > 78 { exit 1 }" "$f"
'

test_expect_success 'a hostile subject and name add no header' '
    f=$(sent_to var/outbox eve@example.net) &&
    sed "/^\$/q" "$f" >headers &&
    ! grep -i "^Bcc:" headers &&
    test "$(grep -i -c "spy@evil" headers)" = 2 &&
    grep -i "^Subject:.*spy@evil" headers &&
    grep -i "^To: \"Eve  Bcc: spy@evil.example\" <eve@example.net>" headers &&
    test "$(grep -c "^Subject:" "$f")" = 1 &&
    test "$(grep -c "^To:" "$f")" = 1 &&
    mail_header "$f" Subject | grep "Bcc: spy@evil.example" &&
    test "$(mail_header "$f" Subject | wc -l)" = 1
'

test_expect_success 'a second send sends nothing again' '
    mt -v $NOW send 2>err &&
    grep "sent=0" err &&
    test "$(ls var/outbox/new | wc -l)" = 3
'

test_expect_success 'a reply to our ack (no tag, only In-Reply-To) joins the ticket' '
    mid=$(mail_header "$(sent_to var/outbox hank@example.net)" Message-ID) &&
    mail_new m/09 "Hank Human <hank@example.net>" "Re: thanks" \
        "human-2-reply@example.net" "In-Reply-To: $mid" &&
    maildir_put in2 m/09 &&
    mt $NOW ingest in2 &&
    mt ticket show 1006 --json >t1006.json &&
    test "$(json_get "len([m for m in j[\"messages\"] if m[\"direction\"] == \"in\"])" <t1006.json)" = 2 &&
    test "$(mt ticket list --json | json_get "len(j)")" = 8
'

test_expect_success 'a bounce of our ack joins its ticket and fails the row' '
    mid=$(mail_header "$(sent_to var/outbox eve@example.net)" Message-ID) &&
    cat >m/10 <<EOF_B &&
Return-Path: <>
From: MAILER-DAEMON@mx.example.net (Mail Delivery System)
To: support@example.com
Subject: Undelivered Mail Returned to Sender
Message-ID: <bounce-1@mx.example.net>
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="B"

--B
Content-Type: text/plain

Your message could not be delivered.
--B
Content-Type: message/delivery-status

Final-Recipient: rfc822; eve@example.net
Action: failed
Status: 5.1.1

--B
Content-Type: text/rfc822-headers

From: support@example.com
To: eve@example.net
Message-ID: $mid
Subject: [#1007] We received your request

--B--
EOF_B
    maildir_put in3 m/10 &&
    mt $NOW ingest in3 &&
    test "$(mt ticket list --json | json_get "len(j)")" = 8 &&
    mt ticket show 1007 --json >t1007.json &&
    test "$(json_get "[m[\"kind\"] for m in j[\"messages\"]][-1]" <t1007.json)" = bounce &&
    mt outbox list --json >ob.json &&
    test "$(json_get "[r[\"state\"] for r in j if r[\"to\"] == \"eve@example.net\"]" <ob.json)" = "[\"failed\"]" &&
    json_get "[r[\"last_error\"] for r in j if r[\"to\"] == \"eve@example.net\"][0]" <ob.json | grep "bounced"
'

test_expect_success 'acknowledgments to one address are rate-limited' '
    for i in 1 2 3 4; do
        mail_new m/r$i "Rita <rita@example.net>" "Question $i" "rate-$i@example.net" || return 1
    done &&
    maildir_put in4 m/r1 m/r2 m/r3 m/r4 &&
    mt -v $NOW ingest in4 2>err &&
    grep "acks=3 acks_withheld=1" err &&
    mt ticket list --json >l.json &&
    last=$(json_get "max(t[\"id\"] for t in j)" <l.json) &&
    mt ticket show $last --json |
        json_get "[e[\"detail\"] for e in j[\"events\"] if e[\"kind\"] == \"ack-withheld\"]" |
        grep "rate limit: 3 acknowledgments to rita@example.net"
'

test_expect_success 'a templates directory overrides the built-in copies' '
    mkdir -p tpl && cat >tpl/ack.txt <<EOF_TPL &&
Subject: Got it: {{ticket.subject}}
X-Custom: {{customer.email}}

Dear {{customer.name|customer}}, number {{ticket.id}}, {{nothing.here|fallback}}.
EOF_TPL
    mkdir c2 && cd c2 &&
    printf "[general]\ntemplates = ../tpl\n" >mailtriage.conf &&
    mail_new m1 "Bo <bo@example.net>" "Custom please" "custom-1@example.net" &&
    maildir_put in m1 && mt $NOW ingest in && mt $NOW send &&
    f=$(ls var/outbox/new/*) &&
    test "$(mail_header "$f" Subject)" = "[#1001] Got it: Custom please" &&
    test "$(mail_header "$f" X-Custom)" = "bo@example.net" &&
    mail_body "$f" | grep "Dear Bo, number 1001, fallback."
'

test_expect_success 'a broken template: exit 78 naming file:line, nothing queued' '
    mkdir -p bad c3 && cp tpl/ack.txt bad/ &&
    printf "Subject: x\n\nHello {{ticket.subjct}}\n" >bad/status.txt &&
    cd c3 && printf "[general]\ntemplates = ../bad\n" >mailtriage.conf &&
    mail_new m1 "Bo <bo@example.net>" "Broken" "broken-1@example.net" &&
    maildir_put in m1 &&
    expect_exit 78 mt $NOW ingest in &&
    grep "status.txt:3: unknown variable .ticket.subjct." err &&
    expect_exit 78 mt $NOW send &&
    test ! -e var/mailtriage.db || test "$(mt ticket list --json | json_get "len(j)")" = 0
'

test_expect_success 'template syntax errors name their line' '
    mkdir -p bad2 c4 &&
    printf "Subject: x\nno colon here\n\nbody\n" >bad2/ack.txt &&
    cd c4 && printf "[general]\ntemplates = ../bad2\n" >mailtriage.conf &&
    expect_exit 78 mt send && grep "ack.txt:2: expected" err &&
    printf "Subject: x\n\nHello {{customer.name\n" >../bad2/ack.txt &&
    expect_exit 78 mt send && grep "ack.txt:3: .{{. without .}}." err &&
    printf "Subject: x\nbody without a blank line\n" >../bad2/ack.txt &&
    expect_exit 78 mt send && grep "ack.txt:2: expected" err
'

test_done
