/* nats_floor.c - the floor the bridge adds to: a plain NATS publish and its
 * delivery to a subscriber (core NATS, the same C client library), for a
 * payload of the bridge's size, at a given rate. Prints p50 and p99 of the
 * time from before the publish to the message in the subscriber's hands.
 *   nats_floor URL BYTES RATE COUNT */
#include <nats/nats.h>
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
    if (argc != 5) {
        fprintf(stderr, "usage: nats_floor URL BYTES RATE COUNT\n");
        return 2;
    }
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
    char *payload = calloc(1, (size_t)bytes);
    uint64_t *lat = calloc((size_t)count, sizeof *lat);
    uint64_t period = (uint64_t)(1e9 / rate), next = now_ns();
    for (int i = 0; i < count; i++) {
        uint64_t t0 = now_ns();
        natsMsg *m = NULL;
        if (natsConnection_Publish(pub, "seqshm.floor", payload, bytes) !=
                NATS_OK ||
            natsSubscription_NextMsg(&m, s, 5000) != NATS_OK) {
            fprintf(stderr, "nats_floor: message %d lost\n", i);
            return 1;
        }
        lat[i] = now_ns() - t0;
        natsMsg_Destroy(m);
        next += period;
        struct timespec ts = {(time_t)(next / 1000000000u),
                              (long)(next % 1000000000u)};
        clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
    }
    qsort(lat, (size_t)count, sizeof *lat, cmp);
    printf("%.1f %.1f\n", lat[count / 2] / 1e3, lat[count * 99 / 100] / 1e3);
    natsSubscription_Destroy(s);
    natsConnection_Destroy(pub);
    natsConnection_Destroy(sub);
    natsOptions_Destroy(o);
    nats_Close();
    return 0;
}
