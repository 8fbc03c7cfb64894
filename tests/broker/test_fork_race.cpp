// SPDX-License-Identifier: MIT
// S20: a fork copies the handles a process holds at that moment and nothing
// more; children that exit at once, while another thread creates and closes
// the name, leave no reference behind.
#include "support.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

namespace btest {
namespace {

using namespace std::chrono_literals;

TEST(Broker, S20_ForkRacingCreateCloseLeavesNoReference) {
    const std::string name = unique_name("forkrace");
    std::atomic<bool> stop{false};
    std::atomic<long> cycles{0}, failures{0};
    std::thread churn([&] {
        while (!stop.load()) {
            RTSHM_SHM_VIEW v{};
            HANDLE h = create_n(name, 65536, 0, 0600, &v);
            if (h == nullptr) {
                ++failures;
                continue;
            }
            RtCloseHandle(h);
            ++cycles;
        }
    });
    int forked = 0, bad = 0;
    for (int i = 0; i < 200; ++i) {
        pid_t pid = ::fork();
        if (pid == 0)
            ::_exit(0);
        if (pid < 0)
            continue;
        ++forked;
        int st = 0;
        if (::waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
            ++bad;
    }
    stop = true;
    churn.join();
    std::printf("[ figure ] 200 forks raced %ld create/close cycles\n", cycles.load());
    EXPECT_EQ(forked, 200);
    EXPECT_EQ(bad, 0);
    EXPECT_EQ(failures.load(), 0);
    EXPECT_GT(cycles.load(), 0);
    // The broker drops a dead child's connection as it sees it hang up; give
    // it a moment, then nobody holds the name.
    int rc = -1;
    for (int tries = 0; tries < 50 && rc != 11; ++tries) {
        pid_t pid = spawn([&] {
            RTSHM_SHM_VIEW v{};
            HANDLE h = open_n(name, RTSHM_SHM_READ_ONLY, &v);
            if (h != nullptr)
                return 0;
            return GetLastError() == ERROR_FILE_NOT_FOUND ? 11 : 12;
        });
        rc = wait_for(pid, 10s);
        if (rc != 11)
            std::this_thread::sleep_for(20ms);
    }
    EXPECT_EQ(rc, 11) << "a fork child left a reference to the object";
    EXPECT_EQ(count_listed(name), 0);
}

// S24 across fork: a child inherits none of its parent's connection. When
// the parent is SIGKILLed, its handles go with it although the child lives
// on (here the child closed its own copy; before, the descriptor the
// parent's watcher thread polls, inherited by the child, kept the parent's
// connection, and so the object, alive until the child ended).
TEST(Broker, S24_AForkChildKeepsNothingOfItsParentsConnection) {
    const std::string name = unique_name("forkkeep");
    Gate ready;
    int kid_pipe[2];
    ASSERT_EQ(::pipe(kid_pipe), 0);
    pid_t parent = spawn([&] {
        RTSHM_SHM_VIEW v{};
        HANDLE h = create_n(name, 1 << 20, 0, 0600, &v);
        if (h == nullptr)
            return 2;
        std::this_thread::sleep_for(100ms); // the watcher polls its descriptor now
        pid_t kid = ::fork();
        if (kid == 0) {
            // The child's copy of the handle is closed: only the parent holds it.
            if (!RtCloseHandle(h))
                ::_exit(3);
            for (;;)
                ::pause();
        }
        (void)!::write(kid_pipe[1], &kid, sizeof kid);
        std::this_thread::sleep_for(100ms); // the child's close has reached the broker
        ready.open_gate();
        for (;;)
            ::pause();
    });
    ASSERT_GT(parent, 0);
    pid_t kid = -1;
    ASSERT_EQ(::read(kid_pipe[0], &kid, sizeof kid), static_cast<ssize_t>(sizeof kid));
    ::close(kid_pipe[0]);
    ::close(kid_pipe[1]);
    ASSERT_TRUE(ready.read_bytes(1, 10s));
    ASSERT_EQ(count_listed(name), 1);
    ASSERT_EQ(::kill(parent, SIGKILL), 0);
    EXPECT_EQ(wait_for(parent, 10s), 128 + SIGKILL);
    int left = 1;
    for (auto t0 = std::chrono::steady_clock::now();
         left != 0 && std::chrono::steady_clock::now() - t0 < 1s; std::this_thread::sleep_for(10ms))
        left = count_listed(name);
    EXPECT_EQ(left, 0) << "the object outlived its last holder: the child kept its parent's "
                          "connection";
    ::kill(kid, SIGKILL);
    ::waitpid(kid, nullptr, 0);
}

} // namespace
} // namespace btest
