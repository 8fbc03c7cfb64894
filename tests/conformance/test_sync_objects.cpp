// SPDX-License-Identifier: MIT
// test_sync_objects.cpp: creating, opening, typing, closing and inspecting
// events, mutexes and semaphores (S29, S40-S42, S55, S58, S59).
#include "sync_helpers.hpp"

#include <algorithm>
#include <csignal>
#include <pthread.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

namespace conf {
namespace {

enum class Kind { shm, event, mutex, semaphore };
const Kind kKinds[] = {Kind::shm, Kind::event, Kind::mutex, Kind::semaphore};

const char *kind_name(Kind k) {
    switch (k) {
    case Kind::shm:
        return "shm";
    case Kind::event:
        return "event";
    case Kind::mutex:
        return "mutex";
    case Kind::semaphore:
        return "semaphore";
    }
    return "?";
}

HANDLE create_kind(Kind k, const std::string &n) {
    void *p = nullptr;
    switch (k) {
    case Kind::shm:
        return RtCreateSharedMemoryA(PAGE_READWRITE, 0, 4096, n.c_str(), &p);
    case Kind::event:
        return RtCreateEventA(nullptr, TRUE, TRUE, n.c_str());
    case Kind::mutex:
        return RtCreateMutexA(nullptr, FALSE, n.c_str());
    case Kind::semaphore:
        return RtCreateSemaphoreA(nullptr, 3, 7, n.c_str());
    }
    return nullptr;
}

HANDLE open_kind(Kind k, const std::string &n) {
    void *p = nullptr;
    switch (k) {
    case Kind::shm:
        return RtOpenSharedMemoryA(SHM_MAP_ALL_ACCESS, FALSE, n.c_str(), &p);
    case Kind::event:
        return RtOpenEventA(0, FALSE, n.c_str());
    case Kind::mutex:
        return RtOpenMutexA(0, FALSE, n.c_str());
    case Kind::semaphore:
        return RtOpenSemaphoreA(0, FALSE, n.c_str());
    }
    return nullptr;
}

} // namespace

TEST_P(Conformance, S29_NameOfAnotherTypeIsInvalidHandleAndUnchanged) {
    SYNC_REQUIRED();
    for (Kind holder : kKinds) {
        for (Kind other : kKinds) {
            if (holder == other)
                continue;
            auto n = name("s29x");
            HANDLE h = create_kind(holder, n);
            ASSERT_NE(h, nullptr) << kind_name(holder) << " error " << GetLastError();
            SetLastError(0);
            EXPECT_EQ(create_kind(other, n), nullptr)
                << kind_name(other) << " over " << kind_name(holder);
            EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_INVALID_HANDLE));
            SetLastError(0);
            EXPECT_EQ(open_kind(other, n), nullptr)
                << kind_name(other) << " over " << kind_name(holder);
            EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_INVALID_HANDLE));
            // Unchanged: still openable as itself, in its state.
            HANDLE again = open_kind(holder, n);
            EXPECT_NE(again, nullptr);
            if (holder == Kind::event) {
                EXPECT_EQ(RtWaitForSingleObject(again, 0), WAIT_OBJECT_0);
            }
            if (holder == Kind::semaphore) {
                LONG prev = -1;
                EXPECT_TRUE(RtReleaseSemaphore(again, 1, &prev));
                EXPECT_EQ(prev, 3);
            }
            RtCloseHandle(again);
            EXPECT_TRUE(RtCloseHandle(h));
        }
    }
}

