/* serve_bench.c - the two ends `make bench-serve` puts around seqshm serve
 * (tests/serve/bench.js measures):
 *
 *   serve_bench writer PREFIX K RATE SECONDS
 *     makes the segments PREFIX-0 .. PREFIX-(K-1) (the demo's frame, whose
 *     stamp_ns is CLOCK_MONOTONIC at the write; 16 slots, so a follower
 *     that wakes late still gets every version) and writes each RATE times
 *     a second for SECONDS, then removes them;
 *   serve_bench floor PORT RATE SECONDS
 *     the floor: the same WebSocket library (libwebsockets) sending the
 *     same bytes, a message data frame holding the frame's JSON with its
 *     stamp, RATE times a second from a plain loop, to every client that
 *     connects with foxglove.websocket.v1; no seqshm anywhere. */
#include "seqshm.h"

#include <libwebsockets.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define SCHEMA "stamp_ns:u64 frame:u64 position:f64[3] attitude:f64[3] " \
               "counters:u32[4]"

struct frame {
    uint64_t stamp_ns, frame;
    double position[3], attitude[3];
    uint32_t counters[4];
};

static uint64_t mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void sleep_until(uint64_t t)
{
    struct timespec ts = {(time_t)(t / 1000000000u), (long)(t % 1000000000u)};
    clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
}

static int writer(const char *prefix, int k, double rate, double seconds)
{
    seqshm **s = calloc((size_t)k, sizeof *s);
    if (s == NULL)
        return 1;
    for (int i = 0; i < k; i++) {
        char name[128];
        snprintf(name, sizeof name, "%s-%d", prefix, i);
        seqshm_options o = {.flags = SEQSHM_CREATE | SEQSHM_EXCL,
                            .slots = 16, /* every version reaches serve */
                            .schema = SCHEMA};
        int st = seqshm_open_opts(&s[i], name, 0, &o);
        if (st != SEQSHM_OK) {
            fprintf(stderr, "serve_bench: %s: %s\n", name, seqshm_strerror(st));
            return 1;
        }
    }
    printf("ready\n");
    fflush(stdout);
    uint64_t period = (uint64_t)(1e9 / rate), next = mono_ns();
    uint64_t end = next + (uint64_t)(seconds * 1e9);
    struct frame f = {0};
    while (next < end) {
        for (int i = 0; i < k; i++) {
            f.position[0] = (double)f.frame;
            f.stamp_ns = mono_ns();
            seqshm_write(s[i], &f, SEQSHM_FOREVER);
        }
        f.frame++;
        next += period;
        sleep_until(next);
    }
    for (int i = 0; i < k; i++)
        seqshm_close(s[i]);
    free(s);
    return 0;
}

/* ---------------------------------------------------------------- floor */

struct floor_client {
    bool subscribed;
    uint32_t sub;
};

struct floor_state {
    struct lws_context *ctx;
    uint64_t period, next, sent;
    struct frame f;
    lws_sorted_usec_list_t tick;
};

/* The frame's JSON as seqshm serve sends it (fields_to_json's form). */
static size_t frame_json(char *buf, size_t cap, const struct frame *f)
{
    int n = snprintf(buf, cap,
                     "{\"stamp_ns\": %llu, \"frame\": %llu, \"position\": "
                     "[%.17g, %.17g, %.17g], \"attitude\": [%.17g, %.17g, "
                     "%.17g], \"counters\": [%u, %u, %u, %u]}",
                     (unsigned long long)f->stamp_ns,
                     (unsigned long long)f->frame, f->position[0],
                     f->position[1], f->position[2], f->attitude[0],
                     f->attitude[1], f->attitude[2], f->counters[0],
                     f->counters[1], f->counters[2], f->counters[3]);
    return n > 0 && (size_t)n < cap ? (size_t)n : 0;
}

static const char advertise[] =
    "{\"op\": \"advertise\", \"channels\": [{\"id\": 1, \"topic\": \"floor\", "
    "\"encoding\": \"json\", \"schemaName\": \"floor\", \"schemaEncoding\": "
    "\"jsonschema\", \"schema\": \"{}\"}]}";

