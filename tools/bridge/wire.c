/* wire.c - the bridge's value encoding (bridge.h). Explicit little-endian,
 * so hosts of either byte order read it; the payload itself is the
 * segment's bytes, as its writers laid them out. */
#include "bridge.h"

#include <string.h>

static const unsigned char magic[4] = {'S', 'Q', 'B', '1'};

static void put32(unsigned char *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}
static void put64(unsigned char *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}
static uint32_t get32(const unsigned char *p)
{
    uint32_t v = 0;
    for (int i = 3; i >= 0; i--)
        v = v << 8 | p[i];
    return v;
}
static uint64_t get64(const unsigned char *p)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = v << 8 | p[i];
    return v;
}

size_t wire_encode(unsigned char *buf, size_t cap, const struct wire *w,
                   const void *payload)
{
    size_t slen = strlen(w->schema);
    size_t len = WIRE_HEADER + slen + w->size;
    if (len > cap)
        return 0;
    memcpy(buf, magic, 4);
    put32(buf + 4, WIRE_HEADER);
    put64(buf + 8, w->version);
    put64(buf + 16, w->time_ns);
    put64(buf + 24, w->epoch);
    put64(buf + 32, w->type_tag);
    put32(buf + 40, w->size);
    put32(buf + 44, (uint32_t)slen);
    put32(buf + 48, w->slots);
    put32(buf + 52, 0);
    memcpy(buf + WIRE_HEADER, w->schema, slen);
    memcpy(buf + WIRE_HEADER + slen, payload, w->size);
    return len;
}

bool wire_decode(const unsigned char *buf, size_t len, struct wire *w,
                 const char **why)
{
    if (len < WIRE_HEADER || memcmp(buf, magic, 4) != 0) {
        *why = "not a seqshm-bridge value";
        return false;
    }
    uint32_t hdr = get32(buf + 4);
    if (hdr < WIRE_HEADER || hdr > len) {
        *why = "damaged header";
        return false;
    }
    w->version = get64(buf + 8);
    w->time_ns = get64(buf + 16);
    w->epoch = get64(buf + 24);
    w->type_tag = get64(buf + 32);
    w->size = get32(buf + 40);
    uint32_t slen = get32(buf + 44);
    w->slots = get32(buf + 48);
    if (slen > SEQSHM_SCHEMA_MAX || w->size == 0 ||
        w->size > SEQSHM_MAX_SIZE || (uint64_t)hdr + slen + w->size != len) {
        *why = "sizes do not add up";
        return false;
    }
    memcpy(w->schema, buf + hdr, slen);
    w->schema[slen] = '\0';
    if (strlen(w->schema) != slen) {
        *why = "a NUL inside the schema";
        return false;
    }
    w->payload = buf + hdr + slen;
    return true;
}
