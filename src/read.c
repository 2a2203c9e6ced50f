/* read.c - every read (full, partial, span, versioned) goes through
 * read_range().
 *
 * The reader's side of the seqlock (no store to shared memory):
 *   s0 = seq (acquire); copy slot (s0 / STEP) % slots; fence (acquire);
 *   s1 = seq (relaxed); the copy is a snapshot iff no writer claimed the
 *   slot it read before s1 was loaded.
 * Writers claim slot (v+1) % N by storing v*STEP|BUSY, so the first writer
 * that can reuse the slot of version v stores (v+N-1)*STEP|BUSY:
 *     snapshot  <=>  s1 - (s0 & ~BUSY) <= (N-1)*STEP
 * With one slot that reads s1 == s0, and s0 must not be BUSY (the slot is the
 * one being written); with two slots a reader is never held up by a write in
 * progress and fails only if lapped.
 */
#include "internal.h"

/* The rare path: the writer has held the claim for a while. If it is dead,
 * a read-write handle recovers (once, whoever is first) and a read-only
 * handle, which must not write, reports a torn payload. */
static int writer_gone(const struct seqshm *s)
{
    uint64_t owner = atomic_load_explicit(&s->line->owner, memory_order_relaxed);
    uint64_t seq = atomic_load_explicit(&s->line->seq, memory_order_acquire);
    if (!(seq & SEQ_BUSY) || owner == 0 || owner_alive(owner))
        return SEQSHM_OK;
    if (s->rdonly)
        return SEQSHM_EOWNERDEAD;
    claim_recover(s, owner);
    return SEQSHM_OK;
}

/* SEQSHM_MUTEX and a read-write handle: the baseline, under the mutex. */
static int read_locked(const struct seqshm *s, void *dst, size_t len,
                       size_t off, uint64_t *version, int64_t timeout_ns)
{
    struct deadline d;
    deadline_start(&d, timeout_ns);
    int rc = robust_lock(s, &d);
    if (rc != SEQSHM_OK)
        return rc;
    uint64_t seq = atomic_load_explicit(&s->line->seq, memory_order_relaxed);
    if (seq & SEQ_TORN) {
        rc = SEQSHM_EOWNERDEAD;
    } else {
        copy_out(dst, s->slots + off, len);
        if (version != NULL)
            *version = seq / SEQ_STEP;
    }
    robust_unlock(s);
    return rc;
}

static int read_range(const struct seqshm *s, void *dst, size_t len,
                      size_t off, uint64_t *version, int64_t timeout_ns)
{
    if (s->layout == SEQSHM_MUTEX && !s->rdonly)
        return read_locked(s, dst, len, off, version, timeout_ns);

    const uint64_t window = s->slot_mask * SEQ_STEP;
    const uint64_t wait_for = s->slot_mask == 0 ? SEQ_BUSY : 0;
    struct deadline d;
    bool slow;
    deadline_start(&d, timeout_ns); /* reads no clock */
    for (;;) {
        uint64_t s0 = atomic_load_explicit(&s->line->seq, memory_order_acquire);
        if (s0 & SEQ_TORN)
            return SEQSHM_EOWNERDEAD;
        if (!(s0 & wait_for)) {
            copy_out(dst, slot_at(s, s0 / SEQ_STEP) + off, len);
            atomic_thread_fence(memory_order_acquire);
            uint64_t s1 = atomic_load_explicit(&s->line->seq,
                                               memory_order_relaxed);
            if (s1 - (s0 & ~SEQ_BUSY) <= window) {
                if (version != NULL)
                    *version = s0 / SEQ_STEP;
                return SEQSHM_OK;
            }
        }
        bool more = backoff(&d, &slow);
        /* a dead writer is looked for once spinning is over, and before
         * giving up, so even timeout 0 reports it rather than a timeout */
        if ((slow || !more) && s->slot_mask == 0) {
            int rc = writer_gone(s);
            if (rc != SEQSHM_OK)
                return rc;
        }
        if (!more)
            return SEQSHM_ETIMEDOUT;
    }
}

static bool range_ok(const struct seqshm *s, const void *dst, size_t len,
                     size_t off)
{
    return s != NULL && dst != NULL && len != 0 && len <= s->size &&
           off <= s->size - len;
}

int seqshm_read(const seqshm *s, void *dst, int64_t timeout_ns)
{
    return seqshm_read_versioned(s, dst, NULL, timeout_ns);
}

int seqshm_read_versioned(const seqshm *s, void *dst, uint64_t *version,
                          int64_t timeout_ns)
{
    if (s == NULL || dst == NULL)
        return SEQSHM_EINVAL;
    return read_range(s, dst, s->size, 0, version, timeout_ns);
}

int seqshm_read_partial(const seqshm *s, void *dst, size_t len, size_t off,
                        int64_t timeout_ns)
{
    if (!range_ok(s, dst, len, off))
        return SEQSHM_EINVAL;
    return read_range(s, dst, len, off, NULL, timeout_ns);
}

int seqshm_read_span(const seqshm *s, void *dst, size_t cap, size_t *nread,
                     int64_t timeout_ns)
{
    if (s == NULL || dst == NULL || cap == 0)
        return SEQSHM_EINVAL;
    size_t len = cap < s->size ? cap : s->size;
    int rc = read_range(s, dst, len, 0, NULL, timeout_ns);
    if (nread != NULL)
        *nread = rc == SEQSHM_OK ? len : 0;
    return rc;
}
