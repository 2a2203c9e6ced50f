#include "clock.h"

double ticks_ns(void)
{
    uint64_t n0 = mono_ns(), t0 = ticks_begin();
    struct timespec d = {0, 50000000};
    nanosleep(&d, NULL);
    uint64_t n1 = mono_ns(), t1 = ticks_end();
    return t1 > t0 ? (double)(n1 - n0) / (double)(t1 - t0) : 1.0;
}
