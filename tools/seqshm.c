/* seqshm - see and handle seqshm segments from a shell.
 *
 *   seqshm ls [--json]
 *   seqshm info NAME [--json]
 *   seqshm dump NAME [--format fields|hex|raw|u8|i32|u64|f32|f64] [--json]
 *   seqshm watch NAME [--count N] [--interval MS]
 *   seqshm tail NAME [--format ...] [--count N] [--json]
 *   seqshm record NAME FILE [--count N]
 *   seqshm replay FILE NAME [--speed X]
 *   seqshm create NAME [SIZE] [--double-buffer|--mutex|--slots N]
 *                 [--schema TEXT] [--mode MODE] [--persist]
 *   seqshm write NAME            (the payload from standard input)
 *   seqshm rm NAME [--force]
 *
 * Exit status: 0 success, 1 an error (one line naming the status), 2 bad
 * usage. Everything here goes through the public API, but for the magic
 * number, which `ls` reads to skip other programs' objects without opening
 * them. */
#include "seqshm.h"
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

#define SHM_DIR "/dev/shm"
#define OPEN_TIMEOUT_NS 1000000000LL

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

/* The library's rule for names (seqshm_open), checked here to say what is
 * wrong instead of "invalid argument". */
static bool name_ok(const char *name)
{
    if (name[0] == '/')
        name++;
    size_t n = strlen(name);
    if (n == 0 || n > SEQSHM_NAME_MAX || !strcmp(name, ".") ||
        !strcmp(name, ".."))
        return false;
    for (size_t i = 0; i < n; i++)
        if (!isalnum((unsigned char)name[i]) && !strchr("._-", name[i]))
            return false;
    return true;
}

static int usage_error(const char *cmd, const char *msg)
{
    fprintf(stderr, "seqshm: %s: %s (try 'seqshm %s --help')\n", cmd, msg,
            cmd);
    return 2;
}

/* "ring" is the seqlock layout with more than two slots. */
static const char *layout_name(unsigned layout, unsigned slots)
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

/* ----------------------------------------------------------------- help */

static const char *const help_text[][2] = {
    {"ls", "usage: seqshm ls [--json]\n"
           "List every seqshm segment on this host (other objects in " SHM_DIR
           " are skipped):\nname, payload size, layout, version (writes so "
           "far), mode, owner, creator pid\nand whether the creator still "
           "runs.\n"},
    {"info", "usage: seqshm info NAME [--json]\n"
             "Show the segment's header in full, and its state.\n"},
    {"dump", "usage: seqshm dump NAME [--format fields|hex|raw|u8|i32|u64|"
             "f32|f64] [--json]\n"
             "Print one consistent snapshot of the payload: by field "
             "(name=value, one per\nline) when the segment has a schema, "
             "else in hex (the default either way).\n"
             "raw writes the bytes as they are; the number formats read "
             "native-endian\nelements (a trailing partial element is "
             "left out).\n"},
    {"watch", "usage: seqshm watch NAME [--count N] [--interval MS]\n"
              "Show version, writes per second and the payload (its fields "
              "when it has a\nschema, else its first bytes), refreshed every "
              "MS milliseconds (default 500),\nuntil Ctrl-C or N "
              "refreshes.\n"},
    {"tail", "usage: seqshm tail NAME [--format fields|hex|u8|i32|u64|f32|"
             "f64] [--count N] [--json]\n"
             "Print every version as it comes, one line each (by field when "
             "the segment\nhas a schema), from the next one on, until Ctrl-C "
             "or N versions. When it\nfalls behind by more than the segment "
             "keeps, the line says how many versions\nit lost. --json: one "
             "JSON object per line.\n"},
    {"record", "usage: seqshm record NAME FILE [--count N]\n"
               "Append every version to FILE, with its version, receive time "
               "and lost count,\nuntil Ctrl-C or N versions (format: "
               "tools/follow.c and the man page).\n"},
    {"replay", "usage: seqshm replay FILE NAME [--speed X]\n"
               "Write the versions of a recording to NAME (created, with the "
               "recorded size,\nslots and type tag, if absent) at the recorded "
               "pace times X (default 1;\n0: as fast as possible).\n"},
    {"create", "usage: seqshm create NAME [SIZE] [--double-buffer|--mutex|"
               "--slots N]\n       [--schema TEXT] [--mode MODE] [--persist]\n"
               "Create a segment of SIZE payload bytes (mode MODE, octal, "
               "default 600),\nkeeping N versions with --slots (a power of two "
               "up to 65536). With --schema\n(fields such as 'x:f64 y:f64 "
               "n:u32 cov:f32[9]', see seqshm.h) the segment\ndescribes its "
               "payload, and SIZE may be left out.\nWith --persist the command returns and the "
               "segment stays until 'seqshm rm'.\nWithout it the command "
               "holds the segment until interrupted (Ctrl-C,\nSIGTERM), then "
               "removes it, as a creating process does.\n"},
    {"write", "usage: seqshm write NAME\n"
              "Publish standard input as the new payload: exactly as many "
              "bytes as the\nsegment's payload size.\n"},
    {"rm", "usage: seqshm rm NAME [--force]\n"
           "Remove the segment's name (processes that have it mapped keep "
           "it). Refuses\nan object that is not a seqshm segment unless "
           "--force.\n"},
};

