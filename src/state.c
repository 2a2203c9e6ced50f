/* state.c - what a handle can tell about its segment. */
#include "internal.h"

bool seqshm_is_occupied(const seqshm *s)
{
    if (s == NULL)
        return false;
    uint64_t seq = atomic_load_explicit(&s->line->seq, memory_order_acquire);
    if (seq & SEQ_BUSY)
        return true;
    uint64_t owner = atomic_load_explicit(&s->line->owner, memory_order_relaxed);
    /* a sole writer holds the claim between its writes too: it occupies the
     * segment only while it writes (BUSY, above) */
    return owner != 0 &&
           owner != atomic_load_explicit(&s->wait->sole, memory_order_relaxed);
}

const char *seqshm_name(const seqshm *s) { return s != NULL ? s->name : ""; }
size_t seqshm_size(const seqshm *s) { return s != NULL ? s->size : 0; }
unsigned seqshm_slots(const seqshm *s)
{
    return s != NULL ? (unsigned)(s->slot_mask + 1) : 0;
}
/* The per-process state is wiped by fork: a child is not the creator. */
bool seqshm_is_creator(const seqshm *s) { return s != NULL && s->proc->creator; }
unsigned seqshm_layout(const seqshm *s) { return s != NULL ? s->layout : 0; }
uint64_t seqshm_type_tag(const seqshm *s)
{
    return s != NULL ? s->type_tag : 0;
}

uint64_t seqshm_version(const seqshm *s)
{
    if (s == NULL)
        return 0;
    return atomic_load_explicit(&s->line->seq, memory_order_acquire) / SEQ_STEP;
}

int seqshm_stat(const seqshm *s, seqshm_info *info)
{
    if (s == NULL || info == NULL)
        return SEQSHM_EINVAL;
    uint64_t seq = atomic_load_explicit(&s->line->seq, memory_order_acquire);
    uint64_t owner = atomic_load_explicit(&s->line->owner,
                                          memory_order_relaxed);
    info->size = s->size;
    info->layout = s->layout;
    info->layout_version = SEQSHM_LAYOUT_VERSION; /* checked at open */
    info->slots = (unsigned)(s->slot_mask + 1);
    info->slot_offset = (size_t)(s->slots - s->base);
    info->slot_stride = s->stride;
    info->mapped_bytes = s->map_len;
    info->version = seq / SEQ_STEP;
    info->type_tag = s->type_tag;
    info->creator_pid = s->creator_pid;
    info->creator_alive = identity_alive(s, s->creator_token);
    info->writer_pid = owner != 0 ? (int)token_pid(owner) : 0;
    info->writer_alive = owner != 0 && identity_alive(s, owner);
    info->busy = (seq & SEQ_BUSY) != 0;
    info->torn = (seq & SEQ_TORN) != 0;
    info->waiting = atomic_load_explicit(&s->wait->waiting,
                                         memory_order_relaxed) != 0;
    uint64_t sole = atomic_load_explicit(&s->wait->sole, memory_order_relaxed);
    info->sole_pid = sole != 0 ? token_pid(sole) : 0;
    info->sole_alive = sole != 0 && identity_alive(s, sole);
    info->asym_fence = atomic_load_explicit(&s->wait->asym,
                                            memory_order_relaxed) != 0;
    return SEQSHM_OK;
}
