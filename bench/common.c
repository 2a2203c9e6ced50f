#include "common.h"
#include "clock.h"

#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

const size_t bench_sizes[] = {8, 64, 1024, 4096, 65536};
const size_t nbench_sizes = sizeof bench_sizes / sizeof bench_sizes[0];
double ns_per_tick = 1.0;

void bench_name(char *buf, size_t cap, const char *tag)
{
    snprintf(buf, cap, "/seqshm-b-%d-%s", (int)getpid(), tag);
}

void pin_cpu(int cpu)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(n > 1 ? cpu % (int)n : 0, &set);
    pthread_setaffinity_np(pthread_self(), sizeof set, &set);
}

void unpin(void)
{
    cpu_set_t set;
    CPU_ZERO(&set);
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    for (int i = 0; i < n && i < CPU_SETSIZE; i++)
        CPU_SET(i, &set);
    pthread_setaffinity_np(pthread_self(), sizeof set, &set);
}

static int64_t env_or(const char *name, int64_t dflt)
{
    const char *v = getenv(name);
    return v != NULL && atoll(v) > 0 ? atoll(v) : dflt;
}

bool bench_smoke(void) { return getenv("SEQSHM_BENCH_SMOKE") != NULL; }
int bench_repetitions(int normal) { return bench_smoke() ? 1 : normal; }
int64_t run_ms(void) { return env_or("SEQSHM_BENCH_RUN_MS", bench_smoke() ? 5 : 200); }
long bench_rounds(void)
{
    return (long)env_or("SEQSHM_BENCH_ROUNDS", bench_smoke() ? 200 : 20000);
}

unsigned char *payload_new(size_t size)
{
    unsigned char *p = aligned_alloc(64, (size + 63) / 64 * 64);
    for (size_t i = 0; i < size; i++)
        p[i] = (unsigned char)(i * 13 + 1);
    return p;
}

int main(int argc, char **argv)
{
    ns_per_tick = ticks_ns();
    register_uncontended();
    register_threads();
    register_latency();
    register_history();
    return gbench_main(argc, argv);
}
