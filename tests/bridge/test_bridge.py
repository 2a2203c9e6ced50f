"""seqshm-bridge against a real nats-server: values cross in order and the
last always arrives, late subscribers get the current value, 100 segments,
a server killed and restarted mid-stream, bad URLs and refused logins,
mismatched mirrors skipped, nothing left behind."""
import os
import re
import subprocess
import threading
import time

import seqshm

from conftest import BRIDGE, open_when_there, wait_for

SCHEMA = "n:u64 x:f64 check:u64"  # check = n * 2654435761 (a torn value
                                  # would not satisfy it)


def frame(n):
    return {"n": n, "x": n / 4, "check": (n * 2654435761) % 2**64}


def whole(rec):
    return int(rec["check"]) == (int(rec["n"]) * 2654435761) % 2**64


def follow(mirror, seen, stop):
    """Appends each new version's n to seen, checking it whole, until
    stop is set."""
    last = 0
    while not stop.is_set():
        if mirror.wait(last, timeout=0.1):
            last, rec = mirror.read_versioned()
            assert whole(rec)
            seen.append(int(rec["n"]))


def bridged(server, bridges, name, prefix, *publish_options):
    """A source segment, its publisher and subscriber, and its mirror."""
    src = seqshm.Segment(name, create=True, schema=SCHEMA)
    pub = bridges.start("publish", name, "--server", server.url,
                        *publish_options)
    sub = bridges.start("subscribe", name, "--server", server.url,
                        "--prefix", prefix)
    return src, pub, sub, open_when_there(prefix + name)


def test_values_cross_in_order_and_the_last_arrives(server, bridges, name):
    src, pub, sub, mirror = bridged(server, bridges, name, "m-")
    assert mirror.schema == SCHEMA and mirror.size == src.size
    seen, stop = [], threading.Event()
    t = threading.Thread(target=follow, args=(mirror, seen, stop))
    t.start()
    for n in range(1, 301):
        src.write(frame(n))
        time.sleep(0.001)
    wait_for(lambda: seen and seen[-1] == 300, what="the last value")
    stop.set()
    t.join()
    assert seen == sorted(seen), "in order"
    assert len(set(seen)) == len(seen)
    # a local write into the mirror is refused: the bridge is its writer
    try:
        mirror.write(frame(7))
        assert False, "a local write beside the bridge"
    except seqshm.Busy:
        pass
    mirror.close()
    code, err = bridges.stop(sub)
    assert code == 0 and "versions written" in err
    code, err = bridges.stop(pub)
    assert code == 0 and "puts" in err
    assert not os.path.exists("/dev/shm/m-" + name), "the mirror is removed"
    src.close()


def test_late_subscriber_gets_the_current_value(server, bridges, name):
    src = seqshm.Segment(name, create=True, schema=SCHEMA)
    bridges.start("publish", name, "--server", server.url)
    for n in range(1, 11):
        src.write(frame(n))
    time.sleep(0.5)
    t0 = time.monotonic()
    bridges.start("subscribe", name, "--server", server.url, "--prefix", "l-")
    mirror = open_when_there("l-" + name)
    wait_for(lambda: mirror.version > 0, what="the current value")
    assert int(mirror.read()["n"]) == 10
    assert time.monotonic() - t0 < 5
    mirror.close()
    src.close()


def test_a_hundred_segments(server, bridges, name):
    names = ["%s-%03d" % (name, i) for i in range(100)]
    srcs = [seqshm.Segment(n, create=True, schema=SCHEMA) for n in names]
    bridges.start("publish", *names, "--server", server.url)
    bridges.start("subscribe", ">", "--server", server.url, "--prefix", "h-")
    for i, s in enumerate(srcs):
        s.write(frame(1000 + i))
    mirrors = [open_when_there("h-" + n) for n in names]
    for i, m in enumerate(mirrors):
        wait_for(lambda: m.version > 0 and int(m.read()["n"]) == 1000 + i,
                 what="mirror %d" % i)
    for m in mirrors:
        m.close()
    for s in srcs:
        s.close()


