#!/usr/bin/python3
# gen-history.py - a desk's history made through the real binary, and
# the report figures it must give, computed from the generator's own
# knowledge (never from the store).
#
#   gen-history.py make BIN DIR --now TIME [--tickets N] [--days D]
#                  [--seed S] [--mode mixed|breached]
#       runs `BIN --now T ingest` and `BIN --now T ticket set` in DIR
#       (which holds mailtriage.conf) in time order, and writes
#       DIR/history.json: per ticket what happened and when.
#   gen-history.py expect HISTORY --since T --until T [--by KEY]
#       prints the report's JSON figures ("all", "groups") as
#       report.h defines them.
#   gen-history.py check FORMAT GOT WANT
#       compares a report in FORMAT (json, csv, text, html) with the
#       expected figures; prints each difference, exits 1 on any.
#
# Mail arrives with a top Received: line, which sets received_at, so
# that many days go in one ingest run; an agent's answer is a mail From
# alice or bob with the customer in To (a reply-all), which stops the
# clock; resolving and pausing are `ticket set ID status=...`.
import argparse
import calendar
import email.utils
import json
import os
import random
import subprocess
import sys
import time

HOUR = 3600
DAY = 24 * HOUR
SLA = 24 * HOUR
AGENTS = ["alice", "bob"]
CATEGORIES = ["billing", "hardware", "network"]
# Replies that are ratings, with the score and comment csat must read.
RATINGS = [
    ("5", 5, None),
    ("5/5 - quick and friendly", 5, "quick and friendly"),
    ("4 - good", 4, "good"),
    ("Sehr gut!", 5, None),
    ("3\n\nIt works, but it took a week.", 3, "It works, but it took a week."),
    ("2, nobody called back", 2, "nobody called back"),
    ("Poor", 1, None),
    ("Très bien", 5, None),
    ("4 of 5", 4, None),
    ("1: three reminders before anyone answered", 1,
     "three reminders before anyone answered"),
]


def iso(t):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))


def parse_time(text):
    return calendar.timegm(time.strptime(text, "%Y-%m-%dT%H:%M:%SZ"))


class Desk:
    """Runs the binary in time order: consecutive mails go into one
    Maildir and one ingest run.  A status change of a ticket that has a
    mail waiting flushes them first; any other runs at once, since it
    touches no ticket those mails go to.  New tickets thus still come
    in the order they were opened, and each ticket sees its own mails
    and changes in time order."""

    def __init__(self, binary, workdir):
        self.bin = binary
        self.dir = os.path.abspath(workdir)
        self.pending = []
        self.pending_tickets = set()
        self.batches = 0
        self.runs = 0

    def run(self, now, *args):
        self.runs += 1
        subprocess.run([self.bin, "--now", iso(now)] + list(args),
                       cwd=self.dir, check=True, stdout=subprocess.DEVNULL)

    def mail(self, at, ticket, raw):
        self.pending.append((at, raw))
        self.pending_tickets.add(ticket)

    def flush(self):
        if not self.pending:
            return
        self.batches += 1
        md = os.path.join(self.dir, "batch%d" % self.batches)
        for sub in ("new", "cur", "tmp"):
            os.makedirs(os.path.join(md, sub))
        for i, (at, raw) in enumerate(self.pending):
            name = "%d.M%06dP1.gen" % (at, i)
            with open(os.path.join(md, "new", name), "w") as f:
                f.write(raw)
        self.run(max(at for at, _ in self.pending) + 1, "ingest", md)
        self.pending = []
        self.pending_tickets = set()

    def set(self, at, ticket, *kv):
        if ticket in self.pending_tickets:
            self.flush()
        self.run(at, "ticket", "set", str(ticket), *kv)


