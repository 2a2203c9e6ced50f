/*
 * seqshm.h - share a fixed-size block of plain data between processes on one
 * host through a named shared-memory segment guarded by a seqlock (POSIX
 * shared memory on Linux; a named file mapping on Windows, see "Windows").
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
 *                                           seqshm_next and seqshm_read_at
 *                                           copy the payload at most twice;
 *       > 0                                 bounds the whole call, but for
 *                                           the payload copy under way when
 *                                           it ends (a writer that laps
 *                                           every copy cannot keep a call
 *                                           past it).
 *   - Every function is safe to call from any number of threads and processes
 *     at once on the same or different handles; only seqshm_close() must not
 *     race other calls on the same handle.
 *   - A handle belongs to the process that opened it. After fork() the child
 *     may go on using an inherited handle: it writes under an identity of its
 *     own, and it is never the creator (its close never unlinks; see "When a
 *     process dies" for what a child that never uses the handle does).
 *   - Writes are not async-signal-safe: a signal handler must not write to a
 *     segment that the code it interrupted may be writing (the handler would
 *     wait for a claim its own thread holds: until its timeout, or for ever
 *     with SEQSHM_FOREVER). Telling the handler's thread from another thread
 *     of the same handle would cost every write a store; seqshm does not pay
 *     it.
 *   - Reads in a signal handler: safe, with one limit. A read of the single
 *     buffer (or the SEQSHM_MUTEX layout) waits for a write in progress; if
 *     the interrupted code is that write, it cannot end until the handler
 *     returns, so such a read must be given a finite timeout (it returns
 *     SEQSHM_ETIMEDOUT), never SEQSHM_FOREVER. Reads of segments with two
 *     slots or more never wait for a write in progress. A handler that
 *     interrupts its process making an identity (a forked child's first
 *     use of a handle) does not wait for it past 100 ms: its call goes on
 *     without recovering a dead writer (it reports or times out).
 *   - seqshm_update's callback must return. Leaving it by longjmp, a C++
 *     exception or thread cancellation leaves the writers' claim held by
 *     this process's identity: every write through that handle, and every
 *     other process's, times out until the handle is closed; then the claim
 *     is recovered as a dead writer's (SEQSHM_MUTEX: the mutex stays locked
 *     while the thread that escaped lives). Pinned by
 *     tests/unit/test_history.c (history::update_escaped_by_longjmp).
 *   - Stores a read makes to the shared memory: none through a read-only
 *     handle. Through a read-write handle, only on the slow path: a read that
 *     has backed off past its spinning phase announces itself as a waiter
 *     (the `waiting` flag, as seqshm_wait does) so that the next write wakes
 *     it, and it recovers the claim of a writer the kernel says is dead
 *     (SEQSHM_MUTEX: a read-write read locks the mutex, a store as well).
 *     seqshm_version, seqshm_is_occupied, seqshm_stat and the wait of a
 *     read-only handle store nothing.
 *   - Each read-write handle keeps one file descriptor open (close-on-exec)
 *     until seqshm_close(): of its segment's identity object (Linux:
 *     NAME@ids beside NAME, see "When a process dies"); a read-only handle
 *     keeps one too where its process may open it, and none otherwise.
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
 *   Whether a writer lives is decided by the kernel alone. Every read-write
 *   handle holds, through its descriptor, an open-file-description write
 *   lock (fcntl F_OFD_SETLK) on a byte of the segment's identity object that
 *   is its own; a writer's claim records that identity, never a process id.
 *   The identity object (Linux: NAME@ids beside NAME in /dev/shm, made and
 *   removed with the segment) can be opened only by those who may write the
 *   segment: its permission bits are the segment's write bits, as read and
 *   write. The kernel drops the lock when the handle is closed or its
 *   process exits or execs, and a caller that finds the claim held longer
 *   than a short spin asks the kernel (F_OFD_GETLK) whether a write lock is
 *   still held there. So:
 *     - a writer is dead as soon as its process has exited: a zombie, reaped
 *       or not, is dead; any thread exiting (the main one included) changes
 *       nothing while the process lives;
 *     - it holds in every deployment: processes in different PID or time
 *       namespaces (containers of one pod sharing IPC but not PIDs), /proc
 *       missing or mounted with hidepid, different users;
 *     - no live writer's claim is ever broken, however long it stalls
 *       (stopped, traced, swapped out); a dead writer's claim is recovered,
 *       once, by the first read-write handle that finds it;
 *     - read permission grants nothing here: a process that may only read
 *       the segment cannot open the identity object, and the probe counts
 *       write locks only, so no lock a reader takes (on any byte of the
 *       segment, the whole file included) makes a dead writer look alive or
 *       keeps a writer from opening. Such a reader cannot ask either: where
 *       a writer died mid-write in the single buffer, its reads time out
 *       (SEQSHM_ETIMEDOUT) until a writer repairs it, rather than report
 *       SEQSHM_EOWNERDEAD.
 *   Needs Linux 4.14 or later (OFD locks came in 3.15, MADV_WIPEONFORK, which
 *   keeps a forked child from writing as its parent, in 4.14); where the
 *   kernel cannot answer, the owner counts as alive (a timeout rather than
 *   a broken claim).
 *     - Double buffer: the half-written slot was never visible; recovery
 *       discards it and readers go on reading the last published value.
 *     - Single buffer and SEQSHM_MUTEX: the payload may be torn. Every read
 *       then returns SEQSHM_EOWNERDEAD (never torn bytes with SEQSHM_OK)
 *       until a full write, a full-size span write or a clear repairs it;
 *       partial writes return SEQSHM_EOWNERDEAD as well.
 *     - A read-only handle never writes: it reports SEQSHM_EOWNERDEAD where a
 *       dead writer left the single buffer torn or mid-write, and leaves the
 *       recovery to a handle that can write.
 *   Fork: the lock belongs to the open file description, which a forked
 *   child shares through its inherited descriptor. A child that writes (or
 *   checks a writer's liveness) through the handle first takes an identity
 *   and descriptor of its own and lets go of its parent's. A child that never
 *   uses the handle keeps its parent's identity alive until the child exits,
 *   execs or closes the handle: if the parent dies mid-write meanwhile, its
 *   claim is recovered only then (readers time out, never read torn data).
 *   A child that will not use it at once lets go of the parent's identity
 *   by any call that asks about liveness, seqshm_stat the cheapest: call it
 *   on each inherited handle right after fork (a pthread_atfork child
 *   handler of the application's, which knows its handles; the library
 *   keeps no list of them). The Python package does so for every open
 *   segment (os.register_at_fork), multiprocessing's workers included.
 *   SEQSHM_MUTEX: the robust mutex is released by the kernel when the thread
 *   that holds it exits, so in that layout a thread that ends inside a write
 *   (e.g. pthread_exit from an update callback) counts as a dead writer.
 *
 * Windows (x86-64, built with mingw-w64 as a static library; make
 * test-windows runs the tests under wine)
 *   - A segment is a named file mapping backed by the paging file in the
 *     session namespace: "x" is Local\seqshm-x. The protocol, the layouts,
 *     slots, schemas, the sole writer and every status are the same.
 *   - A mapping lives while any process holds a handle to it and goes with
 *     the last one. So a creator's close removes nothing (nor is anything
 *     left behind); SEQSHM_PERSIST, which cannot keep a segment no process
 *     has open, makes seqshm_open_opts fail with SEQSHM_ESYS and errno
 *     ENOTSUP; seqshm_unlink of an existing segment, which cannot remove
 *     it, fails the same way (SEQSHM_ENOENT if there is none).
 *   - The mode is not applied: a mapping in Local\ is the session's (a mode
 *     given is ignored; the tool refuses --mode).
 *   - Liveness is the kernel's: each writing identity holds the only handle
 *     of a named event, which the kernel destroys when the handle is closed
 *     or its process ends, however it ends; a probe opens it by name.
 *   - Wake-ups: a named event per segment; a write still makes a system call
 *     only when a waiter announced itself. Windows has no compare-and-sleep
 *     across processes, so a waiter sleeps in slices of at most 5 ms: a
 *     wake-up comes at once, or within a slice when two waiters race.
 *   - There is no cross-process asymmetric barrier: writers publish with a
 *     full fence (seqshm_info.asym_fence is false).
 *   - SEQSHM_MUTEX uses a named kernel mutex, abandoned (EOWNERDEAD) when
 *     its holding thread ends.
 */
