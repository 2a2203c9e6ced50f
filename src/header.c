/* header.c - the segment's header: where a new segment's parts go, and
 * every check an opener makes before trusting an object (layout.h). No
 * system calls: open.c calls these on what the platform mapped.
 */
#include "internal.h"

#include <string.h>

#define KNOWN_FLAGS                                                           \
    (SEQSHM_CREATE | SEQSHM_EXCL | SEQSHM_RDONLY | SEQSHM_DOUBLE_BUFFER |    \
     SEQSHM_MUTEX | SEQSHM_PERSIST | SEQSHM_SOLE_WRITER | SEQSHM_ANY_OWNER)

static size_t round_up(size_t n, size_t to) { return (n + to - 1) / to * to; }

/* The slot count a new segment gets (options already validated). */
unsigned header_slots(const seqshm_options *o)
{
    if (o->slots != 0)
        return o->slots;
    return (o->flags & SEQSHM_DOUBLE_BUFFER) ? 2 : 1;
}

/* The layout a new segment records: 2 slots are the double buffer. */
unsigned header_layout(const seqshm_options *o)
{
    if (o->flags & SEQSHM_MUTEX)
        return SEQSHM_MUTEX;
    return header_slots(o) == 2 ? SEQSHM_DOUBLE_BUFFER : 0;
}

/* Where the schema text and the slots of a new segment go; see layout.h. */
void header_plan(struct seqshm_header *h, size_t size, unsigned count,
                 const struct texts *t)
{
    h->schema_len = strlen(t->schema);
    h->origin_len = strlen(t->origin);
    uint64_t after_schema =
        SCHEMA_OFFSET + round_up(h->schema_len + h->origin_len, SLOT_ALIGN);
    h->slot_count = count;
    size_t inline_stride = round_up(size, 8);
    if (inline_stride * h->slot_count <= INLINE_BYTES) {
        h->slot_offset = SEQ_LINE_OFFSET + INLINE_OFFSET;
        h->slot_stride = inline_stride;
        h->total_size = after_schema;
    } else {
        h->slot_offset = after_schema;
        h->slot_stride = round_up(size, SLOT_ALIGN);
        h->total_size = after_schema + h->slot_stride * h->slot_count;
    }
}

uint64_t header_max_total(void)
{
    return SLOTS_OFFSET + SEQSHM_SCHEMA_MAX + SEQSHM_ORIGIN_MAX + SLOT_ALIGN +
           MAX_SLOTS_BYTES +
           (uint64_t)MAX_SLOTS * SLOT_ALIGN;
}

/* Every field an opener relies on, checked against the object's size. */
bool header_valid(const struct seqshm_header *h, uint64_t obj_size)
{
    uint64_t n = h->slot_count;
    if (h->layout_version != SEQSHM_LAYOUT_VERSION || h->total_size != obj_size)
        return false;
    if (h->flags != 0 && h->flags != SEQSHM_DOUBLE_BUFFER &&
        h->flags != SEQSHM_MUTEX)
        return false;
    if (n == 0 || n > MAX_SLOTS || (n & (n - 1)) != 0)
        return false;
    if ((n == 2) != (h->flags == SEQSHM_DOUBLE_BUFFER) ||
        (h->flags == SEQSHM_MUTEX && n != 1))
        return false;
    if (h->payload_size == 0 || h->payload_size > SEQSHM_MAX_SIZE)
        return false;
    if (h->slot_stride < h->payload_size || h->slot_stride % 8 != 0 ||
        h->slot_stride > SEQSHM_MAX_SIZE + SLOT_ALIGN)
        return false;
    if (h->payload_size * n > MAX_SLOTS_BYTES)
        return false;
    /* the texts lie in the object, before the slots (their content is
     * checked by header_texts) */
    if (h->schema_len > SEQSHM_SCHEMA_MAX || h->origin_len > SEQSHM_ORIGIN_MAX ||
        SCHEMA_OFFSET + h->schema_len + h->origin_len > obj_size)
        return false;
    uint64_t after_schema =
        SCHEMA_OFFSET + round_up(h->schema_len + h->origin_len, SLOT_ALIGN);
    uint64_t span = h->slot_stride * n; /* < 2^47: no overflow */
    if (h->slot_offset == SEQ_LINE_OFFSET + INLINE_OFFSET)
        return span <= INLINE_BYTES;
    return h->slot_offset >= after_schema && h->slot_offset % SLOT_ALIGN == 0 &&
           h->slot_offset <= obj_size && span <= obj_size - h->slot_offset;
}

/* The texts a valid header points to, copied out once (a hostile writer
 * may change the bytes meanwhile: only the copies are judged and kept): a
 * schema must be canonical text without NUL bytes whose size is the
 * payload's; an origin, printable ASCII. */
bool header_texts(const struct seqshm_header *h, struct texts *out)
{
    char again[SEQSHM_SCHEMA_MAX + 1];
    const unsigned char *text = (const unsigned char *)h + SCHEMA_OFFSET;
    size_t len = (size_t)h->schema_len, olen = (size_t)h->origin_len;
    size_t size = 0;
    memcpy(out->schema, text, len);
    out->schema[len] = '\0';
    memcpy(out->origin, text + len, olen);
    out->origin[olen] = '\0';
    if (!origin_valid(out->origin, olen))
        return false;
    if (len == 0)
        return true;
    if (strlen(out->schema) != len ||
        schema_parse(out->schema, NULL, 0, NULL, &size, again, NULL, 0) !=
            SEQSHM_OK)
        return false;
    return size == h->payload_size && strcmp(again, out->schema) == 0;
}

