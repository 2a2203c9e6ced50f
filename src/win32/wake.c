/* win32/wake.c - sleeping on the wait line's word and waking the sleepers
 * on Windows (waiting.c has the protocol).
 *
 * Windows has no cross-process futex. A segment has a named manual-reset
 * event (wing.h), and the wait line's word is a generation. A writer that
 * finds the flag set clears it, bumps the generation and sets the event. A
 * sleeper resets the event before it reads the generation (prepare),
 * announces itself, checks the version, and sleeps on the event. Writers
 * publish with a full fence on Windows (barrier.c), so the Dekker pair of
 * waiting.c holds. What a futex gives and an event does not is
 * compare-and-sleep in one step: another sleeper's reset may land between a
 * writer's set and this sleeper's sleep. So a sleep lasts at most SLICE_MS
 * and the caller looks again: a wake-up comes at once, or within a slice
 * in that race. A sleeper that died asleep costs nothing. */
#include "../internal.h"

#define SLICE_MS 5

void plat_wake_prepare(const struct seqshm *s) { ResetEvent(s->plat.wake); }

void plat_wake_all(const struct seqshm *s) { SetEvent(s->plat.wake); }

void plat_sleep(const struct seqshm *s, uint32_t w, int64_t ns)
{
    if (atomic_load_explicit(&s->wait->futex, memory_order_seq_cst) != w)
        return;
    int64_t ms = (ns + 999999) / 1000000;
    WaitForSingleObject(s->plat.wake, (DWORD)(ms < SLICE_MS ? ms : SLICE_MS));
}

/* every sleep is a slice already */
bool plat_wake_reliable(void) { return true; }
