/* test_wait.c - seqshm_wait: timeouts, wake-ups across processes, no lost
 * wake-up. Also run against the polling build (SEQSHM_NO_FUTEX). */
#include "util.h"

#include <criterion/criterion.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

TestSuite(wait, .fini = test_cleanup);

#define MS 1000000LL

Test(wait, returns_at_once_when_newer)
{
    char n[64];
    seqshm *s;
    unsigned char b[8] = {0};
    cr_assert_eq(seqshm_open(&s, test_name(n, sizeof n, "w"), 8, SEQSHM_CREATE),
                 SEQSHM_OK);
    cr_assert_eq(seqshm_wait(s, 0, 0), SEQSHM_ETIMEDOUT, "version 0 is not > 0");
    cr_assert_eq(seqshm_write(s, b, 0), SEQSHM_OK);
    long long t0 = mono_ns();
    cr_assert_eq(seqshm_wait(s, 0, SEQSHM_FOREVER), SEQSHM_OK);
    cr_assert_eq(seqshm_wait(s, 0, 0), SEQSHM_OK);
    cr_assert_lt(mono_ns() - t0, 50 * MS);
    cr_assert_eq(seqshm_wait(s, 1, 0), SEQSHM_ETIMEDOUT);
    seqshm_close(s);
}

Test(wait, timeouts_are_honoured)
{
    char n[64];
    seqshm *s, *r;
    test_name(n, sizeof n, "t");
    cr_assert_eq(seqshm_open(&s, n, 8, SEQSHM_CREATE), SEQSHM_OK);
    cr_assert_eq(seqshm_open(&r, n, 8, SEQSHM_RDONLY), SEQSHM_OK);
    seqshm *hs[2] = {s, r};
    for (int h = 0; h < 2; h++) {
        for (long long ms = 1; ms <= 64; ms *= 4) {
            long long t0 = mono_ns();
            cr_assert_eq(seqshm_wait(hs[h], 0, ms * MS), SEQSHM_ETIMEDOUT);
            long long took = mono_ns() - t0;
            cr_assert_geq(took, ms * MS, "never early: %lld ns", took);
            cr_assert_lt(took, ms * MS + 20 * MS, "late by %lld ns",
                         took - ms * MS);
        }
    }
    seqshm_close(r);
    seqshm_close(s);
}

/* A child blocks in wait (forever) on a handle of each kind; the parent
 * writes once; the child must return. */
static void woken_by_writer(bool rdonly)
{
    char n[64];
    seqshm *s;
    unsigned char b[64] = {0};
    test_name(n, sizeof n, rdonly ? "ro" : "rw");
    cr_assert_eq(seqshm_open(&s, n, sizeof b, SEQSHM_CREATE), SEQSHM_OK);
    pid_t pid = fork();
    if (pid == 0) {
        seqshm *c;
        if (seqshm_open(&c, n, 0, rdonly ? SEQSHM_RDONLY : 0) != SEQSHM_OK)
            _exit(3);
        /* read-write: forever (the test's timeout catches a hang) */
        int st = seqshm_wait(c, 0, rdonly ? 5000 * MS : SEQSHM_FOREVER);
        _exit(st == SEQSHM_OK && seqshm_version(c) >= 1 ? 0 : 4);
    }
    usleep(50000);
    long long t0 = mono_ns();
    cr_assert_eq(seqshm_write(s, b, 0), SEQSHM_OK);
    cr_assert_eq(wait_child(pid), 0);
    cr_assert_lt(mono_ns() - t0, 1000 * MS);
    seqshm_close(s);
}

Test(wait, read_write_handle_is_woken) { woken_by_writer(false); }
Test(wait, read_only_handle_is_woken) { woken_by_writer(true); }

/* Ping-pong across processes: any lost wake-up stalls a round until its
 * 2-second timeout, which fails the test. */
Test(wait, no_lost_wakeup_in_racing_rounds, .timeout = 120)
{
    const uint64_t rounds = getenv("SEQSHM_TEST_POLL") ? 300 : 10000;
    char na[64], nb[64];
    seqshm *a, *b;
    test_name(na, sizeof na, "ping");
    test_name(nb, sizeof nb, "pong");
    cr_assert_eq(seqshm_open(&a, na, 8, SEQSHM_CREATE), SEQSHM_OK);
    cr_assert_eq(seqshm_open(&b, nb, 8, SEQSHM_CREATE), SEQSHM_OK);
    int child;
    uint64_t done = ping_pong(a, b, NULL, 0, rounds, &child);
    cr_assert_eq(child, 0, "child lost a wake-up");
    cr_assert_eq(done, rounds, "lost a wake-up in round %" PRIu64, done);
    cr_assert_eq(seqshm_version(b), rounds);
    seqshm_close(b);
    seqshm_close(a);
}
