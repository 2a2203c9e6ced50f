"""seqshm for Python: read, write and follow seqshm segments (named POSIX
shared memory guarded by a seqlock) through the C library.

    import seqshm
    with seqshm.Segment("robot-pose") as s:          # a C process writes it
        for version, frame, lost in s.follow():
            print(version, frame["position"], lost)

See Segment for every option, seqshm.errors for the exceptions, and
seqshm.fields for schemas. MIT-licensed, as the C library (LICENSE).
"""
from ._lib import path as library_path
from .errors import (AccessDenied, BadSegment, Busy, Error, Exists,
                     InvalidArgument, NotFound, OSFailure, Overwritten,
                     OwnerDead, SizeMismatch, Timeout, TypeMismatch)
from .fields import Field, parse as parse_schema
from .segment import Batch, Segment

unlink = Segment.unlink

__license__ = "MIT"
__version__ = "2.0.0"  # the C library's SEQSHM_VERSION (a test keeps them equal)

__all__ = ["__version__", "Segment", "Batch", "Field", "parse_schema", "unlink",
           "library_path", "Error", "Timeout", "NotFound", "Exists",
           "AccessDenied", "InvalidArgument", "SizeMismatch", "TypeMismatch",
           "BadSegment", "OwnerDead", "OSFailure", "Overwritten", "Busy"]
