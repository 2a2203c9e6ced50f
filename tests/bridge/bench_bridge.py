#!/usr/bin/env python3
"""What the bridge costs, measured on loopback against a real nats-server,
side by side in one run: end-to-end latency from a local write to the
mirrored segment's new version at 1 kHz (p50, p99), against the floors the
bridge stands on, with the same client library and the same bytes: a raw
JetStream key-value put to a watcher of the key (what the bridge rides on),
and a plain core NATS publish to a subscriber, which the bridge's --core
mode rides on (measured too), and a write to a reader on one host through
the same harness (the wake-up the bridge adds twice); each the median of
REPEATS runs. Then the highest update rate per segment that arrives with nothing
coalesced, and the bridge's CPU time per 1000 updates per second (both
processes).

    PYTHONPATH=python:tests/bridge python3 tests/bridge/bench_bridge.py [LABEL]

LABEL (e.g. "under make bench's load") is added to the first line.
"""
import os
import statistics
import subprocess
import sys
import threading
import time

import seqshm
from conftest import BRIDGE, ROOT, Server, open_when_there

SCHEMA = "stamp_ns:u64 frame:u64 position:f64[3] attitude:f64[3] counters:u32[4]"
FLOOR = os.path.join(ROOT, "build", "bench", "nats_floor")
CLK = os.sysconf("SC_CLK_TCK")
REPEATS = 3


def cpu_s(pid):
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK


def run(rate, seconds, src, mirror, lat=None):
    """Writes at `rate` for `seconds`; returns (written, mirrored)."""
    v0, m0 = src.version, mirror.version
    stop = threading.Event()

    def follow():
        last = mirror.version
        while not stop.is_set():
            if mirror.wait(last, timeout=0.05):
                last, rec = mirror.read_versioned()
                if lat is not None:
                    lat.append(time.monotonic_ns() - int(rec["stamp_ns"]))
    t = threading.Thread(target=follow)
    t.start()
    period = 1.0 / rate
    nxt = time.monotonic()
    end = nxt + seconds
    n = 0
    rec = {"stamp_ns": 0, "frame": 0, "position": [0, 0, 0],
           "attitude": [0, 0, 0], "counters": [0, 0, 0, 0]}
    while time.monotonic() < end:
        n += 1
        rec["frame"] = n
        rec["stamp_ns"] = time.monotonic_ns()
        src.write(rec)
        nxt += period
        d = nxt - time.monotonic()
        if d > 0:
            time.sleep(d)
    time.sleep(0.5)
    stop.set()
    t.join()
    return src.version - v0, mirror.version - m0


def main():
    srv = Server()
    name = "seqshm-bridgebench-%d" % os.getpid()
    # slots: the publisher puts every version, not only the newest
    src = seqshm.Segment(name, create=True, schema=SCHEMA, slots=256)
    pub = subprocess.Popen([BRIDGE, "publish", name, "--server", srv.url])
    sub = subprocess.Popen([BRIDGE, "subscribe", name, "--server", srv.url,
                            "--prefix", "m-"])
    # the same through --core: plain NATS subjects, another segment
    csrc = seqshm.Segment(name + "-c", create=True, schema=SCHEMA, slots=256)
    cpub = subprocess.Popen([BRIDGE, "publish", name + "-c", "--server",
                             srv.url, "--core"])
    csub = subprocess.Popen([BRIDGE, "subscribe", name + "-c", "--server",
                             srv.url, "--prefix", "m-", "--core"])
    try:
        mirror = open_when_there("m-" + name)
        src.write(bytes(80))
        csrc.write(bytes(80))
        cmirror = open_when_there("m-" + name + "-c")
        time.sleep(0.5)
        value = 56 + len(SCHEMA) + 80
        runs = {"bridge": [], "kv": [], "core": [], "bridge-core": [],
                "local": []}
        cpu = []
        for _ in range(REPEATS):  # side by side, interleaved
            lat = []
            c0 = cpu_s(pub.pid) + cpu_s(sub.pid)
            t0 = time.monotonic()
            written, mirrored = run(1000, 3.0, src, mirror, lat)
            cpu.append((cpu_s(pub.pid) + cpu_s(sub.pid) - c0) /
                       (time.monotonic() - t0))
            lat.sort()
            runs["bridge"].append((lat[len(lat) // 2] / 1e3,
                                   lat[len(lat) * 99 // 100] / 1e3))
            lat = []  # the same harness on one host: the source itself
            run(1000, 3.0, src, src, lat)
            lat.sort()
            runs["local"].append((lat[len(lat) // 2] / 1e3,
                                  lat[len(lat) * 99 // 100] / 1e3))
            lat = []
            run(1000, 3.0, csrc, cmirror, lat)
            lat.sort()
            runs["bridge-core"].append((lat[len(lat) // 2] / 1e3,
                                        lat[len(lat) * 99 // 100] / 1e3))
            for mode in ("kv", "core"):
                out = subprocess.run([FLOOR, srv.url, str(value), "1000",
                                      "3000", mode], capture_output=True,
                                     text=True, check=True).stdout.split()
                runs[mode].append((float(out[0]), float(out[1])))
        med = {k: (statistics.median(a for a, _ in v),
                   statistics.median(b for _, b in v))
               for k, v in runs.items()}
        p50, p99 = med["bridge"]
        k50, k99 = med["kv"]
        f50, f99 = med["core"]
        c50, c99 = med["bridge-core"]
        l50, l99 = med["local"]
        cpu_med = statistics.median(cpu)
        best = 0
        for rate in (1000, 2000, 3000, 5000, 8000, 12000):
            w, m = run(rate, 2.0, src, mirror)
            if m < w:
                break
            best = rate
        print("bridge over loopback, %d-byte payload (a %d-byte value), "
              "medians of %d runs%s" % (80, value, REPEATS,
                                       ", " + sys.argv[1] if len(sys.argv) > 1
                                       else ""))
        print("  write to mirrored version at 1 kHz  p50 %.0f us  p99 %.0f us"
              "  (%d of %d versions mirrored in the last run)"
              % (p50, p99, mirrored, written))
        print("  JetStream KV put to watcher         p50 %.0f us  p99 %.0f us"
              "  (the floor: the same bytes, no seqshm)" % (k50, k99))
        print("  core NATS publish to subscriber     p50 %.0f us  p99 %.0f us"
              "  (no persistence)" % (f50, f99))
        print("  local write to reader, no bridge    p50 %.0f us  p99 %.0f us"
              "  (one wake-up; the bridge has two)" % (l50, l99))
        print("  ratio bridge / KV floor             p50 %.1fx  p99 %.1fx"
              % (p50 / k50, p99 / k99))
        print("  ratio bridge / core floor           p50 %.1fx  p99 %.1fx"
              % (p50 / f50, p99 / f99))
        print("  with --core: write to mirror        p50 %.0f us  p99 %.0f us"
              "  (plain NATS subjects, nothing kept)" % (c50, c99))
        print("  ratio --core / core floor           p50 %.1fx  p99 %.1fx"
              % (c50 / f50, c99 / f99))
        print("  highest rate with nothing coalesced %s updates/s per segment"
              % (best or "below 1000"))
        print("  CPU of both bridge processes        %.1f%% of a core at 1 kHz"
              " (%.0f ms per second per 1000 updates/s)"
              % (cpu_med * 100, cpu_med * 1000))
    finally:
        for p in (pub, sub, cpub, csub):
            p.send_signal(2)
            p.wait(10)
        src.close()
        csrc.close()
        srv.stop()
        subprocess.run(["rm", "-rf", srv.dir])


if __name__ == "__main__":
    sys.exit(main())
