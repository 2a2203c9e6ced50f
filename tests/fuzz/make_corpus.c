/* make_corpus.c - writes the fuzzer's seed corpus: real segments of every
 * layout and several sizes (fresh, written, torn, mid-write with a dead or
 * live owner), and a few broken objects. Run once; the output is committed
 * in tests/fuzz/corpus. */
#include "seqshm.h"
#include "../../src/layout.h"

#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void save(const char *name, const char *out)
{
    char src[128];
    snprintf(src, sizeof src, "/dev/shm/%s", name);
    FILE *in = fopen(src, "rb"), *o = fopen(out, "wb");
    char buf[4096];
    size_t n;
    while (in && o && (n = fread(buf, 1, sizeof buf, in)) > 0)
        fwrite(buf, 1, n, o);
    if (in)
        fclose(in);
    if (o)
        fclose(o);
}

int main(int argc, char **argv)
{
    const char *dir = argc > 1 ? argv[1] : "tests/fuzz/corpus";
    static const unsigned layouts[] = {0, SEQSHM_DOUBLE_BUFFER, SEQSHM_MUTEX};
    static const size_t sizes[] = {1, 24, 48, 64, 1000};
    char name[64], out[256];
    int k = 0;
    for (int l = 0; l < 3; l++)
        for (int z = 0; z < 5; z++) {
            snprintf(name, sizeof name, "seqshm-s-%d-corpus", (int)getpid());
            seqshm *s;
            if (seqshm_open(&s, name, sizeof(unsigned char) * sizes[z],
                            SEQSHM_CREATE | SEQSHM_EXCL | layouts[l]) != SEQSHM_OK)
                return 1;
            snprintf(out, sizeof out, "%s/seg-%02d-new", dir, k);
            save(name, out);
            unsigned char buf[1000];
            memset(buf, 0xab, sizeof buf);
            seqshm_write(s, buf, 0);
            seqshm_write(s, buf, 0);
            snprintf(out, sizeof out, "%s/seg-%02d-written", dir, k);
            save(name, out);
            /* the same caught mid-write: the owner dead, or alive (pid 1),
             * and torn */
            static const struct { const char *tag; uint64_t seq_or, owner; }
                states[] = {{"busy-dead", SEQ_BUSY, 999999},
                            {"busy-live", SEQ_BUSY, 1},
                            {"torn", SEQ_TORN, 0}};
            for (int i = 0; i < 3; i++) {
                snprintf(out, sizeof out, "%s/seg-%02d-%s", dir, k,
                         states[i].tag);
                save(name, out);
                int fd = open(out, O_RDWR);
                uint64_t line[2];
                if (fd >= 0 && pread(fd, line, sizeof line, SEQ_LINE_OFFSET) ==
                                   (ssize_t)sizeof line) {
                    line[0] |= states[i].seq_or;
                    line[1] = states[i].owner;
                    if (pwrite(fd, line, sizeof line, SEQ_LINE_OFFSET) < 0)
                        perror(out);
                }
                if (fd >= 0)
                    close(fd);
            }
            k++;
            seqshm_close(s);
        }
    /* broken objects */
    snprintf(out, sizeof out, "%s/junk-short", dir);
    FILE *f = fopen(out, "wb");
    if (f) {
        fputs("SEQSHM!", f);
        fclose(f);
    }
    return 0;
}
