"""Why the library said SEQSHM_EINVAL: the rules of seqshm.h, asked only
after the library refused, so that the exception names the argument."""
import re
from typing import Optional

NAME_MAX = 200
MAX_SIZE = 1 << 30
MAX_SLOTS = 65536
MAX_SLOTS_BYTES = 4 << 30
ORIGIN_MAX = 255
_NAME = re.compile(r"/?[A-Za-z0-9._-]+")


def name(n: str) -> Optional[str]:
    """What is wrong with a segment name, or None."""
    bare = n[1:] if n.startswith("/") else n
    if not bare:
        return "a segment name has 1 to %d characters, not none" % NAME_MAX
    if len(bare) > NAME_MAX:
        return "a segment name has at most %d characters, not %d" % (
            NAME_MAX, len(bare))
    if not _NAME.fullmatch(n):
        bad = sorted({c for c in bare if not re.fullmatch(r"[A-Za-z0-9._-]",
                                                            c)})
        return ("a segment name is made of A-Z a-z 0-9 . _ - (after an "
                "optional leading /), not %s" % " ".join(repr(c) for c in bad))
    if bare in (".", ".."):
        return "%r is not a segment name" % n
    return None


def open_args(n: str, size: int, *, create: bool, exclusive: bool,
              readonly: bool, layout: Optional[str], slots: int, mode: int,
              sole_writer: bool, schema_size: Optional[int]) -> str:
    """Why an open was refused as SEQSHM_EINVAL (the first rule broken)."""
    why = name(n)
    if why:
        return why
    if exclusive and not create:
        return "exclusive=True needs create=True"
    if create and readonly:
        return "a read-only handle cannot create (create and readonly)"
    if sole_writer and (readonly or layout == "mutex"):
        return ("sole_writer is for a read-write handle of a seqlock layout, "
                "not %s" % ("readonly" if readonly else "layout='mutex'"))
    if mode & ~0o777:
        return "mode is permission bits 0 .. 0o777, not %s" % oct(mode)
    if slots and (slots > MAX_SLOTS or slots & (slots - 1)):
        return "slots is a power of two 1 .. %d, not %d" % (MAX_SLOTS, slots)
    if layout == "mutex" and slots > 1:
        return "layout='mutex' has one slot, not %d" % slots
    if layout == "double" and slots not in (0, 2):
        return "layout='double' has two slots, not %d" % slots
    if size > MAX_SIZE:
        return "size is at most %d bytes (1 GiB), not %d" % (MAX_SIZE, size)
    if schema_size is not None and size and size != schema_size:
        return "the schema describes %d bytes, not size=%d" % (schema_size,
                                                                size)
    if create and size * max(slots, 1) > MAX_SLOTS_BYTES:
        return "slots x size is at most 4 GiB, not %d x %d" % (slots, size)
    if create and size == 0 and schema_size is None:
        return ("size=0 with create adopts the segment's size, and there is "
                "no segment %r to adopt it from: give a size or a schema" % n)
    return "invalid argument"


def span(offset: int, length: int, size: int) -> str:
    """Why a partial read or write was refused."""
    if offset + length > size:
        return ("offset %d + length %d is outside the %d-byte payload"
                % (offset, length, size))
    return "invalid argument"
