#!/bin/bash
# t9100-imap-crash: kill -9 `mailtriage fetch` from a real Dovecot at
# each commit point, and cut its connection in the middle of the
# transfer; run again: every message taken exactly once, every one
# \Seen on the server only once it is committed (DESIGN 2).  t9000 does
# the same for a Maildir.
. "$(dirname "$0")/../lib/test-lib.sh"
. "$MT_SRCDIR/tests/lib/dovecot.sh"
need_binary
need_dovecot

dovecot_start_or_bail

# desk DIR [PORT]: a fresh desk reading INBOX, five messages per
# transaction, so the 31 sample mails make seven batches.
desk()
{
    rm -rf "$1" && mkdir -p "$1"
    cat >"$1/mailtriage.conf" <<CONF
[general]
database = var/mailtriage.db
support_address = support@example.com
batch_size = 5

[source support]
url = imap://127.0.0.1:${2:-$DOVECOT_PORT}/INBOX
tls = ${3:-starttls}
user = support
password_file = $DOVECOT_PASSWORD_FILE
ca_file = $DOVECOT_CA
after = seen
CONF
}

# fresh_inbox: the 31 sample mails, none \Seen, under new UIDs.
fresh_inbox()
{
    dovecot_doveadm expunge -u support mailbox INBOX all &&
    test "$(dovecot_append INBOX "$MT_SRCDIR/sample/maildir")" = 31
}

desk_state()
{
    (cd "$1" &&
        mt ticket list --json | "$PYTHON" -c '
import json, sys
for t in json.load(sys.stdin):
    print(t["id"], t["status"], t["customer"]["email"], t["subject"])' &&
        store_dump | cut -d" " -f2-)
}

seen_count()
{
    dovecot_uids INBOX | grep -c '\\Seen' || true
}

test_expect_success 'a fetch that is never interrupted (the reference)' '
    fresh_inbox &&
    desk "$TMPDIR_TEST/ref" &&
    (cd "$TMPDIR_TEST/ref" && mt fetch) &&
    desk_state "$TMPDIR_TEST/ref" >"$TMPDIR_TEST/ref.state" &&
    test "$(seen_count)" = 31 &&
    test "$(wc -l <"$TMPDIR_TEST/ref.state")" -gt 40
'

for point in after-message:1 after-message:7 before-commit:1 \
             before-commit:4 after-commit:1 after-commit:3 \
             after-mark-done:1 after-mark-done:12 after-mark-done:31; do
    test_expect_success "kill -9 at $point, fetch again: same desk" '
        d="$TMPDIR_TEST/crash-${point/:/-}" &&
        fresh_inbox &&
        desk "$d" &&
        rc=0 &&
        { (cd "$d" && MAILTRIAGE_CRASHPOINT=$point mt fetch) || rc=$?; } &&
        test "$rc" -eq 137 &&
        (cd "$d" && mt fetch) &&
        (cd "$d" && mt fetch) &&
        desk_state "$d" >"$d.state" &&
        test_cmp "$TMPDIR_TEST/ref.state" "$d.state" &&
        test "$(seen_count)" = 31
    '
done

test_expect_success 'nothing is \Seen before its commit' '
    d="$TMPDIR_TEST/early" &&
    fresh_inbox &&
    desk "$d" &&
    rc=0 &&
    { (cd "$d" && MAILTRIAGE_CRASHPOINT=before-commit:3 mt fetch) || rc=$?; } &&
    test "$rc" -eq 137 &&
    test "$(seen_count)" = 10
'

for cut in 3000 20000 45000; do
    test_expect_success "connection cut after $cut bytes: 69, then the rest, once" '
        d="$TMPDIR_TEST/cut-$cut" &&
        fresh_inbox &&
        port=$(free_port)
        "$PYTHON" "$MT_SRCDIR/tests/lib/cut-proxy.py" "$port" "$DOVECOT_PORT" "$cut" >proxy.out &
        pid=$!
        for i in $(seq 1 50); do grep -q ready proxy.out && break; sleep 0.1; done
        desk "$d" "$port" none &&
        rc=0 &&
        { (cd "$d" && mt fetch 2>"$d.err") || rc=$?; } &&
        kill $pid &&
        test "$rc" -eq 69 &&
        grep -q "connection lost" "$d.err" &&
        desk "$d.2" &&
        mv "$d.2/mailtriage.conf" "$d/mailtriage.conf" &&
        (cd "$d" && mt fetch) &&
        desk_state "$d" >"$d.state" &&
        test_cmp "$TMPDIR_TEST/ref.state" "$d.state" &&
        test "$(seen_count)" = 31
    '
done

# 300 small messages: more than one FETCH (256 UIDs) and more than the
# pipeline's window, so a cut in the second FETCH comes after commits.
test_expect_success 'connection cut after some commits: those stay, the rest follow once' '
    dovecot_doveadm expunge -u support mailbox INBOX all &&
    mkdir -p many &&
    for i in $(seq 1 300); do
        printf "From: Customer %d <c%d@example.org>\nTo: support@example.com\nSubject: question number %d\nMessage-ID: <many-%d@example.org>\nDate: Mon, 2 Mar 2026 08:00:00 +0000\n\nplease help with item %d\n" $i $i $i $i $i >many/$i.eml
    done &&
    test "$(dovecot_append INBOX $(ls many/*.eml | sort -t/ -k2 -n))" = 300 &&
    port=$(free_port)
    "$PYTHON" "$MT_SRCDIR/tests/lib/cut-proxy.py" "$port" "$DOVECOT_PORT" 1000000000 >proxy.out &
    pid=$!
    for i in $(seq 1 50); do grep -q ready proxy.out && break; sleep 0.1; done
    desk measure "$port" none &&
    sed -i "s/^after = seen/after = keep/" measure/mailtriage.conf &&
    (cd measure && mt fetch) &&
    for i in $(seq 1 50); do grep -q sent proxy.out && break; sleep 0.1; done
    kill $pid &&
    total=$(sed -n "s/^sent //p" proxy.out) &&
    cut=$((total * 95 / 100)) &&
    port=$(free_port)
    "$PYTHON" "$MT_SRCDIR/tests/lib/cut-proxy.py" "$port" "$DOVECOT_PORT" "$cut" >proxy2.out &
    pid=$!
    for i in $(seq 1 50); do grep -q ready proxy2.out && break; sleep 0.1; done
    desk many-desk "$port" none &&
    rc=0 &&
    { (cd many-desk && mt fetch 2>../many.err) || rc=$?; } &&
    kill $pid &&
    test "$rc" -eq 69 &&
    taken=$(cd many-desk && mt ticket list --json | json_get "len(j)") &&
    echo "taken before the cut: $taken" &&
    test "$taken" -gt 0 && test "$taken" -lt 300 &&
    # \Seen only on committed mail; the marks of the last batch may
    # have died with the connection: the next run sets them.
    test "$(seen_count)" -le "$taken" &&
    desk many-desk.2 &&
    mv many-desk.2/mailtriage.conf many-desk/ &&
    (cd many-desk && mt fetch &&
        test "$(mt ticket list --json | json_get "len(j)")" = 300 &&
        test "$(mt ticket list --json | json_get "len(set(t[\"subject\"] for t in j))")" = 300) &&
    test "$(seen_count)" = 300
'

test_done
