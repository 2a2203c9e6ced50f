"""The Segment class against the C library, against C processes, and every
status as its exception."""
import json
import os
import subprocess
import time

import numpy
import pytest

import seqshm

FRAME = ("stamp_ns:u64 frame:u64 position:f64[3] attitude:f64[3] "
         "counters:u32[4]")  # the demo's, and pywriter's


def test_create_write_read_bytes(name):
    with seqshm.Segment(name, 16, create=True) as s:
        assert s.size == 16 and s.version == 0 and s.schema == ""
        assert s.read() == bytes(16)
        s.write(b"0123456789abcdef")
        assert s.read_versioned() == (1, b"0123456789abcdef")
        s.write(bytearray(b"x" * 16))
        s.write(memoryview(b"y" * 16))
        assert s.version == 3
        assert s.read_partial(4, 2) == b"yy"
        s.write_partial(b"AB", 14)
        assert s.read() == b"y" * 14 + b"AB"
        s.clear()
        assert s.read() == bytes(16) and s.version == 5
        assert s.is_creator and s.layout == "single" and s.slots == 1
    assert not os.path.exists("/dev/shm/" + name), "the creator removed it"


def test_options_reach_the_library(name):
    with seqshm.Segment(name, 8, create=True, layout="double", mode=0o640,
                        type_tag=77, persist=True) as s:
        assert s.layout == "double" and s.type_tag == 77
    assert oct(os.stat("/dev/shm/" + name).st_mode & 0o777) == "0o640"
    with seqshm.Segment(name, readonly=True) as r:
        assert r.size == 8 and r.info()["type_tag"] == 77
        with pytest.raises(PermissionError):
            r.write(bytes(8))
    with seqshm.Segment(name + "-r", 8, create=True, slots=16) as s:
        assert s.slots == 16
    seqshm.unlink(name)


LABELLED = "seq:u64 stamp_ns:u64 pos:f64[3] flags:u32 label:char[8]"


def test_schema_records_numpy_and_dict(name):
    with seqshm.Segment(name, create=True, schema=LABELLED) as s:
        assert s.size == 56
        assert [f.name for f in s.fields] == ["seq", "stamp_ns", "pos",
                                              "flags", "label"]
        s.write({"seq": 1, "stamp_ns": 2, "pos": [1.5, -2.25, 0.5],
                 "flags": 3, "label": "abc"})
        rec = s.read()
        assert isinstance(rec, numpy.void)
        assert rec["seq"] == 1 and rec["label"] == b"abc"
        assert list(rec["pos"]) == [1.5, -2.25, 0.5]
        s.write(rec)  # a record writes back as it came
        with seqshm.Segment(name, numpy=False) as d:
            v = d.read()
            assert v == {"seq": 1, "stamp_ns": 2, "pos": [1.5, -2.25, 0.5],
                         "flags": 3, "label": "abc"}
        with pytest.raises(KeyError):
            s.write({"seq": 1})  # a partial mapping needs update()
        with pytest.raises(KeyError):
            s.write({"nope": 1})
        with pytest.raises(ValueError):
            s.write(b"short")
        s.update({"flags": 9})
        s.update(lambda r: {"seq": int(r["seq"]) + 10})
        rec = s.read()
        assert rec["flags"] == 9 and rec["seq"] == 11 and s.version == 4


def test_update_is_atomic_across_processes(name):
    """Two processes add 1 to a counter 500 times each: nothing lost."""
    with seqshm.Segment(name, create=True, schema="n:u64") as s:
        pid = os.fork()
        if pid == 0:
            try:
                with seqshm.Segment(name) as c:
                    for _ in range(500):
                        c.update(lambda r: {"n": int(r["n"]) + 1})
            finally:
                os._exit(0)
        for _ in range(500):
            s.update(lambda r: {"n": int(r["n"]) + 1})
        os.waitpid(pid, 0)
        assert s.read()["n"] == 1000


def test_read_at_read_many_and_overwritten(name):
    with seqshm.Segment(name, create=True, schema="k:u32", slots=4) as s:
        for k in range(1, 11):
            s.write({"k": k})
        assert s.read_at(9)["k"] == 9
        with pytest.raises(seqshm.Overwritten) as e:
            s.read_at(2)
        assert isinstance(e.value, LookupError)
        versions, values = s.read_many()
        assert list(versions) == [7, 8, 9, 10] or list(versions) == [8, 9, 10]
        assert list(values["k"]) == [int(v) for v in versions]
        with pytest.raises(seqshm.Timeout):
            s.read_at(12, timeout=0.01)


def test_wait_and_timeouts(name):
    with seqshm.Segment(name, 8, create=True) as s:
        t0 = time.monotonic()
        assert s.wait(timeout=0.05) is False
        assert 0.04 < time.monotonic() - t0 < 1
        s.write(bytes(8))
        assert s.wait(0, timeout=0) is True
        with pytest.raises(ValueError):
            s.wait(timeout=-1)