#ifndef SEQSHM_H
#define SEQSHM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__) && !defined(_WIN32)
#define SEQSHM_API __attribute__((visibility("default")))
#else
#define SEQSHM_API /* Windows: a static library */
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
#define SEQSHM_ETYPE (-9)     /* the segment's type tag or schema differs */
#define SEQSHM_ESYS (-10)     /* another operating-system failure; errno
                                 keeps the cause */
#define SEQSHM_EOVERWRITTEN (-11) /* that version is no longer kept */
#define SEQSHM_EBUSY (-12)    /* another live handle is the segment's sole
                                 writer (SEQSHM_SOLE_WRITER) */

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
#define SEQSHM_SOLE_WRITER 0x40u   /* this handle is the only writer while it
                                      is open (see "The sole writer") */
#define SEQSHM_ANY_OWNER 0x80u     /* open a segment of another user that
                                      anyone may write (see "Names") */

/* Invalid combinations (SEQSHM_EINVAL): EXCL without CREATE, CREATE with
 * RDONLY, DOUBLE_BUFFER with MUTEX, SOLE_WRITER with RDONLY or with MUTEX
 * (also a MUTEX segment opened with SOLE_WRITER), any bit not listed above.
 * Layout flags given when the segment already exists are ignored: its own
 * layout wins.
 *
 * Names (and who else may have taken one)
 *   A name is the first come's. Another user may create a segment under a
 *   name before its owner does, with a mode that lets anyone write it: then
 *   whoever adopted it would share its data with that user, read values
 *   that user forges, and die of SIGBUS when that user shrinks it. So an
 *   existing segment owned by another user (not root) whose mode grants
 *   write to others is refused by default, by seqshm_open with or without
 *   SEQSHM_CREATE: SEQSHM_EACCES, errno EPERM; SEQSHM_ANY_OWNER opens it
 *   anyway (for segments meant to be shared that way). Root's segments, the
 *   caller's own, and another user's that others may not write are opened
 *   as their mode says. Choose names others cannot guess, or create with
 *   SEQSHM_EXCL, where the first come matters.
 *
 * The sole writer (SEQSHM_SOLE_WRITER)
 *   Most segments have one writer. A handle opened with SEQSHM_SOLE_WRITER
 *   takes the role of the segment's only writer at open and holds it until
 *   seqshm_close(): it holds the writers' claim for that whole time, so its
 *   writes take no claim. Such a write is wait-free: a bounded number of
 *   plain and release stores, no atomic read-modify-write, no fence stronger
 *   than release, and no system call unless a waiter announced itself.
 *     - Opening with the role while another live handle holds it is
 *       SEQSHM_EBUSY. A dead holder's role (its process exited, or its handle
 *       was closed) is taken over, with its claim, as for any dead writer.
 *       Open waits up to about a second for a write in progress by another
 *       writer to end, and returns SEQSHM_EBUSY if it does not.
 *     - While the holder lives, every write through any other handle (in
 *       this process or another, or the holder's forked child) returns
 *       SEQSHM_EBUSY at once, whatever its timeout. Reads, waits and
 *       read-only handles are unaffected.
 *     - Writes through the sole-writer handle must not overlap in time: one
 *       thread writes, or the caller serialises them. (Reads through it may
 *       run on any thread.)
 *     - The store-load ordering that wake-ups need (a write must see a waiter
 *       that announced itself, or the waiter must see the write) is paid by
 *       the waiter: a waiter about to sleep issues membarrier(2)'s expedited
 *       global barrier, for which every writing process registers at open
 *       (Linux 4.16 or later). Where the kernel refuses it, or with the
 *       environment variable SEQSHM_FENCE=full at open, writers publish with
 *       a full fence instead, as all writers did before (and a waiter whose
 *       barrier is refused sleeps in slices of at most 1 ms). Shared-claim
 *       writes use the same scheme, so they take one atomic
 *       read-modify-write (the claim), not two. The cost moves to waiters:
 *       a system call per sleep, plus an interrupt of each CPU that runs a
 *       writing process at that moment.
 *   The role is not for SEQSHM_MUTEX segments, whose every access takes the
 *   mutex. */

