/* test_faults.c - writers that die or stall at chosen points of the write
 * path (fault build: SEQSHM_FAULT=<point>[:stop]), in every layout.
 * Children leave with _exit() or die; they never assert. */
#include "util.h"
#include "../../src/layout.h"

#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

TestSuite(faults, .fini = test_cleanup, .timeout = 60);

#define SIZE 4096
#define MS 1000000LL

/* A child that opens name and writes `byte` everywhere, with the fault. */
static pid_t faulty_writer(const char *name, const char *fault, int byte,
                           size_t len, size_t off)
{
    pid_t pid = fork();
    if (pid == 0) {
        seqshm *s;
        unsigned char buf[SIZE];
        memset(buf, byte, sizeof buf);
        if (seqshm_open(&s, name, SIZE, 0) != SEQSHM_OK)
            _exit(3);
        setenv("SEQSHM_FAULT", fault, 1);
        int st = seqshm_write_partial(s, buf, len, off, SEQSHM_FOREVER);
        _exit(st == SEQSHM_OK ? 0 : 4);
    }
    return test_child(pid);
}

static bool uniform(const unsigned char *b, size_t n, unsigned char v)
{
    for (size_t i = 0; i < n; i++)
        if (b[i] != v)
            return false;
    return true;
}

struct pair {
    seqshm *w, *r;
    char name[64];
};

static void pair_open(struct pair *p, unsigned layout, const char *tag)
{
    char t[64];
    snprintf(t, sizeof t, "%s-%s", layout_name(layout), tag);
    test_name(p->name, sizeof p->name, t);
    cr_assert_eq(seqshm_open(&p->w, p->name, SIZE, SEQSHM_CREATE | layout),
                 SEQSHM_OK);
    cr_assert_eq(seqshm_open(&p->r, p->name, SIZE, SEQSHM_RDONLY), SEQSHM_OK);
    unsigned char a[SIZE];
    memset(a, 0xaa, sizeof a);
    cr_assert_eq(seqshm_write(p->w, a, 0), SEQSHM_OK); /* version 1: 0xaa */
}

static void pair_close(struct pair *p)
{
    seqshm_close(p->r);
    seqshm_close(p->w);
}

/* Kill a full write at `point`; check what each handle sees, then repair. */
static void killed_at(unsigned layout, const char *point)
{
    struct pair p;
    unsigned char b[SIZE];
    pair_open(&p, layout, point);
    pid_t pid = faulty_writer(p.name, point, 0xbb, SIZE, 0);
    /* the child is a zombie until reaped below: it must count as dead */
    siginfo_t info;
    cr_assert_eq(waitid(P_PID, (id_t)pid, &info, WEXITED | WNOWAIT), 0);
    cr_assert_eq(info.si_status, SIGKILL, "%s: the fault fired", point);

    bool nothing_began = strcmp(point, "before_claim") == 0;
    bool torn_possible = layout != SEQSHM_DOUBLE_BUFFER && !nothing_began;
    int want = torn_possible ? SEQSHM_EOWNERDEAD : SEQSHM_OK;
    cr_assert_eq(seqshm_version(p.r), 1, "an unfinished write is not counted");
    cr_assert_eq(seqshm_is_occupied(p.r), !nothing_began,
                 "%s %s: a dead writer's claim is held until recovered",
                 layout_name(layout), point);

    seqshm_info in;
    cr_assert_eq(seqshm_stat(p.r, &in), SEQSHM_OK);
    if (!nothing_began) {
        cr_assert_eq(in.writer_pid, (int)pid, "the claim names its owner");
        cr_assert_not(in.writer_alive, "a zombie counts as dead");
    }
    cr_assert_eq(in.busy, !nothing_began);

    /* read-only first: it must not recover (it cannot write) */
    long long t0 = mono_ns();
    memset(b, 0, sizeof b);
    cr_assert_eq(seqshm_read(p.r, b, 1000 * MS), want, "%s %s: read-only",
                 layout_name(layout), point);
    cr_assert_lt(mono_ns() - t0, 100 * MS, "answered quickly");
    if (want == SEQSHM_OK)
        cr_assert(uniform(b, SIZE, 0xaa), "the last published value");
    cr_assert_eq(seqshm_read(p.r, b, 0), want, "timeout 0 reports it too");

    /* a read-write reader recovers the claim (or the mutex) */
    cr_assert_eq(seqshm_read(p.w, b, 1000 * MS), want, "%s %s: read-write",
                 layout_name(layout), point);
    if (layout != SEQSHM_DOUBLE_BUFFER)
        cr_assert_not(seqshm_is_occupied(p.r), "recovered");
    cr_assert_eq(seqshm_read(p.r, b, 0), want, "still torn until a full write");
    cr_assert_eq(seqshm_stat(p.r, &in), SEQSHM_OK);
    cr_assert_eq(in.torn, torn_possible);
    cr_assert_eq(seqshm_version(p.r), 1);
    cr_assert_eq(wait_child(pid), 128 + SIGKILL);

    /* a partial write cannot repair a torn payload; a full one can */
    cr_assert_eq(seqshm_write_partial(p.w, b, 8, 0, 100 * MS), want);
    uint64_t v = seqshm_version(p.r);
    memset(b, 0xcc, sizeof b);
    cr_assert_eq(seqshm_write(p.w, b, 100 * MS), SEQSHM_OK);
    cr_assert_eq(seqshm_version(p.r), v + 1);
    memset(b, 0, sizeof b);
    cr_assert_eq(seqshm_read(p.r, b, 0), SEQSHM_OK);
    cr_assert(uniform(b, SIZE, 0xcc));
    cr_assert_eq(seqshm_read(p.w, b, 0), SEQSHM_OK);
    pair_close(&p);
}

