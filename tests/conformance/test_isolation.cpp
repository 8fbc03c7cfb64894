// SPDX-License-Identifier: MIT
// test_isolation.cpp: what one user cannot do to another's objects (S7's
// shrink by a reader, S32's exclusive create against a squatter).
#include "harness.hpp"

#include <cstring>
#include <unistd.h>

namespace conf {

// An exclusive create of an existing name: NULL, ERROR_ALREADY_EXISTS,
// *location untouched; of a new name: an object, error 0.
TEST_P(Conformance, S32_ExclusiveCreateOfExistingNameFails) {
    auto n = name("s32excl");
    void *p = nullptr;
    HANDLE h = RtCreateSharedMemoryA(PAGE_READWRITE, 0, 4096, n.c_str(), &p);
    ASSERT_NE(h, nullptr);
    void *q = reinterpret_cast<void *>(0x1);
    SetLastError(0);
    HANDLE x = RtShmCreateSharedMemoryExA(PAGE_READWRITE, 0, 4096, n.c_str(),
                                          0600 | RTSHM_CREATE_EXCLUSIVE, &q);
    EXPECT_EQ(x, nullptr);
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_ALREADY_EXISTS));
    EXPECT_EQ(q, reinterpret_cast<void *>(0x1));
    auto cxx = rtshm::SharedMemory::create({.name = n, .size = 4096, .exclusive = true});
    ASSERT_FALSE(cxx.has_value());
    EXPECT_EQ(cxx.error(), rtshm::Error::already_exists);

    auto fresh = name("s32exclnew");
    HANDLE y = RtShmCreateSharedMemoryExA(PAGE_READWRITE, 0, 4096, fresh.c_str(),
                                          RTSHM_CREATE_EXCLUSIVE, &q);
    ASSERT_NE(y, nullptr);
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_SUCCESS));
    EXPECT_TRUE(RtCloseHandle(y));
    EXPECT_TRUE(RtCloseHandle(h));
    // Other bits than the mode and the flag are still refused.
    EXPECT_EQ(RtShmCreateSharedMemoryExA(PAGE_READWRITE, 0, 4096, fresh.c_str(), 01000, &q),
              nullptr);
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_INVALID_PARAMETER));
}

// The squatting scenario: another user makes the name first, world-writable,
// and plants a value; the daemon's exclusive create refuses to attach.
TEST_P(Conformance, S32_ExclusiveCreateRefusesSquattedName) {
    if (::geteuid() != 0)
        GTEST_SKIP() << "needs root to act as another user";
    auto n = name("s32squat");
    int fds[2];
    ASSERT_EQ(::pipe(fds), 0);
    std::fflush(nullptr);
    pid_t squatter = ::fork();
    if (squatter == 0) {
        ::close(fds[0]);
        if (!drop_to_nobody())
            ::_exit(10);
        void *p = nullptr;
        HANDLE h = RtShmCreateSharedMemoryExA(PAGE_READWRITE, 0, 4096, n.c_str(), 0666, &p);
        if (h == nullptr)
            ::_exit(11);
        *static_cast<int *>(p) = 9999; // "attacker-controlled setpoint"
        char c = 'r';
        (void)!::write(fds[1], &c, 1);
        ::pause();
        ::_exit(0);
    }
    ::close(fds[1]);
    char c = 0;
    ASSERT_EQ(::read(fds[0], &c, 1), 1) << "the squatter could not create";
    ::close(fds[0]);
    void *p = nullptr;
    HANDLE h = RtShmCreateSharedMemoryExA(PAGE_READWRITE, 0, 4096, n.c_str(),
                                          0600 | RTSHM_CREATE_EXCLUSIVE, &p);
    EXPECT_EQ(h, nullptr) << "the daemon attached to the squatter's memory";
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_ALREADY_EXISTS));
    if (h != nullptr)
        RtCloseHandle(h);
    ::kill(squatter, SIGKILL);
    ::waitpid(squatter, nullptr, 0);
}

// S7: a principal with read permission only re-creates with a smaller size:
// it gets a view of that size, and the object keeps its own.
TEST_P(Conformance, S7_ReaderCannotShrinkObject) {
    if (::geteuid() != 0)
        GTEST_SKIP() << "needs root to act as another user";
    constexpr std::size_t big = 1u << 20, small = 4096;
    auto n = name("s7reader");
    auto owner = rtshm::SharedMemory::create({.name = n, .size = big, .mode = 0644});
    ASSERT_TRUE(owner.has_value()) << rtshm::to_string(owner.error());
    int st = in_child([&] {
        if (!drop_to_nobody())
            return 10;
        auto r = rtshm::SharedMemory::create({.name = n,
                                              .size = small,
                                              .personality = rtshm::Personality::rtss,
                                              .protection = rtshm::Protection::read_only});
        if (!r)
            return 20 + static_cast<int>(r.error()) % 100;
        if (r->created())
            return 11;
        return r->size() >= small && r->size() < big ? 0 : 12;
    });
    EXPECT_TRUE(exited_ok(st)) << describe(st) << " (12: the view was not the smaller size)";
    auto again = rtshm::SharedMemory::open({.name = n});
    ASSERT_TRUE(again.has_value());
    EXPECT_EQ(again->size(), big) << "a reader shrank the object";
}

} // namespace conf
