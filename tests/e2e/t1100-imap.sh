#!/bin/bash
# t1100-imap: `mailtriage fetch` against a real Dovecot on loopback
# (tests/lib/dovecot.sh): the sample mailbox and a slice of the shared
# corpus become the same tickets as from a Maildir; STARTTLS and
# implicit TLS with the certificate checked; \Seen, move and delete
# after the commit; several folders, one with a non-ASCII name; a new
# UIDVALIDITY; the size limit; and each failure with its exit code:
# wrong password 77, server down or untrusted certificate 69, a
# readable password file 78.
. "$(dirname "$0")/../lib/test-lib.sh"
. "$MT_SRCDIR/tests/lib/dovecot.sh"
need_binary
need_dovecot
SHARED="$MT_SRCDIR/../shared"

dovecot_start_or_bail

# tickets: id, status, customer and subject of every ticket.
tickets()
{
    mt ticket list --json | "$PYTHON" -c '
import json, sys
for t in json.load(sys.stdin):
    print(t["id"], t["status"], t["customer"]["email"], t["subject"])'
}

# empty_folder FOLDER: expunge everything in FOLDER.
empty_folder()
{
    dovecot_doveadm expunge -u support mailbox "$1" all
}

test_expect_success 'the sample mailbox over STARTTLS: same tickets as from the Maildir' '
    test "$(dovecot_append INBOX "$MT_SRCDIR/sample/maildir")" = 31 &&
    dovecot_desk ref && (cd ref && mt ingest "$MT_SRCDIR/sample/maildir" && tickets >../ref.tickets) &&
    dovecot_desk d1 && cd d1 &&
    mt -v fetch 2>err &&
    grep -q "fetch: messages=31 new_tickets=" err &&
    tickets >../d1.tickets &&
    test_cmp ../ref.tickets ../d1.tickets &&
    grep -q "TLS" "$DOVECOT_DIR/dovecot.log"
'

test_expect_success 'the bytes are the server copy, and every message is now \Seen' '
    cd d1 &&
    test "$(dovecot_uids INBOX | grep -c "\\\\Seen")" = 31 &&
    mt message raw 1 | tr -d "\r" >m1 &&
    first=$(ls "$MT_SRCDIR/sample/maildir/new" | sort | head -n 1) &&
    tr -d "\r" <"$MT_SRCDIR/sample/maildir/new/$first" >f1 &&
    test_cmp f1 m1
'

test_expect_success 'a second fetch takes nothing again' '
    cd d1 &&
    mt -v fetch 2>err &&
    grep -q "messages=0 .*seen_before=31" err &&
    test "$(tickets | wc -l)" = "$(wc -l <../d1.tickets)"
'

test_expect_success 'mail a person read already is still taken; INTERNALDATE is received_at' '
    cd d1 &&
    printf "From: Zoe <zoe@example.org>\nTo: support@example.com\nSubject: read by a colleague\nMessage-ID: <seen-1@example.org>\nDate: Mon, 1 Jan 2030 00:00:00 +0000\n\nhello\n" >seen.eml &&
    IMAP_DATE="\"02-Mar-2024 10:20:30 +0100\"" dovecot_append INBOX seen.eml &&
    uid=$(dovecot_uids INBOX | tail -n 1 | cut -d" " -f1) &&
    dovecot_flag INBOX "$uid" "\\Seen" &&
    mt -v fetch 2>err &&
    grep -q "messages=1 new_tickets=1" err &&
    id=$(mt ticket list --json | json_get "[t[\"id\"] for t in j if t[\"subject\"] == \"read by a colleague\"][0]") &&
    test "$(mt ticket show "$id" --json | json_get "j[\"messages\"][0][\"received_at\"]")" = "2024-03-02T09:20:30Z"
'

if [ -d "$SHARED/corpus" ]; then
test_expect_success 'a slice of the shared corpus: every message stored, byte for byte but CRLF' '
    empty_folder INBOX &&
    find "$SHARED/corpus" -name "*.eml" | sort | awk "NR % 17 == 0" | head -n 60 >slice &&
    test "$(wc -l <slice)" -ge 20 &&
    test "$(dovecot_append INBOX $(cat slice))" = "$(wc -l <slice)" &&
    dovecot_desk d2 && cd d2 &&
    mt -v fetch 2>err &&
    grep -q "messages=$(wc -l <../slice) " err &&
    for f in $(cat ../slice); do tr -d "\r" <"$f" | sha256sum | cut -d" " -f1; done | sort >want &&
    store_dump | while read -r id t k s n; do mt message raw "$id" | tr -d "\r" | sha256sum | cut -d" " -f1; done | sort >got &&
    test_cmp want got
