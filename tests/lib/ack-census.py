#!/usr/bin/python3
"""Which new tickets got an acknowledgment, and why the others did not.

Usage: ack-census.py DB MANIFEST.tsv

Reads the store mailtriage wrote (read-only) and the corpus manifest.
For every ticket it takes the message that opened it and reports, by
its stored classification, how many were acknowledged; for the others
the reason recorded in the ticket's ack-withheld event.  Then it checks
every acknowledged message against its headers, independently of
mailtriage's classifier: no acknowledgment may answer a bounce, an
auto-reply or list traffic (exit status 1 when one does).  Files of
sisimai's bounce set that were acknowledged are listed with their
subjects: the set holds a few forwards and complaints people wrote.
"""

import collections
import csv
import re
import sqlite3
import sys
from email import policy
from email.parser import BytesHeaderParser

KINDS = ["normal", "auto_reply", "bounce", "list", "automated", "duplicate"]


def machine_reason(raw):
    """Why an independent reading says no person wrote this; None."""
    try:
        h = BytesHeaderParser(policy=policy.compat32).parsebytes(raw)
    except Exception:
        return None
    get = lambda k: str(h.get(k) or "").strip().lower()
    if get("auto-submitted") not in ("", "no"):
        return "Auto-Submitted"
    if get("precedence") in ("bulk", "junk", "list", "auto_reply"):
        return "Precedence"
    for k in ("list-id", "list-post", "list-unsubscribe", "x-autoreply",
              "x-autorespond", "x-failed-recipients"):
        if h.get(k) is not None:
            return k
    if "multipart/report" in get("content-type"):
        return "multipart/report"
    if get("return-path") == "<>":
        return "empty Return-Path"
    if re.search(r"(mailer-daemon|postmaster)@", get("from")):
        return "From daemon"
    return None


def main():
    db = sqlite3.connect("file:%s?mode=ro" % sys.argv[1], uri=True)
    source_of = {}
    with open(sys.argv[2], newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f, delimiter="\t"):
            source_of[row["sha256"]] = row["source"]
    acked = {r[0] for r in db.execute(
        "SELECT ticket_id FROM outbox WHERE kind = 'ack'")}
    withheld = dict(db.execute(
        "SELECT ticket_id, detail FROM events WHERE kind = 'ack-withheld'"))
    rows = db.execute(
        "SELECT m.ticket_id, m.kind, m.sha256, m.raw FROM messages m"
        " WHERE m.id = (SELECT min(id) FROM messages"
        "  WHERE ticket_id = m.ticket_id AND direction = 0)")
    by_kind = collections.Counter()
    acks_by_kind = collections.Counter()
    reasons = collections.Counter()
    bad = []
    sisimai = []
    for tid, kind, sha, raw in rows:
        name = KINDS[kind]
        by_kind[name] += 1
        source = source_of.get(sha, "?")
        if tid in acked:
            acks_by_kind[name] += 1
            why = machine_reason(raw)
            if why is not None or name != "normal":
                bad.append((tid, name, source, why))
            elif source.startswith("sisimai"):
                h = BytesHeaderParser(policy=policy.default).parsebytes(raw)
                sisimai.append((tid, str(h.get("from")),
                                str(h.get("subject"))))
        else:
            detail = withheld.get(tid, "(no event)")
            detail = re.sub(r"^no acknowledgment: ", "", detail)
            detail = re.sub(r"\(.*", "", detail)
            detail = re.sub(r"^rate limit:.*", "rate limit", detail)
            detail = re.sub(r"^\S+ (is an agent|reads no mail|is our own"
                            r" address)", r"\1", detail)
            detail = re.sub(r"^outbox: cannot send.*", "not an address",
                            detail)
            reasons[detail.strip()] += 1
    print("tickets %d, acknowledgments %d, withheld %d"
          % (sum(by_kind.values()), len(acked), sum(reasons.values())))
    print("opening message kind: tickets / acknowledged")
    for k in KINDS:
        if by_kind[k]:
            print("  %-12s %5d / %d" % (k, by_kind[k], acks_by_kind[k]))
    print("why no acknowledgment:")
    for r, n in reasons.most_common():
        print("  %5d  %s" % (n, r))
    sis = sum(1 for s in source_of.values() if s.startswith("sisimai"))
    print("sisimai bounces in the corpus: %d, acknowledged: %d"
          % (sis, len(sisimai)))
    for t in sisimai:
        print("  ticket %s from %s: %s" % t)
    for b in bad[:20]:
        print("ACK TO MACHINE MAIL: ticket %s kind %s source %s (%s)" % b)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
