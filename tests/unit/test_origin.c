/* test_origin.c - copies of other segments: the origin fixed at creation
 * and checked at open, the copier's records (whole under a recorder in
 * another process, and after one killed mid-record), and seqshm_remove.
 * Children leave with _exit() or die; they never assert. */
#include "util.h"

#include <criterion/criterion.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

TestSuite(origin, .fini = test_cleanup, .timeout = 60);

#define SIZE 64
#define ORIGIN "nats-kv:seqshm/pose"

/* Handles a child leaves with _exit() or dies holding, kept reachable so
 * that valgrind does not count them as leaked. */
static seqshm *volatile kept[2];

static seqshm *copy(const char *name, const char *origin, unsigned flags)
{
    seqshm_options o = {.flags = flags, .origin = origin};
    seqshm *s = NULL;
    int rc = seqshm_open_opts(&s, name, SIZE, &o);
    cr_assert_eq(rc, SEQSHM_OK, "%s: %s", name, seqshm_strerror(rc));
    return s;
}

static int open_with(const char *name, const char *origin, unsigned flags)
{
    seqshm_options o = {.flags = flags, .origin = origin};
    seqshm *s = NULL;
    int rc = seqshm_open_opts(&s, name, SIZE, &o);
    seqshm_close(s);
    return rc;
}

Test(origin, is_fixed_at_creation_and_checked_at_open)
{
    char name[64], plain[64];
    test_name(name, sizeof name, "copy");
    seqshm *c = copy(name, ORIGIN, SEQSHM_CREATE | SEQSHM_SOLE_WRITER);
    seqshm_origin_info in;
    cr_assert_eq(seqshm_origin(c, &in), SEQSHM_OK);
    cr_assert_str_eq(in.origin, ORIGIN);
    cr_assert_eq(in.source_version, 0, "nothing recorded yet");
    cr_assert_eq(in.refreshed_ns, 0);
    cr_assert_not(in.stale);

    cr_assert_eq(open_with(name, ORIGIN, SEQSHM_RDONLY), SEQSHM_OK);
    cr_assert_eq(open_with(name, NULL, SEQSHM_RDONLY), SEQSHM_OK,
                 "a reader need not know the origin");
    cr_assert_eq(open_with(name, "nats-kv:other/pose", SEQSHM_CREATE),
                 SEQSHM_ETYPE, "another source's copier does not adopt it");

    /* a segment that is no copy is never adopted by a copier */
    seqshm *p;
    test_name(plain, sizeof plain, "plain");
    cr_assert_eq(seqshm_open(&p, plain, SIZE, SEQSHM_CREATE), SEQSHM_OK);
    cr_assert_eq(seqshm_origin(p, &in), SEQSHM_OK);
    cr_assert_str_eq(in.origin, "");
    cr_assert_eq(open_with(plain, ORIGIN, SEQSHM_CREATE | SEQSHM_SOLE_WRITER),
                 SEQSHM_ETYPE);
    seqshm_origin_info rec = {.source_version = 1};
    cr_assert_eq(seqshm_origin_update(p, &rec), SEQSHM_EINVAL,
                 "no copy, no record");
    seqshm_close(p);
    seqshm_close(c);
}

Test(origin, bad_origins_are_einval)
{
    char name[64], long_one[SEQSHM_ORIGIN_MAX + 2];
    test_name(name, sizeof name, "bad");
    memset(long_one, 'a', sizeof long_one - 1);
    long_one[sizeof long_one - 1] = '\0';
    cr_assert_eq(open_with(name, "", SEQSHM_CREATE), SEQSHM_EINVAL);
    cr_assert_eq(open_with(name, "tab\there", SEQSHM_CREATE), SEQSHM_EINVAL);
    cr_assert_eq(open_with(name, "caf\xc3\xa9", SEQSHM_CREATE), SEQSHM_EINVAL);
    cr_assert_eq(open_with(name, long_one, SEQSHM_CREATE), SEQSHM_EINVAL);
    long_one[SEQSHM_ORIGIN_MAX] = '\0';
    cr_assert_eq(open_with(name, long_one, SEQSHM_CREATE), SEQSHM_OK,
                 "SEQSHM_ORIGIN_MAX characters fit");
}

