/* copy.h - copies between private memory and the shared payload.
 *
 * Readers copy while a writer may be storing: in the C11 model that is a data
 * race unless both sides use atomics. Normal builds copy with the public
 * header's seqshm_inline_copy (fixed-size moves up to 64 bytes, memcpy
 * beyond: the seqlock's sequence check discards any copy a write
 * overlapped). ThreadSanitizer builds copy with relaxed atomic loads and
 * stores (copy.c), so TSan sees no race and still checks everything around
 * the copy. Either way the public header's inline read attempt, which the
 * library's reads use too, copies with copy_out: this file includes it.
 */
#ifndef SEQSHM_COPY_H
#define SEQSHM_COPY_H

#include <stddef.h>
#include <string.h>

#if defined(__SANITIZE_THREAD__)
#define SEQSHM_ATOMIC_COPY 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define SEQSHM_ATOMIC_COPY 1
#endif
#endif

#ifdef SEQSHM_ATOMIC_COPY

HIDDEN void copy_out(void *dst, const unsigned char *shared, size_t n);
HIDDEN void copy_in(unsigned char *shared, const void *src, size_t n);
HIDDEN void zero_in(unsigned char *shared, size_t n);
/* slot to slot under the claim: the target may be read by a lapped reader */
HIDDEN void copy_within(unsigned char *dst, const unsigned char *src, size_t n);
#define SEQSHM_INLINE_COPY_(dst, src, n) copy_out((dst), (src), (n))
#include "seqshm.h"

#else

#include "seqshm.h"

static inline void copy_out(void *dst, const unsigned char *shared, size_t n)
{
    seqshm_inline_copy(dst, shared, n);
}

static inline void copy_in(unsigned char *shared, const void *src, size_t n)
{
#ifdef SEQSHM_FAULT_INJECTION
    /* test builds may stop a writer half-way through its copy */
    size_t half = n / 2;
    memcpy(shared, src, half);
    FAULT("mid_copy");
    memcpy(shared + half, (const unsigned char *)src + half, n - half);
#else
    seqshm_inline_copy(shared, src, n);
#endif
}

static inline void zero_in(unsigned char *shared, size_t n)
{
    memset(shared, 0, n);
}

static inline void copy_within(unsigned char *dst, const unsigned char *src,
                               size_t n)
{
    memcpy(dst, src, n);
}

#endif
#endif
