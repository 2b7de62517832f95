#!/bin/bash
# t4010-sla: the response clock and the reminder pass in simulated time
# (DESIGN 8): three-day timelines with a run every 15 minutes and with
# irregular gaps (a day missed), 24/7 and with business hours; each
# warning and breach exactly once, at the right run; pause credited; an
# agent's answer stops the clock; the priority goes up one step.
#
# All times come from --now; nothing sleeps.  Queued mail is read from
# the "queued" events that outbox_queue() records on the ticket.
. "$(dirname "$0")/../lib/test-lib.sh"
need_binary

# desk DIR [EXTRA SLA LINES...]: a config in DIR.
desk()
{
    local d=$1
    shift
    rm -rf "$d" && mkdir -p "$d"
    {
        cat <<CONF
[general]
database = var/mt.db
support_address = support@example.com
timezone = Europe/Berlin

[agent alice]
email = alice@example.com
teams = billing

[agent bob]
email = bob@example.com
teams = billing

[team billing]
escalate_to = billing-lead@example.com

[sla]
escalate_to = lead@example.com
CONF
        printf '%s\n' "$@"
    } >"$d/mailtriage.conf"
}

# mail FROM TO SUBJECT [MESSAGE-ID]: a message on stdout.
mail()
{
    printf 'From: %s\nTo: %s\nSubject: %s\nMessage-ID: <%s>\nDate: Mon, 1 Jan 2024 00:00:00 +0000\n\nHello,\nsome text.\n' \
        "$1" "$2" "$3" "${4:-$RANDOM.$RANDOM@example.org}"
}

# at TIME ARGS...: mailtriage at a moment.
at() {
    local t=$1
    shift
    mt --now "$t" "$@"
}

# open_ticket TIME CUSTOMER SUBJECT: a customer's new mail at TIME.
open_ticket()
{
    mail "$2" support@example.com "$3" | at "$1" ingest - >/dev/null
}

# history ID: the escalation history of a ticket (not the other mail
# queued, such as an assigned agent's notification), one line an event:
#   AT KIND DETAIL
history()
{
    mt ticket show "$1" --json | "$PYTHON" -c '
import json, sys
for e in json.load(sys.stdin)["events"]:
    if e["kind"] == "escalated" or (e["kind"] == "queued" and
                                    e["detail"].startswith("escalation-")):
        print(e["at"], e["kind"], e["detail"].split(": deadline")[0]
              if e["kind"] == "escalated" else e["detail"])'
}

field() {
    mt ticket show "$1" --json | json_get "j[\"$2\"]"
}

# runs FROM TO STEP [HOOK]: `remind` at every STEP seconds from FROM to
# TO (Unix seconds); HOOK T runs before each.
runs()
{
    local t=$1
    while [ "$t" -le "$2" ]; do
        if [ -n "${4:-}" ]; then "$4" "$t"; fi
        at "@$t" remind
        t=$((t + $3))
    done
}

ts() { date -u -d "$1" +%s; }

# --- 24/7, a run every 15 minutes for three days -------------------
#
# 1001 opened Mon 08:00Z: warning Tue 04:00, breach Tue 08:00.
# 1002 opened Mon 08:07Z: warning Tue 04:07 -> run 04:15, breach 08:15.
# 1003 opened Mon 09:00Z, assigned to alice, answered by her at 12:00
#      (reply-all to the customer): the clock stops, nothing fires.
# 1004 opened Mon 10:00Z, team billing; pending at 11:00 (the clock had
#      run 1 h), customer reply Tue 11:00 (24 h paused): due Wed 10:00,
#      warning Wed 06:00, both to the team.
# 1005 opened Mon 10:00Z, assigned to alice: warning to alice only.
hook15()
{
    case "$1" in
    "$(ts '2026-03-09 12:00Z')")
        mail 'Alice <alice@example.com>' 'carol@example.org, support@example.com' \
            'Re: [#1003] printer' | at "@$1" ingest - >/dev/null ;;
    "$(ts '2026-03-09 11:00Z')")
        at "@$1" ticket set 1004 status=pending ;;
    "$(ts '2026-03-10 11:00Z')")
        mail 'Dan <dan@example.org>' support@example.com 'Re: [#1004] invoice' |
            at "@$1" ingest - >/dev/null ;;
    esac
}

