#!/bin/bash
# t1000-ingest: `mailtriage ingest` on the sample Maildir, on stdin, and
# on input that is not mail at all (DESIGN 2: keep everything byte for
# byte, never twice, never drop bad input).
[ -n "$BASH_VERSION" ] || exec bash "$0" "$@"
. "$(dirname "$0")/../lib/test-lib.sh"
need_binary

SAMPLE="$MT_SRCDIR/sample/maildir"
[ -d "$SAMPLE/new" ] || test_skip_all "no sample Maildir at $SAMPLE"

# The sample's agents (sample/README); the stdin and garbage tests below
# run in subdirectories with the built-in defaults.
cat >mailtriage.conf <<'EOF_CONF'
[general]
support_address = support@example.com
ticket_start = 1001

[agent alice]
email = alice@example.com

[agent bob]
email = bob@example.com
EOF_CONF

# Work on copies: a source may move what it took to cur/.
cp -R "$SAMPLE" sample1
cp -R "$SAMPLE" sample2
# The sample files by number (1 = the oldest), as make-sample.py writes
# them: F[n] is the path of the n-th file.
F=(x $(cd "$SAMPLE/new" && ls | sort | sed "s|^|$SAMPLE/new/|"))

test_expect_success 'ingest the sample Maildir' '
    mt ingest sample1 >out 2>err
'

