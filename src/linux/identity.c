/* linux/identity.c - a writing identity lives exactly as long as a kernel
 * lock (process.c has what identities are for).
 *
 * Identity number N of a segment is an open-file-description lock
 * (F_OFD_SETLK) on byte LOCK_BASE + N of the segment's object (far past its
 * end: locks need no bytes), held through the handle's own descriptor. The
 * kernel releases it when the last descriptor of that open file description
 * is closed: when the handle is closed, when the process exits (before it
 * becomes a zombie) or execs (the descriptor is close-on-exec). Whether an
 * identity lives is asked with F_OFD_GETLK on its byte. No process id, start
 * time or /proc enters the decision, so it holds across PID and time
 * namespaces, with /proc hidden or missing, whichever threads exit.
 *
 * Invariants
 *   - A held lock names a live identity: a claim is taken from its owner
 *     only after F_OFD_GETLK found that lock free.
 *   - F_OFD_GETLK does not see locks of the asking descriptor's own open file
 *     description, so a handle never probes its own number (process.c
 *     answers that), and asks only through a descriptor this process
 *     opened itself.
 *
 * The lock's descriptor is not the one the segment was mapped from: a mapping
 * holds a reference to its open file description for as long as it exists,
 * and a forked child inherits the mapping, so a lock on that description
 * would live as long as any child. segment.c maps from one description and
 * gives the handle another (plat_attach); only where that fails (the name
 * removed at once, and no /proc) do the two coincide, and then a forked
 * child keeps its parent's identity alive until it exits, as an idle child
 * does below.
 *
 * Fork: a child makes its own identity when it first writes or probes
 * (process.c): it reopens the segment, puts that new open file description
 * on the handle's descriptor number (dup3, closing its copy of the
 * parent's), and takes a new number and lock. Until then the child's
 * inherited descriptor keeps the parent's lock held: a child that never
 * touches the handle keeps its parent's identity alive until it exits,
 * execs or closes the handle.
 */
#include "../internal.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#define LOCK_BASE ((off_t)1 << 62)

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
    int fd = linux_open_again(s, s->plat.fd);
    if (fd < 0)
        return SEQSHM_ESYS;
    int rc = dup3(fd, s->plat.fd, O_CLOEXEC) < 0 ? SEQSHM_ESYS : SEQSHM_OK;
    int err = errno;
    close(fd);
    errno = err;
    return rc;
}

int plat_identity_take(const struct seqshm *s, bool forked, uint64_t *id)
{
    if (forked && reopen_own(s) != SEQSHM_OK)
        return SEQSHM_ESYS;
    if (s->rdonly)
        return SEQSHM_OK;
    uint64_t n = atomic_fetch_add_explicit(&s->wait->last_ident, 1,
                                           memory_order_relaxed) + 1;
    if (n > TOKEN_ID_MASK) {
        errno = EOVERFLOW;
        return SEQSHM_ESYS;
    }
    if (lock_cmd(s->plat.fd, F_OFD_SETLK, F_WRLCK, n, NULL) != 0)
        return SEQSHM_ESYS;
    *id = n;
    return SEQSHM_OK;
}

bool plat_identity_alive(const struct seqshm *s, uint64_t id)
{
    struct flock fl;
    if (lock_cmd(s->plat.fd, F_OFD_GETLK, F_WRLCK, id, &fl) != 0)
        return true; /* no answer (no OFD locks: Linux < 3.15): assume alive */
    return fl.l_type != F_UNLCK;
}
