/*
 * platform.h - everything seqshm asks of the operating system, behind one
 * small interface. Each platform is a folder with the same files for the
 * same roles; the Makefile compiles the .c files of src/ and of one such
 * folder (PLATFORM):
 *
 *   wing.h      struct platform: the handle's platform fields
 *   segment.c   a named object: create, open, map, remove; the page of
 *               per-process state that a forked child finds zeroed
 *   identity.c  a writing identity's number and the kernel object that
 *               lives exactly as long as it does; asking whether it lives
 *   wake.c      sleeping on the wait line's word, and waking the sleepers
 *   robust.c    the SEQSHM_MUTEX layout's mutex, handed on when its holder
 *               dies
 *   barrier.c   the waiters' barrier, where the platform has one
 *
 * src/linux/ and src/win32/ implement it. The protocol (seqlock.h, claim.c,
 * read.c, write.c, history.c, sole.c, recover.c, waiting.c, process.c), the
 * header and its checks (header.c) and a handle's life (open.c) are
 * portable and call only what is below. A port to another system is a
 * folder of these six files.
 */
#ifndef SEQSHM_PLATFORM_H
#define SEQSHM_PLATFORM_H

#include "seqshm.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wing.h" /* the platform's own: struct platform */

struct seqshm;
struct process_state;
struct deadline;

/* ---------------------------------------------------------- segment.c */

/* An object mapped into this process. */
struct mapped {
    void *base;
    size_t len;        /* bytes mapped */
    uint64_t obj_size; /* the object's own size where the platform knows it
                          exactly (equal to len); 0 where it knows only that
                          the object is at least len bytes (then the
                          header's total must fit in len) */
};

/* Creates the object shm_name (the canonical name, name_canonical) if no
 * object has that name, with the permission bits `mode` exactly where the
 * platform has them, `total` bytes all zero and its memory reserved (a
 * shortage fails here, with SEQSHM_ESYS, not later), and maps it read-write.
 * SEQSHM_EEXIST if the name is taken. Fills *p and *m. */
int plat_create(struct platform *p, struct mapped *m, const char *shm_name,
                uint64_t total, unsigned mode);

/* Opens the existing object shm_name (SEQSHM_ENOENT: none) and maps it
 * whole, read-only if rdonly. Waits, at most about a second, while it has no
 * size yet (its creator is between creating and sizing it). SEQSHM_EBADSEG
 * if it cannot be a segment (not a plain shared-memory object, smaller than
 * a header or larger than any segment); SEQSHM_EACCES if not permitted, and
 * (errno EPERM) unless any_owner, if another user than the caller and root
 * owns it and lets anyone write it (seqshm.h, "Names"). Never writes to
 * it. */
int plat_open(struct platform *p, struct mapped *m, const char *shm_name,
              bool rdonly, bool any_owner);

/* Undoes plat_create (then removing the name, which it made) or plat_open,
 * for an open that failed before it had a handle. */
void plat_discard(struct platform *p, const struct mapped *m,
                  const char *shm_name, bool created);

/* The handle's own platform objects, once its portable fields and s->plat
 * are set (open.c). On failure nothing is left to undo (what it took from
 * s->plat it has let go, and marked so); plat_detach undoes a successful
 * attach when the open fails later. Either way s->plat then holds what
 * plat_discard still has to release. plat_attached ends the open: what the
 * handle no longer needs of the open is let go. */
int plat_attach(struct seqshm *s);
void plat_detach(struct seqshm *s);
void plat_attached(struct seqshm *s);

/* A handle's end: unmaps the segment and releases its platform objects
 * (the identity's among them: it ends here). */
void plat_close(struct seqshm *s);

/* Removes the name shm_name; where the platform has no names to remove
 * (seqshm.h, "Windows"), says so with its status. */
int plat_unlink(const char *shm_name);

/* A creator's close: removes s's name if it still names s's object, never
 * a newer object made under the same name. */
void plat_unlink_own(const struct seqshm *s);

/* Whether s's name still names s's object (true where names go with their
 * last handle: nothing can replace it). */
bool plat_name_is_own(const struct seqshm *s);

/* True where a segment's name outlives its handles, so that SEQSHM_PERSIST
 * and removing a name mean something (false: Windows, where a segment goes
 * with its last handle). */
bool plat_names_outlive_handles(void);

/* This process's id, for display (its own PID namespace). */
int32_t plat_pid(void);

/* A zeroed page for a handle's per-process state (internal.h), that a
 * forked child finds zeroed again; NULL on failure (errno set). */
struct process_state *plat_process_state(void);
void plat_process_state_free(struct process_state *ps);

/* --------------------------------------------------------- identity.c */

/* Takes a number no identity of s's segment ever had (the wait line's
 * last_ident counter) and the kernel object that lives exactly as long as
 * this identity: *id. In a forked child (`forked`), first lets go of what it
 * inherited of its parent's. Read-write handles only. */
int plat_identity_take(const struct seqshm *s, bool forked, uint64_t *id);

/* False only when the kernel says identity `id` of s's segment no longer
 * lives; true also when it cannot tell (a claim is never taken from a
 * writer nobody could judge dead). Never asked about this process's own. */
bool plat_identity_alive(const struct seqshm *s, uint64_t id);

/* ------------------------------------------------------------- wake.c */

/* Before a sleeper reads the word it will sleep on (waiting.c). */
void plat_wake_prepare(const struct seqshm *s);
/* Wakes every sleeper on the wait line's word (a writer bumped it). */
void plat_wake_all(const struct seqshm *s);
/* Sleeps at most ns (INT64_MAX: no limit) unless the word has moved on from
 * w, or until woken; may return early. */
void plat_sleep(const struct seqshm *s, uint32_t w, int64_t ns);
/* True when plat_wake_all reaches every sleeper for sure; false when
 * sleepers must wake in slices and look again (a build without futexes). */
bool plat_wake_reliable(void);

/* ----------------------------------------------------------- robust.c */

/* The layout's mutex, at creation (`line`: the segment's mutex line). */
int plat_mutex_init(void *line);
/* SEQSHM_OK; SEQSHM_EOWNERDEAD: acquired, from a holder that died holding
 * it (the caller repairs: recover.c); SEQSHM_ETIMEDOUT; SEQSHM_ESYS. */
int plat_mutex_lock(const struct seqshm *s, struct deadline *d);
void plat_mutex_unlock(const struct seqshm *s);

/* ---------------------------------------------------------- barrier.c */

/* barrier.h says what these order. Registers this process for the waiters'
 * barrier; true if it may then publish without a full fence. False where
 * the platform has no such barrier. */
bool plat_barrier_register(void);
/* The waiters' barrier: a full fence on every CPU running a registered
 * process. False if refused. */
bool plat_barrier(void);

#endif