#define SEQSHM_FOREVER ((int64_t)-1) /* timeout: wait without limit */

/* Retries a call with timeout 0 may make without sleeping. */
#define SEQSHM_SPIN_TRIES 64

/* Most payload slots a segment may have (see seqshm_options.slots). */
#define SEQSHM_MAX_SLOTS 65536u

/* Largest payload a segment may carry (1 GiB). */
#define SEQSHM_MAX_SIZE ((size_t)1 << 30)

/* Longest name, not counting an optional leading '/'. */
#define SEQSHM_NAME_MAX 200

/* The release this header belongs to (the shared library's is
 * libseqshm.so.<major>.<minor>.<patch>; the tool prints it for
 * `seqshm --version`). */
#define SEQSHM_VERSION "2.0.0"

typedef struct seqshm_options {
    unsigned flags;    /* as for seqshm_open */
    unsigned mode;     /* permission bits of a new segment; 0 means 0600.
                          Applied exactly, whatever the process umask. Only
                          the bits 0777 are allowed (else SEQSHM_EINVAL). */
    uint64_t type_tag; /* 0: unchecked (and a new segment is untagged);
                          otherwise a new segment records it and an existing
                          one must carry exactly this tag (SEQSHM_ETYPE). */
    unsigned slots;    /* payload slots of a new segment: the number of
                          versions it keeps (one fewer while a write is in
                          progress). 0: as the layout flags say (1, or 2
                          with SEQSHM_DOUBLE_BUFFER); else a power of two
                          1..SEQSHM_MAX_SLOTS. 2 slots are the double
                          buffer (seqshm_layout() says so). SEQSHM_EINVAL:
                          not a power of two, too many, > 1 with
                          SEQSHM_MUTEX, other than 2 with
                          SEQSHM_DOUBLE_BUFFER, or slots x size above
                          4 GiB. Ignored when the segment exists (its own
                          count wins; seqshm_slots() tells it). */
    const char *schema; /* NULL: none given. Else the payload's field layout
                           (see "Schemas"): a new segment records it (it
                           must parse, SEQSHM_EINVAL otherwise, and its
                           size must equal the payload size, also
                           SEQSHM_EINVAL); an existing segment must carry
                           the same fields (SEQSHM_ETYPE otherwise; spacing
                           does not count). size may be 0 at creation
                           when a schema is given: the schema's size is
                           taken. */
    const char *origin; /* NULL: none given. Else the segment is a copy of
                           something elsewhere, and this names its source
                           (for seqshm-bridge "nats-kv:BUCKET/KEY"): 1 to
                           SEQSHM_ORIGIN_MAX printable ASCII characters,
                           SEQSHM_EINVAL otherwise. A new segment records
                           it for good; an existing one must carry exactly
                           this origin (SEQSHM_ETYPE otherwise, also for a
                           segment that is no copy), so a copier adopts
                           only a segment made for the same source. See
                           "Copies of other segments". Added in 2.0.0 (the
                           reason for the new soname). */
} seqshm_options;      /* zero-initialise, then set what you need */

