#!/bin/bash
# dovecot.sh - a throw-away Dovecot (imapd) on 127.0.0.1 for the IMAP
# tests (DESIGN 10).  Source it after test-lib.sh, then:
#
#   dovecot_start_or_bail   dovecot_start, or the script's TAP
#                           "Bail out!" with Dovecot's output
#   dovecot_desk DIR [LINES...]   a desk in DIR whose one source is
#                           the server's INBOX over STARTTLS (LINES add
#                           to or replace the source's url,
#                           password_file, ca_file/tls_verify)
#   dovecot_start           start it; sets DOVECOT_PORT (plain and
#                           STARTTLS), DOVECOT_TLS_PORT (implicit TLS),
#                           DOVECOT_USER, DOVECOT_PASSWORD_FILE (mode
#                           600), DOVECOT_CA (the certificate that signed
#                           the server's, for ca_file), DOVECOT_MAILDIR
#   dovecot_append FOLDER FILE|DIR...   APPEND messages over IMAP (a
#                           DIR is a Maildir: its new/ and cur/)
#   dovecot_stop            stop it (also registered with at_exit)
#   dovecot_uids FOLDER     "UID FLAGS" lines of what is in FOLDER
#   dovecot_flag FOLDER UID FLAG   add a flag, as a person's client does
#   dovecot_doveadm ARGS... doveadm against this server
#
# DOVECOT_EXTRA_CONF, set before dovecot_start, is appended to the
# config (e.g. imap_capability, to play an older server).
#
# Everything lives in $TMPDIR_TEST/dovecot: the config, a passwd-file
# user, a CA and a server certificate (made with openssl at test time,
# for 127.0.0.1 and localhost), the Maildir and the log.  Dovecot runs
# as the test's own user; no port below 1024, nothing outside the
# temp directory.

DOVECOT_DIR="$TMPDIR_TEST/dovecot"

# need_dovecot: skip the script when Dovecot or openssl is missing.
need_dovecot()
{
    if [ ! -x /usr/sbin/dovecot ]; then
        test_skip_all "dovecot not installed (Debian: dovecot-imapd)"
    fi
    if ! command -v openssl >/dev/null 2>&1; then
        test_skip_all "openssl not installed"
    fi
}

_dovecot_certs()
{
    local d=$DOVECOT_DIR
    openssl req -x509 -newkey rsa:2048 -nodes -days 2 \
        -subj "/CN=mailtriage test CA" \
        -addext "basicConstraints=critical,CA:TRUE" \
        -addext "keyUsage=critical,keyCertSign,cRLSign" \
        -keyout "$d/ca.key" -out "$d/ca.pem" 2>/dev/null || return 1
    openssl req -newkey rsa:2048 -nodes -subj "/CN=localhost" \
        -keyout "$d/server.key" -out "$d/server.csr" 2>/dev/null || return 1
    printf '%s\n' "subjectAltName=DNS:localhost,IP:127.0.0.1" \
        "extendedKeyUsage=serverAuth" "basicConstraints=CA:FALSE" \
        >"$d/server.ext"
    openssl x509 -req -in "$d/server.csr" -CA "$d/ca.pem" \
        -CAkey "$d/ca.key" -CAcreateserial -days 2 \
        -extfile "$d/server.ext" -out "$d/server.pem" 2>/dev/null || return 1
    # A second, self-signed certificate that nobody trusts.
    openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=localhost" \
        -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" \
        -keyout "$d/rogue.key" -out "$d/rogue.pem" 2>/dev/null
}