def test_server_killed_and_restarted_mid_stream(server, bridges, name):
    src, pub, sub, mirror = bridged(server, bridges, name, "r-")
    seen, torn, final = [], [], []
    stop = threading.Event()

    def write():
        n = 0
        while not stop.is_set():
            n += 1
            src.write(frame(n))
            time.sleep(0.002)
        final.append(n)

    def follow():
        last = 0
        deadline = None
        while True:
            if mirror.wait(last, timeout=0.1):
                last, rec = mirror.read_versioned()
                if not whole(rec):
                    torn.append(rec)
                seen.append(int(rec["n"]))
            if final:
                if seen and seen[-1] == final[0]:
                    return
                deadline = deadline or time.monotonic() + 20
                if time.monotonic() > deadline:
                    return
    w = threading.Thread(target=write)
    f = threading.Thread(target=follow)
    w.start()
    f.start()
    time.sleep(1.0)
    before = len(seen)
    server.kill()
    time.sleep(1.5)
    server.start()
    time.sleep(3.0)
    stop.set()
    w.join()
    f.join()
    assert before > 0, "values crossed before the kill"
    assert seen and seen[-1] == final[0], "the last value arrived after " \
        "the restart (%s, last written %d)" % (seen[-3:], final[0])
    assert len(seen) > before, "and values crossed after it"
    assert seen == sorted(seen), "never backwards"
    assert not torn
    mirror.close()
    for p in (pub, sub):
        code, err = bridges.stop(p)
        assert code == 0, err
    src.close()


def test_bad_url_and_refused_login(auth_server, name):
    src = seqshm.Segment(name, 16, create=True)
    r = subprocess.run([BRIDGE, "publish", name, "--server",
                        "nats://127.0.0.1:1"], capture_output=True, text=True,
                       timeout=30)
    assert r.returncode == 3 and "cannot connect" in r.stderr, r.stderr
    r = subprocess.run([BRIDGE, "subscribe", name, "--server",
                        auth_server.url, "--user", "telemetry", "--password",
                        "wrong"], capture_output=True, text=True, timeout=30)
    assert r.returncode == 3 and "cannot connect" in r.stderr, r.stderr
    assert "refused the login" in r.stderr, r.stderr
    assert "wrong" not in r.stderr
    r = subprocess.run([BRIDGE, "publish", name], capture_output=True,
                       text=True)
    assert r.returncode == 2 and "--server" in r.stderr
    r = subprocess.run([BRIDGE, "publish", "..bad", "--server",
                        auth_server.url], capture_output=True, text=True)
    assert r.returncode == 2
    src.close()


def test_login_accepted(auth_server, bridges, name):
    src = seqshm.Segment(name, create=True, schema=SCHEMA)
    auth = ["--server", auth_server.url, "--user", "telemetry",
            "--password", "s3cret"]
    bridges.start("publish", name, *auth)
    bridges.start("subscribe", name, "--prefix", "a-", *auth)
    src.write(frame(5))
    mirror = open_when_there("a-" + name)
    wait_for(lambda: mirror.version > 0, what="a value through a login")
    assert int(mirror.read()["n"]) == 5
    mirror.close()
    src.close()


def test_mismatched_mirror_is_skipped(server, bridges, name):
    src = seqshm.Segment(name, create=True, schema=SCHEMA)
    other = seqshm.Segment("x-" + name, 8, create=True)  # another size
    bridges.start("publish", name, "--server", server.url)
    sub = bridges.start("subscribe", name, "--server", server.url,
                        "--prefix", "x-")
    src.write(frame(3))
    time.sleep(1.5)
    assert other.version == 0, "nothing written into a mismatched segment"
    code, err = bridges.stop(sub)
    assert code == 0
    assert "skipped" in err and "size" in err, err
    other.close()
    src.close()


