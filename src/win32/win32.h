/* win32.h - what the Windows platform files share: the kernel objects'
 * names. Every object of a segment is named in the session namespace
 * (Local\) after the segment and its creation's nonce, so that a segment
 * made again under the same name never meets an older one's objects.
 *
 *   Local\seqshm-NAME                 the file mapping (the segment)
 *   Local\seqshm-NAME-NONCE-wake      the wake-up event (wait.c)
 *   Local\seqshm-NAME-NONCE-mutex     the SEQSHM_MUTEX layout's mutex
 *   Local\seqshm-NAME-NONCE-iID       identity ID's event (owner.c)
 *
 * handle->os[]: 0 the mapping, 1 this handle's identity event, 2 the wake
 * event, 3 the mutex (or NULL). */
#ifndef SEQSHM_WIN32_H
#define SEQSHM_WIN32_H

#include "../internal.h"

#include <windows.h>

#define OS_MAPPING 0
#define OS_IDENT 1
#define OS_WAKE 2
#define OS_MUTEX 3

/* "Local\seqshm-NAME" (name as given, without a leading '/'). */
void win_mapping_name(char *out, size_t cap, const char *name);
/* "Local\seqshm-NAME-NONCE-<what>" */
void win_object_name(char *out, size_t cap, const struct seqshm *s,
                     const char *what);
/* The nonce of s's segment (copied from its header at open). */
uint64_t win_nonce(const struct seqshm *s);

#endif
