/* test_schema.c - schemas: parsing, C layout against the compiler's
 * offsetof, creation and open checks, hostile stored schemas. */
#include "util.h"
#include "../../src/layout.h"

#include <criterion/criterion.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

TestSuite(schema, .fini = test_cleanup);

#define FIELDS 32

static size_t parse_ok(const char *schema, seqshm_field *f, size_t *n)
{
    size_t size = 0;
    char why[200];
    int rc = seqshm_schema_parse(schema, f, FIELDS, n, &size, why, sizeof why);
    cr_assert_eq(rc, SEQSHM_OK, "%s: %s", schema, why);
    return size;
}

/* Every type, arrays, and padding everywhere a C compiler puts it. */
struct every {
    int8_t a;
    double b;
    uint8_t c;
    int16_t d;
    uint16_t e[3];
    int32_t f;
    uint32_t g;
    bool h;
    int64_t i;
    uint64_t j;
    float k;
    char name[5];
    float l[2];
    bool m[3];
};
#define EVERY "a:i8 b:f64 c:u8 d:i16 e:u16[3] f:i32 g:u32 h:bool i:i64 " \
              "j:u64 k:f32 name:char[5] l:f32[2] m:bool[3]"

Test(schema, every_type_at_the_offset_a_compiler_gives)
{
    seqshm_field f[FIELDS];
    size_t n;
    size_t size = parse_ok(EVERY, f, &n);
    static const size_t offsets[] = {
        offsetof(struct every, a), offsetof(struct every, b),
        offsetof(struct every, c), offsetof(struct every, d),
        offsetof(struct every, e), offsetof(struct every, f),
        offsetof(struct every, g), offsetof(struct every, h),
        offsetof(struct every, i), offsetof(struct every, j),
        offsetof(struct every, k), offsetof(struct every, name),
        offsetof(struct every, l), offsetof(struct every, m)};
    cr_assert_eq(n, 14);
    for (size_t i = 0; i < n; i++)
        cr_assert_eq(f[i].offset, offsets[i], "%s at %zu, the compiler says %zu",
                     f[i].name, f[i].offset, offsets[i]);
    cr_assert_eq(size, sizeof(struct every), "size %zu, sizeof %zu", size,
                 sizeof(struct every));
    cr_assert_str_eq(f[4].type_name, "u16");
    cr_assert_eq(f[4].count, 3);
    cr_assert(f[4].array);
    cr_assert_not(f[0].array);
    cr_assert_eq(f[11].type, SEQSHM_CHAR);
    cr_assert_eq(f[1].size, 8);
}

Test(schema, the_header_example)
{
    struct pose {
        double x, y, theta;
        uint64_t stamp;
        float cov[9];
    };
    seqshm_field f[FIELDS];
    size_t n;
    cr_assert_eq(parse_ok("x:f64 y:f64 theta:f64 stamp:u64 cov:f32[9]", f, &n),
                 sizeof(struct pose));
    cr_assert_eq(sizeof(struct pose), 72);
    cr_assert_eq(f[4].offset, offsetof(struct pose, cov));
}

Test(schema, counting_with_no_room)
{
    size_t n = 0, size = 0;
    cr_assert_eq(seqshm_schema_parse("a:u8 b:u32", NULL, 0, &n, &size, NULL, 0),
                 SEQSHM_OK);
    cr_assert_eq(n, 2);
    cr_assert_eq(size, 8);
    seqshm_field one;
    cr_assert_eq(seqshm_schema_parse("a:u8 b:u32", &one, 1, &n, NULL, NULL, 0),
                 SEQSHM_OK);
    cr_assert_eq(n, 2, "the count even when only one fits");
    cr_assert_str_eq(one.name, "a");
}

