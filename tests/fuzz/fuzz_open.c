/* fuzz_open.c - libFuzzer target: an object in /dev/shm whose bytes and size
 * come from the fuzzer is opened (read-only, and read-write) and used: every
 * read, the state calls, and for read-write handles of the seqlock layouts
 * writes too. Nothing may crash, hang or read out of bounds; every call must
 * return a status of the API. Timeouts are 0 so that a hostile sequence
 * word or a live pid in the owner word cannot stall the fuzzer.
 *
 * The SEQSHM_MUTEX layout is opened read-only only: its read-write handles
 * lock the process-shared mutex that lives in the segment, and a mutex a
 * hostile process forged can crash the C library's locking code (the fuzzer
 * found exactly that). No process-shared mutex can defend against it; that
 * layout trusts whoever can write the segment (README, "Security"). */
#include "seqshm.h"
#include "../common/run_tag.h"

#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void check_status(int st)
{
    if (st > 0 || st < SEQSHM_EBUSY)
        abort(); /* not a status of the API */
}

static void use(seqshm *s, bool rw)
{
    size_t n = seqshm_size(s);
    if (n == 0 || n > SEQSHM_MAX_SIZE)
        abort();
    unsigned char *buf = malloc(n);
    uint64_t v;
    size_t got;
    seqshm_info info;
    check_status(seqshm_read(s, buf, 0));
    check_status(seqshm_read_versioned(s, buf, &v, 0));
    check_status(seqshm_read_partial(s, buf, n / 2 + 1, n - (n / 2 + 1), 0));
    check_status(seqshm_read_span(s, buf, n, &got, 0));
    check_status(seqshm_wait(s, seqshm_version(s), 0));
    check_status(seqshm_stat(s, &info));
    (void)seqshm_is_occupied(s);
    if (rw) {
        memset(buf, 0x5a, n);
        check_status(seqshm_write_partial(s, buf, 1, n - 1, 0));
        check_status(seqshm_write(s, buf, 0));
        check_status(seqshm_clear(s, 0));
        check_status(seqshm_read(s, buf, 0));
    }
    free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static char name[64];
    if (name[0] == '\0')
        snprintf(name, sizeof name, "seqshm-s-%s-%d-fuzz", run_tag(), (int)getpid());
    char path[96];
    snprintf(path, sizeof path, "/dev/shm/%s", name);
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
    if (fd < 0)
        return 0;
    if (size > 0 && write(fd, data, size) != (ssize_t)size) {
        close(fd);
        return 0;
    }
    close(fd);
    seqshm *s;
    int st = seqshm_open(&s, name, 0, SEQSHM_RDONLY);
    check_status(st);
    if (st == SEQSHM_OK) {
        use(s, false);
        bool mutex = seqshm_layout(s) == SEQSHM_MUTEX;
        seqshm_close(s);
        if (mutex) /* read-write handles lock the in-segment mutex */
            goto out;
        st = seqshm_open(&s, name, 0, 0);
        check_status(st);
        if (st == SEQSHM_OK) {
            use(s, true);
            seqshm_close(s);
        }
    }
out:
    unlink(path);
    return 0;
}