def message(at, frm, to, subject, msgid, body, cc=None, reply_to=None):
    date = email.utils.formatdate(at, usegmt=True)
    lines = [
        "Received: from mx.example.net by mx.example.com; %s" % date,
        "From: %s" % frm,
        "To: %s" % to,
    ]
    if cc:
        lines.append("Cc: %s" % cc)
    lines += [
        "Subject: %s" % subject,
        "Date: %s" % date,
        "Message-ID: <%s>" % msgid,
        "MIME-Version: 1.0",
        "Content-Type: text/plain; charset=utf-8",
        "Content-Transfer-Encoding: 8bit",
    ]
    if reply_to:
        lines.append("In-Reply-To: <%s>" % reply_to)
    return "\n".join(lines) + "\n\n" + body + "\n"


def plan(rng, n, now, days, mode, next_sla):
    """Each ticket's story as events at times, from the generator's own
    dice: created, answered, pending (the agent waits on the customer),
    resume (the customer's reply to a pending ticket), followup (a
    customer's new question after an answer: the next-response clock),
    resolved, rated, reopened.  The times only grow, and a story is cut
    an hour before now."""
    tickets = []
    start = now - days * DAY
    for i in range(n):
        t0 = rng.randint(start, now - 2 * HOUR)
        tk = {"id": 1001 + i, "created": t0,
              "customer": "cust%d@example.org" % i}
        ev = [(t0, "open")]
        # The first answer after `a` seconds of running clock.
        if mode == "breached":
            answered = True
            a = SLA + rng.randint(60, 3 * DAY)
        else:
            answered = rng.random() < 0.85
            if rng.random() < 0.8:
                a = rng.randint(5 * 60, 20 * HOUR)
            else:
                a = SLA + rng.randint(60, 2 * DAY)
        paused = 0
        if mode != "breached" and rng.random() < 0.25:
            # The agent asks for something first: the clock pauses until
            # the customer answers (or for good when never).
            p0 = t0 + rng.randint(60, max(120, min(a, 20 * HOUR) - 60))
            ev.append((p0, "pending"))
            if answered or rng.random() < 0.5:
                paused = rng.randint(HOUR, 3 * DAY)
                ev.append((p0 + paused, "resume"))
        elif not answered and rng.random() < 0.15:
            ev.append((t0 + rng.randint(600, 4 * HOUR), "pending"))
        if answered:
            t = t0 + a + paused
            ev.append((t, "answer"))
            if rng.random() < 0.3:
                # A follow-up question, answered in time or late, maybe
                # after a pause of its own.
                t_f = t + rng.randint(HOUR, 2 * DAY)
                ev.append((t_f, "followup"))
                if rng.random() < 0.7:
                    b = rng.randint(10 * 60, next_sla - 10 * 60)
                else:
                    b = next_sla + rng.randint(60, DAY)
                d = 0
                if rng.random() < 0.3:
                    p0 = t_f + rng.randint(60, max(120, min(b, next_sla) - 60))
                    d = rng.randint(HOUR, 2 * DAY)
                    ev += [(p0, "pending"), (p0 + d, "resume")]
                t = t_f + b + d
                ev.append((t, "answer"))
            cycles = 1
            r = rng.random()
            if r < 0.08:
                cycles = 3   # resolved, reopened, resolved, reopened twice
            elif r < 0.2:
                cycles = 2
            for c in range(cycles):
                if rng.random() > 0.7 and c == 0:
                    break
                if rng.random() < 0.3:
                    # Waiting on a customer who never answers, then
                    # resolved: pending time, not resolution time.
                    t += rng.randint(HOUR, DAY)
                    ev.append((t, "pending"))
                t += rng.randint(HOUR, 4 * DAY)
                ev.append((t, "resolve"))
                if rng.random() < 0.45:
                    t += rng.randint(600, DAY)
                    ev.append((t, "rate", rng.randrange(len(RATINGS))))
                if c + 1 < cycles:
                    t += rng.randint(HOUR, 3 * DAY)
                    ev.append((t, "reopen"))
                    if rng.random() < 0.1:
                        continue  # resolved again with no answer
                    # An agent answers the reopened ticket, in time or
                    # late.
                    if rng.random() < 0.75:
                        t += rng.randint(600, next_sla - 600)
                    else:
                        t += next_sla + rng.randint(60, DAY)
                    ev.append((t, "answer"))
        tk["events"] = [e for e in ev if e[0] < now - HOUR]
        tickets.append(tk)
    return tickets


