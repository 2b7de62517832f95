#!/usr/bin/python3
"""Run the failure cases of tests/cases/Cnn against the real binary.

Usage: cases.py [--binary PATH] [CASEDIR...]

Without CASEDIR every $MT_SRCDIR/tests/cases/C* folder is run.  For
each case a scratch directory gets a mailtriage.conf (DESIGN 9) and a
Maildir holding the case's .eml files under names that sort in the
same order; one `mailtriage ingest DIR` processes them as one batch
(README of the cases: "filename order, one batch").  Then
`ticket list --json`, `ticket show ID --json` and `message raw ID` are
compared with the expect.json keys that concern ingesting, parsing,
threading and classifying; then `mailtriage send` delivers the
acknowledgments into a Maildir outbox and acks_sent / ack_recipients
are compared with `outbox list --json` and what arrived.  Keys that
need later stages (the IMAP fault scenarios, SLA clocks) are reported
as TAP skips.

Output is one TAP stream, numbered across all cases; the exit status
is 1 when any check failed.  MT_KEEP=1 keeps the scratch directories.
"""

import datetime
import hashlib
import json
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
from email.parser import BytesHeaderParser
from email import policy

TIMEOUT = 300

# expect.json "classification" -> message "kind" of `ticket show --json`
KIND_OF_CLASS = {
    "human": "normal",
    "auto_reply": "auto_reply",
    "bounce": "bounce",
    "list": "list",
    "automated notification": "automated",
}

# Keys of messages.<file> checked here; the others are listed in a
# diagnostic so that nobody believes they were checked.
CHECKED_MSG_KEYS = {
    "subject_decoded", "from_display_decoded", "date_utc",
    "body_text_contains", "body_text_excludes", "body_text_must_not_contain",
    "subject_must_not_contain", "attachments", "attachments_either",
    "tag_found", "classification", "role", "message_id",
    "sender_is_participant_of_1001", "must_not_contain_codepoints",
    "body_text_line_breaks", "ack",
}
# Case-level keys that need a later stage: key -> reason.
LATER_KEYS = {
    "sla": "SLA start is checked with the deadline stage",
    "after_run_1": "needs the IMAP stage (fault injection)",
    "after_run_2": "needs the IMAP stage (fault injection)",
    "must_not": "needs the IMAP stage (fault injection)",
}
# Cases whose IMAP scenario tests/e2e/t1110-imap-cases.sh plays against
# a real Dovecot; here their files run as one Maildir batch.
IMAP_PLAYED = {"C09", "C36", "C38", "C39"}
IMAP_KEYS = {"after_run_1", "after_run_2", "must_not"}
# Cases whose scenario only an IMAP server can play.
IMAP_WORDS = re.compile(r"\b(IMAP|UID|SIGKILL|killed|connection|"
                        r"reconnect|LIST|SELECT|literal|flag)", re.I)


class Tap:
    def __init__(self):
        self.n = 0
        self.failed = 0

    def ok(self, cond, desc, diag=None):
        self.n += 1
        if cond:
            print("ok %d - %s" % (self.n, desc))
        else:
            self.failed += 1
            print("not ok %d - %s" % (self.n, desc))
            if diag:
                for line in str(diag).rstrip("\n").split("\n")[:40]:
                    print("#   " + line)
        sys.stdout.flush()
        return cond

    def skip(self, desc, reason):
        self.n += 1
        print("ok %d - %s # SKIP %s" % (self.n, desc, reason))

    def diag(self, text):
        for line in str(text).rstrip("\n").split("\n"):
            print("# " + line)

    def done(self):
        print("1..%d" % self.n)
        return 1 if self.failed else 0


def short(value, width=200):
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= width else text[:width] + "..."


def norm_id(msgid):
    if msgid is None:
        return None
    msgid = msgid.strip()
    if msgid.startswith("<") and msgid.endswith(">"):
        msgid = msgid[1:-1]
    return msgid.strip() or None


