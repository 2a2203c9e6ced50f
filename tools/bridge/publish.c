/* publish.c - follows local segments and puts every new version into the
 * bucket, one thread per segment.
 *
 * Each thread sleeps in seqshm_wait on its segment (a read-write handle
 * announces itself, so the segment's writer wakes it: no polling; where the
 * bridge may only read the segment, it sleeps in slices of 1 ms), reads the
 * newest version and puts it. At most max_rate puts per second per
 * segment: a version that comes sooner waits for its turn and is replaced
 * by any newer one meanwhile (coalesced), so the latest always gets
 * through. A put that fails (server gone, bucket missing after a restart)
 * is retried with whatever is newest then. A torn payload (a writer died
 * mid-write) is never put: the thread waits for the next full write. */
#include "bridge.h"

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct pub {
    const struct bridge_opts *o;
    jsCtx *js;
    kvStore **kv;              /* shared; replaced (under the write lock)
                                  when the bucket is made again */
    pthread_rwlock_t *kv_lock; /* puts hold it for reading */
    const char *name, *key;
    uint64_t epoch;
    uint64_t puts, coalesced, failed;
    int rc;
};

static seqshm *open_source(struct pub *p)
{
    bool said = false;
    while (!bridge_stop) {
        seqshm *s;
        int st = seqshm_open(&s, p->name, 0, 0);
        if (st == SEQSHM_EACCES) /* may only read it: sleep in slices */
            st = seqshm_open(&s, p->name, 0, SEQSHM_RDONLY);
        if (st == SEQSHM_OK)
            return s;
        if (st != SEQSHM_ENOENT) {
            fprintf(stderr, "seqshm-bridge: publish %s: %s\n", p->name,
                    seqshm_strerror(st));
            p->rc = EXIT_RUNTIME;
            return NULL;
        }
        if (!said)
            fprintf(stderr, "seqshm-bridge: publish %s: waiting for the "
                            "segment to be created\n", p->name);
        said = true;
        sleep_ns(100000000);
    }
    return NULL;
}

static natsStatus put(struct pub *p, const unsigned char *val, size_t len)
{
    uint64_t rev;
    pthread_rwlock_rdlock(p->kv_lock);
    kvStore *used = *p->kv;
    natsStatus s = kvStore_Put(&rev, used, p->key, val, (int)len);
    pthread_rwlock_unlock(p->kv_lock);
    if (s == NATS_NOT_FOUND) { /* the bucket went (a server without its
                                  store): make it again, once */
        pthread_rwlock_wrlock(p->kv_lock);
        kvStore *kv = NULL;
        if (*p->kv == used &&
            bridge_bucket(p->js, p->o->bucket, true, &kv) == NATS_OK) {
            kvStore_Destroy(*p->kv);
            *p->kv = kv;
        }
        pthread_rwlock_unlock(p->kv_lock);
    }
    return s;
}

