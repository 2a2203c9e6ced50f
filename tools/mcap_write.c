/* mcap_write.c - writes an MCAP file as mcap.h describes, for `seqshm
 * record --mcap`. Messages gather in a chunk of up to CHUNK_BYTES; the
 * file is seekable once mcap_finish has written its summary (chunk
 * indexes, statistics, channels): a recording stopped by SIGINT or
 * SIGTERM is finished that way; one killed outright has its whole chunks,
 * but no summary (readers that scan the data still read it). */
#include "mcap.h"
#include "seqshm.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define CHUNK_BYTES (1u << 20)

/* ---------------------------------------------------------- bytes, CRC */

void bytes_put(struct bytes *b, const void *p, size_t n)
{
    if (b->failed)
        return;
    if (b->len + n > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->len + n)
            cap *= 2;
        unsigned char *q = realloc(b->p, cap);
        if (q == NULL) {
            b->failed = true;
            return;
        }
        b->p = q;
        b->cap = cap;
    }
    if (n > 0)
        memcpy(b->p + b->len, p, n);
    b->len += n;
}

static void put_le(struct bytes *b, uint64_t v, int n)
{
    unsigned char le[8];
    for (int i = 0; i < n; i++)
        le[i] = (unsigned char)(v >> (8 * i));
    bytes_put(b, le, (size_t)n);
}

void bytes_u8(struct bytes *b, uint8_t v) { put_le(b, v, 1); }
void bytes_u16(struct bytes *b, uint16_t v) { put_le(b, v, 2); }
void bytes_u32(struct bytes *b, uint32_t v) { put_le(b, v, 4); }
void bytes_u64(struct bytes *b, uint64_t v) { put_le(b, v, 8); }

void bytes_str(struct bytes *b, const char *s)
{
    size_t n = strlen(s);
    bytes_u32(b, (uint32_t)n);
    bytes_put(b, s, n);
}

void bytes_free(struct bytes *b)
{
    free(b->p);
    *b = (struct bytes){0};
}

/* Reflected CRC-32, polynomial 0xEDB88320, four bits at a time. */
uint32_t crc32_add(uint32_t crc, const void *p, size_t n)
{
    static const uint32_t nibble[16] = {
        0x00000000, 0x1db71064, 0x3b6e20c8, 0x26d930ac, 0x76dc4190,
        0x6b6b51f4, 0x4db26158, 0x5005713c, 0xedb88320, 0xf00f9344,
        0xd6d6a3e8, 0xcb61b38c, 0x9b64c2b0, 0x86d3d2d4, 0xa00ae278,
        0xbdbdf21c};
    const unsigned char *q = p;
    crc = ~crc;
    for (size_t i = 0; i < n; i++) {
        crc ^= q[i];
        crc = (crc >> 4) ^ nibble[crc & 15];
        crc = (crc >> 4) ^ nibble[crc & 15];
    }
    return ~crc;
}

/* ------------------------------------------------------------- writer */

struct chan {
    uint16_t id;
    struct bytes schema_rec, channel_rec; /* whole records, for the summary */
    uint64_t count;
    struct bytes index; /* this chunk's (log time, offset) pairs */
};

struct chunk_index {
    uint64_t start, end, offset, length, index_length, compressed, size;
    bool zstd;
    struct bytes offsets; /* Map<uint16, uint64>: channel -> its index */
};

struct mcap_writer {
    FILE *f;
    bool zstd, failed;
    uint64_t pos;      /* bytes written */
    uint32_t data_crc; /* of every byte so far (until Data End) */
    struct chan *ch;
    size_t nch;
    struct bytes chunk; /* the open chunk's records */
    uint64_t chunk_start, chunk_end;
    struct chunk_index *chunks;
    size_t nchunks;
    struct bytes metas; /* Metadata Index records */
    uint32_t nmetas;
    uint64_t messages, start, end;
};

static void out(struct mcap_writer *w, const void *p, size_t n)
{
    if (w->failed || fwrite(p, 1, n, w->f) != n) {
        w->failed = true;
        return;
    }
    w->data_crc = crc32_add(w->data_crc, p, n);
    w->pos += n;
}

