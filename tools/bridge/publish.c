/* publish.c - follows local segments and puts every new version into the
 * bucket, one thread per segment.
 *
 * Each thread follows its segment with seqshm_next (sleeping in the
 * segment's futex: a read-write handle announces itself, so the writer
 * wakes it, no polling; where the bridge may only read the segment, it
 * sleeps in slices of 1 ms) and puts every version the segment still keeps
 * when it gets there: with slots, every version while the bridge keeps
 * up; with one slot, the newest. With --max-rate, at most max_rate puts per second per
 * segment: a version that comes sooner waits for its turn and is replaced
 * by any newer one meanwhile (coalesced), so the latest always gets
 * through. A put is a JetStream publish to the key's subject ($KV.B.KEY,
 * as a key-value put is), made asynchronously: the thread does not wait
 * for the server's acknowledgement before the next one, so puts follow
 * each other as fast as the connection carries them, in order. With
 * --core, a put is a plain NATS publish on CORE_PREFIX.BUCKET.KEY and the
 * latest value is sent again once a second (bridge.h). A put the
 * server refuses or never acknowledges (server gone, bucket missing after
 * a restart) marks the segment dirty: the thread makes sure the bucket
 * exists and puts whatever is newest then. A torn payload (a writer died
 * mid-write) is never put: the thread waits for the next full write. A
 * segment that is a mirror of the same bucket (subscribe.c) is refused. */
#include "bridge.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct pub {
    const struct bridge_opts *o;
    natsConnection *nc;
    jsCtx *js;                 /* shared: bucket checks */
    const char *name, *key;
    uint64_t epoch;
    uint64_t puts, coalesced;
    _Atomic uint64_t failed;   /* puts refused or not acknowledged */
    _Atomic int dirty;         /* such a put since the last look */
    int rc;
};

/* A mirror of this very bucket (its origin says so, subscribe.c): putting
 * its values back would echo them for ever. Said, and refused. */
static bool is_echo(const struct pub *p, const seqshm *s)
{
    seqshm_origin_info o;
    char prefix[SEQSHM_ORIGIN_MAX + 2];
    snprintf(prefix, sizeof prefix, "%s:%s/",
             p->o->core ? "nats-core" : "nats-kv", p->o->bucket);
    if (seqshm_origin(s, &o) != SEQSHM_OK ||
        strncmp(o.origin, prefix, strlen(prefix)) != 0)
        return false;
    bridge_log("publish %s: a mirror of this bucket's key "
               "%s: publishing it into the same bucket would loop; "
               "refused", p->name, o.origin + strlen(prefix));
    return true;
}

static seqshm *open_source(struct pub *p)
{
    bool said = false;
    while (!bridge_stop) {
        seqshm *s;
        int st = seqshm_open(&s, p->name, 0, 0);
        if (st == SEQSHM_EACCES) /* may only read it: sleep in slices */
            st = seqshm_open(&s, p->name, 0, SEQSHM_RDONLY);
        if (st == SEQSHM_OK && is_echo(p, s)) {
            seqshm_close(s);
            p->rc = EXIT_RUNTIME;
            return NULL;
        }
        if (st == SEQSHM_OK)
            return s;
        if (st != SEQSHM_ENOENT) {
            bridge_log("publish %s: %s", p->name, seqshm_strerror(st));
            p->rc = EXIT_RUNTIME;
            return NULL;
        }
        if (!said)
            bridge_log("publish %s: waiting for the segment to be created",
                       p->name);
        said = true;
        sleep_ns(100000000);
    }
    return NULL;
}

/* From the client's thread: a put was refused or timed out. */
static void on_put_error(jsCtx *js, jsPubAckErr *pae, void *closure)
{
    struct pub *p = closure;
    (void)js;
    if (atomic_fetch_add(&p->failed, 1) == 0 || p->o->verbose)
        bridge_log("publish %s: put: %s%s%s; putting the "
                   "latest again", p->name, natsStatus_GetText(pae->Err),
                   pae->ErrText ? ": " : "", pae->ErrText ? pae->ErrText : "");
    atomic_store(&p->dirty, 1);
}

/* Makes sure the bucket exists (a restarted server may have lost it). */
static natsStatus bucket_again(struct pub *p)
{
    kvStore *kv = NULL;
    natsStatus s = bridge_bucket(p->js, p->o->bucket, true, &kv);
    kvStore_Destroy(kv);
    return s;
}

/* The heartbeat's subject for a key (bridge.h). */
static void alive_subject(char *buf, size_t cap, const struct pub *p)
{
    snprintf(buf, cap, "%s.%s.%s", ALIVE_PREFIX, p->o->bucket, p->key);
}

/* Follows one source segment, putting its versions, until the bridge
 * stops (0), the name no longer names it (1: removed, or made again) or an
 * error (-1). Versions are ordered within the epoch, which is new for each
 * segment the name has named. */
