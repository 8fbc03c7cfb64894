// SPDX-License-Identifier: MIT
// test_port.cpp: rule S60 (ported headers) where the library takes part:
// the UTF-16 entry points a -fshort-wchar program's W functions go to, and
// RtUnmapSharedMemory.
#include "harness.hpp"
#include "sync_helpers.hpp"

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <sys/mman.h>
#include <unistd.h>
#include <vector>

namespace conf {
namespace {

std::vector<std::uint16_t> utf16(const std::u16string &s) {
    std::vector<std::uint16_t> v(s.begin(), s.end());
    v.push_back(0);
    return v;
}

// n units, then a page the process may not read: a read past them faults.
class Guarded {
public:
    explicit Guarded(std::size_t bytes) {
        pg_ = static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
        len_ = (bytes + pg_ - 1) / pg_ * pg_ + pg_;
        base_ = static_cast<char *>(
            ::mmap(nullptr, len_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
        ::mprotect(base_ + len_ - pg_, pg_, PROT_NONE);
        at_ = base_ + len_ - pg_ - bytes;
    }
    ~Guarded() { ::munmap(base_, len_); }
    void *at() const { return at_; }

private:
    std::size_t pg_ = 0, len_ = 0;
    char *base_ = nullptr, *at_ = nullptr;
};

bool mapped(void *p) {
    auto pg = static_cast<std::uintptr_t>(::sysconf(_SC_PAGESIZE));
    void *base = reinterpret_cast<void *>(reinterpret_cast<std::uintptr_t>(p) & ~(pg - 1));
    unsigned char v = 0;
    return ::mincore(base, pg, &v) == 0 || errno != ENOMEM;
}

} // namespace

TEST_P(Conformance, S60_Utf16NameWithSurrogatePairsMeetsUtf8AndUtf32Names) {
    auto n = name("s60u16");
    // U+1F916 (a pair), U+00E4, U+65E5: one non-BMP, two BMP characters.
    std::u16string tail = u"-\U0001F916\u00E4\u65E5";
    auto w16 = utf16(std::u16string(n.begin(), n.end()) + tail);
    std::string u8 = n + "-\xF0\x9F\xA4\x96\xC3\xA4\xE6\x97\xA5";
    std::wstring w32 = std::wstring(n.begin(), n.end()) + L"-\U0001F916\u00E4\u65E5";
    void *a = nullptr, *b = nullptr, *c = nullptr;
    SetLastError(7);
    HANDLE h1 = RtCreateSharedMemoryW16(PAGE_READWRITE, 0, 4096, w16.data(), &a);
    ASSERT_NE(h1, nullptr) << GetLastError();
    EXPECT_EQ(GetLastError(), 0u);
    std::strcpy(static_cast<char *>(a), "w16");
    HANDLE h2 = RtOpenSharedMemoryA(SHM_MAP_ALL_ACCESS, FALSE, u8.c_str(), &b);
    ASSERT_NE(h2, nullptr) << "the UTF-8 name does not find the UTF-16 one: " << GetLastError();
    EXPECT_STREQ(static_cast<char *>(b), "w16");
    HANDLE h3 = RtCreateSharedMemoryW(PAGE_READWRITE, 0, 4096, w32.c_str(), &c);
    ASSERT_NE(h3, nullptr) << GetLastError();
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_ALREADY_EXISTS));
    void *d = nullptr;
    HANDLE h4 = RtOpenSharedMemoryW16(SHM_MAP_ALL_ACCESS, FALSE, w16.data(), &d);
    ASSERT_NE(h4, nullptr) << GetLastError();
    EXPECT_STREQ(static_cast<char *>(d), "w16");
    void *e = nullptr;
    HANDLE h5 = RtShmCreateSharedMemoryExW16(PAGE_READWRITE, 0, 4096, w16.data(), 0, &e);
    ASSERT_NE(h5, nullptr) << GetLastError();
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_ALREADY_EXISTS));
    for (HANDLE h : {h5, h4, h3, h2, h1})
        EXPECT_TRUE(RtCloseHandle(h));
}

