"""Segment: one handle of a seqshm segment (the C library's seqshm *)."""
import ctypes
import numbers
import os
import threading
import weakref
from collections import namedtuple

from . import errors
from ._lib import (CREATE, DOUBLE_BUFFER, EXCL, FOREVER, MUTEX, PERSIST,
                   RDONLY, SOLE_WRITER, ANY_OWNER, UPDATE_FN, Info, Origin,
                   Options, lib)
from .fields import Codec, numpy, parse

_LAYOUTS = {None: 0, "single": 0, "double": DOUBLE_BUFFER, "mutex": MUTEX}
_LAYOUT_NAMES = {0: "single", DOUBLE_BUFFER: "double", MUTEX: "mutex"}

Batch = namedtuple("Batch", "versions values lost")
Batch.__doc__ = """What follow(batch=N) yields: versions (uint64 array),
values (structured array, one record per version) and lost (uint64 array:
versions skipped just before each one)."""


def _uint(x, what, bits=64):
    """An integer argument in 0 .. 2**bits - 1, as the library takes it.
    Refused, rather than wrapped around as ctypes would (2**64 + 8 would be
    8)."""
    if isinstance(x, bool) or not isinstance(x, numbers.Integral):
        raise TypeError("%s is an integer, not %s" % (what, type(x).__name__))
    x = int(x)
    if not 0 <= x < 2**bits:
        raise OverflowError("%s is 0 .. 2**%d - 1, not %d" % (what, bits, x))
    return x


def _name(name):
    """A segment name as the library takes it: str (or bytes, as os does),
    with no NUL character (which would cut the name short)."""
    if isinstance(name, (bytes, bytearray)):
        name = bytes(name).decode()
    if not isinstance(name, str):
        raise TypeError("a segment name is a str, not %s" % type(name).__name__)
    if "\0" in name:
        raise ValueError("a segment name cannot hold a NUL character: %r"
                         % name)
    return name


# Segments being updated by this thread: a change (update's function) that
# writes the segment it is changing would wait for the claim its own update
# holds, for ever. Refused instead.
_updating = threading.local()


def _busy_here(name):
    return name.lstrip("/") in getattr(_updating, "names", ())


# Every open segment of this process: after a fork, the child lets go at once
# of the identities it inherited (seqshm_stat makes the child its own), so
# that an idle child (a multiprocessing worker) never keeps a dead parent's
# claim held.
_open = weakref.WeakSet()


def _after_fork_in_child():
    for s in list(_open):
        if s._h:
            lib.seqshm_stat(s._h, ctypes.byref(Info()))


os.register_at_fork(after_in_child=_after_fork_in_child)


def _ns(timeout):
    """Seconds (None: for ever) as the library's nanoseconds."""
    if timeout is None:
        return FOREVER
    if timeout < 0:
        raise ValueError("a timeout is >= 0 seconds, or None for ever")
    return min(int(timeout * 1e9), 2**63 - 1)


