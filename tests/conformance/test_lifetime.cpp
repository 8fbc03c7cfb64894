// SPDX-License-Identifier: MIT
// test_lifetime.cpp: rules S21-S24 (closing and lifetime).
#include "harness.hpp"

#include <cerrno>
#include <csignal>
#include <cstring>
#include <random>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

namespace conf {
namespace {

bool is_mapped(void *p) {
    unsigned char v;
    return ::mincore(p, 1, &v) == 0 || errno != ENOMEM;
}

bool all_zero(const void *p, std::size_t n) {
    auto *b = static_cast<const unsigned char *>(p);
    for (std::size_t i = 0; i < n; ++i)
        if (b[i] != 0)
            return false;
    return true;
}

void expect_gone(const std::string &n) {
    void *p = &p;
    EXPECT_EQ(RtOpenSharedMemoryA(SHM_MAP_ALL_ACCESS, FALSE, n.c_str(), &p), nullptr)
        << n << " outlived its handles";
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_FILE_NOT_FOUND));
    EXPECT_EQ(p, &p);
    EXPECT_FALSE(object_listed(n)) << n << " still listed";
}

} // namespace

TEST_P(Conformance, S21_CloseUnmapsAndInvalidatesHandle) {
    auto n = name("s21");
    void *a = nullptr, *b = nullptr;
    HANDLE h1 = RtCreateSharedMemoryA(PAGE_READWRITE, 0, 8192, n.c_str(), &a);
    ASSERT_NE(h1, nullptr);
    HANDLE h2 = RtOpenSharedMemoryA(SHM_MAP_ALL_ACCESS, FALSE, n.c_str(), &b);
    ASSERT_NE(h2, nullptr);
    std::size_t maps = inode_mapping_count();
    ASSERT_TRUE(is_mapped(a));
    EXPECT_TRUE(RtCloseHandle(h1));
    EXPECT_FALSE(is_mapped(a)) << "the mapping of the closed handle is still there";
    EXPECT_EQ(inode_mapping_count(), maps - 1);
    EXPECT_TRUE(is_mapped(b));
    static_cast<char *>(b)[0] = 1; // the other handle's mapping is untouched
    EXPECT_FALSE(RtCloseHandle(h1));
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_INVALID_HANDLE));
    EXPECT_TRUE(RtCloseHandle(h2));
    EXPECT_FALSE(is_mapped(b));
}

TEST_P(Conformance, S22_CloseOfBadHandlesFails) {
    auto n = name("s22");
    void *a = nullptr;
    HANDLE h = RtCreateSharedMemoryA(PAGE_READWRITE, 0, 4096, n.c_str(), &a);
    ASSERT_NE(h, nullptr);
    ASSERT_TRUE(RtCloseHandle(h));
    auto made_up = reinterpret_cast<HANDLE>(static_cast<std::uintptr_t>(0xdeadbeef));
    auto near_real = reinterpret_cast<HANDLE>(reinterpret_cast<std::uintptr_t>(h) + 1);
    for (HANDLE bad : {HANDLE{nullptr}, INVALID_HANDLE_VALUE, h, made_up, near_real,
                       reinterpret_cast<HANDLE>(&a)}) {
        SetLastError(0);
        EXPECT_FALSE(RtCloseHandle(bad)) << bad;
        EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_INVALID_HANDLE)) << bad;
    }
}

TEST_P(Conformance, S23_LastCloseDestroysObject) {
    auto n = name("s23");
    void *a = nullptr, *b = nullptr;
    HANDLE h1 = RtCreateSharedMemoryA(PAGE_READWRITE, 0, 8192, n.c_str(), &a);
    ASSERT_NE(h1, nullptr);
    std::memset(a, 0xab, 8192);
    HANDLE h2 = RtOpenSharedMemoryA(SHM_MAP_ALL_ACCESS, FALSE, n.c_str(), &b);
    ASSERT_NE(h2, nullptr);
    EXPECT_TRUE(RtCloseHandle(h1));
    // One handle left: the object lives on.
    void *c = nullptr;
    HANDLE h3 = RtOpenSharedMemoryA(SHM_MAP_ALL_ACCESS, FALSE, n.c_str(), &c);
    ASSERT_NE(h3, nullptr);
    EXPECT_EQ(static_cast<unsigned char *>(c)[8191], 0xab);
    EXPECT_TRUE(RtCloseHandle(h3));
    EXPECT_TRUE(RtCloseHandle(h2));
    expect_gone(n);
    SetLastError(55);
    HANDLE h4 = RtCreateSharedMemoryA(PAGE_READWRITE, 0, 4096, n.c_str(), &a);
    ASSERT_NE(h4, nullptr);
    EXPECT_EQ(GetLastError(), 0u) << "re-create after destruction must be a new object";
    EXPECT_TRUE(all_zero(a, 4096));
    EXPECT_TRUE(RtCloseHandle(h4));
}

