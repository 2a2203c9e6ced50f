// seqshm.hpp - C++20 wrapper: the reference SharedMemory<T> API over seqshm.
//
// Code written against the reference class works after changing the include
// line and the namespace:
//
//     #include <seqshm.hpp>
//     seqshm::SharedMemory<Pose> shm("robot-pose");      // create or open
//     shm.write(pose);
//     Pose p = shm.read();
//
// Header-only. Errors are exceptions:
//   std::invalid_argument  partial or span access outside the payload, and
//                          a bad name;
//   seqshm::error          everything else (timeouts included), carrying the
//                          seqshm status code (status()).
// Timeouts are std::chrono durations of any unit; zero (the default) means
// no timeout, as in the reference. Every method is safe from any number of
// threads and processes at once; moving or destroying an object must not
// race other calls on it.
#ifndef SEQSHM_HPP
#define SEQSHM_HPP

#include "seqshm.h"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <exception>
#include <iterator>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

namespace seqshm {

// An error from the library: what() names the operation and the status.
class error : public std::runtime_error {
public:
    error(int status, const std::string &op)
        : std::runtime_error(op + ": " + seqshm_strerror(status)),
          status_(status)
    {
    }
    int status() const noexcept { return status_; }

private:
    int status_;
};

// A timeout of any std::chrono unit; zero or negative means wait without
// limit (the reference's "no timeout"). A duration longer than int64
// nanoseconds hold (about 292 years) saturates to that, never wraps.
class timeout {
public:
    template <class Rep, class Period>
    constexpr timeout(std::chrono::duration<Rep, Period> d) // NOLINT: implicit
        : ns_(saturate(d))
    {
    }
    constexpr std::int64_t c_timeout() const noexcept
    {
        return ns_ > 0 ? ns_ : SEQSHM_FOREVER;
    }

private:
    template <class Rep, class Period>
    static constexpr std::int64_t saturate(std::chrono::duration<Rep, Period> d)
    {
        // compared in long double seconds: exact enough at the edges, and
        // no conversion of d can overflow on the way
        using secs = std::chrono::duration<long double>;
        constexpr long double max_s = 9223372036.0L; // < INT64_MAX ns
        long double s = std::chrono::duration_cast<secs>(d).count();
        if (s >= max_s)
            return INT64_MAX;
        if (s <= -max_s)
            return INT64_MIN;
        return std::chrono::ceil<std::chrono::nanoseconds>(d).count();
    }
    std::int64_t ns_;
};

inline constexpr std::chrono::milliseconds no_timeout{0};

// The segment's layout, chosen at creation (see seqshm.h).
enum class layout : unsigned {
    single = 0,
    double_buffer = SEQSHM_DOUBLE_BUFFER,
    mutex = SEQSHM_MUTEX,
};

// Beyond the reference: how to create or open.
struct options {
    layout lay = layout::single;
    bool read_only = false;  // open an existing segment read-only
    bool exclusive = false;  // with create: fail if it exists
    bool persist = false;    // the creator does not unlink on destruction
    bool sole_writer = false; // this object is the only writer while it
                              // lives: wait-free writes; another live sole
                              // writer makes construction throw SEQSHM_EBUSY
    bool any_owner = false;  // open another user's segment that anyone may
                             // write (refused otherwise: seqshm.h, "Names")
    unsigned mode = 0;       // permission bits of a new segment; 0: 0600
    std::uint64_t type_tag = 0; // checked on open when not 0
    unsigned slots = 0;      // versions kept by a new segment (seqshm.h)
    std::string schema;      // T's fields (seqshm.h, "Schemas"); empty: none.
                             // Its size must be sizeof(T); an existing
                             // segment must carry the same (SEQSHM_ETYPE)
};

template <typename T>
concept TriviallyCopyable = std::is_trivially_copyable_v<T>;

template <TriviallyCopyable T>
class SharedMemory {
public:
    // create: create the segment, or open it if it exists; false: open an
    // existing segment (seqshm::error with SEQSHM_ENOENT if there is none).
    // The payload is sizeof(T) bytes; an existing segment of another size
    // is SEQSHM_ESIZE.
    explicit SharedMemory(std::string_view name, bool create = true)
        : SharedMemory(name, create, options{})
    {
    }

