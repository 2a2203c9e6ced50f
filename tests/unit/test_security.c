/* test_security.c - other users, names that try to leave /dev/shm, and a
 * segment shrunk under its users. Children leave with _exit() only. */
#include "util.h"

#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

TestSuite(security, .fini = test_cleanup);

#define NOBODY 65534

/* In a child that became an unprivileged user: what may it do with a
 * segment root created with `mode`? Returns the child's exit status:
 * 0 if every expectation held, else the number of the one that failed. */
static int as_nobody(const char *name, unsigned mode)
{
    pid_t pid = fork();
    if (pid == 0) {
        if (setgroups(0, NULL) != 0 || setgid(NOBODY) != 0 ||
            setuid(NOBODY) != 0)
            _exit(90);
        seqshm *s;
        unsigned char b[8] = {0};
        int rw = seqshm_open(&s, name, 8, 0);
        if (rw != SEQSHM_EACCES)
            _exit(1); /* never opened for writing against the mode */
        int ro = seqshm_open(&s, name, 8, SEQSHM_RDONLY);
        if (mode & 0004) {
            if (ro != SEQSHM_OK)
                _exit(2);
            if (seqshm_read(s, b, 0) != SEQSHM_OK || b[0] != 0x77)
                _exit(3);
            if (seqshm_write(s, b, 0) != SEQSHM_EACCES)
                _exit(4);
            seqshm_close(s);
        } else if (ro != SEQSHM_EACCES) {
            _exit(5);
        }
        if (seqshm_unlink(name) != SEQSHM_EACCES) /* sticky /dev/shm */
            _exit(6);
        if (seqshm_open(&s, name, 8, SEQSHM_CREATE | SEQSHM_EXCL) !=
            SEQSHM_EEXIST)
            _exit(7);
        _exit(0);
    }
    return wait_child(pid);
}

/* "seqshm-t-...-<what><mode>" into name (64 bytes) */
static void mode_name(char *name, const char *what, unsigned mode)
{
    char tag[24];
    snprintf(tag, sizeof tag, "%s%o", what, mode);
    test_name(name, 64, tag);
}

Test(security, another_users_segment_is_not_opened_for_writing)
{
    if (geteuid() != 0)
        SKIP_TEST("needs root to become another user");
    for (unsigned mode = 0600; mode <= 0644; mode += 044) {
        char name[64];
        mode_name(name, "other", mode);
        seqshm_options o = {.flags = SEQSHM_CREATE, .mode = mode, .type_tag = 0};
        seqshm *s;
        cr_assert_eq(seqshm_open_opts(&s, name, 8, &o), SEQSHM_OK);
        unsigned char b[8];
        memset(b, 0x77, sizeof b);
        cr_assert_eq(seqshm_write(s, b, 0), SEQSHM_OK);
        int st = as_nobody(name, mode);
        cr_assert_eq(st, 0, "mode %o: the unprivileged child failed check %d",
                     mode, st);
        cr_assert_eq(seqshm_read(s, b, 0), SEQSHM_OK);
        cr_assert_eq(b[0], 0x77, "untouched");
        cr_assert_eq(seqshm_version(s), 1);
        seqshm_close(s);
    }
}

Test(security, names_cannot_leave_dev_shm)
{
    static const char *bad[] = {"../x", "/../x", "x/../y", "./x", "..",
                                "../../etc/passwd", "/dev/shm/x", "x/", "\\x"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        seqshm *s;
        cr_assert_eq(seqshm_open(&s, bad[i], 8, SEQSHM_CREATE), SEQSHM_EINVAL,
                     "%s", bad[i]);
        cr_assert_eq(seqshm_unlink(bad[i]), SEQSHM_EINVAL, "%s", bad[i]);
    }
    cr_assert_neq(access("/dev/x", F_OK), 0, "nothing made outside /dev/shm");
}

/* A process that can write the object shrinks it under a mapped user. The
 * mapping then covers pages past the end of the file, and touching them
 * raises SIGBUS: seqshm cannot detect it without a system call per access
 * and installs no signal handler (README, Security). Pinned down here, with
 * what stays true: a new open refuses the shrunk object. */
