/* test_liveness.c - whether a writer lives is the kernel's word, in every
 * deployment: threads that exit, PID and time namespaces, /proc hidden or
 * missing, zombies, forks; and the fixes that came with it (reserved memory,
 * creator identity across fork, close racing unlink, the lost wake-up).
 *
 * A writer is "stopped mid-write" by SIGSTOP from this process while it
 * writes 1 MiB payloads flat out, until the segment shows a write in
 * progress (stop_mid_write); no fault point is needed, so the same helper
 * serves writers that are pid 1 of a namespace (which ignore their own
 * SIGSTOP). Namespace tests need root: where the kernel refuses, they print
 * a SKIP line with the reason. Children leave with _exit() and never assert.
 */
#include "util.h"
#include "../common/pattern.h"
#include "../../src/layout.h"

#include <criterion/criterion.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

TestSuite(liveness, .fini = test_cleanup, .timeout = 60);

#define BIG (1u << 20)
#define MS 1000000LL
#define SKIPPED 77

/* --------------------------------------------------------------- helpers */

/* True once every thread of pid is stopped. */
static bool is_stopped(pid_t pid)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/task", (int)pid);
    DIR *d = opendir(path);
    if (d == NULL)
        return false;
    bool any = false, all = true;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        char p[320], buf[512];
        snprintf(p, sizeof p, "/proc/%d/task/%s/stat", (int)pid, e->d_name);
        FILE *f = fopen(p, "r");
        if (f == NULL)
            continue;
        size_t n = fread(buf, 1, sizeof buf - 1, f);
        fclose(f);
        buf[n] = '\0';
        char *rp = strrchr(buf, ')');
        if (rp == NULL || rp[1] == '\0')
            continue;
        char st = rp[2];
        if (st == 'Z' || st == 'X') /* an exited thread (main) */
            continue;
        any = true;
        all &= st == 'T' || st == 't';
    }
    closedir(d);
    return any && all;
}

static bool wait_stopped(pid_t pid)
{
    for (int i = 0; i < 5000; i++) {
        if (is_stopped(pid))
            return true;
        usleep(1000);
    }
    return false;
}

/* Stops pid (writing flat out to probe's segment) while a write is in
 * progress. Returns the number of tries, 0 if it never managed. */
static int stop_mid_write(pid_t pid, seqshm *probe)
{
    for (int tries = 1; tries <= 200; tries++) {
        kill(pid, SIGSTOP);
        if (!wait_stopped(pid))
            return 0;
        seqshm_info in;
        if (seqshm_stat(probe, &in) == SEQSHM_OK && in.busy &&
            in.version > 0)
            return tries;
        kill(pid, SIGCONT);
        usleep(1000 + (useconds_t)(tries * 37 % 1000));
    }
    return 0;
}

/* Writes pattern payloads flat out, for ever. */
static void flat_writer(const char *name)
{
    seqshm *s;
    if (seqshm_open(&s, name, BIG, 0) != SEQSHM_OK)
        _exit(2);
    unsigned char *buf = malloc(BIG);
    for (uint64_t k = 1;; k++) {
        pattern_fill(buf, BIG, k);
        if (seqshm_write(s, buf, SEQSHM_FOREVER) != SEQSHM_OK)
            _exit(3);
    }
}

/* Why a process made by ns_fork could not set up what its test needs: the
 * call that failed and its errno, written by that process into a page it
 * shares with the test process, which prints it in its SKIP line. */
static char *skip_why;
enum { WHY_LEN = 256 };

static void why(const char *call, int err)
{
    if (skip_why != NULL && skip_why[0] == '\0')
        snprintf(skip_why, WHY_LEN, "%s: %s", call, strerror(err));
}

static const char *skip_reason(void)
{
    return skip_why != NULL && skip_why[0] != '\0' ? skip_why
                                                   : "(no reason recorded)";
}

/* ns_fork's intermediate processes, by the pid of the process they run. */
static pid_t ns_parent[16][2];
static int ns_count;

