/* wait.c - sleeping until the next write.
 *
 * The futex word sits on the wait line, away from seq and the payload. A
 * read-write waiter announces itself in `waiters`; a writer makes a system
 * call only if it sees an announced waiter, so a write with nobody waiting
 * costs one load of a line nobody is writing.
 *
 * No lost wake-up (the Dekker pair, all seq_cst):
 *   waiter: waiters += 1; w = futex; v = version;  if v > since: done;
 *           futex_wait(&futex, w)
 *   writer: seq = next;  if waiters != 0: futex += 1, futex_wake(all)
 * Either the waiter's load of seq sees the new version, or the writer's load
 * of waiters sees the announcement; in that case the writer bumps futex after
 * the waiter read w, so futex_wait returns at once or is woken.
 *
 * A read-only handle cannot announce itself: it sleeps on the same futex in
 * slices of at most SLICE_NS, so it wakes at once when a read-write waiter is
 * announced and otherwise within a slice. Built with SEQSHM_NO_FUTEX every
 * handle polls with the shared back-off (naps of at most 1 ms).
 */
#include "internal.h"

#include <errno.h>
#include <limits.h>
#include <time.h>

#define SLICE_NS 1000000

#ifndef SEQSHM_NO_FUTEX
#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>

/* Shared (not FUTEX_PRIVATE_FLAG): waiters and wakers are other processes. */
static void futex_wait(_Atomic uint32_t *word, uint32_t expect, int64_t ns)
{
    struct timespec ts = {ns / 1000000000, ns % 1000000000};
    syscall(SYS_futex, (uint32_t *)word, FUTEX_WAIT, expect,
            ns == INT64_MAX ? NULL : &ts, NULL, 0);
}

void wake_waiters(const struct seqshm *s)
{
    if (atomic_load_explicit(&s->wait->waiters, memory_order_seq_cst) == 0)
        return;
    atomic_fetch_add_explicit(&s->wait->futex, 1, memory_order_seq_cst);
    syscall(SYS_futex, (uint32_t *)&s->wait->futex, FUTEX_WAKE, INT_MAX, NULL,
            NULL, 0);
}

static bool newer(const struct seqshm *s, uint64_t since)
{
    uint64_t seq = atomic_load_explicit(&s->line->seq, memory_order_seq_cst);
    return (seq / SEQ_STEP) > since;
}

int seqshm_wait(const seqshm *s, uint64_t since, int64_t timeout_ns)
{
    if (s == NULL)
        return SEQSHM_EINVAL;
    if (newer(s, since))
        return SEQSHM_OK;
    struct deadline d;
    deadline_start(&d, timeout_ns);
    for (;;) {
        int64_t left = deadline_left(&d);
        if (left == 0)
            return newer(s, since) ? SEQSHM_OK : SEQSHM_ETIMEDOUT;
        if (s->rdonly) {
            uint32_t w = atomic_load_explicit(&s->wait->futex,
                                              memory_order_seq_cst);
            if (newer(s, since))
                return SEQSHM_OK;
            futex_wait(&s->wait->futex, w, left < SLICE_NS ? left : SLICE_NS);
        } else {
            atomic_fetch_add_explicit(&s->wait->waiters, 1,
                                      memory_order_seq_cst);
            uint32_t w = atomic_load_explicit(&s->wait->futex,
                                              memory_order_seq_cst);
            bool done = newer(s, since);
            if (!done)
                futex_wait(&s->wait->futex, w, left);
            atomic_fetch_sub_explicit(&s->wait->waiters, 1,
                                      memory_order_relaxed);
            if (done)
                return SEQSHM_OK;
        }
        if (newer(s, since))
            return SEQSHM_OK;
    }
}

#else /* SEQSHM_NO_FUTEX: bounded polling */

void wake_waiters(const struct seqshm *s) { (void)s; }

int seqshm_wait(const seqshm *s, uint64_t since, int64_t timeout_ns)
{
    if (s == NULL)
        return SEQSHM_EINVAL;
    struct deadline d;
    bool slow;
    deadline_start(&d, timeout_ns);
    do {
        uint64_t seq = atomic_load_explicit(&s->line->seq,
                                            memory_order_acquire);
        if (seq / SEQ_STEP > since)
            return SEQSHM_OK;
    } while (backoff(&d, &slow));
    return SEQSHM_ETIMEDOUT;
}

#endif
