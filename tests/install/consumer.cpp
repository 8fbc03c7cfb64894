// SPDX-License-Identifier: MIT
// An out-of-tree C++ program built against an installed rtshm: the RAII
// type, errors as values, and the span view; and an event of the
// header-only <rtshm/sync.hpp>.
#include <rtshm/rtshm.hpp>
#include <rtshm/sync.hpp>

#include <cstdio>
#include <cstring>

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            std::fprintf(stderr, "consumer.cpp:%d: %s failed\n", __LINE__, #cond);                 \
            return 1;                                                                              \
        }                                                                                          \
    } while (0)

int main() {
    auto a = rtshm::SharedMemory::create({.name = "rtshm-install-cpp", .size = 8192});
    CHECK(a && a->created() && a->view().size() >= 8192);
    std::memcpy(a->data(), "hello from C++", 15);
    {
        auto b = rtshm::SharedMemory::open({.name = "rtshm-install-cpp"});
        CHECK(b && b->existed() && b->data() != a->data());
        CHECK(std::strcmp(static_cast<const char *>(b->data()), "hello from C++") == 0);
    }
    a->close();
    auto gone = rtshm::SharedMemory::open({.name = "rtshm-install-cpp"});
    CHECK(!gone && gone.error() == rtshm::Error::file_not_found);
    auto ev = rtshm::Event::create({.name = "rtshm-install-ev", .initially_set = true});
    CHECK(ev && ev->wait(std::chrono::milliseconds(0)) == rtshm::WaitStatus::signaled);
    std::printf("C++ consumer: OK (%s backend)\n", rtshm::backend_name(rtshm::backend()).data());
    return 0;
}
