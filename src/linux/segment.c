/* linux/segment.c - the segment as a POSIX shared-memory object: create,
 * open, map, remove; its identity object; the per-process state page.
 *
 * Creation is race-free because only O_CREAT|O_EXCL creates: its one winner
 * sizes the object, makes its identity object and (open.c) builds the
 * header, then publishes it by storing the magic with release order.
 * Everyone else opens, waits (bounded) for a size here and for the magic in
 * open.c, and checks every header field against the object's real size
 * before trusting any of it. No opener writes an object before it has
 * checked it.
 *
 * The identity object NAME@ids ('@' is never in a segment's name) holds no
 * bytes, only the identities' locks (identity.c). Its permission bits are
 * the segment's write bits, as read and write: exactly those who may write
 * the segment may open it, so a process that may only read the segment can
 * take no lock on it and make no dead writer look alive, nor keep a writer
 * from taking an identity. It is made before the segment is published and
 * removed with the segment's name.
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

/* "/NAME@ids" for the segment "/NAME" */
static void ids_name(char out[SEQSHM_NAME_MAX + 8], const char *shm_name)
{
    snprintf(out, SEQSHM_NAME_MAX + 8, "%s@ids", shm_name);
}

/* The segment's write bits, as read and write bits of its identity object:
 * 0644 gives 0600, 0660 gives 0660, 0622 gives 0666. */
static mode_t ids_mode(unsigned mode)
{
    return (mode_t)((mode & 0222) | (mode & 0222) << 1);
}

/* Makes the segment's identity object, replacing one a crashed or outside
 * removal left behind (only its owner, or root, can remove it: another
 * user's is refused, and so is the segment). *out is the creator's own
 * descriptor of it, read-write whatever the mode (a segment of mode 0400
 * gives an identity object of mode 0000, which only its creator holds). */
static int ids_create(const char *shm_name, unsigned mode, int *out)
{
    char ids[SEQSHM_NAME_MAX + 8];
    ids_name(ids, shm_name);
    if (shm_unlink(ids) != 0 && errno != ENOENT)
        return status_from_errno(errno);
    int fd = shm_open(ids, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
                      ids_mode(mode));
    if (fd < 0)
        return status_from_errno(errno);
    if (fchmod(fd, ids_mode(mode)) != 0) {
        int err = errno;
        close(fd);
        shm_unlink(ids);
        errno = err;
        return SEQSHM_ESYS;
    }
    *out = fd;
    return SEQSHM_OK;
}

static void ids_unlink(const char *shm_name)
{
    char ids[SEQSHM_NAME_MAX + 8];
    ids_name(ids, shm_name);
    shm_unlink(ids);
}

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
    void *base = MAP_FAILED;
    int rc = SEQSHM_ESYS, err, ids = -1;
    if (fchmod(fd, (mode_t)mode) != 0)
        goto fail;
    if ((err = posix_fallocate(fd, 0, (off_t)total)) != 0) {
        errno = err;
        goto fail;
    }
    if (fstat(fd, &st) != 0)
        goto fail;
    if ((rc = ids_create(shm_name, mode, &ids)) != SEQSHM_OK)
        goto fail;
    base = mmap(NULL, (size_t)total, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (base == MAP_FAILED) {
        rc = SEQSHM_ESYS;
        close(ids);
        ids_unlink(shm_name);
        goto fail;
    }
    *p = (struct platform){.fd = fd, .ids_fd = ids, .dev = st.st_dev,
                           .ino = st.st_ino};
    *m = (struct mapped){.base = base, .len = (size_t)total,
                         .obj_size = total};
    return SEQSHM_OK;
fail:
    err = errno;
    close(fd);
    shm_unlink(shm_name); /* ours: O_EXCL made it */
    errno = err;
    return rc;
}

static void nap(long ns)
{
    struct timespec ts = {0, ns};
    nanosleep(&ts, NULL);
}

int plat_open(struct platform *p, struct mapped *m, const char *shm_name,
              bool rdonly, bool any_owner)
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
        /* another user's (not root's) that anyone may write: a squatter's,
         * maybe; not adopted unless asked (seqshm.h, "Names") */
        if (!any_owner && st.st_uid != geteuid() && st.st_uid != 0 &&
            (st.st_mode & S_IWOTH)) {
            errno = EPERM;
            rc = SEQSHM_EACCES;
            goto fail;
        }
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
    *p = (struct platform){.fd = fd, .ids_fd = -1, .dev = st.st_dev,
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
    if (p->ids_fd >= 0)
        close(p->ids_fd);
    if (created) { /* ours: O_EXCL made them */
        shm_unlink(shm_name);
        ids_unlink(shm_name);
    }
    errno = err;
}

static bool same_object(int fd, dev_t dev, ino_t ino)
{
    struct stat st;
    return fstat(fd, &st) == 0 && st.st_dev == dev && st.st_ino == ino;
}

