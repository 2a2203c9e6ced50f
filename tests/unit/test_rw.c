/* test_rw.c - reads, writes, partial and span access, clear, versions, in
 * every layout and at payload sizes on both sides of the inline limit. */
#include "util.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

TestSuite(rw, .fini = test_cleanup);

/* sizes: inline single (<= 48), inline double (<= 24), a slot line, big */
static const size_t sizes[] = {1, 8, 24, 25, 48, 49, 64, 1000, 65536};
#define NSIZES (sizeof sizes / sizeof sizes[0])

struct fx {
    seqshm *w, *r; /* read-write creator, read-only opener */
    size_t n;
    unsigned char *a, *b;
};

static void fx_open(struct fx *f, unsigned layout, size_t n)
{
    char name[64], tag[32];
    snprintf(tag, sizeof tag, "%s-%zu", layout_name(layout), n);
    test_name(name, sizeof name, tag);
    cr_assert_eq(seqshm_open(&f->w, name, n, SEQSHM_CREATE | layout),
                 SEQSHM_OK, "%s", tag);
    cr_assert_eq(seqshm_open(&f->r, name, n, SEQSHM_RDONLY), SEQSHM_OK);
    f->n = n;
    f->a = malloc(n);
    f->b = malloc(n);
}

static void fx_close(struct fx *f)
{
    seqshm_close(f->r);
    seqshm_close(f->w);
    free(f->a);
    free(f->b);
}

static void fill(unsigned char *p, size_t n, unsigned seed)
{
    for (size_t i = 0; i < n; i++)
        p[i] = (unsigned char)(seed * 31 + i * 7 + 1);
}

/* Both handles must read exactly `want`, at version `v`. */
static void expect_value(struct fx *f, const unsigned char *want, uint64_t v)
{
    seqshm *hs[2] = {f->w, f->r};
    for (int h = 0; h < 2; h++) {
        uint64_t got_v = 99999;
        memset(f->b, 0xee, f->n);
        cr_assert_eq(seqshm_read_versioned(hs[h], f->b, &got_v, 0), SEQSHM_OK);
        cr_assert_arr_eq(f->b, want, f->n, "handle %d size %zu", h, f->n);
        cr_assert_eq(got_v, v, "handle %d: version %llu, want %llu", h,
                     (unsigned long long)got_v, (unsigned long long)v);
        cr_assert_eq(seqshm_version(hs[h]), v);
    }
}

Test(rw, full_writes_every_layout_and_size)
{
    for (int l = 0; l < 3; l++) {
        for (size_t s = 0; s < NSIZES; s++) {
            struct fx f;
            fx_open(&f, test_layouts[l], sizes[s]);
            unsigned char *want = calloc(1, f.n);
            expect_value(&f, want, 0);
            for (unsigned k = 1; k <= 5; k++) {
                fill(want, f.n, k);
                cr_assert_eq(seqshm_write(f.w, want, SEQSHM_FOREVER),
                             SEQSHM_OK);
                expect_value(&f, want, k);
            }
            cr_assert_not(seqshm_is_occupied(f.r));
            free(want);
            fx_close(&f);
        }
    }
}

Test(rw, partial_writes_merge_every_layout)
{
    for (int l = 0; l < 3; l++) {
        for (size_t s = 0; s < NSIZES; s++) {
            struct fx f;
            fx_open(&f, test_layouts[l], sizes[s]);
            unsigned char *want = malloc(f.n), *part = malloc(f.n);
            fill(want, f.n, 1);
            cr_assert_eq(seqshm_write(f.w, want, 0), SEQSHM_OK);
            uint64_t v = 1;
            /* several ranges, so double buffering must merge into each slot */
            size_t offs[] = {0, f.n / 3, f.n - 1, f.n / 2};
            for (int i = 0; i < 4; i++) {
                size_t off = offs[i], len = (f.n - off + 1) / 2;
                fill(part, len, 100 + (unsigned)i);
                cr_assert_eq(seqshm_write_partial(f.w, part, len, off, 0),
                             SEQSHM_OK);
                memcpy(want + off, part, len);
                expect_value(&f, want, ++v);
                memset(part, 0, len);
                cr_assert_eq(seqshm_read_partial(f.r, part, len, off, 0),
                             SEQSHM_OK);
                cr_assert_arr_eq(part, want + off, len);
            }
            free(want);
            free(part);
            fx_close(&f);
        }
    }
}

