/* schema.c - the text form of a segment's field layout (seqshm.h,
 * "Schemas"): parsing, the C layout of the fields, the canonical text.
 *
 * Grammar (spaces separate fields; any run of spaces or tabs, leading and
 * trailing ones allowed):
 *     schema := field { ' ' field }
 *     field  := name ':' type [ '[' count ']' ]
 *     name   := [A-Za-z_][A-Za-z0-9_]*   at most SEQSHM_FIELD_NAME_MAX
 *     type   := i8 u8 i16 u16 i32 u32 i64 u64 f32 f64 bool char
 *     count  := [1-9][0-9]*              (char needs one)
 * Offsets are those of a C struct with these members in this order: each
 * field at the next multiple of its element's size (char and bool: 1), the
 * whole rounded up to the largest of them. This is the layout of every
 * platform seqshm runs on (natural alignment, 8-byte i64 and f64).
 *
 * Invariant: a schema stored in a segment is canonical (one space between
 * fields) and parses to exactly the segment's payload size; openers check
 * both before trusting it (header.c: header_schema).
 */
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct {
    char name[5];
    seqshm_type type;
    size_t size;
} types[] = {
    {"i8", SEQSHM_I8, 1},    {"u8", SEQSHM_U8, 1},    {"i16", SEQSHM_I16, 2},
    {"u16", SEQSHM_U16, 2},  {"i32", SEQSHM_I32, 4},  {"u32", SEQSHM_U32, 4},
    {"i64", SEQSHM_I64, 8},  {"u64", SEQSHM_U64, 8},  {"f32", SEQSHM_F32, 4},
    {"f64", SEQSHM_F64, 8},  {"bool", SEQSHM_BOOL, 1}, {"char", SEQSHM_CHAR, 1},
};

static bool is_space(char c) { return c == ' ' || c == '\t'; }
static bool ident_start(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}
static bool ident_char(char c) { return ident_start(c) || (c >= '0' && c <= '9'); }

static int why_not(char *why, size_t cap, size_t field, const char *fmt,
                   const char *detail)
{
    if (why != NULL && cap > 0) {
        char what[160];
        snprintf(what, sizeof what, fmt, detail);
        snprintf(why, cap, "field %zu: %s", field + 1, what);
    }
    return SEQSHM_EINVAL;
}

