/* writes.c - N writes to a fresh segment, for counting the system calls a
 * write makes (tests/checks/futex_calls.sh runs it under strace).
 *   writes N            no one waits: the writes must make no futex call
 *   writes N --waiter   a child process sleeps in seqshm_wait meanwhile:
 *                       the writes then wake it with futex calls
 *   writes N --dead-waiter  a child went to sleep in seqshm_wait and was
 *                       killed there: the first write may wake (nobody),
 *                       none after it may
 *   writes N --sole     the writes through a sole writer's handle: they
 *                       make no system call of any kind
 * Exit 0 on success. */
#include "seqshm.h"
#include "../common/run_tag.h"

#include <stdio.h>
#include <stdlib.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    if (argc < 2)
        return 2;
    long n = atol(argv[1]);
    bool waiter = argc > 2 && strcmp(argv[2], "--waiter") == 0;
    bool dead = argc > 2 && strcmp(argv[2], "--dead-waiter") == 0;
    bool sole = argc > 2 && strcmp(argv[2], "--sole") == 0;
    char name[64];
    snprintf(name, sizeof name, "seqshm-s-%s-%d-writes", run_tag(), (int)getpid());
    seqshm *s;
    if (seqshm_open(&s, name, 64, SEQSHM_CREATE | SEQSHM_EXCL |
                                      (sole ? SEQSHM_SOLE_WRITER : 0)) !=
        SEQSHM_OK)
        return 1;
    pid_t kid = -1;
    if (dead) {
        if ((kid = fork()) == 0) {
            seqshm *c;
            if (seqshm_open(&c, name, 64, 0) == SEQSHM_OK)
                seqshm_wait(c, 0, SEQSHM_FOREVER);
            _exit(1);
        }
        usleep(100000); /* asleep in the futex by now */
        kill(kid, SIGKILL);
        waitpid(kid, NULL, 0);
        kid = -1;
    }
    if (waiter) {
        if ((kid = fork()) == 0) {
            seqshm *c;
            if (seqshm_open(&c, name, 64, 0) != SEQSHM_OK)
                _exit(1);
            uint64_t v = 0;
            while (v < (uint64_t)n) {
                seqshm_wait(c, v, 100000000);
                v = seqshm_version(c);
            }
            seqshm_close(c);
            _exit(0);
        }
        usleep(100000); /* let it fall asleep */
    }
    unsigned char buf[64] = {0};
    for (long i = 0; i < n; i++) {
        buf[0] = (unsigned char)i;
        if (seqshm_write(s, buf, SEQSHM_FOREVER) != SEQSHM_OK)
            return 1;
    }
    int st = 0;
    if (kid > 0)
        waitpid(kid, &st, 0);
    seqshm_close(s);
    return st == 0 ? 0 : 1;
}
