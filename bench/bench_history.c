/* bench_history.c - slots and history, side by side in one run.
 *
 *   starve/<reader>/<size>   a writer thread publishes flat out; the reader
 *       copies the newest value flat out: reads/s and the share of read
 *       attempts that succeed (a read that found no snapshot in 10 ms is
 *       not counted; its attempts are). Readers: seqshm with 1, 2 and 8 slots; a
 *       plain ring of 8 slots that the writer fills and whose newest slot
 *       the reader copies with no check at all (the machine's floor for
 *       copying what another core just wrote); a memcpy of a private buffer.
 *   next/<size>              a 64-slot segment holding the versions ahead:
 *       the cost of one seqshm_next against one seqshm_read of the same
 *       payload (read_ns beside it).
 *   lost/100kHz/<slots>      a writer at 100 kHz for the run, a consumer in
 *       seqshm_next through a read-only handle on a segment of 64 or 1024
 *       slots: versions lost (and delivered).
 */
#include "clock.h"
#include "common.h"
#include "histo.h"

#include <pthread.h>
#include <seqshm.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RING 8

/* ------------------------------------------------------------ the readers */

struct plain_ring { /* no protocol: the floor */
    _Alignas(128) _Atomic uint64_t newest;
    unsigned char *slots; /* RING x stride */
    size_t stride;
};

struct scase {
    const char *reader; /* "seqshm-1slot", ..., "plain-ring", "memcpy" */
    unsigned slots;     /* seqshm readers */
    size_t size;
};

struct swriter {
    const struct scase *k;
    seqshm *shm;
    struct plain_ring *ring;
    _Atomic int go, stop;
    uint64_t writes;
};

static void *starve_writer(void *p)
{
    struct swriter *w = p;
    pin_cpu(0);
    unsigned char *buf = payload_new(w->k->size);
    while (!atomic_load(&w->go))
        ;
    while (!atomic_load_explicit(&w->stop, memory_order_relaxed)) {
        buf[0] = (unsigned char)w->writes;
        if (w->shm != NULL) {
            seqshm_write(w->shm, buf, SEQSHM_FOREVER);
        } else if (w->ring != NULL) {
            uint64_t n = atomic_load_explicit(&w->ring->newest,
                                              memory_order_relaxed) + 1;
            memcpy(w->ring->slots + (n % RING) * w->ring->stride, buf,
                   w->k->size);
            atomic_store_explicit(&w->ring->newest, n, memory_order_release);
        } else {
            gbench_clobber(); /* memcpy floor: nobody writes */
        }
        w->writes++;
    }
    free(buf);
    return NULL;
}

