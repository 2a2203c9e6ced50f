/* fields.c - payloads shown by field, for segments that carry a schema
 * (seqshm.h, "Schemas"): name=value text, JSON objects and their JSON
 * Schema, and the field table of `info`; built in a growing text (struct
 * text) so the same JSON goes to a terminal, a WebSocket or a file. */
#include "tool.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Room for n more bytes and a NUL; false (failed set) if memory ran out. */
static bool grow(struct text *t, size_t n)
{
    size_t cap = t->cap ? t->cap : 256;
    while (t->len + n + 1 > cap)
        cap *= 2;
    char *p = realloc(t->p, cap);
    if (p == NULL) {
        t->failed = true;
        return false;
    }
    t->p = p;
    t->cap = cap;
    return true;
}

void text_add(struct text *t, const char *fmt, ...)
{
    if (t->failed)
        return;
    for (;;) { /* formatted once where it fits, twice where it grows */
        size_t room = t->cap - t->len;
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(t->p != NULL ? t->p + t->len : NULL, room, fmt, ap);
        va_end(ap);
        if (n < 0) {
            t->failed = true;
            return;
        }
        if ((size_t)n < room) {
            t->len += (size_t)n;
            return;
        }
        if (!grow(t, (size_t)n))
            return;
    }
}

void text_raw(struct text *t, const char *s, size_t n)
{
    if (t->failed || (t->len + n + 1 > t->cap && !grow(t, n)))
        return;
    memcpy(t->p + t->len, s, n);
    t->len += n;
    t->p[t->len] = '\0';
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
    text_raw(t, buf, strlen(buf));
}

/* An integer in decimal, without printf (most fields are integers, and a
 * served or recorded value has many). */
static void add_int(struct text *t, uint64_t magnitude, bool negative)
{
    char buf[24], *q = buf + sizeof buf;
    *--q = '\0';
    do {
        *--q = (char)('0' + magnitude % 10);
        magnitude /= 10;
    } while (magnitude != 0);
    if (negative)
        *--q = '-';
    text_raw(t, q, (size_t)(buf + sizeof buf - 1 - q));
}

