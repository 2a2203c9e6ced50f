// circular.cpp - the reference's "Advanced Usage: Circular Buffer", on
// seqshm, made correct.
//
// The reference's push() and pop() read the whole buffer, changed it and
// wrote it back: between that read and that write another process could
// push or pop too, and one of the two updates was lost. Here they are
// SharedMemory::update() calls: the change runs under the write claim on the
// current value, so pushes and pops from any number of processes are never
// lost, and readers never wait for them.
//
// For telemetry, where one producer publishes and consumers must see every
// item or know what they missed, a segment with slots is the ring itself:
// each version is one item, the segment keeps the last Slots, and each
// consumer follows with a cursor of its own (next()), never writing the
// segment, told how many items it lost when it falls more than Slots behind.
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
        shm_.update([&](CircularBuffer<T, N> &buf) {
            if (buf.full && buf.head == buf.tail)
                buf.tail = (buf.tail + 1) % N; // full: drop the oldest
            buf.buffer[buf.head] = item;
            buf.head = (buf.head + 1) % N;
            buf.full = buf.head == buf.tail;
        });
    }

    std::optional<T> pop()
    {
        std::optional<T> item;
        shm_.update([&](CircularBuffer<T, N> &buf) {
            if (buf.head == buf.tail && !buf.full)
                return;
            item = buf.buffer[buf.tail];
            buf.tail = (buf.tail + 1) % N;
            buf.full = false;
        });
        return item;
    }

private:
    seqshm::SharedMemory<CircularBuffer<T, N>> shm_;
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

        seqshm::options o;
        o.slots = 4; // the ring keeps the last 4 items
        seqshm::SharedMemory<int> ring("broadcast_ring_example", true, o);
        std::uint64_t cursor = ring.version(), lost = 0;
        for (int i = 0; i < 7; ++i) // one producer publishes 7 items
            ring.write(i);
        while (auto s = ring.next(cursor, std::chrono::nanoseconds(1))) {
            lost += s->lost;
            std::cout << "Consumed: " << s->value << " (version " << s->version
                      << ")" << std::endl;
        }
        std::cout << "Overwritten before this consumer read them: " << lost
                  << std::endl;
    } catch (const std::exception &e) {
        std::cerr << "Error: " << e.what() << std::endl;
        return 1;
    }
    return 0;
}
