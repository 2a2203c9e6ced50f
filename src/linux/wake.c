/* linux/wake.c - sleeping on the wait line's word and waking the sleepers
 * (waiting.c has the protocol): a shared futex on the word, which sits away
 * from seq and the payload. Built with SEQSHM_NO_FUTEX, sleepers nap and
 * look again (in waiting.c's slices of at most 1 ms) and writers wake
 * nobody. */
#include "../internal.h"

#include <limits.h>
#include <time.h>

#ifndef SEQSHM_NO_FUTEX
#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>

void plat_wake_prepare(const struct seqshm *s) { (void)s; }

void plat_wake_all(const struct seqshm *s)
{
    /* shared (not FUTEX_PRIVATE_FLAG): sleepers are other processes */
    syscall(SYS_futex, (uint32_t *)&s->wait->futex, FUTEX_WAKE, INT_MAX, NULL,
            NULL, 0);
}

/* The kernel compares the word with w and sleeps, in one step. */
void plat_sleep(const struct seqshm *s, uint32_t w, int64_t ns)
{
    struct timespec ts = {ns / 1000000000, ns % 1000000000};
    syscall(SYS_futex, (uint32_t *)&s->wait->futex, FUTEX_WAIT, w,
            ns == INT64_MAX ? NULL : &ts, NULL, 0);
}

bool plat_wake_reliable(void) { return true; }

#else /* SEQSHM_NO_FUTEX: bounded polling */

void plat_wake_prepare(const struct seqshm *s) { (void)s; }
void plat_wake_all(const struct seqshm *s) { (void)s; }

void plat_sleep(const struct seqshm *s, uint32_t w, int64_t ns)
{
    (void)s, (void)w;
    struct timespec ts = {ns / 1000000000, ns % 1000000000};
    nanosleep(&ts, NULL);
}

bool plat_wake_reliable(void) { return false; }

#endif
