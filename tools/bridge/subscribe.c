/* subscribe.c - watches keys of the bucket and mirrors each into a local
 * segment of the same size, type tag and schema, one thread per key
 * pattern (a key, or a NATS wildcard: '*' one token, '>' the rest).
 *
 * A watch starts with every key's current value, then delivers each update
 * in the bucket's order. Each value is checked whole (wire.c) before
 * anything is written; a value whose size, type tag or schema differs from
 * its mirror's is reported and skipped (never written, even in part).
 *
 * Invariants
 *   - A mirror never goes back: values are ordered by (publisher epoch,
 *     version), and one not after the last written (an older publisher's,
 *     or a version repeated by a watch resumed after a reconnect) is
 *     skipped.
 *   - What remote values may take here is bounded: a mirror has at most
 *     --max-slots slots (fewer, down to one, when the budget is short), and
 *     all mirrors together at most --max-bytes; a value that cannot fit is
 *     refused, said once per key.
 *   - A key is tracked once, whatever its length: a key too long to name a
 *     segment is refused, said once, and takes one entry (its hash), not
 *     one per value.
 *   - The bridge writes only its own mirrors: each is created with the
 *     origin "nats-kv:BUCKET/KEY" ("nats-core:" with --core; seqshm.h,
 *     "Copies of other segments"),
 *     and opening with that origin refuses any segment that lacks it (a
 *     local one, another bucket's mirror). A restarted subscriber adopts
 *     the mirrors a previous one left, and no other segment.
 *   - A key refused for a cause that may pass (no descriptors, no memory,
 *     no room in /dev/shm) is tried again every RETRY_NS with its latest
 *     value, kept meanwhile; other refusals are for good.
 * The bridge is each mirror's sole writer, so local readers see whole
 * values only and local writers get SEQSHM_EBUSY. After each value it
 * records the source's version and publish time, and when it heard
 * (seqshm_origin_update): `seqshm info` shows them. Its mirrors, created
 * or adopted, are removed when it exits, unless --persist. */
#include "bridge.h"

#include <inttypes.h>
#include <pthread.h>
#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RETRY_NS 1000000000u /* a refusal that may pass: tried again */

struct mirror {
    char key[SEQSHM_NAME_MAX + 1]; /* a key too long is cut short here: */
    uint64_t hash;                 /* the whole key's, which tells */
    bool too_long;
    seqshm *s;       /* NULL while skipped */
    bool refused;    /* reported once: size, type or schema differ, over
                        the bounds, not a name, not the bridge's mirror */
    unsigned char *pending; /* the latest value while a refusal that may */
    size_t pending_len;     /* pass lasts, tried again at retry_ns */
    uint64_t retry_ns;
    uint64_t bytes;         /* taken from --max-bytes */
    uint64_t heard_ns;      /* monotonic: the last value or word (upkeep) */
    bool stale;             /* marked so in the mirror */
    seqshm_origin_info rec; /* what the mirror records of its source */
    uint64_t epoch, version, written, skipped;
    uint64_t written_said;  /* written at the last status line */
};

struct sub {
    const struct bridge_opts *o;
    natsConnection *nc;
    jsCtx *js;
    const char *pattern;
    struct mirror *m;
    size_t n, cap;
    int rc;
    _Atomic uint64_t *used; /* bytes of every mirror, all patterns' */
    uint64_t upkeep_ns;     /* the next look at the mirrors (upkeep) */
};

static uint64_t key_hash(const char *key) /* FNV-1a */
{
    uint64_t h = 0xcbf29ce484222325u;
    for (; *key; key++)
        h = (h ^ (unsigned char)*key) * 0x100000001b3u;
    return h;
}

