#!/bin/bash
# ingest.sh - time `mailtriage ingest` on a synthetic Maildir next to
# `notmuch new` on the same messages and a GMime-only parse loop
# (bench/parse-floor.c) as the floor, and check the ratios against the
# targets in bench/README.  Prints a table; writes nothing in the tree.
#
#   bench/ingest.sh [--count N] [--builddir DIR] [--runs N]
#                   [--skip-ingest] [--skip-notmuch] [--keep]
#   bench/ingest.sh --rss-check [--count N] [--builddir DIR]
#
# The corpus comes from shared/bench/gen-corpus (seed 1) and is cached in
# $MT_BENCH_CACHE (default /tmp/mailtriage-bench) as corpus-N-seed1, so
# only the first run with a given N pays for generating it.
set -euo pipefail
# EPOCHREALTIME and awk must agree on the decimal point.
export LC_ALL=C

usage() {
    cat <<'EOF'
usage: bench/ingest.sh [--count N] [--builddir DIR] [--runs N]
                       [--skip-ingest] [--skip-notmuch] [--keep]
       bench/ingest.sh --rss-check [--count N] [--builddir DIR] [--keep]

  --count N       messages to generate (default 20000; 100000 with --rss-check)
  --builddir DIR  where the mailtriage binary was built (default ./build)
  --runs N        time each tool N times and keep the fastest (default 1;
                  the parse floor always runs at least 3 times)
  --rss-check     only ingest, and check its peak RSS against 64 MB
  --skip-ingest   leave out mailtriage (e.g. before it is built)
  --skip-notmuch  leave out notmuch
  --keep          keep the temporary working directory

Environment: MT_SHARED (the shared/ directory holding bench/gen-corpus),
MT_BENCH_CACHE (corpus cache, default /tmp/mailtriage-bench).
Exit status: 0 all targets met, 1 a target missed, 2 cannot run.
EOF
}

die() {
    echo "ingest.sh: $*" >&2
    exit 2
}

# --- targets (bench/README) ------------------------------------------------
TARGET_SPEEDUP=5       # ingest at least 5x faster than notmuch new
TARGET_FLOOR_RATIO=3   # ingest time at most 3x the parse floor's
TARGET_RSS_MB=64       # ingest peak RSS for 100,000 messages

count=
builddir=./build
runs=1
rss_check=0
skip_ingest=0
skip_notmuch=0
keep=0
while [ $# -gt 0 ]; do
    case $1 in
    --count) [ $# -ge 2 ] || die "--count needs a number"; count=$2; shift ;;
    --count=*) count=${1#*=} ;;
    --builddir) [ $# -ge 2 ] || die "--builddir needs a directory"
        builddir=$2; shift ;;
    --builddir=*) builddir=${1#*=} ;;
    --runs) [ $# -ge 2 ] || die "--runs needs a number"; runs=$2; shift ;;
    --runs=*) runs=${1#*=} ;;
    --rss-check) rss_check=1 ;;
    --skip-ingest) skip_ingest=1 ;;
    --skip-notmuch) skip_notmuch=1 ;;
    --keep) keep=1 ;;
    -h|--help) usage; exit 0 ;;
    *) usage >&2; exit 2 ;;
    esac
    shift
done
if [ -z "$count" ]; then
    if [ $rss_check = 1 ]; then count=100000; else count=20000; fi
fi
case $count in ''|*[!0-9]*|0) die "--count must be a positive number" ;; esac
case $runs in ''|*[!0-9]*|0) die "--runs must be a positive number" ;; esac
if [ $rss_check = 1 ]; then
    [ $skip_ingest = 0 ] || die "--rss-check measures ingest; drop --skip-ingest"
    skip_notmuch=1
fi

# --- prerequisites -----------------------------------------------------------
here=$(cd "$(dirname "$0")" && pwd)
srcdir=$(dirname "$here")
if [ -n "${MT_SHARED:-}" ]; then
    gen=$MT_SHARED/bench/gen-corpus
else
    gen=$srcdir/../shared/bench/gen-corpus
fi
[ -f "$gen" ] || die "gen-corpus not found at $gen; set MT_SHARED to the" \
    "shared/ directory that holds bench/gen-corpus"
# Debian's python3 first: the first one on PATH may be another build.
if [ -x /usr/bin/python3 ]; then
    python=/usr/bin/python3
else
    python=$(command -v python3) || die "python3 is needed to run gen-corpus"
fi
TIME=/usr/bin/time
if ! [ -x $TIME ] || ! $TIME -v true 2>/dev/null; then
    die "GNU time is needed at $TIME for peak RSS (apt-get install time)"
fi
command -v cc >/dev/null || die "a C compiler (cc) is needed for parse-floor"
pkg-config --exists gmime-3.0 ||
    die "gmime-3.0 development files are needed (apt-get install libgmime-3.0-dev)"
mailtriage=
if [ $skip_ingest = 0 ]; then
    mailtriage=$(cd "$builddir" 2>/dev/null && pwd)/mailtriage ||
        die "no build directory $builddir (use --builddir DIR or --skip-ingest)"
    [ -x "$mailtriage" ] ||
        die "$mailtriage is not built (use --builddir DIR or --skip-ingest)"
