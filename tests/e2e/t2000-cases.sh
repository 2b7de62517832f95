#!/bin/bash
# t2000-cases: every failure case of tests/cases/Cnn (real bug reports
# against other helpdesks, see tests/cases/README.md) through ingest,
# parse, threading and classification; one TAP stream from cases.py.
_dir=$(cd "$(dirname "$0")" && pwd)
: "${MT_BUILDDIR:=$(cd "$_dir/../.." && pwd)}"
: "${MT_SRCDIR:=$(cd "$_dir/../.." && pwd)}"
export MT_BUILDDIR MT_SRCDIR
PYTHON=/usr/bin/python3
[ -x "$PYTHON" ] || PYTHON=python3
exec "$PYTHON" "$MT_SRCDIR/tests/lib/cases.py" \
    --binary "$MT_BUILDDIR/mailtriage" "$@"
