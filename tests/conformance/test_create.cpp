// SPDX-License-Identifier: MIT
// test_create.cpp: rules S1-S11 (creating).
#include "harness.hpp"

#include <cerrno>
#include <cstring>
#include <sys/mman.h>
#include <unistd.h>

namespace conf {
namespace {

std::size_t nonzero_bytes(const void *p, std::size_t n) {
    auto *b = static_cast<const unsigned char *>(p);
    std::size_t c = 0;
    for (std::size_t i = 0; i < n; ++i)
        c += b[i] != 0;
    return c;
}

} // namespace

TEST_P(Conformance, S1_CreateNewReturnsZeroedWritableMapping) {
    auto n = name("s1");
    void *loc = nullptr;
    SetLastError(1234);
    HANDLE h = RtCreateSharedMemoryA(PAGE_READWRITE, 0, 10000, n.c_str(), &loc);
    ASSERT_NE(h, nullptr) << GetLastError();
    EXPECT_EQ(GetLastError(), 0u);
    ASSERT_NE(loc, nullptr);
    EXPECT_EQ(nonzero_bytes(loc, 10000), 0u);
    std::memset(loc, 0x5a, 10000);
    EXPECT_EQ(static_cast<unsigned char *>(loc)[9999], 0x5a);
    EXPECT_TRUE(RtCloseHandle(h));
}

TEST_P(Conformance, S2_SizeHighNonZeroIsInvalidParameter) {
    auto n = name("s2");
    void *loc = &loc;
    EXPECT_EQ(RtCreateSharedMemoryA(PAGE_READWRITE, 1, 4096, n.c_str(), &loc), nullptr);
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_INVALID_PARAMETER));
    EXPECT_EQ(loc, &loc);
    EXPECT_EQ(RtOpenSharedMemoryA(SHM_MAP_ALL_ACCESS, FALSE, n.c_str(), &loc), nullptr);
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_FILE_NOT_FOUND));
}

TEST_P(Conformance, S3_SizeLowZeroIsInvalidParameter) {
    auto n = name("s3");
    void *loc = &loc;
    EXPECT_EQ(RtCreateSharedMemoryA(PAGE_READWRITE, 0, 0, n.c_str(), &loc), nullptr);
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_INVALID_PARAMETER));
    EXPECT_EQ(loc, &loc);
}

TEST_P(Conformance, S4_NullLocationIsInvalidParameterAndCreatesNothing) {
    auto n = name("s4");
    EXPECT_EQ(RtCreateSharedMemoryA(PAGE_READWRITE, 0, 4096, n.c_str(), nullptr), nullptr);
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_INVALID_PARAMETER));
    void *loc = nullptr;
    EXPECT_EQ(RtOpenSharedMemoryA(SHM_MAP_ALL_ACCESS, FALSE, n.c_str(), &loc), nullptr);
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_FILE_NOT_FOUND));
    EXPECT_EQ(RtOpenSharedMemoryA(SHM_MAP_ALL_ACCESS, FALSE, n.c_str(), nullptr), nullptr);
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_INVALID_PARAMETER));
}

// S5 (flProtect): every value, both personalities, in test_flags.cpp.

TEST_P(Conformance, S6_CreateExistingSameSizeSharesMemory) {
    auto n = name("s6");
    void *a = nullptr, *b = nullptr;
    HANDLE h1 = RtCreateSharedMemoryA(PAGE_READWRITE, 0, 8192, n.c_str(), &a);
    ASSERT_NE(h1, nullptr);
    EXPECT_EQ(GetLastError(), 0u);
    std::memcpy(a, "hello", 6);
    HANDLE h2 = RtCreateSharedMemoryA(PAGE_READWRITE, 0, 8192, n.c_str(), &b);
    ASSERT_NE(h2, nullptr) << GetLastError();
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_ALREADY_EXISTS));
    EXPECT_NE(h1, h2);
    EXPECT_NE(a, b);
    EXPECT_STREQ(static_cast<char *>(b), "hello");
    static_cast<char *>(b)[8191] = 'z';
    EXPECT_EQ(static_cast<char *>(a)[8191], 'z');
    EXPECT_TRUE(RtCloseHandle(h2));
    EXPECT_TRUE(RtCloseHandle(h1));
}

