#!/bin/bash
# t5000-report: `mailtriage report` over a generated history of three
# months, made through the real binary (ingest with --now, ticket set),
# against figures the generator computes from its own plan; every
# format; the HTML page rendered by a real headless browser; the edge
# cases (no tickets, all breached, a paused ticket, a ticket reopened
# twice); ratings by mail; the `ticket list` filters.
[ -n "$BASH_VERSION" ] || exec bash "$0" "$@"
. "$(dirname "$0")/../lib/test-lib.sh"
need_binary

GEN="$MT_SRCDIR/tests/lib/gen-history.py"
NOW=2026-12-01T00:00:00Z
# How many tickets the history has; a few thousand by default.
: "${MT_REPORT_TICKETS:=2500}"

CHROMIUM=
for c in chromium chromium-browser; do
    if command -v "$c" >/dev/null 2>&1; then
        CHROMIUM=$(command -v "$c")
        break
    fi
done
[ -n "$CHROMIUM" ] || test_skip_all "no chromium (Debian package chromium)"

write_conf()
{
    cat >"$1/mailtriage.conf" <<-'EOF_CONF'
	[general]
	support_address = support@example.com
	ticket_start = 1001

	[agent alice]
	email = alice@example.com

	[agent bob]
	email = bob@example.com
	EOF_CONF
}

# browser DIR ARGS...: chromium headless with a fresh profile, nothing
# from the network.
browser()
{
    local profile
    profile=$(mktemp -d "$TMPDIR_TEST/chromium.XXXXXX")
    timeout 120 "$CHROMIUM" --headless --no-sandbox --disable-gpu \
        --disable-quic --no-first-run --disable-background-networking \
        --disable-component-update --disable-sync \
        --user-data-dir="$profile" "$@"
}

# report_matches DIR SINCE UNTIL BY: every format of the report over
# [SINCE, UNTIL) grouped by BY ("" for none) against the generator.
report_matches()
{
    local dir=$1 since=$2 until=$3 by=$4 f
    (
        cd "$dir" &&
        "$PYTHON" "$GEN" expect history.json --since "$since" \
            --until "$until" ${by:+--by "$by"} >want.json &&
        for f in json csv text html; do
            mt --now "$NOW" report --since "$since" --until "$until" \
                ${by:+--by "$by"} --format "$f" -o "got.$f" &&
            "$PYTHON" "$GEN" check "$f" "got.$f" want.json || return 1
        done
    )
}

mkdir h
write_conf h
# A next-response promise of its own, so that the two clocks differ.
NEXT_SLA=$((8 * 3600))
printf '[sla]\nnext_response = 8h\n' >>h/mailtriage.conf
# mth ARGS: mailtriage in the history's directory (its store is there).
mth()
{
    (cd "$TMPDIR_TEST/h" && mt "$@")
}
test_expect_success "generate $MT_REPORT_TICKETS tickets over 90 days" '
    "$PYTHON" "$GEN" make "$MT_BIN" h --now "$NOW" \
        --tickets "$MT_REPORT_TICKETS" --days 90 --seed 8 \
        --next-sla "$NEXT_SLA" &&
    mth ticket list --json >all.json &&
    test "$(json_get "len(j)" <all.json)" -eq "$MT_REPORT_TICKETS"
'

test_expect_success 'the last 30 days, every format, as computed' '
    report_matches h 2026-11-01T00:00:00Z 2026-12-01T00:00:00Z ""
'

test_expect_success 'the whole 90 days by category, every format' '
    report_matches h 2026-09-01T00:00:00Z 2026-12-01T00:00:00Z category
'

test_expect_success 'one week in the middle by agent, every format' '
    report_matches h 2026-10-05T00:00:00Z 2026-10-12T00:00:00Z agent
'