def test_coalescing_keeps_the_latest(server, bridges, name):
    src, pub, _, mirror = bridged(server, bridges, name, "c-",
                                  "--max-rate", "10")
    t0 = time.monotonic()
    for n in range(1, 201):  # 200 versions over one second
        src.write(frame(n))
        time.sleep(0.005)
    wait_for(lambda: mirror.version > 0 and int(mirror.read()["n"]) == 200,
             what="the latest value")
    took = time.monotonic() - t0
    assert mirror.version <= 10 * took + 3, \
        "at most 10 puts a second got through: %d in %.1f s" % (
            mirror.version, took)
    code, err = bridges.stop(pub)
    assert code == 0 and "versions coalesced" in err
    mirror.close()
    src.close()


def test_tls_with_the_servers_ca(tls_server, bridges, name, tmp_path):
    src = seqshm.Segment(name, create=True, schema=SCHEMA)
    url = "tls://127.0.0.1:%d" % tls_server.port
    tls = ["--server", url, "--tls-ca", tls_server.ca]
    bridges.start("publish", name, *tls)
    bridges.start("subscribe", name, "--prefix", "t-", *tls)
    src.write(frame(9))
    mirror = open_when_there("t-" + name)
    wait_for(lambda: mirror.version > 0, what="a value over TLS")
    assert int(mirror.read()["n"]) == 9
    mirror.close()
    # another CA: the server's certificate is not trusted
    other = tmp_path / "other"
    other.mkdir()
    from conftest import make_certs
    wrong = make_certs(str(other))["ca.pem"]
    r = subprocess.run([BRIDGE, "publish", name, "--server", url,
                        "--tls-ca", wrong], capture_output=True, text=True,
                       timeout=30)
    assert r.returncode == 3 and "cannot connect" in r.stderr, r.stderr
    assert "TLS failed" in r.stderr and "--tls-ca" in r.stderr, r.stderr
    src.close()


# ------------------------------------------------- crafted values (kvput)

KVPUT = os.path.join(os.path.dirname(BRIDGE), "kvput")


def wire(version, epoch, payload, slots=1, schema=b"", tag=0, time_ns=0):
    """A value as the bridge's wire encodes it (tools/bridge/bridge.h)."""
    import struct
    head = (b"SQB1" + struct.pack("<IQQQQIII", 56, version, time_ns, epoch,
                                  tag, len(payload), len(schema), slots)
            + struct.pack("<I", 0))
    return head + schema + payload


def put(server, *pairs):
    """Puts (key, value bytes) pairs into the bucket as a plain client."""
    lines = "".join("%s %s\n" % (k, v.hex()) for k, v in pairs)
    subprocess.run([KVPUT, server.url, "seqshm"], input=lines, text=True,
                   check=True, timeout=60)


def test_a_mirror_never_goes_back_to_an_older_publisher(server, bridges,
                                                         name):
    """Values are ordered by (publisher epoch, version): an older
    publisher's value, whatever its version, does not overwrite a newer
    publisher's."""
    put(server, (name, wire(5, 2000, b"newer..." )))
    sub = bridges.start("subscribe", name, "--server", server.url,
                        "--prefix", "e-")
    mirror = open_when_there("e-" + name)
    wait_for(lambda: mirror.read() == b"newer...", what="the first value")
    put(server, (name, wire(9, 1000, b"older...")))  # an older epoch
    put(server, (name, wire(6, 2000, b"next....")))
    wait_for(lambda: mirror.read() == b"next....", what="the newer value")
    assert mirror.version == 2, "the older publisher's value was skipped"
    mirror.close()
    assert bridges.stop(sub)[0] == 0