def simulate(tk, now, sla, next_sla):
    """What the desk knows of one ticket now, from its story alone: the
    statuses and DESIGN 8's clock, as the report must see them."""
    st = {"status": "new", "fr": None, "resolved_at": None, "reopens": [],
          "rating": None, "categorized": False, "clocks": [],
          "pending_since": None, "pending_total": 0}
    clock = None  # the running one: kind, start, paused_at, paused

    def deadline(ck, upto=None):
        paused = ck["paused"]
        if ck["paused_at"] is not None and upto is not None:
            paused += upto - ck["paused_at"]
        return ck["start"] + (sla if ck["kind"] == "first"
                              else next_sla) + paused

    def start(at):
        return {"kind": "first" if st["fr"] is None else "next",
                "start": at, "paused_at": None, "paused": 0}

    def end(at, answered):
        st["clocks"].append({
            "kind": clock["kind"], "start": clock["start"],
            "due": deadline(clock, at), "end": at, "answered": answered,
            "paused": clock["paused"] + (at - clock["paused_at"]
                                         if clock["paused_at"] is not None
                                         else 0)})

    def leave_pending(at):
        if st["pending_since"] is not None:
            st["pending_total"] += at - st["pending_since"]
            st["pending_since"] = None

    for ev in tk["events"]:
        at, kind = ev[0], ev[1]
        if kind == "open":
            clock = start(at)
        elif kind == "answer":
            if clock is not None:
                end(at, True)
                clock = None
            if st["fr"] is None:
                st["fr"] = at
            if st["status"] == "new":
                st["status"] = "open"
        elif kind == "pending":
            st["status"] = "pending"
            if st["pending_since"] is None:
                st["pending_since"] = at
            if clock is not None and clock["paused_at"] is None:
                clock["paused_at"] = at
        elif kind in ("resume", "followup", "reopen"):
            if kind == "reopen":
                st["reopens"].append(at)
                st["resolved_at"] = None
            leave_pending(at)
            st["status"] = "open"
            if clock is None:
                clock = start(at)
            elif clock["paused_at"] is not None:
                clock["paused"] += at - clock["paused_at"]
                clock["paused_at"] = None
        elif kind == "resolve":
            leave_pending(at)
            if clock is not None:
                end(at, False)
                clock = None
            st["status"] = "resolved"
            st["resolved_at"] = at
            st["categorized"] = True
        elif kind == "rate":
            st["rating"] = RATINGS[ev[2]][1:]
    clocks = st["clocks"]
    if clock is not None:
        clocks.append({"kind": clock["kind"], "start": clock["start"],
                       "due": (deadline(clock) if clock["paused_at"] is None
                               else None),
                       "end": None, "answered": False,
                       "paused": clock["paused"]})
    return {
        "first_response": st["fr"], "resolved_at": st["resolved_at"],
        "status": st["status"],
        # The running clock's deadline (none while paused).
        "due": clocks[-1]["due"] if clocks and clocks[-1]["end"] is None
        else None,
        "reopens": st["reopens"],
        "rating": list(st["rating"]) if st["rating"] else None,
        "categorized": st["categorized"],
        "pending_total": st["pending_total"],
        "first_paused": sum(ck["paused"] for ck in clocks
                            if ck["kind"] == "first"),
        "first_clocks": [{"start": ck["start"], "paused": ck["paused"]}
                         for ck in clocks if ck["kind"] == "first"],
        "next_clocks": [ck for ck in clocks if ck["kind"] == "next"],
    }


