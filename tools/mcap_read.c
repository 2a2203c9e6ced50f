/* mcap_read.c - reads the messages of an MCAP file in file order, for
 * `seqshm replay`: records one after another, into chunks (uncompressed,
 * or zstd when built with libzstd), their CRCs checked. Any MCAP file
 * whose channels use json messages reads; replay needs the seqshm.*
 * metadata that `seqshm record --mcap` gives a channel to make its
 * segment. Every length is checked against what holds it: a damaged file
 * is said to be one, never read past. A file cut short ends at its last
 * whole record, as a recording killed outright does. */
#include "mcap.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#define MAX_RECORD (256u << 20) /* a record longer is a damaged file */

struct mcap_reader {
    FILE *f;
    struct mcap_channel_info *ch;
    size_t nch;
    unsigned char *rec;     /* the current record's content */
    size_t rec_cap;
    unsigned char *chunk;   /* the current chunk's records */
    size_t chunk_len, chunk_pos, chunk_cap;
};

/* A bounded view of bytes being parsed; bad once a read overran it. */
struct view {
    const unsigned char *p;
    size_t n;
    bool bad;
};

static uint64_t get_le(struct view *v, int n)
{
    uint64_t x = 0;
    if (v->bad || v->n < (size_t)n) {
        v->bad = true;
        return 0;
    }
    for (int i = 0; i < n; i++)
        x |= (uint64_t)v->p[i] << (8 * i);
    v->p += n;
    v->n -= (size_t)n;
    return x;
}

/* A string or byte run with a 4-byte (or 8-byte) length: pointer, length. */
static const unsigned char *get_run(struct view *v, int width, size_t *len)
{
    uint64_t n = get_le(v, width);
    if (v->bad || n > v->n) {
        v->bad = true;
        *len = 0;
        return NULL;
    }
    const unsigned char *p = v->p;
    v->p += n;
    v->n -= (size_t)n;
    *len = (size_t)n;
    return p;
}

static char *dup_run(const unsigned char *p, size_t n)
{
    char *s = malloc(n + 1);
    if (s != NULL) {
        if (n > 0)
            memcpy(s, p, n);
        s[n] = '\0';
    }
    return s;
}

bool mcap_is(const char *path)
{
    FILE *f = fopen(path, "rb");
    char m[8];
    bool is = f != NULL && fread(m, 1, 8, f) == 8 && memcmp(m, MCAP_MAGIC, 8) == 0;
    if (f != NULL)
        fclose(f);
    return is;
}

struct mcap_reader *mcap_open(const char *path, const char **why)
{
    struct mcap_reader *r = calloc(1, sizeof *r);
    char m[8];
    if (r == NULL) {
        *why = "out of memory";
        return NULL;
    }
    r->f = fopen(path, "rb");
    if (r->f == NULL || fread(m, 1, 8, r->f) != 8 ||
        memcmp(m, MCAP_MAGIC, 8) != 0) {
        *why = r->f == NULL ? "cannot open it" : "not an MCAP file";
        mcap_close(r);
        return NULL;
    }
    return r;
}

void mcap_close(struct mcap_reader *r)
{
    if (r == NULL)
        return;
    if (r->f != NULL)
        fclose(r->f);
    for (size_t i = 0; i < r->nch; i++) {
        free(r->ch[i].topic);
        free(r->ch[i].schema);
    }
    free(r->ch);
    free(r->rec);
    free(r->chunk);
    free(r);
}

static const struct mcap_channel_info *channel(const struct mcap_reader *r,
                                               uint16_t id)
{
    for (size_t i = 0; i < r->nch; i++)
        if (r->ch[i].id == id)
            return &r->ch[i];
    return NULL;
}

/* A Channel record: kept (once per id). */
static bool add_channel(struct mcap_reader *r, struct view v, const char **why)
{
    size_t tn, en, mn;
    uint16_t id = (uint16_t)get_le(&v, 2);
    get_le(&v, 2); /* schema id */
    const unsigned char *topic = get_run(&v, 4, &tn);
    const unsigned char *enc = get_run(&v, 4, &en);
    const unsigned char *map = get_run(&v, 4, &mn);
    if (v.bad) {
        *why = "a channel record cut short";
        return false;
    }
    if (channel(r, id) != NULL)
        return true;
    struct mcap_channel_info c = {.id = id, .topic = dup_run(topic, tn)};
    if (en != 4 || memcmp(enc, "json", 4) != 0) {
        *why = "a channel whose messages are not json";
        free(c.topic);
        return false;
    }
    struct view m = {map, mn, false};
    while (m.n > 0 && !m.bad) {
        size_t kn, vn;
        const unsigned char *k = get_run(&m, 4, &kn);
        const unsigned char *val = get_run(&m, 4, &vn);
        if (m.bad)
            break;
        char *text = dup_run(val, vn);
        if (text == NULL)
            break;
        if (kn == 13 && memcmp(k, "seqshm.schema", 13) == 0) {
            free(c.schema);
            c.schema = text;
            continue;
        }
        if (kn == 12 && memcmp(k, "seqshm.slots", 12) == 0)
            c.slots = (unsigned)strtoul(text, NULL, 10);
        else if (kn == 15 && memcmp(k, "seqshm.type_tag", 15) == 0)
            c.type_tag = strtoull(text, NULL, 10);
        free(text);
    }
    struct mcap_channel_info *grown = realloc(r->ch, (r->nch + 1) * sizeof *grown);
    if (m.bad || c.topic == NULL || grown == NULL) {
        *why = m.bad ? "a channel's metadata cut short" : "out of memory";
        free(c.topic);
        free(c.schema);
        if (grown != NULL)
            r->ch = grown;
        return false;
    }
    r->ch = grown;
    r->ch[r->nch++] = c;
    return true;
}