test_expect_success '24/7: three days, a run every 15 minutes' '
    desk "$TMPDIR_TEST/q" &&
    cd "$TMPDIR_TEST/q" &&
    open_ticket 2026-03-09T08:00:00Z ann@example.org "Broken widget" &&
    open_ticket 2026-03-09T08:07:00Z ben@example.org "Late parcel" &&
    open_ticket 2026-03-09T09:00:00Z carol@example.org "Printer" &&
    at 2026-03-09T09:00:00Z ticket set 1003 assignee=alice &&
    open_ticket 2026-03-09T10:00:00Z dan@example.org "Invoice" &&
    at 2026-03-09T10:00:00Z ticket set 1004 team=billing &&
    open_ticket 2026-03-09T10:00:00Z eve@example.org "Login" &&
    at 2026-03-09T10:00:00Z ticket set 1005 assignee=alice &&
    runs "$(ts "2026-03-09 08:00Z")" "$(ts "2026-03-11 23:45Z")" 900 hook15 &&
    history 1001 >h1 &&
    cat >w1 <<-EOF &&
	2026-03-10T04:00:00Z queued escalation-warning to lead@example.com
	2026-03-10T04:00:00Z escalated approaching
	2026-03-10T08:00:00Z queued escalation-breach to lead@example.com
	2026-03-10T08:00:00Z escalated breached
	EOF
    test_cmp w1 h1 &&
    history 1002 >h2 &&
    cat >w2 <<-EOF &&
	2026-03-10T04:15:00Z queued escalation-warning to lead@example.com
	2026-03-10T04:15:00Z escalated approaching
	2026-03-10T08:15:00Z queued escalation-breach to lead@example.com
	2026-03-10T08:15:00Z escalated breached
	EOF
    test_cmp w2 h2 &&
    test -z "$(history 1003)" &&
    test "$(field 1003 first_response_at)" = 2026-03-09T12:00:00Z &&
    test "$(field 1003 due_at)" = null &&
    history 1004 >h4 &&
    cat >w4 <<-EOF &&
	2026-03-11T06:00:00Z queued escalation-warning to alice@example.com
	2026-03-11T06:00:00Z queued escalation-warning to bob@example.com
	2026-03-11T06:00:00Z escalated approaching
	2026-03-11T10:00:00Z queued escalation-breach to billing-lead@example.com
	2026-03-11T10:00:00Z escalated breached
	EOF
    test_cmp w4 h4 &&
    history 1005 >h5 &&
    cat >w5 <<-EOF &&
	2026-03-10T06:00:00Z queued escalation-warning to alice@example.com
	2026-03-10T06:00:00Z escalated approaching
	2026-03-10T10:00:00Z queued escalation-breach to lead@example.com
	2026-03-10T10:00:00Z escalated breached
	EOF
    test_cmp w5 h5
'

test_expect_success 'the warning raises the priority one step, the breach marks the ticket' '
    cd "$TMPDIR_TEST/q" &&
    test "$(field 1001 priority)" = high &&
    test "$(field 1001 escalation_level)" = 2 &&
    test "$(field 1001 breached_at)" = 2026-03-10T08:00:00Z &&
    test "$(field 1004 paused_at)" = null &&
    test "$(field 1003 priority)" = normal &&
    test "$(field 1003 escalation_level)" = 0 &&
    at 2026-03-12T00:00:00Z ticket set 1002 priority=urgent &&
    at 2026-03-12T01:00:00Z remind &&
    test "$(field 1002 priority)" = urgent &&
    test "$(history 1002 | wc -l)" -eq 4
'

# clocks ID: the ended response clocks of a ticket, one line each.
clocks()
{
    mt ticket show "$1" --json | "$PYTHON" -c '
import json, sys
for c in json.load(sys.stdin)["clocks"]:
    print(c["kind"], c["started_at"], c["due_at"], c["ended_at"],
          c["ended_by"], c["met"], c["paused_seconds"], c["escalation_level"])'
}

test_expect_success 'ticket show lists each ended response clock' '
    cd "$TMPDIR_TEST/q" &&
    clocks 1003 >c3 &&
    echo "first 2026-03-09T09:00:00Z 2026-03-10T09:00:00Z 2026-03-09T12:00:00Z answered True 0 0" >e3 &&
    test_cmp e3 c3 &&
    test -z "$(clocks 1004)" &&
    at 2026-03-12T02:00:00Z ticket set 1001 status=resolved &&
    clocks 1001 >c1 &&
    echo "first 2026-03-09T08:00:00Z 2026-03-10T08:00:00Z 2026-03-12T02:00:00Z done False 0 2" >e1 &&
    test_cmp e1 c1 &&
    mt ticket show 1003 >show3 &&
    grep -q "^first started 2026-03-09T09:00:00Z  due 2026-03-10T09:00:00Z  answered 2026-03-09T12:00:00Z  in time$" show3 &&
    mt ticket show 1001 | grep -q "^first started .*  done 2026-03-12T02:00:00Z  breached$"
