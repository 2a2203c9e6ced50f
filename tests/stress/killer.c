/* killer.c - random SIGKILLs against writers, for every layout.
 *
 * A writer process publishes 64 KiB pattern payloads flat out; the parent
 * stops it at a random moment (0-2 ms after it starts), notes whether a
 * write was in progress (the segment's BUSY bit, with the stopped writer as
 * the claim's owner), kills it, reaps it and starts a fresh writer, which
 * takes the claim over. Every other kill lands wherever the stop did; for the
 * others, a writer stopped outside a write is continued and stopped again a
 * little later (up to 50 times), so that kills mid-write do not depend on
 * luck. They are counted, not assumed: a layout fails unless writes happened
 * and at least a quarter of the kills landed mid-write (it kills up to four
 * times as often to get there on a loaded machine). Two readers (one read-write,
 * one read-only) read all the while and check every snapshot returned with
 * SEQSHM_OK: whole, made by the write its version names, versions never
 * going backwards. They also time how long after each kill their first
 * answer came. Exits 1 if any torn or out-of-order snapshot was returned as
 * OK, a reader failed, or too few kills landed mid-write.
 *
 *   killer [--kills N] [--no-mutex]   kills per layout (default 150);
 *                        --no-mutex leaves the mutex layout out, saying
 *                        why (qemu-user does not implement the robust
 *                        futex list that recovers a dead holder's mutex)
 */
#include "seqshm.h"
#include "../common/run_tag.h"
#include "../common/pattern.h"

#include <inttypes.h>
#include <stdbool.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define SIZE 65536

struct board { /* an anonymous shared page between the parent and readers */
    _Atomic uint64_t last_kill_ns;
    _Atomic int stop;
};

struct counts {
    uint64_t ok, ownerdead, timeouts, torn, backwards, errors, worst_ns;
};

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void writer(const char *name, unsigned flags)
{
    seqshm *s;
    if (seqshm_open(&s, name, SIZE, flags) != SEQSHM_OK)
        _exit(2);
    static unsigned char buf[SIZE];
    for (;;) {
        /* the only writer alive: its next write is version+1 */
        pattern_fill(buf, SIZE, seqshm_version(s) + 1);
        if (seqshm_write(s, buf, SEQSHM_FOREVER) != SEQSHM_OK)
            _exit(3);
    }
}

static void reader(const char *name, unsigned flags, struct board *b, int out)
{
    seqshm *s;
    struct counts c = {0};
    if (seqshm_open(&s, name, SIZE, flags) != SEQSHM_OK)
        _exit(2);
    static unsigned char buf[SIZE];
    uint64_t last = 0, kill_seen = 0;
    while (!atomic_load(&b->stop)) {
        uint64_t v, k, t0 = now_ns();
        int st = seqshm_read_versioned(s, buf, &v, 2000000000);
        uint64_t t1 = now_ns(), kill = atomic_load(&b->last_kill_ns);
        if (kill > kill_seen && kill < t1) { /* first answer since a kill */
            uint64_t waited = t1 - (kill > t0 ? kill : t0);
            if (waited > c.worst_ns)
                c.worst_ns = waited;
            kill_seen = kill;
        }
        if (st == SEQSHM_OK) {
            c.ok++;
            bool whole = v == 0 ? buf[0] == 0
                                : pattern_check(buf, SIZE, &k) && k == v;
            c.torn += !whole;
            c.backwards += v < last;
            last = v;
        } else if (st == SEQSHM_EOWNERDEAD) {
            c.ownerdead++;
        } else if (st == SEQSHM_ETIMEDOUT) {
            c.timeouts++;
        } else {
            c.errors++;
        }
    }
    (void)!write(out, &c, sizeof c);
    _exit(0);
}

