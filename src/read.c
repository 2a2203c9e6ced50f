/* read.c - every read (full, partial, span, versioned) goes through
 * read_range(): one inline attempt (seqlock.h), then read_slow() for
 * retries, torn payloads, dead writers (recover.c) and the mutex layout. */
#include "seqlock.h"

#ifdef SEQSHM_STATS
/* benchmark builds: failed read attempts on this thread ("retries per
 * read"); counted only on the retry path, so the fast path is unchanged */
_Thread_local uint64_t seqshm_stat_retries;
#define STAT_RETRY() (seqshm_stat_retries++)
#else
#define STAT_RETRY() ((void)0)
#endif

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

/* Retries with back-off until a snapshot, a torn payload, or the deadline.
 * seq is what the failed fast attempt saw. */
__attribute__((noinline)) static int
read_slow(const struct seqshm *s, void *dst, size_t len, size_t off,
          uint64_t *version, int64_t timeout_ns, uint64_t seq)
{
    if (s->locked_reads)
        return read_locked(s, dst, len, off, version, timeout_ns);
    struct deadline d;
    deadline_start(&d, timeout_ns);
    for (;;) {
        if (seq & SEQ_TORN)
            return SEQSHM_EOWNERDEAD;
        STAT_RETRY();
        bool more = wait_step(s, &d, seq); /* naps end at the next publish */
        /* One slot held BUSY: its writer may be dead (recover.c's rule). */
        uint64_t now = atomic_load_explicit(&s->line->seq, memory_order_relaxed);
        uint64_t seen = seq;
        if (s->slot_mask == 0 && recover_worth_asking(&d, !more, &seen, now)) {
            int rc = recover_writer_gone(s);
            if (rc != SEQSHM_OK)
                return rc;
        }
        if (!more)
            return SEQSHM_ETIMEDOUT;
        if (snapshot_try(s, dst, len, off, &seq)) {
            if (version != NULL)
                *version = seq / SEQ_STEP;
            return SEQSHM_OK;
        }
    }
}

static inline int read_range(const struct seqshm *s, void *dst, size_t len,
                             size_t off, uint64_t *version, int64_t timeout_ns)
{
    uint64_t seq = 0;
    if (likely(!s->locked_reads) && likely(snapshot_try(s, dst, len, off, &seq))) {
        if (version != NULL)
            *version = seq / SEQ_STEP;
        return SEQSHM_OK;
    }
    return read_slow(s, dst, len, off, version, timeout_ns, seq);
}

static bool range_ok(const struct seqshm *s, const void *dst, size_t len,
                     size_t off)
{
    return s != NULL && dst != NULL && len != 0 && len <= s->size &&
           off <= s->size - len;
}

int (seqshm_read)(const seqshm *s, void *dst, int64_t timeout_ns)
{
    if (s == NULL || dst == NULL)
        return SEQSHM_EINVAL;
    return read_range(s, dst, s->size, 0, NULL, timeout_ns);
}

int (seqshm_read_versioned)(const seqshm *s, void *dst, uint64_t *version,
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
