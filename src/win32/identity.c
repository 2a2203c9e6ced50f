/* win32/identity.c - a writing identity lives exactly as long as a named
 * event (process.c has what identities are for).
 *
 * Identity number N of a segment is a named event (wing.h names it) of
 * which the handle holds the only handle. The kernel destroys a named object
 * when its last handle closes: when the seqshm handle is closed, or when its
 * process ends, however it ends (TerminateProcess included). So an identity
 * lives while its event can be opened by name; no process id enters the
 * decision. A prober that opens it holds it for the moment of the probe
 * only. There is no fork: the identity is made once, at open.
 */
#include "../internal.h"

#include <errno.h>
#include <stdio.h>

static void ident_name(char *out, size_t cap, const struct seqshm *s,
                       uint64_t id)
{
    char what[32];
    snprintf(what, sizeof what, "i%llu", (unsigned long long)id);
    win_object_name(out, cap, s, what);
}

int plat_identity_take(const struct seqshm *s, bool forked, uint64_t *id)
{
    (void)forked;
    if (s->rdonly)
        return SEQSHM_OK;
    for (;;) {
        uint64_t n = atomic_fetch_add_explicit(&s->wait->last_ident, 1,
                                               memory_order_relaxed) + 1;
        if (n > TOKEN_ID_MASK) {
            errno = EOVERFLOW;
            return SEQSHM_ESYS;
        }
        char name[SEQSHM_NAME_MAX + 64];
        ident_name(name, sizeof name, s, n);
        HANDLE e = CreateEventA(NULL, TRUE, FALSE, name);
        if (e == NULL)
            return SEQSHM_ESYS;
        if (GetLastError() == ERROR_ALREADY_EXISTS) { /* not ours */
            CloseHandle(e);
            continue;
        }
        ((struct seqshm *)s)->plat.ident = e;
        *id = n;
        return SEQSHM_OK;
    }
}

bool plat_identity_alive(const struct seqshm *s, uint64_t id)
{
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
