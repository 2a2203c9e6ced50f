/* open.c - seqshm_open and seqshm_open_opts: the arguments, the schema, and
 * the create-or-open loop over the platform's seg_create and seg_open
 * (segment.c, win32.c). */
#include "internal.h"

#define OPEN_RETRIES 16 /* create/open races with unlinkers */

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
    char schema[SEQSHM_SCHEMA_MAX + 1] = "";
    if (o->schema != NULL) {
        size_t ssize = 0;
        int rc = schema_parse(o->schema, NULL, 0, NULL, &ssize, schema, NULL, 0);
        if (rc != SEQSHM_OK)
            return rc;
        if (size == 0)
            size = ssize;
        else if (size != ssize)
            return SEQSHM_EINVAL;
    }
    if (!options_valid(size, o))
        return SEQSHM_EINVAL;
    char shm_name[SEQSHM_NAME_MAX + 2];
    name_canonical(shm_name, name);

    bool create = (o->flags & SEQSHM_CREATE) != 0;
    int rc = SEQSHM_ENOENT;
    for (int i = 0; i < OPEN_RETRIES; i++) {
        if (create && size != 0) {
            rc = seg_create(out, shm_name, name, size, o, schema);
            if (rc != SEQSHM_EEXIST || (o->flags & SEQSHM_EXCL))
                return rc;
        }
        rc = seg_open(out, shm_name, name, size, o, schema);
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

