/* linux/barrier.c - the waiters' barrier: membarrier(2)'s expedited global
 * command (barrier.h says what it orders). Writers register at open; a
 * waiter about to sleep issues it, and the kernel runs a full barrier on
 * every CPU that is running a registered process (interrupting it) and
 * counts a context switch as one for those that are not. SEQSHM_FENCE=full
 * in the environment, or a build with SEQSHM_NO_MEMBARRIER (ThreadSanitizer
 * does not model it), refuses it: writers then publish with a full fence. */
#include "../internal.h"

#include <stdlib.h>
#include <string.h>

#ifndef SEQSHM_NO_MEMBARRIER
#include <linux/membarrier.h>
#include <sys/syscall.h>
#include <unistd.h>

static bool forced_full(void)
{
    const char *f = getenv("SEQSHM_FENCE");
    return f != NULL && strcmp(f, "full") == 0;
}

bool plat_barrier_register(void)
{
    if (forced_full())
        return false;
    return syscall(SYS_membarrier, MEMBARRIER_CMD_REGISTER_GLOBAL_EXPEDITED,
                   0, 0) == 0;
}

bool plat_barrier(void)
{
    return syscall(SYS_membarrier, MEMBARRIER_CMD_GLOBAL_EXPEDITED, 0, 0) == 0;
}

#else

bool plat_barrier_register(void) { return false; }
bool plat_barrier(void) { return false; }

#endif
