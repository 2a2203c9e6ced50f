#!/usr/bin/env python3
"""Summarise a seqshm-bench JSON file: tables of medians, ratios between
contenders measured in the same run, and each performance target with its
measured ratio. Also writes ratio tables for bench/plot.gp next to the JSON.

    python3 bench/summary.py bench/results/bench.json
"""
import json
import os
import sys
from collections import defaultdict

SIZES = [8, 64, 1024, 4096, 65536]
CONTENDERS = ["memcpy", "seqshm-single", "seqshm-double", "seqshm-sole",
              "seqshm-mutex", "boost-mutex", "boost-sharable", "ref-sleep-1ms"]
SEQLOCKS = ["seqshm-single", "seqshm-double"]


def base_name(run_name):
    parts = []
    for p in run_name.split("/"):
        if ":" in p:
            break
        parts.append(p)
    return tuple(parts)


def load(path):
    """{(family, ...): {field: median value}}; medians of repetitions when
    the run had them, else the single run's values."""
    with open(path) as f:
        data = json.load(f)
    medians, singles = {}, defaultdict(list)
    failed = [b["name"] for b in data["benchmarks"] if b.get("error_occurred")]
    if failed:
        sys.exit("benchmarks that failed: " + ", ".join(failed))
    for b in data["benchmarks"]:
        key = base_name(b.get("run_name", b["name"]))
        if b.get("run_type") == "aggregate":
            if b.get("aggregate_name") == "median":
                medians[key] = b
        elif not b.get("error_occurred"):
            singles[key].append(b)
    out = {}
    for key, runs in singles.items():
        if key in medians:
            out[key] = medians[key]
        else:
            vals = sorted(runs, key=lambda r: r.get("real_time", 0))
            out[key] = vals[len(vals) // 2]
    return data.get("context", {}), out


def fmt_ns(v):
    if v is None:
        return "-"
    if v >= 1e6:
        return "%.1f ms" % (v / 1e6)
    if v >= 1e3:
        return "%.1f us" % (v / 1e3)
    return "%.1f ns" % v


def fmt_rate(v):
    if v is None:
        return "-"
    if v >= 1e6:
        return "%.2f M/s" % (v / 1e6)
    if v >= 1e3:
        return "%.1f k/s" % (v / 1e3)
    return "%.0f /s" % v


def table(title, rows, header):
    print("\n" + title)
    widths = [max(len(str(r[i])) for r in [header] + rows)
              for i in range(len(header))]
    line = "  ".join(h.ljust(w) for h, w in zip(header, widths))
    print(line)
    print("-" * len(line))
    for r in rows:
        print("  ".join(str(c).ljust(w) for c, w in zip(r, widths)))


def main():
    if len(sys.argv) != 2:
        print(__doc__)
        return 2
    path = sys.argv[1]
    ctx, res = load(path)

    def get(key, field="real_time"):
        b = res.get(key)
        if b is None:
            return None
        return b.get(field)

    # (Google Benchmark's context also names its own build type, "debug" in
    # Debian's package: it is not seqshm's, which is always -O2, and it does
    # not touch the code being timed, so it is not printed.)
    print("seqshm benchmarks: %s, %s CPUs at %s MHz"
          % (ctx.get("host_name", "?"), ctx.get("num_cpus", "?"),
             ctx.get("mhz_per_cpu", "?")))
    print("All figures are medians of repetitions run in one process, "
          "contenders interleaved.")

    # uncontended
    for fam in ("read", "write"):
        rows = []
        for z in SIZES:
            row = [z]
            for c in CONTENDERS:
                row.append(fmt_ns(get((fam, c, str(z)))))
            floor = get((fam, "memcpy", str(z)))
            for c in ("seqshm-single", "seqshm-sole"):
                v = get((fam, c, str(z)))
                row.append("%.2fx" % (v / floor) if floor and v else "-")
            rows.append(row)
        table("Uncontended %s, time per call" % fam, rows,
              ["bytes"] + CONTENDERS + ["single/memcpy", "sole/memcpy"])

    # telemetry
    rows = []
    for z in SIZES:
        for c in CONTENDERS:
            k = ("telemetry", c, str(z))
            if k not in res:
                continue
            rows.append([z, c, fmt_ns(get(k, "read_p50_ns")),
                         fmt_ns(get(k, "read_p99_ns")),
                         fmt_ns(get(k, "read_p999_ns")),
                         fmt_rate(get(k, "writes_per_s")),
                         fmt_ns(get(k, "write_p99_ns"))])
    table("Telemetry source: writer at 100 kHz, reader flat out "
          "(duration of one read call; each includes ~20 ns of clock reads)",
          rows, ["bytes", "contender", "read p50", "read p99", "read p99.9",
                 "writes achieved", "write p99"])

    # flat out
    rows = []
    for z in SIZES:
        for c in CONTENDERS:
            k = ("flatout", c, str(z))
            if k not in res:
                continue
            rows.append([z, c, fmt_rate(get(k, "reads_per_s")),
                         fmt_rate(get(k, "writes_per_s")),
                         "%.3f" % (get(k, "retries_per_read") or 0),
                         fmt_ns(get(k, "read_p99_ns")),
                         fmt_ns(get(k, "write_p99_ns"))])
    table("Both flat out, writer and reader on different cores", rows,
          ["bytes", "contender", "reads", "writes", "retries/read",
           "read p99", "write p99"])

    # slots and history
    rows = []
    for z in (4096, 65536):
        for r in ("seqshm-1slot", "seqshm-2slot", "seqshm-8slot", "plain-ring",
                  "memcpy"):
            k = ("starve", r, str(z))
            if k in res:
                rows.append([z, r, fmt_rate(get(k, "reads_per_s")),
                             "%.4f" % (get(k, "success") or 0),
                             fmt_rate(get(k, "writes_per_s"))])
    table("Newest-value reads under a writer flat out (slots)", rows,
          ["bytes", "reader", "reads", "success", "writes"])
    rows = []
    for z in (64, 4096):
        k = ("next", str(z))
        if k in res:
            rows.append([z, fmt_ns(get(k, "next_ns")), fmt_ns(get(k, "read_ns"))])
    table("The consumer's step, next version already there", rows,
          ["bytes", "seqshm_next", "seqshm_read"])
    rows = []
    for n in ("64", "1024"):
        k = ("lost", "100kHz", n)
        if k in res:
            rows.append([n, "%.0f" % get(k, "versions"),
                         "%.0f" % get(k, "delivered"), "%.0f" % get(k, "lost")])
    table("A 100 kHz source and a consumer that keeps up (read-only handle)",
          rows, ["slots", "versions", "delivered", "lost"])

    # latency
    rows = []
    for name in ("pingpong-line", "seqshm-spin/single/48",
                 "seqshm-spin/sole/48", "seqshm-spin/single/256",
                 "seqshm-spin/sole/256", "seqshm-spin/double/256",
                 "futex-pingpong", "seqshm-wait/single",
                 "seqshm-wait/full-fence", "seqshm-wait/sole",
                 "seqshm-wait/double"):
        k = ("latency",) + tuple(name.split("/"))
        if k in res:
            rows.append([name, fmt_ns(get(k, "p50_ns")),
                         fmt_ns(get(k, "p99_ns")), fmt_ns(get(k, "p999_ns"))])
    table("Publish to observe across processes, one way (round trip / 2); "
          "spin: payload bytes last, wait: 64 B", rows,
          ["path", "p50", "p99", "p99.9"])

    # targets
    targets = []

    def target(what, value, limit, better="lower"):
        if value is None:
            targets.append((what, "-", limit, "not measured"))
            return
        if better == "report":
            targets.append((what, "%.2f" % value, "-", "reported"))
            return
        ok = value <= limit if better == "lower" else value >= limit
        miss = ""
        if not ok:
            miss = (" (missed by %.1f%%)" % (abs(value / limit - 1) * 100)
                    if limit else " (by %g)" % value)
        targets.append((what, shown(value, limit),
                        ("<= " if better == "lower" else ">= ") + "%g" % limit,
                        ("met" if ok else "MISSED") + miss))

    def shown(value, limit):
        """The value with as many decimals as it takes for the verdict to be
        visible next to the limit (3.99 < 4, never "4.00 >= 4 MISSED")."""
        for digits in range(2, 7):
            text = "%.*f" % (digits, value)
            if (float(text) != limit) and ((float(text) < limit) ==
                                           (value < limit)):
                return text
        return repr(value)

    def ratio(a, b):
        return a / b if a is not None and b else None

    for c in SEQLOCKS + ["seqshm-sole"]:
        target("read 64 B, %s / memcpy" % c,
               ratio(get(("read", c, "64")), get(("read", "memcpy", "64"))), 1.3)
    target("write 64 B, seqshm-sole / memcpy",
           ratio(get(("write", "seqshm-sole", "64")),
                 get(("write", "memcpy", "64"))), 3)
    target("write 64 B, seqshm-single (shared claim) / memcpy",
           ratio(get(("write", "seqshm-single", "64")),
                 get(("write", "memcpy", "64"))), 6)
    for c in SEQLOCKS:
        for m in ("seqshm-mutex", "boost-mutex"):
            target("read 64 B, %s / %s (speed-up)" % (m, c),
                   ratio(get(("read", m, "64")), get(("read", c, "64"))), 4,
                   "higher")
    for z in SIZES:
        for c in SEQLOCKS:
            target("telemetry %d B read p99, %s / seqshm-mutex" % (z, c),
                   ratio(get(("telemetry", c, str(z)), "read_p99_ns"),
                         get(("telemetry", "seqshm-mutex", str(z)),
                             "read_p99_ns")), 0.2)
    for z in (4096, 65536):
        target("telemetry %d B, seqshm-double read p99 / its uncontended read"
               % z, ratio(get(("telemetry", "seqshm-double", str(z)),
                              "read_p99_ns"),
                          get(("read", "seqshm-double", str(z)))), 5)
    # the double buffer, the layout the README recommends for this case
    target("flat out 64 B, reads/s seqshm-double / seqshm-mutex",
           ratio(get(("flatout", "seqshm-double", "64"), "reads_per_s"),
                 get(("flatout", "seqshm-mutex", "64"), "reads_per_s")),
           3, "higher")
    target("flat out 64 B, write p99 seqshm-double / seqshm-mutex",
           ratio(get(("flatout", "seqshm-double", "64"), "write_p99_ns"),
                 get(("flatout", "seqshm-mutex", "64"), "write_p99_ns")),
           1 / 3)
    for c in SEQLOCKS:
        target("read 64 KiB bandwidth, %s / memcpy" % c,
               ratio(get(("read", "memcpy", "65536")),
                     get(("read", c, "65536"))), 0.8, "higher")
    target("publish-to-observe p50, seqshm-spin/sole/48 / pingpong-line",
           ratio(get(("latency", "seqshm-spin", "sole", "48"), "p50_ns"),
                 get(("latency", "pingpong-line"), "p50_ns")), 1.3)
    for w in ("single/48", "single/256", "sole/256"):
        target("publish-to-observe p50, seqshm-spin/%s / pingpong-line" % w,
               ratio(get(("latency", "seqshm-spin") + tuple(w.split("/")),
                         "p50_ns"),
                     get(("latency", "pingpong-line"), "p50_ns")), 0,
               "report")
    target("wake-up p50, seqshm-wait/sole / seqshm-wait/full-fence",
           ratio(get(("latency", "seqshm-wait", "sole"), "p50_ns"),
                 get(("latency", "seqshm-wait", "full-fence"), "p50_ns")), 1.2)
    target("wake-up p50, seqshm-wait/single / seqshm-wait/full-fence",
           ratio(get(("latency", "seqshm-wait", "single"), "p50_ns"),
                 get(("latency", "seqshm-wait", "full-fence"), "p50_ns")), 0,
           "report")
    for q in ("p50_ns", "p99_ns"):
        target("wake-up %s, seqshm-wait/single / futex-pingpong" % q[:3],
               ratio(get(("latency", "seqshm-wait", "single"), q),
                     get(("latency", "futex-pingpong"), q)), 0, "report")
    for z in (4096, 65536):
        target("writer flat out %d B, 8 slots: read attempts that succeed" % z,
               get(("starve", "seqshm-8slot", str(z)), "success"), 0.95,
               "higher")
        target("writer flat out %d B, reads/s 8 slots / plain ring" % z,
               ratio(get(("starve", "seqshm-8slot", str(z)), "reads_per_s"),
                     get(("starve", "plain-ring", str(z)), "reads_per_s")),
               0.8, "higher")
    target("100 kHz source, 64 slots: versions lost",
           get(("lost", "100kHz", "64"), "lost"), 0)
    target("seqshm_next / seqshm_read, 64 B, next version there",
           ratio(get(("next", "64"), "next_ns"), get(("next", "64"), "read_ns")),
           1.5)
    table("Targets", [list(t) for t in targets],
          ["target", "measured", "wanted", "verdict"])

    # ratio tables for the chart
    out_dir = os.path.dirname(os.path.abspath(path))
    with open(os.path.join(out_dir, "read_ratio.dat"), "w") as f:
        f.write("# bytes " + " ".join(CONTENDERS[1:]) +
                "  (uncontended read time / memcpy read time)\n")
        for z in SIZES:
            floor = get(("read", "memcpy", str(z)))
            vals = [ratio(get(("read", c, str(z))), floor) for c in CONTENDERS[1:]]
            f.write("%d %s\n" % (z, " ".join("%.3f" % v if v else "nan"
                                             for v in vals)))
    with open(os.path.join(out_dir, "telemetry_p99.dat"), "w") as f:
        f.write("# bytes " + " ".join(CONTENDERS) + "  (telemetry read p99, ns)\n")
        for z in SIZES:
            vals = [get(("telemetry", c, str(z)), "read_p99_ns") for c in CONTENDERS]
            f.write("%d %s\n" % (z, " ".join("%.1f" % v if v else "nan"
                                             for v in vals)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
