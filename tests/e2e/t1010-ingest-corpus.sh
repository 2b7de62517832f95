#!/bin/bash
# t1010-ingest-corpus: the team's real-world corpus (../shared/corpus,
# 2,015 messages from the test suites of other mail software) goes in
# whole: no crash, every message kept byte for byte, nothing twice.
[ -n "$BASH_VERSION" ] || exec bash "$0" "$@"
. "$(dirname "$0")/../lib/test-lib.sh"
need_binary
need_shared
CORPUS="$SHARED/corpus/maildir"
[ -d "$CORPUS/new" ] || test_skip_all "no corpus Maildir at $CORPUS"

cp -R "$CORPUS" corpus
rm -f corpus/MANIFEST.tsv

test_expect_success 'ingest the whole corpus Maildir' '
    mt ingest corpus >out 2>err || { tail -n 20 err; exit 1; }
'

test_expect_success 'dump every stored message (ticket show, message raw)' '
    mt ticket list --json >list1.json &&
    store_dump >dump1 &&
    say "$(json_get "len(j)" <list1.json) tickets, $(wc -l <dump1) messages"
'

# The corpus files, grouped: a file whose Message-ID no other file
# carries (or that has none) must come back byte for byte.
"$PYTHON" - "$CORPUS/new" >files.tsv <<'PYEOF'
import hashlib, os, sys
from email.parser import BytesHeaderParser
from email import policy
d = sys.argv[1]
rows, count = [], {}
for name in sorted(os.listdir(d)):
    if name.startswith("."):
        continue
    raw = open(os.path.join(d, name), "rb").read()
    try:
        mid = BytesHeaderParser(policy=policy.compat32).parsebytes(raw) \
            .get("Message-ID")
    except Exception:
        mid = None
    mid = str(mid).strip().strip("<>").strip() if mid else ""
    rows.append((name, hashlib.sha256(raw).hexdigest(), mid))
    if mid:
        count[mid] = count.get(mid, 0) + 1
for name, sha, mid in rows:
    print("%s\t%s\t%s" % (name, sha, "shared" if count.get(mid, 0) > 1
                          else "unique"))
PYEOF

test_expect_success 'every file with its own Message-ID is kept byte for byte' '
    cut -d" " -f4 dump1 | sort -u >stored &&
    awk -F"\t" "\$3 == \"unique\" { print \$2 }" files.tsv | sort -u >want &&
    comm -23 want stored >missing &&
    if test -s missing; then
        say "$(wc -l <missing) not kept, e.g.:" &&
        grep -F -f missing files.tsv | head -n 10 | cut -f1 &&
        exit 1
    fi
'

test_expect_success 'every file is kept, even a differing copy of a known Message-ID' '
    file_shas corpus >want-all &&
    comm -23 want-all stored >missing-all &&
    if test -s missing-all; then
        echo "$(wc -l <missing-all) files whose bytes are not in the store" &&
        grep -F -f missing-all files.tsv | head -n 5 | cut -f1 &&
        exit 1
    fi
'

test_expect_success 'no raw message is stored twice as a non-duplicate' '
    grep -v " duplicate " dump1 | cut -d" " -f4 | sort | uniq -d >twice &&
    test ! -s twice
'

test_expect_success 'a second ingest of the corpus adds nothing' '
    mt ingest corpus >out 2>err &&
    mt ticket list --json >list2.json &&
    test_cmp list1.json list2.json &&
    store_dump | grep -v " duplicate " >dump2 &&
    grep -v " duplicate " dump1 >dump1n &&
    test_cmp dump1n dump2
'

test_done