def parse_time(text):
    """ISO 8601 to an aware datetime, None for null/empty."""
    if text in (None, ""):
        return None
    if isinstance(text, (int, float)):
        return datetime.datetime.fromtimestamp(text, datetime.timezone.utc)
    t = text.strip().replace("Z", "+00:00")
    t = re.sub(r"(\.\d+)", "", t)
    try:
        d = datetime.datetime.fromisoformat(t)
    except ValueError:
        return "unparseable: " + text
    if d.tzinfo is None:
        d = d.replace(tzinfo=datetime.timezone.utc)
    return d


def display_name(from_value):
    """The display-name part of "Name <email>"; "" when there is none."""
    if not from_value:
        return ""
    s = from_value.strip()
    i = s.rfind(" <")
    if i < 0:
        return "" if "@" in s else s
    name = s[:i].strip()
    if len(name) >= 2 and name[0] == '"' and name[-1] == '"':
        name = name[1:-1].replace('\\"', '"').replace("\\\\", "\\")
    return name


def sanitized(binary):
    """True when the binary carries ASan (which reserves terabytes of
    address space, so a ulimit -v would kill it on start)."""
    try:
        with open(binary, "rb") as f:
            return b"__asan_init" in f.read()
    except OSError:
        return False


class Runner:
    def __init__(self, binary, workdir):
        self.binary = binary
        self.workdir = workdir
        self.conf = os.path.join(workdir, "mailtriage.conf")

    def run(self, args, limit_as=None):
        def preexec():
            if limit_as:
                resource.setrlimit(resource.RLIMIT_AS, (limit_as, limit_as))
        try:
            p = subprocess.run([self.binary, "-c", self.conf] + args,
                               cwd=self.workdir, capture_output=True,
                               timeout=TIMEOUT,
                               preexec_fn=preexec if limit_as else None)
        except subprocess.TimeoutExpired:
            return 124, b"", b"timed out after %d s" % TIMEOUT
        return p.returncode, p.stdout, p.stderr

    def json(self, args):
        rc, out, err = self.run(args)
        if rc != 0:
            return None, "exit %d: %s" % (rc, err.decode("utf-8", "replace"))
        try:
            return json.loads(out.decode("utf-8")), None
        except (ValueError, UnicodeDecodeError) as e:
            return None, "not JSON (%s): %r" % (e, out[:300])


def write_conf(path, expect, rules_dir, templates_dir, outbox):
    agents = list(expect.get("agents", []))
    support = ["support@example.com"]
    for addr in expect.get("monitored_addresses", []):
        if addr not in support:
            support.append(addr)
    lines = [
        "# written by tests/lib/cases.py for %s" % expect.get("case", "?"),
        "[general]",
        "database = ./var/mailtriage.db",
        "rules = %s" % rules_dir,
        "support_address = support@example.com",
        "ticket_start = 1001",
        "subject_tag = #",
        "timezone = UTC",
    ]
    if templates_dir:
        lines.insert(4, "templates = %s" % templates_dir)
    if len(support) > 1:
        lines.append("support_addresses = %s" % ", ".join(support))
    cfg = expect.get("config", {})
    if "max_message_bytes" in cfg:
        lines += ["", "[limits]",
                  "max_message_bytes = %d" % cfg["max_message_bytes"]]
    lines += ["", "[transport]", "url = maildir:%s" % outbox]
    for addr in agents:
        name = re.sub(r"[^a-z0-9]+", "-", addr.split("@")[0].lower())
        lines += ["", "[agent %s]" % name, "email = %s" % addr]
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")


class CaseFile:
    def __init__(self, path):
        self.name = os.path.basename(path)
        with open(path, "rb") as f:
            self.raw = f.read()
        self.sha = hashlib.sha256(self.raw).hexdigest()
        hdr = BytesHeaderParser(policy=policy.compat32).parsebytes(self.raw)
        self.message_id = norm_id(hdr.get("Message-ID"))


def find_attachment(stored, want):
    """The stored attachment that want describes, or None."""
    for att in stored:
        if "filename" in want and att.get("filename") != want["filename"]:
            continue
        if "filename" not in want:
            if ("content_type" in want and
                    (att.get("content_type") or "").lower()
                    != want["content_type"].lower()):
                continue
            if "size" in want and att.get("size") != want["size"]:
                continue
        return att
    return None


