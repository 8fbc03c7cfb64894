// SPDX-License-Identifier: MIT
// test_errors.cpp: rules S28-S32 (last error, namespace, races,
// personality, permissions) and the backend selection.
#include "harness.hpp"

#include "../../libuser/src/errno_map.hpp"

#include <atomic>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <thread>
#include <sys/wait.h>
#include <unistd.h>

namespace conf {

TEST_P(Conformance, S28_LastErrorIsPerThread) {
    auto n = name("s28");
    std::atomic<int> stage{0};
    DWORD seen_a = 0, seen_b = 0;
    std::thread a([&] {
        void *p = nullptr;
        RtOpenSharedMemoryA(SHM_MAP_ALL_ACCESS, FALSE, n.c_str(), &p); // not found
        stage = 1;
        while (stage.load() != 2)
            std::this_thread::yield();
        seen_a = GetLastError();
    });
    std::thread b([&] {
        while (stage.load() != 1)
            std::this_thread::yield();
        RtSetLastError(42);
        void *p = nullptr;
        RtCreateSharedMemoryA(PAGE_READWRITE, 0, 0, n.c_str(), &p); // invalid parameter
        seen_b = RtGetLastError();
        stage = 2;
    });
    a.join();
    b.join();
    EXPECT_EQ(seen_a, static_cast<DWORD>(ERROR_FILE_NOT_FOUND));
    EXPECT_EQ(seen_b, static_cast<DWORD>(ERROR_INVALID_PARAMETER));
    // A create of a new object sets 0.
    SetLastError(1234);
    void *p = nullptr;
    HANDLE h = RtCreateSharedMemoryA(PAGE_READWRITE, 0, 4096, n.c_str(), &p);
    ASSERT_NE(h, nullptr);
    EXPECT_EQ(GetLastError(), 0u);
    EXPECT_TRUE(RtCloseHandle(h));
}

TEST_P(Conformance, S29_ErrnoEexistMapsToInvalidHandle) {
    // The kernel reports "name held by another object type" as EEXIST (the
    // types themselves: S29_NameOfAnotherTypeIsInvalidHandleAndUnchanged).
    using rtshm::detail::error_from_errno;
    EXPECT_EQ(error_from_errno(EEXIST), rtshm::detail::Error::invalid_handle);
    EXPECT_EQ(error_from_errno(ENOENT), rtshm::detail::Error::file_not_found);
    EXPECT_EQ(error_from_errno(EACCES), rtshm::detail::Error::access_denied);
    EXPECT_EQ(error_from_errno(EPERM), rtshm::detail::Error::access_denied);
    EXPECT_EQ(error_from_errno(ENOMEM), rtshm::detail::Error::not_enough_memory);
    EXPECT_EQ(error_from_errno(EINVAL), rtshm::detail::Error::invalid_parameter);
    EXPECT_EQ(error_from_errno(ENAMETOOLONG), rtshm::detail::Error::invalid_parameter);
}

TEST_P(Conformance, S30_ConcurrentCreatesHaveExactlyOneCreator) {
    const int procs = 4, threads = 4, total = procs * threads;
    auto n = name("s30");
    int go[2];
    ASSERT_EQ(::pipe(go), 0);
    // Each caller: create, count itself in the shared memory, hold the handle
    // until every caller has, then close. Returns its number of "creators".
    auto run_threads = [&](int rfd) {
        std::atomic<int> creators{0}, errors{0};
        std::vector<std::thread> ts;
        for (int t = 0; t < threads; ++t)
            ts.emplace_back([&] {
                char c;
                (void)!::read(rfd, &c, 1); // EOF: start together
                void *p = nullptr;
                HANDLE h = RtCreateSharedMemoryA(PAGE_READWRITE, 0, 4096, n.c_str(), &p);
                if (h == nullptr) {
                    ++errors;
                    return;
                }
                DWORD e = GetLastError();
                if (e == 0)
                    ++creators;
                else if (e != ERROR_ALREADY_EXISTS)
                    ++errors;
                std::atomic_ref<int> count(*static_cast<int *>(p));
                count.fetch_add(1);
                for (int i = 0; i < 20000 && count.load() < total; ++i)
                    ::usleep(500);
                if (count.load() != total)
                    ++errors;
                RtCloseHandle(h);
            });
        for (auto &t : ts)
            t.join();
        return errors.load() ? 100 + errors.load() : creators.load();
    };
    std::vector<pid_t> pids;
    for (int i = 0; i < procs; ++i) {
        std::fflush(nullptr);
        pid_t pid = ::fork();
        if (pid == 0) {
            ::close(go[1]);
            ::_exit(run_threads(go[0]));
        }
        pids.push_back(pid);
    }
    ::close(go[0]);
    ::usleep(100 * 1000);
    ::close(go[1]); // EOF: every thread of every process starts
    int creators = 0;
    for (pid_t pid : pids) {
        int st = 0;
        ::waitpid(pid, &st, 0);
        ASSERT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) < 100) << describe(st);
        creators += WEXITSTATUS(st);
    }
    EXPECT_EQ(creators, 1);
    void *p = &p;
    EXPECT_EQ(RtOpenSharedMemoryA(SHM_MAP_ALL_ACCESS, FALSE, n.c_str(), &p), nullptr);
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_FILE_NOT_FOUND));
}

