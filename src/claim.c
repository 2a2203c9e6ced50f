/* claim.c - the writers' claim: exclusivity among writers, its owner
 * recorded. The fast paths are in seqlock.h (claim_try, claim_release);
 * recovery from a dead owner in recover.c.
 *
 * Invariants
 *   - owner == 0, or owner is the token of the identity that holds the
 *     claim. Only the holder stores to seq, and only the holder clears owner.
 *   - seq has BUSY set only while owner != 0 (a dead owner may leave BUSY set;
 *     the one who takes the claim over repairs it: recover.c).
 *   - A sole writer (sole.c) holds the claim from its open to its close. A
 *     writer that finds the claim held by a live sole writer returns
 *     SEQSHM_EBUSY; one that takes a dead sole writer's claim over ends its
 *     role too (recover_claim).
 */
#include "seqlock.h"

/* The claim was held when claim_try() looked: wait for it with plain loads
 * (failing read-modify-writes would take the seq line from readers), and
 * take it over if its owner is dead. SEQSHM_EBUSY at once if the holder is
 * a live sole writer (other than `self`, which is opening with the role). */
int claim_wait(struct seqshm *s, uint64_t self, struct deadline *d)
{
    uint64_t seen = atomic_load_explicit(&s->line->seq, memory_order_relaxed);
    for (;;) {
        uint64_t cur = atomic_load_explicit(&s->line->owner,
                                            memory_order_relaxed);
        if (cur != 0 && recover_sole_holds(s, cur, self))
            return SEQSHM_EBUSY;
        if (cur == 0) {
            if (atomic_compare_exchange_weak_explicit(
                    &s->line->owner, &cur, self, memory_order_acquire,
                    memory_order_relaxed))
                return SEQSHM_OK;
            continue;
        }
        bool more = wait_step(s, d, seen); /* naps end at the holder's publish */
        uint64_t now = atomic_load_explicit(&s->line->seq,
                                            memory_order_relaxed);
        if (recover_worth_asking(d, !more, &seen, now) &&
            recover_claim(s, cur, self))
            return SEQSHM_OK;
        if (!more)
            return SEQSHM_ETIMEDOUT;
    }
}
