/* soak.c - long run over every layout: writer and reader processes that
 * open, use and close their handles in loops, while the parent SIGKILLs one
 * of them at random moments and starts another in its place.
 *
 * Checked all the time: every snapshot returned with SEQSHM_OK is whole
 * (pattern.h), versions never go backwards for a reader, a worker's file
 * descriptors and mappings after closing its handle are what they were
 * before opening it; at the end, the parent's own fds and mappings are back
 * to their start and nothing of the soak is left in /dev/shm.
 *
 *   soak [--seconds S]   default 600
 * Prints one line of totals; exits 1 on any torn snapshot, reversal, leak
 * or unexpected error. */
#include "seqshm.h"
#include "../common/run_tag.h"
#include "../common/pattern.h"

#include <dirent.h>
#include <inttypes.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define SIZE 4096
#define LAYOUTS 3
#define PER_LAYOUT 4 /* two writers, a read-write and a read-only reader */
#define WORKERS (LAYOUTS * PER_LAYOUT)

struct counters { /* one per worker slot, in an anonymous shared mapping */
    _Atomic uint64_t reads, writes, opens, torn, backwards, ownerdead,
        timeouts, errors, leaks;
};

static const unsigned layouts[LAYOUTS] = {0, SEQSHM_DOUBLE_BUFFER, SEQSHM_MUTEX};

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static int count_entries(const char *dir)
{
    DIR *d = opendir(dir);
    int n = 0;
    if (d == NULL)
        return -1;
    while (readdir(d) != NULL)
        n++;
    closedir(d);
    return n;
}

/* Bytes mapped, not lines of /proc/self/maps: a leaked anonymous page may
 * merge with its neighbour and add no line. */
static long long count_maps(void)
{
    FILE *f = fopen("/proc/self/maps", "r");
    long long total = 0;
    unsigned long long lo, hi;
    char line[512];
    if (f == NULL)
        return -1;
    while (fgets(line, sizeof line, f) != NULL)
        if (sscanf(line, "%llx-%llx", &lo, &hi) == 2 &&
            strstr(line, "[stack]") == NULL) /* the stack may grow */
            total += (long long)(hi - lo);
    fclose(f);
    return total;
}

static void seg_name(char *buf, size_t cap, pid_t parent, int layout)
{
    snprintf(buf, cap, "seqshm-s-%s-%d-soak-%d", run_tag(), (int)parent, layout);
}

/* One worker: a writer (role 0, 1) or a reader (role 2 read-write, role 3
 * read-only) on the segment of one layout, for ever, in cycles of open,
 * some operations, close. */
static void worker(pid_t parent, int slot, struct counters *c)
{
    int layout = slot / PER_LAYOUT, role = slot % PER_LAYOUT;
    char name[64];
    seg_name(name, sizeof name, parent, layout);
    static unsigned char buf[SIZE];
    unsigned seed = (unsigned)getpid();
    uint64_t counter = 0, last = 0;
    int fds0 = -1;
    long long maps0 = -1;
    for (int cycle = 0;; cycle++) {
        seqshm *s;
        int st = seqshm_open(&s, name, SIZE, role == 3 ? SEQSHM_RDONLY : 0);
        if (st != SEQSHM_OK) {
            c->errors++;
            sleep(1);
            continue;
        }
        c->opens++;
        int ops = 50 + (int)(rand_r(&seed) % 500);
        for (int i = 0; i < ops; i++) {
            if (role < 2) {
                /* unique per writer, so that any mix of two is caught */
                uint64_t k = ((uint64_t)(slot + 1) << 40) | ++counter;
                pattern_fill(buf, SIZE, k);
                st = seqshm_write(s, buf, 1000000000);
                if (st == SEQSHM_OK)
                    c->writes++;
                else if (st == SEQSHM_ETIMEDOUT)
                    c->timeouts++;
                else
                    c->errors++;
                if (i % 16 == 0)
                    usleep(50); /* let readers in, now and then */
            } else {
                uint64_t v, k;
                st = seqshm_read_versioned(s, buf, &v, 1000000000);
                if (st == SEQSHM_OK) {
                    c->reads++;
                    bool whole = v == 0 || pattern_check(buf, SIZE, &k);
                    c->torn += !whole;
                    c->backwards += v < last;
                    last = v;
                } else if (st == SEQSHM_EOWNERDEAD) {
                    c->ownerdead++;
                } else if (st == SEQSHM_ETIMEDOUT) {
                    c->timeouts++;
                } else {
                    c->errors++;
                }
            }
        }
        seqshm_close(s);
        /* after a close, this process holds what it held before the open */
        int fds = count_entries("/proc/self/fd");
        long long maps = count_maps();
        if (cycle == 0) {
            fds0 = fds;
            maps0 = maps;
        } else if (fds != fds0 || maps != maps0) {
            c->leaks++;
        }
    }
}

