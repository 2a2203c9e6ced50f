/* harness.h - the few words the portable tests (tests/portable/) are
 * written in, so that one source runs under Criterion on Linux (built into
 * the unit suite, PORTABLE_CRITERION) and under the Windows runner
 * (tests/win/wintests.c), which has no Criterion:
 *
 *   PSUITE(suite);                  declares a suite (Criterion: its cleanup)
 *   PTEST(suite, name) { ... }      a test
 *   CHECK(cond, fmt, ...);          fails the test (and ends it) if !cond
 *   ptest_name(buf, cap, tag)       a segment name of this test's own
 *
 * A portable test uses the seqshm API alone, in one process; tests that
 * need other processes are each platform's own. */
#ifndef SEQSHM_PORTABLE_HARNESS_H
#define SEQSHM_PORTABLE_HARNESS_H

#include "seqshm.h"

#include <stdio.h>
#include <string.h>

#ifdef PORTABLE_CRITERION

#include "../unit/util.h"
#include <criterion/criterion.h>

#define PSUITE(suite) TestSuite(suite, .fini = test_cleanup, .timeout = 60)
#define PTEST(suite, name) Test(suite, name)
#define CHECK(cond, ...) cr_assert(cond, __VA_ARGS__)
#define ptest_name(buf, cap, tag) test_name((buf), (cap), (tag))

#else /* the Windows runner */

struct ptest {
    const char *suite, *name;
    void (*run)(void);
};
/* the runner's: a test registers itself before main (a constructor) */
void ptest_register(const struct ptest *t);
/* a failed CHECK: said, counted; the test returns */
void ptest_failed(const char *file, int line, const char *cond);
extern int ptest_checks;
void ptest_name(char *buf, size_t cap, const char *tag);

#define PSUITE(suite) struct ptest_suite_##suite
#define PTEST(suite, name)                                                    \
    static void suite##_##name(void);                                         \
    __attribute__((constructor)) static void suite##_##name##_reg(void)       \
    {                                                                         \
        static const struct ptest t = {#suite, #name, suite##_##name};        \
        ptest_register(&t);                                                   \
    }                                                                         \
    static void suite##_##name(void)
#define CHECK(cond, ...)                                                      \
    do {                                                                      \
        ptest_checks++;                                                       \
        if (!(cond)) {                                                        \
            ptest_failed(__FILE__, __LINE__, #cond);                          \
            printf(__VA_ARGS__);                                              \
            printf("\n");                                                     \
            return;                                                           \
        }                                                                     \
    } while (0)

#endif
#endif
