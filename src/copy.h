/* copy.h - copies between private memory and the shared payload.
 *
 * Readers copy while a writer may be storing: in the C11 model that is a data
 * race unless both sides use atomics. Normal builds use memcpy, inline (the
 * seqlock's sequence check discards any copy a write overlapped, and memcpy
 * runs at full speed). ThreadSanitizer builds copy with relaxed atomic loads
 * and stores (copy.c), so TSan sees no race and still checks everything
 * around the copy.
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

#else

static inline void copy_out(void *dst, const unsigned char *shared, size_t n)
{
    memcpy(dst, shared, n);
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
    memcpy(shared, src, n);
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
