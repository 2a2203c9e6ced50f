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
#include "platform.h"

#ifndef PUBLISH_WAIT_NS /* the fuzz build shortens it, to stay fast */
#define PUBLISH_WAIT_NS 1000000000 /* how long an opener waits for a header */
#endif

/* What this process knows of a handle: in a page of its own that a forked
 * child finds zeroed (plat_process_state), so that a child makes its own
 * identity (process.c) instead of writing under its parent's, and is not
 * the creator. */
struct process_state {
    _Atomic uint64_t token; /* this process's identity token for the handle;
                               0 before it is made, and for read-only
                               handles (which never claim) */
    _Atomic int made;       /* 0: not made in this process; 1: being made;
                               2: made (token, and the platform's identity
                               object, are this process's own) */
    bool creator;           /* this process created the segment */
    bool sole;              /* this handle holds the sole-writer role, in
                               this process (sole.c) */
    uint64_t sole_seq;      /* the sole writer's copy of seq: nobody else
                               stores to seq while it holds the claim */
    bool asym;              /* this process is registered for the waiters'
                               barrier: it publishes without a full fence
                               (barrier.h) */
};

/* A handle. Immutable after seqshm_open() returns, but for the per-process
 * state. The fields every read and write uses come first, on one cache line;
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
    struct process_state *proc;      /* this process's, wiped by fork */
    struct seqshm_wait_line *wait;
    unsigned char *base;             /* the mapping; header at offset 0 */
    /* Copied from the header at open, like every field above: nothing is
     * read from the header afterwards, so a process that rewrites it
     * changes nothing for this handle. */
    uint64_t type_tag;
    const char *schema;              /* canonical, in name[]'s allocation;
                                        NULL: none */
    const char *origin;              /* also there; "": not a copy */
    struct seqshm_origin_line *origin_line;
    uint64_t creator_token;
    int creator_pid;                 /* display only (creator's namespace) */
    size_t map_len;
    struct platform plat;            /* the platform's (its wing.h) */
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

/* The texts a segment carries after its header: the canonical schema and
 * the origin, each "" for none. */
struct texts {
    char schema[SEQSHM_SCHEMA_MAX + 1];
    char origin[SEQSHM_ORIGIN_MAX + 1];
};

/* header.c: where a new segment's parts go, and every check an opener
 * makes before trusting an object (no system calls). */
HIDDEN unsigned header_slots(const seqshm_options *o);  /* of a new segment */
HIDDEN unsigned header_layout(const seqshm_options *o); /* its layout flags */
HIDDEN void header_plan(struct seqshm_header *h, size_t size, unsigned count,
                        const struct texts *t);
HIDDEN uint64_t header_max_total(void); /* the largest object there can be */
HIDDEN bool header_valid(const struct seqshm_header *h, uint64_t obj_size);
/* The stored texts, copied out once and checked. */
HIDDEN bool header_texts(const struct seqshm_header *h, struct texts *out);
HIDDEN bool origin_valid(const char *origin, size_t len);
HIDDEN bool options_valid(size_t size, const seqshm_options *o);
/* Everything an opener checks of a published header, in order: valid
 * against the object's size (EBADSEG), the size asked (ESIZE), the type tag,
 * schema and origin asked (ETYPE; t holds what was asked, the schema
 * canonical). stored receives the segment's texts. */
HIDDEN int header_check(const struct seqshm_header *h, uint64_t obj_size,
                        size_t size, const seqshm_options *o,
                        const struct texts *t, struct texts *stored);
/* A new segment's header, as planned (all but magic and creator_token). */
HIDDEN void header_fill(struct seqshm_header *h,
                        const struct seqshm_header *plan, size_t size,
                        const seqshm_options *o, const struct texts *t,
                        int32_t pid, uint64_t now);
/* The handle's fields that come from the header, its flags, name and
 * texts (s allocated with room for all three after it). */
HIDDEN void handle_fields(struct seqshm *s, void *base, size_t map_len,
                         unsigned flags, const char *name,
                         const struct texts *t);

/* schema.c: parses into fields (up to cap) and, if canon is not NULL,
 * writes the canonical text there (SEQSHM_SCHEMA_MAX + 1 bytes). */
HIDDEN int schema_parse(const char *schema, seqshm_field *fields, size_t cap,
                        size_t *nfields, size_t *size, char *canon, char *why,
                        size_t whycap);

/* name.c */
HIDDEN bool name_valid(const char *name);
HIDDEN void name_canonical(char out[SEQSHM_NAME_MAX + 2], const char *name);

/* backoff.c: timeouts, and the back-off policy every waiting loop shares
 * (waiting.c carries it out: wait_step). */
struct deadline {
    int64_t end_ns;  /* CLOCK_MONOTONIC; INT64_MAX: forever; DEADLINE_UNSET:
                        not read yet (set by the first deadline_left) */
    int64_t timeout; /* as given */
    unsigned tries;  /* back-off steps taken */
    int64_t nap_ns;  /* current sleep length */
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
}
HIDDEN int64_t deadline_left(struct deadline *d);
/* Whether a loop that failed for want of luck, not of a writer's progress
 * (a copy lapped by the writer), may try again without sleeping: while time
 * is left; for timeout 0, never (a copy may be megabytes). */
HIDDEN bool deadline_retry(struct deadline *d);
/* The next step of the back-off: spin, then yield, then sleep with growing
 * naps capped at 1 ms and at the time left (*nap_ns), or give up once the
 * deadline has passed (for timeout 0: after SEQSHM_SPIN_TRIES spins, never
 * having slept). */
