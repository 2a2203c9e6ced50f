/*
 * seqshm.h - share a fixed-size block of plain data between processes on one
 * host through a named POSIX shared-memory segment guarded by a seqlock.
 *
 * One process (or several) writes; any number of processes read. Writers
 * publish without waiting for readers; readers copy a consistent snapshot and
 * retry if a write overlapped them. Readers never store to the shared memory,
 * so a read-only mapping is enough to read.
 *
 * Conventions
 *   - Every name is prefixed seqshm_ / SEQSHM_. The handle is opaque.
 *   - Functions that can fail return int: SEQSHM_OK (0) or a negative status
 *     below. seqshm_strerror() describes every status.
 *   - Timeouts are nanoseconds (int64_t):
 *       any negative value (SEQSHM_FOREVER)  wait without limit;
 *       0                                   never sleep: a call may still
 *                                           retry up to SEQSHM_SPIN_TRIES
 *                                           times without sleeping, and
 *                                           before giving up checks whether
 *                                           a writer in its way is dead
 *                                           (and recovers or reports it);
 *       > 0                                 bounds the whole call.
 *   - Every function is safe to call from any number of threads and processes
 *     at once on the same or different handles; only seqshm_close() must not
 *     race other calls on the same handle.
 *   - A handle belongs to the process that opened it. After fork() the child
 *     may go on using an inherited handle: its writes are recorded under the
 *     child's own identity (see "When a process dies").
 *
 * Versions
 *   The version of a segment is the number of completed writes (write,
 *   write_partial, write_span, clear). A new segment has version 0 and an
 *   all-zero payload. A write that never completed (its writer died) leaves
 *   the version unchanged.
 *
 * Layouts (chosen at creation; openers adopt the creator's layout)
 *   default               single buffer: one payload slot. A reader that
 *                         meets a write in progress backs off and retries
 *                         (spinning, then yielding, then sleeping on the
 *                         segment's futex until the next publish).
 *   SEQSHM_DOUBLE_BUFFER  two payload slots: the writer fills the slot
 *                         readers are not using, then flips the sequence.
 *                         Readers never wait for a write in progress; they
 *                         retry only if lapped by two writes during one copy.
 *   SEQSHM_MUTEX          baseline: every access by a read-write handle takes
 *                         a process-shared robust mutex. Writers still keep
 *                         the sequence, so read-only handles (which cannot
 *                         lock) read through the seqlock protocol. The mutex
 *                         lives in the segment: this layout trusts every
 *                         process that can write it (a forged mutex can crash
 *                         the C library's locking code in the locker). The
 *                         seqlock layouts do not: a hostile writer can make
 *                         reads fail or return its bytes, no more.
 *
 * When a process dies
 *   A writer's claim records its owner (process id and start time, so that a
 *   reused process id is never mistaken for the original owner; a zombie
 *   counts as dead). A caller that finds the claim held longer than a short
 *   spin checks whether the owner lives; the first read-write handle to find
 *   it dead recovers the claim. No live writer's claim is ever broken.
 *     - Double buffer: the half-written slot was never visible; recovery
 *       discards it and readers go on reading the last published value.
 *     - Single buffer and SEQSHM_MUTEX: the payload may be torn. Every read
 *       then returns SEQSHM_EOWNERDEAD (never torn bytes with SEQSHM_OK)
 *       until a full write, a full-size span write or a clear repairs it;
 *       partial writes return SEQSHM_EOWNERDEAD as well.
 *     - A read-only handle never writes: it reports SEQSHM_EOWNERDEAD where a
 *       dead writer left the single buffer torn or mid-write, and leaves the
 *       recovery to a handle that can write.
 *   Owners are identified by process id, so processes sharing a segment must
 *   share a PID namespace.
 */
#ifndef SEQSHM_H
#define SEQSHM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__)
#define SEQSHM_API __attribute__((visibility("default")))
#else
#define SEQSHM_API
#endif

/* Opaque handle: one mapping of one segment. */
#ifndef __cplusplus
typedef struct seqshm seqshm;
#else
/* In C++ the name seqshm is the namespace of seqshm.hpp, so the handle type
 * is spelled seqshm_handle there (the same object; C linkage ignores the
 * name). The macro below lasts only for this header's declarations. */
typedef struct seqshm_handle seqshm_handle;
#define seqshm seqshm_handle
#endif

/* ---------------------------------------------------------------- status */

