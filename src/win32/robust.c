/* win32/robust.c - the SEQSHM_MUTEX layout's mutex on Windows: a named
 * kernel mutex (win32.h), which the kernel hands on as "abandoned" when the
 * thread that held it ends: the robust mutex's EOWNERDEAD. */
#include "win32.h"

int robust_init(pthread_mutex_t *m)
{
    (void)m; /* the named mutex is made by each handle (segment.c) */
    return 0;
}

int robust_lock(const struct seqshm *s, struct deadline *d)
{
    int64_t left = deadline_left(d);
    DWORD ms = left == INT64_MAX ? INFINITE
               : left / 1000000 >= INFINITE ? INFINITE - 1
                                            : (DWORD)((left + 999999) / 1000000);
    switch (WaitForSingleObject(s->os[OS_MUTEX], ms)) {
    case WAIT_OBJECT_0:
        return SEQSHM_OK;
    case WAIT_ABANDONED: /* its holder died holding it */
        claim_repair(s);
        atomic_store_explicit(&s->line->owner, 0, memory_order_relaxed);
        return SEQSHM_OK;
    case WAIT_TIMEOUT:
        return SEQSHM_ETIMEDOUT;
    default:
        return SEQSHM_ESYS;
    }
}

void robust_unlock(const struct seqshm *s) { ReleaseMutex(s->os[OS_MUTEX]); }
