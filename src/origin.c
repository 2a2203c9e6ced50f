/* origin.c - a copy's record of its source: seqshm_origin and
 * seqshm_origin_update over the origin line (layout.h).
 *
 * The origin text is fixed at creation (header.c); what the copier last
 * copied and when it last heard from the source are records of three
 * words. Record n lives in rec[n % 2]; seq counts the records published.
 *
 * Invariants
 *   - Only the sole writer's handle records (sole.c), so records are
 *     written one at a time and need no read-modify-write: a holder that
 *     died mid-record is replaced only after the kernel says it is dead.
 *   - A recorder fills rec[(n + 1) % 2] while seq == n, then publishes
 *     n + 1 with release order; the record readers of n copy is not touched
 *     until n + 1 is published, so a recorder that dies mid-record leaves
 *     record n whole.
 *   - A reader copies rec[n % 2] between two loads of seq and keeps it only
 *     if both saw n: a record being filled in that slot (n + 2) means seq
 *     already moved to n + 1.
 */
/* Model-checked, with a recorder killed at every step and its successor,
 * by models/origin.pml. */
#include "internal.h"

#include <string.h>

int seqshm_origin(const seqshm *s, seqshm_origin_info *info)
{
    if (s == NULL || info == NULL)
        return SEQSHM_EINVAL;
    struct seqshm_origin_line *o = s->origin_line;
    memset(info, 0, sizeof *info);
    memcpy(info->origin, s->origin, strlen(s->origin) + 1);
    for (int i = 0; i < SEQSHM_SPIN_TRIES; i++) {
        uint64_t n = atomic_load_explicit(&o->seq, memory_order_acquire);
        const struct seqshm_origin_record *r = &o->rec[n & 1];
        uint64_t version = atomic_load_explicit(&r->source_version,
                                                memory_order_relaxed);
        uint64_t when = atomic_load_explicit(&r->source_time_ns,
                                             memory_order_relaxed);
        uint64_t refreshed = atomic_load_explicit(&r->refreshed,
                                                  memory_order_relaxed);
        atomic_thread_fence(memory_order_acquire);
        if (atomic_load_explicit(&o->seq, memory_order_relaxed) != n)
            continue;
        info->source_version = version;
        info->source_time_ns = when;
        info->refreshed_ns = refreshed & ~ORIGIN_STALE;
        info->stale = (refreshed & ORIGIN_STALE) != 0;
        return SEQSHM_OK;
    }
    return SEQSHM_ETIMEDOUT;
}

int seqshm_origin_update(seqshm *s, const seqshm_origin_info *info)
{
    if (s == NULL || info == NULL || s->origin[0] == '\0')
        return SEQSHM_EINVAL;
    if (s->rdonly)
        return SEQSHM_EACCES;
    if (!s->proc->sole)
        return SEQSHM_EBUSY;
    struct seqshm_origin_line *o = s->origin_line;
    /* acquire: a predecessor's last record happens-before this one */
    uint64_t n = atomic_load_explicit(&o->seq, memory_order_acquire);
    /* release: a reader that sees any store below sees seq >= n after its
     * acquire fence, so it cannot keep a copy of n - 1 from this slot */
    atomic_thread_fence(memory_order_release);
    struct seqshm_origin_record *r = &o->rec[(n + 1) & 1];
    atomic_store_explicit(&r->source_version, info->source_version,
                          memory_order_relaxed);
    FAULT("mid_record");
    atomic_store_explicit(&r->source_time_ns, info->source_time_ns,
                          memory_order_relaxed);
    atomic_store_explicit(&r->refreshed,
                          (info->refreshed_ns & ~ORIGIN_STALE) |
                              (info->stale ? ORIGIN_STALE : 0),
                          memory_order_relaxed);
    atomic_store_explicit(&o->seq, n + 1, memory_order_release);
    return SEQSHM_OK;
}
