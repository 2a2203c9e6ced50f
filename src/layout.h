/*
 * layout.h - the bytes of a seqshm segment, as every process sees them.
 *
 *   offset   region        written by                    read by
 *   0        header        the creator, before publish   openers
 *   128      seq line      writers (claim, publish)      readers, writers
 *   256      wait line     waiters (announce), writers   waiters, writers
 *                          (futex word on publish; asym
 *                          once, barrier.h)
 *   320      ident words   read-write openers: a new     nobody else
 *                          identity number each
 *                          (last_ident); the sole
 *                          writer's token (sole)         writers, the tool
 *   384      mutex line    SEQSHM_MUTEX read-write users (Linux: a robust
 *                          mutex; Windows: unused)
 *   448      origin line   a copy's sole writer          anyone (origin.c)
 *   512      texts         the creator: schema_len bytes of schema, then
 *                          origin_len bytes of origin (either may be
 *                          absent), padded to a multiple of 128
 *   512 + S  slots         writers                       readers
 *
 * Regions are 128 bytes apart so that no two share a cache line, nor an
 * adjacent-line prefetch pair. A payload small enough to sit in the seq
 * line's spare bytes lives there (slot_offset == SEQ_LINE_OFFSET +
 * INLINE_OFFSET): a publish then moves one cache line between cores.
 *
 * The header is immutable once published. Every field an opener reads is
 * checked against the object's real size before use (header.c).
 */
#ifndef SEQSHM_LAYOUT_H
#define SEQSHM_LAYOUT_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

#include "seqshm.h"

#define SEQSHM_MAGIC UINT64_C(0x314d485351455321) /* "!SEQSHM1" */
#define SEQSHM_LAYOUT_VERSION 4u /* 4: identities on NAME@ids */

#define REGION 128u
#define SEQ_LINE_OFFSET (1u * REGION)
#define WAIT_LINE_OFFSET (2u * REGION)
#define MUTEX_LINE_OFFSET (3u * REGION)
#define SLOTS_OFFSET (4u * REGION)
#define SCHEMA_OFFSET SLOTS_OFFSET /* schema and origin text come before
                                      the slots */
#define SLOT_ALIGN 128u /* whole adjacent-line prefetch pairs */
#define CACHE_LINE 64u
#define INLINE_OFFSET 16u   /* inline slots follow seq and owner ... */
#define INLINE_BYTES (CACHE_LINE - INLINE_OFFSET) /* ... in the same line */
#define MAX_SLOTS SEQSHM_MAX_SLOTS
#define MAX_SLOTS_BYTES (UINT64_C(4) << 30) /* slots x size, at most */

/* Layout kinds stored in hdr.flags (the public flag values). */
#define LAYOUT_MASK (SEQSHM_DOUBLE_BUFFER | SEQSHM_MUTEX)

/*
 * The sequence word. seq = version * STEP | LOST | TORN | BUSY.
 *   BUSY  a writer holds the claim and is filling slot (version+1) % slots.
 *   TORN  one slot only: a writer died mid-copy, the payload is not a
 *         snapshot; cleared by the next full write.
 *   LOST  several slots: a writer died filling slot (version+1) % slots, so
 *         the version that slot held (version+1-slots) is gone, as if a
 *         write were still in progress; cleared by the next publish.
 * A writer moves seq from V*STEP|b to V*STEP|b|BUSY, copies, then publishes
 * (V+1)*STEP with release order. Only the claim holder stores to seq, so its
 * stores need no read-modify-write. The slot of version v is intact while
 * the highest version whose slot may have been written, seq / STEP + (seq &
 * (BUSY|LOST) ? 1 : 0), is below v + slots: seq - v * STEP <= (slots - 1) *
 * STEP says exactly that (seqlock.h).
 */
#define SEQ_BUSY UINT64_C(1)
#define SEQ_TORN UINT64_C(2)
#define SEQ_LOST UINT64_C(4)
#define SEQ_STEP UINT64_C(8)
#define SEQ_BITS (SEQ_STEP - 1)

struct seqshm_header {
    _Atomic uint64_t magic;  /* SEQSHM_MAGIC, stored last with release */
    uint32_t layout_version; /* SEQSHM_LAYOUT_VERSION */
    uint32_t flags;          /* layout flags: 0, DOUBLE_BUFFER or MUTEX */
    uint64_t payload_size;   /* bytes of one snapshot */
    uint64_t total_size;     /* bytes of the whole object */
    uint64_t slot_offset;    /* offset of slot 0 */
    uint64_t slot_stride;    /* bytes from one slot to the next */
    uint32_t slot_count;     /* a power of two, 1..MAX_SLOTS; 2 is
                                flags DOUBLE_BUFFER, MUTEX has 1 */
    int32_t creator_pid;     /* for display only: in the creator's PID
                                namespace, which may not be the reader's */
    uint64_t creator_token;  /* the creating handle's identity token
                                (process.c) */
    uint64_t type_tag;
    uint64_t schema_len;     /* bytes of canonical schema text at
                                SCHEMA_OFFSET, no NUL; 0: none */
    uint64_t nonce;          /* this creation's, unlike any other of the
                                same name: names the segment's kernel
                                objects where a platform needs some
                                (win32/) */
    uint64_t origin_len;     /* bytes of origin text right after the
                                schema's; 0: not a copy (origin.c). Older
                                libraries ignore it: the text lies before
                                slot_offset, which they check as before */
};

struct seqshm_seq_line {
    _Atomic uint64_t seq;   /* see SEQ_* above */
    _Atomic uint64_t owner; /* claim: 0 free, else its holder's identity
                               token (claim.c, process.c) */
};

struct seqshm_wait_line {
    _Atomic uint32_t futex;   /* bumped by writers that found `waiting` set */
    _Atomic uint32_t waiting; /* set by read-write waiters, cleared by the
                                 writer that wakes them (waiting.c) */
    _Atomic uint32_t asym;    /* set (never cleared) by the first writer that
                                 publishes without a full fence: waiters
                                 then pay for the ordering (barrier.h) */
    unsigned char pad[CACHE_LINE - 12];
    _Atomic uint64_t last_ident; /* identity numbers handed out (process.c,
                                    the platform's identity.c) */
    _Atomic uint64_t sole;       /* token of the sole writer, 0: none
                                    (sole.c) */
};

/* A copy's record of its source, in the mutex line's second cache line
 * (a copy has a sole writer, so never the SEQSHM_MUTEX layout). Two
 * records: record n is in rec[n % 2], and seq counts the records published
 * (origin.c). */
struct seqshm_origin_record {
    _Atomic uint64_t source_version, source_time_ns;
    _Atomic uint64_t refreshed; /* ns, and ORIGIN_STALE */
};
struct seqshm_origin_line {
    _Atomic uint64_t seq;
    struct seqshm_origin_record rec[2];
};
#define ORIGIN_LINE_OFFSET (MUTEX_LINE_OFFSET + CACHE_LINE)
#define ORIGIN_STALE (UINT64_C(1) << 63)

_Static_assert(sizeof(struct seqshm_header) <= REGION, "header fits");
_Static_assert(sizeof(pthread_mutex_t) <= CACHE_LINE, "mutex fits its line");
_Static_assert(sizeof(struct seqshm_origin_line) <= CACHE_LINE, "origin");
_Static_assert(sizeof(struct seqshm_seq_line) <= INLINE_OFFSET, "inline");
_Static_assert(sizeof(struct seqshm_wait_line) <= REGION, "wait line fits");

#endif