TEST_P(Conformance, S40_CreateNewThenExistingSameTypeIgnoresInitialState) {
    SYNC_REQUIRED();
    auto ne = name("s40e"), nm = name("s40m"), ns = name("s40s");
    SetLastError(77);
    HANDLE e = RtCreateEventA(nullptr, TRUE, FALSE, ne.c_str());
    ASSERT_NE(e, nullptr);
    EXPECT_EQ(GetLastError(), 0u);
    HANDLE e2 = RtCreateEventA(nullptr, FALSE, TRUE, ne.c_str()); // arguments ignored
    ASSERT_NE(e2, nullptr);
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_ALREADY_EXISTS));
    EXPECT_NE(e, e2);
    EXPECT_EQ(RtWaitForSingleObject(e2, 0), WAIT_TIMEOUT) << "initial state was not ignored";
    EXPECT_TRUE(RtSetEvent(e));
    EXPECT_EQ(RtWaitForSingleObject(e2, 0), WAIT_OBJECT_0);
    EXPECT_EQ(RtWaitForSingleObject(e2, 0), WAIT_OBJECT_0) << "still manual-reset";

    SetLastError(77);
    HANDLE m = RtCreateMutexW(nullptr, FALSE, wide(nm).c_str());
    ASSERT_NE(m, nullptr);
    EXPECT_EQ(GetLastError(), 0u);
    HANDLE m2 = RtCreateMutexA(nullptr, TRUE, nm.c_str()); // bInitialOwner ignored
    ASSERT_NE(m2, nullptr);
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_ALREADY_EXISTS));
    EXPECT_FALSE(RtReleaseMutex(m2));
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_NOT_OWNER));

    HANDLE s = RtCreateSemaphoreA(nullptr, 2, 5, ns.c_str());
    ASSERT_NE(s, nullptr);
    EXPECT_EQ(GetLastError(), 0u);
    HANDLE s2 = RtCreateSemaphoreW(nullptr, 0, 1, wide(ns).c_str());
    ASSERT_NE(s2, nullptr);
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_ALREADY_EXISTS));
    LONG prev = -1;
    EXPECT_TRUE(RtReleaseSemaphore(s2, 3, &prev)); // max is still 5
    EXPECT_EQ(prev, 2);

    // Unnamed: always new, last error 0.
    for (const char *un : {static_cast<const char *>(nullptr), ""}) {
        SetLastError(77);
        HANDLE a = RtCreateEventA(nullptr, TRUE, TRUE, un);
        ASSERT_NE(a, nullptr);
        EXPECT_EQ(GetLastError(), 0u);
        HANDLE b = RtCreateEventA(nullptr, TRUE, FALSE, un);
        ASSERT_NE(b, nullptr);
        EXPECT_EQ(GetLastError(), 0u);
        EXPECT_EQ(RtWaitForSingleObject(a, 0), WAIT_OBJECT_0);
        EXPECT_EQ(RtWaitForSingleObject(b, 0), WAIT_TIMEOUT) << "two unnamed creates met";
        RtCloseHandle(a);
        RtCloseHandle(b);
    }
    for (HANDLE h : {e, e2, m, m2, s, s2})
        EXPECT_TRUE(RtCloseHandle(h));
}

TEST_P(Conformance, S41_OpenMissingIsFileNotFoundExistingGivesNewHandle) {
    SYNC_REQUIRED();
    auto n = name("s41");
    for (Kind k : {Kind::event, Kind::mutex, Kind::semaphore}) {
        SetLastError(0);
        EXPECT_EQ(open_kind(k, n), nullptr) << kind_name(k);
        EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_FILE_NOT_FOUND)) << kind_name(k);
    }
    EXPECT_EQ(RtOpenEventW(0, FALSE, wide(n).c_str()), nullptr);
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_FILE_NOT_FOUND));
    EXPECT_EQ(RtOpenMutexA(0, FALSE, nullptr), nullptr);
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_INVALID_PARAMETER));
    for (Kind k : {Kind::event, Kind::mutex, Kind::semaphore}) {
        auto nk = name("s41k");
        HANDLE h = create_kind(k, nk);
        ASSERT_NE(h, nullptr);
        SetLastError(77);
        HANDLE o = open_kind(k, nk);
        ASSERT_NE(o, nullptr) << kind_name(k);
        EXPECT_EQ(GetLastError(), 0u);
        EXPECT_NE(o, h);
        EXPECT_TRUE(RtCloseHandle(h));
        // The opened handle alone keeps the object (S23).
        HANDLE o2 = open_kind(k, nk);
        EXPECT_NE(o2, nullptr) << kind_name(k) << " died with a handle left";
        RtCloseHandle(o2);
        EXPECT_TRUE(RtCloseHandle(o));
        EXPECT_EQ(open_kind(k, nk), nullptr) << kind_name(k) << " outlived its handles";
        EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_FILE_NOT_FOUND));
    }
    // W and A name the same object (S15).
    HANDLE a = RtCreateSemaphoreA(nullptr, 1, 1, n.c_str());
    HANDLE w = RtOpenSemaphoreW(0, FALSE, wide(n).c_str());
    ASSERT_NE(w, nullptr);
    EXPECT_EQ(RtWaitForSingleObject(w, 0), WAIT_OBJECT_0);
    EXPECT_EQ(RtWaitForSingleObject(a, 0), WAIT_TIMEOUT);
    RtCloseHandle(a);
    RtCloseHandle(w);
}