TEST_P(Conformance, S30_InterleavedCreateOpenCloseNeverBreak) {
    auto n = name("s30mix");
    std::atomic<int> bad{0};
    std::vector<std::thread> ts;
    for (int t = 0; t < 4; ++t)
        ts.emplace_back([&, t] {
            for (int i = 0; i < 300; ++i) {
                void *p = nullptr;
                HANDLE h = (t + i) % 2
                               ? RtCreateSharedMemoryA(PAGE_READWRITE, 0, 8192, n.c_str(), &p)
                               : RtOpenSharedMemoryA(SHM_MAP_ALL_ACCESS, FALSE, n.c_str(), &p);
                DWORD e = GetLastError();
                if (h == nullptr) {
                    if (e != ERROR_FILE_NOT_FOUND)
                        ++bad;
                    continue;
                }
                if (e != 0 && e != ERROR_ALREADY_EXISTS)
                    ++bad;
                std::atomic_ref<int>(*static_cast<int *>(p)).fetch_add(1);
                static_cast<volatile char *>(p)[8191] = 1;
                if (!RtCloseHandle(h))
                    ++bad;
            }
        });
    for (auto &t : ts)
        t.join();
    EXPECT_EQ(bad.load(), 0);
}

TEST_P(Conformance, S31_PersonalityIsPerProcess) {
    EXPECT_EQ(RtShmGetPersonality(), static_cast<DWORD>(RTSHM_PERSONALITY_RTSS));
    EXPECT_FALSE(RtShmSetPersonality(7));
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_INVALID_PARAMETER));
    std::string be = backend_env(GetParam());
    struct Case {
        std::vector<std::string> env;
        const char *extra;
        int expect;
        const char *what;
    } cases[] = {
        {{"RTSHM_PERSONALITY"}, nullptr, 10, "default is rtss"},
        {{"RTSHM_PERSONALITY=rtss"}, nullptr, 10, "env rtss"},
        {{"RTSHM_PERSONALITY=windows"}, nullptr, 11, "env windows"},
        {{"RTSHM_PERSONALITY=windows"}, "set-rtss", 10, "RtShmSetPersonality overrides env"},
    };
    for (const auto &c : cases) {
        std::vector<std::string> env = c.env;
        env.push_back(be);
        std::vector<std::string> args = {"--helper", "personality", name("s31")};
        if (c.extra)
            args.push_back(c.extra);
        Spawned s = spawn_self(args, env);
        EXPECT_TRUE(WIFEXITED(s.status) && WEXITSTATUS(s.status) == c.expect)
            << c.what << ": " << describe(s.status) << " " << s.err;
    }
    // A child changing its personality leaves the parent's alone.
    int st = in_child([] { return RtShmSetPersonality(RTSHM_PERSONALITY_WINDOWS) ? 0 : 1; });
    EXPECT_TRUE(exited_ok(st));
    EXPECT_EQ(RtShmGetPersonality(), static_cast<DWORD>(RTSHM_PERSONALITY_RTSS));
}

