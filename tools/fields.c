/* fields.c - payloads shown by field, for segments that carry a schema
 * (seqshm.h, "Schemas"): name=value text, JSON objects and their JSON
 * Schema, and the field table of `info`; built in a growing text (struct
 * text) so the same JSON goes to a terminal, a WebSocket or a file. */
#include "tool.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void text_add(struct text *t, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0 || t->failed)
        return;
    if (t->len + (size_t)n + 1 > t->cap) {
        size_t cap = t->cap ? t->cap : 256;
        while (t->len + (size_t)n + 1 > cap)
            cap *= 2;
        char *p = realloc(t->p, cap);
        if (p == NULL) {
            t->failed = true;
            return;
        }
        t->p = p;
        t->cap = cap;
    }
    va_start(ap, fmt);
    vsnprintf(t->p + t->len, t->cap - t->len, fmt, ap);
    va_end(ap);
    t->len += (size_t)n;
}

void text_put(struct text *t, FILE *f)
{
    if (t->p != NULL)
        fwrite(t->p, 1, t->len, f);
    text_free(t);
}

void text_free(struct text *t)
{
    free(t->p);
    *t = (struct text){0};
}

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
static void add_double(struct text *t, double v, int max_digits)
{
    char buf[40];
    for (int d = max_digits - 2; d <= max_digits; d++) {
        snprintf(buf, sizeof buf, "%.*g", d, v);
        if (strtod(buf, NULL) == v || d == max_digits)
            break;
    }
    text_add(t, "%s", buf);
}

static void add_scalar(struct text *t, const seqshm_field *f,
                       const unsigned char *p, bool json)
{
    union {
        int8_t i8; uint8_t u8; int16_t i16; uint16_t u16; int32_t i32;
        uint32_t u32; int64_t i64; uint64_t u64; float f32; double f64;
    } v;
    memcpy(&v, p, f->size);
    switch (f->type) {
    case SEQSHM_I8: text_add(t, "%d", v.i8); break;
    case SEQSHM_U8: text_add(t, "%u", v.u8); break;
    case SEQSHM_I16: text_add(t, "%d", v.i16); break;
    case SEQSHM_U16: text_add(t, "%u", v.u16); break;
    case SEQSHM_I32: text_add(t, "%" PRId32, v.i32); break;
    case SEQSHM_U32: text_add(t, "%" PRIu32, v.u32); break;
    case SEQSHM_I64: text_add(t, "%" PRId64, v.i64); break;
    case SEQSHM_U64: text_add(t, "%" PRIu64, v.u64); break;
    case SEQSHM_F32:
    case SEQSHM_F64: {
        double d = f->type == SEQSHM_F32 ? (double)v.f32 : v.f64;
        if (json && (d != d || d - d != 0)) /* NaN, infinities: no JSON */
            text_add(t, "null");
        else
            add_double(t, d, f->type == SEQSHM_F32 ? 9 : 17);
        break;
    }
    case SEQSHM_BOOL: text_add(t, "%s", v.u8 ? "true" : "false"); break;
    default: break;
    }
}

/* char[N]: the bytes up to the first NUL, quoted, escaped as JSON does. */
void text_quoted(struct text *t, const unsigned char *p, size_t n)
{
    text_add(t, "\"");
    for (size_t i = 0; i < n && p[i] != 0; i++) {
        unsigned char c = p[i];
        if (c == '"' || c == '\\')
            text_add(t, "\\%c", c);
        else if (c < 32 || c >= 127)
            text_add(t, "\\u%04x", c);
        else
            text_add(t, "%c", c);
    }
    text_add(t, "\"");
}

void print_text(const unsigned char *p, size_t n)
{
    struct text t = {0};
    text_quoted(&t, p, n);
    text_put(&t, stdout);
}

static void add_value(struct text *t, const seqshm_field *f,
                      const unsigned char *p, bool json)
{
    if (f->type == SEQSHM_CHAR) {
        text_quoted(t, p + f->offset, f->count);
        return;
    }
    if (!f->array) {
        add_scalar(t, f, p + f->offset, json);
        return;
    }
    text_add(t, "[");
    for (size_t i = 0; i < f->count; i++) {
        if (i)
            text_add(t, "%s", json ? ", " : " ");
        add_scalar(t, f, p + f->offset + i * f->size, json);
    }
    text_add(t, "]");
}

void fields_print(const struct fields *fs, const unsigned char *p,
                  const char *sep)
{
    struct text t = {0};
    for (size_t i = 0; i < fs->n; i++) {
        if (i)
            text_add(&t, "%s", sep);
        text_add(&t, "%s=", fs->f[i].name);
        add_value(&t, &fs->f[i], p, false);
    }
    text_put(&t, stdout);
}

void fields_to_json(struct text *t, const struct fields *fs,
                    const unsigned char *p)
{
    text_add(t, "{");
    for (size_t i = 0; i < fs->n; i++) {
        text_add(t, "%s\"%s\": ", i ? ", " : "", fs->f[i].name);
        add_value(t, &fs->f[i], p, true);
    }
    text_add(t, "}");
}

void fields_json(const struct fields *fs, const unsigned char *p)
{
    struct text t = {0};
    fields_to_json(&t, fs, p);
    text_put(&t, stdout);
}

/* The JSON Schema of fields_to_json's objects: integers with their
 * ranges, numbers, booleans, arrays of fixed length, char[N] as a string
 * of at most N characters. */
void fields_json_schema(struct text *t, const struct fields *fs,
                        const char *title)
{
    text_add(t, "{\"$schema\": \"https://json-schema.org/draft/2020-12/schema\", "
                "\"title\": ");
    text_quoted(t, (const unsigned char *)title, strlen(title));
    text_add(t, ", \"type\": \"object\", \"properties\": {");
    for (size_t i = 0; i < fs->n; i++) {
        const seqshm_field *f = &fs->f[i];
        const char *type = f->type == SEQSHM_BOOL ? "boolean"
                           : f->type == SEQSHM_F32 || f->type == SEQSHM_F64
                               ? "number"
                               : "integer";
        text_add(t, "%s\"%s\": ", i ? ", " : "", f->name);
        if (f->type == SEQSHM_CHAR) {
            text_add(t, "{\"type\": \"string\", \"maxLength\": %zu}", f->count);
            continue;
        }
        if (f->array)
            text_add(t, "{\"type\": \"array\", \"minItems\": %zu, "
                        "\"maxItems\": %zu, \"items\": ", f->count, f->count);
        text_add(t, "{\"type\": \"%s\"}", type);
        if (f->array)
            text_add(t, "}");
    }
    text_add(t, "}, \"required\": [");
    for (size_t i = 0; i < fs->n; i++)
        text_add(t, "%s\"%s\"", i ? ", " : "", fs->f[i].name);
    text_add(t, "]}");
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