/* Forks a process in new namespaces `flags` (0: none); returns its pid as
 * this process sees it, 0 in the new process, -1 if the namespaces were
 * refused. With CLONE_NEWPID it is pid 1 of its namespace; with
 * CLONE_NEWTIME its boot-time clock is shifted by a day. An intermediate
 * process reaps it and leaves with its status: ns_wait() waits for that. */
static pid_t ns_fork(int flags)
{
    int p[2];
    if (skip_why == NULL) {
        void *m = mmap(NULL, WHY_LEN, PROT_READ | PROT_WRITE,
                       MAP_SHARED | MAP_ANONYMOUS, -1, 0);
        skip_why = m == MAP_FAILED ? NULL : m;
    }
    if (skip_why != NULL)
        skip_why[0] = '\0';
    if (pipe(p) != 0)
        return -1;
    pid_t c = fork();
    if (c == 0) {
        close(p[0]);
        pid_t g = -1;
        if (flags != 0 && unshare(flags) != 0) {
            why(flags & CLONE_NEWPID    ? "unshare(CLONE_NEWPID)"
                : flags & CLONE_NEWTIME ? "unshare(CLONE_NEWTIME)"
                                        : "unshare(CLONE_NEWNS)",
                errno);
        } else {
            if (flags & CLONE_NEWTIME) {
                FILE *f = fopen("/proc/self/timens_offsets", "w");
                if (f == NULL || fprintf(f, "boottime 86400 0\n") < 0 ||
                    fclose(f) != 0) {
                    why("writing /proc/self/timens_offsets", errno);
                    _exit(SKIPPED);
                }
            }
            g = fork();
        }
        if (g == 0) {
            close(p[1]);
            return 0;
        }
        (void)!write(p[1], &g, sizeof g);
        close(p[1]);
        if (g < 0)
            _exit(SKIPPED);
        int st;
        waitpid(g, &st, 0);
        _exit(WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st));
    }
    close(p[1]);
    pid_t g = -1;
    if (read(p[0], &g, sizeof g) != (ssize_t)sizeof g)
        g = -1;
    close(p[0]);
    test_child(c);
    if (g < 0) {
        wait_child(c);
        return -1;
    }
    if (ns_count < 16) {
        ns_parent[ns_count][0] = g;
        ns_parent[ns_count++][1] = c;
    }
    return test_child(g);
}

/* The exit status of a process made by ns_fork (as wait_child). */
static int ns_wait(pid_t g)
{
    for (int i = 0; i < ns_count; i++)
        if (ns_parent[i][0] == g)
            return wait_child(ns_parent[i][1]);
    return -1;
}

/* What a second writer sees while the first is stopped mid-write: its write
 * must time out (the claim is live), and a read must never return torn data
 * with OK. Exit 0: as it should; 1: the live claim was taken; 2: a torn
 * read returned OK; 3: open failed. */
static int probe_live_claim(const char *name)
{
    seqshm *s;
    if (seqshm_open(&s, name, BIG, 0) != SEQSHM_OK)
        return 3;
    unsigned char *buf = malloc(BIG);
    memset(buf, 0x5a, BIG);
    int verdict = 0;
    if (seqshm_write(s, buf, 300 * MS) != SEQSHM_ETIMEDOUT) {
        verdict = 1;
    } else {
        uint64_t v, k;
        int rc = seqshm_read_versioned(s, buf, &v, 100 * MS);
        if (rc == SEQSHM_OK && !(pattern_check(buf, BIG, &k) && k == v))
            verdict = 2;
    }
    free(buf);
    seqshm_close(s);
    return verdict;
}

/* The dead writer's claim is recovered: a write succeeds within 2 s. */
static int probe_dead_claim(const char *name)
{
    seqshm *s;
    if (seqshm_open(&s, name, BIG, 0) != SEQSHM_OK)
        return 3;
    unsigned char *buf = malloc(BIG);
    pattern_fill(buf, BIG, seqshm_version(s) + 1);
    int verdict = seqshm_write(s, buf, 2000 * MS) == SEQSHM_OK ? 0 : 1;
    free(buf);
    seqshm_close(s);
    return verdict;
}

/* The test's own handle, also reachable from here, so that the children
 * that leave with _exit() while it is open are not reported as leaking it. */
static seqshm *volatile under_test;

