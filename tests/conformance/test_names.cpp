// SPDX-License-Identifier: MIT
// test_names.cpp: rules S12-S15 (names).
#include "harness.hpp"

#include <cstring>
#include <dirent.h>
#include <unistd.h>

namespace conf {

TEST_P(Conformance, S12_NamesAreCaseSensitive) {
    auto base = name("s12");
    std::string upper = base + "-Foo", lower = base + "-foo";
    void *a = nullptr, *b = nullptr;
    HANDLE h1 = RtCreateSharedMemoryA(PAGE_READWRITE, 0, 4096, upper.c_str(), &a);
    ASSERT_NE(h1, nullptr);
    EXPECT_EQ(GetLastError(), 0u);
    HANDLE h2 = RtCreateSharedMemoryA(PAGE_READWRITE, 0, 4096, lower.c_str(), &b);
    ASSERT_NE(h2, nullptr);
    EXPECT_EQ(GetLastError(), 0u);
    static_cast<char *>(a)[0] = 'U';
    EXPECT_EQ(static_cast<char *>(b)[0], 0);
    EXPECT_TRUE(RtCloseHandle(h1));
    void *c = &c;
    EXPECT_EQ(RtOpenSharedMemoryA(SHM_MAP_ALL_ACCESS, FALSE, upper.c_str(), &c), nullptr);
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_FILE_NOT_FOUND));
    EXPECT_TRUE(RtCloseHandle(h2));
}

TEST_P(Conformance, S13_NamesUpTo256CharactersAccepted) {
    auto base = name("s13");
    std::string a256 = base + std::string(256 - base.size(), 'x');
    std::string a257 = a256 + "y";
    void *p = nullptr;
    HANDLE h = RtCreateSharedMemoryA(PAGE_READWRITE, 0, 4096, a256.c_str(), &p);
    ASSERT_NE(h, nullptr) << GetLastError();
    HANDLE h2 = RtOpenSharedMemoryA(SHM_MAP_ALL_ACCESS, FALSE, a256.c_str(), &p);
    ASSERT_NE(h2, nullptr) << GetLastError();
    EXPECT_TRUE(RtCloseHandle(h2));
    EXPECT_TRUE(RtCloseHandle(h));
    void *q = &q;
    EXPECT_EQ(RtCreateSharedMemoryA(PAGE_READWRITE, 0, 4096, a257.c_str(), &q), nullptr);
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_INVALID_PARAMETER));
    EXPECT_EQ(RtOpenSharedMemoryA(SHM_MAP_ALL_ACCESS, FALSE, a257.c_str(), &q), nullptr);
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_INVALID_PARAMETER));
    EXPECT_EQ(q, &q);

    // W: 256 wchar_t of 4 UTF-8 bytes each (1024 bytes) is accepted.
    std::wstring wbase;
    for (char ch : base)
        wbase.push_back(static_cast<wchar_t>(ch));
    std::wstring w256 = wbase + std::wstring(256 - wbase.size(), L'\U0001F600');
    std::wstring w257 = w256 + L"z";
    h = RtCreateSharedMemoryW(PAGE_READWRITE, 0, 4096, w256.c_str(), &p);
    ASSERT_NE(h, nullptr) << GetLastError();
    EXPECT_EQ(GetLastError(), 0u);
    h2 = RtOpenSharedMemoryW(SHM_MAP_ALL_ACCESS, FALSE, w256.c_str(), &p);
    ASSERT_NE(h2, nullptr) << GetLastError();
    EXPECT_TRUE(RtCloseHandle(h2));
    EXPECT_TRUE(RtCloseHandle(h));
    EXPECT_EQ(RtCreateSharedMemoryW(PAGE_READWRITE, 0, 4096, w257.c_str(), &q), nullptr);
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_INVALID_PARAMETER));
    EXPECT_EQ(RtOpenSharedMemoryW(SHM_MAP_ALL_ACCESS, FALSE, w257.c_str(), &q), nullptr);
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_INVALID_PARAMETER));
}

TEST_P(Conformance, S14_AnyCharacterAllowedAndNameNeverAPath) {
    std::string pid = std::to_string(::getpid());
    std::string escape = "/tmp/rtshm-escape-" + pid;
    std::vector<std::string> names = {
        "../../../../../../tmp/rtshm-escape-" + pid,
        escape,
        "a/b/c-" + pid,
        "back\\slash\\" + pid,
        "  spaces and\ttabs " + pid,
        "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e-" + pid, // 日本語
        "..",
        ".",
        "/",
        ".lock",
        "\x01\x7f\xff-" + pid,
    };
    std::vector<HANDLE> hs;
    std::vector<void *> locs;
    for (const auto &n : names) {
        void *p = nullptr;
        HANDLE h = RtCreateSharedMemoryA(PAGE_READWRITE, 0, 4096, n.c_str(), &p);
        ASSERT_NE(h, nullptr) << "name '" << n << "' error " << GetLastError();
        EXPECT_EQ(GetLastError(), 0u) << "name '" << n << "' must be a new object";
        static_cast<unsigned char *>(p)[0] = static_cast<unsigned char>(hs.size() + 1);
        hs.push_back(h);
        locs.push_back(p);
    }
    EXPECT_NE(::access(escape.c_str(), F_OK), 0) << "a name created " << escape;
    for (std::size_t i = 0; i < names.size(); ++i) {
        void *p = nullptr;
        HANDLE h = RtOpenSharedMemoryA(SHM_MAP_ALL_ACCESS, FALSE, names[i].c_str(), &p);
        ASSERT_NE(h, nullptr) << names[i];
        EXPECT_EQ(static_cast<unsigned char *>(p)[0], i + 1) << names[i];
        EXPECT_TRUE(RtCloseHandle(h));
    }
    for (HANDLE h : hs)
        EXPECT_TRUE(RtCloseHandle(h));
}

TEST_P(Conformance, S15_WideAndNarrowNamesMatch) {
    std::string pid = std::to_string(::getpid());
    std::string utf8 = "s15-\xc3\xbc-\xe5\x90\x8d-\xf0\x9f\x98\x80-" + pid; // ü 名 😀
    std::wstring wide = L"s15-\u00fc-\u540d-\U0001F600-";
    for (char ch : pid)
        wide.push_back(static_cast<wchar_t>(ch));
    void *a = nullptr, *b = nullptr;
    HANDLE h1 = RtCreateSharedMemoryW(PAGE_READWRITE, 0, 4096, wide.c_str(), &a);
    ASSERT_NE(h1, nullptr) << GetLastError();
    EXPECT_EQ(GetLastError(), 0u);
    static_cast<char *>(a)[10] = 'w';
    HANDLE h2 = RtCreateSharedMemoryA(PAGE_READWRITE, 0, 4096, utf8.c_str(), &b);
    ASSERT_NE(h2, nullptr) << GetLastError();
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_ALREADY_EXISTS));
    EXPECT_EQ(static_cast<char *>(b)[10], 'w');
    void *c = nullptr;
    HANDLE h3 = RtOpenSharedMemoryW(SHM_MAP_ALL_ACCESS, FALSE, wide.c_str(), &c);
    ASSERT_NE(h3, nullptr);
    EXPECT_EQ(static_cast<char *>(c)[10], 'w');
    auto o = rtshm::SharedMemory::open({.name = utf8});
    ASSERT_TRUE(o.has_value());
    EXPECT_EQ(static_cast<char *>(o->data())[10], 'w');
    EXPECT_TRUE(RtCloseHandle(h3));
    EXPECT_TRUE(RtCloseHandle(h2));
    EXPECT_TRUE(RtCloseHandle(h1));
}

} // namespace conf
