/* linux/wing.h - the handle's fields on Linux (platform.h says what the
 * folder provides). A segment is a POSIX shared-memory object in /dev/shm;
 * each read-write handle's identity is an open-file-description lock on a
 * byte of that object, held through a descriptor of the handle's own
 * (identity.c). */
#ifndef SEQSHM_WING_H
#define SEQSHM_WING_H

#include <pthread.h>
#include <sys/types.h>

struct seqshm;

struct platform {
    int fd;        /* the handle's own open file description of the object,
                      open for the handle's life: it holds the identity's
                      lock and asks others' (identity.c) */
    int map_fd;    /* the description the object was mapped from, until the
                      open ends (plat_attached) */
    dev_t dev;     /* the object, to remove only it (segment.c) */
    ino_t ino;
    pthread_mutex_t *mutex; /* SEQSHM_MUTEX: in the segment's mutex line */
};

/* segment.c, for identity.c: a new open file description of s's object (by
 * name, else through /proc/self/fd/<via>), checked to be the same object;
 * -1 with errno if neither names it. */
int linux_open_again(const struct seqshm *s, int via);

#endif
