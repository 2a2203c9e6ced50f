// basic.cpp - the reference's "Basic Usage", on seqshm.
#include <seqshm.hpp>

#include <iostream>

struct MyData {
    int value;
    char message[20];
};

int main()
{
    try {
        // Create shared memory
        seqshm::SharedMemory<MyData> shm("my_shared_memory");

        // Write data
        MyData writeData = {42, "Hello, World!"};
        shm.write(writeData);

        // Read data
        MyData readData = shm.read();

        std::cout << "Read value: " << readData.value << std::endl;
        std::cout << "Read message: " << readData.message << std::endl;
    } catch (const std::exception &e) {
        std::cerr << "Error: " << e.what() << std::endl;
        return 1;
    }
    return 0;
}
