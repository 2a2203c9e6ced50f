/* win32/robust.c - the SEQSHM_MUTEX layout's mutex on Windows: a named
 * kernel mutex (wing.h), made by each handle (segment.c), which the kernel
 * hands on as "abandoned" when the thread that held it ends: the robust
 * mutex's EOWNERDEAD (the caller repairs: recover.c). */
#include "../internal.h"

int plat_mutex_init(void *line)
{
    (void)line; /* nothing lives in the segment's mutex line here */
    return 0;
}

int plat_mutex_lock(const struct seqshm *s, struct deadline *d)
{
    int64_t left = deadline_left(d);
    DWORD ms = left == INT64_MAX ? INFINITE
               : left / 1000000 >= INFINITE ? INFINITE - 1
                                            : (DWORD)((left + 999999) / 1000000);
    switch (WaitForSingleObject(s->plat.mutex, ms)) {
    case WAIT_OBJECT_0:
        return SEQSHM_OK;
    case WAIT_ABANDONED: /* its holder died holding it */
        return SEQSHM_EOWNERDEAD;
    case WAIT_TIMEOUT:
        return SEQSHM_ETIMEDOUT;
    default:
        return SEQSHM_ESYS;
    }
}

void plat_mutex_unlock(const struct seqshm *s) { ReleaseMutex(s->plat.mutex); }
