// SPDX-License-Identifier: MIT
// test_open.cpp: rules S16-S20 (opening, access, handles across fork/exec).
#include "harness.hpp"

#include <cerrno>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <set>
#include <sys/wait.h>
#include <sys/mman.h>
#include <unistd.h>

namespace conf {
TEST_P(Conformance, S16_OpenMissingIsFileNotFound) {
    auto n = name("s16");
    void *loc = &loc;
    SetLastError(0);
    EXPECT_EQ(RtOpenSharedMemoryA(SHM_MAP_ALL_ACCESS, FALSE, n.c_str(), &loc), nullptr);
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_FILE_NOT_FOUND));
    EXPECT_EQ(loc, &loc);
    std::wstring w(n.begin(), n.end());
    EXPECT_EQ(RtOpenSharedMemoryW(SHM_MAP_READ, FALSE, w.c_str(), &loc), nullptr);
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_FILE_NOT_FOUND));
}

TEST_P(Conformance, S17_OpenExistingMapsCurrentSizeCoherently) {
    auto n = name("s17");
    void *a = nullptr, *b = nullptr;
    HANDLE h1 = RtCreateSharedMemoryA(PAGE_READWRITE, 0, 3 * 4096 + 100, n.c_str(), &a);
    ASSERT_NE(h1, nullptr);
    std::memcpy(a, "seen", 5);
    SetLastError(99);
    HANDLE h2 = RtOpenSharedMemoryA(SHM_MAP_ALL_ACCESS, FALSE, n.c_str(), &b);
    ASSERT_NE(h2, nullptr) << GetLastError();
    EXPECT_EQ(GetLastError(), 0u);
    EXPECT_NE(h1, h2);
    EXPECT_STREQ(static_cast<char *>(b), "seen");
    static_cast<char *>(b)[3 * 4096 + 99] = 'e';
    EXPECT_EQ(static_cast<char *>(a)[3 * 4096 + 99], 'e');
    auto o = rtshm::SharedMemory::open({.name = n});
    ASSERT_TRUE(o.has_value());
    EXPECT_EQ(o->size(), 3u * 4096 + 100);
    EXPECT_FALSE(o->created());
    EXPECT_TRUE(o->writable());
    EXPECT_TRUE(RtCloseHandle(h2));
    EXPECT_TRUE(RtCloseHandle(h1));
}

TEST_P(Conformance, S18_EveryCallGivesDistinctHandleAndAddress) {
    auto n = name("s18");
    std::set<HANDLE> handles;
    std::set<void *> addrs;
    std::vector<HANDLE> order;
    for (int i = 0; i < 6; ++i) {
        void *p = nullptr;
        HANDLE h = (i % 2 == 0) ? RtCreateSharedMemoryA(PAGE_READWRITE, 0, 4096, n.c_str(), &p)
                                : RtOpenSharedMemoryA(SHM_MAP_ALL_ACCESS, FALSE, n.c_str(), &p);
        ASSERT_NE(h, nullptr) << i << " " << GetLastError();
        EXPECT_TRUE(handles.insert(h).second) << "handle reused at call " << i;
        EXPECT_TRUE(addrs.insert(p).second) << "address reused at call " << i;
        order.push_back(h);
    }
    // Closing one leaves the others working.
    EXPECT_TRUE(RtCloseHandle(order[0]));
    void *p = nullptr;
    HANDLE h = RtOpenSharedMemoryA(SHM_MAP_ALL_ACCESS, FALSE, n.c_str(), &p);
    ASSERT_NE(h, nullptr);
    EXPECT_TRUE(handles.insert(h).second) << "a closed handle's value came back";
    EXPECT_TRUE(RtCloseHandle(h));
    for (std::size_t i = 1; i < order.size(); ++i)
        EXPECT_TRUE(RtCloseHandle(order[i]));
}

// S19 (dwDesiredAccess): every value, both personalities, in test_flags.cpp.