Test(origin, only_the_sole_writer_records)
{
    char name[64];
    test_name(name, sizeof name, "rec");
    seqshm *c = copy(name, ORIGIN, SEQSHM_CREATE);
    seqshm *ro = copy(name, NULL, SEQSHM_RDONLY);
    seqshm_origin_info rec = {.source_version = 7, .source_time_ns = 70,
                              .refreshed_ns = 700, .stale = true};
    cr_assert_eq(seqshm_origin_update(c, &rec), SEQSHM_EBUSY,
                 "not the sole writer");
    cr_assert_eq(seqshm_origin_update(ro, &rec), SEQSHM_EACCES);
    cr_assert_eq(seqshm_origin_update(c, NULL), SEQSHM_EINVAL);
    seqshm *w = copy(name, ORIGIN, SEQSHM_SOLE_WRITER);
    cr_assert_eq(seqshm_origin_update(w, &rec), SEQSHM_OK);
    seqshm_origin_info in;
    cr_assert_eq(seqshm_origin(ro, &in), SEQSHM_OK);
    cr_assert_eq(in.source_version, 7);
    cr_assert_eq(in.source_time_ns, 70);
    cr_assert_eq(in.refreshed_ns, 700);
    cr_assert(in.stale);
    rec.stale = false;
    rec.refreshed_ns = 800;
    cr_assert_eq(seqshm_origin_update(w, &rec), SEQSHM_OK);
    cr_assert_eq(seqshm_origin(ro, &in), SEQSHM_OK);
    cr_assert_eq(in.refreshed_ns, 800);
    cr_assert_not(in.stale);
    cr_assert_eq(seqshm_origin(NULL, &in), SEQSHM_EINVAL);
    seqshm_close(w);
    seqshm_close(ro);
    seqshm_close(c);
}

/* A child that takes the role and records v, 2v, 3v for v = 1, 2, ...:
 * until *stop, or (stop NULL) `last` records, the last one killed by the
 * fault after its first word. */
static pid_t recorder(const char *name, seqshm *c, _Atomic int *stop,
                      uint64_t last)
{
    pid_t pid = fork();
    if (pid == 0) {
        seqshm_options o = {.flags = SEQSHM_SOLE_WRITER, .origin = ORIGIN};
        seqshm *w;
        kept[0] = c;
        if (seqshm_open_opts(&w, name, SIZE, &o) != SEQSHM_OK)
            _exit(3);
        kept[1] = w;
        for (uint64_t v = 1; stop != NULL ? !*stop : v <= last; v++) {
            seqshm_origin_info r = {.source_version = v,
                                    .source_time_ns = 2 * v,
                                    .refreshed_ns = 3 * v};
            if (stop == NULL && v == last)
                setenv("SEQSHM_FAULT", "mid_record", 1);
            if (seqshm_origin_update(w, &r) != SEQSHM_OK)
                _exit(4);
        }
        seqshm_close(w);
        _exit(stop != NULL ? 0 : 5);
    }
    return test_child(pid);
}

/* A recorder in another process records without pause, each record's three
 * words tied together (v, 2v, 3v); the reader never gets a mix, and it
 * counts how many records it read that the recorder had moved past. */