static int run_layout(unsigned layout, unsigned slots, unsigned wflags,
                      const char *lname, int kills)
{
    char name[64];
    snprintf(name, sizeof name, "seqshm-s-%s-%d-kill", run_tag(), (int)getpid());
    seqshm *s;
    seqshm_options o = {.flags = SEQSHM_CREATE | SEQSHM_EXCL | layout,
                        .slots = slots};
    if (seqshm_open_opts(&s, name, SIZE, &o) != SEQSHM_OK)
        return 1;
    struct board *b = mmap(NULL, sizeof *b, PROT_READ | PROT_WRITE,
                           MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (b == MAP_FAILED)
        return 1;
    int p[2];
    if (pipe(p) != 0)
        return 1;
    pid_t readers[2];
    if ((readers[0] = fork()) == 0)
        reader(name, 0, b, p[1]);
    if ((readers[1] = fork()) == 0)
        reader(name, SEQSHM_RDONLY, b, p[1]);
    close(p[1]);

    unsigned seed = (unsigned)getpid();
    int done = 0, mid = 0, need = (kills + 3) / 4;
    for (; done < 4 * kills && (done < kills || mid < need); done++) {
        pid_t w = fork();
        if (w == 0)
            writer(name, wflags);
        struct timespec d = {0, (long)(rand_r(&seed) % 2000000)};
        nanosleep(&d, NULL);
        bool busy = false;
        for (int tries = 0; tries < (done % 2 ? 50 : 1) && !busy; tries++) {
            if (tries > 0) {
                kill(w, SIGCONT);
                struct timespec t = {0, (long)(rand_r(&seed) % 200000)};
                nanosleep(&t, NULL);
            }
            kill(w, SIGSTOP);
            waitpid(w, NULL, WUNTRACED);
            seqshm_info in;
            busy = seqshm_stat(s, &in) == SEQSHM_OK && in.busy &&
                   in.writer_alive && in.writer_pid == (int)w;
        }
        mid += busy;
        kill(w, SIGKILL);
        atomic_store(&b->last_kill_ns, now_ns());
        waitpid(w, NULL, 0);
    }
    usleep(20000);
    atomic_store(&b->stop, 1);
    struct counts sum = {0}, c;
    int bad = 0;
    for (int i = 0; i < 2; i++) {
        if (read(p[0], &c, sizeof c) != (ssize_t)sizeof c) {
            bad = 1;
            continue;
        }
        sum.ok += c.ok;
        sum.ownerdead += c.ownerdead;
        sum.timeouts += c.timeouts;
        sum.torn += c.torn;
        sum.backwards += c.backwards;
        sum.errors += c.errors;
        if (c.worst_ns > sum.worst_ns)
            sum.worst_ns = c.worst_ns;
    }
    for (int i = 0; i < 2; i++) {
        int st;
        waitpid(readers[i], &st, 0);
        bad |= !WIFEXITED(st) || WEXITSTATUS(st) != 0;
    }
    close(p[0]);
    uint64_t writes = seqshm_version(s);
    seqshm_close(s);
    munmap(b, sizeof *b);
    bad |= sum.torn || sum.backwards || sum.errors || sum.ok == 0;
    bad |= writes == 0 || mid < need;
    printf("killer %-6s: kills %d (mid-write %d, at least %d wanted)  writes %" PRIu64 "  reads ok %" PRIu64
           "  ownerdead %" PRIu64 "  timeouts %" PRIu64
           "  worst wait after a kill %.2f ms  torn-as-OK %" PRIu64
           "  backwards %" PRIu64 "  %s\n",
           lname, done, mid, need, writes, sum.ok, sum.ownerdead, sum.timeouts,
           sum.worst_ns / 1e6, sum.torn, sum.backwards, bad ? "FAIL" : "ok");
    return bad;
}

int main(int argc, char **argv)
{
    int kills = 150;
    bool mutex = true;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--kills") == 0 && i + 1 < argc)
            kills = atoi(argv[++i]);
        else if (strcmp(argv[i], "--no-mutex") == 0)
            mutex = false;
        else {
            fprintf(stderr, "usage: killer [--kills N] [--no-mutex]\n");
            return 2;
        }
    }
    int bad = run_layout(0, 1, 0, "single", kills);
    bad |= run_layout(SEQSHM_DOUBLE_BUFFER, 2, 0, "double", kills);
    if (mutex)
        bad |= run_layout(SEQSHM_MUTEX, 1, 0, "mutex", kills);
    else
        printf("SKIP killer mutex: a dead holder's robust mutex is recovered "
               "through the kernel's robust futex list, which this emulator "
               "does not implement\n");
    bad |= run_layout(0, 8, 0, "8slot", kills);
    /* each new writer takes the killed one's role over */
    bad |= run_layout(0, 1, SEQSHM_SOLE_WRITER, "sole1", kills);
    bad |= run_layout(SEQSHM_DOUBLE_BUFFER, 2, SEQSHM_SOLE_WRITER, "sole2",
                      kills);
    printf("killer: %s\n", bad ? "FAILED" : "no torn snapshot returned as OK");
    return bad;
}