TEST_P(Conformance, S42_SemaphoreCountsAreValidated) {
    SYNC_REQUIRED();
    struct {
        LONG init, max;
    } bad[] = {{-1, 5}, {6, 5}, {0, 0}, {0, -1}, {-5, -1}, {1, 0}};
    for (auto b : bad) {
        auto n = name("s42");
        SetLastError(0);
        EXPECT_EQ(RtCreateSemaphoreA(nullptr, b.init, b.max, n.c_str()), nullptr)
            << b.init << "/" << b.max;
        EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_INVALID_PARAMETER));
        EXPECT_EQ(RtCreateSemaphoreW(nullptr, b.init, b.max, wide(n).c_str()), nullptr);
        EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_INVALID_PARAMETER));
        EXPECT_EQ(RtOpenSemaphoreA(0, FALSE, n.c_str()), nullptr) << "something was made";
        EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_FILE_NOT_FOUND));
    }
    HANDLE ok = RtCreateSemaphoreA(nullptr, 0, 0x7fffffff, nullptr);
    EXPECT_NE(ok, nullptr);
    RtCloseHandle(ok);
}

TEST_P(Conformance, S55_CallsOnWrongTypeOrInvalidHandleFail) {
    SYNC_REQUIRED();
    void *p = nullptr;
    HANDLE shm = RtCreateSharedMemoryA(PAGE_READWRITE, 0, 4096, nullptr, &p);
    HANDLE ev = RtCreateEventA(nullptr, FALSE, FALSE, nullptr);
    HANDLE mu = RtCreateMutexA(nullptr, TRUE, nullptr);
    HANDLE se = RtCreateSemaphoreA(nullptr, 1, 2, nullptr);
    HANDLE closed = RtCreateEventA(nullptr, TRUE, TRUE, nullptr);
    ASSERT_TRUE(RtCloseHandle(closed));
    HANDLE invalid[] = {nullptr, INVALID_HANDLE_VALUE, closed, reinterpret_cast<HANDLE>(0x1234),
                        shm};
    auto expect_bad = [](BOOL r, const char *what) {
        EXPECT_FALSE(r) << what;
        EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_INVALID_HANDLE)) << what;
    };
    for (HANDLE h : invalid) {
        expect_bad(RtSetEvent(h), "set");
        expect_bad(RtResetEvent(h), "reset");
        expect_bad(RtPulseEvent(h), "pulse");
        expect_bad(RtReleaseMutex(h), "release mutex");
        expect_bad(RtReleaseSemaphore(h, 1, nullptr), "release semaphore");
        EXPECT_EQ(RtWaitForSingleObject(h, 0), WAIT_FAILED);
        EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_INVALID_HANDLE));
    }
    for (HANDLE h : {mu, se}) {
        expect_bad(RtSetEvent(h), "set on another type");
        expect_bad(RtResetEvent(h), "reset on another type");
        expect_bad(RtPulseEvent(h), "pulse on another type");
    }
    expect_bad(RtReleaseMutex(ev), "release mutex on an event");
    expect_bad(RtReleaseMutex(se), "release mutex on a semaphore");
    expect_bad(RtReleaseSemaphore(ev, 1, nullptr), "release semaphore on an event");
    expect_bad(RtReleaseSemaphore(mu, 1, nullptr), "release semaphore on a mutex");
    // RtCloseHandle closes every type, once.
    for (HANDLE h : {shm, ev, mu, se}) {
        EXPECT_TRUE(RtCloseHandle(h));
        EXPECT_FALSE(RtCloseHandle(h));
        EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_INVALID_HANDLE));
    }
}