'

# --- 24/7, irregular runs, a day missed -----------------------------
#
# 1001 opened Mon 08:00Z: the run at Tue 05:14 is the first after the
#      warning (04:00); the breach (Tue 08:00) waits for Wed 00:30.
# 1002 opened Mon 13:00Z: warning Tue 09:00 and breach Tue 13:00 both
#      fall into the missed day: Wed 00:30 breaches it without a stale
#      warning, and raises the priority once.
test_expect_success '24/7: irregular runs and a missed day' '
    desk "$TMPDIR_TEST/irr" &&
    cd "$TMPDIR_TEST/irr" &&
    open_ticket 2026-03-09T08:00:00Z ann@example.org "Broken widget" &&
    open_ticket 2026-03-09T13:00:00Z ben@example.org "Late parcel" &&
    for t in 2026-03-09T08:00:00Z 2026-03-09T09:13:00Z 2026-03-09T13:00:00Z \
             2026-03-09T23:59:00Z 2026-03-10T03:59:59Z 2026-03-10T05:14:00Z \
             2026-03-11T00:30:00Z 2026-03-11T00:31:00Z 2026-03-12T12:00:00Z; do
        at "$t" remind || exit 1
    done &&
    history 1001 >h1 &&
    cat >w1 <<-EOF &&
	2026-03-10T05:14:00Z queued escalation-warning to lead@example.com
	2026-03-10T05:14:00Z escalated approaching
	2026-03-11T00:30:00Z queued escalation-breach to lead@example.com
	2026-03-11T00:30:00Z escalated breached
	EOF
    test_cmp w1 h1 &&
    history 1002 >h2 &&
    cat >w2 <<-EOF &&
	2026-03-11T00:30:00Z queued escalation-breach to lead@example.com
	2026-03-11T00:30:00Z escalated breached
	EOF
    test_cmp w2 h2 &&
    test "$(field 1002 priority)" = high &&
    test "$(field 1002 escalation_level)" = 2
'

# --- business hours, Europe/Berlin (UTC+1 in March) ------------------
#
# [sla] first_response = 8h, Mon-Fri 09:00-17:00 local.
# 1001 opened Mon 15:00 local (14:00Z): 2 h Monday, 6 h Tuesday: due
#      Tue 15:00 local (14:00Z), warning 4 business hours before, Tue
#      11:00 local (10:00Z).
# 1002 opened Mon 20:00 local (19:00Z), after hours: the clock starts
#      Tue 09:00, due Tue 17:00 (16:00Z), warning Tue 13:00 (12:00Z).
# 1003 opened Fri 2026-03-13 16:00 local: 1 h Friday, 7 h Monday 16th:
#      due Mon 16:00 local (15:00Z), warning Mon 12:00 (11:00Z); nothing
#      fires over the weekend.
test_expect_success 'business hours: three days, a run every 15 minutes' '
    desk "$TMPDIR_TEST/bh" "first_response = 8h" \
        "business_hours = Mon-Fri 09:00-17:00" &&
    cd "$TMPDIR_TEST/bh" &&
    open_ticket 2026-03-09T14:00:00Z ann@example.org "Broken widget" &&
    open_ticket 2026-03-09T19:00:00Z ben@example.org "Late parcel" &&
    runs "$(ts "2026-03-09 14:00Z")" "$(ts "2026-03-11 23:45Z")" 900 &&
    history 1001 >h1 &&
    cat >w1 <<-EOF &&
	2026-03-10T10:00:00Z queued escalation-warning to lead@example.com
	2026-03-10T10:00:00Z escalated approaching
	2026-03-10T14:00:00Z queued escalation-breach to lead@example.com
	2026-03-10T14:00:00Z escalated breached
	EOF
    test_cmp w1 h1 &&
    history 1002 >h2 &&
    cat >w2 <<-EOF &&
	2026-03-10T12:00:00Z queued escalation-warning to lead@example.com
	2026-03-10T12:00:00Z escalated approaching
	2026-03-10T16:00:00Z queued escalation-breach to lead@example.com
	2026-03-10T16:00:00Z escalated breached
	EOF
    test_cmp w2 h2 &&
    open_ticket 2026-03-13T15:00:00Z carol@example.org "Weekend" &&
    runs "$(ts "2026-03-13 15:00Z")" "$(ts "2026-03-16 23:45Z")" 900 &&
    history 1003 >h3 &&
    cat >w3 <<-EOF &&
	2026-03-16T11:00:00Z queued escalation-warning to lead@example.com
	2026-03-16T11:00:00Z escalated approaching
	2026-03-16T15:00:00Z queued escalation-breach to lead@example.com
	2026-03-16T15:00:00Z escalated breached
	EOF
    test_cmp w3 h3
