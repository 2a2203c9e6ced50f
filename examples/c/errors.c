/* errors.c - the reference's "Error Handling", in C: status codes instead
 * of exceptions. */
#include <seqshm.h>

#include <stdio.h>

int main(void)
{
    seqshm *shm, *again;
    int rc = seqshm_open(&shm, "error_example", sizeof(int), SEQSHM_CREATE);
    if (rc != SEQSHM_OK) {
        fprintf(stderr, "Unexpected error: %s\n", seqshm_strerror(rc));
        return 1;
    }
    int expected = 0, value = 42;
    double d;

    /* a very short timeout: with no other writer, a write never waits */
    rc = seqshm_write(shm, &value, 1000);
    printf("Write with a 1 us timeout: %s\n", seqshm_strerror(rc));

    /* an invalid offset: a double at offset sizeof(int) of an int */
    rc = seqshm_read_partial(shm, &d, sizeof d, sizeof(int), 0);
    printf("Invalid read: %s\n", seqshm_strerror(rc));
    expected += rc == SEQSHM_EINVAL;

    /* the same name again: it opens the existing segment ... */
    rc = seqshm_open(&again, "error_example", sizeof(int), SEQSHM_CREATE);
    printf("Second handle: %s, creator %d\n", seqshm_strerror(rc),
           rc == SEQSHM_OK && seqshm_is_creator(again));
    seqshm_close(again);
    /* ... unless asked exclusively, or with another size */
    rc = seqshm_open(&again, "error_example", sizeof(int),
                     SEQSHM_CREATE | SEQSHM_EXCL);
    printf("Exclusive create: %s\n", seqshm_strerror(rc));
    expected += rc == SEQSHM_EEXIST;
    rc = seqshm_open(&again, "error_example", sizeof(double), 0);
    printf("Another size: %s\n", seqshm_strerror(rc));
    expected += rc == SEQSHM_ESIZE;

    seqshm_close(shm);
    return expected == 3 ? 0 : 1;
}
