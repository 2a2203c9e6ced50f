/* spans.c - the reference's "Using Spans", in C. */
#include <seqshm.h>

#include <stdio.h>
#include <string.h>

int main(void)
{
    seqshm *shm;
    int rc = seqshm_open(&shm, "large_data", 1024, SEQSHM_CREATE);
    if (rc != SEQSHM_OK) {
        fprintf(stderr, "Error: %s\n", seqshm_strerror(rc));
        return 1;
    }
    unsigned char write_data[500], read_data[1024];
    for (size_t i = 0; i < sizeof write_data; i++)
        write_data[i] = (unsigned char)(i % 251); /* some values */
    size_t bytes_read = 0;
    rc = seqshm_write_span(shm, write_data, sizeof write_data, SEQSHM_FOREVER);
    if (rc == SEQSHM_OK)
        rc = seqshm_read_span(shm, read_data, sizeof read_data, &bytes_read,
                              SEQSHM_FOREVER);
    seqshm_close(shm);
    if (rc != SEQSHM_OK) {
        fprintf(stderr, "Error: %s\n", seqshm_strerror(rc));
        return 1;
    }
    bool same = memcmp(write_data, read_data, sizeof write_data) == 0;
    printf("Bytes read: %zu\n", bytes_read);
    printf("First 500 bytes as written: %s\n", same ? "yes" : "no");
    return same && bytes_read == 1024 ? 0 : 1;
}
