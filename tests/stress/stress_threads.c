/* stress_threads.c - the same protocol under ThreadSanitizer: threads of one
 * process, for every layout and 8 slots. Two writer threads contend for the
 * claim (full writes, partial writes, updates, clear), a read-write reader
 * checks every snapshot and a waiter sleeps in seqshm_wait, all four on one
 * shared handle (so TSan sees one address for each shared byte); a
 * read-only consumer on a handle of its own follows with seqshm_next and
 * checks every version it gets. With a sole writer ("sole" cases) only one
 * thread writes, as the role requires, and the other reads. The TSan build
 * of the library publishes with full fences (TSan does not model
 * membarrier). TSan reports any data race; the checks
 * report any torn snapshot or a version going backwards. Last, a copy's
 * origin records (seqshm_origin_update) by one thread, read by another on
 * the same handle, each record's words tied together: a mix is reported.
 * Exits 1 on any of these.
 *
 *   stress_threads [--seconds S]   S in all (default 1)
 */
#include "seqshm.h"
#include "../common/run_tag.h"
#include "../common/pattern.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

struct run {
    const char *name;
    seqshm *shared; /* the read-write handle the threads share, or NULL */
    size_t size;
    double until;
    unsigned flags;
    int id;
    _Atomic uint64_t checked, torn, backwards, errors, wakes;
};

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void fill_fn(void *value, size_t size, void *ctx)
{
    pattern_fill(value, size, *(uint64_t *)ctx);
}

static void *writer(void *arg)
{
    struct run *r = arg;
    seqshm *s = r->shared;
    unsigned char *buf = malloc(r->size);
    for (uint64_t k = 1; now_s() < r->until; k++) {
        int st;
        if (k % 16 == 0) {
            st = seqshm_clear(s, SEQSHM_FOREVER);
        } else if (k % 16 == 2) {
            /* read-modify-write: the callback sees a private copy */
            uint64_t tag = k * 2 + (uint64_t)r->id;
            st = seqshm_update(s, fill_fn, &tag, SEQSHM_FOREVER);
        } else if (k % 16 == 1) {
            /* a partial write of the whole payload: the merge path */
            pattern_fill(buf, r->size, k * 2 + (uint64_t)r->id);
            st = seqshm_write_partial(s, buf, r->size, 0, SEQSHM_FOREVER);
        } else {
            pattern_fill(buf, r->size, k * 2 + (uint64_t)r->id);
            st = seqshm_write(s, buf, SEQSHM_FOREVER);
        }
        if (st != SEQSHM_OK)
            r->errors++;
    }
    free(buf);
    return NULL;
}

static bool all_zero(const unsigned char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] != 0)
            return false;
    return true;
}

static void *reader(void *arg)
{
    struct run *r = arg;
    seqshm *s = r->shared;
    if (s == NULL && seqshm_open(&s, r->name, r->size, r->flags) != SEQSHM_OK) {
        r->errors++;
        return NULL;
    }
    unsigned char *buf = malloc(r->size);
    uint64_t last = 0, cursor = 0, lost;
    bool consumer = r->id == 3; /* follows every version it can */
    while (now_s() < r->until) {
        uint64_t v, k;
        int st = consumer ? seqshm_next(s, &cursor, buf, &lost, 10000000)
                          : seqshm_read_versioned(s, buf, &v, 10000000);
        if (consumer) {
            v = cursor;
            if (st == SEQSHM_OK && v <= last && last != 0)
                r->backwards++;
        }
        if (st == SEQSHM_ETIMEDOUT)
            continue;
        if (st != SEQSHM_OK) {
            r->errors++;
            continue;
        }
        r->checked++;
        if (!all_zero(buf, r->size) && !pattern_check(buf, r->size, &k))
            r->torn++;
        if (v < last)
            r->backwards++;
        last = v;
    }
    free(buf);
    if (s != r->shared)
        seqshm_close(s);
    return NULL;
}

static void *waiter(void *arg)
{
    struct run *r = arg;
    seqshm *s = r->shared;
    while (now_s() < r->until) {
        uint64_t v = seqshm_version(s);
        if (seqshm_wait(s, v, 10000000) == SEQSHM_OK)
            r->wakes++;
    }
    return NULL;
}