Test(security, shrunk_segment)
{
    char name[64], path[128];
    seqshm *s;
    test_name(name, sizeof name, "shrink");
    snprintf(path, sizeof path, "/dev/shm/%s", name);
    cr_assert_eq(seqshm_open(&s, name, 65536, SEQSHM_CREATE), SEQSHM_OK);
    cr_assert_eq(truncate(path, 4096), 0);
    seqshm *again;
    cr_assert_eq(seqshm_open(&again, name, 0, 0), SEQSHM_EBADSEG);
    pid_t pid = fork();
    if (pid == 0) {
        static unsigned char b[65536];
        signal(SIGBUS, SIG_DFL); /* sanitizer builds catch it otherwise */
        seqshm_read(s, b, 0);
        _exit(0);
    }
    cr_assert_eq(wait_child(pid), 128 + SIGBUS);
    seqshm_close(s);
}

/* A creator whose mode gives it no read permission still removes its name
 * on close (it checks the name is still its object without opening it for
 * reading). Run as an unprivileged user: root ignores modes. */
Test(security, creator_without_read_permission_unlinks_on_close)
{
    if (geteuid() != 0)
        SKIP_TEST("needs root to become another user");
    char name[64], path[128];
    test_name(name, sizeof name, "wonly");
    snprintf(path, sizeof path, "/dev/shm/%s", name);
    pid_t pid = fork();
    if (pid == 0) {
        if (setgroups(0, NULL) != 0 || setgid(NOBODY) != 0 ||
            setuid(NOBODY) != 0)
            _exit(90);
        seqshm_options o = {.flags = SEQSHM_CREATE | SEQSHM_EXCL, .mode = 0222, .type_tag = 0};
        seqshm *s;
        if (seqshm_open_opts(&s, name, 8, &o) != SEQSHM_OK)
            _exit(1);
        seqshm_close(s);
        _exit(access(path, F_OK) == 0 ? 2 : 0);
    }
    int st = wait_child(pid);
    unlink(path);
    cr_assert_eq(st, 0, "check %d failed (2: the name was left behind)", st);
}

/* A process that can write the segment rewrites its header after we opened
 * it: sizes, offsets, slot count, type tag, creator. Nothing this handle
 * does or reports may change: it copied what it uses at open. */
Test(security, header_rewritten_after_open_changes_nothing)
{
    char name[64], path[128];
    seqshm *s;
    seqshm_options o = {.flags = SEQSHM_CREATE, .mode = 0, .type_tag = 0x7a6};
    test_name(name, sizeof name, "rewrite");
    snprintf(path, sizeof path, "/dev/shm/%s", name);
    cr_assert_eq(seqshm_open_opts(&s, name, 4096, &o), SEQSHM_OK);
    seqshm_info before, after;
    cr_assert_eq(seqshm_stat(s, &before), SEQSHM_OK);

    int fd = open(path, O_RDWR);
    cr_assert_geq(fd, 0);
    unsigned char junk[128];
    memset(junk, 0xff, sizeof junk); /* every field: absurd */
    cr_assert_eq(pwrite(fd, junk, sizeof junk, 0), (ssize_t)sizeof junk);
    close(fd);

    unsigned char w[4096], r[4096];
    memset(w, 0x3c, sizeof w);
    cr_assert_eq(seqshm_write(s, w, 0), SEQSHM_OK);
    cr_assert_eq(seqshm_write_partial(s, w, 10, 4086, 0), SEQSHM_OK);
    cr_assert_eq(seqshm_read(s, r, 0), SEQSHM_OK);
    cr_assert_arr_eq(r, w, sizeof r);
    cr_assert_eq(seqshm_size(s), 4096);
    cr_assert_eq(seqshm_type_tag(s), 0x7a6);
    cr_assert_eq(seqshm_layout(s), 0);
    cr_assert_eq(seqshm_stat(s, &after), SEQSHM_OK);
    cr_assert_eq(after.size, before.size);
    cr_assert_eq(after.slots, before.slots);
    cr_assert_eq(after.slot_offset, before.slot_offset);
    cr_assert_eq(after.slot_stride, before.slot_stride);
    cr_assert_eq(after.type_tag, before.type_tag);
    cr_assert_eq(after.creator_pid, before.creator_pid);
    cr_assert_eq(after.layout_version, before.layout_version);
    seqshm *again;
    cr_assert_eq(seqshm_open(&again, name, 0, SEQSHM_RDONLY), SEQSHM_EBADSEG,
                 "new opens see the damage");
    seqshm_close(s);
}

