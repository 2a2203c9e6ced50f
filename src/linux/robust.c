/* linux/robust.c - the SEQSHM_MUTEX layout's mutex: a process-shared
 * robust pthread mutex in the segment's mutex line. A holder that dies
 * leaves it to the next locker with EOWNERDEAD; that locker makes it
 * consistent here and repairs what the holder left (recover.c). */
#include "../internal.h"

#include <errno.h>
#include <time.h>

int plat_mutex_init(void *line)
{
    pthread_mutexattr_t a;
    int rc = pthread_mutexattr_init(&a);
    if (rc == 0)
        rc = pthread_mutexattr_setpshared(&a, PTHREAD_PROCESS_SHARED);
    if (rc == 0)
        rc = pthread_mutexattr_setrobust(&a, PTHREAD_MUTEX_ROBUST);
    if (rc == 0)
        rc = pthread_mutex_init((pthread_mutex_t *)line, &a);
    pthread_mutexattr_destroy(&a);
    return rc;
}

int plat_mutex_lock(const struct seqshm *s, struct deadline *d)
{
    int rc;
    if (d->timeout < 0) {
        rc = pthread_mutex_lock(s->plat.mutex);
    } else if (d->timeout == 0) {
        rc = pthread_mutex_trylock(s->plat.mutex);
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
        rc = pthread_mutex_timedlock(s->plat.mutex, &abs);
    }
    switch (rc) {
    case 0:
        return SEQSHM_OK;
    case EOWNERDEAD:
        pthread_mutex_consistent(s->plat.mutex);
        return SEQSHM_EOWNERDEAD;
    case EBUSY:
    case ETIMEDOUT:
        return SEQSHM_ETIMEDOUT;
    default:
        errno = rc;
        return SEQSHM_ESYS;
    }
}

void plat_mutex_unlock(const struct seqshm *s)
{
    pthread_mutex_unlock(s->plat.mutex);
}
