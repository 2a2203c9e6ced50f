/* write.c - every write (full, partial, span, clear, update) in every
 * layout goes through write_range(). */
#include "seqlock.h"

#include <errno.h>
#include <stdlib.h>

#define UPDATE_STACK 1024 /* update's private copy lives on the stack up to */

/* An update: fn changes a private copy of the current value, which is then
 * written in full. */
struct update {
    seqshm_update_fn *fn;
    void *ctx;
    unsigned char *buf; /* size bytes */
};

/* The write itself, under the claim (taken by write_range, or held for
 * good by a sole writer): version `seq / STEP` becomes version + 1.
 * Returns SEQSHM_EOWNERDEAD, having changed nothing, for a partial write or
 * an update of a torn payload. */
static inline int write_held(struct seqshm *s, uint64_t seq, const void *src,
                             size_t len, size_t off, struct update *u)
{
    bool full = off == 0 && len == s->size && u == NULL;
    if (!full && unlikely(seq & SEQ_TORN))
        return SEQSHM_EOWNERDEAD;
    uint64_t version = seq / SEQ_STEP;
    if (u != NULL) {
        /* Under the claim, before BUSY: readers go on reading meanwhile,
         * and a death in fn leaves nothing to repair. */
        copy_out(u->buf, slot_at(s, version), s->size);
        u->fn(u->buf, s->size, u->ctx);
        FAULT("in_update");
        src = u->buf;
    }
    claim_begin(s, seq);
    FAULT("after_claim");
    unsigned char *slot = slot_at(s, version + 1);
    if (!full && u == NULL && s->slot_mask != 0) {
        /* a new slot: merge with the current value around the range */
        const unsigned char *cur = slot_at(s, version);
        copy_within(slot, cur, off);
        copy_within(slot + off + len, cur + off + len, s->size - off - len);
    }
    if (src != NULL)
        copy_in(slot + off, src, len);
    else
        zero_in(slot + off, len);
    FAULT("before_publish");
    publish(s, version + 1);
    return SEQSHM_OK;
}

/* Writes [off, off+len) of the payload from src (zeros if src is NULL), or,
 * with u, what u->fn makes of the current value.
 *
 * The sole writer (s->proc->sole, set only in the process that took the
 * role) holds the claim already: only it stores to seq, so it takes seq
 * from its own copy (sole.c), writes, publishes, and checks for waiters. Nothing
 * else: no read-modify-write, no fence stronger than release (wait-free).
 *
 * Any other writer takes the claim; a sole writer holding it makes that
 * SEQSHM_EBUSY (claim.c). In SEQSHM_MUTEX the robust mutex is taken first;
 * the claim is then always free, but keeping it lets read-only readers see
 * BUSY and the owner. A full write may repair a torn payload; a partial one
 * or an update may not. */
static int write_range(struct seqshm *s, const void *src, size_t len,
                       size_t off, int64_t timeout_ns, struct update *u)
{
    struct process_state *me = s->proc;
    if (likely(me->sole)) {
        int rc = write_held(s, me->sole_seq, src, len, off, u);
        if (likely(rc == SEQSHM_OK)) {
            me->sole_seq = (me->sole_seq / SEQ_STEP + 1) * SEQ_STEP;
            wake_if_waiting(s);
        }
        return rc;
    }
    struct deadline d;
    uint64_t self = identity_token(s);
    if (unlikely(self == 0))
        return SEQSHM_ESYS; /* no identity (a forked child that could not
                               reopen the segment): errno says why */
    deadline_start(&d, timeout_ns);
    FAULT("before_claim");
    if (s->layout == SEQSHM_MUTEX) {
        int rc = robust_lock(s, &d);
        if (rc != SEQSHM_OK)
            return rc;
    }
    int rc = claim_try(s, self) ? SEQSHM_OK : claim_wait(s, self, &d);
    if (rc == SEQSHM_OK) {
        uint64_t seq = atomic_load_explicit(&s->line->seq,
                                            memory_order_relaxed);
        rc = write_held(s, seq, src, len, off, u);
        claim_release(s);
        if (rc == SEQSHM_OK)
            wake_if_waiting(s);
    }
    if (s->layout == SEQSHM_MUTEX)
        robust_unlock(s);
    return rc;
}

/* Common checks; the range test cannot overflow. */
static int writable(const struct seqshm *s, const void *src, size_t len,
                    size_t off)
{
    if (s == NULL || src == NULL || len == 0 || len > s->size ||
        off > s->size - len)
        return SEQSHM_EINVAL;
    return s->rdonly ? SEQSHM_EACCES : SEQSHM_OK;
}

int seqshm_write(seqshm *s, const void *src, int64_t timeout_ns)
{
    int rc = s == NULL ? SEQSHM_EINVAL : writable(s, src, s->size, 0);
    return rc != SEQSHM_OK ? rc : write_range(s, src, s->size, 0, timeout_ns, NULL);
}

int seqshm_write_partial(seqshm *s, const void *src, size_t len, size_t off,
                         int64_t timeout_ns)
{
    int rc = writable(s, src, len, off);
    return rc != SEQSHM_OK ? rc : write_range(s, src, len, off, timeout_ns, NULL);
}

int seqshm_write_span(seqshm *s, const void *src, size_t len,
                      int64_t timeout_ns)
{
    int rc = writable(s, src, len, 0);
    return rc != SEQSHM_OK ? rc : write_range(s, src, len, 0, timeout_ns, NULL);
}

int seqshm_clear(seqshm *s, int64_t timeout_ns)
{
    if (s == NULL)
        return SEQSHM_EINVAL;
    if (s->rdonly)
        return SEQSHM_EACCES;
    return write_range(s, NULL, s->size, 0, timeout_ns, NULL);
}

int seqshm_update(seqshm *s, seqshm_update_fn *fn, void *ctx,
                  int64_t timeout_ns)
{
    if (s == NULL || fn == NULL)
        return SEQSHM_EINVAL;
    if (s->rdonly)
        return SEQSHM_EACCES;
    unsigned char stack[UPDATE_STACK];
    struct update u = {fn, ctx, stack};
    if (s->size > sizeof stack && (u.buf = malloc(s->size)) == NULL)
        return SEQSHM_ESYS;
    int rc = write_range(s, NULL, s->size, 0, timeout_ns, &u);
    if (u.buf != stack) {
        int err = errno;
        free(u.buf);
        errno = err;
    }
    return rc;
}