static int follow_source(struct pub *p, jsCtx *js, seqshm *s, uint64_t epoch)
{
    char subject[32 + 256 + SEQSHM_NAME_MAX], alive[32 + 256 + SEQSHM_NAME_MAX];
    bool core = p->o->core;
    snprintf(subject, sizeof subject, "%s.%s.%s", core ? CORE_PREFIX : "$KV",
             p->o->bucket, p->key);
    alive_subject(alive, sizeof alive, p);
    size_t len = 0; /* of the last value put (val) */
    struct wire w = {0};
    size_t size = seqshm_size(s);
    snprintf(w.schema, sizeof w.schema, "%s", seqshm_schema(s));
    w.size = (uint32_t)size;
    w.slots = seqshm_slots(s);
    w.type_tag = seqshm_type_tag(s);
    w.epoch = epoch;
    size_t cap = WIRE_HEADER + strlen(w.schema) + size;
    unsigned char *payload = malloc(size), *val = malloc(cap);
    int why = -1;
    if (payload == NULL || val == NULL) {
        bridge_log("publish %s: out of memory", p->name);
        goto out;
    }
    uint64_t period = p->o->max_rate > 0 ? (uint64_t)(1e9 / p->o->max_rate) : 0;
    uint64_t last_put_ns = 0, cursor = 0, looked_ns = monotonic_ns();
    uint64_t status_ns = looked_ns + p->o->status_ns, puts_said = p->puts;
    unsigned seen_reconnects = atomic_load(&bridge_reconnects);
    bool any = false;
    while (!bridge_stop) {
        uint64_t now = monotonic_ns();
        if (p->o->status_ns != 0 && now >= status_ns) {
            status_ns = now + p->o->status_ns;
            bridge_log("status: publish %s: %" PRIu64 " puts (%" PRIu64
                       " since the last status), %" PRIu64 " versions "
                       "coalesced, %" PRIu64 " failed puts retried, %u "
                       "reconnects, source version %" PRIu64, p->name,
                       p->puts, p->puts - puts_said, p->coalesced,
                       (uint64_t)atomic_load(&p->failed),
                       atomic_load(&bridge_reconnects), w.version);
            puts_said = p->puts;
        }
        if (now - looked_ns >= ALIVE_NS) { /* once a second */
            looked_ns = now;
            if (!seqshm_is_current(s)) {
                why = 1;
                goto out;
            }
            /* lost while disconnected: the subscriber's staleness, as it
               should; with --core, the latest value again (bridge.h) */
            if (!core)
                natsConnection_Publish(p->nc, alive, NULL, 0);
            else if (any)
                natsConnection_Publish(p->nc, subject, val, (int)len);
        }
        unsigned r = atomic_load(&bridge_reconnects);
        if (r != seen_reconnects) { /* the server may have lost its store:
                                       the latest again */
            seen_reconnects = r;
            atomic_store(&p->dirty, 1);
        }
        if (atomic_exchange(&p->dirty, 0)) { /* a put failed, or the server
                                                came back: the latest again,
                                                once the bucket is there */
            while (!core && !bridge_stop && bucket_again(p) != NATS_OK)
                sleep_ns(100000000);
            any = false;
        }
        uint64_t v = 0, lost = 0;
        int st;
        if (!any || period) { /* the newest (at start, after a failure, and
                                 when rate-limited) */
            st = seqshm_read_versioned(s, payload, &v, 250000000);
            if (st == SEQSHM_OK && any && v == w.version) {
                seqshm_wait(s, v, 250000000); /* nothing new */
                continue;
            }
        } else { /* every version the segment still keeps, in order */
            cursor = w.version;
            st = seqshm_next(s, &cursor, payload, &lost, 250000000);
            v = cursor;
        }
        if (st == SEQSHM_ETIMEDOUT)
            continue;
        if (st == SEQSHM_EOWNERDEAD) { /* torn: wait for a full write */
            seqshm_wait(s, seqshm_version(s), 250000000);
            continue;
        }
        if (st != SEQSHM_OK) {
            bridge_log("publish %s: %s", p->name, seqshm_strerror(st));
            goto out;
        }
        now = monotonic_ns();
        if (any && period && now < last_put_ns + period) {
            /* too soon: wait for the turn, then put whatever is newest */
            uint64_t left = last_put_ns + period - now;
            sleep_ns(left < 250000000 ? left : 250000000);
            continue;
        }
        uint64_t prev = w.version;
        w.version = v;
        w.time_ns = realtime_ns();
        len = wire_encode(val, cap, &w, payload);
        natsStatus ns = core ? natsConnection_Publish(p->nc, subject, val,
                                                      (int)len)
                             : js_PublishAsync(js, subject, val, (int)len,
                                               NULL);
        if (ns != NATS_OK) {
            if (atomic_fetch_add(&p->failed, 1) == 0 || p->o->verbose)
                bridge_log("publish %s: put: %s; retrying", p->name,
                           natsStatus_GetText(ns));
            w.version = prev;
            any = false; /* the newest, once it can */
            sleep_ns(100000000);
            continue;
        }
        if (any && v > prev + 1)
            p->coalesced += v - prev - 1;
        any = true;
        p->puts++;
        last_put_ns = now;
    }
    why = 0;
out:
    free(payload);
    free(val);
    return why;
}