/* Longest origin text (seqshm_options.origin). */
#define SEQSHM_ORIGIN_MAX 255

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
 * A new segment's memory is reserved at creation: where /dev/shm has too
 * little room, open returns SEQSHM_ESYS with errno ENOSPC and leaves nothing
 * behind (never a SIGBUS at the first write).
 *
 * On success *out holds a new handle; on failure *out is set to NULL (when
 * out itself is not NULL). Blocks at most about one second.
 * Errors: EINVAL, ENOENT, EEXIST, ESIZE, EBADSEG, EACCES, ESYS. */
SEQSHM_API int seqshm_open(seqshm **out, const char *name, size_t size,
                           unsigned flags);

/* seqshm_open() with the full options: flags, mode, type tag, slots and
 * schema. opts may be NULL (all defaults). Errors: as seqshm_open(), and
 * ETYPE. */
SEQSHM_API int seqshm_open_opts(seqshm **out, const char *name, size_t size,
                                const seqshm_options *opts);

/* Unmap and free the handle, and close its descriptor (which ends its
 * writing identity). If this handle created the segment in this process (not
 * in a forked child) and SEQSHM_PERSIST was not given, the name is unlinked as
 * well, only if it still names the same object: the check and the unlink
 * hold a lock that every seqshm unlinker takes (seqshm_unlink, the tool's
 * rm), so no seqshm process can replace the object in between. A program
 * that removes /dev/shm entries by other means (rm) does not take it and can
 * still, in that window of microseconds, have a newer segment's name
 * removed. Other processes' mappings stay valid. NULL is a no-op. Must not
 * race other calls on the same handle. */
SEQSHM_API void seqshm_close(seqshm *shm);

/* Remove the name `name` (the segment lives on while mapped). Removes any
 * object of a valid name, seqshm segment or not. Serialised with every
 * creator's close (see seqshm_close()).
 * Errors: EINVAL (bad name), ENOENT, EACCES, ESYS. */
