#!/bin/bash
# t2100-rules: the rule engine end to end (DESIGN 5, 6): the default
# rule set on the sample mailbox, a rule set of our own on crafted mail
# (header, any, captures, on followup, limits), assignment across runs,
# `rules check` and `rules test`, and `run`/`ingest` refusing a broken
# rule set.
[ -n "$BASH_VERSION" ] || exec bash "$0" "$@"
. "$(dirname "$0")/../lib/test-lib.sh"
need_binary

SAMPLE="$MT_SRCDIR/sample/maildir"
[ -d "$SAMPLE/new" ] || test_skip_all "no sample Maildir at $SAMPLE"

# --- the default rules on the sample ------------------------------------

mkdir desk
cat >desk/mailtriage.conf <<EOF_CONF
[general]
support_address = support@example.com
rules = $MT_SRCDIR/rules

[agent alice]
email = alice@example.com
teams = billing, accounts, shipping

[agent bob]
email = bob@example.com
teams = technical, accounts, shipping

[team accounts]
strategy = least-open
EOF_CONF
cp -R "$SAMPLE" desk/sample

# ticket ID FIELD: one field of `ticket show ID --json` in desk/.
ticket() {
    (cd desk && mt ticket show "$1" --json) | json_get "$2"
}
# The ticket whose subject starts with TEXT, in desk/.
ticket_by_subject() {
    (cd desk && mt ticket list --json) |
        json_get "[t[\"id\"] for t in j if t[\"subject\"].startswith(\"$1\")][0]"
}

test_expect_success 'rules check accepts the default rule set' '
    (cd desk && mt rules check) >out &&
    grep -q ": 14 rules, .* patterns (.* prefiltered): ok$" out
'

test_expect_success 'rules test on the sample Maildir: 29 of 31 mails match a rule' '
    (cd desk && mt rules test sample) >out &&
    tail -n 1 out | grep -q "^31 messages, 29 matched a rule$" &&
    grep -q "Congratulations.*" out &&
    grep -A3 "Congratulations" out | grep -q "result: category=spam priority=low status=spam .* noack" &&
    test ! -e desk/var/mailtriage.db
'

test_expect_success 'ingest the sample with the default rules' '
    (cd desk && mt ingest sample >out 2>err)
'

test_expect_success 'a double charge: billing, high, alice, order_id' '
    id=$(ticket_by_subject "Charged twice") &&
    test "$(ticket $id "j[\"category\"]")" = billing &&
    test "$(ticket $id "j[\"priority\"]")" = high &&
    test "$(ticket $id "j[\"team\"]")" = billing &&
    test "$(ticket $id "j[\"assignee\"]")" = alice &&
    test "$(ticket $id "j[\"fields\"][\"order_id\"]")" = 4471220
'

test_expect_success 'the events say which rule matched on what, and who got it' '
    id=$(ticket_by_subject "Charged twice") &&
    ticket $id "[e[\"detail\"] for e in j[\"events\"] if e[\"kind\"] == \"rule\"][0]" >rule &&
    grep -q "^.refunds and double charges. (.*30-billing.rules:4) matched subject \"Charged twice\"; body \"order #4471220\"; category=billing priority=high" rule &&
    ticket $id "[e[\"detail\"] for e in j[\"events\"] if e[\"kind\"] == \"assigned\"][0]" >assigned &&
    grep -q "^to alice of team billing (round-robin; rule .refunds and double charges.)$" assigned
'

test_expect_success 'a crash report goes to technical, to bob' '
    id=$(ticket_by_subject "App crashes") &&
    test "$(ticket $id "j[\"category\"]")" = technical &&
    test "$(ticket $id "j[\"assignee\"]")" = bob
'

test_expect_success 'a complaint is urgent with a 4 h promise' '
    id=$(ticket_by_subject "Cancel my subscription") &&
    test "$(ticket $id "j[\"priority\"]")" = urgent &&
    created=$(ticket $id "j[\"created_at\"]") &&
    due=$(ticket $id "j[\"due_at\"]") &&
    "$PYTHON" -c "
