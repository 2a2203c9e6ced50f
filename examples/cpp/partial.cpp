// partial.cpp - the reference's "Partial Reads and Writes", on seqshm.
#include <seqshm.hpp>

#include <array>
#include <cstddef>
#include <iostream>

struct ComplexData {
    int id;
    double values[5];
    char name[20];
};

int main()
{
    try {
        seqshm::SharedMemory<ComplexData> shm("complex_data");

        // Write partial data
        int newId = 42;
        shm.writePartial(newId, offsetof(ComplexData, id));

        std::array<double, 2> newValues = {3.14, 2.71};
        shm.writePartial(newValues, offsetof(ComplexData, values));

        // Read partial data
        auto readId = shm.readPartial<int>(offsetof(ComplexData, id));
        auto readName = shm.readPartial<char[20]>(offsetof(ComplexData, name));

        std::cout << "Read ID: " << readId << std::endl;
        std::cout << "Read Name: " << readName << std::endl;
        std::cout << "values[1]: "
                  << shm.readPartial<double>(offsetof(ComplexData, values) +
                                             sizeof(double))
                  << std::endl;
    } catch (const std::exception &e) {
        std::cerr << "Error: " << e.what() << std::endl;
        return 1;
    }
    return 0;
}
