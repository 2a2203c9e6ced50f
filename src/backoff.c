/* backoff.c - timeouts, and the back-off policy every waiting loop shares.
 * It only says what to do next; waiting.c does it (wait_step), sleeping on
 * the segment so that a publish ends a nap at once.
 *
 * Phases: BACKOFF_SPIN_STEPS pause instructions (cheap, for writes that take
 * nanoseconds), then YIELD_STEPS yields of the CPU (on a busy machine the
 * writer may need our core), then naps that double from 1 us up to 1 ms,
 * never past the deadline. Timeout 0 only ever spins, SEQSHM_SPIN_TRIES
 * times.
 */
#include "internal.h"

#include <time.h>

#define YIELD_STEPS 16u
#define NAP_MAX_NS 1000000

int64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* deadline_start() (internal.h) leaves end_ns unset: the clock is read only
 * once a caller has to wait. The deadline counts from that first wait, a few
 * nanoseconds after the call began. */

int64_t deadline_left(struct deadline *d)
{
    if (d->end_ns == INT64_MAX)
        return INT64_MAX;
    int64_t now = now_ns();
    if (d->end_ns == DEADLINE_UNSET)
        d->end_ns = d->timeout > INT64_MAX - now ? INT64_MAX : now + d->timeout;
    int64_t left = d->end_ns - now;
    return left > 0 ? left : 0;
}

bool deadline_retry(struct deadline *d)
{
    return d->timeout != 0 && deadline_left(d) > 0;
}

enum backoff_step backoff_next(struct deadline *d, int64_t *nap_ns)
{
    unsigned step = d->tries++;
    if (d->timeout == 0)
        return step >= SEQSHM_SPIN_TRIES ? BACKOFF_EXPIRED : BACKOFF_SPIN;
    if (step < BACKOFF_SPIN_STEPS)
        return BACKOFF_SPIN;
    int64_t left = deadline_left(d);
    if (left <= 0)
        return BACKOFF_EXPIRED;
    if (step < BACKOFF_SPIN_STEPS + YIELD_STEPS)
        return BACKOFF_YIELD;
    *nap_ns = d->nap_ns < left ? d->nap_ns : left;
    if (d->nap_ns < NAP_MAX_NS)
        d->nap_ns *= 2;
    return BACKOFF_NAP;
}