    SharedMemory(std::string_view name, bool create, const options &o)
        : name_(name)
    {
        unsigned flags = static_cast<unsigned>(o.lay);
        if (create)
            flags |= SEQSHM_CREATE | (o.exclusive ? SEQSHM_EXCL : 0u);
        if (o.read_only)
            flags |= SEQSHM_RDONLY;
        if (o.persist)
            flags |= SEQSHM_PERSIST;
        if (o.sole_writer)
            flags |= SEQSHM_SOLE_WRITER;
        if (o.any_owner)
            flags |= SEQSHM_ANY_OWNER;
        seqshm_options c{};
        c.flags = flags;
        c.mode = o.mode;
        c.type_tag = o.type_tag;
        c.slots = o.slots;
        c.schema = o.schema.empty() ? nullptr : o.schema.c_str();
        if (sizeof(T) > SEQSHM_MAX_SIZE)
            throw std::invalid_argument(
                "seqshm: " + name_ + ": a payload of " +
                std::to_string(sizeof(T)) + " bytes is larger than " +
                std::to_string(SEQSHM_MAX_SIZE) + " (1 GiB)");
        int st = seqshm_open_opts(&h_, name_.c_str(), sizeof(T), &c);
        if (st == SEQSHM_EINVAL)
            throw std::invalid_argument(
                "seqshm: invalid name or options: " + name_ +
                (o.schema.empty() ? std::string()
                                  : " (a schema must parse and describe " +
                                        std::to_string(sizeof(T)) +
                                        " bytes)"));
        check(st, "seqshm_open " + name_);
    }

    // Creates or opens, and writes `initial` only if this handle created
    // the segment (an existing segment keeps its value).
    SharedMemory(std::string_view name, const T &initial,
                 const options &o = options{})
        : SharedMemory(name, true, o)
    {
        if (isCreator())
            write(initial);
    }

    ~SharedMemory() { seqshm_close(h_); }

    SharedMemory(const SharedMemory &) = delete;
    SharedMemory &operator=(const SharedMemory &) = delete;

    SharedMemory(SharedMemory &&o) noexcept
        : h_(std::exchange(o.h_, nullptr)), name_(std::move(o.name_))
    {
    }
    SharedMemory &operator=(SharedMemory &&o) noexcept
    {
        if (this != &o) {
            seqshm_close(h_);
            h_ = std::exchange(o.h_, nullptr);
            name_ = std::move(o.name_);
        }
        return *this;
    }

    // --------------------------------------------- the reference's methods

    void write(const T &data, timeout t = no_timeout)
    {
        check(seqshm_write(live(), &data, t.c_timeout()), "write");
    }

    [[nodiscard]] T read(timeout t = no_timeout) const
    {
        T out;
        check(seqshm_read(live(), &out, t.c_timeout()), "read");
        return out;
    }

    // Zeroes the payload (a write: the version goes up).
    void clear() { check(seqshm_clear(live(), SEQSHM_FOREVER), "clear"); }

    [[nodiscard]] bool isOccupied() const { return seqshm_is_occupied(live()); }
    [[nodiscard]] std::string_view getName() const noexcept { return name_; }
    [[nodiscard]] std::size_t getSize() const noexcept { return sizeof(T); }
    [[nodiscard]] bool isCreator() const noexcept
    {
        return h_ != nullptr && seqshm_is_creator(h_);
    }

    template <TriviallyCopyable U>
    void writePartial(const U &data, std::size_t offset,
                      timeout t = no_timeout)
    {
        in_range(sizeof(U), offset, "writePartial");
        check(seqshm_write_partial(live(), &data, sizeof(U), offset,
                                   t.c_timeout()),
              "writePartial");
    }

