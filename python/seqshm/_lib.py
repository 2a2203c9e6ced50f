"""The C library through ctypes: finding it, and the signatures used.

The library looked for, in order: $SEQSHM_LIBRARY; the package's own
compiled module seqshm._seqshm (built by `pip install`, or by `make` in the
checkout's build/python), which holds the whole library and a fast path
for reads; the path `make install` wrote into _libpath.py beside this file;
the checkout's build/rel (this package run from the source tree after
`make`); the loader's search path. The fast path (`fast`) is used only when
the library is that very module, so that every handle is of one library.
"""
import ctypes
import ctypes.util
import importlib.machinery
import importlib.util
import os
import sys
from types import ModuleType
from typing import Iterator, Optional, Tuple

_here = os.path.dirname(os.path.abspath(__file__))


def _compiled() -> Optional[ModuleType]:
    """seqshm._seqshm, installed beside this file or built in the
    checkout's build/python; None where there is none."""
    if os.environ.get("SEQSHM_LIBRARY"):
        return None
    places = [_here, os.path.join(_here, "..", "..", "build", "python")]
    for d in places:
        for suffix in importlib.machinery.EXTENSION_SUFFIXES:
            path = os.path.join(d, "_seqshm" + suffix)
            if not os.path.exists(path):
                continue
            spec = importlib.util.spec_from_file_location("seqshm._seqshm",
                                                          path)
            if spec is None or spec.loader is None:
                continue
            try:
                mod = importlib.util.module_from_spec(spec)
                spec.loader.exec_module(mod)
            except ImportError:
                continue
            sys.modules["seqshm._seqshm"] = mod
            return mod
    return None


fast = _compiled()


def _candidates() -> Iterator[str]:
    env = os.environ.get("SEQSHM_LIBRARY")
    if env:
        yield env
    if fast is not None and fast.__file__:
        yield fast.__file__
    try:
        from . import _libpath  # type: ignore[attr-defined]  # by make install
        yield str(_libpath.LIBRARY)
    except ImportError:
        pass
    yield os.path.normpath(os.path.join(_here, "..", "..", "build", "rel",
                                        "libseqshm.so.2"))
    found = ctypes.util.find_library("seqshm")
    if found:
        yield found


def _load() -> Tuple[ctypes.CDLL, str]:
    tried = []
    for path in _candidates():
        try:
            return ctypes.CDLL(path, use_errno=True), path
        except OSError as e:
            tried.append("%s (%s)" % (path, e))
    raise ImportError("seqshm: the C library was not found; tried: " +
                      "; ".join(tried) + ". Build it with `make`, install it "
                      "with `make install` or `pip install ./python`, or set "
                      "SEQSHM_LIBRARY.")


lib, path = _load()
if fast is not None and path != fast.__file__:
    fast = None  # another library: its handles are not the module's

c_int64 = ctypes.c_int64
c_uint64 = ctypes.c_uint64
c_size_t = ctypes.c_size_t
c_void_p = ctypes.c_void_p
c_char_p = ctypes.c_char_p


class Options(ctypes.Structure):
    _fields_ = [("flags", ctypes.c_uint), ("mode", ctypes.c_uint),
                ("type_tag", c_uint64), ("slots", ctypes.c_uint),
                ("schema", c_char_p), ("origin", c_char_p)]


class Info(ctypes.Structure):
    _fields_ = [("size", c_size_t), ("layout", ctypes.c_uint),
                ("layout_version", ctypes.c_uint), ("slots", ctypes.c_uint),
                ("slot_offset", c_size_t), ("slot_stride", c_size_t),
                ("mapped_bytes", c_size_t), ("version", c_uint64),
                ("type_tag", c_uint64), ("creator_pid", ctypes.c_int),
                ("creator_alive", ctypes.c_bool), ("writer_pid", ctypes.c_int),
                ("writer_alive", ctypes.c_bool), ("busy", ctypes.c_bool),
                ("torn", ctypes.c_bool), ("waiting", ctypes.c_bool),
                ("sole_pid", ctypes.c_int), ("sole_alive", ctypes.c_bool),
                ("asym_fence", ctypes.c_bool)]


