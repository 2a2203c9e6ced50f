// boost_shim.cc - the Boost.Interprocess contenders (see boost_shim.h).
#include "boost_shim.h"

#include <boost/interprocess/mapped_region.hpp>
#include <boost/interprocess/shared_memory_object.hpp>
#include <boost/interprocess/sync/interprocess_mutex.hpp>
#include <boost/interprocess/sync/interprocess_sharable_mutex.hpp>

#include <cstring>
#include <new>
#include <string>

namespace bip = boost::interprocess;

static constexpr size_t kPayloadOffset = 256; // the lock's own cache lines

struct boost_seg {
    std::string name;
    bip::mapped_region region;
    enum boost_kind kind;
    size_t size;
    bool creator;
    unsigned char *payload() const
    {
        return static_cast<unsigned char *>(region.get_address()) +
               kPayloadOffset;
    }
    void *lock() const { return region.get_address(); }
};

static_assert(sizeof(bip::interprocess_mutex) <= kPayloadOffset, "fits");
static_assert(sizeof(bip::interprocess_sharable_mutex) <= kPayloadOffset,
              "fits");

extern "C" boost_seg *boost_seg_open(const char *name, size_t size,
                                     enum boost_kind kind, bool create)
{
    try {
        auto *b = new boost_seg{name, {}, kind, size, create};
        if (create) {
            bip::shared_memory_object::remove(name);
            bip::shared_memory_object shm(bip::create_only, name,
                                          bip::read_write);
            shm.truncate(static_cast<bip::offset_t>(kPayloadOffset + size));
            b->region = bip::mapped_region(shm, bip::read_write);
            if (kind == BOOST_MUTEX)
                new (b->lock()) bip::interprocess_mutex;
            else
                new (b->lock()) bip::interprocess_sharable_mutex;
            std::memset(b->payload(), 0, size);
        } else {
            bip::shared_memory_object shm(bip::open_only, name,
                                          bip::read_write);
            b->region = bip::mapped_region(shm, bip::read_write);
        }
        return b;
    } catch (...) {
        return nullptr;
    }
}

extern "C" void boost_seg_read(boost_seg *b, void *dst)
{
    if (b->kind == BOOST_MUTEX) {
        auto *m = static_cast<bip::interprocess_mutex *>(b->lock());
        m->lock();
        std::memcpy(dst, b->payload(), b->size);
        m->unlock();
    } else {
        auto *m = static_cast<bip::interprocess_sharable_mutex *>(b->lock());
        m->lock_sharable();
        std::memcpy(dst, b->payload(), b->size);
        m->unlock_sharable();
    }
}

extern "C" void boost_seg_write(boost_seg *b, const void *src)
{
    if (b->kind == BOOST_MUTEX) {
        auto *m = static_cast<bip::interprocess_mutex *>(b->lock());
        m->lock();
        std::memcpy(b->payload(), src, b->size);
        m->unlock();
    } else {
        auto *m = static_cast<bip::interprocess_sharable_mutex *>(b->lock());
        m->lock();
        std::memcpy(b->payload(), src, b->size);
        m->unlock();
    }
}

extern "C" void boost_seg_close(boost_seg *b)
{
    if (b == nullptr)
        return;
    std::string name = b->name;
    bool creator = b->creator;
    delete b;
    if (creator)
        bip::shared_memory_object::remove(name.c_str());
}
