// ipc_reader.cpp - the reference's "Inter-Process Communication" reader.
//
// The reference reader calls tryRead five times in a row, so it may print the
// same message five times or miss some: a read returns the latest value, it
// does not wait for a new one. Here each round first waits for a version
// newer than the one it has seen, which is how to follow a writer.
#include <seqshm.hpp>

#include <chrono>
#include <iostream>
#include <thread>

struct Message {
    int id;
    char content[256];
};

int main()
{
    try {
        // Open existing (the writer creates it; give it a moment to)
        std::optional<seqshm::SharedMemory<Message>> opened;
        for (int tries = 0; !opened; tries++) {
            try {
                opened.emplace("ipc_example", false);
            } catch (const seqshm::error &e) {
                if (e.status() != SEQSHM_ENOENT || tries == 50)
                    throw;
                std::this_thread::sleep_for(std::chrono::milliseconds(20));
            }
        }
        auto &shm = *opened;

        std::uint64_t seen = 0;
        for (int i = 0; i < 5; ++i) {
            if (!shm.wait(seen, std::chrono::seconds(2))) {
                std::cout << "Timeout waiting for message" << std::endl;
                continue;
            }
            auto [msg, version] = shm.readVersioned(std::chrono::seconds(2));
            seen = version;
            std::cout << "Read message: " << msg.content << std::endl;
        }
    } catch (const std::exception &e) {
        std::cerr << "Error: " << e.what() << std::endl;
        return 1;
    }
    return 0;
}
