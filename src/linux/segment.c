/* linux/segment.c - the segment as a POSIX shared-memory object: create,
 * open, map, remove; the per-process state page.
 *
 * Creation is race-free because only O_CREAT|O_EXCL creates: its one winner
 * sizes the object and (open.c) builds the header, then publishes it by
 * storing the magic with release order. Everyone else opens, waits (bounded)
 * for a size here and for the magic in open.c, and checks every header
 * field against the object's real size before trusting any of it. No opener
 * writes an object before it has checked it.
 */
#include "../internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static int status_from_errno(int err)
{
    switch (err) {
    case ENOENT: return SEQSHM_ENOENT;
    case EEXIST: return SEQSHM_EEXIST;
    case EACCES:
    case EPERM: return SEQSHM_EACCES;
    case ELOOP:  /* a symbolic link: shm_open adds O_NOFOLLOW */
    case EISDIR:
    case EINVAL: /* glibc's shm_open reports a directory as EINVAL */
    case ENXIO:
    case ENODEV: return SEQSHM_EBADSEG;
    default: return SEQSHM_ESYS;
    }
}

int32_t plat_pid(void) { return (int32_t)getpid(); }

bool plat_names_outlive_handles(void) { return true; }

struct process_state *plat_process_state(void)
{
    long page = sysconf(_SC_PAGESIZE);
    void *p = mmap(NULL, (size_t)page, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        return NULL;
    /* Invariant: a forked child sees a zeroed page, so it makes its own
     * identity and is not the creator (process.c). */
    if (madvise(p, (size_t)page, MADV_WIPEONFORK) != 0) {
        int err = errno;
        munmap(p, (size_t)page);
        errno = err;
        return NULL;
    }
    return p;
}

void plat_process_state_free(struct process_state *ps)
{
    munmap(ps, (size_t)sysconf(_SC_PAGESIZE));
}

int plat_create(struct platform *p, struct mapped *m, const char *shm_name,
                uint64_t total, unsigned mode)
{
    int fd = shm_open(shm_name, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW |
                      O_CLOEXEC, (mode_t)mode);
    if (fd < 0)
        return status_from_errno(errno);
    /* fchmod: the mode asked, exactly, whatever the umask. posix_fallocate
     * sizes the object and reserves its memory now: a /dev/shm too small
     * fails here (SEQSHM_ESYS, errno ENOSPC), never with SIGBUS later. */
    struct stat st;
    int err = 0;
    void *base = MAP_FAILED;
    if (fchmod(fd, (mode_t)mode) != 0 ||
        (errno = posix_fallocate(fd, 0, (off_t)total)) != 0 ||
        fstat(fd, &st) != 0 ||
        (base = mmap(NULL, (size_t)total, PROT_READ | PROT_WRITE, MAP_SHARED,
                     fd, 0)) == MAP_FAILED) {
        err = errno;
        close(fd);
        shm_unlink(shm_name); /* ours: O_EXCL made it */
        errno = err;
        return SEQSHM_ESYS;
    }
    *p = (struct platform){.fd = fd, .map_fd = fd, .dev = st.st_dev,
                           .ino = st.st_ino};
    *m = (struct mapped){.base = base, .len = (size_t)total,
                         .obj_size = total};
    return SEQSHM_OK;
}

static void nap(long ns)
{
    struct timespec ts = {0, ns};
    nanosleep(&ts, NULL);
}

int plat_open(struct platform *p, struct mapped *m, const char *shm_name,
              bool rdonly)
{
    /* O_NONBLOCK: opening a FIFO planted under the name must not block. */
    int fd = shm_open(shm_name, (rdonly ? O_RDONLY : O_RDWR) | O_NOFOLLOW |
                      O_NONBLOCK | O_CLOEXEC, 0);
    if (fd < 0)
        return status_from_errno(errno);
    int rc = SEQSHM_EBADSEG;
    struct stat st;
    int64_t give_up = now_ns() + PUBLISH_WAIT_NS;
    for (;;) {
        if (fstat(fd, &st) != 0) {
            rc = SEQSHM_ESYS;
            goto fail;
        }
        if (!S_ISREG(st.st_mode))
            goto fail;
        if (st.st_size != 0)
            break;
        if (now_ns() > give_up) /* a creator between O_EXCL and sizing */
            goto fail;
        nap(PUBLISH_WAIT_NS / 1000);
    }
    if ((uint64_t)st.st_size < SLOTS_OFFSET ||
        (uint64_t)st.st_size > header_max_total())
        goto fail;
    void *base = mmap(NULL, (size_t)st.st_size,
                      rdonly ? PROT_READ : PROT_READ | PROT_WRITE, MAP_SHARED,
                      fd, 0);
    if (base == MAP_FAILED) {
        rc = errno == EACCES ? SEQSHM_EACCES : SEQSHM_ESYS;
        goto fail;
    }
    *p = (struct platform){.fd = fd, .map_fd = fd, .dev = st.st_dev,
                           .ino = st.st_ino};
    *m = (struct mapped){.base = base, .len = (size_t)st.st_size,
                         .obj_size = (uint64_t)st.st_size};
    return SEQSHM_OK;
fail:;
    int err = errno;
    close(fd);
    errno = err;
    return rc;
}

void plat_discard(struct platform *p, const struct mapped *m,
                  const char *shm_name, bool created)
{
    int err = errno;
    munmap(m->base, m->len);
    close(p->fd);
    if (created)
        shm_unlink(shm_name); /* ours: O_EXCL made it */
    errno = err;
}

static bool same_object(int fd, const struct platform *p)
{
    struct stat st;
    return fstat(fd, &st) == 0 && st.st_dev == p->dev && st.st_ino == p->ino;
}

int linux_open_again(const struct seqshm *s, int via)
{
    int flags = (s->rdonly ? O_RDONLY : O_RDWR) | O_NOFOLLOW | O_NONBLOCK |
                O_CLOEXEC;
    char shm_name[SEQSHM_NAME_MAX + 2];
    name_canonical(shm_name, s->name);
    int fd = shm_open(shm_name, flags, 0);
    if (fd >= 0 && !same_object(fd, &s->plat)) {
        close(fd);
        fd = -1;
    }
    if (fd < 0) {
        char path[48];
        snprintf(path, sizeof path, "/proc/self/fd/%d", via);
        fd = open(path, flags);
        if (fd >= 0 && !same_object(fd, &s->plat)) {
            close(fd);
            errno = ESTALE;
            fd = -1;
        }
    }
    return fd;
}

/* The identity's lock goes on another open file description than the
 * mapping's (identity.c says why); where none can be had, the same. */
int plat_attach(struct seqshm *s)
{
    s->plat.mutex = (pthread_mutex_t *)(s->base + MUTEX_LINE_OFFSET);
    int own = linux_open_again(s, s->plat.map_fd);
    if (own >= 0)
        s->plat.fd = own;
    return SEQSHM_OK;
}

void plat_detach(struct seqshm *s)
{
    if (s->plat.fd != s->plat.map_fd) {
        int err = errno;
        close(s->plat.fd);
        s->plat.fd = s->plat.map_fd;
        errno = err;
    }
}

void plat_attached(struct seqshm *s)
{
    if (s->plat.fd != s->plat.map_fd)
        close(s->plat.map_fd); /* the mapping keeps its own reference */
    s->plat.map_fd = -1;
}

void plat_close(struct seqshm *s)
{
    munmap(s->base, s->map_len);
    close(s->plat.fd); /* releases this identity's lock, if no fork shares
                          it */
}

/* Removals and checks for sameness happen under an exclusive flock(2) on the
 * /dev/shm directory, taken by every seqshm unlinker (seqshm_unlink, a
 * creator's close, the tool's rm): while one holds it, no seqshm process can
 * remove the name and so none can create another object under it. The
 * kernel drops the lock if its holder dies. Returns the lock's descriptor,
 * or -1 where there is none to take (then removals go unserialised). */
static int names_lock(void)
{
    int fd = open("/dev/shm", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0 && flock(fd, LOCK_EX) != 0) {
        close(fd);
        fd = -1;
    }
    return fd;
}

static void names_unlock(int fd)
{
    if (fd >= 0)
        close(fd); /* drops the flock */
}

/* O_PATH: the check needs no permission on the object itself (a creator
 * may have given itself none); shm_open cannot take O_PATH, so the path is
 * built as glibc's shm_open builds it on Linux. */
void plat_unlink_own(const struct seqshm *s)
{
    char shm_name[SEQSHM_NAME_MAX + 2];
    name_canonical(shm_name, s->name);
    char path[sizeof "/dev/shm" + SEQSHM_NAME_MAX + 2];
    snprintf(path, sizeof path, "/dev/shm%s", shm_name);
    int lock = names_lock();
    int fd = open(path, O_PATH | O_NOFOLLOW | O_CLOEXEC);
    if (fd >= 0) {
        bool same = same_object(fd, &s->plat);
        close(fd);
        FAULT("close_checked");
        if (same)
            shm_unlink(shm_name);
    }
    names_unlock(lock);
}

int plat_unlink(const char *shm_name)
{
    int lock = names_lock();
    int rc = shm_unlink(shm_name) == 0 ? SEQSHM_OK : status_from_errno(errno);
    int err = errno;
    names_unlock(lock);
    errno = err;
    return rc;
}