static struct mirror *mirror_for(struct sub *b, const char *key)
{
    uint64_t h = key_hash(key);
    bool too_long = strlen(key) > SEQSHM_NAME_MAX;
    for (size_t i = 0; i < b->n; i++)
        if (b->m[i].hash == h && b->m[i].too_long == too_long &&
            (too_long || strcmp(b->m[i].key, key) == 0))
            return &b->m[i];
    if (b->n == b->cap) {
        size_t cap = b->cap ? 2 * b->cap : 16;
        struct mirror *m = realloc(b->m, cap * sizeof *m);
        if (m == NULL)
            return NULL;
        b->m = m;
        b->cap = cap;
    }
    struct mirror *m = &b->m[b->n++];
    memset(m, 0, sizeof *m);
    snprintf(m->key, sizeof m->key, "%s", key);
    m->hash = h;
    m->too_long = too_long;
    return m;
}

/* A mirror's object, about: slots of whole 128-byte strides, its header
 * and schema. */
static uint64_t mirror_bytes(uint64_t size, unsigned slots)
{
    return (uint64_t)slots * ((size + 127) / 128 * 128) + 8192;
}

/* The slots a new mirror of w may have, its bytes taken from the budget;
 * 0 (nothing taken) if not even one slot fits. */
static unsigned mirror_reserve(struct sub *b, const struct wire *w,
                               uint64_t *bytes)
{
    unsigned slots = b->o->slots ? b->o->slots : w->slots ? w->slots : 1;
    if (slots > b->o->max_slots)
        slots = b->o->max_slots;
    for (; slots >= 1; slots /= 2) {
        uint64_t need = mirror_bytes(w->size, slots);
        uint64_t used = atomic_load(b->used);
        while (used + need <= b->o->max_bytes)
            if (atomic_compare_exchange_weak(b->used, &used, used + need)) {
                *bytes = need;
                return slots;
            }
    }
    return 0;
}

/* A refusal that may pass: nothing about the value or the segment. */
static bool passing(int st, int err)
{
    return st == SEQSHM_ESYS && (err == EMFILE || err == ENFILE ||
                                 err == ENOMEM || err == ENOSPC ||
                                 err == EAGAIN);
}

/* The local segment for a key's first value: created as the value says, or
 * an existing mirror of the same key (its origin) that matches it. */