/* A record: opcode, content length, content. */
static void record(struct bytes *b, uint8_t op, const struct bytes *content)
{
    bytes_u8(b, op);
    bytes_u64(b, content->len);
    bytes_put(b, content->p, content->len);
}

static void out_record(struct mcap_writer *w, uint8_t op,
                       const struct bytes *content)
{
    struct bytes r = {0};
    record(&r, op, content);
    if (r.failed)
        w->failed = true;
    else
        out(w, r.p, r.len);
    bytes_free(&r);
}

struct mcap_writer *mcap_create(const char *path, bool zstd)
{
    struct mcap_writer *w = calloc(1, sizeof *w);
    if (w == NULL)
        return NULL;
    w->f = fopen(path, "wb");
    if (w->f == NULL) {
        int e = errno;
        free(w);
        errno = e;
        return NULL;
    }
    w->zstd = zstd;
    out(w, MCAP_MAGIC, 8);
    struct bytes h = {0};
    bytes_str(&h, "");
    bytes_str(&h, "seqshm " SEQSHM_VERSION);
    out_record(w, MCAP_HEADER, &h);
    bytes_free(&h);
    return w;
}

static void map_str(struct bytes *b, const char *const *kv, size_t n)
{
    struct bytes m = {0};
    for (size_t i = 0; i < n; i++) {
        bytes_str(&m, kv[2 * i]);
        bytes_str(&m, kv[2 * i + 1]);
    }
    bytes_u32(b, (uint32_t)m.len);
    bytes_put(b, m.p, m.len);
    b->failed |= m.failed;
    bytes_free(&m);
}

uint16_t mcap_channel(struct mcap_writer *w, const char *topic,
                      const char *json_schema, const char *const *meta,
                      size_t n)
{
    if (w->nch >= 65535)
        return 0;
    struct chan *ch = realloc(w->ch, (w->nch + 1) * sizeof *ch);
    if (ch == NULL)
        return 0;
    w->ch = ch;
    ch = &w->ch[w->nch];
    memset(ch, 0, sizeof *ch);
    ch->id = (uint16_t)(w->nch + 1); /* its schema has the same id */
    struct bytes s = {0}, c = {0};
    bytes_u16(&s, ch->id);
    bytes_str(&s, topic);
    bytes_str(&s, "jsonschema");
    bytes_str(&s, json_schema);
    bytes_u16(&c, ch->id);
    bytes_u16(&c, ch->id);
    bytes_str(&c, topic);
    bytes_str(&c, "json");
    map_str(&c, meta, n);
    record(&ch->schema_rec, MCAP_SCHEMA, &s);
    record(&ch->channel_rec, MCAP_CHANNEL, &c);
    bool ok = !s.failed && !c.failed && !ch->schema_rec.failed &&
              !ch->channel_rec.failed;
    bytes_free(&s);
    bytes_free(&c);
    if (!ok) {
        bytes_free(&ch->schema_rec);
        bytes_free(&ch->channel_rec);
        return 0;
    }
    out(w, ch->schema_rec.p, ch->schema_rec.len);
    out(w, ch->channel_rec.p, ch->channel_rec.len);
    w->nch++;
    return ch->id;
}

/* The open chunk, its message indexes after it, and its index entry for
 * the summary. */