def check_attachments(tap, label, msg, wants):
    stored = list(msg.get("attachments") or [])
    for want in wants:
        what = want.get("filename") or want.get("content_type", "?")
        att = find_attachment(stored, want)
        if not tap.ok(att is not None, "%s: attachment %s is there"
                      % (label, what), "attachments: %s" % short(stored)):
            continue
        stored.remove(att)  # two rfc822 parts must match two entries
        if "size" in want:
            tap.ok(att.get("size") == want["size"],
                   "%s: attachment %s has %d bytes"
                   % (label, what, want["size"]),
                   "got %s" % short(att))
        if "content_type" in want:
            tap.ok((att.get("content_type") or "").lower()
                   == want["content_type"].lower(),
                   "%s: attachment %s is %s"
                   % (label, what, want["content_type"]),
                   "got %s" % short(att))


def check_attachments_either(tap, label, msg, alternatives, events):
    """C33: stored whole, or omitted with a note; never truncated."""
    stored = list(msg.get("attachments") or [])
    whole = [a for a in alternatives if a.get("stored")]
    omitted = [a for a in alternatives if not a.get("stored")]
    name = (whole or omitted)[0].get("filename")
    att = find_attachment(stored, {"filename": name})
    if att is not None and whole and att.get("size") == whole[0]["size"]:
        tap.ok(True, "%s: attachment %s stored whole (%d bytes)"
               % (label, name, whole[0]["size"]))
        return
    notes = (json.dumps(msg.get("problems"), ensure_ascii=False)
             + json.dumps(events, ensure_ascii=False)
             + (msg.get("text") or ""))
    noted = bool(msg.get("problems")) or re.search(
        r"omit|limit|too (large|big)|exceed", notes, re.I) is not None
    truncated = att is not None and whole and \
        att.get("size") not in (None, whole[0]["size"])
    tap.ok(noted and not truncated and omitted,
           "%s: attachment %s stored whole or omitted with a note"
           % (label, name),
           "attachment: %s; problems: %s" % (short(att),
                                             short(msg.get("problems"))))


def text_lines(text):
    return [line.strip() for line in (text or "").splitlines()]


def run_case(tap, binary, casedir, keep):
    case = os.path.basename(os.path.normpath(casedir))
    with open(os.path.join(casedir, "expect.json"), encoding="utf-8") as f:
        expect = json.load(f)
    files = sorted(n for n in os.listdir(casedir) if n.endswith(".eml"))
    cfiles = {n: CaseFile(os.path.join(casedir, n)) for n in files}
    tap.diag("%s: %s" % (case, expect.get("title", "")))

    # file_bytes guards against re-encoding (git autocrlf and friends).
    fb = expect.get("file_bytes", {})
    bad = {n: (len(cfiles[n].raw), fb[n]) for n in fb
           if n in cfiles and len(cfiles[n].raw) != fb[n]}
    tap.ok(not bad and set(fb) <= set(cfiles),
           "%s: case files are byte-exact" % case, "size, expected: %s" % bad)

    work = tempfile.mkdtemp(prefix="mt-case-%s." % case)
    try:
        return _run_case(tap, binary, casedir, case, expect, files, cfiles,
                         work)
    finally:
        if keep:
            tap.diag("kept %s" % work)
        else:
            shutil.rmtree(work, ignore_errors=True)