def make(args):
    rng = random.Random(args.seed)
    now = parse_time(args.now)
    tickets = plan(rng, args.tickets, now, args.days, args.mode,
                   args.next_sla)
    # Ticket numbers follow creation order.
    tickets.sort(key=lambda tk: (tk["created"], tk["id"]))
    for i, tk in enumerate(tickets):
        tk["id"] = 1001 + i
        tk["category"] = CATEGORIES[i % len(CATEGORIES)]
        tk["agent"] = AGENTS[i % len(AGENTS)]
    timeline = []
    for tk in tickets:
        for k, ev in enumerate(tk["events"]):
            timeline.append((ev[0], tk["id"], k, tk, ev))
    timeline.sort(key=lambda e: (e[0], e[1], e[2]))
    desk = Desk(args.binary, args.dir)
    for at, tid, k, tk, ev in timeline:
        kind = ev[1]
        subj = "Problem %d" % tid
        root = "t%d@example.org" % tid
        cust = "Customer %d <%s>" % (tid, tk["customer"])
        tag = "Re: [#%d] %s" % (tid, subj)
        if kind == "open":
            desk.mail(at, tid, message(
                at, cust, "support@example.com", subj, root,
                "Something is broken (%d)." % tid))
        elif kind == "answer":
            a = tk["agent"]
            desk.mail(at, tid, message(
                at, "%s <%s@example.com>" % (a, a), cust, tag,
                "a%d.%d@example.com" % (tid, k), "Please try again now.",
                cc="support@example.com", reply_to=root))
        elif kind == "reopen":
            desk.mail(at, tid, message(
                at, cust, "support@example.com", tag,
                "r%d.%d@example.org" % (tid, k),
                "It is broken again, please help.", reply_to=root))
        elif kind == "rate":
            text = RATINGS[ev[2]][0]
            desk.mail(at, tid, message(
                at, cust, "support@example.com", tag,
                "s%d.%d@example.org" % (tid, k),
                text + "\n\nOn a day, support wrote:\n> How did we do?",
                reply_to=root))
        elif kind in ("resume", "followup"):
            desk.mail(at, tid, message(
                at, cust, "support@example.com", tag,
                "%s%d.%d@example.org" % (kind[0], tid, k),
                "Here is what you asked for: it still fails at step %d."
                % k if kind == "resume" else
                "One more question: does it work with the old model?",
                reply_to=root))
        elif kind == "resolve":
            desk.set(at, tid, "status=resolved",
                     "category=" + tk["category"], "assignee=" + tk["agent"])
        elif kind == "pending":
            desk.set(at, tid, "status=pending")
    desk.flush()

    # What the desk knows now, from the plan alone.
    out = []
    for tk in tickets:
        known = simulate(tk, now, SLA, args.next_sla)
        categorized = known.pop("categorized")
        known.update({
            "id": tk["id"], "created": tk["created"],
            "category": tk["category"] if categorized else None,
            "agent": tk["agent"] if categorized else None,
        })
        out.append(known)
    with open(os.path.join(args.dir, "history.json"), "w") as f:
        json.dump({"now": now, "sla": SLA, "next_sla": args.next_sla,
                   "tickets": out}, f)
    print("tickets=%d ingest_runs=%d runs=%d" %
          (len(out), desk.batches, desk.runs), file=sys.stderr)