def test_c_writer_python_reader(name, programs):
    with seqshm.Segment(name, create=True, schema=FRAME, slots=64) as s:
        subprocess.run([programs["pywriter"], name, "0", "1000"], check=True)
        v, rec = s.read_versioned()
        assert v == 1000 and rec["frame"] == 1000
        assert list(rec["position"]) == [500.0, -1000.0, 0.25]
        assert rec["counters"][0] == 1000 % 7


def test_python_writer_c_reader(name, programs):
    with seqshm.Segment(name, create=True, schema=LABELLED) as s:
        s.write({"seq": 7, "stamp_ns": 1, "pos": [0.5, 1.5, -3.0],
                 "flags": 2, "label": "py"})
        out = subprocess.run([programs["tool"], "dump", name, "--json"],
                             check=True, capture_output=True, text=True)
        d = json.loads(out.stdout)
        assert d["version"] == 1 and d["data"]["pos"] == [0.5, 1.5, -3.0]
        assert d["data"]["label"] == "py"
    with seqshm.Segment(name + "-b", 64, create=True) as s:
        s.write(bytes([0x5a]) * 64)
        subprocess.run([programs["peer"], "expect", name + "-b", "0x5a", "1"],
                       check=True)


def test_follow_is_exact_under_a_10khz_c_writer(name, programs):
    """Every version comes once, in order, each with its own frame; what is
    skipped is counted, and delivered + lost == written. Twice: with 8192
    slots, more than the 5000 versions written, so that nothing can be lost
    however long this process is kept off the CPU, and with 4 slots and a
    slow consumer (losing, and counting it)."""
    for slots, pause in ((8192, 0), (4, 0.002)):
        seg = "%s-%d" % (name, slots)
        with seqshm.Segment(seg, create=True, schema=FRAME, slots=slots) as s:
            w = subprocess.Popen([programs["pywriter"], seg, "10000", "5000"])
            delivered = lost = 0
            last = 0
            for version, rec, skipped in s.follow(timeout=1.0, start=1):
                assert version == last + skipped + 1
                assert rec["frame"] == version
                last = version
                delivered += 1
                lost += skipped
                if pause:
                    time.sleep(pause)
                if version == 5000:
                    break
            assert w.wait() == 0
            assert delivered + lost == 5000
            if pause:
                assert lost > 0, "a slow consumer of 4 slots loses versions"
            else:
                assert lost == 0


def test_follow_batches_numpy(name, programs):
    with seqshm.Segment(name, create=True, schema=FRAME, slots=1024) as s:
        subprocess.run([programs["pywriter"], name, "0", "3000"], check=True)
        got = []
        for b in s.follow(timeout=0.2, batch=500, start=1):
            assert isinstance(b.values, numpy.ndarray)
            assert (b.values["frame"] == b.versions).all()
            got.extend(int(v) for v in b.versions)
        # 1024 slots: the first 1976 were gone when following began
        assert got == list(range(1977, 3001))


def test_every_status_is_its_exception(name):
    with pytest.raises(seqshm.NotFound) as e:
        seqshm.Segment(name)
    assert isinstance(e.value, FileNotFoundError) and e.value.status == -2
    assert e.value.status_name == "SEQSHM_ENOENT"
    with pytest.raises(seqshm.InvalidArgument) as e:
        seqshm.Segment("bad/name", 8, create=True)
    assert isinstance(e.value, ValueError)
    s = seqshm.Segment(name, 8, create=True)
    with pytest.raises(seqshm.Exists) as e:
        seqshm.Segment(name, 8, create=True, exclusive=True)
    assert isinstance(e.value, FileExistsError)
    with pytest.raises(seqshm.SizeMismatch):
        seqshm.Segment(name, 16)
    with pytest.raises(seqshm.TypeMismatch):
        seqshm.Segment(name, type_tag=5)
    with pytest.raises(seqshm.TypeMismatch):
        seqshm.Segment(name, schema="x:f64")
    with pytest.raises(seqshm.AccessDenied):
        seqshm.Segment(name, readonly=True).write(bytes(8))
    sole = seqshm.Segment(name, sole_writer=True)
    with pytest.raises(seqshm.Busy):
        s.write(bytes(8))
    sole.close()
    with open("/dev/shm/" + name + "-foreign", "wb") as f:
        f.write(b"not a segment" * 100)
    with pytest.raises(seqshm.BadSegment):
        seqshm.Segment(name + "-foreign")
    with pytest.raises(seqshm.InvalidArgument) as e:
        seqshm.Segment(name + "-s", create=True, schema="x:f16")
    assert "unknown type 'f16'" in str(e.value)
    s.close()
    with pytest.raises(ValueError):
        s.read()  # closed
    assert issubclass(seqshm.Timeout, TimeoutError)
    assert issubclass(seqshm.OSFailure, OSError)
    assert issubclass(seqshm.OwnerDead, seqshm.Error)


