// SPDX-License-Identifier: MIT
// test_sync_mutex.cpp: mutexes (S46-S48): thread ownership, recursion,
// ERROR_NOT_OWNER, and abandonment by every way an owner can end, with a
// waiter already blocked and with a later one, single and multiple waits.
#include "sync_helpers.hpp"

#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstdint>
#include <fstream>
#include <pthread.h>
#include <string>
#include <sys/mman.h>
#include <thread>
#include <unistd.h>

namespace conf {

TEST_P(Conformance, S46_MutexIsOwnedByThreadRecursively) {
    SYNC_REQUIRED();
    auto n = name("s46");
    HANDLE m = RtCreateMutexA(nullptr, TRUE, n.c_str()); // made: the caller owns it
    ASSERT_NE(m, nullptr);
    auto other_try = [&] {
        DWORD r = 0;
        std::thread t([&] {
            r = RtWaitForSingleObject(m, 0);
            if (r == WAIT_OBJECT_0)
                RtReleaseMutex(m);
        });
        t.join();
        return r;
    };
    EXPECT_EQ(other_try(), WAIT_TIMEOUT) << "bInitialOwner did not give ownership";
    EXPECT_EQ(RtWaitForSingleObject(m, 0), WAIT_OBJECT_0) << "the owner blocks on itself";
    EXPECT_EQ(RtWaitForSingleObject(m, INFINITE), WAIT_OBJECT_0);
    HANDLE hs[] = {m};
    EXPECT_EQ(RtWaitForMultipleObjects(1, hs, FALSE, 100), WAIT_OBJECT_0);
    for (int i = 0; i < 3; ++i) {
        EXPECT_TRUE(RtReleaseMutex(m));
        EXPECT_EQ(other_try(), WAIT_TIMEOUT) << "freed after " << i + 1 << " of 4 releases";
    }
    EXPECT_TRUE(RtReleaseMutex(m));
    EXPECT_EQ(other_try(), WAIT_OBJECT_0);
    EXPECT_FALSE(RtReleaseMutex(m));
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_NOT_OWNER));
    // Another process cannot take it while this thread holds it.
    EXPECT_EQ(RtWaitForSingleObject(m, 0), WAIT_OBJECT_0);
    int st = in_child([&] {
        HANDLE c = RtOpenMutexW(0, FALSE, wide(n).c_str());
        if (c == nullptr)
            return 2;
        return RtWaitForSingleObject(c, 0) == WAIT_TIMEOUT &&
                       RtWaitForSingleObject(c, 50) == WAIT_TIMEOUT
                   ? 0
                   : 3;
    });
    EXPECT_TRUE(exited_ok(st)) << describe(st);
    EXPECT_TRUE(RtReleaseMutex(m));
    RtCloseHandle(m);
}

TEST_P(Conformance, S46_MutexWaitedInOtherProcessBlocksUntilRelease) {
    SYNC_REQUIRED();
    auto n = name("s46p");
    HANDLE m = RtCreateMutexA(nullptr, TRUE, n.c_str());
    pid_t p = ::fork();
    if (p == 0) {
        HANDLE c = RtOpenMutexA(0, FALSE, n.c_str());
        if (c == nullptr || RtWaitForSingleObject(c, 0) != WAIT_TIMEOUT)
            _exit(2);
        DWORD r = RtWaitForSingleObject(c, 5000);
        _exit(r == WAIT_OBJECT_0 && RtReleaseMutex(c) ? 0 : 3);
    }
    ASSERT_TRUE(wait_for_waiters(m, 1));
    EXPECT_TRUE(RtReleaseMutex(m));
    int st = 0;
    ::waitpid(p, &st, 0);
    EXPECT_TRUE(exited_ok(st)) << describe(st);
    EXPECT_EQ(RtWaitForSingleObject(m, 0), WAIT_OBJECT_0);
    EXPECT_TRUE(RtReleaseMutex(m));
    RtCloseHandle(m);
}

