#!/bin/bash
# t7100-agents-servers: agents by mail (DESIGN 8a) end to end over real
# servers: a throw-away Dovecot (tests/lib/dovecot.sh, STARTTLS with
# the test CA) is the support INBOX, the SMTP sink (tests/lib/smtp.sh)
# receives what the desk sends, and every step is one `mailtriage run`.
# A customer writes; the ack and the agent's notification arrive over
# SMTP; the agent answers the notification as Thunderbird, Outlook and
# Gmail build replies (read from the notification that arrived, its
# Reply-To, Message-ID and References), APPENDed to the INBOX as the MX
# would deliver it; the customer gets the answer threaded, with the
# agent's new text alone.  Then the customer's answer, commands, a
# reply-all recorded but not sent twice, the status mail, a forgery
# that relays nothing, and the sink's count at each step so that no
# mail goes out twice.  t7000 covers the same logic with files.
[ -n "$BASH_VERSION" ] || exec bash "$0" "$@"
. "$(dirname "$0")/../lib/test-lib.sh"
. "$MT_SRCDIR/tests/lib/mail.sh"
. "$MT_SRCDIR/tests/lib/dovecot.sh"
. "$MT_SRCDIR/tests/lib/smtp.sh"
need_binary
need_dovecot
need_smtp

dovecot_start_or_bail
smtp_start >smtp-start.log 2>&1 || {
    sed 's/^/# /' smtp-start.log
    echo "Bail out! the SMTP sink did not start"
    exit 1
}

mkdir -p rules
cat >rules/desk.rules <<'EOF_RULES'
rule "routers go to alice"
    match subject /router/i
    assign agent alice
end
EOF_RULES

cat >mailtriage.conf <<EOF_CONF
[general]
database = var/mailtriage.db
support_address = support@example.com
ticket_start = 1001

[source support]
url = imap://127.0.0.1:$DOVECOT_PORT/INBOX
user = $DOVECOT_USER
password_file = $DOVECOT_PASSWORD_FILE
tls = starttls
ca_file = $DOVECOT_CA

[transport]
url = smtp://127.0.0.1:$SMTP_PORT
from = Example Support <support@example.com>

[agents]
verify = token

[agent alice]
email = alice@example.com

[agent bob]
email = bob@example.com
EOF_CONF

# run WHEN: one real run of the desk, as the timer does it.
run() { mt --now "$1" run; }

show() { mt ticket show "$1" --json; }
field() { show "$1" | json_get "j['$2']"; }
events()
{
    show "$1" |
        json_get "'\\n'.join(e['detail'] for e in j['events']
                              if e['kind'] == '$2')"
}
last_in() { show "$1" | json_get "[m for m in j['messages'] if m['direction'] == 'in'][-1]['$2']"; }

# --- the sink: what arrived since the last look -----------------------

: >seen.list
# arrived: the files that arrived in the sink since the last call, in
# order of arrival, into ./new.list (and remembered as seen).
arrived()
{
    ls -1tr "$SMTP_MAILDIR/new" 2>/dev/null | grep -vxFf seen.list \
        | sed "s|^|$SMTP_MAILDIR/new/|" >new.list
    ls -1 "$SMTP_MAILDIR/new" >seen.list
}
# got ADDR: the one new file addressed to ADDR (envelope), else fail.
got()
{
    local f
    f=$(grep -l -i -x "X-Envelope-To: <$1>" $(cat new.list) /dev/null)
    [ "$(printf '%s\n' "$f" | grep -c .)" = 1 ] || {
        echo "expected one mail to $1, got: $f"; return 1
    }
    printf '%s\n' "$f"
}
hdr() { mail_header "$1" "$2"; }

# reply STYLE SRC OUT FROM TO [CC]: the reply a STYLE mail client
# (thunderbird, outlook, gmail) builds to the message SRC: the new
# text from stdin, the quoted SRC below it, In-Reply-To and References
# from SRC.  Date and Message-ID from the environment (DATE, MSGID).
cat >reply.py <<'EOF_PY'
import os, sys
from email import policy
from email.parser import BytesParser
from email.utils import parseaddr
style, src, out, frm, to = sys.argv[1:6]
cc = sys.argv[6] if len(sys.argv) > 6 else ""
with open(src, "rb") as f:
    m = BytesParser(policy=policy.default).parse(f)
