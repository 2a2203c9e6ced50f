/* win32/segment.c - the segment as a named file mapping backed by the
 * paging file in the session namespace (Local\); the per-process state.
 *
 * Creation is race-free: CreateFileMapping either makes the object (zeroed,
 * sized at once; open.c builds the header and publishes it by storing the
 * magic with release order) or reports that it existed. Openers wait,
 * bounded, for the magic (open.c) and check the header against the mapped
 * size before trusting it.
 *
 * What differs from POSIX (seqshm.h says it too): a mapping lives while any
 * handle of any process is open, so there is no name to remove: the
 * creator's close removes nothing, SEQSHM_PERSIST cannot keep a segment
 * with no handle open (open.c refuses it), and seqshm_unlink of an
 * existing segment fails with ENOTSUP.
 * The mode is not applied (a mapping in Local\ is the session's). There is
 * no fork, so the per-process state is plain memory.
 */
#include "../internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

void win_mapping_name(char *out, size_t cap, const char *name)
{
    snprintf(out, cap, "Local\\seqshm-%s", name[0] == '/' ? name + 1 : name);
}

void win_object_name(char *out, size_t cap, const struct seqshm *s,
                     const char *what)
{
    uint64_t nonce = ((const struct seqshm_header *)s->base)->nonce;
    snprintf(out, cap, "Local\\seqshm-%s-%016llx-%s", s->name[0] == '/'
             ? s->name + 1 : s->name, (unsigned long long)nonce, what);
}

static int status_of(DWORD err)
{
    switch (err) {
    case ERROR_FILE_NOT_FOUND: return SEQSHM_ENOENT;
    case ERROR_ACCESS_DENIED: return SEQSHM_EACCES;
    case ERROR_ALREADY_EXISTS: return SEQSHM_EEXIST;
    default: return SEQSHM_ESYS;
    }
}

int32_t plat_pid(void) { return (int32_t)GetCurrentProcessId(); }

bool plat_names_outlive_handles(void) { return false; }

struct process_state *plat_process_state(void)
{
    return calloc(1, sizeof(struct process_state));
}

void plat_process_state_free(struct process_state *ps) { free(ps); }

int plat_create(struct platform *p, struct mapped *m, const char *shm_name,
                uint64_t total, unsigned mode)
{
    (void)mode;
    char mname[SEQSHM_NAME_MAX + 32];
    win_mapping_name(mname, sizeof mname, shm_name);
    HANDLE h = CreateFileMappingA(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE,
                                  (DWORD)(total >> 32), (DWORD)total, mname);
    if (h == NULL)
        return status_of(GetLastError());
    if (GetLastError() == ERROR_ALREADY_EXISTS) {
        CloseHandle(h);
        return SEQSHM_EEXIST;
    }
    void *base = MapViewOfFile(h, FILE_MAP_ALL_ACCESS, 0, 0, 0);
    if (base == NULL) {
        CloseHandle(h);
        return SEQSHM_ESYS;
    }
    *p = (struct platform){.mapping = h};
    *m = (struct mapped){.base = base, .len = (size_t)total,
                         .obj_size = total};
    return SEQSHM_OK;
}

int plat_open(struct platform *p, struct mapped *m, const char *shm_name,
              bool rdonly, bool any_owner)
{
    (void)any_owner; /* a mapping in Local\\ is the session's alone */
    DWORD access = rdonly ? FILE_MAP_READ : FILE_MAP_READ | FILE_MAP_WRITE;
    char mname[SEQSHM_NAME_MAX + 32];
    win_mapping_name(mname, sizeof mname, shm_name);
    HANDLE h = OpenFileMappingA(access, FALSE, mname);
    if (h == NULL)
        return status_of(GetLastError());
    void *base = MapViewOfFile(h, access, 0, 0, 0);
    MEMORY_BASIC_INFORMATION mi;
    if (base == NULL || VirtualQuery(base, &mi, sizeof mi) == 0) {
        int rc = status_of(GetLastError());
        if (base != NULL)
            UnmapViewOfFile(base);
        CloseHandle(h);
        return rc;
    }
    if (mi.RegionSize < SLOTS_OFFSET) {
        UnmapViewOfFile(base);
        CloseHandle(h);
        return SEQSHM_EBADSEG;
    }
    /* the mapping's size is a whole number of pages: the object is at
     * least that, and the header's total must fit in it (open.c) */
    *p = (struct platform){.mapping = h};
    *m = (struct mapped){.base = base, .len = mi.RegionSize, .obj_size = 0};
    return SEQSHM_OK;
}

void plat_discard(struct platform *p, const struct mapped *m,
                  const char *shm_name, bool created)
{
    (void)shm_name, (void)created; /* the name goes with the last handle */
    UnmapViewOfFile(m->base);
    CloseHandle(p->mapping);
}

int plat_attach(struct seqshm *s)
{
    char obj[SEQSHM_NAME_MAX + 64];
    win_object_name(obj, sizeof obj, s, "wake");
    s->plat.wake = CreateEventA(NULL, TRUE, FALSE, obj);
    if (s->layout == SEQSHM_MUTEX) {
        win_object_name(obj, sizeof obj, s, "mutex");
        s->plat.mutex = CreateMutexA(NULL, FALSE, obj);
    }
    if (s->plat.wake == NULL ||
        (s->layout == SEQSHM_MUTEX && s->plat.mutex == NULL)) {
        plat_detach(s);
        return SEQSHM_ESYS;
    }
    return SEQSHM_OK;
}

/* the handle's own objects (the identity's too: it ends here) */
void plat_detach(struct seqshm *s)
{
    HANDLE *own[] = {&s->plat.ident, &s->plat.wake, &s->plat.mutex};
    for (size_t i = 0; i < sizeof own / sizeof own[0]; i++) {
        if (*own[i] != NULL)
            CloseHandle(*own[i]);
        *own[i] = NULL;
    }
}

void plat_attached(struct seqshm *s) { (void)s; }

void plat_close(struct seqshm *s)
{
    plat_detach(s);
    UnmapViewOfFile(s->base);
    CloseHandle(s->plat.mapping);
}

void plat_unlink_own(const struct seqshm *s)
{
    (void)s; /* the name goes with the last handle */
}

bool plat_name_is_own(const struct seqshm *s)
{
    (void)s; /* nothing removes a name a handle holds */
    return true;
}

int plat_unlink(const char *shm_name)
{
    char mname[SEQSHM_NAME_MAX + 32];
    win_mapping_name(mname, sizeof mname, shm_name);
    HANDLE h = OpenFileMappingA(FILE_MAP_READ, FALSE, mname);
    if (h == NULL)
        return status_of(GetLastError());
    CloseHandle(h);
    errno = ENOTSUP; /* it goes with its last handle, not before */
    return SEQSHM_ESYS;
}