static seqshm *make_segment(char *name, size_t cap, const char *tag,
                            unsigned layout)
{
    seqshm *s;
    test_name(name, cap, tag);
    seqshm_options o = {.flags = SEQSHM_CREATE | layout, .mode = 0666, .type_tag = 0};
    cr_assert_eq(seqshm_open_opts(&s, name, BIG, &o), SEQSHM_OK);
    return under_test = s;
}

/* Runs probe_live_claim in a process of its own set up by `enter` (which
 * returns 0, or SKIPPED with the reason in *why). */
static int live_probe_in(int flags, int (*enter)(void), const char *name)
{
    pid_t pid = ns_fork(flags);
    if (pid == 0) {
        int rc = enter != NULL ? enter() : 0;
        _exit(rc != 0 ? rc : probe_live_claim(name));
    }
    if (pid < 0)
        return SKIPPED;
    return ns_wait(pid);
}

static const char *probe_verdict(int rc)
{
    switch (rc) {
    case 0: return "ok";
    case 1: return "the live writer's claim was taken";
    case 2: return "a torn payload was returned with SEQSHM_OK";
    case 3: return "open failed";
    default: return "the probe failed";
    }
}

/* ----------------------------------------------------- threads and zombies */

static void *writing_thread(void *arg)
{
    flat_writer(arg);
    return NULL;
}

/* The writer's main thread has called pthread_exit(); another thread
 * writes. The process lives: its claim is never taken. */
Test(liveness, main_thread_exit_leaves_the_writer_alive)
{
    for (int l = 0; l < 3; l++) {
        char name[64];
        seqshm *r = make_segment(name, sizeof name, "mainexit", test_layouts[l]);
        pid_t w = test_child(fork());
        if (w == 0) {
            pthread_t t;
            if (pthread_create(&t, NULL, writing_thread, name) != 0)
                _exit(5);
            pthread_exit(NULL);
        }
        cr_assert_gt(stop_mid_write(w, r), 0, "the writer never stopped mid-write");
        int rc = live_probe_in(0, NULL, name);
        cr_assert_eq(rc, 0, "%s: %s", layout_name(test_layouts[l]),
                     probe_verdict(rc));
        kill(w, SIGKILL);
        wait_child(w);
        cr_assert_eq(live_probe_in(0, NULL, name), 1, "dead now: taken over");
        seqshm_close(r);
    }
}

/* ------------------------------------------------------------ namespaces */

/* Writer pid 1 of a new PID namespace: its live claim is never taken from
 * outside; killed, it is recovered. */
Test(liveness, pid_namespace_writer)
{
    for (int l = 0; l < 2; l++) {
        char name[64];
        seqshm *r = make_segment(name, sizeof name, "pidns", test_layouts[l]);
        pid_t w = ns_fork(CLONE_NEWPID);
        if (w == 0)
            flat_writer(name);
        if (w < 0) {
            seqshm_close(r);
            SKIP_TEST(skip_reason());
            return;
        }
        cr_assert_gt(stop_mid_write(w, r), 0);
        int rc = live_probe_in(0, NULL, name);
        cr_assert_eq(rc, 0, "%s: %s", layout_name(test_layouts[l]),
                     probe_verdict(rc));
        kill(w, SIGKILL);
        pid_t p = ns_fork(0);
        if (p == 0)
            _exit(probe_dead_claim(name));
        cr_assert_eq(ns_wait(p), 0, "the dead writer's claim is recovered");
        seqshm_close(r);
    }
}

/* Two writers, each pid 1 of a sibling PID namespace: one is stopped
 * mid-write, the other starts and waits for its claim; the first is
 * killed, and the other takes its claim over. */