static int on_floor(struct lws *wsi, enum lws_callback_reasons reason,
                    void *user, void *in, size_t len)
{
    struct floor_client *c = user;
    struct floor_state *st = lws_context_user(lws_get_context(wsi));
    unsigned char buf[LWS_PRE + 1024];
    switch (reason) {
    case LWS_CALLBACK_ESTABLISHED:
        c->subscribed = false;
        memcpy(buf + LWS_PRE, advertise, sizeof advertise - 1);
        lws_write(wsi, buf + LWS_PRE, sizeof advertise - 1, LWS_WRITE_TEXT);
        return 0;
    case LWS_CALLBACK_RECEIVE: { /* {"op": "subscribe", ... "id": N ...} */
        const char *id = memmem(in, len, "\"id\":", 5);
        if (id != NULL) {
            c->sub = (uint32_t)strtoul(id + 5, NULL, 10);
            c->subscribed = true;
        }
        return 0;
    }
    case LWS_CALLBACK_SERVER_WRITEABLE: {
        if (!c->subscribed)
            return 0;
        unsigned char *p = buf + LWS_PRE;
        size_t n = frame_json((char *)p + 13, sizeof buf - LWS_PRE - 13, &st->f);
        p[0] = 1;
        for (int i = 0; i < 4; i++)
            p[1 + i] = (unsigned char)(c->sub >> (8 * i));
        for (int i = 0; i < 8; i++)
            p[5 + i] = (unsigned char)(st->f.stamp_ns >> (8 * i));
        return lws_write(wsi, p, 13 + n, LWS_WRITE_BINARY) < 0 ? -1 : 0;
    }
    default:
        return 0;
    }
}

static const struct lws_protocols floor_protocols[] = {
    {"http", lws_callback_http_dummy, 0, 0, 0, NULL, 0},
    {"foxglove.websocket.v1", on_floor, sizeof(struct floor_client), 4096, 0,
     NULL, 0},
    {NULL, NULL, 0, 0, 0, NULL, 0},
};

/* Each tick: a new frame, stamped now, written to every subscribed client
 * at its next writable turn. */
static void on_tick(lws_sorted_usec_list_t *sul)
{
    struct floor_state *st = lws_container_of(sul, struct floor_state, tick);
    st->f.frame++;
    st->f.position[0] = (double)st->f.frame;
    st->f.stamp_ns = mono_ns();
    lws_callback_on_writable_all_protocol(st->ctx, &floor_protocols[1]);
    st->next += st->period;
    uint64_t now = mono_ns();
    lws_sul_schedule(st->ctx, 0, &st->tick, on_tick,
                     st->next > now ? (lws_usec_t)((st->next - now) / 1000) : 0);
}

static int floor_server(int port, double rate, double seconds)
{
    struct floor_state st = {.period = (uint64_t)(1e9 / rate)};
    struct lws_context_creation_info info;
    memset(&info, 0, sizeof info);
    info.port = port;
    info.iface = "127.0.0.1";
    info.protocols = floor_protocols;
    info.user = &st;
    lws_set_log_level(LLL_ERR, NULL);
    st.ctx = lws_create_context(&info);
    if (st.ctx == NULL)
        return 1;
    printf("ready\n");
    fflush(stdout);
    st.next = mono_ns() + st.period;
    lws_sul_schedule(st.ctx, 0, &st.tick, on_tick, (lws_usec_t)(st.period / 1000));
    uint64_t end = mono_ns() + (uint64_t)(seconds * 1e9);
    while (mono_ns() < end)
        if (lws_service(st.ctx, 0) < 0)
            break;
    lws_context_destroy(st.ctx);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc == 6 && strcmp(argv[1], "writer") == 0)
        return writer(argv[2], atoi(argv[3]), atof(argv[4]), atof(argv[5]));
    if (argc == 5 && strcmp(argv[1], "floor") == 0)
        return floor_server(atoi(argv[2]), atof(argv[3]), atof(argv[4]));
    fprintf(stderr, "usage: serve_bench writer PREFIX K RATE SECONDS\n"
                    "       serve_bench floor PORT RATE SECONDS\n");
    return 2;
}
