// test_hpp.cpp - the C++20 wrapper: the reference's methods, what lies
// beyond them, and its exceptions. Built with g++ and with clang++.
#include "../common/run_tag.h"
#include <seqshm.hpp>

#include <criterion/criterion.h>

#include <array>
#include <chrono>
#include <csignal>
#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

using namespace std::chrono_literals;

static std::string name_for(const char *tag)
{
    return std::string("seqshm-t-") + run_tag() + "-" + std::to_string(getpid()) +
           "-" + tag;
}

static pid_t stalled = -1; // a writer stopped mid-write, killed by cleanup

static void cleanup()
{
    if (stalled > 0) {
        kill(stalled, SIGKILL);
        waitpid(stalled, nullptr, 0);
    }
    for (const char *tag : {"a", "b", "c", "d", "e", "f", "g", "h"})
        seqshm_unlink(name_for(tag).c_str());
}

TestSuite(hpp, .fini = cleanup);

struct Pose {
    double x, y, theta;
    std::uint64_t stamp;
};

Test(hpp, create_write_read_and_accessors)
{
    seqshm::SharedMemory<Pose> shm(name_for("a"));
    cr_assert(shm.isCreator());
    cr_assert_eq(shm.getName(), name_for("a"));
    cr_assert_eq(shm.getSize(), sizeof(Pose));
    cr_assert_eq(shm.version(), 0u);
    cr_assert_not(shm.isOccupied());
    shm.write(Pose{1, 2, 3, 4});
    Pose p = shm.read();
    cr_assert_eq(p.x, 1);
    cr_assert_eq(p.stamp, 4u);
    cr_assert_eq(shm.version(), 1u);

    seqshm::SharedMemory<Pose> other(name_for("a"), false);
    cr_assert_not(other.isCreator());
    cr_assert_eq(other.read().theta, 3);
    auto v = other.readVersioned();
    cr_assert_eq(v.version, 1u);
    cr_assert_eq(v.value.y, 2);
    cr_assert_eq(other.getLayout(), seqshm::layout::single);
}

Test(hpp, open_missing_throws_enoent)
{
    try {
        seqshm::SharedMemory<int> shm(name_for("b"), false);
        cr_assert_fail("no exception");
    } catch (const seqshm::error &e) {
        cr_assert_eq(e.status(), SEQSHM_ENOENT);
        cr_assert(std::string(e.what()).find("no segment") != std::string::npos);
    }
}

Test(hpp, bad_name_and_other_type)
{
    cr_assert_throw(seqshm::SharedMemory<int>("a/b"), std::invalid_argument);
    seqshm::SharedMemory<int> shm(name_for("c"));
    try {
        seqshm::SharedMemory<double> d(name_for("c"));
        cr_assert_fail("no exception");
    } catch (const seqshm::error &e) {
        cr_assert_eq(e.status(), SEQSHM_ESIZE);
    }
}

Test(hpp, partial_access_and_range_errors)
{
    struct Complex {
        int id;
        double values[5];
        char name[20];
    };
    seqshm::SharedMemory<Complex> shm(name_for("d"));
    shm.writePartial(42, offsetof(Complex, id));
    std::array<double, 2> vals = {3.14, 2.71};
    shm.writePartial(vals, offsetof(Complex, values));
    char nm[20] = "hello";
    shm.writePartial(nm, offsetof(Complex, name));
    cr_assert_eq(shm.readPartial<int>(offsetof(Complex, id)), 42);
    cr_assert_eq(shm.readPartial<double>(offsetof(Complex, values) + 8), 2.71);
    auto name = shm.readPartial<char[20]>(offsetof(Complex, name));
    cr_assert_str_eq(name, "hello");
    cr_assert_eq(shm.version(), 3u);

    seqshm::SharedMemory<int> small(name_for("e"));
    cr_assert_throw((void)small.readPartial<double>(sizeof(int)),
                    std::invalid_argument);
    cr_assert_throw((void)small.readPartial<char>(4), std::invalid_argument);
    cr_assert_throw(small.writePartial(1.0, 0), std::invalid_argument);
    cr_assert_throw(small.writePartial(char(1), SIZE_MAX),
                    std::invalid_argument);
    cr_assert_eq(small.version(), 0u, "nothing written");
}

