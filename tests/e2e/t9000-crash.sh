#!/bin/bash
# t9000-crash: kill -9 `mailtriage run` at every commit point of the
# ingest path, run again, and compare with a run that was never
# interrupted: nothing lost, nothing doubled, every mail moved to cur/
# only once its ticket is in the store (DESIGN 2, STYLE 7).
#
# The kill comes from MAILTRIAGE_CRASHPOINT=NAME:N (util_crashpoint),
# which raises SIGKILL at the N-th pass through a named point, so each
# crash lands exactly where we say, every time.
. "$(dirname "$0")/../lib/test-lib.sh"
need_binary

# Five messages per transaction (sample_desk): the 31 sample mails
# make seven batches, so the points below fall inside, between and
# after batches.

# Tickets with their customer and subject, and every stored message as
# ticket, kind and sha256 of its bytes: what must not differ.
desk_state()
{
    (cd "$1" &&
        mt ticket list --json | "$PYTHON" -c '
import json, sys
for t in json.load(sys.stdin):
    print(t["id"], t["status"], t["customer"]["email"], t["subject"])' &&
        store_dump | cut -d" " -f2-)
}

test_expect_success 'a run that is never interrupted (the reference)' '
    sample_desk "$TMPDIR_TEST/ref" &&
    (cd "$TMPDIR_TEST/ref" && mt run) &&
    desk_state "$TMPDIR_TEST/ref" >"$TMPDIR_TEST/ref.state" &&
    test "$(ls "$TMPDIR_TEST/ref/mail/new" | wc -l)" -eq 0 &&
    test "$(wc -l <"$TMPDIR_TEST/ref.state")" -gt 40
'

for point in after-message:1 after-message:7 before-commit:1 \
             before-commit:4 after-commit:1 after-commit:3 \
             after-mark-done:1 after-mark-done:12 after-mark-done:31; do
    test_expect_success "kill -9 at $point, run again: same desk" '
        d="$TMPDIR_TEST/crash-${point/:/-}" &&
        sample_desk "$d" &&
        rc=0 &&
        (cd "$d" && MAILTRIAGE_CRASHPOINT=$point mt run) || rc=$? &&
        test "$rc" -eq 137 &&
        (cd "$d" && mt run) &&
        (cd "$d" && mt run) &&
        desk_state "$d" >"$d.state" &&
        test_cmp "$TMPDIR_TEST/ref.state" "$d.state" &&
        test "$(ls "$d/mail/new" | wc -l)" -eq 0 &&
        test "$(ls "$d/mail/cur" | wc -l)" -eq 31
    '
done

test_expect_success 'a mail is never moved before its commit' '
    d="$TMPDIR_TEST/early" &&
    sample_desk "$d" &&
    rc=0 &&
    (cd "$d" && MAILTRIAGE_CRASHPOINT=before-commit:2 mt run) || rc=$? &&
    test "$rc" -eq 137 &&
    (cd "$d" && store_dump) >"$d.dump" &&
    test "$(wc -l <"$d.dump")" -eq "$(ls "$d/mail/cur" | wc -l)"
'

test_done
