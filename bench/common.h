/* common.h - what the benchmark files share. */
#ifndef SEQSHM_BENCH_COMMON_H
#define SEQSHM_BENCH_COMMON_H

#include "contenders.h"
#include "gbench.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

extern const size_t bench_sizes[];
extern const size_t nbench_sizes;

/* A name for this process's benchmark objects in /dev/shm. */
void bench_name(char *buf, size_t cap, const char *tag);

/* Pins the calling thread to one CPU (best effort). */
void pin_cpu(int cpu);
void unpin(void);

/* Length of one measured run in ms: SEQSHM_BENCH_RUN_MS, default 200. */
int64_t run_ms(void);
/* Round trips per latency run: SEQSHM_BENCH_ROUNDS, default 20000. */
long bench_rounds(void);

/* SEQSHM_BENCH_SMOKE set: one short repetition of everything (CI). */
bool bench_smoke(void);
int bench_repetitions(int normal);

/* Nanoseconds per tick (clock.h), measured once at start-up. */
extern double ns_per_tick;

/* payload buffer: cache-line aligned, filled with a non-zero pattern */
unsigned char *payload_new(size_t size);

void register_uncontended(void);
void register_threads(void);
void register_latency(void);
void register_history(void);

#endif
