/* win32/wait.c - the sleep and wake primitive on Windows (waiting.c has
 * the protocol).
 *
 * Windows has no cross-process futex. A segment has a named manual-reset
 * event (win32.h), and the wait line's word is a generation. A writer that
 * finds the flag set clears it, bumps the generation and sets the event. A
 * waiter resets the event before it reads the generation, announces itself,
 * checks the version, and sleeps on the event. Writers publish with a full
 * fence on Windows (owner.c), so the Dekker pair of waiting.c holds. What
 * a futex gives and an event does not is compare-and-sleep in one step:
 * another waiter's reset may land between a writer's set and this waiter's
 * sleep. So a waiter sleeps in slices of at most SLICE_MS and looks
 * again: a wake-up comes at once, or within a slice in that race. A waiter
 * that died asleep costs nothing. */
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

/* Reset, read the generation, announce (read-write handles; a read-only
 * one sleeps in waiting.c's slices). wake_sleep caps every sleep at
 * SLICE_MS itself, since the event cannot be relied on alone. */
uint32_t wake_arm(const struct seqshm *s, bool *sliced)
{
    ResetEvent(s->os[OS_WAKE]);
    uint32_t w = atomic_load_explicit(&s->wait->futex, memory_order_seq_cst);
    if (!s->rdonly &&
        atomic_load_explicit(&s->wait->waiting, memory_order_seq_cst) == 0)
        atomic_store_explicit(&s->wait->waiting, 1, memory_order_seq_cst);
    *sliced = s->rdonly;
    return w;
}

void wake_sleep(const struct seqshm *s, uint32_t w, int64_t ns)
{
    if (atomic_load_explicit(&s->wait->futex, memory_order_seq_cst) != w)
        return;
    int64_t ms = (ns + 999999) / 1000000;
    WaitForSingleObject(s->os[OS_WAKE], (DWORD)(ms < SLICE_MS ? ms : SLICE_MS));
}
