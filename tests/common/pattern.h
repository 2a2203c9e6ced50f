/* pattern.h - payloads that reveal tearing. The k-th write fills word i with
 * k * GOLDEN + i (and tail bytes with the low byte of k), so any mix of two
 * writes, at any granularity, fails pattern_check(); and a single writer's
 * k-th write is version k, so the version a read returns must match. */
#ifndef SEQSHM_PATTERN_H
#define SEQSHM_PATTERN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define PATTERN_GOLDEN UINT64_C(0x9e3779b97f4a7c15)

static inline void pattern_fill(unsigned char *p, size_t n, uint64_t k)
{
    size_t words = n / 8;
    for (size_t i = 0; i < words; i++) {
        uint64_t w = k * PATTERN_GOLDEN + i;
        memcpy(p + 8 * i, &w, 8);
    }
    memset(p + 8 * words, (int)(k & 0xff), n - 8 * words);
}

/* The write number a payload was made from, if it is whole. */
static inline bool pattern_check(const unsigned char *p, size_t n, uint64_t *k)
{
    size_t words = n / 8;
    uint64_t w0 = 0;
    if (words > 0) {
        memcpy(&w0, p, 8);
        /* k = w0 / GOLDEN mod 2^64: GOLDEN is odd, so invert it */
        uint64_t inv = PATTERN_GOLDEN;
        for (int i = 0; i < 5; i++)
            inv *= 2 - PATTERN_GOLDEN * inv;
        *k = w0 * inv;
    } else {
        *k = p[0];
    }
    for (size_t i = 1; i < words; i++) {
        uint64_t w;
        memcpy(&w, p + 8 * i, 8);
        if (w != *k * PATTERN_GOLDEN + i)
            return false;
    }
    for (size_t i = 8 * words; i < n; i++)
        if (p[i] != (unsigned char)(*k & 0xff))
            return false;
    return true;
}

#endif
