/* boost_shim.h - Boost.Interprocess contenders reached from C: a payload in
 * a shared_memory_object guarded by an interprocess_mutex, or by an
 * interprocess_sharable_mutex (readers share it, writers take it alone). */
#ifndef SEQSHM_BOOST_SHIM_H
#define SEQSHM_BOOST_SHIM_H

#include <stdbool.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

enum boost_kind { BOOST_MUTEX, BOOST_SHARABLE };
typedef struct boost_seg boost_seg;

/* NULL on failure. The creator constructs the mutex and removes the object
 * on close. */
boost_seg *boost_seg_open(const char *name, size_t size, enum boost_kind kind,
                          bool create);
void boost_seg_read(boost_seg *b, void *dst);
void boost_seg_write(boost_seg *b, const void *src);
void boost_seg_close(boost_seg *b);

#ifdef __cplusplus
}
#endif

#endif
