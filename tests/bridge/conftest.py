"""A real nats-server with JetStream on a free loopback port, in a
temporary store directory, for each test that asks for one; and the bridge's
processes, stopped with SIGINT at the end (they must exit 0)."""
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import uuid

import pytest

import seqshm

ROOT = os.path.normpath(os.path.join(os.path.dirname(__file__), "..", ".."))
BRIDGE = os.path.join(ROOT, "build", "rel", "seqshm-bridge")
RUN = os.environ.get("SEQSHM_TEST_RUN", "manual")
NATS_SERVER = shutil.which("nats-server") or "/usr/sbin/nats-server"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def port_open(port):
    with socket.socket() as s:
        s.settimeout(0.2)
        return s.connect_ex(("127.0.0.1", port)) == 0


class Server:
    def __init__(self, user=None, password=None, extra=(), js=True):
        self.js = js
        self.port = free_port()
        self.dir = tempfile.mkdtemp(prefix="seqshm-nats-")
        self.user, self.password = user, password
        self.extra = list(extra)
        self.proc = None
        self.start()

    @property
    def url(self):
        return "nats://127.0.0.1:%d" % self.port

    def start(self):
        cmd = [NATS_SERVER, "-a", "127.0.0.1", "-p", str(self.port),
               "-sd", self.dir] + (["-js"] if self.js else [])
        if self.user:
            cmd += ["--user", self.user, "--pass", self.password]
        cmd += self.extra
        self.proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while not port_open(self.port):
            if time.monotonic() > deadline or self.proc.poll() is not None:
                raise RuntimeError("nats-server did not start")
            time.sleep(0.05)

    def kill(self):
        self.proc.kill()
        self.proc.wait()

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(10)


@pytest.fixture
def server():
    s = Server()
    yield s
    s.stop()
    subprocess.run(["rm", "-rf", s.dir])
    assert not port_open(s.port), "the server's port is free again"


@pytest.fixture
def plain_server():
    """A nats-server without JetStream."""
    s = Server(js=False)
    yield s
    s.stop()
    subprocess.run(["rm", "-rf", s.dir])


@pytest.fixture
def auth_server():
    s = Server(user="telemetry", password="s3cret")
    yield s
    s.stop()
    subprocess.run(["rm", "-rf", s.dir])


def make_certs(d):
    """A CA, and a server certificate for 127.0.0.1 signed by it, with
    openssl; None if openssl is not there."""
    if shutil.which("openssl") is None:
        return None
    run = lambda *a: subprocess.run(["openssl"] + list(a), cwd=d, check=True,
                                    capture_output=True)
    run("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
        "-subj", "/CN=seqshm test CA", "-keyout", "ca.key", "-out", "ca.pem")
    run("req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=127.0.0.1",
        "-keyout", "server.key", "-out", "server.csr")
    with open(os.path.join(d, "san.ext"), "w") as f:
        f.write("subjectAltName=IP:127.0.0.1\n")
    run("x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey",
        "ca.key", "-CAcreateserial", "-days", "1", "-extfile", "san.ext",
        "-out", "server.pem")
    return {k: os.path.join(d, k) for k in ("ca.pem", "server.pem",
                                            "server.key")}


@pytest.fixture
def tls_server(tmp_path):
    certs = make_certs(str(tmp_path))
    if certs is None:
        print("SKIP tls: openssl is not installed: no certificates to test "
              "TLS with")
        pytest.skip("openssl is not installed")
    s = Server(extra=["--tls", "--tlscert", certs["server.pem"],
                      "--tlskey", certs["server.key"]])
    s.ca = certs["ca.pem"]
    yield s
    s.stop()
    subprocess.run(["rm", "-rf", s.dir])


@pytest.fixture
def name():
    """A unique name stem; every /dev/shm entry under it must be gone at the
    end (the bridge removes the mirrors it made)."""
    base = "seqshm-t-%s-%d-br-%s" % (RUN, os.getpid(), uuid.uuid4().hex[:6])
    yield base
    left = [e for e in os.listdir("/dev/shm") if e.startswith(base)]
    for e in left:
        os.unlink(os.path.join("/dev/shm", e))
    assert not left, "left in /dev/shm: %s" % left


class Bridges:
    def __init__(self):
        self.procs = []

    def start(self, *args):
        if not os.access(BRIDGE, os.X_OK):
            pytest.fail("%s is not built" % BRIDGE)
        p = subprocess.Popen([BRIDGE] + list(args), stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)
        self.procs.append(p)
        return p

    def stop(self, p):
        """SIGINT; the exit status and what it printed on stderr."""
        if p.poll() is None:
            p.send_signal(signal.SIGINT)
        try:
            out, err = p.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            p.kill()
            out, err = p.communicate()
            return -1, err
        return p.returncode, err


@pytest.fixture
def bridges():
    b = Bridges()
    yield b
    for p in b.procs:
        if p.poll() is None:
            code, err = b.stop(p)
            assert code == 0, "the bridge exits 0 on SIGINT: %s" % err


def wait_for(cond, timeout=10.0, what="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        v = cond()
        if v:
            return v
        time.sleep(0.01)
    raise AssertionError("timed out waiting for " + what)


def open_when_there(name, timeout=10.0, **kw):
    def attempt():
        try:
            return seqshm.Segment(name, **kw)
        except seqshm.NotFound:
            return None
    return wait_for(attempt, timeout, "segment %s" % name)