def _run_case(tap, binary, casedir, case, expect, files, cfiles, work):
    srcdir = os.environ.get("MT_SRCDIR", ".")
    templates = os.path.join(srcdir, "templates")
    rules = os.path.join(work, "rules")
    os.mkdir(rules)
    write_conf(os.path.join(work, "mailtriage.conf"), expect, rules,
               templates if os.path.isdir(templates) else None,
               os.path.join(work, "sent"))
    r = Runner(binary, work)

    # The scenario may ask for a step between two files; C12:
    # "after_01.eml": "an agent closes ticket 1001 before 02.eml arrives".
    scenario = expect.get("scenario") or {}
    steps = {}
    for key, text in scenario.items():
        m = re.match(r"after_(.+\.eml)$", key)
        if m and isinstance(text, str):
            t = re.search(r"\b(close|resolve)s? ticket (\d+)", text)
            if t:
                status = "closed" if t.group(1) == "close" else "resolved"
                steps[m.group(1)] = ["ticket", "set", t.group(2),
                                     "status=%s" % status]
    imap_only = [k for k, v in scenario.items()
                 if not k.startswith("after_")
                 and IMAP_WORDS.search(json.dumps(v))]

    # Batches: all files in one Maildir, split only where a step sits.
    batches, cur = [], []
    for n in files:
        cur.append(n)
        if n in steps:
            batches.append((cur, steps[n]))
            cur = []
    if cur:
        batches.append((cur, None))

    limit = None
    if "ulimit -v" in json.dumps(scenario) and not sanitized(binary) \
            and not os.environ.get("MT_NO_ULIMIT"):
        limit = 256 << 20
    seq = 0
    for bi, (names, step) in enumerate(batches):
        md = os.path.join(work, "in%d" % bi)
        for sub in ("new", "cur", "tmp"):
            os.makedirs(os.path.join(md, sub))
        for n in names:
            seq += 1
            # Sorts like the case files: fixed-width time, then M<seq>.
            dest = "%d.M%03dP1.case" % (1772000000 + seq, seq)
            shutil.copyfile(os.path.join(casedir, n),
                            os.path.join(md, "new", dest))
        rc, out, err = r.run(["ingest", md], limit_as=limit)
        tap.ok(rc == 0, "%s: ingest %s exits 0%s"
               % (case, ", ".join(names),
                  " under ulimit -v 256 MiB" if limit else ""),
               "exit %d\n%s" % (rc, err.decode("utf-8", "replace")))
        if step:
            rc, out, err = r.run(step)
            tap.ok(rc == 0, "%s: %s exits 0" % (case, " ".join(step)),
                   "exit %d\n%s" % (rc, err.decode("utf-8", "replace")))

    tickets, why = r.json(["ticket", "list", "--json"])
    if not tap.ok(isinstance(tickets, list),
                  "%s: ticket list --json is a JSON array" % case, why):
        return
    if "tickets" in expect:
        tap.ok(len(tickets) == expect["tickets"],
               "%s: %d ticket(s)" % (case, expect["tickets"]),
               "got %d: %s" % (len(tickets),
                               short([t.get("id") for t in tickets])))
    ids = sorted(t.get("id") for t in tickets if isinstance(t, dict))
    tap.ok(ids == list(range(1001, 1001 + len(ids))),
           "%s: tickets are numbered from 1001" % case, "got %s" % ids)

    # Every message of every ticket, mapped to its case file: by the raw
    # bytes (`message raw`), else by Message-ID (first file with it).
    by_sha, by_mid = {}, {}
    for n in files:
        by_sha.setdefault(cfiles[n].sha, n)
        if cfiles[n].message_id:
            by_mid.setdefault(cfiles[n].message_id, n)
    shows = {}
    file_of = {}      # stored message id -> file
    where = {}        # file -> (ticket id, message dict), non-duplicates
    extra = []        # non-duplicate messages mapping to no file
    raw_bad = []
    for tid in ids:
        show, why = r.json(["ticket", "show", str(tid), "--json"])
        if not tap.ok(isinstance(show, dict),
                      "%s: ticket show %d --json is a JSON object"
                      % (case, tid), why):
            continue
        shows[tid] = show
        msgs = sorted(show.get("messages") or [],
                      key=lambda m: (m.get("id") or 0))
        for m in msgs:
            if m.get("direction") == "out":
                continue  # ours (acks, relays): no case file
            name = None
            rc, raw, err = r.run(["message", "raw", str(m.get("id"))])
            if rc == 0:
                name = by_sha.get(hashlib.sha256(raw).hexdigest())
                if name is None:
                    raw_bad.append((m.get("id"), len(raw)))
            else:
                raw_bad.append((m.get("id"), "exit %d" % rc))
            if name is None:
                name = by_mid.get(norm_id(m.get("message_id")))
            file_of[m.get("id")] = name
            if m.get("kind") == "duplicate":
                continue
            if name is None or name in where:
                extra.append((tid, m.get("id"), m.get("message_id"), name))
            else:
                where[name] = (tid, m)
    tap.ok(not raw_bad, "%s: message raw gives every message's bytes "
           "unchanged" % case, "messages without a matching file: %s"
           % raw_bad)

    # thread: per ticket in creation order, its files; first = creator.
    for k, want in enumerate(expect.get("thread", [])):
        tid = 1001 + k
        got = sorted((where[n][1].get("id") or 0, n) for n in where
                     if where[n][0] == tid)
        got_names = [n for _, n in got]
        tap.ok(sorted(got_names) == sorted(want)
               and got_names[:1] == want[:1],
               "%s: ticket %d holds %s (created by %s)"
               % (case, tid, ", ".join(want), want[0]),
               "got %s" % (got_names or "nothing"))

    dups = expect.get("duplicates_ignored", [])
    for n in dups:
        tap.ok(n not in where and not any(e[3] == n for e in extra),
               "%s: %s is a duplicate and adds nothing" % (case, n),
               "stored as %s" % short(where.get(n, [None, None])[1]))
    if "thread" in expect:
        tap.ok(not extra, "%s: no message stored twice or out of nowhere"
               % case, "extra messages (ticket, id, message_id, file): %s"
               % extra)

    # ticket-level expectations
    if "ticket_subject" in expect and 1001 in shows:
        tap.ok(shows[1001].get("subject") == expect["ticket_subject"],
               "%s: ticket 1001 keeps subject %s"
               % (case, short(expect["ticket_subject"])),
               "got %s" % short(shows[1001].get("subject")))
    for tid, state in (expect.get("ticket_state_after") or {}).items():
        show = shows.get(int(tid), {})
        tap.ok(show.get("status") == state,
               "%s: ticket %s is %s afterwards" % (case, tid, state),
               "got %s" % short(show.get("status")))

    # per-message expectations
    unchecked = []
    for n, want in sorted((expect.get("messages") or {}).items()):
        label = "%s/%s" % (case, n)
        unchecked += ["%s.%s" % (n, k) for k in want
                      if k not in CHECKED_MSG_KEYS]
        if not tap.ok(n in where, "%s: stored on a ticket" % label,
                      "files on tickets: %s" % sorted(where)):
            continue
        tid, m = where[n]
        check_message(tap, label, tid, m, want,
                      shows.get(tid, {}).get("events"))
    if unchecked:
        tap.diag("%s: not checked here: %s" % (case, ", ".join(unchecked)))

    # messages.<file>.ack: whether an acknowledgment answers that file
    # (ours carry In-Reply-To: the message acknowledged).
    acked = set()
    for tid, show in shows.items():
        for m in show.get("messages") or []:
            if m.get("direction") != "out":
                continue
            rc, raw, err = r.run(["message", "raw", str(m.get("id"))])
            hdr = BytesHeaderParser(policy=policy.compat32).parsebytes(raw)
            if "ack" in (m.get("message_id") or "").split(".")[2:3]:
                acked.add(norm_id(hdr.get("In-Reply-To")))
    for n, want in sorted((expect.get("messages") or {}).items()):
        if "ack" in want and n in where:
            mid = norm_id(where[n][1].get("message_id"))
            tap.ok((mid in acked) == bool(want["ack"]),
                   "%s/%s: %s" % (case, n, "acknowledged" if want["ack"]
                                  else "no acknowledgment"),
                   "acknowledged message ids: %s" % sorted(acked))

    # acknowledgments: queued by ingest, delivered by send
    if "acks_sent" in expect or "ack_recipients" in expect:
        check_acks(tap, case, r, expect, os.path.join(work, "sent"))

    # what belongs to later stages
    for key, reason in LATER_KEYS.items():
        if key in expect and case in IMAP_PLAYED and key in IMAP_KEYS:
            tap.diag("%s: %s: checked by t1110-imap-cases.sh" % (case, key))
        elif key in expect:
            tap.skip("%s: %s" % (case, key), reason)
    if imap_only and case in IMAP_PLAYED:
        tap.diag("%s: scenario %s: played against Dovecot by "
                 "t1110-imap-cases.sh" % (case, ", ".join(imap_only)))
    elif imap_only:
        tap.skip("%s: scenario %s" % (case, ", ".join(imap_only)),
                 "needs the IMAP stage (Dovecot on loopback); "
                 "ran as one Maildir batch")