static void *publish_one(void *arg)
{
    struct pub *p = arg;
    seqshm *s = open_source(p);
    if (s == NULL)
        return NULL;
    struct wire w = {0};
    size_t size = seqshm_size(s);
    snprintf(w.schema, sizeof w.schema, "%s", seqshm_schema(s));
    w.size = (uint32_t)size;
    w.slots = seqshm_slots(s);
    w.type_tag = seqshm_type_tag(s);
    w.epoch = p->epoch;
    size_t cap = WIRE_HEADER + strlen(w.schema) + size;
    unsigned char *payload = malloc(size), *val = malloc(cap);
    if (payload == NULL || val == NULL) {
        fprintf(stderr, "seqshm-bridge: publish %s: out of memory\n", p->name);
        p->rc = EXIT_RUNTIME;
        goto out;
    }
    uint64_t period = p->o->max_rate > 0 ? (uint64_t)(1e9 / p->o->max_rate) : 0;
    uint64_t last_put_ns = 0;
    bool any = false;
    while (!bridge_stop) {
        uint64_t v;
        int st = seqshm_read_versioned(s, payload, &v, 250000000);
        if (st == SEQSHM_ETIMEDOUT)
            continue;
        if (st == SEQSHM_EOWNERDEAD) { /* torn: wait for a full write */
            seqshm_wait(s, seqshm_version(s), 250000000);
            continue;
        }
        if (st != SEQSHM_OK) {
            fprintf(stderr, "seqshm-bridge: publish %s: %s\n", p->name,
                    seqshm_strerror(st));
            p->rc = EXIT_RUNTIME;
            break;
        }
        if (any && v == w.version) { /* nothing new: sleep until a write */
            seqshm_wait(s, v, 250000000);
            continue;
        }
        uint64_t now = monotonic_ns();
        if (any && period && now < last_put_ns + period) {
            /* too soon: wait for the turn, then put whatever is newest */
            uint64_t left = last_put_ns + period - now;
            sleep_ns(left < 250000000 ? left : 250000000);
            continue;
        }
        uint64_t prev = w.version;
        w.version = v;
        w.time_ns = realtime_ns();
        size_t len = wire_encode(val, cap, &w, payload);
        natsStatus ns = put(p, val, len);
        if (ns != NATS_OK) {
            if (p->failed++ == 0 || p->o->verbose)
                fprintf(stderr, "seqshm-bridge: publish %s: put: %s; "
                                "retrying\n", p->name, natsStatus_GetText(ns));
            w.version = prev;
            sleep_ns(100000000);
            continue;
        }
        if (any && v > prev + 1)
            p->coalesced += v - prev - 1;
        any = true;
        p->puts++;
        last_put_ns = now;
    }
out:
    free(payload);
    free(val);
    seqshm_close(s);
    return NULL;
}

int bridge_publish(const struct bridge_opts *o)
{
    for (int i = 0; i < o->nnames; i++) {
        const char *why, *key = o->names[i][0] == '/' ? o->names[i] + 1
                                                      : o->names[i];
        if (!key_ok(key, &why)) {
            fprintf(stderr, "seqshm-bridge: publish %s: %s\n", o->names[i], why);
            return EXIT_USAGE;
        }
    }
    natsConnection *nc = NULL;
    jsCtx *js = NULL;
    natsStatus s = bridge_connect(o, &nc, &js);
    if (s != NATS_OK) {
        fprintf(stderr, "seqshm-bridge: cannot connect to %s: %s (%s)\n",
                o->server, natsStatus_GetText(s), nats_GetLastError(NULL));
        natsConnection_Destroy(nc);
        return EXIT_CONNECT;
    }
    kvStore *kv = NULL;
    s = bridge_bucket(js, o->bucket, true, &kv);
    if (s != NATS_OK) {
        fprintf(stderr, "seqshm-bridge: bucket %s: %s (%s; is JetStream "
                        "enabled: nats-server -js?)\n", o->bucket,
                natsStatus_GetText(s), nats_GetLastError(NULL));
        jsCtx_Destroy(js);
        natsConnection_Destroy(nc);
        return EXIT_RUNTIME;
    }
    pthread_rwlock_t kv_lock = PTHREAD_RWLOCK_INITIALIZER;
    struct pub *p = calloc((size_t)o->nnames, sizeof *p);
    pthread_t *t = calloc((size_t)o->nnames, sizeof *t);
    uint64_t epoch = realtime_ns();
    int rc = 0;
    if (p == NULL || t == NULL) {
        fprintf(stderr, "seqshm-bridge: out of memory\n");
        rc = EXIT_RUNTIME;
        o = NULL;
    }
    for (int i = 0; o != NULL && i < o->nnames; i++) {
        p[i] = (struct pub){.o = o, .js = js, .kv = &kv, .kv_lock = &kv_lock,
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
        fprintf(stderr, "seqshm-bridge: published %s: %" PRIu64 " puts, %"
                        PRIu64 " versions coalesced, %" PRIu64
                        " failed puts retried\n",
                p[i].name, p[i].puts, p[i].coalesced, p[i].failed);
    }
    kvStore_Destroy(kv);
    free(p);
    free(t);
    jsCtx_Destroy(js);
    natsConnection_Destroy(nc);
    return rc;
}