/* ------------------------------------------------- a reader's locks */

/* As nobody, with read permission only: takes every lock it can on the
 * segment (an open-file-description read lock over the whole object, the
 * identity bytes far past its end included; a POSIX read lock over the
 * whole file, as any program that reads a file with locks takes; the
 * identity bytes one by one) and tries the identity object. Writes to `ready`
 * 'L' once it holds them ('A' if it could open the identity object), then
 * waits to be killed. */
static void hostile_reader(const char *name, int ready)
{
    if (setgroups(0, NULL) != 0 || setgid(NOBODY) != 0 || setuid(NOBODY) != 0)
        _exit(90);
    char path[128], ids[160];
    snprintf(path, sizeof path, "/dev/shm/%s", name);
    snprintf(ids, sizeof ids, "/dev/shm/%s@ids", name);
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        _exit(91);
    /* what it can: a lock conflicting with a writer's is refused (so with
     * the identity locks on the segment itself, a whole-file lock fails
     * while any writer lives, and each byte but the live ones is taken) */
    struct flock whole = {.l_type = F_RDLCK, .l_whence = SEEK_SET};
    int held = (fcntl(fd, F_OFD_SETLK, &whole) == 0) +
               (fcntl(fd, F_SETLK, &whole) == 0);
    for (off_t id = 1; id <= 256; id++) {
        struct flock b = {.l_type = F_RDLCK, .l_whence = SEEK_SET,
                          .l_start = ((off_t)1 << 62) + id, .l_len = 1};
        held += fcntl(fd, F_OFD_SETLK, &b) == 0;
    }
    struct flock past = {.l_type = F_RDLCK, .l_whence = SEEK_SET,
                         .l_start = ((off_t)1 << 62) + 257};
    held += fcntl(fd, F_OFD_SETLK, &past) == 0;
    if (held == 0)
        _exit(92);
    char said = 'L';
    int ifd = open(ids, O_RDONLY);
    if (ifd >= 0) {
        said = 'A';
        fcntl(ifd, F_OFD_SETLK, &whole);
    }
    (void)!write(ready, &said, 1);
    for (;;)
        pause();
}

/* A writer of `name` killed in the middle of a write (fault build). */
static void writer_dies_mid_write(const char *name, unsigned flags)
{
    pid_t w = fork();
    if (w == 0) {
        seqshm *c;
        unsigned char b[4096] = {1};
        if (seqshm_open(&c, name, sizeof b, flags) != SEQSHM_OK)
            _exit(2);
        setenv("SEQSHM_FAULT", "mid_copy", 1);
        seqshm_write(c, b, SEQSHM_FOREVER);
        _exit(3);
    }
    cr_assert_eq(wait_child(w), 128 + SIGKILL, "the writer died mid-write");
}

/* Read permission grants reading only: a reader's locks make no dead writer
 * look alive and keep no writer out (DESIGN section 10; docs/security.md). */
