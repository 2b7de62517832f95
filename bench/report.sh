#!/bin/bash
# report.sh - time `mailtriage report` over a store of N tickets (default
# 1,000,000) made directly with sqlite3, not by ingesting mail: a year
# of tickets with first responses, resolutions, categories, agents,
# ratings and "reopened" events, so that every figure has work to do.
# Target: the text report of the last 30 days under 5 s.  Writes nothing
# in the tree.
#
#   bench/report.sh [--count N] [--builddir DIR] [--runs N] [--keep]
#
# The store is cached in $MT_BENCH_CACHE (default /tmp/mailtriage-bench)
# as report-v2-N.db, so only the first run with a given N pays for it
# (v2: with ended response clocks and pending time, schema 6).
set -euo pipefail
export LC_ALL=C

count=1000000
builddir=./build
runs=3
keep=0
target=5.0

usage() {
    cat <<'EOF'
usage: bench/report.sh [--count N] [--builddir DIR] [--runs N] [--keep]

  --count N       tickets in the store (default 1000000)
  --builddir DIR  where the mailtriage binary was built (default ./build)
  --runs N        time each report N times, keep the fastest (default 3)
  --keep          keep the temporary working directory

Exit status: 0 the target is met, 1 it is missed, 2 cannot run.
EOF
}

die() {
    echo "report.sh: $*" >&2
    exit 2
}

while [ $# -gt 0 ]; do
    case $1 in
    --count) count=$2; shift 2 ;;
    --builddir) builddir=$2; shift 2 ;;
    --runs) runs=$2; shift 2 ;;
    --keep) keep=1; shift ;;
    -h|--help) usage; exit 0 ;;
    *) usage >&2; exit 2 ;;
    esac
done

bin=$(cd "$builddir" 2>/dev/null && pwd)/mailtriage
[ -x "$bin" ] || die "no binary at $builddir/mailtriage (--builddir)"
command -v sqlite3 >/dev/null || die "needs sqlite3 (Debian package sqlite3)"

cache=${MT_BENCH_CACHE:-/tmp/mailtriage-bench}
mkdir -p "$cache"
db=$cache/report-v2-$count.db
work=$(mktemp -d "${TMPDIR:-/tmp}/mt-bench-report.XXXXXX")
if [ "$keep" = 1 ]; then
    echo "# keeping $work"
else
    trap 'rm -rf "$work"' EXIT
fi

# "Now" for every run: the end of the generated year.
now=1796083200 # 2026-12-01T00:00:00Z

if [ ! -s "$db" ]; then
    echo "# generating $count tickets into $db"
    mkdir -p "$work/gen/md/new" "$work/gen/md/cur" "$work/gen/md/tmp"
    # The real binary creates the schema at its current version.
    (cd "$work/gen" && "$bin" ingest md >/dev/null)
    cp "$work/gen/var/mailtriage.db" "$db.tmp"
    start=$EPOCHREALTIME
    # Deterministic pseudo-random columns from the row number; about
    # 70% answered (a tenth of them late), 60% resolved (a third of them
    # waited on the customer), 30% rated, 8% reopened, 2% spam.  Every
    # answered ticket has its ended first-response clock (a quarter
    # paused), every reopening and a fifth of the tickets an ended
    # next-response clock, as sla.c records them.
    sqlite3 "$db.tmp" <<EOF
PRAGMA journal_mode = WAL;
PRAGMA synchronous = OFF;
BEGIN;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n
                        WHERE i < $count),
r AS (SELECT i,
             $now - 365 * 86400 + (i * 31536000 / $count) AS created,
             (i * 2654435761) % 1000 AS a,
             (i * 40503) % 1000 AS b,
             (i * 69069) % 1000 AS c
      FROM n)
INSERT INTO tickets (id, subject, status, category, priority, team,
                     assignee, customer_name, customer_email, mailbox,
                     created_at, updated_at, first_response_at,
                     resolved_at, due_at, escalation_level, rating_score,
                     rating_comment, linked_ticket, sla, pending_total)