static void bm_starve(gbench_state *st, void *arg)
{
    const struct scase *k = arg;
    char name[64];
    bench_name(name, sizeof name, "h");
    static struct swriter w;
    memset(&w, 0, sizeof w);
    w.k = k;
    seqshm *r = NULL;
    struct plain_ring ring = {0};
    unsigned char *local = payload_new(k->size);
    if (k->slots != 0) {
        seqshm_options o = {.flags = SEQSHM_CREATE | SEQSHM_EXCL,
                            .slots = k->slots};
        if (seqshm_open_opts(&w.shm, name, k->size, &o) != SEQSHM_OK ||
            seqshm_open(&r, name, k->size, SEQSHM_RDONLY) != SEQSHM_OK) {
            gbench_skip_with_error(st, "open failed");
            seqshm_close(w.shm);
            free(local);
            return;
        }
    } else if (strcmp(k->reader, "plain-ring") == 0) {
        ring.stride = (k->size + 127) / 128 * 128;
        ring.slots = aligned_alloc(128, RING * ring.stride);
        memset(ring.slots, 1, RING * ring.stride);
        w.ring = &ring;
    }
    unsigned char *buf = payload_new(k->size);
    pin_cpu(1);
    double ns_total = (double)run_ms() * 1e6;
    while (gbench_keep_running(st)) {
        w.writes = 0;
        atomic_store(&w.go, 0);
        atomic_store(&w.stop, 0);
        pthread_t t;
        pthread_create(&t, NULL, starve_writer, &w);
        uint64_t retries0 = contender_read_retries(), reads = 0;
        atomic_store(&w.go, 1);
        uint64_t start = mono_ns();
        uint64_t end = ticks_begin() + (uint64_t)(ns_total / ns_per_tick);
        do {
            if (r != NULL) {
                /* bounded: a starved reader must not hang the run */
                if (seqshm_read(r, buf, 10000000) != SEQSHM_OK)
                    continue;
            } else if (w.ring != NULL) {
                uint64_t n = atomic_load_explicit(&ring.newest,
                                                  memory_order_acquire);
                memcpy(buf, ring.slots + (n % RING) * ring.stride, k->size);
            } else {
                memcpy(buf, local, k->size);
            }
            gbench_do_not_optimize(buf);
            reads++;
        } while (ticks_end() < end);
        uint64_t now = mono_ns();
        atomic_store(&w.stop, 1);
        pthread_join(t, NULL);
        double secs = (double)(now - start) / 1e9;
        uint64_t retries = contender_read_retries() - retries0;
        gbench_set_iteration_time(st, secs / (double)reads);
        gbench_counter(st, "reads_per_s", (double)reads / secs);
        gbench_counter(st, "writes_per_s", (double)w.writes / secs);
        gbench_counter(st, "success",
                       (double)reads / (double)(reads + retries));
    }
    unpin();
    seqshm_close(r);
    seqshm_close(w.shm);
    free(ring.slots);
    free(buf);
    free(local);
}

/* ------------------------------------------------------- next vs read */

static void bm_next(gbench_state *st, void *arg)
{
    size_t size = *(const size_t *)arg;
    char name[64];
    bench_name(name, sizeof name, "n");
    seqshm *w;
    seqshm_options o = {.flags = SEQSHM_CREATE | SEQSHM_EXCL, .slots = 64};
    if (seqshm_open_opts(&w, name, size, &o) != SEQSHM_OK) {
        gbench_skip_with_error(st, "open failed");
        return;
    }
    unsigned char *buf = payload_new(size);
    enum { BATCH = 32 };
    double next_ns = 0, read_ns = 0;
    int64_t n = 0;
    while (gbench_keep_running(st)) {
        for (int i = 0; i < BATCH; i++)
            seqshm_write(w, buf, 0);
        uint64_t cursor = seqshm_version(w) - BATCH, lost;
        uint64_t t0 = ticks_begin();
        for (int i = 0; i < BATCH; i++) {
            seqshm_next(w, &cursor, buf, &lost, 0);
            gbench_do_not_optimize(buf);
        }
        uint64_t t1 = ticks_end();
        for (int i = 0; i < BATCH; i++) {
            seqshm_read(w, buf, 0);
            gbench_do_not_optimize(buf);
        }
        uint64_t t2 = ticks_end();
        next_ns += (double)(t1 - t0) * ns_per_tick;
        read_ns += (double)(t2 - t1) * ns_per_tick;
        n += BATCH;
        gbench_set_iteration_time(st, (double)(t1 - t0) * ns_per_tick * 1e-9 /
                                          BATCH);
    }
    gbench_counter(st, "next_ns", next_ns / (double)n);
    gbench_counter(st, "read_ns", read_ns / (double)n);
    seqshm_close(w);
    free(buf);
}

/* --------------------------------------------------- lost at 100 kHz */

struct lost_arg {
    seqshm *r;
    _Atomic int stop, ready;
    uint64_t delivered, lost;
};

static void *consumer(void *p)
{
    struct lost_arg *a = p;
    pin_cpu(1);
    unsigned char buf[64];
    uint64_t cursor = seqshm_version(a->r), lost;
    atomic_store(&a->ready, 1);
    while (!atomic_load(&a->stop)) {
        if (seqshm_next(a->r, &cursor, buf, &lost, 10000000) == SEQSHM_OK) {
            a->delivered++;
            a->lost += lost;
        }
    }
    return NULL;
}

