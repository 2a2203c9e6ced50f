/* test_procs.c - real processes: concurrent creators, fork and exec peers,
 * in every layout. Children leave with _exit() and never assert. */
#include "util.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

TestSuite(procs, .fini = test_cleanup);

#define CREATORS 8

/* A child: wait at the start gate, open with CREATE, report, write its own
 * byte, wait at the end gate (so no creator unlinks early), close. */
static void creator_child(const char *name, unsigned layout, int idx,
                          int gate, int report, int end)
{
    char c;
    seqshm *s;
    (void)!read(gate, &c, 1); /* EOF when the parent opens the gate */
    int st = seqshm_open(&s, name, CREATORS, SEQSHM_CREATE | layout);
    char r = st != SEQSHM_OK ? 'E' : seqshm_is_creator(s) ? 'C' : 'O';
    if (st == SEQSHM_OK) {
        unsigned char one = 1;
        if (seqshm_write_partial(s, &one, 1, (size_t)idx, SEQSHM_FOREVER) !=
            SEQSHM_OK)
            r = 'W';
    }
    (void)!write(report, &r, 1);
    (void)!read(end, &c, 1);
    seqshm_close(s);
    _exit(0);
}

Test(procs, exactly_one_of_many_concurrent_creators)
{
    for (int round = 0; round < 30; round++) {
        unsigned layout = test_layouts[round % 3];
        char name[64], tag[16];
        snprintf(tag, sizeof tag, "cc%d", round);
        test_name(name, sizeof name, tag);
        int gate[2], report[2], end[2];
        cr_assert_eq(pipe(gate), 0);
        cr_assert_eq(pipe(report), 0);
        cr_assert_eq(pipe(end), 0);
        pid_t kids[CREATORS];
        for (int i = 0; i < CREATORS; i++) {
            kids[i] = fork();
            cr_assert_geq(kids[i], 0);
            if (kids[i] == 0) {
                close(gate[1]);
                close(end[1]);
                creator_child(name, layout, i, gate[0], report[1], end[0]);
            }
        }
        close(gate[0]);
        close(end[0]);
        close(report[1]);
        close(gate[1]); /* go */
        int creators = 0, openers = 0;
        char r;
        for (int i = 0; i < CREATORS; i++) {
            cr_assert_eq(read(report[0], &r, 1), 1);
            creators += r == 'C';
            openers += r == 'O';
        }
        /* all still hold their handles: check they shared one segment */
        seqshm *s;
        unsigned char bytes[CREATORS];
        cr_assert_eq(seqshm_open(&s, name, CREATORS, SEQSHM_RDONLY), SEQSHM_OK);
        cr_assert_eq(seqshm_read(s, bytes, SEQSHM_FOREVER), SEQSHM_OK);
        cr_assert_eq(seqshm_layout(s), layout);
        cr_assert_eq(seqshm_version(s), CREATORS);
        seqshm_close(s);
        close(end[1]);
        for (int i = 0; i < CREATORS; i++)
            cr_assert_eq(wait_child(kids[i]), 0);
        close(report[0]);
        cr_assert_eq(creators, 1, "round %d: %d creators", round, creators);
        cr_assert_eq(openers, CREATORS - 1);
        for (int i = 0; i < CREATORS; i++)
            cr_assert_eq(bytes[i], 1, "child %d wrote elsewhere", i);
    }
}

/* A forked child writes through its own handle and through the one it
 * inherited; the parent reads both results. */
Test(procs, fork_writer_every_layout)
{
    for (int l = 0; l < 3; l++) {
        char name[64];
        seqshm *s;
        test_name(name, sizeof name, layout_name(test_layouts[l]));
        cr_assert_eq(seqshm_open(&s, name, 4096, SEQSHM_CREATE | test_layouts[l]),
                     SEQSHM_OK);
        pid_t pid = fork();
        cr_assert_geq(pid, 0);
        if (pid == 0) {
            seqshm *c;
            unsigned char buf[4096];
            int bad = seqshm_open(&c, name, 4096, 0) != SEQSHM_OK;
            for (int k = 1; !bad && k <= 1000; k++) {
                memset(buf, k & 0xff, sizeof buf);
                bad = seqshm_write(k % 2 ? c : s, buf, SEQSHM_FOREVER) != 0;
            }
            seqshm_close(c);
            _exit(bad);
        }
        /* read meanwhile: every snapshot must be uniform */
        unsigned char buf[4096];
        int torn = 0;
        while (seqshm_version(s) < 1000) {
            if (seqshm_read(s, buf, SEQSHM_FOREVER) == SEQSHM_OK)
                for (size_t i = 1; i < sizeof buf; i++)
                    torn += buf[i] != buf[0];
        }
        cr_assert_eq(wait_child(pid), 0);
        cr_assert_eq(torn, 0);
        cr_assert_eq(seqshm_read(s, buf, 0), SEQSHM_OK);
        cr_assert_eq(buf[0], 1000 & 0xff);
        cr_assert_eq(seqshm_version(s), 1000);
        seqshm_close(s);
    }
}

static int run_peer(const char *cmd, const char *name, unsigned long long a,
                    unsigned long long b, const char *mode)
{
    char path[512], sa[32], sb[32];
    sibling_path(path, sizeof path, "peer");
    snprintf(sa, sizeof sa, "%llu", a);
    snprintf(sb, sizeof sb, "%llu", b);
    pid_t pid = fork();
    if (pid == 0) {
        execl(path, "peer", cmd, name, sa, sb, mode, (char *)NULL);
        _exit(127);
    }
    return wait_child(pid);
}

Test(procs, exec_peer_every_layout)
{
    for (int l = 0; l < 3; l++) {
        char name[64];
        seqshm *s;
        unsigned char buf[300];
        test_name(name, sizeof name, layout_name(test_layouts[l]));
        cr_assert_eq(seqshm_open(&s, name, sizeof buf,
                                 SEQSHM_CREATE | test_layouts[l]), SEQSHM_OK);
        cr_assert_eq(run_peer("write", name, 0xab, 3, "rw"), 0);
        cr_assert_eq(seqshm_read(s, buf, 0), SEQSHM_OK);
        for (size_t i = 0; i < sizeof buf; i++)
            cr_assert_eq(buf[i], 0xab);
        cr_assert_eq(seqshm_version(s), 3);
        memset(buf, 0x5c, sizeof buf);
        cr_assert_eq(seqshm_write(s, buf, 0), SEQSHM_OK);
        cr_assert_eq(run_peer("expect", name, 0x5c, 4, "ro"), 0);
        cr_assert_eq(run_peer("expect", name, 0x5d, 4, "ro"), 1,
                     "the peer can tell a wrong value");
        seqshm_close(s);
    }
}
