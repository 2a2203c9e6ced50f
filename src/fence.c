/* fence.c - the waiters' side of the store-load order between a write's
 * publish and its look at the waiter flag (seqlock.h, waiting.c).
 *
 * A writer needs its publish ordered before its load of the flag, and a
 * waiter its announce before its reload of the sequence. Instead of a full
 * fence on every write, writers register at open for membarrier(2)'s
 * expedited global command, and a waiter about to sleep issues it: the
 * kernel runs a full barrier on every CPU that is running a registered
 * process (interrupting it) and counts a context switch as one for those
 * that are not. So each of a writer's instructions falls before or after
 * that barrier: the publish before it is visible to the waiter's reload, the
 * flag load after it sees the announce. The segment's `asym` word tells
 * waiters that some writer relies on them (set before that writer's first
 * write, never cleared).
 */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

#if defined(__linux__) && !defined(SEQSHM_NO_MEMBARRIER)
#include <linux/membarrier.h>
#include <sys/syscall.h>
#include <unistd.h>

static bool forced_full(void)
{
    const char *f = getenv("SEQSHM_FENCE");
    return f != NULL && strcmp(f, "full") == 0;
}

bool fence_register(void)
{
    if (forced_full())
        return false;
    return syscall(SYS_membarrier, MEMBARRIER_CMD_REGISTER_GLOBAL_EXPEDITED,
                   0, 0) == 0;
}

bool fence_heavy(void)
{
    return syscall(SYS_membarrier, MEMBARRIER_CMD_GLOBAL_EXPEDITED, 0, 0) == 0;
}

#else

bool fence_register(void) { return false; }
bool fence_heavy(void) { return false; }

#endif
