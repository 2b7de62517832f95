#!/bin/bash
# t1120-imap-old-server: `mailtriage fetch` against a Dovecot that
# offers only IMAP4rev1 after login, as older servers do: no MOVE (RFC
# 6851) and no UIDPLUS (RFC 4315).  after = move then copies and
# deletes, after = delete expunges with a plain EXPUNGE; -v says so;
# every message is taken once and the folders end as they should.
. "$(dirname "$0")/../lib/test-lib.sh"
. "$MT_SRCDIR/tests/lib/dovecot.sh"
need_binary
need_dovecot

DOVECOT_EXTRA_CONF="protocol imap {
  imap_capability = IMAP4rev1 LITERAL+ SASL-IR ID ENABLE IDLE
}"
dovecot_start_or_bail

# capabilities: what the server says after login.
capabilities()
{
    "$PYTHON" -c '
import imaplib, ssl, sys
c = imaplib.IMAP4("127.0.0.1", int(sys.argv[1]))
c.starttls(ssl.create_default_context(cafile=sys.argv[2]))
c.login(sys.argv[3], open(sys.argv[4]).read().strip())
typ, data = c.capability()
print(data[0].decode())
c.logout()' "$DOVECOT_PORT" "$DOVECOT_CA" "$DOVECOT_USER" \
        "$DOVECOT_PASSWORD_FILE"
}

test_expect_success 'the server offers neither MOVE nor UIDPLUS' '
    capabilities >caps &&
    grep -q -i -w IMAP4rev1 caps &&
    ! grep -q -w MOVE caps &&
    ! grep -q -w UIDPLUS caps
'

test_expect_success 'after = move:FOLDER without MOVE: copied, then deleted, each once' '
    dovecot_doveadm mailbox create -u support Done &&
    test "$(dovecot_append INBOX "$MT_SRCDIR/sample/maildir")" = 31 &&
    dovecot_desk mv "after = move:Done" &&
    cd mv && mt -v fetch 2>err &&
    grep -q "messages=31" err &&
    grep -q "has no MOVE: each message is copied to .Done., then deleted" err &&
    grep -q "has no UIDPLUS" err &&
    test "$(dovecot_uids INBOX | wc -l)" = 0 &&
    test "$(dovecot_uids Done | wc -l)" = 31 &&
    mt -v fetch 2>err2 && grep -q "messages=0" err2 &&
    test "$(dovecot_uids Done | wc -l)" = 31 &&
    test "$(mt ticket list --json | json_get "len(j)")" = 20
'

test_expect_success 'after = delete without UIDPLUS: a plain EXPUNGE, each message once' '
    test "$(dovecot_append INBOX "$MT_SRCDIR/sample/maildir")" = 31 &&
    dovecot_desk del "after = delete" &&
    cd del && mt -v fetch 2>err &&
    grep -q "messages=31" err &&
    grep -q "has no UIDPLUS: deleting expunges every message marked .Deleted" err &&
    ! grep -q "has no MOVE" err &&
    test "$(dovecot_uids INBOX | wc -l)" = 0 &&
    test "$(mt ticket list --json | json_get "len(j)")" = 20
'

test_expect_success 'after = seen says nothing of either' '
    test "$(dovecot_append INBOX "$MT_SRCDIR/sample/maildir")" = 31 &&
    dovecot_desk seen "after = seen" &&
    cd seen && mt -v fetch 2>err &&
    grep -q "messages=31" err &&
    ! grep -q "has no" err &&
    test "$(dovecot_uids INBOX | grep -c "\\\\Seen")" = 31
'

test_done
