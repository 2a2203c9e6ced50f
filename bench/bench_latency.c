/* bench_latency.c - publish-to-observe across two processes, measured as
 * round trips on the parent's clock (one-way = round trip / 2).
 *
 *   latency/pingpong-line          floor for spinning readers: each side
 *                                  stores a counter in its own cache line
 *                                  and spins on the other's
 *   latency/seqshm-spin/<writer>/<bytes>
 *                                  each side publishes with seqshm_write
 *                                  and spins reading the other segment
 *                                  until its version moves on; writer
 *                                  single, double (shared claim) or sole
 *                                  (single buffer, SEQSHM_SOLE_WRITER);
 *                                  48 B sits in the sequence's cache line,
 *                                  256 B does not
 *   latency/futex-pingpong         floor for sleeping readers: the same
 *                                  with raw futex wait/wake
 *   latency/seqshm-wait/<writer>   each side sleeps in seqshm_wait, then
 *                                  reads the snapshot (64 B); full-fence:
 *                                  the shared claim with SEQSHM_FENCE=full,
 *                                  writers fencing and waiters not (how
 *                                  every write worked before the waiters'
 *                                  barrier)
 * Parent on CPU 0, child on CPU 1. */
#include "clock.h"
#include "common.h"
#include "histo.h"
#include "seqshm.h"

#include <limits.h>
#include <linux/futex.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAX_PAYLOAD 256

enum kind { LINE, FUTEX, SEQ_SPIN, SEQ_WAIT };

struct lcase {
    enum kind kind;
    unsigned flags; /* layout, and SEQSHM_SOLE_WRITER for the writers */
    size_t size;
    bool full_fence; /* SEQSHM_FENCE=full for both processes */
};

struct lines { /* MAP_SHARED between the two processes */
    _Alignas(128) _Atomic uint32_t ping;
    _Alignas(128) _Atomic uint32_t pong;
};

static void fwait(_Atomic uint32_t *w, uint32_t v)
{
    syscall(SYS_futex, (uint32_t *)w, FUTEX_WAIT, v, NULL, NULL, 0);
}
static void fwake(_Atomic uint32_t *w)
{
    syscall(SYS_futex, (uint32_t *)w, FUTEX_WAKE, INT_MAX, NULL, NULL, 0);
}

/* Waits until *w == v, spinning or sleeping on the futex. */
static void await(_Atomic uint32_t *w, uint32_t v, bool sleep)
{
    uint32_t cur;
    while ((cur = atomic_load_explicit(w, memory_order_acquire)) != v)
        if (sleep)
            fwait(w, cur);
}

static void post(_Atomic uint32_t *w, uint32_t v, bool wake)
{
    atomic_store_explicit(w, v, memory_order_release);
    if (wake)
        fwake(w);
}

/* seqshm: read s until its snapshot is version v or later, spinning on
 * read_versioned or sleeping in seqshm_wait between reads. */
static void seq_await(seqshm *s, uint64_t v, bool sleep, unsigned char *buf)
{
    uint64_t got = 0;
    for (;;) {
        seqshm_read_versioned(s, buf, &got, SEQSHM_FOREVER);
        if (got >= v)
            return;
        if (sleep)
            seqshm_wait(s, got, SEQSHM_FOREVER);
    }
}

static void child(const struct lcase *k, struct lines *l, const char *na,
                  const char *nb, long rounds, int ready)
{
    pin_cpu(1);
    seqshm *a = NULL, *b = NULL;
    unsigned char buf[MAX_PAYLOAD] = {0};
    if (k->kind == SEQ_SPIN || k->kind == SEQ_WAIT) {
        /* the child writes b: as its sole writer, if asked */
        if (seqshm_open(&a, na, k->size, 0) != SEQSHM_OK ||
            seqshm_open(&b, nb, k->size, k->flags & SEQSHM_SOLE_WRITER) !=
                SEQSHM_OK)
            _exit(1);
    }
    (void)!write(ready, "r", 1);
    for (long i = 1; i <= rounds; i++) {
        switch (k->kind) {
        case LINE:
        case FUTEX:
            await(&l->ping, (uint32_t)i, k->kind == FUTEX);
            post(&l->pong, (uint32_t)i, k->kind == FUTEX);
            break;
        default:
            seq_await(a, (uint64_t)i, k->kind == SEQ_WAIT, buf);
            seqshm_write(b, buf, SEQSHM_FOREVER);
        }
    }
    _exit(0);
}