fi
if [ $skip_notmuch = 0 ]; then
    command -v notmuch >/dev/null ||
        die "notmuch is not installed (apt-get install notmuch, or --skip-notmuch)"
fi

# --- corpus (cached) ---------------------------------------------------------
cache_root=${MT_BENCH_CACHE:-/tmp/mailtriage-bench}
corpus=$cache_root/corpus-$count-seed1
mkdir -p "$cache_root"
if [ ! -d "$corpus/cur" ]; then
    echo "generating $count messages into $corpus ..." >&2
    # Into a temporary name first: an interrupted run must not leave a
    # half-written corpus that later runs would take as complete.
    rm -rf "$corpus.tmp.$$"
    "$python" "$gen" --count "$count" --seed 1 --out "$corpus.tmp.$$" \
        --quiet || die "gen-corpus failed"
    mv "$corpus.tmp.$$" "$corpus"
fi
corpus_files=$(find "$corpus/cur" "$corpus/new" -type f | wc -l)
[ "$corpus_files" = "$count" ] ||
    die "$corpus holds $corpus_files messages, not $count; remove it and rerun"
corpus_mb=$(du -sm "$corpus" | cut -f1)

work=$(mktemp -d "$cache_root/run.XXXXXX")
cleanup() {
    if [ "$keep" = 1 ]; then
        echo "kept $work" >&2
    else
        rm -rf "$work"
    fi
}
trap cleanup EXIT

# Every tool gets the corpus from the page cache, not the disk.
find "$corpus/cur" "$corpus/new" -type f -exec cat {} + >/dev/null

# A private copy for a tool that may write into the Maildir.  Hard
# links cost nothing and share the cached pages; the tools only ever
# rename Maildir files, never rewrite them, so the cache stays intact.
copy_maildir() {
    rm -rf "$2"
    cp -al "$1" "$2" 2>/dev/null || { rm -rf "$2"; cp -a "$1" "$2"; }
}

# --- measuring -----------------------------------------------------------------
# timed NAME CMD...: run CMD under GNU time in the current directory,
# output to $work/NAME.{out,err,time}; sets WALL (s, from the shell's
# clock, finer than time's 10 ms), CPU (user+sys s), RSS_KB, RC.
timed() {
    local name=$1 t0 t1
    shift
    # Write back what the run before left dirty (its store, notmuch's
    # index, the copy): that writeback would otherwise land inside this
    # run's time (it made ingest 6.6 s or 9.7 s on the same corpus).
    sync
    t0=$EPOCHREALTIME
    RC=0
    $TIME -v -o "$work/$name.time" "$@" >"$work/$name.out" \
        2>"$work/$name.err" || RC=$?
    t1=$EPOCHREALTIME
    WALL=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')
    RSS_KB=$(awk -F': ' '/Maximum resident set size/ { print $2 }' \
        "$work/$name.time")
    CPU=$(awk -F': ' '/User time/ { u = $2 } /System time/ { s = $2 }
        END { printf "%.2f", u + s }' "$work/$name.time")
}

# keep_best TOOL: remember this run's figures if it is TOOL's fastest.
declare -A best_wall best_cpu best_rss best_msgs
keep_best() {
    local tool=$1 msgs=$2
    if [ -z "${best_wall[$tool]:-}" ] ||
        awk -v a="$WALL" -v b="${best_wall[$tool]}" 'BEGIN { exit !(a < b) }'
    then
        best_wall[$tool]=$WALL
        best_cpu[$tool]=$CPU
        best_msgs[$tool]=$msgs
    fi
    # Peak RSS is a property of the program, not of the lucky run.
    if [ -z "${best_rss[$tool]:-}" ] || [ "$RSS_KB" -gt "${best_rss[$tool]}" ]
    then
        best_rss[$tool]=$RSS_KB
    fi
}

fail_run() {
    echo "ingest.sh: $1 failed (exit $RC); last lines of its output:" >&2
    tail -n 20 "$work/$2.err" "$work/$2.out" >&2
    exit 2
}

run_floor() {
    local i n
    # shellcheck disable=SC2046 # pkg-config's flags are meant to split
    cc -O2 -o "$work/parse-floor" "$here/parse-floor.c" \
        $(pkg-config --cflags --libs gmime-3.0) ||
        die "cannot build parse-floor"
    for ((i = 1; i <= (runs > 3 ? runs : 3); i++)); do
        timed floor "$work/parse-floor" "$corpus"
        [ $RC = 0 ] || fail_run parse-floor floor
        n=$(sed -n 's/^parse-floor: \([0-9]*\) messages.*/\1/p' \
            "$work/floor.out")
        keep_best floor "$n"
    done
}

run_ingest() {
    local i n wd
    for ((i = 1; i <= runs; i++)); do
        wd=$work/ingest
        rm -rf "$wd"
        mkdir -p "$wd"
        copy_maildir "$corpus" "$work/ingest-maildir"
        # No mailtriage.conf: built-in defaults, so the store is
        # $wd/var/mailtriage.db.  The rules directory defaults to
        # ./rules, so the shipped default rules come along.
        if [ -d "$srcdir/rules" ]; then
            cp -r "$srcdir/rules" "$wd/rules"
        fi
        cd "$wd"
        timed ingest "$mailtriage" ingest "$work/ingest-maildir"
        cd "$work"
        [ $RC = 0 ] || fail_run "mailtriage ingest" ingest
        n=$(sqlite3_count "$wd/var/mailtriage.db")
        keep_best ingest "$n"
    done
}

sqlite3_count() {
    "$python" - "$1" <<'EOF'
import sqlite3, sys
db = sqlite3.connect("file:%s?mode=ro" % sys.argv[1], uri=True)
print(db.execute("SELECT count(*) FROM messages WHERE direction = 0").fetchone()[0])  # what came in, not what the outbox filed
EOF
}

run_notmuch() {
    local i n db=$work/notmuch-maildir cfg=$work/notmuch-config
    for ((i = 1; i <= runs; i++)); do
        copy_maildir "$corpus" "$db"
        cat >"$cfg" <<EOF
[database]
path=$db
[user]
name=Bench
primary_email=bench@example.org
[new]
tags=
ignore=
[maildir]
synchronize_flags=false
EOF
        NOTMUCH_CONFIG=$cfg timed notmuch notmuch new
        [ $RC = 0 ] || fail_run "notmuch new" notmuch
        n=$(NOTMUCH_CONFIG=$cfg notmuch count '*')
        keep_best notmuch "$n"
    done
}

# --- run -----------------------------------------------------------------------
echo "# mailtriage ingest benchmark: $count messages ($corpus_mb MB," \
    "seed 1), $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg)," \
    "GMime $(pkg-config --modversion gmime-3.0)"
[ $skip_notmuch = 1 ] || echo "# $(notmuch --version)"
[ $rss_check = 1 ] || { echo "running parse floor ..." >&2; run_floor; }
[ $skip_ingest = 1 ] || { echo "running mailtriage ingest ..." >&2; run_ingest; }
[ $skip_notmuch = 1 ] || { echo "running notmuch new ..." >&2; run_notmuch; }

row() {
    local tool=$1 label=$2
    [ -n "${best_wall[$tool]:-}" ] || return 0
    awk -v l="$label" -v n="${best_msgs[$tool]}" -v s="${best_wall[$tool]}" \
        -v c="${best_cpu[$tool]}" -v r="${best_rss[$tool]}" 'BEGIN {
        printf "%-18s %9d %9.2f %9.0f %9.2f %9.1f\n",
            l, n, s, (s > 0 ? n / s : 0), c, r / 1024 }'
}
echo
printf "%-18s %9s %9s %9s %9s %9s\n" tool messages seconds msgs/s cpu-s \
    "RSS-MB"
