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
    SEQSHM_ESYS          OSFailure        OSError (with errno)
    SEQSHM_EOVERWRITTEN  Overwritten      LookupError
    SEQSHM_EBUSY         Busy             (Error only: another sole writer)
"""
import ctypes
import os

from ._lib import lib

NAMES = {0: "SEQSHM_OK", -1: "SEQSHM_EINVAL", -2: "SEQSHM_ENOENT",
         -3: "SEQSHM_EEXIST", -4: "SEQSHM_ESIZE", -5: "SEQSHM_EBADSEG",
         -6: "SEQSHM_EACCES", -7: "SEQSHM_ETIMEDOUT", -8: "SEQSHM_EOWNERDEAD",
         -9: "SEQSHM_ETYPE", -10: "SEQSHM_ESYS", -11: "SEQSHM_EOVERWRITTEN",
         -12: "SEQSHM_EBUSY"}


class Error(Exception):
    """A seqshm status other than SEQSHM_OK."""

    def __init__(self, status, what=""):
        self.status = status
        self.status_name = NAMES.get(status, "SEQSHM_?")
        text = lib.seqshm_strerror(status).decode()
        super().__init__("%s%s (%s)" % (what + ": " if what else "", text,
                                        self.status_name))


class Timeout(Error, TimeoutError):
    pass


class NotFound(Error, FileNotFoundError):
    pass


class Exists(Error, FileExistsError):
    pass


class AccessDenied(Error, PermissionError):
    pass


class InvalidArgument(Error, ValueError):
    pass


class SizeMismatch(Error, ValueError):
    pass


class TypeMismatch(Error, ValueError):
    pass


class BadSegment(Error, ValueError):
    pass


class OwnerDead(Error):
    pass


class OSFailure(Error, OSError):
    def __init__(self, status, what="", err=0):
        Error.__init__(self, status, what)
        self.errno = err
        self.strerror = os.strerror(err) if err else ""
        if err:
            self.args = ("%s: %s" % (self.args[0], self.strerror),)


class Overwritten(Error, LookupError):
    pass


class Busy(Error):
    pass


_BY_STATUS = {-7: Timeout, -2: NotFound, -3: Exists, -6: AccessDenied,
              -1: InvalidArgument, -4: SizeMismatch, -9: TypeMismatch,
              -5: BadSegment, -8: OwnerDead, -10: OSFailure, -11: Overwritten,
              -12: Busy}


def check(status, what=""):
    """Raises the exception for a status; returns None for SEQSHM_OK."""
    if status == 0:
        return
    cls = _BY_STATUS.get(status, Error)
    if cls is OSFailure:
        raise OSFailure(status, what, ctypes.get_errno())
    raise cls(status, what)