def test_remote_values_are_bounded(server, bridges, name):
    """A value that asks for 65536 slots gets at most --max-slots; mirrors
    together take at most --max-bytes, and a value past it is refused, said
    once."""
    big = b"\x01" * 16384
    put(server, (name + ".a", wire(1, 1, big, slots=65536)))
    sub = bridges.start("subscribe", name + ".*", "--server", server.url,
                        "--prefix", "b-", "--max-slots", "64",
                        "--max-bytes", "2M")
    a = open_when_there("b-" + name + ".a")
    assert a.slots == 64, "slots bounded by --max-slots: %d" % a.slots
    for v in range(1, 4):  # 16 KiB x 64 slots = 1 MiB: half the budget
        put(server, (name + ".b", wire(v, 1, big, slots=65536)))
    b = open_when_there("b-" + name + ".b")
    assert b.slots < 64, "the budget left gives fewer slots: %d" % b.slots
    # 512 KiB (a NATS message holds 1 MiB): not even one slot is left
    put(server, (name + ".c", wire(1, 1, b"\x02" * 524288, slots=4)),
        (name + ".c", wire(2, 1, b"\x02" * 524288, slots=4)))
    time.sleep(1.0)
    assert not os.path.exists("/dev/shm/b-" + name + ".c"), \
        "a mirror past --max-bytes"
    a.close()
    b.close()
    code, err = bridges.stop(sub)
    assert code == 0
    assert err.count("does not fit in what is left of --max-bytes") == 1, err


def test_keys_too_long_are_refused_once_each(server, bridges, name):
    """A key longer than a segment name is refused, said once per key (not
    once per value, nor kept once per value), and keys after it work."""
    longs = ["%s.%s" % (name, chr(97 + i) * 230) for i in range(5)]
    put(server, *[(k, wire(v, 1, b"12345678")) for v in range(1, 4)
                  for k in longs])
    put(server, (name + ".ok", wire(1, 1, b"okokokok")))
    sub = bridges.start("subscribe", name + ".>", "--server", server.url,
                        "--prefix", "l-")
    ok = open_when_there("l-" + name + ".ok")
    wait_for(lambda: ok.read() == b"okokokok", what="the short key")
    put(server, *[(k, wire(9, 1, b"12345678")) for k in longs])
    time.sleep(0.5)
    ok.close()
    code, err = bridges.stop(sub)
    assert code == 0
    assert err.count("longer than a segment name") == 5, err
    assert all(TS.match(line) for line in err.strip().split("\n")), err


# ------------------------------------------------ mirrors are marked (origin)

def test_a_local_segment_is_never_taken(server, bridges, name):
    """Without --prefix, a remote key with a local segment's name and size
    does not make the bridge that segment's writer: the local writer goes
    on, its readers never get the remote bytes, and the refusal is said."""
    victim = seqshm.Segment(name, 8, create=True)
    victim.write(b"local...")
    put(server, (name, wire(1, 1, b"REMOTE!!")))
    sub = bridges.start("subscribe", ">", "--server", server.url)
    time.sleep(1.0)
    put(server, (name, wire(2, 1, b"REMOTE!!")))
    time.sleep(0.5)
    assert victim.read() == b"local...", "the remote value got in"
    victim.write(b"still me")  # no seqshm.Busy: the bridge is no writer
    assert victim.info()["sole_writer_pid"] == 0
    code, err = bridges.stop(sub)
    assert code == 0
    assert err.count("not this bucket's mirror") == 1, err
    assert os.path.exists("/dev/shm/" + name), "the bridge removed it"
    victim.close()


def test_a_restarted_subscriber_adopts_its_mirror_and_removes_it(
        server, bridges, name):
    """A subscriber killed with SIGKILL leaves its mirror; the next one
    adopts it (it carries this bucket and key as its origin), writes on,
    and removes it at exit though it did not create it."""
    put(server, (name, wire(1, 1, b"first...")))
    sub = bridges.start("subscribe", name, "--server", server.url,
                        "--prefix", "r-")
    mirror = open_when_there("r-" + name)
    wait_for(lambda: mirror.read() == b"first...", what="the first value")
    sub.kill()
    sub.wait()
    assert os.path.exists("/dev/shm/r-" + name)
    sub = bridges.start("subscribe", name, "--server", server.url,
                        "--prefix", "r-")
    put(server, (name, wire(2, 1, b"second..")))
    wait_for(lambda: mirror.read() == b"second..", what="the adopted mirror")
    assert mirror.info()["origin"] == "nats-kv:seqshm/" + name
    mirror.close()
    code, err = bridges.stop(sub)
    assert code == 0, err
    assert not os.path.exists("/dev/shm/r-" + name), "the mirror stayed"


