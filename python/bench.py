#!/usr/bin/env python3
"""What the Python package costs, side by side in one run: a read of the
demo's 80-byte frame (as a NumPy record, a dict, raw bytes, into a buffer),
beside what a Python user would write without seqshm (unsynchronised:
multiprocessing.shared_memory and a NumPy structured view, .copy(), or
bytes(shm.buf)) and a bare ctypes call of the library's read (the floor of
the ctypes path, used where the compiled module is not built); one follow()
step (one version at a time, and in batches), and the versions per second a
Python consumer keeps up with when a C writer publishes flat out.

    PYTHONPATH=python python3 python/bench.py [--json FILE]

Medians of repetitions; prints a table (and writes JSON with --json).
"""
import argparse
import ctypes
import json
import os
import statistics
import subprocess
import sys
import time

import seqshm
from seqshm._lib import lib

FRAME = ("stamp_ns:u64 frame:u64 position:f64[3] attitude:f64[3] "
         "counters:u32[4]")
ROOT = os.path.normpath(os.path.join(os.path.dirname(__file__), ".."))
PYWRITER = os.path.join(ROOT, "build", "rel", "pywriter")
REPS = 7


def per_call(fn, n):
    """Median over REPS runs of the time of one call, in ns."""
    out = []
    for _ in range(REPS):
        t0 = time.perf_counter_ns()
        for _ in range(n):
            fn()
        out.append((time.perf_counter_ns() - t0) / n)
    return statistics.median(out)


def name(tag):
    return "seqshm-pybench-%d-%s" % (os.getpid(), tag)


def reads():
    from multiprocessing import shared_memory

    import numpy
    out = {}
    with seqshm.Segment(name("r"), create=True, schema=FRAME) as s:
        s.write({"stamp_ns": 1, "frame": 2, "position": [1, 2, 3],
                 "attitude": [4, 5, 6], "counters": [7, 8, 9, 10]})
        shm = shared_memory.SharedMemory(create=True, size=80)
        try:
            view = numpy.ndarray((), dtype=s.dtype, buffer=shm.buf)
            out["unsynchronised: shared_memory + NumPy view .copy()"] = \
                per_call(view.copy, 200000)
            out["unsynchronised: bytes(shm.buf)"] = per_call(
                lambda: bytes(shm.buf), 200000)
            del view
        finally:
            shm.close()
            shm.unlink()
        with seqshm.Segment(s.name, numpy=False) as d:
            buf = ctypes.create_string_buffer(80)
            h = s._h
            out["ctypes call of seqshm_read_versioned"] = per_call(
                lambda: lib.seqshm_read_versioned(h, buf, None, -1), 200000)
            out["read() -> NumPy record"] = per_call(s.read, 200000)
            out["read_bytes()"] = per_call(s.read_bytes, 200000)
            into = bytearray(80)
            out["read_into(bytearray)"] = per_call(lambda: s.read_into(into),
                                                   200000)
            out["read() -> dict"] = per_call(d.read, 100000)
    return out


def follow_steps():
    """Time per version taken by follow() when the versions are already
    there (1024 of them, kept by 1024 slots)."""
    out = {}
    with seqshm.Segment(name("f"), create=True, schema=FRAME,
                        slots=1024) as s:
        frame = {"stamp_ns": 1, "frame": 2, "position": [1, 2, 3],
                 "attitude": [4, 5, 6], "counters": [7, 8, 9, 10]}
        for _ in range(1024):
            s.write(frame)
        first = s.version - 1023

        def steps(batch):
            res = []
            for _ in range(REPS):
                t0 = time.perf_counter_ns()
                n = 0
                for item in s.follow(timeout=0, start=first, batch=batch):
                    n += len(item.versions) if batch else 1
                res.append((time.perf_counter_ns() - t0) / n)
            return statistics.median(res)
        out["follow() step, one version"] = steps(None)
        out["follow(batch=1024), per version"] = steps(1024)
    return out


def keep_up(batch, seconds=2.0):
    """A C writer flat out for about `seconds`; the consumer counts what it
    got and what it lost. Returns (versions/s delivered, written/s)."""
    seg = name("k%s" % (batch or 0))
    with seqshm.Segment(seg, create=True, schema=FRAME, slots=4096) as s:
        # calibrate: a writer flat out, for the count that fills `seconds`
        count = 2000000
        w = subprocess.Popen([PYWRITER, seg, "0", str(count)])
        t0 = time.monotonic()
        delivered = lost = 0
        for item in s.follow(timeout=0.5, batch=batch):
            if batch:
                delivered += len(item.versions)
                lost += int(item.lost.sum())
                last = int(item.versions[-1])
            else:
                delivered += 1
                lost += item[2]
                last = item[0]
            if last >= count or time.monotonic() - t0 > seconds:
                break
        took = time.monotonic() - t0
        written = s.version
        w.kill()
        w.wait()
    return delivered / took, written / took, lost


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--json")
    a = ap.parse_args()
    if not os.access(PYWRITER, os.X_OK):
        sys.exit("python/bench.py: build/rel/pywriter is not built (make "
                 "build/rel/pywriter)")
    res = {}
    res.update(reads())
    res.update(follow_steps())
    rows = [(k, "%.0f ns" % v) for k, v in res.items()]
    for batch in (None, 1024):
        got, written, lost = keep_up(batch)
        key = "consumer %s vs a C writer flat out" % (
            "follow(batch=1024)" if batch else "follow()")
        res[key + ": versions/s"] = got
        res[key + ": writer versions/s"] = written
        rows.append((key, "%.0f k versions/s taken (writer %.0f k/s, %d lost)"
                     % (got / 1e3, written / 1e3, lost)))
    alt = res["unsynchronised: shared_memory + NumPy view .copy()"]
    alt_bytes = res["unsynchronised: bytes(shm.buf)"]
    ratios = [("read() NumPy record / unsynchronised NumPy copy",
               res["read() -> NumPy record"] / alt),
              ("read_bytes() / unsynchronised bytes(shm.buf)",
               res["read_bytes()"] / alt_bytes),
              ("follow() step / unsynchronised NumPy copy",
               res["follow() step, one version"] / alt)]
    for i, (k, r) in enumerate(ratios):
        res[k] = r
        rows.insert(8 + i, (k, "%.2fx" % r))
    res["compiled module"] = 1.0 if seqshm._lib.fast is not None else 0.0
    width = max(len(k) for k, _ in rows)
    print("Python %s, NumPy %s, %s; medians of %d runs" % (
        sys.version.split()[0], seqshm.fields.numpy.__version__,
        "compiled module" if seqshm._lib.fast is not None else
        "ctypes only", REPS))
    for k, v in rows:
        print("%s  %s" % (k.ljust(width), v))
    if a.json:
        with open(a.json, "w") as f:
            json.dump(res, f, indent=1)


if __name__ == "__main__":
    main()
