// timeouts.cpp - the reference's "Using Timeouts", on seqshm.
#include <seqshm.hpp>

#include <chrono>
#include <iostream>

int main()
{
    try {
        seqshm::SharedMemory<int> shm("int_shared_memory");

        // Write with timeout
        shm.write(123, std::chrono::milliseconds(100));

        // Read with timeout
        auto result = shm.tryRead(std::chrono::milliseconds(100));
        if (result) {
            std::cout << "Read value: " << *result << std::endl;
        } else {
            std::cout << "Failed to read within timeout" << std::endl;
            return 1;
        }
    } catch (const std::exception &e) {
        std::cerr << "Error: " << e.what() << std::endl;
        return 1;
    }
    return 0;
}