def test_a_mirror_says_where_it_comes_from(server, bridges, name):
    """seqshm info (text and JSON) and Python's info() show the source's
    version and publish time and when the mirror was refreshed."""
    sent = time.time_ns() - 5 * 10**9
    put(server, (name, wire(41, 1, b"12345678", time_ns=sent)))
    bridges.start("subscribe", name, "--server", server.url, "--prefix", "o-")
    mirror = open_when_there("o-" + name)
    wait_for(lambda: mirror.version == 1, what="the value")
    i = mirror.info()
    assert i["origin"] == "nats-kv:seqshm/" + name
    assert i["source_version"] == 41 and i["source_time_ns"] == sent
    assert abs(i["refreshed_ns"] - time.time_ns()) < 3 * 10**9
    assert not i["stale"]
    tool = os.path.join(os.path.dirname(BRIDGE), "seqshm")
    import json
    j = json.loads(subprocess.run([tool, "info", "o-" + name, "--json"],
                                  capture_output=True, text=True,
                                  check=True).stdout)
    assert (j["origin"], j["source_version"], j["source_time_ns"]) == (
        "nats-kv:seqshm/" + name, 41, sent)
    text = subprocess.run([tool, "info", "o-" + name], capture_output=True,
                          text=True, check=True).stdout
    assert "copy of         nats-kv:seqshm/" + name in text, text
    assert "source version  41, published 5." in text, text
    mirror.close()


def test_an_echo_is_refused(server, bridges, name):
    """Publishing a mirror into the bucket it mirrors is refused, said, and
    the mirror does not run away."""
    put(server, (name, wire(1, 1, b"12345678")))
    sub = bridges.start("subscribe", name, "--server", server.url)
    mirror = open_when_there(name)
    wait_for(lambda: mirror.version == 1, what="the value")
    pub = bridges.start("publish", name, "--server", server.url)
    code, err = bridges.stop(pub) if pub.wait(5) is not None else (None, "")
    assert code == 1, "the publisher refused: %s" % err
    assert "would loop" in err, err
    time.sleep(0.5)
    assert mirror.version == 1
    mirror.close()
    assert bridges.stop(sub)[0] == 0


def test_a_refused_key_is_tried_again(server, bridges, name):
    """Keys refused for want of descriptors are made, with their latest
    value, once the limit is raised; none is lost for good."""
    keys = ["%s.%03d" % (name, i) for i in range(60)]
    put(server, *[(k, wire(1, 1, b"%08d" % i)) for i, k in enumerate(keys)])
    sub = subprocess.Popen(["prlimit", "--nofile=40:1024", BRIDGE, "subscribe",
                            name + ".*", "--server", server.url,
                            "--prefix", "f-"],
                           stderr=subprocess.PIPE, text=True)
    bridges.procs.append(sub)
    made = lambda: [k for k in keys if os.path.exists("/dev/shm/f-" + k)]
    wait_for(lambda: len(made()) > 5, what="the first mirrors")
    time.sleep(1.0)
    short = len(made())
    assert short < len(keys), "the limit refused nothing (%d made)" % short
    put(server, (keys[-1], wire(2, 1, b"latest!!")))
    subprocess.run(["prlimit", "--pid", str(sub.pid), "--nofile=1024:1024"],
                   check=True)
    wait_for(lambda: len(made()) == len(keys), timeout=5,
             what="every mirror after the limit was raised (%d of %d)" % (
                 len(made()), len(keys)))
    last = open_when_there("f-" + keys[-1])
    wait_for(lambda: last.read() == b"latest!!", what="the latest value")
    last.close()
    code, err = bridges.stop(sub)
    assert code == 0
    refused = err.count("trying again every second")
    assert refused > 0, err
    assert err.count("made at last") == refused, err