static void bm_lost(gbench_state *st, void *arg)
{
    unsigned slots = *(const unsigned *)arg;
    char name[64];
    bench_name(name, sizeof name, "l");
    seqshm *w;
    static struct lost_arg a;
    seqshm_options o = {.flags = SEQSHM_CREATE | SEQSHM_EXCL, .slots = slots};
    if (seqshm_open_opts(&w, name, 64, &o) != SEQSHM_OK ||
        seqshm_open(&a.r, name, 64, SEQSHM_RDONLY) != SEQSHM_OK) {
        gbench_skip_with_error(st, "open failed");
        return;
    }
    unsigned char buf[64] = {1};
    pin_cpu(0);
    while (gbench_keep_running(st)) {
        a.delivered = a.lost = 0;
        atomic_store(&a.stop, 0);
        atomic_store(&a.ready, 0);
        pthread_t t;
        pthread_create(&t, NULL, consumer, &a);
        while (!atomic_load(&a.ready))
            ;
        uint64_t period = (uint64_t)(1e4 / ns_per_tick); /* 10 us */
        uint64_t next = ticks_begin(), writes = 0;
        uint64_t end = next + (uint64_t)((double)run_ms() * 5e6 / ns_per_tick);
        while (next < end) {
            seqshm_write(w, buf, SEQSHM_FOREVER);
            writes++;
            next += period;
            while (ticks_begin() < next)
                ;
        }
        /* let the consumer drain what is kept, then stop it */
        uint64_t t0 = mono_ns();
        while (a.delivered + a.lost < writes && mono_ns() - t0 < 1000000000u)
            ;
        atomic_store(&a.stop, 1);
        pthread_join(t, NULL);
        gbench_set_iteration_time(st, 1e-5);
        gbench_counter(st, "versions", (double)writes);
        gbench_counter(st, "delivered", (double)a.delivered);
        gbench_counter(st, "lost", (double)a.lost);
    }
    unpin();
    seqshm_close(a.r);
    seqshm_close(w);
}

void register_history(void)
{
    static const char *readers[] = {"seqshm-1slot", "seqshm-2slot",
                                    "seqshm-8slot", "plain-ring", "memcpy"};
    static const unsigned nslots[] = {1, 2, 8, 0, 0};
    static const size_t sizes[] = {4096, 65536};
    static struct scase cases[5 * 2];
    gbench_opts o = {.iterations = 1, .repetitions = bench_repetitions(3),
                     .manual_time = true};
    size_t n = 0;
    for (int z = 0; z < 2; z++)
        for (int r = 0; r < 5; r++) {
            struct scase *k = &cases[n++];
            k->reader = readers[r];
            k->slots = nslots[r];
            k->size = sizes[z];
            char name[96];
            snprintf(name, sizeof name, "starve/%s/%zu", k->reader, k->size);
            gbench_register(name, bm_starve, k, &o);
        }
    static const size_t next_sizes[] = {64, 4096};
    /* a fixed count: the manual time of one iteration is a few ns, the
     * real time (writes, next, read) a microsecond */
    gbench_opts on = {.iterations = bench_smoke() ? 1000 : 100000,
                      .repetitions = bench_repetitions(3), .manual_time = true};
    for (int z = 0; z < 2; z++) {
        char name[64];
        snprintf(name, sizeof name, "next/%zu", next_sizes[z]);
        gbench_register(name, bm_next, (void *)&next_sizes[z], &on);
    }
    static const unsigned lost_slots[] = {64, 1024};
    for (int i = 0; i < 2; i++) {
        char name[64];
        snprintf(name, sizeof name, "lost/100kHz/%u", lost_slots[i]);
        gbench_register(name, bm_lost, (void *)&lost_slots[i], &o);
    }
}