text = sys.stdin.read()
orig = m.get_body(("plain",)).get_content()
subj = str(m["Subject"])
mid = str(m["Message-ID"]).strip()
refs = (str(m["References"]).split() if m["References"] else [])
if m["In-Reply-To"] and not refs:
    refs = [str(m["In-Reply-To"]).strip()]
refs.append(mid)
sender = str(m["From"])
name, addr = parseaddr(sender)
if style == "thunderbird":
    subject = "Re: " + subj
    body = (text + "\nOn 3/2/26 10:00, " + sender + " wrote:\n" +
            "".join("> " + l + "\n" if l else ">\n"
                    for l in orig.splitlines()))
elif style == "outlook":
    subject = "RE: " + subj
    body = (text + "\n-----Original Message-----\nFrom: " + sender +
            "\nSent: Monday, March 2, 2026 10:00 AM\nTo: " +
            str(m["To"]) + "\nSubject: " + subj + "\n\n" + orig)
elif style == "gmail":
    subject = "Re: " + subj
    body = (text + "\nOn Mon, Mar 2, 2026 at 10:00\u202fAM " + name +
            " <" + addr + "> wrote:\n" +
            "".join("> " + l + "\n" if l else ">\n"
                    for l in orig.splitlines()))
else:
    sys.exit("unknown style " + style)
h = ["From: " + frm, "To: " + to]
if cc:
    h.append("Cc: " + cc)
h += ["Subject: " + subject, "Date: " + os.environ["DATE"],
      "Message-ID: <" + os.environ["MSGID"] + ">",
      "In-Reply-To: " + mid, "References: " + " ".join(refs)]
if style == "outlook":
    h += ["Thread-Topic: " + subj, "Thread-Index: AdqMZ2bLr5X1j4w0Q6qf"]
h += ["MIME-Version: 1.0",
      "Content-Type: text/plain; charset=UTF-8; format=flowed",
      "Content-Transfer-Encoding: 8bit"]
with open(out, "w", encoding="utf-8") as f:
    f.write("\n".join(h) + "\n\n" + body)
EOF_PY
reply() { "$PYTHON" reply.py "$@"; }

deliver() { test "$(dovecot_append INBOX "$@")" = "$#"; }

# --- 1. a customer writes -----------------------------------------------

cat >c1.eml <<'EOF'
From: Carol Customer <carol@example.net>
To: support@example.com
Subject: Router keeps rebooting
Date: Mon, 02 Mar 2026 09:00:00 +0000
Message-ID: <c1.carol@example.net>
MIME-Version: 1.0
Content-Type: text/plain; charset=UTF-8

Hello, my router reboots every ten minutes since Monday.
Carol
EOF

test_expect_success 'step 1: run fetches the mail over STARTTLS, ticket 1001 for alice' '
    deliver c1.eml &&
    run "2026-03-02 09:00" &&
    test "$(field 1001 assignee)" = alice &&
    test "$(field 1001 due_at)" = 2026-03-03T09:00:00Z &&
    grep -q "TLS" "$DOVECOT_DIR/dovecot.log" &&
    arrived && test "$(smtp_count)" = 2
'

test_expect_success 'step 1: the acknowledgment arrives, threaded, with the promise' '
    ack=$(got carol@example.net) &&
    test "$(hdr "$ack" To)" = "Carol Customer <carol@example.net>" &&
    hdr "$ack" Subject | grep -F "[#1001]" &&
    test "$(hdr "$ack" In-Reply-To)" = "<c1.carol@example.net>" &&
    test "$(hdr "$ack" Auto-Submitted)" = auto-replied &&
    mail_body "$ack" | grep "We aim to answer within 24 hours"
'

test_expect_success 'step 1: alice gets agent-notify with her reply address' '
    n=$(got alice@example.com) && cp "$n" notify.eml &&
    hdr notify.eml Subject | grep -F "[#1001]" &&
    hdr notify.eml Reply-To >reply-to &&
    grep -Eqx "support\+1001\.alice\.[a-z2-7]{16}@example\.com" reply-to &&
    mail_body notify.eml | grep "reboots every ten minutes"
'
R1=$(cat reply-to 2>/dev/null)
T1=$(sed "s/^support+1001\.alice\.//; s/@.*//" reply-to 2>/dev/null)

# --- 2. alice answers from Thunderbird ----------------------------------