TEST_P(Conformance, S55_HandleClosedWhileAnotherThreadWaitsNeverCrashes) {
    SYNC_REQUIRED();
    auto n = name("s55c");
    HANDLE h1 = RtCreateEventA(nullptr, FALSE, FALSE, n.c_str());
    HANDLE h2 = RtOpenEventA(0, FALSE, n.c_str());
    ASSERT_NE(h2, nullptr);
    DWORD r1 = 1, r2 = 1;
    std::thread t1([&] { r1 = RtWaitForSingleObject(h1, INFINITE); });
    ASSERT_TRUE(wait_for_waiters(h2, 1));
    EXPECT_TRUE(RtCloseHandle(h1)); // the waiter's handle
    EXPECT_TRUE(RtSetEvent(h2));    // the object lives on: its own result
    t1.join();
    EXPECT_EQ(r1, WAIT_OBJECT_0);
    // A timed wait whose handle (the last one) is closed meanwhile returns.
    std::thread t2([&] { r2 = RtWaitForSingleObject(h2, 200); });
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    EXPECT_TRUE(RtCloseHandle(h2));
    t2.join();
    EXPECT_TRUE(r2 == WAIT_TIMEOUT || r2 == WAIT_FAILED) << r2;
    // The same for a multiple wait.
    HANDLE s = RtCreateSemaphoreA(nullptr, 0, 1, nullptr);
    HANDLE e = RtCreateEventA(nullptr, FALSE, FALSE, nullptr);
    DWORD r3 = 1;
    std::thread t3([&] {
        HANDLE hs[] = {s, e};
        r3 = RtWaitForMultipleObjects(2, hs, FALSE, 200);
    });
    ASSERT_TRUE(wait_for_waiters(e, 1));
    RtCloseHandle(s);
    t3.join();
    EXPECT_TRUE(r3 == WAIT_TIMEOUT || r3 == WAIT_FAILED) << r3;
    RtCloseHandle(e);
}

// Whether no object of that name is left anywhere (its last user gone).
bool event_gone(const std::string &n) {
    return eventually(
        [&] {
            HANDLE again = RtOpenEventA(0, FALSE, n.c_str());
            if (again != nullptr) {
                RtCloseHandle(again);
                return false;
            }
            return GetLastError() == static_cast<DWORD>(ERROR_FILE_NOT_FOUND);
        },
        2000);
}

TEST_P(Conformance, S55_ObjectsOfHandlesClosedDuringAWaitGoWhenTheWaitEnds) {
    SYNC_REQUIRED();
    // One handle, then six in one multiple wait (more than a thread's
    // hazards: the last two are counted references). Each is the only
    // handle of its object; all are closed while the wait sleeps.
    for (int count : {1, 6}) {
        std::vector<std::string> names;
        std::vector<HANDLE> hs;
        for (int i = 0; i < count; ++i) {
            names.push_back(
                name(("s55g" + std::to_string(count) + "_" + std::to_string(i)).c_str()));
            hs.push_back(RtCreateEventA(nullptr, FALSE, FALSE, names.back().c_str()));
            ASSERT_NE(hs.back(), nullptr);
        }
        DWORD r = 1;
        std::thread t([&] {
            r = RtWaitForMultipleObjects(static_cast<DWORD>(count), hs.data(), FALSE, 300);
        });
        ASSERT_TRUE(wait_for_waiters(hs[0], 1));
        for (HANDLE h : hs)
            EXPECT_TRUE(RtCloseHandle(h));
        t.join();
        EXPECT_TRUE(r == WAIT_TIMEOUT || r == WAIT_FAILED) << r;
        for (const auto &n : names)
            EXPECT_TRUE(event_gone(n)) << n << " outlived the wait that held it last";
    }
}

HANDLE g_s55_other = nullptr;
std::atomic<int> g_s55_handler_ok{0};

void s55_handler(int) {
    if (RtSetEvent(g_s55_other))
        g_s55_handler_ok.fetch_add(1);
}

