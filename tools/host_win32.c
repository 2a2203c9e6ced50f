/* host_win32.c - what the tool asks of a Windows host beyond the library
 * (tool.h). Windows offers no documented way to list the named mappings of
 * a session, so `ls` says so; a mapping has no POSIX mode or owner (its
 * security is the session's), so `info` shows mode 0000 and owner "-". */
#include "tool.h"

#include <stdio.h>
#include <windows.h>

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
