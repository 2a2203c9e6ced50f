"""examples/python/plot.py renders a PNG of a segment a C writer fills."""
import os
import subprocess
import sys

import seqshm

from conftest import ROOT

FRAME = "seq:u64 stamp_ns:u64 pos:f64[3] flags:u32 label:char[8]"


def test_plot_renders_a_png(name, programs, tmp_path):
    png = tmp_path / "plot.png"
    with seqshm.Segment(name, create=True, schema=FRAME, slots=256):
        w = subprocess.Popen([programs["pywriter"], name, "2000", "4000"])
        p = subprocess.run([sys.executable,
                            os.path.join(ROOT, "examples", "python", "plot.py"),
                            name, "pos", "flags", "--png", str(png),
                            "--seconds", "1.5"],
                           capture_output=True, text=True,
                           env=dict(os.environ, MPLBACKEND="Agg"))
        w.wait()
    assert p.returncode == 0, p.stderr
    data = png.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert len(data) > 10000
    assert "pos[0]" in p.stdout and "flags" in p.stdout, p.stdout
