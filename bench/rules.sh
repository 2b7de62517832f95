#!/bin/bash
# rules.sh - the cost of the rule engine: `mailtriage ingest` of the
# synthetic corpus with 0, 100 and 1,000 generated rules
# (bench/gen-rules.py), each into a fresh store, and the ratio of the
# largest rule set's time to the no-rules time (target: at most 2).
#
#   bench/rules.sh [--count N] [--builddir DIR] [--rules "0 100 1000"]
#                  [--runs N] [--keep]
#
# The corpus is shared/bench/gen-corpus's, cached as bench/ingest.sh
# caches it (MT_BENCH_CACHE, default /tmp/mailtriage-bench).
# Exit status: 0 target met, 1 target missed, 2 cannot run.
set -euo pipefail
export LC_ALL=C

die() {
    echo "rules.sh: $*" >&2
    exit 2
}

TARGET_RATIO=2
count=20000
builddir=./build
rule_counts="0 100 1000"
runs=1
keep=0
while [ $# -gt 0 ]; do
    case $1 in
    --count) [ $# -ge 2 ] || die "--count needs a number"; count=$2; shift ;;
    --builddir) [ $# -ge 2 ] || die "--builddir needs a directory"
        builddir=$2; shift ;;
    --rules) [ $# -ge 2 ] || die "--rules needs a list"; rule_counts=$2
        shift ;;
    --runs) [ $# -ge 2 ] || die "--runs needs a number"; runs=$2; shift ;;
    --keep) keep=1 ;;
    -h|--help) sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown argument '$1' (see --help)" ;;
    esac
    shift
done
case $count in ''|*[!0-9]*|0) die "--count must be a positive number" ;; esac
case $runs in ''|*[!0-9]*|0) die "--runs must be a positive number" ;; esac

here=$(cd "$(dirname "$0")" && pwd)
srcdir=$(dirname "$here")
gen=${MT_SHARED:-$srcdir/../shared}/bench/gen-corpus
[ -f "$gen" ] || die "gen-corpus not found at $gen; set MT_SHARED"
python=/usr/bin/python3
[ -x $python ] || python=$(command -v python3) || die "python3 is needed"
mailtriage=$(cd "$builddir" 2>/dev/null && pwd)/mailtriage ||
    die "no build directory $builddir (use --builddir DIR)"
[ -x "$mailtriage" ] || die "$mailtriage is not built"

cache_root=${MT_BENCH_CACHE:-/tmp/mailtriage-bench}
corpus=$cache_root/corpus-$count-seed1
mkdir -p "$cache_root"
if [ ! -d "$corpus/cur" ]; then
    echo "generating $count messages into $corpus ..." >&2
    rm -rf "$corpus.tmp.$$"
    "$python" "$gen" --count "$count" --seed 1 --out "$corpus.tmp.$$" \
        --quiet || die "gen-corpus failed"
    mv "$corpus.tmp.$$" "$corpus"
fi

work=$(mktemp -d "$cache_root/rules.XXXXXX")
cleanup() {
    if [ "$keep" = 1 ]; then echo "kept $work" >&2; else rm -rf "$work"; fi
}
trap cleanup EXIT
find "$corpus/cur" "$corpus/new" -type f -exec cat {} + >/dev/null

printf '%-7s %9s %9s %8s %10s %12s\n' rules patterns wall_s msgs/s ratio \
    rule_events
base=
ratio=
for n in $rule_counts; do
    dir=$work/r$n
    mkdir -p "$dir/rules"
    [ "$n" = 0 ] ||
        "$python" "$here/gen-rules.py" --count "$n" --out "$dir/rules"
    printf '[general]\nrules = rules\n' >"$dir/mailtriage.conf"
    patterns=$(cd "$dir" && "$mailtriage" rules check |
        sed -n 's/.*rules, \([0-9]*\) patterns.*/\1/p')
    best=
    for _ in $(seq "$runs"); do
        rm -rf "$dir/var"
        t0=$EPOCHREALTIME
        (cd "$dir" && "$mailtriage" -q ingest "$corpus") ||
            die "ingest with $n rules failed"
        t1=$EPOCHREALTIME
        wall=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')
        if [ -z "$best" ] ||
            awk -v a="$wall" -v b="$best" 'BEGIN { exit !(a < b) }'; then
            best=$wall
        fi
    done
    events=-
    if command -v sqlite3 >/dev/null; then
        events=$(sqlite3 "$dir/var/mailtriage.db" \
            "SELECT count(*) FROM events WHERE kind = 'rule'")
    fi
    [ -n "$base" ] || base=$best
    ratio=$(awk -v a="$best" -v b="$base" 'BEGIN { printf "%.2f", a / b }')
    printf '%-7s %9s %9s %8.0f %10s %12s\n' "$n" "$patterns" "$best" \
        "$(awk -v c="$count" -v w="$best" 'BEGIN { print c / w }')" \
        "$ratio" "$events"
done
if awk -v r="$ratio" -v t="$TARGET_RATIO" 'BEGIN { exit !(r <= t) }'; then
    echo "target met: the largest rule set costs ${ratio}x the no-rules ingest (target <= ${TARGET_RATIO}x)"
    exit 0
fi
echo "target missed: ${ratio}x the no-rules ingest (target <= ${TARGET_RATIO}x)"
exit 1
