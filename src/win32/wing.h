/* win32/wing.h - the handle's fields on Windows (platform.h says what the
 * folder provides), and the kernel objects' names. Every object of a
 * segment is named in the session namespace (Local\) after the segment and
 * its creation's nonce, so that a segment made again under the same name
 * never meets an older one's objects:
 *
 *   Local\seqshm-NAME                 the file mapping (the segment)
 *   Local\seqshm-NAME-NONCE-wake      the wake-up event (wake.c)
 *   Local\seqshm-NAME-NONCE-mutex     the SEQSHM_MUTEX layout's mutex
 *   Local\seqshm-NAME-NONCE-iID       identity ID's event (identity.c)
 */
#ifndef SEQSHM_WING_H
#define SEQSHM_WING_H

#include <stddef.h>
#include <windows.h>

struct platform {
    HANDLE mapping; /* the file mapping: the segment lives while one is open */
    HANDLE ident;   /* this handle's identity event, the only handle to it */
    HANDLE wake;    /* the wake-up event */
    HANDLE mutex;   /* SEQSHM_MUTEX: the named mutex; else NULL */
};

struct seqshm;

/* "Local\seqshm-NAME" (name as given, without a leading '/'). */
void win_mapping_name(char *out, size_t cap, const char *name);
/* "Local\seqshm-NAME-NONCE-<what>", the nonce read from s's header. */
void win_object_name(char *out, size_t cap, const struct seqshm *s,
                     const char *what);

#endif