Test(liveness, sibling_pid1_writers)
{
    char name[64];
    seqshm *r = make_segment(name, sizeof name, "sibling", 0);
    pid_t a = ns_fork(CLONE_NEWPID);
    if (a == 0)
        flat_writer(name);
    if (a < 0) {
        seqshm_close(r);
        SKIP_TEST(skip_reason());
        return;
    }
    /* a stopped mid-write first, then b started: b waits for a's live
     * claim (stopping b too could catch it holding the claim itself) */
    cr_assert_gt(stop_mid_write(a, r), 0);
    uint64_t v0 = seqshm_version(r);
    pid_t b = ns_fork(CLONE_NEWPID);
    if (b == 0)
        flat_writer(name);
    if (b < 0) {
        seqshm_close(r);
        SKIP_TEST(skip_reason());
        return;
    }
    usleep(100000); /* b is waiting for the claim by now */
    cr_assert_eq(seqshm_version(r), v0, "the stopped writer's claim held");
    kill(a, SIGKILL);
    long long t0 = mono_ns();
    while (seqshm_version(r) <= v0 && mono_ns() - t0 < 2000 * MS)
        usleep(1000);
    cr_assert_gt(seqshm_version(r), v0, "the other pid 1 recovered the claim");
    seqshm_close(r);
}

/* Writer in a time namespace whose boot-time clock is a day ahead. */
Test(liveness, time_namespace_writer)
{
    char name[64];
    seqshm *r = make_segment(name, sizeof name, "timens", 0);
    pid_t w = ns_fork(CLONE_NEWTIME);
    if (w == 0)
        flat_writer(name);
    if (w < 0) {
        seqshm_close(r);
        SKIP_TEST(skip_reason());
        return;
    }
    cr_assert_gt(stop_mid_write(w, r), 0);
    int rc = live_probe_in(0, NULL, name);
    cr_assert_eq(rc, 0, "%s", probe_verdict(rc));
    seqshm_close(r);
}

/* In a new mount namespace, makes private what this process will mount
 * over (`target`), so that nothing it mounts reaches the host's namespace:
 * all of "/" where "/" is a mount point; in a chroot, where it is not
 * (EINVAL), the mount at `target` itself, which then must be one. */
static int private_mounts(const char *target)
{
    if (mount("none", "/", "none", MS_REC | MS_PRIVATE, NULL) == 0)
        return 0;
    int e = errno;
    if (e == EINVAL &&
        mount("none", target, "none", MS_REC | MS_PRIVATE, NULL) == 0)
        return 0;
    char call[128];
    snprintf(call, sizeof call,
             e == EINVAL ? "mount(\"/\" and \"%s\", MS_PRIVATE): neither is a "
                           "mount point"
                         : "mount(\"/\", MS_PRIVATE) before mounting on %s",
             target);
    why(call, e == EINVAL ? errno : e);
    return SKIPPED;
}

/* mount(2) of `type` on `target`, or the reason in skip_why. */
static int mount_on(const char *target, const char *type, unsigned long flags,
                    const char *data)
{
    if (mount(type, target, type, flags, data) == 0)
        return 0;
    char call[128];
    snprintf(call, sizeof call, "mount(%s on %s, \"%s\")", type, target,
             data);
    why(call, errno);
    return SKIPPED;
}

static int without_proc(void)
{
    if (private_mounts("/proc") != 0 ||
        mount_on("/proc", "tmpfs", 0, "size=4k") != 0)
        return SKIPPED;
    return access("/proc/self/stat", F_OK) == 0 ? 4 : 0;
}

static int hidepid_nobody(void)
{
    if (private_mounts("/proc") != 0 ||
        mount_on("/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC,
                 "hidepid=2") != 0)
        return SKIPPED;
    if (setgroups(0, NULL) != 0 || setgid(65534) != 0 || setuid(65534) != 0) {
        why("becoming nobody (setgroups, setgid, setuid 65534)", errno);
        return SKIPPED;
    }
    return 0;
}

/* The prober sees no /proc at all (a minimal container or chroot). */
Test(liveness, prober_without_proc)
{
    for (int l = 0; l < 2; l++) {
        char name[64];
        seqshm *r = make_segment(name, sizeof name, "noproc", test_layouts[l]);
        pid_t w = test_child(fork());
        if (w == 0)
            flat_writer(name);
        cr_assert_gt(stop_mid_write(w, r), 0);
        int rc = live_probe_in(CLONE_NEWNS, without_proc, name);
        if (rc == SKIPPED) {
            seqshm_close(r);
            SKIP_TEST(skip_reason());
            return;
        }
        cr_assert_eq(rc, 0, "%s: %s", layout_name(test_layouts[l]),
                     probe_verdict(rc));
        seqshm_close(r);
    }
}

