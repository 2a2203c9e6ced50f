/* ipc_writer.c - the reference's "Inter-Process Communication" writer, in C.
 * Run it, then ipc_reader in another process. (200 ms between messages,
 * where the reference waits one second.) */
#include <seqshm.h>

#include <stdio.h>
#include <time.h>

struct message {
    int id;
    char content[256];
};

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000};
    nanosleep(&ts, NULL);
}

int main(void)
{
    seqshm *shm;
    int rc = seqshm_open(&shm, "ipc_example", sizeof(struct message),
                         SEQSHM_CREATE);
    if (rc != SEQSHM_OK) {
        fprintf(stderr, "Error: %s\n", seqshm_strerror(rc));
        return 1;
    }
    sleep_ms(300); /* give the reader time to open */
    for (int i = 0; i < 5 && rc == SEQSHM_OK; ++i) {
        struct message msg = {i, ""};
        snprintf(msg.content, sizeof msg.content, "Message %d", i);
        rc = seqshm_write(shm, &msg, SEQSHM_FOREVER);
        printf("Wrote message: %s\n", msg.content);
        fflush(stdout);
        sleep_ms(200);
    }
    seqshm_close(shm); /* the creator's close removes the name */
    return rc == SEQSHM_OK ? 0 : 1;
}
