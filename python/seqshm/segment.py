"""Segment: one handle of a seqshm segment (the C library's seqshm *)."""
import ctypes
import numbers
import os
import pwd
import stat as _stat
import threading
import time
import weakref
from typing import (Any, Callable, Dict, Iterator, List, Mapping,
                    NamedTuple, Optional, Tuple, Union)

from . import _why, errors
from ._lib import (ANY_OWNER, CREATE, DOUBLE_BUFFER, EXCL, FOREVER, MUTEX,
                   PERSIST, RDONLY, SOLE_WRITER, UPDATE_FN, Info, Options,
                   Origin, fast, lib)
from .errors import ETIMEDOUT, EINVAL
from .fields import Codec, Field, numpy, parse

_LAYOUTS = {None: 0, "single": 0, "double": DOUBLE_BUFFER, "mutex": MUTEX}
_LAYOUT_NAMES = {0: "single", DOUBLE_BUFFER: "double", MUTEX: "mutex"}

#: A payload as read: bytes without a schema; with one, a record (a NumPy
#: structured scalar, writable, or a dict with numpy=False).
Value = Any
Name = Union[str, bytes]


class Batch(NamedTuple):
    """What follow(batch=N) yields: versions (uint64 array), values
    (structured array, one record per version) and lost (uint64 array:
    versions skipped just before each one)."""
    versions: Any
    values: Any
    lost: Any


def _uint(x: Any, what: str, bits: int = 64) -> int:
    """An integer argument in 0 .. 2**bits - 1, as the library takes it.
    Refused, rather than wrapped around as ctypes would (2**64 + 8 would be
    8)."""
    if isinstance(x, bool) or not isinstance(x, numbers.Integral):
        raise TypeError("%s is an integer, not %s" % (what, type(x).__name__))
    value = int(x)
    if not 0 <= value < 2**bits:
        raise OverflowError("%s is 0 .. 2**%d - 1, not %d" % (what, bits,
                                                               value))
    return value


def _name(name: Any) -> str:
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


def _busy_here(name: str) -> bool:
    return name.lstrip("/") in getattr(_updating, "names", ())


# Every open segment of this process: after a fork, the child lets go at once
# of the identities it inherited (seqshm_stat makes the child its own), so
# that an idle child (a multiprocessing worker) never keeps a dead parent's
# claim held.
_open: "weakref.WeakSet[Segment]" = weakref.WeakSet()


def _after_fork_in_child() -> None:
    for s in list(_open):
        if s._h:
            lib.seqshm_stat(s._h, ctypes.byref(Info()))


os.register_at_fork(after_in_child=_after_fork_in_child)


def _ns(timeout: Optional[float]) -> int:
    """Seconds (None: for ever) as the library's nanoseconds."""
    if timeout is None:
        return FOREVER
    if timeout < 0:
        raise ValueError("a timeout is >= 0 seconds, or None for ever")
    return min(int(timeout * 1e9), 2**63 - 1)


# A call that may block is made in slices of at most SLICE_NS: between two,
# Python runs its signal handlers, so Ctrl-C raises KeyboardInterrupt within
# a slice (as in time.sleep), in scripts and in Jupyter alike. A slice that
# ends costs the writer nothing: a waiter that sleeps again announces itself
# as it did the first time.
SLICE_NS = 50_000_000


def _sliced(call: Callable[[int], int], timeout: Optional[float]) -> int:
    """call(ns) -> status, again while it times out and time is left."""
    total = _ns(timeout)
    if 0 <= total <= SLICE_NS:
        return call(total)
    end = None if total < 0 else time.monotonic_ns() + total
    while True:
        left = SLICE_NS if end is None else min(SLICE_NS,
                                                end - time.monotonic_ns())
        st = call(max(left, 0))
        if st != ETIMEDOUT or (end is not None and
                               time.monotonic_ns() >= end):
            return st


