/* layouts.c - the API in every layout (single buffer, double buffer, a
 * ring of 4 slots, the mutex baseline), one process: writes and reads,
 * read-only handles, partial access, spans, clear, update, the consumer's
 * step and reads of chosen versions, stat. The same source runs under
 * Criterion on Linux and under the Windows runner (harness.h). */
#include "harness.h"

#include <stdint.h>

PSUITE(portable);

struct layout {
    const char *name;
    unsigned flags;
    unsigned slots; /* asked; 0: the layout's own */
    unsigned kept;  /* versions it keeps */
};

static const struct layout layouts[] = {
    {"single", 0, 0, 1},
    {"double", SEQSHM_DOUBLE_BUFFER, 0, 2},
    {"ring", 0, 4, 4},
    {"mutex", SEQSHM_MUTEX, 0, 1},
};
#define NLAYOUTS (sizeof layouts / sizeof layouts[0])
#define SIZE 64

static int make(seqshm **s, char *name, size_t cap, const char *tag,
                const struct layout *l)
{
    char t[48];
    snprintf(t, sizeof t, "%s-%s", tag, l->name);
    ptest_name(name, cap, t);
    seqshm_options o = {.flags = SEQSHM_CREATE | SEQSHM_EXCL | l->flags,
                        .slots = l->slots};
    return seqshm_open_opts(s, name, SIZE, &o);
}

/* A payload whose every 8-byte word is k. */
static void fill(unsigned char *p, uint64_t k)
{
    for (size_t i = 0; i < SIZE; i += 8)
        memcpy(p + i, &k, 8);
}

static uint64_t first_word(const unsigned char *p)
{
    uint64_t k;
    memcpy(&k, p, 8);
    return k;
}

PTEST(portable, write_read_in_every_layout)
{
    for (size_t i = 0; i < NLAYOUTS; i++) {
        const struct layout *l = &layouts[i];
        char name[96];
        seqshm *s, *r;
        unsigned char a[SIZE], b[SIZE];
        uint64_t v = 99;
        CHECK(make(&s, name, sizeof name, "rw", l) == SEQSHM_OK, "%s", l->name);
        CHECK(seqshm_slots(s) == l->kept, "%s: slots %u", l->name,
              seqshm_slots(s));
        CHECK(seqshm_layout(s) == l->flags, "%s: layout %u", l->name,
              seqshm_layout(s));
        CHECK(seqshm_size(s) == SIZE && seqshm_is_creator(s) &&
                  strcmp(seqshm_name(s), name) == 0, "%s: getters", l->name);
        CHECK(seqshm_read_versioned(s, b, &v, 0) == SEQSHM_OK && v == 0 &&
                  first_word(b) == 0, "%s: a new segment is zeros", l->name);
        fill(a, 7);
        CHECK(seqshm_write(s, a, 0) == SEQSHM_OK, "%s: write", l->name);
        CHECK(seqshm_open(&r, name, SIZE, SEQSHM_RDONLY) == SEQSHM_OK,
              "%s: read-only open", l->name);
        CHECK(seqshm_read_versioned(r, b, &v, 0) == SEQSHM_OK && v == 1 &&
                  memcmp(a, b, SIZE) == 0, "%s: read-only read", l->name);
        CHECK(seqshm_read(s, b, 0) == SEQSHM_OK && memcmp(a, b, SIZE) == 0,
              "%s: read", l->name);
        CHECK(seqshm_write(r, a, 0) == SEQSHM_EACCES, "%s: read-only write",
              l->name);
        CHECK(!seqshm_is_occupied(s) && seqshm_version(r) == 1,
              "%s: idle at version 1", l->name);
        seqshm_info in;
        CHECK(seqshm_stat(r, &in) == SEQSHM_OK && in.version == 1 &&
                  in.slots == l->kept && in.size == SIZE && !in.busy &&
                  !in.torn, "%s: stat", l->name);
        seqshm_close(r);
        seqshm_close(s);
    }
}

PTEST(portable, partial_spans_and_clear_in_every_layout)
{
    for (size_t i = 0; i < NLAYOUTS; i++) {
        const struct layout *l = &layouts[i];
        char name[96];
        seqshm *s;
        unsigned char a[SIZE], b[SIZE], part[8];
        uint64_t v;
        CHECK(make(&s, name, sizeof name, "part", l) == SEQSHM_OK, "%s", l->name);
        fill(a, 1);
        CHECK(seqshm_write(s, a, 0) == SEQSHM_OK, "%s", l->name);
        uint64_t two = 2;
        CHECK(seqshm_write_partial(s, &two, 8, 16, 0) == SEQSHM_OK,
              "%s: partial write", l->name);
        CHECK(seqshm_read_versioned(s, b, &v, 0) == SEQSHM_OK && v == 2,
              "%s: version 2", l->name);
        memcpy(a + 16, &two, 8);
        CHECK(memcmp(a, b, SIZE) == 0, "%s: the rest kept its bytes", l->name);
        CHECK(seqshm_read_partial(s, part, 8, 16, 0) == SEQSHM_OK &&
                  memcmp(part, &two, 8) == 0, "%s: partial read", l->name);
        CHECK(seqshm_write_partial(s, &two, 8, SIZE - 4, 0) == SEQSHM_EINVAL &&
                  seqshm_read_partial(s, part, 0, 0, 0) == SEQSHM_EINVAL &&
                  seqshm_read_partial(s, part, 8, SIZE - 4, 0) ==
                      SEQSHM_EINVAL, "%s: out of range", l->name);
        unsigned char c[10];
        memset(c, 0xc3, sizeof c);
        CHECK(seqshm_write_span(s, c, sizeof c, 0) == SEQSHM_OK &&
                  seqshm_write_span(s, c, SIZE + 1, 0) == SEQSHM_EINVAL,
              "%s: spans", l->name);
        unsigned char big[2 * SIZE];
        size_t got = 0;
        CHECK(seqshm_read_span(s, big, sizeof big, &got, 0) == SEQSHM_OK &&
                  got == SIZE && memcmp(big, c, sizeof c) == 0 &&
                  memcmp(big + sizeof c, a + sizeof c, SIZE - sizeof c) == 0,
              "%s: a short span keeps the bytes after it", l->name);
        CHECK(seqshm_clear(s, 0) == SEQSHM_OK &&
                  seqshm_read_versioned(s, b, &v, 0) == SEQSHM_OK && v == 4,
              "%s: clear is a write", l->name);
        memset(a, 0, sizeof a);
        CHECK(memcmp(a, b, SIZE) == 0, "%s: cleared", l->name);
        seqshm_close(s);
    }
}

