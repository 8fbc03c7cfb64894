// SPDX-License-Identifier: MIT
// test_memory.cpp: rules S25-S27 (pinned, zero-filled, charged memory).
#include "harness.hpp"

#include <uapi/rtshm.h>

#include <cstring>
#include <fstream>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

namespace conf {
namespace {

// Page faults taken while writing then reading every page of p. Nothing
// instrumented runs between the two readings: a sanitizer's own memory (its
// event trace, shadow pages it dropped at a reset) faults on first touch and
// would be counted. Hence the raw system call rather than the intercepted
// getrusage(), and no call to an instrumented helper inside the window.
__attribute__((no_sanitize("address", "thread"))) long faults_touching(void *p, std::size_t n) {
    auto *b = static_cast<volatile unsigned char *>(p);
    rusage before{};
    rusage after{};
    ::syscall(SYS_getrusage, RUSAGE_THREAD, &before);
    for (std::size_t i = 0; i < n; i += 4096)
        b[i] = static_cast<unsigned char>(i >> 12);
    unsigned sum = 0;
    for (std::size_t i = 0; i < n; i += 4096)
        sum += b[i];
    ::syscall(SYS_getrusage, RUSAGE_THREAD, &after);
    (void)sum;
    return (after.ru_minflt + after.ru_majflt) - (before.ru_minflt + before.ru_majflt);
}

} // namespace

TEST_P(Conformance, S25_TouchingMappingCausesNoPageFault) {
    constexpr std::size_t size = 4u << 20;
    auto n = name("s25");
    auto c = rtshm::SharedMemory::create({.name = n, .size = size});
    ASSERT_TRUE(c.has_value()) << rtshm::to_string(c.error());
    auto o = rtshm::SharedMemory::open({.name = n});
    ASSERT_TRUE(o.has_value());
    if (posix() && !(c->locked() && o->locked()))
        GTEST_SKIP() << "RLIMIT_MEMLOCK refused mlock here; S25_PosixDiagnosesWhenMlockRefused "
                        "covers that case";
    EXPECT_TRUE(c->locked());
    EXPECT_EQ(faults_touching(c->data(), size), 0) << "creator's view faulted";
    EXPECT_EQ(faults_touching(o->data(), size), 0) << "opener's view faulted";
    // Through the C API as well.
    void *p = nullptr;
    HANDLE h = RtOpenSharedMemoryA(SHM_MAP_ALL_ACCESS, FALSE, n.c_str(), &p);
    ASSERT_NE(h, nullptr);
    EXPECT_EQ(faults_touching(p, size), 0) << "C API view faulted";
    EXPECT_TRUE(RtCloseHandle(h));
}

TEST_P(Conformance, S25_PosixDiagnosesWhenMlockRefused) {
    if (!posix())
        GTEST_SKIP() << "POSIX backend only: the kernel backend always pins (S27 instead)";
    for (bool quiet : {false, true}) {
        auto n = name("s25diag");
        int err[2];
        ASSERT_EQ(::pipe(err), 0);
        int st = in_child([&] {
            ::dup2(err[1], 2);
            ::close(err[0]);
            if (quiet)
                ::setenv("RTSHM_QUIET", "1", 1);
            else
                ::unsetenv("RTSHM_QUIET");
            if (::geteuid() == 0 && !drop_to_nobody()) // root has CAP_IPC_LOCK
                return 40;
            struct rlimit rl {
                0, 0
            };
            if (::setrlimit(RLIMIT_MEMLOCK, &rl) != 0)
                return 41;
            auto c = rtshm::SharedMemory::create({.name = n, .size = 1 << 20, .mode = 0666});
            if (!c)
                return 42;
            if (c->locked())
                return 43;
            std::memset(c->data(), 1, 1 << 20); // the memory works regardless
            return 0;
        });
        ::close(err[1]);
        std::string text;
        char buf[1024];
        ssize_t k;
        while ((k = ::read(err[0], buf, sizeof buf)) > 0)
            text.append(buf, static_cast<std::size_t>(k));
        ::close(err[0]);
        EXPECT_TRUE(exited_ok(st)) << describe(st);
        if (quiet) {
            EXPECT_EQ(text.find("rtshm:"), std::string::npos) << text;
        } else {
            EXPECT_NE(text.find("RLIMIT_MEMLOCK"), std::string::npos)
                << "no diagnostic on stderr: '" << text << "'";
        }
    }
}

TEST_P(Conformance, S26_NewObjectsAreZeroFilled) {
    constexpr std::size_t size = 256 * 1024;
    auto n = name("s26");
    for (int round = 0; round < 3; ++round) {
        auto c = rtshm::SharedMemory::create({.name = n, .size = size});
        ASSERT_TRUE(c.has_value());
        EXPECT_TRUE(c->created());
        auto v = c->view();
        std::size_t nonzero = 0;
        for (std::byte b : v)
            nonzero += b != std::byte{0};
        EXPECT_EQ(nonzero, 0u) << "round " << round;
        std::memset(v.data(), 0xa5, v.size());
    }
    for (int round = 0; round < 3; ++round) { // unnamed
        auto c = rtshm::SharedMemory::create({.size = size});
        ASSERT_TRUE(c.has_value());
        std::size_t nonzero = 0;
        for (std::byte b : c->view())
            nonzero += b != std::byte{0};
        EXPECT_EQ(nonzero, 0u) << "unnamed round " << round;
        std::memset(c->data(), 0x5a, size);
    }
}

TEST_P(Conformance, S27_KernelRlimitMemlockGivesNotEnoughMemory) {
    if (!kernel())
        GTEST_SKIP() << "kernel backend only (the POSIX backend follows S25)";
    auto n = name("s27");
    int st = in_child([&] {
        struct rlimit rl {
            64 * 1024, 64 * 1024
        };
        if (::setrlimit(RLIMIT_MEMLOCK, &rl) != 0)
            return 40;
        if (::geteuid() == 0 && !drop_to_nobody()) // root has CAP_IPC_LOCK
            return 41;
        std::size_t fds = open_fd_count();
        void *p = &p;
        if (RtCreateSharedMemoryA(PAGE_READWRITE, 0, 1 << 20, n.c_str(), &p) != nullptr)
            return 1;
        if (GetLastError() != ERROR_NOT_ENOUGH_MEMORY)
            return 2;
        if (p != &p || open_fd_count() != fds) // S10
            return 3;
        if (RtOpenSharedMemoryA(SHM_MAP_ALL_ACCESS, FALSE, n.c_str(), &p) != nullptr ||
            GetLastError() != ERROR_FILE_NOT_FOUND)
            return 4;
        HANDLE h = RtCreateSharedMemoryA(PAGE_READWRITE, 0, 16 * 1024, n.c_str(), &p);
        if (h == nullptr) // within the limit
            return 5;
        RtCloseHandle(h);
        return 0;
    });
    EXPECT_TRUE(exited_ok(st)) << describe(st)
                               << " (1 created over limit, 2 wrong error, 3 S10, 4 object left, "
                                  "5 small create refused)";
}

TEST_P(Conformance, S27_KernelSystemCapGivesNotEnoughMemory) {
    if (!kernel())
        GTEST_SKIP() << "kernel backend only";
    const char *param = "/sys/module/rtshm/parameters/max_pinned_mb";
    std::string old;
    {
        std::ifstream in(param);
        if (!(in >> old) || ::access(param, W_OK) != 0)
            GTEST_SKIP() << param << " cannot be read and written here";
    }
    auto set = [&](const std::string &v) {
        std::ofstream out(param);
        out << v << "\n";
        return static_cast<bool>(out.flush());
    };
    // Root has CAP_IPC_LOCK, so only the system-wide cap can refuse here.
    ASSERT_TRUE(set("1"));
    auto n = name("s27cap");
    std::size_t fds = open_fd_count();
    void *p = &p;
    HANDLE h = RtCreateSharedMemoryA(PAGE_READWRITE, 0, 4u << 20, n.c_str(), &p);
    DWORD e = GetLastError();
    std::size_t fds_after = open_fd_count();
    HANDLE small = RtCreateSharedMemoryA(PAGE_READWRITE, 0, 64 * 1024, n.c_str(), &p);
    DWORD e_small = GetLastError();
    if (small != nullptr)
        RtCloseHandle(small);
    if (h != nullptr)
        RtCloseHandle(h);
    ASSERT_TRUE(set(old));
    EXPECT_EQ(h, nullptr) << "4 MiB created with max_pinned_mb=1";
    EXPECT_EQ(e, static_cast<DWORD>(ERROR_NOT_ENOUGH_MEMORY));
    EXPECT_EQ(fds_after, fds); // S10
    EXPECT_NE(small, nullptr) << "64 KiB refused under a 1 MiB cap, error " << e_small;
}

} // namespace conf

