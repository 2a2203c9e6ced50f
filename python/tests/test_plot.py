"""examples/python/plot.py renders a PNG of a segment a C writer fills."""
import os
import subprocess
import sys
import time

import seqshm

from conftest import ROOT

FRAME = ("stamp_ns:u64 frame:u64 position:f64[3] attitude:f64[3] "
         "counters:u32[4]")


def test_plot_renders_a_png(name, programs, tmp_path):
    png = tmp_path / "plot.png"
    with seqshm.Segment(name, create=True, schema=FRAME, slots=256):
        w = subprocess.Popen([programs["pywriter"], name, "2000", "4000"])
        p = subprocess.run([sys.executable,
                            os.path.join(ROOT, "examples", "python", "plot.py"),
                            name, "position", "attitude[2]", "--png", str(png),
                            "--seconds", "1.5"],
                           capture_output=True, text=True,
                           env=dict(os.environ, MPLBACKEND="Agg"))
        w.wait()
    assert p.returncode == 0, p.stderr
    data = png.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert len(data) > 10000
    assert "position[0]" in p.stdout and "attitude[2]" in p.stdout, p.stdout
    assert " 0 lost" in p.stdout, p.stdout


def run_plot(name, png, seconds, *fields):
    return subprocess.Popen([sys.executable,
                             os.path.join(ROOT, "examples", "python",
                                          "plot.py"),
                             name, *fields, "--png", str(png), "--seconds",
                             str(seconds)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env=dict(os.environ, MPLBACKEND="Agg"))


def versions_plotted(out):
    import re
    m = re.search(r": (\d+) versions, (\d+) lost", out)
    assert m, out
    return int(m.group(1))


def test_plot_follows_late_slow_and_pausing_writers(name, programs,
                                                    tmp_path):
    """A writer that starts a second after the plot, one at 10 Hz, and one
    that pauses 0.3 s: every version they wrote is plotted."""
    writer = programs["pywriter"]
    cases = {
        "late": [(1.0, "1000", "200")],
        "slow": [(0.0, "10", "20")],
        "gap": [(0.0, "1000", "300"), (0.3, "1000", "300")],
    }
    for case, runs in cases.items():
        seg_name = "%s-%s" % (name, case)
        with seqshm.Segment(seg_name, create=True, schema=FRAME, slots=256):
            plot = run_plot(seg_name, tmp_path / (case + ".png"), 3.0,
                            "position")
            assert plot.stderr.readline().startswith("plot: following")
            for pause, rate, count in runs:
                time.sleep(pause)
                assert subprocess.run([writer, seg_name, rate, count],
                                      timeout=30).returncode == 0
            out, err = plot.communicate(timeout=30)
        assert plot.returncode == 0, err
        want = sum(int(c) for _, _, c in runs)
        assert versions_plotted(out) == want, "%s: %s" % (case, out)


def test_plot_says_no_data_yet(name, tmp_path):
    """An idle segment: an empty plot that says so, its axes labelled."""
    with seqshm.Segment(name, create=True, schema=FRAME):
        p = run_plot(name, tmp_path / "empty.png", 0.5, "position")
        out, err = p.communicate(timeout=30)
    assert p.returncode == 0, err
    assert versions_plotted(out) == 0
