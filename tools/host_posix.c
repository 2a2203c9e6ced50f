/* host_posix.c - what the tool asks of a POSIX host beyond the library
 * (tool.h): the segments in /dev/shm, an object's mode and owner, waiting
 * for a signal. */
#include "tool.h"
#include "../src/layout.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define SHM_DIR "/dev/shm"

const char *const host_no_names = NULL;
const char *const host_no_modes = NULL;
const char host_pid_note[] = " (in its PID namespace)";

static bool looks_like_segment(const char *name)
{
    char path[300];
    snprintf(path, sizeof path, SHM_DIR "/%s", name);
    int fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0)
        return false;
    uint64_t magic = 0;
    struct stat st;
    bool ok = fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
              st.st_size >= (off_t)SLOTS_OFFSET &&
              pread(fd, &magic, sizeof magic, 0) == (ssize_t)sizeof magic &&
              magic == SEQSHM_MAGIC;
    close(fd);
    return ok;
}

int host_list(char ***names, size_t *count)
{
    DIR *d = opendir(SHM_DIR);
    if (d == NULL) {
        fprintf(stderr, "seqshm: ls: cannot read " SHM_DIR ": %s\n",
                strerror(errno));
        return -1;
    }
    char **list = NULL;
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.' || strlen(e->d_name) > SEQSHM_NAME_MAX ||
            !looks_like_segment(e->d_name))
            continue;
        char **grown = realloc(list, (n + 1) * sizeof *list);
        if (grown == NULL)
            break;
        list = grown;
        list[n++] = strdup(e->d_name);
    }
    closedir(d);
    *names = list;
    *count = n;
    return 0;
}

bool host_owner(const char *name, unsigned *mode, char *user, size_t cap)
{
    char path[300];
    struct stat st;
    snprintf(path, sizeof path, SHM_DIR "/%s", bare(name));
    if (lstat(path, &st) != 0)
        return false;
    *mode = (unsigned)(st.st_mode & 07777);
    struct passwd *pw = getpwuid(st.st_uid);
    if (pw != NULL)
        snprintf(user, cap, "%s", pw->pw_name);
    else
        snprintf(user, cap, "%u", (unsigned)st.st_uid);
    return true;
}

void host_pause(void)
{
    while (!stop_requested)
        pause();
}
