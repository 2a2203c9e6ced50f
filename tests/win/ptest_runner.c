/* ptest_runner.c - runs the portable tests (tests/portable/) inside the
 * Windows runner, which has no Criterion: each registers itself before main
 * (harness.h), and ptest_run_all() runs them in order of registration. */
#include "../portable/harness.h"

#include <windows.h>

#define MAX_TESTS 64

static const struct ptest *tests[MAX_TESTS];
static int ntests, failed_here;
int ptest_checks;

void ptest_register(const struct ptest *t)
{
    if (ntests < MAX_TESTS)
        tests[ntests++] = t;
}

void ptest_failed(const char *file, int line, const char *cond)
{
    failed_here++;
    printf("FAIL %s:%d: %s: ", file, line, cond);
}

void ptest_name(char *buf, size_t cap, const char *tag)
{
    snprintf(buf, cap, "seqshm-w-%lu-%s", (unsigned long)GetCurrentProcessId(),
             tag);
}

/* Runs every portable test; adds to the runner's counts. */
void ptest_run_all(int *checks, int *failures)
{
    int failed_tests = 0;
    for (int i = 0; i < ntests; i++) {
        int before = failed_here;
        tests[i]->run();
        if (failed_here != before) {
            failed_tests++;
            printf("FAIL portable test %s/%s\n", tests[i]->suite,
                   tests[i]->name);
        }
    }
    printf("portable: %d tests (the same sources as the Linux suite), %d "
           "checks, %d failed\n", ntests, ptest_checks, failed_tests);
    *checks += ptest_checks;
    *failures += failed_here;
}
