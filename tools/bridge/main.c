/* seqshm-bridge - mirror seqshm segments between hosts through a NATS
 * JetStream key-value bucket.
 *
 *   seqshm-bridge publish NAME... --server URL [--bucket B] [--max-rate HZ]
 *   seqshm-bridge subscribe KEY... --server URL [--bucket B] [--prefix P]
 *                 [--slots N] [--persist]
 *                 [--stale-after S]
 *   common: [--user U] [--password-file FILE] [--creds FILE]
 *           [--tls-ca FILE] [--status S] [--core] [--verbose]
 *   (NATS_USER and NATS_PASSWORD from the environment; --password P works
 *   but shows in ps, and is wiped from the command line at start)
 *
 * Exit status: 0 after SIGINT or SIGTERM, 1 a runtime error, 2 bad usage,
 * 3 no server at start or authentication refused. */
#include "bridge.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

volatile sig_atomic_t bridge_stop;

static void on_signal(int sig)
{
    (void)sig;
    bridge_stop = 1;
}

static const char usage[] =
    "usage: seqshm-bridge publish NAME... --server URL [--bucket B] "
    "[--max-rate HZ]\n"
    "       seqshm-bridge subscribe KEY... --server URL [--bucket B] "
    "[--prefix P]\n"
    "                     [--slots N] [--max-slots N] [--max-bytes B] "
    "[--persist]\n"
    "                     [--stale-after S]\n"
    "options for both: [--user U] [--password-file FILE] [--creds FILE]\n"
    "                  [--tls-ca FILE] [--status S] [--core] [--verbose] "
    "[--version]\n"
    "credentials: --user, or NATS_USER; the password from --password-file, "
    "or\nNATS_PASSWORD (--password P also works, but ps shows it)\n\n"
    "publish follows each local segment NAME and puts every new version into "
    "the\nbucket (default \"seqshm\") under the key NAME, at most HZ puts per "
    "segment per\nsecond (the latest always gets through; default: every "
    "version).\nsubscribe watches the keys (NATS wildcards: * one token, > "
    "the rest) and\nmirrors each into a local segment named P + key, of the "
    "same size, type tag and\nschema, with N slots (default: the source's, at most --max-slots, 1024);"
    "\nall mirrors together take at most B bytes (--max-bytes, default 256M; "
    "K, M, G\nsuffixes): a value that would take more is refused, said once "
    "per key. It\nstarts from the current values, and a mirror never goes "
    "back to an older\npublisher's or version's value; a mirror whose source "
    "is not heard from for S\nseconds (--stale-after, default 5; 0: never) "
    "is marked stale (seqshm info\nshows it). Both reconnect by themselves, "
    "print a status line every S seconds\n(--status, default 60; 0: never) "
    "and stop on SIGINT or SIGTERM.\n"
    "--core (on both sides) sends values as plain NATS messages instead: "
    "lower\nlatency, no JetStream needed, but the server keeps nothing; a "
    "late subscriber\ngets the latest value within a second (the publisher "
    "repeats it once a second).\n";

static int bad_usage(const char *msg)
{
    fprintf(stderr, "seqshm-bridge: %s\n%s", msg, usage);
    return EXIT_USAGE;
}

/* Seconds as nanoseconds: a number >= 0; false if it is not one. */
static bool seconds(const char *v, uint64_t *ns)
{
    char *end;
    double s = strtod(v, &end);
    if (*end != '\0' || !(s >= 0) || s > 1e9)
        return false;
    *ns = (uint64_t)(s * 1e9);
    return true;
}

/* The first line of a file (a password), without its newline; malloc'ed. */
static char *first_line(const char *path)
{
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return NULL;
    char line[1024];
    bool ok = fgets(line, sizeof line, f) != NULL;
    fclose(f);
    if (!ok)
        return NULL;
    line[strcspn(line, "\r\n")] = '\0';
    return strdup(line);
}

