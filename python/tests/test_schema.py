"""Schemas: every type, arrays, alignment and padding against a C
compiler's offsetof and sizeof, malformed schemas, and records without
NumPy."""
import os
import subprocess
import tempfile

import pytest

import seqshm
from seqshm.fields import Codec

C_TYPES = {"i8": "int8_t", "u8": "uint8_t", "i16": "int16_t",
           "u16": "uint16_t", "i32": "int32_t", "u32": "uint32_t",
           "i64": "int64_t", "u64": "uint64_t", "f32": "float",
           "f64": "double", "bool": "bool", "char": "char"}

SCHEMAS = [
    "a:i8 b:f64 c:u8 d:i16 e:u16[3] f:i32 g:u32 h:bool i:i64 j:u64 k:f32 "
    "name:char[5] l:f32[2] m:bool[3]",
    "x:f64 y:f64 theta:f64 stamp:u64 cov:f32[9]",
    "c:char[3] d:f64",
    "t:u8 u:u16 v:u8 w:u32 x:u8 y:u64 z:u8",
    "one:bool",
    "big:f64[100] tail:u8",
]


def compiler_layout(schema):
    """(offsets by name, sizeof) of the same struct, from the C compiler."""
    fields, _ = seqshm.parse_schema(schema)
    members = "".join("    %s %s%s;\n" % (C_TYPES[f.type], f.name,
                                            "[%d]" % f.count if f.array else "")
                      for f in fields)
    prints = "".join('    printf("%s %%zu\\n", offsetof(struct s, %s));\n'
                     % (f.name, f.name) for f in fields)
    src = ("#include <stdbool.h>\n#include <stddef.h>\n#include <stdint.h>\n"
           "#include <stdio.h>\nstruct s {\n%s};\nint main(void) {\n%s"
           '    printf("sizeof %%zu\\n", sizeof(struct s));\n}\n'
           % (members, prints))
    with tempfile.TemporaryDirectory() as d:
        c, exe = os.path.join(d, "s.c"), os.path.join(d, "s")
        with open(c, "w") as f:
            f.write(src)
        subprocess.run([os.environ.get("CC", "cc"), "-std=c11", c, "-o", exe],
                       check=True)
        out = subprocess.run([exe], check=True, capture_output=True,
                             text=True).stdout
    got = dict(line.split() for line in out.splitlines())
    return {k: int(v) for k, v in got.items() if k != "sizeof"}, \
        int(got["sizeof"])


@pytest.mark.parametrize("schema", SCHEMAS)
def test_offsets_and_size_are_the_compilers(schema):
    fields, size = seqshm.parse_schema(schema)
    offsets, sizeof = compiler_layout(schema)
    assert {f.name: f.offset for f in fields} == offsets
    assert size == sizeof


@pytest.mark.parametrize("schema", SCHEMAS)
def test_numpy_dtype_matches(schema):
    fields, size = seqshm.parse_schema(schema)
    dt = Codec(schema, size).dtype
    assert dt.itemsize == size
    for f in fields:
        assert dt.fields[f.name][1] == f.offset


def test_every_type_round_trips(name):
    schema = SCHEMAS[0]
    value = {"a": -5, "b": 2.5, "c": 250, "d": -300, "e": [1, 2, 65535],
             "f": -70000, "g": 4000000000, "h": True, "i": -2**40,
             "j": 2**63 + 5, "k": 0.5, "name": "hi", "l": [1.25, -1.5],
             "m": [True, False, True]}
    with seqshm.Segment(name, create=True, schema=schema) as s:
        s.write(value)
        with seqshm.Segment(name, numpy=False) as d:
            assert d.read() == value
        rec = s.read()
        for k, v in value.items():
            got = rec[k]
            if k == "name":
                assert got == b"hi"
            elif isinstance(v, list):
                assert list(got) == v
            else:
                assert got == v


@pytest.mark.parametrize("bad,why", [
    ("", "no fields"), ("x", "expected ':'"), ("x:f16", "unknown type"),
    ("x:char", "char needs a count"), ("x:u8 x:u8", "used twice"),
    ("x:u8[0]", "a count is a number"), ("9x:u8", "start with a letter"),
])
def test_malformed_schemas(bad, why):
    with pytest.raises(seqshm.InvalidArgument) as e:
        seqshm.parse_schema(bad)
    assert why in str(e.value)
    assert isinstance(e.value, ValueError)


def test_spacing_does_not_count(name):
    with seqshm.Segment(name, create=True, schema=" x:f64   y:u32 ") as s:
        assert s.schema == "x:f64 y:u32"
        with seqshm.Segment(name, schema="x:f64\ty:u32"):
            pass