'

# A run at 03:00 local finds the ticket past both levels but sends
# nothing at night; the first run in business hours breaches it once.
test_expect_success 'business hours: irregular runs; no escalation mail at 3 a.m.' '
    desk "$TMPDIR_TEST/bhi" "first_response = 8h" \
        "business_hours = Mon-Fri 09:00-17:00" "holidays = 2026-03-11" &&
    cd "$TMPDIR_TEST/bhi" &&
    open_ticket 2026-03-09T14:00:00Z ann@example.org "Broken widget" &&
    at 2026-03-09T14:00:00Z remind &&
    at 2026-03-10T02:00:00Z remind 2>err &&
    test -z "$(history 1001)" &&
    at 2026-03-11T02:00:00Z remind &&
    at 2026-03-11T09:00:00Z remind &&
    test -z "$(history 1001)" &&
    at 2026-03-12T07:59:00Z remind &&
    test -z "$(history 1001)" &&
    at 2026-03-12T08:00:00Z remind &&
    at 2026-03-12T08:15:00Z remind &&
    history 1001 >h1 &&
    cat >w1 <<-EOF &&
	2026-03-12T08:00:00Z queued escalation-breach to lead@example.com
	2026-03-12T08:00:00Z escalated breached
	EOF
    test_cmp w1 h1 &&
    mt -v --now 2026-03-10T02:00:00Z remind 2>err &&
    grep -q "deferred" err
'

test_expect_success 'per channel, mailbox and priority promises' '
    desk "$TMPDIR_TEST/ch" "urgent = 4h" &&
    cd "$TMPDIR_TEST/ch" &&
    mkdir -p phone/new phone/cur phone/tmp vip/new vip/cur vip/tmp &&
    cat >>mailtriage.conf <<-EOF &&
	[source phone]
	url = maildir:phone
	channel = phone

	[source vip]
	url = maildir:vip
	sla = 2h
	EOF
    mail ann@example.org support@example.com "Voicemail" >phone/new/1.eml &&
    mail ben@example.org support@example.com "VIP" >vip/new/1.eml &&
    at 2026-03-09T08:00:00Z run &&
    test "$(field 1001 due_at)" = 2026-03-09T08:05:00Z &&
    test "$(field 1002 due_at)" = 2026-03-09T10:00:00Z &&
    open_ticket 2026-03-09T08:00:00Z carol@example.org "Urgent" &&
    at 2026-03-09T08:00:00Z ticket set 1003 priority=urgent &&
    test "$(field 1003 due_at)" = 2026-03-09T12:00:00Z
'

# With [sla] high = 8h, the warning's raise to high must not re-measure
# the running 24-hour deadline (which would then be long past).
test_expect_success 'the raise at the warning keeps the running deadline' '
    desk "$TMPDIR_TEST/raise" "high = 8h" &&
    cd "$TMPDIR_TEST/raise" &&
    open_ticket 2026-03-09T08:00:00Z ann@example.org "Broken widget" &&
    at 2026-03-10T04:00:00Z remind &&
    at 2026-03-10T04:15:00Z remind &&
    test "$(field 1001 priority)" = high &&
    test "$(field 1001 escalation_level)" = 1 &&
    test "$(field 1001 due_at)" = 2026-03-10T08:00:00Z &&
    at 2026-03-10T08:00:00Z remind &&
    test "$(field 1001 escalation_level)" = 2 &&
    test "$(history 1001 | grep -c escalated)" -eq 2
'

test_expect_success 'bad calendar settings are configuration errors (78)' '
    desk "$TMPDIR_TEST/bad" "business_hours = Mon-Fri 9-5" &&
    cd "$TMPDIR_TEST/bad" &&
    expect_exit 78 mt remind &&
    grep -q "business_hours" err &&
    desk "$TMPDIR_TEST/bad2" "business_hours = Mon-Fri 09:00-17:00" \
        "holidays = no-such-file" &&
    cd "$TMPDIR_TEST/bad2" &&
    expect_exit 78 mt remind &&
    grep -q "holidays" err
'

test_done