# ----------------------------------------------------------- for operators

TS = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z seqshm-bridge: ")


def test_a_recreated_source_is_followed(server, bridges, name):
    """The source closed by its creator and made again, or removed with
    seqshm rm and made again: the mirror follows the new one within a
    second."""
    src, pub, sub, mirror = bridged(server, bridges, name, "n-")
    src.write(frame(1))
    wait_for(lambda: mirror.version > 0 and int(mirror.read()["n"]) == 1,
             what="the first source's value")
    src.close()  # the creator's close removes the name
    src = seqshm.Segment(name, create=True, schema=SCHEMA)
    src.write(frame(2))
    t0 = time.monotonic()
    wait_for(lambda: int(mirror.read()["n"]) == 2, timeout=5,
             what="the new source's value")
    assert time.monotonic() - t0 < 2.0
    tool = os.path.join(os.path.dirname(BRIDGE), "seqshm")
    subprocess.run([tool, "rm", name], check=True)
    again = seqshm.Segment(name, create=True, schema=SCHEMA)
    again.write(frame(3))
    wait_for(lambda: int(mirror.read()["n"]) == 3, timeout=5,
             what="the value after seqshm rm and a new segment")
    mirror.close()
    code, err = bridges.stop(pub)
    assert code == 0 and "no longer names the segment" in err, err
    assert bridges.stop(sub)[0] == 0
    src.close()
    again.close()


def test_a_server_that_lost_its_store_gets_every_value_back(server, bridges,
                                                            name):
    """Killed, its store wiped, restarted: every published segment's
    latest value, idle ones too, is back in the bucket for a late
    subscriber."""
    a = seqshm.Segment(name + ".a", create=True, schema=SCHEMA)
    b = seqshm.Segment(name + ".b", create=True, schema=SCHEMA)
    a.write(frame(11))
    b.write(frame(22))
    pub = bridges.start("publish", name + ".a", name + ".b", "--server",
                        server.url)
    time.sleep(1.0)
    server.kill()
    subprocess.run(["rm", "-rf", server.dir])
    os.makedirs(server.dir)
    server.start()
    sub = bridges.start("subscribe", name + ".*", "--server", server.url,
                        "--prefix", "s-")
    ma = open_when_there("s-" + name + ".a")
    mb = open_when_there("s-" + name + ".b")
    wait_for(lambda: ma.version > 0 and mb.version > 0, timeout=5,
             what="both idle segments' values")
    assert int(ma.read()["n"]) == 11 and int(mb.read()["n"]) == 22
    ma.close()
    mb.close()
    assert bridges.stop(sub)[0] == 0
    code, err = bridges.stop(pub)
    assert code == 0 and "reconnected to" in err, err
    a.close()
    b.close()


def test_a_removed_mirror_is_made_again(server, bridges, name):
    """seqshm rm of a live mirror: the subscriber makes it again, with its
    value, and readers open it again."""
    src, pub, sub, mirror = bridged(server, bridges, name, "x-")
    src.write(frame(4))
    wait_for(lambda: mirror.version > 0, what="the value")
    mirror.close()
    tool = os.path.join(os.path.dirname(BRIDGE), "seqshm")
    subprocess.run([tool, "rm", "x-" + name], check=True)
    back = open_when_there("x-" + name, timeout=3)
    wait_for(lambda: back.version > 0, what="the value in the new mirror")
    assert int(back.read()["n"]) == 4
    src.write(frame(5))
    wait_for(lambda: int(back.read()["n"]) == 5, what="values go on")
    back.close()
    code, err = bridges.stop(sub)
    assert code == 0 and "making the mirror again" in err, err
    assert not os.path.exists("/dev/shm/x-" + name)
    src.close()


