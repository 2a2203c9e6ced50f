#!/usr/bin/env python3
"""Checks bench/summary.py's verdicts on made-up results: a ratio just short
of its target is shown with the decimals that make the miss visible, and the
flat-out rows compare the double buffer with the mutex (as the README says),
whichever seqlock layout did better in the run."""
import json
import os
import subprocess
import sys
import tempfile

def bench(name, **fields):
    b = {"name": name, "run_name": name, "run_type": "iteration"}
    b.update(fields)
    return b

data = {"context": {}, "benchmarks": [
    bench("read/seqshm-single/64", real_time=1.0),
    bench("read/seqshm-mutex/64", real_time=3.99),
    bench("flatout/seqshm-single/64", reads_per_s=10.0, write_p99_ns=1.0),
    bench("flatout/seqshm-double/64", reads_per_s=2.0, write_p99_ns=1.0),
    bench("flatout/seqshm-mutex/64", reads_per_s=1.0, write_p99_ns=1.0),
]}
with tempfile.TemporaryDirectory() as d:
    path = os.path.join(d, "bench.json")
    with open(path, "w") as f:
        json.dump(data, f)
    here = os.path.dirname(os.path.abspath(__file__))
    out = subprocess.run([sys.executable,
                          os.path.join(here, "..", "..", "bench", "summary.py"), path],
                         capture_output=True, text=True).stdout
lines = {l.split("  ")[0]: l for l in out.splitlines()}
failed = 0
def check(cond, what):
    global failed
    if not cond:
        failed += 1
        print("FAIL: " + what, file=sys.stderr)
speed = [l for l in out.splitlines()
         if l.startswith("read 64 B, seqshm-mutex / seqshm-single")]
check(len(speed) == 1 and " 3.99 " in speed[0] and "MISSED (missed by 0.2%)" in speed[0],
      "a 3.99 against >= 4 reads as a miss: %r" % speed)
flat = [l for l in out.splitlines() if l.startswith("flat out 64 B, reads/s")]
check(len(flat) == 1 and "seqshm-double / seqshm-mutex" in flat[0] and " 2.00 " in flat[0],
      "the flat-out row is the double buffer's: %r" % flat)
print("summary: %d passed, %d failed" % (2 - failed, failed))
sys.exit(1 if failed else 0)