Test(schema, malformed_schemas_say_why)
{
    static const struct {
        const char *schema, *why;
    } bad[] = {
        {"", "no fields"},
        {"   ", "no fields"},
        {"x", "expected ':'"},
        {"x:", "unknown type ''"},
        {"x:f16", "unknown type 'f16'"},
        {"x:F64", "unknown type ''"},
        {"1x:u8", "must start with a letter"},
        {"x-y:u8", "expected ':'"},
        {"x:u8[]", "a count is a number"},
        {"x:u8[0]", "a count is a number"},
        {"x:u8[3", "expected ']'"},
        {"x:u8[3]y:u8", "unexpected 'y'"},
        {"x:char", "char needs a count"},
        {"x:u8 x:u16", "used twice"},
        {"x:u8 y:f64[999999999999]", "count too large"},
        {"x:u8,y:u8", "unexpected ','"},
        {"x:u8 y:u8[268435456] z:f32[268435456]", "exceed"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char why[200] = "untouched";
        int rc = seqshm_schema_parse(bad[i].schema, NULL, 0, NULL, NULL, why,
                                     sizeof why);
        cr_assert_eq(rc, SEQSHM_EINVAL, "'%s' accepted", bad[i].schema);
        cr_assert(strstr(why, bad[i].why) != NULL, "'%s': '%s', wanted '%s'",
                  bad[i].schema, why, bad[i].why);
    }
    char longname[100];
    memset(longname, 'n', 64);
    memcpy(longname + 64, ":u8", 4);
    cr_assert_eq(seqshm_schema_parse(longname, NULL, 0, NULL, NULL, NULL, 0),
                 SEQSHM_EINVAL, "a 64-character name");
    memcpy(longname + 63, ":u8", 4);
    cr_assert_eq(seqshm_schema_parse(longname, NULL, 0, NULL, NULL, NULL, 0),
                 SEQSHM_OK, "a 63-character name");
    static char huge[SEQSHM_SCHEMA_MAX + 10];
    memset(huge, ' ', sizeof huge - 1);
    memcpy(huge, "x:u8", 4);
    cr_assert_eq(seqshm_schema_parse(huge, NULL, 0, NULL, NULL, NULL, 0),
                 SEQSHM_EINVAL, "longer than the limit");
    cr_assert_eq(seqshm_schema_parse(NULL, NULL, 0, NULL, NULL, NULL, 0),
                 SEQSHM_EINVAL);
}

Test(schema, created_stored_canonical_and_checked_on_open)
{
    char name[64];
    test_name(name, sizeof name, "canon");
    seqshm *s, *o;
    seqshm_options opts = {.flags = SEQSHM_CREATE,
                           .schema = "  x:f64\ty:f64   n:u32 tag:char[4] "};
    cr_assert_eq(seqshm_open_opts(&s, name, 0, &opts), SEQSHM_OK,
                 "size 0: the schema's");
    cr_assert_eq(seqshm_size(s), 24);
    cr_assert_str_eq(seqshm_schema(s), "x:f64 y:f64 n:u32 tag:char[4]");

    seqshm_options same = {.schema = "x:f64 y:f64 n:u32    tag:char[4]"};
    cr_assert_eq(seqshm_open_opts(&o, name, 0, &same), SEQSHM_OK);
    cr_assert_str_eq(seqshm_schema(o), seqshm_schema(s));
    seqshm_close(o);
    seqshm_options other = {.schema = "x:f64 y:f64 n:i32 tag:char[4]"};
    cr_assert_eq(seqshm_open_opts(&o, name, 0, &other), SEQSHM_ETYPE);
    seqshm_options renamed = {.schema = "x:f64 y:f64 m:u32 tag:char[4]"};
    cr_assert_eq(seqshm_open_opts(&o, name, 0, &renamed), SEQSHM_ETYPE);
    seqshm_options sized = {.schema = "x:f64 y:f64 n:u32 tag:char[4]"};
    cr_assert_eq(seqshm_open_opts(&o, name, 32, &sized), SEQSHM_EINVAL,
                 "a size the schema does not have");
    cr_assert_eq(seqshm_open(&o, name, 0, SEQSHM_RDONLY), SEQSHM_OK,
                 "no schema given: nothing checked");
    cr_assert_str_eq(seqshm_schema(o), "x:f64 y:f64 n:u32 tag:char[4]");
    seqshm_close(o);
    seqshm_close(s);

    /* a segment without a schema, opened with one */
    cr_assert_eq(seqshm_open(&s, name, 24, SEQSHM_CREATE), SEQSHM_OK);
    cr_assert_str_eq(seqshm_schema(s), "");
    cr_assert_eq(seqshm_open_opts(&o, name, 0, &same), SEQSHM_ETYPE);
    seqshm_close(s);
}

Test(schema, creation_refuses_what_does_not_fit)
{
    char name[64];
    test_name(name, sizeof name, "refuse");
    seqshm *s;
    seqshm_options o = {.flags = SEQSHM_CREATE, .schema = "x:f64 y:u8"};
    cr_assert_eq(seqshm_open_opts(&s, name, 9, &o), SEQSHM_EINVAL,
                 "9 bytes of fields are 16 with padding");
    cr_assert_eq(seqshm_open_opts(&s, name, 16, &o), SEQSHM_OK);
    seqshm_close(s);
    seqshm_options m = {.flags = SEQSHM_CREATE, .schema = "x:f65"};
    cr_assert_eq(seqshm_open_opts(&s, name, 0, &m), SEQSHM_EINVAL);
    cr_assert_null(s);
}

/* Every layout, inline payloads and slots beyond the schema: the data
 * goes where the schema is not. */
Test(schema, every_layout_keeps_schema_and_payload_apart)
{
    static const char *big = "a:u64[100]";
    unsigned layouts[] = {0, SEQSHM_DOUBLE_BUFFER, SEQSHM_MUTEX};
    for (int l = 0; l < 3; l++)
        for (int z = 0; z < 2; z++) {
            char name[64], tag[32];
            snprintf(tag, sizeof tag, "lay%d%d", l, z);
            test_name(name, sizeof name, tag);
            seqshm *s, *r;
            seqshm_options o = {.flags = SEQSHM_CREATE | layouts[l],
                                .schema = z ? big : "a:u64"};
            cr_assert_eq(seqshm_open_opts(&s, name, 0, &o), SEQSHM_OK);
            unsigned char buf[800];
            memset(buf, 0xff, sizeof buf);
            cr_assert_eq(seqshm_write(s, buf, 0), SEQSHM_OK);
            cr_assert_eq(seqshm_open(&r, name, 0, SEQSHM_RDONLY), SEQSHM_OK);
            cr_assert_str_eq(seqshm_schema(r), o.schema);
            seqshm_close(r);
            seqshm_close(s);
        }
}

/* The stored schema is checked like every other header field. */
Test(schema, hostile_stored_schemas_are_refused)
{
    static const struct {
        const char *text; /* written over the stored one (same length) */
        long len;         /* schema_len written, -1: keep */
    } harm[] = {
        {"x:f64 y:f32", -1},      /* another schema of the same size */
        {"x:f64 y:f6!", -1},      /* malformed */
        {"x:f64  y:f3", -1},      /* not canonical (and malformed) */
        {"x:f64 y:u64", 4097},    /* too long */
        {"x:f64 y:u64", 0x7fffffff},
        {"x:f64\0y:u64", -1},     /* a NUL inside */
        {"x:u64 y:u64", 5},       /* cut: "x:u64" is 8 bytes, not 16 */
    };
    for (size_t i = 0; i < sizeof harm / sizeof harm[0]; i++) {
        char name[64], tag[32];
        snprintf(tag, sizeof tag, "harm%zu", i);
        test_name(name, sizeof name, tag);
        seqshm *s, *o;
        seqshm_options opts = {.flags = SEQSHM_CREATE | SEQSHM_PERSIST,
                               .schema = "x:f64 y:u64"};
        cr_assert_eq(seqshm_open_opts(&s, name, 0, &opts), SEQSHM_OK);
        seqshm_close(s);
        unsigned char *m = map_segment(name, 1024);
        cr_assert_neq(m, MAP_FAILED);
        struct seqshm_header *h = (struct seqshm_header *)m;
        memcpy(m + SCHEMA_OFFSET, harm[i].text, 11);
        if (harm[i].len >= 0)
            h->schema_len = (uint64_t)harm[i].len;
        munmap(m, 1024);
        int rc = seqshm_open(&o, name, 0, 0);
        if (i == 0) {
            /* "x:f64 y:f32" is well formed but 16 bytes too (padding):
             * the same size, another schema. Accepted, and shown. */
            cr_assert_eq(rc, SEQSHM_OK);
            cr_assert_str_eq(seqshm_schema(o), "x:f64 y:f32");
            seqshm_close(o);
        } else {
            cr_assert_eq(rc, SEQSHM_EBADSEG, "case %zu: %s", i,
                         seqshm_strerror(rc));
        }
        seqshm_unlink(name);
    }
}