/* One field at *p (no leading space); advances *p past it. */
static int parse_field(const char **p, seqshm_field *f, size_t index,
                       char *why, size_t cap)
{
    const char *s = *p, *start = s;
    if (!ident_start(*s))
        return why_not(why, cap, index, "a name must start with a letter "
                       "or '_'%s", "");
    while (ident_char(*s))
        s++;
    size_t n = (size_t)(s - start);
    if (n > SEQSHM_FIELD_NAME_MAX)
        return why_not(why, cap, index, "name longer than %s characters",
                       "63");
    memcpy(f->name, start, n);
    f->name[n] = '\0';
    if (*s != ':')
        return why_not(why, cap, index, "expected ':' after the name '%s'",
                       f->name);
    s++;
    const char *t = s;
    while ((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9'))
        s++;
    size_t tl = (size_t)(s - t);
    size_t i = 0;
    for (; i < sizeof types / sizeof types[0]; i++)
        if (strlen(types[i].name) == tl && memcmp(types[i].name, t, tl) == 0)
            break;
    if (i == sizeof types / sizeof types[0]) {
        char bad[24];
        snprintf(bad, sizeof bad, "%.*s", (int)(tl < 20 ? tl : 20), t);
        return why_not(why, cap, index, "unknown type '%s' (i8 u8 i16 u16 "
                       "i32 u32 i64 u64 f32 f64 bool char)", bad);
    }
    f->type = types[i].type;
    f->type_name = types[i].name;
    f->size = types[i].size;
    f->count = 1;
    f->array = false;
    if (*s == '[') {
        s++;
        if (*s < '1' || *s > '9')
            return why_not(why, cap, index, "a count is a number from 1%s",
                           "");
        uint64_t c = 0;
        while (*s >= '0' && *s <= '9') {
            c = c * 10 + (uint64_t)(*s - '0');
            if (c > SEQSHM_MAX_SIZE)
                return why_not(why, cap, index, "count too large%s", "");
            s++;
        }
        if (*s != ']')
            return why_not(why, cap, index, "expected ']' after the count%s",
                           "");
        s++;
        f->count = (size_t)c;
        f->array = true;
    } else if (f->type == SEQSHM_CHAR) {
        return why_not(why, cap, index, "char needs a count: char[N]%s", "");
    }
    if (*s != '\0' && !is_space(*s))
        return why_not(why, cap, index, "unexpected '%s' after the type",
                       (char[2]){*s, '\0'});
    *p = s;
    return SEQSHM_OK;
}

int schema_parse(const char *schema, seqshm_field *fields, size_t cap,
                 size_t *nfields, size_t *size, char *canon, char *why,
                 size_t whycap)
{
    if (why != NULL && whycap > 0)
        why[0] = '\0';
    if (schema == NULL) {
        if (why != NULL && whycap > 0)
            snprintf(why, whycap, "no schema");
        return SEQSHM_EINVAL;
    }
    size_t len = strlen(schema);
    if (len > SEQSHM_SCHEMA_MAX) {
        if (why != NULL && whycap > 0)
            snprintf(why, whycap, "longer than %d bytes", SEQSHM_SCHEMA_MAX);
        return SEQSHM_EINVAL;
    }
    /* every field takes at least 4 characters and a separator */
    seqshm_field *all = malloc(sizeof *all * (len / 5 + 1));
    if (all == NULL)
        return SEQSHM_ESYS;
    const char *p = schema;
    size_t n = 0, off = 0, align = 1, out = 0;
    int rc = SEQSHM_OK;
    for (;;) {
        while (is_space(*p))
            p++;
        if (*p == '\0')
            break;
        seqshm_field *f = &all[n];
        if ((rc = parse_field(&p, f, n, why, whycap)) != SEQSHM_OK)
            goto out;
        for (size_t j = 0; j < n; j++)
            if (strcmp(all[j].name, f->name) == 0) {
                rc = why_not(why, whycap, n, "the name '%s' is used twice",
                             f->name);
                goto out;
            }
        off = (off + f->size - 1) / f->size * f->size;
        f->offset = off;
        off += f->size * f->count;
        if (off > SEQSHM_MAX_SIZE) {
            rc = why_not(why, whycap, n, "the fields exceed %s bytes", "2^30");
            goto out;
        }
        if (f->size > align)
            align = f->size;
        if (canon != NULL) /* never longer than the text it comes from */
            out += (size_t)snprintf(canon + out, SEQSHM_SCHEMA_MAX + 1 - out,
                                    f->array ? "%s%s:%s[%zu]" : "%s%s:%s",
                                    out ? " " : "", f->name, f->type_name,
                                    f->count);
        n++;
    }
    if (n == 0) {
        if (why != NULL && whycap > 0)
            snprintf(why, whycap, "no fields");
        rc = SEQSHM_EINVAL;
        goto out;
    }
    for (size_t i = 0; i < n && i < cap; i++)
        fields[i] = all[i];
    if (nfields != NULL)
        *nfields = n;
    if (size != NULL)
        *size = (off + align - 1) / align * align;
out:
    free(all);
    return rc;
}

int seqshm_schema_parse(const char *schema, seqshm_field *fields, size_t cap,
                        size_t *nfields, size_t *size, char *why,
                        size_t whycap)
{
    if (fields == NULL && cap != 0)
        return SEQSHM_EINVAL;
    return schema_parse(schema, fields, cap, nfields, size, NULL, why, whycap);
}

const char *seqshm_schema(const seqshm *s)
{
    return s != NULL && s->schema != NULL ? s->schema : "";
}