#define SEQSHM_OK 0           /* success */
#define SEQSHM_EINVAL (-1)    /* bad argument: NULL pointer, invalid name,
                                 size 0 or too large, offset/length outside the
                                 payload, unknown or conflicting flags */
#define SEQSHM_ENOENT (-2)    /* no segment of that name (no SEQSHM_CREATE) */
#define SEQSHM_EEXIST (-3)    /* SEQSHM_CREATE|SEQSHM_EXCL and it exists */
#define SEQSHM_ESIZE (-4)     /* the segment's payload size differs */
#define SEQSHM_EBADSEG (-5)   /* the object of that name is not a valid
                                 seqshm segment (foreign file, wrong magic,
                                 unknown layout version, truncated, damaged
                                 header, header never published) */
#define SEQSHM_EACCES (-6)    /* permission denied, or a write through a
                                 read-only handle */
#define SEQSHM_ETIMEDOUT (-7) /* no consistent snapshot, or no exclusive
                                 access, within the timeout */
#define SEQSHM_EOWNERDEAD (-8) /* a writer died mid-write and the payload is
                                  torn (see "When a process dies") */
#define SEQSHM_ETYPE (-9)     /* the segment's type tag differs */
#define SEQSHM_ESYS (-10)     /* another operating-system failure; errno
                                 keeps the cause */

/* A short English description of a status; never NULL. Unknown values give
 * "unknown seqshm status". */
SEQSHM_API const char *seqshm_strerror(int status);

/* ----------------------------------------------------------------- flags */

#define SEQSHM_CREATE 0x01u        /* create if absent, else open */
#define SEQSHM_EXCL 0x02u          /* with CREATE: SEQSHM_EEXIST if it exists */
#define SEQSHM_RDONLY 0x04u        /* map read-only; writes: SEQSHM_EACCES */
#define SEQSHM_DOUBLE_BUFFER 0x08u /* layout, at creation: two payload slots */
#define SEQSHM_MUTEX 0x10u         /* layout, at creation: mutex baseline */
#define SEQSHM_PERSIST 0x20u       /* the creator does not unlink on close */

/* Invalid combinations (SEQSHM_EINVAL): EXCL without CREATE, CREATE with
 * RDONLY, DOUBLE_BUFFER with MUTEX, any bit not listed above. Layout flags
 * given when the segment already exists are ignored: its own layout wins. */

#define SEQSHM_FOREVER ((int64_t)-1) /* timeout: wait without limit */

/* Retries a call with timeout 0 may make without sleeping. */
#define SEQSHM_SPIN_TRIES 64

/* Largest payload a segment may carry (1 GiB). */
#define SEQSHM_MAX_SIZE ((size_t)1 << 30)

/* Longest name, not counting an optional leading '/'. */
#define SEQSHM_NAME_MAX 200

typedef struct seqshm_options {
    unsigned flags;    /* as for seqshm_open */
    unsigned mode;     /* permission bits of a new segment; 0 means 0600.
                          Applied exactly, whatever the process umask. Only
                          the bits 0777 are allowed (else SEQSHM_EINVAL). */
    uint64_t type_tag; /* 0: unchecked (and a new segment is untagged);
                          otherwise a new segment records it and an existing
                          one must carry exactly this tag (SEQSHM_ETYPE). */
} seqshm_options;      /* zero-initialise, then set what you need */

/* ------------------------------------------------------------- lifecycle */

/* Open the segment `name`, creating it with SEQSHM_CREATE.
 *
 * name   an optional leading '/', then 1 to SEQSHM_NAME_MAX characters of
 *        [A-Za-z0-9._-], not "." nor "..". "x" and "/x" are the same segment.
 * size   payload bytes, 1..SEQSHM_MAX_SIZE. On an existing segment 0 means
 *        "whatever it has", any other value must match (SEQSHM_ESIZE).
 *        0 with SEQSHM_CREATE adopts the existing size, or is SEQSHM_EINVAL
 *        when there is no segment to adopt.
 * flags  SEQSHM_* flags above.
 *
 * Creation is race-free: of many concurrent creators exactly one gets
 * seqshm_is_creator() == true; the others open the segment it built. An
 * opener that meets a segment whose header is not yet published waits for
 * it about one second at most, then returns SEQSHM_EBADSEG (a creator that
 * died while creating leaves such an object; seqshm_unlink() removes it).
 * The object is checked against its real size before anything is trusted:
 * foreign, truncated or damaged objects give SEQSHM_EBADSEG and are never
 * modified. Symbolic links, FIFOs and directories are refused.
 *
 * On success *out holds a new handle; on failure *out is set to NULL (when
 * out itself is not NULL). Blocks at most about one second.
 * Errors: EINVAL, ENOENT, EEXIST, ESIZE, EBADSEG, EACCES, ESYS. */
