// circular.cpp - the reference's "Advanced Usage: Circular Buffer", on
// seqshm, and the way to do it right beside it.
//
// FLAW (kept so the reference runs unchanged): push() and pop() read the
// whole buffer, change it and write it back. Between that read and that
// write another process may push or pop too, and one of the two updates is
// lost: nothing makes the read-modify-write exclusive across processes.
// It is correct only while one process does all pushing and popping.
//
// The right way for telemetry (BroadcastRing below): one producer owns the
// ring and is its only writer; each consumer keeps its own cursor in its
// own memory and never writes the segment. Consumers cannot disturb each
// other or the producer, and a consumer that falls more than N behind
// knows it (it sees the sequence numbers jump).
#include <seqshm.hpp>

#include <array>
#include <cstdint>
#include <iostream>
#include <optional>

template <typename T, size_t N>
struct CircularBuffer {
    std::array<T, N> buffer;
    size_t head = 0;
    size_t tail = 0;
    bool full = false;
};

template <typename T, size_t N>
class SharedCircularBuffer {
public:
    SharedCircularBuffer(const std::string &name) : shm_(name) {}

    void push(const T &item)
    {
        auto buf = shm_.read();
        if (buf.full && buf.head == buf.tail) {
            buf.tail = (buf.tail + 1) % N;
        }
        buf.buffer[buf.head] = item;
        buf.head = (buf.head + 1) % N;
        buf.full = buf.head == buf.tail;
        shm_.write(buf);
    }

    std::optional<T> pop()
    {
        auto buf = shm_.read();
        if (buf.head == buf.tail && !buf.full) {
            return std::nullopt;
        }
        T item = buf.buffer[buf.tail];
        buf.tail = (buf.tail + 1) % N;
        buf.full = false;
        shm_.write(buf);
        return item;
    }

private:
    seqshm::SharedMemory<CircularBuffer<T, N>> shm_;
};

// One writer, any number of readers, each with a private cursor.
template <typename T, size_t N>
class BroadcastRing {
    struct Ring {
        std::uint64_t next; // sequence number of the next item
        std::array<T, N> items;
    };

public:
    explicit BroadcastRing(const std::string &name) : shm_(name) {}

    // Producer only. (Writes the whole ring; for large rings publish the
    // item and `next` with writePartial instead.)
    void publish(const T &item)
    {
        Ring r = shm_.read();
        r.items[r.next % N] = item;
        r.next++;
        shm_.write(r);
    }

    // Consumer: the item at *cursor, if it is still in the ring; *cursor
    // moves on. Skips (and reports) what was overwritten.
    std::optional<T> next(std::uint64_t *cursor, std::uint64_t *lost) const
    {
        Ring r = shm_.read();
        if (r.next > N && *cursor < r.next - N) {
            *lost += r.next - N - *cursor;
            *cursor = r.next - N;
        }
        if (*cursor == r.next)
            return std::nullopt;
        return r.items[(*cursor)++ % N];
    }

private:
    seqshm::SharedMemory<Ring> shm_;
};

int main()
{
    try {
        SharedCircularBuffer<int, 5> buffer("circular_buffer_example");

        // Producer
        for (int i = 0; i < 7; ++i) {
            buffer.push(i);
            std::cout << "Pushed: " << i << std::endl;
        }

        // Consumer
        for (int i = 0; i < 7; ++i) {
            auto item = buffer.pop();
            if (item) {
                std::cout << "Popped: " << *item << std::endl;
            } else {
                std::cout << "Buffer is empty" << std::endl;
            }
        }

        BroadcastRing<int, 5> ring("broadcast_ring_example");
        for (int i = 0; i < 7; ++i)
            ring.publish(i);
        std::uint64_t cursor = 0, lost = 0;
        while (auto item = ring.next(&cursor, &lost))
            std::cout << "Consumed: " << *item << std::endl;
        std::cout << "Overwritten before this consumer read them: " << lost
                  << std::endl;
    } catch (const std::exception &e) {
        std::cerr << "Error: " << e.what() << std::endl;
        return 1;
    }
    return 0;
}
