#!/bin/bash
# mail.sh - small helpers the outbox tests share: write a test message,
# put it into a Maildir, and read the headers of what we sent.  Source
# it after test-lib.sh.

# mail_new FILE FROM SUBJECT MSGID [HEADER...]: a plain text message
# from FROM to support@example.com; each extra HEADER is a whole line.
mail_new()
{
    local file=$1 from=$2 subject=$3 msgid=$4
    shift 4
    {
        printf 'Return-Path: <%s>\n' "$(printf '%s' "$from" | sed 's/.*<//; s/>.*//')"
        printf 'From: %s\nTo: support@example.com\nSubject: %s\n' \
            "$from" "$subject"
        printf 'Date: Tue, 10 Mar 2026 09:00:00 +0000\n'
        printf 'Message-ID: <%s>\n' "$msgid"
        for h in "$@"; do printf '%s\n' "$h"; done
        printf 'MIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\n\n'
        printf 'Hello,\n\nplease help with %s.\n\nThanks\n' "$msgid"
    } >"$file"
}

# maildir_put DIR FILE...: deliver FILEs into the Maildir DIR, in order.
_mail_seq=1000000
maildir_put()
{
    local dir=$1 f
    shift
    mkdir -p "$dir/new" "$dir/cur" "$dir/tmp"
    for f in "$@"; do
        # Names sort in delivery order: the Maildir source reads them so.
        _mail_seq=$((_mail_seq + 1))
        cp "$f" "$dir/new/$_mail_seq.M${_mail_seq}P$$.test"
    done
}

# mail_header FILE NAME: the decoded value of header NAME in FILE (all
# of them, one a line), as a mail client shows it.
mail_header()
{
    "$PYTHON" - "$1" "$2" <<'EOF_PY'
import sys
from email import policy
from email.parser import BytesParser
with open(sys.argv[1], "rb") as f:
    msg = BytesParser(policy=policy.default).parse(f)
for v in msg.get_all(sys.argv[2]) or []:
    print(str(v))
EOF_PY
}

# mail_body FILE: the decoded text body of FILE.
mail_body()
{
    "$PYTHON" - "$1" <<'EOF_PY'
import sys
from email import policy
from email.parser import BytesParser
with open(sys.argv[1], "rb") as f:
    msg = BytesParser(policy=policy.default).parse(f)
print(msg.get_body(("plain",)).get_content(), end="")
EOF_PY
}

# sent_to DIR ADDR: the files in Maildir DIR/new addressed To ADDR.
sent_to()
{
    grep -l -i "^To:.*$2" "$1"/new/* 2>/dev/null
}