Test(rw, spans_every_layout)
{
    for (int l = 0; l < 3; l++) {
        struct fx f;
        fx_open(&f, test_layouts[l], 1024);
        unsigned char want[1024], span[2048];
        size_t got = 0;
        fill(want, 1024, 3);
        cr_assert_eq(seqshm_write(f.w, want, 0), SEQSHM_OK);
        fill(span, 500, 4);
        cr_assert_eq(seqshm_write_span(f.w, span, 500, 0), SEQSHM_OK);
        memcpy(want, span, 500); /* the rest keeps its bytes */
        expect_value(&f, want, 2);
        fill(span, 1024, 5);
        cr_assert_eq(seqshm_write_span(f.w, span, 1024, 0), SEQSHM_OK);
        memcpy(want, span, 1024);
        expect_value(&f, want, 3);
        cr_assert_eq(seqshm_write_span(f.w, span, 1025, 0), SEQSHM_EINVAL);
        cr_assert_eq(seqshm_write_span(f.w, span, 0, 0), SEQSHM_EINVAL);

        memset(span, 0, sizeof span);
        cr_assert_eq(seqshm_read_span(f.r, span, sizeof span, &got, 0),
                     SEQSHM_OK);
        cr_assert_eq(got, 1024, "min(cap, size)");
        cr_assert_arr_eq(span, want, 1024);
        memset(span, 0, sizeof span);
        cr_assert_eq(seqshm_read_span(f.w, span, 100, &got, 0), SEQSHM_OK);
        cr_assert_eq(got, 100);
        cr_assert_arr_eq(span, want, 100);
        cr_assert_eq(span[100], 0, "nothing past cap");
        cr_assert_eq(seqshm_read_span(f.r, span, 10, NULL, 0), SEQSHM_OK);
        cr_assert_eq(seqshm_read_span(f.r, span, 0, &got, 0), SEQSHM_EINVAL);
        fx_close(&f);
    }
}

Test(rw, clear_is_a_write)
{
    for (int l = 0; l < 3; l++) {
        for (size_t s = 0; s < NSIZES; s++) {
            struct fx f;
            fx_open(&f, test_layouts[l], sizes[s]);
            unsigned char *want = malloc(f.n);
            fill(want, f.n, 9);
            cr_assert_eq(seqshm_write(f.w, want, 0), SEQSHM_OK);
            cr_assert_eq(seqshm_write(f.w, want, 0), SEQSHM_OK);
            cr_assert_eq(seqshm_clear(f.w, 0), SEQSHM_OK);
            memset(want, 0, f.n);
            expect_value(&f, want, 3);
            free(want);
            fx_close(&f);
        }
    }
}

