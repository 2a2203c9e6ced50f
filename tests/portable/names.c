/* names.c - a segment's name: on Linux it outlives the handles
 * (SEQSHM_PERSIST keeps it, seqshm_unlink removes it); on Windows a segment
 * goes with its last handle, so both fail there, saying why (SEQSHM_ESYS,
 * errno ENOTSUP), rather than seem to work. Runs on both (harness.h). */
#include "harness.h"

#include <errno.h>

PSUITE(names);

PTEST(names, persist_and_unlink_work_or_say_why)
{
    char name[96];
    seqshm *s, *o;
    ptest_name(name, sizeof name, "persist");
    int rc = seqshm_open(&s, name, 8, SEQSHM_CREATE | SEQSHM_PERSIST);
#ifdef _WIN32
    CHECK(rc == SEQSHM_ESYS && errno == ENOTSUP,
          "SEQSHM_PERSIST on Windows: %d", rc);
    CHECK(seqshm_open(&s, name, 8, SEQSHM_CREATE) == SEQSHM_OK, "create");
    errno = 0;
    CHECK(seqshm_unlink(name) == SEQSHM_ESYS && errno == ENOTSUP,
          "unlink of a held segment on Windows");
    CHECK(seqshm_open(&o, name, 8, 0) == SEQSHM_OK, "still there");
    seqshm_close(o);
    seqshm_close(s);
    CHECK(seqshm_unlink(name) == SEQSHM_ENOENT, "gone with its last handle");
#else
    CHECK(rc == SEQSHM_OK, "SEQSHM_PERSIST: %d", rc);
    seqshm_close(s);
    CHECK(seqshm_open(&o, name, 8, 0) == SEQSHM_OK, "kept after its close");
    seqshm_close(o);
    CHECK(seqshm_unlink(name) == SEQSHM_OK, "unlink");
    CHECK(seqshm_open(&o, name, 8, 0) == SEQSHM_ENOENT, "removed");
    CHECK(seqshm_unlink(name) == SEQSHM_ENOENT, "unlink of nothing");
#endif
}