/* /proc mounted hidepid=2; the writer is root, the prober nobody. */
Test(liveness, prober_with_hidepid)
{
    char name[64];
    seqshm *r = make_segment(name, sizeof name, "hidepid", 0);
    pid_t w = test_child(fork());
    if (w == 0)
        flat_writer(name);
    cr_assert_gt(stop_mid_write(w, r), 0);
    int rc = live_probe_in(CLONE_NEWNS, hidepid_nobody, name);
    if (rc == SKIPPED) {
        seqshm_close(r);
        SKIP_TEST(skip_reason());
        return;
    }
    cr_assert_eq(rc, 0, "%s", probe_verdict(rc));
    seqshm_close(r);
}

/* A killed writer is dead before it is reaped (a zombie), also for a
 * prober that cannot see its /proc entry. */
Test(liveness, zombie_is_dead_at_once)
{
    char name[64];
    seqshm *r = make_segment(name, sizeof name, "zombie", 0);
    pid_t w = test_child(fork());
    if (w == 0)
        flat_writer(name);
    cr_assert_gt(stop_mid_write(w, r), 0);
    kill(w, SIGKILL);
    siginfo_t info; /* dead, not reaped */
    cr_assert_eq(waitid(P_PID, (id_t)w, &info, WEXITED | WNOWAIT), 0);
    seqshm_info in;
    cr_assert_eq(seqshm_stat(r, &in), SEQSHM_OK);
    cr_assert_not(in.writer_alive);
    unsigned char *buf = malloc(BIG);
    cr_assert_eq(seqshm_read(r, buf, 1000 * MS), SEQSHM_EOWNERDEAD);
    free(buf);
    pid_t p = ns_fork(0);
    if (p == 0)
        _exit(probe_dead_claim(name));
    cr_assert_eq(ns_wait(p), 0);
    wait_child(w);
    seqshm_close(r);
}

/* ------------------------------------------------------------------ fork */

/* A child that never touches its inherited handle keeps its parent's
 * identity alive (documented in seqshm.h): the parent dies mid-write, the
 * claim is recovered only once that child is gone. A child that wrote
 * through the handle first has an identity of its own and does not. */
static void parent_dies_mid_write(bool child_writes, const char *tag)
{
    char name[64];
    seqshm *r = make_segment(name, sizeof name, tag, 0);
    int p[2];
    cr_assert_eq(pipe(p), 0);
    pid_t a = test_child(fork());
    if (a == 0) {
        seqshm *s;
        if (seqshm_open(&s, name, BIG, 0) != SEQSHM_OK)
            _exit(2);
        pid_t b = fork();
        if (b == 0) {
            if (child_writes) {
                unsigned char *buf = calloc(1, BIG);
                pattern_fill(buf, BIG, seqshm_version(s) + 1);
                if (seqshm_write(s, buf, SEQSHM_FOREVER) != SEQSHM_OK)
                    _exit(3);
            }
            for (;;)
                pause();
        }
        (void)!write(p[1], &b, sizeof b);
        usleep(50000);
        unsigned char *buf = malloc(BIG);
        for (uint64_t k = seqshm_version(s) + 1;; k++) {
            pattern_fill(buf, BIG, k);
            seqshm_write(s, buf, SEQSHM_FOREVER);
        }
    }
    close(p[1]);
    pid_t b = -1;
    cr_assert_eq(read(p[0], &b, sizeof b), (ssize_t)sizeof b);
    close(p[0]);
    test_child(b);
    usleep(100000);
    cr_assert_gt(stop_mid_write(a, r), 0);
    kill(a, SIGKILL);
    wait_child(a);
    int rc = live_probe_in(0, NULL, name);
    if (child_writes) {
        cr_assert_eq(rc, 1, "the child's own identity: the parent is dead (%d)", rc);
    } else {
        cr_assert_eq(rc, 0, "the child still holds the parent's identity");
        kill(b, SIGKILL);
        wait_child(b);
        pid_t q = ns_fork(0);
        if (q == 0)
            _exit(probe_dead_claim(name));
        cr_assert_eq(ns_wait(q), 0, "recovered once the child is gone");
    }
    seqshm_close(r);
}