TEST_P(Conformance, S32_ModeControlsAccess) {
    if (::geteuid() != 0)
        GTEST_SKIP() << "needs root to fork a child as user 65534";
    struct Case {
        DWORD mode;
        int expect; // bits: 1 rtss open ok, 2 windows read open ok, 4 windows write ok,
                    // 8 rtss re-create ok
    } cases[] = {{0, 0}, {0660, 0}, {0600, 0}, {0666, 15}, {0664, 2}, {0644, 2}, {0606, 15}};
    for (const auto &c : cases) {
        auto n = name("s32");
        void *p = nullptr;
        HANDLE h = RtShmCreateSharedMemoryExA(PAGE_READWRITE, 0, 4096, n.c_str(), c.mode, &p);
        ASSERT_NE(h, nullptr) << GetLastError();
        int st = in_child([&] {
            if (!drop_to_nobody())
                return 64;
            int got = 0, wrong = 0;
            void *q = nullptr;
            auto check = [&](HANDLE r, int bit) {
                if (r != nullptr) {
                    got |= bit;
                    RtCloseHandle(r);
                } else if (GetLastError() != ERROR_ACCESS_DENIED) {
                    wrong = 1;
                }
            };
            check(RtOpenSharedMemoryA(SHM_MAP_READ, FALSE, n.c_str(), &q), 1);
            RtShmSetPersonality(RTSHM_PERSONALITY_WINDOWS);
            check(RtOpenSharedMemoryA(SHM_MAP_READ, FALSE, n.c_str(), &q), 2);
            check(RtOpenSharedMemoryA(SHM_MAP_WRITE, FALSE, n.c_str(), &q), 4);
            RtShmSetPersonality(RTSHM_PERSONALITY_RTSS);
            check(RtCreateSharedMemoryA(PAGE_READWRITE, 0, 4096, n.c_str(), &q), 8);
            return wrong ? 32 + got : got;
        });
        EXPECT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == c.expect)
            << "mode 0" << std::oct << c.mode << std::dec << ": " << describe(st) << ", expected "
            << c.expect;
        EXPECT_TRUE(RtCloseHandle(h));
    }
    // The C++ API chooses the mode too; the owner (root) is never refused.
    auto n = name("s32cpp");
    auto c = rtshm::SharedMemory::create({.name = n, .size = 4096, .mode = 0600});
    ASSERT_TRUE(c.has_value());
    int st = in_child([&] {
        if (!drop_to_nobody())
            return 64;
        auto o = rtshm::SharedMemory::open({.name = n, .access = rtshm::Protection::read_only});
        return !o && o.error() == rtshm::Error::access_denied ? 0 : 1;
    });
    EXPECT_TRUE(exited_ok(st)) << describe(st);
    auto o = rtshm::SharedMemory::open({.name = n});
    EXPECT_TRUE(o.has_value());
}

// Not a rule of its own: what RTSHM_BACKEND=kernel does without the module.
TEST(Backend, KernelRequiredButMissingFailsClearly) {
    if (::access("/dev/rtshm", F_OK) == 0)
        GTEST_SKIP() << "/dev/rtshm exists here";
    Spawned s = spawn_self({"--helper", "create", "rtshm-conf-missing"}, {"RTSHM_BACKEND=kernel"});
    EXPECT_TRUE(WIFEXITED(s.status) && WEXITSTATUS(s.status) == ERROR_INVALID_HANDLE)
        << describe(s.status);
    EXPECT_EQ(s.out, "none\n");
    EXPECT_NE(s.err.find("/dev/rtshm"), std::string::npos) << "no diagnostic: " << s.err;
}

TEST(Backend, UnknownBackendValueFailsClearly) {
    Spawned s = spawn_self({"--helper", "create", "rtshm-conf-bad"}, {"RTSHM_BACKEND=bogus"});
    EXPECT_TRUE(WIFEXITED(s.status) && WEXITSTATUS(s.status) == ERROR_INVALID_PARAMETER)
        << describe(s.status);
    EXPECT_NE(s.err.find("RTSHM_BACKEND=bogus"), std::string::npos) << s.err;
}

TEST(Backend, CxxErrorValuesMatchWin32Codes) {
    EXPECT_EQ(static_cast<DWORD>(rtshm::Error::file_not_found), DWORD{ERROR_FILE_NOT_FOUND});
    EXPECT_EQ(static_cast<DWORD>(rtshm::Error::access_denied), DWORD{ERROR_ACCESS_DENIED});
    EXPECT_EQ(static_cast<DWORD>(rtshm::Error::invalid_handle), DWORD{ERROR_INVALID_HANDLE});
    EXPECT_EQ(static_cast<DWORD>(rtshm::Error::not_enough_memory), DWORD{ERROR_NOT_ENOUGH_MEMORY});
    EXPECT_EQ(static_cast<DWORD>(rtshm::Error::invalid_parameter), DWORD{ERROR_INVALID_PARAMETER});
    EXPECT_EQ(static_cast<DWORD>(rtshm::Error::already_exists), DWORD{ERROR_ALREADY_EXISTS});
}

} // namespace conf
