/* stress.c - torn-read stress across processes.
 *
 * For every layout and payload size (64 B, 4 KiB, 64 KiB): one writer
 * process publishes pattern payloads flat out; two reader processes (one
 * read-write handle, one read-only) read for the given time and check every
 * snapshot: whole (pattern_check), version equal to the write number it was
 * made from, versions never going backwards. Prints one line per case and
 * exits 1 if any snapshot was torn or out of order.
 *
 *   stress [--seconds S]   S per case (default 1)
 */
#include "seqshm.h"
#include "../common/run_tag.h"
#include "../common/pattern.h"

#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

struct counts {
    uint64_t checked, torn, backwards, timeouts, errors;
};

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void writer(const char *name, size_t size, unsigned flags, double until)
{
    seqshm *s;
    if (seqshm_open(&s, name, size, flags) != SEQSHM_OK)
        _exit(2);
    unsigned char *buf = malloc(size);
    for (uint64_t k = seqshm_version(s) + 1; now_s() < until; k++) {
        pattern_fill(buf, size, k);
        if (seqshm_write(s, buf, SEQSHM_FOREVER) != SEQSHM_OK)
            _exit(3);
    }
    seqshm_close(s);
    _exit(0);
}

static void reader(const char *name, size_t size, unsigned flags, double until,
                   int out)
{
    struct counts c = {0};
    seqshm *s;
    if (seqshm_open(&s, name, size, flags) != SEQSHM_OK)
        _exit(2);
    unsigned char *buf = malloc(size);
    uint64_t last = 0;
    while (now_s() < until) {
        uint64_t v, k;
        int st = seqshm_read_versioned(s, buf, &v, 50000000);
        if (st == SEQSHM_ETIMEDOUT) {
            c.timeouts++;
            continue;
        }
        if (st != SEQSHM_OK) {
            c.errors++;
            continue;
        }
        c.checked++;
        /* version 0 is the all-zero payload of a new segment */
        bool whole = v == 0 ? buf[0] == 0 && buf[size - 1] == 0
                            : pattern_check(buf, size, &k) && k == v;
        c.torn += !whole;
        c.backwards += v < last;
        last = v;
    }
    (void)!write(out, &c, sizeof c);
    seqshm_close(s);
    _exit(0);
}

static int run_case(unsigned layout, unsigned slots, unsigned wflags,
                    const char *lname, size_t size, double seconds)
{
    char name[64];
    snprintf(name, sizeof name, "seqshm-s-%s-%d", run_tag(), (int)getpid());
    seqshm *s;
    seqshm_options o = {.flags = SEQSHM_CREATE | SEQSHM_EXCL | layout,
                        .slots = slots};
    if (seqshm_open_opts(&s, name, size, &o) != SEQSHM_OK) {
        fprintf(stderr, "stress: cannot create %s\n", name);
        return 1;
    }
    int p[2];
    if (pipe(p) != 0)
        return 1;
    double until = now_s() + seconds;
    pid_t kids[3];
    if ((kids[0] = fork()) == 0)
        writer(name, size, wflags, until);
    if ((kids[1] = fork()) == 0)
        reader(name, size, 0, until, p[1]);
    if ((kids[2] = fork()) == 0)
        reader(name, size, SEQSHM_RDONLY, until, p[1]);
    close(p[1]);
    struct counts sum = {0}, c;
    int bad = 0;
    for (int i = 0; i < 2; i++) {
        if (read(p[0], &c, sizeof c) != (ssize_t)sizeof c) {
            bad = 1;
            continue;
        }
        sum.checked += c.checked;
        sum.torn += c.torn;
        sum.backwards += c.backwards;
        sum.timeouts += c.timeouts;
        sum.errors += c.errors;
    }
    close(p[0]);
    for (int i = 0; i < 3; i++) {
        int st;
        waitpid(kids[i], &st, 0);
        bad |= !WIFEXITED(st) || WEXITSTATUS(st) != 0;
    }
    uint64_t writes = seqshm_version(s);
    seqshm_close(s);
    bad |= sum.torn != 0 || sum.backwards != 0 || sum.errors != 0 ||
           sum.checked == 0;
    printf("stress %-6s %6zu B: writes %9" PRIu64 "  snapshots checked %9"
           PRIu64 "  torn %" PRIu64 "  backwards %" PRIu64 "  timeouts %"
           PRIu64 "  errors %" PRIu64 "  %s\n", lname, size, writes,
           sum.checked, sum.torn, sum.backwards, sum.timeouts, sum.errors,
           bad ? "FAIL" : "ok");
    return bad;
}

int main(int argc, char **argv)
{
    double seconds = 1;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--seconds") == 0 && i + 1 < argc)
            seconds = atof(argv[++i]);
        else {
            fprintf(stderr, "usage: stress [--seconds S]\n");
            return 2;
        }
    }
    /* the writer of the last two is the sole writer */
    static const unsigned layouts[] = {0, SEQSHM_DOUBLE_BUFFER, SEQSHM_MUTEX,
                                       0, 0, 0, SEQSHM_DOUBLE_BUFFER};
    static const unsigned slots[] = {1, 2, 1, 4, 64, 1, 2};
    static const char *names[] = {"single", "double", "mutex", "4slot",
                                  "64slot", "sole1", "sole2"};
    static const size_t sizes[] = {64, 4096, 65536};
    int bad = 0;
    for (int l = 0; l < 7; l++)
        for (int z = 0; z < 3; z++)
            bad |= run_case(layouts[l], slots[l],
                            l >= 5 ? SEQSHM_SOLE_WRITER : 0, names[l],
                            sizes[z], seconds);
    printf("stress: %s\n", bad ? "FAILED" : "no torn snapshot");
    return bad;
}
