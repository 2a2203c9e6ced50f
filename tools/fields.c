/* fields.c - payloads shown by field, for segments that carry a schema
 * (seqshm.h, "Schemas"): name=value text, JSON objects, and the field table
 * of `info`. */
#include "tool.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int fields_load(struct fields *fs, const char *schema)
{
    fs->n = 0;
    fs->f = NULL;
    if (schema == NULL || schema[0] == '\0')
        return SEQSHM_OK;
    size_t n = 0;
    int rc = seqshm_schema_parse(schema, NULL, 0, &n, NULL, NULL, 0);
    if (rc != SEQSHM_OK)
        return rc;
    fs->f = calloc(n, sizeof *fs->f);
    if (fs->f == NULL)
        return SEQSHM_ESYS;
    fs->n = n;
    return seqshm_schema_parse(schema, fs->f, n, NULL, NULL, NULL, 0);
}

void fields_free(struct fields *fs)
{
    free(fs->f);
    fs->f = NULL;
    fs->n = 0;
}

/* A double with as few digits as read back exactly. */
static void print_double(double v, int max_digits)
{
    char buf[40];
    for (int d = max_digits - 2; d <= max_digits; d++) {
        snprintf(buf, sizeof buf, "%.*g", d, v);
        if (strtod(buf, NULL) == v || d == max_digits)
            break;
    }
    fputs(buf, stdout);
}

static void print_scalar(const seqshm_field *f, const unsigned char *p,
                         bool json)
{
    union {
        int8_t i8; uint8_t u8; int16_t i16; uint16_t u16; int32_t i32;
        uint32_t u32; int64_t i64; uint64_t u64; float f32; double f64;
    } v;
    memcpy(&v, p, f->size);
    switch (f->type) {
    case SEQSHM_I8: printf("%d", v.i8); break;
    case SEQSHM_U8: printf("%u", v.u8); break;
    case SEQSHM_I16: printf("%d", v.i16); break;
    case SEQSHM_U16: printf("%u", v.u16); break;
    case SEQSHM_I32: printf("%" PRId32, v.i32); break;
    case SEQSHM_U32: printf("%" PRIu32, v.u32); break;
    case SEQSHM_I64: printf("%" PRId64, v.i64); break;
    case SEQSHM_U64: printf("%" PRIu64, v.u64); break;
    case SEQSHM_F32:
    case SEQSHM_F64: {
        double d = f->type == SEQSHM_F32 ? (double)v.f32 : v.f64;
        if (json && (d != d || d - d != 0)) /* NaN, infinities: no JSON */
            fputs("null", stdout);
        else
            print_double(d, f->type == SEQSHM_F32 ? 9 : 17);
        break;
    }
    case SEQSHM_BOOL: fputs(v.u8 ? "true" : "false", stdout); break;
    default: break;
    }
}

/* char[N]: the bytes up to the first NUL, quoted, escaped as JSON does. */
void print_text(const unsigned char *p, size_t n)
{
    putchar('"');
    for (size_t i = 0; i < n && p[i] != 0; i++) {
        unsigned char c = p[i];
        if (c == '"' || c == '\\')
            printf("\\%c", c);
        else if (c < 32 || c >= 127)
            printf("\\u%04x", c);
        else
            putchar(c);
    }
    putchar('"');
}

static void print_value(const seqshm_field *f, const unsigned char *p,
                        bool json)
{
    if (f->type == SEQSHM_CHAR) {
        print_text(p + f->offset, f->count);
        return;
    }
    if (!f->array) {
        print_scalar(f, p + f->offset, json);
        return;
    }
    putchar('[');
    for (size_t i = 0; i < f->count; i++) {
        if (i)
            fputs(json ? ", " : " ", stdout);
        print_scalar(f, p + f->offset + i * f->size, json);
    }
    putchar(']');
}

void fields_print(const struct fields *fs, const unsigned char *p,
                  const char *sep)
{
    for (size_t i = 0; i < fs->n; i++) {
        if (i)
            fputs(sep, stdout);
        printf("%s=", fs->f[i].name);
        print_value(&fs->f[i], p, false);
    }
}

void fields_json(const struct fields *fs, const unsigned char *p)
{
    putchar('{');
    for (size_t i = 0; i < fs->n; i++) {
        printf("%s\"%s\": ", i ? ", " : "", fs->f[i].name);
        print_value(&fs->f[i], p, true);
    }
    putchar('}');
}

void fields_table(const struct fields *fs)
{
    printf("  offset  bytes  field\n");
    for (size_t i = 0; i < fs->n; i++) {
        const seqshm_field *f = &fs->f[i];
        printf("  %6zu  %5zu  %s: %s", f->offset, f->size * f->count,
               f->name, f->type_name);
        if (f->array)
            printf("[%zu]", f->count);
        putchar('\n');
    }
}

void fields_table_json(const struct fields *fs)
{
    putchar('[');
    for (size_t i = 0; i < fs->n; i++) {
        const seqshm_field *f = &fs->f[i];
        printf("%s{\"name\": \"%s\", \"type\": \"%s\", \"count\": %zu, "
               "\"array\": %s, \"offset\": %zu}",
               i ? ", " : "", f->name, f->type_name, f->count,
               f->array ? "true" : "false", f->offset);
    }
    putchar(']');
}