TEST_P(Conformance, S24_NormalExitClosesHandles) {
    auto n = name("s24exit");
    int st = in_child([&] {
        void *p = nullptr, *q = nullptr;
        if (RtCreateSharedMemoryA(PAGE_READWRITE, 0, 4096, n.c_str(), &p) == nullptr)
            return 1;
        if (RtOpenSharedMemoryA(SHM_MAP_ALL_ACCESS, FALSE, n.c_str(), &q) == nullptr)
            return 2;
        std::memset(p, 0xcd, 4096);
        std::exit(0); // no RtCloseHandle
    });
    ASSERT_TRUE(exited_ok(st)) << describe(st);
    expect_gone(n);
}

TEST_P(Conformance, S24_SigkillClosesHandles) {
    auto n = name("s24kill");
    int ready[2];
    ASSERT_EQ(::pipe(ready), 0);
    std::fflush(nullptr);
    pid_t pid = ::fork();
    if (pid == 0) {
        void *p = nullptr, *q = nullptr;
        if (RtCreateSharedMemoryA(PAGE_READWRITE, 0, 65536, n.c_str(), &p) == nullptr)
            ::_exit(1);
        if (RtOpenSharedMemoryA(SHM_MAP_ALL_ACCESS, FALSE, n.c_str(), &q) == nullptr)
            ::_exit(2);
        std::memset(p, 0xee, 65536);
        if (::write(ready[1], "r", 1) != 1)
            ::_exit(3);
        for (;;)
            ::pause();
    }
    ::close(ready[1]);
    char c;
    ASSERT_EQ(::read(ready[0], &c, 1), 1);
    ::close(ready[0]);
    ASSERT_EQ(::kill(pid, SIGKILL), 0);
    int st = 0;
    ::waitpid(pid, &st, 0);
    ASSERT_TRUE(WIFSIGNALED(st));
    expect_gone(n);
    void *p = nullptr;
    SetLastError(1);
    HANDLE h = RtCreateSharedMemoryA(PAGE_READWRITE, 0, 65536, n.c_str(), &p);
    ASSERT_NE(h, nullptr);
    EXPECT_EQ(GetLastError(), 0u);
    EXPECT_TRUE(all_zero(p, 65536)) << "data of the killed process's object came back";
    EXPECT_TRUE(RtCloseHandle(h));
}

TEST_P(Conformance, S24_SigkillAtAnyPointLeavesNothing) {
    auto n = name("s24any");
    std::mt19937 rng(static_cast<unsigned>(::getpid()));
    for (int round = 0; round < 12; ++round) {
        std::fflush(nullptr);
        pid_t pid = ::fork();
        if (pid == 0) {
            for (;;) { // create / open / close as fast as possible until killed
                void *p = nullptr, *q = nullptr;
                HANDLE h = RtCreateSharedMemoryA(PAGE_READWRITE, 0, 16384, n.c_str(), &p);
                HANDLE h2 = RtOpenSharedMemoryA(SHM_MAP_ALL_ACCESS, FALSE, n.c_str(), &q);
                if (h2 != nullptr)
                    RtCloseHandle(h2);
                if (h != nullptr)
                    RtCloseHandle(h);
            }
        }
        ::usleep(2000 + rng() % 20000);
        ::kill(pid, SIGKILL);
        int st = 0;
        ::waitpid(pid, &st, 0);
        ASSERT_TRUE(WIFSIGNALED(st)) << describe(st);
        expect_gone(n);
    }
}

} // namespace conf
