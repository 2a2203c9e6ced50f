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
 * No lost wake-up (a Dekker pair):
 *   waiter: w := futex; if !waiting: waiting := 1; [barrier];
 *           v := version; if v > since: done; futex_wait(&futex, w)
 *   writer: seq := next; [fence]; if waiting && exchange(waiting, 0):
 *           futex += 1, futex_wake(all)
 * The store-load order on each side comes from a full fence in the writer
 * or, when the segment's `asym` word says some writer relies on it, from
 * the waiter's barrier (membarrier, fence.c), which every waiter issues
 * after its announce whether it set the flag or found it set: one that
 * found it set and skipped the barrier could read the old version while the
 * waiter that set it, barrier done, saw the new one and left (the flag stays
 * set, no writer wakes: models/wait.pml -DHEAVY_IF_STORED). A waiter whose
 * barrier the kernel refuses sleeps in slices, as a read-only one does.
 * Either the waiter's load of seq sees the new version, or the flag it set
 * (or found set) was still set after that load; then some writer clears it
 * later and bumps futex after the waiter read w, so futex_wait returns at
 * once or is woken. The futex word is read before the flag: read after it,
 * a writer could clear the flag the waiter found set and bump futex in
 * between, and the waiter would sleep on the new value with nobody
 * announced (the lost wake-up that models/wait.pml finds in that order).
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

/* wake_if_waiting() found the flag set: clear it, and wake every sleeper
 * if this writer is the one that cleared it. */
void wake_waiters(const struct seqshm *s)
{
    if (atomic_exchange_explicit(&s->wait->waiting, 0, memory_order_seq_cst) == 0)
        return;
    atomic_fetch_add_explicit(&s->wait->futex, 1, memory_order_seq_cst);
    syscall(SYS_futex, (uint32_t *)&s->wait->futex, FUTEX_WAKE, INT_MAX, NULL,
            NULL, 0);
}

/* Reads the futex word, then announces a read-write handle (the flag
 * protocol above; a store only if the flag is clear, so waiters do not fight
 * over the line) and issues the barrier if writers rely on it. Returns the
 * word to sleep on; *sliced says the caller cannot count on being woken
 * (read-only handles, which cannot announce; a refused barrier) and must
 * sleep in bounded slices. */
static uint32_t arm(const struct seqshm *s, bool *sliced)
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

/* A reader or writer in long back-off: the same protocol as seqshm_wait,
 * waiting for seq to move on from `seen` (any publish, or a recovery). */
void nap_until_publish(const struct seqshm *s, uint64_t seen, int64_t ns)
{
    bool sliced;
    uint32_t w = arm(s, &sliced);
    if (atomic_load_explicit(&s->line->seq, memory_order_seq_cst) != seen)
        return;
    futex_wait(&s->wait->futex, w, sliced && ns > SLICE_NS ? SLICE_NS : ns);
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
        bool sliced;
        uint32_t w = arm(s, &sliced);
        if (newer(s, since))
            return SEQSHM_OK;
        futex_wait(&s->wait->futex, w,
                   sliced && left > SLICE_NS ? SLICE_NS : left);
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
