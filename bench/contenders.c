/* contenders.c - seqshm in its three layouts and with a sole writer (the
 * single buffer); a plain memcpy out of a shared
 * mapping (the floor: no synchronisation at all); a lock flag that sleeps
 * 1 ms between tries, as the reference SharedMemory class locks; and the
 * Boost.Interprocess mutexes (boost_shim.cc). */
#include "contenders.h"
#include "boost_shim.h"
#include "seqshm.h"

#include <fcntl.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

/* read retries on this thread: the library's (a SEQSHM_STATS build counts
 * them) plus the lock tries of the reference-style contender */
extern _Thread_local uint64_t seqshm_stat_retries;
static _Thread_local uint64_t ref_retries;

uint64_t contender_read_retries(void) { return seqshm_stat_retries + ref_retries; }

/* ------------------------------------------------------------------ seqshm */

static void *seqshm_open_layout(const char *name, size_t size, bool create,
                                unsigned layout)
{
    seqshm *s;
    unsigned flags = create ? SEQSHM_CREATE | SEQSHM_EXCL | layout : 0;
    if (create)
        seqshm_unlink(name);
    return seqshm_open(&s, name, size, flags) == SEQSHM_OK ? s : NULL;
}
static void *single_open(const char *n, size_t z, bool c)
{
    return seqshm_open_layout(n, z, c, 0);
}
static void *double_open(const char *n, size_t z, bool c)
{
    return seqshm_open_layout(n, z, c, SEQSHM_DOUBLE_BUFFER);
}
static void *mutex_open(const char *n, size_t z, bool c)
{
    return seqshm_open_layout(n, z, c, SEQSHM_MUTEX);
}
/* the single buffer, its creating handle the sole writer (readers open
 * without the flag) */
static void *sole_open(const char *n, size_t z, bool c)
{
    return seqshm_open_layout(n, z, c, c ? SEQSHM_SOLE_WRITER : 0);
}
static void sq_read(void *ctx, void *dst) { seqshm_read(ctx, dst, SEQSHM_FOREVER); }
static void sq_write(void *ctx, const void *src)
{
    seqshm_write(ctx, src, SEQSHM_FOREVER);
}
static void sq_close(void *ctx) { seqshm_close(ctx); }

/* ------------------------------------------ plain shared mapping (memcpy) */

struct plain {
    unsigned char *map;
    size_t len;
    size_t size; /* read from memory: the copy's size is known at run time */
    char name[64];
    bool creator;
};

#define PLAIN_HDR 128 /* the reference-style lock lives here */

static void *plain_open(const char *name, size_t size, bool create)
{
    struct plain *p = calloc(1, sizeof *p);
    int fd = shm_open(name, O_RDWR | (create ? O_CREAT | O_TRUNC : 0), 0600);
    if (p == NULL || fd < 0 || (create && ftruncate(fd, (off_t)(PLAIN_HDR + size)) != 0)) {
        free(p);
        if (fd >= 0)
            close(fd);
        return NULL;
    }
    p->len = PLAIN_HDR + size;
    p->map = mmap(NULL, p->len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    close(fd);
    p->size = size;
    p->creator = create;
    strncpy(p->name, name, sizeof p->name - 1);
    return p;
}
static void plain_read(void *ctx, void *dst)
{
    struct plain *p = ctx;
    memcpy(dst, p->map + PLAIN_HDR, p->size);
}
static void plain_write(void *ctx, const void *src)
{
    struct plain *p = ctx;
    memcpy(p->map + PLAIN_HDR, src, p->size);
}
static void plain_close(void *ctx)
{
    struct plain *p = ctx;
    munmap(p->map, p->len);
    if (p->creator)
        shm_unlink(p->name);
    free(p);
}

/* ------------------------------- reference style: a flag, 1 ms naps */

static void ref_lock(struct plain *p, uint64_t *tries)
{
    _Atomic int *flag = (_Atomic int *)p->map;
    while (atomic_exchange_explicit(flag, 1, memory_order_acquire)) {
        (*tries)++;
        struct timespec ms = {0, 1000000};
        nanosleep(&ms, NULL);
    }
}
static void ref_unlock(struct plain *p)
{
    atomic_store_explicit((_Atomic int *)p->map, 0, memory_order_release);
}
static void ref_read(void *ctx, void *dst)
{
    ref_lock(ctx, &ref_retries);
    plain_read(ctx, dst);
    ref_unlock(ctx);
}
static void ref_write(void *ctx, const void *src)
{
    uint64_t ignored = 0;
    ref_lock(ctx, &ignored);
    plain_write(ctx, src);
    ref_unlock(ctx);
}

/* ------------------------------------------------------ Boost.Interprocess */

static void *bmutex_open(const char *n, size_t z, bool c)
{
    return boost_seg_open(n, z, BOOST_MUTEX, c);
}
static void *bshare_open(const char *n, size_t z, bool c)
{
    return boost_seg_open(n, z, BOOST_SHARABLE, c);
}
static void b_read(void *ctx, void *dst) { boost_seg_read(ctx, dst); }
static void b_write(void *ctx, const void *src) { boost_seg_write(ctx, src); }
static void b_close(void *ctx) { boost_seg_close(ctx); }

const struct contender contenders[] = {
    {"memcpy", plain_open, plain_read, plain_write, plain_close},
    {"seqshm-single", single_open, sq_read, sq_write, sq_close},
    {"seqshm-double", double_open, sq_read, sq_write, sq_close},
    {"seqshm-sole", sole_open, sq_read, sq_write, sq_close},
    {"seqshm-mutex", mutex_open, sq_read, sq_write, sq_close},
    {"boost-mutex", bmutex_open, b_read, b_write, b_close},
    {"boost-sharable", bshare_open, b_read, b_write, b_close},
    {"ref-sleep-1ms", plain_open, ref_read, ref_write, plain_close},
};
const size_t ncontenders = sizeof contenders / sizeof contenders[0];