TEST_P(Conformance, S7_CreateSmallerShrinksObject) {
    auto n = name("s7");
    void *a = nullptr, *b = nullptr;
    HANDLE h1 = RtCreateSharedMemoryA(PAGE_READWRITE, 0, 3 * 4096, n.c_str(), &a);
    ASSERT_NE(h1, nullptr);
    auto *pa = static_cast<unsigned char *>(a);
    pa[3 * 4096 - 1] = 0x77;
    HANDLE h2 = RtCreateSharedMemoryA(PAGE_READWRITE, 0, 4096, n.c_str(), &b);
    ASSERT_NE(h2, nullptr) << GetLastError();
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_ALREADY_EXISTS));
    // Later opens and creates see the new size.
    auto o = rtshm::SharedMemory::open({.name = n});
    ASSERT_TRUE(o.has_value());
    EXPECT_EQ(o->size(), 4096u);
    auto c = rtshm::SharedMemory::create({.name = n, .size = 4096});
    ASSERT_TRUE(c.has_value());
    EXPECT_FALSE(c->created());
    EXPECT_EQ(c->size(), 4096u);
    auto bigger = rtshm::SharedMemory::create({.name = n, .size = 8192});
    EXPECT_EQ(errof(bigger), rtshm::Error::invalid_parameter);
    // The first mapping stays valid and coherent over its whole length.
    int st = in_child([pa] {
        pa[3 * 4096 - 2] = 0x66;
        return pa[3 * 4096 - 1] == 0x77 ? 0 : 1;
    });
    EXPECT_TRUE(exited_ok(st)) << describe(st);
    EXPECT_EQ(pa[3 * 4096 - 2], 0x66);
    static_cast<unsigned char *>(b)[100] = 0x55;
    EXPECT_EQ(pa[100], 0x55);
    EXPECT_EQ(static_cast<unsigned char *>(o->data())[100], 0x55);
    EXPECT_TRUE(RtCloseHandle(h2));
    EXPECT_TRUE(RtCloseHandle(h1));
}

TEST_P(Conformance, S8_RtssCreateLargerIsInvalidParameter) {
    auto n = name("s8");
    void *a = nullptr, *b = &b;
    HANDLE h1 = RtCreateSharedMemoryA(PAGE_READWRITE, 0, 4096, n.c_str(), &a);
    ASSERT_NE(h1, nullptr);
    static_cast<char *>(a)[0] = 'k';
    EXPECT_EQ(RtCreateSharedMemoryA(PAGE_READWRITE, 0, 8192, n.c_str(), &b), nullptr);
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_INVALID_PARAMETER));
    EXPECT_EQ(b, &b);
    auto o = rtshm::SharedMemory::open({.name = n});
    ASSERT_TRUE(o.has_value());
    EXPECT_EQ(o->size(), 4096u);
    EXPECT_EQ(static_cast<char *>(o->data())[0], 'k');
    EXPECT_TRUE(RtCloseHandle(h1));
}

TEST_P(Conformance, S9_WindowsCreateDifferentSizeIsInvalidParameter) {
    ASSERT_TRUE(RtShmSetPersonality(RTSHM_PERSONALITY_WINDOWS));
    auto n = name("s9");
    void *a = nullptr, *b = &b;
    HANDLE h1 = RtCreateSharedMemoryA(PAGE_READWRITE, 0, 8192, n.c_str(), &a);
    ASSERT_NE(h1, nullptr);
    for (DWORD sz : {DWORD{4096}, DWORD{16384}, DWORD{8191}}) {
        EXPECT_EQ(RtCreateSharedMemoryA(PAGE_READWRITE, 0, sz, n.c_str(), &b), nullptr) << sz;
        EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_INVALID_PARAMETER)) << sz;
    }
    EXPECT_EQ(b, &b);
    HANDLE h2 = RtCreateSharedMemoryA(PAGE_READWRITE, 0, 8192, n.c_str(), &b);
    ASSERT_NE(h2, nullptr);
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_ALREADY_EXISTS));
    auto o = rtshm::SharedMemory::open({.name = n});
    ASSERT_TRUE(o.has_value());
    EXPECT_EQ(o->size(), 8192u);
    EXPECT_TRUE(RtCloseHandle(h2));
    EXPECT_TRUE(RtCloseHandle(h1));
}

