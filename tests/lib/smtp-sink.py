#!/usr/bin/python3
"""A real SMTP server on loopback for the outbox tests (DESIGN 10).

Debian's python3-aiosmtpd accepts what mailtriage sends and writes each
message, as received (CRLF turned into LF), into a Maildir: one file
per recipient and message.  Replies are scriptable so that the tests
can play the failures real servers produce:

  --tempfail N       answer 451 to the first N DATA commands
  --reject ADDR      answer 550 to RCPT TO:<ADDR> (repeatable)
  --tls CERT KEY     offer STARTTLS and require it before MAIL
  --smtps CERT KEY   implicit TLS on connect (smtps://)
  --auth USER PASS   require AUTH PLAIN/LOGIN with these credentials

Every command's outcome is appended to --log, one line each, so a test
can count attempts.  The server writes its port to --ready once it
listens, and runs until killed.
"""

import argparse
import asyncio
import os
import signal
import ssl
import sys
import time

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


class Sink:
    def __init__(self, args):
        self.maildir = args.maildir
        self.tempfail = args.tempfail
        self.reject = {a.lower() for a in args.reject}
        self.log = args.log
        self.data_count = 0
        self.seq = 0
        for sub in ("tmp", "new", "cur"):
            os.makedirs(os.path.join(self.maildir, sub), exist_ok=True)

    def note(self, text):
        with open(self.log, "a", encoding="utf-8") as f:
            f.write(text + "\n")

    async def handle_RCPT(self, server, session, envelope, address,
                          rcpt_options):
        if address.lower() in self.reject:
            self.note("RCPT %s 550" % address)
            return "550 5.1.1 <%s>: Recipient address rejected" % address
        envelope.rcpt_tos.append(address)
        self.note("RCPT %s 250" % address)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server, session, envelope):
        self.data_count += 1
        if self.data_count <= self.tempfail:
            self.note("DATA 451")
            return "451 4.3.0 Try again later"
        body = envelope.original_content.replace(b"\r\n", b"\n")
        for rcpt in envelope.rcpt_tos:
            self.seq += 1
            name = "%d.%d_%d.sink" % (time.time(), os.getpid(), self.seq)
            tmp = os.path.join(self.maildir, "tmp", name)
            with open(tmp, "wb") as f:
                f.write(b"X-Envelope-From: <%s>\nX-Envelope-To: <%s>\n"
                        % (envelope.mail_from.encode(), rcpt.encode()))
                f.write(body)
            os.rename(tmp, os.path.join(self.maildir, "new", name))
        self.note("DATA 250 %s" % ",".join(envelope.rcpt_tos))
        return "250 2.0.0 OK queued"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--maildir", required=True)
    ap.add_argument("--log", required=True)
    ap.add_argument("--ready", required=True)
    ap.add_argument("--tempfail", type=int, default=0)
    ap.add_argument("--reject", action="append", default=[])
    ap.add_argument("--tls", nargs=2)
    ap.add_argument("--smtps", nargs=2)
    ap.add_argument("--auth", nargs=2)
    args = ap.parse_args()

    sink = Sink(args)
    kwargs = {}
    if args.tls:
        ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ctx.load_cert_chain(*args.tls)
        kwargs.update(tls_context=ctx, require_starttls=True)
    if args.smtps:
        ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ctx.load_cert_chain(*args.smtps)
        kwargs.update(ssl_context=ctx)
    if args.auth:
        user, password = args.auth

        def authenticator(server, session, envelope, mechanism, auth_data):
            ok = (isinstance(auth_data, LoginPassword)
                  and auth_data.login.decode() == user
                  and auth_data.password.decode() == password)
            sink.note("AUTH %s %s" % (mechanism, "ok" if ok else "refused"))
            return AuthResult(success=ok, handled=False)

        kwargs.update(authenticator=authenticator, auth_required=True,
                      auth_require_tls=bool(args.tls or args.smtps))
    controller = Controller(sink, hostname="127.0.0.1", port=args.port,
                            **kwargs)
    controller.start()
    with open(args.ready + ".tmp", "w") as f:
        f.write("%d\n" % args.port)
    os.rename(args.ready + ".tmp", args.ready)
    signal.signal(signal.SIGTERM, lambda *a: sys.exit(0))
    try:
        signal.pause()
    finally:
        controller.stop()


if __name__ == "__main__":
    main()
