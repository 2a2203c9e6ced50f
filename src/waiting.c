/* waiting.c - sleeping until the next write: seqshm_wait, and the steps of
 * readers and writers in back-off (backoff.c's policy). The protocol is
 * here; the platform's sleep and wake primitive is plat_wake_prepare,
 * plat_sleep and plat_wake_all (linux/wake.c: a futex; win32/wake.c: an
 * event).
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
 * the waiter's barrier (barrier.h), which every waiter issues after its
 * announce whether it set the flag or found it set: one that
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
#include "barrier.h"

#include <sched.h>
#include <time.h>

#define SLICE_NS 1000000

void wake_waiters(const struct seqshm *s)
{
    if (atomic_exchange_explicit(&s->wait->waiting, 0, memory_order_seq_cst) == 0)
        return;
    atomic_fetch_add_explicit(&s->wait->futex, 1, memory_order_seq_cst);
    plat_wake_all(s);
}

/* Reads the word to sleep on, then announces a read-write handle (a store
 * only if the flag is clear, so waiters do not fight over the line) and
 * issues the waiters' barrier where writers rely on it. *sliced when the
 * caller cannot count on being woken: a read-only handle cannot announce
 * itself, a refused barrier leaves the order unsure, and a platform may
 * lack a reliable wake. */
static uint32_t wake_arm(const struct seqshm *s, bool *sliced)
{
    plat_wake_prepare(s);
    uint32_t w = atomic_load_explicit(&s->wait->futex, memory_order_seq_cst);
    *sliced = s->rdonly || !plat_wake_reliable();
    if (!s->rdonly) {
        if (atomic_load_explicit(&s->wait->waiting, memory_order_seq_cst) == 0)
            atomic_store_explicit(&s->wait->waiting, 1, memory_order_seq_cst);
        if (!waiter_barrier(s))
            *sliced = true;
    }
    FAULT("wait_announced");
    return w;
}

/* Sleeps at most ns, or until a write publishes after seq was `seen`. */
static void nap_until_publish(const struct seqshm *s, uint64_t seen,
                              int64_t ns)
{
    bool sliced;
    uint32_t w = wake_arm(s, &sliced);
    if (atomic_load_explicit(&s->line->seq, memory_order_seq_cst) != seen)
        return;
    plat_sleep(s, w, sliced && ns > SLICE_NS ? SLICE_NS : ns);
}

static inline void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ __volatile__("yield");
#endif
}

bool wait_step(const struct seqshm *s, struct deadline *d, uint64_t seen)
{
    int64_t nap = 0;
    switch (backoff_next(d, &nap)) {
    case BACKOFF_SPIN:
        cpu_relax();
        return true;
    case BACKOFF_YIELD:
        sched_yield();
        return true;
    case BACKOFF_NAP:
        nap_until_publish(s, seen, nap);
        return true;
    case BACKOFF_EXPIRED:
    default:
        return false;
    }
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
        plat_sleep(s, w, sliced && left > SLICE_NS ? SLICE_NS : left);
        if (newer(s, since))
            return SEQSHM_OK;
    }
}
