/* follow.c - the tool's commands that follow every version: tail, record,
 * and replay of a recording.
 *
 * Recording file format (all integers little-endian, as written by the
 * x86-64 and aarch64 hosts seqshm runs on):
 *   header, 32 bytes:
 *     0   8  magic "SQSHREC1"
 *     8   8  payload size in bytes
 *     16  8  the segment's type tag
 *     24  4  the segment's slots
 *     28  4  the segment's layout flags (0, 8 double buffer, 16 mutex)
 *   then one record per version received, 24 + size bytes:
 *     0   8  version
 *     8   8  receive time, nanoseconds since the Unix epoch (CLOCK_REALTIME)
 *     16  8  versions lost just before this one (the consumer was lapped)
 *     24  size  the payload
 * A file cut short by a crash ends at the last whole record; replay reads
 * up to there.
 */
#include "tool.h"

#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAGIC "SQSHREC1"
#define WAIT_SLICE_NS 200000000LL /* a follower looks at signals this often */

struct rec_header {
    char magic[8];
    uint64_t size, type_tag;
    uint32_t slots, layout;
};
struct rec_entry {
    uint64_t version, time_ns, lost;
};
_Static_assert(sizeof(struct rec_header) == 32, "header layout");
_Static_assert(sizeof(struct rec_entry) == 24, "entry layout");

static uint64_t realtime_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Follows name from its current version, calling each(version, lost,
 * payload, size, ctx) for every version delivered, until count versions
 * (count <= 0: for ever), SIGINT or SIGTERM, or an error. */
typedef int each_fn(uint64_t version, uint64_t lost, const unsigned char *p,
                    size_t n, void *ctx);
static int follow(const char *cmd, const char *name, long count, each_fn *each,
                  void *ctx)
{
    seqshm *s;
    int rc = seqshm_open(&s, name, 0, LOOK);
    if (rc != SEQSHM_OK)
        return fail(cmd, name, rc);
    size_t n = seqshm_size(s);
    unsigned char *buf = malloc(n);
    if (buf == NULL) {
        seqshm_close(s);
        return fail(cmd, name, SEQSHM_ESYS);
    }
    catch_stop_signals();
    uint64_t cursor = seqshm_version(s), lost;
    int out = 0;
    for (long got = 0; (count <= 0 || got < count) && !stop_requested;) {
        rc = seqshm_next(s, &cursor, buf, &lost, WAIT_SLICE_NS);
        if (rc == SEQSHM_ETIMEDOUT)
            continue;
        if (rc != SEQSHM_OK) {
            out = fail(cmd, name, rc);
            break;
        }
        if ((out = each(cursor, lost, buf, n, ctx)) != 0)
            break;
        got++;
    }
    free(buf);
    seqshm_close(s);
    return out;
}

/* ----------------------------------------------------------------- tail */

struct tail {
    enum fmt f;
    bool json;
    struct fields fs;
};

static int tail_one(uint64_t version, uint64_t lost, const unsigned char *p,
                    size_t n, void *ctx)
{
    const struct tail *t = ctx;
    if (t->json) {
        printf("{\"version\": %" PRIu64 ", \"lost\": %" PRIu64 ", \"data\": ",
               version, lost);
        if (t->f == FIELDS) {
            fields_json(&t->fs, p);
        } else {
            putchar('"');
            for (size_t i = 0; i < n; i++)
                printf("%02x", p[i]);
            putchar('"');
        }
        printf("}\n");
    } else {
        printf("version %" PRIu64, version);
        if (lost > 0)
            printf("  lost %" PRIu64, lost);
        printf("  ");
        if (t->f == FIELDS)
            fields_print(&t->fs, p, " ");
        else
            print_line(t->f, p, n);
        putchar('\n');
    }
    fflush(stdout);
    return 0;
}

/* The segment's schema decides AUTO (follow() opens it again; the schema
 * is fixed at creation, so both see the same). */
static int tail_setup(const char *name, struct tail *t)
{
    seqshm *s;
    int rc = seqshm_open(&s, name, 0, LOOK);
    if (rc != SEQSHM_OK)
        return fail("tail", name, rc);
    rc = fields_load(&t->fs, seqshm_schema(s));
    seqshm_close(s);
    if (rc != SEQSHM_OK)
        return fail("tail", name, rc);
    return format_for("tail", name, &t->f, &t->fs) ? 0 : 1;
}

int cmd_tail(const char *name, enum fmt f, long count, bool json)
{
    struct tail t = {.f = f, .json = json};
    int rc = tail_setup(name, &t);
    if (rc == 0)
        rc = follow("tail", name, count, tail_one, &t);
    fields_free(&t.fs);
    return rc;
}

/* --------------------------------------------------------------- record */

struct recording {
    FILE *f;
    uint64_t versions, lost;
};

static int record_one(uint64_t version, uint64_t lost, const unsigned char *p,
                      size_t n, void *ctx)
{
    struct recording *r = ctx;
    struct rec_entry e = {version, realtime_ns(), lost};
    if (fwrite(&e, sizeof e, 1, r->f) != 1 || fwrite(p, 1, n, r->f) != n)
        return 1;
    r->versions++;
    r->lost += lost;
    return 0;
}

