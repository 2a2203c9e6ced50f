/* nats_floor.c - the floors the bridge adds to, with the same C client
 * library, for a payload of the bridge's size at a given rate: a plain
 * (core) NATS publish and its delivery to a subscriber, or (kv) what the
 * bridge itself rides on, a JetStream key-value put and its delivery to a
 * watcher of the key, no seqshm anywhere. Prints p50 and p99 of the time
 * from before the publish (put) to the message in the subscriber's
 * (watcher's) hands.
 *   nats_floor URL BYTES RATE COUNT [core|kv] */
#include <nats/nats.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int cmp(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
    if (argc != 5 && argc != 6) {
        fprintf(stderr, "usage: nats_floor URL BYTES RATE COUNT [core|kv]\n");
        return 2;
    }
    bool kv = argc == 6 && strcmp(argv[5], "kv") == 0;
    int bytes = atoi(argv[2]), count = atoi(argv[4]);
    double rate = atof(argv[3]);
    natsConnection *pub = NULL, *sub = NULL;
    natsSubscription *s = NULL;
    natsOptions *o = NULL;
    if (natsOptions_Create(&o) != NATS_OK ||
        natsOptions_SetURL(o, argv[1]) != NATS_OK ||
        natsOptions_SetSendAsap(o, true) != NATS_OK || /* as the bridge */
        natsConnection_Connect(&pub, o) != NATS_OK ||
        natsConnection_Connect(&sub, o) != NATS_OK ||
        natsConnection_SubscribeSync(&s, sub, "seqshm.floor") != NATS_OK ||
        natsConnection_Flush(sub) != NATS_OK) {
        fprintf(stderr, "nats_floor: cannot connect to %s\n", argv[1]);
        return 1;
    }
    jsCtx *pjs = NULL, *sjs = NULL;
    kvStore *pkv = NULL, *skv = NULL;
    kvWatcher *w = NULL;
    if (kv) { /* a bucket of its own, one key, watched from the start */
        kvConfig cfg;
        kvConfig_Init(&cfg);
        cfg.Bucket = "seqshm-floor";
        cfg.History = 1;
        kvEntry *first = NULL;
        if (natsConnection_JetStream(&pjs, pub, NULL) != NATS_OK ||
            natsConnection_JetStream(&sjs, sub, NULL) != NATS_OK ||
            (js_CreateKeyValue(&pkv, pjs, &cfg) != NATS_OK &&
             js_KeyValue(&pkv, pjs, cfg.Bucket) != NATS_OK) ||
            js_KeyValue(&skv, sjs, cfg.Bucket) != NATS_OK ||
            kvStore_Watch(&w, skv, "k", NULL) != NATS_OK ||
            kvWatcher_Next(&first, w, 5000) != NATS_OK) { /* end of the
                                                             initial values */
            fprintf(stderr, "nats_floor: no key-value bucket (JetStream?)\n");
            return 1;
        }
        kvEntry_Destroy(first);
    }
    char *payload = calloc(1, (size_t)bytes);
    uint64_t *lat = calloc((size_t)count, sizeof *lat);
    uint64_t period = (uint64_t)(1e9 / rate), next = now_ns();
    for (int i = 0; i < count; i++) {
        uint64_t t0 = now_ns();
        if (kv) {
            kvEntry *e = NULL;
            uint64_t rev = 0;
            payload[0] = (char)i;
            if (kvStore_Put(&rev, pkv, "k", payload, bytes) != NATS_OK ||
                kvWatcher_Next(&e, w, 5000) != NATS_OK || e == NULL) {
                fprintf(stderr, "nats_floor: value %d lost\n", i);
                return 1;
            }
            lat[i] = now_ns() - t0;
            kvEntry_Destroy(e);
        } else {
            natsMsg *m = NULL;
            if (natsConnection_Publish(pub, "seqshm.floor", payload, bytes) !=
                    NATS_OK ||
                natsSubscription_NextMsg(&m, s, 5000) != NATS_OK) {
                fprintf(stderr, "nats_floor: message %d lost\n", i);
                return 1;
            }
            lat[i] = now_ns() - t0;
            natsMsg_Destroy(m);
        }
        next += period;
        struct timespec ts = {(time_t)(next / 1000000000u),
                              (long)(next % 1000000000u)};
        clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
    }
    qsort(lat, (size_t)count, sizeof *lat, cmp);
    printf("%.1f %.1f\n", lat[count / 2] / 1e3, lat[count * 99 / 100] / 1e3);
    kvWatcher_Destroy(w);
    if (pkv != NULL)
        js_DeleteKeyValue(pjs, "seqshm-floor");
    kvStore_Destroy(pkv);
    kvStore_Destroy(skv);
    jsCtx_Destroy(pjs);
    jsCtx_Destroy(sjs);
    natsSubscription_Destroy(s);
    natsConnection_Destroy(pub);
    natsConnection_Destroy(sub);
    natsOptions_Destroy(o);
    nats_Close();
    return 0;
}
