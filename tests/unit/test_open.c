/* test_open.c - names, flags, sizes, create/open, modes, close/unlink, and
 * objects in the namespace that are not seqshm segments. */
#include "util.h"

#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

TestSuite(open, .fini = test_cleanup);

static bool shm_exists(const char *name)
{
    char path[300];
    snprintf(path, sizeof path, "/dev/shm/%s", name[0] == '/' ? name + 1 : name);
    return access(path, F_OK) == 0;
}

Test(open, strerror_covers_every_status)
{
    for (int st = SEQSHM_ESYS; st <= SEQSHM_OK; st++) {
        const char *m = seqshm_strerror(st);
        cr_assert_not_null(m);
        cr_assert_str_neq(m, "unknown seqshm status", "status %d", st);
    }
    cr_assert_str_eq(seqshm_strerror(42), "unknown seqshm status");
    cr_assert_str_eq(seqshm_strerror(-99), "unknown seqshm status");
}

Test(open, create_then_open_same_segment)
{
    char n[64];
    seqshm *a, *b;
    cr_assert_eq(seqshm_open(&a, test_name(n, sizeof n, "c"), 24,
                             SEQSHM_CREATE), SEQSHM_OK);
    cr_assert(seqshm_is_creator(a));
    cr_assert_eq(seqshm_size(a), 24);
    cr_assert_str_eq(seqshm_name(a), n);
    cr_assert_eq(seqshm_version(a), 0);

    char slashed[80];
    snprintf(slashed, sizeof slashed, "/%s", n);
    cr_assert_eq(seqshm_open(&b, slashed, 0, 0), SEQSHM_OK, "/x is x");
    cr_assert_not(seqshm_is_creator(b));
    cr_assert_eq(seqshm_size(b), 24, "size 0 adopts");
    cr_assert_str_eq(seqshm_name(b), slashed);

    unsigned char z[24], ones[24];
    memset(ones, 1, sizeof ones);
    cr_assert_eq(seqshm_read(b, z, 0), SEQSHM_OK);
    for (size_t i = 0; i < sizeof z; i++)
        cr_assert_eq(z[i], 0, "new payload is zero");
    cr_assert_eq(seqshm_write(a, ones, 0), SEQSHM_OK);
    cr_assert_eq(seqshm_read(b, z, 0), SEQSHM_OK);
    cr_assert_arr_eq(z, ones, sizeof z);
    cr_assert_eq(seqshm_version(b), 1);
    seqshm_close(b);
    seqshm_close(a);
    cr_assert_not(shm_exists(n), "creator's close unlinks");
}

Test(open, create_on_existing_opens_it)
{
    char n[64];
    seqshm *a, *b;
    test_name(n, sizeof n, "ce");
    cr_assert_eq(seqshm_open(&a, n, 8, SEQSHM_CREATE), SEQSHM_OK);
    cr_assert_eq(seqshm_open(&b, n, 8, SEQSHM_CREATE), SEQSHM_OK);
    cr_assert_not(seqshm_is_creator(b));
    seqshm_close(b);
    cr_assert(shm_exists(n), "an opener's close does not unlink");
    cr_assert_eq(seqshm_open(&b, n, 0, SEQSHM_CREATE), SEQSHM_OK,
                 "size 0 with CREATE adopts");
    cr_assert_eq(seqshm_size(b), 8);
    seqshm_close(b);
    cr_assert_eq(seqshm_open(&b, n, 8, SEQSHM_CREATE | SEQSHM_EXCL),
                 SEQSHM_EEXIST);
    cr_assert_null(b, "out is NULL on failure");
    seqshm_close(a);
}

Test(open, missing_segment)
{
    char n[64];
    seqshm *a = (seqshm *)1;
    test_name(n, sizeof n, "missing");
    cr_assert_eq(seqshm_open(&a, n, 8, 0), SEQSHM_ENOENT);
    cr_assert_null(a);
    cr_assert_eq(seqshm_open(&a, n, 0, SEQSHM_RDONLY), SEQSHM_ENOENT);
    cr_assert_eq(seqshm_open(&a, n, 0, SEQSHM_CREATE), SEQSHM_EINVAL,
                 "size 0 and nothing to adopt");
    cr_assert_not(shm_exists(n));
    cr_assert_eq(seqshm_unlink(n), SEQSHM_ENOENT);
}