static const char *points[] = {"before_claim", "after_claim", "mid_copy",
                               "before_publish"};

Test(faults, writer_killed_at_every_point_every_layout)
{
    for (int l = 0; l < 3; l++)
        for (int i = 0; i < 4; i++)
            killed_at(test_layouts[l], points[i]);
}

Test(faults, writer_recovers_the_claim_itself)
{
    /* no reader in between: the next writer finds the dead claim */
    for (int l = 0; l < 3; l++) {
        struct pair p;
        unsigned char b[SIZE];
        pair_open(&p, test_layouts[l], "w");
        pid_t pid = faulty_writer(p.name, "mid_copy", 0xbb, SIZE, 0);
        cr_assert_eq(wait_child(pid), 128 + SIGKILL);
        int want = test_layouts[l] == SEQSHM_DOUBLE_BUFFER ? SEQSHM_OK
                                                           : SEQSHM_EOWNERDEAD;
        cr_assert_eq(seqshm_clear(p.w, 1000 * MS), SEQSHM_OK, "clear repairs");
        cr_assert_eq(seqshm_read(p.r, b, 0), SEQSHM_OK);
        cr_assert(uniform(b, SIZE, 0));
        cr_assert_eq(seqshm_version(p.r), 2);

        pid = faulty_writer(p.name, "mid_copy", 0xbb, SIZE, 0);
        cr_assert_eq(wait_child(pid), 128 + SIGKILL);
        cr_assert_eq(seqshm_write_span(p.w, b, 100, 1000 * MS), want,
                     "a short span is partial");
        cr_assert_eq(seqshm_write_span(p.w, b, SIZE, 1000 * MS), SEQSHM_OK,
                     "a full span repairs");
        cr_assert_eq(seqshm_read(p.r, b, 0), SEQSHM_OK);
        pair_close(&p);
    }
}

Test(faults, double_buffer_partial_write_killed_loses_nothing)
{
    struct pair p;
    unsigned char b[SIZE];
    pair_open(&p, SEQSHM_DOUBLE_BUFFER, "partial");
    pid_t pid = faulty_writer(p.name, "mid_copy", 0xbb, 100, 50);
    cr_assert_eq(wait_child(pid), 128 + SIGKILL);
    cr_assert_eq(seqshm_read(p.r, b, 0), SEQSHM_OK);
    cr_assert(uniform(b, SIZE, 0xaa));
    memset(b, 0xdd, 10);
    cr_assert_eq(seqshm_write_partial(p.w, b, 10, 0, 1000 * MS), SEQSHM_OK);
    cr_assert_eq(seqshm_read(p.r, b, 0), SEQSHM_OK);
    cr_assert(uniform(b, 10, 0xdd));
    cr_assert(uniform(b + 10, SIZE - 10, 0xaa), "merged with the last value");
    pair_close(&p);
}