TEST_P(Conformance, S47_ReleaseByNonOwnerIsNotOwnerAndUnchanged) {
    SYNC_REQUIRED();
    auto n = name("s47");
    HANDLE m = RtCreateMutexA(nullptr, FALSE, n.c_str());
    EXPECT_FALSE(RtReleaseMutex(m)) << "a free mutex";
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_NOT_OWNER));
    ASSERT_EQ(RtWaitForSingleObject(m, 0), WAIT_OBJECT_0);
    BOOL ok = TRUE;
    DWORD err = 0, after = 0;
    std::thread t([&] {
        ok = RtReleaseMutex(m);
        err = GetLastError();
        after = RtWaitForSingleObject(m, 0);
    });
    t.join();
    EXPECT_FALSE(ok);
    EXPECT_EQ(err, static_cast<DWORD>(ERROR_NOT_OWNER));
    EXPECT_EQ(after, WAIT_TIMEOUT) << "a non-owner's release changed the mutex";
    int st = in_child([&] {
        HANDLE c = RtOpenMutexA(0, FALSE, n.c_str());
        if (RtReleaseMutex(c) || GetLastError() != ERROR_NOT_OWNER)
            return 1;
        return RtWaitForSingleObject(c, 0) == WAIT_TIMEOUT ? 0 : 2;
    });
    EXPECT_TRUE(exited_ok(st)) << describe(st);
    RTSHM_SYNC_STATE s{};
    ASSERT_TRUE(RtShmQuerySyncObject(m, &s));
    EXPECT_EQ(s.recursion, 1u);
    EXPECT_TRUE(RtReleaseMutex(m));
    RtCloseHandle(m);
}

namespace {

struct OwnerThread {
    HANDLE m;
    OwnerEnd end;
    std::atomic<int> stage{0}; // 1: owns it, 2: told to end
};

void *owner_main(void *arg) {
    auto *o = static_cast<OwnerThread *>(arg);
    if (RtWaitForSingleObject(o->m, 0) != WAIT_OBJECT_0)
        return nullptr;
    RtWaitForSingleObject(o->m, 0); // recursively twice: abandonment forgets the count
    o->stage = 1;
    while (o->stage.load() != 2)
        ::usleep(1000);
    if (o->end == OwnerEnd::pthread_exit)
        ::pthread_exit(nullptr);
    return nullptr; // ends while owning
}

// S48 for one way of ending, a blocked or a later waiter, single or multiple.
void abandonment(OwnerEnd end, bool blocked, bool multiple) {
    static std::atomic<int> k{0};
    std::string n = "rtshm-conf-s48-" + std::to_string(::getpid()) + "-" + std::to_string(k++);
    HANDLE m = RtCreateMutexA(nullptr, FALSE, n.c_str());
    HANDLE never = RtCreateEventA(nullptr, TRUE, FALSE, nullptr);
    ASSERT_NE(m, nullptr);
    auto wait = [&](DWORD ms) {
        HANDLE hs[] = {never, m};
        return multiple ? RtWaitForMultipleObjects(2, hs, FALSE, ms) : RtWaitForSingleObject(m, ms);
    };
    const DWORD abandoned = multiple ? WAIT_ABANDONED_0 + 1 : WAIT_ABANDONED_0;
    const DWORD object = multiple ? WAIT_OBJECT_0 + 1 : WAIT_OBJECT_0;

    OwnerThread ot{m, end};
    pthread_t tid{};
    pid_t child = -1;
    int ready[2], go[2];
    ASSERT_EQ(::pipe(ready), 0);
    ASSERT_EQ(::pipe(go), 0);
    bool thread_owner = end == OwnerEnd::thread_return || end == OwnerEnd::pthread_exit;
    if (thread_owner) {
        ASSERT_EQ(::pthread_create(&tid, nullptr, owner_main, &ot), 0);
        ASSERT_TRUE(eventually([&] { return ot.stage.load() == 1; }));
    } else {
        std::fflush(nullptr);
        child = ::fork();
        if (child == 0) {
            HANDLE c = RtOpenMutexA(0, FALSE, n.c_str());
            if (c == nullptr || RtWaitForSingleObject(c, 0) != WAIT_OBJECT_0)
                _exit(2);
            (void)!::write(ready[1], "r", 1);
            char ch;
            (void)!::read(go[0], &ch, 1); // SIGKILL comes while blocked here
            _exit(0);                     // exits owning it
        }
        char ch;
        ASSERT_EQ(::read(ready[0], &ch, 1), 1) << "the owner process failed";
    }
    auto finish_owner = [&] {
        if (thread_owner) {
            ot.stage = 2;
            ::pthread_join(tid, nullptr);
        } else if (end == OwnerEnd::sigkill) {
            ::kill(child, SIGKILL);
            ::waitpid(child, nullptr, 0);
        } else {
            (void)!::write(go[1], "g", 1);
            ::waitpid(child, nullptr, 0);
        }
    };

    DWORD r = 0;
    double latency_ms = 0;
    BOOL released = FALSE, released_twice = TRUE;
    std::atomic<std::int64_t> t_end{0}; // (TSan does not see futexes as synchronisation)
    if (blocked) {
        std::thread w([&] {
            r = wait(10000);
            latency_ms = ms_since(t_end.load());
            released = RtReleaseMutex(m);
            released_twice = RtReleaseMutex(m);
        });
        ASSERT_TRUE(wait_for_waiters(m, 1));
        t_end = now_ns();
        finish_owner();
        w.join();
        EXPECT_LT(latency_ms, 1000.0) << "the blocked waiter learnt of it late";
    } else {
        finish_owner();
        r = wait(1000);
        released = RtReleaseMutex(m);
        released_twice = RtReleaseMutex(m);
    }
    EXPECT_EQ(r, abandoned);
    EXPECT_TRUE(released) << "the new owner could not release it";
    EXPECT_FALSE(released_twice) << "abandoned ownership is held once";
    DWORD again = 0;
    std::thread t([&] {
        again = wait(1000);
        RtReleaseMutex(m);
    });
    t.join();
    EXPECT_EQ(again, object) << "later waits are normal again";
    for (int fd : {ready[0], ready[1], go[0], go[1]})
        ::close(fd);
    RtCloseHandle(never);
    RtCloseHandle(m);
}

} // namespace