namespace conf {

// A real-time process that called mlockall(MCL_FUTURE) with a small
// RLIMIT_MEMLOCK opens an object bigger than the limit: it gets its view
// with no fault, or NULL with ERROR_NOT_ENOUGH_MEMORY and one stderr line
// naming the limit to raise (S25). The kernel refuses such an mmap before
// any driver runs, so the second is what both backends give today.
TEST_P(Conformance, S25_MlockallFutureGetsViewOrNamesTheLimit) {
    constexpr std::size_t size = 4u << 20;
    auto n = name("s25mlockall");
    auto c = rtshm::SharedMemory::create({.name = n, .size = size, .mode = 0666});
    ASSERT_TRUE(c.has_value()) << rtshm::to_string(c.error());
    char path[] = "/tmp/rtshm-conf-stderr-XXXXXX";
    int errfd = ::mkstemp(path);
    ASSERT_GE(errfd, 0);
    ::unlink(path);
    int st = in_child([&] {
        ::dup2(errfd, 2);
        if (::geteuid() == 0 && !drop_to_nobody())
            return 10;
        rlimit rl{1 << 20, 1 << 20};
        if (::setrlimit(RLIMIT_MEMLOCK, &rl) != 0 || ::mlockall(MCL_FUTURE) != 0)
            return 11;
        void *p = nullptr;
        HANDLE h = RtOpenSharedMemoryA(SHM_MAP_ALL_ACCESS, FALSE, n.c_str(), &p);
        if (h == nullptr)
            return GetLastError() == ERROR_NOT_ENOUGH_MEMORY ? 20 : 12;
        return faults_touching(p, size) == 0 ? 0 : 13;
    });
    char buf[1024] = {};
    ssize_t got = ::pread(errfd, buf, sizeof buf - 1, 0);
    ::close(errfd);
    std::string err(buf, got > 0 ? static_cast<std::size_t>(got) : 0);
    ASSERT_TRUE(WIFEXITED(st)) << describe(st);
    int rc = WEXITSTATUS(st);
    ASSERT_TRUE(rc == 0 || rc == 20) << "exit " << rc << " (12: wrong error, 13: faults); " << err;
    if (rc == 20) {
        EXPECT_NE(err.find("RLIMIT_MEMLOCK"), std::string::npos) << err;
        EXPECT_NE(err.find("mlockall"), std::string::npos) << err;
    }
}

} // namespace conf