TEST_P(Conformance, S55_SignalHandlerCallsDuringAWaitKeepTheWaitersObject) {
    SYNC_REQUIRED();
    // A call made by a signal handler while its thread waits uses the
    // thread's next hazard: withdrawing it must leave the waiter's, or the
    // close below would destroy the object under the waiter.
    auto n = name("s55s");
    HANDLE waited = RtCreateEventA(nullptr, FALSE, FALSE, n.c_str());
    HANDLE setter = RtOpenEventA(0, FALSE, n.c_str());
    g_s55_other = RtCreateEventA(nullptr, TRUE, FALSE, nullptr);
    ASSERT_NE(waited, nullptr);
    ASSERT_NE(setter, nullptr);
    ASSERT_NE(g_s55_other, nullptr);
    struct sigaction sa {
    }, old{};
    sa.sa_handler = s55_handler;
    ASSERT_EQ(::sigaction(SIGUSR1, &sa, &old), 0);
    g_s55_handler_ok = 0;
    DWORD r = 1;
    std::thread t([&] { r = RtWaitForSingleObject(waited, 5000); });
    ASSERT_TRUE(wait_for_waiters(setter, 1));
    ASSERT_EQ(::pthread_kill(t.native_handle(), SIGUSR1), 0);
    ASSERT_TRUE(eventually([] { return g_s55_handler_ok.load() == 1; }));
    EXPECT_TRUE(RtCloseHandle(waited));       // the waiter's handle, in use by it
    ASSERT_TRUE(wait_for_waiters(setter, 1)); // back asleep after the handler
    EXPECT_TRUE(RtSetEvent(setter));
    t.join();
    EXPECT_EQ(r, WAIT_OBJECT_0);
    EXPECT_EQ(RtWaitForSingleObject(g_s55_other, 0), WAIT_OBJECT_0) << "the handler's set";
    ::sigaction(SIGUSR1, &old, nullptr);
    EXPECT_TRUE(RtCloseHandle(setter));
    EXPECT_TRUE(RtCloseHandle(g_s55_other));
    EXPECT_TRUE(event_gone(n));
}

TEST_P(Conformance, S20_ForkWhileAClosedHandleIsInUseLeavesTheChildNoReference) {
    SYNC_REQUIRED();
    // A handle closed while another thread still waits on it, then a fork:
    // the child has neither the handle nor that thread, so it must not keep
    // the object (its mapping, its file) alive once the parent is done.
    auto n = name("s20f");
    HANDLE h1 = RtCreateEventA(nullptr, FALSE, FALSE, n.c_str());
    ASSERT_NE(h1, nullptr);
    DWORD r = 1;
    std::thread waiter([&] { r = RtWaitForSingleObject(h1, INFINITE); });
    ASSERT_TRUE(wait_for_waiters(h1, 1));
    ASSERT_TRUE(RtCloseHandle(h1)); // in use by the waiter: it goes after it
    int go[2];
    ASSERT_EQ(::pipe(go), 0);
    std::fflush(nullptr);
    pid_t child = ::fork(); // no live handle of the object to inherit
    if (child == 0) {
        char c;
        (void)!::read(go[0], &c, 1); // the library is not called here
        _exit(0);
    }
    ASSERT_GT(child, 0);
    HANDLE h2 = RtOpenEventA(0, FALSE, n.c_str()); // alive through the waiter
    ASSERT_NE(h2, nullptr);
    EXPECT_TRUE(RtSetEvent(h2));
    waiter.join();
    EXPECT_EQ(r, WAIT_OBJECT_0);
    EXPECT_TRUE(RtCloseHandle(h2)); // the last handle anywhere
    EXPECT_TRUE(event_gone(n)) << "the fork child kept the closed object alive";
    (void)!::write(go[1], "x", 1);
    int st = 0;
    ::waitpid(child, &st, 0);
    EXPECT_TRUE(exited_ok(st)) << describe(st);
    ::close(go[0]);
    ::close(go[1]);
}

