/* linux/identity.c - a writing identity lives exactly as long as a kernel
 * lock (process.c has what identities are for).
 *
 * Identity number N of a segment is an open-file-description lock
 * (F_OFD_SETLK, a write lock) on byte LOCK_BASE + N of the segment's
 * identity object (segment.c: NAME@ids, which only those who may write the
 * segment can open), held through the handle's own descriptor of it. The
 * kernel releases it when the last descriptor of that open file description
 * is closed: when the handle is closed, when the process exits (before it
 * becomes a zombie) or execs (the descriptor is close-on-exec). Whether an
 * identity lives is asked with F_OFD_GETLK for a read lock on its byte: only
 * a write lock conflicts with that, so only a writer's lock counts. No
 * process id, start time or /proc enters the decision, so it holds across
 * PID and time namespaces, with /proc hidden or missing, whichever threads
 * exit.
 *
 * Invariants
 *   - A held write lock names a live identity: a claim is taken from its
 *     owner only after F_OFD_GETLK found no write lock on its byte.
 *   - Locks a reader could take count for nothing: a process that may only
 *     read the segment cannot open the identity object at all, and the probe
 *     sees write locks only (which need a descriptor open for writing).
 *   - A new identity whose number's byte is locked by someone else (only a
 *     process that may write the segment can) steps past that number: an
 *     identity number is never reused, so skipping one costs nothing.
 *   - F_OFD_GETLK does not see locks of the asking descriptor's own open file
 *     description, so a handle never probes its own number (process.c
 *     answers that), and asks only through a descriptor this process opened
 *     itself.
 *
 * Fork: a child makes its own identity when it first writes or probes
 * (process.c): it reopens the identity object, puts that new open file
 * description on the handle's descriptor number (dup3, closing its copy of
 * the parent's), and takes a new number and lock. Until then the child's
 * inherited descriptor keeps the parent's lock held: a child that never
 * touches the handle keeps its parent's identity alive until it exits,
 * execs or closes the handle.
 */
#include "../internal.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#define LOCK_BASE ((off_t)1 << 62)
/* A 32-bit build without large-file offsets would fold LOCK_BASE to 0 and
 * every identity onto bytes a reader of the object could lock: refused. */
_Static_assert(sizeof(off_t) >= 8, "build with -D_FILE_OFFSET_BITS=64");

static int lock_cmd(int fd, int cmd, short type, uint64_t id,
                    struct flock *out)
{
    struct flock fl = {0};
    fl.l_type = type;
    fl.l_whence = SEEK_SET;
    fl.l_start = LOCK_BASE + (off_t)id;
    fl.l_len = 1;
    int rc = fcntl(fd, cmd, &fl);
    if (out != NULL)
        *out = fl;
    return rc;
}

/* In a forked child: a descriptor of its own on the handle's descriptor
 * number, so that the child's copy of its parent's is closed. */
static int reopen_own(const struct seqshm *s)
{
    if (s->plat.ids_fd < 0)
        return SEQSHM_OK; /* a read-only handle without one: nothing held */
    int fd = linux_ids_reopen(s);
    if (fd < 0)
        return SEQSHM_ESYS;
    int rc = dup3(fd, s->plat.ids_fd, O_CLOEXEC) < 0 ? SEQSHM_ESYS : SEQSHM_OK;
    int err = errno;
    close(fd);
    errno = err;
    return rc;
}

#define STEP_PAST 64 /* numbers a new identity tries before it gives up */

int plat_identity_take(const struct seqshm *s, bool forked, uint64_t *id)
{
    if (forked && reopen_own(s) != SEQSHM_OK)
        return SEQSHM_ESYS;
    if (s->rdonly)
        return SEQSHM_OK;
    for (int tries = 0; tries < STEP_PAST; tries++) {
        uint64_t n = atomic_fetch_add_explicit(&s->wait->last_ident, 1,
                                               memory_order_relaxed) + 1;
        if (n > TOKEN_ID_MASK) {
            errno = EOVERFLOW;
            return SEQSHM_ESYS;
        }
        if (lock_cmd(s->plat.ids_fd, F_OFD_SETLK, F_WRLCK, n, NULL) == 0) {
            *id = n;
            return SEQSHM_OK;
        }
        if (errno != EAGAIN && errno != EACCES)
            return SEQSHM_ESYS;
        /* someone who may write the segment holds that byte: the next */
    }
    errno = EAGAIN;
    return SEQSHM_ESYS;
}

bool plat_identity_alive(const struct seqshm *s, uint64_t id)
{
    struct flock fl;
    if (s->plat.ids_fd < 0)
        return true; /* may not ask (a reader without write permission) */
    if (lock_cmd(s->plat.ids_fd, F_OFD_GETLK, F_RDLCK, id, &fl) != 0)
        return true; /* no answer (no OFD locks: Linux < 3.15): assume alive */
    return fl.l_type != F_UNLCK;
}
