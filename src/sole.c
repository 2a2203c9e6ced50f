/* sole.c - the sole-writer role (SEQSHM_SOLE_WRITER).
 *
 * The role is the wait line's `sole` word: 0, or the owner token of the
 * handle that holds it. Its holder also holds the writers' claim (owner ==
 * its token) from open to close, so its writes need no claim (write.c) and
 * every other writer finds the claim taken.
 *
 * Invariants
 *   - sole != 0 names the identity that took the role; only that identity
 *     clears it (close), or whoever took its claim over after the kernel
 *     said it was dead (sole_forget, from claim.c).
 *   - While sole == T and T lives, owner == T once T's open returned: no
 *     other writer takes a live owner's claim (claim.c), and T releases it
 *     only at close, after giving the role back.
 *   - Of two openers, one wins the compare-and-swap on sole; the other finds
 *     a live token (SEQSHM_EBUSY) or a dead one, which it replaces by the
 *     same compare-and-swap from exactly that token.
 *   - While T holds the claim only T stores to seq (claim.c), so T keeps
 *     its own copy (ident->sole_seq) and its writes never load the shared
 *     line before storing to it: the line is asked for once, exclusive.
 *   - The handle's `sole` bit lives in the identity page, which fork wipes:
 *     a forked child writes as any other writer, and gets SEQSHM_EBUSY.
 */
#include "seqlock.h"

#define SOLE_CLAIM_NS 1000000000 /* open waits this long for a write to end */

bool sole_holds(const struct seqshm *s, uint64_t holder, uint64_t self)
{
    uint64_t sole = atomic_load_explicit(&s->wait->sole, memory_order_acquire);
    return sole == holder && holder != self && owner_alive(s, holder);
}

void sole_forget(const struct seqshm *s, uint64_t dead)
{
    atomic_compare_exchange_strong_explicit(&s->wait->sole, &dead, 0,
                                            memory_order_release,
                                            memory_order_relaxed);
}

/* Takes the role for this handle (at open), then the claim for good. */
int sole_take(struct seqshm *s)
{
    uint64_t self = owner_self(s);
    if (self == 0)
        return SEQSHM_ESYS;
    uint64_t cur = 0;
    while (!atomic_compare_exchange_strong_explicit(
        &s->wait->sole, &cur, self, memory_order_acq_rel,
        memory_order_acquire)) {
        if (owner_alive(s, cur))
            return SEQSHM_EBUSY;
        /* dead: replace exactly that token (cur), or see who did */
    }
    struct deadline d;
    deadline_start(&d, SOLE_CLAIM_NS);
    int rc = claim_try(s, self) ? SEQSHM_OK : claim_wait(s, self, &d);
    if (rc != SEQSHM_OK) {
        /* a writer stayed mid-write (stopped, traced) for all that time */
        sole_forget(s, self);
        return rc == SEQSHM_ETIMEDOUT ? SEQSHM_EBUSY : rc;
    }
    s->ident->sole_seq = atomic_load_explicit(&s->line->seq,
                                              memory_order_relaxed);
    s->ident->sole = true;
    return SEQSHM_OK;
}

/* At close, in the process that took the role: role first, then the claim
 * (a writer that finds the claim held and the role free just waits for the
 * claim a moment). */
void sole_give_back(struct seqshm *s)
{
    if (!s->ident->sole)
        return;
    s->ident->sole = false;
    sole_forget(s, atomic_load_explicit(&s->ident->token,
                                        memory_order_relaxed));
    claim_release(s);
}