SEQSHM_API int seqshm_unlink(const char *name);

/* ---------------------------------------------------------------- writes */

/* Publish `size` bytes from src as the new payload (a full write).
 * A full write repairs a payload a dead writer left torn.
 * Through the sole writer's handle: wait-free (see "The sole writer").
 * Otherwise lock-free for one writer: with no other writer it takes a
 * bounded number of steps, one atomic read-modify-write (the claim) and no
 * system call (it makes one futex wake only when some handle is waiting in
 * seqshm_wait). Concurrent writers serialise; a writer waits for another
 * live writer at most timeout_ns. Every write below returns SEQSHM_EBUSY at
 * once while another live handle is the sole writer.
 * Errors: EINVAL (NULL), EACCES (read-only handle), ETIMEDOUT, EBUSY, ESYS
 * (a forked child could not reopen the segment for an identity of its own:
 * errno). */
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
 * Never returns torn data with SEQSHM_OK. Stores nothing in the shared
 * memory on its fast path; see Conventions for the stores of the slow path
 * of a read-write handle. In the SEQSHM_MUTEX layout a read-write handle
 * takes the mutex.
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

/* --------------------------------------------------------------- history */

/* A segment with N slots keeps its last N versions (N - 1 while a write is
 * in progress, or after a writer died mid-write until the next write). A
 * newest-version read (seqshm_read) fails and retries only when writers lap
 * it N - 1 times during one copy. Readers and consumers store nothing in the
 * segment on these calls, so any number of them, read-only handles
 * included, follow one writer, each at its own pace. */

/* Copy exactly version `version` into dst (size bytes).
 *   SEQSHM_OK            copied; version 0 is the initial all-zero payload
 *                        while it is kept;
 *   SEQSHM_EOVERWRITTEN  that version is no longer kept (also when it was
 *                        overwritten during the copy);
 *   SEQSHM_ETIMEDOUT     not published within timeout_ns (it waits as
 *                        seqshm_wait does);
 *   SEQSHM_EOWNERDEAD    one slot, and a dead writer left it torn;
 *   SEQSHM_EINVAL. */
SEQSHM_API int seqshm_read_at(const seqshm *shm, uint64_t version, void *dst,
                              int64_t timeout_ns);

/* The consumer's step. Delivers version *cursor + 1 if it is still kept,
 * else the oldest version kept, into dst (size bytes); stores in *lost (may
 * be NULL) how many versions after *cursor it skipped, and sets *cursor to
 * the version delivered. Waits up to timeout_ns for a version newer than
 * *cursor (SEQSHM_ETIMEDOUT; *cursor and *lost unchanged). Start with
 * *cursor = seqshm_version(shm) to receive only what comes next, or 0 to
 * receive all that is still kept. With one slot it delivers the newest
 * version and counts the rest as lost. The versions it delivers strictly
 * increase; delivered + lost = the versions published after the start.
 * Errors: EINVAL, ETIMEDOUT, EOWNERDEAD (one slot, torn by a dead writer). */
SEQSHM_API int seqshm_next(const seqshm *shm, uint64_t *cursor, void *dst,
                           uint64_t *lost, int64_t timeout_ns);

/* ---------------------------------------------------------------- update */

/* Read-modify-write without lost updates, for several writers. Under the
 * write claim, fn receives a private copy of the current value (size bytes)
 * and changes it in place; what it leaves there is published as the next
 * version. Readers never wait for fn: they go on reading the last published
 * version (in SEQSHM_MUTEX, read-write handles take the mutex and so wait,
 * as for any write; read-only handles do not). fn must not call seqshm on
 * the same segment and should be short: other writers wait for it. A process
 * that dies inside fn leaves nothing written; its claim is recovered as a
 * dead writer's. The private copy is on the stack up to 1 KiB, else
 * allocated for the call.
 * Errors: EINVAL, EACCES, ETIMEDOUT, EOWNERDEAD (one slot, torn: there is no
 * consistent value to give fn), ESYS (no memory for the copy). */
typedef void seqshm_update_fn(void *value, size_t size, void *ctx);
SEQSHM_API int seqshm_update(seqshm *shm, seqshm_update_fn *fn, void *ctx,
                             int64_t timeout_ns);

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
 * died counts until a read-write handle recovers it. A sole writer holds the
 * claim for its handle's life; it counts only while it writes (a sole writer
 * that died between writes left nothing to recover in the payload). A
 * snapshot of a moment; makes no system call. */
