/*
 * internal.h - the handle, and the functions the library's files share.
 */
#ifndef SEQSHM_INTERNAL_H
#define SEQSHM_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#if defined(_WIN32)
#define HIDDEN /* a static library there: nothing is exported anyway */
#else
#define HIDDEN __attribute__((visibility("hidden")))
#endif

/* fault.c hooks, compiled only into test builds. */
#ifdef SEQSHM_FAULT_INJECTION
HIDDEN void fault_point(const char *where);
#define FAULT(where) fault_point(where)
#else
#define FAULT(where) ((void)0)
#endif

/* The public header, by way of the copies: its inline read attempt is the
 * library's too (seqlock.h), and copies the way this build copies. */
#include "copy.h"
#include "layout.h"

/* What a handle knows of its own process: in a private page of its own that
 * fork() wipes (MADV_WIPEONFORK), so a child finds state 0 and makes its own
 * identity (owner.c) instead of writing under its parent's. */
struct ident {
    _Atomic uint64_t token; /* owner token; 0 before it is made, and for
                               read-only handles (which never claim) */
    _Atomic int state;      /* 0: not made in this process; 1: being made;
                               2: made (token, and s->fd is our own) */
    bool creator;           /* this process created the segment */
    bool sole;              /* this handle holds the sole-writer role, in
                               this process (sole.c) */
    uint64_t sole_seq;      /* the sole writer's copy of seq: nobody else
                               stores to seq while it holds the claim */
    bool asym;              /* this process is registered for the waiters'
                               membarrier: it publishes without a full
                               fence (fence.c) */
};

/* A handle. Immutable after seqshm_open() returns, but for the identity
 * page. The fields every read and write uses come first, on one cache line;
 * several are derived from the header (stall, window, locked_reads) so that
 * the fast paths compute nothing. The first eight are the public header's
 * struct seqshm_inline_view, which callers' inline reads use: asserted
 * below, and part of the ABI. */
struct seqshm {
    struct seqshm_seq_line *line;    /* seq and owner */
    unsigned char *slots;            /* slot i at slots + i * stride */
    size_t stride;
    uint64_t slot_mask;              /* slot_count - 1 */
    uint64_t stall;                  /* seq bits that stop a reader's copy */
    uint64_t window;                 /* see seqlock.h */
    size_t size;                     /* payload bytes */
    bool locked_reads;               /* SEQSHM_MUTEX, read-write handle */
    bool rdonly;
    bool persist;
    unsigned layout;                 /* 0, SEQSHM_DOUBLE_BUFFER, SEQSHM_MUTEX */
    struct ident *ident;             /* private, wiped by fork */
    struct seqshm_wait_line *wait;
    pthread_mutex_t *mutex;
    unsigned char *base;             /* the mapping; header at offset 0 */
    int fd;                          /* the segment, open for the handle's
                                        life: it holds the identity's lock
                                        (owner.c) and asks others' */
    /* Copied from the header at open, like every field above: nothing is
     * read from the header afterwards, so a process that rewrites it
     * changes nothing for this handle. */
    uint64_t type_tag;
    const char *schema;              /* canonical, in name[]'s allocation;
                                        NULL: none */
    uint64_t creator_token;
    int creator_pid;                 /* display only (creator's namespace) */
    size_t map_len;
    void *os[4];                     /* the platform's handles (win32/) */
    dev_t dev;                       /* the object, to unlink only it */
    ino_t ino;
    char name[];                     /* as given */
};

