// spans.cpp - the reference's "Using Spans", on seqshm.
#include <seqshm.hpp>

#include <array>
#include <cstddef>
#include <iostream>
#include <span>
#include <vector>

int main()
{
    try {
        seqshm::SharedMemory<std::array<std::byte, 1024>> shm("large_data");

        // Write data using span
        std::vector<std::byte> writeData(500);
        for (std::size_t i = 0; i < writeData.size(); i++)
            writeData[i] = static_cast<std::byte>(i % 251); // some values
        std::span<const std::byte> writeSpan(writeData);
        shm.writeSpan(writeSpan);

        // Read data using span
        std::vector<std::byte> readData(1024);
        std::span<std::byte> readSpan(readData);
        size_t bytesRead = shm.readSpan(readSpan);

        std::cout << "Bytes read: " << bytesRead << std::endl;
        bool same = std::equal(writeData.begin(), writeData.end(),
                               readData.begin());
        std::cout << "First 500 bytes as written: " << (same ? "yes" : "no")
                  << std::endl;
        return same && bytesRead == 1024 ? 0 : 1;
    } catch (const std::exception &e) {
        std::cerr << "Error: " << e.what() << std::endl;
        return 1;
    }
}