def test_torn_payload_is_owner_dead(name, programs):
    """A C writer killed mid-write (fault build's stop point) leaves the
    single buffer torn: Python sees seqshm.OwnerDead, never torn bytes."""
    with seqshm.Segment(name, 4096, create=True) as s:
        env = dict(os.environ, SEQSHM_FAULT="mid_copy:stop")
        p = subprocess.Popen([programs["peer"], "write", name, "7", "1"],
                             env=env)
        deadline = time.monotonic() + 5
        while not s.info()["busy"] and time.monotonic() < deadline:
            time.sleep(0.01)
        p.kill()
        p.wait()
        with pytest.raises(seqshm.OwnerDead):
            s.read(timeout=0.5)
        s.write(bytes(4096))
        assert s.read() == bytes(4096)


def test_update_with_a_bad_field_publishes_nothing(name):
    """The whole new value is encoded before any of it is written: a
    mapping with a bad field raises before the claim (nothing published); a
    function whose value cannot be encoded leaves the value as it was (the
    library publishes it unchanged)."""
    with seqshm.Segment(name, create=True, schema="x:f64 y:u8") as s:
        s.write({"x": 1.0, "y": 7})
        v = s.version
        with pytest.raises(Exception):
            s.update({"x": 99.0, "y": 300})  # y is a u8
        r = s.read()
        assert (float(r["x"]), int(r["y"])) == (1.0, 7) and s.version == v
        with pytest.raises(Exception):
            s.update(lambda rec: {"x": 5.0, "y": 1000})
        r = s.read()
        assert (float(r["x"]), int(r["y"])) == (1.0, 7)
        s.update({"x": 2.5})
        assert float(s.read()["x"]) == 2.5 and int(s.read()["y"]) == 7


def test_integers_are_checked_not_wrapped(name):
    """ctypes would pass 2**64 + 8 as 8: every integer argument is checked
    against the C type's range instead, and a NUL in a name is refused (it
    would cut the name short)."""
    with pytest.raises(OverflowError):
        seqshm.Segment(name, 2**64 + 8, create=True)
    assert not os.path.exists("/dev/shm/" + name)
    with pytest.raises(ValueError):
        seqshm.Segment(name + "\0tail", 8, create=True)
    assert not os.path.exists("/dev/shm/" + name)
    with seqshm.Segment(name.encode(), 8, create=True) as s:  # bytes, as os
        s.write(b"abcdefgh")
        with pytest.raises(OverflowError):
            s.read_partial(2**64, 4)
        with pytest.raises(OverflowError):
            s.read_partial(0, -1)
        with pytest.raises(OverflowError):
            s.write_partial(b"x", 2**64 + 1)
        with pytest.raises(OverflowError):
            s.read_at(-1)
        with pytest.raises(TypeError):
            s.read_partial(1.5, 2)
        assert s.read_partial(4, 4) == b"efgh"


def test_a_change_that_writes_its_own_segment_is_refused(name):
    """update's function writing the segment it changes would wait for the
    claim its own update holds, for ever: it raises instead, and the value
    is left as it was."""
    with seqshm.Segment(name, create=True, schema="n:u32") as s:
        other = seqshm.Segment(name)

        def change(rec):
            other.write({"n": 5})
            return {"n": 1}
        with pytest.raises(RuntimeError):
            s.update(change, timeout=2.0)
        assert int(s.read()["n"]) == 0
        other.write({"n": 6})  # and after the update, writes work again
        assert int(s.read()["n"]) == 6
        other.close()


def _idle(ev):
    ev.wait(10)


def test_a_forked_child_does_not_keep_the_parents_identity(name):
    """A child forked by multiprocessing that never uses the segment lets go
    of its parent's identity at once: closing the creator's handle in the
    parent ends its identity while the child lives."""
    import multiprocessing
    ctx = multiprocessing.get_context("fork")
    creator = seqshm.Segment(name, 8, create=True, persist=True)
    other = seqshm.Segment(name)
    ev = ctx.Event()
    child = ctx.Process(target=_idle, args=(ev,))
    child.start()
    try:
        time.sleep(0.2)
        assert other.info()["creator_alive"]
        creator.close()
        assert not other.info()["creator_alive"], \
            "the idle child kept the parent's identity"
    finally:
        ev.set()
        child.join()
        other.close()
        seqshm.unlink(name)


def test_another_users_world_writable_segment_needs_any_owner(name):
    """A segment of another user that anyone may write (maybe a squatter's)
    is refused unless any_owner=True (root only: it gives the segment away
    with chown)."""
    if os.geteuid() != 0:
        pytest.skip("needs root to give a segment to another user")
    with seqshm.Segment(name, 8, create=True, mode=0o666, persist=True) as s:
        s.write(b"squatted")
    for path in ("/dev/shm/" + name, "/dev/shm/" + name + "@ids"):
        os.chown(path, 65534, 65534)
    try:
        with pytest.raises(PermissionError):
            seqshm.Segment(name)
        with seqshm.Segment(name, any_owner=True) as s:
            assert s.read() == b"squatted"
    finally:
        seqshm.unlink(name)
