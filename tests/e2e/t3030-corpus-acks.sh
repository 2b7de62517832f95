#!/bin/bash
# t3030-corpus-acks: the whole real corpus (../shared/corpus, 669 of its
# messages from sisimai's bounce set, many more auto-generated) goes
# in; count the acknowledgments that would go out, by classification,
# and check that none answers a bounce, an auto-reply or a list
# (DESIGN 4).  Skips cleanly in a user's clone without ../shared.
[ -n "$BASH_VERSION" ] || exec bash "$0" "$@"
. "$(dirname "$0")/../lib/test-lib.sh"
need_binary
need_shared
CORPUS="$SHARED/corpus/maildir"
[ -f "$CORPUS/MANIFEST.tsv" ] || test_skip_all "no corpus manifest at $CORPUS"

cp -R "$CORPUS" corpus
rm -f corpus/MANIFEST.tsv
printf '[general]\nsupport_address = support@example.com\n' >mailtriage.conf

test_expect_success 'ingest the whole corpus, queueing acknowledgments' '
    mt -v ingest corpus >out 2>err || { tail -n 20 err; exit 1; }
    grep "acks=" err
'

test_expect_success 'no acknowledgment answers a bounce, an auto-reply or a list' '
    "$PYTHON" "$MT_SRCDIR/tests/lib/ack-census.py" var/mailtriage.db \
        "$CORPUS/MANIFEST.tsv" >census &&
    grep -E "^  (auto_reply|bounce|list|automated) +[0-9]+ / 0$" census &&
    ! grep -E "^  (auto_reply|bounce|list|automated) +[0-9]+ / [1-9]" census
'
[ -f census ] && sed "s/^/# /" census

test_expect_success 'every new ticket got an acknowledgment or a reason' '
    total=$(sed -n "s/^tickets \([0-9]*\), acknowledgments \([0-9]*\), withheld \([0-9]*\)$/\1 \2 \3/p" census) &&
    set -- $total &&
    test "$1" -eq $(($2 + $3)) &&
    ! grep "(no event)" census
'

test_done