/* An origin: printable ASCII, at most SEQSHM_ORIGIN_MAX characters ("" for
 * none); len is its length as stored or given. */
bool origin_valid(const char *origin, size_t len)
{
    if (len > SEQSHM_ORIGIN_MAX)
        return false;
    for (size_t i = 0; i < len; i++)
        if (origin[i] < 0x20 || origin[i] > 0x7e)
            return false;
    return true;
}

bool options_valid(size_t size, const seqshm_options *o)
{
    unsigned f = o->flags;
    if ((f & ~KNOWN_FLAGS) != 0 || (o->mode & ~0777u) != 0)
        return false;
    if ((f & SEQSHM_EXCL) && !(f & SEQSHM_CREATE))
        return false;
    if ((f & SEQSHM_CREATE) && (f & SEQSHM_RDONLY))
        return false;
    if ((f & SEQSHM_DOUBLE_BUFFER) && (f & SEQSHM_MUTEX))
        return false;
    if ((f & SEQSHM_SOLE_WRITER) && (f & (SEQSHM_RDONLY | SEQSHM_MUTEX)))
        return false;
    unsigned n = o->slots;
    if (n != 0 && (n > MAX_SLOTS || (n & (n - 1)) != 0))
        return false;
    if ((f & SEQSHM_MUTEX) && n > 1)
        return false;
    if ((f & SEQSHM_DOUBLE_BUFFER) && n != 0 && n != 2)
        return false;
    if (size > SEQSHM_MAX_SIZE)
        return false;
    /* slots x size at most 4 GiB, checked where a segment is made */
    return !(f & SEQSHM_CREATE) || size == 0 ||
           (uint64_t)size * (n != 0 ? n : 1) <= MAX_SLOTS_BYTES;
}


void header_fill(struct seqshm_header *h, const struct seqshm_header *plan,
                 size_t size, const seqshm_options *o, const struct texts *t,
                 int32_t pid, uint64_t now)
{
    h->layout_version = SEQSHM_LAYOUT_VERSION;
    h->flags = header_layout(o);
    h->payload_size = size;
    h->total_size = plan->total_size;
    h->slot_offset = plan->slot_offset;
    h->slot_stride = plan->slot_stride;
    h->slot_count = plan->slot_count;
    h->creator_pid = pid;
    h->nonce = now ^ (uint64_t)(uint32_t)pid << 40;
    h->type_tag = o->type_tag;
    h->schema_len = plan->schema_len;
    h->origin_len = plan->origin_len;
    unsigned char *text = (unsigned char *)h + SCHEMA_OFFSET;
    memcpy(text, t->schema, plan->schema_len);
    memcpy(text + plan->schema_len, t->origin, plan->origin_len);
}

void handle_fields(struct seqshm *s, void *base, size_t map_len,
                   unsigned flags, const char *name, const struct texts *t)
{
    const struct seqshm_header *h = base;
    s->base = base;
    s->map_len = map_len;
    s->type_tag = h->type_tag;
    s->creator_token = h->creator_token;
    s->creator_pid = h->creator_pid;
    s->line = (struct seqshm_seq_line *)(s->base + SEQ_LINE_OFFSET);
    s->wait = (struct seqshm_wait_line *)(s->base + WAIT_LINE_OFFSET);
    s->origin_line = (struct seqshm_origin_line *)(s->base + ORIGIN_LINE_OFFSET);
    s->slots = s->base + h->slot_offset;
    s->stride = (size_t)h->slot_stride;
    s->size = (size_t)h->payload_size;
    s->slot_mask = h->slot_count - 1;
    s->window = s->slot_mask * SEQ_STEP;
    /* one slot: a write in progress is in the slot readers want */
    s->stall = s->slot_mask == 0 ? SEQ_TORN | SEQ_BUSY : SEQ_TORN;
    s->layout = h->flags;
    s->rdonly = (flags & SEQSHM_RDONLY) != 0;
    s->locked_reads = s->layout == SEQSHM_MUTEX && !s->rdonly;
    s->persist = (flags & SEQSHM_PERSIST) != 0;
    size_t name_len = strlen(name), schema_len = strlen(t->schema);
    memcpy(s->name, name, name_len + 1);
    char *copy = s->name + name_len + 1;
    memcpy(copy, t->schema, schema_len + 1);
    if (schema_len != 0)
        s->schema = copy;
    copy += schema_len + 1;
    memcpy(copy, t->origin, strlen(t->origin) + 1);
    s->origin = copy;
}

int header_check(const struct seqshm_header *h, uint64_t obj_size,
                 size_t size, const seqshm_options *o, const struct texts *t,
                 struct texts *stored)
{
    if (!header_valid(h, obj_size) || !header_texts(h, stored))
        return SEQSHM_EBADSEG;
    if (size != 0 && size != h->payload_size)
        return SEQSHM_ESIZE;
    if ((o->type_tag != 0 && o->type_tag != h->type_tag) ||
        (o->schema != NULL && strcmp(t->schema, stored->schema) != 0) ||
        (o->origin != NULL && strcmp(t->origin, stored->origin) != 0))
        return SEQSHM_ETYPE;
    return SEQSHM_OK;
}
