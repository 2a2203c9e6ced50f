/* state.c - what a handle can tell about its segment. */
#include "internal.h"

bool seqshm_is_occupied(const seqshm *s)
{
    if (s == NULL)
        return false;
    uint64_t seq = atomic_load_explicit(&s->line->seq, memory_order_acquire);
    return (seq & SEQ_BUSY) ||
           atomic_load_explicit(&s->line->owner, memory_order_relaxed) != 0;
}

const char *seqshm_name(const seqshm *s) { return s != NULL ? s->name : ""; }
size_t seqshm_size(const seqshm *s) { return s != NULL ? s->size : 0; }
bool seqshm_is_creator(const seqshm *s) { return s != NULL && s->creator; }
unsigned seqshm_layout(const seqshm *s) { return s != NULL ? s->layout : 0; }
uint64_t seqshm_type_tag(const seqshm *s)
{
    return s != NULL ? s->hdr->type_tag : 0;
}

uint64_t seqshm_version(const seqshm *s)
{
    if (s == NULL)
        return 0;
    return atomic_load_explicit(&s->line->seq, memory_order_acquire) / SEQ_STEP;
}
