/* inspect.c - the commands that look at segments without writing them:
 * ls, info, dump, watch. Everything goes through the public API (ls asks
 * the host for the names: tool.h). */
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

/* ------------------------------------------------------------------- ls */

static int names_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int cmd_ls(bool json)
{
    char **names = NULL;
    size_t n = 0;
    if (host_list(&names, &n) != 0)
        return 1;
    qsort(names, n, sizeof *names, names_cmp);
    if (json)
        printf("[");
    else
        printf("%-32s %10s %-7s %5s %12s %5s %-10s %8s %s\n", "NAME", "SIZE",
               "LAYOUT", "SLOTS", "VERSION", "MODE", "OWNER", "CREATOR",
               "ALIVE");
    size_t shown = 0;
    for (size_t i = 0; i < n; i++) {
        seqshm *s;
        seqshm_info in;
        unsigned mode;
        char user[64];
        if (seqshm_open(&s, names[i], 0, LOOK) != SEQSHM_OK)
            continue; /* unreadable to us, or gone meanwhile */
        seqshm_stat(s, &in);
        seqshm_close(s);
        if (!host_owner(names[i], &mode, user, sizeof user))
            continue;
        if (json)
            printf("%s\n  {\"name\": \"%s\", \"size\": %zu, \"layout\": "
                   "\"%s\", \"slots\": %u, \"version\": %" PRIu64 ", \"mode\": \"%04o\", "
                   "\"owner\": \"%s\", \"creator_pid\": %d, "
                   "\"creator_alive\": %s}",
                   shown ? "," : "", names[i], in.size,
                   layout_name(in.layout, in.slots), in.slots, in.version,
                   mode, user, in.creator_pid,
                   in.creator_alive ? "true" : "false");
        else
            printf("%-32s %10zu %-7s %5u %12" PRIu64 " %05o %-10s %8d %s\n",
                   names[i], in.size, layout_name(in.layout, in.slots), in.slots,
                   in.version,
                   mode, user, in.creator_pid,
                   in.creator_alive ? "yes" : "no");
        shown++;
    }
    if (json)
        printf("%s]\n", shown ? "\n" : "");
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
    return 0;
}

/* ----------------------------------------------------------------- info */

/* How old a realtime stamp is, as "1.2 s ago" (or "never"). */
static void print_age(uint64_t then_ns)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    double now = (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
    if (then_ns == 0)
        printf("never");
    else
        printf("%.1f s ago", (now - (double)then_ns) / 1e9);
}

/* A copy's lines: its source, what it copied last, when it last heard. */
static void print_origin(const seqshm_origin_info *o)
{
    printf("copy of         %s\n", o->origin);
    if (o->source_version == 0)
        printf("source version  none copied yet\n");
    else {
        printf("source version  %" PRIu64 ", published ", o->source_version);
        print_age(o->source_time_ns);
        printf(" (the source host's clock)\n");
    }
    printf("refreshed       ");
    print_age(o->refreshed_ns);
    printf("%s\n", o->stale ? ": STALE, its copier says the source stopped"
                            : "");
}