static void flush_chunk(struct mcap_writer *w)
{
    if (w->chunk.len == 0)
        return;
    struct chunk_index *ci = realloc(w->chunks,
                                     (w->nchunks + 1) * sizeof *ci);
    if (ci == NULL || w->chunk.failed) {
        w->failed = true;
        return;
    }
    w->chunks = ci;
    ci = &w->chunks[w->nchunks++];
    memset(ci, 0, sizeof *ci);
    struct bytes packed = {0}, c = {0};
    ci->zstd = w->zstd && zstd_pack(w->chunk.p, w->chunk.len, &packed) &&
               packed.len < w->chunk.len;
    const struct bytes *body = ci->zstd ? &packed : &w->chunk;
    bytes_u64(&c, w->chunk_start);
    bytes_u64(&c, w->chunk_end);
    bytes_u64(&c, w->chunk.len);
    bytes_u32(&c, crc32_add(0, w->chunk.p, w->chunk.len));
    bytes_str(&c, ci->zstd ? "zstd" : "");
    bytes_u64(&c, body->len);
    bytes_put(&c, body->p, body->len);
    *ci = (struct chunk_index){.start = w->chunk_start, .end = w->chunk_end,
                               .offset = w->pos, .compressed = body->len,
                               .size = w->chunk.len, .zstd = ci->zstd};
    if (c.failed)
        w->failed = true;
    out_record(w, MCAP_CHUNK, &c);
    ci->length = w->pos - ci->offset;
    bytes_free(&c);
    bytes_free(&packed);
    uint64_t index_start = w->pos;
    for (size_t i = 0; i < w->nch; i++) {
        struct chan *ch = &w->ch[i];
        if (ch->index.len == 0)
            continue;
        bytes_u16(&ci->offsets, ch->id);
        bytes_u64(&ci->offsets, w->pos);
        struct bytes m = {0};
        bytes_u16(&m, ch->id);
        bytes_u32(&m, (uint32_t)ch->index.len);
        bytes_put(&m, ch->index.p, ch->index.len);
        out_record(w, MCAP_MESSAGE_INDEX, &m);
        bytes_free(&m);
        ch->index.len = 0;
    }
    ci->index_length = w->pos - index_start;
    w->chunk.len = 0;
}

bool mcap_message(struct mcap_writer *w, uint16_t channel, uint64_t version,
                  uint64_t time_ns, const void *data, size_t len)
{
    if (channel == 0 || channel > w->nch)
        return false;
    struct chan *ch = &w->ch[channel - 1];
    if (w->chunk.len == 0 || time_ns < w->chunk_start)
        w->chunk_start = time_ns;
    if (w->chunk.len == 0 || time_ns > w->chunk_end)
        w->chunk_end = time_ns;
    bytes_u64(&ch->index, time_ns);
    bytes_u64(&ch->index, w->chunk.len);
    bytes_u8(&w->chunk, MCAP_MESSAGE);
    bytes_u64(&w->chunk, 2 + 4 + 8 + 8 + len);
    bytes_u16(&w->chunk, channel);
    bytes_u32(&w->chunk, (uint32_t)version);
    bytes_u64(&w->chunk, time_ns); /* log time */
    bytes_u64(&w->chunk, time_ns); /* publish time */
    bytes_put(&w->chunk, data, len);
    if (w->chunk.failed || ch->index.failed)
        return !(w->failed = true);
    if (w->messages == 0 || time_ns < w->start)
        w->start = time_ns;
    if (w->messages == 0 || time_ns > w->end)
        w->end = time_ns;
    w->messages++;
    ch->count++;
    if (w->chunk.len >= CHUNK_BYTES)
        flush_chunk(w);
    return !w->failed;
}

bool mcap_metadata(struct mcap_writer *w, const char *name,
                   const char *const *meta, size_t n)
{
    flush_chunk(w); /* not inside a chunk */
    struct bytes m = {0};
    bytes_str(&m, name);
    map_str(&m, meta, n);
    uint64_t at = w->pos;
    out_record(w, MCAP_METADATA, &m);
    bytes_free(&m);
    struct bytes ix = {0};
    bytes_u64(&ix, at);
    bytes_u64(&ix, w->pos - at);
    bytes_str(&ix, name);
    record(&w->metas, MCAP_METADATA_INDEX, &ix);
    bytes_free(&ix);
    w->nmetas++;
    return !w->failed && !w->metas.failed;
}

/* A group of summary records and its Summary Offset. */
static void group(struct bytes *summary, struct bytes *offsets,
                  uint64_t summary_at, uint8_t op, const struct bytes *recs)
{
    if (recs->len == 0)
        return;
    struct bytes o = {0};
    bytes_u8(&o, op);
    bytes_u64(&o, summary_at + summary->len);
    bytes_u64(&o, recs->len);
    record(offsets, MCAP_SUMMARY_OFFSET, &o);
    bytes_free(&o);
    bytes_put(summary, recs->p, recs->len);
}

