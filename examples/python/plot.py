#!/usr/bin/env python3
"""Plot fields of a seqshm segment live, over a sliding window.

    plot.py NAME FIELD... [--window S] [--png FILE --seconds N]

NAME is a segment with a schema (seqshm info NAME shows it). Each FIELD is a
field's name (an array field plots every element: pos[0], pos[1], ...) or one
element (pos[1]). Every version is followed (seqshm's follow(), in batches),
plotted against the time it arrived; versions the segment no longer kept when
the plot got to them are counted as lost. The plot waits for a segment not
yet created and follows through pauses of its writer, however long. Interactive by default; with --png
it follows for N seconds without a window and writes the picture to FILE.

    make demo &                                   # 10 kHz sensor frames
    python3 examples/python/plot.py seqshm-demo-<pid> position attitude
"""
import argparse
import collections
import os
import re
import sys
import time

try:
    import seqshm
except ImportError:  # run from the checkout without installing
    sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..",
                                    "python"))
    import seqshm


def series_of(segment, wanted):
    """[(label, field name, element index or None)] for the FIELD args."""
    fields = {f.name: f for f in segment.fields}
    out = []
    for w in wanted:
        m = re.fullmatch(r"([A-Za-z_]\w*)(?:\[(\d+)\])?", w)
        f = fields.get(m.group(1)) if m else None
        if f is None or f.type == "char":
            sys.exit("plot: %s has no numeric field %r (its fields: %s)"
                     % (segment.name, w, " ".join(fields) or "none: no schema"))
        if m.group(2) is not None:
            i = int(m.group(2))
            if not f.array or i >= f.count:
                sys.exit("plot: %s has no element %d" % (f.name, i))
            out.append((w, f.name, i))
        elif f.array:
            out += [("%s[%d]" % (f.name, i), f.name, i) for i in range(f.count)]
        else:
            out.append((f.name, f.name, None))
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("name")
    ap.add_argument("fields", nargs="+", metavar="FIELD")
    ap.add_argument("--window", type=float, default=10.0,
                    help="seconds shown (default 10)")
    ap.add_argument("--png", help="render headless into this file")
    ap.add_argument("--seconds", type=float, default=5.0,
                    help="with --png: how long to follow (default 5)")
    a = ap.parse_args()

    import matplotlib
    if a.png:
        matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    seg = None
    said = False
    while seg is None:  # a plot may start before its writer
        try:
            seg = seqshm.Segment(a.name, readonly=True)
        except seqshm.NotFound:
            if not said:
                print("plot: waiting for %s to be created" % a.name,
                      file=sys.stderr)
                said = True
            time.sleep(0.1)
    if not seg.schema:
        sys.exit("plot: %s has no schema: nothing to plot by name" % a.name)
    series = series_of(seg, a.fields)
    t0 = time.monotonic()
    times = collections.deque()   # what the window shows, oldest first
    values = [collections.deque() for _ in series]
    stats = {"versions": 0, "lost": 0}
    cursor = [seg.version]  # the last version taken
    print("plot: following %s from version %d" % (a.name, cursor[0] + 1),
          file=sys.stderr, flush=True)

    def pull():
        """Takes what has arrived, waiting at most 50 ms for it (so the
        window stays responsive); returns False when nothing came. A pause
        of the writer, however long, only makes pulls come back empty: the
        next one goes on from the last version taken."""
        for b in seg.follow(timeout=0.05, batch=4096, start=cursor[0] + 1):
            break
        else:
            return False
        cursor[0] = int(b.versions[-1])
        now = time.monotonic() - t0
        stats["versions"] += len(b.versions)
        stats["lost"] += int(b.lost.sum())
        # spread a batch's arrival times over the gap since the last one
        last = times[-1] if times else now
        n = len(b.versions)
        times.extend(last + (now - last) * (k + 1) / n for k in range(n))
        for dq, (_, field, i) in zip(values, series):
            col = b.values[field]
            dq.extend((col if i is None else col[:, i]).tolist())
        while times and times[0] < now - a.window:  # slide the window
            times.popleft()
            for dq in values:
                dq.popleft()
        return True

    fig, ax = plt.subplots(figsize=(10, 4.5))
    lines = [ax.plot([], [], lw=1, label=label)[0] for label, _, _ in series]
    ax.set_xlabel("seconds since the plot started")
    ax.set_ylabel(", ".join(dict.fromkeys(f for _, f, _ in series)))
    empty = ax.text(0.5, 0.5, "no data yet", transform=ax.transAxes,
                    ha="center", va="center", color="gray")
    ax.set_title("seqshm %s" % a.name)
    ax.legend(loc="upper left", fontsize="small", ncol=min(len(series), 6))
    ax.grid(True, alpha=0.3)

    def redraw():
        if not times:
            return
        empty.set_visible(False)
        xs = list(times)
        for line, dq in zip(lines, values):
            line.set_data(xs, list(dq))
        right = xs[-1]
        ax.set_xlim(max(0.0, right - a.window), max(right, a.window / 10))
        ax.relim()
        ax.autoscale_view(scalex=False)
        ax.set_title("seqshm %s: %d versions, %d lost"
                     % (a.name, stats["versions"], stats["lost"]))

    if a.png:
        while time.monotonic() - t0 < a.seconds:
            pull()
        redraw()
        fig.tight_layout()
        fig.savefig(a.png, dpi=100)
    else:
        from matplotlib.animation import FuncAnimation

        def frame(_):
            pull()  # what arrived since the last frame (or 50 ms of nothing)
            redraw()
            return lines

        anim = FuncAnimation(fig, frame, interval=50, cache_frame_data=False)
        plt.show()
        del anim
    print("plot: %s: %d versions, %d lost; %s"
          % (a.name, stats["versions"], stats["lost"],
             " ".join(label for label, _, _ in series)))
    seg.close()


if __name__ == "__main__":
    main()