static void *publish_one(void *arg)
{
    struct pub *p = arg;
    /* this thread's JetStream context: its acknowledgements and errors */
    jsCtx *js = NULL;
    jsOptions jo;
    jsOptions_Init(&jo);
    jo.PublishAsync.MaxPending = 4096;
    jo.PublishAsync.ErrHandler = on_put_error;
    jo.PublishAsync.ErrHandlerClosure = p;
    if (natsConnection_JetStream(&js, p->nc, &jo) != NATS_OK) {
        bridge_log("publish %s: out of memory", p->name);
        p->rc = EXIT_RUNTIME;
        return NULL;
    }
    uint64_t epoch = p->epoch;
    for (;;) {
        seqshm *s = open_source(p);
        if (s == NULL)
            break;
        int why = follow_source(p, js, s, epoch);
        seqshm_close(s);
        if (why <= 0) {
            if (why < 0)
                p->rc = EXIT_RUNTIME;
            break;
        }
        bridge_log("publish %s: the name no longer names the segment "
                   "followed (removed, or made again); following whatever "
                   "it names next", p->name);
        /* a new epoch: the new segment's versions start again */
        uint64_t now = realtime_ns();
        epoch = now > epoch ? now : epoch + 1;
    }
    /* the last puts' acknowledgements, briefly */
    jsPubOptions po;
    jsPubOptions_Init(&po);
    po.MaxWait = 2000;
    js_PublishAsyncComplete(js, &po);
    jsCtx_Destroy(js);
    return NULL;
}

int bridge_publish(const struct bridge_opts *o)
{
    for (int i = 0; i < o->nnames; i++) {
        const char *why, *key = o->names[i][0] == '/' ? o->names[i] + 1
                                                      : o->names[i];
        if (!key_ok(key, &why)) {
            bridge_log("publish %s: %s", o->names[i], why);
            return EXIT_USAGE;
        }
    }
    natsConnection *nc = NULL;
    jsCtx *js = NULL;
    natsStatus s = bridge_connect(o, &nc, &js);
    if (s != NATS_OK)
        return EXIT_CONNECT;
    kvStore *kv = NULL;
    if (!o->core)
        s = bridge_bucket(js, o->bucket, true, &kv);
    if (s != NATS_OK) {
        char buf[160];
        bridge_log("bucket %s: %s", o->bucket,
                   bucket_why(s, buf, sizeof buf));
        jsCtx_Destroy(js);
        natsConnection_Destroy(nc);
        return EXIT_RUNTIME;
    }
    if (o->core)
        bridge_log("publishing %d segment%s as core NATS messages on %s.%s."
                   "KEY (--core: the server keeps nothing): %s%s", o->nnames,
                   o->nnames == 1 ? "" : "s", CORE_PREFIX, o->bucket,
                   o->names[0], o->nnames > 1 ? " ..." : "");
    else
        bridge_log("publishing %d segment%s into bucket %s: %s%s", o->nnames,
                   o->nnames == 1 ? "" : "s", o->bucket, o->names[0],
                   o->nnames > 1 ? " ..." : "");
    struct pub *p = calloc((size_t)o->nnames, sizeof *p);
    pthread_t *t = calloc((size_t)o->nnames, sizeof *t);
    uint64_t epoch = realtime_ns();
    int rc = 0;
    if (p == NULL || t == NULL) {
        bridge_log("out of memory");
        rc = EXIT_RUNTIME;
        o = NULL;
    }
    for (int i = 0; o != NULL && i < o->nnames; i++) {
        p[i] = (struct pub){.o = o, .nc = nc, .js = js,
                            .name = o->names[i],
                            .key = o->names[i][0] == '/' ? o->names[i] + 1
                                                         : o->names[i],
                            .epoch = epoch};
        pthread_create(&t[i], NULL, publish_one, &p[i]);
    }
    for (int i = 0; o != NULL && i < o->nnames; i++) {
        pthread_join(t[i], NULL);
        if (p[i].rc != 0)
            rc = p[i].rc;
        bridge_log("published %s: %" PRIu64 " puts, %"
                   PRIu64 " versions coalesced, %" PRIu64
                   " failed puts retried",
                   p[i].name, p[i].puts, p[i].coalesced,
                   (uint64_t)atomic_load(&p[i].failed));
    }
    kvStore_Destroy(kv);
    free(p);
    free(t);
    jsCtx_Destroy(js);
    natsConnection_Destroy(nc);
    return rc;
}