Test(open, size_mismatch)
{
    char n[64];
    seqshm *a, *b;
    test_name(n, sizeof n, "size");
    cr_assert_eq(seqshm_open(&a, n, 100, SEQSHM_CREATE), SEQSHM_OK);
    cr_assert_eq(seqshm_open(&b, n, 101, 0), SEQSHM_ESIZE);
    cr_assert_eq(seqshm_open(&b, n, 99, SEQSHM_CREATE), SEQSHM_ESIZE);
    cr_assert_eq(seqshm_open(&b, n, 100, SEQSHM_RDONLY), SEQSHM_OK);
    seqshm_close(b);
    seqshm_close(a);
}

Test(open, bad_names)
{
    static const char *bad[] = {"", "/", "//x", "a/b", "a b", "x\n", ".",
                                "..", "/.", "/..", "caf\xc3\xa9", "a*",
                                "a\\b", "~x"};
    seqshm *a;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        cr_assert_eq(seqshm_open(&a, bad[i], 8, SEQSHM_CREATE), SEQSHM_EINVAL,
                     "name [%s]", bad[i]);
        cr_assert_eq(seqshm_unlink(bad[i]), SEQSHM_EINVAL, "[%s]", bad[i]);
    }
    cr_assert_eq(seqshm_open(&a, NULL, 8, SEQSHM_CREATE), SEQSHM_EINVAL);
    cr_assert_eq(seqshm_unlink(NULL), SEQSHM_EINVAL);

    /* 201 characters, with and without '/', are too long; 200 are not */
    char n[SEQSHM_NAME_MAX + 3];
    memset(n, 'n', sizeof n);
    n[SEQSHM_NAME_MAX + 1] = '\0';
    cr_assert_eq(seqshm_open(&a, n, 8, SEQSHM_CREATE), SEQSHM_EINVAL, "201");
    n[0] = '/';
    n[SEQSHM_NAME_MAX + 1] = 'n';
    n[SEQSHM_NAME_MAX + 2] = '\0';
    cr_assert_eq(seqshm_open(&a, n, 8, SEQSHM_CREATE), SEQSHM_EINVAL, "/201");
    n[SEQSHM_NAME_MAX + 1] = '\0';
    char head[64];
    test_name(head, sizeof head, ""); /* so that test_cleanup finds it */
    memcpy(n + 1, head, strlen(head));
    cr_assert_eq(strlen(n), SEQSHM_NAME_MAX + 1);
    cr_assert_eq(seqshm_open(&a, n, 8, SEQSHM_CREATE), SEQSHM_OK, "/200");
    seqshm_close(a);
    cr_assert_eq(seqshm_open(&a, n + 1, 8, SEQSHM_CREATE), SEQSHM_OK, "200");
    seqshm_close(a);

    cr_assert_eq(seqshm_open(NULL, "x", 8, SEQSHM_CREATE), SEQSHM_EINVAL);
}

Test(open, every_valid_character)
{
    char n[64];
    seqshm *a;
    test_name(n, sizeof n, "AZaz09._-");
    cr_assert_eq(seqshm_open(&a, n, 8, SEQSHM_CREATE), SEQSHM_OK);
    seqshm_close(a);
}

Test(open, bad_flags_and_sizes)
{
    char n[64];
    seqshm *a;
    test_name(n, sizeof n, "flags");
    cr_assert_eq(seqshm_open(&a, n, 8, SEQSHM_EXCL), SEQSHM_EINVAL);
    cr_assert_eq(seqshm_open(&a, n, 8, SEQSHM_CREATE | SEQSHM_RDONLY),
                 SEQSHM_EINVAL);
    cr_assert_eq(seqshm_open(&a, n, 8, SEQSHM_CREATE | SEQSHM_DOUBLE_BUFFER |
                                           SEQSHM_MUTEX), SEQSHM_EINVAL);
    cr_assert_eq(seqshm_open(&a, n, 8, SEQSHM_CREATE | 0x400u), SEQSHM_EINVAL);
    cr_assert_eq(seqshm_open(&a, n, SEQSHM_MAX_SIZE + 1, SEQSHM_CREATE),
                 SEQSHM_EINVAL);
    cr_assert_eq(seqshm_open(&a, n, SIZE_MAX, SEQSHM_CREATE), SEQSHM_EINVAL);
    seqshm_options o = {.flags = SEQSHM_CREATE, .mode = 01000, .type_tag = 0};
    cr_assert_eq(seqshm_open_opts(&a, n, 8, &o), SEQSHM_EINVAL, "sticky bit");
    cr_assert_not(shm_exists(n), "nothing created by a refused call");
}

