/* win32/owner.c - writer identities on Windows, and whether they live:
 * decided by the kernel.
 *
 * A read-write handle takes a number no identity of this segment ever had
 * (the segment's last_ident counter) and creates a named event for it
 * (win32.h names it), holding the only handle. The kernel destroys a named
 * object when its last handle closes: when the seqshm handle is closed, or
 * when its process ends, however it ends (TerminateProcess included). So
 * an identity lives while its event can be opened by name; no process id
 * enters the decision. A prober that opens it holds it for the moment of
 * the probe only. The owner token is the number, with the process id above
 * it for display (as on Linux). There is no fork: the identity is made
 * once, at open.
 */
#include "win32.h"

#include <errno.h>
#include <stdio.h>


static void ident_name(char *out, size_t cap, const struct seqshm *s,
                       uint64_t id)
{
    char what[32];
    snprintf(what, sizeof what, "i%llu", (unsigned long long)id);
    win_object_name(out, cap, s, what);
}

int ident_make(const struct seqshm *s, bool forked)
{
    (void)forked;
    struct ident *me = s->ident;
    if (atomic_load_explicit(&me->state, memory_order_acquire) == 2)
        return SEQSHM_OK;
    uint64_t token = 0;
    if (!s->rdonly) {
        for (;;) {
            uint64_t id = atomic_fetch_add_explicit(&s->wait->last_ident, 1,
                                                    memory_order_relaxed) + 1;
            if (id > OWNER_ID_MASK) {
                errno = EOVERFLOW;
                return SEQSHM_ESYS;
            }
            char name[SEQSHM_NAME_MAX + 64];
            ident_name(name, sizeof name, s, id);
            HANDLE e = CreateEventA(NULL, TRUE, FALSE, name);
            if (e == NULL)
                return SEQSHM_ESYS;
            if (GetLastError() == ERROR_ALREADY_EXISTS) { /* not ours */
                CloseHandle(e);
                continue;
            }
            ((struct seqshm *)s)->os[OS_IDENT] = e;
            token = owner_token(id, GetCurrentProcessId());
            break;
        }
        /* no cross-process asymmetric barrier on Windows (its
         * FlushProcessWriteBuffers reaches this process's threads only):
         * writers publish with a full fence (me->asym stays false) */
    }
    atomic_store_explicit(&me->token, token, memory_order_relaxed);
    atomic_store_explicit(&me->state, 2, memory_order_release);
    return SEQSHM_OK;
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
    if (owner_is_self(s, token))
        return true;
    char name[SEQSHM_NAME_MAX + 64];
    ident_name(name, sizeof name, s, id);
    HANDLE e = OpenEventA(SYNCHRONIZE, FALSE, name);
    if (e != NULL) {
        CloseHandle(e);
        return true;
    }
    /* gone: no process holds it any more; anything else: cannot tell */
    return GetLastError() != ERROR_FILE_NOT_FOUND;
}
