#!/usr/bin/python3
"""stalwart mail-parser's expectations against `mailtriage message parse`.

Usage: stalwart.py [--binary PATH] [--shared DIR] [FILE.eml...]

For every ../shared/corpus/stalwart-mail-parser/resources/eml/*/NNN.eml
with its NNN.json (serde's dump of the crate's parsed Message, made
after every CR was removed from the message; see
../shared/corpus/SOURCES.md) the fields below are compared with our
parse, one TAP line per (file, field).  A field is checked only when
the .json has something to compare (most malformed/ and thirdparty/
files have no From, To or Date, for example).  Only the headers of
part 0 (the message itself) count.

  subject            the first Subject, equal after whitespace
                     normalisation (runs of whitespace become one space,
                     ends stripped).
  from               the first address of the first From: address
                     case-insensitively, name after whitespace
                     normalisation ('' and null are the same).  Skipped
                     when stalwart found no address in it.
  to                 the first To header's list in order, each pair as
                     for from (mailboxes without an address are left
                     out on both sides).
  message_id         the first Message-ID without <>, exact.
  date               the first Date as a UTC instant, equal to ours to
                     the second.
  attachment_names   the names (Content-Disposition filename, else
                     Content-Type name) of stalwart's attachments: each
                     must be among our attachment file names (a multiset
                     inclusion; our generated names for nameless parts
                     do not matter).  Text and HTML parts that stalwart
                     lists both as attachment and as body text (inline
                     text after the first body part) are body here, as
                     they are for us.
  attachment_sizes   the decoded size of each Binary/InlineBinary
                     attachment must be among our attachment sizes
                     (multiset inclusion); decoded text and nested
                     messages are not compared by size (charset
                     conversion and the removed CRs change it).
  body               stalwart's text_body parts, plus the text parts
                     (text/plain, html, enriched, richtext) it lists as
                     attachments although they have no name, no
                     "attachment" disposition and no multipart/
                     alternative above them (inline text after the first
                     body part, which we show as text), in part order
                     (Text as is, Html with the tags stripped and
                     entities decoded), joined by a newline, against our
                     `text`: a word-sequence similarity (difflib ratio)
                     of at least 0.90 after whitespace normalisation.
                     Both empty is a pass.

Misses that are stalwart conventions rather than our bugs are listed in
stalwart-known-misses.txt ("dir/NNN.eml FIELD: reason") and reported
as TAP TODO; an unlisted miss is "not ok".  Threshold: none on the
overall rate (report only): stalwart's corpus is mostly malformed and
legacy MIME whose "right" answer is stalwart's own choice, so the rates
are printed, raw and without the known misses, and only unlisted
misses fail.  Skips (TAP "1..0 # SKIP") when ../shared is absent.
"""

import calendar
import collections
import json
import os
import sys
import time

# No __pycache__ in the source tree.
sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import conformance as cf  # noqa: E402

BODY_RATIO = 0.90
# The text types we show inline (parse.c is_inline_text_type).
INLINE_TEXT = {("text", "plain"), ("text", "html"), ("text", "enriched"),
               ("text", "richtext")}
HERE = os.path.dirname(os.path.abspath(__file__))


def header_name(h):
    n = h.get("name")
    if isinstance(n, str):
        return n
    if isinstance(n, dict):
        # {"Other": "X-Foo"} and the like
        return "other:" + str(next(iter(n.values()), "")).lower()
    return ""


def first_header(part, name):
    for h in part.get("headers") or []:
        if header_name(h) == name:
            return h.get("value")
    return None


def addr_list(value):
    """[(name, address)] of an Address header value, or None."""
    if not isinstance(value, dict) or "Address" not in value:
        return None
    a = value["Address"]
    out = []
    if "List" in a:
        items = a["List"] or []
    elif "Group" in a:
        items = [m for g in a["Group"] or [] for m in g.get("addresses") or []]
    else:
        items = []
    for m in items:
        out.append((cf.norm_ws(m.get("name")),
                    (m.get("address") or "").strip().lower()))
    return out


def ctype_params(value):
    if not isinstance(value, dict) or "ContentType" not in value:
        return None, None, {}
    ct = value["ContentType"]
    params = {}
    for a in ct.get("attributes") or []:
        params.setdefault((a.get("name") or "").lower(), a.get("value"))
    return ct.get("c_type"), ct.get("c_subtype"), params


def part_name(part):
    _, _, disp = ctype_params(first_header(part, "content_disposition"))
    _, _, ctp = ctype_params(first_header(part, "content_type"))
    return disp.get("filename") or ctp.get("name")


def is_inline_text(part):
    """A text/* part without a name and without "attachment" disposition:
    stalwart lists it as an attachment when it is not the first body
    part, a mail client (and we) show it as text."""
    if body_kind(part)[0] not in ("Text", "Html") or part_name(part):
        return False
    ctype, sub, _ = ctype_params(first_header(part, "content_type"))
    ctype, sub = (ctype or "text").lower(), (sub or "plain").lower()
    # A multipart stalwart read as Text had no boundary in it: its
    # content is text either way.
    if ctype != "multipart" and (ctype, sub) not in INLINE_TEXT:
        return False
    disp, _, _ = ctype_params(first_header(part, "content_disposition"))
    return (disp or "").lower() != "attachment"


def in_alternative(parts, i):
    """Whether part i lies below a multipart/alternative."""
    parent = {}
    for j, p in enumerate(parts):
        kind, children = body_kind(p)
        if kind == "Multipart":
            for c in children or []:
                parent.setdefault(c, j)
    while i in parent:
        i = parent[i]
        _, sub, _ = ctype_params(first_header(parts[i], "content_type"))
        if (sub or "").lower() == "alternative":
            return True
    return False


