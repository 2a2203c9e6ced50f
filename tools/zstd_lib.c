/* zstd_lib.c - MCAP chunks compressed with libzstd (make builds this file
 * when libzstd-dev is installed, else zstd_none.c). */
#include "mcap.h"

#include <stdlib.h>
#include <zstd.h>

const bool zstd_built = true;

bool zstd_pack(const unsigned char *in, size_t n, struct bytes *out)
{
    size_t cap = ZSTD_compressBound(n);
    out->len = 0;
    bytes_put(out, NULL, 0);
    if (out->failed)
        return false;
    unsigned char *p = realloc(out->p, cap);
    if (p == NULL)
        return false;
    out->p = p;
    out->cap = cap;
    size_t got = ZSTD_compress(p, cap, in, n, 3);
    if (ZSTD_isError(got))
        return false;
    out->len = got;
    return true;
}

bool zstd_unpack(const unsigned char *in, size_t n, unsigned char *out,
                 size_t out_len)
{
    size_t got = ZSTD_decompress(out, out_len, in, n);
    return !ZSTD_isError(got) && got == out_len;
}
