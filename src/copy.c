/* copy.c - the ThreadSanitizer builds' payload copies: relaxed atomic
 * loads and stores, a word at a time where alignment allows (see copy.h). */
#include "internal.h"

#ifdef SEQSHM_ATOMIC_COPY

typedef _Atomic uint64_t aword;
typedef _Atomic unsigned char abyte;

/* Shared addresses are what the atomics touch; the private side is read or
 * written with memcpy so it needs no alignment. */
static void atomic_out(unsigned char *dst, const unsigned char *shared, size_t n)
{
    while (n > 0 && ((uintptr_t)shared & 7) != 0) {
        *dst++ = atomic_load_explicit((abyte *)shared, memory_order_relaxed);
        shared++, n--;
    }
    for (; n >= 8; n -= 8, shared += 8, dst += 8) {
        uint64_t w = atomic_load_explicit((aword *)shared, memory_order_relaxed);
        memcpy(dst, &w, 8);
    }
    for (; n > 0; n--)
        *dst++ = atomic_load_explicit((abyte *)shared++, memory_order_relaxed);
}

static void atomic_in(unsigned char *shared, const unsigned char *src, size_t n,
                      bool zero)
{
    while (n > 0 && ((uintptr_t)shared & 7) != 0) {
        atomic_store_explicit((abyte *)shared, zero ? 0 : *src++,
                              memory_order_relaxed);
        shared++, n--;
    }
    for (; n >= 8; n -= 8, shared += 8) {
        uint64_t w = 0;
        if (!zero) {
            memcpy(&w, src, 8);
            src += 8;
        }
        atomic_store_explicit((aword *)shared, w, memory_order_relaxed);
    }
    for (; n > 0; n--)
        atomic_store_explicit((abyte *)shared++, zero ? 0 : *src++,
                              memory_order_relaxed);
}

void copy_out(void *dst, const unsigned char *shared, size_t n)
{
    atomic_out(dst, shared, n);
}

void copy_in(unsigned char *shared, const void *src, size_t n)
{
    atomic_in(shared, src, n, false);
}

void zero_in(unsigned char *shared, size_t n) { atomic_in(shared, NULL, n, true); }

/* Slot to slot, under the claim: the source slot is stable, the target may
 * be read by a lapped reader, so the stores must be atomic. */
void copy_within(unsigned char *dst, const unsigned char *src, size_t n)
{
    atomic_in(dst, src, n, false);
}

#else
typedef int copy_inline_in_normal_builds; /* ISO C: no empty translation unit */
#endif