def percentile(values, p):
    if not values:
        return None
    v = sorted(values)
    rank = max(1, (len(v) * p + 99) // 100)
    return v[rank - 1]


def figures(tickets, since, until, sla):
    f = {"opened": 0, "resolved": 0, "reopened": 0, "backlog": 0,
         "ages": [], "frts": [], "res": [], "due": 0, "met": 0,
         "next_due": 0, "next_met": 0,
         "opened_resolved": 0, "ratings": [], "buckets": [0] * 5}
    for t in tickets:
        c = t["created"]
        if c >= until:
            continue
        done = t["status"] == "resolved"
        r = t["resolved_at"]
        f["reopened"] += sum(1 for x in t["reopens"] if since <= x < until)
        # Next-response clocks started in the period, of any ticket.
        for ck in t.get("next_clocks", []):
            if not since <= ck["start"] < until:
                continue
            if ck["answered"] and ck["end"] < until:
                f["next_due"] += 1
                if ck["end"] <= ck["due"]:
                    f["next_met"] += 1
            elif ck["due"] is not None and ck["due"] < min(
                    until, ck["end"] if ck["end"] is not None else until):
                f["next_due"] += 1
        if done and r is not None and since <= r < until:
            f["resolved"] += 1
            # Waiting on the customer is not resolution time.
            f["res"].append(max(0, r - c - t.get("pending_total", 0)))
        if not done or r is None or r >= until:
            f["backlog"] += 1
            age = until - c
            f["ages"].append(age)
            f["buckets"][sum(1 for lim in (DAY, 3 * DAY, 7 * DAY, 30 * DAY)
                             if age >= lim)] += 1
        if c < since:
            continue
        f["opened"] += 1
        opened_resolved = done and r is not None and r < until
        if opened_resolved:
            f["opened_resolved"] += 1
        fr = t["first_response"]
        # The pause of its first-response clocks started before until.
        paused = sum(ck["paused"] for ck in t.get("first_clocks", [])
                     if ck["start"] < until)
        if fr is not None and fr < until:
            frt = max(0, fr - c - paused)
            f["frts"].append(frt)
            f["due"] += 1
            if frt <= sla:
                f["met"] += 1
        elif t["status"] != "pending":
            end = r if opened_resolved else until
            if end - c - paused > sla:
                f["due"] += 1
        if t["rating"]:
            f["ratings"].append(t["rating"][0])
    scores = [f["ratings"].count(s) for s in range(1, 6)]
    return {
        "opened": f["opened"],
        "resolved": f["resolved"],
        "reopened": f["reopened"],
        "resolution_rate": (round(100.0 * f["opened_resolved"] / f["opened"],
                                  1) if f["opened"] else None),
        "backlog": {
            "count": f["backlog"],
            "age_median": percentile(f["ages"], 50),
            "age_p90": percentile(f["ages"], 90),
            "by_age": dict(zip(["lt_1d", "1d_3d", "3d_7d", "7d_30d",
                                "ge_30d"], f["buckets"])),
        },
        "first_response": {"count": len(f["frts"]),
                           "median": percentile(f["frts"], 50),
                           "p90": percentile(f["frts"], 90)},
        "resolution_time": {"count": len(f["res"]),
                            "median": percentile(f["res"], 50),
                            "p90": percentile(f["res"], 90)},
        "sla": {"first_response": {
            "due": f["due"], "met": f["met"],
            "percent": (round(100.0 * f["met"] / f["due"], 1)
                        if f["due"] else None)},
            "next_response": {
                "due": f["next_due"], "met": f["next_met"],
                "percent": (round(100.0 * f["next_met"] / f["next_due"], 1)
                            if f["next_due"] else None)}},
        "escalations": {"warnings": 0, "breaches": 0},
        "csat": {"count": len(f["ratings"]),
                 "average": (round(sum(f["ratings"]) / len(f["ratings"]), 2)
                             if f["ratings"] else None),
                 "scores": scores},
    }


def expect(args):
    h = json.load(open(args.history))
    since, until = parse_time(args.since), parse_time(args.until)
    tickets = h["tickets"]
    out = {"all": figures(tickets, since, until, h["sla"]), "groups": [],
           "by": args.by}
    if args.by:
        field = {"category": "category", "agent": "agent"}[args.by]
        missing = "(unassigned)" if args.by == "agent" else "(none)"
        keys = sorted({t[field] or missing for t in tickets
                       if t["created"] < until})
        for k in keys:
            sub = [t for t in tickets if (t[field] or missing) == k]
            g = figures(sub, since, until, h["sla"])
            g["key"] = k
            out["groups"].append(g)
    json.dump(out, sys.stdout, indent=1, sort_keys=True)


def duration_text(secs):
    """report_duration_text() of report.c."""
    if secs is None or secs < 0:
        return "-"
    if secs >= DAY:
        return "%dd %dh" % (secs // DAY, secs % DAY // HOUR)
    if secs >= HOUR:
        return "%dh %dm" % (secs // HOUR, secs % HOUR // 60)
    if secs >= 60:
        return "%dm" % (secs // 60)
    return "%ds" % secs


def compare(path, got, want, errors):
    if isinstance(want, dict):
        if not isinstance(got, dict):
            errors.append("%s: got %r, want an object" % (path, got))
            return
        for k in want:
            compare(path + "." + k, got.get(k), want[k], errors)
    elif isinstance(want, list):
        if not isinstance(got, list) or len(got) != len(want):
            errors.append("%s: got %r, want %r" % (path, got, want))
            return
        for i, (g, w) in enumerate(zip(got, want)):
            compare("%s[%d]" % (path, i), g, w, errors)
    elif isinstance(want, float) or isinstance(got, float):
        # C rounds half away from binary, Python half to even.
        if got is None or want is None or abs(got - want) > 0.051:
            errors.append("%s: got %r, want %r" % (path, got, want))
    elif got != want:
        errors.append("%s: got %r, want %r" % (path, got, want))


CSV_COLUMNS = [
    ("opened", "opened"), ("resolved", "resolved"),
    ("reopened", "reopened"), ("backlog", "backlog.count"),
    ("backlog_age_median", "backlog.age_median"),
    ("backlog_age_p90", "backlog.age_p90"),
    ("backlog_lt_1d", "backlog.by_age.lt_1d"),
    ("backlog_1d_3d", "backlog.by_age.1d_3d"),
    ("backlog_3d_7d", "backlog.by_age.3d_7d"),
    ("backlog_7d_30d", "backlog.by_age.7d_30d"),
    ("backlog_ge_30d", "backlog.by_age.ge_30d"),
    ("first_response_count", "first_response.count"),
    ("first_response_median", "first_response.median"),
    ("first_response_p90", "first_response.p90"),
    ("resolution_count", "resolution_time.count"),
    ("resolution_median", "resolution_time.median"),
    ("resolution_p90", "resolution_time.p90"),
    ("sla_first_response_due", "sla.first_response.due"),
    ("sla_first_response_met", "sla.first_response.met"),
    ("sla_first_response_percent", "sla.first_response.percent"),
    ("sla_next_response_due", "sla.next_response.due"),
    ("sla_next_response_met", "sla.next_response.met"),
    ("sla_next_response_percent", "sla.next_response.percent"),
    ("escalation_warnings", "escalations.warnings"),
    ("escalation_breaches", "escalations.breaches"),
    ("resolution_rate", "resolution_rate"),
    ("csat_count", "csat.count"), ("csat_average", "csat.average"),
] + [("csat_%d" % i, "csat.scores.%d" % (i - 1)) for i in range(1, 6)]


def dig(d, path):
    for part in path.split("."):
        d = d[int(part)] if isinstance(d, list) else d[part]
    return d


def check_csv(text, want, errors):
    import csv
    import io
    rows = list(csv.DictReader(io.StringIO(text)))
    by_key = {r["group"]: r for r in rows}
    wanted = [("all", want["all"])]
    for g in want["groups"]:
        wanted.append((want["by"] + ":" + g["key"], g))
    if len(rows) != len(wanted):
        errors.append("csv: %d rows, want %d" % (len(rows), len(wanted)))
    for key, w in wanted:
        row = by_key.get(key)
        if row is None:
            errors.append("csv: no row %s" % key)
            continue
        for col, path in CSV_COLUMNS:
            wv = dig(w, path)
            gv = row[col]
            if wv is None:
                if gv != "":
                    errors.append("csv %s.%s: got %r, want empty" %
                                  (key, col, gv))
            elif isinstance(wv, float) or "." in gv:
                compare("csv %s.%s" % (key, col), float(gv), float(wv),
                        errors)
            elif gv != str(wv):
                errors.append("csv %s.%s: got %r, want %r" %
                              (key, col, gv, wv))


def pct_text(v):
    return "-" if v is None else "%.1f%%" % v


def text_lines(w):
    """The lines of the figures block, as report_text() writes them
    (percentages and averages are compared apart: rounding)."""
    fr, rt, bl = w["first_response"], w["resolution_time"], w["backlog"]
    return [
        r"Tickets opened +%d$" % w["opened"],
        r"Tickets resolved +%d$" % w["resolved"],
        r"Tickets reopened +%d$" % w["reopened"],
        r"Backlog +%d +age median %s, p90 %s$" % (
            bl["count"], duration_text(bl["age_median"]),
            duration_text(bl["age_p90"])),
        r"by age +<1d %d +1-3d %d +3-7d %d +7-30d %d +30d\+ %d$" % tuple(
            bl["by_age"][k] for k in
            ("lt_1d", "1d_3d", "3d_7d", "7d_30d", "ge_30d")),
        r"First response +median +%s +p90 %s +\(%d answered\)$" % (
            duration_text(fr["median"]), duration_text(fr["p90"]),
            fr["count"]),
        r"Resolution time median +%s +p90 %s +\(%d resolved\)$" % (
            duration_text(rt["median"]), duration_text(rt["p90"]),
            rt["count"]),
        r"SLA first response met +\S+ +\(%d of %d deadlines\)$" % (
            w["sla"]["first_response"]["met"],
            w["sla"]["first_response"]["due"]),
        r"SLA next response met +\S+ +\(%d of %d deadlines\)$" % (
            w["sla"]["next_response"]["met"],
            w["sla"]["next_response"]["due"]),
        r"Escalation warnings +%d$" % w["escalations"]["warnings"],
        r"Escalation breaches +%d$" % w["escalations"]["breaches"],
        r"Satisfaction +\S+ +\(%d ratings; 1: %d +2: %d +3: %d +4: %d +5: "
        r"%d\)$" % ((w["csat"]["count"],) + tuple(w["csat"]["scores"])),
    ]


def check_pct(what, got, want, errors):
    """A percentage as the text shows it ("87.5%", "-") against want."""
    if got is None or (want is None) != (got == "-") or (
            want is not None and abs(float(got.rstrip("%")) - want) > 0.051):
        errors.append("%s: %r, want %r" % (what, got, want))


def check_text(text, want, errors):
    import re
    w = want["all"]
    for pattern in text_lines(w):
        if not re.search(r"^ +" + pattern, text, re.M):
            errors.append("text: no line matching %r" % pattern)
    for clock, name in (("first_response", "first response"),
                        ("next_response", "next response")):
        m = re.search(r"^ +SLA %s met +(\S+)" % name, text, re.M)
        got = m and m.group(1)
        check_pct("text: SLA %s" % name, got,
                  w["sla"][clock]["percent"], errors)
    for g in want["groups"]:
        m = re.search(r"^  " + re.escape(g["key"]) + " (.*)$", text, re.M)
        if not m:
            errors.append("text: no group row %r" % g["key"])
            continue
        # ... first SLA, next SLA, breaches, CSAT
        cells = m.group(1).split()
        check_pct("text: group %s SLA first" % g["key"], cells[-4],
                  g["sla"]["first_response"]["percent"], errors)
        check_pct("text: group %s SLA next" % g["key"], cells[-3],
                  g["sla"]["next_response"]["percent"], errors)


def check_html(text, want, errors):
    import html
    w = want["all"]
    rows = {
        "Tickets opened": str(w["opened"]),
        "Tickets resolved": str(w["resolved"]),
        "Tickets reopened": str(w["reopened"]),
        "Escalation breaches": str(w["escalations"]["breaches"]),
    }
    for name, value in rows.items():
        if "<tr><th>%s</th><td>%s</td></tr>" % (name, value) not in text:
            errors.append("html: no row %s = %s" % (name, value))
    fr = w["first_response"]
    needle = html.escape("median %s, p90 %s (%d answered)" % (
        duration_text(fr["median"]), duration_text(fr["p90"]), fr["count"]))
    if needle not in text:
        errors.append("html: no first response %r" % needle)
    rt = w["resolution_time"]
    needle = html.escape("median %s, p90 %s (%d resolved)" % (
        duration_text(rt["median"]), duration_text(rt["p90"]), rt["count"]))
    if needle not in text:
        errors.append("html: no resolution time %r" % needle)
    for clock, name in (("first_response", "first"),
                        ("next_response", "next")):
        s = w["sla"][clock]
        needle = "<tr><th>SLA %s response met</th><td>%s (%d of %d " \
            "deadlines)</td></tr>" % (name, pct_text(s["percent"]),
                                      s["met"], s["due"])
        if needle not in text:
            # The percentage may round the other way: compare the rest.
            needle = "(%d of %d deadlines)</td></tr>" % (s["met"], s["due"])
            m = [ln for ln in text.splitlines()
                 if ln.startswith("<tr><th>SLA %s response met" % name)]
            if not m or needle not in m[0]:
                errors.append("html: no SLA %s row %r" % (name, needle))
    for i, n in enumerate(w["csat"]["scores"]):
        if "<tr><td>%d</td><td class=\"n\">%d</td></tr>" % (i + 1, n) \
                not in text:
            errors.append("html: no score row %d: %d" % (i + 1, n))


def check(args):
    text = open(args.got, encoding="utf-8").read()
    want = json.load(open(args.want))
    errors = []
    if args.format == "json":
        got = json.loads(text)
        compare("all", got["all"], want["all"], errors)
        if [g["key"] for g in got["groups"]] != \
                [g["key"] for g in want["groups"]]:
            errors.append("groups: got %r, want %r" % (
                [g["key"] for g in got["groups"]],
                [g["key"] for g in want["groups"]]))
        else:
            for g, w in zip(got["groups"], want["groups"]):
                compare(g["key"], g, w, errors)
    elif args.format == "csv":
        check_csv(text, want, errors)
    elif args.format == "text":
        check_text(text, want, errors)
    else:
        check_html(text, want, errors)
    for e in errors[:40]:
        print(e)
    sys.exit(1 if errors else 0)


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    m = sub.add_parser("make")
    m.add_argument("binary")
    m.add_argument("dir")
    m.add_argument("--now", required=True)
    m.add_argument("--tickets", type=int, default=2000)
    m.add_argument("--days", type=int, default=90)
    m.add_argument("--seed", type=int, default=8)
    m.add_argument("--mode", default="mixed")
    # [sla] next_response in DIR's config, in seconds.
    m.add_argument("--next-sla", type=int, default=SLA)
    e = sub.add_parser("expect")
    e.add_argument("history")
    e.add_argument("--since", required=True)
    e.add_argument("--until", required=True)
    e.add_argument("--by")
    c = sub.add_parser("check")
    c.add_argument("format", choices=["json", "csv", "text", "html"])
    c.add_argument("got")
    c.add_argument("want")
    args = ap.parse_args()
    if args.cmd == "make":
        make(args)
    elif args.cmd == "expect":
        expect(args)
    else:
        check(args)


if __name__ == "__main__":
    main()