'
else
    test_skip 'a slice of the shared corpus' '../shared not present (user clone)'
fi

test_expect_success 'implicit TLS (imaps://) with the CA in ca_file' '
    empty_folder INBOX &&
    dovecot_append INBOX "$MT_SRCDIR/sample/maildir" &&
    dovecot_desk d3 "url = imaps://127.0.0.1:$DOVECOT_TLS_PORT/INBOX" "after = keep" &&
    cd d3 && mt -v fetch 2>err && grep -q "messages=31" err
'

test_expect_success 'an untrusted certificate is refused (69), nothing fetched' '
    dovecot_desk d4 "url = imaps://127.0.0.1:$DOVECOT_TLS_PORT/INBOX" "ca_file = $DOVECOT_DIR/rogue.pem" &&
    cd d4 && expect_exit 69 mt fetch &&
    grep -q "certificate of .127.0.0.1. not trusted" err &&
    test "$(mt ticket list --json | json_get "len(j)")" = 0
'

test_expect_success 'the system trust store does not know our CA either (69)' '
    dovecot_desk d4b "url = imaps://127.0.0.1:$DOVECOT_TLS_PORT/INBOX" "tls_verify = yes" &&
    sed -i "/^ca_file/d" d4b/mailtriage.conf &&
    cd d4b && expect_exit 69 mt fetch && grep -q "not trusted" err
'

test_expect_success 'tls_verify = no is accepted, and said loudly' '
    dovecot_desk d5 "url = imaps://127.0.0.1:$DOVECOT_TLS_PORT/INBOX" "tls_verify = no" "after = keep" &&
    cd d5 && mt -v fetch 2>err &&
    grep -q "NOT checked" err && grep -q "messages=31" err
'

test_expect_success 'a wrong password is refused (77), and never printed' '
    dovecot_desk d6 &&
    printf "wrong-Pass-9\n" >d6/pw && chmod 600 d6/pw &&
    sed -i "s|^password_file = .*|password_file = pw|" d6/mailtriage.conf &&
    cd d6 && expect_exit 77 mt -v fetch &&
    grep -q "login as .support. on .127.0.0.1. refused" err &&
    ! grep -q "wrong-Pass-9" err out
'

test_expect_success 'a password file others can read is refused (78)' '
    dovecot_desk d7 &&
    cp "$DOVECOT_PASSWORD_FILE" d7/pw && chmod 640 d7/pw &&
    sed -i "s|^password_file = .*|password_file = pw|" d7/mailtriage.conf &&
    cd d7 && expect_exit 78 mt fetch && grep -q "readable by group or others" err
'

test_expect_success 'password_command' '
    dovecot_desk d8 "password_command = cat $DOVECOT_PASSWORD_FILE" "after = keep" &&
    cd d8 && mt -v fetch 2>err && grep -q "messages=31" err &&
    ! grep -q "$DOVECOT_PASSWORD" err
'

test_expect_success 'a server that is down: 69 with a clear message' '
    port=$(free_port) &&
    dovecot_desk d9 "url = imap://127.0.0.1:$port/INBOX" &&
    cd d9 && expect_exit 69 mt fetch && grep -q "cannot connect to .127.0.0.1. port $port" err
'

test_expect_success 'a server that never answers: 69 after the timeout' '
    port=$(free_port)
    # Not part of an && list: that would put the assignment in the
    # background too.
    "$PYTHON" -c "