TEST_P(Conformance, S60_Utf16UnpairedSurrogateIsInvalidParameter) {
    auto n = name("s60bad");
    std::u16string base(n.begin(), n.end());
    const std::u16string bad[] = {
        base + u'\xD83E',             // a high surrogate at the end
        base + u'\xD83E' + u"x",      // a high surrogate before a non-surrogate
        base + u'\xDD16',             // a low surrogate alone
        base + u'\xDD16' + u'\xD83E', // a reversed pair
        base + u'\xD83E' + u'\xD83E', // two high surrogates
        std::u16string(1, u'\xDC00'), // only a low surrogate
    };
    for (const auto &s : bad) {
        auto v = utf16(s);
        void *p = &p;
        EXPECT_EQ(RtCreateSharedMemoryW16(PAGE_READWRITE, 0, 4096, v.data(), &p), nullptr);
        EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_INVALID_PARAMETER));
        EXPECT_EQ(RtOpenSharedMemoryW16(SHM_MAP_ALL_ACCESS, FALSE, v.data(), &p), nullptr);
        EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_INVALID_PARAMETER));
        EXPECT_EQ(RtShmCreateSharedMemoryExW16(PAGE_READWRITE, 0, 4096, v.data(), 0, &p), nullptr);
        EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_INVALID_PARAMETER));
        EXPECT_EQ(p, &p);
    }
    // The valid pair after them is fine.
    auto ok = utf16(base + u"\U0001F916");
    void *p = nullptr;
    HANDLE h = RtCreateSharedMemoryW16(PAGE_READWRITE, 0, 4096, ok.data(), &p);
    ASSERT_NE(h, nullptr) << GetLastError();
    EXPECT_TRUE(RtCloseHandle(h));
}

// The sync objects' W16 entry points (what RtCreateEventW & co. of a
// -fshort-wchar program call) meet the UTF-8 and UTF-32 names of the same
// object, and refuse an unpaired surrogate.
TEST_P(Conformance, S60_Utf16SyncObjectNamesMeetUtf8AndUtf32Names) {
    SYNC_REQUIRED();
    auto n = name("s60sync");
    std::u16string tail = u"-\U0001F916\u00E4";
    std::string u8tail = "-\xF0\x9F\xA4\x96\xC3\xA4";
    std::wstring w32tail = L"-\U0001F916\u00E4";
    auto w16 = [&](const char *t) {
        return utf16(std::u16string(n.begin(), n.end()) + std::u16string(t, t + std::strlen(t)) +
                     tail);
    };
    auto u8 = [&](const char *t) { return n + t + u8tail; };
    auto w32 = [&](const char *t) {
        return std::wstring(n.begin(), n.end()) + std::wstring(t, t + std::strlen(t)) + w32tail;
    };
    HANDLE e = RtCreateEventW16(nullptr, TRUE, FALSE, w16("e").data());
    HANDLE m = RtCreateMutexW16(nullptr, FALSE, w16("m").data());
    HANDLE s = RtCreateSemaphoreW16(nullptr, 0, 5, w16("s").data());
    ASSERT_TRUE(e && m && s) << GetLastError();
    HANDLE e2 = RtOpenEventA(0, FALSE, u8("e").c_str());
    HANDLE m2 = RtOpenMutexW(0, FALSE, w32("m").c_str());
    HANDLE s2 = RtOpenSemaphoreW16(0, FALSE, w16("s").data());
    HANDLE e3 = RtOpenEventW16(0, FALSE, w16("e").data());
    HANDLE m3 = RtOpenMutexW16(0, FALSE, w16("m").data());
    ASSERT_TRUE(e2 && m2 && s2 && e3 && m3) << GetLastError();
    EXPECT_TRUE(RtSetEvent(e2)); // one object: set through one name form
    EXPECT_EQ(RtWaitForSingleObject(e3, 0), WAIT_OBJECT_0);
    EXPECT_TRUE(RtReleaseSemaphore(s, 2, nullptr));
    EXPECT_EQ(RtWaitForSingleObject(s2, 0), WAIT_OBJECT_0);
    HANDLE s3 = RtCreateSemaphoreW16(nullptr, 0, 5, w16("s").data()); // exists: opened
    ASSERT_NE(s3, nullptr);
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_ALREADY_EXISTS));
    EXPECT_EQ(RtWaitForSingleObject(s3, 0), WAIT_OBJECT_0); // the second unit
    EXPECT_EQ(RtWaitForSingleObject(s, 0), static_cast<DWORD>(WAIT_TIMEOUT));
    std::u16string bad = std::u16string(n.begin(), n.end()) + u'\xD83E';
    auto vb = utf16(bad);
    EXPECT_EQ(RtCreateEventW16(nullptr, FALSE, FALSE, vb.data()), nullptr);
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_INVALID_PARAMETER));
    EXPECT_EQ(RtOpenMutexW16(0, FALSE, vb.data()), nullptr);
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_INVALID_PARAMETER));
    for (HANDLE h : {e, m, s, e2, m2, s2, e3, m3, s3})
        EXPECT_TRUE(RtCloseHandle(h));
}

