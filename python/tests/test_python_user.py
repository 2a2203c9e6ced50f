"""What a Python user expects: Ctrl-C stops a blocking call at once, the
built-in exceptions carry errno and filename and say why, records are
writable, unlink() needs no name, info() speaks as `seqshm info --json`."""
import errno
import json
import os
import signal
import subprocess
import sys
import time

import pytest

import seqshm

from conftest import ROOT, TOOL

PKG = os.path.dirname(os.path.dirname(os.path.abspath(seqshm.__file__)))

BLOCKING = {
    "follow": "for _ in s.follow(): pass",
    "follow_batch": "for _ in s.follow(batch=4096): pass",
    "wait": "s.wait()",
    "read_at": "s.read_at(s.version + 5)",
}


@pytest.mark.parametrize("call", sorted(BLOCKING))
def test_ctrl_c_stops_a_blocking_call(name, call):
    """SIGINT to a process blocked on an idle segment raises
    KeyboardInterrupt within 100 ms."""
    seg = seqshm.Segment(name, 64, create=True, slots=8)
    # as in a terminal: a test runner started in the background may have
    # left SIGINT ignored, and Python then keeps it so
    code = ("import signal, sys, time, seqshm\n"
            "signal.signal(signal.SIGINT, signal.default_int_handler)\n"
            "s = seqshm.Segment(%r)\n"
            "print('ready', flush=True)\n"
            "try:\n"
            "    %s\n"
            "except KeyboardInterrupt:\n"
            "    print('interrupted %%.0f' %% (time.monotonic() * 1e3),"
            " flush=True)\n" % (name, BLOCKING[call]))
    p = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE,
                         text=True, env=dict(os.environ, PYTHONPATH=PKG))
    assert p.stdout.readline().strip() == "ready"
    time.sleep(0.3)  # well into the blocking call
    sent = time.monotonic() * 1e3
    p.send_signal(signal.SIGINT)
    try:
        out, _ = p.communicate(timeout=5)
    except subprocess.TimeoutExpired:
        p.kill()
        p.communicate()
        pytest.fail("%s: still blocked 5 s after SIGINT" % call)
    assert out.startswith("interrupted"), out
    took = float(out.split()[1]) - sent
    assert took < 100, "%s: KeyboardInterrupt %.0f ms after SIGINT" % (
        call, took)
    seg.close()


def test_builtin_exceptions_carry_errno_and_filename(name):
    with pytest.raises(FileNotFoundError) as e:
        seqshm.Segment(name)
    assert e.value.errno == errno.ENOENT and e.value.filename == name
    assert "SEQSHM_ENOENT" in str(e.value)
    s = seqshm.Segment(name, 8, create=True)
    with pytest.raises(FileExistsError) as e:
        seqshm.Segment(name, 8, create=True, exclusive=True)
    assert e.value.errno == errno.EEXIST and e.value.filename == name
    with pytest.raises(TimeoutError) as e:
        s.read_at(s.version + 3, timeout=0.01)
    assert e.value.errno == errno.ETIMEDOUT
    s.close()


def test_invalid_arguments_say_why(name):
    cases = [
        (lambda: seqshm.Segment("a b", 8, create=True), "not ' '"),
        (lambda: seqshm.Segment("x" * 201, 8, create=True),
         "at most 200 characters"),
        (lambda: seqshm.Segment(name, 8, create=True, slots=3),
         "power of two"),
        (lambda: seqshm.Segment(name, 8, create=True, readonly=True),
         "cannot create"),
        (lambda: seqshm.Segment(name, 8, exclusive=True), "needs create"),
        (lambda: seqshm.Segment(name, 0, create=True), "give a size"),
        (lambda: seqshm.Segment(name, 8, create=True, layout="double",
                                slots=4), "two slots"),
    ]
    for make, why in cases:
        with pytest.raises(seqshm.InvalidArgument) as e:
            make()
        assert why in str(e.value), str(e.value)
    with seqshm.Segment(name, 8, create=True) as s:
        with pytest.raises(seqshm.InvalidArgument) as e:
            s.read_partial(6, 4)
        assert "outside the 8-byte payload" in str(e.value)


def test_out_of_range_values_name_the_field(name):
    with seqshm.Segment(name, create=True, schema="n:u32 x:f64") as s:
        with pytest.raises(ValueError) as e:
            s.write({"n": -1, "x": 0.0})
        assert "n" in str(e.value) and "u32" in str(e.value)
        with pytest.raises(ValueError):
            s.write({"n": 2**32, "x": 0.0})
        with pytest.raises(TypeError) as e:
            s.write({"n": 1, "x": "fast"})
        assert "x" in str(e.value)
        assert s.version == 0


def test_records_are_writable_and_unlink_needs_no_name(name):
    s = seqshm.Segment(name, create=True, schema="x:f64 n:u32")
    s.write({"x": 1.0, "n": 2})
    r = s.read()
    r["x"] = 5.0  # a record of its own
    s.write(r)
    assert s.read()["x"] == 5.0
    if seqshm.Segment.__init__ and s.dtype is not None:
        vs, values = s.read_many()
        values[0]["n"] = 9
    s.unlink()
    assert not os.path.exists("/dev/shm/" + name)
    s.write({"x": 2.0, "n": 3})  # the mapping lives on until close
    s.close()
    seqshm.Segment(name.encode(), 8, create=True, persist=True).close()
    seqshm.unlink(name.encode())  # bytes, as os takes
    assert not os.path.exists("/dev/shm/" + name)


def test_info_speaks_as_the_tool(name):
    with seqshm.Segment(name, create=True, schema="x:f64 n:u32",
                        slots=4) as s:
        mine = s.info()
        tool = json.loads(subprocess.run([TOOL, "info", name, "--json"],
                                         capture_output=True, text=True,
                                         check=True).stdout)
    assert set(mine) == set(tool), set(mine) ^ set(tool)
    assert mine["layout"] == tool["layout"] == "ring"
    for k in ("size", "slots", "version", "mode", "owner", "schema", "fields",
              "origin", "sole_writer_pid", "waiters_fence"):
        assert mine[k] == tool[k], k


def test_version_is_the_c_librarys():
    with open(os.path.join(ROOT, "include", "seqshm.h")) as f:
        text = f.read()
    assert '#define SEQSHM_VERSION "%s"' % seqshm.__version__ in text


def test_the_compiled_path_refuses_a_wrong_size(name):
    """The compiled module checks the size it is given against the
    segment's, so a wrong one is an error, never a write past a buffer."""
    from seqshm._lib import fast
    if fast is None:
        print("SKIP compiled path: not built here (no Python headers)")
        pytest.skip("no compiled module")
    with seqshm.Segment(name, 64, create=True) as s:
        for call in (lambda: fast.read(s._addr, 8, 0),
                     lambda: fast.read_bytes(s._addr, 8, 0),
                     lambda: fast.next(s._addr, 0, 8, 0)):
            with pytest.raises(ValueError):
                call()