SEQSHM_API int seqshm_open(seqshm **out, const char *name, size_t size,
                           unsigned flags);

/* seqshm_open() with the full options: flags, mode and type tag. opts may be
 * NULL (all defaults). Errors: as seqshm_open(), and ETYPE. */
SEQSHM_API int seqshm_open_opts(seqshm **out, const char *name, size_t size,
                                const seqshm_options *opts);

/* Unmap and free the handle. If this handle created the segment and
 * SEQSHM_PERSIST was not given, the name is unlinked as well (only if it
 * still names the same object); other processes' mappings stay valid. NULL is
 * a no-op. Must not race other calls on the same handle. */
SEQSHM_API void seqshm_close(seqshm *shm);

/* Remove the name `name` (the segment lives on while mapped). Removes any
 * object of a valid name, seqshm segment or not.
 * Errors: EINVAL (bad name), ENOENT, EACCES, ESYS. */
SEQSHM_API int seqshm_unlink(const char *name);

/* ---------------------------------------------------------------- writes */

/* Publish `size` bytes from src as the new payload (a full write).
 * A full write repairs a payload a dead writer left torn.
 * Lock-free for one writer: with no other writer it takes a bounded number of
 * steps and no system call (it makes one futex wake only when some handle is
 * waiting in seqshm_wait). Concurrent writers serialise; a writer waits for
 * another live writer at most timeout_ns.
 * Errors: EINVAL (NULL), EACCES (read-only handle), ETIMEDOUT. */
SEQSHM_API int seqshm_write(seqshm *shm, const void *src, int64_t timeout_ns);

/* Write len bytes from src at offset into the payload; the rest keeps its
 * bytes (in the double-buffer layout the writer copies the current value
 * into the new slot first). len must be >= 1 and [offset, offset+len) must
 * lie inside the payload (overflow-safe). A partial write cannot repair a
 * torn payload. Errors: EINVAL, EACCES, ETIMEDOUT, EOWNERDEAD. */
SEQSHM_API int seqshm_write_partial(seqshm *shm, const void *src, size_t len,
                                    size_t offset, int64_t timeout_ns);

/* Write len bytes (1 <= len <= size) at offset 0. len == size is a full
 * write (it repairs a torn payload); a shorter span is a partial write and
 * the bytes after it keep their value.
 * Errors: EINVAL, EACCES, ETIMEDOUT, EOWNERDEAD (short span on torn data). */
SEQSHM_API int seqshm_write_span(seqshm *shm, const void *src, size_t len,
                                 int64_t timeout_ns);

/* Set every payload byte to zero. It is a write: the version goes up by one,
 * and it repairs a torn payload. Errors: EINVAL, EACCES, ETIMEDOUT. */
SEQSHM_API int seqshm_clear(seqshm *shm, int64_t timeout_ns);

/* ----------------------------------------------------------------- reads */

/* Copy a consistent snapshot of the whole payload (size bytes) into dst.
 * Never returns torn data with SEQSHM_OK. Performs no store to the shared
 * memory (except the rare recovery of a dead writer's claim by a read-write
 * handle). In the SEQSHM_MUTEX layout a read-write handle takes the mutex.
 * Errors: EINVAL, ETIMEDOUT (a write overlapped every try), EOWNERDEAD. */
SEQSHM_API int seqshm_read(const seqshm *shm, void *dst, int64_t timeout_ns);

/* seqshm_read() that also stores the version of the snapshot it copied in
 * *version (which may be NULL). */
SEQSHM_API int seqshm_read_versioned(const seqshm *shm, void *dst,
                                     uint64_t *version, int64_t timeout_ns);

/* Copy len bytes at offset of a consistent snapshot into dst. Range rules as
 * for seqshm_write_partial(). Errors: EINVAL, ETIMEDOUT, EOWNERDEAD. */
SEQSHM_API int seqshm_read_partial(const seqshm *shm, void *dst, size_t len,
                                   size_t offset, int64_t timeout_ns);

