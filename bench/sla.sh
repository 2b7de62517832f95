#!/bin/bash
# sla.sh - time the reminder pass (`mailtriage remind`) over a store of
# many open tickets: once when nothing is due (target: under 1 s with
# 1,000,000 tickets, since the pass reads only the due rows through the
# escalate_at index), and once with --due of them due for their
# warning.  Rows are generated with sqlite3 straight into a store that
# mailtriage created (so the schema is the real one), not by ingesting
# mail.  Prints a table; writes nothing in the tree.
#
#   bench/sla.sh [--count N] [--due N] [--builddir DIR] [--keep]
#
# Exit status: 0 the target met, 1 missed, 2 cannot run.
set -euo pipefail
export LC_ALL=C

count=1000000
due=1000
builddir=./build
keep=0
while [ $# -gt 0 ]; do
    case $1 in
    --count) count=$2; shift 2 ;;
    --due) due=$2; shift 2 ;;
    --builddir) builddir=$2; shift 2 ;;
    --keep) keep=1; shift ;;
    -h|--help) sed -n '2,13p' "$0"; exit 0 ;;
    *) echo "sla.sh: unknown option '$1'" >&2; exit 2 ;;
    esac
done
mt=$(cd "$builddir" && pwd)/mailtriage
[ -x "$mt" ] || { echo "sla.sh: no binary at $mt" >&2; exit 2; }
command -v sqlite3 >/dev/null || { echo "sla.sh: needs sqlite3" >&2; exit 2; }

work=$(mktemp -d /tmp/mailtriage-sla.XXXXXX)
if [ "$keep" = 1 ]; then echo "kept $work"; else trap 'rm -rf "$work"' EXIT; fi
cd "$work"
printf '[general]\ndatabase = mt.db\n\n[sla]\nescalate_to = lead@example.com\n' \
    >mailtriage.conf

# Now: 2026-03-10 12:00 UTC.  Open tickets were opened in the 20 hours
# before, so none has reached its warning (20 h into 24 h) yet.
now=1773144000
"$mt" --now "@$now" remind >/dev/null 2>&1   # creates the store
gen_start=$EPOCHREALTIME
sqlite3 mt.db >/dev/null <<SQL
PRAGMA journal_mode = WAL; -- (prints "wal")
BEGIN;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $count)
INSERT INTO tickets (id, subject, status, priority, customer_email, mailbox,
                     created_at, updated_at, due_at, escalation_level,
                     clock_start, paused_total, escalate_at)
SELECT 1000 + i, 'ticket ' || i, 1, 1, 'c' || i || '@example.org',
       'maildir:/srv/mail',
       $now - 72000 + (i % 72000), $now - 72000 + (i % 72000),
       $now - 72000 + (i % 72000) + 86400, 0,
       $now - 72000 + (i % 72000), 0,
       $now - 72000 + (i % 72000) + 72000
FROM n;
COMMIT;
SQL
gen_end=$EPOCHREALTIME

time_remind() {
    local s e
    s=$EPOCHREALTIME
    "$mt" --now "@$1" remind >/dev/null
    e=$EPOCHREALTIME
    awk -v s="$s" -v e="$e" 'BEGIN { printf "%.3f", e - s }'
}

idle=$(time_remind "$now")
idle2=$(time_remind "$now")
# At least $due tickets (ties share a second) reach their warning in
# the next run: move the clock on
# to the moment the $due-th oldest is due.
due_now=$(sqlite3 mt.db "SELECT escalate_at FROM tickets
    ORDER BY escalate_at LIMIT 1 OFFSET $((due - 1))")
busy=$(time_remind "$due_now")
warned=$(sqlite3 mt.db "SELECT count(*) FROM tickets WHERE escalation_level = 1")
after=$(time_remind "$due_now")
plan=$(sqlite3 mt.db "EXPLAIN QUERY PLAN SELECT id FROM tickets
    WHERE escalate_at <= $now ORDER BY escalate_at, id LIMIT 200" | tr '\n' ' ')

printf '%-44s %s\n' "open tickets" "$count"
printf '%-44s %.1f s\n' "generating them (sqlite3)" \
    "$(awk -v s="$gen_start" -v e="$gen_end" 'BEGIN { print e - s }')"
printf '%-44s %s s, %s s\n' "remind, nothing due (two runs)" "$idle" "$idle2"
printf '%-44s %s s\n' "remind, $due due for their warning" "$busy"
printf '%-44s %s\n' "tickets warned" "$warned"
printf '%-44s %s s\n' "remind again, nothing left due" "$after"
printf '%-44s %s\n' "query plan" "$plan"
[ "$warned" -ge "$due" ] || { echo "sla.sh: warned $warned, fewer than $due" >&2; exit 1; }
awk -v t="$idle2" 'BEGIN { exit !(t < 1.0) }' ||
    { echo "sla.sh: idle pass not under 1 s" >&2; exit 1; }
