/* win32/wait.c - sleeping until the next write, on Windows.
 *
 * Windows has no cross-process futex. A segment has a named manual-reset
 * event (win32.h). The protocol keeps the Linux one's shape: a read-write
 * waiter announces itself with the `waiting` flag, and only a writer that
 * finds the flag set makes a system call: it clears the flag, bumps the
 * futex word (a generation here) and sets the event. A waiter resets the
 * event before it reads the generation, announces itself, checks the
 * version, and sleeps on the event. The announce and the check are seq_cst
 * and writers publish with a full fence on Windows (owner.c), so either the
 * waiter sees the new version or the writer sees the flag (the Dekker pair
 * of wait.c). What a futex gives and an event does not is compare-and-sleep
 * in one step: another waiter's reset may land between a writer's set and
 * this waiter's sleep. So a waiter sleeps in slices of at most SLICE_MS and
 * looks again: a wake-up comes at once, or within a slice in that race. A
 * waiter that died asleep costs nothing (nothing counts waiters). */
#include "win32.h"

#include <limits.h>

#define SLICE_MS 5

void wake_waiters(const struct seqshm *s)
{
    if (atomic_exchange_explicit(&s->wait->waiting, 0, memory_order_seq_cst) == 0)
        return;
    atomic_fetch_add_explicit(&s->wait->futex, 1, memory_order_seq_cst);
    SetEvent(s->os[OS_WAKE]);
}

/* Reset, read the generation, announce (read-write handles). */
static uint32_t arm(const struct seqshm *s)
{
    ResetEvent(s->os[OS_WAKE]);
    uint32_t w = atomic_load_explicit(&s->wait->futex, memory_order_seq_cst);
    if (!s->rdonly &&
        atomic_load_explicit(&s->wait->waiting, memory_order_seq_cst) == 0)
        atomic_store_explicit(&s->wait->waiting, 1, memory_order_seq_cst);
    return w;
}

static void sleep_on(const struct seqshm *s, uint32_t w, int64_t ns)
{
    if (atomic_load_explicit(&s->wait->futex, memory_order_seq_cst) != w)
        return;
    int64_t ms = (ns + 999999) / 1000000;
    WaitForSingleObject(s->os[OS_WAKE], (DWORD)(ms < SLICE_MS ? ms : SLICE_MS));
}

void nap_until_publish(const struct seqshm *s, uint64_t seen, int64_t ns)
{
    uint32_t w = arm(s);
    if (atomic_load_explicit(&s->line->seq, memory_order_seq_cst) != seen)
        return;
    sleep_on(s, w, ns);
}

static bool newer(const struct seqshm *s, uint64_t since)
{
    return atomic_load_explicit(&s->line->seq, memory_order_seq_cst) /
               SEQ_STEP > since;
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
        uint32_t w = arm(s);
        if (newer(s, since))
            return SEQSHM_OK;
        sleep_on(s, w, left);
        if (newer(s, since))
            return SEQSHM_OK;
    }
}
