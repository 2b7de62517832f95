#!/usr/bin/python3
"""Zammad's parser expectations against `mailtriage message parse`.

Usage: zammad.py [--binary PATH] [--shared DIR] [FILE.box...]

For every ../shared/corpus/zammad/test/data/mail/mailNNN.box with its
mailNNN.yml (the expected result of Zammad's Channel::EmailParser#parse,
see ../shared/corpus/SOURCES.md) the fields Zammad's own spec checks are
compared with our parse, one TAP line per (file, field).  A key absent
from a .yml is not checked, as in Zammad's spec.  The rules:

  from               the .yml's "Name <addr>" string, read with Python's
                     email.utils.parseaddr, against our from_name and
                     from_email: address case-insensitively, name after
                     whitespace normalisation (runs of whitespace, NBSP
                     included, become one space; ends stripped).
  from_email         case-insensitive equality with our from_email.
  from_display_name  equality after whitespace normalisation with our
                     from_name ('' and null are the same).
  to, cc, reply-to   the .yml string (the decoded header, addresses
                     joined by ", ") read with email.utils.getaddresses,
                     against our list in order: every address
                     case-insensitively, every name after whitespace
                     normalisation with one pair of enclosing double
                     quotes removed.  '' is the empty list.
  subject            equality after whitespace normalisation (null and
                     '' are the same).
  content_type       Zammad stores text/html when the message has an
                     HTML body; we pass when has_html agrees.
  body               Zammad stores its own rendering: the decoded text for
                     text/plain (with the placeholder "no visible content"
                     for an empty one, which we read as ''), or HTML run
                     through its sanitiser for text/html.  Rule: for
                     text/plain, equality of our `text` after whitespace
                     normalisation; for text/html, the tags are stripped
                     and entities decoded (conformance.strip_html), then
                     both texts must have a word-sequence similarity
                     (difflib ratio) of at least 0.90 -- our `text` of a
                     multipart/alternative message is its text/plain part,
                     theirs the HTML one, so exact equality is not
                     expected there.
  attachments        the MD5 of each expected attachment's data must be
                     among the md5 of our attachments (extra attachments
                     of ours are allowed, as in Zammad's spec).  Not
                     counted: the attachment Zammad synthesises itself
                     whenever the body is HTML -- "message.html" with
                     preferences content-alternative and original-format,
                     which is the unsanitised HTML body, not a part of the
                     message.  The field is checked only for files that
                     have at least one real expected attachment (an empty
                     list would pass vacuously).

Misses that are Zammad conventions rather than our bugs are listed in
zammad-known-misses.txt ("mailNNN.box FIELD: reason") and are reported
as TAP TODO; they still count as misses in the rates.  The last test
fails when the total pass rate over all checked fields is below 97%.
Skips (TAP "1..0 # SKIP") when ../shared is absent.
"""

import base64
import email.utils
import hashlib
import os
import sys

import yaml

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import conformance as cf  # noqa: E402

THRESHOLD = 97.0
BODY_RATIO = 0.90
HERE = os.path.dirname(os.path.abspath(__file__))


class RubyLoader(yaml.SafeLoader):
    """SafeLoader that reads Psych's Ruby tags as plain data:
    !ruby/hash:... as a mapping, !binary as bytes."""


def _any_tag(loader, suffix, node):
    if isinstance(node, yaml.MappingNode):
        return loader.construct_mapping(node, deep=True)
    if isinstance(node, yaml.SequenceNode):
        return loader.construct_sequence(node, deep=True)
    return loader.construct_scalar(node)


def _binary(loader, node):
    return base64.b64decode("".join(loader.construct_scalar(node).split()))


RubyLoader.add_constructor("!binary", _binary)
RubyLoader.add_multi_constructor("!", _any_tag)


def load_yml(path):
    with open(path, "rb") as fh:
        return yaml.load(fh, Loader=RubyLoader)


def addr_key(name, addr):
    name = cf.norm_ws(name)
    if len(name) >= 2 and name[0] == '"' and name[-1] == '"':
        name = cf.norm_ws(name[1:-1])
    return (name, (addr or "").strip().lower())


def their_list(s):
    if not s:
        return []
    return [addr_key(n, a) for n, a in email.utils.getaddresses([s])
            if n or a]


def our_list(lst):
    return [addr_key(x.get("name"), x.get("email")) for x in lst or []]


def our_single(s):
    """Our reply_to string ("Name <addr>" or "addr") as a list."""
    if not s:
        return []
    n, a = email.utils.parseaddr(s)
    return [addr_key(n, a)]


def is_synthesised(att):
    prefs = att.get("preferences") or {}
    return bool(prefs.get("content-alternative")) and \
        bool(prefs.get("original-format"))


def att_md5(data):
    if data is None:
        data = b""
    if isinstance(data, str):
        data = data.encode("utf-8")
    return hashlib.md5(data).hexdigest()


