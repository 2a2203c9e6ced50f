/* owner.c - owner tokens: who holds a claim, and whether they still live.
 *
 * A token packs a process id (22 bits: Linux pids never exceed 2^22) with the
 * low 42 bits of that process's start time in clock ticks since boot (/proc
 * stat field 22; 42 bits last millennia). A reused pid has another start
 * time, so a token never names a process other than the one that stored it.
 * Tokens are never 0, the value of a free claim.
 *
 * A handle caches its process's token in a private page marked
 * MADV_WIPEONFORK: a forked child reads 0 there and computes its own, so a
 * child's claims are never recorded under its parent's name, and the cache
 * costs one load on the write path.
 */
#include "internal.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define PID_BITS 22
#define PID_MASK ((UINT64_C(1) << PID_BITS) - 1)
#define START_MASK ((UINT64_C(1) << (64 - PID_BITS)) - 1)

pid_t owner_pid(uint64_t token) { return (pid_t)(token & PID_MASK); }

/* Reads state and start time from /proc/<pid>/stat. Returns 0, or -1 with
 * errno (ENOENT: no such process). */
static int proc_stat(pid_t pid, char *state, uint64_t *start)
{
    char path[48], buf[1024];
    snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    ssize_t n = read(fd, buf, sizeof buf - 1);
    int saved = errno;
    close(fd);
    if (n <= 0) {
        errno = n < 0 ? saved : ENOENT;
        return -1;
    }
    buf[n] = '\0';
    /* "pid (comm) S ppid ...": comm may hold spaces and ')', so parse from
     * the last ')'. Field 3 is the state, field 22 the start time. */
    char *p = strrchr(buf, ')');
    if (p == NULL || p[1] != ' ') {
        errno = EPROTO;
        return -1;
    }
    p += 2;
    *state = *p;
    for (int field = 3; field < 22; field++) {
        p = strchr(p, ' ');
        if (p == NULL) {
            errno = EPROTO;
            return -1;
        }
        p++;
    }
    unsigned long long v = 0;
    if (sscanf(p, "%llu", &v) != 1) {
        errno = EPROTO;
        return -1;
    }
    *start = v;
    return 0;
}

int owner_start_time(pid_t pid, uint64_t *start)
{
    char state;
    return proc_stat(pid, &state, start);
}

uint64_t owner_token(pid_t pid, uint64_t start)
{
    return ((start & START_MASK) << PID_BITS) | ((uint64_t)pid & PID_MASK);
}

static uint64_t make_token(pid_t pid)
{
    uint64_t start = 0;
    (void)owner_start_time(pid, &start); /* without /proc: pid alone */
    return owner_token(pid, start);
}

uint64_t owner_self_slow(const struct seqshm *s)
{
    uint64_t tok = make_token(getpid());
    atomic_store_explicit(s->ident, tok, memory_order_relaxed);
    return tok;
}

bool owner_alive(uint64_t token)
{
    pid_t pid = owner_pid(token);
    char state;
    uint64_t start;
    if (proc_stat(pid, &state, &start) != 0) {
        if (errno == ENOENT || errno == ESRCH)
            return false;
        /* /proc unreadable: the best we can tell is whether the pid exists */
        return kill(pid, 0) == 0 || errno == EPERM;
    }
    if (state == 'Z' || state == 'X' || state == 'x')
        return false;
    return ((start & START_MASK) << PID_BITS) == (token & ~PID_MASK) ||
           (token & ~PID_MASK) == 0; /* token made without /proc */
}