class Segment:
    """A named shared-memory segment guarded by a seqlock.

        with seqshm.Segment("pose", create=True,
                            schema="x:f64 y:f64 theta:f64") as s:
            s.write({"x": 1.0, "y": 2.0, "theta": 0.5})
            print(s.read()["x"])

    name       the segment's name ("pose" and "/pose" are the same).
    size       payload bytes; 0 (default): the segment's own, or the
               schema's when creating with one.
    create     create the segment if it does not exist.
    exclusive  with create: fail (seqshm.Exists) if it exists.
    readonly   map it read-only (reads only).
    layout     "single" (default), "double" or "mutex" at creation.
    slots      versions a new segment keeps (a power of two).
    mode       permission bits of a new segment (default 0o600).
    type_tag   a new segment records it; an existing one must match.
    schema     the payload's fields ("x:f64 y:f64 n:u32 cov:f32[9]"): a new
               segment records it, an existing one must carry the same.
    persist    the creator does not remove the name on close.
    sole_writer  this handle is the segment's only writer (wait-free
               writes; others get seqshm.Busy).
    any_owner  open another user's segment that anyone may write (refused
               otherwise, seqshm.AccessDenied: it may be a squatter's).
    numpy      decode records as NumPy structured scalars (default: when
               NumPy is installed) or as dicts (False).

    Timeouts are seconds (float); None waits for ever. Failures raise
    seqshm.Error subclasses (see seqshm.errors).
    """

    def __init__(self, name, size=0, *, create=False, exclusive=False,
                 readonly=False, layout=None, slots=0, mode=0, type_tag=0,
                 schema=None, persist=False, sole_writer=False,
                 any_owner=False, numpy=None):
        if layout not in _LAYOUTS:
            raise ValueError("layout is 'single', 'double' or 'mutex'")
        flags = _LAYOUTS[layout]
        flags |= CREATE if create else 0
        flags |= EXCL if exclusive else 0
        flags |= RDONLY if readonly else 0
        flags |= PERSIST if persist else 0
        flags |= SOLE_WRITER if sole_writer else 0
        flags |= ANY_OWNER if any_owner else 0
        if schema is not None:
            parse(schema)  # a malformed schema: say what is wrong with it
        name = _name(name)
        opts = Options(flags, _uint(mode, "mode", 32),
                       _uint(type_tag, "type_tag"), _uint(slots, "slots", 32),
                       schema.encode() if schema is not None else None)
        self._h = ctypes.c_void_p()
        errors.check(lib.seqshm_open_opts(ctypes.byref(self._h),
                                          name.encode(), _uint(size, "size"),
                                          ctypes.byref(opts)),
                     "open %s" % name)
        self.name = name
        self.size = lib.seqshm_size(self._h)
        self.schema = lib.seqshm_schema(self._h).decode()
        self.codec = Codec(self.schema, self.size, numpy)
        self._buf = ctypes.create_string_buffer(self.size)
        self._v = ctypes.c_uint64()
        _open.add(self)

    # --------------------------------------------------------- lifecycle
    def close(self):
        """Unmaps the segment (and removes its name if this handle created
        it, unless persist). Idempotent."""
        h, self._h = getattr(self, "_h", None), None
        if h:
            lib.seqshm_close(h)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __del__(self):
        self.close()

    def _live(self):
        if not self._h:
            raise ValueError("seqshm: segment %s is closed" % self.name)
        return self._h

    def _writable(self):
        """The handle, for a write: refused inside this thread's update of
        the same segment (the write would wait for its own claim)."""
        if _busy_here(self.name):
            raise RuntimeError("seqshm: %s is being updated by this thread: "
                               "its change cannot write it (return the new "
                               "value instead)" % self.name)
        return self._live()

    @staticmethod
    def unlink(name):
        """Removes the name `name`."""
        name = _name(name)
        errors.check(lib.seqshm_unlink(name.encode()), "unlink %s" % name)

    # ------------------------------------------------------------- state
    @property
    def version(self):
        """Completed writes so far."""
        return lib.seqshm_version(self._live())

    @property
    def slots(self):
        return lib.seqshm_slots(self._live())

    @property
    def layout(self):
        return _LAYOUT_NAMES.get(lib.seqshm_layout(self._live()), "single")

    @property
    def type_tag(self):
        return lib.seqshm_type_tag(self._live())

    @property
    def is_creator(self):
        return bool(lib.seqshm_is_creator(self._live()))

    @property
    def fields(self):
        """The schema's fields (seqshm.Field), [] without a schema."""
        return list(self.codec.fields)

    @property
    def dtype(self):
        """The NumPy dtype of a payload (None without NumPy)."""
        return self.codec.dtype

    def info(self):
        """Everything seqshm_stat says, as a dict, plus name and schema,
        and for a copy (a bridge's mirror) what seqshm_origin says:
        origin ('' if none), source_version, source_time_ns, refreshed_ns
        (CLOCK_REALTIME ns) and stale."""
        i = Info()
        errors.check(lib.seqshm_stat(self._live(), ctypes.byref(i)), "info")
        d = {k: getattr(i, k) for k, _ in Info._fields_}
        d["layout"] = _LAYOUT_NAMES.get(d["layout"], "single")
        d["name"] = self.name
        d["schema"] = self.schema
        o = Origin()
        errors.check(lib.seqshm_origin(self._live(), ctypes.byref(o)), "info")
        d.update({k: getattr(o, k) for k, _ in Origin._fields_})
        d["origin"] = o.origin.decode("ascii")
        return d

    # ------------------------------------------------------------- reads
    def read(self, timeout=None):
        """A consistent snapshot: bytes, or a record with a schema."""
        return self.read_versioned(timeout)[1]

    def read_versioned(self, timeout=None):
        """(version, value) of a consistent snapshot."""
        errors.check(lib.seqshm_read_versioned(self._live(), self._buf,
                                               ctypes.byref(self._v),
                                               _ns(timeout)), "read")
        return self._v.value, self.codec.decode(self._buf.raw)

    def read_bytes(self, timeout=None):
        """A consistent snapshot as bytes, schema or not."""
        errors.check(lib.seqshm_read_versioned(self._live(), self._buf, None,
                                               _ns(timeout)), "read")
        return self._buf.raw

    def read_partial(self, offset, length, timeout=None):
        """length bytes at offset of a consistent snapshot."""
        length, offset = _uint(length, "length"), _uint(offset, "offset")
        buf = ctypes.create_string_buffer(length)
        errors.check(lib.seqshm_read_partial(self._live(), buf, length,
                                             offset, _ns(timeout)), "read")
        return buf.raw

    def read_at(self, version, timeout=None):
        """Exactly version `version` (waiting for it to be published);
        seqshm.Overwritten when it is no longer kept."""
        version = _uint(version, "version")
        errors.check(lib.seqshm_read_at(self._live(), version, self._buf,
                                        _ns(timeout)), "read_at %d" % version)
        return self.codec.decode(self._buf.raw)

    def read_many(self, timeout=0):
        """(versions, values) of every version the segment keeps, oldest
        first: a uint64 array and a NumPy structured array."""
        if numpy is None:
            raise RuntimeError("seqshm: read_many needs NumPy")
        newest = self.version
        first = max(1, newest - self.slots + 1)
        vs, raws = [], []
        for v in range(first, newest + 1):
            try:
                errors.check(lib.seqshm_read_at(self._live(), v, self._buf,
                                                _ns(timeout)), "read_at")
            except errors.Overwritten:
                continue
            vs.append(v)
            raws.append(self._buf.raw)
        return (numpy.array(vs, dtype=numpy.uint64),
                self.codec.decode_many(raws) if raws else
                numpy.zeros(0, dtype=self.codec.dtype))

    def wait(self, since=None, timeout=None):
        """True as soon as the version is above `since` (default: the
        current one), False if it is not within the timeout."""
        since = self.version if since is None else _uint(since, "since")
        st = lib.seqshm_wait(self._live(), since, _ns(timeout))
        if st == -7:
            return False
        errors.check(st, "wait")
        return True

    def follow(self, timeout=None, batch=None, start=None):
        """Every version from the next one on (or from version `start`),
        in order: yields (version, value, lost), lost being how many
        versions were skipped just before this one because the segment no
        longer kept them. Ends when `timeout` seconds pass with no new
        version (None: never).

        With batch=N yields Batch(versions, values, lost) of up to N
        versions at a time (NumPy arrays; values a structured array): all
        that are already there, after waiting for the first."""
        h = self._live()
        cursor = ctypes.c_uint64(self.version if start is None else
                                 max(_uint(start, "start"), 1) - 1)
        lost = ctypes.c_uint64()
        buf = ctypes.create_string_buffer(self.size)
        if batch is not None and numpy is None:
            raise RuntimeError("seqshm: follow(batch=...) needs NumPy")
        while True:
            st = lib.seqshm_next(h, ctypes.byref(cursor), buf,
                                 ctypes.byref(lost), _ns(timeout))
            if st == -7:
                return
            errors.check(st, "follow")
            if batch is None:
                yield cursor.value, self.codec.decode(buf.raw), lost.value
                continue
            # the rest of the batch straight into the arrays it returns
            values = numpy.empty(batch, dtype=self.codec.dtype)
            vs = numpy.empty(batch, dtype=numpy.uint64)
            ls = numpy.empty(batch, dtype=numpy.uint64)
            ctypes.memmove(values.ctypes.data, buf, self.size)
            vs[0], ls[0] = cursor.value, lost.value
            base, size, n = values.ctypes.data, self.size, 1
            nxt, by, cur, lo = lib.seqshm_next, ctypes.byref, cursor, lost
            while n < batch:
                st = nxt(h, by(cur), base + n * size, by(lo), 0)
                if st == -7:
                    break
                errors.check(st, "follow")
                vs[n], ls[n] = cur.value, lo.value
                n += 1
            yield Batch(vs[:n], values[:n], ls[:n])

    # ------------------------------------------------------------ writes
    def write(self, value, timeout=None):
        """Publishes a new payload: bytes-like of the payload's size, a
        NumPy record, or a mapping of every field's value (a mapping of
        some fields: update())."""
        data = self.codec.encode(value)
        errors.check(lib.seqshm_write(self._writable(), bytes(data),
                                      _ns(timeout)), "write")

    def write_partial(self, data, offset, timeout=None):
        """Writes bytes at offset; the rest keeps its value."""
        data = bytes(data)
        errors.check(lib.seqshm_write_partial(self._writable(), data, len(data),
                                              _uint(offset, "offset"),
                                              _ns(timeout)), "write")

    def update(self, change, timeout=None):
        """Read-modify-write under the writers' claim (no lost updates):
        `change` is a mapping of some fields' new values, or a function
        given the current record (dict, or NumPy record) that returns the
        new value (or a mapping of the fields it changes).

        Atomic: the whole new value is encoded before any of it is written.
        A mapping with a bad field (unknown, out of range, of the wrong
        type) raises before the claim is taken, and nothing is published.
        A function that raises, or returns a value that cannot be encoded,
        leaves the value as it was: the library, which has begun the write
        by then, publishes it unchanged (the version goes up by one), and
        the exception is raised after it."""
        codec = self.codec
        if not callable(change):
            # every field checked on a scratch copy, before anything else
            codec.encode(change, into=bytearray(self.size))
        failure = []

        def fn(ptr, size, ctx):
            try:
                cur = (ctypes.c_char * size).from_address(ptr)
                new = change
                if callable(change):
                    new = change(codec.decode(cur.raw))
                scratch = bytearray(cur.raw)
                codec.encode(new, into=scratch)
                ctypes.memmove(ptr, bytes(scratch), size)  # all, or nothing
            except BaseException as e:  # reported after the write
                failure.append(e)

        cb = UPDATE_FN(fn)
        h = self._writable()
        names = getattr(_updating, "names", None)
        if names is None:
            names = _updating.names = set()
        key = self.name.lstrip("/")
        names.add(key)
        try:
            st = lib.seqshm_update(h, cb, None, _ns(timeout))
        finally:
            names.discard(key)
        if failure:
            raise failure[0]
        errors.check(st, "update")

    def clear(self, timeout=None):
        """Writes a payload of zeros."""
        self.write(bytes(self.size), timeout)

    def __repr__(self):
        state = "closed" if not self._h else "version %d" % self.version
        return "<seqshm.Segment %r %d bytes %s%s>" % (
            self.name, self.size, state,
            (" schema %r" % self.schema) if self.schema else "")