static bool mirror_open(struct sub *b, struct mirror *m, const struct wire *w)
{
    char name[SEQSHM_NAME_MAX + 2], origin[SEQSHM_ORIGIN_MAX + 2];
    int n = snprintf(name, sizeof name, "%s%s",
                     b->o->prefix ? b->o->prefix : "", m->key);
    if (n <= 0 || n > SEQSHM_NAME_MAX || strchr(m->key, '/') != NULL) {
        bridge_log("subscribe: key %s: not a segment "
                   "name; skipped", m->key);
        m->refused = true;
        return false;
    }
    n = snprintf(origin, sizeof origin, "%s:%s/%s",
                 b->o->core ? "nats-core" : "nats-kv", b->o->bucket, m->key);
    if (n <= 0 || n > SEQSHM_ORIGIN_MAX) {
        bridge_log("subscribe: key %s: bucket and key "
                   "longer than a mirror's origin (at most %d "
                   "characters); skipped", m->key, SEQSHM_ORIGIN_MAX);
        m->refused = true;
        return false;
    }
    uint64_t bytes = 0;
    unsigned slots = mirror_reserve(b, w, &bytes);
    if (slots == 0) {
        bridge_log("subscribe: key %s: a mirror of %u "
                   "bytes does not fit in what is left of --max-bytes "
                   "%" PRIu64 "; skipped", m->key, w->size,
                   b->o->max_bytes);
        m->refused = true;
        return false;
    }
    seqshm_options opts = {
        .flags = SEQSHM_CREATE | SEQSHM_SOLE_WRITER |
                 (b->o->persist ? SEQSHM_PERSIST : 0u),
        .type_tag = w->type_tag,
        .slots = slots,
        .schema = w->schema[0] ? w->schema : NULL,
        .origin = origin,
    };
    /* an untagged value does not check the tag at open: compared below */
    int st = seqshm_open_opts(&m->s, name, w->size, &opts);
    if (st == SEQSHM_EINVAL && opts.slots != 1) {
        opts.slots = 1; /* e.g. slots x size too large here: one slot */
        st = seqshm_open_opts(&m->s, name, w->size, &opts);
    }
    int err = errno;
    if (st == SEQSHM_OK && (seqshm_type_tag(m->s) != w->type_tag ||
                            strcmp(seqshm_schema(m->s), w->schema) != 0)) {
        seqshm_close(m->s);
        m->s = NULL;
        st = SEQSHM_ETYPE;
    }
    if (st != SEQSHM_OK) {
        atomic_fetch_sub(b->used, bytes);
        bool again = passing(st, err);
        if (m->retry_ns == 0) /* said once, however often tried */
            bridge_log("subscribe: key %s: local segment "
                       "%s: %s%s%s%s", m->key, name, seqshm_strerror(st),
                       st == SEQSHM_ESYS ? ": " : "",
                       st == SEQSHM_ESYS ? strerror(err) : "",
                       again ? "; trying again every second"
                       : st == SEQSHM_ETYPE ? " (or it is not this bucket's "
                       "mirror of the key); skipped"
                       : "; skipped");
        if (again)
            m->retry_ns = monotonic_ns() + RETRY_NS;
        else
            m->refused = true;
        return false;
    }
    if (m->retry_ns != 0)
        bridge_log("subscribe: key %s: local segment %s "
                   "made at last", m->key, name);
    m->retry_ns = 0;
    m->bytes = bytes;
    if (b->o->verbose)
        bridge_log("mirroring %s into %s (%u bytes)",
                   m->key, name, w->size);
    return true;
}

/* Keeps the latest value of a key whose mirror is to be tried again. */
static void keep_pending(struct mirror *m, const unsigned char *buf,
                         size_t len)
{
    unsigned char *p = realloc(m->pending, len);
    if (p == NULL)
        return; /* the next value will do */
    memcpy(p, buf, len);
    m->pending = p;
    m->pending_len = len;
}

/* The source was heard from (a value, or its publisher's word): the
 * mirror records it, and is fresh again if it was stale. */
static void heard(struct mirror *m)
{
    m->heard_ns = monotonic_ns();
    m->rec.refreshed_ns = realtime_ns();
    if (m->stale)
        bridge_log("subscribe: key %s: heard from the source again; fresh",
                   m->key);
    m->stale = m->rec.stale = false;
    seqshm_origin_update(m->s, &m->rec);
}

/* One value of a key, checked whole before anything is written. */
static void apply_value(struct sub *b, struct mirror *m,
                        const unsigned char *buf, size_t len)
{
    const char *key = m->key, *why = NULL;
    struct wire w;
    if (!wire_decode(buf, len, &w, &why)) {
        m->skipped++;
        bridge_log("subscribe: key %s: %s; skipped",
                   key, why);
        return;
    }
    if (m->s == NULL && m->retry_ns != 0 && monotonic_ns() < m->retry_ns) {
        keep_pending(m, buf, len); /* tried again at retry_ns */
        m->skipped++;
        return;
    }
    if (m->s == NULL && (m->refused || !mirror_open(b, m, &w))) {
        if (m->retry_ns != 0)
            keep_pending(m, buf, len);
        m->skipped++;
        return;
    }
    if (seqshm_size(m->s) != w.size || seqshm_type_tag(m->s) != w.type_tag ||
        strcmp(seqshm_schema(m->s), w.schema) != 0) {
        m->skipped++;
        bridge_log("subscribe: key %s: a value of "
                   "another size, type tag or schema than its mirror's; "
                   "skipped", key);
        return;
    }
    if (b->o->core && w.epoch == m->epoch && w.version == m->version) {
        heard(m); /* the publisher's once-a-second repeat (bridge.h) */
        return;
    }
    if (w.epoch < m->epoch || (w.epoch == m->epoch && w.version <= m->version)) {
        m->skipped++; /* an older publisher's, or seen already */
        return;
    }
    int st = seqshm_write(m->s, w.payload, 0);
    if (st != SEQSHM_OK) {
        m->skipped++;
        bridge_log("subscribe: key %s: %s", key,
                   seqshm_strerror(st));
        return;
    }
    m->rec = (seqshm_origin_info){.source_version = w.version,
                                  .source_time_ns = w.time_ns};
    heard(m);
    m->epoch = w.epoch;
    m->version = w.version;
    m->written++;
}

