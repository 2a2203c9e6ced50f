/* test_sole.c - SEQSHM_SOLE_WRITER: the role at open, EBUSY for everyone
 * else, recovery from a dead holder (killed at every write point), forked
 * children, and the wake-up protocol in both fence modes.
 * Children leave with _exit() or die; they never assert. */
#include "util.h"

#include <criterion/criterion.h>
#include <inttypes.h>
#include <linux/membarrier.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

TestSuite(sole, .fini = test_cleanup, .timeout = 120);

#define SIZE 256
#define MS 1000000LL

static const unsigned seqlock_layouts[] = {0, SEQSHM_DOUBLE_BUFFER};

static void fill(unsigned char *b, int v) { memset(b, v, SIZE); }

/* A child that leaves with _exit() while holding a handle keeps it here, so
 * that valgrind does not count the handle as leaked. */
static seqshm *volatile kept;

static bool uniform(const unsigned char *b, size_t n, unsigned char v)
{
    for (size_t i = 0; i < n; i++)
        if (b[i] != v)
            return false;
    return true;
}

static seqshm *create(char *name, size_t cap, const char *tag, unsigned flags)
{
    seqshm *s;
    test_name(name, cap, tag);
    cr_assert_eq(seqshm_open(&s, name, SIZE, SEQSHM_CREATE | flags), SEQSHM_OK);
    return s;
}

Test(sole, flags_that_make_no_sense_are_einval)
{
    char name[64];
    seqshm *s, *m = create(name, sizeof name, "mutex", SEQSHM_MUTEX);
    cr_assert_eq(seqshm_open(&s, name, SIZE, SEQSHM_SOLE_WRITER | SEQSHM_RDONLY),
                 SEQSHM_EINVAL);
    cr_assert_eq(seqshm_open(&s, name, SIZE, SEQSHM_SOLE_WRITER), SEQSHM_EINVAL,
                 "a mutex segment has no sole writer");
    cr_assert_null(s);
    seqshm_close(m);
    cr_assert_eq(seqshm_open(&s, name, SIZE,
                             SEQSHM_CREATE | SEQSHM_MUTEX | SEQSHM_SOLE_WRITER),
                 SEQSHM_EINVAL);
    cr_assert_eq(seqshm_strerror(SEQSHM_EBUSY),
                 seqshm_strerror(SEQSHM_EBUSY)); /* not the unknown text: */
    cr_assert_str_neq(seqshm_strerror(SEQSHM_EBUSY), "unknown seqshm status");
}

/* One live holder; every other writer gets EBUSY at once; readers, waits
 * and read-only handles are unaffected; close gives the role back. */
Test(sole, one_holder_others_busy_at_once)
{
    for (int l = 0; l < 2; l++) {
        char name[64];
        unsigned char b[SIZE];
        seqshm *creator = create(name, sizeof name,
                                 l ? "busy-double" : "busy-single",
                                 seqlock_layouts[l]);
        seqshm *sole, *other, *ro, *again;
        cr_assert_eq(seqshm_open(&sole, name, 0, SEQSHM_SOLE_WRITER), SEQSHM_OK);
        cr_assert_eq(seqshm_open(&again, name, 0, SEQSHM_SOLE_WRITER),
                     SEQSHM_EBUSY, "a second holder, same process");
        cr_assert_null(again);
        cr_assert_eq(seqshm_open(&other, name, 0, 0), SEQSHM_OK);
        cr_assert_eq(seqshm_open(&ro, name, 0, SEQSHM_RDONLY), SEQSHM_OK);

        fill(b, 0x11);
        cr_assert_eq(seqshm_write(sole, b, 0), SEQSHM_OK);
        long long t0 = mono_ns();
        cr_assert_eq(seqshm_write(other, b, SEQSHM_FOREVER), SEQSHM_EBUSY);
        cr_assert_eq(seqshm_write_partial(creator, b, 4, 4, 2000 * MS),
                     SEQSHM_EBUSY);
        cr_assert_eq(seqshm_clear(other, SEQSHM_FOREVER), SEQSHM_EBUSY);
        cr_assert_lt(mono_ns() - t0, 200 * MS, "EBUSY at once, not at timeout");
        cr_assert_eq(seqshm_write(ro, b, 0), SEQSHM_EACCES);

        cr_assert_eq(seqshm_version(ro), 1);
        fill(b, 0);
        cr_assert_eq(seqshm_read(ro, b, 0), SEQSHM_OK);
        cr_assert(uniform(b, SIZE, 0x11));
        cr_assert_eq(seqshm_read(other, b, 0), SEQSHM_OK);
        cr_assert_eq(seqshm_wait(other, 1, 10 * MS), SEQSHM_ETIMEDOUT);
        cr_assert_not(seqshm_is_occupied(ro), "a sole writer between writes");

        seqshm_info in;
        cr_assert_eq(seqshm_stat(ro, &in), SEQSHM_OK);
        cr_assert_eq(in.sole_pid, (int)getpid());
        cr_assert(in.sole_alive);
        cr_assert_not(in.busy);

        seqshm_close(sole); /* gives the role back */
        cr_assert_eq(seqshm_stat(ro, &in), SEQSHM_OK);
        cr_assert_eq(in.sole_pid, 0);
        fill(b, 0x22);
        cr_assert_eq(seqshm_write(other, b, 0), SEQSHM_OK);
        cr_assert_eq(seqshm_open(&again, name, 0, SEQSHM_SOLE_WRITER), SEQSHM_OK);
        cr_assert_eq(seqshm_write(again, b, 0), SEQSHM_OK);
        cr_assert_eq(seqshm_version(ro), 3);
        seqshm_close(again);
        seqshm_close(ro);
        seqshm_close(other);
        seqshm_close(creator);
    }
}

