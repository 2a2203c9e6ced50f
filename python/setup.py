"""Builds the package with the C library inside it: one extension module,
seqshm._seqshm, made of the library's sources (../src, ../include) and the
reads' fast path (seqshm/_fast.c). It must be built from a seqshm checkout:

    pip install ./python        (offline: --no-index --no-build-isolation)
"""
import glob
import os
import re

from setuptools import Extension, setup

here = os.path.dirname(os.path.abspath(__file__))
top = os.path.relpath(os.path.join(here, ".."), here)
header = os.path.join(here, "..", "include", "seqshm.h")
if not os.path.exists(header):
    raise SystemExit("seqshm: build the Python package from a seqshm "
                     "checkout (pip install ./python): the C library's "
                     "sources are not beside it")
with open(header) as f:
    version = re.search(r'#define SEQSHM_VERSION "([^"]+)"', f.read()).group(1)

platform = os.path.join(top, "src", "linux")
sources = (["seqshm/_fast.c"] + sorted(glob.glob(os.path.join(top, "src", "*.c")))
           + sorted(glob.glob(os.path.join(platform, "*.c"))))

setup(
    version=version,
    ext_modules=[Extension(
        "seqshm._seqshm", sources=sources,
        include_dirs=[os.path.join(top, "include"), os.path.join(top, "src"),
                      platform],
        define_macros=[("_GNU_SOURCE", None)],
        extra_compile_args=["-std=c11", "-fvisibility=hidden"],
        libraries=["pthread", "rt"])],
)