test_expect_success 'the default period is the 30 days before --now' '
    (cd h &&
     mt --now "$NOW" report --format json >default.json &&
     mt --now "$NOW" report --since 30d --format json >thirty.json) &&
    test_cmp h/default.json h/thirty.json &&
    test "$(json_get "j[\"since\"]" <h/default.json)" = \
        2026-11-01T00:00:00Z
'

test_expect_success 'the history has breaches, ratings and reopenings' '
    (cd h && "$PYTHON" "$GEN" expect history.json \
        --since 2026-09-01T00:00:00Z --until "$NOW") >w.json &&
    s=$(json_get "j[\"all\"][\"sla\"][\"first_response\"]" <w.json) &&
    test "$(echo "$s" | json_get "j[\"due\"] - j[\"met\"]")" -gt 50 &&
    s=$(json_get "j[\"all\"][\"sla\"][\"next_response\"]" <w.json) &&
    test "$(echo "$s" | json_get "j[\"due\"] - j[\"met\"]")" -gt 20 &&
    test "$(echo "$s" | json_get "j[\"met\"]")" -gt 50 &&
    test "$(json_get "j[\"all\"][\"csat\"][\"count\"]" <w.json)" -gt 100 &&
    test "$(json_get "j[\"all\"][\"reopened\"]" <w.json)" -gt 50
'

# The credit matters: answers that were late on the wall clock but in
# time without the pause, and resolutions shortened by a wait.
test_expect_success 'the history has pauses that change the figures' '
    "$PYTHON" - h/history.json <<-PYEOF
	import json, sys
	h = json.load(open(sys.argv[1]))
	sla, ts = h["sla"], h["tickets"]
	late_on_the_wall = sum(
	    1 for t in ts if t["first_response"] is not None
	    and t["first_paused"] > 0
	    and t["first_response"] - t["created"] > sla
	    and t["first_response"] - t["created"] - t["first_paused"] <= sla)
	waited = sum(1 for t in ts
	             if t["status"] == "resolved" and t["pending_total"] > 0)
	paused_next = sum(1 for t in ts for c in t["next_clocks"]
	                  if c["paused"] > 0)
	resumed_unanswered = sum(1 for t in ts
	                         if t["first_response"] is None
	                         and t["first_paused"] > 0
	                         and t["status"] == "open")
	print(late_on_the_wall, waited, paused_next, resumed_unanswered)
	assert late_on_the_wall > 10 and waited > 30
	assert paused_next > 5 and resumed_unanswered > 3
	PYEOF
'

