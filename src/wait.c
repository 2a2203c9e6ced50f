/* wait.c - the sleep and wake primitive on Linux (waiting.c has the
 * protocol): a shared futex on the wait line's word, which sits away from
 * seq and the payload. Built with SEQSHM_NO_FUTEX, waiters poll with naps
 * (of at most 1 ms: waiting.c's slices) and writers wake nobody. */
#include "internal.h"

#include <limits.h>
#include <time.h>

#ifndef SEQSHM_NO_FUTEX
#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>

/* The flag was seen set: clear it, and wake every sleeper if this writer
 * is the one that cleared it. */
void wake_waiters(const struct seqshm *s)
{
    if (atomic_exchange_explicit(&s->wait->waiting, 0, memory_order_seq_cst) == 0)
        return;
    atomic_fetch_add_explicit(&s->wait->futex, 1, memory_order_seq_cst);
    /* shared (not FUTEX_PRIVATE_FLAG): sleepers are other processes */
    syscall(SYS_futex, (uint32_t *)&s->wait->futex, FUTEX_WAKE, INT_MAX, NULL,
            NULL, 0);
}

/* Reads the futex word, then announces a read-write handle (a store only
 * if the flag is clear, so waiters do not fight over the line) and issues
 * the barrier if writers rely on it. A read-only handle cannot announce,
 * and a refused barrier leaves the order unsure: both sleep in slices. */
uint32_t wake_arm(const struct seqshm *s, bool *sliced)
{
    uint32_t w = atomic_load_explicit(&s->wait->futex, memory_order_seq_cst);
    *sliced = s->rdonly;
    if (!s->rdonly) {
        if (atomic_load_explicit(&s->wait->waiting, memory_order_seq_cst) == 0)
            atomic_store_explicit(&s->wait->waiting, 1, memory_order_seq_cst);
        if (atomic_load_explicit(&s->wait->asym, memory_order_seq_cst) != 0 &&
            !fence_heavy())
            *sliced = true;
    }
    FAULT("wait_announced");
    return w;
}

/* The kernel compares the word with w and sleeps, in one step. */
void wake_sleep(const struct seqshm *s, uint32_t w, int64_t ns)
{
    struct timespec ts = {ns / 1000000000, ns % 1000000000};
    syscall(SYS_futex, (uint32_t *)&s->wait->futex, FUTEX_WAIT, w,
            ns == INT64_MAX ? NULL : &ts, NULL, 0);
}

#else /* SEQSHM_NO_FUTEX: bounded polling */

void wake_waiters(const struct seqshm *s) { (void)s; }

uint32_t wake_arm(const struct seqshm *s, bool *sliced)
{
    (void)s;
    *sliced = true;
    return 0;
}

void wake_sleep(const struct seqshm *s, uint32_t w, int64_t ns)
{
    (void)s, (void)w;
    struct timespec ts = {ns / 1000000000, ns % 1000000000};
    nanosleep(&ts, NULL);
}

#endif