TEST_P(Conformance, S58_BadArgumentsNeverTouchTheObject) {
    SYNC_REQUIRED();
    HANDLE ev = RtCreateEventA(nullptr, TRUE, TRUE, nullptr);
    HANDLE se = RtCreateSemaphoreA(nullptr, 1, 2, nullptr);
    HANDLE mu = RtCreateMutexA(nullptr, TRUE, nullptr);
    LONG prev = 42;
    EXPECT_FALSE(RtReleaseSemaphore(ev, 1, &prev));
    EXPECT_FALSE(RtReleaseSemaphore(se, 0, &prev));
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_INVALID_PARAMETER));
    EXPECT_FALSE(RtReleaseSemaphore(se, -3, &prev));
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_INVALID_PARAMETER));
    EXPECT_FALSE(RtReleaseSemaphore(se, 0x7fffffff, &prev));
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_TOO_MANY_POSTS));
    EXPECT_EQ(prev, 42) << "written on failure";
    EXPECT_FALSE(RtSetEvent(se));
    EXPECT_FALSE(RtResetEvent(mu));
    EXPECT_FALSE(RtReleaseMutex(ev));
    HANDLE bad[] = {ev, se, INVALID_HANDLE_VALUE};
    EXPECT_EQ(RtWaitForMultipleObjects(3, bad, FALSE, 0), WAIT_FAILED);
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_INVALID_HANDLE));
    HANDLE dup[] = {se, ev, se};
    EXPECT_EQ(RtWaitForMultipleObjects(3, dup, FALSE, 0), WAIT_FAILED);
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_INVALID_PARAMETER));
    RTSHM_SYNC_STATE st{};
    ASSERT_TRUE(RtShmQuerySyncObject(se, &st));
    EXPECT_EQ(st.count, 1) << "a failed call consumed or changed the semaphore";
    ASSERT_TRUE(RtShmQuerySyncObject(ev, &st));
    EXPECT_TRUE(st.signaled);
    ASSERT_TRUE(RtShmQuerySyncObject(mu, &st));
    EXPECT_EQ(st.recursion, 1u);
    EXPECT_FALSE(RtShmQuerySyncObject(ev, nullptr));
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_INVALID_PARAMETER));
    EXPECT_TRUE(RtReleaseMutex(mu));
    for (HANDLE h : {ev, se, mu})
        RtCloseHandle(h);
}

TEST_P(Conformance, S59_ListShowsTypesQueryShowsState) {
    SYNC_REQUIRED();
    auto ne = name("s59e"), nm = name("s59m"), ns = name("s59s"), nh = name("s59h");
    void *p = nullptr;
    HANDLE shm = RtCreateSharedMemoryA(PAGE_READWRITE, 0, 4096, nh.c_str(), &p);
    HANDLE ev = RtCreateEventA(nullptr, TRUE, TRUE, ne.c_str());
    HANDLE mu = RtCreateMutexA(nullptr, TRUE, nm.c_str());
    HANDLE se = RtCreateSemaphoreA(nullptr, 2, 9, ns.c_str());
    auto objs = rtshm::list_objects();
    ASSERT_TRUE(objs.has_value());
    auto type_of = [&](const std::string &n) -> std::uint32_t {
        for (const auto &o : *objs)
            if (o.name && *o.name == n)
                return o.type;
        return 0;
    };
    EXPECT_EQ(type_of(nh), 1u);
    EXPECT_EQ(type_of(ne), 2u);
    EXPECT_EQ(type_of(nm), 3u);
    EXPECT_EQ(type_of(ns), 4u);
    RTSHM_SYNC_STATE st{};
    ASSERT_TRUE(RtShmQuerySyncObject(ev, &st));
    EXPECT_EQ(st.type, static_cast<DWORD>(RTSHM_OBJECT_EVENT));
    EXPECT_TRUE(st.manual);
    EXPECT_TRUE(st.signaled);
    ASSERT_TRUE(RtShmQuerySyncObject(se, &st));
    EXPECT_EQ(st.count, 2);
    EXPECT_EQ(st.maximum, 9);
    ASSERT_TRUE(RtShmQuerySyncObject(mu, &st));
    EXPECT_EQ(st.owner_pid, static_cast<DWORD>(::getpid()));
    EXPECT_EQ(st.owner_tid, static_cast<DWORD>(::gettid()));
    EXPECT_EQ(st.waiters, 0u);
    DWORD r = 1;
    std::thread w([&] {
        r = RtWaitForSingleObject(mu, 5000);
        RtReleaseMutex(mu);
    });
    EXPECT_TRUE(wait_for_waiters(mu, 1)) << "a blocked waiter is not shown";
    ASSERT_TRUE(RtShmQuerySyncObject(mu, &st));
    EXPECT_EQ(st.waiters, 1u);
    EXPECT_TRUE(RtReleaseMutex(mu));
    w.join();
    EXPECT_EQ(r, WAIT_OBJECT_0);
    ASSERT_TRUE(RtShmQuerySyncObject(mu, &st));
    EXPECT_EQ(st.owner_pid, 0u);
    EXPECT_FALSE(RtShmQuerySyncObject(shm, &st));
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_INVALID_HANDLE));
    for (HANDLE h : {shm, ev, mu, se})
        RtCloseHandle(h);
}

} // namespace conf
