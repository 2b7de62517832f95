#!/bin/bash
# t0000-cli: the command line contract of DESIGN 9 -- help, version,
# exit codes (sysexits.h), the default store location, config errors.
[ -n "$BASH_VERSION" ] || exec bash "$0" "$@"
. "$(dirname "$0")/../lib/test-lib.sh"
need_binary

test_expect_success '--help exits 0 and lists the commands' '
    mt --help >out &&
    for c in run ingest ticket message version; do
        grep -E "^ +$c( |$)" out || { echo "missing $c"; cat out; exit 1; }
    done
'

test_expect_success 'help (the command) prints the same' '
    mt --help >expect &&
    mt help >actual &&
    test_cmp expect actual
'

test_expect_success 'no command is a usage error (64)' '
    expect_exit 64 mt &&
    grep -i usage err
'

test_expect_success 'unknown command exits 64 and names it' '
    expect_exit 64 mt frobnicate &&
    grep frobnicate err
'

test_expect_success 'unknown option exits 64' '
    expect_exit 64 mt --no-such-option version
'

test_expect_success 'version prints the version' '
    mt version >out &&
    grep -E "^mailtriage [0-9]+\.[0-9]+(\.[0-9]+)?" out
'

test_expect_success '--version prints the same' '
    mt version >expect &&
    mt --version >actual &&
    test_cmp expect actual
'

test_expect_success 'every command has --help (exit 0, no store made)' '
    mkdir h && cd h &&
    for c in run ingest ticket message; do
        mt $c --help >out || { echo "$c --help failed"; exit 1; }
        test -s out || { echo "$c --help printed nothing"; exit 1; }
    done &&
    test ! -e var
'

test_expect_success 'ticket list with no store says so and creates none' '
    mkdir fresh && cd fresh &&
    expect_exit 74 mt ticket list --json &&
    grep "no store at .var/mailtriage.db" err &&
    test ! -e var/mailtriage.db
'

test_expect_success 'ticket list --json after an empty ingest prints []' '
    mkdir empty-desk && cd empty-desk &&
    mkdir -p mail/new mail/cur mail/tmp &&
    mt ingest mail &&
    mt ticket list --json >out &&
    test "$(json_get "j" <out)" = "[]"
'

# An empty store to run read-only commands on.
empty_desk()
{
    mkdir -p mail/new mail/cur mail/tmp && mt "$@" ingest mail
}

test_expect_success 'ticket show of a missing ticket exits 65' '
    mkdir missing && cd missing && empty_desk &&
    expect_exit 65 mt ticket show 999 &&
    grep 999 err
'

test_expect_success 'ticket show with a non-number is a usage error' '
    mkdir nonum && cd nonum && empty_desk &&
    expect_exit 64 mt ticket show abc
'

test_expect_success 'message raw of a missing message exits 65' '
    mkdir nomsg && cd nomsg && empty_desk &&
    expect_exit 65 mt message raw 4242
'

test_expect_success 'ingest without a path is a usage error' '
    mkdir noarg && cd noarg &&
    expect_exit 64 mt ingest
'

test_expect_success 'a config syntax error exits 78 and names the file' '
    mkdir badconf && cd badconf &&
    printf "[general\ndatabase = x.db\n" >mailtriage.conf &&
    expect_exit 78 mt ticket list &&
    grep mailtriage.conf err
'

test_expect_success 'a bad -c file exits 78 and names it' '
    mkdir badconf2 && cd badconf2 &&
    printf "this is not an ini file\n" >my.conf &&
    expect_exit 78 mt -c my.conf ticket list &&
    grep my.conf err
'

test_expect_success 'a missing -c file is a configuration error' '
    mkdir noconf && cd noconf &&
    expect_exit 78 mt -c does-not-exist.conf ticket list &&
    grep does-not-exist.conf err
'

test_expect_success 'an unknown key is reported with group and key' '
    mkdir unknownkey && cd unknownkey &&
    printf "[general]\nsupport_adress = support@example.com\n" \
        >mailtriage.conf &&
    expect_exit 78 mt ticket list &&
    grep support_adress err
'

test_expect_success 'paths in the config are relative to the file' '
    mkdir -p rel/etc && cd rel &&
    printf "[general]\ndatabase = ../var/store.db\n" >etc/mt.conf &&
    empty_desk -c etc/mt.conf &&
    mt -c etc/mt.conf ticket list --json >out &&
    test -f var/store.db
'

test_expect_success 'a default path stays relative to the working directory' '
    mkdir -p defrel/etc && cd defrel &&
    printf "[general]\nticket_start = 5000\n" >etc/mt.conf &&
    empty_desk -c etc/mt.conf &&
    test -f var/mailtriage.db &&
    test ! -e etc/var
'

test_expect_success '--now with garbage exits 64' '
    mkdir now && cd now &&
    expect_exit 64 mt --now "next tuesday-ish" ticket list &&
    grep -i now err
'

test_expect_success '--now with an ISO time is accepted' '
    mkdir now2 && cd now2 && empty_desk &&
    mt --now 2026-03-10T08:00:00Z ticket list --json >out &&
    test "$(json_get "j" <out)" = "[]"
'

test_expect_success 'stdout to a full disk is an error, not success' '
    test -w /dev/full || exit 0
    mkdir full && cd full && empty_desk &&
    mt ticket list --json >/dev/null &&
    rc=0 &&
    mt ticket list --json >/dev/full 2>err || rc=$? &&
    cat err &&
    test "$rc" -eq 74
'

test_done
