/* zstd_none.c - a tool built without libzstd: MCAP chunks are written
 * uncompressed, and a compressed one cannot be read. */
#include "mcap.h"

const bool zstd_built = false;

bool zstd_pack(const unsigned char *in, size_t n, struct bytes *out)
{
    (void)in, (void)n, (void)out;
    return false;
}

bool zstd_unpack(const unsigned char *in, size_t n, unsigned char *out,
                 size_t out_len)
{
    (void)in, (void)n, (void)out, (void)out_len;
    return false;
}
