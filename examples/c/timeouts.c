/* timeouts.c - the reference's "Using Timeouts", in C. Timeouts are
 * nanoseconds; SEQSHM_FOREVER is the reference's "no timeout". */
#include <seqshm.h>

#include <stdio.h>

#define MS 1000000LL

int main(void)
{
    seqshm *shm;
    int rc = seqshm_open(&shm, "int_shared_memory", sizeof(int), SEQSHM_CREATE);
    if (rc != SEQSHM_OK) {
        fprintf(stderr, "Error: %s\n", seqshm_strerror(rc));
        return 1;
    }
    int value = 123, result;
    rc = seqshm_write(shm, &value, 100 * MS); /* write with timeout */
    if (rc == SEQSHM_OK)
        rc = seqshm_read(shm, &result, 100 * MS); /* read with timeout */
    if (rc == SEQSHM_OK)
        printf("Read value: %d\n", result);
    else if (rc == SEQSHM_ETIMEDOUT)
        printf("Failed to read within timeout\n");
    else
        fprintf(stderr, "Error: %s\n", seqshm_strerror(rc));
    seqshm_close(shm);
    return rc == SEQSHM_OK ? 0 : 1;
}