int cmd_record(const char *name, const char *file, long count)
{
    struct recording r = {fopen(file, "wb"), 0, 0};
    if (r.f == NULL) {
        fprintf(stderr, "seqshm: record: %s: %s\n", file, strerror(errno));
        return 1;
    }
    seqshm *probe; /* for the header; follow() opens its own */
    int rc = seqshm_open(&probe, name, 0, LOOK);
    if (rc != SEQSHM_OK) {
        fclose(r.f);
        remove(file);
        return fail("record", name, rc);
    }
    struct rec_header h = {MAGIC, seqshm_size(probe), seqshm_type_tag(probe),
                           seqshm_slots(probe), seqshm_layout(probe)};
    seqshm_close(probe);
    memcpy(h.magic, MAGIC, 8);
    if (fwrite(&h, sizeof h, 1, r.f) != 1) {
        fclose(r.f);
        fprintf(stderr, "seqshm: record: %s: %s\n", file, strerror(errno));
        return 1;
    }
    int out = follow("record", name, count, record_one, &r);
    if (fclose(r.f) != 0 && out == 0) {
        fprintf(stderr, "seqshm: record: %s: %s\n", file, strerror(errno));
        out = 1;
    }
    fprintf(stderr, "seqshm: recorded %" PRIu64 " versions of %s into %s (%" PRIu64
                    " lost)\n", r.versions, bare(name), file, r.lost);
    return out;
}

/* --------------------------------------------------------------- replay */

static void sleep_ns(uint64_t ns)
{
    struct timespec ts = {(time_t)(ns / 1000000000u), (long)(ns % 1000000000u)};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR && !stop_requested)
        ;
}

static uint64_t mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* The next record into *e and buf; false at the end (or a record cut
 * short). */
static bool next_record(FILE *f, struct rec_entry *e, unsigned char *buf,
                        uint64_t size)
{
    return fread(e, sizeof *e, 1, f) == 1 && fread(buf, 1, (size_t)size, f) == size;
}

/* Replays at the recording's pace divided by speed (0: at once). The pace
 * is the recorded receive times' differences: where the recording's clock
 * stepped back, the record is due at once (never a wait of centuries), and
 * a wait is capped at a day. Nothing is created for a recording that is
 * not one (its layout, slots or size out of range) or holds no version. */
int cmd_replay(const char *file, const char *name, double speed)
{
    FILE *f = fopen(file, "rb");
    if (f == NULL) {
        fprintf(stderr, "seqshm: replay: %s: %s\n", file, strerror(errno));
        return 1;
    }
    struct rec_header h;
    if (fread(&h, sizeof h, 1, f) != 1 || memcmp(h.magic, MAGIC, 8) != 0 ||
        h.size == 0 || h.size > SEQSHM_MAX_SIZE ||
        (h.layout != 0 && h.layout != SEQSHM_DOUBLE_BUFFER &&
         h.layout != SEQSHM_MUTEX) ||
        h.slots == 0 || h.slots > SEQSHM_MAX_SLOTS ||
        (h.slots & (h.slots - 1)) != 0) {
        fprintf(stderr, "seqshm: replay: %s is not a seqshm recording\n", file);
        fclose(f);
        return 1;
    }
    unsigned char *buf = malloc((size_t)h.size);
    struct rec_entry e;
    if (buf == NULL || !next_record(f, &e, buf, h.size)) {
        fprintf(stderr, "seqshm: replay: %s holds no version; nothing "
                        "created\n", file);
        free(buf);
        fclose(f);
        return 1;
    }
    seqshm_options o = {.flags = SEQSHM_CREATE | SEQSHM_PERSIST |
                                 (h.layout & SEQSHM_MUTEX),
                        .type_tag = h.type_tag,
                        .slots = h.layout & SEQSHM_MUTEX ? 0 : h.slots};
    seqshm *s;
    int rc = seqshm_open_opts(&s, name, (size_t)h.size, &o);
    if (rc != SEQSHM_OK) {
        free(buf);
        fclose(f);
        return fail("replay", name, rc);
    }
    const double day_ns = 86400e9;
    uint64_t prev_t = e.time_ns, start = mono_ns(), n = 0;
    double due = 0; /* nanoseconds after start */
    catch_stop_signals();
    do {
        if (speed > 0) {
            double step = e.time_ns > prev_t ? (double)(e.time_ns - prev_t) : 0;
            due += step / speed < day_ns ? step / speed : day_ns;
            double now = (double)(mono_ns() - start);
            if (due > now)
                sleep_ns((uint64_t)(due - now));
        }
        prev_t = e.time_ns;
        if ((rc = seqshm_write(s, buf, SEQSHM_FOREVER)) != SEQSHM_OK)
            break;
        n++;
    } while (!stop_requested && next_record(f, &e, buf, h.size));
    free(buf);
    fclose(f);
    seqshm_close(s);
    if (rc != SEQSHM_OK)
        return fail("replay", name, rc);
    fprintf(stderr, "seqshm: replayed %" PRIu64 " versions into %s\n", n,
            bare(name));
    return 0;
}
