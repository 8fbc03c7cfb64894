// SPDX-License-Identifier: MIT
// test_flags.cpp: rules S5 (flProtect of RtCreateSharedMemory) and S19
// (dwDesiredAccess of RtOpenSharedMemory), version 2 of the contract: every
// value real RTX programs pass, and bad values, in both personalities.
//
// A view is "read-write" when a write through it works; "read-only" when a
// write raises SIGSEGV and mprotect(PROT_WRITE) fails. An object is read-only
// when a read-write open of it is refused with ERROR_ACCESS_DENIED.
#include "harness.hpp"

#include <cstdint>
#include <initializer_list>
#include <sys/mman.h>
#include <unistd.h>

namespace conf {
namespace {

bool mprotect_write_ok(void *p) {
    auto pg = static_cast<std::uintptr_t>(::sysconf(_SC_PAGESIZE));
    void *base = reinterpret_cast<void *>(reinterpret_cast<std::uintptr_t>(p) & ~(pg - 1));
    return ::mprotect(base, pg, PROT_READ | PROT_WRITE) == 0;
}

enum class Want { read_write, read_only, invalid };

const char *describe_want(Want w) {
    switch (w) {
    case Want::read_write:
        return "a read-write view";
    case Want::read_only:
        return "a read-only view";
    case Want::invalid:
        return "ERROR_INVALID_PARAMETER";
    }
    return "?";
}

// Whether an object of that name refuses a read-write view (is read-only),
// asked in the windows personality; restores the personality.
bool object_is_read_only(const std::string &n) {
    DWORD pers = RtShmGetPersonality();
    RtShmSetPersonality(RTSHM_PERSONALITY_WINDOWS);
    void *p = nullptr;
    HANDLE h = RtOpenSharedMemoryA(SHM_MAP_ALL_ACCESS, FALSE, n.c_str(), &p);
    DWORD e = GetLastError();
    RtShmSetPersonality(pers);
    if (h != nullptr) {
        RtCloseHandle(h);
        return false;
    }
    EXPECT_EQ(e, static_cast<DWORD>(ERROR_ACCESS_DENIED)) << "read-write open of " << n;
    return true;
}

// S5: a create with flProtect in the current personality gives what `want`
// says, for the creator's view and for the object.
void expect_create(const std::string &tag, DWORD prot, Want want) {
    auto n = Conformance::unique_name(tag.c_str());
    void *loc = &loc;
    SetLastError(1234);
    HANDLE h = RtCreateSharedMemoryA(prot, 0, 4096, n.c_str(), &loc);
    DWORD e = GetLastError();
    if (want == Want::invalid) {
        EXPECT_EQ(h, nullptr) << "flProtect " << prot << " should be " << describe_want(want);
        EXPECT_EQ(e, static_cast<DWORD>(ERROR_INVALID_PARAMETER)) << "flProtect " << prot;
        EXPECT_EQ(loc, &loc) << "flProtect " << prot << ": *location set by a failed create";
        void *p = &p;
        EXPECT_EQ(RtOpenSharedMemoryA(SHM_MAP_READ, FALSE, n.c_str(), &p), nullptr)
            << "flProtect " << prot << ": a refused create made an object";
        if (h != nullptr)
            RtCloseHandle(h);
        return;
    }
    ASSERT_NE(h, nullptr) << "flProtect " << prot << " refused with error " << e << ", want "
                          << describe_want(want);
    EXPECT_EQ(e, 0u) << "flProtect " << prot;
    EXPECT_EQ(static_cast<unsigned char *>(loc)[4095], 0) << "flProtect " << prot; // readable
    if (want == Want::read_write) {
        EXPECT_FALSE(write_faults(loc)) << "flProtect " << prot << ": the view is not writable";
        EXPECT_FALSE(object_is_read_only(n)) << "flProtect " << prot << " made a read-only object";
    } else {
        EXPECT_TRUE(write_faults(loc)) << "flProtect " << prot << ": the view is writable";
        EXPECT_FALSE(mprotect_write_ok(loc)) << "flProtect " << prot << ": mprotect(PROT_WRITE)";
        EXPECT_TRUE(object_is_read_only(n)) << "flProtect " << prot << " made a writable object";
    }
    EXPECT_TRUE(RtCloseHandle(h));
}

// S19: an open with dwDesiredAccess in the current personality of a
// read-write object gives what `want` says.
void expect_open(const std::string &tag, DWORD acc, Want want) {
    auto n = Conformance::unique_name(tag.c_str());
    auto creator = rtshm::SharedMemory::create({.name = n, .size = 4096});
    ASSERT_TRUE(creator.has_value());
    static_cast<unsigned char *>(creator->data())[0] = 0x5a;
    void *loc = &loc;
    SetLastError(1234);
    HANDLE h = RtOpenSharedMemoryA(acc, FALSE, n.c_str(), &loc);
    DWORD e = GetLastError();
    if (want == Want::invalid) {
        EXPECT_EQ(h, nullptr) << "access " << acc << " should be " << describe_want(want);
        EXPECT_EQ(e, static_cast<DWORD>(ERROR_INVALID_PARAMETER)) << "access " << acc;
        EXPECT_EQ(loc, &loc) << "access " << acc << ": *location set by a failed open";
        if (h != nullptr)
            RtCloseHandle(h);
        return;
    }
    ASSERT_NE(h, nullptr) << "access " << acc << " refused with error " << e << ", want "
                          << describe_want(want);
    EXPECT_EQ(e, 0u) << "access " << acc;
    EXPECT_EQ(static_cast<unsigned char *>(loc)[0], 0x5a) << "access " << acc;
    if (want == Want::read_write) {
        bool faults = write_faults(loc);
        EXPECT_FALSE(faults) << "access " << acc << ": the view is not writable";
        if (!faults)
            static_cast<volatile unsigned char *>(loc)[1] = 0x77;
        else
            static_cast<unsigned char *>(creator->data())[1] = 0x77;
        EXPECT_EQ(static_cast<unsigned char *>(creator->data())[1], 0x77) << "access " << acc;
    } else {
        EXPECT_TRUE(write_faults(loc)) << "access " << acc << ": the view is writable";
        EXPECT_FALSE(mprotect_write_ok(loc)) << "access " << acc << ": mprotect(PROT_WRITE)";
    }
    EXPECT_TRUE(RtCloseHandle(h));
}

constexpr DWORD kFileMapAllAccess = 0xF001F;

// flProtect values no personality gives a meaning to.
constexpr std::initializer_list<DWORD> kBadProtect = {
    5, 6, 7, 8, 0x10, 0x20, 0x40, 0x80, 0x1234, 0x8004, 0xF001F, 0x80000000u, 0xFFFFFFFFu};
// dwDesiredAccess values with neither bit 0x2 nor 0x4, other than 0 and 1.
constexpr std::initializer_list<DWORD> kBadAccess = {
    8, 9, 0x10, 0x11, 0x19, 0x10000, 0xF0000, 0xF0001, 0xF0009, 0x80000000u, 0x80000001u};

void windows() {
    ASSERT_TRUE(RtShmSetPersonality(RTSHM_PERSONALITY_WINDOWS));
}

} // namespace

std::string Conformance::unique_name(const char *tag) {
    return name(tag);
}

// ---- S5, windows personality ------------------------------------------------

TEST_P(Conformance, S5_WindowsFlProtect0IsReadWrite) {
    windows();
    expect_create("s5w0", 0, Want::read_write);
}

TEST_P(Conformance, S5_WindowsFlProtect1IsReadOnly) {
    windows();
    expect_create("s5w1", SHM_MAP_READ, Want::read_only);
}

TEST_P(Conformance, S5_WindowsFlProtect2IsReadWrite) {
    windows();
    expect_create("s5w2", SHM_MAP_WRITE, Want::read_write);
    expect_create("s5w2", PAGE_READONLY, Want::read_write); // the same number
}

TEST_P(Conformance, S5_WindowsFlProtect3IsReadWrite) {
    windows();
    expect_create("s5w3", SHM_MAP_ALL_ACCESS, Want::read_write);
}

TEST_P(Conformance, S5_WindowsFlProtect4IsReadWrite) {
    windows();
    expect_create("s5w4", PAGE_READWRITE, Want::read_write);
}

TEST_P(Conformance, S5_WindowsBadFlProtectIsInvalidParameter) {
    windows();
    for (DWORD prot : kBadProtect)
        expect_create("s5wbad", prot, Want::invalid);
}

// ---- S5, rtss personality: flProtect is ignored ------------------------------

TEST_P(Conformance, S5_RtssFlProtect0To4AreReadWrite) {
    for (DWORD prot : {0u, 1u, 2u, 3u, 4u})
        expect_create("s5r", prot, Want::read_write);
}

TEST_P(Conformance, S5_RtssBadFlProtectIsIgnored) {
    for (DWORD prot : kBadProtect)
        expect_create("s5rbad", prot, Want::read_write);
}

// ---- S19, windows personality -------------------------------------------------

TEST_P(Conformance, S19_WindowsAccess0IsReadWrite) {
    windows();
    expect_open("s19w0", 0, Want::read_write);
}

TEST_P(Conformance, S19_WindowsAccess1IsReadOnly) {
    windows();
    expect_open("s19w1", SHM_MAP_READ, Want::read_only);
}

TEST_P(Conformance, S19_WindowsAccess2IsReadWrite) {
    windows();
    expect_open("s19w2", SHM_MAP_WRITE, Want::read_write); // and FILE_MAP_WRITE
}

TEST_P(Conformance, S19_WindowsAccess3IsReadWrite) {
    windows();
    expect_open("s19w3", SHM_MAP_ALL_ACCESS, Want::read_write);
}

TEST_P(Conformance, S19_WindowsAccess4IsReadWrite) {
    windows();
    expect_open("s19w4", PAGE_READWRITE, Want::read_write);
    expect_open("s19w4", FILE_MAP_READ, Want::read_write); // the same number
}

TEST_P(Conformance, S19_WindowsAccessF001FIsReadWrite) {
    windows();
    expect_open("s19wall", kFileMapAllAccess, Want::read_write);
}

TEST_P(Conformance, S19_WindowsAccessWithBit2Or4IsReadWrite) {
    windows();
    for (DWORD acc : {5u, 6u, 7u, 0x12u, 0x14u, 0xF0002u, 0xF0004u, 0xFFFFFFFFu})
        expect_open("s19wbits", acc, Want::read_write);
}

TEST_P(Conformance, S19_WindowsBadAccessIsInvalidParameter) {
    windows();
    for (DWORD acc : kBadAccess)
        expect_open("s19wbad", acc, Want::invalid);
    // Checked before the name: a missing name gives the same error.
    void *p = &p;
    EXPECT_EQ(RtOpenSharedMemoryA(8, FALSE, name("s19wbadmissing").c_str(), &p), nullptr);
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_INVALID_PARAMETER));
}

