/* writer.c - a C writer for the serve and MCAP tests: creates NAME with a
 * schema of every field type, says "ready", waits for a line on standard
 * input, writes COUNT versions at RATE a second (frame n = 1..COUNT, every
 * field a function of n that serve.test.js and mcap.test.js compute too),
 * says "done", and removes the segment when standard input closes.
 *   writer NAME COUNT RATE [SLOTS] */
#include "seqshm.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define SCHEMA "n:u64 a:i8 b:u8 c:i16 d:u16 e:i32 f:u32 g:i64 h:f32 x:f64 " \
               "ok:bool tag:char[8] pos:f64[3]"

struct frame {
    uint64_t n;
    int8_t a;
    uint8_t b;
    int16_t c;
    uint16_t d;
    int32_t e;
    uint32_t f;
    int64_t g;
    float h;
    double x;
    bool ok;
    char tag[8];
    double pos[3];
};

static void make(struct frame *fr, uint64_t n)
{
    memset(fr, 0, sizeof *fr);
    fr->n = n;
    fr->a = (int8_t)((int)(n % 200) - 100);
    fr->b = (uint8_t)(n % 256);
    fr->c = (int16_t)-(int)(n * 7 % 30000);
    fr->d = (uint16_t)(n * 3 % 65536);
    fr->e = -(int32_t)(n * 1000);
    fr->f = (uint32_t)(n * 100000 % 4294967296u);
    fr->g = -(int64_t)n * 1000000000;
    fr->h = (float)n * 0.25f;
    fr->x = (double)n / 3.0;
    fr->ok = n % 2 == 1;
    snprintf(fr->tag, sizeof fr->tag, "n%u", (unsigned)(n % 1000));
    fr->pos[0] = (double)n;
    fr->pos[1] = -(double)n;
    fr->pos[2] = (double)n * 0.5;
}

int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: writer NAME COUNT RATE [SLOTS]\n");
        return 2;
    }
    long count = atol(argv[2]);
    double rate = atof(argv[3]);
    size_t size = 0;
    if (seqshm_schema_parse(SCHEMA, NULL, 0, NULL, &size, NULL, 0) !=
            SEQSHM_OK || size != sizeof(struct frame)) {
        fprintf(stderr, "writer: the schema is not struct frame\n");
        return 1;
    }
    seqshm_options o = {.flags = SEQSHM_CREATE | SEQSHM_EXCL,
                        .slots = argc > 4 ? (unsigned)atoi(argv[4]) : 256,
                        .schema = SCHEMA};
    seqshm *s;
    int st = seqshm_open_opts(&s, argv[1], 0, &o);
    if (st != SEQSHM_OK) {
        fprintf(stderr, "writer: %s: %s\n", argv[1], seqshm_strerror(st));
        return 1;
    }
    printf("ready\n");
    fflush(stdout);
    char line[64];
    if (fgets(line, sizeof line, stdin) == NULL) {
        seqshm_close(s);
        return 0;
    }
    struct timespec next;
    clock_gettime(CLOCK_MONOTONIC, &next);
    long period = (long)(1e9 / rate);
    for (long n = 1; n <= count; n++) {
        struct frame fr;
        make(&fr, (uint64_t)n);
        if ((st = seqshm_write(s, &fr, 0)) != SEQSHM_OK) {
            fprintf(stderr, "writer: write: %s\n", seqshm_strerror(st));
            return 1;
        }
        next.tv_nsec += period;
        while (next.tv_nsec >= 1000000000) {
            next.tv_nsec -= 1000000000;
            next.tv_sec++;
        }
        clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, NULL);
    }
    printf("done\n");
    fflush(stdout);
    while (fgets(line, sizeof line, stdin) != NULL)
        ;
    seqshm_close(s); /* the creator's close removes it */
    return 0;
}