enum backoff_step { BACKOFF_SPIN, BACKOFF_YIELD, BACKOFF_NAP, BACKOFF_EXPIRED };
HIDDEN enum backoff_step backoff_next(struct deadline *d, int64_t *nap_ns);
/* True once the spinning phase is over: callers do their slower checks
 * (whether a writer in the way lives) only then. */
#define BACKOFF_SPIN_STEPS 64u
static inline bool backoff_slow(const struct deadline *d)
{
    return d->timeout != 0 && d->tries > BACKOFF_SPIN_STEPS;
}

/* waiting.c: one step of the back-off while waiting for s to move on from
 * seq `seen`: its naps sleep on the segment and end at the next publish.
 * False once the deadline has passed. */
HIDDEN bool wait_step(const struct seqshm *s, struct deadline *d,
                      uint64_t seen);
/* A writer found the flag set: clears it and, if this call cleared it,
 * bumps the word and wakes every sleeper. */
HIDDEN void wake_waiters(const struct seqshm *s);

/* process.c: this process's identity for a handle, and the tokens that
 * name identities. An identity is a writing handle in one process: it has
 * a number no identity of the segment ever had, and lives exactly as long
 * as that handle in that process (the platform's identity.c). */
HIDDEN int identity_make(const struct seqshm *s, bool forked);
/* This process's identity for s, made on first use after a fork. */
static inline int identity_ready(const struct seqshm *s)
{
    if (atomic_load_explicit(&s->proc->made, memory_order_acquire) == 2)
        return SEQSHM_OK;
    return identity_make(s, true);
}
/* A token (the claim's owner word, the role's sole word): the identity's
 * number in the low TOKEN_ID_BITS bits (never 0, never reused), and for
 * display only the writer's process id (in its own PID namespace) above
 * them. */
#define TOKEN_ID_BITS 42
#define TOKEN_ID_MASK ((UINT64_C(1) << TOKEN_ID_BITS) - 1)
#define TOKEN_PID_MASK ((UINT64_C(1) << (64 - TOKEN_ID_BITS)) - 1)
static inline uint64_t token_make(uint64_t id, uint64_t pid)
{
    return id | (pid & TOKEN_PID_MASK) << TOKEN_ID_BITS;
}
/* The pid a token records, in its writer's PID namespace (display only). */
static inline int token_pid(uint64_t token)
{
    return (int)(token >> TOKEN_ID_BITS);
}
/* The token names this handle's own identity, in this process: alive. */
static inline bool identity_is_self(const struct seqshm *s, uint64_t token)
{
    uint64_t self = atomic_load_explicit(&s->proc->token,
                                         memory_order_relaxed);
    return self != 0 && ((self ^ token) & TOKEN_ID_MASK) == 0;
}
HIDDEN uint64_t identity_token_slow(const struct seqshm *s);
/* This process's token for s; 0 if it could not be made (errno set). */
static inline uint64_t identity_token(const struct seqshm *s)
{
    uint64_t tok = atomic_load_explicit(&s->proc->token, memory_order_relaxed);
    return tok != 0 ? tok : identity_token_slow(s);
}
/* False only when the kernel says the identity `token` names is gone. */
HIDDEN bool identity_alive(const struct seqshm *s, uint64_t token);

/* claim.c: the slow path of the writers' claim (fast paths: seqlock.h). */
HIDDEN int claim_wait(struct seqshm *s, uint64_t self, struct deadline *d);

/* sole.c: the sole-writer role (its word: wait line `sole`). */
HIDDEN int sole_take(struct seqshm *s);
HIDDEN void sole_give_back(struct seqshm *s);

/* recover.c: deciding that a writer is dead, and cleaning up after it. */
/* The rule every waiting loop looks for a dead writer by: only once its
 * spinning is over or it is about to give up, and only while the sequence
 * stood still since its last look (a writer that publishes is alive).
 * *seen becomes now. */
HIDDEN bool recover_worth_asking(struct deadline *d, bool giving_up,
                                 uint64_t *seen, uint64_t now);
/* A single slot held BUSY for long: recovers a dead writer's claim
 * (read-write handles) or reports it (SEQSHM_EOWNERDEAD, read-only). */
HIDDEN int recover_writer_gone(const struct seqshm *s);
/* Takes the claim held by `dead` for `self`, once the kernel says `dead`
 * is gone: repairs what it left and ends its role. False if it lives, or
 * someone else took it first. */
HIDDEN bool recover_claim(const struct seqshm *s, uint64_t dead,
                          uint64_t self);
/* True if `holder`, the claim's owner, holds the sole-writer role, is not
 * `self`, and lives: the caller's write is SEQSHM_EBUSY. */
HIDDEN bool recover_sole_holds(const struct seqshm *s, uint64_t holder,
                               uint64_t self);
/* Takes the sole-writer role for `self` if it is free or its holder is
 * dead; false if a live identity holds it. */
HIDDEN bool recover_role_take(const struct seqshm *s, uint64_t self);
/* The sole-writer role of `token` ends (its holder's close, or its death). */
HIDDEN void recover_role_end(const struct seqshm *s, uint64_t token);
/* SEQSHM_MUTEX: the layout's mutex, repaired when taken from a dead
 * holder. */
HIDDEN int robust_lock(const struct seqshm *s, struct deadline *d);
static inline void robust_unlock(const struct seqshm *s)
{
    plat_mutex_unlock(s);
}

#endif
