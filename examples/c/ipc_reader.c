/* ipc_reader.c - the reference's "Inter-Process Communication" reader, in C,
 * as the consumer loop: wait for a version newer than the one seen, then
 * read a snapshot and remember its version. (The reference reads five times
 * in a row, which may print one message five times.) A read-only handle is
 * enough to read and wait. */
#include <seqshm.h>

#include <stdio.h>
#include <time.h>

struct message {
    int id;
    char content[256];
};

#define SECOND 1000000000LL

int main(void)
{
    seqshm *shm;
    int rc;
    /* open existing; the writer creates it, give it a moment to */
    for (int tries = 0;; tries++) {
        rc = seqshm_open(&shm, "ipc_example", sizeof(struct message),
                         SEQSHM_RDONLY);
        if (rc != SEQSHM_ENOENT || tries == 50)
            break;
        struct timespec ts = {0, 20000000};
        nanosleep(&ts, NULL);
    }
    if (rc != SEQSHM_OK) {
        fprintf(stderr, "Error: %s\n", seqshm_strerror(rc));
        return 1;
    }
    uint64_t seen = 0;
    for (int i = 0; i < 5; ++i) {
        struct message msg;
        rc = seqshm_wait(shm, seen, 2 * SECOND);
        if (rc == SEQSHM_ETIMEDOUT) {
            printf("Timeout waiting for message\n");
            continue;
        }
        if (rc == SEQSHM_OK)
            rc = seqshm_read_versioned(shm, &msg, &seen, 2 * SECOND);
        if (rc != SEQSHM_OK) {
            fprintf(stderr, "Error: %s\n", seqshm_strerror(rc));
            break;
        }
        printf("Read message: %s\n", msg.content);
    }
    seqshm_close(shm);
    return rc == SEQSHM_OK ? 0 : 1;
}