Test(liveness, idle_child_keeps_parent_identity)
{
    parent_dies_mid_write(false, "idlechild");
}

Test(liveness, writing_child_has_its_own_identity)
{
    parent_dies_mid_write(true, "writechild");
}

/* A forked child that closes the creator's handle does not unlink. */
Test(liveness, forked_child_close_does_not_unlink)
{
    char name[64];
    seqshm *s, *o;
    test_name(name, sizeof name, "forkclose");
    cr_assert_eq(seqshm_open(&s, name, 64, SEQSHM_CREATE), SEQSHM_OK);
    cr_assert(seqshm_is_creator(s));
    pid_t c = fork();
    if (c == 0) {
        int creator = seqshm_is_creator(s);
        seqshm_close(s);
        _exit(creator ? 1 : 0);
    }
    cr_assert_eq(wait_child(c), 0, "the child is not the creator");
    cr_assert_eq(seqshm_open(&o, name, 64, 0), SEQSHM_OK, "still named");
    unsigned char b[64];
    memset(b, 7, sizeof b);
    cr_assert_eq(seqshm_write(s, b, 0), SEQSHM_OK);
    cr_assert_eq(seqshm_read(o, b, 0), SEQSHM_OK);
    cr_assert_eq(b[63], 7, "the same segment");
    seqshm_close(o);
    seqshm_close(s);
}

/* A creator's close is stopped between its same-object check and its
 * unlink; meanwhile another process unlinks the name and creates a new
 * segment under it. The new segment must keep its name. */
Test(liveness, close_never_unlinks_a_newer_segment)
{
    char name[64];
    test_name(name, sizeof name, "closerace");
    pid_t a = test_child(fork());
    if (a == 0) {
        seqshm *s;
        if (seqshm_open(&s, name, 64, SEQSHM_CREATE | SEQSHM_EXCL) != SEQSHM_OK)
            _exit(2);
        setenv("SEQSHM_FAULT", "close_checked:stop", 1);
        seqshm_close(s);
        _exit(0);
    }
    siginfo_t info;
    cr_assert_eq(waitid(P_PID, (id_t)a, &info, WSTOPPED | WNOWAIT), 0);
    pid_t b = test_child(fork());
    if (b == 0) {
        seqshm *s;
        int rc = seqshm_unlink(name);
        if (rc != SEQSHM_OK && rc != SEQSHM_ENOENT)
            _exit(2);
        if (seqshm_open(&s, name, 64, SEQSHM_CREATE | SEQSHM_EXCL |
                                          SEQSHM_PERSIST) != SEQSHM_OK)
            _exit(3);
        unsigned char m[64];
        memset(m, 0x42, sizeof m);
        _exit(seqshm_write(s, m, 0) == SEQSHM_OK ? 0 : 4);
    }
    usleep(200000);
    int st;
    cr_assert_eq(waitpid(b, &st, WNOHANG), 0,
                 "the unlink waits for the close in progress");
    kill(a, SIGCONT);
    cr_assert_eq(wait_child(a), 0);
    cr_assert_eq(wait_child(b), 0);
    seqshm *s;
    cr_assert_eq(seqshm_open(&s, name, 64, 0), SEQSHM_OK,
                 "the newer segment keeps its name");
    unsigned char m[64];
    cr_assert_eq(seqshm_read(s, m, 0), SEQSHM_OK);
    cr_assert_eq(m[0], 0x42);
    seqshm_close(s);
    seqshm_unlink(name);
}

/* ------------------------------------------------------ reserved memory */

static int count_entries(const char *dir)
{
    DIR *d = opendir(dir);
    int n = 0;
    if (d == NULL)
        return -1;
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        n += e->d_name[0] != '.';
    closedir(d);
    return n;
}

/* A /dev/shm of 1 MiB: a 4 MiB segment is refused at open with ENOSPC and
 * nothing is left behind; one that fits works. */