SEQSHM_API bool seqshm_is_occupied(const seqshm *shm);

/* The name as given to seqshm_open(); valid until seqshm_close(). */
SEQSHM_API const char *seqshm_name(const seqshm *shm);

/* Payload size in bytes. */
SEQSHM_API size_t seqshm_size(const seqshm *shm);

/* Payload slots: the number of versions the segment keeps. */
SEQSHM_API unsigned seqshm_slots(const seqshm *shm);

/* True if this handle created the segment, in this process (false in a
 * forked child). */
SEQSHM_API bool seqshm_is_creator(const seqshm *shm);

/* The number of completed writes so far (acquire load). */
SEQSHM_API uint64_t seqshm_version(const seqshm *shm);

/* The layout flags of the segment: 0, SEQSHM_DOUBLE_BUFFER or SEQSHM_MUTEX. */
SEQSHM_API unsigned seqshm_layout(const seqshm *shm);

/* The segment's type tag (0 for an untagged segment). */
SEQSHM_API uint64_t seqshm_type_tag(const seqshm *shm);

/* ---------------------------------------------------------------- schemas
 *
 * A segment may carry its payload's field layout, fixed at creation, so that
 * tools and other languages decode it by name. Text form: fields separated
 * by spaces (or tabs), each name:type or name:type[count]; types i8 u8 i16
 * u16 i32 u32 i64 u64 f32 f64 bool, and char[count] (bytes shown as text).
 * Names are C identifiers of at most SEQSHM_FIELD_NAME_MAX characters, each
 * used once. Offsets are those of a C struct with those members in that
 * order (natural alignment: each field at a multiple of its element's size,
 * the whole rounded up to the largest), so
 *     struct pose { double x, y, theta; uint64_t stamp; float cov[9]; };
 * is "x:f64 y:f64 theta:f64 stamp:u64 cov:f32[9]" (68 bytes of fields,
 * 72 with the trailing padding). At most SEQSHM_SCHEMA_MAX bytes of text.
 * A segment stores the canonical text: the fields with one space between. */
#define SEQSHM_SCHEMA_MAX 4096
#define SEQSHM_FIELD_NAME_MAX 63

typedef enum seqshm_type {
    SEQSHM_I8 = 1, SEQSHM_U8, SEQSHM_I16, SEQSHM_U16, SEQSHM_I32, SEQSHM_U32,
    SEQSHM_I64, SEQSHM_U64, SEQSHM_F32, SEQSHM_F64, SEQSHM_BOOL, SEQSHM_CHAR
} seqshm_type;

typedef struct seqshm_field {
    char name[SEQSHM_FIELD_NAME_MAX + 1];
    seqshm_type type;
    const char *type_name; /* "f64", "char", ...: a static string */
    size_t count;          /* elements: 1 for a scalar */
    bool array;            /* written name:type[count] (even with count 1) */
    size_t offset;         /* bytes from the payload's start */
    size_t size;           /* bytes of one element */
} seqshm_field;

/* The segment's schema in canonical form; "" when it has none. Valid until
 * seqshm_close(). */
SEQSHM_API const char *seqshm_schema(const seqshm *shm);

/* Parses a schema: stores its first min(count, cap) fields in fields (which
 * may be NULL when cap is 0), the number of fields in *nfields and the
 * struct size, trailing padding included, in *size (either may be NULL).
 * On a malformed schema returns SEQSHM_EINVAL and, if why is not NULL,
 * writes a one-line reason ("field 2: unknown type 'f16' ...") in why
 * (whycap bytes). Errors: EINVAL, ESYS (no memory). */
SEQSHM_API int seqshm_schema_parse(const char *schema, seqshm_field *fields,
                                   size_t cap, size_t *nfields, size_t *size,
                                   char *why, size_t whycap);

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
    int creator_pid;         /* process id of the creator, as seen in its
                                own PID namespace (may not be the caller's):
                                for display, never used for a decision */
    bool creator_alive;      /* the creating handle is still open */
    int writer_pid;          /* holder of the write claim, as seen in its own
                                PID namespace (display only); 0 if free */
    bool writer_alive;       /* the kernel still holds its identity lock */
    bool busy;               /* a write is in progress (or its writer died) */
    bool torn;               /* a dead writer left the payload torn */
    bool waiting;            /* a read-write handle announced it sleeps in
                                seqshm_wait (cleared by the next write) */
    int sole_pid;            /* holder of the sole-writer role, in its own
                                PID namespace (display only); 0 if none */
    bool sole_alive;         /* the kernel still holds its identity lock */
    bool asym_fence;         /* some writer publishes without a full fence:
                                waiters issue membarrier (see "The sole
                                writer") */
} seqshm_info;

