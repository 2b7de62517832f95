#!/bin/bash
# t1030-ingest-failure: a message whose processing fails part-way (after
# it wrote its message, ticket and acknowledgment) is left out alone:
# its writes are undone, the rest of its batch is committed, it stays at
# the source, and the next run takes it once (DESIGN 2).
#
# The failure comes from MAILTRIAGE_FAILPOINT=message:MESSAGE-ID
# (util_failpoint), which fails that message every time it is tried,
# after everything it writes is written.  The batch stores its messages
# without a savepoint each, so this is also the test of storing the
# batch again (cmd-ingest.c, redo_batch()).
. "$(dirname "$0")/../lib/test-lib.sh"
need_binary

# Five messages per transaction (sample_desk): the 13th of the 31
# sample mails (Hannah Berg's "Account locked", a new ticket that gets
# an acknowledgment) is in the middle of the third batch, with an
# auto-reply, a follow-up by tag and two more new tickets.
FAILING=005c01dcab15\$a9c3e0b0\$fd4ba210\$@example.org
FAILING_FILE=1772538055.M13P4113.sample

# Every stored incoming message as kind and sha256 of its bytes, sorted:
# what must be there once each, whichever ticket number it got.
message_set()
{
    (cd "$1" && store_dump | cut -d" " -f3,4 | sort)
}

# The value of NAME= in the summary line in FILE.
summary_count()
{
    sed -n "s/.* $2=\([0-9]*\).*/\1/p" "$1"
}

test_expect_success 'a run without the failure (the reference)' '
    sample_desk "$TMPDIR_TEST/ref" &&
    (cd "$TMPDIR_TEST/ref" && mt -v run 2>"$TMPDIR_TEST/ref.err") &&
    message_set "$TMPDIR_TEST/ref" >"$TMPDIR_TEST/ref.set" &&
    test "$(wc -l <"$TMPDIR_TEST/ref.set")" -eq 31 &&
    test "$(summary_count "$TMPDIR_TEST/ref.err" acks)" -gt 10
'

d=$TMPDIR_TEST/fail

# A run goes on (exit 0: the timer's next run tries the message again)
# and says which message failed, and why.
test_expect_success 'the failing message is named and left at the source' '
    sample_desk "$d" &&
    (cd "$d" && MAILTRIAGE_FAILPOINT="message:$FAILING" mt -v run \
        >"$d.out" 2>"$d.err") &&
    grep -F "$FAILING: failing on purpose" "$d.err" &&
    grep -F "left at the source" "$d.err" &&
    test "$(grep -c "left at the source" "$d.err")" -eq 1 &&
    test -e "$d/mail/new/$FAILING_FILE" &&
    test "$(ls "$d/mail/cur" | wc -l)" -eq 30
'

test_expect_success 'nothing of it is stored; the other 30 are, once' '
    message_set "$d" >"$d.set" &&
    test "$(wc -l <"$d.set")" -eq 30 &&
    sha=$(sha256sum "$d/mail/new/$FAILING_FILE" | cut -d" " -f1) &&
    ! grep "$sha" "$d.set" &&
    grep -v "$sha" "$TMPDIR_TEST/ref.set" >"$d.want" &&
    test_cmp "$d.want" "$d.set" &&
    (cd "$d" && mt ticket list --json) >"$d.tickets" &&
    ! grep -F "hannah.berg@example.org" "$d.tickets" &&
    (cd "$d" && mt outbox list --json) >"$d.outbox" &&
    ! grep -F "hannah.berg@example.org" "$d.outbox"
'

test_expect_success 'the summary counts the 30 and the one that failed' '
    test "$(summary_count "$d.err" fetched)" -eq 30 &&
    test "$(summary_count "$d.err" failed)" -eq 1 &&
    test "$(summary_count "$d.err" acks)" -eq \
        $(($(summary_count "$TMPDIR_TEST/ref.err" acks) - 1))
'

test_expect_success 'tickets are numbered without a gap' '
    (cd "$d" && mt ticket list --json) | json_get "[t[\"id\"] for t in j]" \
        >"$d.ids" &&
    "$PYTHON" -c "
import json, sys
ids = sorted(json.load(open(sys.argv[1])))
sys.exit(ids != list(range(1001, 1001 + len(ids))))" "$d.ids"
'

test_expect_success 'the next run takes it once, with its acknowledgment' '
    (cd "$d" && mt -v run 2>"$d.err2") &&
    test "$(summary_count "$d.err2" fetched)" -eq 1 &&
    test "$(summary_count "$d.err2" acks)" -eq 1 &&
    (cd "$d" && mt run) &&
    message_set "$d" >"$d.set2" &&
    test_cmp "$TMPDIR_TEST/ref.set" "$d.set2" &&
    test "$(ls "$d/mail/new" | wc -l)" -eq 0 &&
    test "$(ls "$d/mail/cur" | wc -l)" -eq 31
'

test_expect_success 'on stdin (MDA) the failing message exits 75 and is not kept' '
    mkdir -p "$TMPDIR_TEST/mda" && cd "$TMPDIR_TEST/mda" &&
    rc=0 &&
    MAILTRIAGE_FAILPOINT="message:$FAILING" \
        mt ingest - <"$MT_SRCDIR/sample/maildir/new/$FAILING_FILE" \
        2>err || rc=$? &&
    test "$rc" -eq 75 &&
    test "$(mt ticket list --json)" = "[]" &&
    mt ingest - <"$MT_SRCDIR/sample/maildir/new/$FAILING_FILE" &&
    test "$(mt ticket list --json | json_get "len(j)")" = 1
'

test_done