#define VIEW_SAME(ours, theirs)                                              \
    _Static_assert(offsetof(struct seqshm, ours) ==                            \
                       offsetof(struct seqshm_inline_view, theirs) &&          \
                   sizeof(((struct seqshm *)0)->ours) ==                       \
                       sizeof(((struct seqshm_inline_view *)0)->theirs),       \
                   "the inline view matches the handle: " #ours)
VIEW_SAME(line, seq);
VIEW_SAME(slots, slots);
VIEW_SAME(stride, stride);
VIEW_SAME(slot_mask, slot_mask);
VIEW_SAME(stall, stall);
VIEW_SAME(window, window);
VIEW_SAME(size, size);
VIEW_SAME(locked_reads, locked_reads);
_Static_assert(offsetof(struct seqshm_seq_line, seq) == 0,
               "the view's seq pointer is the seq line's address");
_Static_assert(SEQ_STEP == 8 && SEQ_BITS == 7,
               "the inline read's sequence encoding");

static inline unsigned char *slot_at(const struct seqshm *s, uint64_t version)
{
    return s->slots + (size_t)(version & s->slot_mask) * s->stride;
}

/* segment.c, win32.c: the platform's half of opening (open.c). shm_name
 * is the canonical name (name_canonical). seg_create returns
 * SEQSHM_EEXIST when the name is taken; seg_open SEQSHM_ENOENT when there
 * is none. */
HIDDEN int seg_create(struct seqshm **out, const char *shm_name,
                      const char *name, size_t size, const seqshm_options *o,
                      const char *schema);
HIDDEN int seg_open(struct seqshm **out, const char *shm_name,
                    const char *name, size_t size, const seqshm_options *o,
                    const char *schema);

/* header.c: where a new segment's parts go, and every check an opener
 * makes before trusting an object (no system calls). */
HIDDEN unsigned header_slots(const seqshm_options *o);  /* of a new segment */
HIDDEN unsigned header_layout(const seqshm_options *o); /* its layout flags */
HIDDEN void header_plan(struct seqshm_header *h, size_t size, unsigned count,
                        size_t schema_len);
HIDDEN uint64_t header_max_total(void); /* the largest object there can be */
HIDDEN bool header_valid(const struct seqshm_header *h, uint64_t obj_size);
/* The stored schema, copied out once and checked; canon receives it
 * (SEQSHM_SCHEMA_MAX + 1 bytes, "" for none). */
HIDDEN bool header_schema(const struct seqshm_header *h, char *canon);
HIDDEN bool options_valid(size_t size, const seqshm_options *o);
/* Everything an opener checks of a published header, in order: valid
 * against the object's size (EBADSEG), the size asked (ESIZE), the type tag
 * and schema asked (ETYPE; schema canonical, "" for none). stored receives
 * the segment's schema (SEQSHM_SCHEMA_MAX + 1 bytes). */
HIDDEN int header_check(const struct seqshm_header *h, uint64_t obj_size,
                        size_t size, const seqshm_options *o,
                        const char *schema, char *stored);
/* A new segment's header, as planned (all but magic and creator_token). */
HIDDEN void header_fill(struct seqshm_header *h,
                        const struct seqshm_header *plan, size_t size,
                        const seqshm_options *o, const char *schema,
                        int32_t pid, uint64_t now);
/* The handle's fields that come from the header, its flags, name and
 * schema (s allocated with room for both after it). */
HIDDEN void handle_fields(struct seqshm *s, void *base, size_t map_len,
                         unsigned flags, const char *name, const char *schema);

/* schema.c: parses into fields (up to cap) and, if canon is not NULL,
 * writes the canonical text there (SEQSHM_SCHEMA_MAX + 1 bytes). */
HIDDEN int schema_parse(const char *schema, seqshm_field *fields, size_t cap,
                        size_t *nfields, size_t *size, char *canon, char *why,
                        size_t whycap);

/* name.c */
HIDDEN bool name_valid(const char *name);
HIDDEN void name_canonical(char out[SEQSHM_NAME_MAX + 2], const char *name);

/* deadline.c: timeouts and the back-off every waiting loop shares. */
struct deadline {
    int64_t end_ns;  /* CLOCK_MONOTONIC; INT64_MAX: forever; DEADLINE_UNSET:
                        not read yet (set by the first deadline_left) */
    int64_t timeout; /* as given */
    unsigned tries;  /* back-off steps taken */
    int64_t nap_ns;  /* current sleep length */
    const struct seqshm *shm; /* if set, naps sleep on its futex and end at */
    uint64_t seen;            /* the first publish after seq was `seen` */
};
HIDDEN int64_t now_ns(void);
#define DEADLINE_UNSET INT64_MIN /* end_ns before the first deadline_left() */
static inline void deadline_start(struct deadline *d, int64_t timeout_ns)
{
    d->timeout = timeout_ns;
    d->tries = 0;
    d->nap_ns = 1000;
    /* the clock is read only once a caller has to wait (deadline_left) */
    d->end_ns = timeout_ns < 0    ? INT64_MAX
                : timeout_ns == 0 ? 0
                                  : DEADLINE_UNSET;
    d->shm = NULL;
    d->seen = 0;
}
HIDDEN int64_t deadline_left(struct deadline *d);
/* One back-off step: spin, then yield, then sleep with growing naps capped at
 * 1 ms and at the time left. Returns false once the deadline has passed (for
 * timeout 0: after SEQSHM_SPIN_TRIES steps, having never slept). *slow is
 * set once the spinning phase is over, so callers do slower checks (owner
 * liveness) only then. */
HIDDEN bool backoff(struct deadline *d, bool *slow);

/* owner.c: identities, and whether a claim's owner lives (kernel locks). */
HIDDEN int ident_make(const struct seqshm *s, bool forked);
/* A new open file description of s's segment (by name, else /proc/self/fd/
 * via); -1 with errno if neither names the same object. */
HIDDEN int open_again(const struct seqshm *s, int via);
/* This process's identity for s, made on first use after a fork. */
static inline int ident_ready(const struct seqshm *s)
{
    if (atomic_load_explicit(&s->ident->state, memory_order_acquire) == 2)
        return SEQSHM_OK;
    return ident_make(s, true);
}
/* An owner token: the identity's number in the low OWNER_ID_BITS bits
 * (never 0, never reused), and for display only the writer's process id
 * (in its own PID namespace) above them. */
#define OWNER_ID_BITS 42
#define OWNER_ID_MASK ((UINT64_C(1) << OWNER_ID_BITS) - 1)
#define OWNER_PID_MASK ((UINT64_C(1) << (64 - OWNER_ID_BITS)) - 1)
static inline uint64_t owner_token(uint64_t id, uint64_t pid)
{
    return id | (pid & OWNER_PID_MASK) << OWNER_ID_BITS;
}
/* The pid a token records, in its writer's PID namespace (display only). */
static inline int owner_pid(uint64_t token)
{
    return (int)(token >> OWNER_ID_BITS);
}
/* The token names this handle's own identity, in this process: alive. */
static inline bool owner_is_self(const struct seqshm *s, uint64_t token)
{
    uint64_t self = atomic_load_explicit(&s->ident->token,
                                         memory_order_relaxed);
    return self != 0 && ((self ^ token) & OWNER_ID_MASK) == 0;
}
HIDDEN uint64_t owner_self_slow(const struct seqshm *s);
/* This process's owner token for s; 0 if it could not be made (errno set). */
static inline uint64_t owner_self(const struct seqshm *s)
{
    uint64_t tok = atomic_load_explicit(&s->ident->token, memory_order_relaxed);
    return tok != 0 ? tok : owner_self_slow(s);
}
/* False only when the kernel says no process holds the token's lock. */
HIDDEN bool owner_alive(const struct seqshm *s, uint64_t token);

/* claim.c: the slow paths of the writers' claim (fast paths: seqlock.h). */
HIDDEN int claim_wait(struct seqshm *s, uint64_t self, struct deadline *d);
HIDDEN bool claim_recover(const struct seqshm *s, uint64_t dead);
/* By whoever took over from a dead holder (of the claim, or of the robust
 * mutex): ends the write it left unfinished. */
HIDDEN void claim_repair(const struct seqshm *s);

/* sole.c: the sole-writer role (its word: wait line `sole`). */
HIDDEN int sole_take(struct seqshm *s);
HIDDEN void sole_give_back(struct seqshm *s);
/* True if `holder`, the claim's owner, holds the sole-writer role, is not
 * `self`, and lives: the caller's write is SEQSHM_EBUSY. */
HIDDEN bool sole_holds(const struct seqshm *s, uint64_t holder, uint64_t self);
/* The claim of `dead` was taken over: if it held the role, the role ends. */
HIDDEN void sole_forget(const struct seqshm *s, uint64_t dead);

/* fence.c: the waiters' side of the store-load order (see seqlock.h). */
/* Registers this process for the waiters' barrier; true if it may publish
 * with a compiler barrier only. SEQSHM_FENCE=full in the environment, or a
 * build with SEQSHM_NO_MEMBARRIER, says no. */
HIDDEN bool fence_register(void);
/* The waiters' barrier: a full fence on every CPU that runs a registered
 * process. False if the kernel refused it. */
HIDDEN bool fence_heavy(void);

/* read.c: a single slot held BUSY for long: recovers a dead writer's claim
 * (read-write handles) or reports it (SEQSHM_EOWNERDEAD, read-only). */
HIDDEN int writer_gone(const struct seqshm *s);

/* robust.c: the process-shared robust mutex. */
HIDDEN int robust_init(pthread_mutex_t *m);
HIDDEN int robust_lock(const struct seqshm *s, struct deadline *d);
HIDDEN void robust_unlock(const struct seqshm *s);

/* waiting.c: sleeps at most ns, or until a write publishes after seq was
 * `seen` (a read-write handle announces itself; see waiting.c). */
HIDDEN void nap_until_publish(const struct seqshm *s, uint64_t seen,
                              int64_t ns);
/* wait.c, win32/wait.c: the platform's sleep and wake primitive.
 * wake_waiters: a writer found the flag set. wake_arm: reads the word to
 * sleep on, announces a read-write handle (and issues the waiters' barrier
 * where writers rely on it); *sliced when the caller cannot count on being
 * woken. wake_sleep: sleeps at most ns unless the word moved on from w, or
 * until woken. */
HIDDEN void wake_waiters(const struct seqshm *s);
HIDDEN uint32_t wake_arm(const struct seqshm *s, bool *sliced);
HIDDEN void wake_sleep(const struct seqshm *s, uint32_t w, int64_t ns);


#endif