def check_file(tap, name, exp, got):
    if isinstance(got, str):
        # Our parse failed: every field of the file is a miss.
        for field in exp:
            if field == "attachments" and not [
                    a for a in exp[field] or [] if not is_synthesised(a)]:
                continue
            tap.check(name, field, False, detail=got)
        return

    if "from" in exp:
        n, a = email.utils.parseaddr(exp["from"] or "")
        want = addr_key(n, a)
        have = addr_key(got.get("from_name"), got.get("from_email"))
        tap.check(name, "from", want == have, want, have)
    if "from_email" in exp:
        want = (exp["from_email"] or "").strip().lower()
        have = (got.get("from_email") or "").strip().lower()
        tap.check(name, "from_email", want == have, exp["from_email"],
                  got.get("from_email"))
    if "from_display_name" in exp:
        want = cf.norm_ws(exp["from_display_name"])
        have = cf.norm_ws(got.get("from_name"))
        tap.check(name, "from_display_name", want == have, want, have)
    for field, ours in (("to", our_list(got.get("to"))),
                        ("cc", our_list(got.get("cc"))),
                        ("reply-to", our_single(got.get("reply_to")))):
        if field in exp:
            want = their_list(exp[field])
            tap.check(name, field, want == ours, want, ours)
    if "subject" in exp:
        want = cf.norm_ws(exp["subject"])
        have = cf.norm_ws(got.get("subject"))
        tap.check(name, "subject", want == have, want, have)
    if "content_type" in exp:
        want = exp["content_type"] == "text/html"
        have = bool(got.get("has_html"))
        tap.check(name, "content_type", want == have, exp["content_type"],
                  "has_html=%s" % have)
    if "body" in exp:
        body = exp["body"] or ""
        text = got.get("text") or ""
        if exp.get("content_type") == "text/html":
            want = cf.norm_ws(cf.strip_html(body))
            have = cf.norm_ws(text)
            ratio = cf.word_ratio(want, have)
            tap.check(name, "body", ratio >= BODY_RATIO, want, have,
                      detail="html body: word similarity %.3f < %.2f"
                      % (ratio, BODY_RATIO))
        else:
            want = cf.norm_ws(body)
            if want == "no visible content":
                want = ""
            have = cf.norm_ws(text)
            detail = None
            if want != have:
                i = 0
                while i < min(len(want), len(have)) and want[i] == have[i]:
                    i += 1
                detail = "text body differs at char %d: expected %r, " \
                         "got %r" % (i, want[i:i + 40], have[i:i + 40])
            tap.check(name, "body", want == have, want, have, detail=detail)
    real = [a for a in exp.get("attachments") or []
            if not is_synthesised(a)]
    if real:
        ours = {a.get("md5") for a in got.get("attachments") or []}
        missing = [a for a in real if att_md5(a.get("data")) not in ours]
        want = ["%s %s" % (a.get("filename"), att_md5(a.get("data")))
                for a in real]
        have = ["%s %s %s" % (a.get("filename"), a.get("size"), a.get("md5"))
                for a in got.get("attachments") or []]
        tap.check(name, "attachments", not missing, want, have,
                  detail="missing: %s" % ", ".join(
                      "%s (%d bytes)" % (a.get("filename"),
                                         len(a.get("data") or b""))
                      for a in missing))


def main():
    args = sys.argv[1:]
    binary = shared = None
    while args and args[0].startswith("--"):
        opt = args.pop(0)
        if opt == "--binary":
            binary = args.pop(0)
        elif opt == "--shared":
            shared = args.pop(0)
        else:
            sys.exit("usage: zammad.py [--binary PATH] [--shared DIR] "
                     "[FILE.box...]")
    shared = shared or cf.find_shared()
    maildir = os.path.join(shared, "corpus", "zammad", "test", "data", "mail")
    if not os.path.isdir(shared):
        cf.skip_all("../shared not present")
    if not os.path.isdir(maildir):
        cf.skip_all("no Zammad corpus at %s" % maildir)
    binary = cf.find_binary(binary)
    if not os.access(binary, os.X_OK):
        cf.skip_all("no binary at %s" % binary)

    if args:
        boxes = [os.path.abspath(a) for a in args]
    else:
        boxes = sorted(os.path.join(maildir, f) for f in os.listdir(maildir)
                       if f.startswith("mail") and f.endswith(".box"))
    boxes = [b for b in boxes if os.path.exists(b[:-4] + ".yml")]

    known = cf.load_known_misses(os.path.join(HERE,
                                              "zammad-known-misses.txt"))
    tap = cf.Tap(known)
    parsed = cf.parse_files(binary, boxes)
    for box in boxes:
        check_file(tap, os.path.basename(box), load_yml(box[:-4] + ".yml"),
                   parsed[box])
    checked, passed = tap.summary("Zammad (%d files)" % len(boxes))
    rate = 100.0 * passed / checked if checked else 0.0
    tap.ok(rate >= THRESHOLD,
           "overall pass rate %.1f%% %s %.0f%%"
           % (rate, ">=" if rate >= THRESHOLD else "<", THRESHOLD))
    tap.done()


if __name__ == "__main__":
    main()