/* Every kind of write through the sole writer: versions, partial writes
 * merging in new slots, update, clear, span. */
static void add_one(void *v, size_t n, void *ctx)
{
    (void)n, (void)ctx;
    ((unsigned char *)v)[0]++;
}

Test(sole, every_write_kind)
{
    for (int l = 0; l < 2; l++) {
        char name[64];
        unsigned char b[SIZE];
        seqshm *s = create(name, sizeof name, l ? "kinds-d" : "kinds-s",
                           seqlock_layouts[l] | SEQSHM_SOLE_WRITER);
        fill(b, 0x30);
        cr_assert_eq(seqshm_write(s, b, 0), SEQSHM_OK);
        cr_assert_eq(seqshm_write_partial(s, "\x41\x42", 2, 10, 0), SEQSHM_OK);
        cr_assert_eq(seqshm_update(s, add_one, NULL, 0), SEQSHM_OK);
        cr_assert_eq(seqshm_write_span(s, "\x50", 1, 0), SEQSHM_OK);
        uint64_t v;
        cr_assert_eq(seqshm_read_versioned(s, b, &v, 0), SEQSHM_OK);
        cr_assert_eq(v, 4);
        cr_assert_eq(b[0], 0x50);
        cr_assert_eq(b[10], 0x41);
        cr_assert_eq(b[11], 0x42);
        cr_assert(uniform(b + 12, SIZE - 12, 0x30));
        cr_assert_eq(seqshm_clear(s, 0), SEQSHM_OK);
        cr_assert_eq(seqshm_read(s, b, 0), SEQSHM_OK);
        cr_assert(uniform(b, SIZE, 0));
        seqshm_close(s);
    }
}

/* A child that takes the role, writes version 1 (0xaa), then writes 0xbb
 * with the fault; or, with fault NULL, exits holding the role. */
static pid_t sole_child(const char *name, const char *fault)
{
    pid_t pid = fork();
    if (pid == 0) {
        seqshm *s;
        unsigned char b[SIZE];
        if (seqshm_open(&s, name, SIZE, SEQSHM_SOLE_WRITER) != SEQSHM_OK)
            _exit(3);
        memset(b, 0xaa, sizeof b);
        if (seqshm_write(s, b, 0) != SEQSHM_OK)
            _exit(4);
        kept = s;
        if (fault == NULL)
            _exit(0); /* dies holding the role, between writes */
        setenv("SEQSHM_FAULT", fault, 1);
        memset(b, 0xbb, sizeof b);
        seqshm_write(s, b, 0);
        _exit(5);
    }
    return test_child(pid);
}

/* The holder dies between writes: the role is taken over by the next
 * holder, and the claim by the next ordinary writer. */
Test(sole, dead_holder_role_is_recovered)
{
    char name[64];
    unsigned char b[SIZE];
    seqshm *c = create(name, sizeof name, "dead", 0), *s;
    cr_assert_eq(wait_child(sole_child(name, NULL)), 0);
    seqshm_info in;
    cr_assert_eq(seqshm_stat(c, &in), SEQSHM_OK);
    cr_assert_neq(in.sole_pid, 0, "the dead holder is still named");
    cr_assert_not(in.sole_alive);
    fill(b, 0x33);
    cr_assert_eq(seqshm_write(c, b, 1000 * MS), SEQSHM_OK,
                 "an ordinary writer takes a dead holder's claim");
    cr_assert_eq(seqshm_stat(c, &in), SEQSHM_OK);
    cr_assert_eq(in.sole_pid, 0, "and ends its role");

    cr_assert_eq(wait_child(sole_child(name, NULL)), 0);
    cr_assert_eq(seqshm_open(&s, name, 0, SEQSHM_SOLE_WRITER), SEQSHM_OK,
                 "a new holder replaces a dead one");
    cr_assert_eq(seqshm_write(s, b, 0), SEQSHM_OK);
    cr_assert_eq(seqshm_version(c), 4);
    cr_assert_eq(seqshm_write(c, b, 0), SEQSHM_EBUSY);
    seqshm_close(s);
    seqshm_close(c);
}

