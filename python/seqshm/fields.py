"""Schemas: the C library's parser, and payloads as named records.

A record is a NumPy structured scalar when NumPy is installed (fields by
name, arrays as ndarrays, char[N] as bytes), otherwise a dict (arrays as
lists, char[N] as str). Both encode back into payload bytes.
"""
import ctypes
import numbers
import struct
from typing import Any, Dict, List, NamedTuple, Optional, Tuple, Union

from . import errors
from ._lib import Field as _CField, lib

numpy: Any  # the module, or None without NumPy
try:
    import numpy
except ImportError:  # pragma: no cover - exercised by SEQSHM_NO_NUMPY
    numpy = None

__all__ = ["Field", "Codec", "parse", "numpy"]


class Field(NamedTuple):
    """One field of a schema: name, type ("f64", "char", ...), count
    (elements, 1 for a scalar), array (written name:type[count]), offset
    (bytes from the payload's start) and size (bytes of one element)."""
    name: str
    type: str
    count: int  # type: ignore[assignment]  # (tuple.count is shadowed)
    array: bool
    offset: int
    size: int

_STRUCT = {"i8": "b", "u8": "B", "i16": "h", "u16": "H", "i32": "i",
           "u32": "I", "i64": "q", "u64": "Q", "f32": "f", "f64": "d",
           "bool": "?", "char": "s"}
_RANGE = {"i8": (-2**7, 2**7 - 1), "u8": (0, 2**8 - 1),
          "i16": (-2**15, 2**15 - 1), "u16": (0, 2**16 - 1),
          "i32": (-2**31, 2**31 - 1), "u32": (0, 2**32 - 1),
          "i64": (-2**63, 2**63 - 1), "u64": (0, 2**64 - 1), "bool": (0, 1)}
_NUMPY = {"i8": "i1", "u8": "u1", "i16": "i2", "u16": "u2", "i32": "i4",
          "u32": "u4", "i64": "i8", "u64": "u8", "f32": "f4", "f64": "f8",
          "bool": "?"}


def parse(schema: Union[str, bytes]) -> Tuple[List[Field], int]:
    """(fields, size) of a schema text; raises seqshm.InvalidArgument with
    the reason if it is malformed."""
    text = schema.encode() if isinstance(schema, str) else bytes(schema)
    n, size = ctypes.c_size_t(), ctypes.c_size_t()
    why = ctypes.create_string_buffer(200)
    st = lib.seqshm_schema_parse(text, None, 0, ctypes.byref(n),
                                 ctypes.byref(size), why, len(why))
    if st != 0:
        errors.check(st, "schema %r: %s" % (schema, why.value.decode()))
    arr = (_CField * n.value)()
    errors.check(lib.seqshm_schema_parse(text, arr, n.value, None, None,
                                         None, 0), "schema")
    return [Field(f.name.decode(), f.type_name.decode(), int(f.count),
                  bool(f.array), int(f.offset), int(f.size)) for f in arr], \
        int(size.value)


