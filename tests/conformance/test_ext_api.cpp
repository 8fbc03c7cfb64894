// SPDX-License-Identifier: MIT
// test_ext_api.cpp: the RtShm* C entry points that <rtshm/rtshm.hpp> is
// inline over (S32's extension API, and what the C++ API needs beyond RTX's
// calls): bad input is refused with ERROR_INVALID_PARAMETER and makes
// nothing; the view they describe is the one mapped.
#include "harness.hpp"

#include <rtshm/sync.hpp>

#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

namespace conf {

namespace {
bool name_exists(const std::string &n) {
    void *p = nullptr;
    HANDLE h = RtOpenSharedMemoryA(0, FALSE, n.c_str(), &p);
    if (h == nullptr)
        return false;
    RtCloseHandle(h);
    return true;
}
} // namespace

TEST_P(Conformance, S32_ExtensionCreateRefusesBadInputAndMakesNothing) {
    auto n = name("extbad");
    const std::string long_name(1025, 'x');
    RTSHM_SHM_VIEW v{};
    struct Bad {
        const char *why;
        const char *name;
        std::size_t len;
        std::uint64_t size;
        std::uint32_t flags;
        std::uint32_t mode;
        RTSHM_SHM_VIEW *view;
    } bad[] = {
        {"no view", n.c_str(), n.size(), 4096, 0, 0, nullptr},
        {"unknown flag", n.c_str(), n.size(), 4096, 0x100, 0, &v},
        {"both size rules", n.c_str(), n.size(), 4096, RTSHM_SHM_SIZE_RTSS | RTSHM_SHM_SIZE_WINDOWS,
         0, &v},
        {"NULL name with a length", nullptr, 5, 4096, 0, 0, &v},
        {"size 0", n.c_str(), n.size(), 0, 0, 0, &v},
        {"mode above 0777", n.c_str(), n.size(), 4096, 0, 01000, &v},
        {"NUL inside the name", "ab\0c", 4, 4096, 0, 0, &v},
        {"name above 1024 bytes", long_name.c_str(), long_name.size(), 4096, 0, 0, &v},
    };
    for (const Bad &b : bad) {
        SetLastError(0);
        EXPECT_EQ(RtShmCreateSharedMemoryN(b.name, b.len, b.size, b.flags, b.mode, b.view), nullptr)
            << b.why;
        EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_INVALID_PARAMETER)) << b.why;
    }
    EXPECT_FALSE(name_exists(n));
    EXPECT_FALSE(name_exists("ab"));

    SetLastError(0);
    EXPECT_EQ(RtShmOpenSharedMemoryN(n.c_str(), n.size(), 0x2, &v), nullptr); // unknown flag
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_INVALID_PARAMETER));
    EXPECT_EQ(RtShmOpenSharedMemoryN(n.c_str(), 0, 0, &v), nullptr); // empty name
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_INVALID_PARAMETER));
    EXPECT_EQ(RtShmOpenSharedMemoryN(n.c_str(), n.size(), 0, nullptr), nullptr);
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_INVALID_PARAMETER));
    EXPECT_EQ(RtShmSelectBackend(RTSHM_BACKEND_NONE), FALSE);
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_INVALID_PARAMETER));
    EXPECT_EQ(RtShmSelectBackend(7), FALSE);
    EXPECT_EQ(RtShmGetBackend(), static_cast<DWORD>(GetParam())); // unchanged
    EXPECT_EQ(RtShmListObjects(nullptr, nullptr), FALSE);
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_INVALID_PARAMETER));
}