/* Copy the first min(cap, size) bytes of a consistent snapshot into dst and
 * store that count in *nread (which may be NULL). cap must be >= 1.
 * Errors: EINVAL, ETIMEDOUT, EOWNERDEAD. */
SEQSHM_API int seqshm_read_span(const seqshm *shm, void *dst, size_t cap,
                                size_t *nread, int64_t timeout_ns);

/* --------------------------------------------------------------- waiting */

/* Return SEQSHM_OK as soon as the version is greater than since_version,
 * SEQSHM_ETIMEDOUT if it is not within timeout_ns. The natural consumer loop:
 *
 *     uint64_t seen;
 *     seqshm_read_versioned(shm, &value, &seen, SEQSHM_FOREVER);
 *     for (;;) {
 *         seqshm_wait(shm, seen, SEQSHM_FOREVER);
 *         seqshm_read_versioned(shm, &value, &seen, SEQSHM_FOREVER);
 *         use(&value);
 *     }
 *
 * A read-write handle sleeps on a futex in the segment and announces itself,
 * so the next write wakes it at once (wake-up latency: that of a futex wake,
 * microseconds). A read-only handle cannot announce itself; it sleeps on the
 * same futex in slices of at most 1 ms, so it wakes at once when a read-write
 * handle also waits and otherwise within about 1 ms of the write.
 * Built with -DSEQSHM_NO_FUTEX (systems without futexes) every handle polls
 * with sleeps of at most 1 ms. A waiter whose writer died simply times out.
 * A waiter killed in its sleep costs the next write one futex wake, and no
 * write after it.
 * Errors: EINVAL, ETIMEDOUT, ESYS. */
SEQSHM_API int seqshm_wait(const seqshm *shm, uint64_t since_version,
                           int64_t timeout_ns);

/* ----------------------------------------------------------------- state */

/* True while a write is in progress or a writer holds the claim (or, in the
 * SEQSHM_MUTEX layout, a writer holds the mutex). The claim of a writer that
 * died counts until a read-write handle recovers it. A snapshot of a
 * moment; makes no system call. */
SEQSHM_API bool seqshm_is_occupied(const seqshm *shm);

/* The name as given to seqshm_open(); valid until seqshm_close(). */
SEQSHM_API const char *seqshm_name(const seqshm *shm);

/* Payload size in bytes. */
SEQSHM_API size_t seqshm_size(const seqshm *shm);

/* True if this handle created the segment. */
SEQSHM_API bool seqshm_is_creator(const seqshm *shm);

/* The number of completed writes so far (acquire load). */
SEQSHM_API uint64_t seqshm_version(const seqshm *shm);

/* The layout flags of the segment: 0, SEQSHM_DOUBLE_BUFFER or SEQSHM_MUTEX. */
SEQSHM_API unsigned seqshm_layout(const seqshm *shm);

/* The segment's type tag (0 for an untagged segment). */
SEQSHM_API uint64_t seqshm_type_tag(const seqshm *shm);

/* Everything the header and the sequence say, for monitoring tools. */
typedef struct seqshm_info {
    size_t size;             /* payload bytes */
    unsigned layout;         /* 0, SEQSHM_DOUBLE_BUFFER or SEQSHM_MUTEX */
    unsigned layout_version; /* of the segment format */
    unsigned slots;          /* payload slots */
    size_t slot_offset;      /* where slot 0 starts in the mapping */
    size_t slot_stride;      /* bytes between slots */
    size_t mapped_bytes;     /* size of the whole object */
    uint64_t version;        /* completed writes */
    uint64_t type_tag;
    int creator_pid;
    bool creator_alive;      /* that process (same start time) still runs */
    int writer_pid;          /* holder of the write claim; 0 if free */
    bool writer_alive;
    bool busy;               /* a write is in progress (or its writer died) */
    bool torn;               /* a dead writer left the payload torn */
    bool waiting;            /* a read-write handle announced it sleeps in
                                seqshm_wait (cleared by the next write) */
} seqshm_info;

/* Fills *info. Reads /proc to tell whether processes live, so it is not for
 * hot paths. Errors: EINVAL (NULL). */
SEQSHM_API int seqshm_stat(const seqshm *shm, seqshm_info *info);

#ifdef __cplusplus
#undef seqshm
}
#endif

#endif /* SEQSHM_H */
