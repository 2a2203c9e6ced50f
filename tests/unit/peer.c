/* peer.c - the second program of the exec tests: a separate binary that
 * opens a segment by name and acts on it.
 *   peer write  NAME BYTE COUNT      COUNT full writes of BYTE-filled payloads
 *   peer expect NAME BYTE VERSION    read-only: payload all BYTE at VERSION
 *   peer wait   NAME SINCE MS rw|ro  exit 0 if the version passes SINCE
 *   peer spin   NAME BYTE MS [sole]  full writes of BYTE-filled payloads,
 *                                    one every 100 us, for MS milliseconds
 *                                    (sole: as the segment's sole writer)
 * Exit 0 on success, 1 on a wrong value, 2 on usage, 10+|status| on error. */
#include "seqshm.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int fail(int st, const char *what)
{
    fprintf(stderr, "peer: %s: %s\n", what, seqshm_strerror(st));
    return 10 - st;
}

int main(int argc, char **argv)
{
    if (argc < 5)
        return 2;
    const char *cmd = argv[1], *name = argv[2];
    unsigned long long a = strtoull(argv[3], NULL, 0);
    unsigned long long b = strtoull(argv[4], NULL, 0);
    bool ro = strcmp(cmd, "expect") == 0 ||
              (argc > 5 && strcmp(argv[5], "ro") == 0);
    seqshm *s;
    bool sole = argc > 5 && strcmp(argv[5], "sole") == 0;
    int st = seqshm_open(&s, name, 0,
                         ro ? SEQSHM_RDONLY : sole ? SEQSHM_SOLE_WRITER : 0);
    if (st != SEQSHM_OK)
        return fail(st, "open");
    unsigned char *buf = malloc(seqshm_size(s));
    int rc = 0;
    if (strcmp(cmd, "write") == 0) {
        memset(buf, (int)a, seqshm_size(s));
        for (unsigned long long i = 0; i < b && rc == 0; i++)
            if ((st = seqshm_write(s, buf, SEQSHM_FOREVER)) != SEQSHM_OK)
                rc = fail(st, "write");
    } else if (strcmp(cmd, "expect") == 0) {
        uint64_t v;
        if ((st = seqshm_read_versioned(s, buf, &v, 1000000000)) != SEQSHM_OK)
            rc = fail(st, "read");
        else if (v != b)
            rc = 1;
        for (size_t i = 0; rc == 0 && i < seqshm_size(s); i++)
            if (buf[i] != (unsigned char)a)
                rc = 1;
    } else if (strcmp(cmd, "spin") == 0) {
        memset(buf, (int)a, seqshm_size(s));
        struct timespec t0, t, nap = {0, 100000};
        clock_gettime(CLOCK_MONOTONIC, &t0);
        do {
            if ((st = seqshm_write(s, buf, SEQSHM_FOREVER)) != SEQSHM_OK) {
                rc = fail(st, "write");
                break;
            }
            nanosleep(&nap, NULL);
            clock_gettime(CLOCK_MONOTONIC, &t);
        } while ((t.tv_sec - t0.tv_sec) * 1000 +
                     (t.tv_nsec - t0.tv_nsec) / 1000000 < (long long)b);
    } else if (strcmp(cmd, "wait") == 0) {
        if ((st = seqshm_wait(s, a, (int64_t)b * 1000000)) != SEQSHM_OK)
            rc = fail(st, "wait");
    } else {
        rc = 2;
    }
    free(buf);
    seqshm_close(s);
    return rc;
}
