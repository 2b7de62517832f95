#!/bin/bash
# t1021-stalwart: conformance with stalwart mail-parser's expectations
# (../shared/corpus/stalwart-mail-parser/resources/eml/**/*.json):
# per-field pass rates, known misses as TODO.
# The TAP stream is tests/conformance/stalwart.py's own.
[ -n "$BASH_VERSION" ] || exec bash "$0" "$@"
. "$(dirname "$0")/../lib/test-lib.sh"
need_binary
need_shared
[ -d "$SHARED/corpus/stalwart-mail-parser/resources/eml" ] ||
    test_skip_all "no stalwart corpus in $SHARED/corpus"

"$PYTHON" "$MT_SRCDIR/tests/conformance/stalwart.py" \
    --binary "$MT_BIN" --shared "$SHARED"
