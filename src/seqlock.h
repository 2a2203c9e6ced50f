/* seqlock.h - the protocol's fast paths, inline. Slow paths (waiting,
 * recovery, the mutex layout) live in claim.c, read.c, waiting.c and
 * recover.c.
 *
 * The sequence: seq = version * SEQ_STEP | LOST | TORN | BUSY (layout.h).
 *
 * Writer (holds the claim: owner != 0, see claim.c; a sole writer holds it
 * from open to close, sole.c):
 *     seq := seq | BUSY           release: the claim (owner) before BUSY, so
 *                                 whoever sees this BUSY sees its owner
 *     fence                       release: BUSY before any payload store
 *     copy into slot (version + 1) % N
 *     seq := (version + 1) * STEP release: the payload before the version
 *     owner := 0                  release (not by a sole writer)
 *     store-load order            a full fence, or only the compiler's when
 *                                 waiters issue the barrier (barrier.h)
 *     if waiting: wake            load of the waiter flag (waiting.c)
 *
 * Reader (performs no store):
 *     s0 := seq                   acquire
 *     v := s0 / STEP; copy slot v % N
 *     fence                       acquire: the copy before the reload
 *     s1 := seq                   relaxed
 *     snapshot  <=>  s1 - v * STEP <= window,  window = (N - 1) * STEP
 *
 * On arm64 (tests/checks/arm64-fences.sh checks the generated code; make
 * test-arm64):
 *   reader  ldar (or ldapr) of seq: no later load is satisfied before it;
 *           the copy (plain loads); dmb ishld: the copy's loads complete
 *           before the reload, which without it may be satisfied first and
 *           read an older seq than the data copied (the torn read that
 *           ARM boards show when this barrier is missing: x86 never
 *           reorders loads with loads, so it hides the mistake); ldr of seq.
 *   writer  stlr of BUSY: the claim is visible before it; dmb ish: BUSY
 *           before any payload store (a release store orders what comes
 *           before it, not the stores after it); the payload stores; stlr
 *           of the new version: the payload before it.
 *
 * Why: the writer of version w fills slot w % N and claims by storing
 * (w - 1) * STEP | BUSY. The first writer that can reuse the slot of version
 * v is v + N, whose claim stores (v + N - 1) * STEP | BUSY = v * STEP +
 * window + BUSY (or, once recovered from its death, the same with LOST). If
 * the copy saw any of its payload stores, the fences make s1 see that claim
 * or later, and the check fails. With one slot (window 0) that is the
 * classic s1 == s0, and a BUSY or TORN s0 is never copied (`stall`). The
 * same check, with v chosen by the caller, serves reads of older versions
 * (history.c).
 */
#ifndef SEQSHM_SEQLOCK_H
#define SEQSHM_SEQLOCK_H

#include "barrier.h"
#include "internal.h"

#define likely(x) __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)

/* One read attempt of [off, off+len). *seq receives s0. True if the copy in
 * dst is a snapshot of version s0 / SEQ_STEP. The public header's function:
 * callers' inline reads and the library's are one protocol. */
static inline bool snapshot_try(const struct seqshm *s, void *dst, size_t len,
                                size_t off, uint64_t *seq)
{
    return seqshm_inline_try((const struct seqshm_inline_view *)(const void *)s,
                             dst, len, off, seq);
}

/* Takes the claim for token `self` if it is free; the waiting path is
 * claim_wait(). The acquire makes the previous holder's stores (seq, slots)
 * visible. */
static inline bool claim_try(struct seqshm *s, uint64_t self)
{
    uint64_t free_claim = 0;
    return atomic_compare_exchange_strong_explicit(
        &s->line->owner, &free_claim, self, memory_order_acquire,
        memory_order_relaxed);
}

/* Marks the write in progress. The release store keeps the claim before
 * BUSY (a reader that sees this BUSY and then loads owner finds this
 * writer's token or a later one: recover_writer_gone relies on it); the
 * fence keeps BUSY before every payload store. Both are release: plain
 * stores on x86, stlr / dmb ish on arm64. */
static inline void claim_begin(struct seqshm *s, uint64_t seq)
{
    atomic_store_explicit(&s->line->seq, seq | SEQ_BUSY, memory_order_release);
    atomic_thread_fence(memory_order_release);
}

/* Publishes version `next` (clearing BUSY and TORN), with release: readers
 * that see it see the payload. */
static inline void publish(struct seqshm *s, uint64_t next)
{
    atomic_store_explicit(&s->line->seq, next * SEQ_STEP, memory_order_release);
}

/* After a publish: wake waiters if any announced themselves. The writer's
 * half of the store-load order with waiters (barrier.h) keeps the publish
 * before the load of the flag. With nobody waiting a write ends on this
 * load. */
static inline void wake_if_waiting(struct seqshm *s)
{
    FAULT("before_wake");
    writer_fence(s);
    if (unlikely(atomic_load_explicit(&s->wait->waiting,
                                      memory_order_relaxed) != 0))
        wake_waiters(s);
}

/* Gives the claim back (with release: the next holder's acquire sees this
 * holder's stores). */
static inline void claim_release(struct seqshm *s)
{
    atomic_store_explicit(&s->line->owner, 0, memory_order_release);
}

#endif