#define S48_CASE(Name, End, Blocked, Multiple)                                                     \
    TEST_P(Conformance, S48_##Name) {                                                              \
        SYNC_REQUIRED();                                                                           \
        abandonment(End, Blocked, Multiple);                                                       \
    }

S48_CASE(AbandonedByThreadReturnWakesBlockedWaiter, OwnerEnd::thread_return, true, false)
S48_CASE(AbandonedByThreadReturnSeenByLaterWaiter, OwnerEnd::thread_return, false, false)
S48_CASE(AbandonedByPthreadExitWakesBlockedWaiter, OwnerEnd::pthread_exit, true, false)
S48_CASE(AbandonedByPthreadExitSeenByLaterWaiter, OwnerEnd::pthread_exit, false, false)
S48_CASE(AbandonedByProcessExitWakesBlockedWaiter, OwnerEnd::process_exit, true, false)
S48_CASE(AbandonedByProcessExitSeenByLaterWaiter, OwnerEnd::process_exit, false, false)
S48_CASE(AbandonedBySigkillWakesBlockedWaiter, OwnerEnd::sigkill, true, false)
S48_CASE(AbandonedBySigkillSeenByLaterWaiter, OwnerEnd::sigkill, false, false)
S48_CASE(AbandonedByThreadReturnWakesBlockedMultipleWait, OwnerEnd::thread_return, true, true)
S48_CASE(AbandonedByThreadReturnSeenByLaterMultipleWait, OwnerEnd::thread_return, false, true)
S48_CASE(AbandonedByPthreadExitWakesBlockedMultipleWait, OwnerEnd::pthread_exit, true, true)
S48_CASE(AbandonedByPthreadExitSeenByLaterMultipleWait, OwnerEnd::pthread_exit, false, true)
S48_CASE(AbandonedByProcessExitWakesBlockedMultipleWait, OwnerEnd::process_exit, true, true)
S48_CASE(AbandonedByProcessExitSeenByLaterMultipleWait, OwnerEnd::process_exit, false, true)
S48_CASE(AbandonedBySigkillWakesBlockedMultipleWait, OwnerEnd::sigkill, true, true)
S48_CASE(AbandonedBySigkillSeenByLaterMultipleWait, OwnerEnd::sigkill, false, true)