import socket, sys, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((\"127.0.0.1\", int(sys.argv[1]))); s.listen(5)
c, _ = s.accept(); time.sleep(30)" "$port" &
    pid=$!
    sleep 0.3
    dovecot_desk d10 "url = imap://127.0.0.1:$port/INBOX" "timeout = 2s" &&
    cd d10 &&
    start=$(date +%s) &&
    expect_exit 69 mt fetch &&
    kill $pid &&
    test $(( $(date +%s) - start )) -le 10
'

test_expect_success 'tls = starttls with a server that offers none: 69' '
    port=$(free_port)
    # Not part of an && list: that would put the assignment in the
    # background too.
    "$PYTHON" -c "
import socket, sys
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((\"127.0.0.1\", int(sys.argv[1]))); s.listen(5)
c, _ = s.accept(); c.sendall(b\"* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] hi\r\n\")
f = c.makefile(\"rb\")
for line in f:
    tag = line.split()[0]
    if b\"CAPABILITY\" in line.upper():
        c.sendall(b\"* CAPABILITY IMAP4rev1 AUTH=PLAIN\r\n\" + tag + b\" OK done\r\n\")
    else:
        c.sendall(tag + b\" BAD no\r\n\")" "$port" &
    pid=$!
    sleep 0.3
    dovecot_desk d11 "url = imap://127.0.0.1:$port/INBOX" "tls = starttls" &&
    rc=0 &&
    { (cd d11 && expect_exit 69 mt fetch) || rc=1; } &&
    { kill $pid 2>/dev/null || true; } &&
    test $rc = 0 &&
    grep -q "does not offer STARTTLS" d11/err
'

test_expect_success 'after = move:FOLDER leaves INBOX empty' '
    dovecot_doveadm mailbox create -u support Done &&
    dovecot_desk d12 "after = move:Done" &&
    cd d12 && mt -v fetch 2>err && grep -q "messages=31" err &&
    test "$(dovecot_uids INBOX | wc -l)" = 0 &&
    test "$(dovecot_uids Done | wc -l)" = 31
'

test_expect_success 'after = delete' '
    dovecot_append INBOX "$MT_SRCDIR/sample/maildir" >/dev/null &&
    dovecot_desk d13 "after = delete" &&
    cd d13 && mt -v fetch 2>err && grep -q "messages=31" err &&
    test "$(dovecot_uids INBOX | wc -l)" = 0
'

test_expect_success 'several folders, one with a non-ASCII name (modified UTF-7)' '
    dovecot_append INBOX "$MT_SRCDIR/sample/maildir" >/dev/null &&
    printf "From: Jörg <joerg@example.de>\nTo: support@example.com\nSubject: Rückfrage\nMessage-ID: <utf7-1@example.de>\n\nhallo\n" >u.eml &&
    dovecot_append "Kunden/Überprüfung & Co" u.eml &&
    dovecot_doveadm mailbox list -u support >list && grep -q "Überprüfung" list &&
    dovecot_desk d14 "folders = INBOX, Kunden/Überprüfung & Co" "after = keep" &&
    cd d14 && mt -v fetch 2>err && grep -q "messages=32" err &&
    mt ticket list | grep -q "Rückfrage"
'

test_expect_success 'a folder that does not exist: 78, named' '
    dovecot_desk d15 "folders = INBOX, Nirgendwo" &&
    cd d15 && expect_exit 78 mt fetch && grep -q "folder .Nirgendwo." err
'

test_expect_success 'a new UIDVALIDITY: everything listed again, nothing doubled' '
    cd d14 &&
    tickets >before &&
    dovecot_doveadm mailbox update -u support --uid-validity 4242 INBOX &&
    mt -v fetch 2>err &&
    grep -q "messages=31 new_tickets=0 followups=0 duplicates=31" err &&
    tickets >after && test_cmp before after &&
    mt -v fetch 2>err && grep -q "messages=0 " err
'

test_expect_success 'a message over max_message_bytes: read up to the limit, flagged' '
    empty_folder INBOX &&
    { printf "From: Big <big@example.org>\nTo: support@example.com\nSubject: huge log\nMessage-ID: <big-1@example.org>\n\n"; for i in $(seq 1 3000); do echo "log line $i of a very long attachment"; done; } >big.eml &&
    dovecot_append INBOX big.eml &&
    dovecot_desk d16 &&
    printf "[limits]\nmax_message_bytes = 20000\n" >>d16/mailtriage.conf &&
    cd d16 && mt -v fetch 2>err && grep -q "messages=1 new_tickets=1" err &&
    test "$(mt message raw 1 | wc -c)" = 20000 &&
    mt ticket show 1001 --json | json_get "j[\"messages\"][0][\"problems\"]" | grep -q "only the first 20000 were read"
'

test_expect_success 'url with a password in it is refused (78) without echoing it' '
    dovecot_desk d17 "url = imap://support:hunter2@127.0.0.1:$DOVECOT_PORT/INBOX" &&
    cd d17 && expect_exit 78 mt fetch && ! grep -q hunter2 err
'

test_expect_success 'run fetches too' '
    empty_folder INBOX &&
    dovecot_append INBOX "$MT_SRCDIR/sample/maildir" >/dev/null &&
    dovecot_desk d18 && cd d18 && mt run &&
    tickets >../d18.tickets && test_cmp ../ref.tickets ../d18.tickets &&
    test "$(dovecot_uids INBOX | grep -c "\\Seen")" = 31
'

test_done
