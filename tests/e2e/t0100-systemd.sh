#!/bin/bash
# t0100-systemd: the units `make install` puts in place pass
# `systemd-analyze verify` without a single warning (a misspelt
# hardening key is only a warning there, and would silently do
# nothing), the service's sandbox scores as systemd's "OK" exposure,
# and the timer fires every five minutes and catches up after downtime.
. "$(dirname "$0")/../lib/test-lib.sh"
need_binary

if ! command -v systemd-analyze >/dev/null 2>&1; then
    test_skip_all "systemd-analyze not installed (Debian: systemd)"
fi

unit="$MT_BUILDDIR/systemd/mailtriage.service"
timer="$MT_SRCDIR/systemd/mailtriage.timer"

test_expect_success 'the service names the configured binary' '
    test -f "$unit" &&
    ! grep -n "@[a-z]*@" "$unit" &&
    grep -q "^ExecStart=/.*/mailtriage -c /etc/mailtriage/mailtriage.conf run$" "$unit"
'

# verify wants ExecStart to exist: point it at the binary under test.
test_expect_success 'systemd-analyze verify: no errors, no warnings' '
    mkdir -p units &&
    sed "s|^ExecStart=[^ ]*|ExecStart=$MT_BIN|" "$unit" >units/mailtriage.service &&
    cp "$timer" units/ &&
    systemd-analyze verify units/mailtriage.service units/mailtriage.timer \
        >out 2>err &&
    cat out err &&
    test ! -s err
'

test_expect_success 'a misspelt key is caught (the check can fail)' '
    mkdir -p bad &&
    sed "s/^ProtectSystem=/ProtectSystm=/" units/mailtriage.service \
        >bad/mailtriage.service &&
    systemd-analyze verify bad/mailtriage.service >out 2>err || true &&
    grep -q ProtectSystm err
'

test_expect_success 'the sandbox: exposure at most 2.0 (systemd-analyze security)' '
    systemd-analyze security --offline=true units/mailtriage.service \
        >sec 2>&1 || true &&
    cat sec &&
    score=$(sed -n "s/.*Overall exposure level for mailtriage.service: \([0-9.]*\).*/\1/p" sec) &&
    test -n "$score" &&
    awk -v s="$score" "BEGIN { exit !(s <= 2.0) }"
'

test_expect_success 'the weekly report units: verified, timer not enabled by default' '
    report="$MT_BUILDDIR/systemd/mailtriage-report.service" &&
    ! grep -n "@[a-z]*@" "$report" &&
    mkdir -p units &&
    sed "s|^ExecStart=[^ ]*|ExecStart=$MT_BIN|" "$report" \
        >units/mailtriage-report.service &&
    cp "$MT_SRCDIR/systemd/mailtriage-report.timer" units/ &&
    systemd-analyze verify units/mailtriage-report.service \
        units/mailtriage-report.timer >out 2>err &&
    cat out err &&
    test ! -s err &&
    grep -qx "Persistent=true" units/mailtriage-report.timer
'

test_expect_success 'the timer: every 5 minutes, persistent' '
    grep -qx "OnCalendar=\*:0/5" "$timer" &&
    grep -qx "Persistent=true" "$timer" &&
    systemd-analyze calendar --iterations=3 "*:0/5" >cal &&
    grep -q "Iter. #3" cal
'

test_done