// The library keeps the calling thread's tid and pid for the fast paths: a
// fork child, whose thread has other ones, must not take a mutex as its
// parent's thread (which would find the mutex its own, not abandoned).
TEST_P(Conformance, S48_AbandonedByForkChildOfAThreadThatHeldMutexes) {
    SYNC_REQUIRED();
    auto n = name("s48f");
    HANDLE m = RtCreateMutexA(nullptr, FALSE, n.c_str());
    ASSERT_NE(m, nullptr);
    ASSERT_EQ(RtWaitForSingleObject(m, 0), WAIT_OBJECT_0); // this thread now known
    ASSERT_TRUE(RtReleaseMutex(m));
    std::fflush(nullptr);
    pid_t p = ::fork();
    if (p == 0)
        _exit(RtWaitForSingleObject(m, 0) == WAIT_OBJECT_0 ? 0 : 2); // exits owning it
    int st = 0;
    ::waitpid(p, &st, 0);
    ASSERT_TRUE(exited_ok(st)) << describe(st);
    EXPECT_EQ(RtWaitForSingleObject(m, 0), WAIT_ABANDONED_0);
    EXPECT_TRUE(RtReleaseMutex(m));
    EXPECT_FALSE(RtReleaseMutex(m)) << "abandoned ownership is held once";
    RtCloseHandle(m);
}

namespace {
// A process-shared robust mutex of glibc's, PI or not, in memory a fork
// child shares.
void init_glibc_robust(pthread_mutex_t *m, bool pi) {
    pthread_mutexattr_t a;
    pthread_mutexattr_init(&a);
    pthread_mutexattr_setpshared(&a, PTHREAD_PROCESS_SHARED);
    pthread_mutexattr_setrobust(&a, PTHREAD_MUTEX_ROBUST);
    if (pi)
        pthread_mutexattr_setprotocol(&a, PTHREAD_PRIO_INHERIT);
    pthread_mutex_init(m, &a);
    pthread_mutexattr_destroy(&a);
}
} // namespace

// The mutexes join the thread's own robust list, in glibc's format, beside
// glibc's robust mutexes (libuser/src/robust_list.hpp). An owner that takes
// both kinds interleaved, gives some back out of order (entries unlinked
// between the other kind's) and then ends leaves every one it still held
// abandoned: a link left wrong would cut the kernel's walk short. By
// process exit and by thread return.
TEST_P(Conformance, S48_AbandonedAlongsideGlibcRobustMutexesHeldInterleaved) {
    SYNC_REQUIRED();
    auto *g = static_cast<pthread_mutex_t *>(::mmap(nullptr, 4 * sizeof(pthread_mutex_t),
                                                    PROT_READ | PROT_WRITE,
                                                    MAP_SHARED | MAP_ANONYMOUS, -1, 0));
    ASSERT_NE(g, MAP_FAILED);
    for (bool by_thread : {false, true}) {
        SCOPED_TRACE(by_thread ? "thread return" : "process exit");
        init_glibc_robust(&g[0], true);
        init_glibc_robust(&g[1], false);
        init_glibc_robust(&g[2], true);
        auto n = name("s48mixed");
        HANDLE m[3];
        for (int i = 0; i < 3; ++i) {
            m[i] = RtCreateMutexA(nullptr, FALSE, (n + std::to_string(i)).c_str());
            ASSERT_NE(m[i], nullptr);
        }
        // The list is newest first: m2, g2, m1, g1, m0, g0 (each rtshm mutex
        // two entries). Taking m1 and then g2 out of its middle, and m2 off
        // its head, leaves g1, m0 and g0 reachable only through the links
        // those removals rewrote; m1 goes back on at the head.
        auto owner = [&] {
            bool ok = pthread_mutex_lock(&g[0]) == 0;
            ok &= RtWaitForSingleObject(m[0], 0) == WAIT_OBJECT_0;
            ok &= pthread_mutex_lock(&g[1]) == 0;
            ok &= RtWaitForSingleObject(m[1], 0) == WAIT_OBJECT_0;
            ok &= pthread_mutex_lock(&g[2]) == 0;
            ok &= RtWaitForSingleObject(m[2], 0) == WAIT_OBJECT_0;
            ok &= RtReleaseMutex(m[1]) != FALSE;
            ok &= pthread_mutex_unlock(&g[2]) == 0;
            ok &= RtReleaseMutex(m[2]) != FALSE;
            ok &= RtWaitForSingleObject(m[1], 0) == WAIT_OBJECT_0;
            return ok ? 0 : 2; // ends holding g0, g1, m0, m1
        };
        if (by_thread) {
            int rc = -1;
            std::thread([&] { rc = owner(); }).join();
            ASSERT_EQ(rc, 0) << "a lock or release failed while the owner lived";
        } else {
            int st = in_child(owner);
            ASSERT_TRUE(exited_ok(st)) << describe(st);
        }
        // glibc's, in a child: one its owner's death left unmarked aborts
        // the locker (glibc asserts on the kernel's ESRCH).
        int st = in_child([&] {
            int bad = 0;
            for (int i = 0; i < 3; ++i)
                if (pthread_mutex_lock(&g[i]) != (i < 2 ? EOWNERDEAD : 0))
                    bad |= 1 << i;
            return bad;
        });
        EXPECT_TRUE(exited_ok(st))
            << "glibc mutexes not abandoned (bit i: mutex i): " << describe(st);
        for (int i = 0; i < 3; ++i) {
            const bool held = i < 2;
            EXPECT_EQ(RtWaitForSingleObject(m[i], 1000), held ? WAIT_ABANDONED_0 : WAIT_OBJECT_0)
                << "rtshm mutex " << i;
            RtReleaseMutex(m[i]);
            RtCloseHandle(m[i]);
        }
    }
    ::munmap(g, 4 * sizeof(pthread_mutex_t));
}

