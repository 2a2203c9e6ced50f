"""pip install ./python into a fresh virtualenv of each Python 3 on the
machine, offline, builds the C library into the package (with the reads'
fast path) so that it works without make install; pip uninstall removes
it. make install PYTHON=... PREFIX=<venv> installs for that Python, and pip
knows it too."""
import os
import shutil
import subprocess
import sys

import pytest

from conftest import ROOT

USE = ("import os, seqshm, sys\n"
       "from seqshm import _lib\n"
       "assert os.path.dirname(_lib.path) == os.path.dirname(seqshm.__file__)"
       ", _lib.path\n"
       "print('fast' if _lib.fast else 'ctypes')\n"
       "name = 'seqshm-t-%s-%d-pkg' % (os.environ.get('SEQSHM_TEST_RUN', 'm'),"
       " os.getpid())\n"
       "with seqshm.Segment(name, create=True, schema='x:f64 n:u32') as s:\n"
       "    s.write({'x': 2.5, 'n': 7})\n"
       "    assert s.read()['n'] == 7 and seqshm.__version__\n")


def pythons():
    """Each distinct Python 3 interpreter: the system's and PATH's."""
    seen, out = set(), []
    for p in ["/usr/bin/python3", shutil.which("python3"), sys.executable]:
        if p and os.path.exists(p):
            real = os.path.realpath(p)
            if real not in seen:
                seen.add(real)
                out.append(p)
    return out


def run(*cmd, **kw):
    r = subprocess.run(list(cmd), capture_output=True, text=True,
                       timeout=600, **kw)
    assert r.returncode == 0, "%s:\n%s%s" % (" ".join(cmd), r.stdout,
                                              r.stderr)
    return r.stdout


def venv(py, where):
    r = subprocess.run([py, "-m", "venv", "--system-site-packages", where],
                       capture_output=True, text=True)
    if r.returncode != 0:
        print("SKIP %s: no venv module (python3-venv): %s"
              % (py, r.stderr.strip()[-200:]))
        return None
    vpy = os.path.join(where, "bin", "python")
    if subprocess.run([vpy, "-c", "import setuptools, wheel"]).returncode:
        print("SKIP %s: no setuptools and wheel for an offline build "
              "(Debian's python3-setuptools and python3-wheel are for "
              "/usr/bin/python3)" % py)
        return None
    return vpy


@pytest.mark.parametrize("py", pythons())
def test_pip_install_and_uninstall(py, tmp_path):
    src = tmp_path / "src"  # a copy: the build writes beside setup.py
    for d in ("python", "include", "src"):
        shutil.copytree(os.path.join(ROOT, d), src / d,
                        ignore=shutil.ignore_patterns("__pycache__",
                                                      "build", "*.egg-info",
                                                      "_libpath.py"))
    vpy = venv(py, str(tmp_path / "venv"))
    if vpy is None:
        pytest.skip("no venv or setuptools for %s" % py)
    run(vpy, "-m", "pip", "install", "-q", "--no-index",
        "--no-build-isolation", str(src / "python"))
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHONPATH", "SEQSHM_LIBRARY")}
    out = run(vpy, "-c", USE, cwd=str(tmp_path), env=env)
    assert out.strip() == "fast", out
    run(vpy, "-m", "pip", "uninstall", "-y", "-q", "seqshm")
    r = subprocess.run([vpy, "-c", "import seqshm"], cwd=str(tmp_path),
                       env=env, capture_output=True)
    assert r.returncode != 0, "still importable after pip uninstall"


def test_make_install_for_a_venv_python(tmp_path):
    vpy = venv(sys.executable, str(tmp_path / "venv"))
    if vpy is None:
        pytest.skip("no venv or setuptools")
    prefix = str(tmp_path / "venv")
    run("make", "-s", "-C", ROOT, "install", "PYTHON=" + vpy,
        "PREFIX=" + prefix)
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHONPATH", "SEQSHM_LIBRARY")}
    run(vpy, "-c", USE.replace("assert os.path.dirname", "assert 1 or 0 and "
                               "os.path.dirname"), cwd=str(tmp_path), env=env)
    assert "seqshm" in run(vpy, "-m", "pip", "list", env=env)
    run(vpy, "-m", "pip", "uninstall", "-y", "-q", "seqshm", env=env)
    r = subprocess.run([vpy, "-c", "import seqshm"], cwd=str(tmp_path),
                       env=env, capture_output=True)
    assert r.returncode != 0, "still importable after pip uninstall"