static void add_one(void *value, size_t size, void *ctx)
{
    (void)ctx;
    uint64_t k;
    if (size < 8)
        return;
    memcpy(&k, value, 8);
    k++;
    memcpy(value, &k, 8);
}

PTEST(portable, update_in_every_layout)
{
    for (size_t i = 0; i < NLAYOUTS; i++) {
        const struct layout *l = &layouts[i];
        char name[96];
        seqshm *s;
        unsigned char b[SIZE];
        CHECK(make(&s, name, sizeof name, "upd", l) == SEQSHM_OK, "%s", l->name);
        for (int n = 0; n < 100; n++)
            CHECK(seqshm_update(s, add_one, NULL, 0) == SEQSHM_OK,
                  "%s: update %d", l->name, n);
        CHECK(seqshm_read(s, b, 0) == SEQSHM_OK && first_word(b) == 100 &&
                  seqshm_version(s) == 100, "%s: 100 updates", l->name);
        seqshm_close(s);
    }
}

PTEST(portable, next_and_read_at_in_every_layout)
{
    for (size_t i = 0; i < NLAYOUTS; i++) {
        const struct layout *l = &layouts[i];
        char name[96];
        seqshm *s, *r;
        unsigned char a[SIZE], b[SIZE];
        CHECK(make(&s, name, sizeof name, "next", l) == SEQSHM_OK, "%s", l->name);
        CHECK(seqshm_open(&r, name, SIZE, SEQSHM_RDONLY) == SEQSHM_OK, "%s",
              l->name);
        for (uint64_t k = 1; k <= 10; k++) {
            fill(a, k);
            CHECK(seqshm_write(s, a, 0) == SEQSHM_OK, "%s", l->name);
        }
        /* from 0: the oldest kept, the rest counted as lost */
        uint64_t cursor = 0, lost = 99, oldest = 10 - l->kept + 1;
        CHECK(seqshm_next(r, &cursor, b, &lost, 0) == SEQSHM_OK &&
                  cursor == oldest && lost == oldest - 1 &&
                  first_word(b) == oldest,
              "%s: first step: version %llu, lost %llu", l->name,
              (unsigned long long)cursor, (unsigned long long)lost);
        while (cursor < 10) {
            uint64_t was = cursor;
            CHECK(seqshm_next(r, &cursor, b, &lost, 0) == SEQSHM_OK &&
                      cursor == was + 1 && lost == 0 &&
                      first_word(b) == cursor, "%s: step to %llu", l->name,
                  (unsigned long long)was + 1);
        }
        CHECK(seqshm_next(r, &cursor, b, &lost, 0) == SEQSHM_ETIMEDOUT &&
                  cursor == 10, "%s: nothing newer", l->name);
        seqshm *h[2] = {r, s}; /* a read-only handle and a read-write one */
        for (int k = 0; k < 2; k++) {
            CHECK(seqshm_read_at(h[k], 10, b, 0) == SEQSHM_OK &&
                      first_word(b) == 10, "%s: read_at 10", l->name);
            CHECK(seqshm_read_at(h[k], oldest, b, 0) == SEQSHM_OK &&
                      first_word(b) == oldest, "%s: read_at the oldest kept",
                  l->name);
            CHECK(seqshm_read_at(h[k], oldest - 1, b, 0) ==
                      SEQSHM_EOVERWRITTEN, "%s: read_at one older", l->name);
            CHECK(seqshm_read_at(h[k], 11, b, 0) == SEQSHM_ETIMEDOUT,
                  "%s: read_at a future version", l->name);
        }
        seqshm_close(r);
        seqshm_close(s);
    }
}

PTEST(portable, schema_in_every_layout)
{
    for (size_t i = 0; i < NLAYOUTS; i++) {
        const struct layout *l = &layouts[i];
        char name[96], t[48];
        seqshm *s, *o;
        snprintf(t, sizeof t, "schema-%s", l->name);
        ptest_name(name, sizeof name, t);
        seqshm_options opts = {.flags = SEQSHM_CREATE | l->flags,
                               .slots = l->slots, .schema = "a:u32  b:f64"};
        CHECK(seqshm_open_opts(&s, name, 0, &opts) == SEQSHM_OK &&
                  seqshm_size(s) == 16 &&
                  strcmp(seqshm_schema(s), "a:u32 b:f64") == 0,
              "%s: the schema's size, canonical", l->name);
        seqshm_options other = {.schema = "a:i32 b:f64"};
        CHECK(seqshm_open_opts(&o, name, 0, &other) == SEQSHM_ETYPE,
              "%s: another schema", l->name);
        seqshm_close(s);
    }
}
