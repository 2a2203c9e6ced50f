/* process.c - this process's identity for a handle.
 *
 * Every read-write handle is a writing identity in each process that uses
 * it: a number no identity of its segment ever had, and a kernel object that
 * lives exactly as long as the handle does in that process (the platform's
 * identity.c: a lock on Linux, a named event on Windows). The claim's owner
 * word and the sole-writer word hold identity tokens (internal.h:
 * token_make); whether the identity a token names lives is the kernel's
 * word alone (identity_alive), never a process id's.
 *
 * The per-process state (struct process_state) sits in a page a forked
 * child finds zeroed (plat_process_state): a child that writes or probes
 * makes its own identity on first use (identity_ready), and is not the
 * creator.
 *
 * Invariants
 *   - made == 2 only once token and the platform's identity object are this
 *     process's own; a token, once made, is never handed out again.
 *   - A handle never asks the kernel about its own identity: it lives.
 */
#include "barrier.h"

#include <errno.h>
#include <sched.h>

enum { NOT_MADE = 0, MAKING = 1, MADE = 2 };

/* How long a caller waits while another thread of this process makes the
 * identity (a system call or three): past it, the maker is the code a
 * signal handler interrupted, which cannot go on until the handler returns,
 * and the handler's call goes on without an identity (EDEADLK). */
#define MAKING_WAIT_NS 100000000

int identity_make(const struct seqshm *s, bool forked)
{
    struct process_state *me = s->proc;
    int64_t give_up = 0;
    for (;;) {
        int st = NOT_MADE;
        if (atomic_compare_exchange_strong_explicit(&me->made, &st, MAKING,
                                                    memory_order_acquire,
                                                    memory_order_acquire))
            break;
        if (st == MADE)
            return SEQSHM_OK;
        int64_t now = now_ns();
        if (give_up == 0)
            give_up = now + MAKING_WAIT_NS;
        else if (now > give_up) {
            errno = EDEADLK;
            return SEQSHM_ESYS;
        }
        sched_yield(); /* another thread of this process is making it */
    }
    FAULT("making_identity");
    uint64_t id = 0;
    int rc = plat_identity_take(s, forked, &id);
    if (rc == SEQSHM_OK && id != 0 && barrier_register(s))
        me->asym = true;
    atomic_store_explicit(&me->token,
                          id != 0 ? token_make(id, (uint64_t)plat_pid()) : 0,
                          memory_order_relaxed);
    atomic_store_explicit(&me->made, rc == SEQSHM_OK ? MADE : NOT_MADE,
                          memory_order_release);
    return rc;
}

uint64_t identity_token_slow(const struct seqshm *s)
{
    if (identity_ready(s) != SEQSHM_OK)
        return 0;
    return atomic_load_explicit(&s->proc->token, memory_order_relaxed);
}

bool identity_alive(const struct seqshm *s, uint64_t token)
{
    if (identity_ready(s) != SEQSHM_OK)
        return true; /* cannot ask: never take a claim it cannot judge */
    if (identity_is_self(s, token))
        return true;
    return plat_identity_alive(s, token & TOKEN_ID_MASK);
}