bool mcap_finish(struct mcap_writer *w)
{
    flush_chunk(w);
    struct bytes de = {0};
    bytes_u32(&de, w->data_crc);
    out_record(w, MCAP_DATA_END, &de);
    bytes_free(&de);

    struct bytes schemas = {0}, chans = {0}, stats = {0}, st = {0},
                 cidx = {0}, summary = {0}, offsets = {0}, counts = {0};
    for (size_t i = 0; i < w->nch; i++) {
        bytes_put(&schemas, w->ch[i].schema_rec.p, w->ch[i].schema_rec.len);
        bytes_put(&chans, w->ch[i].channel_rec.p, w->ch[i].channel_rec.len);
        bytes_u16(&counts, w->ch[i].id);
        bytes_u64(&counts, w->ch[i].count);
    }
    bytes_u64(&st, w->messages);
    bytes_u16(&st, (uint16_t)w->nch);
    bytes_u32(&st, (uint32_t)w->nch);
    bytes_u32(&st, 0); /* attachments */
    bytes_u32(&st, w->nmetas);
    bytes_u32(&st, (uint32_t)w->nchunks);
    bytes_u64(&st, w->start);
    bytes_u64(&st, w->end);
    bytes_u32(&st, (uint32_t)counts.len);
    bytes_put(&st, counts.p, counts.len);
    record(&stats, MCAP_STATISTICS, &st);
    for (size_t i = 0; i < w->nchunks; i++) {
        const struct chunk_index *ci = &w->chunks[i];
        struct bytes c = {0};
        bytes_u64(&c, ci->start);
        bytes_u64(&c, ci->end);
        bytes_u64(&c, ci->offset);
        bytes_u64(&c, ci->length);
        bytes_u32(&c, (uint32_t)ci->offsets.len);
        bytes_put(&c, ci->offsets.p, ci->offsets.len);
        bytes_u64(&c, ci->index_length);
        bytes_str(&c, ci->zstd ? "zstd" : "");
        bytes_u64(&c, ci->compressed);
        bytes_u64(&c, ci->size);
        record(&cidx, MCAP_CHUNK_INDEX, &c);
        bytes_free(&c);
    }
    uint64_t summary_at = w->pos;
    group(&summary, &offsets, summary_at, MCAP_SCHEMA, &schemas);
    group(&summary, &offsets, summary_at, MCAP_CHANNEL, &chans);
    group(&summary, &offsets, summary_at, MCAP_STATISTICS, &stats);
    group(&summary, &offsets, summary_at, MCAP_METADATA_INDEX, &w->metas);
    group(&summary, &offsets, summary_at, MCAP_CHUNK_INDEX, &cidx);
    struct bytes footer = {0};
    bytes_u8(&footer, MCAP_FOOTER);
    bytes_u64(&footer, 8 + 8 + 4);
    bytes_u64(&footer, summary.len ? summary_at : 0);
    bytes_u64(&footer, offsets.len ? summary_at + summary.len : 0);
    uint32_t crc = crc32_add(0, summary.p, summary.len);
    crc = crc32_add(crc, offsets.p, offsets.len);
    crc = crc32_add(crc, footer.p, footer.len);
    bytes_u32(&footer, crc);
    bool ok = !(summary.failed || offsets.failed || footer.failed ||
                counts.failed || stats.failed || cidx.failed);
    out(w, summary.p, summary.len);
    out(w, offsets.p, offsets.len);
    out(w, footer.p, footer.len);
    out(w, MCAP_MAGIC, 8);
    ok = ok && !w->failed;
    if (fclose(w->f) != 0)
        ok = false;
    bytes_free(&schemas);
    bytes_free(&chans);
    bytes_free(&stats);
    bytes_free(&st);
    bytes_free(&cidx);
    bytes_free(&summary);
    bytes_free(&offsets);
    bytes_free(&counts);
    bytes_free(&footer);
    for (size_t i = 0; i < w->nch; i++) {
        bytes_free(&w->ch[i].schema_rec);
        bytes_free(&w->ch[i].channel_rec);
        bytes_free(&w->ch[i].index);
    }
    for (size_t i = 0; i < w->nchunks; i++)
        bytes_free(&w->chunks[i].offsets);
    free(w->chunks);
    free(w->ch);
    bytes_free(&w->chunk);
    bytes_free(&w->metas);
    free(w);
    return ok;
}
