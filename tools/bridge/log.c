/* log.c - what the bridge says: every line on stderr begins with the time
 * (UTC, milliseconds), so that an operator can line its messages up with
 * the server's and the writers'. */
#include "bridge.h"

#include <stdarg.h>
#include <stdio.h>
#include <time.h>

void bridge_log(const char *fmt, ...)
{
    char line[1024];
    struct timespec ts;
    struct tm tm;
    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    int n = (int)strftime(line, sizeof line, "%Y-%m-%dT%H:%M:%S", &tm);
    n += snprintf(line + n, sizeof line - (size_t)n, ".%03ldZ seqshm-bridge: ",
                  ts.tv_nsec / 1000000);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line + n, sizeof line - (size_t)n, fmt, ap);
    va_end(ap);
    fprintf(stderr, "%s\n", line); /* one write: lines of threads do not mix */
}
