#!/bin/bash
# test-lib.sh - the TAP library every tests/e2e/tNNNN-*.sh sources.
#
# It gives each script a private temp directory (also its $HOME and its
# working directory, so no ./mailtriage.conf or ~/.something from the
# developer's machine leaks in), runs test bodies with set -e in a
# subshell, prints TAP for automake's tap-driver, and turns a missing
# prerequisite into a skip -- or into a failure when MT_REQUIRE_ALL=1
# (CI), so that a broken runner cannot pass by skipping everything.
#
# Environment:
#   MT_BUILDDIR     top of the build tree (holds ./mailtriage); default:
#                   two levels above the test script
#   MT_SRCDIR       top of the source tree (tests/, sample/); default:
#                   the same
#   MT_KEEP=1       keep the temp directory and say where it is
#   MT_REQUIRE_ALL=1  a skip is a failure ("Bail out!")
#   MT_VERBOSE=1    echo test output as it runs
#
# Servers (DESIGN 10) are started by helpers in files of their own
# beside this one (e.g. tests/lib/dovecot.sh, tests/lib/smtp.sh), which
# a script sources after this file; each registers its stop with
# at_exit.

_mt_script_dir=$(cd "$(dirname "$0")" && pwd)
: "${MT_BUILDDIR:=$(cd "$_mt_script_dir/../.." && pwd)}"
: "${MT_SRCDIR:=$(cd "$_mt_script_dir/../.." && pwd)}"
MT_BUILDDIR=$(cd "$MT_BUILDDIR" && pwd)
MT_SRCDIR=$(cd "$MT_SRCDIR" && pwd)
export MT_BUILDDIR MT_SRCDIR

# Debian's python3 (has python3-yaml); the first python3 on PATH may be
# another build.
if [ -x /usr/bin/python3 ]; then
    PYTHON=/usr/bin/python3
else
    PYTHON=python3
fi
export PYTHON

MT_BIN="$MT_BUILDDIR/mailtriage"
export MT_BIN

test_count=0
test_failed=0
_mt_skipping=

TEST_NAME=$(basename "$0" .sh)
TMPDIR_TEST=$(mktemp -d "${TMPDIR:-/tmp}/mt-$TEST_NAME.XXXXXX") || {
    echo "Bail out! cannot create a temp directory"
    exit 1
}
export TMPDIR_TEST

# at_exit COMMAND: run COMMAND when the script ends, however it ends,
# newest first (a server helper registers its own stop here).
_mt_at_exit=()
at_exit()
{
    _mt_at_exit=("$1" "${_mt_at_exit[@]}")
}

_mt_cleanup()
{
    local cmd
    for cmd in "${_mt_at_exit[@]}"; do
        eval "$cmd" >/dev/null 2>&1 || true
    done
    if [ "${MT_KEEP:-0}" = 1 ]; then
        echo "# kept $TMPDIR_TEST"
    else
        rm -rf "$TMPDIR_TEST"
    fi
}
trap _mt_cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

HOME="$TMPDIR_TEST"
export HOME
XDG_CONFIG_HOME="$TMPDIR_TEST/.config"
export XDG_CONFIG_HOME
# Stable output: no locale-dependent messages, UTC times.
LC_ALL=C.UTF-8
TZ=UTC
export LC_ALL TZ
unset MAILTRIAGE_CONFIG
cd "$TMPDIR_TEST" || exit 1

# say MESSAGE: a TAP diagnostic line.
say()
{
    printf '# %s\n' "$*"
}

# test_skip_all REASON: skip the whole script.  Only before the first
# test; under MT_REQUIRE_ALL=1 it fails instead.
test_skip_all()
{
    if [ "${MT_REQUIRE_ALL:-0}" = 1 ]; then
        printf 'Bail out! %s\n' "$*"
        exit 1
    fi
    if [ "$test_count" -gt 0 ]; then
        # Tests already ran: skip the rest, keep the plan honest.
        say "skipping the rest: $*"
        test_done
    fi
    printf '1..0 # SKIP %s\n' "$*"
    exit 0
}

