/*
 * seqshm/inline.h - the inline read: part of seqshm.h, and of the ABI.
 *
 * ABI: everything in this file is compiled into the programs that include
 * seqshm.h. The first members of every handle (struct seqshm_inline_view),
 * the sequence word's encoding (version * 8 plus three status bits) and the
 * slot addressing are therefore frozen for a soname: a library that changes
 * any of them changes its soname (libseqshm.so.2 today). The library
 * asserts at compile time that its handle starts with this view
 * (src/internal.h).
 *
 * Include seqshm.h, not this file.
 */
#ifndef SEQSHM_INLINE_H
#define SEQSHM_INLINE_H

#ifndef SEQSHM_H
#error "include <seqshm.h>, not <seqshm/inline.h>"
#endif

/* seqshm_read() and seqshm_read_versioned() are also defined here, inline:
 * the caller's code makes the first attempt itself (no call, no argument
 * checks beyond NULL) and calls the library only when that attempt fails
 * (a write overlapped it, the payload is torn, the SEQSHM_MUTEX layout).
 * The library's own reads run the very same function, seqshm_inline_try().
 * The macros are function-like, so &seqshm_read is still the library's
 * exported function (what other languages bind to). Define SEQSHM_NO_INLINE
 * before including this header to call the library every time; the inline
 * reads are also left out under ThreadSanitizer (whose build of the library
 * copies with atomics) and for compilers other than GCC and Clang. */
#if defined(__SANITIZE_THREAD__)
#define SEQSHM_INLINE_TSAN_ 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define SEQSHM_INLINE_TSAN_ 1
#endif
#endif

#if defined(__GNUC__)
#include <string.h>

/* The first members of every handle, as the inline read sees them. */
struct seqshm_inline_view {
    const uint64_t *seq;        /* the sequence word (atomic) */
    const unsigned char *slots; /* slot i at slots + i * stride */
    size_t stride;
    uint64_t slot_mask;         /* slots - 1 */
    uint64_t stall;             /* sequence bits that stop a copy */
    uint64_t window;            /* (slots - 1) * 8 */
    size_t size;                /* payload bytes */
    bool locked_reads;          /* SEQSHM_MUTEX through a read-write handle */
};

/* The copy: payloads up to 64 bytes are copied inline with fixed-size moves
 * (a call to memcpy costs about as much as the whole read), each load
 * followed by its store, as memcpy does: loading a whole line first and
 * storing after makes reads of a line a writer keeps taking away retry far
 * more often. Larger payloads call memcpy. dst and src never overlap. */
static inline void seqshm_inline_copy(void *dst, const void *src, size_t n)
{
    unsigned char *d = (unsigned char *)dst;
    const unsigned char *s = (const unsigned char *)src;
    /* The compiler is not to judge the branches below by the objects it may
     * see behind dst and src: a 24-byte struct never takes the 33..64 path,
     * but GCC would warn that it could. An empty asm hides the provenance
     * (and costs nothing). */
    __asm__("" : "+r"(d));
    __asm__("" : "+r"(s));
    if (n > 64) {
        memcpy(d, s, n);
    } else if (n >= 16) { /* 16..64: 16-byte moves, the last ones from the
                             end (overlapping the earlier ones) */
        if (n > 32) {
            __builtin_memcpy(d, s, 16);
            __builtin_memcpy(d + 16, s + 16, 16);
            __builtin_memcpy(d + n - 32, s + n - 32, 16);
        } else {
            __builtin_memcpy(d, s, 16);
        }
        __builtin_memcpy(d + n - 16, s + n - 16, 16);
    } else if (n >= 8) {
        __builtin_memcpy(d, s, 8);
        __builtin_memcpy(d + n - 8, s + n - 8, 8);
    } else if (n >= 4) {
        __builtin_memcpy(d, s, 4);
        __builtin_memcpy(d + n - 4, s + n - 4, 4);
    } else {
        for (size_t i = 0; i < n; i++)
            d[i] = s[i];
    }
}

#ifndef SEQSHM_INLINE_COPY_
#define SEQSHM_INLINE_COPY_(dst, src, n) seqshm_inline_copy((dst), (src), (n))
#endif

/* The snapshot check, the one inequality every read rests on: a copy of the
 * slot of the version whose sequence is `base` (version * 8) is a snapshot
 * iff the sequence read after the copy (and an acquire fence), s1, is
 * within the window: s1 - base <= window, window = (slots - 1) * 8. Used by
 * seqshm_inline_try below and by the library's reads of chosen versions. */
static inline bool seqshm_inline_intact(uint64_t s1, uint64_t base,
                                        uint64_t window)
{
    return s1 - base <= window;
}

/* One read attempt of [off, off + len) of the newest version: the protocol.
 *     s0 := seq (acquire); stop if s0 shows a write into the slot wanted
 *     copy the slot of version s0 / 8
 *     fence (acquire): the copy before the reload
 *     s1 := seq; the copy is a snapshot iff s1 - (s0 without its bits)
 *                                            <= window
 * A writer that could overwrite that slot first stores a sequence beyond
 * the window (and, with one slot, the BUSY bit); if the copy saw any of its
 * stores, the acquire fence makes s1 see that sequence or a later one. The
 * argument in full is in the library's seqlock.h. *seq receives s0. */
static inline bool seqshm_inline_try(const struct seqshm_inline_view *v,
                                     void *dst, size_t len, size_t off,
                                     uint64_t *seq)
{
    /* everything but the payload is read before the copy: the compiler
     * would have to read it again after a call to memcpy */
    const uint64_t *sp = v->seq;
    uint64_t window = v->window;
    uint64_t s0 = __atomic_load_n(sp, __ATOMIC_ACQUIRE);
    *seq = s0;
    if (__builtin_expect((s0 & v->stall) != 0, 0))
        return false;
    /* With one slot its address does not depend on s0: said with a branch,
     * not arithmetic, so the CPU may fetch the payload while s0's cache line
     * is still on its way. */
    const unsigned char *slot =
        __builtin_expect(v->slot_mask == 0, 1)
            ? v->slots
            : v->slots + (size_t)((s0 >> 3) & v->slot_mask) * v->stride;
    SEQSHM_INLINE_COPY_(dst, slot + off, len);
    __atomic_thread_fence(__ATOMIC_ACQUIRE);
    return seqshm_inline_intact(__atomic_load_n(sp, __ATOMIC_RELAXED),
                                s0 & ~(uint64_t)7, window);
}

#if !defined(SEQSHM_NO_INLINE) && !defined(SEQSHM_INLINE_TSAN_)
static inline int seqshm_inline_read(const seqshm *shm, void *dst,
                                     uint64_t *version, int64_t timeout_ns)
{
    const struct seqshm_inline_view *v =
        (const struct seqshm_inline_view *)(const void *)shm;
    uint64_t seq;
    if (__builtin_expect(shm != NULL && dst != NULL && !v->locked_reads, 1) &&
        __builtin_expect(seqshm_inline_try(v, dst, v->size, 0, &seq), 1)) {
        if (version != NULL)
            *version = seq >> 3;
        return SEQSHM_OK;
    }
    return (seqshm_read_versioned)(shm, dst, version, timeout_ns);
}
#define seqshm_read(shm, dst, timeout_ns)                                      \
    seqshm_inline_read((shm), (dst), NULL, (timeout_ns))
#define seqshm_read_versioned(shm, dst, version, timeout_ns)                   \
    seqshm_inline_read((shm), (dst), (version), (timeout_ns))
#endif
#endif /* __GNUC__ */

#endif /* SEQSHM_INLINE_H */
