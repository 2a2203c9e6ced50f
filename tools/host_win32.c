/* host_win32.c - what the tool asks of a Windows host beyond the library
 * (tool.h), and what it cannot do there, for the commands to say so:
 * Windows offers no documented way to list the named mappings of a
 * session, so `ls` says so; a mapping lives while a handle is open and has
 * no POSIX mode or owner (its security is the session's), so `create
 * --persist`, `create --mode` and `rm` say why they cannot, and `info`
 * shows no mode. Windows has no PID namespaces. */
#include "tool.h"

#include <stdio.h>
#include <windows.h>

const char *const host_no_names =
    "on Windows a segment lives while a handle to it is open and goes with "
    "the last one: it has no name to keep or remove";
const char *const host_no_modes =
    "on Windows a segment has no permission bits (a mapping in Local\\ is the "
    "session's)";
const char host_pid_note[] = "";

int host_list(char ***names, size_t *count)
{
    (void)names, (void)count;
    fprintf(stderr, "seqshm: ls: Windows cannot list the session's named "
                    "mappings; name the segment (info, dump, watch)\n");
    return -1;
}

bool host_owner(const char *name, unsigned *mode, char *user, size_t cap)
{
    (void)name;
    *mode = 0;
    snprintf(user, cap, "-");
    return true;
}

void host_pause(void)
{
    while (!stop_requested)
        Sleep(100);
}
