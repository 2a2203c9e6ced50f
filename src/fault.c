/* fault.c - fault injection, compiled only into test builds
 * (-DSEQSHM_FAULT_INJECTION). SEQSHM_FAULT=<point> makes the process kill
 * itself with SIGKILL when a write reaches <point>; SEQSHM_FAULT=<point>:stop
 * stops it there with SIGSTOP instead, once (a live writer that holds the
 * claim; it goes on normally when continued); SEQSHM_FAULT=<point>:nap
 * sleeps 3 ms there, every time (a slow reader, which a writer laps);
 * SEQSHM_FAULT=<point>:signal raises SIGUSR1 there, once (a handler that
 * lands at that point).
 * Points: before_claim, after_claim, mid_copy, before_publish, before_wake
 * (published, the waiter flag not yet read), wait_announced (a waiter has
 * read the futex word and announced itself), close_checked (a creator's
 * close found the name still its own, and has not unlinked it yet),
 * version_copied (a read of a chosen version has copied its slot and not
 * yet checked the copy), mid_record (seqshm_origin_update has stored one
 * word of three), making_identity (this process's identity for a handle is
 * being made: process.c). */
#include "internal.h"

#ifdef SEQSHM_FAULT_INJECTION
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

void fault_point(const char *where)
{
    const char *want = getenv("SEQSHM_FAULT");
    if (want == NULL)
        return;
    size_t n = strlen(where);
    if (strncmp(want, where, n) != 0)
        return;
    if (want[n] == '\0')
        raise(SIGKILL);
    else if (strcmp(want + n, ":stop") == 0) {
        unsetenv("SEQSHM_FAULT");
        raise(SIGSTOP);
    } else if (strcmp(want + n, ":signal") == 0) {
        unsetenv("SEQSHM_FAULT");
        raise(SIGUSR1);
    } else if (strcmp(want + n, ":nap") == 0) {
        struct timespec ts = {0, 3000000};
        nanosleep(&ts, NULL);
    }
}
#else
typedef int fault_injection_not_built; /* ISO C: no empty translation unit */
#endif
