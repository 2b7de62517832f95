#!/bin/bash
# t9010-remind-crash: kill -9 the reminder pass at each of its points
# (MAILTRIAGE_CRASHPOINT, see t9000), run again: every warning and
# breach is queued and recorded exactly once.  And overlapping runs wait
# for the run lock instead of escalating twice.
. "$(dirname "$0")/../lib/test-lib.sh"
need_binary

setup_desk()
{
    rm -rf "$1" && mkdir -p "$1/mail/new" "$1/mail/cur" "$1/mail/tmp"
    cat >"$1/mailtriage.conf" <<CONF
[general]
database = var/mt.db
support_address = support@example.com

[source support]
url = maildir:mail

[sla]
escalate_to = lead@example.com
CONF
    for i in 1 2 3 4 5; do
        printf 'From: c%d@example.org\nTo: support@example.com\nSubject: case %d\nMessage-ID: <c%d@example.org>\n\nhelp\n' \
            "$i" "$i" "$i" >"$1/mail/new/$i.eml"
    done
    (cd "$1" && mt --now 2026-03-09T08:00:00Z run)
}

# Every ticket's escalation history: ticket, time, kind, detail.
state()
{
    (cd "$1" && for id in 1001 1002 1003 1004 1005; do
        mt ticket show $id --json | "$PYTHON" -c '
import json, sys
j = json.load(sys.stdin)
print(j["id"], j["priority"], j["escalation_level"])
for e in j["events"]:
    if e["kind"] in ("queued", "escalated"):
        print(j["id"], e["at"], e["kind"], e["detail"])'
    done)
}

# The warning run (Tue 05:00) and the breach run (Tue 09:00).
passes()
{
    (cd "$1" && mt --now 2026-03-10T05:00:00Z remind &&
        mt --now 2026-03-10T09:00:00Z remind)
}

test_expect_success 'the reference: passes never interrupted' '
    setup_desk "$TMPDIR_TEST/ref" &&
    passes "$TMPDIR_TEST/ref" &&
    state "$TMPDIR_TEST/ref" >ref.state &&
    test "$(grep -c "queued escalation-warning" ref.state)" -eq 5 &&
    test "$(grep -c "queued escalation-breach" ref.state)" -eq 5
'

# PASS:POINT:N -- the N-th pass through POINT in the warning pass (1)
# or the breach pass (2); each pass handles the five tickets in one
# transaction.
for spec in 1:remind-ticket:1 1:remind-ticket:3 1:remind-ticket:5 \
            1:remind-before-commit:1 1:remind-after-commit:1 \
            2:remind-ticket:2 2:remind-before-commit:1 \
            2:remind-after-commit:1; do
    test_expect_success "kill -9 at $spec, run again: nothing doubled" '
        pass=${spec%%:*} &&
        point=${spec#*:} &&
        d="$TMPDIR_TEST/crash-${spec//:/-}" &&
        setup_desk "$d" &&
        rc=0 &&
        (cd "$d" &&
            if [ "$pass" = 2 ]; then mt --now 2026-03-10T05:00:00Z remind; fi &&
            MAILTRIAGE_CRASHPOINT=$point mt --now \
                "$([ "$pass" = 1 ] && echo 2026-03-10T05:00:00Z ||
                   echo 2026-03-10T09:00:00Z)" remind) || rc=$? &&
        test "$rc" -eq 137 &&
        passes "$d" &&
        passes "$d" &&
        state "$d" >"$d.state" &&
        test_cmp ref.state "$d.state"
    '
done

test_expect_success 'kill -9 in the pass of `run`, run again: nothing doubled' '
    d="$TMPDIR_TEST/run" &&
    setup_desk "$d" &&
    rc=0 &&
    (cd "$d" && MAILTRIAGE_CRASHPOINT=remind-before-commit:1 \
        mt --now 2026-03-10T05:00:00Z run) || rc=$? &&
    test "$rc" -eq 137 &&
    (cd "$d" && mt --now 2026-03-10T05:00:00Z run &&
        mt --now 2026-03-10T09:00:00Z run) &&
    state "$d" >"$d.state" &&
    test_cmp ref.state "$d.state"
'

test_expect_success 'overlapping runs wait for the run lock' '
    d="$TMPDIR_TEST/lock" &&
    setup_desk "$d" &&
    cd "$d"
    flock var/mt.db.lock sleep 2 &
    holder=$!
    sleep 0.3 &&
    start=$(date +%s%N) &&
    mt --now 2026-03-10T09:00:00Z remind &&
    end=$(date +%s%N) &&
    wait $holder &&
    test $(( (end - start) / 1000000 )) -ge 1500 &&
    test "$(state "$d" | grep -c "queued escalation-breach")" -eq 5
'

test_expect_success 'one summary line per run' '
    d="$TMPDIR_TEST/summary" &&
    setup_desk "$d" &&
    cd "$d" &&
    mt -v --now 2026-03-10T09:00:00Z run 2>err &&
    grep "run: " err >line &&
    test "$(wc -l <line)" -eq 1 &&
    grep -q "fetched=0 new_tickets=0 followups=0 .*warnings=0 breaches=5" line
'

test_done
