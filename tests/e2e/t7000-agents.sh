#!/bin/bash
# t7000-agents: agents work from their mail client (DESIGN 8a).  A
# customer writes; assignment notifies the agent; the agent answers
# through the reply address from Thunderbird, Outlook and Gmail; the
# answer is relayed (queued) to the customer and stops the clock;
# commands; reply-all; and forgeries that must change nothing.  Queued
# mail is read from the ticket's "queued" events (outbox.h).
[ -n "$BASH_VERSION" ] || exec bash "$0" "$@"
. "$(dirname "$0")/../lib/test-lib.sh"
need_binary

cat >mailtriage.conf <<'EOF_CONF'
[general]
support_address = support@example.com
ticket_start = 1001

[agents]
verify = token, dkim
authserv_id = mx.example.com

[agent alice]
email = alice@example.com

[agent bob]
email = bob@example.com
EOF_CONF

# eml NAME FROM TO SUBJECT [EXTRA-HEADER-LINES]: a message from the
# body on stdin, into NAME.eml.
n=0
eml()
{
    n=$((n + 1))
    {
        [ -n "${5:-}" ] && printf '%s\n' "$5"
        printf 'From: %s\nTo: %s\nSubject: %s\n' "$2" "$3" "$4"
        printf 'Date: Mon, 02 Mar 2026 09:00:00 +0000\n'
        printf 'Message-ID: <t7000-%d@mail.test>\n' "$n"
        printf 'MIME-Version: 1.0\nContent-Type: text/plain; charset=UTF-8\n\n'
        cat
    } >"$1.eml"
}

# token TICKET AGENT: the agent's token, computed here from the key the
# way token.h describes it, as a second implementation.
token()
{
    "$PYTHON" - "$1" "$2" <<'PYEOF'
import base64, hashlib, hmac, sys
key = open("var/agent-token.key", "rb").read().strip()
msg = b"mailtriage reply token\0" + sys.argv[1].encode() + b"\0" + \
    sys.argv[2].lower().encode()
mac = hmac.new(key, msg, hashlib.sha256).digest()[:10]
print(base64.b32encode(mac).decode().lower())
PYEOF
}

show() { mt ticket show "$1" --json; }
# events TICKET KIND: the details of the ticket's events of that kind.
events()
{
    show "$1" |
        json_get "'\\n'.join(e['detail'] for e in j['events']
                              if e['kind'] == '$2')"
}
# queued TICKET KIND TO: how many such mails are queued.
queued() { events "$1" queued | grep -cx "$2 to $3" || true; }
field() { show "$1" | json_get "j['$2']"; }
# last_msg TICKET FIELD: of the newest incoming message (the outbox files
# what we send on the ticket too).
last_msg()
{
    show "$1" |
        json_get "[m for m in j['messages'] if m['direction'] == 'in'][-1]['$2']"
}

eml c1 'Carol Customer <carol@example.net>' support@example.com \
    'Router keeps rebooting' <<'EOF'
Hello, my router reboots every ten minutes since Monday.
Carol
EOF

test_expect_success 'a customer opens ticket 1001' '
    mt --now "2026-03-02 09:00" ingest c1.eml &&
    test "$(field 1001 status)" = new &&
    test "$(field 1001 due_at)" = 2026-03-03T09:00:00Z
'

test_expect_success 'assigning it queues agent-notify for the agent, and a key 0600' '
    mt --now "2026-03-02 09:05" ticket set 1001 assignee=alice &&
    test "$(queued 1001 agent-notify alice@example.com)" = 1 &&
    test "$(stat -c %a var/agent-token.key)" = 600
'

# notify_text TICKET: the text of the ticket's first agent notification.
notify_text()
{
    show "$1" |
        json_get "[m['text'] for m in j['messages'] if 'is yours' in m['text']][0]"
}

test_expect_success "the notification quotes the customer's message" '
    notify_text 1001 >notify.txt &&
    grep -q "the customer.s message" notify.txt &&
    grep -q "my router reboots every ten minutes" notify.txt
'

