#!/bin/bash
# smtp.sh - a real SMTP server on loopback for the outbox tests: Debian's
# python3-aiosmtpd (tests/lib/smtp-sink.py) writing what arrives into a
# Maildir.  Source it after test-lib.sh.
#
#   need_smtp                 skip the script without python3-aiosmtpd
#   smtp_start [ARGS...]      start it (ARGS go to smtp-sink.py: --tempfail N,
#                             --reject ADDR, --tls CERT KEY, --smtps CERT KEY,
#                             --auth USER PASS); sets SMTP_PORT (kept across
#                             a restart), SMTP_MAILDIR, SMTP_LOG
#   smtp_stop                 stop it (registered with at_exit as well)
#   smtp_count                how many messages arrived
#   smtp_make_cert DIR        a self-signed certificate for localhost and
#                             127.0.0.1: DIR/cert.pem, DIR/key.pem

SMTP_PID=
SMTP_PORT=
SMTP_MAILDIR="$TMPDIR_TEST/smtp-received"
SMTP_LOG="$TMPDIR_TEST/smtp.log"

need_smtp()
{
    if ! "$PYTHON" -c 'import aiosmtpd' 2>/dev/null; then
        test_skip_all "python3-aiosmtpd is not installed"
    fi
}

smtp_start()
{
    local ready="$TMPDIR_TEST/smtp.ready" i
    rm -f "$ready"
    : "${SMTP_PORT:=$(free_port)}"
    "$PYTHON" "$MT_SRCDIR/tests/lib/smtp-sink.py" --port "$SMTP_PORT" \
        --maildir "$SMTP_MAILDIR" --log "$SMTP_LOG" --ready "$ready" \
        "$@" >>"$TMPDIR_TEST/smtp.stderr" 2>&1 &
    SMTP_PID=$!
    for i in $(seq 1 100); do
        [ -f "$ready" ] && return 0
        kill -0 "$SMTP_PID" 2>/dev/null || break
        sleep 0.1
    done
    echo "smtp-sink did not start:"
    cat "$TMPDIR_TEST/smtp.stderr"
    return 1
}

smtp_stop()
{
    if [ -n "$SMTP_PID" ]; then
        kill "$SMTP_PID" 2>/dev/null
        wait "$SMTP_PID" 2>/dev/null
        SMTP_PID=
    fi
}
at_exit smtp_stop

smtp_count()
{
    if [ -d "$SMTP_MAILDIR/new" ]; then
        ls "$SMTP_MAILDIR/new" | wc -l
    else
        echo 0
    fi
}

smtp_make_cert()
{
    mkdir -p "$1"
    openssl req -x509 -newkey rsa:2048 -nodes -days 2 \
        -keyout "$1/key.pem" -out "$1/cert.pem" -subj "/CN=localhost" \
        -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" \
        >/dev/null 2>&1
}
