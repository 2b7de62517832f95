#!/bin/bash
# t1020-zammad: conformance with Zammad's parser expectations
# (../shared/corpus/zammad/test/data/mail/mail*.yml): per-field pass
# rates, known misses as TODO, at least 97% of the checked fields.
# The TAP stream is tests/conformance/zammad.py's own.
[ -n "$BASH_VERSION" ] || exec bash "$0" "$@"
. "$(dirname "$0")/../lib/test-lib.sh"
need_binary
need_shared
[ -d "$SHARED/corpus/zammad/test/data/mail" ] ||
    test_skip_all "no Zammad corpus in $SHARED/corpus"

"$PYTHON" "$MT_SRCDIR/tests/conformance/zammad.py" \
    --binary "$MT_BIN" --shared "$SHARED"
