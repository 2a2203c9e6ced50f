/* fault.c - fault injection, compiled only into test builds
 * (-DSEQSHM_FAULT_INJECTION). SEQSHM_FAULT=<point> makes the process kill
 * itself with SIGKILL when a write reaches <point>; SEQSHM_FAULT=<point>:stop
 * stops it there with SIGSTOP instead (a live writer that holds the claim).
 * Points: before_claim, after_claim, mid_copy, before_publish. */
#include "internal.h"

#ifdef SEQSHM_FAULT_INJECTION
#include <signal.h>
#include <stdlib.h>
#include <string.h>

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
    else if (strcmp(want + n, ":stop") == 0)
        raise(SIGSTOP);
}
#else
typedef int fault_injection_not_built; /* ISO C: no empty translation unit */
#endif