Test(hpp, spans)
{
    seqshm::SharedMemory<std::array<std::byte, 1024>> shm(name_for("f"));
    std::vector<std::byte> w(500, std::byte{7});
    shm.writeSpan(w);
    std::vector<std::byte> r(2000);
    cr_assert_eq(shm.readSpan(r), 1024u);
    cr_assert_eq(r[499], std::byte{7});
    cr_assert_eq(r[500], std::byte{0});
    std::vector<std::byte> small(10);
    cr_assert_eq(shm.readSpan(small), 10u);
    std::vector<std::byte> big(1025);
    cr_assert_throw(shm.writeSpan(big), std::invalid_argument);
    // empty spans agree: nothing read (0), nothing written (no version)
    cr_assert_eq(shm.readSpan(std::span<std::byte>{}), 0u);
    shm.writeSpan(std::span<const std::byte>{});
    cr_assert_eq(shm.version(), 1u);
    shm.clear();
    cr_assert_eq(shm.readSpan(r), 1024u);
    cr_assert_eq(r[0], std::byte{0});
    cr_assert_eq(shm.version(), 2u);
}

// Durations beyond int64 nanoseconds saturate instead of wrapping.
Test(hpp, huge_timeouts_saturate)
{
    using namespace std::chrono;
    cr_assert_eq(seqshm::timeout(hours::max()).c_timeout(), INT64_MAX);
    cr_assert_eq(seqshm::timeout(duration<double>(1e300)).c_timeout(), INT64_MAX);
    cr_assert_eq(seqshm::timeout(seconds(9300000000LL)).c_timeout(), INT64_MAX);
    cr_assert_eq(seqshm::timeout(hours::min()).c_timeout(), SEQSHM_FOREVER);
    cr_assert_eq(seqshm::timeout(milliseconds(5)).c_timeout(), 5000000);
    cr_assert_eq(seqshm::timeout(nanoseconds::max()).c_timeout(), INT64_MAX);
}

// A type too large for a segment is named as such, not as a bad name.
Test(hpp, too_large_a_type_says_so)
{
    using huge = std::array<char, (std::size_t{1} << 30) + 1>;
    try {
        seqshm::SharedMemory<huge> shm(name_for("huge"));
        cr_assert_fail("constructed");
    } catch (const std::invalid_argument &e) {
        cr_assert(std::string(e.what()).find("1073741825 bytes is larger") !=
                      std::string::npos,
                  "%s", e.what());
    }
}

Test(hpp, timeouts_of_any_unit_and_try_read)
{
    seqshm::SharedMemory<int> shm(name_for("g"));
    shm.write(1, std::chrono::microseconds(1));
    shm.write(2, 100ms);
    shm.write(3, std::chrono::seconds(1));
    shm.write(4, std::chrono::duration<double>(0.5));
    auto r = shm.tryRead(100ms);
    cr_assert(r.has_value());
    cr_assert_eq(*r, 4);
    cr_assert(shm.wait(0, 0ms), "version 4 > 0");
    auto t0 = std::chrono::steady_clock::now();
    cr_assert_not(shm.wait(4, 20ms), "times out");
    cr_assert_geq(std::chrono::steady_clock::now() - t0, 20ms);

    // a live writer stalled mid-write: tryRead gives nullopt at its timeout,
    // read throws seqshm::error with SEQSHM_ETIMEDOUT
    const std::string name = name_for("g"); // the child's pid differs
    pid_t pid = stalled = fork();
    if (pid == 0) { // leaves only through _exit: never into the runner
        try {
            setenv("SEQSHM_FAULT", "after_claim:stop", 1);
            seqshm::SharedMemory<int> c(name, false);
            c.write(5);
        } catch (...) {
            _exit(3);
        }
        _exit(0);
    }
    siginfo_t info;
    cr_assert_eq(waitid(P_PID, (id_t)pid, &info, WSTOPPED | WNOWAIT), 0);
    cr_assert(shm.isOccupied());
    cr_assert_not(shm.tryRead(10ms).has_value());
    try {
        (void)shm.read(10ms);
        cr_assert_fail("no exception");
    } catch (const seqshm::error &e) {
        cr_assert_eq(e.status(), SEQSHM_ETIMEDOUT);
    }
    kill(pid, SIGKILL);
    waitpid(pid, nullptr, 0);
    stalled = -1;
    try {
        (void)shm.read(1s);
        cr_assert_fail("no exception");
    } catch (const seqshm::error &e) {
        cr_assert_eq(e.status(), SEQSHM_EOWNERDEAD, "torn by the dead writer");
    }
    shm.write(6);
    cr_assert_eq(shm.read(), 6, "repaired");
}

