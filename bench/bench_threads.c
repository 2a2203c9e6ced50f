/* bench_threads.c - a writer thread and a reader thread on different cores.
 *
 *   telemetry/<contender>/<size>  the writer publishes at 100 kHz, the reader
 *       reads flat out: percentiles of one read call's duration;
 *   flatout/<contender>/<size>    both flat out: reads/s, writes/s, retries
 *       per successful read, percentiles of a write call's duration.
 *
 * Every duration is taken on the thread that made the call (one core's
 * clock). Each thread maps the object on its own, as a process would. */
#include "clock.h"
#include "common.h"
#include "histo.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>

#define TELEMETRY_HZ 100000

struct tcase {
    const struct contender *c;
    size_t size;
    bool flat_out;
};

struct writer_arg {
    const struct tcase *k;
    void *ctx;
    uint64_t period; /* ticks between writes; 0: flat out */
    _Atomic int go, stop;
    uint64_t writes;
    struct histo h;  /* write durations */
};

static void *writer(void *p)
{
    struct writer_arg *w = p;
    pin_cpu(0);
    unsigned char *buf = payload_new(w->k->size);
    while (!atomic_load(&w->go))
        ;
    uint64_t next = ticks_begin();
    while (!atomic_load_explicit(&w->stop, memory_order_relaxed)) {
        buf[0] = (unsigned char)w->writes;
        uint64_t t0 = ticks_begin();
        w->k->c->write(w->ctx, buf);
        uint64_t t1 = ticks_end();
        histo_add(&w->h, t1 - t0);
        w->writes++;
        if (w->period) {
            next += w->period;
            while (ticks_begin() < next &&
                   !atomic_load_explicit(&w->stop, memory_order_relaxed))
                ;
        }
    }
    free(buf);
    return NULL;
}

static void bm_threads(gbench_state *st, void *arg)
{
    const struct tcase *k = arg;
    char name[64];
    bench_name(name, sizeof name, "t");
    static struct writer_arg w; /* big: keep it off the stack */
    static struct histo rh;
    void *wctx = k->c->open(name, k->size, true);
    void *rctx = wctx ? k->c->open(name, k->size, false) : NULL;
    if (rctx == NULL) {
        gbench_skip_with_error(st, "open failed");
        if (wctx)
            k->c->close(wctx);
        return;
    }
    unsigned char *buf = payload_new(k->size);
    pin_cpu(1);
    double ns_total = (double)run_ms() * 1e6;
    while (gbench_keep_running(st)) {
        histo_clear(&rh);
        histo_clear(&w.h);
        w.k = k;
        w.ctx = wctx;
        w.writes = 0;
        w.period = k->flat_out ? 0 : (uint64_t)(1e9 / TELEMETRY_HZ / ns_per_tick);
        atomic_store(&w.go, 0);
        atomic_store(&w.stop, 0);
        pthread_t t;
        pthread_create(&t, NULL, writer, &w);
        uint64_t retries0 = contender_read_retries();
        atomic_store(&w.go, 1);
        /* the deadline is checked on every call's own end stamp: a starved
         * reader (seconds per read) stops on time too */
        uint64_t start = mono_ns(), now;
        uint64_t end = ticks_begin() + (uint64_t)(ns_total / ns_per_tick), t1;
        do {
            uint64_t t0 = ticks_begin();
            k->c->read(rctx, buf);
            t1 = ticks_end();
            gbench_do_not_optimize(buf);
            histo_add(&rh, t1 - t0);
        } while (t1 < end);
        now = mono_ns();
        atomic_store(&w.stop, 1);
        pthread_join(t, NULL);
        double secs = (double)(now - start) / 1e9;
        uint64_t retries = contender_read_retries() - retries0;
        gbench_set_iteration_time(st, histo_mean(&rh) * ns_per_tick * 1e-9);
        gbench_counter(st, "read_p50_ns", histo_quantile(&rh, 0.50) * ns_per_tick);
        gbench_counter(st, "read_p99_ns", histo_quantile(&rh, 0.99) * ns_per_tick);
        gbench_counter(st, "read_p999_ns", histo_quantile(&rh, 0.999) * ns_per_tick);
        gbench_counter(st, "reads_per_s", (double)rh.n / secs);
        gbench_counter(st, "writes_per_s", (double)w.writes / secs);
        gbench_counter(st, "retries_per_read", (double)retries / (double)rh.n);
        gbench_counter(st, "write_p50_ns", histo_quantile(&w.h, 0.50) * ns_per_tick);
        gbench_counter(st, "write_p99_ns", histo_quantile(&w.h, 0.99) * ns_per_tick);
    }
    unpin();
    k->c->close(rctx);
    k->c->close(wctx);
    free(buf);
}

void register_threads(void)
{
    static struct tcase cases[2 * 16 * 8];
    size_t n = 0;
    gbench_opts o = {.iterations = 1, .repetitions = bench_repetitions(3),
                     .manual_time = true};
    for (int f = 0; f < 2; f++)
        for (size_t c = 0; c < ncontenders; c++)
            for (size_t z = 0; z < nbench_sizes; z++) {
                struct tcase *k = &cases[n++];
                k->c = &contenders[c];
                k->size = bench_sizes[z];
                k->flat_out = f;
                char name[96];
                snprintf(name, sizeof name, "%s/%s/%zu",
                         f ? "flatout" : "telemetry", k->c->name, k->size);
                gbench_register(name, bm_threads, k, &o);
            }
}