static pid_t spawn(pid_t parent, int slot, struct counters *c)
{
    pid_t pid = fork();
    if (pid == 0) {
        worker(parent, slot, &c[slot]);
        _exit(0);
    }
    return pid;
}

int main(int argc, char **argv)
{
    double seconds = 600;
    if (argc == 3 && strcmp(argv[1], "--seconds") == 0)
        seconds = atof(argv[2]);
    else if (argc != 1) {
        fprintf(stderr, "usage: soak [--seconds S]\n");
        return 2;
    }
    pid_t me = getpid();
    int fds0 = count_entries("/proc/self/fd");
    long long maps0 = count_maps();
    struct counters *c = mmap(NULL, sizeof *c * WORKERS,
                              PROT_READ | PROT_WRITE,
                              MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (c == MAP_FAILED)
        return 1;
    seqshm *segs[LAYOUTS];
    char name[64];
    for (int l = 0; l < LAYOUTS; l++) {
        seg_name(name, sizeof name, me, l);
        if (seqshm_open(&segs[l], name, SIZE,
                        SEQSHM_CREATE | SEQSHM_EXCL | layouts[l]) != SEQSHM_OK) {
            fprintf(stderr, "soak: cannot create %s\n", name);
            return 1;
        }
    }
    pid_t kids[WORKERS];
    for (int i = 0; i < WORKERS; i++)
        kids[i] = spawn(me, i, c);

    unsigned seed = (unsigned)me;
    uint64_t kills = 0, parent_opens = 0, parent_errors = 0;
    double end = now_s() + seconds;
    while (now_s() < end) {
        usleep(20000 + rand_r(&seed) % 180000);
        int victim = (int)(rand_r(&seed) % WORKERS);
        kill(kids[victim], SIGKILL);
        waitpid(kids[victim], NULL, 0);
        kills++;
        kids[victim] = spawn(me, victim, c);
        /* the parent opens and closes too: a read-only look at each */
        for (int l = 0; l < LAYOUTS; l++) {
            seqshm *s;
            seqshm_info info;
            seg_name(name, sizeof name, me, l);
            if (seqshm_open(&s, name, SIZE, SEQSHM_RDONLY) != SEQSHM_OK ||
                seqshm_stat(s, &info) != SEQSHM_OK)
                parent_errors++;
            else
                parent_opens++;
            seqshm_close(s);
        }
    }
    for (int i = 0; i < WORKERS; i++) {
        kill(kids[i], SIGKILL);
        waitpid(kids[i], NULL, 0);
    }

    struct counters t = {0};
    for (int i = 0; i < WORKERS; i++) {
        t.reads += c[i].reads;
        t.writes += c[i].writes;
        t.opens += c[i].opens;
        t.torn += c[i].torn;
        t.backwards += c[i].backwards;
        t.ownerdead += c[i].ownerdead;
        t.timeouts += c[i].timeouts;
        t.errors += c[i].errors;
        t.leaks += c[i].leaks;
    }
    for (int l = 0; l < LAYOUTS; l++)
        seqshm_close(segs[l]);
    munmap(c, sizeof *c * WORKERS);
    int left = 0;
    for (int l = 0; l < LAYOUTS; l++) {
        char path[96];
        seg_name(name, sizeof name, me, l);
        snprintf(path, sizeof path, "/dev/shm/%s", name);
        left += access(path, F_OK) == 0;
    }
    bool parent_leak = count_entries("/proc/self/fd") != fds0 ||
                       count_maps() != maps0;
    uint64_t ops = t.reads + t.writes + t.opens + parent_opens;
    bool bad = t.torn || t.backwards || t.leaks || t.errors || parent_errors ||
               left || parent_leak || t.reads == 0 || t.writes == 0;
    printf("soak %.0f s: operations %" PRIu64 " (reads %" PRIu64 ", writes %"
           PRIu64 ", opens %" PRIu64 ")  kills %" PRIu64 "  torn %" PRIu64
           "  backwards %" PRIu64 "  ownerdead %" PRIu64 "  timeouts %" PRIu64
           "  errors %" PRIu64 "  leaks %" PRIu64 " + parent %d + /dev/shm %d"
           "  %s\n",
           seconds, ops, t.reads, t.writes, t.opens + parent_opens, kills,
           t.torn, t.backwards, t.ownerdead, t.timeouts,
           t.errors + parent_errors, t.leaks, parent_leak, left,
           bad ? "FAIL" : "ok");
    return bad;
}