TEST_P(Conformance, S20_HandlesDoNotLeakIntoExec) {
    auto n = name("s20exec");
    std::set<int> before = open_fds();
    void *a = nullptr, *b = nullptr;
    HANDLE h1 = RtCreateSharedMemoryA(PAGE_READWRITE, 0, 4096, n.c_str(), &a);
    ASSERT_NE(h1, nullptr);
    HANDLE h2 = RtOpenSharedMemoryA(SHM_MAP_ALL_ACCESS, TRUE, n.c_str(), &b); // inherit: ignored
    ASSERT_NE(h2, nullptr);
    std::vector<std::string> handle_fds; // descriptors the handles added
    for (int fd : open_fds())
        if (!before.contains(fd))
            handle_fds.push_back(std::to_string(fd));
    ASSERT_FALSE(handle_fds.empty());
    int in[2];
    ASSERT_EQ(::pipe2(in, O_CLOEXEC), 0);
    // The helper reports leaked descriptors, then waits on stdin while we
    // close our handles: the object must die, the helper holding nothing.
    std::fflush(nullptr);
    pid_t pid = ::fork();
    if (pid == 0) {
        ::close(in[1]);
        ::dup2(in[0], 0);
        std::string be = std::string(rtshm::backend_name(GetParam()));
        ::setenv("RTSHM_BACKEND", be.c_str(), 1);
        std::vector<char *> argv;
        char arg0[] = "rtshm_conformance", arg1[] = "--helper", arg2[] = "fds";
        argv = {arg0, arg1, arg2};
        for (auto &f : handle_fds)
            argv.push_back(f.data());
        argv.push_back(nullptr);
        ::execv("/proc/self/exe", argv.data());
        ::_exit(127);
    }
    ::close(in[0]);
    ::usleep(300 * 1000); // the helper checks its descriptors at start
    EXPECT_TRUE(RtCloseHandle(h2));
    EXPECT_TRUE(RtCloseHandle(h1));
    void *p = &p;
    EXPECT_EQ(RtOpenSharedMemoryA(SHM_MAP_ALL_ACCESS, FALSE, n.c_str(), &p), nullptr)
        << "the exec'd program keeps the object alive";
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_FILE_NOT_FOUND));
    ::close(in[1]); // EOF: the helper exits
    int st = 0;
    ::waitpid(pid, &st, 0);
    EXPECT_TRUE(exited_ok(st)) << "helper " << describe(st) << " (descriptors leaked through exec)";
}

TEST_P(Conformance, S20_ForkChildHoldsOwnReferences) {
    auto n = name("s20fork");
    void *a = nullptr;
    HANDLE h = RtCreateSharedMemoryA(PAGE_READWRITE, 0, 4096, n.c_str(), &a);
    ASSERT_NE(h, nullptr);
    auto *pa = static_cast<volatile unsigned char *>(a);
    pa[0] = 1;
    int to_child[2], to_parent[2];
    ASSERT_EQ(::pipe(to_child), 0);
    ASSERT_EQ(::pipe(to_parent), 0);
    std::fflush(nullptr);
    pid_t pid = ::fork();
    if (pid == 0) {
        char c;
        int rc = 0;
        if (::read(to_child[0], &c, 1) != 1) // the parent has closed its handle
            ::_exit(50);
        if (pa[0] != 1) // the inherited mapping still works
            rc |= 1;
        void *p = nullptr;
        HANDLE h2 = RtOpenSharedMemoryA(SHM_MAP_ALL_ACCESS, FALSE, n.c_str(), &p);
        if (h2 == nullptr) // the child's reference kept the object alive
            rc |= 2;
        else if (static_cast<unsigned char *>(p)[0] != 1)
            rc |= 4;
        else
            RtCloseHandle(h2);
        if (!RtCloseHandle(h)) // the child's copy of the handle is its own
            rc |= 8;
        if (RtCloseHandle(h))
            rc |= 16;
        ::_exit(rc);
    }
    EXPECT_TRUE(RtCloseHandle(h));
    ASSERT_EQ(::write(to_child[1], "x", 1), 1);
    int st = 0;
    ::waitpid(pid, &st, 0);
    EXPECT_TRUE(exited_ok(st)) << "child " << describe(st)
                               << " (1 mapping, 2 object gone, 4 data, 8/16 handle)";
    void *p = &p;
    EXPECT_EQ(RtOpenSharedMemoryA(SHM_MAP_ALL_ACCESS, FALSE, n.c_str(), &p), nullptr)
        << "object outlived the last handle of parent and child";
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_FILE_NOT_FOUND));
    for (int fd : {to_child[0], to_child[1], to_parent[0], to_parent[1]})
        ::close(fd);
}

} // namespace conf