    template <typename U>
        requires std::is_trivially_copyable_v<std::remove_extent_t<U>>
    [[nodiscard]] auto readPartial(std::size_t offset,
                                   timeout t = no_timeout) const
    {
        // U may be an array type (the reference reads char[20]): it is
        // returned as a std::array-like copy.
        using R = std::conditional_t<std::is_array_v<U>, array_of<U>, U>;
        in_range(sizeof(U), offset, "readPartial");
        R out;
        check(seqshm_read_partial(live(), &out, sizeof(U), offset,
                                  t.c_timeout()),
              "readPartial");
        return out;
    }

    // std::nullopt on timeout; other failures throw.
    [[nodiscard]] std::optional<T> tryRead(timeout t = no_timeout) const
    {
        T out;
        int st = seqshm_read(live(), &out, t.c_timeout());
        if (st == SEQSHM_ETIMEDOUT)
            return std::nullopt;
        check(st, "tryRead");
        return out;
    }

    // Writes data at offset 0; a span shorter than T leaves the rest. An
    // empty span writes nothing (the version stays), as readSpan of an empty
    // span reads nothing and returns 0; a span longer than T is
    // std::invalid_argument.
    void writeSpan(std::span<const std::byte> data, timeout t = no_timeout)
    {
        if (data.empty())
            return;
        if (data.size() > sizeof(T))
            throw std::invalid_argument("seqshm: writeSpan of " +
                                        std::to_string(data.size()) +
                                        " bytes into " +
                                        std::to_string(sizeof(T)));
        check(seqshm_write_span(live(), data.data(), data.size(),
                                t.c_timeout()),
              "writeSpan");
    }

    // Reads min(data.size(), sizeof(T)) bytes; returns how many.
    std::size_t readSpan(std::span<std::byte> data, timeout t = no_timeout) const
    {
        if (data.empty())
            return 0;
        std::size_t n = 0;
        check(seqshm_read_span(live(), data.data(), data.size(), &n,
                               t.c_timeout()),
              "readSpan");
        return n;
    }

    // ---------------------------------------------------- beyond the reference

    // Completed writes so far.
    [[nodiscard]] std::uint64_t version() const { return seqshm_version(live()); }

    struct versioned {
        T value;
        std::uint64_t version;
    };
    [[nodiscard]] versioned readVersioned(timeout t = no_timeout) const
    {
        versioned v;
        check(seqshm_read_versioned(live(), &v.value, &v.version,
                                    t.c_timeout()),
              "readVersioned");
        return v;
    }

    // True as soon as the version is greater than since; false on timeout.
    bool wait(std::uint64_t since, timeout t = no_timeout) const
    {
        int st = seqshm_wait(live(), since, t.c_timeout());
        if (st == SEQSHM_ETIMEDOUT)
            return false;
        check(st, "wait");
        return true;
    }

    [[nodiscard]] seqshm::layout getLayout() const
    {
        return static_cast<seqshm::layout>(seqshm_layout(live()));
    }

    // The segment's schema in canonical form; empty when it has none.
    [[nodiscard]] std::string schema() const { return seqshm_schema(live()); }

    // Versions the segment keeps (options::slots at creation).
    [[nodiscard]] unsigned slots() const { return seqshm_slots(live()); }

    // Exactly version `version`: seqshm::error with SEQSHM_EOVERWRITTEN when
    // it is no longer kept, SEQSHM_ETIMEDOUT when not published in time.
    [[nodiscard]] T readAt(std::uint64_t version, timeout t = no_timeout) const
    {
        T out;
        check(seqshm_read_at(live(), version, &out, t.c_timeout()), "readAt");
        return out;
    }