// S13 in UTF-16 code units (a -fshort-wchar program's wchar_t): 256 are
// accepted (here 128 surrogate pairs, 512 bytes of UTF-8), 257 are not, and
// the library reads no further than the 257th unit.
TEST_P(Conformance, S60_Utf16NameLimitIs256UnitsWithoutOverread) {
    std::u16string pairs;
    for (int i = 0; i < 128; ++i)
        pairs += u"\U0001F916";
    // 256 units whose last one is the terminator's neighbour.
    Guarded g(257 * 2);
    auto *u = static_cast<std::uint16_t *>(g.at());
    for (std::size_t i = 0; i < 256; ++i)
        u[i] = pairs[i];
    u[256] = 0;
    void *p = nullptr;
    HANDLE h = RtCreateSharedMemoryW16(PAGE_READWRITE, 0, 4096, u, &p);
    ASSERT_NE(h, nullptr) << "256 units refused: " << GetLastError();
    EXPECT_TRUE(RtCloseHandle(h));
    // 257 units and no terminator before the guard page: refused, no fault.
    Guarded g2(257 * 2);
    auto *v = static_cast<std::uint16_t *>(g2.at());
    for (std::size_t i = 0; i < 257; ++i)
        v[i] = u'a';
    void *q = &q;
    EXPECT_EQ(RtCreateSharedMemoryW16(PAGE_READWRITE, 0, 4096, v, &q), nullptr);
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_INVALID_PARAMETER));
    EXPECT_EQ(RtOpenSharedMemoryW16(SHM_MAP_READ, FALSE, v, &q), nullptr);
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_INVALID_PARAMETER));
    // The same for UTF-32 wchar_t names.
    Guarded g3(257 * sizeof(wchar_t));
    auto *w = static_cast<wchar_t *>(g3.at());
    for (std::size_t i = 0; i < 257; ++i)
        w[i] = L'a';
    EXPECT_EQ(RtCreateSharedMemoryW(PAGE_READWRITE, 0, 4096, w, &q), nullptr);
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_INVALID_PARAMETER));
    EXPECT_EQ(q, &q);
}

TEST_P(Conformance, S60_RtUnmapSharedMemoryUnmapsTheViewAndKeepsTheHandle) {
    auto n = name("s60unmap");
    void *a = nullptr;
    HANDLE h = RtCreateSharedMemoryA(PAGE_READWRITE, 0, 8192, n.c_str(), &a);
    ASSERT_NE(h, nullptr) << GetLastError();
    static_cast<char *>(a)[0] = 'k';
    EXPECT_TRUE(mapped(a));
    EXPECT_TRUE(RtUnmapSharedMemory(a)) << GetLastError();
    EXPECT_FALSE(mapped(a)) << "the view is still mapped";
    // The handle keeps the object: an open finds it, with its data.
    void *b = nullptr;
    HANDLE h2 = RtOpenSharedMemoryA(SHM_MAP_ALL_ACCESS, FALSE, n.c_str(), &b);
    ASSERT_NE(h2, nullptr) << "the object died with its view: " << GetLastError();
    EXPECT_EQ(static_cast<char *>(b)[0], 'k');
    EXPECT_TRUE(RtCloseHandle(h2));
    // A second unmap, an address inside a view and one that is no view.
    EXPECT_FALSE(RtUnmapSharedMemory(a));
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_INVALID_PARAMETER));
    int local = 0;
    EXPECT_FALSE(RtUnmapSharedMemory(&local));
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_INVALID_PARAMETER));
    EXPECT_FALSE(RtUnmapSharedMemory(nullptr));
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_INVALID_PARAMETER));
    void *c = nullptr;
    HANDLE h3 = RtOpenSharedMemoryA(SHM_MAP_ALL_ACCESS, FALSE, n.c_str(), &c);
    ASSERT_NE(h3, nullptr);
    EXPECT_FALSE(RtUnmapSharedMemory(static_cast<char *>(c) + 4096));
    EXPECT_TRUE(RtCloseHandle(h3));
    // Close after unmap: TRUE, and the last handle destroys the object.
    EXPECT_TRUE(RtCloseHandle(h));
    void *p = &p;
    EXPECT_EQ(RtOpenSharedMemoryA(SHM_MAP_ALL_ACCESS, FALSE, n.c_str(), &p), nullptr);
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_FILE_NOT_FOUND));
}

} // namespace conf
