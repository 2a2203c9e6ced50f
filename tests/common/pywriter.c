/* pywriter.c - a C writer for the Python package's tests and benchmark:
 * opens the segment NAME (made by the test, with the schema below: the
 * demo's 80-byte sensor frame) and publishes COUNT frames at RATE per
 * second (0: flat out), the frame of version k carrying k in `frame`, so a
 * reader can check that each version holds its own frame.
 *   pywriter NAME RATE COUNT
 * Exit 0 when all were written, 1 on a usage error, 10+|status| on a
 * seqshm error. */
#include "seqshm.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define FRAME_SCHEMA                                                          \
    "stamp_ns:u64 frame:u64 position:f64[3] attitude:f64[3] counters:u32[4]"

struct frame {
    uint64_t stamp_ns;
    uint64_t frame;
    double position[3];
    double attitude[3];
    uint32_t counters[4];
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
    uint64_t period = rate > 0 ? (uint64_t)(1e9 / rate) : 0;
    uint64_t next = now_ns();
    for (long k = 1; k <= count; k++) {
        f.frame = seqshm_version(s) + 1; /* the only writer: its version */
        f.stamp_ns = now_ns();
        f.position[0] = (double)f.frame / 2;
        f.position[1] = -(double)f.frame;
        f.position[2] = 0.25;
        f.attitude[2] = (double)(f.frame % 628) / 100;
        f.counters[0] = (uint32_t)(f.frame % 7);
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
