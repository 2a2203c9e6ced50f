/* serve_none.c - `seqshm serve` in a tool built without libwebsockets
 * (make builds serve/ when libwebsockets-dev is installed). */
#include "tool.h"

#include <stdio.h>

int cmd_serve(const char *const *patterns, int npatterns, int port,
              const char *bind, double max_rate)
{
    (void)patterns;
    (void)npatterns;
    (void)port;
    (void)bind;
    (void)max_rate;
    fprintf(stderr, "seqshm: serve: this seqshm was built without "
                    "libwebsockets; install it (apt-get install "
                    "libwebsockets-dev) and run make again\n");
    return 1;
}
