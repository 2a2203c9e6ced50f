/* contenders.h - everything the benchmarks compare, behind one interface.
 * Each open() maps the same named object anew, as a separate process
 * would; the creator's handle removes it on close. */
#ifndef SEQSHM_BENCH_CONTENDERS_H
#define SEQSHM_BENCH_CONTENDERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct contender {
    const char *name;
    void *(*open)(const char *name, size_t size, bool create);
    void (*read)(void *ctx, void *dst);
    void (*write)(void *ctx, const void *src);
    void (*close)(void *ctx);
};

extern const struct contender contenders[];
extern const size_t ncontenders;

/* Failed attempts (seqlock retries, lock tries) made by reads on the
 * calling thread so far. */
uint64_t contender_read_retries(void);

#endif
