/* linux/wing.h - the handle's fields on Linux (platform.h says what the
 * folder provides). A segment is a POSIX shared-memory object in /dev/shm,
 * NAME; beside it, NAME@ids, its identity object, which only those who may
 * write the segment can open: each read-write handle's identity is an
 * open-file-description lock on a byte of it, held through a descriptor of
 * the handle's own (identity.c). */
#ifndef SEQSHM_WING_H
#define SEQSHM_WING_H

#include <pthread.h>
#include <sys/types.h>

struct seqshm;

struct platform {
    int fd;        /* the segment, until the open ends (plat_attached): the
                      mapping keeps its own reference */
    int ids_fd;    /* the handle's own open file description of the identity
                      object, open for the handle's life: it holds the
                      identity's lock and asks others' (identity.c); -1 for
                      a read-only handle whose process may not open it */
    dev_t dev;     /* the segment, to remove only it (segment.c) */
    ino_t ino;
    dev_t ids_dev; /* the identity object, to reopen only it */
    ino_t ids_ino;
    pthread_mutex_t *mutex; /* SEQSHM_MUTEX: in the segment's mutex line */
};

/* segment.c, for identity.c: a new open file description of s's identity
 * object (by name, else through /proc/self/fd/<ids_fd>), checked to be the
 * same object; -1 with errno if neither names it. */
int linux_ids_reopen(const struct seqshm *s);

#endif