def test_a_mirror_of_a_dead_publisher_goes_stale(server, bridges, name):
    """An idle source stays fresh (its publisher's word every second); a
    killed publisher's mirror is marked stale after --stale-after, and
    fresh again once a publisher is back."""
    src = seqshm.Segment(name, create=True, schema=SCHEMA)
    src.write(frame(1))
    pub = bridges.start("publish", name, "--server", server.url)
    sub = bridges.start("subscribe", name, "--server", server.url,
                        "--prefix", "z-", "--stale-after", "1.5")
    mirror = open_when_there("z-" + name)
    wait_for(lambda: mirror.version > 0, what="the value")
    time.sleep(3.0)  # idle, twice --stale-after
    i = mirror.info()
    assert not i["stale"], "an idle source's mirror went stale"
    assert time.time_ns() - i["refreshed_ns"] < 1.5e9, i["refreshed_ns"]
    pub.kill()
    pub.wait()
    wait_for(lambda: mirror.info()["stale"], timeout=5,
             what="the mirror marked stale")
    tool = os.path.join(os.path.dirname(BRIDGE), "seqshm")
    text = subprocess.run([tool, "info", "z-" + name], capture_output=True,
                          text=True, check=True).stdout
    assert "STALE" in text, text
    bridges.start("publish", name, "--server", server.url)
    wait_for(lambda: not mirror.info()["stale"], timeout=5,
             what="fresh again")
    mirror.close()
    code, err = bridges.stop(sub)
    assert code == 0
    assert "marked stale" in err and "fresh" in err, err
    src.close()


def test_operators_read_what_it_does(server, bridges, name):
    """A startup line, status lines (--status), a timestamp on every line,
    nothing about a disconnection at a normal exit."""
    src = seqshm.Segment(name, create=True, schema=SCHEMA)
    pub = bridges.start("publish", name, "--server", server.url,
                        "--status", "0.5")
    sub = bridges.start("subscribe", name, "--server", server.url,
                        "--prefix", "o-", "--status", "0.5")
    mirror = open_when_there("o-" + name)
    for n in range(1, 21):
        src.write(frame(n))
        time.sleep(0.01)
    time.sleep(1.5)
    mirror.close()
    for p, words in ((pub, ["publishing 1 segment", "status: publish",
                            "puts"]),
                     (sub, ["mirroring key", "status: key", "heard"])):
        code, err = bridges.stop(p)
        assert code == 0
        lines = err.strip().split("\n")
        assert all(TS.match(line) for line in lines), err
        for w in words:
            assert w in err, (w, err)
        assert "disconnected" not in err, err
    src.close()


def test_credentials_stay_out_of_sight(auth_server, bridges, name,
                                       tmp_path):
    """A password from NATS_PASSWORD or --password-file; one given with
    --password is wiped from the command line; a URL's is never echoed."""
    src = seqshm.Segment(name, create=True, schema=SCHEMA)
    env = dict(os.environ, NATS_USER="telemetry", NATS_PASSWORD="s3cret")
    p = subprocess.Popen([BRIDGE, "subscribe", name, "--server",
                          auth_server.url, "--prefix", "c-"], env=env,
                         stderr=subprocess.PIPE, text=True)
    bridges.procs.append(p)
    pw = tmp_path / "pw"
    pw.write_text("s3cret\n")
    pub = bridges.start("publish", name, "--server", auth_server.url,
                        "--user", "telemetry", "--password-file", str(pw))
    src.write(frame(8))
    mirror = open_when_there("c-" + name)
    wait_for(lambda: mirror.version > 0, what="a value through both logins")
    mirror.close()
    shown = bridges.start("publish", name + ".x", "--server", auth_server.url,
                          "--user", "telemetry", "--password", "s3cret")
    time.sleep(0.5)
    with open("/proc/%d/cmdline" % shown.pid, "rb") as f:
        assert b"s3cret" not in f.read(), "the password shows in ps"
    r = subprocess.run([BRIDGE, "publish", name, "--server",
                        "nats://telemetry:hunter2@127.0.0.1:1"],
                       capture_output=True, text=True, timeout=30)
    assert r.returncode == 3 and "hunter2" not in r.stderr, r.stderr
    assert "***@127.0.0.1" in r.stderr and "connection refused" in r.stderr
    for q in (p, pub, shown):
        assert bridges.stop(q)[0] == 0
    src.close()


