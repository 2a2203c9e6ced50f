/* demo.c - live telemetry over seqshm: one writer process publishes a
 * simulated sensor at 10 kHz; two reader processes consume it their own way.
 *
 *   follower  a consumer with a cursor (seqshm_next) over a segment that
 *             keeps the last 64 frames: it receives every frame, and reports
 *             frames per second, how many it lost (0 while it keeps up; in
 *             its last two seconds it is slowed down on purpose, to 1 ms a
 *             frame, and counts what it loses) and the staleness of what it
 *             read (time from the writer's timestamp to the end of the
 *             read);
 *   sampler   a read-only handle that looks at the latest value ten times a
 *             second, as a dashboard would: it skips versions, never blocks
 *             the writer, and never sees a torn frame.
 *
 * Runs for about six seconds (--seconds N: N) and exits. Needs nothing but
 * the library. */
#include "seqshm.h"

#include <inttypes.h>
#include <math.h>
#include <stdbool.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define RUN_SECONDS 6 /* unless --seconds says otherwise */
#define RATE_HZ 10000
#define SLOTS 64       /* frames the segment keeps: 6.4 ms at 10 kHz */

struct sensor_frame {
    uint64_t stamp_ns;   /* CLOCK_MONOTONIC when the frame was made */
    uint64_t frame;      /* writer's frame counter */
    double position[3];  /* metres */
    double attitude[3];  /* roll, pitch, yaw in radians */
    uint32_t counters[4]; /* e.g. encoder ticks, dropped packets, ... */
};
#define SENSOR_FRAME_SCHEMA                                                   \
    "stamp_ns:u64 frame:u64 position:f64[3] attitude:f64[3] counters:u32[4]"

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void sleep_until(uint64_t t)
{
    struct timespec ts = {(time_t)(t / 1000000000u), (long)(t % 1000000000u)};
    clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
}

