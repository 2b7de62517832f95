#!/bin/bash
# t3020-send-crash: kill -9 at each commit point of the outbox (DESIGN
# 2): acknowledgments are queued with their message or not at all;
# through the Maildir transport every mail arrives exactly once; over
# SMTP nothing is lost and the only double is the documented window
# between the server's 250 and our commit, resent byte for byte.
[ -n "$BASH_VERSION" ] || exec bash "$0" "$@"
. "$(dirname "$0")/../lib/test-lib.sh"
. "$MT_SRCDIR/tests/lib/mail.sh"
. "$MT_SRCDIR/tests/lib/smtp.sh"
need_binary
need_smtp

T0=2026-03-10T10:00:00Z
cat >mailtriage.conf <<'EOF_CONF'
[general]
support_address = support@example.com
batch_size = 2
EOF_CONF
for i in 1 2 3 4 5; do
    mail_new m$i "Customer $i <c$i@example.net>" "Question $i" "q$i@example.net"
done
maildir_put in m1 m2 m3 m4 m5

# killed CRASHPOINT ARGS...: run mt with the crash point; it must die
# by SIGKILL (exit 137).
killed()
{
    local point=$1 rc=0
    shift
    MAILTRIAGE_CRASHPOINT=$point mt "$@" >/dev/null 2>&1 || rc=$?
    if [ "$rc" -ne 137 ]; then
        echo "expected a kill at $point, got exit $rc"
        return 1
    fi
}

# The Message-IDs in Maildir DIR/new, sorted, duplicates kept.
ids_in()
{
    for f in "$1"/new/*; do mail_header "$f" Message-ID; done | sort
}

test_expect_success 'killed before the first commit: no ack queued' '
    killed before-commit:1 --now $T0 ingest in &&
    { test ! -e var/mailtriage.db ||
      test "$(mt outbox list --json | json_get "len(j)")" = 0; }
'

test_expect_success 'killed after the first batch: its two acks, no more' '
    killed after-commit:1 --now $T0 ingest in &&
    test "$(mt outbox list --json | json_get "len(j)")" = 2
'

test_expect_success 'the rerun queues the rest, each ack once' '
    mt --now $T0 ingest in &&
    mt outbox list --json >ob.json &&
    test "$(json_get "len(j)" <ob.json)" = 5 &&
    test "$(json_get "len(set(r[\"to\"] for r in j))" <ob.json)" = 5 &&
    mt --now $T0 ingest in &&
    test "$(mt outbox list --json | json_get "len(j)")" = 5
'

test_expect_success 'maildir: killed between link and commit, then rerun: exactly once' '
    killed maildir-delivered:2 --now $T0 send &&
    test "$(ls var/outbox/new | wc -l)" = 2 &&
    killed after-deliver:2 --now $T0 send &&
    mt --now $T0 send &&
    test "$(ls var/outbox/new | wc -l)" = 5 &&
    ids_in var/outbox >ids &&
    test "$(sort -u ids | wc -l)" = 5 &&
    test "$(mt outbox list --json | json_get "sorted(set(r[\"state\"] for r in j))")" = "[\"sent\"]"
'

smtp_start
test_expect_success 'smtp: killed after the 250, before the commit: resent identically' '
    mkdir smtp && cd smtp &&
    printf "[general]\nsupport_address = support@example.com\n\n[transport]\nurl = smtp://127.0.0.1:%s\n" "$SMTP_PORT" >mailtriage.conf &&
    mt --now $T0 ingest ../in &&
    killed after-deliver:2 --now $T0 send &&
    test "$(smtp_count)" = 2 &&
    mt --now $T0 send &&
    test "$(smtp_count)" = 6 &&
    ids_in "$SMTP_MAILDIR" >ids &&
    test "$(sort -u ids | wc -l)" = 5 &&
    dup=$(uniq -d ids) && test -n "$dup" &&
    files=$(grep -l -F "Message-Id: $dup" "$SMTP_MAILDIR"/new/*) &&
    test "$(echo "$files" | wc -l)" = 2 &&
    cmp $(echo "$files" | sed -n 1p) $(echo "$files" | sed -n 2p) &&
    test "$(mt outbox list --json | json_get "sorted(set(r[\"state\"] for r in j))")" = "[\"sent\"]"
'

test_done
