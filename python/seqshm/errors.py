"""seqshm statuses as Python exceptions.

Every failure raises a subclass of `seqshm.Error`, which carries the status
(`.status`, a negative int; `.status_name`, e.g. "SEQSHM_ETIMEDOUT"). Each
also derives from the built-in exception a Python user would catch:

    SEQSHM_ETIMEDOUT     Timeout          TimeoutError
    SEQSHM_ENOENT        NotFound         FileNotFoundError
    SEQSHM_EEXIST        Exists           FileExistsError
    SEQSHM_EACCES        AccessDenied     PermissionError
    SEQSHM_EINVAL        InvalidArgument  ValueError
    SEQSHM_ESIZE         SizeMismatch     ValueError
    SEQSHM_ETYPE         TypeMismatch     ValueError
    SEQSHM_EBADSEG       BadSegment       ValueError
    SEQSHM_EOWNERDEAD    OwnerDead        (Error only: a torn payload)
    SEQSHM_ESYS          OSFailure        OSError
    SEQSHM_EOVERWRITTEN  Overwritten      LookupError
    SEQSHM_EBUSY         Busy             (Error only: another sole writer)

Those that are OSErrors have `errno` (ENOENT, EEXIST, EACCES, ETIMEDOUT, or
the operating system's for OSFailure), `strerror` and `filename` (the
segment's name) set, as the built-in ones do; their text is seqshm's, with
the status name.
"""
import ctypes
import errno as _errno
import os
from typing import Dict, Optional, Type

from ._lib import lib

NAMES = {0: "SEQSHM_OK", -1: "SEQSHM_EINVAL", -2: "SEQSHM_ENOENT",
         -3: "SEQSHM_EEXIST", -4: "SEQSHM_ESIZE", -5: "SEQSHM_EBADSEG",
         -6: "SEQSHM_EACCES", -7: "SEQSHM_ETIMEDOUT", -8: "SEQSHM_EOWNERDEAD",
         -9: "SEQSHM_ETYPE", -10: "SEQSHM_ESYS", -11: "SEQSHM_EOVERWRITTEN",
         -12: "SEQSHM_EBUSY"}
ETIMEDOUT = -7
EINVAL = -1

_ERRNO = {-7: _errno.ETIMEDOUT, -2: _errno.ENOENT, -3: _errno.EEXIST,
          -6: _errno.EACCES}


class Error(Exception):
    """A seqshm status other than SEQSHM_OK: `status` (negative int),
    `status_name` ("SEQSHM_..."); the text says what failed and why."""

    status: int
    status_name: str

    def __init__(self, status: int, what: str = "",
                 filename: Optional[str] = None, why: Optional[str] = None,
                 err: int = 0) -> None:
        self.status = status
        self.status_name = NAMES.get(status, "SEQSHM_?")
        text = (lib.seqshm_strerror(status) or b"").decode()
        message = "%s%s (%s)" % (what + ": " if what else "", why or text,
                                 self.status_name)
        if err:
            message += ": " + os.strerror(err)
        Exception.__init__(self, message)
        if isinstance(self, OSError):
            _os_fields(self, err or _ERRNO.get(status, 0),
                       os.strerror(err) if err else text, filename)

    def __str__(self) -> str:
        return str(self.args[0])


def _os_fields(e: OSError, code: int, text: str,
               filename: Optional[str]) -> None:
    """errno, strerror and filename, as the built-in OSErrors carry."""
    e.errno, e.strerror, e.filename = code, text, filename


class Timeout(Error, TimeoutError):
    """SEQSHM_ETIMEDOUT: not done within the timeout."""


class NotFound(Error, FileNotFoundError):
    """SEQSHM_ENOENT: no segment of that name."""


class Exists(Error, FileExistsError):
    """SEQSHM_EEXIST: exclusive creation of a name that exists."""


class AccessDenied(Error, PermissionError):
    """SEQSHM_EACCES: permission denied, a write through a read-only
    handle, or another user's world-writable segment (any_owner)."""


class InvalidArgument(Error, ValueError):
    """SEQSHM_EINVAL: a bad argument; the text says which and why."""


class SizeMismatch(Error, ValueError):
    """SEQSHM_ESIZE: the segment's payload size differs from the one
    asked."""


class TypeMismatch(Error, ValueError):
    """SEQSHM_ETYPE: the segment's type tag, schema or origin differs."""


class BadSegment(Error, ValueError):
    """SEQSHM_EBADSEG: the object of that name is not a valid segment."""


class OwnerDead(Error):
    """SEQSHM_EOWNERDEAD: a writer died mid-write; the payload is torn."""


class OSFailure(Error, OSError):
    """SEQSHM_ESYS: the operating system refused; errno says why."""


class Overwritten(Error, LookupError):
    """SEQSHM_EOVERWRITTEN: the version asked is no longer kept."""


class Busy(Error):
    """SEQSHM_EBUSY: another live handle is the sole writer."""


_BY_STATUS: Dict[int, Type[Error]] = {
    -7: Timeout, -2: NotFound, -3: Exists, -6: AccessDenied,
    -1: InvalidArgument, -4: SizeMismatch, -9: TypeMismatch, -5: BadSegment,
    -8: OwnerDead, -10: OSFailure, -11: Overwritten, -12: Busy}


def error(status: int, what: str = "", filename: Optional[str] = None,
          why: Optional[str] = None) -> Error:
    """The exception for a status (OSFailure with the C errno)."""
    cls = _BY_STATUS.get(status, Error)
    err = ctypes.get_errno() if cls is OSFailure else 0
    return cls(status, what, filename, why, err)


def check(status: int, what: str = "", filename: Optional[str] = None) -> None:
    """Raises the exception for a status; returns None for SEQSHM_OK."""
    if status != 0:
        raise error(status, what, filename)