static const char *help_for(const char *cmd)
{
    for (size_t i = 0; i < sizeof help_text / sizeof help_text[0]; i++)
        if (strcmp(help_text[i][0], cmd) == 0)
            return help_text[i][1];
    return NULL;
}

static int main_help(FILE *f)
{
    fprintf(f, "usage: seqshm COMMAND [ARGS]\n\n"
               "  ls       list seqshm segments\n"
               "  info     show a segment's header\n"
               "  dump     print a snapshot of the payload\n"
               "  watch    follow a segment live\n"
               "  tail     print every version as it comes\n"
               "  record   append every version to a file\n"
               "  replay   write a recording back at its pace\n"
               "  create   create a segment\n"
               "  write    publish standard input as the payload\n"
               "  rm       remove a segment\n\n"
               "'seqshm COMMAND --help' tells more; 'seqshm --version' the "
               "release. Exit status: 0 success, "
               "1 error, 2 bad usage.\n");
    return f == stdout ? 0 : 2;
}

/* ------------------------------------------------------------------- ls */

static int names_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int cmd_ls(bool json)
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
        if (seqshm_open(&s, names[i], 0, SEQSHM_RDONLY) != SEQSHM_OK)
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

static int cmd_info(const char *name, bool json)
{
    seqshm *s;
    seqshm_info in;
    unsigned mode;
    char user[64];
    struct fields fs;
    int rc = seqshm_open(&s, name, 0, SEQSHM_RDONLY);
    if (rc != SEQSHM_OK)
        return fail("info", name, rc);
    seqshm_stat(s, &in);
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
               "\"schema\": \"%s\", \"fields\": ",
               bare(name), in.size, layout_name(in.layout, in.slots), in.layout_version,
               in.slots, in.slot_offset, in.slot_stride, in.mapped_bytes,
               in.version, in.type_tag, mode, user,
               in.creator_pid, B[in.creator_alive], in.writer_pid,
               B[in.writer_alive], B[in.busy], B[in.torn], B[in.waiting],
               in.sole_pid, B[in.sole_alive], B[in.asym_fence], schema);
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
    printf("wake-up fence   %s\n", in.asym_fence
                                        ? "paid by waiters (membarrier)"
                                        : "paid by writers (full fence)");
    return 0;
}

/* ----------------------------------------------------------------- dump */

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

static void print_element(enum fmt f, const unsigned char *p)
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