row floor "parse-floor"
row ingest "mailtriage ingest"
row notmuch "notmuch new"
echo

status=0
# verdict NAME VALUE OP TARGET: print one checked figure, note a miss.
verdict() {
    local name=$1 value=$2 op=$3 target=$4 ok
    ok=$(awk -v v="$value" -v t="$target" -v op="$op" 'BEGIN {
        print ((op == ">=" && v >= t) || (op == "<" && v < t) ||
               (op == "<=" && v <= t)) ? "PASS" : "FAIL" }')
    printf "%-40s %8s  (target %s %s)  %s\n" "$name" "$value" "$op" \
        "$target" "$ok"
    [ "$ok" = PASS ] || status=1
}
if [ -n "${best_wall[ingest]:-}" ]; then
    for tool in floor notmuch; do
        if [ -n "${best_msgs[$tool]:-}" ] &&
            [ "${best_msgs[$tool]}" != "${best_msgs[ingest]}" ]; then
            echo "warning: $tool counted ${best_msgs[$tool]} messages," \
                "ingest ${best_msgs[ingest]}; ratios use msgs/s" >&2
        fi
    done
    # Ratios of rates, so that a different message count cannot skew them.
    rate() { awk -v n="${best_msgs[$1]}" -v s="${best_wall[$1]}" \
        'BEGIN { print (s > 0 ? n / s : 0) }'; }
    if [ -n "${best_wall[notmuch]:-}" ]; then
        verdict "speedup over notmuch new (x)" \
            "$(awk -v a="$(rate ingest)" -v b="$(rate notmuch)" \
                'BEGIN { printf "%.2f", a / b }')" ">=" $TARGET_SPEEDUP
    fi
    if [ -n "${best_wall[floor]:-}" ]; then
        verdict "ingest time / parse-floor time (x)" \
            "$(awk -v a="$(rate floor)" -v b="$(rate ingest)" \
                'BEGIN { printf "%.2f", a / b }')" "<=" $TARGET_FLOOR_RATIO
    fi
    if [ $rss_check = 1 ] || [ "$count" -ge 100000 ]; then
        verdict "ingest peak RSS, $count messages (MB)" \
            "$(awk -v r="${best_rss[ingest]}" 'BEGIN { printf "%.1f", r / 1024 }')" \
            "<" $TARGET_RSS_MB
    fi
else
    echo "(no ingest run: no ratios)"
fi
exit $status