TEST_P(Conformance, S32_ExtensionCreateDescribesItsViewAndIsExclusiveOnRequest) {
    auto n = name("extview");
    RTSHM_SHM_VIEW a{};
    HANDLE h = RtShmCreateSharedMemoryN(n.data(), n.size(), 12345, 0, 0600, &a);
    ASSERT_NE(h, nullptr) << GetLastError();
    EXPECT_EQ(GetLastError(), 0u);
    EXPECT_NE(a.address, nullptr);
    EXPECT_EQ(a.size, 12345u);
    EXPECT_EQ(a.backend, static_cast<std::uint32_t>(GetParam()));
    EXPECT_EQ(a.flags & (RTSHM_VIEW_WRITABLE | RTSHM_VIEW_CREATED),
              RTSHM_VIEW_WRITABLE | RTSHM_VIEW_CREATED);
    std::memset(a.address, 0x5a, 12345); // the whole view is mapped, read-write

    RTSHM_SHM_VIEW e{};
    EXPECT_EQ(RtShmCreateSharedMemoryN(n.data(), n.size(), 12345, RTSHM_SHM_EXCLUSIVE, 0, &e),
              nullptr);
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_ALREADY_EXISTS));

    RTSHM_SHM_VIEW b{};
    HANDLE o = RtShmOpenSharedMemoryN(n.data(), n.size(), RTSHM_SHM_READ_ONLY, &b);
    ASSERT_NE(o, nullptr) << GetLastError();
    EXPECT_EQ(GetLastError(), 0u);
    EXPECT_EQ(b.id, a.id);
    EXPECT_EQ(b.flags & (RTSHM_VIEW_WRITABLE | RTSHM_VIEW_CREATED), 0u);
    EXPECT_EQ(static_cast<const unsigned char *>(b.address)[12344], 0x5a);
    EXPECT_TRUE(RtCloseHandle(o));
    EXPECT_TRUE(RtCloseHandle(h));
}

TEST_P(Conformance, S32_ExtensionListVisitsEachObjectUntilTheVisitorStops) {
    auto n = name("extlist");
    rtshm::SharedMemory keep[3];
    for (int i = 0; i < 3; ++i) {
        auto s = rtshm::SharedMemory::create({.name = n + std::to_string(i), .size = 4096});
        ASSERT_TRUE(s) << rtshm::to_string(s.error());
        keep[i] = std::move(*s);
    }
    struct Seen {
        std::vector<std::string> names;
        int calls = 0;
        int stop_after = 0; // 0: never stop
    } all, one;
    one.stop_after = 1;
    auto visit = [](const RTSHM_OBJECT_INFO *i, void *ctx) -> int {
        auto &s = *static_cast<Seen *>(ctx);
        ++s.calls;
        if (i->name != nullptr) {
            EXPECT_EQ(std::strlen(i->name), i->name_length); // NUL-terminated at its length
            s.names.emplace_back(i->name, i->name_length);
        }
        return s.stop_after == 0 || s.calls < s.stop_after;
    };
    ASSERT_TRUE(RtShmListObjects(visit, &all)) << GetLastError();
    EXPECT_EQ(GetLastError(), 0u);
    for (int i = 0; i < 3; ++i)
        EXPECT_NE(std::find(all.names.begin(), all.names.end(), n + std::to_string(i)),
                  all.names.end())
            << i;
    ASSERT_TRUE(RtShmListObjects(visit, &one));
    EXPECT_EQ(one.calls, 1); // FALSE from the visitor ends the listing
}

TEST_P(Conformance, S14_CxxSyncNamesWithNulAreRefusedNotCut) {
    auto n = name("syncnul");
    std::string cut = n + std::string("\0tail", 5);
    EXPECT_EQ(errof(rtshm::Event::create({.name = cut})), rtshm::Error::invalid_parameter);
    EXPECT_EQ(errof(rtshm::Mutex::create(cut)), rtshm::Error::invalid_parameter);
    EXPECT_EQ(errof(rtshm::Semaphore::create(cut, 0, 1)), rtshm::Error::invalid_parameter);
    EXPECT_EQ(errof(rtshm::Event::open(cut)), rtshm::Error::invalid_parameter);
    EXPECT_FALSE(name_exists(n));
    HANDLE h = RtOpenEventA(0, FALSE, n.c_str());
    EXPECT_EQ(h, nullptr); // nothing was made under the cut name
}

} // namespace conf