static int run_case(unsigned layout, unsigned slots, unsigned extra,
                    const char *lname, size_t size, double seconds)
{
    char name[64];
    snprintf(name, sizeof name, "seqshm-s-%s-%d-t", run_tag(), (int)getpid());
    seqshm *s;
    seqshm_options o = {.flags = SEQSHM_CREATE | layout | extra,
                        .slots = slots};
    if (seqshm_open_opts(&s, name, size, &o) != SEQSHM_OK)
        return 1;
    struct run r[5];
    for (int i = 0; i < 5; i++) {
        memset(&r[i], 0, sizeof r[i]);
        r[i].name = name;
        r[i].size = size;
        r[i].until = now_s() + seconds;
        r[i].id = i;
        r[i].shared = s;
    }
    r[3].shared = NULL;
    r[3].flags = SEQSHM_RDONLY;
    pthread_t t[5];
    pthread_create(&t[0], NULL, writer, &r[0]);
    pthread_create(&t[1], NULL, (extra & SEQSHM_SOLE_WRITER) ? reader : writer,
                   &r[1]);
    pthread_create(&t[2], NULL, reader, &r[2]);
    pthread_create(&t[3], NULL, reader, &r[3]);
    pthread_create(&t[4], NULL, waiter, &r[4]);
    uint64_t checked = 0, torn = 0, back = 0, err = 0;
    for (int i = 0; i < 5; i++) {
        pthread_join(t[i], NULL);
        checked += r[i].checked;
        torn += r[i].torn;
        back += r[i].backwards;
        err += r[i].errors;
    }
    uint64_t writes = seqshm_version(s);
    seqshm_close(s);
    int bad = torn || back || err || checked == 0;
    printf("tsan %-6s %5zu B: writes %8" PRIu64 "  snapshots checked %8" PRIu64
           "  torn %" PRIu64 "  backwards %" PRIu64 "  errors %" PRIu64
           "  wakes %" PRIu64 "  %s\n", lname, size, writes, checked, torn,
           back, err, (uint64_t)r[4].wakes, bad ? "FAIL" : "ok");
    return bad;
}

struct origin_run {
    seqshm *s;
    double until;
    _Atomic int done;
    uint64_t records, reads, fresh, mixed;
};

static void *recorder(void *arg)
{
    struct origin_run *r = arg;
    for (uint64_t v = 1; now_s() < r->until; v++) {
        seqshm_origin_info o = {.source_version = v, .source_time_ns = 2 * v,
                                .refreshed_ns = 3 * v, .stale = v % 2};
        if (seqshm_origin_update(r->s, &o) == SEQSHM_OK)
            r->records++;
    }
    atomic_store(&r->done, 1);
    return NULL;
}

static int origin_case(double seconds)
{
    char name[96];
    snprintf(name, sizeof name, "seqshm-s-%s-%d-origin", run_tag(),
             (int)getpid());
    seqshm_options opts = {.flags = SEQSHM_CREATE | SEQSHM_SOLE_WRITER,
                           .origin = "stress:origin"};
    struct origin_run r = {.until = now_s() + seconds};
    if (seqshm_open_opts(&r.s, name, 24, &opts) != SEQSHM_OK) {
        fprintf(stderr, "tsan origin: cannot create %s\n", name);
        return 1;
    }
    pthread_t t;
    pthread_create(&t, NULL, recorder, &r);
    uint64_t last = 0;
    while (!atomic_load(&r.done)) {
        seqshm_origin_info o;
        if (seqshm_origin(r.s, &o) != SEQSHM_OK)
            continue;
        r.reads++;
        if (o.source_time_ns != 2 * o.source_version ||
            o.refreshed_ns != 3 * o.source_version ||
            o.stale != (o.source_version % 2 == 1 ? true : false))
            r.mixed++;
        r.fresh += o.source_version != last;
        last = o.source_version;
    }
    pthread_join(t, NULL);
    seqshm_close(r.s);
    bool bad = r.mixed != 0 || r.fresh < 2;
    printf("tsan origin: records %" PRIu64 "  reads %" PRIu64 " (%" PRIu64
           " of a new record)  mixed %" PRIu64 "  %s\n", r.records, r.reads,
           r.fresh, r.mixed, bad ? "FAILED" : "ok");
    return bad;
}

int main(int argc, char **argv)
{
    double seconds = 1;
    if (argc == 3 && strcmp(argv[1], "--seconds") == 0)
        seconds = atof(argv[2]);
    else if (argc != 1) {
        fprintf(stderr, "usage: stress_threads [--seconds S]\n");
        return 2;
    }
    static const unsigned layouts[] = {0, SEQSHM_DOUBLE_BUFFER, SEQSHM_MUTEX,
                                       0, 0, 0};
    static const unsigned slots[] = {0, 0, 0, 8, 0, 8};
    static const char *names[] = {"single", "double", "mutex", "8slot",
                                  "sole1", "sole8"};
    static const size_t sizes[] = {24, 4096};
    int bad = 0;
    for (int l = 0; l < 6; l++)
        for (int z = 0; z < 2; z++)
            bad |= run_case(layouts[l], slots[l],
                            l >= 4 ? SEQSHM_SOLE_WRITER : 0, names[l],
                            sizes[z], seconds / 13);
    bad |= origin_case(seconds / 13);
    printf("tsan stress: %s\n", bad ? "FAILED" : "no race, no torn snapshot");
    return bad;
}