int cmd_info(const char *name, bool json)
{
    seqshm *s;
    seqshm_info in;
    unsigned mode;
    char user[64];
    struct fields fs;
    int rc = seqshm_open(&s, name, 0, LOOK);
    if (rc != SEQSHM_OK)
        return fail("info", name, rc);
    seqshm_stat(s, &in);
    seqshm_origin_info o;
    if (seqshm_origin(s, &o) != SEQSHM_OK) /* recorded without pause */
        memset(&o, 0, sizeof o);
    char schema[SEQSHM_SCHEMA_MAX + 1];
    snprintf(schema, sizeof schema, "%s", seqshm_schema(s));
    seqshm_close(s);
    if ((rc = fields_load(&fs, schema)) != SEQSHM_OK)
        return fail("info", name, rc);
    if (!host_owner(name, &mode, user, sizeof user))
        return fail("info", name, SEQSHM_ENOENT);
    const char *B[] = {"false", "true"};
    if (json) {
        printf("{\"name\": \"%s\", \"size\": %zu, \"layout\": \"%s\", "
               "\"layout_version\": %u, \"slots\": %u, \"slot_offset\": %zu, "
               "\"slot_stride\": %zu, \"mapped_bytes\": %zu, \"version\": %"
               PRIu64 ", \"type_tag\": %" PRIu64 ", \"mode\": \"%04o\", "
               "\"owner\": \"%s\", \"creator_pid\": %d, \"creator_alive\": %s, "
               "\"writer_pid\": %d, \"writer_alive\": %s, \"busy\": %s, "
               "\"torn\": %s, \"waiting\": %s, \"sole_writer_pid\": %d, "
               "\"sole_writer_alive\": %s, \"waiters_fence\": %s, "
               "\"schema\": \"%s\", \"origin\": ",
               bare(name), in.size, layout_name(in.layout, in.slots), in.layout_version,
               in.slots, in.slot_offset, in.slot_stride, in.mapped_bytes,
               in.version, in.type_tag, mode, user,
               in.creator_pid, B[in.creator_alive], in.writer_pid,
               B[in.writer_alive], B[in.busy], B[in.torn], B[in.waiting],
               in.sole_pid, B[in.sole_alive], B[in.asym_fence], schema);
        print_text((const unsigned char *)o.origin, sizeof o.origin);
        printf(", \"source_version\": %" PRIu64 ", \"source_time_ns\": %"
               PRIu64 ", \"refreshed_ns\": %" PRIu64 ", \"stale\": %s, "
               "\"fields\": ", o.source_version, o.source_time_ns,
               o.refreshed_ns, B[o.stale]);
        fields_table_json(&fs);
        printf("}\n");
        fields_free(&fs);
        return 0;
    }
    printf("name            %s\n", bare(name));
    printf("payload size    %zu bytes\n", in.size);
    printf("layout          %s (format version %u)\n", layout_name(in.layout, in.slots),
           in.layout_version);
    printf("slots           %u x %zu bytes from offset %zu\n", in.slots,
           in.slot_stride, in.slot_offset);
    printf("object size     %zu bytes\n", in.mapped_bytes);
    printf("version         %" PRIu64 " (writes completed)\n", in.version);
    printf("type tag        %" PRIu64 "%s\n", in.type_tag,
           in.type_tag ? "" : " (untagged)");
    if (fs.n > 0) {
        printf("schema          %s\n", schema);
        fields_table(&fs);
    } else {
        printf("schema          none\n");
    }
    fields_free(&fs);
    if (host_no_modes != NULL)
        printf("mode, owner     none: %s\n", host_no_modes);
    else
        printf("mode, owner     %04o %s\n", mode, user);
    /* Pids are as each process saw itself (its own PID namespace); whether
     * it lives is the kernel's answer, not the pid's. */
    printf("creator         pid %d%s, %s\n", in.creator_pid, host_pid_note,
           in.creator_alive ? "open" : "closed or gone");
    if (in.sole_pid != 0)
        printf("sole writer     pid %d%s, %s\n", in.sole_pid, host_pid_note,
               in.sole_alive ? "alive: other writers get SEQSHM_EBUSY"
                             : "dead (its role ends with the next writer)");
    else
        printf("sole writer     none\n");
    if (in.writer_pid != 0)
        printf("write claim     pid %d%s, %s\n", in.writer_pid, host_pid_note,
               in.writer_alive ? "alive" : "dead (recovered by the next "
                                           "read-write handle)");
    else
        printf("write claim     free\n");
    printf("state           %s\n", in.torn   ? "torn: a writer died mid-write"
                                   : in.busy ? "write in progress"
                                             : "consistent");
    printf("waiters         %s\n", in.waiting ? "announced" : "none announced");
    if (o.origin[0] != '\0')
        print_origin(&o);
    printf("wake-up fence   %s\n", in.asym_fence
                                        ? "paid by waiters (membarrier)"
                                        : "paid by writers (full fence)");
    return 0;
}

/* ----------------------------------------------------------------- dump */