Test(security, a_readers_locks_cannot_deny_writers)
{
    if (geteuid() != 0)
        SKIP_TEST("needs root to become another user");
    char name[64];
    test_name(name, sizeof name, "hostile");
    seqshm_options o = {.flags = SEQSHM_CREATE, .mode = 0644};
    seqshm *s;
    cr_assert_eq(seqshm_open_opts(&s, name, 4096, &o), SEQSHM_OK);
    int p[2];
    cr_assert_eq(pipe(p), 0);
    pid_t r = test_child(fork());
    if (r == 0) {
        close(p[0]);
        hostile_reader(name, p[1]);
    }
    close(p[1]);
    char said = 0;
    cr_assert_eq(read(p[0], &said, 1), 1, "the reader took its locks");
    close(p[0]);
    cr_assert_eq(said, 'L', "a reader opened the identity object");

    /* a writer dies mid-write: its claim is recovered by the next writer */
    writer_dies_mid_write(name, 0);
    seqshm_info in;
    cr_assert_eq(seqshm_stat(s, &in), SEQSHM_OK);
    cr_assert(in.busy && !in.writer_alive, "the dead writer is seen dead");
    unsigned char b[4096] = {2};
    long long t0 = mono_ns();
    cr_assert_eq(seqshm_write(s, b, 2000000000LL), SEQSHM_OK,
                 "the dead writer's claim is recovered");
    cr_assert_lt(mono_ns() - t0, 1000000000LL, "within the usual time");

    /* new read-write opens succeed, and take working identities */
    for (int i = 0; i < 8; i++) {
        seqshm *o2;
        cr_assert_eq(seqshm_open(&o2, name, 4096, 0), SEQSHM_OK, "open %d", i);
        cr_assert_eq(seqshm_write(o2, b, 0), SEQSHM_OK);
        seqshm_close(o2);
    }

    /* a sole writer dies: its role is taken over by the next one */
    pid_t w = fork();
    if (w == 0) {
        seqshm *c;
        _exit(seqshm_open(&c, name, 4096, SEQSHM_SOLE_WRITER) == SEQSHM_OK
                  ? 0 : 1);
    }
    cr_assert_eq(wait_child(w), 0, "a sole writer opened (and died)");
    seqshm *sole;
    cr_assert_eq(seqshm_open(&sole, name, 4096, SEQSHM_SOLE_WRITER), SEQSHM_OK,
                 "the dead sole writer's role is taken over");
    cr_assert_eq(seqshm_write(sole, b, 0), SEQSHM_OK);
    seqshm_close(sole);
    seqshm_close(s);
}

/* ------------------------------------------------------------ squatters */

/* Another user takes a name first, with a mode that lets anyone write: the
 * name's owner-to-be does not adopt that segment without asking
 * (SEQSHM_EACCES, errno EPERM; SEQSHM_ANY_OWNER opens it). Another user's
 * segment that others may not write is opened as its mode says. */
Test(security, a_squatters_segment_is_not_adopted)
{
    if (geteuid() != 0)
        SKIP_TEST("needs root to become another user");
    for (unsigned mode = 0644; mode <= 0666; mode += 022) {
        char name[64];
        mode_name(name, "squat", mode);
        pid_t pid = fork();
        if (pid == 0) {
            if (setgroups(0, NULL) != 0 || setgid(NOBODY) != 0 ||
                setuid(NOBODY) != 0)
                _exit(90);
            seqshm_options o = {.flags = SEQSHM_CREATE | SEQSHM_PERSIST,
                                .mode = mode};
            seqshm *s;
            unsigned char b[8] = {0x5a};
            _exit(seqshm_open_opts(&s, name, 8, &o) == SEQSHM_OK &&
                          seqshm_write(s, b, 0) == SEQSHM_OK
                      ? (seqshm_close(s), 0)
                      : 1);
        }
        cr_assert_eq(wait_child(pid), 0, "nobody took %s", name);
        seqshm *s;
        errno = 0;
        int rc = seqshm_open(&s, name, 8, SEQSHM_CREATE);
        if (mode & 0002) {
            cr_assert_eq(rc, SEQSHM_EACCES, "mode %o: adopted silently", mode);
            cr_assert_eq(errno, EPERM);
            cr_assert_eq(seqshm_open(&s, name, 8, SEQSHM_RDONLY), SEQSHM_EACCES);
            cr_assert_eq(seqshm_open(&s, name, 8, SEQSHM_ANY_OWNER), SEQSHM_OK,
                         "opened when asked");
        } else {
            cr_assert_eq(rc, SEQSHM_OK, "mode %o", mode);
        }
        unsigned char b[8];
        cr_assert_eq(seqshm_read(s, b, 0), SEQSHM_OK);
        cr_assert_eq(b[0], 0x5a, "the squatter's segment, as it was");
        seqshm_close(s);
        cr_assert_eq(seqshm_unlink(name), SEQSHM_OK);
    }
}
