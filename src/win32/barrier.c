/* win32/barrier.c - no waiters' barrier on Windows: its
 * FlushProcessWriteBuffers reaches this process's threads only, not the
 * writers in other processes, so writers publish with a full fence
 * (barrier.h). */
#include "../internal.h"

bool plat_barrier_register(void) { return false; }
bool plat_barrier(void) { return false; }