Test(open, layout_flags_of_existing_are_ignored)
{
    char n[64];
    seqshm *a, *b;
    test_name(n, sizeof n, "lay");
    cr_assert_eq(seqshm_open(&a, n, 64, SEQSHM_CREATE | SEQSHM_DOUBLE_BUFFER),
                 SEQSHM_OK);
    cr_assert_eq(seqshm_layout(a), SEQSHM_DOUBLE_BUFFER);
    cr_assert_eq(seqshm_open(&b, n, 64, SEQSHM_CREATE | SEQSHM_MUTEX),
                 SEQSHM_OK);
    cr_assert_eq(seqshm_layout(b), SEQSHM_DOUBLE_BUFFER, "creator's wins");
    seqshm_info in;
    cr_assert_eq(seqshm_stat(b, &in), SEQSHM_OK);
    cr_assert_eq(in.slots, 2);
    cr_assert_eq(in.size, 64);
    cr_assert_eq(in.creator_pid, (int)getpid());
    cr_assert(in.creator_alive);
    cr_assert_eq(in.writer_pid, 0);
    cr_assert_not(in.busy);
    cr_assert_not(in.torn);
    cr_assert_geq(in.slot_offset, 512);
    cr_assert_geq(in.slot_stride, 64);
    cr_assert_geq(in.mapped_bytes, in.slot_offset + 2 * in.slot_stride);
    cr_assert_eq(seqshm_stat(NULL, &in), SEQSHM_EINVAL);
    cr_assert_eq(seqshm_stat(b, NULL), SEQSHM_EINVAL);
    seqshm_close(b);
    seqshm_close(a);
}

Test(open, mode_is_exact_whatever_the_umask)
{
    char n[64];
    struct stat st;
    char path[128];
    seqshm *a;
    mode_t old = umask(0077);
    test_name(n, sizeof n, "mode");
    snprintf(path, sizeof path, "/dev/shm/%s", n);

    cr_assert_eq(seqshm_open(&a, n, 8, SEQSHM_CREATE), SEQSHM_OK);
    cr_assert_eq(stat(path, &st), 0);
    cr_assert_eq(st.st_mode & 07777, 0600, "default 0600, got %o",
                 st.st_mode & 07777);
    seqshm_close(a);

    seqshm_options o = {.flags = SEQSHM_CREATE, .mode = 0644, .type_tag = 0};
    cr_assert_eq(seqshm_open_opts(&a, n, 8, &o), SEQSHM_OK);
    cr_assert_eq(stat(path, &st), 0);
    cr_assert_eq(st.st_mode & 07777, 0644, "asked 0644 under umask 077");
    seqshm_close(a);

    umask(0);
    o.mode = 0640;
    cr_assert_eq(seqshm_open_opts(&a, n, 8, &o), SEQSHM_OK);
    cr_assert_eq(stat(path, &st), 0);
    cr_assert_eq(st.st_mode & 07777, 0640, "asked 0640 under umask 0");
    seqshm_close(a);
    umask(old);
}