test_expect_success 'a ticket reopened twice counts twice' '
    id=$(json_get "[t[\"id\"] for t in j[\"tickets\"]
                   if len(t[\"reopens\"]) == 2][0]" <h/history.json) &&
    mth ticket show "$id" --json >t.json &&
    test "$(json_get "sum(1 for e in j[\"events\"]
                          if e[\"kind\"] == \"reopened\")" <t.json)" -eq 2
'

test_expect_success 'ratings: stored with comment, no reopening' '
    id=$(json_get "[t[\"id\"] for t in j[\"tickets\"]
                   if t[\"rating\"] and t[\"rating\"][1]
                   and t[\"status\"] == \"resolved\"][0]" <h/history.json) &&
    want=$(json_get "[t[\"rating\"] for t in j[\"tickets\"]
                     if t[\"id\"] == $id][0]" <h/history.json) &&
    mth ticket show "$id" --json >t.json &&
    test "$(json_get "[j[\"rating\"][\"score\"], j[\"rating\"][\"comment\"]]" \
            <t.json)" = "$want" &&
    test "$(json_get "j[\"status\"]" <t.json)" = resolved &&
    test "$(json_get "[e[\"kind\"] for e in j[\"events\"]][-1]" <t.json)" \
        = rated &&
    mth ticket show "$id" >t.txt &&
    grep "^rating: " t.txt
'

test_expect_success 'HTML renders in chromium with its five charts' '
    browser --dump-dom "file://$TMPDIR_TEST/h/got.html" >dom.html \
        2>chromium.err &&
    test "$(grep -o "<svg" dom.html | wc -l)" -eq 5 &&
    grep -q "<rect" dom.html &&
    grep -q "Tickets opened and resolved per day" dom.html &&
    ! grep -qi "<script" h/got.html &&
    ! grep -qiE "(src|href)=\"(https?:)?//" h/got.html
'

test_expect_success 'a screenshot of the page is a PNG with content' '
    browser --screenshot="$TMPDIR_TEST/shot.png" --window-size=800,2400 \
        "file://$TMPDIR_TEST/h/got.html" 2>chromium.err &&
    "$PYTHON" - shot.png <<-PYEOF
	import struct, sys, zlib
	data = open(sys.argv[1], "rb").read()
	assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
	pos, idat, width = 8, b"", 0
	while pos < len(data):
	    n, kind = struct.unpack(">I4s", data[pos:pos + 8])
	    if kind == b"IHDR":
	        width, height = struct.unpack(">II", data[pos + 8:pos + 16])
	    if kind == b"IDAT":
	        idat += data[pos + 8:pos + 8 + n]
	    pos += 12 + n
	raw = zlib.decompress(idat)
	# A blank page is one colour: its filtered rows hold a handful of
	# byte values.  Text and charts in colour hold many.
	assert width == 800, width
	assert len(set(raw)) > 64, len(set(raw))
	PYEOF
'

test_expect_success 'report -o writes what stdout would have shown' '
    (cd h && mt --now "$NOW" report --format csv -o out.csv &&
     mt --now "$NOW" report --format csv >stdout.csv) &&
    test_cmp h/out.csv h/stdout.csv
'

test_expect_success 'report --mail queues and exits 0; -n changes nothing' '
    (cd h && mt --now "$NOW" -n report --mail lead@example.com &&
     mt --now "$NOW" report --mail lead@example.com)
'

# --- edge cases -------------------------------------------------------

mkdir empty empty/md empty/md/new empty/md/cur empty/md/tmp
write_conf empty
test_expect_success 'no tickets: every format, no division by zero' '
    (cd empty && mt --now "$NOW" ingest md &&
     echo "{\"now\": 0, \"sla\": 86400, \"tickets\": []}" >history.json) &&
    report_matches empty 2026-11-01T00:00:00Z "$NOW" category &&
    test "$(json_get "j[\"all\"][\"sla\"][\"first_response\"][\"percent\"]" \
            <empty/got.json)" = null &&
    test "$(json_get "j[\"all\"][\"csat\"][\"average\"]" <empty/got.json)" \
        = null &&
    browser --dump-dom "file://$TMPDIR_TEST/empty/got.html" >dom2.html \
        2>chromium.err &&
    test "$(grep -o "<svg" dom2.html | wc -l)" -eq 5
'

mkdir late
write_conf late
test_expect_success 'all breached: 0% of first-response deadlines met' '
    "$PYTHON" "$GEN" make "$MT_BIN" late --now "$NOW" --tickets 40 \
        --days 20 --seed 3 --mode breached &&
    report_matches late 2026-11-01T00:00:00Z "$NOW" agent &&
    test "$(json_get "j[\"all\"][\"sla\"][\"first_response\"][\"percent\"]" \
            <late/got.json)" = 0.0 &&
    test "$(json_get "j[\"all\"][\"sla\"][\"first_response\"][\"due\"]" \
            <late/got.json)" -gt 30
'

mkdir pause
write_conf pause
# mail FILE TIME FROM SUBJECT MSGID [IN-REPLY-TO] BODY
mail()
{
    {
        printf 'Received: from mx by mx.example.com; %s\n' \
            "$(date -u -R -d "$2")"
        printf 'From: %s\nTo: support@example.com\nSubject: %s\n' "$3" "$4"
        printf 'Message-ID: <%s>\n' "$5"
        [ -z "$6" ] || printf 'In-Reply-To: <%s>\n' "$6"
        printf '\n%s\n' "$7"
    } >"$1"
}
test_expect_success 'a paused ticket has no running clock; an open one breaches' '
    cd pause &&
    mail p1.eml 2026-11-20T09:00:00Z "Pat <pat@example.org>" "Paused" \
        p1@x "" "Waiting for the logs." &&
    mail o1.eml 2026-11-20T09:05:00Z "Ola <ola@example.org>" "Open" \
        o1@x "" "Nobody answers." &&
    mt --now 2026-11-20T09:10:00Z ingest p1.eml &&
    mt --now 2026-11-20T09:10:00Z ingest o1.eml &&
    mt --now 2026-11-20T10:00:00Z ticket set 1001 status=pending &&
    mt --now 2026-11-25T00:00:00Z report --since 2026-11-01 \
        --until 2026-11-25 --format json >r.json &&
    test "$(json_get "j[\"all\"][\"sla\"][\"first_response\"]" <r.json)" = \
        "{\"due\": 1, \"met\": 0, \"percent\": 0.0}" &&
    test "$(json_get "j[\"all\"][\"backlog\"][\"count\"]" <r.json)" = 2
'

mkdir credit
write_conf credit
# answer FILE TIME SUBJECT MSGID IN-REPLY-TO: alice's reply-all to Cy.
answer()
{
    {
        printf 'Received: from mx by mx.example.com; %s\n' \
            "$(date -u -R -d "$2")"
        printf 'From: Alice <alice@example.com>\n'
        printf 'To: cy@example.org, support@example.com\n'
        printf 'Subject: %s\nMessage-ID: <%s>\nIn-Reply-To: <%s>\n' \
            "$3" "$4" "$5"
        printf '\nHere is the answer.\n'
    } >"$1"
}
# at TIME: seconds since the epoch.
at()
{
    date -u -d "$1" +%s
}
test_expect_success 'pause and pending time credited; next responses count' '
    cd credit &&
    C=2026-11-02T09:00:00Z P1=2026-11-02T11:00:00Z R1=2026-11-04T11:00:00Z &&
    A1=2026-11-04T13:00:00Z F=2026-11-05T09:00:00Z P2=2026-11-05T10:00:00Z &&
    S1=2026-11-07T10:00:00Z O=2026-11-08T10:00:00Z A2=2026-11-10T10:00:00Z &&
    S2=2026-11-10T12:00:00Z &&
    subj="Re: [#1001] Scanner" &&
    mail c1.eml $C "Cy <cy@example.org>" Scanner c1@x "" "It jams." &&
    mt --now $C ingest c1.eml &&
    mt --now $P1 ticket set 1001 status=pending &&
    mail c2.eml $R1 "Cy <cy@example.org>" "$subj" c2@x c1@x "Model 7." &&
    mt --now $R1 ingest c2.eml &&
    answer a1.eml $A1 "$subj" a1@x c2@x && mt --now $A1 ingest a1.eml &&
    mail c3.eml $F "Cy <cy@example.org>" "$subj" c3@x a1@x "And 8?" &&
    mt --now $F ingest c3.eml &&
    mt --now $P2 ticket set 1001 status=pending &&
    mt --now $S1 ticket set 1001 status=resolved &&
    mail c4.eml $O "Cy <cy@example.org>" "$subj" c4@x a1@x "Jams again." &&
    mt --now $O ingest c4.eml &&
    answer a2.eml $A2 "$subj" a2@x c4@x && mt --now $A2 ingest a2.eml &&
    mt --now $S2 ticket set 1001 status=resolved &&
    mt --now 2026-11-25T00:00:00Z report --since 2026-11-01 \
        --until 2026-11-25 --format json >r.json &&
    day=86400 &&
    # First response: the wall-clock time less the pause, in time.
    frt=$(( $(at $A1) - $(at $C) - ($(at $R1) - $(at $P1)) )) &&
    test "$(json_get "j[\"all\"][\"first_response\"][\"median\"]" \
            <r.json)" = $frt &&
    test $(( $(at $A1) - $(at $C) )) -gt $day && test $frt -le $day &&
    test "$(json_get "j[\"all\"][\"sla\"][\"first_response\"]" <r.json)" \
        = "{\"due\": 1, \"met\": 1, \"percent\": 100.0}" &&
    # Resolution: creation to the last resolution less both waits.
    res=$(( $(at $S2) - $(at $C) - ($(at $R1) - $(at $P1))
            - ($(at $S1) - $(at $P2)) )) &&
    test "$(json_get "j[\"all\"][\"resolution_time\"][\"median\"]" \
            <r.json)" = $res &&
    # Next response: the follow-up was resolved while paused, before its
    # deadline moved on by the pause (not due); the reopening was
    # answered late (due, missed).
    test $(( $(at $F) + day + $(at $S1) - $(at $P2) )) -gt $(at $S1) &&
    test $(( $(at $A2) - $(at $O) )) -gt $day &&
    test "$(json_get "j[\"all\"][\"sla\"][\"next_response\"]" <r.json)" \
        = "{\"due\": 1, \"met\": 0, \"percent\": 0.0}" &&
    # A period that ends before the late answer: the reopening is due
    # once its deadline passed.
    mt --now 2026-11-25T00:00:00Z report --since 2026-11-01 \
        --until 2026-11-09T12:00:00Z --format json >r2.json &&
    test "$(json_get "j[\"all\"][\"sla\"][\"next_response\"]" <r2.json)" \
        = "{\"due\": 1, \"met\": 0, \"percent\": 0.0}" &&
    mt --now 2026-11-25T00:00:00Z report --since 2026-11-01 \
        --until 2026-11-09T09:00:00Z --format json >r3.json &&
    test "$(json_get "j[\"all\"][\"sla\"][\"next_response\"]" <r3.json)" \
        = "{\"due\": 0, \"met\": 0, \"percent\": null}"
'

mkdir old
write_conf old
test_expect_success 'tickets from before the clocks table: no crash, no skew' '
    cd old &&
    cy="Cy <cy@example.org>" &&
    mail a1.eml 2026-11-02T09:00:00Z "$cy" Alpha a1@x "" "A broke." &&
    mail c1.eml 2026-11-02T10:00:00Z "$cy" Gamma c1@x "" "C broke." &&
    answer c2.eml 2026-11-02T11:00:00Z "Re: [#1002] Gamma" c2@x c1@x &&
    answer a2.eml 2026-11-02T12:00:00Z "Re: [#1001] Alpha" a2@x a1@x &&
    mail a3.eml 2026-11-03T09:00:00Z "$cy" "Re: [#1001] Alpha" a3@x a2@x \
        "Still." &&
    answer a4.eml 2026-11-03T11:00:00Z "Re: [#1001] Alpha" a4@x a3@x &&
    mail c3.eml 2026-11-04T08:00:00Z "$cy" "Re: [#1002] Gamma" c3@x c2@x \
        "Again." &&
    mail b1.eml 2026-11-04T09:00:00Z "$cy" Beta b1@x "" "B broke." &&
    for m in a1 c1 c2 a2 a3 a4 c3 b1; do
        mt --now 2026-11-04T09:00:00Z ingest $m.eml || exit 1
    done &&
    mt --now 2026-11-04T10:00:00Z ticket set 1003 status=pending &&
    # Back to schema 5: no clocks, no pending time.
    "$PYTHON" - var/mailtriage.db <<-PYEOF &&
	import sqlite3, sys
	db = sqlite3.connect(sys.argv[1])
	db.executescript("DROP TABLE clocks;"
	                 "ALTER TABLE tickets DROP COLUMN pending_since;"
	                 "ALTER TABLE tickets DROP COLUMN pending_total;"
	                 "PRAGMA user_version = 5;")
	db.close()
	PYEOF
    mail b2.eml 2026-11-05T10:00:00Z "$cy" "Re: [#1003] Beta" b2@x b1@x \
        "Logs attached." &&
    mt --now 2026-11-05T10:00:00Z ingest b2.eml &&
    mt --now 2026-11-06T08:00:00Z ticket set 1003 status=resolved &&
    mt --now 2026-11-25T00:00:00Z report --since 2026-11-01 \
        --until 2026-11-25 --format json >r.json &&
    # The wait that began before the upgrade is credited from the
    # pause of its clock.
    wait=$(( $(at 2026-11-05T10:00:00Z) - $(at 2026-11-04T10:00:00Z) )) &&
    res=$(( $(at 2026-11-06T08:00:00Z) - $(at 2026-11-04T09:00:00Z)
            - wait )) &&
    test "$(json_get "j[\"all\"][\"resolution_time\"][\"median\"]" \
            <r.json)" = $res &&
    # Answered in 3 h and 1 h; B, resolved unanswered within its paused
    # promise, is not due.
    test "$(json_get "j[\"all\"][\"first_response\"]" <r.json)" = \
        "{\"count\": 2, \"median\": 3600, \"p90\": 10800}" &&
    test "$(json_get "j[\"all\"][\"sla\"][\"first_response\"]" <r.json)" \
        = "{\"due\": 2, \"met\": 2, \"percent\": 100.0}" &&
    # The next response of A ended before the upgrade: not known; that
    # of C was running, and is past its deadline.
    test "$(json_get "j[\"all\"][\"sla\"][\"next_response\"]" <r.json)" \
        = "{\"due\": 1, \"met\": 0, \"percent\": 0.0}"
'

mkdir hours
test_expect_success 'with business hours, times count open hours only' '
    cd hours &&
    write_conf . &&
    printf "[sla]\nbusiness_hours = Mon-Fri 09:00-17:00\n" >>mailtriage.conf &&
    mail f1.eml 2026-11-20T16:00:00Z "Fay <fay@example.org>" "Friday" \
        f1@x "" "Before the weekend." &&
    {
        printf "Received: from mx by mx.example.com; %s\n" \
            "$(date -u -R -d 2026-11-23T10:00:00Z)" &&
        printf "From: Alice <alice@example.com>\n" &&
        printf "To: fay@example.org, support@example.com\n" &&
        printf "Subject: Re: Friday\nMessage-ID: <a1@x>\n" &&
        printf "In-Reply-To: <f1@x>\n\nHere it is.\n"
    } >a1.eml &&
    mt --now 2026-11-20T16:00:00Z ingest f1.eml &&
    mt --now 2026-11-23T10:00:00Z ingest a1.eml &&
    mt --now 2026-11-25T00:00:00Z report --since 2026-11-01 \
        --until 2026-11-25 --format json >r.json &&
    # Fri 16:00-17:00 and Mon 09:00-10:00: two hours, not 66.
    test "$(json_get "j[\"all\"][\"first_response\"][\"median\"]" \
            <r.json)" = 7200 &&
    # Fri 1 h, Mon 8 h, Tue 8 h.
    test "$(json_get "j[\"all\"][\"backlog\"][\"age_median\"]" \
            <r.json)" = 61200
'

test_expect_success 'a rating on a paused ticket is a normal follow-up' '
    cd pause &&
    mail p2.eml 2026-11-21T09:00:00Z "Pat <pat@example.org>" \
        "Re: [#1001] Paused" p2@x p1@x "5" &&
    mt --now 2026-11-21T09:10:00Z ingest p2.eml &&
    mt ticket show 1001 --json >t.json &&
    test "$(json_get "[j[\"status\"], j[\"rating\"]]" <t.json)" = \
        "[\"open\", null]"
'

test_expect_success 'a non-score reply to a resolved ticket reopens it' '
    cd pause &&
    mt --now 2026-11-22T09:00:00Z ticket set 1002 status=resolved &&
    mail o2.eml 2026-11-22T10:00:00Z "Ola <ola@example.org>" \
        "Re: [#1002] Open" o2@x o1@x "2FA is broken again" &&
    mt --now 2026-11-22T10:10:00Z ingest o2.eml &&
    mt ticket show 1002 --json >t.json &&
    test "$(json_get "[j[\"status\"], j[\"rating\"]]" <t.json)" = \
        "[\"open\", null]"
'

test_expect_success 'the latest rating wins' '
    cd pause &&
    mt --now 2026-11-23T09:00:00Z ticket set 1002 status=resolved &&
    mail o3.eml 2026-11-23T10:00:00Z "Ola <ola@example.org>" \
        "Re: [#1002] Open" o3@x o1@x "2 - slow" &&
    mail o4.eml 2026-11-23T11:00:00Z "Ola <ola@example.org>" \
        "Re: [#1002] Open" o4@x o1@x "Excellent! Sorry, it was my cable." &&
    mt --now 2026-11-23T12:00:00Z ingest o3.eml &&
    mt --now 2026-11-23T12:00:00Z ingest o4.eml &&
    mt ticket show 1002 --json >t.json &&
    test "$(json_get "[j[\"status\"], j[\"rating\"]]" <t.json)" = \
        "[\"resolved\", {\"comment\": \"Sorry, it was my cable.\", \"score\": 5}]"
'

# --- ticket list filters ------------------------------------------------

# count_list ARGS: how many tickets `ticket list ARGS --json` gives.
count_list()
{
    mth --now "$NOW" ticket list "$@" --json |
        json_get "len(j)"
}
# count_history EXPR: how many tickets of the history satisfy EXPR (t).
count_history()
{
    json_get "sum(1 for t in j[\"tickets\"] if $1)" <h/history.json
}

test_expect_success 'ticket list --status, --category, --assignee' '
    test "$(count_list --status resolved)" = \
        "$(count_history "t[\"status\"] == \"resolved\"")" &&
    test "$(count_list --status resolved --category billing)" = \
        "$(count_history "t[\"status\"] == \"resolved\" and
                          t[\"category\"] == \"billing\"")" &&
    test "$(count_list --assignee bob)" = \
        "$(count_history "t[\"agent\"] == \"bob\"")" &&
    test "$(count_list --assignee -)" = \
        "$(count_history "t[\"agent\"] is None")" &&
    test "$(count_list --category - --status pending)" = \
        "$(count_history "t[\"status\"] == \"pending\" and
                          t[\"category\"] is None")" &&
    test "$(count_list --status pending)" = \
        "$(count_history "t[\"status\"] == \"pending\"")"
'

test_expect_success 'ticket list --older-than, --due-within, --breached' '
    now=$(date -u -d "$NOW" +%s) &&
    test "$(count_list --older-than 30d)" = \
        "$(count_history "t[\"created\"] <= $now - 30 * 86400")" &&
    test "$(count_list --status new --older-than 2h)" -gt 0 &&
    test "$(count_list --due-within 20h)" = \
        "$(count_history "t[\"due\"] is not None and
                          $now <= t[\"due\"] <= $now + 20 * 3600")" &&
    test "$(count_list --due-within 20h)" -gt 0 &&
    test "$(count_list --breached)" = \
        "$(count_history "t[\"due\"] is not None and t[\"due\"] < $now")" &&
    test "$(count_list --breached)" -gt 0
'

test_expect_success 'bad options are usage errors (64)' '
    cd h &&
    expect_exit 64 mt report --by colour &&
    expect_exit 64 mt report --format pdf &&
    expect_exit 64 mt report --since yesterday &&
    expect_exit 64 mt report --since 2026-11-02 --until 2026-11-01 &&
    expect_exit 64 mt report --mail "not an address" &&
    expect_exit 64 mt ticket list --due-within soon &&
    expect_exit 64 mt ticket list --older-than -3d
'

test_done