test_expect_success 'it makes 20 tickets or more, numbered from 1001' '
    mt ticket list --json >list1.json &&
    n=$(json_get "len(j)" <list1.json) &&
    test "$n" -ge 20 &&
    test "$(json_get "sorted(t[\"id\"] for t in j)[0]" <list1.json)" = 1001
'

test_expect_success 'no file vanished from the Maildir (kept or moved to cur/)' '
    test "$(ls sample1/new sample1/cur | grep -c "\.sample")" -eq \
        "$(ls "$SAMPLE/new" | wc -l)"
'

test_expect_success 'message raw returns every sample file byte for byte' '
    store_dump >dump1 &&
    cut -d" " -f4 dump1 | sort -u >stored &&
    file_shas "$SAMPLE" >want &&
    comm -23 want stored >missing &&
    test ! -s missing
'

# Messages by Message-ID, for the threading checks below.
test_expect_success 'ticket show --json of every ticket' '
    for id in $(json_get "\" \".join(str(t[\"id\"]) for t in j)" \
                <list1.json); do
        mt ticket show $id --json >show-$id.json
    done &&
    "$PYTHON" - show-*.json >bymid.json <<-PYEOF
	import json, sys
	out = {}
	for path in sys.argv[1:]:
	    t = json.load(open(path))
	    for m in t["messages"]:
	        m["ticket"] = t["id"]
	        out[(m.get("message_id") or "").strip("<>")] = m
	print(json.dumps(out))
	PYEOF
'

# m FILE-NUMBER: the Message-ID of that sample file.
m()
{
    sed -n 's/^Message-I[Dd]: <\(.*\)>\r$/\1/p' "${F[$1]}" | head -n 1
}
# on NUMBER...: the ticket each sample file landed on.
on()
{
    for n in "$@"; do
        json_get "j[\"$(m $n)\"][\"ticket\"]" <bymid.json
    done | tr "\n" " "
}

test_expect_success 'the first mails create tickets 1001..1007 in order' '
    test "$(on 1 2 3 4 5 6 8)" = "1001 1002 1003 1004 1005 1006 1007 "
'

test_expect_success 'agent answers with the tag join their tickets as agent' '
    test "$(on 7 18 22)" = "1001 1001 1005 " &&
    test "$(json_get "j[\"$(m 22)\"][\"role\"]" <bymid.json)" = agent &&
    test "$(json_get "j[\"$(m 7)\"][\"role\"]" <bymid.json)" = agent &&
    test "$(json_get "j[\"$(m 18)\"][\"role\"]" <bymid.json)" = customer
'

test_expect_success 'replies by In-Reply-To join their tickets' '
    test "$(on 9 16 23 25)" = "1002 1004 1006 1009 "
'

test_expect_success 'a tag typed into a new mail joins that ticket' '
    test "$(on 14)" = "1003 " &&
    test "$(on 24)" = "1008 "
'

test_expect_success 'the out-of-office reply is an auto_reply on 1007' '
    test "$(on 11)" = "1007 " &&
    test "$(json_get "j[\"$(m 11)\"][\"kind\"]" <bymid.json)" = auto_reply
'

test_expect_success 'bounce, list post and newsletter are classified' '
    test "$(json_get "j[\"$(m 30)\"][\"kind\"]" <bymid.json)" = bounce &&
    test "$(json_get "j[\"$(m 28)\"][\"kind\"]" <bymid.json)" = list &&
    # a newsletter: no-reply sender and List-Unsubscribe; either will do
    json_get "j[\"$(m 27)\"][\"kind\"]" <bymid.json | grep -E "^(automated|list)$" &&
    test "$(json_get "j[\"$(m 1)\"][\"kind\"]" <bymid.json)" = normal
'

test_expect_success 'encoded subjects and names are decoded' '
    test "$(json_get "j[\"$(m 5)\"][\"subject\"]" <bymid.json)" = \
        "Lieferung beschädigt – Bestellnummer 4471302" &&
    test "$(json_get "j[\"$(m 10)\"][\"subject\"]" <bymid.json)" = \
        "Demande de remboursement - commande n° 4471415" &&
    test "$(json_get "j[\"$(m 26)\"][\"subject\"]" <bymid.json)" = \
        "Artículo dañado en el pedido #4471466" &&
    json_get "j[\"$(m 5)\"][\"from\"]" <bymid.json | grep "^Jürgen Müller <"
'

test_expect_success 'quoted-printable bodies are decoded' '
    json_get "j[\"$(m 5)\"][\"text\"]" <bymid.json |
        grep "Mit freundlichen Grüßen" &&
    json_get "j[\"$(m 10)\"][\"text\"]" <bymid.json |
        grep "toujours pas reçu le remboursement"
'

test_expect_success 'attachments keep name, type and decoded size' '
    json_get "j[\"$(m 3)\"][\"attachments\"]" <bymid.json >a3 &&
    grep "\"filename\": \"reportly-crash.log\"" a3 &&
    grep "\"size\": 794" a3 &&
    json_get "j[\"$(m 6)\"][\"attachments\"]" <bymid.json >a6 &&
    grep "\"content_type\": \"image/png\"" a6 &&
    grep "\"filename\": \"error-500.png\"" a6 &&
    grep "\"size\": 76" a6
'

test_expect_success 'quoted history is not part of the new text' '
    json_get "j[\"$(m 18)\"][\"reply_text\"]" <bymid.json >r18 &&
    grep "refund is already visible" r18 &&
    ! grep "captured the amount twice" r18 &&
    json_get "j[\"$(m 16)\"][\"reply_text\"]" <bymid.json >r16 &&
    grep "still no news from the carrier" r16 &&
    ! grep "label created" r16 &&
    json_get "j[\"$(m 22)\"][\"reply_text\"]" <bymid.json >r22 &&
    grep "Ein neuer Tisch geht morgen" r22 &&
    ! grep "Glastisch" r22
'

test_expect_success 'message raw of a message equals its file (cmp)' '
    for n in 1 5 6 30; do
        id=$(json_get "j[\"$(m $n)\"][\"id\"]" <bymid.json) &&
        mt message raw "$id" >raw.$n &&
        cmp raw.$n "${F[$n]}" || exit 1
    done
'

test_expect_success 'a second ingest of the same Maildir adds nothing' '
    mt ingest sample1 &&
    mt ticket list --json >list2.json &&
    test_cmp list1.json list2.json &&
    store_dump >dump2 &&
    test_cmp dump1 dump2
'

test_expect_success 'a fresh copy of the same mails adds nothing' '
    mt ingest sample2 &&
    mt ticket list --json >list3.json &&
    test "$(json_get "len(j)" <list3.json)" = \
        "$(json_get "len(j)" <list1.json)" &&
    store_dump | grep -v " duplicate " >dump3 &&
    test_cmp dump1 dump3
'

# --- stdin (MDA mode) -----------------------------------------------

cat >stdin.eml <<'EOF_MAIL'
Received: from smtp.example.org (smtp.example.org [192.0.2.25])
	by mx1.example.com (Postfix) with ESMTPS id 4fZZ1a2b3cz1x00
	for <support@example.com>; Fri, 06 Mar 2026 09:00:00 +0000 (UTC)
Message-ID: <stdin-test-1@example.org>
Date: Fri, 06 Mar 2026 08:59:58 +0000
From: Vera Lind <vera.lind@example.org>
To: support@example.com
Subject: Printer driver download link is broken
MIME-Version: 1.0
Content-Type: text/plain; charset=us-ascii

The download link for the printer driver gives a 404.

Vera
EOF_MAIL
sed -i 's/$/\r/' stdin.eml

test_expect_success 'ingest - reads one message from stdin' '
    mkdir stdin && cd stdin &&
    mt ingest - <../stdin.eml &&
    mt ticket list --json >list.json &&
    test "$(json_get "len(j)" <list.json)" = 1 &&
    test "$(json_get "j[0][\"subject\"]" <list.json)" = \
        "Printer driver download link is broken"
'

test_expect_success 'the same message on stdin again: exit 0, nothing added' '
    cd stdin &&
    store_dump >dump1 &&
    mt ingest - <../stdin.eml &&
    mt ticket list --json >list2.json &&
    test_cmp list.json list2.json &&
    store_dump | grep -v " duplicate " >dump2 &&
    test_cmp dump1 dump2
'

test_expect_success 'stdin bytes are kept byte for byte' '
    cd stdin &&
    id=$(cut -d" " -f1 dump1) &&
    mt message raw "$id" >raw &&
    cmp raw ../stdin.eml
'

# --- input that is not mail -------------------------------------------

"$PYTHON" -c '
import random
r = random.Random(20260306)
open("garbage.bin", "wb").write(bytes(r.randrange(256) for _ in range(5000)))
'
: >empty.eml

# check_kept FILE: ingest FILE in a fresh directory; whatever the exit
# status says (0, or 65 for bad data), FILE must be one ticket with a
# problem flag and its bytes must come back unchanged.
check_kept()
{
    local rc=0
    mt ingest "../$1" >out 2>err || rc=$?
    echo "ingest exit $rc"; cat err
    if [ $rc -ne 0 ] && [ $rc -ne 65 ]; then
        echo "ingest exit $rc"; cat err; return 1
    fi
    mt ticket list --json >list.json
    test "$(json_get "len(j)" <list.json)" = 1
    store_dump >dump
    cat dump
    test "$(wc -l <dump)" -eq 1
    test "$(cut -d" " -f5 dump)" -gt 0
    mt message raw "$(cut -d" " -f1 dump)" >raw
    cmp raw "../$1"
}

test_expect_success 'random bytes still become a ticket with a problem' '
    mkdir garbage && cd garbage &&
    check_kept garbage.bin
'

# An empty file holds nothing to keep: a clear error (65, so an MTA
# bounces rather than retries it), and no ticket.
test_expect_success 'a 0-byte file is refused with a clear error (65)' '
    mkdir empty && cd empty &&
    expect_exit 65 mt ingest ../empty.eml &&
    grep "is empty" err &&
    test "$(mt ticket list --json)" = "[]"
'

test_expect_success 'random bytes on stdin are kept, exit 0' '
    mkdir garbage-stdin && cd garbage-stdin &&
    mt ingest - <../garbage.bin &&
    store_dump >dump &&
    test "$(wc -l <dump)" -eq 1 &&
    mt message raw "$(cut -d" " -f1 dump)" | cmp - ../garbage.bin
'

test_done
