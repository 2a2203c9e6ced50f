/* mcap_cmd.c - `seqshm record --mcap FILE NAME...` and `seqshm replay` of
 * such a file (mcap.h has the format).
 *
 * Record: one thread per segment follows it (seqshm_next, read-only) and
 * hands each version, as JSON by field, to the one writer, under a lock;
 * versions a follower was lapped past are counted per segment, written in
 * the file's "seqshm" metadata and said at the end. Only segments with a
 * schema can be recorded so (the messages are JSON by field).
 * Replay: every channel (or those named) into the segment PREFIX + topic,
 * made with the recorded schema, slots and type tag if absent, each
 * message parsed back into a payload (fields_from_json) and written at the
 * recorded pace times --speed. */
#include "mcap.h"
#include "tool.h"

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define SLICE_NS 200000000LL /* how often a follower looks at the signals */

struct rec_seg {
    const char *name;
    seqshm *s;
    struct fields fs;
    uint16_t channel;
    long count;                 /* versions to take, 0: until stopped */
    uint64_t cursor;            /* the last version seen */
    uint64_t versions, lost;
    int rc;
    struct mcap_writer *w;
    pthread_mutex_t *lock;
    pthread_t thread;
};

static uint64_t now_realtime(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void *record_follow(void *arg)
{
    struct rec_seg *r = arg;
    size_t n = seqshm_size(r->s);
    unsigned char *buf = malloc(n);
    uint64_t cursor = r->cursor, lost;
    if (buf == NULL) {
        r->rc = SEQSHM_ESYS;
        return NULL;
    }
    while (!stop_requested && (r->count <= 0 || r->versions < (uint64_t)r->count)) {
        int st = seqshm_next(r->s, &cursor, buf, &lost, SLICE_NS);
        if (st == SEQSHM_ETIMEDOUT)
            continue;
        if (st != SEQSHM_OK) {
            r->rc = st;
            break;
        }
        uint64_t t = now_realtime();
        struct text j = {0};
        fields_to_json(&j, &r->fs, buf);
        pthread_mutex_lock(r->lock);
        bool ok = !j.failed && mcap_message(r->w, r->channel, cursor, t,
                                            j.p, j.len);
        pthread_mutex_unlock(r->lock);
        text_free(&j);
        if (!ok) {
            r->rc = SEQSHM_ESYS;
            break;
        }
        r->versions++;
        r->lost += lost;
    }
    free(buf);
    return NULL;
}

static int record_mcap(const char *file, const char *const *names, int n,
                       long count, bool zstd)
{
    struct rec_seg *seg = calloc((size_t)n, sizeof *seg);
    pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
    int out = 0, opened = 0;
    if (seg == NULL)
        return fail("record", names[0], SEQSHM_ESYS);
    for (; opened < n; opened++) {
        struct rec_seg *r = &seg[opened];
        r->name = names[opened];
        int st = seqshm_open(&r->s, r->name, 0, LOOK);
        if (st == SEQSHM_OK && seqshm_schema(r->s)[0] == '\0') {
            fprintf(stderr, "seqshm: record %s: it has no schema, and MCAP "
                            "messages are JSON by field (record it with "
                            "'seqshm record NAME FILE')\n", bare(r->name));
            seqshm_close(r->s);
            out = 1;
            break;
        }
        if (st == SEQSHM_OK && (st = fields_load(&r->fs, seqshm_schema(r->s))) !=
                                   SEQSHM_OK)
            seqshm_close(r->s);
        if (st != SEQSHM_OK) {
            out = fail("record", r->name, st);
            break;
        }
    }
    struct mcap_writer *w = out ? NULL : mcap_create(file, zstd);
    if (out == 0 && w == NULL) {
        fprintf(stderr, "seqshm: record: %s: %s\n", file, strerror(errno));
        out = 1;
    }
    if (out == 0 && zstd && !zstd_built)
        fprintf(stderr, "seqshm: record: built without libzstd: chunks "
                        "are written uncompressed\n");
    for (int i = 0; out == 0 && i < n; i++) {
        struct rec_seg *r = &seg[i];
        char slots[16], tag[24];
        struct text schema = {0};
        snprintf(slots, sizeof slots, "%u", seqshm_slots(r->s));
        snprintf(tag, sizeof tag, "%" PRIu64, seqshm_type_tag(r->s));
        const char *meta[] = {"seqshm.schema", seqshm_schema(r->s),
                              "seqshm.slots", slots, "seqshm.type_tag", tag};
        fields_json_schema(&schema, &r->fs, bare(r->name));
        r->channel = schema.failed ? 0
                                   : mcap_channel(w, bare(r->name), schema.p,
                                                  meta, 3);
        text_free(&schema);
        if (r->channel == 0) {
            out = fail("record", r->name, SEQSHM_ESYS);
            break;
        }
        r->count = count;
        r->cursor = seqshm_version(r->s); /* from the next version on */
        r->w = w;
        r->lock = &lock;
    }
    catch_stop_signals();
    int started = 0;
    for (; out == 0 && started < n; started++)
        if (pthread_create(&seg[started].thread, NULL, record_follow,
                           &seg[started]) != 0) {
            out = fail("record", seg[started].name, SEQSHM_ESYS);
            stop_requested = 1;
            break;
        }
    if (out == 0)
        fprintf(stderr, "seqshm: recording %d segment%s into %s (Ctrl-C "
                        "stops)\n", n, n == 1 ? "" : "s", file);
    for (int i = 0; i < started; i++)
        pthread_join(seg[i].thread, NULL);
    /* what was recorded and lost, in the file and here */
    char **kv = calloc((size_t)(4 * n), sizeof *kv);
    uint64_t lost = 0;
    for (int i = 0; w != NULL && kv != NULL && i < started; i++) {
        struct rec_seg *r = &seg[i];
        size_t cap = strlen(bare(r->name)) + 16;
        kv[4 * i] = malloc(cap);
        kv[4 * i + 1] = malloc(24);
        kv[4 * i + 2] = malloc(cap);
        kv[4 * i + 3] = malloc(24);
        if (kv[4 * i] && kv[4 * i + 1] && kv[4 * i + 2] && kv[4 * i + 3]) {
            snprintf(kv[4 * i], cap, "versions %s", bare(r->name));
            snprintf(kv[4 * i + 1], 24, "%" PRIu64, r->versions);
            snprintf(kv[4 * i + 2], cap, "lost %s", bare(r->name));
            snprintf(kv[4 * i + 3], 24, "%" PRIu64, r->lost);
        }
        lost += r->lost;
        if (r->rc != SEQSHM_OK && out == 0)
            out = fail("record", r->name, r->rc);
    }
    if (w != NULL) {
        bool whole = kv != NULL;
        for (int i = 0; whole && i < 4 * started; i++)
            whole = kv[i] != NULL;
        if (whole && started > 0)
            mcap_metadata(w, "seqshm", (const char *const *)kv,
                          (size_t)(2 * started));
        if (!mcap_finish(w) && out == 0) {
            fprintf(stderr, "seqshm: record: %s: %s\n", file,
                    strerror(errno));
            out = 1;
        }
    }
    for (int i = 0; i < started; i++)
        fprintf(stderr, "seqshm: recorded %" PRIu64 " versions of %s into "
                        "%s (%" PRIu64 " lost)\n", seg[i].versions,
                bare(seg[i].name), file, seg[i].lost);
    if (lost > 0)
        fprintf(stderr, "seqshm: record: %" PRIu64 " versions lost in all "
                        "(the recorder fell behind; more slots keep more)\n",
                lost);
    for (int i = 0; kv != NULL && i < 4 * n; i++)
        free(kv[i]);
    free(kv);
    for (int i = 0; i < opened && i < n; i++) {
        fields_free(&seg[i].fs);
        seqshm_close(seg[i].s);
    }
    free(seg);
    return out;
}

/* ------------------------------------------------------------- replay */

struct target {
    const struct mcap_channel_info *ch;
    seqshm *s;        /* NULL: not replayed (not named) */
    struct fields fs;
    unsigned char *buf;
    size_t size;
    uint64_t written;
};

static void sleep_until(uint64_t mono_due)
{
    struct timespec ts = {(time_t)(mono_due / 1000000000u),
                          (long)(mono_due % 1000000000u)};
    while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR &&
           !stop_requested)
        ;
}

