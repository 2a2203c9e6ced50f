/* robust.c - the process-shared robust mutex of the SEQSHM_MUTEX layout.
 *
 * A holder that dies leaves the mutex to the next locker with EOWNERDEAD.
 * That locker makes it consistent, then repairs what the dead holder left:
 * if it died mid-write (seq BUSY) the payload is marked torn, and its claim
 * on the owner word is cleared. Then the call goes on as usual.
 */
#include "internal.h"

#include <errno.h>
#include <time.h>

int robust_init(pthread_mutex_t *m)
{
    pthread_mutexattr_t a;
    int rc = pthread_mutexattr_init(&a);
    if (rc == 0)
        rc = pthread_mutexattr_setpshared(&a, PTHREAD_PROCESS_SHARED);
    if (rc == 0)
        rc = pthread_mutexattr_setrobust(&a, PTHREAD_MUTEX_ROBUST);
    if (rc == 0)
        rc = pthread_mutex_init(m, &a);
    pthread_mutexattr_destroy(&a);
    return rc;
}

int robust_lock(const struct seqshm *s, struct deadline *d)
{
    int rc;
    if (d->timeout < 0) {
        rc = pthread_mutex_lock(s->mutex);
    } else if (d->timeout == 0) {
        rc = pthread_mutex_trylock(s->mutex);
    } else {
        /* POSIX timedlock takes a CLOCK_REALTIME deadline: derive it from
         * the time left, so only a clock step during this wait can move it */
        struct timespec abs;
        clock_gettime(CLOCK_REALTIME, &abs);
        int64_t left = deadline_left(d);
        if (left > INT64_MAX - 1000000000) /* keep the sum below from overflowing */
            left = INT64_MAX - 1000000000;
        int64_t ns = abs.tv_nsec + left;
        abs.tv_sec += (time_t)(ns / 1000000000);
        abs.tv_nsec = (long)(ns % 1000000000);
        rc = pthread_mutex_timedlock(s->mutex, &abs);
    }
    switch (rc) {
    case 0:
        return SEQSHM_OK;
    case EOWNERDEAD:
        pthread_mutex_consistent(s->mutex);
        claim_repair(s);
        atomic_store_explicit(&s->line->owner, 0, memory_order_relaxed);
        return SEQSHM_OK;
    case EBUSY:
    case ETIMEDOUT:
        return SEQSHM_ETIMEDOUT;
    default:
        errno = rc;
        return SEQSHM_ESYS;
    }
}

void robust_unlock(const struct seqshm *s) { pthread_mutex_unlock(s->mutex); }