# test_expect_success DESCRIPTION 'COMMANDS': run COMMANDS in a
# subshell with set -e; "ok" when it exits 0.  Output goes to
# $TMPDIR_TEST/.out and is shown as "# " lines on failure.
test_expect_success()
{
    if [ $# -ne 2 ]; then
        echo "Bail out! test_expect_success needs 2 arguments, got $#"
        exit 1
    fi
    test_count=$((test_count + 1))
    local out="$TMPDIR_TEST/.out.$test_count"
    (
        set -e
        eval "$2"
    ) >"$out" 2>&1 </dev/null
    local rc=$?
    if [ "${MT_VERBOSE:-0}" = 1 ]; then
        sed 's/^/# /' "$out"
    fi
    if [ $rc -eq 0 ]; then
        printf 'ok %d - %s\n' "$test_count" "$1"
    else
        test_failed=$((test_failed + 1))
        printf 'not ok %d - %s\n' "$test_count" "$1"
        printf '#   exit status %d\n' "$rc"
        sed -e 's/^/#   /' "$out" | head -n 60
    fi
    rm -f "$out"
}

# test_expect_todo DESCRIPTION 'COMMANDS': a known gap; reported as
# "# TODO" so that it neither fails the run nor goes unseen.
test_expect_todo()
{
    test_count=$((test_count + 1))
    local out="$TMPDIR_TEST/.out.$test_count"
    (
        set -e
        eval "$2"
    ) >"$out" 2>&1 </dev/null
    if [ $? -eq 0 ]; then
        printf 'ok %d - %s # TODO passes now: make it a test\n' \
            "$test_count" "$1"
    else
        printf 'not ok %d - %s # TODO\n' "$test_count" "$1"
        sed -e 's/^/#   /' "$out" | head -n 20
    fi
    rm -f "$out"
}

# test_skip DESCRIPTION REASON: one skipped test (or a failure under
# MT_REQUIRE_ALL=1).
test_skip()
{
    test_count=$((test_count + 1))
    if [ "${MT_REQUIRE_ALL:-0}" = 1 ]; then
        test_failed=$((test_failed + 1))
        printf 'not ok %d - %s # skipped in CI: %s\n' "$test_count" "$1" "$2"
    else
        printf 'ok %d - %s # SKIP %s\n' "$test_count" "$1" "$2"
    fi
}

# test_done: the plan, and the exit status.
test_done()
{
    printf '1..%d\n' "$test_count"
    if [ "$test_failed" -gt 0 ]; then
        say "failed $test_failed of $test_count"
        exit 1
    fi
    exit 0
}

# --- helpers --------------------------------------------------------

# mt ARGS...: the binary under test.
mt()
{
    "$MT_BIN" "$@"
}

# need_binary: skip everything when the binary was not built.
need_binary()
{
    if [ ! -x "$MT_BIN" ]; then
        test_skip_all "no binary at $MT_BIN"
    fi
}

# need_shared: SHARED=$MT_SRCDIR/../shared (the team's corpus and
# cases, absent in a user's clone), or skip the script.
need_shared()
{
    SHARED="$MT_SRCDIR/../shared"
    if [ ! -d "$SHARED" ]; then
        test_skip_all "../shared not present (user clone)"
    fi
    SHARED=$(cd "$SHARED" && pwd)
    export SHARED
}

# expect_exit CODE CMD ARGS...: run CMD, fail unless it exits CODE.
# Its stdout and stderr are left in ./out and ./err.
expect_exit()
{
    local want=$1 rc=0
    shift
    "$@" >out 2>err || rc=$?
    if [ "$rc" -ne "$want" ]; then
        echo "expected exit $want, got $rc from: $*"
        echo "--- stdout"; head -n 20 out
        echo "--- stderr"; head -n 20 err
        return 1
    fi
    return 0
}

# json_get EXPR: evaluate a Python expression over the JSON document on
# stdin (bound to j) and print the result: strings as they are, other
# values as JSON.  E.g.  mt ticket list --json | json_get 'len(j)'
json_get()
{
    "$PYTHON" -c '
import json, sys
j = json.load(sys.stdin)
v = eval(sys.argv[1], {"json": json}, {"j": j})
if isinstance(v, str):
    print(v)
else:
    print(json.dumps(v, ensure_ascii=False, sort_keys=True))
' "$1"
}

# free_port: a TCP port on 127.0.0.1 that was free a moment ago.
free_port()
{
    "$PYTHON" -c '
import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
s.close()
'
}

# test_cmp EXPECTED ACTUAL: compare two files, show a diff when not
# equal.
test_cmp()
{
    if ! cmp -s "$1" "$2"; then
        echo "files differ: $1 $2"
        diff -u "$1" "$2" | head -n 40 || true
        return 1
    fi
}

# store_dump [GLOBAL OPTIONS]: one line per incoming message in the
# store of the current directory, sorted by id:
#   ID TICKET KIND SHA256-OF-RAW NPROBLEMS
# from `ticket list --json`, `ticket show --json` and `message raw`.
store_dump()
{
    "$PYTHON" - "$@" <<'PYEOF'
import hashlib, json, os, subprocess, sys
mt = [os.environ["MT_BIN"]] + sys.argv[1:]
def run(args):
    p = subprocess.run(mt + args, capture_output=True)
    if p.returncode != 0:
        sys.exit("mailtriage %s: exit %d: %s" % (" ".join(args), p.returncode,
                 p.stderr.decode("utf-8", "replace")))
    return p.stdout
rows = []
for t in json.loads(run(["ticket", "list", "--json"])):
    show = json.loads(run(["ticket", "show", str(t["id"]), "--json"]))
    for m in show.get("messages") or []:
        if m.get("direction") == "out":
            continue
        raw = run(["message", "raw", str(m["id"])])
        probs = m.get("problems") or []
        if isinstance(probs, str):
            probs = [p for p in probs.split("\n") if p]
        rows.append((m["id"], t["id"], m.get("kind"),
                     hashlib.sha256(raw).hexdigest(), len(probs)))
for r in sorted(rows):
    print("%s %s %s %s %s" % r)
PYEOF
}

# sample_desk DIR: a fresh desk in DIR over a copy of the sample
# Maildir (DIR/mail, taken with after = seen), two agents, and five
# messages per transaction: the 31 sample mails make seven batches.
sample_desk()
{
    rm -rf "$1" && mkdir -p "$1" &&
        cp -r "$MT_SRCDIR/sample/maildir" "$1/mail" &&
        chmod -R u+w "$1/mail" &&
        cat >"$1/mailtriage.conf" <<CONF
[general]
database = var/mailtriage.db
support_address = support@example.com
batch_size = 5

[source support]
url = maildir:mail
after = seen

[agent alice]
email = alice@example.com

[agent bob]
email = bob@example.com
CONF
}

# file_shas DIR...: the sha256 of every file under DIR (dot files
# excluded), sorted and unique.
file_shas()
{
    find "$@" -type f ! -name '.*' -exec sha256sum {} + |
        cut -d' ' -f1 | sort -u
}
