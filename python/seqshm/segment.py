"""Segment: one handle of a seqshm segment (the C library's seqshm *)."""
import ctypes
from collections import namedtuple

from . import errors
from ._lib import (CREATE, DOUBLE_BUFFER, EXCL, FOREVER, MUTEX, PERSIST,
                   RDONLY, SOLE_WRITER, UPDATE_FN, Info, Options, lib)
from .fields import Codec, numpy, parse

_LAYOUTS = {None: 0, "single": 0, "double": DOUBLE_BUFFER, "mutex": MUTEX}
_LAYOUT_NAMES = {0: "single", DOUBLE_BUFFER: "double", MUTEX: "mutex"}

Batch = namedtuple("Batch", "versions values lost")
Batch.__doc__ = """What follow(batch=N) yields: versions (uint64 array),
values (structured array, one record per version) and lost (uint64 array:
versions skipped just before each one)."""


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
    numpy      decode records as NumPy structured scalars (default: when
               NumPy is installed) or as dicts (False).

    Timeouts are seconds (float); None waits for ever. Failures raise
    seqshm.Error subclasses (see seqshm.errors).
    """

    def __init__(self, name, size=0, *, create=False, exclusive=False,
                 readonly=False, layout=None, slots=0, mode=0, type_tag=0,
                 schema=None, persist=False, sole_writer=False, numpy=None):
        if layout not in _LAYOUTS:
            raise ValueError("layout is 'single', 'double' or 'mutex'")
        flags = _LAYOUTS[layout]
        flags |= CREATE if create else 0
        flags |= EXCL if exclusive else 0
        flags |= RDONLY if readonly else 0
        flags |= PERSIST if persist else 0
        flags |= SOLE_WRITER if sole_writer else 0
        if schema is not None:
            parse(schema)  # a malformed schema: say what is wrong with it
        opts = Options(flags, mode, type_tag, slots,
                       schema.encode() if schema is not None else None)
        self._h = ctypes.c_void_p()
        errors.check(lib.seqshm_open_opts(ctypes.byref(self._h),
                                          name.encode(), size,
                                          ctypes.byref(opts)),
                     "open %s" % name)
        self.name = name
        self.size = lib.seqshm_size(self._h)
        self.schema = lib.seqshm_schema(self._h).decode()
        self.codec = Codec(self.schema, self.size, numpy)
        self._buf = ctypes.create_string_buffer(self.size)
        self._v = ctypes.c_uint64()

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

    @staticmethod
    def unlink(name):
        """Removes the name `name`."""
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
        """Everything seqshm_stat says, as a dict, plus name and schema."""
        i = Info()
        errors.check(lib.seqshm_stat(self._live(), ctypes.byref(i)), "info")
        d = {k: getattr(i, k) for k, _ in Info._fields_}
        d["layout"] = _LAYOUT_NAMES.get(d["layout"], "single")
        d["name"] = self.name
        d["schema"] = self.schema
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
        buf = ctypes.create_string_buffer(length)
        errors.check(lib.seqshm_read_partial(self._live(), buf, length,
                                             offset, _ns(timeout)), "read")
        return buf.raw

    def read_at(self, version, timeout=None):
        """Exactly version `version` (waiting for it to be published);
        seqshm.Overwritten when it is no longer kept."""
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
        if since is None:
            since = self.version
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
                                 max(start, 1) - 1)
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
        errors.check(lib.seqshm_write(self._live(), bytes(data), _ns(timeout)),
                     "write")

    def write_partial(self, data, offset, timeout=None):
        """Writes bytes at offset; the rest keeps its value."""
        data = bytes(data)
        errors.check(lib.seqshm_write_partial(self._live(), data, len(data),
                                              offset, _ns(timeout)), "write")

    def update(self, change, timeout=None):
        """Read-modify-write under the writers' claim (no lost updates):
        `change` is a mapping of some fields' new values, or a function
        given the current record (dict, or NumPy record) that returns the
        new value (or a mapping of the fields it changes). If `change`
        raises, the library has already begun the write: it publishes the
        value unchanged, and the exception is raised after it."""
        codec = self.codec
        failure = []

        def fn(ptr, size, ctx):
            try:
                cur = (ctypes.c_char * size).from_address(ptr)
                new = change
                if callable(change):
                    new = change(codec.decode(cur.raw))
                if hasattr(new, "keys"):
                    codec.encode(new, into=cur)
                else:
                    ctypes.memmove(ptr, bytes(codec.encode(new)), size)
            except BaseException as e:  # reported after the write
                failure.append(e)

        cb = UPDATE_FN(fn)
        st = lib.seqshm_update(self._live(), cb, None, _ns(timeout))
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