class Origin(ctypes.Structure):
    _fields_ = [("origin", ctypes.c_char * 256), ("source_version", c_uint64),
                ("source_time_ns", c_uint64), ("refreshed_ns", c_uint64),
                ("stale", ctypes.c_bool)]


class Field(ctypes.Structure):
    _fields_ = [("name", ctypes.c_char * 64), ("type", ctypes.c_int),
                ("type_name", c_char_p), ("count", c_size_t),
                ("array", ctypes.c_bool), ("offset", c_size_t),
                ("size", c_size_t)]


UPDATE_FN = ctypes.CFUNCTYPE(None, c_void_p, c_size_t, c_void_p)

_P = c_void_p  # the handle
_sigs = {
    "seqshm_strerror": (c_char_p, [ctypes.c_int]),
    "seqshm_open_opts": (ctypes.c_int, [ctypes.POINTER(_P), c_char_p, c_size_t,
                                        ctypes.POINTER(Options)]),
    "seqshm_close": (None, [_P]),
    "seqshm_unlink": (ctypes.c_int, [c_char_p]),
    "seqshm_write": (ctypes.c_int, [_P, c_void_p, c_int64]),
    "seqshm_write_partial": (ctypes.c_int, [_P, c_void_p, c_size_t, c_size_t,
                                            c_int64]),
    "seqshm_update": (ctypes.c_int, [_P, UPDATE_FN, c_void_p, c_int64]),
    "seqshm_read_versioned": (ctypes.c_int, [_P, c_void_p,
                                             ctypes.POINTER(c_uint64), c_int64]),
    "seqshm_read_partial": (ctypes.c_int, [_P, c_void_p, c_size_t, c_size_t,
                                           c_int64]),
    "seqshm_read_at": (ctypes.c_int, [_P, c_uint64, c_void_p, c_int64]),
    "seqshm_next": (ctypes.c_int, [_P, ctypes.POINTER(c_uint64), c_void_p,
                                   ctypes.POINTER(c_uint64), c_int64]),
    "seqshm_wait": (ctypes.c_int, [_P, c_uint64, c_int64]),
    "seqshm_version": (c_uint64, [_P]),
    "seqshm_size": (c_size_t, [_P]),
    "seqshm_slots": (ctypes.c_uint, [_P]),
    "seqshm_layout": (ctypes.c_uint, [_P]),
    "seqshm_type_tag": (c_uint64, [_P]),
    "seqshm_is_creator": (ctypes.c_bool, [_P]),
    "seqshm_name": (c_char_p, [_P]),
    "seqshm_schema": (c_char_p, [_P]),
    "seqshm_stat": (ctypes.c_int, [_P, ctypes.POINTER(Info)]),
    "seqshm_origin": (ctypes.c_int, [_P, ctypes.POINTER(Origin)]),
    "seqshm_remove": (ctypes.c_int, [_P]),
    "seqshm_schema_parse": (ctypes.c_int, [c_char_p, ctypes.POINTER(Field),
                                           c_size_t, ctypes.POINTER(c_size_t),
                                           ctypes.POINTER(c_size_t),
                                           ctypes.c_char_p, c_size_t]),
}
for _name, (_res, _args) in _sigs.items():
    _f = getattr(lib, _name)
    _f.restype = _res
    _f.argtypes = _args

# flags and statuses, as seqshm.h defines them
CREATE, EXCL, RDONLY, DOUBLE_BUFFER, MUTEX, PERSIST, SOLE_WRITER, ANY_OWNER = (
    0x01, 0x02, 0x04, 0x08, 0x10, 0x20, 0x40, 0x80)
FOREVER = -1