TEST_P(Conformance, S19_WindowsReadWriteAccessOnReadOnlyObjectIsAccessDenied) {
    windows();
    auto n = name("s19wro");
    void *a = nullptr;
    HANDLE h1 = RtCreateSharedMemoryA(SHM_MAP_READ, 0, 4096, n.c_str(), &a);
    ASSERT_NE(h1, nullptr) << GetLastError();
    for (DWORD acc : {0u, 2u, 3u, 4u, 0xF001Fu}) {
        void *p = &p;
        EXPECT_EQ(RtOpenSharedMemoryA(acc, FALSE, n.c_str(), &p), nullptr) << "access " << acc;
        EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_ACCESS_DENIED)) << "access " << acc;
        EXPECT_EQ(p, &p);
    }
    // A read-write re-create of it is refused the same way; 1 is allowed.
    for (DWORD prot : {0u, 2u, 3u, 4u}) {
        void *p = &p;
        EXPECT_EQ(RtCreateSharedMemoryA(prot, 0, 4096, n.c_str(), &p), nullptr) << prot;
        EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_ACCESS_DENIED)) << prot;
    }
    void *p = nullptr;
    HANDLE h = RtOpenSharedMemoryA(SHM_MAP_READ, FALSE, n.c_str(), &p);
    ASSERT_NE(h, nullptr) << GetLastError();
    EXPECT_TRUE(write_faults(p));
    EXPECT_TRUE(RtCloseHandle(h));
    h = RtCreateSharedMemoryA(SHM_MAP_READ, 0, 4096, n.c_str(), &p);
    ASSERT_NE(h, nullptr) << GetLastError();
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_ALREADY_EXISTS));
    EXPECT_TRUE(write_faults(p));
    EXPECT_TRUE(RtCloseHandle(h));
    EXPECT_TRUE(RtCloseHandle(h1));
}