namespace conf {

// A view bigger than one mapping piece (librtshm maps the kernel backend's
// big views in pieces): one coherent view, no fault on a full touch, in a
// fork child either, and RtCloseHandle unmaps all of it.
TEST_P(Conformance, S25_BigViewIsOneFaultFreeView) {
    constexpr std::size_t size = 24u << 20;
    auto n = name("s25big");
    std::size_t maps_before = inode_mapping_count();
    void *p = nullptr;
    HANDLE h = RtCreateSharedMemoryA(PAGE_READWRITE, 0, size, n.c_str(), &p);
    ASSERT_NE(h, nullptr) << GetLastError();
    if (posix() && faults_touching(p, size) != 0)
        GTEST_SKIP() << "RLIMIT_MEMLOCK refused mlock here (S25_PosixDiagnosesWhenMlockRefused)";
    EXPECT_EQ(faults_touching(p, size), 0);
    void *q = nullptr;
    HANDLE o = RtOpenSharedMemoryA(SHM_MAP_ALL_ACCESS, FALSE, n.c_str(), &q);
    ASSERT_NE(o, nullptr);
    auto *a = static_cast<unsigned char *>(p);
    auto *b = static_cast<unsigned char *>(q);
    for (std::size_t i = 0; i < size; i += 4096)
        a[i] = static_cast<unsigned char>(i / 4096 * 7);
    bool same = true;
    for (std::size_t i = 0; i < size; i += 4096)
        same &= b[i] == static_cast<unsigned char>(i / 4096 * 7);
    EXPECT_TRUE(same) << "the two views differ";
#if !defined(__SANITIZE_THREAD__)
    // Not under TSan: its shadow of the view is private memory, copy-on-write
    // in a fork child, and the child's faults on it count as the view's (one
    // full-suite run saw them).
    int st = in_child([&] { return faults_touching(q, size) == 0 ? 0 : 1; });
    EXPECT_TRUE(exited_ok(st)) << "the fork child faulted: " << describe(st);
#endif
    EXPECT_TRUE(RtCloseHandle(o));
    EXPECT_TRUE(RtCloseHandle(h));
    EXPECT_EQ(inode_mapping_count(), maps_before) << "a piece of a view stayed mapped";
}

} // namespace conf

