/* wintests.c - seqshm on Windows, without Criterion: a small runner of its
 * own, run under wine by `make test-windows`. It runs the portable tests
 * (tests/portable/, the same sources the Linux suite runs under
 * Criterion: ptest_runner.c), then the tests of Windows' own: the
 * multi-process ones start this same program as a child with a role
 * (CreateProcess), and kill it with TerminateProcess where the test is
 * about a dead writer.
 *
 *   wintests                   every test; exit 1 if any failed
 *   wintests ROLE ARGS...      a child's role (see main)
 */
#include "seqshm.h"
#include "../common/pattern.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <windows.h>

static int failures, checks;

void ptest_run_all(int *checks, int *failures); /* ptest_runner.c */

#define CHECK(cond, ...)                                                      \
    do {                                                                      \
        checks++;                                                             \
        if (!(cond)) {                                                        \
            failures++;                                                       \
            printf("FAIL %s:%d: %s: ", __FILE__, __LINE__, #cond);            \
            printf(__VA_ARGS__);                                              \
            printf("\n");                                                     \
        }                                                                     \
    } while (0)

static uint64_t ms_now(void) { return GetTickCount64(); }

static void name_for(char *buf, size_t cap, const char *tag)
{
    snprintf(buf, cap, "seqshm-w-%lu-%s", (unsigned long)GetCurrentProcessId(),
             tag);
}

/* Starts this program with a role; returns its process handle, and its
 * main thread's in *thread (if not NULL; else that handle is closed). */
static HANDLE vspawn(HANDLE *thread, const char *fmt, va_list ap)
{
    char self[MAX_PATH], args[512], cmd[MAX_PATH + 600];
    GetModuleFileNameA(NULL, self, sizeof self);
    vsnprintf(args, sizeof args, fmt, ap);
    snprintf(cmd, sizeof cmd, "\"%s\" %s", self, args);
    STARTUPINFOA si = {.cb = sizeof si};
    PROCESS_INFORMATION pi;
    if (!CreateProcessA(NULL, cmd, NULL, NULL, FALSE, 0, NULL, NULL, &si, &pi))
        return NULL;
    if (thread != NULL)
        *thread = pi.hThread;
    else
        CloseHandle(pi.hThread);
    return pi.hProcess;
}

static HANDLE spawn(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    HANDLE p = vspawn(NULL, fmt, ap);
    va_end(ap);
    return p;
}

static HANDLE spawn_thread(HANDLE *thread, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    HANDLE p = vspawn(thread, fmt, ap);
    va_end(ap);
    return p;
}

/* Suspends the writer's thread while a write is in progress (as the Linux
 * kill test stops its writers), trying up to 200 times; returns with the
 * thread suspended either way. A layout whose writes are a small part of
 * the writer's time (the mutex layout, whose lock and unlock are each a
 * round trip to the kernel) is rarely caught mid-write by a kill at a
 * random moment. */
static void suspend_mid_write(HANDLE thread, const seqshm *s)
{
    for (int tries = 0; tries < 200; tries++) {
        SuspendThread(thread);
        /* SuspendThread only asks; GetThreadContext returns once the thread
         * has stopped */
        CONTEXT ctx = {.ContextFlags = CONTEXT_CONTROL};
        GetThreadContext(thread, &ctx);
        seqshm_info in;
        if (seqshm_stat(s, &in) == SEQSHM_OK && in.busy)
            return;
        ResumeThread(thread);
        Sleep((DWORD)(tries % 3));
    }
    SuspendThread(thread);
    CONTEXT ctx = {.ContextFlags = CONTEXT_CONTROL};
    GetThreadContext(thread, &ctx);
}

static DWORD finish(HANDLE p, DWORD ms)
{
    DWORD code = 99;
    if (WaitForSingleObject(p, ms) != WAIT_OBJECT_0) {
        TerminateProcess(p, 98);
        WaitForSingleObject(p, INFINITE);
    }
    GetExitCodeProcess(p, &code);
    CloseHandle(p);
    return code;
}

/* ---------------------------------------------------------------- roles */

/* pattern writes for `secs` seconds, as the only writer */
static int role_writer(const char *name, int secs)
{
    seqshm *s;
    if (seqshm_open(&s, name, 0, 0) != SEQSHM_OK)
        return 2;
    size_t n = seqshm_size(s);
    unsigned char *buf = malloc(n);
    uint64_t end = ms_now() + (uint64_t)secs * 1000;
    while (ms_now() < end) {
        pattern_fill(buf, n, seqshm_version(s) + 1);
        if (seqshm_write(s, buf, SEQSHM_FOREVER) != SEQSHM_OK)
            return 3;
    }
    seqshm_close(s);
    return 0;
}

/* writes for ever (the parent terminates it) */
static int role_killwriter(const char *name, int sole)
{
    seqshm *s;
    if (seqshm_open(&s, name, 0, sole ? SEQSHM_SOLE_WRITER : 0) != SEQSHM_OK)
        return 2;
    size_t n = seqshm_size(s);
    unsigned char *buf = malloc(n);
    for (;;) {
        pattern_fill(buf, n, seqshm_version(s) + 1);
        if (seqshm_write(s, buf, SEQSHM_FOREVER) != SEQSHM_OK)
            return 3;
    }
}

static int role_waiter(const char *name, uint64_t since, int ms)
{
    seqshm *s;
    if (seqshm_open(&s, name, 0, 0) != SEQSHM_OK)
        return 2;
    int rc = seqshm_wait(s, since, (int64_t)ms * 1000000);
    seqshm_close(s);
    return rc == SEQSHM_OK ? 0 : 1;
}

static int role_pong(const char *a, const char *b, int rounds)
{
    seqshm *ra, *wb;
    unsigned char x[8] = {0};
    if (seqshm_open(&ra, a, 0, 0) != SEQSHM_OK ||
        seqshm_open(&wb, b, 0, SEQSHM_SOLE_WRITER) != SEQSHM_OK)
        return 2;
    for (int i = 0; i < rounds; i++) {
        if (seqshm_wait(ra, (uint64_t)i, 2000000000) != SEQSHM_OK)
            return 3;
        if (seqshm_write(wb, x, 0) != SEQSHM_OK)
            return 4;
    }
    seqshm_close(wb);
    seqshm_close(ra);
    return 0;
}

/* takes the sole-writer role, writes, and ends without closing */
static int role_sole(const char *name)
{
    seqshm *s;
    unsigned char x[8] = {7};
    if (seqshm_open(&s, name, 0, SEQSHM_SOLE_WRITER) != SEQSHM_OK ||
        seqshm_write(s, x, 0) != SEQSHM_OK)
        return 2;
    ExitProcess(0);
}

/* ---------------------------------------------------------------- tests */

static void test_api(void)
{
    char name[64];
    name_for(name, sizeof name, "api");
    seqshm *s, *o;
    CHECK(seqshm_open(&s, name, 0, 0) == SEQSHM_ENOENT, "absent");
    CHECK(seqshm_open(&s, "bad/name", 8, SEQSHM_CREATE) == SEQSHM_EINVAL, "name");
    CHECK(seqshm_open(&s, name, 16, SEQSHM_CREATE) == SEQSHM_OK, "create");
    CHECK(seqshm_is_creator(s), "creator");
    CHECK(seqshm_open(&o, name, 16, SEQSHM_CREATE | SEQSHM_EXCL) ==
              SEQSHM_EEXIST, "excl");
    CHECK(seqshm_open(&o, name, 32, 0) == SEQSHM_ESIZE, "size");
    unsigned char a[16], b[16] = {0};
    memset(a, 0x5a, sizeof a);
    CHECK(seqshm_read(s, b, 0) == SEQSHM_OK && b[0] == 0, "zeroes");
    CHECK(seqshm_write(s, a, 0) == SEQSHM_OK, "write");
    CHECK(seqshm_open(&o, name, 0, SEQSHM_RDONLY) == SEQSHM_OK, "rdonly");
    CHECK(seqshm_read(o, b, 0) == SEQSHM_OK && memcmp(a, b, 16) == 0, "read");
    CHECK(seqshm_version(o) == 1, "version");
    CHECK(seqshm_write(o, a, 0) == SEQSHM_EACCES, "read-only write");
    seqshm_close(o);
    CHECK(seqshm_open(&o, name, 0, SEQSHM_SOLE_WRITER) == SEQSHM_OK, "sole");
    CHECK(seqshm_write(s, a, 100000000) == SEQSHM_EBUSY, "busy");
    CHECK(seqshm_write(o, a, 0) == SEQSHM_OK, "sole write");
    seqshm_close(o);
    CHECK(seqshm_write(s, a, 0) == SEQSHM_OK, "role given back");
    seqshm_close(s);
    CHECK(seqshm_unlink(name) == SEQSHM_ENOENT, "gone with its last handle");

    /* slots, history, schema */
    seqshm_options opts = {.flags = SEQSHM_CREATE, .slots = 4,
                           .schema = "k:u32 x:f64"};
    CHECK(seqshm_open_opts(&s, name, 0, &opts) == SEQSHM_OK, "schema");
    CHECK(seqshm_size(s) == 16, "schema size");
    CHECK(strcmp(seqshm_schema(s), "k:u32 x:f64") == 0, "schema text");
    for (uint32_t k = 1; k <= 10; k++) {
        unsigned char v[16] = {0};
        memcpy(v, &k, 4);
        seqshm_write(s, v, 0);
    }
    unsigned char v[16];
    uint32_t k = 0;
    CHECK(seqshm_read_at(s, 9, v, 0) == SEQSHM_OK && (memcpy(&k, v, 4), k == 9),
          "read_at");
    CHECK(seqshm_read_at(s, 2, v, 0) == SEQSHM_EOVERWRITTEN, "overwritten");
    seqshm_options other = {.schema = "k:i32 x:f64"};
    CHECK(seqshm_open_opts(&o, name, 0, &other) == SEQSHM_ETYPE, "etype");
    seqshm_close(s);
    printf("api: %d checks\n", checks);
}

static void test_stress(void)
{
    static const unsigned slots[] = {1, 2, 8};
    for (int l = 0; l < 3; l++) {
        char name[64], tag[16];
        snprintf(tag, sizeof tag, "stress%u", slots[l]);
        name_for(name, sizeof name, tag);
        seqshm *s;
        seqshm_options o = {.flags = SEQSHM_CREATE, .slots = slots[l]};
        CHECK(seqshm_open_opts(&s, name, 4096, &o) == SEQSHM_OK, "open");
        HANDLE w = spawn("writer %s 1", name);
        CHECK(w != NULL, "spawn");
        static unsigned char buf[4096];
        uint64_t checked = 0, torn = 0, back = 0, last = 0;
        uint64_t end = ms_now() + 1000;
        while (ms_now() < end) {
            uint64_t v, k;
            if (seqshm_read_versioned(s, buf, &v, 50000000) != SEQSHM_OK)
                continue;
            checked++;
            bool whole = v == 0 ? buf[0] == 0
                                : pattern_check(buf, sizeof buf, &k) && k == v;
            torn += !whole;
            back += v < last;
            last = v;
        }
        CHECK(finish(w, 5000) == 0, "writer");
        uint64_t writes = seqshm_version(s);
        printf("stress %u slot(s) 4096 B, writer and reader processes: writes "
               "%" PRIu64 "  checked %" PRIu64 "  torn %" PRIu64
               "  backwards %" PRIu64 "\n", slots[l], writes, checked, torn,
               back);
        CHECK(torn == 0 && back == 0, "torn or backwards");
        CHECK(checked > 0 && writes > 0, "the stress exercised nothing");
        seqshm_close(s);
    }
}

/* A writer killed with TerminateProcess, in the single buffer (plain and
 * sole) and the mutex layout, half the time at a random moment and half
 * after its thread was suspended mid-write: the read after is whole or
 * SEQSHM_EOWNERDEAD, never torn with OK; the next writer recovers. Kills
 * mid-write are counted, not assumed, and each kind must have some. */
static void test_kill(void)
{
    static const char *const kinds[] = {"", " sole", " mutex"};
    for (int kind = 0; kind < 3; kind++) {
        int sole = kind == 1;
        char name[64];
        name_for(name, sizeof name, kind == 0 ? "kill" : kind == 1 ? "killsole"
                                                                   : "killmutex");
        /* the mutex layout's lock and unlock are each a round trip to the
         * kernel (wineserver): with 64 KiB they take most of a writer's
         * time, with 4 MiB the copy does */
        size_t size = kind == 2 ? 4u << 20 : 64u << 10;
        seqshm *s;
        CHECK(seqshm_open(&s, name, size,
                          SEQSHM_CREATE | (kind == 2 ? SEQSHM_MUTEX : 0u)) ==
                  SEQSHM_OK, "open");
        unsigned char *buf = malloc(size);
        int kills = 40, mid = 0, ok = 0, dead = 0, torn = 0;
        srand(7);
        for (int i = 0; i < kills; i++) {
            HANDLE th;
            HANDLE w = spawn_thread(&th, "killwriter %s %d", name, sole);
            uint64_t v0 = seqshm_version(s);
            while (seqshm_version(s) < v0 + 2) /* it writes by now */
                Sleep(1);
            Sleep((DWORD)(rand() % 15));
            if (i % 2 == 0) /* half the kills at a random moment, half */
                suspend_mid_write(th, s); /* stopped mid-write first */
            TerminateProcess(w, 9);
            WaitForSingleObject(w, INFINITE);
            CloseHandle(th);
            CloseHandle(w);
            seqshm_info in;
            seqshm_stat(s, &in);
            mid += in.busy;
            uint64_t v, k;
            int rc = seqshm_read_versioned(s, buf, &v, 1000000000);
            if (rc == SEQSHM_OK) {
                ok++;
                torn += !(pattern_check(buf, size, &k) && k == v);
            } else {
                dead += rc == SEQSHM_EOWNERDEAD;
                CHECK(rc == SEQSHM_EOWNERDEAD, "read after a kill: %d", rc);
            }
            pattern_fill(buf, size, seqshm_version(s) + 1);
            CHECK(seqshm_write(s, buf, 2000000000) == SEQSHM_OK,
                  "the next writer recovers");
        }
        free(buf);
        printf("kill%s %zu KiB: kills %d (mid-write %d)  reads ok %d  "
               "ownerdead %d  torn-as-OK %d\n", kinds[kind], size >> 10, kills,
               mid, ok, dead, torn);
        CHECK(torn == 0, "torn data with OK");
        CHECK(mid >= kills / 8, "too few kills landed mid-write: %d", mid);
        seqshm_close(s);
    }
}

static void test_wait(void)
{
    char na[64], nb[64];
    name_for(na, sizeof na, "ping");
    name_for(nb, sizeof nb, "pong");
    seqshm *a, *b;
    unsigned char x[8] = {0};
    CHECK(seqshm_open(&a, na, 8, SEQSHM_CREATE | SEQSHM_SOLE_WRITER) ==
              SEQSHM_OK, "a");
    CHECK(seqshm_open(&b, nb, 8, SEQSHM_CREATE) == SEQSHM_OK, "b");
    /* one waiter woken by one write */
    HANDLE w = spawn("waiter %s 0 3000", na);
    Sleep(300);
    uint64_t t0 = ms_now();
    CHECK(seqshm_write(a, x, 0) == SEQSHM_OK, "write");
    CHECK(finish(w, 5000) == 0, "the waiter was woken");
    uint64_t took = ms_now() - t0;
    CHECK(took < 1000, "woken after %" PRIu64 " ms", took);
    /* ping-pong: any lost wake-up stalls a round until its 2 s timeout */
    int rounds = 300;
    HANDLE p = spawn("pong %s %s %d", na, nb, rounds);
    uint64_t base = seqshm_version(a), lost = 0;
    Sleep(200);
    t0 = ms_now();
    for (int i = 0; i < rounds; i++) {
        seqshm_write(a, x, 0);
        if (seqshm_wait(b, (uint64_t)i, 2000000000) != SEQSHM_OK) {
            lost++;
            break;
        }
    }
    (void)base;
    DWORD code = finish(p, 10000);
    printf("wait: woken in %" PRIu64 " ms; ping-pong %d rounds in %" PRIu64
           " ms, lost %" PRIu64 "\n", took, rounds, ms_now() - t0, lost);
    CHECK(code == 0 && lost == 0, "ping-pong: child %lu, lost %" PRIu64,
          (unsigned long)code, lost);
    seqshm_close(b);
    seqshm_close(a);
}

/* A sole writer's process ends without closing: the kernel's verdict (its
 * identity's event is gone) lets a new holder in. */
static void test_liveness(void)
{
    char name[64];
    name_for(name, sizeof name, "live");
    seqshm *s, *t;
    CHECK(seqshm_open(&s, name, 8, SEQSHM_CREATE) == SEQSHM_OK, "open");
    HANDLE c = spawn("sole %s", name);
    CHECK(finish(c, 5000) == 0, "child");
    seqshm_info in;
    seqshm_stat(s, &in);
    CHECK(in.sole_pid != 0 && !in.sole_alive, "the dead holder: pid %d "
          "alive %d", in.sole_pid, in.sole_alive);
    CHECK(seqshm_open(&t, name, 0, SEQSHM_SOLE_WRITER) == SEQSHM_OK,
          "its role taken over");
    seqshm_stat(s, &in);
    CHECK(in.sole_alive, "the new holder lives");
    CHECK(in.creator_alive, "the creator lives");
    seqshm_close(t);
    seqshm_close(s);
    printf("liveness: a dead sole writer's role recovered\n");
}

/* Objects that are not segments, or whose header lies, are refused and
 * left alone: a mapping of the segment's name filled by another program. */
static void test_hostile(void)
{
    char name[64], mname[128];
    name_for(name, sizeof name, "hostile");
    snprintf(mname, sizeof mname, "Local\\seqshm-%s", name);
    HANDLE m = CreateFileMappingA(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE, 0,
                                  4096, mname);
    unsigned char *p = MapViewOfFile(m, FILE_MAP_ALL_ACCESS, 0, 0, 0);
    memset(p, 0x41, 4096); /* foreign bytes */
    seqshm *s;
    CHECK(seqshm_open(&s, name, 0, 0) == SEQSHM_EBADSEG, "foreign");
    CHECK(p[0] == 0x41 && p[4095] == 0x41, "left alone");
    /* a real segment's header, then a total size past the mapping */
    seqshm *real;
    char rname[64];
    name_for(rname, sizeof rname, "lying");
    CHECK(seqshm_open(&real, rname, 64, SEQSHM_CREATE) == SEQSHM_OK, "real");
    snprintf(mname, sizeof mname, "Local\\seqshm-%s", rname);
    HANDLE rm = OpenFileMappingA(FILE_MAP_ALL_ACCESS, FALSE, mname);
    uint64_t *hdr = MapViewOfFile(rm, FILE_MAP_ALL_ACCESS, 0, 0, 0);
    hdr[3] = UINT64_C(1) << 40; /* total_size */
    CHECK(seqshm_open(&s, rname, 0, 0) == SEQSHM_EBADSEG, "a lying size");
    UnmapViewOfFile(hdr);
    CloseHandle(rm);
    seqshm_close(real);
    UnmapViewOfFile(p);
    CloseHandle(m);
    printf("hostile: foreign and lying objects refused\n");
}

/* The tool, built for Windows beside this program: info, dump and write on
 * a segment this process holds open; ls says it cannot list. */
static int tool(const char *args, char *out, size_t cap)
{
    char self[MAX_PATH], cmd[MAX_PATH + 600];
    GetModuleFileNameA(NULL, self, sizeof self);
    char *slash = strrchr(self, '\\');
    if (slash != NULL)
        slash[1] = '\0';
    snprintf(cmd, sizeof cmd, "\"%sseqshm.exe\" %s > wintool.out 2>&1",
             self, args);
    int rc = system(cmd);
    FILE *f = fopen("wintool.out", "rb");
    size_t n = f != NULL ? fread(out, 1, cap - 1, f) : 0;
    out[n] = '\0';
    if (f != NULL)
        fclose(f);
    remove("wintool.out");
    return rc;
}

static void test_tool(void)
{
    char name[64], out[4096], args[256];
    name_for(name, sizeof name, "tool");
    seqshm *s;
    seqshm_options o = {.flags = SEQSHM_CREATE, .schema = "x:f64 n:u32"};
    CHECK(seqshm_open_opts(&s, name, 0, &o) == SEQSHM_OK, "open");
    unsigned char v[16] = {0};
    double x = 1.5;
    uint32_t n = 42;
    memcpy(v, &x, 8);
    memcpy(v + 8, &n, 4);
    seqshm_write(s, v, 0);
    snprintf(args, sizeof args, "dump %s", name);
    CHECK(tool(args, out, sizeof out) == 0 && strstr(out, "x=1.5") &&
              strstr(out, "n=42"), "tool dump: %s", out);
    snprintf(args, sizeof args, "info %s", name);
    CHECK(tool(args, out, sizeof out) == 0 &&
              strstr(out, "schema          x:f64 n:u32") &&
              strstr(out, "version         1"), "tool info: %s", out);
    FILE *f = fopen("wintool.in", "wb");
    n = 7;
    memcpy(v + 8, &n, 4);
    fwrite(v, 1, 16, f);
    fclose(f);
    snprintf(args, sizeof args, "write %s < wintool.in", name);
    CHECK(tool(args, out, sizeof out) == 0, "tool write: %s", out);
    remove("wintool.in");
    CHECK(seqshm_version(s) == 2, "the tool's write is version 2");
    CHECK(tool("ls", out, sizeof out) != 0 && strstr(out, "cannot list"),
          "tool ls: %s", out);
    /* what Windows cannot do is refused, saying why */
    snprintf(args, sizeof args, "info %s", name);
    CHECK(tool(args, out, sizeof out) == 0 && !strstr(out, "PID namespace") &&
              strstr(out, "mode, owner     none: on Windows"),
          "tool info on Windows: %s", out);
    snprintf(args, sizeof args, "create %s-p 64 --persist", name);
    CHECK(tool(args, out, sizeof out) == 1 &&
              strstr(out, "--persist: on Windows a segment lives while"),
          "tool create --persist: %s", out);
    snprintf(args, sizeof args, "create %s-m 64 --mode 644", name);
    CHECK(tool(args, out, sizeof out) == 1 &&
              strstr(out, "--mode: on Windows a segment has no permission"),
          "tool create --mode: %s", out);
    snprintf(args, sizeof args, "rm %s", name);
    CHECK(tool(args, out, sizeof out) == 1 && strstr(out, "cannot remove it"),
          "tool rm: %s", out);
    CHECK(seqshm_version(s) == 2, "the segment is still there");
    printf("tool: info, dump by field, write and ls under Windows; create "
           "--persist, --mode and rm refused, saying why\n");
    seqshm_close(s);
}

int main(int argc, char **argv)
{
    if (argc >= 4 && !strcmp(argv[1], "writer"))
        return role_writer(argv[2], atoi(argv[3]));
    if (argc >= 4 && !strcmp(argv[1], "killwriter"))
        return role_killwriter(argv[2], atoi(argv[3]));
    if (argc >= 5 && !strcmp(argv[1], "waiter"))
        return role_waiter(argv[2], strtoull(argv[3], NULL, 10), atoi(argv[4]));
    if (argc >= 5 && !strcmp(argv[1], "pong"))
        return role_pong(argv[2], argv[3], atoi(argv[4]));
    if (argc >= 3 && !strcmp(argv[1], "sole"))
        return role_sole(argv[2]);
    setvbuf(stdout, NULL, _IONBF, 0);
    ptest_run_all(&checks, &failures);
    test_api();
    test_stress();
    test_kill();
    test_wait();
    test_liveness();
    test_hostile();
    test_tool();
    printf("wintests: %d checks, %d failed\n", checks, failures);
    return failures ? 1 : 0;
}