static void apply(struct sub *b, const char *key, const void *value,
                  size_t len)
{
    struct mirror *m = mirror_for(b, key);
    if (m == NULL)
        return;
    if (m->too_long) {
        if (!m->refused)
            bridge_log("subscribe: key %.40s... (%zu "
                       "characters): longer than a segment name (at "
                       "most %d); skipped", key, strlen(key),
                       SEQSHM_NAME_MAX);
        m->refused = true;
        m->skipped++;
        return;
    }
    apply_value(b, m, value, len);
}

/* A mirror whose name was removed (seqshm rm) or taken by another
 * segment: made again under the name, with the value and record it had. */
static void mirror_again(struct sub *b, struct mirror *m)
{
    seqshm *old = m->s;
    struct wire w = {.size = (uint32_t)seqshm_size(old),
                     .slots = seqshm_slots(old),
                     .type_tag = seqshm_type_tag(old)};
    snprintf(w.schema, sizeof w.schema, "%s", seqshm_schema(old));
    unsigned char *value = malloc(w.size);
    if (value == NULL || seqshm_read(old, value, 0) != SEQSHM_OK) {
        free(value);
        return; /* the next round */
    }
    bridge_log("subscribe: key %s: its mirror's name was removed or taken; "
               "making the mirror again", m->key);
    atomic_fetch_sub(b->used, m->bytes);
    m->s = NULL;
    if (mirror_open(b, m, &w) && seqshm_write(m->s, value, 0) == SEQSHM_OK)
        seqshm_origin_update(m->s, &m->rec);
    seqshm_close(old); /* not the name's any more: nothing removed */
    free(value);
}

/* Once a round: publishers' words, mirrors removed under the bridge,
 * sources gone quiet (--stale-after), and the status line. */
static void upkeep(struct sub *b, natsSubscription *alive, size_t skip,
                   uint64_t *status_ns)
{
    natsMsg *msg = NULL;
    while (alive != NULL && natsSubscription_NextMsg(&msg, alive, 0) ==
                                NATS_OK) {
        const char *key = natsMsg_GetSubject(msg) + skip;
        for (size_t i = 0; i < b->n; i++)
            if (b->m[i].s != NULL && !b->m[i].too_long &&
                strcmp(b->m[i].key, key) == 0)
                heard(&b->m[i]);
        natsMsg_Destroy(msg);
    }
    uint64_t now = monotonic_ns();
    if (now < b->upkeep_ns) /* four looks a second, whatever the rate */
        return;
    b->upkeep_ns = now + 250000000;
    for (size_t i = 0; i < b->n; i++) {
        struct mirror *m = &b->m[i];
        if (m->s == NULL)
            continue;
        if (!seqshm_is_current(m->s))
            mirror_again(b, m);
        if (m->s != NULL && !m->stale && b->o->stale_after_ns != 0 &&
            now - m->heard_ns > b->o->stale_after_ns) {
            m->stale = m->rec.stale = true;
            seqshm_origin_update(m->s, &m->rec);
            bridge_log("subscribe: key %s: nothing from the source for %.0f "
                       "s; mirror marked stale", m->key,
                       b->o->stale_after_ns / 1e9);
        }
    }
    if (b->o->status_ns == 0 || now < *status_ns)
        return;
    *status_ns = now + b->o->status_ns;
    for (size_t i = 0; i < b->n; i++) {
        struct mirror *m = &b->m[i];
        if (m->s == NULL)
            continue;
        bridge_log("status: key %s: %" PRIu64 " versions mirrored (%" PRIu64
                   " since the last status), %" PRIu64 " skipped, source "
                   "version %" PRIu64 ", heard %.1f s ago%s", m->key,
                   m->written, m->written - m->written_said, m->skipped,
                   m->rec.source_version, (now - m->heard_ns) / 1e9,
                   m->stale ? ", STALE" : "");
        m->written_said = m->written;
    }
}