def _owner(path: str) -> Tuple[str, str]:
    """(mode "0600", owner name) of /dev/shm/NAME, as `seqshm info` says."""
    try:
        st = os.stat(path)
    except OSError:
        return "", ""
    try:
        user = pwd.getpwuid(st.st_uid).pw_name
    except KeyError:
        user = str(st.st_uid)
    return "%04o" % _stat.S_IMODE(st.st_mode), user


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

    Timeouts are seconds (float); None waits for ever, and Ctrl-C
    interrupts the wait (KeyboardInterrupt) within 50 ms. Failures raise
    seqshm.Error subclasses (see seqshm.errors).
    """

    name: str
    size: int
    schema: str
    codec: Codec

    def __init__(self, name: Name, size: int = 0, *, create: bool = False,
                 exclusive: bool = False, readonly: bool = False,
                 layout: Optional[str] = None, slots: int = 0, mode: int = 0,
                 type_tag: int = 0, schema: Optional[str] = None,
                 persist: bool = False, sole_writer: bool = False,
                 any_owner: bool = False,
                 numpy: Optional[bool] = None) -> None:
        self._h = ctypes.c_void_p()
        if layout not in _LAYOUTS:
            raise ValueError("layout is 'single', 'double' or 'mutex', not %r"
                             % (layout,))
        flags = _LAYOUTS[layout]
        flags |= CREATE if create else 0
        flags |= EXCL if exclusive else 0
        flags |= RDONLY if readonly else 0
        flags |= PERSIST if persist else 0
        flags |= SOLE_WRITER if sole_writer else 0
        flags |= ANY_OWNER if any_owner else 0
        schema_size = None
        if schema is not None:
            schema_size = parse(schema)[1]  # malformed: says what is wrong
        sname = _name(name)
        size, slots, mode = (_uint(size, "size"), _uint(slots, "slots", 32),
                             _uint(mode, "mode", 32))
        opts = Options(flags, mode, _uint(type_tag, "type_tag"), slots,
                       schema.encode() if schema is not None else None, None)
        st = lib.seqshm_open_opts(ctypes.byref(self._h), sname.encode(), size,
                                  ctypes.byref(opts))
        if st == EINVAL:
            raise errors.error(st, "open %s" % sname, sname, _why.open_args(
                sname, size, create=create, exclusive=exclusive,
                readonly=readonly, layout=layout, slots=slots, mode=mode,
                sole_writer=sole_writer, schema_size=schema_size))
        errors.check(st, "open %s" % sname, sname)
        self.name = sname
        self.size = int(lib.seqshm_size(self._h))
        self.schema = (lib.seqshm_schema(self._h) or b"").decode()
        self.codec = Codec(self.schema, self.size, numpy)
        self._buf = ctypes.create_string_buffer(self.size)
        self._v = ctypes.c_uint64()
        self._addr = int(self._h.value or 0)
        _open.add(self)

    # --------------------------------------------------------- lifecycle
    def close(self) -> None:
        """Unmaps the segment (and removes its name if this handle created
        it, unless persist). Idempotent."""
        h, self._h = getattr(self, "_h", None), ctypes.c_void_p()
        self._addr = 0
        if h:
            lib.seqshm_close(h)

    def __enter__(self) -> "Segment":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __del__(self) -> None:
        self.close()

    def _live(self) -> ctypes.c_void_p:
        if not self._h:
            raise ValueError("seqshm: segment %s is closed" % self.name)
        return self._h

    def _writable(self) -> ctypes.c_void_p:
        """The handle, for a write: refused inside this thread's update of
        the same segment (the write would wait for its own claim)."""
        if _busy_here(self.name):
            raise RuntimeError("seqshm: %s is being updated by this thread: "
                               "its change cannot write it (return the new "
                               "value instead)" % self.name)
        return self._live()

    def unlink(self: Union["Segment", Name]) -> None:
        """s.unlink(): removes this segment's name, if it still names this
        segment (as multiprocessing.shared_memory's unlink). The mapping
        stays usable until close().

        Segment.unlink(name), or seqshm.unlink(name): removes the name
        `name`, whatever segment it names."""
        if isinstance(self, Segment):
            errors.check(lib.seqshm_remove(self._live()),
                         "unlink %s" % self.name, self.name)
            return
        name = _name(self)
        st = lib.seqshm_unlink(name.encode())
        if st == EINVAL:
            raise errors.error(st, "unlink %s" % name, name,
                               _why.name(name) or "invalid argument")
        errors.check(st, "unlink %s" % name, name)

    # ------------------------------------------------------------- state
    @property
    def version(self) -> int:
        """Completed writes so far."""
        return int(lib.seqshm_version(self._live()))

    @property
    def slots(self) -> int:
        """Payload slots: the number of versions the segment keeps (one
        fewer while a write is in progress)."""
        return int(lib.seqshm_slots(self._live()))

    @property
    def layout(self) -> str:
        """The layout it was created with: "single" (one slot, or a ring:
        see slots), "double" (two slots) or "mutex"."""
        return _LAYOUT_NAMES.get(int(lib.seqshm_layout(self._live())),
                                 "single")

    @property
    def type_tag(self) -> int:
        """The segment's type tag (0: untagged)."""
        return int(lib.seqshm_type_tag(self._live()))

    @property
    def is_creator(self) -> bool:
        """True if this handle created the segment (in this process)."""
        return bool(lib.seqshm_is_creator(self._live()))

    @property
    def fields(self) -> List[Field]:
        """The schema's fields (seqshm.Field), [] without a schema."""
        return list(self.codec.fields)

    @property
    def dtype(self) -> Any:
        """The NumPy dtype of a payload (None without NumPy)."""
        return self.codec.dtype

    def info(self) -> Dict[str, Any]:
        """What `seqshm info NAME --json` says, under the same keys: the
        header, the writers and their liveness (seqshm_stat), mode and
        owner, the schema and its fields, and for a copy (a bridge's
        mirror) its origin ('' if none), source_version, source_time_ns,
        refreshed_ns (CLOCK_REALTIME ns) and stale."""
        i = Info()
        errors.check(lib.seqshm_stat(self._live(), ctypes.byref(i)), "info",
                     self.name)
        d: Dict[str, Any] = {"name": self.name.lstrip("/")}
        d.update({k: getattr(i, k) for k, _ in Info._fields_})
        layout = d["layout"]
        d["layout"] = ("ring" if d["slots"] > 2 else
                       _LAYOUT_NAMES.get(layout, "single"))
        for old, new in (("sole_pid", "sole_writer_pid"),
                         ("sole_alive", "sole_writer_alive"),
                         ("asym_fence", "waiters_fence")):
            d[new] = d.pop(old)
        d["mode"], d["owner"] = _owner("/dev/shm/" + self.name.lstrip("/"))
        d["schema"] = self.schema
        o = Origin()
        errors.check(lib.seqshm_origin(self._live(), ctypes.byref(o)), "info",
                     self.name)
        d.update({k: getattr(o, k) for k, _ in Origin._fields_})
        d["origin"] = o.origin.decode("ascii")
        d["fields"] = [{"name": f.name, "type": f.type, "count": f.count,
                        "array": f.array, "offset": f.offset}
                       for f in self.codec.fields]
        return d

    # ------------------------------------------------------------- reads
    def read(self, timeout: Optional[float] = None) -> Value:
        """A consistent snapshot: bytes, or a record with a schema."""
        if fast is not None and self._addr:  # the common case, in one call
            st, _, raw = fast.read(self._addr, self.size, 0)
            if st == 0:
                return self.codec.decode(raw)
        return self.read_versioned(timeout)[1]

    def _read_raw(self, timeout: Optional[float]) -> Tuple[int, Any]:
        """(version, payload as a fresh bytearray). The compiled path
        tries first without sleeping; a read that has to wait (a write in
        progress in one slot) goes on in slices."""
        if fast is not None and self._addr:
            st, v, raw = fast.read(self._addr, self.size, 0)
            if st == 0:
                return int(v), raw
            if st != ETIMEDOUT or timeout == 0:
                errors.check(st, "read", self.name)
        h = self._live()
        buf, vref = self._buf, ctypes.byref(self._v)
        st = _sliced(lambda t: int(lib.seqshm_read_versioned(h, buf, vref, t)),
                     timeout)
        errors.check(st, "read", self.name)
        return self._v.value, bytearray(buf.raw)

    def read_versioned(self, timeout: Optional[float] = None
                       ) -> Tuple[int, Value]:
        """(version, value) of a consistent snapshot."""
        v, raw = self._read_raw(timeout)
        return v, self.codec.decode(raw)

    def read_bytes(self, timeout: Optional[float] = None) -> bytes:
        """A consistent snapshot as bytes, schema or not."""
        if fast is not None and self._addr:
            st, _, raw = fast.read_bytes(self._addr, self.size, 0)
            if st == 0:
                return raw  # type: ignore[no-any-return]
        return bytes(self._read_raw(timeout)[1])

    def read_into(self, buffer: Any, timeout: Optional[float] = None) -> int:
        """Copies a consistent snapshot into `buffer` (writable and
        contiguous, at least size bytes: a bytearray, a NumPy array, a
        memoryview); returns its version. Nothing is allocated."""
        if fast is not None and self._addr:
            st, v = fast.read_into(self._addr, buffer, 0)
            if st == 0:
                return int(v)
        mv = memoryview(buffer).cast("B")
        if mv.readonly or mv.nbytes < self.size:
            raise ValueError("read_into needs a writable buffer of at least "
                             "%d bytes" % self.size)
        version, raw = self._read_raw(timeout)
        mv[:self.size] = raw
        return version

    def read_partial(self, offset: int, length: int,
                     timeout: Optional[float] = None) -> bytes:
        """length bytes at offset of a consistent snapshot."""
        length, offset = _uint(length, "length"), _uint(offset, "offset")
        buf = ctypes.create_string_buffer(length)
        h = self._live()
        st = _sliced(lambda t: int(lib.seqshm_read_partial(h, buf, length,
                                                           offset, t)),
                     timeout)
        if st == EINVAL:
            raise errors.error(st, "read", self.name,
                               _why.span(offset, length, self.size))
        errors.check(st, "read", self.name)
        return buf.raw

    def read_at(self, version: int, timeout: Optional[float] = None) -> Value:
        """Exactly version `version` (waiting for it to be published);
        seqshm.Overwritten when it is no longer kept."""
        version = _uint(version, "version")
        h, buf = self._live(), self._buf
        st = _sliced(lambda t: int(lib.seqshm_read_at(h, version, buf, t)),
                     timeout)
        errors.check(st, "read_at %d" % version, self.name)
        return self.codec.decode(bytearray(buf.raw))

    def read_many(self, timeout: Optional[float] = 0) -> Tuple[Any, Any]:
        """(versions, values) of every version the segment keeps, oldest
        first: a uint64 array and a NumPy structured array."""
        if numpy is None:
            raise RuntimeError("seqshm: read_many needs NumPy")
        newest = self.version
        first = max(1, newest - self.slots + 1)
        vs, raws = [], []
        h, buf = self._live(), self._buf
        for v in range(first, newest + 1):
            st = _sliced(lambda t: int(lib.seqshm_read_at(h, v, buf, t)),
                         timeout)
            if st == -11:  # overwritten meanwhile
                continue
            errors.check(st, "read_at", self.name)
            vs.append(v)
            raws.append(buf.raw)
        return (numpy.array(vs, dtype=numpy.uint64),
                self.codec.decode_many(raws) if raws else
                numpy.zeros(0, dtype=self.codec.dtype))

    def wait(self, since: Optional[int] = None,
             timeout: Optional[float] = None) -> bool:
        """True as soon as the version is above `since` (default: the
        current one), False if it is not within the timeout."""
        since = self.version if since is None else _uint(since, "since")
        h = self._live()
        st = _sliced(lambda t: int(lib.seqshm_wait(h, since, t)), timeout)
        if st == ETIMEDOUT:
            return False
        errors.check(st, "wait", self.name)
        return True

    def follow(self, timeout: Optional[float] = None,
               batch: Optional[int] = None, start: Optional[int] = None
               ) -> Iterator[Any]:
        """Every version from the next one on (or from version `start`),
        in order: yields (version, value, lost), lost being how many
        versions were skipped just before this one because the segment no
        longer kept them. Ends when `timeout` seconds pass with no new
        version (None: never; Ctrl-C stops it).

        With batch=N yields Batch(versions, values, lost) of up to N
        versions at a time (NumPy arrays; values a structured array): all
        that are already there, after waiting for the first."""
        h = self._live()
        addr = self._addr
        cursor = ctypes.c_uint64(self.version if start is None else
                                 max(_uint(start, "start"), 1) - 1)
        lost = ctypes.c_uint64()
        buf = ctypes.create_string_buffer(self.size)
        if batch is not None and numpy is None:
            raise RuntimeError("seqshm: follow(batch=...) needs NumPy")
        cref, lref, nxt = ctypes.byref(cursor), ctypes.byref(lost), \
            lib.seqshm_next
        decode, size = self.codec.decode, self.size
        while True:
            if batch is not None and fast is not None and addr:
                values = numpy.empty(batch, dtype=self.codec.dtype)
                vs = numpy.empty(batch, dtype=numpy.uint64)
                ls = numpy.empty(batch, dtype=numpy.uint64)
                n = self._next_many(cursor, values, vs, ls)
                if n > 0:
                    yield Batch(vs[:n], values[:n], ls[:n])
                    continue
            if batch is None and fast is not None and addr:
                st, v, lo, raw = fast.next(addr, cursor.value, size, 0)
                if st == 0:
                    cursor.value = v
                    yield v, decode(raw), lo
                    continue
            st = _sliced(lambda t: int(nxt(h, cref, buf, lref, t)), timeout)
            if st == ETIMEDOUT:
                return
            errors.check(st, "follow", self.name)
            if batch is None:
                yield cursor.value, decode(bytearray(buf.raw)), lost.value
                continue
            # the rest of the batch straight into the arrays it returns
            values = numpy.empty(batch, dtype=self.codec.dtype)
            vs = numpy.empty(batch, dtype=numpy.uint64)
            ls = numpy.empty(batch, dtype=numpy.uint64)
            ctypes.memmove(values.ctypes.data, buf, size)
            vs[0], ls[0] = cursor.value, lost.value
            n = 1 + self._next_many(cursor, values[1:], vs[1:], ls[1:])
            yield Batch(vs[:n], values[:n], ls[:n])

    def _next_many(self, cursor: "ctypes.c_uint64", values: Any, vs: Any,
                   ls: Any) -> int:
        """Takes the versions already there after cursor into the arrays
        (as many as they hold), advancing it; returns how many."""
        if fast is not None and self._addr:
            st, got, cur = fast.next_many(self._addr, cursor.value, 0,
                                          values.view(numpy.uint8), vs, ls)
            if st == 0:
                cursor.value = cur
            return int(got)  # a status other than OK: the next call says it
        h, lost, size = self._live(), ctypes.c_uint64(), self.size
        base: int = values.ctypes.data
        n = 0
        cref, lref = ctypes.byref(cursor), ctypes.byref(lost)
        while n < len(vs):
            if lib.seqshm_next(h, cref, base + n * size, lref, 0) != 0:
                break  # nothing more yet, or a status the next call says
            vs[n], ls[n] = cursor.value, lost.value
            n += 1
        return n

    # ------------------------------------------------------------ writes
    def write(self, value: Any, timeout: Optional[float] = None) -> None:
        """Publishes a new payload: bytes-like of the payload's size, a
        NumPy record, or a mapping of every field's value (a mapping of
        some fields: update())."""
        data = bytes(self.codec.encode(value))
        h = self._writable()
        st = _sliced(lambda t: int(lib.seqshm_write(h, data, t)), timeout)
        errors.check(st, "write", self.name)

    def write_partial(self, data: Any, offset: int,
                      timeout: Optional[float] = None) -> None:
        """Writes bytes at offset; the rest keeps its value."""
        data = bytes(data)
        offset = _uint(offset, "offset")
        h = self._writable()
        st = _sliced(lambda t: int(lib.seqshm_write_partial(
            h, data, len(data), offset, t)), timeout)
        if st == EINVAL:
            raise errors.error(st, "write", self.name,
                               _why.span(offset, len(data), self.size))
        errors.check(st, "write", self.name)

    def update(self, change: Union[Mapping[str, Any], Callable[[Value], Any]],
               timeout: Optional[float] = None) -> None:
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
        failure: List[BaseException] = []

        def fn(ptr: int, size: int, ctx: Any) -> None:
            try:
                cur = (ctypes.c_char * size).from_address(ptr)
                new = change
                if callable(change):
                    new = change(codec.decode(bytearray(cur.raw)))
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
            st = _sliced(lambda t: int(lib.seqshm_update(h, cb, None, t)),
                         timeout)
        finally:
            names.discard(key)
        if failure:
            raise failure[0]
        errors.check(st, "update", self.name)

    def clear(self, timeout: Optional[float] = None) -> None:
        """Writes a payload of zeros."""
        self.write(bytes(self.size), timeout)

    def __repr__(self) -> str:
        state = "closed" if not self._h else "version %d" % self.version
        return "<seqshm.Segment %r %d bytes %s%s>" % (
            self.name, self.size, state,
            (" schema %r" % self.schema) if self.schema else "")
