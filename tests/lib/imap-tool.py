#!/usr/bin/python3
"""imap-tool.py - what the IMAP tests do to the test Dovecot, over a real
IMAP connection (Python's imaplib), as the user DOVECOT_USER on
127.0.0.1:DOVECOT_PORT from the environment (tests/lib/dovecot.sh).

  append FOLDER FILE|DIR...   APPEND messages in the order given (a DIR
                              is a Maildir: new/ then cur/, by name);
                              creates FOLDER when missing
  uids FOLDER                 "UID FLAGS" per message, in UID order
  create FOLDER               create a folder
  flag FOLDER UID FLAG        add FLAG (e.g. '\\Seen') to message UID
Environment: IMAP_DATE, an INTERNALDATE for append
('"01-Jan-2024 10:00:00 +0000"').
Folder names are UTF-8 here and modified UTF-7 on the wire."""

import base64
import imaplib
import os
import sys


def utf7(name):
    out, run = [], []

    def flush():
        if run:
            b = "".join(run).encode("utf-16-be")
            out.append("&" + base64.b64encode(b).decode().rstrip("=")
                       .replace("/", ",") + "-")
            run.clear()
    for ch in name:
        if 0x20 <= ord(ch) <= 0x7e:
            flush()
            out.append("&-" if ch == "&" else ch)
        else:
            run.append(ch)
    flush()
    return "".join(out)


def quoted(name):
    return '"' + utf7(name).replace("\\", "\\\\").replace('"', '\\"') + '"'


def connect():
    imap = imaplib.IMAP4("127.0.0.1", int(os.environ["DOVECOT_PORT"]))
    imap.login(os.environ["DOVECOT_USER"], os.environ["DOVECOT_PASSWORD"])
    return imap


def files_of(paths):
    for p in paths:
        if os.path.isdir(p):
            for sub in ("new", "cur"):
                d = os.path.join(p, sub)
                if os.path.isdir(d):
                    for n in sorted(os.listdir(d)):
                        if not n.startswith("."):
                            yield os.path.join(d, n)
        else:
            yield p


def main():
    cmd, folder = sys.argv[1], sys.argv[2]
    imap = connect()
    if cmd in ("append", "create"):
        typ, _ = imap.create(quoted(folder))  # NO when it exists: fine
        if cmd == "create":
            return
        n = 0
        for path in files_of(sys.argv[3:]):
            with open(path, "rb") as f:
                data = f.read()
            typ, resp = imap.append(quoted(folder), None,
                                    os.environ.get("IMAP_DATE"), data)
            if typ != "OK":
                sys.exit("append %s: %s" % (path, resp))
            n += 1
        print(n)
    elif cmd == "flag":
        imap.select(quoted(folder))
        typ, resp = imap.uid("STORE", sys.argv[3], "+FLAGS", sys.argv[4])
        if typ != "OK":
            sys.exit("store: %s" % resp)
    elif cmd == "uids":
        typ, _ = imap.select(quoted(folder))
        if typ != "OK":
            sys.exit("select %s failed" % folder)
        typ, data = imap.uid("FETCH", "1:*", "(UID FLAGS)")
        for line in data:
            if line is None:
                continue
            text = line.decode()
            uid = text.split("UID ")[1].split()[0].rstrip(")")
            flags = text.split("FLAGS (")[1].split(")")[0]
            print(uid, flags)
    imap.logout()


main()
