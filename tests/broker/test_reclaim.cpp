// SPDX-License-Identifier: MIT
// S24: the memory of an object comes back when its last holder dies, by
// SIGKILL or by exit() without a close, with no call by anyone else.
#include "support.hpp"

#include <gtest/gtest.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <thread>
#include <unistd.h>

namespace btest {
namespace {

using namespace std::chrono;
using namespace std::chrono_literals;

constexpr long kSlackKib = 16 * 1024;

// Three children hold a size-byte object (the first creates it, every one
// writes all of it); then they are SIGKILLed or told to exit() without a
// close. The time Shmem took to come back within kSlackKib of where it was;
// a failure is reported through gtest.
void holders_end(std::uint64_t size, bool sigkill, const char *what) {
    const std::string name = unique_name("reclaim");
    const long base = shmem_kib();
    ASSERT_GT(base, 0);
    Gate ready, go;
    pid_t kids[3];
    for (int i = 0; i < 3; ++i) {
        kids[i] = spawn([&, i] {
            RTSHM_SHM_VIEW v{};
            HANDLE h = i == 0 ? create_n(name, size, 0, 0600, &v) : open_n(name, 0, &v);
            if (h == nullptr)
                return 2;
            std::memset(v.address, 0x40 + i, size);
            ready.open_gate();
            go.wait_open();
            std::exit(0); // no close: the end of the process must release it
        });
        ASSERT_GT(kids[i], 0);
        // The others open a name that exists by then.
        ASSERT_TRUE(ready.read_bytes(1, 20s)) << "holder " << i << " did not get the object";
    }
    const long held = shmem_kib();
    EXPECT_GT(held - base, static_cast<long>(size / 1024) - kSlackKib)
        << "the object's pages are not in Shmem";
    auto t0 = steady_clock::now();
    if (sigkill) {
        for (pid_t k : kids)
            ::kill(k, SIGKILL);
    } else {
        for (int i = 0; i < 3; ++i)
            go.open_gate();
    }
    for (pid_t k : kids)
        EXPECT_EQ(wait_for(k, 5s), sigkill ? 128 + SIGKILL : 0);
    long now = held;
    while (steady_clock::now() - t0 < 1s) {
        now = shmem_kib();
        if (now - base <= kSlackKib)
            break;
        std::this_thread::sleep_for(10ms);
    }
    auto took = duration_cast<milliseconds>(steady_clock::now() - t0);
    std::printf("[ figure ] %s: %llu MiB back in %lld ms (Shmem %ld -> %ld -> %ld KiB)\n", what,
                static_cast<unsigned long long>(size >> 20), static_cast<long long>(took.count()),
                base, held, now);
    EXPECT_LE(now - base, kSlackKib) << "Shmem did not come back within 1 s";
    EXPECT_LT(took, 1s);
    EXPECT_EQ(count_listed(name), 0);
}

TEST(Broker, S24_SigkillOfEveryHolderReturnsTheMemoryWithinOneSecond) {
    holders_end(256ull << 20, true, "SIGKILL of 3 holders");
}

TEST(Broker, S24_ExitWithoutCloseReturnsTheMemoryWithinOneSecond) {
    holders_end(64ull << 20, false, "exit() of 3 holders");
}

} // namespace
} // namespace btest