Test(rw, ranges_are_checked_without_overflow)
{
    struct fx f;
    fx_open(&f, 0, 100);
    unsigned char buf[200];
    struct { size_t len, off; int ok; } cases[] = {
        {1, 0, 1},          {100, 0, 1},         {1, 99, 1},
        {0, 0, 0},          {101, 0, 0},         {1, 100, 0},
        {2, 99, 0},         {SIZE_MAX, 1, 0},    {1, SIZE_MAX, 0},
        {SIZE_MAX, SIZE_MAX, 0}, {50, SIZE_MAX - 20, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int want = cases[i].ok ? SEQSHM_OK : SEQSHM_EINVAL;
        cr_assert_eq(seqshm_write_partial(f.w, buf, cases[i].len, cases[i].off,
                                          0), want, "write case %zu", i);
        cr_assert_eq(seqshm_read_partial(f.r, buf, cases[i].len, cases[i].off,
                                         0), want, "read case %zu", i);
    }
    cr_assert_eq(seqshm_version(f.w), 3, "only the valid writes counted");
    fx_close(&f);
}

Test(rw, null_arguments)
{
    struct fx f;
    fx_open(&f, 0, 8);
    unsigned char b[8] = {0};
    size_t got;
    uint64_t v;
    cr_assert_eq(seqshm_write(NULL, b, 0), SEQSHM_EINVAL);
    cr_assert_eq(seqshm_write(f.w, NULL, 0), SEQSHM_EINVAL);
    cr_assert_eq(seqshm_write_partial(NULL, b, 1, 0, 0), SEQSHM_EINVAL);
    cr_assert_eq(seqshm_write_partial(f.w, NULL, 1, 0, 0), SEQSHM_EINVAL);
    cr_assert_eq(seqshm_write_span(NULL, b, 1, 0), SEQSHM_EINVAL);
    cr_assert_eq(seqshm_write_span(f.w, NULL, 1, 0), SEQSHM_EINVAL);
    cr_assert_eq(seqshm_clear(NULL, 0), SEQSHM_EINVAL);
    cr_assert_eq(seqshm_read(NULL, b, 0), SEQSHM_EINVAL);
    cr_assert_eq(seqshm_read(f.r, NULL, 0), SEQSHM_EINVAL);
    cr_assert_eq(seqshm_read_versioned(NULL, b, &v, 0), SEQSHM_EINVAL);
    cr_assert_eq(seqshm_read_versioned(f.r, NULL, &v, 0), SEQSHM_EINVAL);
    cr_assert_eq(seqshm_read_versioned(f.r, b, NULL, 0), SEQSHM_OK);
    cr_assert_eq(seqshm_read_partial(NULL, b, 1, 0, 0), SEQSHM_EINVAL);
    cr_assert_eq(seqshm_read_partial(f.r, NULL, 1, 0, 0), SEQSHM_EINVAL);
    cr_assert_eq(seqshm_read_span(NULL, b, 8, &got, 0), SEQSHM_EINVAL);
    cr_assert_eq(seqshm_read_span(f.r, NULL, 8, &got, 0), SEQSHM_EINVAL);
    cr_assert_eq(seqshm_wait(NULL, 0, 0), SEQSHM_EINVAL);
    cr_assert_not(seqshm_is_occupied(NULL));
    cr_assert_str_eq(seqshm_name(NULL), "");
    cr_assert_eq(seqshm_size(NULL), 0);
    cr_assert_not(seqshm_is_creator(NULL));
    cr_assert_eq(seqshm_version(NULL), 0);
    seqshm_close(NULL);
    cr_assert_eq(seqshm_version(f.w), 0);
    fx_close(&f);
}

Test(rw, version_counts_every_kind_of_write)
{
    for (int l = 0; l < 3; l++) {
        struct fx f;
        fx_open(&f, test_layouts[l], 64);
        unsigned char b[64] = {0};
        cr_assert_eq(seqshm_write(f.w, b, 0), SEQSHM_OK);
        cr_assert_eq(seqshm_write_partial(f.w, b, 3, 5, 0), SEQSHM_OK);
        cr_assert_eq(seqshm_write_span(f.w, b, 10, 0), SEQSHM_OK);
        cr_assert_eq(seqshm_write_span(f.w, b, 64, 0), SEQSHM_OK);
        cr_assert_eq(seqshm_clear(f.w, 0), SEQSHM_OK);
        cr_assert_eq(seqshm_version(f.r), 5, "%s", layout_name(test_layouts[l]));
        fx_close(&f);
    }
}
