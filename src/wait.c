/* wait.c - sleeping until the next write.
 *
 * The futex word sits on the wait line, away from seq and the payload. A
 * read-write waiter announces itself by setting `waiting`; a writer makes a
 * system call only if it finds the flag set, so a write with nobody waiting
 * costs one load of a line nobody is writing. The writer that finds it set
 * clears it (exchange) and wakes every sleeper; those that wait on set it
 * again. So a waiter killed in its sleep costs the next write one wake, and
 * none after: nothing counts waiters that may be dead.
 *
 * No lost wake-up (a Dekker pair, all seq_cst):
 *   waiter: waiting := 1 (if 0); w := futex; v := version; if v > since: done;
 *           futex_wait(&futex, w)
 *   writer: seq := next;  if waiting && exchange(waiting, 0):
 *           futex += 1, futex_wake(all)
 * Either the waiter's load of seq sees the new version, or the flag it set
 * (or found set) is still set when the writer looks, and that writer bumps
 * futex after the waiter read w: futex_wait returns at once or is woken. A
 * waiter that found the flag set by another is covered the same way: the
 * first writer to clear it after that load wakes everyone.
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

/* claim_publish() found the flag set: clear it, and wake every sleeper
 * if this writer is the one that cleared it. */
void wake_waiters(const struct seqshm *s)
{
    if (atomic_exchange_explicit(&s->wait->waiting, 0, memory_order_seq_cst) == 0)
        return;
    atomic_fetch_add_explicit(&s->wait->futex, 1, memory_order_seq_cst);
    syscall(SYS_futex, (uint32_t *)&s->wait->futex, FUTEX_WAKE, INT_MAX, NULL,
            NULL, 0);
}

/* Announces a read-write handle (the flag protocol above); read-only
 * handles cannot, and sleep in bounded slices instead. */
static void announce(const struct seqshm *s)
{
    if (!s->rdonly &&
        atomic_load_explicit(&s->wait->waiting, memory_order_seq_cst) == 0)
        atomic_store_explicit(&s->wait->waiting, 1, memory_order_seq_cst);
}

/* A reader or writer in long back-off: the same protocol as seqshm_wait,
 * waiting for seq to move on from `seen` (any publish, or a recovery). */
void nap_until_publish(const struct seqshm *s, uint64_t seen, int64_t ns)
{
    announce(s);
    uint32_t w = atomic_load_explicit(&s->wait->futex, memory_order_seq_cst);
    if (atomic_load_explicit(&s->line->seq, memory_order_seq_cst) != seen)
        return;
    futex_wait(&s->wait->futex, w, ns);
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
            announce(s); /* a store only if needed: no fight over the line */
            uint32_t w = atomic_load_explicit(&s->wait->futex,
                                              memory_order_seq_cst);
            if (newer(s, since))
                return SEQSHM_OK;
            futex_wait(&s->wait->futex, w, left);
        }
        if (newer(s, since))
            return SEQSHM_OK;
    }
}

#else /* SEQSHM_NO_FUTEX: bounded polling */

void wake_waiters(const struct seqshm *s) { (void)s; }

void nap_until_publish(const struct seqshm *s, uint64_t seen, int64_t ns)
{
    (void)s, (void)seen;
    struct timespec ts = {ns / 1000000000, ns % 1000000000};
    nanosleep(&ts, NULL);
}

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
