/* main.c - the seqshm command-line tool: see and handle seqshm segments
 * from a shell. This file reads the command line and hands it to the
 * command (inspect.c, manage.c, follow.c).
 *
 *   seqshm ls [--json]
 *   seqshm info NAME [--json]
 *   seqshm dump NAME [--format fields|hex|raw|u8|i32|u64|f32|f64] [--json]
 *   seqshm watch NAME [--count N] [--interval MS]
 *   seqshm tail NAME [--format ...] [--count N] [--json]
 *   seqshm record NAME FILE [--count N]
 *   seqshm record --mcap FILE NAME... [--count N] [--zstd]   (mcap_cmd.c)
 *   seqshm replay FILE NAME [--speed X]
 *   seqshm replay FILE.mcap [TOPIC...] [--prefix P] [--speed X]
 *   seqshm serve [PATTERN...] [--port N] [--bind ADDR] [--max-rate HZ]
 *   seqshm create NAME [SIZE] [--double-buffer|--mutex|--slots N]
 *                 [--schema TEXT] [--mode MODE] [--persist]
 *   seqshm write NAME            (the payload from standard input)
 *   seqshm rm NAME [--force]
 *
 * Exit status: 0 success, 1 an error (one line naming the status), 2 bad
 * usage. Everything here goes through the public API, but for the magic
 * number, which `ls` reads to skip other programs' objects without opening
 * them. */
#include "mcap.h"
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
               "       seqshm record --mcap FILE NAME... [--count N] [--zstd]\n"
               "Append every version to FILE, with its version, receive time "
               "and lost count,\nuntil Ctrl-C or N versions (format: "
               "tools/follow.c and the man page).\n"
               "With --mcap, record segments with a schema into an MCAP file "
               "(Foxglove, the\nmcap tool and ROS 2 read it): a channel per "
               "segment, JSON messages, the\nversion as the sequence, the "
               "read time as log and publish time, an index and\na summary; "
               "--zstd compresses its chunks. Versions lost (the recorder "
               "lapped)\nare counted in the file's metadata and said.\n"},
    {"replay", "usage: seqshm replay FILE NAME [--speed X]\n"
               "       seqshm replay FILE.mcap [TOPIC...] [--prefix P] "
               "[--speed X]\n"
               "Write the versions of a recording to NAME (created, with the "
               "recorded size,\nslots and type tag, if absent) at the recorded "
               "pace times X (default 1;\n0: as fast as possible). An MCAP "
               "file made by record --mcap goes back into\nits segments "
               "(P + topic; every topic, or those named).\n"},
    {"serve", "usage: seqshm serve [PATTERN...] [--port N] [--bind ADDR] "
              "[--max-rate HZ]\n"
              "Serve every segment with a schema (or those whose names match "
              "a PATTERN,\nsuch as 'robot-*') to Foxglove and other "
              "foxglove.websocket.v1 clients at\nws://ADDR:N, and a page that "
              "plots them at http://ADDR:N/ (default\n127.0.0.1:8765: other "
              "hosts only with --bind 0.0.0.0 or an address of\nthis host). "
              "Each channel is a segment (topic = name, JSON messages, a JSON\n"
              "Schema from its schema), found and taken away as segments come "
              "and go; every\nversion is sent, or at most HZ a second per "
              "channel with --max-rate (the latest\nalways). Segments are "
              "opened read-only: serving never writes to one.\n"},
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
               "  serve    serve segments to Foxglove and a browser page\n"
               "  create   create a segment\n"
               "  write    publish standard input as the payload\n"
               "  rm       remove a segment\n\n"
               "'seqshm COMMAND --help' tells more; 'seqshm --version' the "
               "release. Exit status: 0 success, "
               "1 error, 2 bad usage.\n");
    return f == stdout ? 0 : 2;
}

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

/* serve's arguments: patterns and its own options */
static int main_serve(int argc, char **argv, const char *help)
{
    const char **patterns = calloc((size_t)argc, sizeof *patterns);
    int n = 0, port = 8765, rc;
    const char *bind = "127.0.0.1";
    double rate = 0;
    if (patterns == NULL)
        return 1;
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;
        char *end = NULL;
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            fputs(help, stdout);
            free(patterns);
            return 0;
        } else if (!strcmp(a, "--port")) {
            long v = val ? strtol(val, &end, 10) : -1;
            if (val == NULL || *end != '\0' || v < 1 || v > 65535) {
                free(patterns);
                return usage_error("serve", "--port takes 1 to 65535");
            }
            port = (int)v;
            i++;
        } else if (!strcmp(a, "--bind")) {
            if (val == NULL || val[0] == '\0') {
                free(patterns);
                return usage_error("serve", "--bind takes an address of this "
                                            "host (0.0.0.0: every one)");
            }
            bind = val;
            i++;
        } else if (!strcmp(a, "--max-rate")) {
            rate = val ? strtod(val, &end) : -1;
            if (val == NULL || *end != '\0' || !(rate > 0) || rate > 1e6) {
                free(patterns);
                return usage_error("serve", "--max-rate takes messages per "
                                            "second per channel, > 0");
            }
            i++;
        } else if (a[0] == '-' && a[1] != '\0') {
            char msg[160];
            snprintf(msg, sizeof msg, "unknown option '%s'", a);
            free(patterns);
            return usage_error("serve", msg);
        } else {
            patterns[n++] = a;
        }
    }
    rc = cmd_serve(patterns, n, port, bind, rate);
    free(patterns);
    return rc;
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

    if (!strcmp(cmd, "serve"))
        return main_serve(argc, argv, help);
    for (int i = 2; i < argc; i++) { /* MCAP: its own arguments */
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h"))
            break;
        if (!strcmp(cmd, "record") && !strcmp(argv[i], "--mcap"))
            return cmd_mcap(cmd, argc, argv);
        if (!strcmp(cmd, "replay") && (!strcmp(argv[i], "--speed") ||
                                       !strcmp(argv[i], "--prefix"))) {
            i++;
            continue;
        }
        if (!strcmp(cmd, "replay") && argv[i][0] != '-') {
            if (mcap_is(argv[i]))
                return cmd_mcap(cmd, argc, argv);
            break;
        }
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
