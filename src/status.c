/* status.c - seqshm_strerror. */
#include "internal.h"

const char *seqshm_strerror(int status)
{
    switch (status) {
    case SEQSHM_OK: return "success";
    case SEQSHM_EINVAL: return "invalid argument";
    case SEQSHM_ENOENT: return "no segment of that name";
    case SEQSHM_EEXIST: return "segment already exists";
    case SEQSHM_ESIZE: return "segment has a different payload size";
    case SEQSHM_EBADSEG: return "not a valid seqshm segment";
    case SEQSHM_EACCES: return "permission denied";
    case SEQSHM_ETIMEDOUT: return "timed out";
    case SEQSHM_EOWNERDEAD: return "a writer died mid-write; payload torn";
    case SEQSHM_ETYPE: return "segment has a different type tag or schema";
    case SEQSHM_ESYS: return "operating-system error (see errno)";
    case SEQSHM_EOVERWRITTEN: return "that version is no longer kept";
    case SEQSHM_EBUSY: return "another live handle is the sole writer";
    default: return "unknown seqshm status";
    }
}
