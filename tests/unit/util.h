/* util.h - helpers shared by the Criterion suites. */
#ifndef SEQSHM_TEST_UTIL_H
#define SEQSHM_TEST_UTIL_H

#include "seqshm.h"

#include <stddef.h>
#include <sys/types.h>

/* Every name a test uses starts with this, the run's tag (run_tag.h) and the
 * test process's pid, so parallel tests never collide and cleanup finds what
 * a test left. */
#define TEST_PREFIX "seqshm-t-"

/* "seqshm-t-<run>-<pid>-<tag>" into buf. */
const char *test_name(char *buf, size_t cap, const char *tag);

/* A suite's .fini: kills the children registered with test_child(), then
 * removes every /dev/shm entry of this process's tests. It runs even when
 * an assertion failed, so a stopped child can never hang the runner. */
void test_cleanup(void);

/* Registers a child (e.g. a writer stopped mid-write) for test_cleanup(). */
pid_t test_child(pid_t pid);

/* The three layouts, for loops over them. */
extern const unsigned test_layouts[3];
const char *layout_name(unsigned layout);

/* Waits for a child; returns its exit status, or 128+signal. */
int wait_child(pid_t pid);

/* Path of a program built beside the test binary (e.g. "peer"). */
const char *sibling_path(char *buf, size_t cap, const char *prog);

/* Creates /dev/shm/<name> as a plain file holding n bytes of data. */
void plant_file(const char *name, const void *data, size_t n);

/* Skips the current test and says so, with the reason, in the normal output
 * (Criterion shows skips only with --verbose). For Criterion test files.
 * cr_skip_test ends the test's process without running the suite's .fini,
 * so this cleans up first: a child the test stopped (test_child) would
 * otherwise stay stopped for ever, holding the runner's output pipe. */
#define SKIP_TEST(why)                                                        \
    do {                                                                      \
        fprintf(stderr, "SKIP %s: %s\n", __func__, (why));                     \
        test_cleanup();                                                       \
        cr_skip_test("%s", (why));                                            \
    } while (0)

/* Maps the first `len` bytes of segment `name` read-write (as a test that
 * plays a hostile or crashed process does); MAP_FAILED on failure. */
void *map_segment(const char *name, size_t len);

/* Ping-pong across processes: this process writes a and waits on b; a
 * forked child waits on a and writes b (through the inherited b, or through
 * its own handle of nb opened with child_flags when nb is not NULL). Every
 * wait has 2 s, so a lost wake-up stalls a round until it fails. Returns the
 * rounds this side completed and stores the child's exit status in *child
 * (0: it completed every round). Asserts nothing. */
uint64_t ping_pong(seqshm *a, seqshm *b, const char *nb, unsigned child_flags,
                   uint64_t rounds, int *child);

/* Monotonic nanoseconds. */
long long mono_ns(void);

#endif