DATE="Mon, 02 Mar 2026 10:00:00 +0000" MSGID=a1.alice@example.com \
    reply thunderbird notify.eml a1.eml "Alice Agent <alice@example.com>" \
    "$R1" <<'EOF'
Hi Carol,

please update the firmware to 2.4, that fixes the reboots.

Alice
EOF

test_expect_success "step 2: alice's Thunderbird reply is verified, the deadline met" '
    grep -q "^> " a1.eml &&
    deliver a1.eml &&
    run "2026-03-02 10:00" &&
    test "$(last_in 1001 role)" = agent &&
    test "$(last_in 1001 verified)" = true &&
    test "$(field 1001 first_response_at)" = 2026-03-02T10:00:00Z &&
    test "$(field 1001 due_at)" = null &&
    test "$(field 1001 breached_at)" = null &&
    arrived && test "$(smtp_count)" = 3
'

test_expect_success 'step 2: carol gets the answer, threaded, from support' '
    rel=$(got carol@example.net) && cp "$rel" relay1.eml &&
    test "$(hdr relay1.eml In-Reply-To)" = "<c1.carol@example.net>" &&
    hdr relay1.eml References | grep -F "<c1.carol@example.net>" &&
    hdr relay1.eml Subject | grep -F "[#1001]" &&
    test "$(hdr relay1.eml From)" = "Example Support <support@example.com>" &&
    test "$(hdr relay1.eml Reply-To)" = support@example.com &&
    test "$(hdr relay1.eml X-Envelope-From)" = "<support@example.com>"
'

test_expect_success "step 2: the relay carries alice's new text alone" '
    mail_body relay1.eml >relay1.txt &&
    grep "firmware to 2.4" relay1.txt &&
    ! grep -F "$T1" relay1.txt &&
    ! grep "reboots every ten" relay1.txt &&
    ! grep "is yours" relay1.txt &&
    ! grep -E "Deadline:|Priority:|Category:|customer.s message" relay1.txt &&
    ! grep "^>" relay1.txt &&
    ! grep "wrote:" relay1.txt &&
    ! grep -i "alice@example.com" relay1.eml
'

# --- 3. carol answers; Outlook #pending; Gmail reply-all; #resolve ------

DATE="Mon, 02 Mar 2026 11:00:00 +0000" MSGID=c2.carol@example.net \
    reply thunderbird relay1.eml c2.eml "Carol Customer <carol@example.net>" \
    "$(hdr relay1.eml Reply-To | grep . || hdr relay1.eml From)" <<'EOF'
Updated, it still reboots.
EOF

test_expect_success "step 3: carol's answer to the relay joins 1001, the clock runs" '
    deliver c2.eml &&
    run "2026-03-02 11:00" &&
    test "$(mt ticket list --json | json_get "len(j)")" = 1 &&
    test "$(last_in 1001 role)" = customer &&
    test "$(field 1001 due_at)" != null &&
    arrived && test "$(smtp_count)" = 3
'

DATE="Mon, 02 Mar 2026 11:15:00 +0000" MSGID=a3.alice@example.com \
    reply gmail c2.eml a3.eml "Alice Agent <alice@example.com>" \
    "Carol Customer <carol@example.net>" "$R1" <<'EOF'
Carol, the new router ships today.
EOF

test_expect_success 'step 3: a Gmail reply-all with support in Cc: recorded, not sent again' '
    deliver a3.eml &&
    run "2026-03-02 11:15" &&
    test "$(last_in 1001 verified)" = true &&
    test "$(last_in 1001 role)" = agent &&
    test "$(field 1001 status)" = open &&
    events 1001 answered | tail -n 1 | grep "not relayed" &&
    test "$(field 1001 due_at)" = null &&
    arrived && test "$(smtp_count)" = 3
'

DATE="Mon, 02 Mar 2026 11:30:00 +0000" MSGID=a2.alice@example.com \
    reply outlook notify.eml a2.eml '"Agent, Alice" <alice@example.com>' \
    "$R1" <<'EOF'
#pending
Carol, we will replace the router; tell us when it is in.
EOF