static int writer(const char *name, uint64_t end)
{
    seqshm *shm;
    /* the frames' only writer: its writes are wait-free */
    int st = seqshm_open(&shm, name, 0, SEQSHM_SOLE_WRITER);
    if (st != SEQSHM_OK) {
        fprintf(stderr, "writer: %s\n", seqshm_strerror(st));
        return 1;
    }
    struct sensor_frame f = {0};
    uint64_t next = now_ns();
    while (next < end) {
        double t = (double)f.frame / RATE_HZ;
        f.position[0] = 2.0 * cos(t);   /* a robot driving in circles */
        f.position[1] = 2.0 * sin(t);
        f.position[2] = 0.1 * sin(5 * t);
        f.attitude[2] = fmod(t + M_PI / 2, 2 * M_PI);
        f.counters[0] = (uint32_t)(f.frame * 3);
        f.counters[1] = (uint32_t)(f.frame / 1000);
        f.stamp_ns = now_ns();
        if ((st = seqshm_write(shm, &f, SEQSHM_FOREVER)) != SEQSHM_OK) {
            fprintf(stderr, "writer: %s\n", seqshm_strerror(st));
            break;
        }
        f.frame++;
        next += 1000000000u / RATE_HZ;
        sleep_until(next);
    }
    printf("[writer ] published %" PRIu64 " frames, version %" PRIu64 "\n",
           f.frame, seqshm_version(shm));
    fflush(stdout); /* the role returns into _exit(), which does not flush */
    seqshm_close(shm);
    return 0;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

static int follower(const char *name, uint64_t end)
{
    seqshm *shm;
    if (seqshm_open(&shm, name, sizeof(struct sensor_frame), 0) != SEQSHM_OK)
        return 1;
    static uint64_t stale[RATE_HZ * 2];
    struct sensor_frame f;
    uint64_t cursor = seqshm_version(shm), n = 0, lost = 0, gap;
    uint64_t tick = now_ns() + 1000000000u;
    int second = 1;
    /* slow on purpose from its second N - 1 on (its last two seconds, as
       it counts them) */
    int slow_from = (int)((end - now_ns() + 500000000u) / 1000000000u) - 1;
    while (now_ns() < end) {
        int st = seqshm_next(shm, &cursor, &f, &gap, 200000000);
        if (st != SEQSHM_OK)
            continue;
        uint64_t t = now_ns();
        lost += gap;
        if (n < sizeof stale / sizeof stale[0])
            stale[n++] = t - f.stamp_ns;
        if (second >= slow_from) { /* on purpose: 1 ms a frame */
            struct timespec ms = {0, 1000000};
            nanosleep(&ms, NULL);
        }
        if (t >= tick && n > 0) {
            qsort(stale, n, sizeof stale[0], cmp_u64);
            printf("[follow ] t=%ds  frames/s %6" PRIu64 "  lost %5" PRIu64
                   "  staleness p50 %7.1f us  p99 %7.1f us%s\n",
                   second, n, lost, stale[n / 2] / 1e3,
                   stale[n * 99 / 100] / 1e3,
                   second >= slow_from ? "  (slowed to 1 ms a frame)" : "");
            fflush(stdout);
            second++;
            n = lost = 0;
            tick += 1000000000u;
        }
    }
    seqshm_close(shm);
    return 0;
}

static int sampler(const char *name, uint64_t end)
{
    seqshm *shm;
    if (seqshm_open(&shm, name, sizeof(struct sensor_frame), SEQSHM_RDONLY) !=
        SEQSHM_OK)
        return 1;
    struct sensor_frame f;
    uint64_t next = now_ns() + 250000000u, prev = 0, prev_t = 0;
    int i = 0;
    while (next < end) {
        sleep_until(next);
        uint64_t v;
        if (seqshm_read_versioned(shm, &f, &v, 10000000) != SEQSHM_OK)
            continue;
        uint64_t t = now_ns();
        if (++i % 5 == 0) /* every half second: updates since the last line */
            printf("[sample ] version %7" PRIu64 "  updates/s %6.0f  "
                   "staleness %5.1f us  frame %7" PRIu64 "  yaw %5.2f rad  "
                   "ticks %u\n",
                   v, (double)(v - prev) * 1e9 / (double)(t - prev_t),
                   (t - f.stamp_ns) / 1e3, f.frame, f.attitude[2],
                   f.counters[0]);
        fflush(stdout);
        if (i % 5 == 0 || i == 1) {
            prev = v;
            prev_t = t;
        }
        next += 100000000u;
    }
    seqshm_close(shm);
    return 0;
}

int main(int argc, char **argv)
{
    int seconds = RUN_SECONDS;
    if (argc == 3 && strcmp(argv[1], "--seconds") == 0 && atoi(argv[2]) >= 2 &&
        atoi(argv[2]) <= 86400) {
        seconds = atoi(argv[2]);
    } else if (argc > 1) {
        bool help = strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0;
        fprintf(help ? stdout : stderr,
                "%susage: demo [--seconds N]\n"
                "Publishes an 80-byte sensor frame at %d Hz into a segment of "
                "%d slots for N s\n(default %d), with a follower that consumes "
                "every frame and a sampler that reads\nthe latest ten times a "
                "second (see the top of examples/demo.c).\n",
                help ? "" : "demo: the only option is --seconds N (2 to "
                            "86400)\n", RATE_HZ, SLOTS, RUN_SECONDS);
        return help ? 0 : 2;
    }
    char name[64];
    snprintf(name, sizeof name, "seqshm-demo-%d", (int)getpid());
    seqshm *shm;
    /* the frames describe themselves: seqshm info, dump and watch, and
     * Python, show them by field */
    seqshm_options o = {.flags = SEQSHM_CREATE | SEQSHM_EXCL, .slots = SLOTS,
                        .schema = SENSOR_FRAME_SCHEMA};
    int st = seqshm_open_opts(&shm, name, sizeof(struct sensor_frame), &o);
    if (st != SEQSHM_OK) {
        fprintf(stderr, "demo: %s\n", seqshm_strerror(st));
        return 1;
    }
    printf("seqshm demo: segment /%s, %zu-byte frames at %d Hz, %u slots, "
           "%d s\n", name, seqshm_size(shm), RATE_HZ, seqshm_slots(shm),
           seconds);
    fflush(stdout);
    uint64_t end = now_ns() + (uint64_t)seconds * 1000000000ull;
    int (*roles[3])(const char *, uint64_t) = {follower, sampler, writer};
    pid_t kids[3];
    for (int i = 0; i < 3; i++) {
        kids[i] = fork();
        if (kids[i] == 0)
            _exit(roles[i](name, end));
    }
    int bad = 0;
    for (int i = 0; i < 3; i++) {
        int ws;
        waitpid(kids[i], &ws, 0);
        bad |= !WIFEXITED(ws) || WEXITSTATUS(ws) != 0;
    }
    seqshm_close(shm); /* the creator's close removes the name */
    printf("seqshm demo: %s\n", bad ? "a process failed" : "done");
    return bad;
}