/* Under valgrind every step is slower: the timing bounds below are wider
 * there (the plain and sanitizer builds keep them tight). */
static bool under_valgrind(void)
{
    const char *pre = getenv("LD_PRELOAD");
    return pre != NULL && strstr(pre, "vgpreload") != NULL;
}

/* How late a timed-out call may return: 10 ms, four times that under
 * valgrind (one run saw a 30 ms wait take 40 ms). */
static long long late_ns(void)
{
    return (under_valgrind() ? 40 : 10) * MS;
}

/* A live writer that holds the claim (stopped) is never broken: writers and
 * single-buffer readers time out at their timeout, double-buffer readers go
 * on. Once it is killed, the next caller recovers. */
Test(faults, live_stalled_writer_is_waited_for_not_broken)
{
    for (int l = 0; l < 3; l++) {
        struct pair p;
        unsigned char b[SIZE];
        unsigned layout = test_layouts[l];
        pair_open(&p, layout, "stall");
        pid_t pid = faulty_writer(p.name, "mid_copy:stop", 0xbb, SIZE, 0);
        siginfo_t info;
        cr_assert_eq(waitid(P_PID, (id_t)pid, &info, WSTOPPED | WNOWAIT), 0);
        cr_assert(seqshm_is_occupied(p.r));

        for (long long ms = 20; ms <= 80; ms *= 2) {
            long long t0 = mono_ns();
            cr_assert_eq(seqshm_write(p.w, b, ms * MS), SEQSHM_ETIMEDOUT);
            long long took = mono_ns() - t0;
            cr_assert_geq(took, ms * MS, "%s: gave up early (%lld ns)",
                          layout_name(layout), took);
            cr_assert_lt(took, ms * MS + late_ns(), "%s: late by %lld ns",
                         layout_name(layout), took - ms * MS);
        }
        int want = layout == SEQSHM_DOUBLE_BUFFER ? SEQSHM_OK : SEQSHM_ETIMEDOUT;
        cr_assert_eq(seqshm_read(p.r, b, 20 * MS), want, "%s read-only",
                     layout_name(layout));
        cr_assert_eq(seqshm_read(p.w, b, 20 * MS), want, "%s read-write",
                     layout_name(layout));
        cr_assert_eq(seqshm_write(p.w, b, 0), SEQSHM_ETIMEDOUT);
        cr_assert_eq(seqshm_version(p.r), 1);

        kill(pid, SIGKILL);
        cr_assert_eq(wait_child(pid), 128 + SIGKILL);
        /* a waiter whose writer died returns at its timeout */
        for (int k = 0; k < 2; k++) {
            long long t0 = mono_ns();
            cr_assert_eq(seqshm_wait(k ? p.w : p.r, 1, 30 * MS),
                         SEQSHM_ETIMEDOUT);
            long long took = mono_ns() - t0;
            cr_assert(took >= 30 * MS && took < 30 * MS + late_ns(),
                      "waited %lld ns", took);
        }
        memset(b, 0xee, sizeof b);
        cr_assert_eq(seqshm_write(p.w, b, 1000 * MS), SEQSHM_OK);
        cr_assert_eq(seqshm_read(p.r, b, 0), SEQSHM_OK);
        cr_assert(uniform(b, SIZE, 0xee));
        cr_assert_eq(seqshm_version(p.r), 2);
        pair_close(&p);
    }
}

/* The owner word names a live pid (ours) but an identity whose kernel lock
 * nobody holds (a reused pid, or a token from before a restart): it must be
 * taken for dead. Written into the segment by hand. */