static uint64_t now_monotonic(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static bool named(const char *topic, const char *const *topics, int n)
{
    if (n == 0)
        return true;
    for (int i = 0; i < n; i++)
        if (strcmp(bare(topics[i]), topic) == 0)
            return true;
    return false;
}

/* The segment for a channel met for the first time: 0, or a status. */
static int make_target(struct target *t, const char *prefix)
{
    char name[2 * SEQSHM_NAME_MAX + 2];
    snprintf(name, sizeof name, "%s%s", prefix, t->ch->topic);
    if (t->ch->schema == NULL) {
        fprintf(stderr, "seqshm: replay: channel %s has no seqshm.schema "
                        "(not recorded by seqshm record --mcap): skipped\n",
                t->ch->topic);
        return 0;
    }
    int st = fields_load(&t->fs, t->ch->schema);
    size_t size = 0;
    if (st == SEQSHM_OK)
        st = seqshm_schema_parse(t->ch->schema, NULL, 0, NULL, &size, NULL, 0);
    seqshm_options o = {.flags = SEQSHM_CREATE | SEQSHM_PERSIST,
                        .type_tag = t->ch->type_tag,
                        .slots = t->ch->slots, .schema = t->ch->schema};
    if (st == SEQSHM_OK)
        st = seqshm_open_opts(&t->s, name, 0, &o);
    if (st != SEQSHM_OK)
        return fail("replay", name, st);
    t->size = size;
    t->buf = malloc(size);
    return t->buf != NULL ? 0 : fail("replay", name, SEQSHM_ESYS);
}

static int replay_mcap(const char *file, const char *const *topics, int n,
                       const char *prefix, double speed)
{
    const char *why = NULL;
    struct mcap_reader *r = mcap_open(file, &why);
    if (r == NULL) {
        fprintf(stderr, "seqshm: replay: %s: %s\n", file, why);
        return 1;
    }
    struct target *t = NULL;
    size_t nt = 0;
    int out = 0, got;
    uint64_t first = 0, start = now_monotonic(), total = 0;
    bool any = false;
    catch_stop_signals();
    const struct mcap_channel_info *ch;
    uint64_t time_ns;
    uint32_t seq;
    const unsigned char *data;
    size_t len;
    while (!stop_requested &&
           (got = mcap_next(r, &ch, &time_ns, &seq, &data, &len, &why)) == 1) {
        struct target *tg = NULL;
        for (size_t i = 0; i < nt && tg == NULL; i++)
            if (t[i].ch == ch)
                tg = &t[i];
        if (tg == NULL) {
            struct target *grown = realloc(t, (nt + 1) * sizeof *grown);
            if (grown == NULL) {
                out = 1;
                break;
            }
            t = grown;
            tg = &t[nt++];
            memset(tg, 0, sizeof *tg);
            tg->ch = ch;
            if (named(ch->topic, topics, n) && (out = make_target(tg, prefix)))
                break;
        }
        if (tg->s == NULL)
            continue;
        if (!fields_from_json(&tg->fs, (const char *)data, len, tg->buf,
                              tg->size, &why)) {
            fprintf(stderr, "seqshm: replay: %s: a message of %s: %s\n",
                    file, ch->topic, why);
            out = 1;
            break;
        }
        if (!any)
            first = time_ns;
        any = true;
        if (speed > 0 && time_ns > first) {
            double after = (double)(time_ns - first) / speed;
            if (after < 86400e9)
                sleep_until(start + (uint64_t)after);
        }
        int st = seqshm_write(tg->s, tg->buf, SEQSHM_FOREVER);
        if (st != SEQSHM_OK) {
            out = fail("replay", ch->topic, st);
            break;
        }
        tg->written++;
        total++;
    }
    if (out == 0 && got < 0) {
        fprintf(stderr, "seqshm: replay: %s: %s\n", file, why);
        out = 1;
    }
    for (size_t i = 0; i < nt; i++) {
        if (t[i].s != NULL)
            fprintf(stderr, "seqshm: replayed %" PRIu64 " versions into "
                            "%s%s\n", t[i].written, prefix, t[i].ch->topic);
        seqshm_close(t[i].s);
        fields_free(&t[i].fs);
        free(t[i].buf);
    }
    if (out == 0 && total == 0)
        fprintf(stderr, "seqshm: replay: %s: no message replayed\n", file);
    free(t);
    mcap_close(r);
    return out;
}

/* ----------------------------------------------------------- arguments */

int cmd_mcap(const char *cmd, int argc, char **argv)
{
    const char **ops = calloc((size_t)argc, sizeof *ops);
    const char *file = NULL, *prefix = "";
    long count = 0;
    double speed = 1;
    bool zstd = false, record = strcmp(cmd, "record") == 0;
    int n = 0, rc;
    if (ops == NULL)
        return 1;
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;
        char *end = NULL;
        if (record && !strcmp(a, "--mcap") && val != NULL && file == NULL) {
            file = val;
            i++;
        } else if (record && !strcmp(a, "--zstd")) {
            zstd = true;
        } else if (record && !strcmp(a, "--count")) {
            count = val ? strtol(val, &end, 10) : 0;
            if (val == NULL || *end != '\0' || count <= 0) {
                free(ops);
                fprintf(stderr, "seqshm: record: --count takes a positive "
                                "number\n");
                return 2;
            }
            i++;
        } else if (!record && !strcmp(a, "--prefix") && val != NULL) {
            prefix = val;
            i++;
        } else if (!record && !strcmp(a, "--speed")) {
            speed = val ? strtod(val, &end) : -1;
            if (val == NULL || *end != '\0' || !(speed >= 0)) {
                free(ops);
                fprintf(stderr, "seqshm: replay: --speed takes a factor >= 0 "
                                "(0: as fast as possible)\n");
                return 2;
            }
            i++;
        } else if (a[0] == '-' && a[1] != '\0') {
            fprintf(stderr, "seqshm: %s: unknown option '%s' (try 'seqshm %s "
                            "--help')\n", cmd, a, cmd);
            free(ops);
            return 2;
        } else {
            ops[n++] = a;
        }
    }
    if (record) {
        if (file == NULL || n == 0) {
            fprintf(stderr, "seqshm: record: --mcap takes FILE, then the "
                            "segments' NAMEs\n");
            free(ops);
            return 2;
        }
        rc = record_mcap(file, ops, n, count, zstd);
    } else {
        rc = replay_mcap(ops[0], ops + 1, n - 1, prefix, speed);
    }
    free(ops);
    return rc;
}