T1=
test_expect_success 'the reply token is 16 base32 characters' '
    t=$(token 1001 alice) && echo "$t" | grep -Eq "^[a-z2-7]{16}$"
'
T1=$(token 1001 alice)
R1="support+1001.alice.$T1@example.com"

eml a1 'Alice Agent <alice@example.com>' "Support <$R1>" \
    'Re: [#1001] Router keeps rebooting' <<EOF
Hi Carol,

please update the firmware to 2.4, that fixes the reboots.

Alice

On Mon, 2 Mar 2026 at 09:05, Example Support <$R1> wrote:
> Ticket [#1001] was assigned to you.
> Customer: Carol Customer <carol@example.net>
> Hello, my router reboots every ten minutes since Monday.
EOF

test_expect_success 'a Thunderbird reply through the token address is verified and relayed' '
    mt --now "2026-03-02 10:00" ingest a1.eml &&
    test "$(last_msg 1001 role)" = agent &&
    test "$(last_msg 1001 verified)" = true &&
    test "$(queued 1001 relay carol@example.net)" = 1
'

test_expect_success 'the first response is recorded, the deadline met, the clock stopped' '
    test "$(field 1001 first_response_at)" = 2026-03-02T10:00:00Z &&
    test "$(field 1001 due_at)" = null &&
    test "$(field 1001 status)" = open
'

test_expect_success 'the new text alone is the answer (quoted notification cut)' '
    last_msg 1001 reply_text >rt &&
    grep -q "firmware to 2.4" rt &&
    ! grep -q "$T1" rt &&
    ! grep -q "reboots every ten" rt
'

eml c2 'Carol Customer <carol@example.net>' support@example.com \
    'Re: [#1001] Router keeps rebooting' <<'EOF'
Updated, it still reboots.
EOF

eml a2 '"Agent, Alice" <alice@example.com>' "$R1" \
    'RE: Router keeps rebooting' <<EOF
#priority high
#category hardware
Carol, we will replace the router.

-----Original Message-----
From: Example Support <$R1>
Sent: Monday, March 2, 2026 11:00 AM
To: Alice Agent <alice@example.com>
Subject: [#1001] Router keeps rebooting

Updated, it still reboots.
EOF

test_expect_success "an Outlook reply (no tag: found by the reply address), commands run" '
    mt --now "2026-03-02 11:00" ingest c2.eml &&
    test "$(field 1001 due_at)" != null &&
    mt --now "2026-03-02 11:30" ingest a2.eml &&
    test "$(queued 1001 relay carol@example.net)" = 2 &&
    test "$(field 1001 priority)" = high &&
    test "$(field 1001 category)" = hardware &&
    test "$(field 1001 due_at)" = null
'

eml a3 'Alice Agent <alice@example.com>' 'Carol Customer <carol@example.net>' \
    'Re: [#1001] Router keeps rebooting' "Cc: $R1" <<'EOF'
Carol, the new router ships today.

On Mon, Mar 2, 2026 at 11:00 AM Carol Customer <carol@example.net> wrote:
> Updated, it still reboots.
EOF

test_expect_success 'a Gmail reply-all to the customer with support in Cc: recorded, not relayed' '
    mt --now "2026-03-02 12:00" ingest a3.eml &&
    test "$(last_msg 1001 verified)" = true &&
    test "$(queued 1001 relay carol@example.net)" = 2 &&
    events 1001 answered | tail -n 1 | grep -q "not relayed"
'

eml a4 'Alice Agent <alice@example.com>' "$R1" 'Re: [#1001] x' <<'EOF'
#assign bob
EOF

test_expect_success '#assign bob: assigned, bob notified, nothing relayed' '
    mt --now "2026-03-02 12:10" ingest a4.eml &&
    test "$(field 1001 assignee)" = bob &&
    test "$(queued 1001 agent-notify bob@example.com)" = 1 &&
    test "$(queued 1001 relay carol@example.net)" = 2
'

R1B="support+1001.bob.$(token 1001 bob)@example.com"
eml b1 'Bob Agent <bob@example.com>' "$R1B" 'Re: [#1001] x' <<'EOF'
#asign alice
Carol, all good now?
EOF

test_expect_success 'an unknown command: error reply to the agent, nothing changed' '
    mt --now "2026-03-02 12:20" ingest b1.eml &&
    test "$(queued 1001 error-reply bob@example.com)" = 1 &&
    test "$(field 1001 assignee)" = bob &&
    test "$(queued 1001 relay carol@example.net)" = 2
'

eml b2 'Bob Agent <bob@example.com>' "$R1B" 'Re: [#1001] x' <<'EOF'
#note
Called Carol, she is fine with a replacement.
EOF

test_expect_success '#note: stored as an internal note, not relayed' '
    mt --now "2026-03-02 12:30" ingest b2.eml &&
    test "$(last_msg 1001 verified)" = true &&
    test "$(queued 1001 relay carol@example.net)" = 2
'

eml b3 'Bob Agent <bob@example.com>' "$R1B" 'Re: [#1001] x' <<'EOF'
#pending
Carol, please tell us when the new router is in.
EOF

test_expect_success '#pending: pending, relayed' '
    mt --now "2026-03-02 12:40" ingest b3.eml &&
    test "$(field 1001 status)" = pending &&
    test "$(queued 1001 relay carol@example.net)" = 3
'

eml b4 'Bob Agent <bob@example.com>' "$R1B" 'Re: [#1001] x' <<'EOF'
#take
#resolve
EOF

test_expect_success '#take and #resolve: resolved, the customer gets a status mail' '
    mt --now "2026-03-02 12:50" ingest b4.eml &&
    test "$(field 1001 status)" = resolved &&
    test "$(field 1001 assignee)" = bob &&
    test "$(queued 1001 status carol@example.net)" = 1 &&
    test "$(queued 1001 agent-notify bob@example.com)" = 1
'

eml o1 'Alice Agent <alice@example.com>' "$R1" \
    'Automatic reply: [#1001] Router keeps rebooting' \
    'Auto-Submitted: auto-replied' <<'EOF'
#priority low
I am out of the office until Monday.
EOF

test_expect_success "the agent's out-of-office through the reply address: stored, nothing else" '
    mt --now "2026-03-02 12:55" ingest o1.eml &&
    test "$(last_msg 1001 kind)" = auto_reply &&
    test "$(queued 1001 relay carol@example.net)" = 3 &&
    test "$(field 1001 priority)" = high &&
    test "$(field 1001 status)" = resolved
'

# --- forgeries: each must change nothing and relay nothing ----------

eml c3 'Dan Customer <dan@example.org>' support@example.com 'Invoice wrong' <<'EOF'
The invoice lists two routers.
EOF

# snapshot TICKET: the fields a forgery must not change.
snapshot()
{
    show "$1" | json_get "(j['status'], j['priority'], j['assignee'],
                           j['due_at'], j['first_response_at'],
                           j['category'])"
    events "$1" queued
}

test_expect_success 'a second ticket, 1002' '
    mt --now "2026-03-02 13:00" ingest c3.eml &&
    test "$(field 1002 customer)" != null &&
    snapshot 1002 >before
'

eml f1 'Alice Agent <alice@example.com>' support@example.com \
    'Re: [#1002] Invoice wrong' \
    'Authentication-Results: evil.example; dkim=pass header.d=example.com' <<'EOF'
#resolve
Refund approved, send your bank details to this address.
EOF

test_expect_success 'a forged agent From, no token, untrusted Authentication-Results: nothing' '
    mt --now "2026-03-02 13:10" ingest f1.eml &&
    test "$(last_msg 1002 role)" = agent &&
    test "$(last_msg 1002 verified)" = false &&
    snapshot 1002 >after && test_cmp before after
'

eml f2 'Alice Agent <alice@example.com>' "support+1002.alice.$T1@example.com" \
    'Re: [#1002] Invoice wrong' <<'EOF'
#resolve
Refund approved.
EOF

test_expect_success 'a token of ticket 1001 replayed on 1002: nothing' '
    mt --now "2026-03-02 13:20" ingest f2.eml &&
    test "$(last_msg 1002 verified)" = false &&
    snapshot 1002 >after && test_cmp before after
'

eml f2b 'Alice Agent <alice@example.com>' "$R1" 'Re: [#1002] Invoice wrong' <<'EOF'
#resolve
Refund approved.
EOF

test_expect_success "1001's whole reply address on mail tagged [#1002]: nothing" '
    mt --now "2026-03-02 13:25" ingest f2b.eml &&
    test "$(last_msg 1002 verified)" = false &&
    snapshot 1002 >after && test_cmp before after
'

T2=$(token 1002 alice)
bad=$(echo "$T2" | tr "a-z2-7" "b-z2-7a")
eml f3 'Alice Agent <alice@example.com>' "support+1002.alice.$bad@example.com" \
    'Re: [#1002] Invoice wrong' <<'EOF'
Refund approved.
EOF

test_expect_success 'a tampered token: nothing' '
    mt --now "2026-03-02 13:30" ingest f3.eml &&
    test "$(last_msg 1002 verified)" = false &&
    snapshot 1002 >after && test_cmp before after
'

eml f4 'Bob Agent <bob@example.com>' "support+1002.alice.$T2@example.com" \
    'Re: [#1002] Invoice wrong' <<'EOF'
Refund approved.
EOF

test_expect_success "alice's token under bob's From: nothing" '
    mt --now "2026-03-02 13:40" ingest f4.eml &&
    test "$(last_msg 1002 verified)" = false &&
    snapshot 1002 >after && test_cmp before after &&
    test "$(events 1002 unverified | wc -l)" = 5
'

eml f5 'Alice Agent <alice@example.com>' support@example.com \
    'Re: [#1002] Invoice wrong' \
    "Authentication-Results: mx.example.com; dkim=fail header.d=example.com
Received: from evil.example by mx.example.com; Mon, 2 Mar 2026 13:49:00 +0000
Received: from x by evil.example; Mon, 2 Mar 2026 13:48:00 +0000
Authentication-Results: mx.example.com; dkim=pass header.d=example.com" <<'EOF'
Refund approved.
EOF

test_expect_success 'a failing DKIM result with a forged pass further down: nothing' '
    mt --now "2026-03-02 13:50" ingest f5.eml &&
    test "$(last_msg 1002 verified)" = false &&
    snapshot 1002 >after && test_cmp before after
'

eml d1 'Alice Agent <alice@example.com>' support@example.com \
    'Re: [#1002] Invoice wrong' \
    "Authentication-Results: mx.example.com; dkim=pass header.d=example.com
Received: from mail.example.com by mx.example.com; Mon, 2 Mar 2026 13:59:00 +0000" <<'EOF'
Dan, the corrected invoice is on its way.
EOF

test_expect_success 'DKIM passing for the agent domain at our server: verified and relayed' '
    mt --now "2026-03-02 14:00" ingest d1.eml &&
    test "$(last_msg 1002 verified)" = true &&
    test "$(queued 1002 relay dan@example.org)" = 1 &&
    test "$(field 1002 first_response_at)" = 2026-03-02T13:59:00Z
'

test_expect_success 'ticket set status=resolved queues the status mail' '
    mt --now "2026-03-02 14:10" ticket set 1002 status=resolved &&
    test "$(queued 1002 status dan@example.org)" = 1
'

test_expect_success 'a key file readable by others is refused with a clear error' '
    chmod 644 var/agent-token.key &&
    rc=0; mt --now "2026-03-02 14:20" ticket set 1002 assignee=alice 2>err || rc=$?
    chmod 600 var/agent-token.key &&
    test "$rc" = 78 && grep -q "readable by others" err
'

test_expect_success 'an agent name that cannot stand in an address is a config error' '
    mkdir badname && cd badname &&
    printf "[agent Alice Smith]\nemail = a@example.com\n" >mailtriage.conf &&
    expect_exit 78 mt ticket list && grep -q "agent" err
'

test_done