Test(open, type_tags)
{
    char n[64];
    seqshm *a, *b;
    test_name(n, sizeof n, "tag");
    seqshm_options o = {.flags = SEQSHM_CREATE, .mode = 0, .type_tag = 0xfeedu};
    cr_assert_eq(seqshm_open_opts(&a, n, 8, &o), SEQSHM_OK);
    cr_assert_eq(seqshm_type_tag(a), 0xfeedu);
    o.flags = 0;
    cr_assert_eq(seqshm_open_opts(&b, n, 8, &o), SEQSHM_OK, "same tag");
    seqshm_close(b);
    o.type_tag = 0xbeefu;
    cr_assert_eq(seqshm_open_opts(&b, n, 8, &o), SEQSHM_ETYPE);
    cr_assert_null(b);
    o.type_tag = 0;
    cr_assert_eq(seqshm_open_opts(&b, n, 8, &o), SEQSHM_OK, "0 checks nothing");
    seqshm_close(b);
    cr_assert_eq(seqshm_open_opts(&b, n, 8, NULL), SEQSHM_OK, "NULL options");
    seqshm_close(b);
    seqshm_close(a);

    cr_assert_eq(seqshm_open(&a, n, 8, SEQSHM_CREATE), SEQSHM_OK);
    o.type_tag = 7;
    cr_assert_eq(seqshm_open_opts(&b, n, 8, &o), SEQSHM_ETYPE,
                 "untagged segment has tag 0");
    seqshm_close(a);
}

Test(open, persist_and_unlink)
{
    char n[64];
    seqshm *a, *b;
    test_name(n, sizeof n, "persist");
    cr_assert_eq(seqshm_open(&a, n, 8, SEQSHM_CREATE | SEQSHM_PERSIST),
                 SEQSHM_OK);
    unsigned char v[8] = {1, 2, 3, 4, 5, 6, 7, 8}, r[8];
    cr_assert_eq(seqshm_write(a, v, 0), SEQSHM_OK);
    seqshm_close(a);
    cr_assert(shm_exists(n), "PERSIST keeps the name");
    cr_assert_eq(seqshm_open(&b, n, 8, 0), SEQSHM_OK);
    cr_assert_eq(seqshm_read(b, r, 0), SEQSHM_OK);
    cr_assert_arr_eq(r, v, 8, "the value outlives its creator's handle");
    cr_assert_eq(seqshm_version(b), 1);

    cr_assert_eq(seqshm_unlink(n), SEQSHM_OK);
    cr_assert_not(shm_exists(n));
    cr_assert_eq(seqshm_read(b, r, 0), SEQSHM_OK, "mapping stays valid");
    seqshm_close(b);
    cr_assert_eq(seqshm_unlink(n), SEQSHM_ENOENT);
}

Test(open, creator_close_leaves_a_newer_segment_alone)
{
    char n[64];
    seqshm *a, *b;
    test_name(n, sizeof n, "newer");
    cr_assert_eq(seqshm_open(&a, n, 8, SEQSHM_CREATE), SEQSHM_OK);
    cr_assert_eq(seqshm_unlink(n), SEQSHM_OK);
    cr_assert_eq(seqshm_open(&b, n, 8, SEQSHM_CREATE), SEQSHM_OK);
    cr_assert(seqshm_is_creator(b));
    seqshm_close(a); /* must not unlink b's segment */
    cr_assert(shm_exists(n));
    seqshm_close(b);
    cr_assert_not(shm_exists(n));
}

Test(open, read_only_handle)
{
    char n[64];
    seqshm *a, *r;
    unsigned char buf[16] = {0};
    size_t got;
    test_name(n, sizeof n, "ro");
    cr_assert_eq(seqshm_open(&a, n, 16, SEQSHM_CREATE), SEQSHM_OK);
    cr_assert_eq(seqshm_open(&r, n, 16, SEQSHM_RDONLY), SEQSHM_OK);
    cr_assert_eq(seqshm_write(r, buf, 0), SEQSHM_EACCES);
    cr_assert_eq(seqshm_write_partial(r, buf, 1, 0, 0), SEQSHM_EACCES);
    cr_assert_eq(seqshm_write_span(r, buf, 16, 0), SEQSHM_EACCES);
    cr_assert_eq(seqshm_clear(r, 0), SEQSHM_EACCES);
    cr_assert_eq(seqshm_version(r), 0, "refused writes count nothing");
    cr_assert_eq(seqshm_read(r, buf, 0), SEQSHM_OK);
    cr_assert_eq(seqshm_read_span(r, buf, 16, &got, 0), SEQSHM_OK);
    cr_assert_eq(got, 16);
    seqshm_close(r);
    seqshm_close(a);
}