test_expect_success 'step 3: an Outlook reply with #pending: pending, relayed' '
    deliver a2.eml &&
    run "2026-03-02 11:30" &&
    test "$(last_in 1001 verified)" = true &&
    test "$(field 1001 status)" = pending &&
    test "$(field 1001 due_at)" = null &&
    arrived && test "$(smtp_count)" = 4 &&
    rel=$(got carol@example.net) && cp "$rel" relay2.eml &&
    test "$(hdr relay2.eml In-Reply-To)" = "<c2.carol@example.net>" &&
    hdr relay2.eml Subject | grep -F "[#1001]" &&
    mail_body relay2.eml >relay2.txt &&
    grep "replace the router" relay2.txt &&
    ! grep "#pending" relay2.txt &&
    ! grep "Original Message" relay2.txt &&
    ! grep "is yours" relay2.txt
'

DATE="Mon, 02 Mar 2026 12:30:00 +0000" MSGID=a4.alice@example.com \
    reply thunderbird notify.eml a4.eml "Alice Agent <alice@example.com>" \
    "$R1" <<'EOF'
#resolve
EOF

test_expect_success 'step 3: #resolve: resolved, carol gets the status mail' '
    deliver a4.eml &&
    run "2026-03-02 12:30" &&
    test "$(field 1001 status)" = resolved &&
    arrived && test "$(smtp_count)" = 5 &&
    st=$(got carol@example.net) &&
    hdr "$st" Subject | grep "resolved" &&
    hdr "$st" Subject | grep -F "[#1001]" &&
    test "$(hdr "$st" In-Reply-To)" = "<c2.carol@example.net>" &&
    cp "$st" status.eml
'

DATE="Mon, 02 Mar 2026 12:45:00 +0000" MSGID=c3.carol@example.net \
    reply gmail status.eml c3.eml "Carol Customer <carol@example.net>" \
    "$(hdr status.eml Reply-To | grep . || hdr status.eml From)" <<'EOF'
It rebooted again with the new router.
EOF

test_expect_success "step 3: carol answers the status mail: 1001 reopens, the clock runs" '
    deliver c3.eml &&
    run "2026-03-02 12:45" &&
    test "$(mt ticket list --json | json_get "len(j)")" = 1 &&
    test "$(field 1001 status)" = open &&
    test "$(field 1001 due_at)" != null &&
    arrived && test "$(smtp_count)" = 5
'

# --- 4. a forgery: alice's From without the token -----------------------

cat >f1.eml <<'EOF'
From: Alice Agent <alice@example.com>
To: support@example.com
Subject: Re: [#1001] Router keeps rebooting
Date: Mon, 02 Mar 2026 13:00:00 +0000
Message-ID: <f1.forger@evil.example>
MIME-Version: 1.0
Content-Type: text/plain; charset=UTF-8

#priority urgent
#assign bob
Carol, send your bank details to this address for the refund.
EOF

test_expect_success 'step 4: a forged agent From without token: nothing relayed, no command' '
    before=$(show 1001 | json_get "(j[\"status\"], j[\"priority\"], j[\"assignee\"], j[\"due_at\"])") &&
    deliver f1.eml &&
    run "2026-03-02 13:00" &&
    test "$(last_in 1001 verified)" = false &&
    test "$(show 1001 | json_get "(j[\"status\"], j[\"priority\"], j[\"assignee\"], j[\"due_at\"])")" = "$before" &&
    arrived && test "$(smtp_count)" = 5 &&
    ! grep -l "bank details" "$SMTP_MAILDIR"/new/*
'

# --- 5. nothing goes out twice ------------------------------------------

test_expect_success 'step 5: runs with nothing new send nothing, fetch nothing twice' '
    run "2026-03-02 13:30" &&
    run "2026-03-02 13:45" &&
    arrived && test "$(smtp_count)" = 5 &&
    test "$(grep -c "^DATA 250" "$SMTP_LOG")" = 5 &&
    mt outbox list --json >ob.json &&
    test "$(json_get "sorted(set(r[\"state\"] for r in j))" <ob.json)" = "[\"sent\"]" &&
    test "$(json_get "len(j)" <ob.json)" = 5 &&
    test "$(show 1001 | json_get "len(j[\"messages\"])")" = 13 &&
    test "$(field 1001 breached_at)" = null &&
    test "$(field 1001 escalation_level)" = 0
'

test_expect_success 'every Message-ID that arrived is unique' '
    for f in "$SMTP_MAILDIR"/new/*; do hdr "$f" Message-ID; done >mids &&
    test "$(sort -u mids | wc -l)" = 5
'

test_done
