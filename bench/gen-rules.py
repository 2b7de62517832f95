#!/usr/bin/python3
"""gen-rules.py - write N generated, realistic rules for bench/rules.sh.

  bench/gen-rules.py --count N --out DIR [--seed S]

The rules look like a big desk's: keyword alternations on the subject,
phrases in the body, customer domains on the sender, headers, file
names of attachments, order and account numbers captured into fields,
`any` blocks and `not match` guards; they set categories, priorities,
SLAs and fields and assign teams.  Some words are common in support
mail (so their patterns really run), most are the product names,
customers and error codes that make a rule set big.  Written as ten
files of N/10 rules, since desks split their rules by topic.
"""
import argparse
import os
import random

COMMON = """refund invoice payment charged billing subscription cancel
password login locked account reset email address export report crash
error timeout slow broken missing delivery parcel shipping tracking order
license upgrade downgrade renewal contract trial discount coupon vat
receipt duplicate api webhook integration sync import backup restore
permission admin user team seat sso saml ldap certificate domain dns
mobile android ios browser chrome firefox safari outlook calendar
notification reminder schedule dashboard chart filter search upload
download attachment pdf csv excel printer label barcode scanner""".split()

CATEGORIES = ["billing", "account", "technical", "shipping", "sales",
              "feedback", "legal", "security", "partners", "onboarding"]
TEAMS = ["billing", "accounts", "technical", "shipping", "sales",
         "security"]
PRIORITIES = ["low", "normal", "high", "urgent"]


def rare_words(rng, n):
    syll = ["ka", "lo", "mi", "tra", "zen", "vo", "qui", "dex", "ron",
            "pha", "sul", "ix", "bel", "tor", "nu", "gra", "wel", "fy"]
    out = set()
    while len(out) < n:
        out.add("".join(rng.choice(syll) for _ in range(rng.randint(2, 4))))
    return sorted(out)


def words(rng, rare, k):
    # One pattern in five names a common word; the rest are rare.
    return [rng.choice(COMMON) if rng.random() < 0.2 else rng.choice(rare)
            for _ in range(k)]


def condition(rng, rare):
    kind = rng.random()
    if kind < 0.40:
        w = "|".join(sorted(set(words(rng, rare, rng.randint(2, 5)))))
        return "match subject /\\b(%s)\\b/i" % w
    if kind < 0.65:
        a, b = words(rng, rare, 2)
        return "match body /\\b%s\\s+(?:the\\s+)?%s\\b/i" % (a, b)
    if kind < 0.75:
        return "match from /@%s\\.example$/i" % rng.choice(rare)
    if kind < 0.82:
        return ("match body /\\b%s\\s+%s[\\s#:-]*(?<ref>[A-Z]{2,4}-\\d{3,8})/" %
                (rng.choice(["case", "ref", "ticket", "contract"]),
                 rng.choice(rare)))
    if kind < 0.88:
        return "match attachment /%s.*\\.(pdf|log|csv)$/i" % rng.choice(rare)
    if kind < 0.94:
        return 'match header "X-Customer-Tier" /^%s$/i' % rng.choice(rare)
    return "match to /^%s@/i" % rng.choice(rare)


def rule(rng, rare, i):
    lines = ['rule "generated %d"' % i]
    conds = [condition(rng, rare) for _ in range(rng.randint(1, 2))]
    if rng.random() < 0.25:
        lines.append("    any")
        for c in conds + [condition(rng, rare)]:
            lines.append("        " + c)
        lines.append("    end")
    else:
        lines.extend("    " + c for c in conds)
    if rng.random() < 0.15:
        lines.append("    not match subject /\\b%s\\b/i" % rng.choice(rare))
    lines.append("    set category %s" % rng.choice(CATEGORIES))
    if rng.random() < 0.5:
        lines.append("    set priority %s" % rng.choice(PRIORITIES))
    if rng.random() < 0.1:
        lines.append("    set sla %dh" % rng.choice([2, 4, 8, 48]))
    if any("(?<ref>" in c for c in conds):
        lines.append('    set field ref "${ref}"')
    if rng.random() < 0.4:
        lines.append("    assign team %s" % rng.choice(TEAMS))
    if rng.random() < 0.1:
        lines.append("    stop")
    lines.append("end")
    return "\n".join(lines) + "\n"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--count", type=int, required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    rare = rare_words(rng, max(200, args.count * 2))
    os.makedirs(args.out, exist_ok=True)
    files = 10
    for f in range(files):
        part = [rule(rng, rare, i) for i in range(f, args.count, files)]
        with open(os.path.join(args.out, "%02d-generated.rules" % f),
                  "w") as fh:
            fh.write("\n".join(part))


if __name__ == "__main__":
    main()
