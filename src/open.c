/* open.c - a handle's life: seqshm_open and seqshm_open_opts (the
 * arguments, the texts, and the create-or-open loop), seqshm_close,
 * seqshm_remove, seqshm_is_current and seqshm_unlink, over the platform's objects (platform.h).
 *
 * Creation is race-free because only the platform's exclusive create
 * creates (plat_create): its one winner fills the header, then publishes it
 * by storing the magic with release order. Everyone else opens, waits
 * (bounded) for the magic, and checks every header field against the
 * object's real size before trusting any of it (header.c). No opener writes
 * an object before it has checked it; a read-write opener then takes an
 * identity (process.c).
 */
#include "internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define OPEN_RETRIES 16 /* create/open races with unlinkers */

/* The handle over a mapped and checked object: its fields, its platform
 * objects, its identity and, asked for, the sole-writer role. On failure
 * the object is still the caller's (plat_discard), *p as the platform
 * left it (what attach took and detach let go is no longer in it). */
static int handle_new(struct seqshm **out, const char *name,
                      struct platform *p, const struct mapped *m,
                      unsigned flags, const struct texts *t)
{
    struct seqshm *s = calloc(1, sizeof *s + strlen(name) + 1 +
                                     strlen(t->schema) + 1 +
                                     strlen(t->origin) + 1);
    struct process_state *ps = plat_process_state();
    if (s == NULL || ps == NULL) {
        int err = errno;
        free(s);
        if (ps != NULL)
            plat_process_state_free(ps);
        errno = err;
        return SEQSHM_ESYS;
    }
    handle_fields(s, m->base, m->len, flags, name, t);
    s->proc = ps;
    s->plat = *p;
    int rc = plat_attach(s);
    if (rc != SEQSHM_OK) {
        int err = errno;
        *p = s->plat;
        plat_process_state_free(ps);
        free(s);
        errno = err;
        return rc;
    }
    rc = identity_make(s, false); /* now, so that no write pays for it */
    if (rc == SEQSHM_OK && (flags & SEQSHM_SOLE_WRITER))
        rc = s->layout == SEQSHM_MUTEX ? SEQSHM_EINVAL : sole_take(s);
    if (rc != SEQSHM_OK) {
        int err = errno;
        plat_detach(s);
        *p = s->plat;
        plat_process_state_free(ps);
        free(s);
        errno = err;
        return rc;
    }
    plat_attached(s);
    *out = s;
    return SEQSHM_OK;
}

/* SEQSHM_EEXIST if someone else has the name. */
static int create_segment(struct seqshm **out, const char *shm_name,
                          const char *name, size_t size,
                          const seqshm_options *o, const struct texts *t)
{
    struct seqshm_header plan = {0};
    header_plan(&plan, size, header_slots(o), t);
    struct platform p;
    struct mapped m;
    int rc = plat_create(&p, &m, shm_name, plan.total_size,
                         o->mode != 0 ? o->mode : 0600);
    if (rc != SEQSHM_OK)
        return rc;
    /* The object was zero-filled: version 0, payload all zero. */
    struct seqshm_header *h = m.base;
    header_fill(h, &plan, size, o, t, plat_pid(), (uint64_t)now_ns());
    rc = plat_mutex_init((unsigned char *)m.base + MUTEX_LINE_OFFSET) == 0
             ? handle_new(out, name, &p, &m, o->flags, t)
             : SEQSHM_ESYS;
    if (rc != SEQSHM_OK) {
        plat_discard(&p, &m, shm_name, true);
        return rc;
    }
    (*out)->proc->creator = true;
    h->creator_token = (*out)->creator_token =
        atomic_load_explicit(&(*out)->proc->token, memory_order_relaxed);
    /* Publish: everything above happens-before any opener's acquire load
     * that sees the magic. */
    atomic_store_explicit(&h->magic, SEQSHM_MAGIC, memory_order_release);
    return SEQSHM_OK;
}

/* Waits (bounded) for a published magic, then checks the header against the
 * object. Never writes the object. SEQSHM_ENOENT if there is none. */