SELECT 1000 + i, 'ticket ' || i,
       CASE WHEN a < 20 THEN 5 WHEN a < 620 THEN 3
            WHEN a < 700 THEN 2 ELSE 1 END,
       CASE b % 5 WHEN 0 THEN 'billing' WHEN 1 THEN 'hardware'
            WHEN 2 THEN 'network' WHEN 3 THEN 'accounts' ELSE NULL END,
       1, 'support',
       CASE c % 7 WHEN 0 THEN NULL ELSE 'agent' || (c % 7) END,
       'Customer', 'c' || i || '@example.org', 'imap:support/INBOX',
       created, created,
       CASE WHEN c < 700 THEN created + 300 + (b * 97) % 
                 (CASE WHEN b < 100 THEN 200000 ELSE 80000 END)
            ELSE NULL END,
       CASE WHEN a >= 20 AND a < 620 THEN created + 3600 + (c * 613) % 600000
            ELSE NULL END,
       CASE WHEN a >= 700 AND c >= 700 THEN created + 86400 ELSE NULL END,
       CASE WHEN b < 50 THEN 2 WHEN b < 100 THEN 1 ELSE 0 END,
       CASE WHEN a >= 20 AND a < 620 AND b < 500 THEN 1 + c % 5 ELSE 0 END,
       CASE WHEN a >= 20 AND a < 620 AND b < 100 THEN 'comment ' || i
            ELSE NULL END,
       NULL, 0,
       CASE WHEN a >= 20 AND a < 620 AND b % 3 = 0 THEN (c * 37) % 86400
            ELSE 0 END
FROM r;
INSERT INTO events (ticket_id, at, kind, detail)
SELECT id, created_at, 'created', 'opened' FROM tickets;
INSERT INTO events (ticket_id, at, kind, detail)
SELECT id, created_at + 7200, 'reopened', 'reopened by a reply'
FROM tickets WHERE id % 12 = 0;
INSERT INTO clocks (ticket_id, kind, started_at, due_at, ended_at,
                    paused_total, ended_by, level)
SELECT id, 0, created_at, created_at + 86400 + (id % 4 = 0) * 3600,
       first_response_at, (id % 4 = 0) * 3600, 0,
       CASE WHEN first_response_at > created_at + 86400 THEN 2 ELSE 0 END
FROM tickets WHERE first_response_at IS NOT NULL;
INSERT INTO clocks (ticket_id, kind, started_at, due_at, ended_at,
                    paused_total, ended_by, level)
SELECT id, 1, created_at + 7200, created_at + 7200 + 86400,
       created_at + 7200 + (id * 101) % 100000, 0, 0, 0
FROM tickets WHERE id % 12 = 0 OR id % 5 = 0;
COMMIT;
PRAGMA wal_checkpoint(TRUNCATE);
EOF
    mv "$db.tmp" "$db"
    echo "# generated in $(echo "$EPOCHREALTIME - $start" | bc) s"
fi

mkdir -p "$work/run/var"
cp "$db" "$work/run/var/mailtriage.db"
cd "$work/run"

# time_best ARGS: the fastest of $runs runs of mailtriage ARGS.
time_best() {
    local best= t0 t
    for _ in $(seq "$runs"); do
        t0=$EPOCHREALTIME
        "$bin" --now "@$now" "$@" >/dev/null
        t=$(echo "$EPOCHREALTIME - $t0" | bc)
        if [ -z "$best" ] || [ "$(echo "$t < $best" | bc)" = 1 ]; then
            best=$t
        fi
    done
    printf '%.2f' "$best"
}

text=$(time_best report)
year=$(time_best report --since 365d --by category)
json=$(time_best report --format json --by agent)
html=$(time_best report --format html)
rss=$( { /usr/bin/time -f '%M' "$bin" --now "@$now" report --since 365d \
    >/dev/null; } 2>&1 | tail -n 1)

printf '%-44s %8s\n' "report over $count tickets" "seconds"
printf '%-44s %8s\n' "text, last 30 days (target < $target s)" "$text"
printf '%-44s %8s\n' "text, 365 days, --by category" "$year"
printf '%-44s %8s\n' "json, last 30 days, --by agent" "$json"
printf '%-44s %8s\n' "html, last 30 days" "$html"
printf '%-44s %8s\n' "peak RSS, 365 days (KiB)" "$rss"

if [ "$(echo "$text < $target" | bc)" = 1 ]; then
    exit 0
fi
echo "report.sh: the text report took $text s (target $target s)" >&2
exit 1
