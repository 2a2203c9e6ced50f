"""examples/python/plot.py renders a PNG of a segment a C writer fills."""
import os
import subprocess
import sys

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
