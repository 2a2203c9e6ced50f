#!/usr/bin/env python3
"""Every figure the docs quote comes from a committed result file.

Reads README.md and docs/*.md. A figure is a measured number as the prose
writes it: a decimal (3.3, 0.97), a whole number with a unit of time or
rate or a ratio (120 ns, 74 k/s, 2x, 40 %), or a count of losses ("lost
277", "277 of 100002"). Each must stand inside a block that names where it
comes from,

    <!-- figures from bench/results/summary.txt[, bench/results/other.txt] -->
    ...
    <!-- end of figures -->

and appear, as a number, in one of the files named. Fenced code blocks (a
program is not a measurement), the tool transcript (tests/checks/transcripts.sh
checks it against a run) and the verbatim python/bridge figure blocks
(checked whole by tests/checks/transcripts.sh) are passed over.

    tests/checks/figures.py [FILE...]     exit 0 when every figure is accounted for
"""
import glob
import os
import re
import sys

# the whole-number figures: a unit of time (below a second) or rate, a
# ratio, a percentage, or a loss count
UNIT = r"(?:ns|us|µs|k/s|M/s|G/s|x|%)"
FIGURE = re.compile(
    r"(?<![\w.])(?:"
    r"(?P<dec>\d+\.\d+)(?!\.\d)"                      # 3.3, 1.0000 (not 1.0.0)
    r"|(?P<unit>\d[\d ]*\d|\d)\s?(?=" + UNIT + r"(?!\w))"
    r"|(?<=lost )(?P<lost>\d[\d ]*\d|\d)"
    r"|(?P<of>\d[\d ]*\d|\d)(?= of \d)"
    r")")
BEGIN = re.compile(r"<!-- figures from (.+?) -->")
END = "<!-- end of figures -->"
VERBATIM = re.compile(r"<!-- (?:\w+ figures: |transcript: )")
VERBATIM_END = re.compile(r"<!-- end of (?:\w+ figures|transcript) -->")
NUMBER = re.compile(r"\d[\d,]*(?:\.\d+)?")


TIMED = re.compile(r"\s?(ns|us|µs|ms|k/s|M/s|G/s)(?!\w)")


def numbers_in(path):
    """The file's numbers, bare ("0.97") and with the unit that follows
    them ("74.1 k/s"), so that a figure with a unit must match with it."""
    with open(path, encoding="utf-8") as f:
        text = f.read()
    found = set()
    for m in NUMBER.finditer(text):
        n = m.group(0).replace(",", "")
        found.add(n)
        u = TIMED.match(text, m.end())
        if u:
            found.add(n + " " + u.group(1))
    return found


def check(doc, top):
    errors = []
    sources = None    # the numbers of the files the open block names
    names = None
    fenced = verbatim = False
    with open(doc, encoding="utf-8") as f:
        lines = f.read().split("\n")
    for no, line in enumerate(lines, 1):
        where = "%s:%d" % (os.path.relpath(doc, top), no)
        if line.lstrip().startswith("```"):
            fenced = not fenced
            continue
        if fenced:
            continue
        if VERBATIM.search(line):
            verbatim = True
            continue
        if VERBATIM_END.search(line):
            verbatim = False
            continue
        if verbatim:
            continue
        m = BEGIN.search(line)
        if m:
            if sources is not None:
                errors.append("%s: a figures block opens inside another" % where)
            names = [n.strip() for n in m.group(1).split(",")]
            sources = set()
            for n in names:
                p = os.path.join(top, n)
                if not os.path.isfile(p):
                    errors.append("%s: no result file %s" % (where, n))
                else:
                    sources |= numbers_in(p)
            continue
        if line.strip() == END:
            if sources is None:
                errors.append("%s: a figures block ends that never opened" % where)
            sources = names = None
            continue
        # inline code (`seqshm_read`, `SEQSHM_MAX_SLOTS`) holds no figures
        text = re.sub(r"`[^`]*`", "", line)
        for f in FIGURE.finditer(text):
            # a release (Linux 4.16, Python 3.11) or the machine's clock
            # (2.6 GHz) is not a measurement
            if (re.search(r"(?:Linux|macOS|Python|NumPy|version) $",
                          text[:f.start()]) or
                    re.match(r" ?GHz", text[f.end():])):
                continue
            value = next(g for g in f.groups() if g is not None)
            value = value.replace(" ", "")
            u = TIMED.match(text, f.end())
            if u:  # 74.1 k/s must be 74.1 k/s there, not 74.1 us
                value += " " + u.group(1)
            if sources is None:
                errors.append("%s: figure %s stands outside any figures block "
                              "(<!-- figures from FILE -->)" % (where, value))
            elif value not in sources:
                errors.append("%s: figure %s is in none of %s"
                              % (where, value, ", ".join(names)))
    if sources is not None:
        errors.append("%s: a figures block never ends" % os.path.relpath(doc, top))
    return errors


def main():
    top = os.path.dirname(os.path.dirname(os.path.dirname(
        os.path.abspath(__file__))))
    docs = sys.argv[1:] or ([os.path.join(top, "README.md")] +
                            sorted(glob.glob(os.path.join(top, "docs", "*.md"))))
    errors = []
    for d in docs:
        errors += check(d, top)
    for e in errors:
        print("figures: " + e, file=sys.stderr)
    if errors:
        print("figures: %d figure(s) not traced to a committed result" % len(errors),
              file=sys.stderr)
        return 1
    print("figures: every figure in %s comes from a committed result file"
          % ", ".join(os.path.relpath(d, top) for d in docs))
    return 0


if __name__ == "__main__":
    sys.exit(main())