Test(faults, reused_pid_is_not_the_owner)
{
    for (int l = 0; l < 2; l++) { /* the seqlock layouts */
        struct pair p;
        unsigned char b[SIZE];
        pair_open(&p, test_layouts[l], "reuse");
        unsigned char *m = map_segment(p.name, SLOTS_OFFSET);
        cr_assert_neq(m, MAP_FAILED);
        struct seqshm_seq_line *line = (void *)(m + SEQ_LINE_OFFSET);
        /* our own pid (alive), an identity number nobody holds */
        uint64_t fake = ((uint64_t)getpid() << 42) | UINT64_C(12345);
        atomic_store(&line->owner, fake);
        atomic_store(&line->seq, atomic_load(&line->seq) | SEQ_BUSY);
        int want = l == 0 ? SEQSHM_EOWNERDEAD : SEQSHM_OK;
        cr_assert_eq(seqshm_read(p.w, b, 1000 * MS), want);
        if (l == 0) /* single-buffer readers recover; double's never wait */
            cr_assert_eq(atomic_load(&line->owner), 0, "claim recovered");
        memset(b, 0x11, sizeof b);
        long long t0 = mono_ns();
        cr_assert_eq(seqshm_write(p.w, b, 1000 * MS), SEQSHM_OK,
                     "the writer takes the claim over");
        cr_assert_lt(mono_ns() - t0, 100 * MS);
        cr_assert_eq(seqshm_read(p.r, b, 0), SEQSHM_OK);
        cr_assert(uniform(b, SIZE, 0x11));
        munmap(m, SLOTS_OFFSET);
        pair_close(&p);
    }
}

/* N processes each own one counter field and add 1 to it K times, by
 * read_partial then write_partial of that field only: no update is lost. */
#define NPROC 4
#define K 3000
Test(faults, concurrent_partial_writers_lose_nothing)
{
    for (int l = 0; l < 3; l++) {
        char name[64];
        seqshm *s;
        test_name(name, sizeof name, layout_name(test_layouts[l]));
        cr_assert_eq(seqshm_open(&s, name, NPROC * sizeof(uint64_t),
                                 SEQSHM_CREATE | test_layouts[l]), SEQSHM_OK);
        pid_t kids[NPROC];
        for (int i = 0; i < NPROC; i++) {
            if ((kids[i] = fork()) == 0) {
                seqshm *c;
                if (seqshm_open(&c, name, 0, 0) != SEQSHM_OK)
                    _exit(3);
                size_t off = (size_t)i * sizeof(uint64_t);
                for (int k = 0; k < K; k++) {
                    uint64_t v;
                    if (seqshm_read_partial(c, &v, sizeof v, off,
                                            SEQSHM_FOREVER) != SEQSHM_OK)
                        _exit(4);
                    v++;
                    if (seqshm_write_partial(c, &v, sizeof v, off,
                                             SEQSHM_FOREVER) != SEQSHM_OK)
                        _exit(5);
                }
                seqshm_close(c);
                _exit(0);
            }
        }
        for (int i = 0; i < NPROC; i++)
            cr_assert_eq(wait_child(kids[i]), 0);
        uint64_t f[NPROC];
        cr_assert_eq(seqshm_read(s, f, 0), SEQSHM_OK);
        for (int i = 0; i < NPROC; i++)
            cr_assert_eq(f[i], K, "%s: field %d holds %llu",
                         layout_name(test_layouts[l]), i,
                         (unsigned long long)f[i]);
        cr_assert_eq(seqshm_version(s), NPROC * K);
        seqshm_close(s);
    }
}

/* A child that writes through a handle it inherited is recorded as the
 * owner under its own identity, not its parent's (the identity cache is
 * wiped by fork): so its claim is recovered once it dies, while the
 * parent lives on. */
Test(faults, inherited_handle_claims_as_the_child)
{
    struct pair p;
    unsigned char b[SIZE];
    pair_open(&p, 0, "inherit");
    pid_t pid = test_child(fork());
    if (pid == 0) {
        setenv("SEQSHM_FAULT", "after_claim:stop", 1);
        memset(b, 0xbb, sizeof b);
        seqshm_write(p.w, b, SEQSHM_FOREVER); /* the parent's handle */
        _exit(0);
    }
    siginfo_t info;
    cr_assert_eq(waitid(P_PID, (id_t)pid, &info, WSTOPPED | WNOWAIT), 0);
    seqshm_info in;
    cr_assert_eq(seqshm_stat(p.r, &in), SEQSHM_OK);
    cr_assert_eq(in.writer_pid, (int)pid, "owner %d, child %d, parent %d",
                 in.writer_pid, (int)pid, (int)getpid());
    cr_assert(in.writer_alive);
    kill(pid, SIGKILL);
    cr_assert_eq(wait_child(pid), 128 + SIGKILL);
    cr_assert_eq(seqshm_read(p.w, b, 1000 * MS), SEQSHM_EOWNERDEAD,
                 "the dead child's claim is recovered");
    memset(b, 0xcc, sizeof b);
    cr_assert_eq(seqshm_write(p.w, b, 1000 * MS), SEQSHM_OK);
    pair_close(&p);
}