static void bm_latency(gbench_state *st, void *arg)
{
    const struct lcase *k = arg;
    static struct histo h;
    long rounds = bench_rounds();
    if (k->kind == FUTEX || k->kind == SEQ_WAIT)
        rounds /= 4; /* each round sleeps twice */
    char na[64], nb[64];
    bench_name(na, sizeof na, "la");
    bench_name(nb, sizeof nb, "lb");
    if (k->full_fence)
        setenv("SEQSHM_FENCE", "full", 1); /* read at open, here and in the
                                              child forked below */
    while (gbench_keep_running(st)) {
        struct lines *l = mmap(NULL, sizeof *l, PROT_READ | PROT_WRITE,
                               MAP_SHARED | MAP_ANONYMOUS, -1, 0);
        seqshm *a = NULL, *b = NULL;
        if (k->kind == SEQ_SPIN || k->kind == SEQ_WAIT) {
            seqshm_unlink(na);
            seqshm_unlink(nb);
            /* the parent writes a */
            seqshm_open(&a, na, k->size, SEQSHM_CREATE | k->flags);
            seqshm_open(&b, nb, k->size,
                        SEQSHM_CREATE | (k->flags & ~SEQSHM_SOLE_WRITER));
        }
        int p[2];
        if (l == MAP_FAILED || pipe(p) != 0) {
            gbench_skip_with_error(st, "setup failed");
            return;
        }
        pid_t pid = fork();
        if (pid == 0)
            child(k, l, na, nb, rounds, p[1]);
        char c;
        (void)!read(p[0], &c, 1);
        close(p[0]);
        close(p[1]);
        pin_cpu(0);
        histo_clear(&h);
        unsigned char buf[MAX_PAYLOAD];
        memset(buf, 7, sizeof buf);
        for (long i = 1; i <= rounds; i++) {
            uint64_t t0 = ticks_begin();
            switch (k->kind) {
            case LINE:
            case FUTEX:
                post(&l->ping, (uint32_t)i, k->kind == FUTEX);
                await(&l->pong, (uint32_t)i, k->kind == FUTEX);
                break;
            default:
                seqshm_write(a, buf, SEQSHM_FOREVER);
                seq_await(b, (uint64_t)i, k->kind == SEQ_WAIT, buf);
            }
            uint64_t t1 = ticks_end();
            histo_add(&h, t1 - t0);
        }
        waitpid(pid, NULL, 0);
        unpin();
        double half = ns_per_tick / 2; /* one way = half a round trip */
        gbench_set_iteration_time(st, histo_mean(&h) * half * 1e-9);
        gbench_counter(st, "p50_ns", histo_quantile(&h, 0.50) * half);
        gbench_counter(st, "p99_ns", histo_quantile(&h, 0.99) * half);
        gbench_counter(st, "p999_ns", histo_quantile(&h, 0.999) * half);
        seqshm_close(a);
        seqshm_close(b);
        munmap(l, sizeof *l);
    }
    unsetenv("SEQSHM_FENCE");
}

void register_latency(void)
{
    static const struct lcase cases[] = {
        {LINE, 0, 0, false},
        {SEQ_SPIN, 0, 48, false},
        {SEQ_SPIN, SEQSHM_SOLE_WRITER, 48, false},
        {SEQ_SPIN, 0, 256, false},
        {SEQ_SPIN, SEQSHM_SOLE_WRITER, 256, false},
        {SEQ_SPIN, SEQSHM_DOUBLE_BUFFER, 256, false},
        {FUTEX, 0, 0, false},
        {SEQ_WAIT, 0, 64, false},
        {SEQ_WAIT, 0, 64, true},
        {SEQ_WAIT, SEQSHM_SOLE_WRITER, 64, false},
        {SEQ_WAIT, SEQSHM_DOUBLE_BUFFER, 64, false},
    };
    static const char *names[] = {
        "latency/pingpong-line",
        "latency/seqshm-spin/single/48",
        "latency/seqshm-spin/sole/48",
        "latency/seqshm-spin/single/256",
        "latency/seqshm-spin/sole/256",
        "latency/seqshm-spin/double/256",
        "latency/futex-pingpong",
        "latency/seqshm-wait/single",
        "latency/seqshm-wait/full-fence",
        "latency/seqshm-wait/sole",
        "latency/seqshm-wait/double",
    };
    gbench_opts o = {.iterations = 1, .repetitions = bench_repetitions(5),
                     .manual_time = true};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        gbench_register(names[i], bm_latency, (void *)&cases[i], &o);
}