static int cmd_dump(const char *name, enum fmt f, bool json)
{
    seqshm *s;
    struct fields fs;
    int rc = seqshm_open(&s, name, 0, SEQSHM_RDONLY);
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

/* ---------------------------------------------------------------- watch */

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static int cmd_watch(const char *name, long count, long interval_ms)
{
    seqshm *s;
    int rc = seqshm_open(&s, name, 0, SEQSHM_RDONLY);
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
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
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

/* ------------------------------------------------------ create, write, rm */

static bool parse_size(const char *s, size_t *out)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno != 0 || end == s || *end != '\0' || s[0] == '-')
        return false;
    *out = (size_t)v;
    return true;
}

static int cmd_create(const char *name, size_t size, unsigned layout,
                      unsigned slots, unsigned mode, bool persist,
                      const char *schema)
{
    seqshm_options o = {.flags = SEQSHM_CREATE | SEQSHM_EXCL | layout |
                                 (persist ? SEQSHM_PERSIST : 0u),
                        .mode = mode,
                        .slots = slots,
                        .schema = schema};
    if (schema != NULL) {
        char why[200];
        size_t ssize = 0;
        if (seqshm_schema_parse(schema, NULL, 0, NULL, &ssize, why,
                                sizeof why) != SEQSHM_OK) {
            fprintf(stderr, "seqshm: create %s: bad schema: %s\n", bare(name),
                    why);
            return 1;
        }
        if (size != 0 && size != ssize) {
            fprintf(stderr, "seqshm: create %s: the schema describes %zu "
                            "bytes (C layout, padding included), not %zu\n",
                    bare(name), ssize, size);
            return 1;
        }
        size = ssize;
    }
    if (persist && host_no_names != NULL) {
        fprintf(stderr, "seqshm: create %s: --persist: %s (without --persist, "
                        "create holds the segment until interrupted)\n",
                bare(name), host_no_names);
        return 1;
    }
    if (mode != 0 && host_no_modes != NULL) {
        fprintf(stderr, "seqshm: create %s: --mode: %s\n", bare(name),
                host_no_modes);
        return 1;
    }
    seqshm *s;
    int rc = seqshm_open_opts(&s, name, size, &o);
    if (rc != SEQSHM_OK)
        return fail("create", name, rc);
    if (!persist) {
        signal(SIGINT, on_signal);
        signal(SIGTERM, on_signal);
        fprintf(stderr, "seqshm: created %s (%zu bytes, %s); holding it until "
                        "interrupted\n", bare(name), size, layout_name(layout, slots));
        host_pause();
    }
    seqshm_close(s); /* without --persist: removes the name */
    return 0;
}

static int cmd_write(const char *name)
{
    seqshm *s;
    int rc = seqshm_open(&s, name, 0, 0);
    if (rc != SEQSHM_OK)
        return fail("write", name, rc);
    size_t n = seqshm_size(s), got = 0;
    unsigned char *buf = malloc(n + 1);
    size_t r;
    while (buf != NULL && got <= n &&
           (r = fread(buf + got, 1, n + 1 - got, stdin)) > 0)
        got += r;
    if (buf == NULL || got != n) {
        fprintf(stderr, "seqshm: write %s: standard input has %s%zu bytes, "
                        "the payload %zu (SEQSHM_ESIZE)\n", bare(name),
                got > n ? "more than " : "", got > n ? n : got, n);
        free(buf);
        seqshm_close(s);
        return 1;
    }
    rc = seqshm_write(s, buf, OPEN_TIMEOUT_NS);
    free(buf);
    seqshm_close(s);
    return rc == SEQSHM_OK ? 0 : fail("write", name, rc);
}

