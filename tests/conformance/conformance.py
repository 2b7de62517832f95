"""Shared helpers of the conformance runners (zammad.py, stalwart.py).

This module owns what both runners do alike: finding the binary and the
team corpus, running `mailtriage message parse` over many files per
invocation, the known-misses files, the text normalisations used to
compare bodies, and the TAP stream with its per-field tally.  What a
field means and how it is compared belongs to each runner.

A known miss is a line "FILE FIELD: REASON" in the runner's
*-known-misses.txt (blank lines and "#" comments are ignored).  A check
that fails and is listed is reported "not ok ... # TODO known miss:
REASON" (an expected failure for automake's tap-driver); a listed check
that passes is "ok ... # TODO passes now", which the driver counts as
an unexpected pass, so that a stale entry fails `make check` and gets
removed.  An unlisted failure is plain "not ok".

Two pass rates are printed per field: the raw one (passed / compared)
and the one without the known misses (passed / (compared - known)):
a known miss is a field where the other project's expectation is its
own convention or its own bug, which we do not want to copy.
"""

import difflib
import html
import json
import os
import re
import subprocess
import sys

BATCH = 40
TIMEOUT = 300


def find_binary(argv_binary=None):
    """The binary under test: --binary, $MT_BIN, $MT_BUILDDIR/mailtriage."""
    if argv_binary:
        return argv_binary
    if os.environ.get("MT_BIN"):
        return os.environ["MT_BIN"]
    builddir = os.environ.get("MT_BUILDDIR")
    if not builddir:
        builddir = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "..")
    return os.path.join(builddir, "mailtriage")


def find_shared():
    """The team's ../shared: $MT_SHARED, else $MT_SRCDIR/../shared."""
    if os.environ.get("MT_SHARED"):
        return os.environ["MT_SHARED"]
    srcdir = os.environ.get("MT_SRCDIR")
    if not srcdir:
        srcdir = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                              "..", "..")
    return os.path.join(srcdir, "..", "shared")


def skip_all(reason):
    """Skip the whole script (a failure under MT_REQUIRE_ALL=1, as in
    tests/lib/test-lib.sh)."""
    if os.environ.get("MT_REQUIRE_ALL", "0") == "1":
        print("Bail out! %s" % reason)
        sys.exit(1)
    print("1..0 # SKIP %s" % reason)
    sys.exit(0)


def _parse_batch(binary, files):
    p = subprocess.run([binary, "message", "parse"] + files,
                       capture_output=True, timeout=TIMEOUT)
    if p.returncode != 0:
        raise RuntimeError("exit %d: %s" % (
            p.returncode, p.stderr.decode("utf-8", "replace").strip()[:300]))
    out = json.loads(p.stdout.decode("utf-8"))
    if not isinstance(out, list) or len(out) != len(files):
        raise RuntimeError("expected a JSON array of %d objects" % len(files))
    return out


def parse_files(binary, files):
    """{file: parsed object, or the error string} for every file.

    Many files go into one invocation; when a batch fails (a crash, a
    bad JSON document) its files are run one by one so that one bad
    message does not hide the others.
    """
    result = {}
    for i in range(0, len(files), BATCH):
        batch = files[i:i + BATCH]
        try:
            for f, obj in zip(batch, _parse_batch(binary, batch)):
                result[f] = obj
        except (RuntimeError, ValueError, subprocess.TimeoutExpired):
            for f in batch:
                try:
                    result[f] = _parse_batch(binary, [f])[0]
                except (RuntimeError, ValueError,
                        subprocess.TimeoutExpired) as e:
                    result[f] = "parse failed: %s" % e
    return result


def load_known_misses(path):
    """{(file, field): reason} from a known-misses file."""
    known = {}
    if not os.path.exists(path):
        return known
    with open(path, encoding="utf-8") as fh:
        for lineno, line in enumerate(fh, 1):
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            m = re.match(r"^(\S+)\s+([\w-]+):\s*(.+)$", line)
            if not m:
                print("Bail out! %s:%d: not \"FILE FIELD: REASON\": %s"
                      % (path, lineno, line))
                sys.exit(1)
            known[(m.group(1), m.group(2))] = m.group(3)
    return known


# --- text normalisation -------------------------------------------------

_WS = re.compile(r"\s+")


def norm_ws(s):
    """Whitespace runs (NBSP and the other Unicode spaces included) become
    one space; leading and trailing whitespace goes."""
    if s is None:
        return ""
    return _WS.sub(" ", s.replace("\u00a0", " ")).strip()


