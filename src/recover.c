/* recover.c - deciding that a writer is dead, and cleaning up after it: its
 * claim, its half-made write, its sole-writer role, its mutex.
 *
 * Who asks. Every loop that waits for a writer (a read of one slot, a
 * writer waiting for the claim, a read of a chosen version) asks by one
 * rule, recover_worth_asking: once its spinning is over or it is about to
 * give up (so even timeout 0 recovers or reports a dead writer rather than
 * time out), and only while the sequence stood still since its last look: a
 * writer that publishes is alive, and the kernel need not be asked.
 *
 * Invariants
 *   - A live identity's claim is never taken: a claim is taken over only
 *     after identity_alive() said its owner is gone (the kernel's word,
 *     process.c), and by a compare-and-swap from exactly that token (never
 *     reused), so of many who noticed, one recovers.
 *   - Whoever takes a dead owner's claim repairs the write it left (seq
 *     BUSY): one slot is marked TORN until a full write, several LOST until
 *     the next publish; the version stays. And it ends the dead owner's
 *     sole-writer role, if it held it.
 *   - A reader never pairs one writer's owner word with another's BUSY
 *     (recover_writer_gone), so it never reports a live writer dead.
 *   - The sole-writer role passes from a dead holder to a new sole writer
 *     by a compare-and-swap from exactly the dead token, as the claim does.
 *   - The SEQSHM_MUTEX layout's mutex, taken from a dead holder, gets the
 *     same repair, and the dead holder's claim is cleared.
 */
#include "seqlock.h"

bool recover_worth_asking(struct deadline *d, bool giving_up, uint64_t *seen,
                          uint64_t now)
{
    bool still = now == *seen;
    *seen = now;
    return (backoff_slow(d) || giving_up) && still;
}

/* The claim's taker found a write that never completed (seq BUSY): with one
 * slot the payload may be torn, so it is marked so until a full write; with
 * several, the half-written slot was never published, but the version it
 * held is gone: marked LOST until the next publish. */
static void repair(const struct seqshm *s)
{
    uint64_t seq = atomic_load_explicit(&s->line->seq, memory_order_relaxed);
    if (!(seq & SEQ_BUSY))
        return;
    seq &= ~SEQ_BUSY;
    seq |= s->slot_mask == 0 ? SEQ_TORN : SEQ_LOST;
    atomic_store_explicit(&s->line->seq, seq, memory_order_release);
}

void recover_role_end(const struct seqshm *s, uint64_t token)
{
    atomic_compare_exchange_strong_explicit(&s->wait->sole, &token, 0,
                                            memory_order_release,
                                            memory_order_relaxed);
}

bool recover_role_take(const struct seqshm *s, uint64_t self)
{
    uint64_t cur = 0;
    while (!atomic_compare_exchange_strong_explicit(
        &s->wait->sole, &cur, self, memory_order_acq_rel,
        memory_order_acquire)) {
        if (identity_alive(s, cur))
            return false;
        /* dead: replace exactly that token (cur), or see who did */
    }
    return true;
}

bool recover_claim(const struct seqshm *s, uint64_t dead, uint64_t self)
{
    if (self == 0 || identity_alive(s, dead) ||
        !atomic_compare_exchange_strong_explicit(&s->line->owner, &dead, self,
                                                 memory_order_acquire,
                                                 memory_order_relaxed))
        return false;
    repair(s);
    recover_role_end(s, dead);
    return true;
}

bool recover_sole_holds(const struct seqshm *s, uint64_t holder,
                        uint64_t self)
{
    uint64_t sole = atomic_load_explicit(&s->wait->sole, memory_order_acquire);
    return sole == holder && holder != self && identity_alive(s, holder);
}

/* The verdict comes from one consistent observation: s1 = seq (acquire)
 * shows BUSY; owner (acquire) is then the writer that set that BUSY or a
 * later one (claim_begin stores BUSY with release, after its claim); and if
 * seq still equals s1 after that load, no later writer has published, so
 * owner is the writer of that BUSY (or one recovering it, who is alive).
 * A read-write handle recovers the claim (and gives it back at once); a
 * read-only one, which must not write, reports the torn payload. */
int recover_writer_gone(const struct seqshm *s)
{
    uint64_t s1 = atomic_load_explicit(&s->line->seq, memory_order_acquire);
    if (!(s1 & SEQ_BUSY))
        return SEQSHM_OK;
    uint64_t owner = atomic_load_explicit(&s->line->owner, memory_order_acquire);
    uint64_t s2 = atomic_load_explicit(&s->line->seq, memory_order_relaxed);
    if (s2 != s1 || owner == 0)
        return SEQSHM_OK;
    if (s->rdonly)
        return identity_alive(s, owner) ? SEQSHM_OK : SEQSHM_EOWNERDEAD;
    if (recover_claim(s, owner, identity_token(s)))
        atomic_store_explicit(&s->line->owner, 0, memory_order_release);
    return SEQSHM_OK;
}

int robust_lock(const struct seqshm *s, struct deadline *d)
{
    int rc = plat_mutex_lock(s, d);
    if (rc != SEQSHM_EOWNERDEAD)
        return rc;
    repair(s);
    atomic_store_explicit(&s->line->owner, 0, memory_order_relaxed);
    return SEQSHM_OK;
}