/* Keys whose mirror is due to be tried again, with their latest value. */
static void retry_due(struct sub *b)
{
    uint64_t now = monotonic_ns();
    for (size_t i = 0; i < b->n; i++) {
        struct mirror *m = &b->m[i];
        if (m->s != NULL || m->pending == NULL || now < m->retry_ns)
            continue;
        unsigned char *buf = m->pending;
        size_t len = m->pending_len;
        m->pending = NULL;
        apply_value(b, m, buf, len);
        free(buf);
    }
}

/* --core: the values published on CORE_PREFIX.BUCKET.PATTERN while the
 * subscription lasts (the client renews it after a reconnection). */
static void subscribe_core(struct sub *b)
{
    char subject[32 + 256 + SEQSHM_NAME_MAX];
    int skip = snprintf(subject, sizeof subject, "%s.%s.", CORE_PREFIX,
                        b->o->bucket);
    snprintf(subject + skip, sizeof subject - (size_t)skip, "%s", b->pattern);
    natsSubscription *sub = NULL;
    natsStatus s = natsConnection_SubscribeSync(&sub, b->nc, subject);
    if (s == NATS_OK) /* a burst must not be dropped as a slow consumer */
        s = natsSubscription_SetPendingLimits(sub, -1, 256 << 20);
    if (s != NATS_OK) {
        bridge_log("subscribe %s: %s", subject, natsStatus_GetText(s));
        b->rc = EXIT_RUNTIME;
        natsSubscription_Destroy(sub);
        return;
    }
    uint64_t status_ns = monotonic_ns() + b->o->status_ns;
    while (!bridge_stop) {
        upkeep(b, NULL, 0, &status_ns);
        retry_due(b);
        natsMsg *msg = NULL;
        if (natsSubscription_NextMsg(&msg, sub, 250) != NATS_OK)
            continue; /* a timeout; a lost connection comes back */
        apply(b, natsMsg_GetSubject(msg) + skip, natsMsg_GetData(msg),
              (size_t)natsMsg_GetDataLength(msg));
        natsMsg_Destroy(msg);
    }
    natsSubscription_Destroy(sub);
}

