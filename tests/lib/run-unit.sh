#!/bin/sh
# Runs one unit test binary with TAP output; under valgrind when
# MT_VALGRIND=1 (CI), failing the test on any error valgrind reports.
if [ "${MT_VALGRIND:-0}" = 1 ] && command -v valgrind >/dev/null 2>&1; then
    exec valgrind --quiet --error-exitcode=99 --leak-check=full \
        --errors-for-leak-kinds=definite \
        --suppressions="${MT_SRCDIR:-.}/tests/lib/valgrind.supp" \
        "$@" --tap
fi
exec "$@" --tap