/* Timeout 0 never sleeps, but it does not give up on a dead owner either:
 * a writer or reader polling with timeout 0 recovers (or reports) the claim
 * a killed writer left, and answers at once. */
Test(faults, timeout_zero_recovers_a_dead_claim)
{
    for (int l = 0; l < 2; l++) { /* the seqlock layouts */
        struct pair p;
        unsigned char b[SIZE];
        pair_open(&p, test_layouts[l], "zero");
        pid_t pid = faulty_writer(p.name, "mid_copy", 0xbb, SIZE, 0);
        cr_assert_eq(wait_child(pid), 128 + SIGKILL);
        memset(b, 0xdd, sizeof b);
        long long t0 = mono_ns();
        cr_assert_eq(seqshm_write(p.w, b, 0), SEQSHM_OK, "%s",
                     layout_name(test_layouts[l]));
        cr_assert_lt(mono_ns() - t0, (under_valgrind() ? 40 : 5) * MS,
                     "without sleeping");
        cr_assert_eq(seqshm_read(p.r, b, 0), SEQSHM_OK);
        cr_assert(uniform(b, SIZE, 0xdd));
        pair_close(&p);
    }
}

/* A signal handler that writes, landing while its process makes its
 * identity for the handle (a forked child's first write): the handler's
 * write does not wait for the identity past about 100 ms (SEQSHM_ESYS,
 * errno EDEADLK), and the interrupted write then completes. Before the
 * bound, the handler spun for ever. The child's exit says what happened:
 * 0 as expected, 5 the handler never ran (the fault point was missed). */
static seqshm *volatile handler_handle;
static volatile int handler_rc = 1, handler_errno;
static volatile long long handler_ns;

static void write_in_handler(int sig)
{
    (void)sig;
    unsigned char b[SIZE] = {0};
    int err = errno;
    long long t0 = mono_ns();
    handler_rc = seqshm_write(handler_handle, b, SEQSHM_FOREVER);
    handler_errno = errno;
    handler_ns = mono_ns() - t0;
    errno = err;
}

Test(faults, handler_landing_in_identity_making)
{
    char name[64];
    test_name(name, sizeof name, "handler");
    seqshm *s;
    cr_assert_eq(seqshm_open(&s, name, SIZE, SEQSHM_CREATE), SEQSHM_OK);
    pid_t pid = fork();
    if (pid == 0) {
        unsigned char b[SIZE];
        memset(b, 0x5a, sizeof b);
        handler_handle = s;
        signal(SIGUSR1, write_in_handler);
        setenv("SEQSHM_FAULT", "making_identity:signal", 1);
        int rc = seqshm_write(s, b, SEQSHM_FOREVER);
        if (handler_rc == 1)
            _exit(5);
        _exit(rc == SEQSHM_OK && handler_rc == SEQSHM_ESYS &&
                      handler_errno == EDEADLK && handler_ns < 1000 * MS
                  ? 0
                  : 6);
    }
    test_child(pid);
    int status = -1;
    for (int i = 0; i < 500 && status < 0; i++) {
        int st;
        if (waitpid(pid, &st, WNOHANG) == pid)
            status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
        else
            usleep(10000);
    }
    cr_assert_neq(status, -1, "the handler's write never returned");
    cr_assert_eq(status, 0, "child exit %d (5: the signal never landed)",
                 status);
    unsigned char b[SIZE];
    cr_assert_eq(seqshm_read(s, b, 0), SEQSHM_OK);
    cr_assert_eq(b[0], 0x5a, "the interrupted write completed");
    seqshm_close(s);
}