def check_acks(tap, case, r, expect, sent_dir):
    rc, out, err = r.run(["send"])
    tap.ok(rc == 0, "%s: send exits 0" % case,
           "exit %d\n%s" % (rc, err.decode("utf-8", "replace")))
    rows, why = r.json(["outbox", "list", "--json"])
    if not tap.ok(isinstance(rows, list),
                  "%s: outbox list --json is a JSON array" % case, why):
        return
    acks = [row for row in rows if row.get("kind") == "ack"]
    got = sorted((row.get("to") or "").lower() for row in acks)
    if "acks_sent" in expect:
        tap.ok(len(acks) == expect["acks_sent"],
               "%s: %d acknowledgment(s) sent" % (case, expect["acks_sent"]),
               "got %d: %s" % (len(acks), got))
    if "ack_recipients" in expect:
        want = sorted(a.lower() for a in expect["ack_recipients"])
        tap.ok(got == want, "%s: acknowledgments go to %s"
               % (case, ", ".join(want) or "nobody"), "got %s" % got)
    arrived = []
    newdir = os.path.join(sent_dir, "new")
    if os.path.isdir(newdir):
        arrived = os.listdir(newdir)
    tap.ok(len(arrived) == len(acks) and
           all(row.get("state") == "sent" for row in acks),
           "%s: every acknowledgment arrived in the outbox Maildir once"
           % case, "rows %s, files %d" % (
               [(row.get("to"), row.get("state")) for row in acks],
               len(arrived)))


