/* win32/segment.c - the segment's lifecycle on Windows: a named file
 * mapping backed by the paging file in the session namespace (Local\).
 *
 * Creation is race-free: CreateFileMapping either makes the object (zeroed;
 * its maker builds the header and publishes it by storing the magic with
 * release order) or reports that it existed. Openers wait, bounded, for the
 * magic and check the header against the mapped size before trusting it.
 *
 * What differs from POSIX (seqshm.h says it too): a mapping lives while any
 * handle of any process is open, so there is no name to remove: the
 * creator's close removes nothing, SEQSHM_PERSIST cannot keep a segment
 * with no handle open, and seqshm_unlink only reports whether it exists.
 * The mode is not applied (a mapping in Local\ is the session's).
 */
#include "win32.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PUBLISH_WAIT_NS 1000000000

void win_mapping_name(char *out, size_t cap, const char *name)
{
    snprintf(out, cap, "Local\\seqshm-%s", name[0] == '/' ? name + 1 : name);
}

uint64_t win_nonce(const struct seqshm *s)
{
    return ((const struct seqshm_header *)s->base)->nonce;
}

void win_object_name(char *out, size_t cap, const struct seqshm *s,
                     const char *what)
{
    snprintf(out, cap, "Local\\seqshm-%s-%016llx-%s", s->name[0] == '/'
             ? s->name + 1 : s->name, (unsigned long long)win_nonce(s), what);
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

/* The handle over a mapped, checked segment; takes the mapping handle. */
static int handle_new(struct seqshm **out, const char *name, void *base,
                      size_t map_len, unsigned flags, HANDLE mapping,
                      const char *schema)
{
    struct seqshm *s = calloc(1, sizeof *s + strlen(name) + 1 +
                                     strlen(schema) + 1);
    struct ident *ident = calloc(1, sizeof *ident); /* no fork here */
    if (s == NULL || ident == NULL) {
        free(s);
        free(ident);
        return SEQSHM_ESYS;
    }
    handle_fields(s, base, map_len, flags, name, schema);
    s->fd = -1;
    s->os[OS_MAPPING] = mapping;
    s->mutex = NULL;
    s->ident = ident;
    char obj[SEQSHM_NAME_MAX + 64];
    win_object_name(obj, sizeof obj, s, "wake");
    s->os[OS_WAKE] = CreateEventA(NULL, TRUE, FALSE, obj);
    if (s->layout == SEQSHM_MUTEX) {
        win_object_name(obj, sizeof obj, s, "mutex");
        s->os[OS_MUTEX] = CreateMutexA(NULL, FALSE, obj);
    }
    int rc = s->os[OS_WAKE] == NULL ||
                     (s->layout == SEQSHM_MUTEX && s->os[OS_MUTEX] == NULL)
                 ? SEQSHM_ESYS
                 : ident_make(s, false);
    if (rc == SEQSHM_OK && (flags & SEQSHM_SOLE_WRITER))
        rc = s->layout == SEQSHM_MUTEX ? SEQSHM_EINVAL : sole_take(s);
    if (rc != SEQSHM_OK) {
        for (int i = 1; i < 4; i++)
            if (s->os[i] != NULL)
                CloseHandle(s->os[i]);
        free(ident);
        free(s);
        return rc;
    }
    *out = s;
    return SEQSHM_OK;
}

int seg_create(struct seqshm **out, const char *shm_name, const char *name,
               size_t size, const seqshm_options *o, const char *schema)
{
    struct seqshm_header plan = {0};
    header_plan(&plan, size, header_slots(o), strlen(schema));
    char mname[SEQSHM_NAME_MAX + 32];
    win_mapping_name(mname, sizeof mname, shm_name);
    HANDLE m = CreateFileMappingA(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE,
                                  (DWORD)(plan.total_size >> 32),
                                  (DWORD)plan.total_size, mname);
    if (m == NULL)
        return status_of(GetLastError());
    if (GetLastError() == ERROR_ALREADY_EXISTS) {
        CloseHandle(m);
        return SEQSHM_EEXIST;
    }
    void *base = MapViewOfFile(m, FILE_MAP_ALL_ACCESS, 0, 0, 0);
    if (base == NULL) {
        CloseHandle(m);
        return SEQSHM_ESYS;
    }
    /* The mapping was zero-filled: version 0, payload all zero. */
    struct seqshm_header *h = base;
    header_fill(h, &plan, size, o, schema, (int32_t)GetCurrentProcessId(),
                (uint64_t)now_ns());
    int rc = handle_new(out, name, base, (size_t)plan.total_size, o->flags, m,
                        schema);
    if (rc != SEQSHM_OK) {
        UnmapViewOfFile(base);
        CloseHandle(m);
        return rc;
    }
    (*out)->ident->creator = true;
    h->creator_token = (*out)->creator_token =
        atomic_load_explicit(&(*out)->ident->token, memory_order_relaxed);
    atomic_store_explicit(&h->magic, SEQSHM_MAGIC, memory_order_release);
    return SEQSHM_OK;
}

int seg_open(struct seqshm **out, const char *shm_name, const char *name,
             size_t size, const seqshm_options *o, const char *schema)
{
    bool rdonly = (o->flags & SEQSHM_RDONLY) != 0;
    DWORD access = rdonly ? FILE_MAP_READ : FILE_MAP_READ | FILE_MAP_WRITE;
    char mname[SEQSHM_NAME_MAX + 32];
    win_mapping_name(mname, sizeof mname, shm_name);
    HANDLE m = OpenFileMappingA(access, FALSE, mname);
    if (m == NULL)
        return status_of(GetLastError());
    void *base = MapViewOfFile(m, access, 0, 0, 0);
    MEMORY_BASIC_INFORMATION mi;
    if (base == NULL || VirtualQuery(base, &mi, sizeof mi) == 0) {
        int rc = status_of(GetLastError());
        if (base != NULL)
            UnmapViewOfFile(base);
        CloseHandle(m);
        return rc;
    }
    int rc = SEQSHM_EBADSEG;
    struct seqshm_header *h = base;
    int64_t give_up = now_ns() + PUBLISH_WAIT_NS;
    char stored[SEQSHM_SCHEMA_MAX + 1];
    if (mi.RegionSize < SLOTS_OFFSET)
        goto out;
    while (atomic_load_explicit(&h->magic, memory_order_acquire) !=
           SEQSHM_MAGIC) {
        if (atomic_load_explicit(&h->magic, memory_order_relaxed) != 0 ||
            now_ns() > give_up)
            goto out;
        Sleep(1);
    }
    /* the mapping's size is a whole number of pages: the header's total
     * must fit in it, and every other field is checked against that total */
    uint64_t total = h->total_size;
    if (total > mi.RegionSize)
        goto out;
    rc = header_check(h, total, size, o, schema, stored);
    if (rc == SEQSHM_OK)
        rc = handle_new(out, name, base, (size_t)total, o->flags, m, stored);
out:
    if (rc != SEQSHM_OK) {
        UnmapViewOfFile(base);
        CloseHandle(m);
    }
    return rc;
}

void seqshm_close(seqshm *shm)
{
    if (shm == NULL)
        return;
    sole_give_back(shm);
    for (int i = 1; i < 4; i++)
        if (shm->os[i] != NULL)
            CloseHandle(shm->os[i]); /* the identity's event: it ends here */
    UnmapViewOfFile(shm->base);
    CloseHandle(shm->os[OS_MAPPING]);
    free(shm->ident);
    free(shm);
}

int seqshm_unlink(const char *name)
{
    if (!name_valid(name))
        return SEQSHM_EINVAL;
    char mname[SEQSHM_NAME_MAX + 32];
    win_mapping_name(mname, sizeof mname, name);
    HANDLE m = OpenFileMappingA(FILE_MAP_READ, FALSE, mname);
    if (m == NULL)
        return status_of(GetLastError());
    CloseHandle(m); /* the name goes with the last handle */
    return SEQSHM_OK;
}
