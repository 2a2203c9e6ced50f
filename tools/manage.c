/* manage.c - the commands that make, write and remove segments: create,
 * write, rm. What the host cannot do (Windows: --persist, --mode, rm) is
 * refused, saying why (tool.h). */
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

int cmd_create(const char *name, size_t size, unsigned layout,
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
        catch_stop_signals();
        fprintf(stderr, "seqshm: created %s (%zu bytes, %s); holding it until "
                        "interrupted\n", bare(name), size, layout_name(layout, slots));
        host_pause();
    }
    seqshm_close(s); /* without --persist: removes the name */
    return 0;
}

int cmd_write(const char *name)
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

int cmd_rm(const char *name, bool force)
{
    if (!force) {
        seqshm *s;
        int rc = seqshm_open(&s, name, 0, LOOK);
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