def check_message(tap, label, tid, m, want, events):
    if "subject_decoded" in want:
        tap.ok(m.get("subject") == want["subject_decoded"],
               "%s: subject %s" % (label, short(want["subject_decoded"])),
               "got %s" % short(m.get("subject")))
    for bad in want.get("subject_must_not_contain", []):
        tap.ok(bad not in (m.get("subject") or ""),
               "%s: subject has no %s" % (label, short(bad)),
               "got %s" % short(m.get("subject")))
    if "from_display_decoded" in want:
        tap.ok(display_name(m.get("from")) == want["from_display_decoded"],
               "%s: from name %s" % (label,
                                     short(want["from_display_decoded"])),
               "got from %s" % short(m.get("from")))
    if "date_utc" in want:
        exp, got = parse_time(want["date_utc"]), parse_time(m.get("date"))
        tap.ok(exp == got, "%s: date %s" % (label, want["date_utc"]),
               "got %s" % short(m.get("date")))
    if "message_id" in want:
        tap.ok(norm_id(m.get("message_id")) == norm_id(want["message_id"]),
               "%s: message_id %s" % (label, want["message_id"]),
               "got %s" % short(m.get("message_id")))
    reply = m.get("reply_text") or ""
    for s in want.get("body_text_contains", []):
        tap.ok(s in reply, "%s: new text contains %s" % (label, short(s)),
               "reply_text: %s" % short(reply, 600))
    for s in want.get("body_text_excludes", []):
        if re.fullmatch(r"\w{1,4}", s):
            # "end" means the uuencode trailer line, not the word.
            ok = s not in text_lines(reply)
            what = "no line %s" % short(s)
        else:
            ok = s not in reply
            what = "no %s" % short(s)
        tap.ok(ok, "%s: new text has %s" % (label, what),
               "reply_text: %s" % short(reply, 600))
    for s in want.get("body_text_must_not_contain", []):
        tap.ok(s not in (m.get("text") or ""),
               "%s: text has no %s" % (label, short(s)),
               "text: %s" % short(m.get("text"), 600))
    rng = re.fullmatch(r"U\+([0-9A-F]{4})\.\.U\+([0-9A-F]{4})",
                       want.get("must_not_contain_codepoints", ""))
    if rng:
        lo, hi = int(rng.group(1), 16), int(rng.group(2), 16)
        seen = ["U+%04X" % ord(c) for f in ("subject", "from", "text")
                for c in (m.get(f) or "") if lo <= ord(c) <= hi]
        tap.ok(not seen, "%s: no code points %s in subject, from, text"
               % (label, want["must_not_contain_codepoints"]),
               "found %s" % seen[:10])
    if "Step 1 and Step 2 on separate lines" in \
            want.get("body_text_line_breaks", ""):
        tap.ok(not any("Step 1" in line and "Step 2" in line
                       for line in reply.splitlines()),
               "%s: Step 1 and Step 2 on separate lines" % label,
               "reply_text: %s" % short(reply, 600))
    if "attachments" in want:
        check_attachments(tap, label, m, want["attachments"])
    if "attachments_either" in want:
        check_attachments_either(tap, label, m, want["attachments_either"],
                                 events)
    tag = want.get("tag_found")
    if tag is not None and \
            want.get("sender_is_participant_of_%d" % tag) is False:
        # C07: a stranger's Fwd: [#1001] must not get into 1001.
        tap.ok(tid != tag, "%s: tag [#%d] from a stranger does not put it "
               "on ticket %d" % (label, tag, tag), "it is on ticket %s" % tid)
    elif tag is not None:
        tap.ok(tid == tag, "%s: tag [#%d] puts it on ticket %d"
               % (label, tag, tag), "it is on ticket %s" % tid)
    if "classification" in want:
        kind = KIND_OF_CLASS.get(want["classification"])
        if kind is None:
            tap.ok(False, "%s: classification %s is known to cases.py"
                   % (label, want["classification"]))
        else:
            tap.ok(m.get("kind") == kind,
                   "%s: kind %s (%s)" % (label, kind,
                                         want["classification"]),
                   "got %s" % short(m.get("kind")))
    if "role" in want:
        role = want["role"].split()[0]
        exp = {"requester": "customer", "participant": "customer",
               "agent": "agent"}.get(role)
        if exp is not None:
            tap.ok(m.get("role") == exp,
                   "%s: role %s (%s)" % (label, exp, role),
                   "got %s" % short(m.get("role")))


