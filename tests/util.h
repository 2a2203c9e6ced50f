/* util.h - helpers shared by the Criterion suites. */
#ifndef SEQSHM_TEST_UTIL_H
#define SEQSHM_TEST_UTIL_H

#include "seqshm.h"

#include <stddef.h>
#include <sys/types.h>

/* Every name a test uses starts with this and the test process's pid, so
 * parallel tests never collide and cleanup finds what a test left. */
#define TEST_PREFIX "seqshm-t-"

/* "seqshm-t-<pid>-<tag>" into buf. */
const char *test_name(char *buf, size_t cap, const char *tag);

/* Removes every /dev/shm entry of this process's tests (a suite's .fini). */
void test_cleanup(void);

/* The three layouts, for loops over them. */
extern const unsigned test_layouts[3];
const char *layout_name(unsigned layout);

/* Waits for a child; returns its exit status, or 128+signal. */
int wait_child(pid_t pid);

/* Path of a program built beside the test binary (e.g. "peer"). */
const char *sibling_path(char *buf, size_t cap, const char *prog);

/* Creates /dev/shm/<name> as a plain file holding n bytes of data. */
void plant_file(const char *name, const void *data, size_t n);

/* Monotonic nanoseconds. */
long long mono_ns(void);

#endif
