/* litmus_fence.c - the store-load order that wake-ups rest on, on this
 * machine's hardware: the "store buffering" litmus test, with the writer's
 * side as the library builds it (publish; compiler barrier; load the flag)
 * and the waiter's side (announce; barrier; reload).
 *
 *   writer thread:  seq := r (relaxed)     waiter thread:  flag := r
 *                   compiler barrier                       plat_barrier()
 *                   a := flag                              b := seq
 *
 * Forbidden: a != r and b != r in the same round (the writer missed the
 * announce and the waiter missed the publish: a lost wake-up). The same
 * rounds are run first with the waiter's barrier left out, where the CPU's
 * store buffer makes that outcome appear: if it never does, the run proved
 * nothing about the barrier and the program fails. Exit 0: the outcome was
 * seen without the barrier and never with it. 77: no membarrier here.
 *
 * Links the platform's barrier (src/linux/barrier.c: plat_barrier_register,
 * plat_barrier) on its own: the library exports no internal name.
 */
#include "../../src/internal.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#define ROUNDS 200000

static _Atomic uint64_t seq_word, flag_word;
static _Atomic uint64_t writer_done, waiter_done; /* rounds finished */
static uint64_t seen_flag[ROUNDS], seen_seq[ROUNDS];
static bool with_barrier;

/* each starts round r once the other finished round r - 1 */
static void start(_Atomic uint64_t *other, uint64_t r)
{
    while (atomic_load_explicit(other, memory_order_acquire) < r - 1)
        ;
}

static void *writer(void *arg)
{
    (void)arg;
    for (uint64_t r = 1; r <= ROUNDS; r++) {
        start(&waiter_done, r);
        atomic_store_explicit(&seq_word, r, memory_order_relaxed);
        atomic_signal_fence(memory_order_seq_cst);
        seen_flag[r - 1] = atomic_load_explicit(&flag_word, memory_order_relaxed);
        atomic_store_explicit(&writer_done, r, memory_order_release);
    }
    return NULL;
}

static void *waiter(void *arg)
{
    (void)arg;
    for (uint64_t r = 1; r <= ROUNDS; r++) {
        start(&writer_done, r);
        atomic_store_explicit(&flag_word, r, memory_order_relaxed);
        if (with_barrier)
            plat_barrier();
        else
            atomic_signal_fence(memory_order_seq_cst);
        seen_seq[r - 1] = atomic_load_explicit(&seq_word, memory_order_relaxed);
        atomic_store_explicit(&waiter_done, r, memory_order_release);
    }
    return NULL;
}

static uint64_t run(bool barrier)
{
    with_barrier = barrier;
    atomic_store(&seq_word, 0);
    atomic_store(&flag_word, 0);
    atomic_store(&writer_done, 0);
    atomic_store(&waiter_done, 0);
    pthread_t a, b;
    pthread_create(&a, NULL, writer, NULL);
    pthread_create(&b, NULL, waiter, NULL);
    pthread_join(a, NULL);
    pthread_join(b, NULL);
    uint64_t bad = 0;
    for (uint64_t r = 1; r <= ROUNDS; r++)
        bad += seen_flag[r - 1] != r && seen_seq[r - 1] != r;
    return bad;
}

int main(void)
{
    if (!plat_barrier_register()) {
        printf("SKIP litmus: no expedited membarrier here (or SEQSHM_FENCE=full)\n");
        return 77;
    }
    /* Without the barrier, runs are repeated until the reordering has shown
     * WANT_SEEN times (seen from 1 to 5 000 times a run here), or for
     * MAX_RUNS runs: the test fails as having tested nothing only if a
     * hundred times the rounds of one run never showed it once. */
    enum { WANT_SEEN = 100, MAX_RUNS = 100 };
    uint64_t without = 0;
    int runs = 0;
    while (runs < MAX_RUNS && without < WANT_SEEN) {
        without += run(false);
        runs++;
    }
    uint64_t with = run(true);
    printf("litmus: store buffering: without the waiters' barrier %llu lost "
           "in %d x %d rounds, with it %llu in %d  %s\n",
           (unsigned long long)without, runs, ROUNDS, (unsigned long long)with,
           ROUNDS, without > 0 && with == 0 ? "ok" : "FAIL");
    if (without == 0)
        printf("litmus: the reordering never showed: nothing was tested\n");
    return without > 0 && with == 0 ? 0 : 1;
}
