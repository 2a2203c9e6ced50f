/* claim.c - the writers' claim: exclusivity among writers, recorded owner,
 * recovery from a dead owner.
 *
 * Invariants
 *   - owner == 0, or owner is the token of the process that holds the claim.
 *     Only the holder stores to seq, and only the holder clears owner.
 *   - seq has BUSY set only while owner != 0 (a dead owner may leave BUSY set;
 *     the one who takes the claim over clears it, in claim_repair()).
 *   - A live owner's claim is never taken: it is recovered only after
 *     owner_alive() found the token's kernel lock free (owner.c), and taken
 *     over by a compare-and-swap from exactly that token (never reused), so
 *     of many who noticed, one recovers.
 *   - A sole writer (sole.c) holds the claim from its open to its close. A
 *     writer that finds the claim held by a live sole writer returns
 *     SEQSHM_EBUSY; one that takes a dead sole writer's claim over ends its
 *     role too (sole_forget).
 */
#include "internal.h"

/* The claim holder found a write that never completed (seq BUSY). With one
 * slot the payload may be torn: mark it so until a full write. With several,
 * the half-written slot was never published, but the version it held is
 * gone: mark it LOST until the next publish. The version stays. */
void claim_repair(const struct seqshm *s)
{
    uint64_t seq = atomic_load_explicit(&s->line->seq, memory_order_relaxed);
    if (!(seq & SEQ_BUSY))
        return;
    seq &= ~SEQ_BUSY;
    seq |= s->slot_mask == 0 ? SEQ_TORN : SEQ_LOST;
    atomic_store_explicit(&s->line->seq, seq, memory_order_release);
}

/* Take over the claim of a dead owner, repair, and release it. Returns true
 * if this call did the recovery (false: someone else already had). */
bool claim_recover(const struct seqshm *s, uint64_t dead)
{
    uint64_t expect = dead, self = owner_self(s);
    if (self == 0 ||
        !atomic_compare_exchange_strong_explicit(&s->line->owner, &expect,
                                                 self,
                                                 memory_order_acquire,
                                                 memory_order_relaxed))
        return false;
    claim_repair(s);
    sole_forget(s, dead);
    atomic_store_explicit(&s->line->owner, 0, memory_order_release);
    return true;
}

/* The claim was held when claim_try() looked: wait for it with plain loads
 * (failing read-modify-writes would take the seq line from readers), and
 * take it over if its owner is dead. SEQSHM_EBUSY at once if the holder is
 * a live sole writer (other than `self`, which is opening with the role). */
int claim_wait(struct seqshm *s, uint64_t self, struct deadline *d)
{
    uint64_t seen = atomic_load_explicit(&s->line->seq, memory_order_relaxed);
    bool slow;
    for (;;) {
        uint64_t cur = atomic_load_explicit(&s->line->owner,
                                            memory_order_relaxed);
        if (cur != 0 && sole_holds(s, cur, self))
            return SEQSHM_EBUSY;
        if (cur == 0) {
            if (atomic_compare_exchange_weak_explicit(
                    &s->line->owner, &cur, self, memory_order_acquire,
                    memory_order_relaxed))
                return SEQSHM_OK;
            continue;
        }
        d->shm = s; /* long naps end when the holder publishes */
        d->seen = seen;
        bool more = backoff(d, &slow);
        /* A dead owner is looked for once spinning is over, and before
         * giving up (so timeout 0 recovers it too, as reads report it), but
         * only while the sequence stood still since the last look: an
         * owner that publishes is alive. */
        uint64_t now = atomic_load_explicit(&s->line->seq,
                                            memory_order_relaxed);
        bool still = now == seen;
        seen = now;
        if ((slow || !more) && still && !owner_alive(s, cur) &&
            atomic_compare_exchange_strong_explicit(
                &s->line->owner, &cur, self, memory_order_acquire,
                memory_order_relaxed)) {
            claim_repair(s);
            sole_forget(s, cur);
            return SEQSHM_OK;
        }
        if (!more)
            return SEQSHM_ETIMEDOUT;
    }
}