int main(int argc, char **argv)
{
    if (argc < 2)
        return bad_usage("a command is needed");
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        fputs(usage, stdout);
        return 0;
    }
    if (!strcmp(argv[1], "--version")) {
        printf("seqshm-bridge %s\n", SEQSHM_VERSION);
        return 0;
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "publish") != 0 && strcmp(cmd, "subscribe") != 0)
        return bad_usage("the command is publish or subscribe");
    struct bridge_opts o = {.bucket = "seqshm", .max_slots = 1024,
                            .max_bytes = 256u << 20,
                            .stale_after_ns = 5000000000u,
                            .status_ns = 60000000000u};
    const char *password_file = NULL;
    o.names = calloc((size_t)argc, sizeof *o.names);
    if (o.names == NULL)
        return EXIT_RUNTIME;
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        bool takes = strcmp(a, "--verbose") && strcmp(a, "--persist") &&
                     strcmp(a, "--core") &&
                     strcmp(a, "--help") && strcmp(a, "-h") &&
                     strcmp(a, "--version");
        if (a[0] == '-' && takes && v == NULL)
            return bad_usage("an option lacks its value");
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            fputs(usage, stdout);
            return 0;
        } else if (!strcmp(a, "--version")) {
            printf("seqshm-bridge %s\n", SEQSHM_VERSION);
            return 0;
        } else if (!strcmp(a, "--server")) {
            o.server = v;
        } else if (!strcmp(a, "--bucket")) {
            o.bucket = v;
        } else if (!strcmp(a, "--user")) {
            o.user = v;
        } else if (!strcmp(a, "--password")) {
            char *copy = strdup(v); /* then wiped where ps reads it */
            if (copy == NULL)
                return EXIT_RUNTIME;
            memset(argv[i + 1], 'x', strlen(argv[i + 1]));
            o.password = copy;
        } else if (!strcmp(a, "--password-file")) {
            password_file = v;
        } else if (!strcmp(a, "--stale-after") && !strcmp(cmd, "subscribe")) {
            if (!seconds(v, &o.stale_after_ns))
                return bad_usage("--stale-after takes seconds >= 0");
        } else if (!strcmp(a, "--status")) {
            if (!seconds(v, &o.status_ns))
                return bad_usage("--status takes seconds >= 0");
        } else if (!strcmp(a, "--creds")) {
            o.creds = v;
        } else if (!strcmp(a, "--tls-ca")) {
            o.tls_ca = v;
        } else if (!strcmp(a, "--prefix") && !strcmp(cmd, "subscribe")) {
            o.prefix = v;
        } else if (!strcmp(a, "--slots") && !strcmp(cmd, "subscribe")) {
            char *end;
            unsigned long n = strtoul(v, &end, 10);
            if (*end != '\0' || n == 0 || n > SEQSHM_MAX_SLOTS || (n & (n - 1)))
                return bad_usage("--slots takes a power of two up to 65536");
            o.slots = (unsigned)n;
        } else if (!strcmp(a, "--max-slots") && !strcmp(cmd, "subscribe")) {
            char *end;
            unsigned long n = strtoul(v, &end, 10);
            if (*end != '\0' || n == 0 || n > SEQSHM_MAX_SLOTS || (n & (n - 1)))
                return bad_usage("--max-slots takes a power of two up to 65536");
            o.max_slots = (unsigned)n;
        } else if (!strcmp(a, "--max-bytes") && !strcmp(cmd, "subscribe")) {
            char *end;
            unsigned long long n = strtoull(v, &end, 10);
            int shift = *end == 'K' ? 10 : *end == 'M' ? 20 : *end == 'G' ? 30 : 0;
            if (shift != 0)
                end++;
            if (*end != '\0' || n == 0 || v[0] == '-' || n > (1ull << 40) >> shift)
                return bad_usage("--max-bytes takes a number of bytes (K, M, G "
                                 "suffixes), at most 1T");
            o.max_bytes = n << shift;
        } else if (!strcmp(a, "--max-rate") && !strcmp(cmd, "publish")) {
            char *end;
            o.max_rate = strtod(v, &end);
            if (*end != '\0' || !(o.max_rate > 0))
                return bad_usage("--max-rate takes puts per second > 0");
        } else if (!strcmp(a, "--verbose")) {
            o.verbose = true;
            continue;
        } else if (!strcmp(a, "--core")) {
            o.core = true;
            continue;
        } else if (!strcmp(a, "--persist") && !strcmp(cmd, "subscribe")) {
            o.persist = true;
            continue;
        } else if (a[0] == '-') {
            char msg[160];
            snprintf(msg, sizeof msg, "unknown option '%s' for %s", a, cmd);
            return bad_usage(msg);
        } else {
            o.names[o.nnames++] = a;
            continue;
        }
        i++; /* the option's value */
    }
    if (o.server == NULL)
        return bad_usage("--server URL is needed (e.g. nats://127.0.0.1:4222)");
    if (o.nnames == 0)
        return bad_usage(!strcmp(cmd, "publish") ? "name the segments to publish"
                                                 : "name the keys to mirror "
                                                   "('>' for all)");
    if (password_file != NULL) {
        o.password = first_line(password_file);
        if (o.password == NULL) {
            fprintf(stderr, "seqshm-bridge: --password-file %s: cannot read "
                            "it\n", password_file);
            return EXIT_USAGE;
        }
    }
    if (o.user == NULL)
        o.user = getenv("NATS_USER");
    if (o.password == NULL)
        o.password = getenv("NATS_PASSWORD");
    if ((o.user != NULL) != (o.password != NULL))
        return bad_usage("a user and a password go together (--user or "
                         "NATS_USER; --password-file or NATS_PASSWORD)");
    struct sigaction sa = {0};
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    int rc = !strcmp(cmd, "publish") ? bridge_publish(&o) : bridge_subscribe(&o);
    free(o.names);
    nats_Close();
    return rc;
}
