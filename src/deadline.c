/* deadline.c - timeouts and back-off, shared by every loop that waits.
 *
 * Back-off phases: SPIN_STEPS pause instructions (cheap, for writes that take
 * nanoseconds), then YIELD_STEPS sched_yield() calls (on a busy machine the
 * writer may need our core), then sleeps that double from 1 us up to 1 ms,
 * never past the deadline. A caller that waits for a write (d->shm set)
 * sleeps on the segment's futex, so the publish ends the sleep at once.
 * Timeout 0 only ever spins.
 */
#include "internal.h"

#include <sched.h>
#include <time.h>

#define SPIN_STEPS 64u
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

static inline void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ __volatile__("yield");
#endif
}

bool backoff(struct deadline *d, bool *slow)
{
    unsigned step = d->tries++;
    *slow = false;
    if (d->timeout == 0) {
        if (step >= SEQSHM_SPIN_TRIES)
            return false;
        cpu_relax();
        return true;
    }
    if (step < SPIN_STEPS) {
        cpu_relax();
        return true;
    }
    *slow = true;
    int64_t left = deadline_left(d);
    if (left <= 0)
        return false;
    if (step < SPIN_STEPS + YIELD_STEPS) {
        sched_yield();
        return true;
    }
    int64_t nap = d->nap_ns < left ? d->nap_ns : left;
    if (d->shm != NULL) {
        nap_until_publish(d->shm, d->seen, nap);
    } else {
        struct timespec ts = {nap / 1000000000, nap % 1000000000};
        nanosleep(&ts, NULL);
    }
    if (d->nap_ns < NAP_MAX_NS)
        d->nap_ns *= 2;
    return true;
}