def main(argv):
    args = argv[1:]
    binary = None
    if args[:1] == ["--binary"]:
        binary = args[1]
        args = args[2:]
    if binary is None:
        binary = os.path.join(os.environ.get("MT_BUILDDIR", "."),
                              "mailtriage")
    srcdir = os.environ.get("MT_SRCDIR", ".")
    if not args:
        root = os.path.join(srcdir, "tests", "cases")
        args = sorted(os.path.join(root, d) for d in os.listdir(root)
                      if re.fullmatch(r"C\d+", d)
                      and os.path.isfile(os.path.join(root, d,
                                                      "expect.json")))
    if not os.access(binary, os.X_OK):
        reason = "no binary at %s" % binary
        if os.environ.get("MT_REQUIRE_ALL") == "1":
            print("Bail out! " + reason)
            return 1
        print("1..0 # SKIP " + reason)
        return 0
    if not args:
        print("Bail out! no case folders found")
        return 1
    # Lone surrogates from a broken decoder must not break the stream.
    sys.stdout.reconfigure(encoding="utf-8", errors="backslashreplace")
    tap = Tap()
    keep = os.environ.get("MT_KEEP") == "1"
    # A private HOME and no stray config, as test-lib.sh does.
    home = tempfile.mkdtemp(prefix="mt-cases-home.")
    os.environ["HOME"] = home
    os.environ["TZ"] = "UTC"
    try:
        for casedir in args:
            try:
                run_case(tap, binary, casedir, keep)
            except Exception as e:  # a bug here must not hide the rest
                tap.ok(False, "%s: cases.py ran to the end"
                       % os.path.basename(casedir), repr(e))
    finally:
        shutil.rmtree(home, ignore_errors=True)
    return tap.done()


if __name__ == "__main__":
    sys.exit(main(sys.argv))
