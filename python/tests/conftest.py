"""Fixtures: unique segment names (cleaned up after each test), and the C
programs the tests run against (built by make)."""
import os
import uuid

import pytest

import seqshm

ROOT = os.path.normpath(os.path.join(os.path.dirname(__file__), "..", ".."))
BUILD = os.environ.get("SEQSHM_BUILD", os.path.join(ROOT, "build"))
TOOL = os.path.join(BUILD, "rel", "seqshm")
PYWRITER = os.path.join(BUILD, "rel", "pywriter")
PEER = os.path.join(BUILD, "fault", "peer")
RUN = os.environ.get("SEQSHM_TEST_RUN", "manual")


@pytest.fixture
def name(request):
    """A fresh segment name for this test; whatever is left of it (and of
    names derived from it) is removed afterwards."""
    base = "seqshm-t-%s-%d-py-%s" % (RUN, os.getpid(), uuid.uuid4().hex[:8])
    yield base
    for entry in os.listdir("/dev/shm"):
        if entry.startswith(base):
            os.unlink(os.path.join("/dev/shm", entry))


@pytest.fixture
def programs():
    for p in (TOOL, PYWRITER, PEER):
        if not os.access(p, os.X_OK):
            pytest.fail("%s is not built: run make first" % p)
    return {"tool": TOOL, "pywriter": PYWRITER, "peer": PEER}