int cmd_dump(const char *name, enum fmt f, bool json)
{
    seqshm *s;
    struct fields fs;
    int rc = seqshm_open(&s, name, 0, LOOK);
    if (rc != SEQSHM_OK)
        return fail("dump", name, rc);
    size_t n = seqshm_size(s);
    unsigned char *buf = malloc(n);
    uint64_t version = 0;
    rc = buf == NULL ? SEQSHM_ESYS
                     : seqshm_read_versioned(s, buf, &version, OPEN_TIMEOUT_NS);
    if (rc == SEQSHM_OK)
        rc = fields_load(&fs, seqshm_schema(s));
    seqshm_close(s);
    if (rc != SEQSHM_OK) {
        free(buf);
        return fail("dump", name, rc);
    }
    if (!format_for("dump", name, &f, &fs)) {
        free(buf);
        fields_free(&fs);
        return 1;
    }
    static const size_t width[] = {1, 1, 1, 4, 8, 4, 8, 1};
    size_t w = width[f], count = n / w;
    if (f == FIELDS && json) {
        printf("{\"name\": \"%s\", \"version\": %" PRIu64 ", \"size\": %zu, "
               "\"format\": \"fields\", \"data\": ", bare(name), version, n);
        fields_json(&fs, buf);
        printf("}\n");
    } else if (f == FIELDS) {
        fields_print(&fs, buf, "\n");
        putchar('\n');
    } else if (f == RAW) {
        rc = fwrite(buf, 1, n, stdout) == n ? 0 : 1;
    } else if (json) {
        printf("{\"name\": \"%s\", \"version\": %" PRIu64 ", \"size\": %zu, "
               "\"format\": \"%s\", \"data\": ", bare(name), version, n,
               f == HEX ? "hex" : f == U8 ? "u8" : f == I32 ? "i32"
               : f == U64 ? "u64" : f == F32 ? "f32" : "f64");
        if (f == HEX) {
            putchar('"');
            for (size_t i = 0; i < n; i++)
                printf("%02x", buf[i]);
            putchar('"');
        } else {
            putchar('[');
            for (size_t i = 0; i < count; i++) {
                if (i)
                    printf(", ");
                print_element(f, buf + i * w);
            }
            putchar(']');
        }
        printf("}\n");
    } else if (f == HEX) {
        for (size_t off = 0; off < n; off += 16) {
            printf("%08zx:", off);
            for (size_t i = off; i < off + 16; i++) {
                if (i % 2 == 0)
                    putchar(' ');
                if (i < n)
                    printf("%02x", buf[i]);
                else
                    printf("  ");
            }
            printf("  ");
            for (size_t i = off; i < off + 16 && i < n; i++)
                putchar(buf[i] >= 32 && buf[i] < 127 ? buf[i] : '.');
            putchar('\n');
        }
    } else {
        for (size_t i = 0; i < count; i++) {
            printf("[%zu] ", i);
            print_element(f, buf + i * w);
            putchar('\n');
        }
    }
    free(buf);
    fields_free(&fs);
    return rc;
}

/* ---------------------------------------------------------------- watch */

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

int cmd_watch(const char *name, long count, long interval_ms)
{
    seqshm *s;
    int rc = seqshm_open(&s, name, 0, LOOK);
    if (rc != SEQSHM_OK)
        return fail("watch", name, rc);
    bool tty = isatty(STDOUT_FILENO);
    size_t n = seqshm_size(s), show = n < 16 ? n : 16;
    unsigned char *buf = malloc(n);
    struct fields fs;
    if (buf == NULL || (rc = fields_load(&fs, seqshm_schema(s))) != SEQSHM_OK) {
        free(buf);
        seqshm_close(s);
        return fail("watch", name, buf == NULL ? SEQSHM_ESYS : rc);
    }
    uint64_t last = seqshm_version(s);
    double t_last = now_s();
    catch_stop_signals();
    for (long i = 0; (count <= 0 || i < count) && !stop_requested; i++) {
        struct timespec nap = {interval_ms / 1000, (interval_ms % 1000) * 1000000};
        nanosleep(&nap, NULL);
        uint64_t v = 0;
        int st = seqshm_read_versioned(s, buf, &v, OPEN_TIMEOUT_NS);
        double t = now_s();
        double rate = (double)(v - last) / (t - t_last);
        last = v;
        t_last = t;
        printf(tty ? "\r\033[K" : "");
        printf("%s  version %" PRIu64 "  writes/s %.0f  ", bare(name), v,
               rate);
        if (st == SEQSHM_OK && fs.n > 0) {
            fields_print(&fs, buf, " ");
        } else if (st == SEQSHM_OK) {
            for (size_t k = 0; k < show; k++)
                printf("%02x%s", buf[k], k % 2 ? " " : "");
            if (show < n)
                printf("...");
        } else {
            printf("(%s)", seqshm_strerror(st));
        }
        printf(tty ? "" : "\n");
        fflush(stdout);
    }
    if (tty)
        putchar('\n');
    free(buf);
    fields_free(&fs);
    seqshm_close(s);
    return 0;
}