    // Read-modify-write without lost updates: f(T &) changes a private copy
    // of the current value under the write claim; the result is published.
    // Readers never wait for f. f must not use this segment. If f throws,
    // the value is published unchanged (the version still goes up: the C
    // library cannot abort a started update) and the exception propagates.
    template <typename F>
    void update(F &&f, timeout t = no_timeout)
        requires std::is_invocable_v<F &, T &>
    {
        struct call {
            F *f;
            std::exception_ptr thrown;
        } c{&f, nullptr};
        auto tramp = [](void *value, std::size_t, void *ctx) {
            auto *cc = static_cast<call *>(ctx);
            T &v = *static_cast<T *>(value);
            T before = v;
            try {
                (*cc->f)(v);
            } catch (...) { // must not cross the C library
                v = before;
                cc->thrown = std::current_exception();
            }
        };
        check(seqshm_update(live(), tramp, &c, t.c_timeout()), "update");
        if (c.thrown)
            std::rethrow_exception(c.thrown);
    }

    // One value of a consumer: its version, and how many versions were lost
    // just before it (the consumer fell behind by more than the slots).
    struct sample {
        T value;
        std::uint64_t version;
        std::uint64_t lost;
    };

    // The consumer's step (seqshm_next): version cursor + 1 if still kept,
    // else the oldest kept; cursor becomes the version delivered. nullopt
    // if nothing newer came within the timeout.
    std::optional<sample> next(std::uint64_t &cursor,
                               timeout t = no_timeout) const
    {
        sample s;
        int st = seqshm_next(live(), &cursor, &s.value, &s.lost, t.c_timeout());
        if (st == SEQSHM_ETIMEDOUT)
            return std::nullopt;
        check(st, "next");
        s.version = cursor;
        return s;
    }

    // Every version from cursor + 1 on, as a range to loop over (it never
    // ends; break out of the loop). The default starts after the current
    // version; 0 starts with the oldest version kept.
    //     for (auto &s : shm.follow()) use(s.value, s.version, s.lost);
    class follower {
    public:
        class iterator {
        public:
            using value_type = sample;
            using difference_type = std::ptrdiff_t;
            iterator() = default;
            explicit iterator(const SharedMemory *m, std::uint64_t c)
                : m_(m), cursor_(c)
            {
                ++*this;
            }
            const sample &operator*() const { return cur_; }
            const sample *operator->() const { return &cur_; }
            iterator &operator++()
            {
                cur_ = *m_->next(cursor_);
                return *this;
            }
            void operator++(int) { ++*this; }
            bool operator==(std::default_sentinel_t) const { return false; }

        private:
            const SharedMemory *m_ = nullptr;
            std::uint64_t cursor_ = 0;
            sample cur_{};
        };
        follower(const SharedMemory *m, std::uint64_t c) : m_(m), c_(c) {}
        iterator begin() const { return iterator(m_, c_); }
        std::default_sentinel_t end() const { return {}; }

    private:
        const SharedMemory *m_;
        std::uint64_t c_;
    };
    [[nodiscard]] follower follow() const { return follower(this, version()); }
    [[nodiscard]] follower follow(std::uint64_t cursor) const
    {
        return follower(this, cursor);
    }

    // The C handle, for the rest of the C API.
    [[nodiscard]] ::seqshm_handle *handle() const noexcept { return h_; }

private:
    template <typename A>
    struct array_of {
        std::remove_extent_t<A> data[std::extent_v<A>];
        auto &operator[](std::size_t i) { return data[i]; }
        const auto &operator[](std::size_t i) const { return data[i]; }
        operator const std::remove_extent_t<A> *() const { return data; }
    };

    static void check(int st, const std::string &op)
    {
        if (st != SEQSHM_OK)
            throw error(st, "seqshm " + op);
    }
    static void in_range(std::size_t len, std::size_t offset, const char *op)
    {
        if (len > sizeof(T) || offset > sizeof(T) - len)
            throw std::invalid_argument(
                std::string("seqshm: ") + op + " of " + std::to_string(len) +
                " bytes at offset " + std::to_string(offset) +
                " outside a payload of " + std::to_string(sizeof(T)));
    }
    ::seqshm_handle *live() const
    {
        if (h_ == nullptr)
            throw error(SEQSHM_EINVAL, "use of a moved-from SharedMemory");
        return h_;
    }

    ::seqshm_handle *h_ = nullptr;
    std::string name_;
};

} // namespace seqshm

#endif