TEST_P(Conformance, S48_AbandonedMutexClosedByOwnerThreadStillAbandons) {
    SYNC_REQUIRED();
    // The owner closes its last handle while owning, then ends: the memory
    // its robust list points into must stay mapped (the kernel walks it).
    auto n = name("s48c");
    HANDLE keep = RtCreateMutexA(nullptr, FALSE, n.c_str());
    std::thread t([&] {
        HANDLE mine = RtOpenMutexA(0, FALSE, n.c_str());
        RtWaitForSingleObject(mine, 0);
        RtCloseHandle(mine);
    });
    t.join();
    EXPECT_EQ(RtWaitForSingleObject(keep, 1000), WAIT_ABANDONED_0);
    EXPECT_TRUE(RtReleaseMutex(keep));
    RtCloseHandle(keep);
}

TEST_P(Conformance, S48_ReleaseThroughAnotherHandleWhileOthersCloseKeepsRobustListMapped) {
    SYNC_REQUIRED();
    // A mutex taken through one handle, whose handle is then closed, and
    // released through a second handle, while another thread keeps closing
    // objects: the memory the owner's robust list points into must stay
    // mapped until the release has taken it off that list (an unmap in
    // between made glibc's unlock write into unmapped memory, SIGSEGV, or
    // left a dead owner for the kernel's exit walk to miss, and the next
    // locker's glibc aborted on ESRCH).
    auto n = name("s48r");
    int st = in_child([&] {
        HANDLE held = RtCreateMutexA(nullptr, TRUE, (n + "-held").c_str()); // a neighbour
        HANDLE keep = RtCreateMutexA(nullptr, FALSE, n.c_str());
        if (!held || !keep)
            return 2;
        std::atomic<bool> stop{false};
        std::thread closer([&] {
            std::string en = n + "-churn";
            while (!stop.load()) {
                HANDLE e = RtCreateEventA(nullptr, FALSE, FALSE, en.c_str());
                RtCloseHandle(e);
            }
        });
        int bad = 0;
        // A thread per round: TSan takes the two addresses of the mutex for
        // two mutexes and counts every round's as still held by the thread.
        for (int i = 0; i < 200 && bad == 0; ++i) {
            std::thread([&] {
                HANDLE h1 = RtOpenMutexA(0, FALSE, n.c_str());
                HANDLE h2 = RtOpenMutexA(0, FALSE, n.c_str());
                if (!h1 || !h2 || RtWaitForSingleObject(h1, 0) != WAIT_OBJECT_0)
                    bad = 3;
                RtCloseHandle(h1); // owned: its memory stays mapped
                if (!RtReleaseMutex(h2))
                    bad = 4;
                RtCloseHandle(h2);
            }).join();
        }
        stop = true;
        closer.join();
        // The neighbour is still held once and then released normally.
        if (!RtReleaseMutex(held) || RtReleaseMutex(held))
            bad = 5;
        RtCloseHandle(held);
        RtCloseHandle(keep);
        return bad;
    });
    EXPECT_TRUE(exited_ok(st)) << describe(st);
}

namespace {
// Where this process maps the object whose name contains tag, from
// /proc/self/maps (both backends name their mappings after the object).
std::uintptr_t mapping_named(const std::string &tag) {
    std::ifstream maps("/proc/self/maps");
    std::string line;
    while (std::getline(maps, line))
        if (line.find(tag) != std::string::npos)
            return std::stoull(line.substr(0, line.find('-')), nullptr, 16);
    return 0;
}
} // namespace

