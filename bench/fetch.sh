#!/bin/bash
# fetch.sh - time `mailtriage fetch` pulling a synthetic support mailbox
# from a local Dovecot over IMAP (STARTTLS, certificate checked) next to
# `mbsync` (isync) pulling the same folder into a Maildir, and check the
# ratio against the target in bench/README (mailtriage at least as fast
# as mbsync, which only copies while mailtriage also parses, threads
# and stores every message).  Prints a table; writes nothing in the
# tree.
#
#   bench/fetch.sh [--count N] [--builddir DIR] [--keep]
#
# The corpus comes from shared/bench/gen-corpus (seed 1), cached in
# $MT_BENCH_CACHE (default /tmp/mailtriage-bench) as corpus-N-seed1 as
# bench/ingest.sh does.  Its files are copied into the Maildir of a
# throw-away Dovecot (tests/lib/dovecot.sh), which indexes them and is
# read once before either tool runs, so both find a warm server.
# Needs dovecot-imapd, isync and openssl (Debian packages).
# Exit status: 0 target met, 1 missed, 2 cannot run.
set -euo pipefail
export LC_ALL=C

die() {
    echo "fetch.sh: $*" >&2
    exit 2
}

TARGET_RATIO=1.0 # mbsync seconds / mailtriage seconds

count=20000
builddir=./build
keep=0
while [ $# -gt 0 ]; do
    case $1 in
    --count) [ $# -ge 2 ] || die "--count needs a number"; count=$2; shift ;;
    --count=*) count=${1#*=} ;;
    --builddir) [ $# -ge 2 ] || die "--builddir needs a directory"
        builddir=$2; shift ;;
    --builddir=*) builddir=${1#*=} ;;
    --keep) keep=1 ;;
    -h|--help) sed -n '2,19p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown option $1 (see --help)" ;;
    esac
    shift
done
case $count in ''|*[!0-9]*|0) die "--count must be a positive number" ;; esac

here=$(cd "$(dirname "$0")" && pwd)
srcdir=$(dirname "$here")
builddir=$(cd "$builddir" && pwd) || die "no build directory $builddir"
binary=$builddir/mailtriage
[ -x "$binary" ] || die "no binary at $binary; build first"
command -v mbsync >/dev/null || die "mbsync not installed (apt-get install isync)"
[ -x /usr/sbin/dovecot ] || die "dovecot not installed (dovecot-imapd)"
gen=${MT_SHARED:-$srcdir/../shared}/bench/gen-corpus
if [ -x /usr/bin/python3 ]; then PYTHON=/usr/bin/python3; else PYTHON=python3; fi
export PYTHON

cache_root=${MT_BENCH_CACHE:-/tmp/mailtriage-bench}
corpus=$cache_root/corpus-$count-seed1
if [ ! -d "$corpus/cur" ]; then
    [ -f "$gen" ] || die "gen-corpus not found at $gen; set MT_SHARED"
    mkdir -p "$cache_root"
    echo "generating $count messages into $corpus ..." >&2
    "$PYTHON" "$gen" --count "$count" --seed 1 --out "$corpus.tmp" --quiet ||
        die "gen-corpus failed"
    mv "$corpus.tmp" "$corpus"
fi

