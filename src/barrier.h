/* barrier.h - the store-load order between a write and a waiter, both
 * halves in one place.
 *
 * A write publishes and then looks at the waiter flag; a waiter announces
 * itself (sets the flag) and then looks at the version (waiting.c). Each
 * side is a store followed by a load of another word, the pattern only a
 * full fence orders (the store-buffering litmus test, tests/stress/litmus_fence.c):
 * without it both loads may see the old values, the writer wakes nobody and
 * the waiter sleeps through the write. One side or the other pays:
 *
 *                     writer, after publish      waiter, after announce
 *   full fence mode   writer_fence: a seq_cst    waiter_barrier: nothing
 *                     fence on every write       more (its own seq_cst ops)
 *   waiters pay       writer_fence: a compiler   waiter_barrier: the
 *   (asym)            barrier only               platform's barrier
 *                                                (plat_barrier: membarrier
 *                                                on Linux), a full fence
 *                                                on every CPU running a
 *                                                registered writer
 *
 * A writing process registers at open (barrier_register, from
 * process.c); if the platform grants it, that process publishes in the
 * second mode (proc->asym) and the segment's sticky `asym` word tells every
 * waiter to issue the barrier, whether it set the flag or found it set
 * (models/wait.pml -DHEAVY_IF_STORED shows why the latter is needed). Each
 * of the writer's instructions then falls before or after the waiter's
 * barrier: the publish before it is visible to the waiter's reload, the
 * flag load after it sees the announce. Where the platform has no such
 * barrier (Windows), the kernel refuses it, SEQSHM_FENCE=full is set, or
 * the build is ThreadSanitizer's, writers publish with the full fence.
 */
#ifndef SEQSHM_BARRIER_H
#define SEQSHM_BARRIER_H

#include "internal.h"

/* At an identity's making, before its first write: registers this process
 * for the waiters' barrier, and if granted marks the segment (`asym`,
 * never cleared). A waiter that reads `asym` after its announce and finds
 * it clear is then ordered before the fence below, so this process's later
 * flag loads see its announce (C11: a seq_cst store read by nobody yet,
 * then a seq_cst fence). True: this process may publish with a compiler
 * barrier only. */
static inline bool barrier_register(const struct seqshm *s)
{
    if (s->rdonly || !plat_barrier_register())
        return false;
    if (atomic_load_explicit(&s->wait->asym, memory_order_relaxed) == 0)
        atomic_store_explicit(&s->wait->asym, 1, memory_order_seq_cst);
    atomic_thread_fence(memory_order_seq_cst);
    return true;
}

/* The writer's half, between its publish and its load of the flag. */
static inline void writer_fence(const struct seqshm *s)
{
    if (__builtin_expect(s->proc->asym, 1))
        atomic_signal_fence(memory_order_seq_cst);
    else
        atomic_thread_fence(memory_order_seq_cst);
}

/* The waiter's half, after its announce and before it looks at the
 * version. False if the order is not sure (the barrier was refused): the
 * waiter must then sleep in slices and look again. */
static inline bool waiter_barrier(const struct seqshm *s)
{
    if (atomic_load_explicit(&s->wait->asym, memory_order_seq_cst) == 0)
        return true;
    return plat_barrier();
}

#endif
