/* owner.c - writer identities, and whether they live: decided by the kernel.
 *
 * Every read-write handle is a writing identity. When it is made, it takes a
 * number no identity of this segment ever had (the segment's last_ident
 * counter) and, through the handle's own descriptor of the segment, holds an
 * open-file-description lock (F_OFD_SETLK) on byte LOCK_BASE + number of the
 * segment's file (far past its end: locks need no bytes). The kernel
 * releases that lock when the last descriptor of that open file description
 * is closed: when the handle is closed, when the process exits (before it
 * becomes a zombie) or execs (the descriptor is close-on-exec). Whether an
 * identity lives is asked with F_OFD_GETLK on its byte. No process id, start
 * time or /proc enters the decision, so it holds across PID and time
 * namespaces, with /proc hidden or missing, whichever threads exit.
 *
 * Owner token (the claim's owner word): the identity number in the low
 * OWNER_ID_BITS bits (never 0, never reused, so a token never names a newer
 * identity), and, for display only, the process id in the writer's own PID
 * namespace above them.
 *
 * Invariants
 *   - A token whose lock is held names a live identity: a claim is taken
 *     from its owner only after F_OFD_GETLK found that lock free.
 *   - F_OFD_GETLK does not see locks of the asking descriptor's own open file
 *     description, so a handle never probes its own number (it is alive), and
 *     asks only through a descriptor this process opened itself.
 *
 * The lock's descriptor is not the one the segment was mapped from: a mapping
 * holds a reference to its open file description for as long as it exists,
 * and a forked child inherits the mapping, so a lock on that description
 * would live as long as any child. segment.c maps from one description and
 * gives the handle another (open_again); only where that fails (the name
 * removed at once, and no /proc) do the two coincide, and then a forked
 * child keeps its parent's identity alive until it exits, as an idle child
 * does below.
 *
 * Fork: the identity page (struct ident) is MADV_WIPEONFORK, so a child sees
 * state 0 and makes its own identity when it first writes or probes: it
 * reopens the segment, puts that new open file description on the handle's
 * descriptor number (dup3, closing its copy of the parent's), and takes a new
 * number and lock. Until then the child's inherited descriptor keeps the
 * parent's lock held: a child that never touches the handle keeps its
 * parent's identity alive until it exits, execs or closes the handle.
 */
#include "internal.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define LOCK_BASE ((off_t)1 << 62)

enum { IDENT_NONE = 0, IDENT_MAKING = 1, IDENT_READY = 2 };

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

/* A new number, and its lock held through s->fd. Read-write handles only. */
static int take_identity(const struct seqshm *s, uint64_t *token)
{
    uint64_t id = atomic_fetch_add_explicit(&s->wait->last_ident, 1,
                                            memory_order_relaxed) + 1;
    if (id > OWNER_ID_MASK) {
        errno = EOVERFLOW;
        return SEQSHM_ESYS;
    }
    if (lock_cmd(s->fd, F_OFD_SETLK, F_WRLCK, id, NULL) != 0)
        return SEQSHM_ESYS;
    *token = owner_token(id, (uint64_t)getpid());
    return SEQSHM_OK;
}

static bool same_object(int fd, const struct seqshm *s)
{
    struct stat st;
    return fstat(fd, &st) == 0 && st.st_dev == s->dev && st.st_ino == s->ino;
}

/* A new open file description of the segment, verified to be the same
 * object: by name while the name still names it, else through
 * /proc/self/fd/<via>. Returns the descriptor, or -1 with errno. */
int open_again(const struct seqshm *s, int via)
{
    int flags = (s->rdonly ? O_RDONLY : O_RDWR) | O_NOFOLLOW | O_NONBLOCK |
                O_CLOEXEC;
    char shm_name[SEQSHM_NAME_MAX + 2];
    name_canonical(shm_name, s->name);
    int fd = shm_open(shm_name, flags, 0);
    if (fd >= 0 && !same_object(fd, s)) {
        close(fd);
        fd = -1;
    }
    if (fd < 0) {
        char path[48];
        snprintf(path, sizeof path, "/proc/self/fd/%d", via);
        fd = open(path, flags);
        if (fd >= 0 && !same_object(fd, s)) {
            close(fd);
            errno = ESTALE;
            fd = -1;
        }
    }
    return fd;
}

/* In a forked child: a descriptor of its own on the handle's descriptor
 * number, so that the child's copy of its parent's is closed. */
static int reopen_own(const struct seqshm *s)
{
    int fd = open_again(s, s->fd);
    if (fd < 0)
        return SEQSHM_ESYS;
    int rc = dup3(fd, s->fd, O_CLOEXEC) < 0 ? SEQSHM_ESYS : SEQSHM_OK;
    int err = errno;
    close(fd);
    errno = err;
    return rc;
}

int ident_make(const struct seqshm *s, bool forked)
{
    struct ident *me = s->ident;
    for (;;) {
        int st = IDENT_NONE;
        if (atomic_compare_exchange_strong_explicit(&me->state, &st,
                                                    IDENT_MAKING,
                                                    memory_order_acquire,
                                                    memory_order_acquire))
            break;
        if (st == IDENT_READY)
            return SEQSHM_OK;
        sched_yield(); /* another thread of this process is making it */
    }
    uint64_t token = 0;
    int rc = forked ? reopen_own(s) : SEQSHM_OK;
    if (rc == SEQSHM_OK && !s->rdonly)
        rc = take_identity(s, &token);
    if (rc == SEQSHM_OK && !s->rdonly && fence_register()) {
        /* Before this identity's first write: waiters that read `asym`
         * after their announce and find it clear are then ordered before
         * the fence below, so this process's later flag loads see their
         * announce (C11: a seq_cst store read by nobody yet, then a seq_cst
         * fence; see fence.c). */
        if (atomic_load_explicit(&s->wait->asym, memory_order_relaxed) == 0)
            atomic_store_explicit(&s->wait->asym, 1, memory_order_seq_cst);
        atomic_thread_fence(memory_order_seq_cst);
        me->asym = true;
    }
    atomic_store_explicit(&me->token, token, memory_order_relaxed);
    atomic_store_explicit(&me->state, rc == SEQSHM_OK ? IDENT_READY
                                                      : IDENT_NONE,
                          memory_order_release);
    return rc;
}

uint64_t owner_self_slow(const struct seqshm *s)
{
    if (ident_ready(s) != SEQSHM_OK)
        return 0;
    return atomic_load_explicit(&s->ident->token, memory_order_relaxed);
}

bool owner_alive(const struct seqshm *s, uint64_t token)
{
    uint64_t id = token & OWNER_ID_MASK;
    if (ident_ready(s) != SEQSHM_OK)
        return true; /* cannot ask: never take a claim it cannot judge */
    if (owner_is_self(s, token))
        return true;
    struct flock fl;
    if (lock_cmd(s->fd, F_OFD_GETLK, F_WRLCK, id, &fl) != 0)
        return true; /* no answer (no OFD locks: Linux < 3.15): assume alive */
    return fl.l_type != F_UNLCK;
}
