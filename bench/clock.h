/* clock.h - cheap timestamps for per-call durations and round trips.
 * Every interval is measured on one thread (one core's counter): the cores'
 * time-stamp counters may disagree by tens of nanoseconds, so no latency is
 * ever computed from two cores' clocks. */
#ifndef SEQSHM_BENCH_CLOCK_H
#define SEQSHM_BENCH_CLOCK_H

#include <stdint.h>
#include <time.h>

#if defined(__x86_64__) || defined(__i386__)
#include <x86intrin.h>
static inline uint64_t ticks_begin(void)
{
    _mm_lfence(); /* earlier work finishes before the stamp */
    return __rdtsc();
}
static inline uint64_t ticks_end(void)
{
    unsigned aux;
    uint64_t t = __rdtscp(&aux); /* waits for the timed work */
    _mm_lfence();
    return t;
}
#else
static inline uint64_t ticks_begin(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}
#define ticks_end ticks_begin
#endif

static inline uint64_t mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Nanoseconds per tick, measured once against CLOCK_MONOTONIC. */
double ticks_ns(void);

#endif