/* Fills *info. Asks the kernel whether the creator and the claim's holder
 * live (one fcntl each), so it is not for hot paths. Stores nothing in the
 * segment. Errors: EINVAL (NULL). */
SEQSHM_API int seqshm_stat(const seqshm *shm, seqshm_info *info);

/* ------------------------------------------- copies of other segments
 *
 * A copy (a mirror: seqshm-bridge subscribe writes one per remote segment)
 * is created with seqshm_options.origin, which names its source for good.
 * Its writer, holding the sole-writer role, also records what it last
 * copied and when it last heard from the source, so that any reader can
 * tell how old the values are without asking the copier:
 *
 *   seqshm_origin_info o;
 *   struct timespec now;
 *   clock_gettime(CLOCK_REALTIME, &now);
 *   if (seqshm_origin(shm, &o) == SEQSHM_OK && o.origin[0] != '\0' &&
 *       (o.stale || now.tv_sec - (time_t)(o.refreshed_ns / 1000000000) > 5))
 *       ...the source stopped, or its copier did...
 *
 * The words are not part of a payload snapshot: the payload a reader copies
 * may be a version newer than source_version says, never an older one when
 * the copier records after each write (as seqshm-bridge does). */
typedef struct seqshm_origin_info {
    char origin[SEQSHM_ORIGIN_MAX + 1]; /* the source; "" if not a copy */
    uint64_t source_version; /* the source's version of the value copied
                                last (0: none yet) */
    uint64_t source_time_ns; /* when the source published it (CLOCK_REALTIME
                                ns, the source host's clock) */
    uint64_t refreshed_ns;   /* when the copier last heard from the source
                                (CLOCK_REALTIME ns, this host's clock): a
                                value, or word that the source lives */
    bool stale;              /* the copier says the source stopped */
} seqshm_origin_info;

/* Fills *info with the segment's origin and what its copier last recorded
 * (all 0 for a copy nobody recorded yet; origin "" for a segment that is
 * no copy). Stores nothing. Each record is read whole: a copier that dies
 * while recording leaves its previous record, or the new one, never a mix.
 * Errors: EINVAL (NULL), ETIMEDOUT (a new record came during each of
 * SEQSHM_SPIN_TRIES copies: a copier recording without pause; try again). */
SEQSHM_API int seqshm_origin(const seqshm *shm, seqshm_origin_info *info);

/* Records what the copier copied last: info's source_version,
 * source_time_ns, refreshed_ns and stale (its origin is ignored). Only the
 * sole writer's handle records, so a record takes a few plain stores.
 * Errors: EINVAL (NULL, or the segment is no copy), EACCES (read-only
 * handle), EBUSY (this handle does not hold the sole-writer role). */
SEQSHM_API int seqshm_origin_update(seqshm *shm,
                                    const seqshm_origin_info *info);

/* Removes the segment's name if it still names this handle's segment,
 * under the same lock as a creator's seqshm_close(): for a copier that
 * adopted a copy a predecessor left and is now done with it. The handle
 * stays usable. Where names go with their last handle (Windows) it does
 * nothing. Errors: EINVAL (NULL). */
SEQSHM_API int seqshm_remove(seqshm *shm);

/* True while the segment's name still names this handle's segment; false
 * once the name was removed (seqshm_unlink, the tool's rm, a creator's
 * close), or removed and created again: a follower that should go on with
 * whatever segment the name names then opens it again. One system call
 * (a stat of the name); always true where names go with their last handle
 * (Windows). False for NULL. */
SEQSHM_API bool seqshm_is_current(const seqshm *shm);

/* ------------------------------------------------------ the inline read */

/* seqshm_read() and seqshm_read_versioned() are also defined inline, in
 * seqshm/inline.h (included here): the caller's code makes the first
 * attempt itself and calls the library only when that attempt fails. Define
 * SEQSHM_NO_INLINE before including this header to call the library every
 * time. What that makes part of the ABI is said at the top of that file. */
#include "seqshm/inline.h"

#ifdef __cplusplus
#undef seqshm
}
#endif

#endif /* SEQSHM_H */
