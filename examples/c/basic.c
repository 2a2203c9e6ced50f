/* basic.c - the reference's "Basic Usage", in C. */
#include <seqshm.h>

#include <stdio.h>

struct my_data {
    int value;
    char message[20];
};

int main(void)
{
    seqshm *shm;
    int rc = seqshm_open(&shm, "my_shared_memory", sizeof(struct my_data),
                         SEQSHM_CREATE);
    if (rc != SEQSHM_OK) {
        fprintf(stderr, "Error: %s\n", seqshm_strerror(rc));
        return 1;
    }
    struct my_data w = {42, "Hello, World!"}, r;
    if ((rc = seqshm_write(shm, &w, SEQSHM_FOREVER)) == SEQSHM_OK)
        rc = seqshm_read(shm, &r, SEQSHM_FOREVER);
    if (rc == SEQSHM_OK) {
        printf("Read value: %d\n", r.value);
        printf("Read message: %s\n", r.message);
    } else {
        fprintf(stderr, "Error: %s\n", seqshm_strerror(rc));
    }
    seqshm_close(shm);
    return rc == SEQSHM_OK ? 0 : 1;
}
