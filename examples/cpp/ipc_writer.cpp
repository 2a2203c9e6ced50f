// ipc_writer.cpp - the reference's "Inter-Process Communication" writer.
// Run it, then ipc_reader in another process. (The reference sleeps one
// second between messages; 200 ms keeps `make test` quick.)
#include <seqshm.hpp>

#include <chrono>
#include <cstdio>
#include <iostream>
#include <thread>

struct Message {
    int id;
    char content[256];
};

int main()
{
    try {
        seqshm::SharedMemory<Message> shm("ipc_example");
        std::this_thread::sleep_for(std::chrono::milliseconds(300)); // reader

        for (int i = 0; i < 5; ++i) {
            Message msg;
            msg.id = i;
            snprintf(msg.content, sizeof(msg.content), "Message %d", i);

            shm.write(msg);
            std::cout << "Wrote message: " << msg.content << std::endl;

            std::this_thread::sleep_for(std::chrono::milliseconds(200));
        }
    } catch (const std::exception &e) {
        std::cerr << "Error: " << e.what() << std::endl;
        return 1;
    }
    return 0;
}