namespace conf {

// Every piece of a big view is a VMA counted against vm.max_map_count; a
// process near the limit (a controller with many small mappings) must still
// get its view (S25), so the library sizes its pieces by the limit and maps
// the rest in one piece when the limit refuses one. The limit is system
// wide: the child lowers it to its own map count plus a little, creates a
// 64 MiB view (16 pieces of RTSHM_MAP_PIECE_BYTES), and the parent restores
// it whatever the child did.
TEST_P(Conformance, S25_BigViewFitsUnderTheMapCountLimit) {
    if (!kernel())
        GTEST_SKIP() << "kernel backend only: the POSIX backend maps a view in one piece";
    const char *param = "/proc/sys/vm/max_map_count";
    std::string old;
    {
        std::ifstream in(param);
        if (!(in >> old) || ::geteuid() != 0 || ::access(param, W_OK) != 0)
            GTEST_SKIP() << param << " cannot be lowered here (needs root)";
    }
    constexpr std::size_t size = 64u << 20;
    static_assert(size / RTSHM_MAP_PIECE_BYTES == 16);
    auto n = name("s25mapcount");
    int st = in_child([&] {
        std::size_t maps = 0;
        {
            std::ifstream m("/proc/self/maps");
            for (std::string line; std::getline(m, line);)
                ++maps;
        }
        {
            std::ofstream out(param);
            out << maps + 12 << "\n";
            if (!out.flush())
                return 10;
        }
        void *p = nullptr;
        HANDLE h = RtCreateSharedMemoryA(PAGE_READWRITE, 0, size, n.c_str(), &p);
        if (h == nullptr)
            return GetLastError() == ERROR_NOT_ENOUGH_MEMORY ? 11 : 12;
        int rc = faults_touching(p, size) == 0 ? 0 : 13;
        if (!RtCloseHandle(h))
            rc = 14;
        return rc;
    });
    {
        std::ofstream out(param);
        out << old << "\n";
    }
    EXPECT_TRUE(exited_ok(st)) << describe(st)
                               << " (11: refused under the limit, 12: wrong error, 13: faults, "
                                  "14: close failed)";
}

} // namespace conf