def body_kind(part):
    b = part.get("body")
    if isinstance(b, str):
        return b, None
    k = next(iter(b))
    return k, b[k]


def utc_iso(dt):
    try:
        secs = calendar.timegm((dt["year"], dt["month"], dt["day"],
                                dt["hour"], dt["minute"], dt["second"]))
    except (KeyError, TypeError, ValueError, OverflowError):
        return None
    off = (dt.get("tz_hour", 0) * 60 + dt.get("tz_minute", 0)) * 60
    secs += off if dt.get("tz_before_gmt") else -off
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(secs))


def multiset_missing(want, have):
    c = collections.Counter(have)
    missing = []
    for w in want:
        if c[w] > 0:
            c[w] -= 1
        else:
            missing.append(w)
    return missing


def check_file(tap, name, exp, got):
    parts = exp.get("parts") or []
    root = parts[0] if parts else {"headers": []}
    checks = []

    v = first_header(root, "subject")
    if isinstance(v, dict) and "Text" in v:
        checks.append(("subject", cf.norm_ws(v["Text"]),
                       lambda g: cf.norm_ws(g.get("subject"))))
    lst = addr_list(first_header(root, "from"))
    if lst and lst[0][1]:
        checks.append(("from", list(lst[0]),
                       lambda g: [cf.norm_ws(g.get("from_name")),
                                  (g.get("from_email") or "").lower()]))
    lst = addr_list(first_header(root, "to"))
    if lst is not None:
        want = [list(p) for p in lst if p[1]]
        if want:
            checks.append(("to", want, lambda g: [
                [cf.norm_ws(x.get("name")), (x.get("email") or "").lower()]
                for x in g.get("to") or [] if x.get("email")]))
    v = first_header(root, "message_id")
    if isinstance(v, dict) and "Text" in v:
        checks.append(("message_id", v["Text"].strip(),
                       lambda g: g.get("message_id")))
    v = first_header(root, "date")
    if isinstance(v, dict) and "DateTime" in v:
        when = utc_iso(v["DateTime"])
        if when is not None:
            checks.append(("date", when, lambda g: g.get("date")))

    body_idx = set()
    for i in (exp.get("text_body") or []) + (exp.get("html_body") or []):
        if 0 <= i < len(parts) and body_kind(parts[i])[0] in ("Text",
                                                              "Html"):
            body_idx.add(i)
    names, sizes = [], []
    for i in exp.get("attachments") or []:
        if i in body_idx or not 0 <= i < len(parts):
            continue
        n = part_name(parts[i])
        if n:
            names.append(n)
        kind, data = body_kind(parts[i])
        if kind in ("Binary", "InlineBinary"):
            sizes.append(len(data))
    if names:
        checks.append(("attachment_names", sorted(names), None))
    if sizes:
        checks.append(("attachment_sizes", sorted(sizes), None))

    texts = []
    for i in sorted(set(exp.get("text_body") or []) |
                    {i for i in exp.get("attachments") or []
                     if 0 <= i < len(parts) and is_inline_text(parts[i])
                     and not in_alternative(parts, i)}):
        if not 0 <= i < len(parts):
            continue
        kind, data = body_kind(parts[i])
        if kind == "Text":
            texts.append(data)
        elif kind == "Html":
            texts.append(cf.strip_html(data))
    checks.append(("body", cf.norm_ws("\n".join(texts)), None))

    for field, want, getter in checks:
        if isinstance(got, str):
            tap.check(name, field, False, detail=got)
            continue
        detail = None
        if field == "attachment_names":
            have = sorted(a.get("filename") or "" for a in
                          got.get("attachments") or [])
            ok = not multiset_missing(want, have)
        elif field == "attachment_sizes":
            have = sorted(a.get("size") for a in got.get("attachments") or [])
            ok = not multiset_missing(want, have)
        elif field == "body":
            have = cf.norm_ws(got.get("text"))
            ratio = cf.word_ratio(want, have) if want or have else 1.0
            ok = ratio >= BODY_RATIO
            detail = "word similarity %.3f < %.2f" % (ratio, BODY_RATIO)
        else:
            have = getter(got)
            ok = want == have
        tap.check(name, field, ok, want, have, detail=detail)


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
            sys.exit("usage: stalwart.py [--binary PATH] [--shared DIR] "
                     "[FILE.eml...]")
    shared = shared or cf.find_shared()
    top = os.path.join(shared, "corpus", "stalwart-mail-parser", "resources",
                       "eml")
    if not os.path.isdir(shared):
        cf.skip_all("../shared not present")
    if not os.path.isdir(top):
        cf.skip_all("no stalwart corpus at %s" % top)
    binary = cf.find_binary(binary)
    if not os.access(binary, os.X_OK):
        cf.skip_all("no binary at %s" % binary)

    if args:
        emls = [os.path.abspath(a) for a in args]
    else:
        emls = sorted(os.path.join(top, d, f)
                      for d in sorted(os.listdir(top))
                      if os.path.isdir(os.path.join(top, d))
                      for f in os.listdir(os.path.join(top, d))
                      if f.endswith(".eml"))
    emls = [e for e in emls if os.path.exists(e[:-4] + ".json")]

    known = cf.load_known_misses(os.path.join(HERE,
                                              "stalwart-known-misses.txt"))
    tap = cf.Tap(known)
    parsed = cf.parse_files(binary, emls)
    for eml in emls:
        rel = os.path.join(os.path.basename(os.path.dirname(eml)),
                           os.path.basename(eml))
        with open(eml[:-4] + ".json", encoding="utf-8") as fh:
            exp = json.load(fh)
        check_file(tap, rel, exp, parsed[eml])
    tap.summary("stalwart mail-parser (%d files)" % len(emls),
                whole_corpus=not args)
    tap.done()


if __name__ == "__main__":
    main()