# What tests/lib/dovecot.sh expects of tests/lib/test-lib.sh.
TMPDIR_TEST=$(mktemp -d "${TMPDIR:-/tmp}/mt-bench-fetch.XXXXXX")
export TMPDIR_TEST
_at_exit=()
at_exit() { _at_exit=("$1" "${_at_exit[@]}"); }
cleanup() {
    local c
    for c in "${_at_exit[@]}"; do eval "$c" >/dev/null 2>&1 || true; done
    if [ $keep = 1 ]; then echo "kept $TMPDIR_TEST" >&2; else rm -rf "$TMPDIR_TEST"; fi
}
trap cleanup EXIT
free_port() {
    "$PYTHON" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
# shellcheck source=../tests/lib/dovecot.sh
. "$srcdir/tests/lib/dovecot.sh"
dovecot_start >"$TMPDIR_TEST/dovecot-start.log" 2>&1 ||
    { cat "$TMPDIR_TEST/dovecot-start.log" >&2; die "dovecot did not start"; }

echo "filling the server's INBOX with $count messages ..." >&2
mkdir -p "$DOVECOT_MAILDIR/cur" "$DOVECOT_MAILDIR/new" "$DOVECOT_MAILDIR/tmp"
for sub in cur new; do
    [ -d "$corpus/$sub" ] || continue
    find "$corpus/$sub" -maxdepth 1 -type f -exec cp -t "$DOVECOT_MAILDIR/cur" {} +
done
if [ "$(id -u)" = 0 ]; then chown -R dovecot:dovecot "$DOVECOT_DIR/home"; fi
n=$(dovecot_doveadm mailbox status -u support messages INBOX | sed 's/.*=//')
[ "$n" = "$count" ] || die "the server holds $n messages, not $count"
# Read every message once: Dovecot's caches and the page cache are warm
# for whichever tool goes first.
dovecot_doveadm fetch -u support text mailbox INBOX all >/dev/null

# mbsync: the same STARTTLS connection, certificate checked (by name:
# it does not read IP addresses in a certificate), into a
# Maildir, with its default fsync.
mkdir -p "$TMPDIR_TEST/mbsync"
cat >"$TMPDIR_TEST/mbsyncrc" <<CONF
IMAPAccount bench
Host localhost
Port $DOVECOT_PORT
User support
PassCmd "cat $DOVECOT_PASSWORD_FILE"
SSLType STARTTLS
CertificateFile $DOVECOT_CA

IMAPStore remote
Account bench

MaildirStore local
Inbox $TMPDIR_TEST/mbsync/INBOX

Channel bench
Far :remote:
Near :local:
Patterns INBOX
Sync Pull
Create Near
SyncState *
CONF

mkdir -p "$TMPDIR_TEST/desk"
cat >"$TMPDIR_TEST/desk/mailtriage.conf" <<CONF
[general]
database = var/mailtriage.db
support_address = support@example.com

[source bench]
url = imap://127.0.0.1:$DOVECOT_PORT/INBOX
tls = starttls
ca_file = $DOVECOT_CA
user = support
password_file = $DOVECOT_PASSWORD_FILE
after = keep
CONF

# time_it LABEL CMD...: seconds (wall) into $secs.
time_it() {
    local t0 t1
    t0=$EPOCHREALTIME
    "$@"
    t1=$EPOCHREALTIME
    secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')
}

echo "mbsync ..." >&2
time_it mbsync -q -c "$TMPDIR_TEST/mbsyncrc" bench
mbsync_secs=$secs
mbsync_n=$(find "$TMPDIR_TEST/mbsync/INBOX" -type f \( -path '*/cur/*' -o -path '*/new/*' \) | wc -l)

echo "mailtriage fetch ..." >&2
time_it "$binary" -v -c "$TMPDIR_TEST/desk/mailtriage.conf" fetch \
    2>"$TMPDIR_TEST/fetch.err"
mt_secs=$secs
mt_n=$(sed -n 's/.*fetch: messages=\([0-9]*\).*/\1/p' "$TMPDIR_TEST/fetch.err")

printf '%-18s %9s %9s %9s\n' tool messages seconds msgs/s
printf '%-18s %9s %9s %9.0f\n' "mbsync (isync)" "$mbsync_n" "$mbsync_secs" \
    "$(awk -v n="$mbsync_n" -v s="$mbsync_secs" 'BEGIN { print n / s }')"
printf '%-18s %9s %9s %9.0f\n' "mailtriage fetch" "$mt_n" "$mt_secs" \
    "$(awk -v n="$mt_n" -v s="$mt_secs" 'BEGIN { print n / s }')"
ratio=$(awk -v a="$mbsync_secs" -v b="$mt_secs" 'BEGIN { printf "%.2f", a / b }')
echo "ratio (mbsync seconds / mailtriage seconds): $ratio (target >= $TARGET_RATIO)"
[ "$mt_n" = "$count" ] || { echo "mailtriage took $mt_n of $count messages" >&2; exit 1; }
[ "$mbsync_n" = "$count" ] || { echo "mbsync copied $mbsync_n of $count messages" >&2; exit 1; }
awk -v r="$ratio" -v t="$TARGET_RATIO" 'BEGIN { exit !(r >= t) }'
