/* name.c - segment names: an optional '/', then 1..SEQSHM_NAME_MAX of
 * [A-Za-z0-9._-], never "." or "..". Such a name cannot leave /dev/shm. */
#include "internal.h"

#include <string.h>

static bool name_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
}

bool name_valid(const char *name)
{
    if (name == NULL)
        return false;
    if (name[0] == '/')
        name++;
    size_t n = 0;
    for (; name[n] != '\0'; n++)
        if (n >= SEQSHM_NAME_MAX || !name_char(name[n]))
            return false;
    return n > 0 && strcmp(name, ".") != 0 && strcmp(name, "..") != 0;
}

/* The POSIX form, "/name". name must be valid. */
void name_canonical(char out[SEQSHM_NAME_MAX + 2], const char *name)
{
    if (name[0] == '/')
        name++;
    out[0] = '/';
    strcpy(out + 1, name);
}
