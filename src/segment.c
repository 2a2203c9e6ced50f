/* segment.c - the segment's lifecycle on POSIX: create or open (for
 * open.c), close, unlink.
 *
 * Creation is race-free because only O_CREAT|O_EXCL creates: its one winner
 * builds the header, then publishes it by storing the magic with release
 * order. Everyone else opens, waits (bounded) for the magic, and checks every
 * header field against the object's real size before trusting any of it. No
 * opener writes an object before it has checked it (a read-write opener then
 * takes an identity number, owner.c).
 */
#include "internal.h"

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

#ifndef PUBLISH_WAIT_NS /* the fuzz build shortens it, to stay fast */
#define PUBLISH_WAIT_NS 1000000000 /* how long an opener waits for a header */
#endif
#define PUBLISH_POLL_NS (PUBLISH_WAIT_NS / 1000)

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

static void nap(long ns)
{
    struct timespec ts = {0, ns};
    nanosleep(&ts, NULL);
}

/* The part of a handle every open fills the same way. On success the handle
 * owns fd (closed, or kept for its identity: owner.c) and has its identity;
 * on failure fd is still the caller's. */
static int handle_new(struct seqshm **out, const char *name, void *base,
                      size_t map_len, unsigned flags, int fd,
                      const struct stat *st, const char *schema)
{
    size_t name_len = strlen(name), schema_len = strlen(schema);
    struct seqshm *s = calloc(1, sizeof *s + name_len + 1 + schema_len + 1);
    if (s == NULL)
        return SEQSHM_ESYS;
    long page = sysconf(_SC_PAGESIZE);
    void *ident = mmap(NULL, (size_t)page, PROT_READ | PROT_WRITE,
                       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (ident == MAP_FAILED) {
        free(s);
        return SEQSHM_ESYS;
    }
    /* Invariant: a forked child sees a zeroed page, so it makes its own
     * identity and is not the creator (owner.c). */
    if (madvise(ident, (size_t)page, MADV_WIPEONFORK) != 0) {
        int err = errno;
        munmap(ident, (size_t)page);
        free(s);
        errno = err;
        return SEQSHM_ESYS;
    }
    handle_fields(s, base, map_len, flags, name, schema);
    s->fd = fd;
    s->mutex = (pthread_mutex_t *)(s->base + MUTEX_LINE_OFFSET);
    s->ident = ident;
    s->dev = st->st_dev;
    s->ino = st->st_ino;
    /* The identity's lock goes on another open file description than the
     * mapping's (owner.c says why); where none can be had, the same. */
    int own = open_again(s, fd);
    if (own >= 0)
        s->fd = own;
    int rc = ident_make(s, false); /* now, so that no write pays for it */
    if (rc == SEQSHM_OK && (flags & SEQSHM_SOLE_WRITER))
        rc = s->layout == SEQSHM_MUTEX ? SEQSHM_EINVAL : sole_take(s);
    if (rc != SEQSHM_OK) {
        int err = errno;
        if (own >= 0)
            close(own);
        munmap(ident, (size_t)page);
        free(s);
        errno = err;
        return rc;
    }
    if (own >= 0)
        close(fd); /* the mapping keeps its own reference */
    *out = s;
    return SEQSHM_OK;
}

/* O_CREAT|O_EXCL: returns SEQSHM_EEXIST if someone else has the name. */
int seg_create(struct seqshm **out, const char *shm_name,
                      const char *name, size_t size,
                      const seqshm_options *o, const char *schema)
{
    unsigned mode = o->mode != 0 ? o->mode : 0600;
    int fd = shm_open(shm_name, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW |
                      O_CLOEXEC, (mode_t)mode);
    if (fd < 0)
        return status_from_errno(errno);

    struct seqshm_header plan = {0};
    header_plan(&plan, size, header_slots(o), strlen(schema));
    void *base = MAP_FAILED;
    struct stat st;
    int rc = SEQSHM_ESYS;
    /* fchmod: the mode asked, exactly, whatever the umask. posix_fallocate
     * sizes the object and reserves its memory now: a /dev/shm too small
     * fails here (SEQSHM_ESYS, errno ENOSPC), never with SIGBUS later. */
    int err;
    if (fchmod(fd, (mode_t)mode) != 0)
        goto fail;
    err = posix_fallocate(fd, 0, (off_t)plan.total_size);
    if (err != 0) {
        errno = err;
        goto fail;
    }
    if (fstat(fd, &st) != 0)
        goto fail;
    base = mmap(NULL, (size_t)plan.total_size, PROT_READ | PROT_WRITE,
                MAP_SHARED, fd, 0);
    if (base == MAP_FAILED)
        goto fail;

    /* The object was zero-filled: version 0, payload all zero. */
    struct seqshm_header *h = base;
    header_fill(h, &plan, size, o, schema, (int32_t)getpid(),
                (uint64_t)now_ns());
    if (robust_init((pthread_mutex_t *)((unsigned char *)base +
                                        MUTEX_LINE_OFFSET)) != 0)
        goto fail;
    rc = handle_new(out, name, base, (size_t)plan.total_size, o->flags, fd,
                    &st, schema);
    if (rc != SEQSHM_OK)
        goto fail;
    (*out)->ident->creator = true;
    h->creator_token = (*out)->creator_token =
        atomic_load_explicit(&(*out)->ident->token, memory_order_relaxed);
    /* Publish: everything above happens-before any opener's acquire load
     * that sees the magic. */
    atomic_store_explicit(&h->magic, SEQSHM_MAGIC, memory_order_release);
    return SEQSHM_OK;

fail:
    err = errno;
    if (base != MAP_FAILED)
        munmap(base, (size_t)plan.total_size);
    close(fd);
    shm_unlink(shm_name); /* ours: O_EXCL made it */
    errno = err;
    return rc;
}

/* Waits (bounded) until the object has a size and a published magic, maps
 * it and checks the header. Never writes the object. */
int seg_open(struct seqshm **out, const char *shm_name,
                         const char *name, size_t size,
                         const seqshm_options *o, const char *schema)
{
    bool rdonly = (o->flags & SEQSHM_RDONLY) != 0;
    /* O_NONBLOCK: opening a FIFO planted under the name must not block. */
    int fd = shm_open(shm_name, (rdonly ? O_RDONLY : O_RDWR) | O_NOFOLLOW |
                      O_NONBLOCK | O_CLOEXEC, 0);
    if (fd < 0)
        return status_from_errno(errno);

    int rc = SEQSHM_EBADSEG;
    void *base = MAP_FAILED;
    size_t len = 0;
    struct stat st;
    int64_t give_up = now_ns() + PUBLISH_WAIT_NS;
    for (;;) {
        if (fstat(fd, &st) != 0) {
            rc = SEQSHM_ESYS;
            goto out;
        }
        if (!S_ISREG(st.st_mode))
            goto out;
        if (st.st_size != 0)
            break;
        if (now_ns() > give_up) /* a creator between O_EXCL and ftruncate */
            goto out;
        nap(PUBLISH_POLL_NS);
    }
    if ((uint64_t)st.st_size < SLOTS_OFFSET ||
        (uint64_t)st.st_size > header_max_total())
        goto out;
    len = (size_t)st.st_size;
    base = mmap(NULL, len, rdonly ? PROT_READ : PROT_READ | PROT_WRITE,
                MAP_SHARED, fd, 0);
    if (base == MAP_FAILED) {
        rc = errno == EACCES ? SEQSHM_EACCES : SEQSHM_ESYS;
        goto out;
    }
    struct seqshm_header *h = base;
    for (;;) {
        uint64_t magic = atomic_load_explicit(&h->magic, memory_order_acquire);
        if (magic == SEQSHM_MAGIC)
            break;
        if (magic != 0 || now_ns() > give_up)
            goto out;
        nap(PUBLISH_POLL_NS);
    }
    char stored[SEQSHM_SCHEMA_MAX + 1];
    rc = header_check(h, (uint64_t)st.st_size, size, o, schema, stored);
    if (rc == SEQSHM_OK)
        rc = handle_new(out, name, base, len, o->flags, fd, &st, stored);
out:;
    int err = errno;
    if (rc != SEQSHM_OK) {
        if (base != MAP_FAILED)
            munmap(base, len);
        close(fd);
    }
    errno = err;
    return rc;
}

/* Unlinks and checks for sameness happen under an exclusive flock(2) on the
 * /dev/shm directory, taken by every seqshm unlinker (seqshm_unlink, a
 * creator's close, the tool's rm): while one holds it, no seqshm process can
 * remove the name and so none can create another object under it. The
 * kernel drops the lock if its holder dies. Returns the lock's descriptor,
 * or -1 where there is none to take (then unlinks go unserialised). */
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

/* Unlinks shm_name only if it still names the object (dev, ino). O_PATH:
 * the check needs no permission on the object itself (a creator may have
 * given itself none); shm_open cannot take O_PATH, so the path is built as
 * glibc's shm_open builds it on Linux. */
static void unlink_if_same(const char *shm_name, dev_t dev, ino_t ino)
{
    char path[sizeof "/dev/shm" + SEQSHM_NAME_MAX + 2];
    snprintf(path, sizeof path, "/dev/shm%s", shm_name);
    int lock = names_lock();
    int fd = open(path, O_PATH | O_NOFOLLOW | O_CLOEXEC);
    if (fd >= 0) {
        struct stat st;
        bool same = fstat(fd, &st) == 0 && st.st_dev == dev &&
                    st.st_ino == ino;
        close(fd);
        FAULT("close_checked");
        if (same)
            shm_unlink(shm_name);
    }
    names_unlock(lock);
}

void seqshm_close(seqshm *shm)
{
    if (shm == NULL)
        return;
    int err = errno;
    if (seqshm_is_creator(shm) && !shm->persist) {
        char shm_name[SEQSHM_NAME_MAX + 2];
        name_canonical(shm_name, shm->name);
        unlink_if_same(shm_name, shm->dev, shm->ino);
    }
    sole_give_back(shm);
    munmap(shm->base, shm->map_len);
    munmap((void *)shm->ident, (size_t)sysconf(_SC_PAGESIZE));
    close(shm->fd); /* releases this identity's lock, if no fork shares it */
    free(shm);
    errno = err;
}

int seqshm_unlink(const char *name)
{
    if (!name_valid(name))
        return SEQSHM_EINVAL;
    char shm_name[SEQSHM_NAME_MAX + 2];
    name_canonical(shm_name, name);
    int lock = names_lock();
    int rc = shm_unlink(shm_name) == 0 ? SEQSHM_OK : status_from_errno(errno);
    int err = errno;
    names_unlock(lock);
    errno = err;
    return rc;
}