/* A Chunk record: its records, uncompressed and checked, become current. */
static bool open_chunk(struct mcap_reader *r, struct view v, const char **why)
{
    size_t cn, rn;
    get_le(&v, 8);
    get_le(&v, 8);
    uint64_t size = get_le(&v, 8);
    uint32_t crc = (uint32_t)get_le(&v, 4);
    const unsigned char *comp = get_run(&v, 4, &cn);
    const unsigned char *recs = get_run(&v, 8, &rn);
    if (v.bad || size > MAX_RECORD) {
        *why = "a chunk cut short, or too large";
        return false;
    }
    if (size > r->chunk_cap) {
        unsigned char *p = realloc(r->chunk, (size_t)size);
        if (p == NULL) {
            *why = "out of memory";
            return false;
        }
        r->chunk = p;
        r->chunk_cap = (size_t)size;
    }
    if (cn == 0) {
        if (rn != size) {
            *why = "a chunk whose size is not its records'";
            return false;
        }
        if (rn > 0)
            memcpy(r->chunk, recs, rn);
    } else if (cn == 4 && memcmp(comp, "zstd", 4) == 0) {
        if (!zstd_built) {
            *why = "a zstd chunk, and this seqshm was built without libzstd";
            return false;
        }
        if (!zstd_unpack(recs, rn, r->chunk, (size_t)size)) {
            *why = "a zstd chunk that does not uncompress to its size";
            return false;
        }
    } else {
        *why = "a chunk compressed with neither zstd nor nothing";
        return false;
    }
    if (crc != 0 && crc32_add(0, r->chunk, (size_t)size) != crc) {
        *why = "a chunk whose CRC does not match";
        return false;
    }
    r->chunk_len = (size_t)size;
    r->chunk_pos = 0;
    return true;
}

/* The next record, from the open chunk or the file: 1, 0 at the end, -1
 * on damage. */
static int next_record(struct mcap_reader *r, uint8_t *op, struct view *v,
                       bool *in_chunk, const char **why)
{
    if (r->chunk_pos < r->chunk_len) {
        struct view c = {r->chunk + r->chunk_pos, r->chunk_len - r->chunk_pos,
                         false};
        *op = (uint8_t)get_le(&c, 1);
        uint64_t n = get_le(&c, 8);
        if (c.bad || n > c.n) {
            *why = "a record in a chunk runs past the chunk";
            return -1;
        }
        *v = (struct view){c.p, (size_t)n, false};
        r->chunk_pos = r->chunk_len - c.n + (size_t)n;
        *in_chunk = true;
        return 1;
    }
    unsigned char head[9];
    if (fread(head, 1, 9, r->f) != 9)
        return 0; /* the end, or cut short: the last whole record */
    struct view h = {head, 9, false};
    *op = (uint8_t)get_le(&h, 1);
    uint64_t n = get_le(&h, 8);
    if (n > MAX_RECORD) {
        *why = "a record longer than 256 MiB";
        return -1;
    }
    if (n > r->rec_cap) {
        unsigned char *p = realloc(r->rec, (size_t)n);
        if (p == NULL) {
            *why = "out of memory";
            return -1;
        }
        r->rec = p;
        r->rec_cap = (size_t)n;
    }
    if (fread(r->rec, 1, (size_t)n, r->f) != n)
        return 0;
    *v = (struct view){r->rec, (size_t)n, false};
    *in_chunk = false;
    return 1;
}

int mcap_next(struct mcap_reader *r, const struct mcap_channel_info **chan,
              uint64_t *time_ns, uint32_t *sequence, const unsigned char **data,
              size_t *len, const char **why)
{
    for (;;) {
        uint8_t op;
        struct view v;
        bool in_chunk;
        int got = next_record(r, &op, &v, &in_chunk, why);
        if (got <= 0)
            return got;
        if (op == MCAP_DATA_END || op == MCAP_FOOTER)
            return 0;
        if (op == MCAP_CHANNEL && !add_channel(r, v, why))
            return -1;
        if (op == MCAP_CHUNK && !in_chunk && !open_chunk(r, v, why))
            return -1;
        if (op != MCAP_MESSAGE)
            continue;
        uint16_t id = (uint16_t)get_le(&v, 2);
        *sequence = (uint32_t)get_le(&v, 4);
        *time_ns = get_le(&v, 8);
        get_le(&v, 8); /* publish time */
        if (v.bad) {
            *why = "a message record cut short";
            return -1;
        }
        if ((*chan = channel(r, id)) == NULL) {
            *why = "a message on a channel not defined before it";
            return -1;
        }
        *data = v.p;
        *len = v.n;
        return 1;
    }
}
