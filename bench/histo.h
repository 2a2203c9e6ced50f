/* histo.h - a log-linear histogram of tick counts: 16 sub-buckets per power
 * of two (about 6 % resolution), constant time to add, no allocation. */
#ifndef SEQSHM_BENCH_HISTO_H
#define SEQSHM_BENCH_HISTO_H

#include <stdint.h>
#include <string.h>

#define HISTO_SUB 16
#define HISTO_BUCKETS (64 * HISTO_SUB)

struct histo {
    uint64_t n;
    uint64_t sum;
    uint64_t count[HISTO_BUCKETS];
};

static inline void histo_clear(struct histo *h) { memset(h, 0, sizeof *h); }

static inline unsigned histo_index(uint64_t v)
{
    if (v < HISTO_SUB)
        return (unsigned)v;
    unsigned log = 63u - (unsigned)__builtin_clzll(v); /* >= 4 */
    unsigned sub = (unsigned)(v >> (log - 4)) & (HISTO_SUB - 1);
    return (log - 3) * HISTO_SUB + sub;
}

/* the smallest value of a bucket */
static inline uint64_t histo_value(unsigned i)
{
    if (i < HISTO_SUB)
        return i;
    unsigned log = i / HISTO_SUB + 3, sub = i % HISTO_SUB;
    return ((uint64_t)(HISTO_SUB + sub)) << (log - 4);
}

static inline void histo_add(struct histo *h, uint64_t v)
{
    h->count[histo_index(v)]++;
    h->n++;
    h->sum += v;
}

/* The q-quantile (0 < q < 1), as the midpoint of its bucket. */
static inline double histo_quantile(const struct histo *h, double q)
{
    uint64_t want = (uint64_t)(q * (double)h->n), seen = 0;
    for (unsigned i = 0; i < HISTO_BUCKETS; i++) {
        seen += h->count[i];
        if (seen > want) {
            double lo = (double)histo_value(i);
            double hi = i + 1 < HISTO_BUCKETS ? (double)histo_value(i + 1) : lo;
            return (lo + hi) / 2;
        }
    }
    return 0;
}

static inline double histo_mean(const struct histo *h)
{
    return h->n ? (double)h->sum / (double)h->n : 0;
}

#endif