Test(origin, records_are_read_whole)
{
    char name[64];
    test_name(name, sizeof name, "whole");
    seqshm *c = copy(name, ORIGIN, SEQSHM_CREATE);
    _Atomic int *stop = mmap(NULL, sizeof *stop, PROT_READ | PROT_WRITE,
                             MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    cr_assert_neq(stop, MAP_FAILED);
    pid_t pid = recorder(name, c, stop, 0);
    uint64_t reads = 0, changed = 0, last = 0, timeouts = 0;
    long long end = mono_ns() + 300000000LL;
    while (mono_ns() < end || changed < 1000) {
        seqshm_origin_info in;
        int rc = seqshm_origin(c, &in);
        if (rc == SEQSHM_ETIMEDOUT) {
            timeouts++;
            continue;
        }
        cr_assert_eq(rc, SEQSHM_OK);
        cr_assert_eq(in.source_time_ns, 2 * in.source_version,
                     "a whole record: %llu %llu",
                     (unsigned long long)in.source_version,
                     (unsigned long long)in.source_time_ns);
        cr_assert_eq(in.refreshed_ns, 3 * in.source_version);
        cr_assert_geq(in.source_version, last, "records never go back");
        changed += in.source_version != last;
        last = in.source_version;
        reads++;
        if (mono_ns() > end + 10000000000LL)
            break;
    }
    *stop = 1;
    cr_assert_eq(wait_child(pid), 0);
    cr_log_info("origin: %llu reads, %llu saw a new record, %llu timeouts",
                (unsigned long long)reads, (unsigned long long)changed,
                (unsigned long long)timeouts);
    cr_assert_geq(changed, 1000, "the reader met a recorder at work");
    seqshm_close(c);
}

/* A recorder killed after one word of three: readers get the last whole
 * record, and the next sole writer records over it. */
Test(origin, recorder_killed_mid_record)
{
    char name[64];
    test_name(name, sizeof name, "killed");
    seqshm *c = copy(name, ORIGIN, SEQSHM_CREATE);
    pid_t pid = recorder(name, c, NULL, 5);
    cr_assert_eq(wait_child(pid), 128 + SIGKILL, "killed mid-record");
    seqshm_origin_info in;
    cr_assert_eq(seqshm_origin(c, &in), SEQSHM_OK);
    cr_assert_eq(in.source_version, 4, "the last whole record");
    cr_assert_eq(in.source_time_ns, 8);
    cr_assert_eq(in.refreshed_ns, 12);
    seqshm *w = copy(name, ORIGIN, SEQSHM_SOLE_WRITER);
    seqshm_origin_info r = {.source_version = 9, .source_time_ns = 18,
                            .refreshed_ns = 27};
    cr_assert_eq(seqshm_origin_update(w, &r), SEQSHM_OK);
    cr_assert_eq(seqshm_origin(c, &in), SEQSHM_OK);
    cr_assert_eq(in.source_version, 9);
    cr_assert_eq(in.source_time_ns, 18);
    seqshm_close(w);
    seqshm_close(c);
}

/* seqshm_remove removes the name only while it names the handle's own
 * segment. */
Test(origin, remove_takes_only_its_own_name)
{
    char name[64];
    test_name(name, sizeof name, "remove");
    seqshm *c = copy(name, ORIGIN, SEQSHM_CREATE | SEQSHM_PERSIST);
    seqshm_close(c); /* a copier that died and left its copy */
    seqshm *adopted = copy(name, ORIGIN, SEQSHM_CREATE | SEQSHM_SOLE_WRITER);
    cr_assert_not(seqshm_is_creator(adopted));
    cr_assert_eq(seqshm_remove(adopted), SEQSHM_OK);
    seqshm *s;
    cr_assert_eq(seqshm_open(&s, name, 0, SEQSHM_RDONLY), SEQSHM_ENOENT);

    seqshm *other = copy(name, NULL, SEQSHM_CREATE);
    cr_assert_eq(seqshm_remove(adopted), SEQSHM_OK);
    cr_assert_eq(seqshm_open(&s, name, 0, SEQSHM_RDONLY), SEQSHM_OK,
                 "a newer segment of the name stays");
    seqshm_close(s);
    cr_assert_eq(seqshm_remove(NULL), SEQSHM_EINVAL);
    seqshm_close(adopted);
    seqshm_close(other);
}