Test(open, permission_denied_is_eacces)
{
    char n[64];
    seqshm *a, *b;
    test_name(n, sizeof n, "perm");
    seqshm_options o = {.flags = SEQSHM_CREATE, .mode = 0400, .type_tag = 0};
    cr_assert_eq(seqshm_open_opts(&a, n, 8, &o), SEQSHM_OK);
    if (geteuid() == 0) {
        seqshm_close(a);
        SKIP_TEST("root ignores permission bits");
    }
    cr_assert_eq(seqshm_open(&b, n, 8, 0), SEQSHM_EACCES);
    cr_assert_eq(seqshm_open(&b, n, 8, SEQSHM_RDONLY), SEQSHM_OK);
    seqshm_close(b);
    seqshm_close(a);
}

/* --------------------------------------------- objects that are not ours */

Test(open, foreign_file_is_ebadseg_and_untouched)
{
    char n[64], path[128], back[4096];
    char junk[4096];
    for (size_t i = 0; i < sizeof junk; i++)
        junk[i] = (char)(i * 7 + 3);
    test_name(n, sizeof n, "foreign");
    plant_file(n, junk, sizeof junk);
    seqshm *a;
    long long t0 = mono_ns();
    cr_assert_eq(seqshm_open(&a, n, 8, 0), SEQSHM_EBADSEG);
    cr_assert_eq(seqshm_open(&a, n, 8, SEQSHM_CREATE), SEQSHM_EBADSEG);
    cr_assert_eq(seqshm_open(&a, n, 0, SEQSHM_RDONLY), SEQSHM_EBADSEG);
    cr_assert_lt(mono_ns() - t0, 100000000LL, "wrong magic fails at once");
    snprintf(path, sizeof path, "/dev/shm/%s", n);
    FILE *f = fopen(path, "rb");
    cr_assert_not_null(f);
    cr_assert_eq(fread(back, 1, sizeof back, f), sizeof back);
    fclose(f);
    cr_assert_arr_eq(back, junk, sizeof junk, "never overwritten");
}

Test(open, truncated_and_empty_objects)
{
    char n[64];
    seqshm *a;
    test_name(n, sizeof n, "trunc");
    plant_file(n, "SEQSHM", 6);
    cr_assert_eq(seqshm_open(&a, n, 0, 0), SEQSHM_EBADSEG, "6 bytes");
    plant_file(n, NULL, 0);
    long long t0 = mono_ns();
    cr_assert_eq(seqshm_open(&a, n, 0, 0), SEQSHM_EBADSEG, "empty");
    long long waited = mono_ns() - t0;
    cr_assert_geq(waited, 900000000LL, "waits about a second for a creator");
    cr_assert_lt(waited, 3000000000LL);
}

/* Builds a real segment, then damages one header field at a time. */
static void damage_and_check(const char *tag, size_t off, const void *bytes,
                             size_t n, int expect)
{
    char name[64], path[128];
    seqshm *a, *b;
    test_name(name, sizeof name, tag);
    cr_assert_eq(seqshm_open(&a, name, 1000, SEQSHM_CREATE | SEQSHM_PERSIST),
                 SEQSHM_OK);
    seqshm_close(a);
    snprintf(path, sizeof path, "/dev/shm/%s", name);
    int fd = open(path, O_RDWR);
    cr_assert_geq(fd, 0);
    cr_assert_eq(pwrite(fd, bytes, n, (off_t)off), (ssize_t)n);
    close(fd);
    cr_assert_eq(seqshm_open(&b, name, 0, 0), expect, "%s", tag);
    seqshm_close(b);
    seqshm_unlink(name);
}

Test(open, damaged_headers_are_ebadseg)
{
    uint64_t big = UINT64_C(1) << 62, zero = 0, odd = 1001;
    uint32_t three = 3, ver = 99, slots = 3;
    damage_and_check("magic", 0, "X", 1, SEQSHM_EBADSEG);
    damage_and_check("version", 8, &ver, 4, SEQSHM_EBADSEG);
    damage_and_check("flags", 12, &three, 4, SEQSHM_EBADSEG);
    damage_and_check("psize", 16, &big, 8, SEQSHM_EBADSEG);
    damage_and_check("psize0", 16, &zero, 8, SEQSHM_EBADSEG);
    damage_and_check("total", 24, &big, 8, SEQSHM_EBADSEG);
    damage_and_check("offset", 32, &big, 8, SEQSHM_EBADSEG);
    damage_and_check("stride", 40, &odd, 8, SEQSHM_EBADSEG);
    damage_and_check("stride0", 40, &zero, 8, SEQSHM_EBADSEG);
    damage_and_check("slots", 48, &slots, 4, SEQSHM_EBADSEG);
    damage_and_check("intact", 64, &zero, 8, SEQSHM_OK); /* creator fields */
}