import datetime, sys
f = lambda s: datetime.datetime.strptime(s, \"%Y-%m-%dT%H:%M:%SZ\")
sys.exit(0 if (f(\"$due\") - f(\"$created\")).total_seconds() <= 4 * 3600 else 1)"
'

test_expect_success 'German, French and Spanish mail is filed too' '
    test "$(ticket $(ticket_by_subject "Lieferung") "j[\"category\"]")" = shipping &&
    test "$(ticket $(ticket_by_subject "Demande de remboursement") "j[\"category\"]")" = billing &&
    test "$(ticket $(ticket_by_subject "Artículo dañado") "j[\"category\"]")" = shipping
'

test_expect_success 'spam, bounce, newsletter and list get closing statuses' '
    test "$(ticket $(ticket_by_subject "Congratulations") "j[\"status\"]")" = spam &&
    test "$(ticket $(ticket_by_subject "Your March update") "j[\"status\"]")" = closed &&
    test "$(ticket $(ticket_by_subject "Your March update") "j[\"resolved_at\"]")" != null &&
    test "$(ticket $(ticket_by_subject "Your March update") "j[\"due_at\"]")" = null &&
    test "$(ticket $(ticket_by_subject "[reportly-users]") "j[\"category\"]")" = newsletter &&
    # The bounce of our acknowledgment joins the ticket it bounced for
    # (outbox) and leaves that ticket as the rules filed it.
    test "$( (cd desk && mt ticket list --json) |
        json_get "[t for t in j if t[\"subject\"].startswith(\"Undelivered\")]")" = "[]" &&
    id=$(ticket_by_subject "Change the email address") &&
    test "$(ticket $id "[m[\"kind\"] for m in j[\"messages\"]].count(\"bounce\")")" = 1 &&
    test "$(ticket $id "j[\"category\"]")" = account
'

test_expect_success 'shipping tickets alternate between alice and bob' '
    (cd desk && mt ticket list --json) |
        json_get "[t[\"assignee\"] for t in j if t[\"team\"] == \"shipping\"]" >ship &&
    grep -q "alice" ship && grep -q "bob" ship
'

test_expect_success 'every ticket a person wrote got a category' '
    (cd desk && mt ticket list --json) |
        json_get "[t[\"subject\"] for t in j if t[\"category\"] is None]" >none &&
    test "$(cat none)" = "[]"
'

# --- a rule set of our own ----------------------------------------------

mkdir own own/rules
cat >own/mailtriage.conf <<'EOF_CONF'
[general]
support_address = support@example.com
rules = rules

[agent alice]
email = alice@example.com
teams = vip

[agent bob]
email = bob@example.com
teams = vip

[agent carol]
email = carol@example.com
teams = vip
away = true
EOF_CONF
cat >own/rules/10-vip.rules <<'EOF_RULES'
rule "vip"
    any
        match from /@(bigco|megacorp)\.example$/i
        match header "X-Customer-Tier" /^gold$/i
    end
    match subject /ticket\s+(?<ref>[A-Z]+-\d+)/
    set category vip
    set priority urgent
    set sla 2h
    set field ref "${ref}"
    assign team vip
    noack
end

rule "angry again"
    on followup
    match body /\bstill broken\b/i
    set priority urgent
end

rule "evil"
    match body /^(a+)+$/
    set category evil
end
EOF_RULES

mail() { # mail FILE FROM SUBJECT [HEADER] BODY
    printf 'From: %s\nTo: support@example.com\nSubject: %s\nMessage-ID: <%s@test>\nDate: Mon, 2 Mar 2026 10:00:00 +0000\n%s\n%s\n' \
        "$2" "$3" "$(basename "$1")" "$4" "$5" >"$1"
}

mail own/m1.eml "Big <x@BigCo.example>" "Re ticket ABC-123 down" "" "help"
mail own/m2.eml "Gold <g@small.example>" "ticket XY-9 again" "X-Customer-Tier: GOLD
" "help"
mail own/m3.eml "Someone <s@small.example>" "ticket QQ-1" "" "help"
mail own/m4.eml "Gold <g@small.example>" "Re: ticket XY-9 again" "In-Reply-To: <m2.eml@test>
" "It is still broken."
{
    printf 'From: h@hostile.example\nTo: support@example.com\nSubject: hi\nMessage-ID: <evil@test>\n\n'
    head -c 20000 /dev/zero | tr "\0" a
    printf '!\n'
} >own/m5.eml

test_expect_success 'rules test shows matches without touching the store' '
    (cd own && mt rules test m1.eml) >out &&
    grep -q "rule .vip. (.*/rules/10-vip.rules:1): from \"@bigco.example\"; subject \"ticket ABC-123\" -> category=vip priority=urgent sla=2h field ref=ABC-123 assign-team=vip noack" out &&
    grep -q "result: category=vip priority=urgent status=new team=vip assignee=alice (round-robin) noack" out &&
    test ! -e own/var/mailtriage.db
'

test_expect_success 'rules test --json' '
    (cd own && mt rules test --json m3.eml) >out.json &&
    test "$(json_get "j[0][\"rules\"]" <out.json)" = "[]" &&
    test "$(json_get "j[0][\"priority\"]" <out.json)" = normal
'

test_expect_success 'ingest the crafted mail one run at a time' '
    for m in m1 m2 m3 m4 m5; do
        (cd own && mt ingest $m.eml) || exit 1
    done
'

own_ticket() {
    (cd own && mt ticket list --json) |
        json_get "[t[\"id\"] for t in j if \"$1\" in t[\"subject\"]][0]"
}
own_show() {
    (cd own && mt ticket show "$1" --json) | json_get "$2"
}

test_expect_success 'any: the domain or the header makes a VIP' '
    a=$(own_ticket ABC-123) && b=$(own_ticket XY-9) &&
    test "$(own_show $a "j[\"category\"]")" = vip &&
    test "$(own_show $b "j[\"category\"]")" = vip &&
    test "$(own_show $a "j[\"fields\"][\"ref\"]")" = ABC-123 &&
    test "$(own_show $b "j[\"fields\"][\"ref\"]")" = XY-9
'

test_expect_success 'round-robin across runs skips the away agent' '
    test "$(own_show $(own_ticket ABC-123) "j[\"assignee\"]")" = alice &&
    test "$(own_show $(own_ticket XY-9) "j[\"assignee\"]")" = bob
'

test_expect_success 'a rule that does not match leaves the ticket alone' '
    q=$(own_ticket QQ-1) &&
    test "$(own_show $q "j[\"category\"]")" = null &&
    test "$(own_show $q "j[\"priority\"]")" = normal &&
    test "$(own_show $q "[e for e in j[\"events\"] if e[\"kind\"] == \"rule\"]")" = "[]"
'

test_expect_success 'on followup: the follow-up ran only the followup rule' '
    b=$(own_ticket XY-9) &&
    own_show $b "[e[\"detail\"] for e in j[\"events\"] if e[\"kind\"] == \"rule\"]" >ev &&
    grep -q "angry again" ev &&
    test "$(grep -o "vip" ev | wc -l)" -ge 1 &&
    test "$(own_show $b "len([e for e in j[\"events\"] if e[\"kind\"] == \"assigned\"])")" = 1
'

test_expect_success 'a catastrophic pattern gives up; the message is still a ticket' '
    e=$(own_ticket hi) &&
    test "$(own_show $e "j[\"category\"]")" = null &&
    own_show $e "[e[\"detail\"] for e in j[\"events\"] if e[\"kind\"] == \"rule-limit\"]" >lim &&
    grep -q "rule .evil. (.*/rules/10-vip.rules:21): body /^(a+)+\$/ gave up: .*limit" lim
'

# --- broken rule sets ---------------------------------------------------

mkdir bad bad/rules
cp own/mailtriage.conf bad/
cat >bad/rules/10-bad.rules <<'EOF_RULES'
rule "broken"
    match subject /(unclosed/
    set priority hot
    assign agent nobody
end
EOF_RULES
cp "$MT_SRCDIR/rules/30-billing.rules" bad/rules/

test_expect_success 'rules check lists every error with file:line:column, exit 78' '
    (cd bad && expect_exit 78 mt rules check) &&
    grep -q "rules/10-bad.rules:2:29: bad pattern: missing closing parenthesis" bad/err &&
    grep -q "rules/10-bad.rules:3:18: unknown priority .hot." bad/err &&
    grep -q "rules: 2 errors:" bad/err
'

test_expect_success 'an unknown agent is an error of rules check' '
    sed -i "s|/(unclosed/|/ok/|; s|set priority hot|set priority high|" bad/rules/10-bad.rules &&
    (cd bad && expect_exit 78 mt rules check) &&
    grep -q "rules/10-bad.rules:4:18: no agent .nobody. in the configuration" bad/err
'

test_expect_success 'ingest and run refuse a broken rule set, with the same message' '
    (cd bad && expect_exit 78 mt rules check) && cp bad/err check.err &&
    (cd bad && expect_exit 78 mt ingest ../own/m1.eml) &&
    diff check.err bad/err &&
    printf "[source in]\nurl = maildir:../desk/sample\nafter = keep\n" >>bad/mailtriage.conf &&
    (cd bad && expect_exit 78 mt run) &&
    diff check.err bad/err &&
    (cd bad && mt ticket list --json) | json_get "len(j)" >n &&
    test "$(cat n)" = 0
'

test_expect_success 'a rules directory the config names must exist' '
    mkdir gone &&
    printf "[general]\nrules = nowhere\n" >gone/mailtriage.conf &&
    (cd gone && expect_exit 78 mt rules check) &&
    grep -q "no rules directory .*nowhere" gone/err
'

test_expect_success 'without a rules setting or ./rules, no rules run' '
    mkdir plain &&
    (cd plain && mt rules check) >out &&
    grep -q ": 0 rules, 0 patterns" out &&
    (cd plain && mt ingest ../own/m1.eml) &&
    (cd plain && mt ticket show 1001 --json) | json_get "j[\"category\"]" >cat &&
    test "$(cat cat)" = null
'

test_done