static const char *points[] = {"after_claim", "mid_copy", "before_publish",
                               "before_wake"};

/* The holder killed at every point of its write: readers never see torn
 * data with OK, a new sole writer takes over and repairs. */
Test(sole, holder_killed_at_every_write_point)
{
    for (int l = 0; l < 2; l++)
        for (int i = 0; i < 4; i++) {
            char name[64], tag[48];
            unsigned char b[SIZE];
            snprintf(tag, sizeof tag, "kill-%d-%s", l, points[i]);
            seqshm *ro, *c = create(name, sizeof name, tag, seqlock_layouts[l]);
            cr_assert_eq(seqshm_open(&ro, name, 0, SEQSHM_RDONLY), SEQSHM_OK);
            pid_t pid = sole_child(name, points[i]);
            cr_assert_eq(wait_child(pid), 128 + SIGKILL, "%s fired", points[i]);
            bool published = strcmp(points[i], "before_wake") == 0;
            bool torn = !published && seqlock_layouts[l] == 0;
            cr_assert_eq(seqshm_version(ro), published ? 2 : 1);
            fill(b, 0);
            int rc = seqshm_read(ro, b, 100 * MS);
            cr_assert_eq(rc, torn ? SEQSHM_EOWNERDEAD : SEQSHM_OK,
                         "%s %s: read-only", layout_name(seqlock_layouts[l]),
                         points[i]);
            if (rc == SEQSHM_OK)
                cr_assert(uniform(b, SIZE, published ? 0xbb : 0xaa));

            seqshm *s;
            cr_assert_eq(seqshm_open(&s, name, 0, SEQSHM_SOLE_WRITER), SEQSHM_OK,
                         "%s: the role is taken over", points[i]);
            cr_assert_eq(seqshm_write_partial(s, b, 4, 0, 0),
                         torn ? SEQSHM_EOWNERDEAD : SEQSHM_OK);
            fill(b, 0xcc);
            cr_assert_eq(seqshm_write(s, b, 0), SEQSHM_OK);
            fill(b, 0);
            cr_assert_eq(seqshm_read(ro, b, 0), SEQSHM_OK);
            cr_assert(uniform(b, SIZE, 0xcc));
            seqshm_close(s);
            seqshm_close(ro);
            seqshm_close(c);
        }
}

/* A live holder stopped mid-write keeps its role: a second holder is EBUSY,
 * an ordinary writer EBUSY; single-buffer readers time out (never torn). */
Test(sole, stopped_holder_keeps_the_role)
{
    char name[64];
    unsigned char b[SIZE];
    seqshm *s, *c = create(name, sizeof name, "stopped", 0);
    pid_t pid = sole_child(name, "mid_copy:stop");
    siginfo_t info;
    cr_assert_eq(waitid(P_PID, (id_t)pid, &info, WSTOPPED | WNOWAIT), 0);
    cr_assert_eq(seqshm_open(&s, name, 0, SEQSHM_SOLE_WRITER), SEQSHM_EBUSY);
    cr_assert_eq(seqshm_write(c, b, 50 * MS), SEQSHM_EBUSY);
    cr_assert_eq(seqshm_read(c, b, 50 * MS), SEQSHM_ETIMEDOUT);
    cr_assert(seqshm_is_occupied(c), "mid-write");
    kill(pid, SIGKILL);
    cr_assert_eq(wait_child(pid), 128 + SIGKILL);
    cr_assert_eq(seqshm_open(&s, name, 0, SEQSHM_SOLE_WRITER), SEQSHM_OK);
    seqshm_close(s);
    seqshm_close(c);
}

/* An ordinary writer stopped mid-write: opening with the role waits about a
 * second for it, then says EBUSY; once the writer is dead, open succeeds. */
