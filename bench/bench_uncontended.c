/* bench_uncontended.c - one thread, nobody else: ns per read and per write,
 * every contender, every size. */
#include "common.h"

#include <stdio.h>
#include <stdlib.h>

#define BATCH 64

struct ucase {
    const struct contender *c;
    size_t size;
    bool write;
};

static void bm_uncontended(gbench_state *st, void *arg)
{
    const struct ucase *k = arg;
    char name[64];
    bench_name(name, sizeof name, "u");
    void *ctx = k->c->open(name, k->size, true);
    if (ctx == NULL) {
        gbench_skip_with_error(st, "open failed");
        return;
    }
    unsigned char *buf = payload_new(k->size);
    k->c->write(ctx, buf);
    while (gbench_keep_running_batch(st, BATCH)) {
        for (int i = 0; i < BATCH; i++) {
            if (k->write)
                k->c->write(ctx, buf);
            else
                k->c->read(ctx, buf);
            gbench_do_not_optimize(buf); /* every copied byte stays live */
        }
    }
    gbench_set_bytes_processed(st, gbench_iterations(st) * (int64_t)k->size);
    k->c->close(ctx);
    free(buf);
}

void register_uncontended(void)
{
    static struct ucase cases[2 * 16 * 8];
    size_t n = 0;
    gbench_opts o = {.min_time = bench_smoke() ? 0.001 : 0.2,
                     .repetitions = bench_repetitions(5)};
    for (int w = 0; w < 2; w++)
        for (size_t c = 0; c < ncontenders; c++)
            for (size_t z = 0; z < nbench_sizes; z++) {
                struct ucase *k = &cases[n++];
                k->c = &contenders[c];
                k->size = bench_sizes[z];
                k->write = w;
                char name[96];
                snprintf(name, sizeof name, "%s/%s/%zu", w ? "write" : "read",
                         k->c->name, k->size);
                gbench_register(name, bm_uncontended, k, &o);
            }
}
