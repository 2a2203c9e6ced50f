/* gbench.h - a small C interface to Google Benchmark, so that benchmarks
 * are written in C. One C++ file (gbench.cc) implements it.
 *
 *   static void bm(gbench_state *st, void *arg) {
 *       while (gbench_keep_running_batch(st, 64))
 *           for (int i = 0; i < 64; i++) { op(); gbench_clobber(); }
 *   }
 *   gbench_register("op", bm, NULL, NULL);
 *   return gbench_main(argc, argv);
 */
#ifndef SEQSHM_GBENCH_H
#define SEQSHM_GBENCH_H

#include <stdbool.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct gbench_state gbench_state; /* a benchmark::State */
typedef void (*gbench_fn)(gbench_state *st, void *arg);

typedef struct gbench_opts {
    int64_t iterations;  /* fixed iteration count; 0: let the library pick */
    double min_time;     /* seconds; 0: the library's default */
    int repetitions;     /* 0: 1 */
    bool manual_time;    /* time comes from gbench_set_iteration_time */
} gbench_opts;

/* Registers fn(st, arg) under name (copied). opts may be NULL. */
void gbench_register(const char *name, gbench_fn fn, void *arg,
                     const gbench_opts *opts);

/* The benchmark loop: true while more iterations are wanted. The batch
 * form counts n iterations per call, which keeps the wrapper's call out of
 * the time of short operations. */
bool gbench_keep_running(gbench_state *st);
bool gbench_keep_running_batch(gbench_state *st, int64_t n);

void gbench_pause(gbench_state *st);
void gbench_resume(gbench_state *st);
void gbench_set_iteration_time(gbench_state *st, double seconds);
void gbench_set_bytes_processed(gbench_state *st, int64_t bytes);
void gbench_set_label(gbench_state *st, const char *label);
void gbench_skip_with_error(gbench_state *st, const char *msg);
int64_t gbench_iterations(const gbench_state *st);

/* A user counter reported beside the time (and in the JSON). */
void gbench_counter(gbench_state *st, const char *name, double value);

/* Initialise, run what the command line selects, shut down. */
int gbench_main(int argc, char **argv);

/* Keep the compiler from dropping work: p's pointee is used, memory is
 * read and written. */
static inline void gbench_do_not_optimize(const void *p)
{
    __asm__ __volatile__("" : : "r"(p) : "memory");
}
static inline void gbench_clobber(void) { __asm__ __volatile__("" ::: "memory"); }

#ifdef __cplusplus
}
#endif

#endif