Test(liveness, small_dev_shm_refused_at_open)
{
    pid_t p = ns_fork(CLONE_NEWNS);
    if (p == 0) {
        if (private_mounts("/dev/shm") != 0 ||
            mount_on("/dev/shm", "tmpfs", 0, "size=1m") != 0)
            _exit(SKIPPED);
        seqshm *s;
        errno = 0;
        int rc = seqshm_open(&s, "big", 4u << 20, SEQSHM_CREATE);
        if (rc != SEQSHM_ESYS || errno != ENOSPC)
            _exit(1);
        if (count_entries("/dev/shm") != 0)
            _exit(2);
        if (seqshm_open(&s, "fits", 256u << 10, SEQSHM_CREATE) != SEQSHM_OK)
            _exit(3);
        unsigned char *b = calloc(1, 256u << 10);
        rc = seqshm_write(s, b, 0);
        free(b);
        seqshm_close(s);
        if (rc != SEQSHM_OK)
            _exit(4);
        _exit(count_entries("/dev/shm") == 0 ? 0 : 5);
    }
    if (p < 0) {
        SKIP_TEST(skip_reason());
        return;
    }
    int rc = ns_wait(p);
    if (rc == SKIPPED) {
        SKIP_TEST(skip_reason());
        return;
    }
    cr_assert_eq(rc, 0, "step %d failed (1: open not ESYS/ENOSPC, 2: left "
                        "behind, 3-5: a segment that fits)", rc);
}

/* --------------------------------------------------------- lost wake-up */

/* The lost wake-up of the wait protocol, forced: another waiter's flag is
 * set; writer W publishes and stops before it looks at the flag; waiter A
 * finds the flag set and stops right after announcing; W clears the flag
 * and bumps the futex word; A goes to sleep. The next write must wake A. */
Test(liveness, waiter_stopped_at_announce_is_woken)
{
    char name[64];
    seqshm *s;
    unsigned char b[64] = {0};
    test_name(name, sizeof name, "lostwake");
    cr_assert_eq(seqshm_open(&s, name, 64, SEQSHM_CREATE), SEQSHM_OK);
    cr_assert_eq(seqshm_write(s, b, 0), SEQSHM_OK); /* version 1 */
    unsigned char *m = map_segment(name, SLOTS_OFFSET);
    cr_assert_neq(m, MAP_FAILED);
    struct seqshm_wait_line *wl = (void *)(m + WAIT_LINE_OFFSET);
    atomic_store(&wl->waiting, 1); /* as if another waiter had announced */

    pid_t w = test_child(fork());
    if (w == 0) {
        seqshm *c;
        if (seqshm_open(&c, name, 64, 0) != SEQSHM_OK)
            _exit(2);
        setenv("SEQSHM_FAULT", "before_wake:stop", 1);
        _exit(seqshm_write(c, b, 0) == SEQSHM_OK ? 0 : 3); /* version 2 */
    }
    siginfo_t info;
    cr_assert_eq(waitid(P_PID, (id_t)w, &info, WSTOPPED | WNOWAIT), 0);
    cr_assert_eq(seqshm_version(s), 2);
    pid_t a = test_child(fork());
    if (a == 0) {
        seqshm *c;
        if (seqshm_open(&c, name, 64, 0) != SEQSHM_OK)
            _exit(2);
        setenv("SEQSHM_FAULT", "wait_announced:stop", 1);
        _exit(seqshm_wait(c, 2, 3000 * MS) == SEQSHM_OK ? 0 : 1);
    }
    cr_assert_eq(waitid(P_PID, (id_t)a, &info, WSTOPPED | WNOWAIT), 0);
    kill(w, SIGCONT);
    cr_assert_eq(wait_child(w), 0);
    kill(a, SIGCONT);
    usleep(50000); /* A is asleep by now */
    long long t0 = mono_ns();
    cr_assert_eq(seqshm_write(s, b, 0), SEQSHM_OK); /* version 3 */
    cr_assert_eq(wait_child(a), 0, "the waiter slept through the write");
    cr_assert_lt(mono_ns() - t0, 1000 * MS, "woken by the write, not a timeout");
    munmap(m, SLOTS_OFFSET);
    seqshm_close(s);
}