def test_messages_say_what_went_wrong():
    r = subprocess.run([BRIDGE, "publish", "x", "--server",
                        "nats://no-such-host.invalid:4222"],
                       capture_output=True, text=True, timeout=30)
    assert r.returncode == 3 and "unknown host" in r.stderr, r.stderr
    for flag in ("--help", "--version"):
        r = subprocess.run([BRIDGE, flag], capture_output=True, text=True)
        assert r.returncode == 0 and r.stdout, flag
    assert subprocess.run([BRIDGE, "--version"], capture_output=True,
                          text=True).stdout.startswith("seqshm-bridge ")


# ------------------------------------------------------------------ --core

def test_core_mode_needs_no_jetstream(plain_server, bridges, name):
    """--core on a server without JetStream: every value in order, a late
    subscriber gets the latest within the publisher's once-a-second repeat,
    and a mirror of a killed publisher goes stale."""
    url = plain_server.url
    src = seqshm.Segment(name, create=True, schema=SCHEMA, slots=256)
    pub = bridges.start("publish", name, "--server", url, "--core")
    sub = bridges.start("subscribe", name, "--server", url, "--core",
                        "--prefix", "c-", "--stale-after", "2")
    src.write(frame(1))
    mirror = open_when_there("c-" + name)
    seen, stop = [], threading.Event()
    t = threading.Thread(target=follow, args=(mirror, seen, stop))
    t.start()
    time.sleep(0.2)
    for n in range(2, 302):
        src.write(frame(n))
        time.sleep(0.001)
    wait_for(lambda: seen and seen[-1] == 301, what="the last value")
    stop.set()
    t.join()
    assert seen == sorted(seen) and len(set(seen)) == len(seen), "in order"
    # a late subscriber: nothing kept by the server, the repeat brings it
    late = bridges.start("subscribe", name, "--server", url, "--core",
                         "--prefix", "d-")
    t0 = time.monotonic()
    later = open_when_there("d-" + name)
    wait_for(lambda: later.version > 0, what="the latest value, repeated")
    assert int(later.read()["n"]) == 301
    assert time.monotonic() - t0 < 3
    later.close()
    assert bridges.stop(late)[0] == 0
    # the repeat is the heartbeat: idle 3 s is not stale; killed, it is
    time.sleep(3)
    assert not mirror.info()["stale"], "an idle source is alive"
    pub.kill()
    pub.wait()
    wait_for(lambda: mirror.info()["stale"], timeout=6,
             what="the mirror of a killed publisher marked stale")
    mirror.close()
    code, err = bridges.stop(sub)
    assert code == 0 and "core NATS" in err, err
    src.close()


def test_without_jetstream_the_key_value_mode_says_so(plain_server, bridges,
                                                      name):
    r = subprocess.run([BRIDGE, "publish", name, "--server",
                        plain_server.url], capture_output=True, text=True,
                       timeout=30)
    assert r.returncode == 1 and "no JetStream" in r.stderr, r.stderr
    assert "disconnected" not in r.stderr, "no reconnecting at its exit"
    sub = bridges.start("subscribe", name, "--server", plain_server.url)
    time.sleep(1.5)
    code, err = bridges.stop(sub)
    assert code == 0 and "no JetStream" in err, err