int linux_ids_reopen(const struct seqshm *s)
{
    int flags = (s->rdonly ? O_RDONLY : O_RDWR) | O_NOFOLLOW | O_NONBLOCK |
                O_CLOEXEC;
    char shm_name[SEQSHM_NAME_MAX + 2], ids[SEQSHM_NAME_MAX + 8];
    name_canonical(shm_name, s->name);
    ids_name(ids, shm_name);
    int fd = shm_open(ids, flags, 0);
    if (fd >= 0 && !same_object(fd, s->plat.ids_dev, s->plat.ids_ino)) {
        close(fd);
        fd = -1;
    }
    if (fd < 0) {
        char path[48];
        snprintf(path, sizeof path, "/proc/self/fd/%d", s->plat.ids_fd);
        fd = open(path, flags);
        if (fd >= 0 && !same_object(fd, s->plat.ids_dev, s->plat.ids_ino)) {
            close(fd);
            errno = ESTALE;
            fd = -1;
        }
    }
    return fd;
}

/* The handle's own descriptor of the identity object: the creator's from
 * its making; else read-write for a read-write handle (which must have
 * it), read-only where the process may for a read-only handle (which then
 * can ask whether a writer lives). It must be a plain object of the
 * segment's owner. */
int plat_attach(struct seqshm *s)
{
    s->plat.mutex = (pthread_mutex_t *)(s->base + MUTEX_LINE_OFFSET);
    char shm_name[SEQSHM_NAME_MAX + 2], ids[SEQSHM_NAME_MAX + 8];
    name_canonical(shm_name, s->name);
    ids_name(ids, shm_name);
    int fd = s->plat.ids_fd;
    s->plat.ids_fd = -1; /* the handle's once checked below */
    if (fd < 0)
        fd = shm_open(ids, (s->rdonly ? O_RDONLY : O_RDWR) | O_NOFOLLOW |
                      O_NONBLOCK | O_CLOEXEC, 0);
    struct stat st, seg;
    if (fd >= 0 && (fstat(fd, &st) != 0 || fstat(s->plat.fd, &seg) != 0 ||
                    !S_ISREG(st.st_mode) || st.st_uid != seg.st_uid)) {
        close(fd);
        errno = EINVAL;
        return SEQSHM_EBADSEG;
    }
    if (fd < 0)
        return s->rdonly ? SEQSHM_OK : status_from_errno(errno);
    s->plat.ids_fd = fd;
    s->plat.ids_dev = st.st_dev;
    s->plat.ids_ino = st.st_ino;
    return SEQSHM_OK;
}

void plat_detach(struct seqshm *s)
{
    if (s->plat.ids_fd >= 0) {
        int err = errno;
        close(s->plat.ids_fd);
        s->plat.ids_fd = -1;
        errno = err;
    }
}

void plat_attached(struct seqshm *s)
{
    close(s->plat.fd); /* the mapping keeps its own reference */
    s->plat.fd = -1;
}

void plat_close(struct seqshm *s)
{
    munmap(s->base, s->map_len);
    if (s->plat.ids_fd >= 0)
        close(s->plat.ids_fd); /* releases this identity's lock, if no fork
                                  shares it */
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

/* Whether s's name still names s's object. O_PATH: the check needs no
 * permission on the object itself (a creator may have given itself none);
 * shm_open cannot take O_PATH, so the path is built as glibc's shm_open
 * builds it on Linux. */
static bool names_own(const struct seqshm *s, const char *shm_name)
{
    char path[sizeof "/dev/shm" + SEQSHM_NAME_MAX + 2];
    snprintf(path, sizeof path, "/dev/shm%s", shm_name);
    int fd = open(path, O_PATH | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return false;
    bool same = same_object(fd, s->plat.dev, s->plat.ino);
    close(fd);
    return same;
}

bool plat_name_is_own(const struct seqshm *s)
{
    char shm_name[SEQSHM_NAME_MAX + 2];
    name_canonical(shm_name, s->name);
    return names_own(s, shm_name);
}

void plat_unlink_own(const struct seqshm *s)
{
    char shm_name[SEQSHM_NAME_MAX + 2];
    name_canonical(shm_name, s->name);
    int lock = names_lock();
    if (names_own(s, shm_name)) {
        FAULT("close_checked");
        shm_unlink(shm_name);
        ids_unlink(shm_name);
    }
    names_unlock(lock);
}

int plat_unlink(const char *shm_name)
{
    int lock = names_lock();
    int rc = shm_unlink(shm_name) == 0 ? SEQSHM_OK : status_from_errno(errno);
    int err = errno;
    if (rc == SEQSHM_OK)
        ids_unlink(shm_name);
    names_unlock(lock);
    errno = err;
    return rc;
}