Test(open, truncated_real_segment)
{
    char name[64], path[128];
    seqshm *a, *b;
    test_name(name, sizeof name, "cut");
    cr_assert_eq(seqshm_open(&a, name, 4096, SEQSHM_CREATE | SEQSHM_PERSIST),
                 SEQSHM_OK);
    seqshm_close(a);
    snprintf(path, sizeof path, "/dev/shm/%s", name);
    cr_assert_eq(truncate(path, 2000), 0);
    cr_assert_eq(seqshm_open(&b, name, 0, 0), SEQSHM_EBADSEG);
    cr_assert_eq(seqshm_open(&b, name, 0, SEQSHM_CREATE), SEQSHM_EBADSEG);
}

Test(open, directory_symlink_and_fifo_are_refused)
{
    char n[64], path[128], target[64], tpath[128];
    seqshm *a;
    struct stat st;
    test_name(n, sizeof n, "dir");
    snprintf(path, sizeof path, "/dev/shm/%s", n);
    cr_assert_eq(mkdir(path, 0700), 0);
    cr_assert_eq(seqshm_open(&a, n, 8, SEQSHM_CREATE), SEQSHM_EBADSEG);
    cr_assert_eq(stat(path, &st), 0);
    cr_assert(S_ISDIR(st.st_mode));
    rmdir(path);

    test_name(n, sizeof n, "fifo");
    snprintf(path, sizeof path, "/dev/shm/%s", n);
    cr_assert_eq(mkfifo(path, 0600), 0);
    cr_assert_eq(seqshm_open(&a, n, 8, 0), SEQSHM_EBADSEG, "no hang, refused");
    cr_assert_eq(seqshm_open(&a, n, 0, SEQSHM_RDONLY), SEQSHM_EBADSEG);
    cr_assert_eq(stat(path, &st), 0);
    cr_assert(S_ISFIFO(st.st_mode));
    unlink(path);

    test_name(n, sizeof n, "link");
    test_name(target, sizeof target, "target");
    snprintf(path, sizeof path, "/dev/shm/%s", n);
    snprintf(tpath, sizeof tpath, "/dev/shm/%s", target);
    plant_file(target, "keep", 4);
    cr_assert_eq(symlink(tpath, path), 0);
    int rc = seqshm_open(&a, n, 8, SEQSHM_CREATE);
    cr_assert(rc == SEQSHM_EBADSEG || rc == SEQSHM_EACCES, "got %d", rc);
    cr_assert_eq(stat(tpath, &st), 0);
    cr_assert_eq(st.st_size, 4, "the link's target is untouched");
}

/* seqshm_is_current: true while the name names the handle's segment; false
 * once it is removed, and once it is removed and made again. */
Test(open, is_current_follows_the_name)
{
    char name[64];
    test_name(name, sizeof name, "current");
    seqshm *c, *r, *again;
    cr_assert_eq(seqshm_open(&c, name, 8, SEQSHM_CREATE), SEQSHM_OK);
    cr_assert_eq(seqshm_open(&r, name, 0, SEQSHM_RDONLY), SEQSHM_OK);
    cr_assert(seqshm_is_current(c));
    cr_assert(seqshm_is_current(r));
    cr_assert_eq(seqshm_unlink(name), SEQSHM_OK);
    cr_assert_not(seqshm_is_current(r), "removed");
    cr_assert_eq(seqshm_open(&again, name, 8, SEQSHM_CREATE), SEQSHM_OK);
    cr_assert_not(seqshm_is_current(r), "made again: another segment");
    cr_assert(seqshm_is_current(again));
    cr_assert_not(seqshm_is_current(NULL));
    seqshm_close(again);
    seqshm_close(r);
    seqshm_close(c);
}