Test(sole, open_waits_for_a_write_in_progress)
{
    char name[64];
    seqshm *s, *c = create(name, sizeof name, "inprogress", 0);
    pid_t pid = fork();
    if (pid == 0) {
        seqshm *w;
        unsigned char b[SIZE] = {0};
        if (seqshm_open(&w, name, SIZE, 0) != SEQSHM_OK)
            _exit(3);
        kept = w;
        setenv("SEQSHM_FAULT", "mid_copy:stop", 1);
        seqshm_write(w, b, 0);
        _exit(4);
    }
    test_child(pid);
    siginfo_t info;
    cr_assert_eq(waitid(P_PID, (id_t)pid, &info, WSTOPPED | WNOWAIT), 0);
    long long t0 = mono_ns();
    cr_assert_eq(seqshm_open(&s, name, 0, SEQSHM_SOLE_WRITER), SEQSHM_EBUSY);
    long long took = mono_ns() - t0;
    cr_assert(took > 900 * MS && took < 1500 * MS, "waited %lld ns", took);
    seqshm_info in;
    cr_assert_eq(seqshm_stat(c, &in), SEQSHM_OK);
    cr_assert_eq(in.sole_pid, 0, "a failed open leaves no role behind");
    kill(pid, SIGKILL);
    cr_assert_eq(wait_child(pid), 128 + SIGKILL);
    cr_assert_eq(seqshm_open(&s, name, 0, SEQSHM_SOLE_WRITER), SEQSHM_OK);
    unsigned char b[SIZE];
    cr_assert_eq(seqshm_read(s, b, 0), SEQSHM_EOWNERDEAD, "torn, repaired by");
    fill(b, 1);
    cr_assert_eq(seqshm_write(s, b, 0), SEQSHM_OK, "a full write");
    cr_assert_eq(seqshm_read(c, b, 0), SEQSHM_OK);
    seqshm_close(s);
    seqshm_close(c);
}

/* A forked child of the holder is not the holder: its writes are EBUSY,
 * its reads work, and its exit does not end the parent's role. */
Test(sole, forked_child_is_not_the_holder)
{
    char name[64];
    unsigned char b[SIZE];
    seqshm *s = create(name, sizeof name, "fork", SEQSHM_SOLE_WRITER);
    fill(b, 7);
    cr_assert_eq(seqshm_write(s, b, 0), SEQSHM_OK);
    pid_t pid = fork();
    if (pid == 0) {
        unsigned char x[SIZE];
        if (seqshm_write(s, x, 100 * MS) != SEQSHM_EBUSY)
            _exit(3);
        if (seqshm_read(s, x, 0) != SEQSHM_OK || x[0] != 7)
            _exit(4);
        seqshm_close(s);
        _exit(0);
    }
    cr_assert_eq(wait_child(test_child(pid)), 0);
    cr_assert_eq(seqshm_write(s, b, 0), SEQSHM_OK, "still the holder");
    seqshm *t;
    cr_assert_eq(seqshm_open(&t, name, 0, SEQSHM_SOLE_WRITER), SEQSHM_EBUSY);
    seqshm_close(s);
}

/* Ping-pong across processes, each side the sole writer of the segment it
 * writes: any lost wake-up stalls a round until its 2-second timeout. Run
 * in both fence modes: the waiters' membarrier, and full fences. */
static void ping_pong_in_mode(bool full_fence)
{
    const uint64_t rounds = 10000;
    char na[64], nb[64];
    seqshm *a, *b;
    if (full_fence)
        setenv("SEQSHM_FENCE", "full", 1);
    else
        unsetenv("SEQSHM_FENCE");
    a = create(na, sizeof na, full_fence ? "ping-f" : "ping-a",
               SEQSHM_SOLE_WRITER);
    b = create(nb, sizeof nb, full_fence ? "pong-f" : "pong-a", 0);
    int child;
    uint64_t done = ping_pong(a, b, nb, SEQSHM_SOLE_WRITER, rounds, &child);
    cr_assert_eq(child, 0, "child lost a wake-up");
    cr_assert_eq(done, rounds, "lost a wake-up in round %" PRIu64, done);
    cr_assert_eq(seqshm_version(b), rounds);
    seqshm_info in;
    cr_assert_eq(seqshm_stat(a, &in), SEQSHM_OK);
    cr_assert_eq(in.asym_fence, !full_fence, "the fence mode asked for");
    unsetenv("SEQSHM_FENCE");
    seqshm_close(b);
    seqshm_close(a);
}

Test(sole, no_lost_wakeup_asymmetric_fence)
{
    long cmds = syscall(SYS_membarrier, MEMBARRIER_CMD_QUERY, 0, 0);
    if (cmds < 0 || !(cmds & MEMBARRIER_CMD_GLOBAL_EXPEDITED))
        SKIP_TEST("the kernel offers no expedited global membarrier");
    ping_pong_in_mode(false);
}
Test(sole, no_lost_wakeup_full_fence) { ping_pong_in_mode(true); }