_DROP_BLOCKS = re.compile(r"<(script|style|head|title)\b.*?</\1\s*>",
                          re.I | re.S)
_COMMENT = re.compile(r"<!--.*?-->", re.S)
_TAG = re.compile(r"<\s*/?\s*([A-Za-z][\w:.-]*)?[^>]*>")
# Inline elements: a browser puts no space where they start or end.
_INLINE = frozenset("""a abbr b bdi bdo big cite code data del dfn em font
    i img ins kbd label mark o:p q s samp small span strike strong sub sup
    time tt u var wbr""".split())


def _tag_space(m):
    name = (m.group(1) or "").lower()
    return "" if name in _INLINE else " "


def strip_html(s):
    """Crude HTML to text for comparison only: drop script/style/head and
    comments, a block-level tag becomes a space and an inline one
    (span, b, font, a ...) nothing, then entities are decoded."""
    s = _COMMENT.sub(" ", s)
    s = _DROP_BLOCKS.sub(" ", s)
    s = _TAG.sub(_tag_space, s)
    return html.unescape(s)


def word_ratio(a, b):
    """difflib similarity of two texts as word sequences (a character
    sequence would be junked by difflib's autojunk on long texts)."""
    wa, wb = norm_ws(a).split(" "), norm_ws(b).split(" ")
    if wa == wb:
        return 1.0
    return difflib.SequenceMatcher(None, wa, wb, autojunk=False).ratio()


def short(v, n=160):
    """A value for a TAP diagnostic line, one line, at most n chars."""
    s = json.dumps(v, ensure_ascii=False) if not isinstance(v, str) else v
    s = s.replace("\n", "\\n")
    return s if len(s) <= n else s[:n] + "..."


# --- TAP ---------------------------------------------------------------

class Tap:
    """One TAP stream with a per-field tally of checked/passed."""

    def __init__(self, known):
        self.known = known
        self.used_known = set()
        self.n = 0
        self.failed = 0
        self.tally = {}     # field -> [checked, passed, known misses]
        self.fields = []    # first-seen order

    def check(self, file, field, passed, expected=None, got=None,
              detail=None):
        self.n += 1
        if field not in self.tally:
            self.tally[field] = [0, 0, 0]
            self.fields.append(field)
        self.tally[field][0] += 1
        if passed:
            self.tally[field][1] += 1
        key = (file, field)
        reason = self.known.get(key)
        if reason is not None:
            self.used_known.add(key)
        name = "%s %s" % (file, field)
        if passed and reason is None:
            print("ok %d - %s" % (self.n, name))
            return
        if passed:
            print("ok %d - %s # TODO passes now: remove it from the "
                  "known misses" % (self.n, name))
            return
        if reason is not None:
            self.tally[field][2] += 1
            print("not ok %d - %s # TODO known miss: %s"
                  % (self.n, name, reason))
        else:
            self.failed += 1
            print("not ok %d - %s" % (self.n, name))
        if detail:
            print("#   %s" % short(detail, 400))
        if expected is not None or got is not None:
            print("#   expected: %s" % short(expected))
            print("#   got:      %s" % short(got))

    def ok(self, passed, name, diag=None):
        """A plain test outside the tally (e.g. the overall rate)."""
        self.n += 1
        if not passed:
            self.failed += 1
        print("%s %d - %s" % ("ok" if passed else "not ok", self.n, name))
        if diag:
            print("#   %s" % diag)

    def summary(self, title, whole_corpus=True):
        """Print the per-field rates; return (compared, passed, known).
        Over the whole corpus, known-misses entries that matched no
        check are listed too."""
        def pct(p, c):
            return "%6.1f%%" % (100.0 * p / c) if c else "     -"

        tc = tp = tk = 0
        print("# %s: pass rate per field" % title)
        print("#   %-18s %9s %7s   %-26s" % (
            "field", "passed", "raw", "without known misses"))
        rows = [(f,) + tuple(self.tally[f]) for f in self.fields]
        for f, c, p, k in rows:
            tc, tp, tk = tc + c, tp + p, tk + k
        for f, c, p, k in rows + [("TOTAL", tc, tp, tk)]:
            print("#   %-18s %4d/%-4d %s   %4d/%-4d %s" % (
                f, p, c, pct(p, c), p, c - k, pct(p, c - k)))
        stale = sorted(set(self.known) - self.used_known) \
            if whole_corpus else []
        for file, field in stale:
            print("# known-misses entry matches no check: %s %s"
                  % (file, field))
        return tc, tp, tk

    def done(self):
        print("1..%d" % self.n)
        sys.exit(1 if self.failed else 0)
