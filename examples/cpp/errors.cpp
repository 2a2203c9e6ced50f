// errors.cpp - the reference's "Error Handling", on seqshm.
#include <seqshm.hpp>

#include <chrono>
#include <iostream>

int main()
{
    int caught = 0;
    try {
        seqshm::SharedMemory<int> shm("error_example");

        // Try to write with a very short timeout: with no other writer,
        // seqshm writes without waiting, so this succeeds.
        try {
            shm.write(42, std::chrono::microseconds(1));
            std::cout << "Write with a 1 us timeout: done" << std::endl;
        } catch (const std::exception &e) {
            std::cerr << "Write failed: " << e.what() << std::endl;
        }

        // Try to read from an invalid offset
        try {
            (void)shm.readPartial<double>(sizeof(int));
        } catch (const std::invalid_argument &e) {
            std::cerr << "Invalid read: " << e.what() << std::endl;
            caught++;
        }

        // Try to create a shared memory with an existing name: seqshm opens
        // the existing segment (isCreator() is false) ...
        try {
            seqshm::SharedMemory<int> shm2("error_example");
            std::cout << "Second handle, creator: " << std::boolalpha
                      << shm2.isCreator() << ", value " << shm2.read()
                      << std::endl;
        } catch (const std::exception &e) {
            std::cerr << "Failed to create shared memory: " << e.what()
                      << std::endl;
        }
        // ... unless asked to create exclusively, or with another type.
        try {
            seqshm::SharedMemory<double> shm3("error_example");
        } catch (const seqshm::error &e) {
            std::cerr << "Another type: " << e.what() << std::endl;
            caught++;
        }
    } catch (const std::exception &e) {
        std::cerr << "Unexpected error: " << e.what() << std::endl;
        return 1;
    }
    return caught == 2 ? 0 : 1;
}