static int cmd_rm(const char *name, bool force)
{
    if (!force) {
        seqshm *s;
        int rc = seqshm_open(&s, name, 0, SEQSHM_RDONLY);
        if (rc == SEQSHM_EBADSEG) {
            fprintf(stderr, "seqshm: rm %s: not a seqshm segment; left alone "
                            "(--force removes it) (SEQSHM_EBADSEG)\n",
                    bare(name));
            return 1;
        }
        if (rc == SEQSHM_OK)
            seqshm_close(s);
    }
    int rc = seqshm_unlink(name);
    if (rc == SEQSHM_ESYS && host_no_names != NULL) {
        fprintf(stderr, "seqshm: rm %s: cannot remove it: %s\n", bare(name),
                host_no_names);
        return 1;
    }
    return rc == SEQSHM_OK ? 0 : fail("rm", name, rc);
}

/* ----------------------------------------------------------------- main */

int main(int argc, char **argv)
{
    if (argc < 2)
        return main_help(stderr);
    const char *cmd = argv[1];
    if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 ||
        strcmp(cmd, "help") == 0)
        return main_help(stdout);
    if (strcmp(cmd, "--version") == 0) {
        printf("seqshm %s\n", SEQSHM_VERSION);
        return 0;
    }
    const char *help = help_for(cmd);
    if (help == NULL) {
        fprintf(stderr, "seqshm: unknown command '%s'\n", cmd);
        return main_help(stderr);
    }

    /* options anywhere after the command; the rest are operands */
    bool json = false, persist = false, force = false;
    unsigned layout = 0, mode = 0, slots = 0;
    long count = 0, interval = 500;
    double speed = 1;
    enum fmt f = AUTO;
    const char *schema = NULL;
    const char *ops[3];
    int nops = 0;
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i];
        const char *val = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            fputs(help, stdout);
            return 0;
        } else if (strcmp(a, "--json") == 0 &&
                   (!strcmp(cmd, "ls") || !strcmp(cmd, "info") ||
                    !strcmp(cmd, "dump") || !strcmp(cmd, "tail"))) {
            json = true;
        } else if (strcmp(a, "--format") == 0 &&
                   (!strcmp(cmd, "dump") || !strcmp(cmd, "tail"))) {
            if (val == NULL || !parse_format(val, &f))
                return usage_error(cmd, "--format takes fields, hex, raw, u8, "
                                        "i32, u64, f32 or f64");
            i++;
        } else if (strcmp(a, "--schema") == 0 && !strcmp(cmd, "create")) {
            if (val == NULL)
                return usage_error(cmd, "--schema takes the fields, such as "
                                        "'x:f64 y:f64 n:u32'");
            schema = val;
            i++;
        } else if (strcmp(a, "--count") == 0 &&
                   (!strcmp(cmd, "watch") || !strcmp(cmd, "tail") ||
                    !strcmp(cmd, "record"))) {
            if (val == NULL || (count = atol(val)) <= 0)
                return usage_error(cmd, "--count takes a positive number");
            i++;
        } else if (strcmp(a, "--interval") == 0 && !strcmp(cmd, "watch")) {
            if (val == NULL || (interval = atol(val)) <= 0)
                return usage_error(cmd, "--interval takes milliseconds > 0");
            i++;
        } else if (!strcmp(cmd, "create") &&
                   (!strcmp(a, "--double-buffer") || !strcmp(a, "--mutex"))) {
            if (layout != 0)
                return usage_error(cmd, "choose one of --double-buffer and "
                                        "--mutex");
            layout = a[2] == 'd' ? SEQSHM_DOUBLE_BUFFER : SEQSHM_MUTEX;
        } else if (strcmp(a, "--mode") == 0 && !strcmp(cmd, "create")) {
            char *end;
            unsigned long m = val ? strtoul(val, &end, 8) : 01000;
            if (val == NULL || *end != '\0' || m > 0777 || m == 0)
                return usage_error(cmd, "--mode takes octal permission bits "
                                        "such as 640");
            mode = (unsigned)m;
            i++;
        } else if (strcmp(a, "--slots") == 0 && !strcmp(cmd, "create")) {
            char *end;
            unsigned long n = val ? strtoul(val, &end, 10) : 0;
            if (val == NULL || *end != '\0' || n == 0 ||
                n > SEQSHM_MAX_SLOTS || (n & (n - 1)) != 0)
                return usage_error(cmd, "--slots takes a power of two from 1 "
                                        "to 65536");
            slots = (unsigned)n;
            i++;
        } else if (strcmp(a, "--speed") == 0 && !strcmp(cmd, "replay")) {
            char *end;
            speed = val ? strtod(val, &end) : -1;
            if (val == NULL || *end != '\0' || !(speed >= 0))
                return usage_error(cmd, "--speed takes a factor >= 0 (0: as "
                                        "fast as possible)");
            i++;
        } else if (strcmp(a, "--persist") == 0 && !strcmp(cmd, "create")) {
            persist = true;
        } else if (strcmp(a, "--force") == 0 && !strcmp(cmd, "rm")) {
            force = true;
        } else if (a[0] == '-' && a[1] != '\0') {
            char msg[160];
            snprintf(msg, sizeof msg, "unknown option '%s'", a);
            return usage_error(cmd, msg);
        } else if (nops < 3) {
            ops[nops++] = a;
        } else {
            return usage_error(cmd, "too many arguments");
        }
    }

    int want = !strcmp(cmd, "ls") ? 0
               : !strcmp(cmd, "create") || !strcmp(cmd, "record") ||
                       !strcmp(cmd, "replay")
                   ? 2
                   : 1;
    if (!strcmp(cmd, "create") && schema != NULL && nops == 1)
        want = 1; /* the schema gives the size */
    if (nops != want)
        return usage_error(cmd, want == 0 ? "takes no name"
                                : want == 1 ? "takes one NAME"
                                : !strcmp(cmd, "create") ? "takes NAME and SIZE "
                                                           "(or NAME and --schema)"
                                : !strcmp(cmd, "record") ? "takes NAME and FILE"
                                                         : "takes FILE and NAME");
    const char *seg = !strcmp(cmd, "replay") ? ops[1] : ops[0];
    if (want > 0 && !name_ok(seg)) {
        fprintf(stderr, "seqshm: %s: invalid name '%s': a name is 1 to %d "
                        "characters of A-Z a-z 0-9 . _ - (an optional leading "
                        "'/' aside), and not '.' or '..'\n",
                cmd, seg, SEQSHM_NAME_MAX);
        return 1;
    }
    if (!strcmp(cmd, "tail"))
        return cmd_tail(ops[0], f, count, json);
    if (!strcmp(cmd, "record"))
        return cmd_record(ops[0], ops[1], count);
    if (!strcmp(cmd, "replay"))
        return cmd_replay(ops[0], ops[1], speed);
    if (!strcmp(cmd, "ls"))
        return cmd_ls(json);
    if (!strcmp(cmd, "info"))
        return cmd_info(ops[0], json);
    if (!strcmp(cmd, "dump"))
        return cmd_dump(ops[0], f, json);
    if (!strcmp(cmd, "watch"))
        return cmd_watch(ops[0], count, interval);
    if (!strcmp(cmd, "create")) {
        size_t size = 0;
        if (nops == 2 && !parse_size(ops[1], &size))
            return usage_error(cmd, "SIZE is a number of bytes");
        if (nops == 2 && (size == 0 || size > SEQSHM_MAX_SIZE)) {
            fprintf(stderr, "seqshm: create %s: the size must be 1 to %zu "
                            "bytes (1 GiB), not %s\n",
                    ops[0], (size_t)SEQSHM_MAX_SIZE, ops[1]);
            return 1;
        }
        if (slots != 0 && layout != 0)
            return usage_error(cmd, "--slots goes without --double-buffer "
                                    "and --mutex (2 slots are the double "
                                    "buffer)");
        return cmd_create(ops[0], size, layout, slots, mode, persist, schema);
    }
    if (!strcmp(cmd, "write"))
        return cmd_write(ops[0]);
    return cmd_rm(ops[0], force);
}