static void *subscribe_one(void *arg)
{
    struct sub *b = arg;
    if (b->o->core) {
        subscribe_core(b);
        return NULL;
    }
    kvStore *kv = NULL;
    kvWatcher *w = NULL;
    bool said = false;
    char subject[32 + 256 + SEQSHM_NAME_MAX];
    int skip = snprintf(subject, sizeof subject, "%s.%s.", ALIVE_PREFIX,
                        b->o->bucket);
    snprintf(subject + skip, sizeof subject - (size_t)skip, "%s", b->pattern);
    natsSubscription *alive = NULL;
    if (natsConnection_SubscribeSync(&alive, b->nc, subject) != NATS_OK)
        alive = NULL; /* staleness from values alone */
    uint64_t status_ns = monotonic_ns() + b->o->status_ns;
    while (!bridge_stop) {
        upkeep(b, alive, (size_t)skip, &status_ns);
        if (kv == NULL) {
            natsStatus s = bridge_bucket(b->js, b->o->bucket, false, &kv);
            if (s != NATS_OK) {
                kv = NULL;
                char buf[160];
                if (!said)
                    bridge_log("subscribe: bucket %s: %s; waiting for it",
                               b->o->bucket, bucket_why(s, buf, sizeof buf));
                said = true;
                sleep_ns(250000000);
                continue;
            }
        }
        if (w == NULL) {
            natsStatus s = strcmp(b->pattern, ">") == 0
                               ? kvStore_WatchAll(&w, kv, NULL)
                               : kvStore_Watch(&w, kv, b->pattern, NULL);
            if (s != NATS_OK) {
                w = NULL;
                kvStore_Destroy(kv); /* the bucket may have gone: again */
                kv = NULL;
                sleep_ns(250000000);
                continue;
            }
        }
        retry_due(b);
        kvEntry *e = NULL;
        natsStatus s = kvWatcher_Next(&e, w, 250);
        if (s == NATS_TIMEOUT)
            continue;
        if (s != NATS_OK) { /* a stopped or broken watch: start again, from
                               the current values */
            if (b->o->verbose)
                bridge_log("subscribe %s: watch: %s; "
                           "watching again", b->pattern,
                           natsStatus_GetText(s));
            kvWatcher_Destroy(w);
            w = NULL;
            sleep_ns(100000000);
            continue;
        }
        if (e == NULL) /* the end of the initial values */
            continue;
        if (kvEntry_Operation(e) == kvOp_Put)
            apply(b, kvEntry_Key(e), kvEntry_Value(e),
                  (size_t)kvEntry_ValueLen(e));
        kvEntry_Destroy(e);
    }
    kvWatcher_Destroy(w);
    kvStore_Destroy(kv);
    natsSubscription_Destroy(alive);
    return NULL;
}

int bridge_subscribe(const struct bridge_opts *o)
{
    natsConnection *nc = NULL;
    jsCtx *js = NULL;
    natsStatus s = bridge_connect(o, &nc, &js);
    if (s != NATS_OK)
        return EXIT_CONNECT;
    bridge_log("mirroring key%s %s%s of %s %s into local segments %s"
               "KEY; stale after %.0f s without a word", o->nnames == 1 ? "" :
               "s", o->names[0], o->nnames > 1 ? " ..." : "",
               o->core ? "core NATS subjects (--core) of" : "bucket",
               o->bucket, o->prefix ? o->prefix : "",
               o->stale_after_ns / 1e9);
    struct sub *b = calloc((size_t)o->nnames, sizeof *b);
    pthread_t *t = calloc((size_t)o->nnames, sizeof *t);
    _Atomic uint64_t used = 0;
    int rc = 0;
    if (b == NULL || t == NULL) {
        bridge_log("out of memory");
        rc = EXIT_RUNTIME;
    }
    for (int i = 0; rc == 0 && i < o->nnames; i++) {
        b[i] = (struct sub){.o = o, .nc = nc, .js = js,
                            .pattern = o->names[i], .used = &used};
        pthread_create(&t[i], NULL, subscribe_one, &b[i]);
    }
    for (int i = 0; rc == 0 && i < o->nnames; i++)
        pthread_join(t[i], NULL);
    for (int i = 0; b != NULL && i < o->nnames; i++) {
        for (size_t k = 0; k < b[i].n; k++) {
            struct mirror *m = &b[i].m[k];
            bridge_log("mirrored %s: %" PRIu64
                       " versions written, %" PRIu64 " skipped",
                       m->key, m->written, m->skipped);
            if (m->s != NULL && !o->persist)
                seqshm_remove(m->s); /* created or adopted: its own */
            seqshm_close(m->s);
            free(m->pending);
        }
        free(b[i].m);
        if (b[i].rc != 0)
            rc = b[i].rc;
    }
    free(b);
    free(t);
    jsCtx_Destroy(js);
    natsConnection_Destroy(nc);
    return rc;
}