// ---- S19, rtss personality: every view is read-write -------------------------

TEST_P(Conformance, S19_RtssAccess0To4AndF001FAreReadWrite) {
    for (DWORD acc : {0u, 1u, 2u, 3u, 4u, 0xF001Fu})
        expect_open("s19r", acc, Want::read_write);
}

TEST_P(Conformance, S19_RtssBadAccessIsIgnored) {
    for (DWORD acc : kBadAccess)
        expect_open("s19rbad", acc, Want::read_write);
}

// Decision (libuser/README.md): an rtss view is always read-write, so an rtss
// create or open of a read-only object is refused with ERROR_ACCESS_DENIED.
TEST_P(Conformance, S19_RtssOnReadOnlyObjectIsAccessDenied) {
    windows();
    auto n = name("s19rtssro");
    void *a = nullptr;
    HANDLE h1 = RtCreateSharedMemoryA(SHM_MAP_READ, 0, 4096, n.c_str(), &a);
    ASSERT_NE(h1, nullptr);
    ASSERT_TRUE(RtShmSetPersonality(RTSHM_PERSONALITY_RTSS));
    for (DWORD v : {0u, 1u, 2u, 3u, 4u}) {
        void *p = &p;
        EXPECT_EQ(RtOpenSharedMemoryA(v, FALSE, n.c_str(), &p), nullptr) << v;
        EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_ACCESS_DENIED)) << v;
        EXPECT_EQ(RtCreateSharedMemoryA(v, 0, 4096, n.c_str(), &p), nullptr) << v;
        EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_ACCESS_DENIED)) << v;
        EXPECT_EQ(p, &p);
    }
    EXPECT_TRUE(RtCloseHandle(h1));
}

} // namespace conf
