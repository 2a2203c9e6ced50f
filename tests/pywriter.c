/* pywriter.c - a C writer for the Python package's tests: opens the
 * segment NAME (made by the test, with the schema below) and publishes
 * COUNT frames at RATE per second (0: flat out), frame k carrying k in seq,
 * so a reader can check that each version holds its own frame.
 *   pywriter NAME RATE COUNT
 * Exit 0 when all were written, 1 on a usage error, 10+|status| on a
 * seqshm error. */
#include "seqshm.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define FRAME_SCHEMA "seq:u64 stamp_ns:u64 pos:f64[3] flags:u32 label:char[8]"

struct frame {
    uint64_t seq;
    uint64_t stamp_ns;
    double pos[3];
    uint32_t flags;
    char label[8];
};

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: pywriter NAME RATE COUNT\n");
        return 1;
    }
    double rate = atof(argv[2]);
    long count = atol(argv[3]);
    seqshm *s;
    seqshm_options o = {.schema = FRAME_SCHEMA};
    int st = seqshm_open_opts(&s, argv[1], sizeof(struct frame), &o);
    if (st != SEQSHM_OK) {
        fprintf(stderr, "pywriter: %s\n", seqshm_strerror(st));
        return 10 - st;
    }
    struct frame f = {0};
    memcpy(f.label, "pyframe", 8);
    uint64_t period = rate > 0 ? (uint64_t)(1e9 / rate) : 0;
    uint64_t next = now_ns();
    for (long k = 1; k <= count; k++) {
        f.seq = seqshm_version(s) + 1; /* the only writer: its version */
        f.stamp_ns = now_ns();
        f.pos[0] = (double)f.seq / 2;
        f.pos[1] = -(double)f.seq;
        f.pos[2] = 0.25;
        f.flags = (uint32_t)(f.seq % 7);
        if ((st = seqshm_write(s, &f, SEQSHM_FOREVER)) != SEQSHM_OK) {
            fprintf(stderr, "pywriter: %s\n", seqshm_strerror(st));
            return 10 - st;
        }
        if (period) {
            next += period;
            struct timespec ts = {(time_t)(next / 1000000000u),
                                  (long)(next % 1000000000u)};
            clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
        }
    }
    seqshm_close(s);
    return 0;
}