static int open_segment(struct seqshm **out, const char *shm_name,
                        const char *name, size_t size,
                        const seqshm_options *o, const struct texts *t)
{
    struct platform p;
    struct mapped m;
    int rc = plat_open(&p, &m, shm_name, (o->flags & SEQSHM_RDONLY) != 0,
                       (o->flags & SEQSHM_ANY_OWNER) != 0);
    if (rc != SEQSHM_OK)
        return rc;
    const struct seqshm_header *h = m.base;
    int64_t give_up = now_ns() + PUBLISH_WAIT_NS;
    for (;;) {
        uint64_t magic = atomic_load_explicit(&h->magic, memory_order_acquire);
        if (magic == SEQSHM_MAGIC)
            break;
        if (magic != 0 || now_ns() > give_up) {
            plat_discard(&p, &m, shm_name, false);
            return SEQSHM_EBADSEG;
        }
        struct timespec ts = {0, PUBLISH_WAIT_NS / 1000};
        nanosleep(&ts, NULL);
    }
    /* where the platform knows only that the object is at least m.len
     * bytes, the header's total is checked against that, and every other
     * field against the total */
    uint64_t obj_size = m.obj_size != 0 ? m.obj_size : h->total_size;
    struct texts stored;
    rc = obj_size > m.len ? SEQSHM_EBADSEG
                          : header_check(h, obj_size, size, o, t, &stored);
    if (rc == SEQSHM_OK)
        rc = handle_new(out, name, &p, &m, o->flags, &stored);
    if (rc != SEQSHM_OK)
        plat_discard(&p, &m, shm_name, false);
    return rc;
}

int seqshm_open_opts(seqshm **out, const char *name, size_t size,
                     const seqshm_options *opts)
{
    static const seqshm_options defaults = {0};
    const seqshm_options *o = opts != NULL ? opts : &defaults;
    if (out != NULL)
        *out = NULL;
    if (out == NULL || !name_valid(name))
        return SEQSHM_EINVAL;
    /* A schema is checked first: with size 0 it gives the size. */
    struct texts t = {"", ""};
    if (o->origin != NULL) {
        size_t len = strnlen(o->origin, SEQSHM_ORIGIN_MAX + 1);
        if (len == 0 || !origin_valid(o->origin, len))
            return SEQSHM_EINVAL;
        memcpy(t.origin, o->origin, len + 1);
    }
    if (o->schema != NULL) {
        size_t ssize = 0;
        int rc = schema_parse(o->schema, NULL, 0, NULL, &ssize, t.schema,
                              NULL, 0);
        if (rc != SEQSHM_OK)
            return rc;
        if (size == 0)
            size = ssize;
        else if (size != ssize)
            return SEQSHM_EINVAL;
    }
    if (!options_valid(size, o))
        return SEQSHM_EINVAL;
    if ((o->flags & SEQSHM_PERSIST) && !plat_names_outlive_handles()) {
        errno = ENOTSUP; /* nothing can keep a segment nobody holds */
        return SEQSHM_ESYS;
    }
    char shm_name[SEQSHM_NAME_MAX + 2];
    name_canonical(shm_name, name);

    bool create = (o->flags & SEQSHM_CREATE) != 0;
    int rc = SEQSHM_ENOENT;
    for (int i = 0; i < OPEN_RETRIES; i++) {
        if (create && size != 0) {
            rc = create_segment(out, shm_name, name, size, o, &t);
            if (rc != SEQSHM_EEXIST || (o->flags & SEQSHM_EXCL))
                return rc;
        }
        rc = open_segment(out, shm_name, name, size, o, &t);
        /* ENOENT after EEXIST: the name was unlinked in between; again. */
        if (rc != SEQSHM_ENOENT || !create || size == 0)
            break;
    }
    if (rc == SEQSHM_ENOENT && create && size == 0)
        return SEQSHM_EINVAL; /* nothing to adopt the size from */
    return rc;
}

int seqshm_open(seqshm **out, const char *name, size_t size, unsigned flags)
{
    seqshm_options o = {.flags = flags};
    return seqshm_open_opts(out, name, size, &o);
}

void seqshm_close(seqshm *shm)
{
    if (shm == NULL)
        return;
    int err = errno;
    if (seqshm_is_creator(shm) && !shm->persist)
        plat_unlink_own(shm);
    sole_give_back(shm);
    plat_close(shm);
    plat_process_state_free(shm->proc);
    free(shm);
    errno = err;
}

int seqshm_remove(seqshm *shm)
{
    if (shm == NULL)
        return SEQSHM_EINVAL;
    int err = errno;
    plat_unlink_own(shm);
    errno = err;
    return SEQSHM_OK;
}

bool seqshm_is_current(const seqshm *shm)
{
    if (shm == NULL)
        return false;
    int err = errno;
    bool own = plat_name_is_own(shm);
    errno = err;
    return own;
}

int seqshm_unlink(const char *name)
{
    if (!name_valid(name))
        return SEQSHM_EINVAL;
    char shm_name[SEQSHM_NAME_MAX + 2];
    name_canonical(shm_name, name);
    return plat_unlink(shm_name);
}
