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
 *     said it was dead (recover.c).
 *   - While sole == T and T lives, owner == T once T's open returned: no
 *     other writer takes a live owner's claim (claim.c), and T releases it
 *     only at close, after giving the role back.
 *   - Of two openers, one wins the compare-and-swap on sole; the other finds
 *     a live token (SEQSHM_EBUSY) or a dead one, which it replaces by the
 *     same compare-and-swap from exactly that token.
 *   - While T holds the claim only T stores to seq (claim.c), so T keeps
 *     its own copy (proc->sole_seq) and its writes never load the shared
 *     line before storing to it: the line is asked for once, exclusive.
 *   - The handle's `sole` bit lives in the per-process state, which fork wipes:
 *     a forked child writes as any other writer, and gets SEQSHM_EBUSY.
 */
#include "seqlock.h"

#define SOLE_CLAIM_NS 1000000000 /* open waits this long for a write to end */

/* Takes the role for this handle (at open), then the claim for good. */
int sole_take(struct seqshm *s)
{
    uint64_t self = identity_token(s);
    if (self == 0)
        return SEQSHM_ESYS;
    if (!recover_role_take(s, self))
        return SEQSHM_EBUSY;
    struct deadline d;
    deadline_start(&d, SOLE_CLAIM_NS);
    int rc = claim_try(s, self) ? SEQSHM_OK : claim_wait(s, self, &d);
    if (rc != SEQSHM_OK) {
        /* a writer stayed mid-write (stopped, traced) for all that time */
        recover_role_end(s, self);
        return rc == SEQSHM_ETIMEDOUT ? SEQSHM_EBUSY : rc;
    }
    s->proc->sole_seq = atomic_load_explicit(&s->line->seq,
                                             memory_order_relaxed);
    s->proc->sole = true;
    return SEQSHM_OK;
}

/* At close, in the process that took the role: role first, then the claim
 * (a writer that finds the claim held and the role free just waits for the
 * claim a moment). */
void sole_give_back(struct seqshm *s)
{
    if (!s->proc->sole)
        return;
    s->proc->sole = false;
    recover_role_end(s, atomic_load_explicit(&s->proc->token,
                                             memory_order_relaxed));
    claim_release(s);
}
