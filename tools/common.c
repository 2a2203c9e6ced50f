/* common.c - what the tool's commands share: signals, the one-line error,
 * names, and payloads printed as a line (tool.h). */
#include "tool.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
    (void)sig;
    stop_requested = 1;
}

void catch_stop_signals(void)
{
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
}

static const char *status_name(int st)
{
    static const char *names[] = {
        "SEQSHM_OK",     "SEQSHM_EINVAL",   "SEQSHM_ENOENT",
        "SEQSHM_EEXIST", "SEQSHM_ESIZE",    "SEQSHM_EBADSEG",
        "SEQSHM_EACCES", "SEQSHM_ETIMEDOUT", "SEQSHM_EOWNERDEAD",
        "SEQSHM_ETYPE",  "SEQSHM_ESYS",     "SEQSHM_EOVERWRITTEN",
        "SEQSHM_EBUSY"};
    return st <= 0 && st >= SEQSHM_EBUSY ? names[-st] : "SEQSHM_?";
}

/* "seqshm: info foo: no segment of that name (SEQSHM_ENOENT)"; exit 1 */
int fail(const char *cmd, const char *name, int st)
{
    if (st == SEQSHM_ESYS)
        fprintf(stderr, "seqshm: %s %s: %s (%s: %s)\n", cmd, name,
                seqshm_strerror(st), status_name(st), strerror(errno));
    else
        fprintf(stderr, "seqshm: %s %s: %s (%s)\n", cmd, name,
                seqshm_strerror(st), status_name(st));
    return 1;
}


const char *layout_name(unsigned layout, unsigned slots)
{
    return layout == SEQSHM_DOUBLE_BUFFER ? "double"
           : layout == SEQSHM_MUTEX       ? "mutex"
           : slots > 2                    ? "ring"
                                          : "single";
}

const char *bare(const char *name) /* without a leading '/' */
{
    return name[0] == '/' ? name + 1 : name;
}

bool parse_format(const char *s, enum fmt *f)
{
    static const char *names[] = {"hex", "raw", "u8",  "i32",
                                  "u64", "f32", "f64", "fields"};
    for (int i = 0; i < 8; i++)
        if (strcmp(s, names[i]) == 0) {
            *f = (enum fmt)i;
            return true;
        }
    return false;
}

void print_element(enum fmt f, const unsigned char *p)
{
    union { uint32_t u32; int32_t i32; uint64_t u64; float f32; double f64; } v;
    switch (f) {
    case U8: printf("%u", p[0]); break;
    case I32: memcpy(&v.i32, p, 4); printf("%" PRId32, v.i32); break;
    case U64: memcpy(&v.u64, p, 8); printf("%" PRIu64, v.u64); break;
    case F32: memcpy(&v.f32, p, 4); printf("%.9g", (double)v.f32); break;
    case F64: memcpy(&v.f64, p, 8); printf("%.17g", v.f64); break;
    default: break;
    }
}

/* Resolves --format for a segment: AUTO is FIELDS with a schema, else HEX;
 * FIELDS without a schema is an error (returns false, having said so). */
bool format_for(const char *cmd, const char *name, enum fmt *f,
                const struct fields *fs)
{
    if (*f == AUTO)
        *f = fs->n > 0 ? FIELDS : HEX;
    if (*f == FIELDS && fs->n == 0) {
        fprintf(stderr, "seqshm: %s %s: the segment has no schema: "
                        "--format fields needs one\n", cmd, bare(name));
        return false;
    }
    return true;
}


void print_line(enum fmt f, const unsigned char *buf, size_t n)
{
    static const size_t width[] = {1, 1, 1, 4, 8, 4, 8};
    if (f == HEX || f == RAW) {
        for (size_t i = 0; i < n; i++)
            printf("%02x%s", buf[i], i % 2 && i + 1 < n ? " " : "");
        return;
    }
    for (size_t i = 0; i + width[f] <= n; i += width[f]) {
        if (i)
            putchar(' ');
        print_element(f, buf + i);
    }
}

