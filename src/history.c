/* history.c - reads of a chosen version (seqshm_read_at) and the consumer's
 * step (seqshm_next), over the slots the writer fills in turn.
 *
 * Kept versions: with N slots and seq = v * STEP | bits, the versions
 * v + 1 - N .. v, less the oldest while BUSY or LOST says its slot is being
 * (or was, by a dead writer) overwritten: oldest_kept(). A copy of version w
 * is good if, after it, seq - w * STEP <= (N - 1) * STEP (seqlock.h): no
 * writer claimed w + N. Nothing here stores to the segment.
 */
#include "seqlock.h"

/* try_at()'s "the deadline passed" (SEQSHM_ETIMEDOUT from it means "not
 * published yet, wait"). */
#define GAVE_UP (-100)

/* The oldest version seq says is kept (never below 0). */
static uint64_t oldest_kept(const struct seqshm *s, uint64_t seq)
{
    uint64_t v = seq / SEQ_STEP, n = s->slot_mask + 1;
    uint64_t gone = (seq & (SEQ_BUSY | SEQ_LOST)) ? 1 : 0;
    return v + 1 + gone >= n ? v + 1 + gone - n : 0;
}

/* One try at copying version w, published in s0's view. */
static inline bool copy_version(const struct seqshm *s, uint64_t w, void *dst)
{
    copy_out(dst, slot_at(s, w), s->size);
    FAULT("version_copied");
    atomic_thread_fence(memory_order_acquire);
    return seqshm_inline_intact(
        atomic_load_explicit(&s->line->seq, memory_order_relaxed),
        w * SEQ_STEP, s->window);
}

/* SEQSHM_MUTEX through a read-write handle: one slot, under the mutex. */
static int locked_at(const struct seqshm *s, uint64_t *want, bool newest,
                     void *dst, struct deadline *d)
{
    int rc = robust_lock(s, d);
    if (rc != SEQSHM_OK)
        return rc == SEQSHM_ETIMEDOUT ? GAVE_UP : rc;
    uint64_t seq = atomic_load_explicit(&s->line->seq, memory_order_relaxed);
    uint64_t v = seq / SEQ_STEP;
    if (seq & SEQ_TORN)
        rc = SEQSHM_EOWNERDEAD;
    else if (!newest && *want < v)
        rc = SEQSHM_EOVERWRITTEN;
    else if (*want > v)
        rc = SEQSHM_ETIMEDOUT; /* not yet: the caller waits */
    else
        copy_out(dst, s->slots, s->size);
    *want = v;
    robust_unlock(s);
    return rc;
}

/* Copies version *want or, with `newest_ok`, the oldest kept one after it
 * if *want is gone; *want becomes the version copied. SEQSHM_ETIMEDOUT
 * means "not published yet" (the caller waits), GAVE_UP that the deadline
 * passed while the one slot was being written or the mutex held. */
static int try_at(const struct seqshm *s, uint64_t *want, bool newest_ok,
                  void *dst, struct deadline *d)
{
    if (s->locked_reads)
        return locked_at(s, want, newest_ok, dst, d);
    for (;;) {
        uint64_t s0 = atomic_load_explicit(&s->line->seq,
                                           memory_order_acquire);
        if (s0 & SEQ_TORN)
            return SEQSHM_EOWNERDEAD;
        if (*want > s0 / SEQ_STEP)
            return SEQSHM_ETIMEDOUT;
        uint64_t oldest = oldest_kept(s, s0);
        if (*want < oldest) {
            if (!newest_ok)
                return SEQSHM_EOVERWRITTEN;
            *want = oldest;
            if (*want > s0 / SEQ_STEP) { /* one slot, being written */
                bool more = wait_step(s, d, s0);
                uint64_t now = atomic_load_explicit(&s->line->seq,
                                                    memory_order_relaxed);
                uint64_t seen = s0;
                int rc = recover_worth_asking(d, !more, &seen, now)
                             ? recover_writer_gone(s)
                             : SEQSHM_OK;
                if (rc != SEQSHM_OK)
                    return rc;
                if (!more)
                    return GAVE_UP;
                continue;
            }
        }
        if (copy_version(s, *want, dst))
            return SEQSHM_OK;
        if (!newest_ok)
            return SEQSHM_EOVERWRITTEN; /* lapped during the copy */
        /* lapped: again, from the oldest kept by then, while time is left
         * (a writer that laps every copy must not keep the call past its
         * timeout: at most one copy more than the timeout allows) */
        if (!deadline_retry(d))
            return GAVE_UP;
    }
}

/* Waits for a publish after seq `seen`: first the shared back-off (spins,
 * yields, naps of 1 us doubling to 0.5 ms, each ended early by a publish),
 * so that a consumer of a fast source, even through a read-only handle
 * (which cannot announce itself), is back within microseconds; then
 * seqshm_wait for the rest of the time. */
#define EAGER_STEPS 90
static int wait_publish(const struct seqshm *s, struct deadline *d,
                        uint64_t seen)
{
    if (d->timeout == 0)
        return SEQSHM_ETIMEDOUT;
    if (d->tries < EAGER_STEPS)
        return wait_step(s, d, seen) ? SEQSHM_OK : SEQSHM_ETIMEDOUT;
    int64_t left = deadline_left(d);
    if (left == 0)
        return SEQSHM_ETIMEDOUT;
    return seqshm_wait(s, seen / SEQ_STEP, left);
}

/* The loop both calls share: copies version `first` (or, with newest_ok,
 * the oldest kept after it), waiting for it to be published, into dst;
 * *got is the version copied. */
static int fetch(const struct seqshm *s, uint64_t first, bool newest_ok,
                 void *dst, int64_t timeout_ns, uint64_t *got)
{
    struct deadline d;
    deadline_start(&d, timeout_ns);
    deadline_left(&d); /* the clock starts now: copies count against it */
    for (;;) {
        *got = first;
        int rc = try_at(s, got, newest_ok, dst, &d);
        if (rc == GAVE_UP)
            return SEQSHM_ETIMEDOUT;
        if (rc != SEQSHM_ETIMEDOUT)
            return rc;
        uint64_t seen = atomic_load_explicit(&s->line->seq,
                                             memory_order_acquire);
        if (seen / SEQ_STEP < first && wait_publish(s, &d, seen) != SEQSHM_OK)
            return SEQSHM_ETIMEDOUT;
    }
}

int seqshm_read_at(const seqshm *s, uint64_t version, void *dst,
                   int64_t timeout_ns)
{
    if (s == NULL || dst == NULL)
        return SEQSHM_EINVAL;
    uint64_t got;
    return fetch(s, version, false, dst, timeout_ns, &got);
}

int seqshm_next(const seqshm *s, uint64_t *cursor, void *dst, uint64_t *lost,
                int64_t timeout_ns)
{
    if (s == NULL || cursor == NULL || dst == NULL)
        return SEQSHM_EINVAL;
    /* Fast path: the next version is there and still kept. */
    uint64_t want = *cursor + 1;
    uint64_t s0 = atomic_load_explicit(&s->line->seq, memory_order_acquire);
    if (!(likely(!s->locked_reads && want <= s0 / SEQ_STEP &&
                 want >= oldest_kept(s, s0) && !(s0 & SEQ_TORN)) &&
          likely(copy_version(s, want, dst)))) {
        int rc = fetch(s, *cursor + 1, true, dst, timeout_ns, &want);
        if (rc != SEQSHM_OK)
            return rc;
    }
    if (lost != NULL)
        *lost = want - *cursor - 1;
    *cursor = want;
    return SEQSHM_OK;
}
