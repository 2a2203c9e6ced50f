/* run_tag.h - every segment a test run makes is named seqshm-t-<run>-... or
 * seqshm-s-<run>-..., where <run> is SEQSHM_TEST_RUN (set by `make test`), so
 * that tests/checks/shm-clean-check.sh looks only at its own run's leftovers and
 * two runs on one host (or a user's own segments) never fail each other. */
#ifndef SEQSHM_TEST_RUN_TAG_H
#define SEQSHM_TEST_RUN_TAG_H

#include <stdlib.h>

static inline const char *run_tag(void)
{
    const char *t = getenv("SEQSHM_TEST_RUN");
    return t != NULL && *t != '\0' ? t : "manual";
}

#endif