class Codec:
    """Decodes and encodes the payload of one schema (or of none: bytes)."""

    def __init__(self, schema: Optional[str], size: int,
                 use_numpy: Optional[bool] = None) -> None:
        self.size = size
        self.schema = schema or ""
        self.fields: List[Field]
        self.fields, parsed = parse(schema) if schema else ([], size)
        if schema and parsed != size:
            raise ValueError("schema describes %d bytes, payload has %d"
                             % (parsed, size))
        self.numpy = numpy is not None if use_numpy is None else use_numpy
        self.dtype = self._dtype() if numpy is not None else None

    def _dtype(self) -> Any:
        if not self.fields:
            return numpy.dtype((numpy.void, self.size))
        formats = []
        for f in self.fields:
            base = "S%d" % f.count if f.type == "char" else _NUMPY[f.type]
            formats.append((base, (f.count,)) if f.array and f.type != "char"
                           else base)
        return numpy.dtype({"names": [f.name for f in self.fields],
                            "formats": formats,
                            "offsets": [f.offset for f in self.fields],
                            "itemsize": self.size})

    # ---------------------------------------------------------- decoding
    def decode(self, raw: Union[bytes, bytearray]) -> Any:
        """The payload bytes as a value: bytes without a schema, else a
        record (NumPy structured scalar, or dict)."""
        if not self.fields:
            return bytes(raw)
        if self.numpy:  # writable: a record of its own bytes
            buf = raw if isinstance(raw, bytearray) else bytearray(raw)
            return numpy.ndarray((), self.dtype, buf)[()]
        return self.to_dict(raw)

    def to_dict(self, raw: Union[bytes, bytearray]) -> Dict[str, Any]:
        """The payload as a dict of field values."""
        out: Dict[str, Any] = {}
        for f in self.fields:
            if f.type == "char":
                b = bytes(raw[f.offset:f.offset + f.count])
                out[f.name] = b.split(b"\0", 1)[0].decode("utf-8", "replace")
                continue
            vals = struct.unpack_from("=%d%s" % (f.count, _STRUCT[f.type]),
                                      raw, f.offset)
            out[f.name] = list(vals) if f.array else vals[0]
        return out

    def decode_many(self, raws: List[bytes]) -> Any:
        """Payloads (equal-sized bytes) as a NumPy structured array."""
        if numpy is None:
            raise RuntimeError("seqshm: arrays need NumPy (python3-numpy)")
        return numpy.frombuffer(bytearray(b"".join(raws)), dtype=self.dtype)

    # ---------------------------------------------------------- encoding
    def encode(self, value: Any, into: Any = None) -> Any:
        """Payload bytes from a value: bytes-like of the payload's size, a
        NumPy record, or a mapping of field values. With `into` (a writable
        buffer holding the current payload) a mapping may name only some
        fields: the others keep their bytes. Returns the buffer."""
        if numpy is not None and isinstance(value, (numpy.void, numpy.ndarray)):
            value = value.tobytes()
        if isinstance(value, (bytes, bytearray, memoryview)):
            b = bytes(value)
            if len(b) != self.size:
                raise ValueError("a payload of %d bytes, not %d"
                                 % (self.size, len(b)))
            if into is None:
                return b
            ctypes.memmove(ctypes.addressof(into), b, self.size) \
                if isinstance(into, ctypes.Array) else into.__setitem__(
                    slice(0, self.size), b)
            return into
        if not hasattr(value, "keys"):
            raise TypeError("write bytes, a NumPy record or a mapping of "
                            "field values, not %s" % type(value).__name__)
        if not self.fields:
            raise ValueError("a mapping of field values needs a schema")
        names = {f.name: f for f in self.fields}
        unknown = [k for k in value.keys() if k not in names]
        if unknown:
            raise KeyError("no field %s in the schema" % ", ".join(unknown))
        if into is None:
            missing = [n for n in names if n not in value]
            if missing:
                raise KeyError("fields not given: %s (a partial update "
                               "needs Segment.update)" % ", ".join(missing))
            into = bytearray(self.size)
        for k, v in value.items():
            self._put(into, names[k], v)
        return into

    def _put(self, buf: Any, f: Field, v: Any) -> None:
        if f.type == "char":
            b = v.encode() if isinstance(v, str) else bytes(v)
            if len(b) > f.count:
                raise ValueError("%s holds %d bytes, not %d"
                                 % (f.name, f.count, len(b)))
            struct.pack_into("=%ds" % f.count, buf, f.offset, b)
            return
        vals = list(v) if f.array else [v]
        if len(vals) != f.count:
            raise ValueError("%s has %d elements, not %d"
                             % (f.name, f.count, len(vals)))
        if numpy is not None:
            vals = [x.item() if isinstance(x, numpy.generic) else x
                    for x in vals]
        limits = _RANGE.get(f.type)
        for x in vals:
            if f.type in ("f32", "f64"):
                ok = isinstance(x, numbers.Real) and not isinstance(x, bool)
            else:
                ok = isinstance(x, numbers.Integral)
            if not ok:
                raise TypeError("field %s is %s: a number, not %r"
                                % (f.name, f.type, x))
            if limits and not limits[0] <= int(x) <= limits[1]:
                raise ValueError("field %s is %s: %d .. %d, not %d"
                                 % (f.name, f.type, limits[0], limits[1],
                                    int(x)))
        try:
            struct.pack_into("=%d%s" % (f.count, _STRUCT[f.type]), buf,
                             f.offset, *vals)
        except (struct.error, OverflowError) as e:  # f32 out of its range
            raise ValueError("field %s is %s: %s" % (f.name, f.type, e))
