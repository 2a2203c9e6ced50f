/* partial.c - the reference's "Partial Reads and Writes", in C. */
#include <seqshm.h>

#include <stddef.h>
#include <stdio.h>

struct complex_data {
    int id;
    double values[5];
    char name[20];
};

int main(void)
{
    seqshm *shm;
    int rc = seqshm_open(&shm, "complex_data", sizeof(struct complex_data),
                         SEQSHM_CREATE);
    if (rc != SEQSHM_OK) {
        fprintf(stderr, "Error: %s\n", seqshm_strerror(rc));
        return 1;
    }
    int new_id = 42, read_id = 0;
    double new_values[2] = {3.14, 2.71}, v1 = 0;
    char read_name[20];
    rc = seqshm_write_partial(shm, &new_id, sizeof new_id,
                              offsetof(struct complex_data, id), SEQSHM_FOREVER);
    if (rc == SEQSHM_OK)
        rc = seqshm_write_partial(shm, new_values, sizeof new_values,
                                  offsetof(struct complex_data, values),
                                  SEQSHM_FOREVER);
    if (rc == SEQSHM_OK)
        rc = seqshm_read_partial(shm, &read_id, sizeof read_id,
                                 offsetof(struct complex_data, id),
                                 SEQSHM_FOREVER);
    if (rc == SEQSHM_OK)
        rc = seqshm_read_partial(shm, read_name, sizeof read_name,
                                 offsetof(struct complex_data, name),
                                 SEQSHM_FOREVER);
    if (rc == SEQSHM_OK)
        rc = seqshm_read_partial(shm, &v1, sizeof v1,
                                 offsetof(struct complex_data, values) +
                                     sizeof(double), SEQSHM_FOREVER);
    if (rc == SEQSHM_OK) {
        printf("Read ID: %d\n", read_id);
        printf("Read Name: %s\n", read_name);
        printf("values[1]: %g\n", v1);
    } else {
        fprintf(stderr, "Error: %s\n", seqshm_strerror(rc));
    }
    seqshm_close(shm);
    return rc == SEQSHM_OK ? 0 : 1;
}