TEST_P(Conformance, S10_FailedCreateLeavesNothingBehind) {
    auto n = name("s10");
    std::size_t fds = open_fd_count();
    std::size_t maps = inode_mapping_count();
    void *loc = &loc;
    // 1 TiB: more than can be allocated or pinned.
    EXPECT_EQ(RtShmCreateSharedMemoryExA(PAGE_READWRITE, 0x100, 0, n.c_str(), 0, &loc), nullptr);
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_NOT_ENOUGH_MEMORY));
    EXPECT_EQ(loc, &loc);
    auto big = rtshm::SharedMemory::create({.name = n, .size = std::uint64_t{1} << 40});
    EXPECT_EQ(errof(big), rtshm::Error::not_enough_memory);
    EXPECT_EQ(open_fd_count(), fds);
    EXPECT_EQ(inode_mapping_count(), maps);
    EXPECT_EQ(RtOpenSharedMemoryA(SHM_MAP_ALL_ACCESS, FALSE, n.c_str(), &loc), nullptr);
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_FILE_NOT_FOUND));
    EXPECT_FALSE(object_listed(n));
    // A create refused by the size rule leaves nothing added either.
    void *a = nullptr;
    HANDLE h = RtCreateSharedMemoryA(PAGE_READWRITE, 0, 4096, n.c_str(), &a);
    ASSERT_NE(h, nullptr);
    fds = open_fd_count();
    maps = inode_mapping_count();
    EXPECT_EQ(RtCreateSharedMemoryA(PAGE_READWRITE, 0, 8192, n.c_str(), &loc), nullptr);
    EXPECT_EQ(open_fd_count(), fds);
    EXPECT_EQ(inode_mapping_count(), maps);
    EXPECT_EQ(loc, &loc);
    EXPECT_TRUE(RtCloseHandle(h));
}

TEST_P(Conformance, S11_UnnamedObjectsAreAlwaysNew) {
    void *a = nullptr, *b = nullptr;
    const std::size_t listed = listed_object_count();
    SetLastError(7);
    HANDLE h1 = RtCreateSharedMemoryA(PAGE_READWRITE, 0, 4096, nullptr, &a);
    ASSERT_NE(h1, nullptr) << GetLastError();
    EXPECT_EQ(GetLastError(), 0u);
    SetLastError(7);
    HANDLE h2 = RtCreateSharedMemoryA(PAGE_READWRITE, 0, 4096, "", &b);
    ASSERT_NE(h2, nullptr) << GetLastError();
    EXPECT_EQ(GetLastError(), 0u);
    HANDLE h3 = RtCreateSharedMemoryW(PAGE_READWRITE, 0, 4096, L"", &b);
    ASSERT_NE(h3, nullptr) << GetLastError();
    EXPECT_EQ(GetLastError(), 0u);
    EXPECT_NE(a, b);
    std::memset(a, 1, 4096);
    EXPECT_EQ(nonzero_bytes(b, 4096), 0u);
    void *loc = &loc;
    EXPECT_EQ(RtOpenSharedMemoryA(SHM_MAP_ALL_ACCESS, FALSE, "", &loc), nullptr);
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_INVALID_PARAMETER));
    if (posix()) {
        // Local memfds: the broker's name table never sees them.
        EXPECT_EQ(listed_object_count(), listed);
    }
    EXPECT_TRUE(RtCloseHandle(h3));
    EXPECT_TRUE(RtCloseHandle(h2));
    EXPECT_TRUE(RtCloseHandle(h1));
}

} // namespace conf
