// SPDX-License-Identifier: MIT
// test_sync_events.cpp: events (S43-S45) and semaphores (S50), between
// threads and processes.
#include "sync_helpers.hpp"

#include <csignal>
#include <thread>
#include <vector>

namespace conf {

TEST_P(Conformance, S43_ManualResetStaysSignaledAndReleasesEveryWaiter) {
    SYNC_REQUIRED();
    auto n = name("s43");
    HANDLE e = RtCreateEventA(nullptr, TRUE, FALSE, n.c_str());
    ASSERT_NE(e, nullptr);
    WaiterThreads waiters(e, 3, 5000);
    // And a waiter in another process, by name.
    int go[2];
    ASSERT_EQ(::pipe(go), 0);
    pid_t child = ::fork();
    if (child == 0) {
        HANDLE c = RtOpenEventA(0, FALSE, n.c_str());
        (void)!::write(go[1], "r", 1);
        _exit(c != nullptr && RtWaitForSingleObject(c, 5000) == WAIT_OBJECT_0 ? 0 : 1);
    }
    char ch;
    ASSERT_EQ(::read(go[0], &ch, 1), 1);
    ASSERT_TRUE(wait_for_waiters(e, 4));
    EXPECT_TRUE(RtSetEvent(e));
    waiters.join();
    int st = 0;
    ::waitpid(child, &st, 0);
    EXPECT_EQ(waiters.released(), 3);
    EXPECT_TRUE(exited_ok(st)) << "the other process's waiter: " << describe(st);
    for (int i = 0; i < 3; ++i)
        EXPECT_EQ(RtWaitForSingleObject(e, 0), WAIT_OBJECT_0) << "not signaled until reset";
    EXPECT_TRUE(RtResetEvent(e));
    EXPECT_EQ(RtWaitForSingleObject(e, 0), WAIT_TIMEOUT);
    ::close(go[0]);
    ::close(go[1]);
    RtCloseHandle(e);
}

TEST_P(Conformance, S44_AutoResetReleasesExactlyOneWaiter) {
    SYNC_REQUIRED();
    HANDLE e = RtCreateEventA(nullptr, FALSE, FALSE, nullptr);
    WaiterThreads waiters(e, 3, 5000);
    ASSERT_TRUE(wait_for_waiters(e, 3));
    for (int k = 1; k <= 3; ++k) {
        EXPECT_TRUE(RtSetEvent(e));
        EXPECT_TRUE(eventually([&] { return waiters.released() >= k; }));
        std::this_thread::sleep_for(std::chrono::milliseconds(30));
        EXPECT_EQ(waiters.released(), k) << "one set released more than one waiter";
    }
    waiters.join();
    EXPECT_EQ(RtWaitForSingleObject(e, 0), WAIT_TIMEOUT) << "stayed signaled after releasing";
    // No waiter: stays signaled until one wait; two sets release one wait.
    EXPECT_TRUE(RtSetEvent(e));
    EXPECT_TRUE(RtSetEvent(e));
    EXPECT_EQ(RtWaitForSingleObject(e, 0), WAIT_OBJECT_0);
    EXPECT_EQ(RtWaitForSingleObject(e, 0), WAIT_TIMEOUT);
    RtCloseHandle(e);
}

TEST_P(Conformance, S44_AutoResetBetweenProcessesConsumedOnce) {
    SYNC_REQUIRED();
    auto n = name("s44p");
    HANDLE e = RtCreateEventA(nullptr, FALSE, FALSE, n.c_str());
    std::vector<pid_t> kids;
    for (int i = 0; i < 3; ++i) {
        pid_t p = ::fork();
        if (p == 0) {
            HANDLE c = RtOpenEventW(0, FALSE, wide(n).c_str());
            _exit(c != nullptr && RtWaitForSingleObject(c, 1500) == WAIT_OBJECT_0 ? 0 : 1);
        }
        kids.push_back(p);
    }
    ASSERT_TRUE(wait_for_waiters(e, 3));
    EXPECT_TRUE(RtSetEvent(e));
    int ok = 0;
    for (pid_t p : kids) {
        int st = 0;
        ::waitpid(p, &st, 0);
        ok += exited_ok(st);
    }
    EXPECT_EQ(ok, 1) << "exactly one process's wait consumes one set";
    RtCloseHandle(e);
}

TEST_P(Conformance, S45_PulseReleasesOnlyCurrentWaitersAndResets) {
    SYNC_REQUIRED();
    for (BOOL manual : {TRUE, FALSE}) {
        HANDLE e = RtCreateEventA(nullptr, manual, FALSE, nullptr);
        WaiterThreads waiters(e, 3, 600);
        ASSERT_TRUE(wait_for_waiters(e, 3));
        EXPECT_TRUE(RtPulseEvent(e));
        EXPECT_EQ(RtWaitForSingleObject(e, 0), WAIT_TIMEOUT) << "a pulse left it signaled";
        waiters.join();
        EXPECT_EQ(waiters.released(), manual ? 3 : 1) << (manual ? "manual" : "auto");
        // No waiter: only resets.
        EXPECT_TRUE(RtSetEvent(e));
        EXPECT_TRUE(RtPulseEvent(e));
        EXPECT_EQ(RtWaitForSingleObject(e, 0), WAIT_TIMEOUT);
        EXPECT_TRUE(RtPulseEvent(e));
        EXPECT_EQ(RtWaitForSingleObject(e, 0), WAIT_TIMEOUT) << "a pulse with no waiter was kept";
        RtCloseHandle(e);
    }
}

TEST_P(Conformance, S45_ResetRightAfterPulseKeepsItsRelease) {
    SYNC_REQUIRED();
    for (BOOL manual : {TRUE, FALSE}) {
        auto n = name("s45r");
        HANDLE e = RtCreateEventA(nullptr, manual, FALSE, n.c_str());
        pid_t p = ::fork();
        if (p == 0) {
            HANDLE c = RtOpenEventA(0, FALSE, n.c_str());
            _exit(c != nullptr && RtWaitForSingleObject(c, 3000) == WAIT_OBJECT_0 ? 0 : 1);
        }
        ASSERT_TRUE(wait_for_waiters(e, 1));
        ::kill(p, SIGSTOP); // the waiter cannot run before the reset
        EXPECT_TRUE(RtPulseEvent(e));
        EXPECT_TRUE(RtResetEvent(e));
        ::kill(p, SIGCONT);
        int st = 0;
        ::waitpid(p, &st, 0);
        EXPECT_TRUE(exited_ok(st)) << (manual ? "manual" : "auto") << ": the pulse was lost";
        RtCloseHandle(e);
    }
}

TEST_P(Conformance, S45_PulseReleasesWaiterInAnotherProcess) {
    SYNC_REQUIRED();
    auto n = name("s45p");
    HANDLE e = RtCreateEventA(nullptr, TRUE, FALSE, n.c_str());
    pid_t p = ::fork();
    if (p == 0) {
        HANDLE c = RtOpenEventA(0, FALSE, n.c_str());
        HANDLE other = RtCreateEventA(nullptr, FALSE, FALSE, nullptr);
        HANDLE hs[] = {other, c};
        _exit(c != nullptr && RtWaitForMultipleObjects(2, hs, FALSE, 3000) == WAIT_OBJECT_0 + 1
                  ? 0
                  : 1);
    }
    ASSERT_TRUE(wait_for_waiters(e, 1));
    EXPECT_TRUE(RtPulseEvent(e));
    int st = 0;
    ::waitpid(p, &st, 0);
    EXPECT_TRUE(exited_ok(st)) << describe(st);
    RtCloseHandle(e);
}

TEST_P(Conformance, S50_SemaphoreCountsWaitsAndReleases) {
    SYNC_REQUIRED();
    auto n = name("s50");
    HANDLE s = RtCreateSemaphoreA(nullptr, 2, 4, n.c_str());
    ASSERT_NE(s, nullptr);
    EXPECT_EQ(RtWaitForSingleObject(s, 0), WAIT_OBJECT_0);
    EXPECT_EQ(RtWaitForSingleObject(s, 0), WAIT_OBJECT_0);
    EXPECT_EQ(RtWaitForSingleObject(s, 0), WAIT_TIMEOUT) << "a count of 0 must block";
    LONG prev = -1;
    EXPECT_TRUE(RtReleaseSemaphore(s, 3, &prev));
    EXPECT_EQ(prev, 0);
    EXPECT_FALSE(RtReleaseSemaphore(s, 2, &prev)); // 3 + 2 > 4
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_TOO_MANY_POSTS));
    EXPECT_TRUE(RtReleaseSemaphore(s, 1, nullptr));
    EXPECT_FALSE(RtReleaseSemaphore(s, 1, &prev));
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_TOO_MANY_POSTS));
    EXPECT_FALSE(RtReleaseSemaphore(s, 0, &prev));
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_INVALID_PARAMETER));
    for (int i = 0; i < 4; ++i)
        EXPECT_EQ(RtWaitForSingleObject(s, 0), WAIT_OBJECT_0);
    EXPECT_EQ(RtWaitForSingleObject(s, 0), WAIT_TIMEOUT);
    // A release of n releases up to n blocked waiters: threads and a process.
    WaiterThreads waiters(s, 3, 800);
    pid_t p = ::fork();
    if (p == 0) {
        HANDLE c = RtOpenSemaphoreA(0, FALSE, n.c_str());
        _exit(c != nullptr && RtWaitForSingleObject(c, 800) == WAIT_OBJECT_0 ? 0 : 1);
    }
    ASSERT_TRUE(wait_for_waiters(s, 4));
    EXPECT_TRUE(RtReleaseSemaphore(s, 2, &prev));
    EXPECT_EQ(prev, 0);
    waiters.join();
    int st = 0;
    ::waitpid(p, &st, 0);
    EXPECT_EQ(waiters.released() + (exited_ok(st) ? 1 : 0), 2) << "a release of 2 with 4 waiters";
    EXPECT_EQ(RtWaitForSingleObject(s, 0), WAIT_TIMEOUT);
    RtCloseHandle(s);
}

} // namespace conf
