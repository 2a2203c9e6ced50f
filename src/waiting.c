/* waiting.c - sleeping until the next write: seqshm_wait, and the long naps
 * of readers and writers in back-off. The protocol is here; the platform's
 * sleep and wake primitive is wake_arm / wake_sleep / wake_waiters (wait.c:
 * a futex; win32/wait.c: an event).
 *
 * The wait line holds a word the sleepers sleep on (a futex word, or a
 * generation) and the `waiting` flag. A read-write waiter announces itself
 * by setting the flag; a writer makes a system call only if it finds the
 * flag set, so a write with nobody waiting costs one load of a line nobody
 * is writing. The writer that finds it set clears it (exchange), bumps the
 * word and wakes every sleeper; those that wait on set it again. So a
 * waiter killed in its sleep costs the next write one wake, and none after:
 * nothing counts waiters that may be dead.
 *
 * No lost wake-up (a Dekker pair):
 *   waiter: w := word; if !waiting: waiting := 1; [barrier];
 *           v := version; if v > since: done; sleep(word == w)
 *   writer: seq := next; [fence]; if waiting && exchange(waiting, 0):
 *           word += 1, wake(all)
 * The store-load order on each side comes from a full fence in the writer
 * or, when the segment's `asym` word says some writer relies on it, from
 * the waiter's barrier (membarrier, fence.c), which every waiter issues
 * after its announce whether it set the flag or found it set: one that
 * found it set and skipped the barrier could read the old version while the
 * waiter that set it, barrier done, saw the new one and left (the flag stays
 * set, no writer wakes: models/wait.pml -DHEAVY_IF_STORED). Either the
 * waiter's load of seq sees the new version, or the flag it set (or found
 * set) was still set after that load; then some writer clears it later and
 * bumps the word after the waiter read w, so the sleep returns at once or
 * is woken. The word is read before the flag: read after it, a writer could
 * clear the flag the waiter found set and bump the word in between, and the
 * waiter would sleep on the new value with nobody announced (the lost
 * wake-up that models/wait.pml finds in that order).
 *
 * A caller that cannot count on being woken (a read-only handle, which
 * cannot announce itself; a waiter whose barrier the kernel refused; a
 * build without futexes) sleeps in slices of at most SLICE_NS and looks
 * again.
 */
#include "internal.h"

#define SLICE_NS 1000000

void nap_until_publish(const struct seqshm *s, uint64_t seen, int64_t ns)
{
    bool sliced;
    uint32_t w = wake_arm(s, &sliced);
    if (atomic_load_explicit(&s->line->seq, memory_order_seq_cst) != seen)
        return;
    wake_sleep(s, w, sliced && ns > SLICE_NS ? SLICE_NS : ns);
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
        uint32_t w = wake_arm(s, &sliced);
        if (newer(s, since))
            return SEQSHM_OK;
        wake_sleep(s, w, sliced && left > SLICE_NS ? SLICE_NS : left);
        if (newer(s, since))
            return SEQSHM_OK;
    }
}