Test(hpp, move_and_options)
{
    seqshm::options o;
    o.lay = seqshm::layout::double_buffer;
    o.persist = true;
    seqshm::SharedMemory<int> a(name_for("h"), true, o);
    a.write(9);
    seqshm::SharedMemory<int> b(std::move(a));
    cr_assert_eq(b.read(), 9);
    cr_assert_eq(b.getLayout(), seqshm::layout::double_buffer);
    cr_assert_throw((void)a.read(), seqshm::error); // NOLINT: moved-from
    seqshm::SharedMemory<int> c(name_for("h"), false);
    c = std::move(b);
    cr_assert(c.isCreator());
    cr_assert_not_null(c.handle());
    seqshm::options ro;
    ro.read_only = true;
    seqshm::SharedMemory<int> r(name_for("h"), false, ro);
    cr_assert_eq(r.read(), 9);
    try {
        r.write(1);
        cr_assert_fail("no exception");
    } catch (const seqshm::error &e) {
        cr_assert_eq(e.status(), SEQSHM_EACCES);
    }
}

// History, update, the consumer and the initial value.
Test(hpp, history_update_and_follow)
{
    seqshm::options o;
    o.slots = 8;
    std::string n = name_for("hist");
    seqshm::SharedMemory<std::uint64_t> a(n, std::uint64_t{41}, o);
    cr_assert_eq(a.slots(), 8u);
    cr_assert_eq(a.read(), 41u, "the creator writes the initial value");
    seqshm::SharedMemory<std::uint64_t> b(n, std::uint64_t{7});
    cr_assert_eq(b.read(), 41u, "an opener does not");
    a.update([](std::uint64_t &v) { v++; });
    cr_assert_eq(b.read(), 42u);
    cr_assert_eq(a.readAt(1), 41u);
    cr_assert_eq(a.readAt(2), 42u);
    try {
        (void)a.readAt(9, std::chrono::milliseconds(5));
        cr_assert_fail("a future version");
    } catch (const seqshm::error &e) {
        cr_assert_eq(e.status(), SEQSHM_ETIMEDOUT);
    }
    try {
        a.update([](std::uint64_t &v) { v = 1000; throw std::runtime_error("x"); });
        cr_assert_fail("rethrown");
    } catch (const std::runtime_error &) {
    }
    cr_assert_eq(a.read(), 42u, "published unchanged");
    std::uint64_t cursor = 0;
    auto s = b.next(cursor);
    cr_assert(s.has_value());
    cr_assert_eq(s->version, 1u);
    cr_assert_eq(s->value, 41u);
    for (std::uint64_t v = 100; v < 120; v++)
        a.write(v);
    std::uint64_t expect = 0, lost_total = 0, seen = 0;
    for (const auto &x : b.follow(0)) {
        cr_assert_gt(x.version, expect);
        expect = x.version;
        lost_total += x.lost;
        seen++;
        if (x.version == a.version())
            break;
    }
    cr_assert_eq(seen + lost_total, a.version(), "delivered + lost = written");
    cr_assert_gt(lost_total, 0u, "8 slots of 23 versions: the oldest are gone");
    cr_assert(!b.next(cursor = a.version(), std::chrono::milliseconds(1)));
    try {
        (void)a.readAt(1);
        cr_assert_fail("overwritten");
    } catch (const seqshm::error &e) {
        cr_assert_eq(e.status(), SEQSHM_EOVERWRITTEN);
    }
}

Test(hpp, sole_writer_option)
{
    seqshm::options o;
    o.sole_writer = true;
    seqshm::SharedMemory<int> w(name_for("sole"), true, o);
    w.write(41);
    try {
        seqshm::SharedMemory<int> second(name_for("sole"), false, o);
        cr_assert_fail("a second sole writer");
    } catch (const seqshm::error &e) {
        cr_assert_eq(e.status(), SEQSHM_EBUSY);
    }
    seqshm::SharedMemory<int> other(name_for("sole"), false);
    try {
        other.write(1);
        cr_assert_fail("a write beside the sole writer");
    } catch (const seqshm::error &e) {
        cr_assert_eq(e.status(), SEQSHM_EBUSY);
    }
    cr_assert_eq(other.read(), 41, "reads are unaffected");
    w.write(42);
    cr_assert_eq(other.read(), 42);
}

Test(hpp, schema_option)
{
    struct pose {
        double x, y;
        std::uint32_t n;
    };
    seqshm::options o;
    o.schema = "x:f64 y:f64 n:u32";
    seqshm::SharedMemory<pose> w(name_for("schema"), true, o);
    cr_assert_eq(w.schema(), "x:f64 y:f64 n:u32");
    seqshm::options other;
    other.schema = "x:f64 y:f64 m:u32";
    try {
        seqshm::SharedMemory<pose> r(name_for("schema"), false, other);
        cr_assert_fail("another schema");
    } catch (const seqshm::error &e) {
        cr_assert_eq(e.status(), SEQSHM_ETYPE);
    }
    seqshm::options wrong;
    wrong.schema = "x:f64";
    cr_assert_throw(seqshm::SharedMemory<pose>(name_for("schema2"), true, wrong),
                    std::invalid_argument);
}