// A buggy process writes an owner TID that no thread has into a mutex's
// page: a wait fails or times out, it neither blocks forever nor aborts the
// process (glibc's robust mutex asserted on the kernel's ESRCH). White-box:
// the lock word is at offset 64 of the page (SyncPage::mutex.lock in
// libuser/src/sync_object.hpp).
TEST_P(Conformance, S58_BogusOwnerInAMutexPageFailsWaitsInsteadOfHanging) {
    SYNC_REQUIRED();
    auto n = name("s58bogus");
    HANDLE m = RtCreateMutexA(nullptr, FALSE, n.c_str());
    ASSERT_NE(m, nullptr);
    std::uintptr_t page = mapping_named(n);
    if (page == 0) {
        RtCloseHandle(m);
        GTEST_SKIP() << "no mapping in /proc/self/maps names the object";
    }
    auto *lock = reinterpret_cast<std::atomic<std::uint32_t> *>(page + 64);
    ASSERT_EQ(lock->load(), 0u) << "not the lock word: has SyncPage changed?";
    lock->store(0x3ffffff0); // above any pid_max (2^22): no such thread
    int st = in_child([&] {
        ::alarm(20); // a hang fails the test instead of the run
        std::int64_t t0 = now_ns();
        DWORD a = RtWaitForSingleObject(m, 100);
        DWORD b = RtWaitForSingleObject(m, INFINITE);
        HANDLE hs[] = {m};
        DWORD c = RtWaitForMultipleObjects(1, hs, FALSE, 50);
        if (a != WAIT_FAILED && a != WAIT_TIMEOUT)
            return 2;
        if (b != WAIT_FAILED || GetLastError() != ERROR_INVALID_HANDLE)
            return 3; // INFINITE can only end by failing
        if (c != WAIT_TIMEOUT && c != WAIT_FAILED)
            return 4;
        return ms_since(t0) < 10000 ? 0 : 5;
    });
    EXPECT_TRUE(exited_ok(st)) << describe(st)
                               << " (2-4: a wait's result; SIGALRM: it hung; SIGABRT: it aborted)";
    EXPECT_FALSE(RtReleaseMutex(m)) << "nobody here owns it";
    lock->store(0);
    EXPECT_EQ(RtWaitForSingleObject(m, 0), WAIT_OBJECT_0) << "usable again once the word is sane";
    EXPECT_TRUE(RtReleaseMutex(m));
    RtCloseHandle(m);
}

// A page laid out by an older library is refused at open, at once, rather
// than misread: "RTSY" (glibc's mutexes) and "RTS2" (the mutex's words on
// three cache lines). White-box: the ready word is at offset 0 of the page
// (SyncPage::ready).
TEST_P(Conformance, S58_PageOfAnOlderLayoutIsRefusedAtOpen) {
    SYNC_REQUIRED();
    auto n = name("s58layout");
    HANDLE m = RtCreateMutexA(nullptr, FALSE, n.c_str());
    ASSERT_NE(m, nullptr);
    std::uintptr_t page = mapping_named(n);
    if (page == 0) {
        RtCloseHandle(m);
        GTEST_SKIP() << "no mapping in /proc/self/maps names the object";
    }
    auto *ready = reinterpret_cast<std::atomic<std::uint32_t> *>(page);
    for (std::uint32_t older : {0x52545359u, 0x52545332u}) {
        SCOPED_TRACE(older);
        std::uint32_t mine = ready->exchange(older);
        ASSERT_NE(mine, older) << "this library's own layout";
        std::int64_t t0 = now_ns();
        HANDLE o = RtOpenMutexA(0, FALSE, n.c_str());
        DWORD err = GetLastError();
        double ms = ms_since(t0);
        ready->store(mine);
        EXPECT_EQ(o, nullptr) << "opened a page of another layout";
        EXPECT_EQ(err, static_cast<DWORD>(ERROR_INVALID_HANDLE));
        EXPECT_LT(ms, 1000.0) << "waited for a page that will never be ready";
        HANDLE again = RtOpenMutexA(0, FALSE, n.c_str());
        EXPECT_NE(again, nullptr) << "the page's own layout is refused too";
        if (o != nullptr)
            RtCloseHandle(o);
        if (again != nullptr)
            RtCloseHandle(again);
    }
    RtCloseHandle(m);
}

} // namespace conf