# dovecot_start [rogue]: with "rogue", the server shows the self-signed
# certificate no one trusts.
dovecot_start()
{
    local d=$DOVECOT_DIR user group login_user internal_user internal_group
    local cert=server
    [ "${1:-}" = rogue ] && cert=rogue
    mkdir -p "$d/run" "$d/state" "$d/home"
    if [ ! -f "$d/server.pem" ]; then
        _dovecot_certs || { echo "dovecot.sh: openssl failed"; return 1; }
    fi
    user=$(id -un)
    group=$(id -gn)
    login_user=$user
    internal_user=$user
    internal_group=$group
    if [ "$(id -u)" = 0 ]; then
        # Dovecot will not run its login and auth processes as root:
        # use Debian's unprivileged users for them, and let them
        # reach the sockets under our temp directory.
        # Nor will it give mail access to root: the mail is Debian's
        # dovecot user's.
        login_user=dovenull
        internal_user=dovecot
        internal_group=dovecot
        user=dovecot
        group=dovecot
        chmod 711 "$TMPDIR_TEST" "$d"
        mkdir -p "$d/home/support"
        chown dovecot:dovecot "$d/home/support"
    fi
    DOVECOT_USER=support
    DOVECOT_PASSWORD=s3cret-Pa55
    printf '%s:{PLAIN}%s::::::\n' "$DOVECOT_USER" "$DOVECOT_PASSWORD" \
        >"$d/passwd"
    DOVECOT_PASSWORD_FILE="$d/password"
    printf '%s\n' "$DOVECOT_PASSWORD" >"$DOVECOT_PASSWORD_FILE"
    chmod 600 "$DOVECOT_PASSWORD_FILE"
    DOVECOT_CA="$d/ca.pem"
    DOVECOT_MAILDIR="$d/home/$DOVECOT_USER/Maildir"
    : "${DOVECOT_PORT:=$(free_port)}"
    : "${DOVECOT_TLS_PORT:=$(free_port)}"
    cat >"$d/dovecot.conf" <<CONF
base_dir = $d/run
state_dir = $d/state
instance_name = mt-$$-$DOVECOT_PORT
log_path = $d/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = yes
ssl_cert = <$d/$cert.pem
ssl_key = <$d/$cert.key
disable_plaintext_auth = no
auth_mechanisms = plain login
default_internal_user = $internal_user
default_internal_group = $internal_group
default_login_user = $login_user
first_valid_uid = 0
first_valid_gid = 0
mail_location = maildir:~/Maildir
mail_uid = $user
mail_gid = $group
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u $d/passwd
}
userdb {
  driver = static
  args = home=$d/home/%u
}
service imap-login {
  chroot =
  inet_listener imap {
    address = 127.0.0.1
    port = $DOVECOT_PORT
  }
  inet_listener imaps {
    address = 127.0.0.1
    port = $DOVECOT_TLS_PORT
    ssl = yes
  }
}
service anvil {
  chroot =
}
service stats {
  chroot =
}
service auth-worker {
  user = $user
}
namespace inbox {
  inbox = yes
  separator = /
}
${DOVECOT_EXTRA_CONF:-}
CONF
    /usr/sbin/dovecot -c "$d/dovecot.conf" || {
        echo "dovecot.sh: dovecot did not start"; cat "$d/dovecot.log"
        return 1
    }
    at_exit dovecot_stop
    # Wait until it answers.
    local i
    for i in $(seq 1 100); do
        if "$PYTHON" -c 'import socket,sys
s=socket.create_connection(("127.0.0.1",int(sys.argv[1])),1)
sys.exit(0 if s.recv(100).startswith(b"* OK") else 1)' "$DOVECOT_PORT" \
            2>/dev/null; then
            export DOVECOT_PORT DOVECOT_TLS_PORT DOVECOT_USER DOVECOT_PASSWORD \
                DOVECOT_PASSWORD_FILE DOVECOT_CA DOVECOT_MAILDIR
            return 0
        fi
        sleep 0.1
    done
    echo "dovecot.sh: dovecot does not answer on port $DOVECOT_PORT"
    cat "$d/dovecot.log"
    return 1
}

dovecot_start_or_bail()
{
    dovecot_start "$@" >dovecot-start.log 2>&1 && return 0
    sed 's/^/# /' dovecot-start.log
    echo "Bail out! dovecot did not start"
    exit 1
}

# The batch size makes a run of the sample mailbox take several
# transactions.
dovecot_desk()
{
    local dir=$1
    shift
    rm -rf "$dir" && mkdir -p "$dir"
    {
        printf '%s\n' "[general]" "database = var/mailtriage.db" \
            "support_address = support@example.com" "batch_size = 7" "" \
            "[source support]"
        if ! printf '%s\n' "$@" | grep -q "^url ="; then
            echo "url = imap://127.0.0.1:$DOVECOT_PORT/INBOX"
        fi
        echo "user = support"
        if ! printf '%s\n' "$@" | grep -q "^password_"; then
            echo "password_file = $DOVECOT_PASSWORD_FILE"
        fi
        if ! printf '%s\n' "$@" | grep -q "^ca_file\|^tls_verify"; then
            echo "ca_file = $DOVECOT_CA"
        fi
        printf '%s\n' "$@"
    } >"$dir/mailtriage.conf"
}

dovecot_stop()
{
    [ -f "$DOVECOT_DIR/dovecot.conf" ] || return 0
    /usr/sbin/dovecot -c "$DOVECOT_DIR/dovecot.conf" stop 2>/dev/null
    # dovecot stop returns before the master is gone; wait for it.
    local pid i
    pid=$(cat "$DOVECOT_DIR/run/master.pid" 2>/dev/null) || return 0
    for i in $(seq 1 50); do
        kill -0 "$pid" 2>/dev/null || return 0
        sleep 0.1
    done
}

# dovecot_doveadm ARGS...: doveadm against the test server.
dovecot_doveadm()
{
    doveadm -c "$DOVECOT_DIR/dovecot.conf" "$@"
}

dovecot_append()
{
    "$PYTHON" "$MT_SRCDIR/tests/lib/imap-tool.py" append "$@"
}

dovecot_flag()
{
    "$PYTHON" "$MT_SRCDIR/tests/lib/imap-tool.py" flag "$@"
}

dovecot_uids()
{
    "$PYTHON" "$MT_SRCDIR/tests/lib/imap-tool.py" uids "$@"
}