static void add_signed(struct text *t, int64_t v)
{
    add_int(t, v < 0 ? 0 - (uint64_t)v : (uint64_t)v, v < 0);
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
    case SEQSHM_I8: add_signed(t, v.i8); break;
    case SEQSHM_U8: add_int(t, v.u8, false); break;
    case SEQSHM_I16: add_signed(t, v.i16); break;
    case SEQSHM_U16: add_int(t, v.u16, false); break;
    case SEQSHM_I32: add_signed(t, v.i32); break;
    case SEQSHM_U32: add_int(t, v.u32, false); break;
    case SEQSHM_I64: add_signed(t, v.i64); break;
    case SEQSHM_U64: add_int(t, v.u64, false); break;
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
    text_raw(t, "\"", 1);
    size_t run = 0; /* bytes that need no escape, appended together */
    for (size_t i = 0; i < n && p[i] != 0; i++) {
        unsigned char c = p[i];
        if (c != '"' && c != '\\' && c >= 32 && c < 127) {
            run++;
            continue;
        }
        text_raw(t, (const char *)p + i - run, run);
        run = 0;
        if (c == '"' || c == '\\')
            text_add(t, "\\%c", c);
        else
            text_add(t, "\\u%04x", c);
    }
    size_t len = 0;
    while (len < n && p[len] != 0)
        len++;
    text_raw(t, (const char *)p + len - run, run);
    text_raw(t, "\"", 1);
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
    text_raw(t, "[", 1);
    for (size_t i = 0; i < f->count; i++) {
        if (i)
            text_raw(t, json ? ", " : " ", json ? 2 : 1);
        add_scalar(t, f, p + f->offset + i * f->size, json);
    }
    text_raw(t, "]", 1);
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
    text_raw(t, "{", 1);
    for (size_t i = 0; i < fs->n; i++) {
        if (i)
            text_raw(t, ", ", 2);
        text_raw(t, "\"", 1);
        text_raw(t, fs->f[i].name, strlen(fs->f[i].name));
        text_raw(t, "\": ", 3);
        add_value(t, &fs->f[i], p, true);
    }
    text_raw(t, "}", 1);
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

/* ------------------------------------------- JSON back into a payload */

struct json_in {
    const char *p, *end;
    const char *why;
};

static void skip_space(struct json_in *j)
{
    while (j->p < j->end && (*j->p == ' ' || *j->p == '\t' || *j->p == '\n' ||
                             *j->p == '\r'))
        j->p++;
}

static bool expect(struct json_in *j, char c)
{
    skip_space(j);
    if (j->p < j->end && *j->p == c) {
        j->p++;
        return true;
    }
    return false;
}

/* A JSON string into out (at most cap bytes, NUL-padded): \uXXXX only
 * for bytes (as text_quoted writes them). */
static bool json_string(struct json_in *j, char *out, size_t cap, size_t *n)
{
    *n = 0;
    if (!expect(j, '"'))
        return false;
    while (j->p < j->end && *j->p != '"') {
        unsigned c = (unsigned char)*j->p++;
        if (c == '\\') {
            if (j->p >= j->end)
                return false;
            char e = *j->p++;
            switch (e) {
            case '"': case '\\': case '/': c = (unsigned char)e; break;
            case 'b': c = '\b'; break;
            case 'f': c = '\f'; break;
            case 'n': c = '\n'; break;
            case 'r': c = '\r'; break;
            case 't': c = '\t'; break;
            case 'u': { /* a byte, as text_quoted writes one */
                unsigned v = 0;
                for (int i = 0; i < 4; i++) {
                    if (j->p >= j->end)
                        return false;
                    char h = *j->p++;
                    v = v * 16 + (unsigned)(h >= '0' && h <= '9' ? h - '0'
                                            : h >= 'a' && h <= 'f' ? h - 'a' + 10
                                            : h >= 'A' && h <= 'F' ? h - 'A' + 10
                                                                   : 999);
                }
                if (v > 255)
                    return false;
                c = v;
                break;
            }
            default:
                return false;
            }
        }
        if (*n >= cap)
            return false;
        out[(*n)++] = (char)c;
    }
    return j->p < j->end && *j->p++ == '"';
}

/* One number or literal of field f into p. */
static bool json_scalar(struct json_in *j, const seqshm_field *f,
                        unsigned char *p)
{
    skip_space(j);
    char tok[64];
    size_t n = 0;
    while (j->p + n < j->end && n < sizeof tok - 1 &&
           strchr("+-0123456789.eEtrufalsn", j->p[n]) != NULL)
        n++;
    memcpy(tok, j->p, n);
    tok[n] = '\0';
    j->p += n;
    union {
        int8_t i8; uint8_t u8; int16_t i16; uint16_t u16; int32_t i32;
        uint32_t u32; int64_t i64; uint64_t u64; float f32; double f64;
    } v;
    char *end = tok;
    errno = 0;
    switch (f->type) {
    case SEQSHM_BOOL:
        if (strcmp(tok, "true") != 0 && strcmp(tok, "false") != 0)
            return false;
        v.u8 = tok[0] == 't';
        break;
    case SEQSHM_F32:
    case SEQSHM_F64: {
        double d = strcmp(tok, "null") == 0 ? (double)NAN : strtod(tok, &end);
        if (strcmp(tok, "null") != 0 && (*end != '\0' || n == 0))
            return false;
        if (f->type == SEQSHM_F32)
            v.f32 = (float)d;
        else
            v.f64 = d;
        break;
    }
    case SEQSHM_U8: case SEQSHM_U16: case SEQSHM_U32: case SEQSHM_U64: {
        unsigned long long u = strtoull(tok, &end, 10);
        uint64_t max = f->size == 8 ? UINT64_MAX
                                    : ((uint64_t)1 << (8 * f->size)) - 1;
        if (n == 0 || *end != '\0' || errno != 0 || tok[0] == '-' || u > max)
            return false;
        v.u64 = 0;
        if (f->size == 1) v.u8 = (uint8_t)u;
        else if (f->size == 2) v.u16 = (uint16_t)u;
        else if (f->size == 4) v.u32 = (uint32_t)u;
        else v.u64 = u;
        break;
    }
    default: { /* signed */
        long long s = strtoll(tok, &end, 10);
        int64_t lo = f->size == 8 ? INT64_MIN
                                  : -((int64_t)1 << (8 * f->size - 1));
        int64_t hi = f->size == 8 ? INT64_MAX
                                  : ((int64_t)1 << (8 * f->size - 1)) - 1;
        if (n == 0 || *end != '\0' || errno != 0 || s < lo || s > hi)
            return false;
        if (f->size == 1) v.i8 = (int8_t)s;
        else if (f->size == 2) v.i16 = (int16_t)s;
        else if (f->size == 4) v.i32 = (int32_t)s;
        else v.i64 = s;
        break;
    }
    }
    memcpy(p, &v, f->size);
    return true;
}

bool fields_from_json(const struct fields *fs, const char *json, size_t len,
                      unsigned char *p, size_t size, const char **why)
{
    struct json_in j = {json, json + len, NULL};
    bool *seen = calloc(fs->n ? fs->n : 1, sizeof *seen);
    memset(p, 0, size);
    *why = "not a JSON object";
    if (seen == NULL || !expect(&j, '{'))
        goto bad;
    for (size_t k = 0; k < fs->n; k++) {
        char name[SEQSHM_FIELD_NAME_MAX + 1];
        size_t n;
        if ((k > 0 && !expect(&j, ',')) ||
            !json_string(&j, name, sizeof name - 1, &n) || !expect(&j, ':'))
            goto bad;
        name[n] = '\0';
        const seqshm_field *f = NULL;
        for (size_t i = 0; i < fs->n && f == NULL; i++)
            if (strcmp(fs->f[i].name, name) == 0 && !seen[i]) {
                f = &fs->f[i];
                seen[i] = true;
            }
        *why = "a name that is no field of the schema, or one given twice";
        if (f == NULL)
            goto bad;
        *why = "a value out of its field's range or type";
        if (f->type == SEQSHM_CHAR) {
            if (!json_string(&j, (char *)p + f->offset, f->count, &n))
                goto bad;
        } else if (f->array) {
            if (!expect(&j, '['))
                goto bad;
            for (size_t i = 0; i < f->count; i++)
                if ((i > 0 && !expect(&j, ',')) ||
                    !json_scalar(&j, f, p + f->offset + i * f->size))
                    goto bad;
            if (!expect(&j, ']'))
                goto bad;
        } else if (!json_scalar(&j, f, p + f->offset)) {
            goto bad;
        }
    }
    *why = "not every field, or more than the fields";
    if (!expect(&j, '}'))
        goto bad;
    skip_space(&j);
    if (j.p != j.end)
        goto bad;
    free(seen);
    return true;
bad:
    free(seen);
    return false;
}
