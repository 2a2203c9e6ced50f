#include "util.h"
#include "../common/run_tag.h"

#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

const unsigned test_layouts[3] = {0, SEQSHM_DOUBLE_BUFFER, SEQSHM_MUTEX};

const char *layout_name(unsigned layout)
{
    return layout == SEQSHM_DOUBLE_BUFFER ? "double"
           : layout == SEQSHM_MUTEX       ? "mutex"
                                          : "single";
}

const char *test_name(char *buf, size_t cap, const char *tag)
{
    snprintf(buf, cap, TEST_PREFIX "%s-%d-%s", run_tag(), (int)getpid(), tag);
    return buf;
}

/* Each Criterion test runs in a process of its own: this is per test. */
static pid_t children[16];
static int nchildren;

pid_t test_child(pid_t pid)
{
    if (pid > 0 && nchildren < 16)
        children[nchildren++] = pid;
    return pid;
}

void test_cleanup(void)
{
    for (int i = 0; i < nchildren; i++) {
        kill(children[i], SIGKILL);
        waitpid(children[i], NULL, 0);
    }
    nchildren = 0;
    char prefix[64];
    snprintf(prefix, sizeof prefix, TEST_PREFIX "%s-%d-", run_tag(),
             (int)getpid());
    DIR *d = opendir("/dev/shm");
    if (d == NULL)
        return;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (strncmp(e->d_name, prefix, strlen(prefix)) == 0) {
            char path[PATH_MAX];
            snprintf(path, sizeof path, "/dev/shm/%s", e->d_name);
            if (unlink(path) != 0)
                rmdir(path);
        }
    }
    closedir(d);
}

int wait_child(pid_t pid)
{
    int st;
    if (waitpid(pid, &st, 0) != pid)
        return -1;
    for (int i = 0; i < nchildren; i++) /* reaped: its pid may be reused */
        if (children[i] == pid)
            children[i] = children[--nchildren];
    if (WIFEXITED(st))
        return WEXITSTATUS(st);
    return WIFSIGNALED(st) ? 128 + WTERMSIG(st) : -1;
}

const char *sibling_path(char *buf, size_t cap, const char *prog)
{
    char self[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (n < 0)
        n = 0;
    self[n] = '\0';
    char *slash = strrchr(self, '/');
    if (slash != NULL)
        *slash = '\0';
    snprintf(buf, cap, "%s/%s", self, prog);
    return buf;
}

void plant_file(const char *name, const void *data, size_t n)
{
    char path[PATH_MAX];
    snprintf(path, sizeof path, "/dev/shm/%s", name);
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
    if (fd < 0)
        return;
    if (n > 0 && write(fd, data, n) != (ssize_t)n)
        perror("plant_file");
    close(fd);
}

long long mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

void *map_segment(const char *name, size_t len)
{
    char path[PATH_MAX];
    snprintf(path, sizeof path, "/dev/shm/%s", name);
    int fd = open(path, O_RDWR);
    if (fd < 0)
        return MAP_FAILED;
    void *m = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    close(fd);
    return m;
}

/* What a ping-pong child inherits or opens, kept reachable until its
 * _exit() so that valgrind does not count it as leaked. */
static seqshm *volatile ping_pong_kept[3];
static unsigned char *volatile ping_pong_buf;

uint64_t ping_pong(seqshm *a, seqshm *b, const char *nb, unsigned child_flags,
                   uint64_t rounds, int *child)
{
    size_t na = seqshm_size(a), nbytes = seqshm_size(b);
    unsigned char *x = calloc(1, na > nbytes ? na : nbytes);
    pid_t pid = fork();
    if (pid == 0) {
        seqshm *own = b;
        ping_pong_buf = x;
        ping_pong_kept[0] = a;
        ping_pong_kept[1] = b;
        if (nb != NULL && seqshm_open(&own, nb, 0, child_flags) != SEQSHM_OK)
            _exit(3);
        ping_pong_kept[2] = own;
        for (uint64_t i = 0; i < rounds; i++) {
            if (seqshm_wait(a, i, 2000000000) != SEQSHM_OK)
                _exit(5);
            if (seqshm_write(own, x, SEQSHM_FOREVER) != SEQSHM_OK)
                _exit(6);
        }
        _exit(0);
    }
    test_child(pid);
    uint64_t done = 0;
    for (; done < rounds; done++)
        if (seqshm_write(a, x, SEQSHM_FOREVER) != SEQSHM_OK ||
            seqshm_wait(b, done, 2000000000) != SEQSHM_OK)
            break;
    *child = wait_child(pid);
    free(x);
    return done;
}
